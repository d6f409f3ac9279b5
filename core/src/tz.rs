//! Time zones by IANA name, for opening hours and tariff restrictions in a location's local time.
//!
//! The whole tz database (jiff's bundle) is ~129 KB gzipped, most of the npm package's budget,
//! and nearly all of it is history: drivers need the local time now and in the coming years,
//! not in 1970. So by default a zone is its *current* rule, a POSIX TZ string taken from the
//! database by a generator (`core/examples/tz_table.rs`) into [`tz_table`](crate::tz_table):
//! `Europe/Amsterdam` is `CET-1CEST,M3.5.0,M10.5.0/3`. Zones whose rule alone is not right from
//! 2025 to 2036 keep their TZif data. `core/tests/tz_table.rs` checks every zone against the
//! database over that window.
//!
//! With the `tzdb` feature (the server and the CLI) the full database answers instead, history
//! included.

use jiff::tz::TimeZone;

/// A zone as the table stores it.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A POSIX TZ string (the zone's current rule).
    Posix(&'static str),
    /// TZif data (RFC 8536), for the few zones a POSIX string cannot describe from 2025 on.
    Tzif(&'static [u8]),
}

/// The zone named `name` (IANA, any ASCII case), or `None` when the name is unknown.
///
/// ```
/// let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
/// let summer: jiff::Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
/// assert_eq!(tz.to_offset(summer).seconds(), 2 * 3600);
/// assert!(chargefinder::time_zone("Europe/Atlantis").is_none());
/// ```
pub fn time_zone(name: &str) -> Option<TimeZone> {
    #[cfg(feature = "tzdb")]
    {
        TimeZone::get(name).ok()
    }
    #[cfg(not(feature = "tzdb"))]
    {
        match table_rule(name)? {
            Rule::Posix(s) => TimeZone::posix(s).ok(),
            Rule::Tzif(data) => TimeZone::tzif(name, data).ok(),
        }
    }
}

/// The table's entry for `name` (any ASCII case).
pub fn table_rule(name: &str) -> Option<Rule> {
    let zones = crate::tz_table::ZONES;
    let lower = |s: &'static str| s.bytes().map(|b| b.to_ascii_lowercase());
    let wanted = || name.bytes().map(|b| b.to_ascii_lowercase());
    zones.binary_search_by(|(n, _)| lower(n).cmp(wanted())).ok().map(|i| zones[i].1)
}

/// Every name in the table, in its canonical case.
pub fn table_names() -> impl Iterator<Item = &'static str> {
    crate::tz_table::ZONES.iter().map(|(n, _)| *n)
}

/// The zone's current rule as a POSIX TZ string, for the compact stations (a browser builds a
/// zone from it without any table): the table's rule, or for a TZif entry its footer (the rule
/// for times after its transitions); `UTC0` for an unknown name.
///
/// ```
/// assert_eq!(chargefinder::tz::posix_rule("Europe/Amsterdam"), "CET-1CEST,M3.5.0,M10.5.0/3");
/// assert_eq!(chargefinder::tz::posix_rule("Mars/Olympus"), "UTC0");
/// ```
pub fn posix_rule(name: &str) -> String {
    match table_rule(name) {
        Some(Rule::Posix(s)) => s.to_string(),
        Some(Rule::Tzif(data)) => {
            // RFC 8536 §3.3: the footer is the last line, between two newlines.
            let body = data.strip_suffix(b"\n").unwrap_or(data);
            let footer = body.rsplit(|&b| b == b'\n').next().unwrap_or_default();
            String::from_utf8(footer.to_vec()).ok().filter(|f| !f.is_empty()).unwrap_or_else(|| "UTC0".into())
        }
        None => "UTC0".into(),
    }
}
