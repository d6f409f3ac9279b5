//! Every filter field on locations imported from OCPI (official examples and hand-made ones).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure should stop the test

use chargefinder::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/ocpi-2.2.1/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn connector(standard: &str, format: &str, power_type: &str, v: u32, a: u32, w: Option<u32>) -> Value {
    json!({"id": "1", "standard": standard, "format": format, "power_type": power_type, "max_voltage": v, "max_amperage": a, "max_electric_power": w})
}

/// Location "FAST" (CCS2 300 kW + CHAdeMO 50 kW, credit card, operator Fastned) and "SLOW"
/// (Type 2 socket 11 kW, customers only, operator Vattenfall) and the official examples.
fn index() -> StationIndex {
    let mut gent = fixture("location_example.json");
    gent["operator"] = json!({"name": "Allego"});
    let data = json!([
        {"id": "FAST", "country_code": "NL", "party_id": "FAS", "address": "a", "city": "c", "country": "NLD", "time_zone": "Europe/Amsterdam",
         "coordinates": {"latitude": "52.0", "longitude": "4.3"}, "operator": {"name": "Fastned"},
         "evses": [
            {"uid": "1", "status": "AVAILABLE", "capabilities": ["CREDIT_CARD_PAYABLE", "REMOTE_START_STOP_CAPABLE"],
             "connectors": [connector("IEC_62196_T2_COMBO", "CABLE", "DC", 920, 500, Some(300_000))]},
            {"uid": "2", "status": "CHARGING", "capabilities": ["REMOTE_START_STOP_CAPABLE"],
             "connectors": [connector("CHADEMO", "CABLE", "DC", 500, 125, Some(50_000))]}]},
        {"id": "SLOW", "country_code": "NL", "party_id": "VAT", "address": "a", "city": "c", "country": "NLD", "time_zone": "Europe/Amsterdam",
         "coordinates": {"latitude": "52.001", "longitude": "4.3"}, "operator": {"name": "Vattenfall"},
         "evses": [{"uid": "1", "status": "AVAILABLE", "parking_restrictions": ["CUSTOMERS"],
             "connectors": [connector("IEC_62196_T2", "SOCKET", "AC_3_PHASE", 230, 16, None)]}]},
        gent,
        fixture("location_example_uc3_destination_charger_not_published.json"),
        fixture("location_example_parking_garage_opening_hours.json"),
    ]);
    let imported = import_locations(data.to_string().as_bytes()).unwrap();
    assert_eq!(imported.report.skipped, 0, "{:?}", imported.report.problems);
    StationIndex::from_locations(&imported.locations)
}

fn ids(index: &StationIndex, f: &Filter) -> Vec<String> {
    let mut v: Vec<String> = index
        .in_bbox([-180.0, -90.0, 180.0, 90.0], f, None)
        .iter()
        .map(|h| index.station(h.station).id.clone())
        .collect();
    v.sort();
    v
}

const GENT: &str = "LOC1";
const GARAGE: &str = "cbb0df21-d17d-40ba-a4aa-dc588c8f98cb";
const UNPUBLISHED: &str = "3e7b39c2-10d0-4138-a8b3-8509a25f9920";

#[test]
fn default_hides_unpublished_locations() {
    let index = index();
    assert_eq!(ids(&index, &Filter::default()), ["FAST", GENT, "SLOW", GARAGE]);
    let all = Filter { include_unpublished: true, ..Filter::default() };
    assert!(ids(&index, &all).contains(&UNPUBLISHED.to_string()));
}

#[test]
fn plugs_standards_current_and_power() {
    let index = index();
    let f = Filter { plugs: PlugSet::EMPTY.with(PlugFamily::Chademo), ..Filter::default() };
    assert_eq!(ids(&index, &f), ["FAST"]);
    let f = Filter { standards: vec!["iec_62196_t2".into()], ..Filter::default() };
    assert_eq!(ids(&index, &f), [GENT, "SLOW", GARAGE]);
    let f = Filter { current: Some(Current::Dc), ..Filter::default() };
    assert_eq!(ids(&index, &f), ["FAST"]);
    let f = Filter { current: Some(Current::Ac), ..Filter::default() };
    assert_eq!(ids(&index, &f), [GENT, "SLOW", GARAGE]);
    // Connector-level: Type 2 *and* ≥ 50 kW is nowhere, though FAST has both on other connectors.
    let f = Filter {
        plugs: [PlugFamily::Type2Socket, PlugFamily::Chademo].into_iter().collect(),
        min_power_kw: 100.0,
        ..Filter::default()
    };
    assert!(ids(&index, &f).is_empty());
    let hit = &index.nearest(52.0, 4.3, 1, 1000.0, &Filter { min_power_kw: 100.0, ..Filter::default() })[0];
    assert_eq!((hit.matching_evses, hit.best_power_kw), (1, 300.0));
    let f = Filter { standards: vec!["FLUX_CAPACITOR".into()], ..Filter::default() };
    assert!(ids(&index, &f).is_empty());
}

#[test]
fn vehicle_fit_and_power() {
    let index = index();
    let id3 = catalogue_vehicle("vw-id3-pro").unwrap().vehicle.clone();
    let f = Filter { vehicle: Some(id3), ..Filter::default() };
    let hits = index.nearest(52.0, 4.3, 10, 5_000.0, &f);
    let fast = hits.iter().find(|h| index.station(h.station).id == "FAST").unwrap();
    assert_eq!(
        (fast.matching_evses, fast.best_power_kw),
        (1, 120.0),
        "CHAdeMO does not fit; 300 kW capped at the car's 120"
    );
    let slow = hits.iter().find(|h| index.station(h.station).id == "SLOW").unwrap();
    assert_eq!(slow.best_power_kw, 11.0);
    let leaf = catalogue_vehicle("nissan-leaf-eplus-eu").unwrap().vehicle.clone();
    let f = Filter { vehicle: Some(leaf), min_power_kw: 40.0, ..Filter::default() };
    let hits = index.nearest(52.0, 4.3, 10, 5_000.0, &f);
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].matching_evses, hits[0].best_power_kw), (1, 50.0));
    // A NACS-only car with no adapters fits none of these.
    let mut nacs = catalogue_vehicle("tesla-model-3-rwd-na").unwrap().vehicle.clone();
    nacs.adapters = PlugSet::EMPTY;
    assert!(ids(&index, &Filter { vehicle: Some(nacs), ..Filter::default() }).is_empty());
}

#[test]
fn operators_capabilities_parking_status() {
    let index = index();
    let f = Filter { operators: vec!["fastned".into(), " VATTENFALL ".into()], ..Filter::default() };
    assert_eq!(ids(&index, &f), ["FAST", "SLOW"]);
    let f = Filter { exclude_operators: vec!["Fastned".into()], ..Filter::default() };
    assert_eq!(ids(&index, &f), [GENT, "SLOW", GARAGE]);
    let f = Filter { operators: vec!["Nobody".into()], ..Filter::default() };
    assert!(ids(&index, &f).is_empty());
    let f = Filter { capabilities: [Capability::CreditCardPayable].into_iter().collect(), ..Filter::default() };
    assert_eq!(ids(&index, &f), ["FAST"]);
    let hit = &index.nearest(
        52.0,
        4.3,
        1,
        1000.0,
        &Filter { capabilities: [Capability::RemoteStartStopCapable].into_iter().collect(), ..Filter::default() },
    )[0];
    assert_eq!(hit.matching_evses, 2);
    let f = Filter {
        exclude_parking: [ParkingRestriction::Customers].into_iter().collect(),
        include_unpublished: true,
        ..Filter::default()
    };
    assert_eq!(
        ids(&index, &f),
        ["FAST", GENT, "SLOW", GARAGE].iter().filter(|i| **i != "SLOW").copied().collect::<Vec<_>>()
    );
    // Gent: one EVSE AVAILABLE, one RESERVED in the example.
    let gent = index.station_by_id(GENT).unwrap();
    let all = index.evaluate(gent, 0.0, &Filter::default()).unwrap();
    let working = index.evaluate(gent, 0.0, &Filter { working_only: true, ..Filter::default() }).unwrap();
    let available = index.evaluate(gent, 0.0, &Filter { available_now: true, ..Filter::default() }).unwrap();
    assert_eq!((all.matching_evses, all.available_evses), (2, 1));
    assert_eq!(working.matching_evses, 2, "RESERVED is working");
    assert_eq!(available.matching_evses, 1);
    // 3 × 220 V × 16 A.
    assert!((all.best_power_kw - 10.56).abs() < 1e-4);
}

#[test]
fn open_at_follows_the_location_time_zone() {
    let index = index();
    let at = |s: &str| Filter { open_at: Some(parse_instant(s).unwrap()), ..Filter::default() };
    // Malmö garage: every day 07:00–18:00 Europe/Stockholm (UTC+2 in summer).
    assert!(ids(&index, &at("2024-07-10T05:30:00Z")).contains(&GARAGE.to_string()));
    assert!(!ids(&index, &at("2024-07-10T04:30:00Z")).contains(&GARAGE.to_string()));
    assert!(!ids(&index, &at("2024-07-10T16:30:00Z")).contains(&GARAGE.to_string()));
    // No opening_times: always open.
    assert!(ids(&index, &at("2024-07-10T02:00:00Z")).contains(&"FAST".to_string()));
}

#[test]
fn official_hours_examples() {
    let tz = jiff::tz::TimeZone::UTC;
    let imported = |hours: Value| {
        let mut loc = fixture("location_example.json");
        loc["opening_times"] = hours;
        let imp = import_locations(loc.to_string().as_bytes()).unwrap();
        assert!(imp.report.problems.iter().all(|p| !p.path.contains("opening_times")), "{:?}", imp.report.problems);
        imp.locations[0].opening_times.clone().unwrap()
    };
    let h = imported(fixture("location_hours_247_open_exception_closing.json"));
    assert!(h.is_open(&tz, parse_instant("2018-12-25T02:59:00Z").unwrap()));
    assert!(!h.is_open(&tz, parse_instant("2018-12-25T03:00:00Z").unwrap()));
    let h = imported(fixture("location_hours_opening_hours_with_exceptional_closing.json"));
    assert!(h.is_open(&tz, parse_instant("2018-12-24T02:00:00Z").unwrap())); // Monday 02:00
    assert!(!h.is_open(&tz, parse_instant("2018-12-25T04:00:00Z").unwrap())); // Tuesday, closed
    assert!(h.is_open(&tz, parse_instant("2018-12-25T02:00:00Z").unwrap())); // Tuesday before the closing
    let h = imported(fixture("location_hours_opening_hours_with_exceptional_opening.json"));
    assert!(h.is_open(&tz, parse_instant("2018-12-25T05:30:00Z").unwrap()));
    assert!(!h.is_open(&tz, parse_instant("2018-12-25T04:30:00Z").unwrap()));
}

#[test]
fn old_filter_json_still_reads() {
    let f: Filter =
        serde_json::from_str(r#"{"plugs": 2, "min_power_kw": 50, "available_now": true, "working_only": false}"#)
            .unwrap();
    assert_eq!(f.plugs, PlugSet::EMPTY.with(PlugFamily::Ccs2));
    assert!(f.vehicle.is_none() && f.operators.is_empty());
    let round: Filter =
        serde_json::from_str(&serde_json::to_string(&Filter { current: Some(Current::Dc), ..f.clone() }).unwrap())
            .unwrap();
    assert_eq!(round.current, Some(Current::Dc));
}
