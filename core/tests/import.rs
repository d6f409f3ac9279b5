//! Import: official OCPI examples, older OCPI versions, problem reports, and no panics on any
//! input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure should stop the test

use chargefinder::*;
use proptest::prelude::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/ocpi-2.2.1/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn official_location_example() {
    let imp = import_locations(&fixture("location_example.json")).unwrap();
    assert_eq!((imp.report.locations, imp.report.evses, imp.report.connectors, imp.report.skipped), (1, 2, 3, 0));
    let loc = &imp.locations[0];
    assert_eq!((loc.id.as_str(), loc.country_code.as_str(), loc.party_id.as_str()), ("LOC1", "BE", "BEC"));
    assert_eq!(loc.parking_type.as_deref(), Some("ON_STREET"));
    assert!((loc.lat - 51.047599).abs() < 1e-9 && (loc.lon - 3.729944).abs() < 1e-9);
    let e = &loc.evses[0];
    assert_eq!(e.capability_set(), Capabilities::EMPTY.with(Capability::Reservable));
    assert_eq!(e.connectors[0].family(), PlugFamily::Type2Cable);
    assert_eq!(e.connectors[1].family(), PlugFamily::Type2Socket);
    assert_eq!(e.connectors[0].tariff_ids, ["11"]);
    // Wrapped in an OCPI envelope and in {data}: the same.
    let body: Value = serde_json::from_slice(&fixture("location_example.json")).unwrap();
    let env = json!({"data": [body.clone()], "status_code": 1000, "timestamp": "2015-06-30T21:59:59Z"});
    assert_eq!(import_locations(env.to_string().as_bytes()).unwrap().locations, imp.locations);
    assert_eq!(import_locations(json!({"data": body}).to_string().as_bytes()).unwrap().locations, imp.locations);
}

#[test]
fn unpublished_and_parking_examples() {
    let imp = import_locations(&fixture("location_example_uc3_destination_charger_not_published.json")).unwrap();
    let loc = &imp.locations[0];
    assert!(!loc.publish);
    assert_eq!(loc.evses[0].parking_set(), ParkingRestrictions::EMPTY.with(ParkingRestriction::Customers));
    let imp = import_locations(&fixture("location_example_parking_garage_opening_hours.json")).unwrap();
    let h = imp.locations[0].opening_times.as_ref().unwrap();
    assert!(!h.twentyfourseven);
    assert_eq!(h.regular_hours.len(), 7);
    assert_eq!(h.regular_hours[6], RegularHours { weekday: 7, begin_min: 420, end_min: 1080 });
    assert_eq!(imp.locations[0].parking_type.as_deref(), Some("PARKING_GARAGE"));
}

#[test]
fn ocpi_2_1_1_location() {
    // 2.1.1: `type` for parking type, `voltage`/`amperage`, one `tariff_id`, no publish,
    // country_code or party_id.
    let v211 = json!([{"id": "OLD", "type": "PARKING_LOT", "name": "x", "address": "a", "city": "c", "country": "NLD",
        "coordinates": {"latitude": "52.1", "longitude": "5.1"}, "time_zone": "Europe/Amsterdam",
        "evses": [{"uid": "1", "status": "AVAILABLE", "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET",
            "power_type": "AC_3_PHASE", "voltage": 230, "amperage": 32, "tariff_id": "T1"}]}]}]);
    let imp = import_locations(v211.to_string().as_bytes()).unwrap();
    let loc = &imp.locations[0];
    assert!(loc.publish);
    assert_eq!(loc.parking_type.as_deref(), Some("PARKING_LOT"));
    let c = &loc.evses[0].connectors[0];
    assert_eq!((c.max_voltage, c.max_amperage), (Some(230), Some(32)));
    assert_eq!(c.tariff_ids, ["T1"]);
    assert!((c.max_power_kw().unwrap() - 22.08).abs() < 1e-9);
    // Missing country_code and party_id are reported as repairs, with where.
    let paths: Vec<_> = imp.report.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["[0].country_code", "[0].party_id"]);
}

#[test]
fn ocpi_2_3_connector_types() {
    let loc = json!({"id": "J", "address": "a", "city": "c", "country": "USA", "country_code": "US", "party_id": "TSL",
        "coordinates": {"latitude": "37.4", "longitude": "-122.1"}, "time_zone": "America/Los_Angeles",
        "evses": [{"uid": "1", "status": "AVAILABLE", "connectors": [
            {"id": "1", "standard": "SAE_J3400", "format": "CABLE", "power_type": "DC", "max_voltage": 1000, "max_amperage": 615, "max_electric_power": 250000},
            {"id": "2", "standard": "MCS", "format": "CABLE", "power_type": "DC", "max_voltage": 1250, "max_amperage": 3000}]}]});
    let imp = import_locations(loc.to_string().as_bytes()).unwrap();
    let cs = &imp.locations[0].evses[0].connectors;
    assert_eq!((cs[0].family(), cs[1].family()), (PlugFamily::Nacs, PlugFamily::Mcs));
    assert_eq!(cs[1].max_power_kw(), Some(3750.0));
    assert!(imp.report.problems.is_empty());
}

#[test]
fn problems_carry_location_evse_path_and_reason() {
    let data = json!([
        {"id": "L0", "coordinates": {"latitude": "x", "longitude": "4"}},
        {"id": "L1", "address": "a", "city": "c", "country": "NLD", "country_code": "NL", "party_id": "P", "time_zone": "UTC",
         "coordinates": {"latitude": 52, "longitude": 4},
         "evses": [
            {"uid": "E0", "status": "WORKING_FINE", "connectors": [{"id": "1", "standard": "iec_62196_t2", "format": "SOCKET", "power_type": "AC_1_PHASE", "max_voltage": 230, "max_amperage": 16}]},
            {"uid": "E1", "status": "AVAILABLE", "connectors": []},
            {"uid": "E2", "status": "AVAILABLE", "connectors": [{"id": "1", "standard": "CHADEMO", "format": "CABLE", "power_type": "DC", "max_voltage": -5, "max_amperage": 100}]},
            "not an evse"
         ]},
        42
    ]);
    let imp = import_locations(data.to_string().as_bytes()).unwrap();
    assert_eq!((imp.report.locations_seen, imp.report.locations, imp.report.evses), (3, 1, 2));
    let find = |path: &str| {
        imp.report
            .problems
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("no problem at {path}: {:#?}", imp.report.problems))
    };
    let p = find("[0].coordinates.latitude");
    assert_eq!((p.kind, p.location_id.as_deref()), (ProblemKind::Repaired, Some("L0")));
    assert_eq!(find("[0].coordinates").kind, ProblemKind::Skipped);
    let p = find("[1].evses[0].status");
    assert_eq!((p.location_id.as_deref(), p.evse_uid.as_deref()), (Some("L1"), Some("E0")));
    assert!(p.reason.contains("WORKING_FINE"));
    let p = find("[1].evses[0].connectors[0].standard");
    assert!(p.reason.contains("IEC_62196_T2"));
    let p = find("[1].evses[1].connectors");
    assert_eq!((p.kind, p.evse_uid.as_deref()), (ProblemKind::Skipped, Some("E1")));
    let p = find("[1].evses[2].connectors[0].max_voltage");
    assert_eq!((p.kind, p.evse_uid.as_deref()), (ProblemKind::Repaired, Some("E2")));
    assert_eq!(find("[1].evses[3]").kind, ProblemKind::Skipped);
    assert_eq!(find("[2]").kind, ProblemKind::Skipped);
    assert_eq!(imp.report.skipped + imp.report.repaired, imp.report.problems.len());
}

#[test]
fn not_json_and_wrong_shape_are_errors() {
    assert!(matches!(import_locations(b"<html>"), Err(ImportError::Json(_))));
    assert!(matches!(import_locations(b"\"text\""), Err(ImportError::Shape(_))));
    assert!(matches!(import_locations(br#"{"status_code": 2000, "data": null}"#), Err(ImportError::Shape(_))));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ -~]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "AVAILABLE",
            "DC",
            "IEC_62196_T2",
            "SOCKET",
            "24:00",
            "2020-01-01T00:00:00Z",
            "52.1",
            "-200",
            "NaN"
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

const KEYS: &[&str] = &[
    "id",
    "uid",
    "evses",
    "connectors",
    "coordinates",
    "latitude",
    "longitude",
    "status",
    "standard",
    "format",
    "power_type",
    "max_voltage",
    "max_amperage",
    "max_electric_power",
    "opening_times",
    "regular_hours",
    "weekday",
    "period_begin",
    "period_end",
    "twentyfourseven",
    "exceptional_closings",
    "publish",
    "data",
    "capabilities",
    "parking_restrictions",
    "facilities",
    "operator",
    "name",
    "tariff_ids",
    "tariff_id",
    "type",
    "voltage",
];

/// Replaces the value at a random place in a valid location.
fn mutate(mut v: Value, picks: &[usize], with: Value) -> Value {
    fn go(cur: &mut Value, picks: &[usize], with: Value) {
        let Some((&p, rest)) = picks.split_first() else {
            *cur = with;
            return;
        };
        match cur {
            Value::Object(m) if !m.is_empty() => {
                let k = m.keys().nth(p % m.len()).unwrap().clone();
                go(m.get_mut(&k).unwrap(), rest, with)
            }
            Value::Array(a) if !a.is_empty() => {
                let n = a.len();
                go(&mut a[p % n], rest, with)
            }
            _ => *cur = with,
        }
    }
    go(&mut v, picks, with);
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        if let Ok(imp) = import_locations(v.to_string().as_bytes()) {
            prop_assert_eq!(imp.report.locations, imp.locations.len());
            prop_assert_eq!(imp.report.skipped + imp.report.repaired, imp.report.problems.len());
            let index = StationIndex::from_locations(&imp.locations);
            let _ = index.nearest(52.0, 4.0, 5, 1e7, &Filter::default());
        }
    }

    #[test]
    fn mutated_examples_never_panic(picks in prop::collection::vec(any::<usize>(), 0..6), with in arb_json(), bytes in prop::collection::vec(any::<u8>(), 0..8), cut in any::<usize>()) {
        let base: Value = serde_json::from_slice(&fixture("location_example.json")).unwrap();
        let m = mutate(base, &picks, with).to_string();
        if let Ok(imp) = import_locations(m.as_bytes()) {
            for loc in &imp.locations {
                prop_assert!(loc.lat.is_finite() && loc.lon.is_finite());
                prop_assert!(loc.evses.iter().all(|e| !e.connectors.is_empty()));
            }
            let index = StationIndex::from_locations(&imp.locations);
            let _ = index.in_bbox([-180.0, -90.0, 180.0, 90.0], &Filter { open_at: Some(0), ..Filter::default() }, None);
        }
        // Raw byte damage: truncated and spliced.
        let mut raw = m.into_bytes();
        raw.truncate(cut % (raw.len() + 1));
        raw.extend(bytes);
        let _ = import_locations(&raw);
    }
}
