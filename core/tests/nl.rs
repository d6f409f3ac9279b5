//! The whole real NL feed (`data/nl/locations.json.gz`, committed in the repo).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure should stop the test

use std::io::Read;

use chargefinder::*;

fn nl() -> Imported {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/nl/locations.json.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut bytes).unwrap();
    import_locations(&bytes).unwrap()
}

#[test]
fn imports_every_nl_location() {
    let imported = nl();
    let r = &imported.report;
    assert_eq!((r.locations_seen, r.locations, r.evses, r.connectors), (25_909, 25_909, 64_114, 64_376));
    assert_eq!(r.skipped, 0);
    assert_eq!(r.repaired, 56);
    assert_eq!(r.problems.len(), 56);
    for p in &r.problems {
        assert_eq!(p.kind, ProblemKind::Repaired);
        assert!(p.location_id.is_some() && p.evse_uid.is_some(), "{p:?}");
        assert!(
            p.path.ends_with(".standard") && p.path.contains(".evses[") && p.path.contains(".connectors["),
            "{p:?}"
        );
        assert!(p.reason.contains("IEC_60309_2_"), "{p:?}");
    }
    // The statuses as the README counts them.
    let mut by_status = std::collections::HashMap::new();
    for e in imported.locations.iter().flat_map(|l| &l.evses) {
        *by_status.entry(e.status).or_insert(0) += 1;
    }
    assert_eq!(by_status[&EvseStatus::Available], 42_446);
    assert_eq!(by_status[&EvseStatus::OutOfOrder], 575);
    assert_eq!(by_status[&EvseStatus::Blocked], 91);

    // The index over it: every EVSE has a slot, lookups agree, and a query near Delft works.
    let index = StationIndex::from_locations(&imported.locations);
    assert_eq!(index.evse_count(), 64_114);
    for (i, loc) in imported.locations.iter().enumerate().step_by(97) {
        let slots = index.evse_slots(i as u32);
        for (k, e) in loc.evses.iter().enumerate() {
            let slot = index.evse_slot(&loc.id, &e.uid).unwrap();
            // Duplicate (location id, uid) pairs resolve to the first.
            assert!(slot <= slots.start + k as u32);
        }
    }
    let hits = index.nearest(52.0116, 4.3571, 10, 50_000.0, &Filter { min_power_kw: 50.0, ..Filter::default() });
    assert_eq!(hits.len(), 10);
    assert!(hits.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
    let bytes = index.flat_bytes() + Availability::BYTES_PER_EVSE * index.evse_count();
    let per_evse = bytes as f64 / index.evse_count() as f64;
    assert!(per_evse <= 64.0, "{per_evse} bytes per EVSE");
}
