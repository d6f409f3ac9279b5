//! Open Charge Map POIs into the same model as OCPI.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure should stop the test

use chargefinder::*;

fn pois() -> Imported {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ocm/pois.json")).unwrap();
    import_ocm_pois(&bytes).unwrap()
}

#[test]
fn pois_become_locations() {
    let imp = pois();
    let r = &imp.report;
    assert_eq!((r.locations_seen, r.locations, r.skipped), (4, 2, 2));
    // 4 + 1 + 1 EVSEs at the first POI, 2 + 1 at the second.
    assert_eq!((r.evses, r.connectors), (9, 9));
    let fast = &imp.locations[0];
    assert_eq!(
        (fast.id.as_str(), fast.operator.as_deref(), fast.country_code.as_str()),
        ("OCM-101", Some("Fastned"), "NL")
    );
    assert_eq!(fast.last_updated.as_deref(), Some("2024-05-01T10:00:00Z"));
    let e = &fast.evses[0];
    assert_eq!((e.uid.as_str(), e.status), ("1-0", EvseStatus::Available));
    let c = &e.connectors[0];
    assert_eq!((c.family(), c.power_type, c.max_power_kw()), (PlugFamily::Ccs2, PowerType::Dc, Some(300.0)));
    // The CHAdeMO connection has no status of its own: the POI's "Operational" → UNKNOWN.
    assert_eq!(fast.evses[4].status, EvseStatus::Unknown);
    assert_eq!(fast.evses[4].connectors[0].family(), PlugFamily::Chademo);
    assert_eq!(fast.evses[5].connectors[0].family(), PlugFamily::Type2Cable);
    assert_eq!(fast.evses[5].connectors[0].power_type, PowerType::Ac3Phase);
    let farm = &imp.locations[1];
    assert_eq!(farm.country_code, "US");
    assert!(farm.evses.iter().all(|e| e.status == EvseStatus::OutOfOrder));
    assert_eq!(farm.evses[0].connectors[0].family(), PlugFamily::Other);
    assert_eq!(farm.evses[2].connectors[0].family(), PlugFamily::Type1);
    assert!((farm.evses[2].connectors[0].max_power_kw().unwrap() - 7.68).abs() < 1e-9);
}

#[test]
fn problems_say_where() {
    let imp = pois();
    let paths: Vec<(&str, Option<&str>, Option<&str>)> = imp
        .report
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.location_id.as_deref(), p.evse_uid.as_deref()))
        .collect();
    assert!(paths.contains(&("[1].Connections[0].ConnectionTypeID", Some("OCM-102"), Some("7"))));
    assert!(paths.contains(&("[1].Connections[0].CurrentTypeID", Some("OCM-102"), Some("7"))));
    assert!(paths.contains(&("[2].AddressInfo", Some("OCM-103"), None)));
    assert!(paths.contains(&("[3].ID", None, None)));
}

#[test]
fn ocm_and_ocpi_share_one_index() {
    let mut locations = pois().locations;
    let ocpi =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ocpi-2.2.1/location_example.json")).unwrap();
    locations.extend(import_locations(&ocpi).unwrap().locations);
    let index = StationIndex::from_locations(&locations);
    let f = Filter { plugs: PlugSet::EMPTY.with(PlugFamily::Ccs2), available_now: true, ..Filter::default() };
    let hits = index.nearest(52.4, 4.6, 5, 1e6, &f);
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].matching_evses, hits[0].available_evses, hits[0].best_power_kw), (4, 4, 300.0));
    assert!(matches!(import_ocm_pois(b"{"), Err(ImportError::Json(_))));
    assert!(matches!(import_ocm_pois(b"7"), Err(ImportError::Shape(_))));
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn arb() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            (-1e9..1e9f64).prop_map(Value::from),
            "[ -~]{0,8}".prop_map(Value::String),
        ];
        let keys = vec![
            "ID",
            "AddressInfo",
            "Latitude",
            "Longitude",
            "Connections",
            "ConnectionTypeID",
            "CurrentTypeID",
            "StatusTypeID",
            "Quantity",
            "PowerKW",
            "Amps",
            "Voltage",
            "Country",
            "ISOCode",
            "OperatorInfo",
            "Title",
            "$date",
        ];
        leaf.prop_recursive(4, 40, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(keys.clone()), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn arbitrary_pois_never_panic(v in arb()) {
            if let Ok(imp) = import_ocm_pois(v.to_string().as_bytes()) {
                prop_assert_eq!(imp.report.locations, imp.locations.len());
                prop_assert_eq!(imp.report.skipped + imp.report.repaired, imp.report.problems.len());
                let index = StationIndex::from_locations(&imp.locations);
                let _ = index.nearest(0.0, 0.0, 3, 1e7, &Filter::default());
            }
        }
    }
}
