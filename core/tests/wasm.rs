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
