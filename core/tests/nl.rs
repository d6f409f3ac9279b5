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
    // 25,909 objects; 16 repeat an earlier (country_code, party_id, id) word for word and are
    // merged (the later replaces the earlier, as an OCPI PUT would), so 25,893 locations remain.
    assert_eq!((r.locations_seen, r.locations, r.evses, r.connectors), (25_909, 25_893, 64_066, 64_328));
    assert_eq!(r.skipped, 16);
    assert_eq!(r.repaired, 56);
    assert_eq!(r.problems.len(), 72);
    for p in &r.problems {
        match p.kind {
            ProblemKind::Repaired => {
                assert!(p.location_id.is_some() && p.evse_uid.is_some(), "{p:?}");
                assert!(
                    p.path.ends_with(".standard") && p.path.contains(".evses[") && p.path.contains(".connectors["),
                    "{p:?}"
                );
                assert!(p.reason.contains("IEC_60309_2_"), "{p:?}");
            }
            ProblemKind::Skipped => {
                assert!(p.location_id.is_some() && p.evse_uid.is_none(), "{p:?}");
                assert!(p.reason.starts_with("duplicate: ["), "{p:?}");
            }
        }
    }
    // The statuses as the README counts them.
    let mut by_status = std::collections::HashMap::new();
    for e in imported.locations.iter().flat_map(|l| &l.evses) {
        *by_status.entry(e.status).or_insert(0) += 1;
    }
    // The README's counts (42,446 / 575 / 91) less the 16 repeated locations' EVSEs.
    assert_eq!(by_status[&EvseStatus::Available], 42_418);
    assert_eq!(by_status[&EvseStatus::OutOfOrder], 575);
    assert_eq!(by_status[&EvseStatus::Blocked], 89);

    // The index over it: every EVSE has a slot, lookups agree, and a query near Delft works.
    let index = StationIndex::from_locations(&imported.locations);
    assert_eq!(index.evse_count(), 64_066);
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

/// The compact stations (the browser's download) carry payment capabilities and opening hours,
/// so the payment and open-now filters give exactly the full index's answer. The NL feed has
/// no hours that close, so every 7th location gets office hours, a night period past midnight
/// or an exceptional closing; instants around both 2026 DST changes and an ordinary week.
#[test]
fn payment_and_open_now_filters_match_the_full_index_from_compact_rows() {
    let mut locations = nl().locations;
    let week = |b, e| (1..=5).map(move |d| RegularHours { weekday: d, begin_min: b, end_min: e }).collect::<Vec<_>>();
    for (i, loc) in locations.iter_mut().enumerate().filter(|(i, _)| i % 7 == 0) {
        loc.opening_times = Some(match i % 3 {
            0 => Hours { regular_hours: week(480, 1080), ..Hours::default() },
            1 => Hours { regular_hours: week(1320, 360), ..Hours::default() },
            _ => Hours {
                twentyfourseven: true,
                exceptional_closings: vec![ExceptionalPeriod { begin_s: 1_774_800_000, end_s: 1_774_850_000 }],
                ..Hours::default()
            },
        });
    }
    let full = StationIndex::from_locations(&locations);
    // Through JSON, as the server sends them.
    let rows: Vec<Station> = locations.iter().map(Station::from_location).collect();
    let rows: Vec<Station> = serde_json::from_str(&serde_json::to_string(&rows).unwrap()).unwrap();
    let compact = StationIndex::new(rows);
    let caps = |c: &[Capability]| c.iter().copied().collect::<Capabilities>();
    let mut filters = vec![
        Filter { capabilities: caps(&[Capability::RemoteStartStopCapable]), ..Filter::default() },
        Filter { capabilities: caps(&[Capability::CreditCardPayable]), ..Filter::default() },
        Filter {
            capabilities: caps(&[Capability::CreditCardPayable, Capability::RemoteStartStopCapable]),
            ..Filter::default()
        },
    ];
    // 2026-03-29 01:00 UTC (DST starts), 2026-10-25 01:00 UTC (ends), a Monday 07:30 UTC, a
    // Saturday noon, and inside the exceptional closing.
    for t in [1_774_746_000, 1_774_749_600, 1_792_890_000, 1_792_893_600, 1_780_903_800, 1_781_352_000, 1_774_820_000] {
        filters.push(Filter { open_at: Some(t), ..Filter::default() });
        filters.push(Filter {
            open_at: Some(t),
            capabilities: caps(&[Capability::CreditCardPayable]),
            ..Filter::default()
        });
    }
    for f in &filters {
        let (mut n_full, mut differ) = (0, 0);
        for i in 0..full.len() as u32 {
            let a = full.evaluate(i, 0.0, f).map(|h| (h.matching_evses, h.available_evses));
            let b = compact.evaluate(i, 0.0, f).map(|h| (h.matching_evses, h.available_evses));
            n_full += usize::from(a.is_some());
            differ += usize::from(a != b);
        }
        assert_eq!(differ, 0, "{f:?}");
        // Each filter really filters (and lets some through).
        assert!(n_full > 0 && n_full < full.len(), "{f:?}: {n_full}");
    }
}
