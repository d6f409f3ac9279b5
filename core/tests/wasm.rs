//! The core in a real browser (headless Chromium via wasm-bindgen-test): the same import and
//! query code the web app runs, on wasm32.
#![cfg(target_arch = "wasm32")]

use chargefinder::{import_locations, Filter, PlugFamily, PlugSet, Station, StationIndex};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FEED: &str = r#"{"data":[
 {"id":"A","country_code":"NL","party_id":"X","address":"a","city":"Delft","country":"NLD","time_zone":"Europe/Amsterdam",
  "coordinates":{"latitude":"52.0116","longitude":"4.3600"},
  "evses":[{"uid":"A1","status":"CHARGING","connectors":[{"id":"1","standard":"IEC_62196_T2_COMBO","format":"CABLE","power_type":"DC","max_voltage":920,"max_amperage":500,"max_electric_power":300000}]}]},
 {"id":"B","country_code":"NL","party_id":"X","address":"b","city":"Delft","country":"NLD","time_zone":"Europe/Amsterdam",
  "coordinates":{"latitude":52.0200,"longitude":4.3571},
  "evses":[{"uid":"B1","status":"available","connectors":[{"id":"1","standard":"iec_62196_t2","format":"SOCKET","power_type":"AC_3_PHASE","max_voltage":230,"max_amperage":16}]}]},
 {"id":"C","coordinates":{"latitude":"x","longitude":"y"}}
],"status_code":1000}"#;

#[wasm_bindgen_test]
fn import_and_nearest_in_the_browser() {
    let imported = import_locations(FEED.as_bytes()).expect("readable feed");
    assert_eq!(imported.report.locations, 2);
    assert_eq!(imported.report.problems.iter().filter(|p| p.location_id.as_deref() == Some("C")).count() >= 1, true);
    let index = StationIndex::new(imported.locations.iter().map(Station::from_location).collect());
    let all = index.nearest(52.0116, 4.3571, 10, 50_000.0, &Filter::default());
    let ids: Vec<&str> = all.iter().map(|h| index.station(h.station).id.as_str()).collect();
    assert_eq!(ids, ["A", "B"]);
    assert!((all[0].distance_m - 198.6).abs() < 1.0, "{}", all[0].distance_m);

    let type2 = Filter { plugs: PlugSet::EMPTY.with(PlugFamily::Type2Socket), ..Filter::default() };
    let hits = index.nearest(52.0116, 4.3571, 10, 50_000.0, &type2);
    assert_eq!(hits.len(), 1);
    assert_eq!(index.station(hits[0].station).id, "B");
    assert_eq!(hits[0].available_evses, 1);
    assert!((hits[0].best_power_kw - 11.04).abs() < 0.01);
}

/// In wasm the time zones come from the generated table (no tz database in the module): opening
/// hours follow Amsterdam's daylight saving, and instants parse as natively.
#[wasm_bindgen_test]
fn time_zones_from_the_table_in_the_browser() {
    use chargefinder::{parse_instant, Hours, RegularHours, Schedule};
    let ams = chargefinder::time_zone("Europe/Amsterdam").expect("Amsterdam is in the table");
    let summer = jiff::Timestamp::from_second(parse_instant("2030-07-01T12:00:00Z").expect("RFC 3339")).unwrap();
    let winter = jiff::Timestamp::from_second(parse_instant("2030-01-01T12:00:00+01:00").expect("RFC 3339")).unwrap();
    assert_eq!(ams.to_offset(summer).seconds(), 7200);
    assert_eq!(ams.to_offset(winter).seconds(), 3600);
    assert!(chargefinder::time_zone("Mars/Olympus_Mons").is_none());
    // Monday 08:00–18:00 local; 2030-07-01 is a Monday.
    let hours = Hours {
        regular_hours: vec![RegularHours { weekday: 1, begin_min: 8 * 60, end_min: 18 * 60 }],
        ..Hours::default()
    };
    let s = Schedule::new(hours, "Europe/Amsterdam");
    let at = |t: &str| parse_instant(t).expect("RFC 3339");
    assert!(s.is_open(at("2030-07-01T06:00:00Z")));
    assert!(!s.is_open(at("2030-07-01T05:59:59Z")));
    assert!(!s.is_open(at("2030-07-01T16:00:00Z")));
    // Casablanca keeps TZif data in the table (Ramadan changes no POSIX rule describes).
    assert!(chargefinder::time_zone("Africa/Casablanca").is_some());
}
