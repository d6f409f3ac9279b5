//! The availability table: ordering, staleness, reliability, lookups, and live queries.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure should stop the test

use chargefinder::*;
use serde_json::json;

const T0: i64 = 1_780_000_000; // 2026-05-28T20:26:40Z
const DAY: i64 = 86_400;

fn locations() -> Vec<Location> {
    let evse = |uid: &str, status: &str| {
        json!({"uid": uid, "status": status, "connectors": [
        {"id": "1", "standard": "IEC_62196_T2_COMBO", "format": "CABLE", "power_type": "DC", "max_voltage": 500, "max_amperage": 100}]})
    };
    let loc = |id: &str, lat: f64, evses: Vec<serde_json::Value>| {
        json!({"id": id, "country_code": "NL", "party_id": "ABC",
        "address": "a", "city": "c", "country": "NLD", "time_zone": "Europe/Amsterdam",
        "coordinates": {"latitude": lat.to_string(), "longitude": "4.3"}, "evses": evses})
    };
    // Two locations reuse EVSE uid "1" (uids are unique per operator, not globally).
    let data = json!([
        loc("A", 52.00, vec![evse("1", "AVAILABLE"), evse("2", "CHARGING")]),
        loc("B", 52.01, vec![evse("1", "OUTOFORDER")]),
    ]);
    import_locations(data.to_string().as_bytes()).unwrap().locations
}

fn setup() -> (StationIndex, Availability) {
    let index = StationIndex::from_locations(&locations());
    let table = Availability::new(&index, T0, AvailabilityConfig { max_age_s: 3600, reliability_days: 7 });
    (index, table)
}

#[test]
fn slots_are_dense_and_keyed_by_location_and_uid() {
    let (index, table) = setup();
    assert_eq!(index.evse_count(), 3);
    assert_eq!(table.len(), 3);
    assert_eq!(index.evse_slot("A", "1"), Some(0));
    assert_eq!(index.evse_slot("A", "2"), Some(1));
    assert_eq!(index.evse_slot("B", "1"), Some(2));
    assert_eq!(index.evse_slot("B", "2"), None);
    assert_eq!(index.evse_slot("C", "1"), None);
    assert_eq!(index.evse_at(2), Some((1, 0)));
    assert_eq!(index.station_by_id("B"), Some(1));
    assert_eq!(table.status(2, T0), EvseStatus::OutOfOrder);
}

#[test]
fn older_updates_do_nothing() {
    let (_, mut t) = setup();
    assert_eq!(t.apply(0, EvseStatus::Charging, T0 + 10), Applied::Updated);
    assert_eq!(t.apply(0, EvseStatus::Available, T0 + 5), Applied::Stale);
    assert_eq!(t.status(0, T0 + 20), EvseStatus::Charging);
    assert_eq!(t.last_updated_s(0), Some(T0 + 10));
    // The same instant again: the later message wins.
    assert_eq!(t.apply(0, EvseStatus::Blocked, T0 + 10), Applied::Updated);
    assert_eq!(t.status(0, T0 + 20), EvseStatus::Blocked);
    assert_eq!(t.apply(99, EvseStatus::Available, T0 + 30), Applied::UnknownEvse);
    assert_eq!(t.apply(0, EvseStatus::Available, -1), Applied::BadTime);
}

#[test]
fn stale_status_reads_unknown_and_not_working() {
    let (_, t) = setup();
    assert_eq!(t.status(0, T0 + 3600), EvseStatus::Available);
    assert!(t.is_working(0, T0 + 3600));
    assert_eq!(t.status(0, T0 + 3601), EvseStatus::Unknown);
    assert!(!t.is_working(0, T0 + 3601));
    assert!(!t.is_working(2, T0), "OUTOFORDER is not working");
}

#[test]
fn reliability_counts_working_days() {
    let index = StationIndex::from_locations(&locations());
    // Fresh for two days, so a status carries over midnight.
    let mut t = Availability::new(&index, T0, AvailabilityConfig { max_age_s: 2 * DAY as u32, reliability_days: 7 });
    assert_eq!(t.reliability(0, T0), Some(1.0));
    assert_eq!(t.reliability(2, T0), Some(0.0));
    // Day +1: broken for a while, then fixed the same day → that day is not a working day.
    t.apply(0, EvseStatus::OutOfOrder, T0 + DAY);
    t.apply(0, EvseStatus::Available, T0 + DAY + 600);
    // Day +2 and +3 carry AVAILABLE (fresh); 4 days of information, 3 working.
    assert_eq!(t.reliability(0, T0 + 3 * DAY), Some(0.75));
    // Long silence: after the max age, days carry no information.
    assert_eq!(t.reliability(0, T0 + 30 * DAY), None);
    // Slot 1 carried CHARGING into day +1, then broke that day: 1 of 2 days working.
    t.apply(1, EvseStatus::Inoperative, T0 + DAY + 1);
    let r = t.reliability(1, T0 + DAY + 2).unwrap();
    assert!((r - 0.5).abs() < 1e-6, "{r}");
    let sr = t.station_reliability(&index, 0, T0 + DAY + 2).unwrap();
    assert!(sr > 0.0 && sr < 1.0);
}

#[test]
fn live_queries_read_the_table_and_never_touch_the_index() {
    let (index, mut t) = setup();
    let f = Filter { available_now: true, ..Filter::default() };
    let live = |t: &Availability| {
        index.nearest_live(52.0, 4.3, 10, 10_000.0, &f, Some(Live { availability: t, now_s: T0 + 60 }))
    };
    let ids = |hits: &[Hit]| hits.iter().map(|h| index.station(h.station).id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&live(&t)), ["A"]);
    t.apply(0, EvseStatus::Charging, T0 + 30);
    assert!(live(&t).is_empty());
    t.apply(2, EvseStatus::Available, T0 + 30);
    assert_eq!(ids(&live(&t)), ["B"]);
    // The static query keeps the imported statuses.
    assert_eq!(ids(&index.nearest(52.0, 4.3, 10, 10_000.0, &f)), ["A"]);
    // Stale → UNKNOWN → neither available nor working.
    let late = Some(Live { availability: &t, now_s: T0 + 7200 });
    assert!(index.nearest_live(52.0, 4.3, 10, 10_000.0, &f, late).is_empty());
    let working = Filter { working_only: true, ..Filter::default() };
    assert!(index.nearest_live(52.0, 4.3, 10, 10_000.0, &working, late).is_empty());
    // Reliability as a filter.
    let reliable = Filter { min_reliability: 0.9, ..Filter::default() };
    let now = Some(Live { availability: &t, now_s: T0 + 60 });
    let hits = index.nearest_live(52.0, 4.3, 10, 10_000.0, &reliable, now);
    // Station A: both EVSEs were working today; B: broken earlier today → not reliable.
    assert_eq!(ids(&hits), ["A"]);
    assert_eq!(hits[0].matching_evses, 2);
    // Without a live table reliability is unknown: nothing passes.
    assert!(index.nearest(52.0, 4.3, 10, 10_000.0, &reliable).is_empty());
}

#[test]
fn ocpi_patch_fixture_applies() {
    let (index, mut t) = setup();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ocpi-2.2.1/location_patch_example_status.json"
    ))
    .unwrap();
    // The fixture is from 2019, older than the snapshot: ignored.
    assert_eq!(t.apply_ocpi_patch(&index, "A", "1", &body), Ok(Applied::Stale));
    let (index2, mut t2) = (index.clone(), Availability::new(&index, 1_500_000_000, AvailabilityConfig::default()));
    assert_eq!(t2.apply_ocpi_patch(&index2, "A", "1", &body), Ok(Applied::Updated));
    assert_eq!(t2.status(0, 1_561_379_949 + 1), EvseStatus::Charging);
    assert_eq!(t.apply_ocpi_patch(&index, "A", "9", &body), Ok(Applied::UnknownEvse));
    assert!(t
        .apply_ocpi_patch(&index, "A", "1", b"{\"status\":\"ON FIRE\",\"last_updated\":\"2030-01-01T00:00:00Z\"}")
        .is_err());
    assert!(t.apply_ocpi_patch(&index, "A", "1", b"not json").is_err());
}

#[test]
fn a_day_roll_keeps_statuses() {
    let (_, mut t) = setup();
    for d in 1..40 {
        assert_eq!(t.apply(1, EvseStatus::Charging, T0 + d * DAY), Applied::Updated);
    }
    assert_eq!(t.status(1, T0 + 39 * DAY), EvseStatus::Charging);
    assert_eq!(t.status(0, T0 + 39 * DAY), EvseStatus::Unknown);
    assert_eq!(t.reliability(1, T0 + 39 * DAY), Some(1.0));
}

#[test]
fn a_late_update_only_covers_the_days_it_was_fresh() {
    let index = StationIndex::from_locations(&locations());
    let mut t = Availability::new(&index, T0, AvailabilityConfig { max_age_s: DAY as u32, reliability_days: 14 });
    for d in 1..=10 {
        t.apply(0, EvseStatus::Available, T0 + d * DAY);
    }
    // Slot 1: CHARGING at T0 (carried one day), silent, then OUTOFORDER reported from day 5,
    // fresh for a day: 2 working days, 2 broken days, nothing known after.
    assert_eq!(t.apply(1, EvseStatus::OutOfOrder, T0 + 5 * DAY), Applied::Updated);
    assert_eq!(t.reliability(1, T0 + 10 * DAY), Some(0.5));
    assert_eq!(t.status(1, T0 + 10 * DAY), EvseStatus::Unknown);
}

#[test]
fn ranking_by_reliability() {
    let (index, t) = setup();
    let mut hits = index.nearest(52.0, 4.3, 10, 10_000.0, &Filter::default());
    assert_eq!(hits.iter().map(|h| index.station(h.station).id.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    // B (broken) is nearer to this point, A (working) ranks first.
    let mut near_b = index.nearest(52.01, 4.3, 10, 10_000.0, &Filter::default());
    assert_eq!(index.station(near_b[0].station).id, "B");
    t.rank_by_reliability(&index, &mut near_b, T0);
    assert_eq!(near_b.iter().map(|h| index.station(h.station).id.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    t.rank_by_reliability(&index, &mut hits, T0);
    assert_eq!(index.station(hits[0].station).id, "A");
}
