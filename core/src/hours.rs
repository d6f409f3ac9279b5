//! Opening hours: is a location open at a given instant?
//!
//! OCPI's rules (`mod_locations`, `Hours`): exceptional closings win, then exceptional openings,
//! then `twentyfourseven`, then the weekly `regular_hours` in the location's local time.
//! Regular hours are local wall-clock times, so the answer depends on the location's IANA time
//! zone (daylight saving included); exceptional periods are UTC instants.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::model::{ExceptionalPeriod, Hours, RegularHours};

/// A location's opening hours together with its time zone, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub hours: Hours,
    pub tz: TimeZone,
}

impl Schedule {
    /// `time_zone` is an IANA name; an unknown name falls back to UTC.
    pub fn new(hours: Hours, time_zone: &str) -> Self {
        Schedule { hours, tz: crate::time_zone(time_zone).unwrap_or(TimeZone::UTC) }
    }

    /// Is the location open at `unix_s` (seconds since the epoch)?
    pub fn is_open(&self, unix_s: i64) -> bool {
        self.hours.is_open(&self.tz, unix_s)
    }
}

impl Hours {
    /// Is the location open at `unix_s`, with regular hours read in `tz`?
    ///
    /// ```
    /// use chargefinder::{Hours, RegularHours};
    /// // Monday 08:00–18:00 in Amsterdam; 2024-01-01 was a Monday.
    /// let h = Hours { regular_hours: vec![RegularHours { weekday: 1, begin_min: 480, end_min: 1080 }], ..Hours::default() };
    /// let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
    /// assert!(h.is_open(&tz, 1_704_096_000 + 7 * 3600 + 60)); // 08:01 local = 07:01 UTC
    /// assert!(!h.is_open(&tz, 1_704_096_000 + 17 * 3600 + 60)); // 18:01 local
    /// ```
    pub fn is_open(&self, tz: &TimeZone, unix_s: i64) -> bool {
        let within = |p: &ExceptionalPeriod| p.begin_s <= unix_s && unix_s < p.end_s;
        if self.exceptional_closings.iter().any(within) {
            return false;
        }
        if self.twentyfourseven || self.exceptional_openings.iter().any(within) {
            return true;
        }
        // Only the offset comes from the zone; the calendar arithmetic is ours (a `Zoned` would
        // pull jiff's whole civil-time machinery into the wasm for a weekday and a minute).
        let Ok(ts) = Timestamp::from_second(unix_s) else {
            return false;
        };
        let local = unix_s + i64::from(tz.to_offset(ts).seconds());
        let (days, second) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        // 1970-01-01 was a Thursday (4 in OCPI's Monday = 1 numbering).
        let weekday = (days + 3).rem_euclid(7) as u8 + 1;
        let minute = (second / 60) as u16;
        let yesterday = if weekday == 1 { 7 } else { weekday - 1 };
        self.regular_hours.iter().any(|r| r.covers(weekday, yesterday, minute))
    }
}

impl RegularHours {
    /// Does this period cover `minute` on `weekday`? A period that ends at or before it begins
    /// runs past midnight into the next day.
    fn covers(&self, weekday: u8, yesterday: u8, minute: u16) -> bool {
        let (b, e) = (self.begin_min, self.end_min);
        if b < e {
            self.weekday == weekday && b <= minute && minute < e
        } else {
            (self.weekday == weekday && minute >= b) || (self.weekday == yesterday && minute < e)
        }
    }
}

/// `"HH:MM"` → minutes after midnight (`"24:00"` is 1440).
pub(crate) fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

/// An RFC 3339 instant → unix seconds (fractions of a second dropped).
///
/// `2026-06-10T10:00:00+02:00`, `…Z`, lower-case `t`/`z` or a space between date and time,
/// seconds optional, a fraction with `.` or `,`, offsets `±HH:MM`, `±HHMM` or `±HH`; what jiff's
/// `Timestamp` parser accepts for these forms (a test checks it against jiff). Hand-written
/// because this is the only date parsing the core wasm module needs, and jiff's parser with its
/// error messages is tens of KB there.
pub fn parse_instant(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let d = b.get(from..from + len)?;
        d.iter().all(u8::is_ascii_digit).then(|| d.iter().fold(0, |n, &c| n * 10 + i64::from(c - b'0')))
    };
    let byte = |i: usize| b.get(i).copied();
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if byte(4) != Some(b'-') || byte(7) != Some(b'-') || !matches!(byte(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    if byte(13) != Some(b':') {
        return None;
    }
    let mut i = 16;
    let mut second = 0;
    if byte(i) == Some(b':') {
        second = num(i + 1, 2)?;
        i += 3;
        if matches!(byte(i), Some(b'.' | b',')) {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            i += 1 + digits;
        }
    }
    let offset_s = match byte(i)? {
        b'Z' | b'z' => {
            i += 1;
            0
        }
        sign @ (b'+' | b'-') => {
            let h = num(i + 1, 2)?;
            i += 3;
            let m = match byte(i) {
                Some(b':') => {
                    i += 3;
                    num(i - 2, 2)?
                }
                Some(c) if c.is_ascii_digit() => {
                    i += 2;
                    num(i - 2, 2)?
                }
                _ => 0,
            };
            if h > 25 || m > 59 {
                return None;
            }
            (h * 3600 + m * 60) * if sign == b'-' { -1 } else { 1 }
        }
        _ => return None,
    };
    let days_in_month = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    // A leap second (:60) is read as :59, as jiff does.
    if i != b.len() || day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_s)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        parse_instant(s).unwrap()
    }

    #[test]
    fn regular_hours_follow_daylight_saving() {
        let h = Hours {
            regular_hours: vec![RegularHours { weekday: 1, begin_min: 8 * 60, end_min: 18 * 60 }],
            ..Hours::default()
        };
        let s = Schedule::new(h, "Europe/Amsterdam");
        // Winter: UTC+1. Monday 2024-01-08.
        assert!(s.is_open(at("2024-01-08T07:00:00Z")));
        assert!(!s.is_open(at("2024-01-08T06:59:59Z")));
        // Summer: UTC+2. Monday 2024-07-08.
        assert!(s.is_open(at("2024-07-08T06:00:00Z")));
        assert!(!s.is_open(at("2024-07-08T16:00:00Z")));
        // Tuesday: closed.
        assert!(!s.is_open(at("2024-07-09T10:00:00Z")));
    }

    #[test]
    fn overnight_periods_and_exceptions() {
        let h = Hours {
            regular_hours: vec![RegularHours { weekday: 5, begin_min: 22 * 60, end_min: 2 * 60 }],
            exceptional_openings: vec![ExceptionalPeriod {
                begin_s: at("2024-01-10T10:00:00Z"),
                end_s: at("2024-01-10T12:00:00Z"),
            }],
            exceptional_closings: vec![ExceptionalPeriod {
                begin_s: at("2024-01-19T00:00:00Z"),
                end_s: at("2024-01-20T00:00:00Z"),
            }],
            ..Hours::default()
        };
        let s = Schedule::new(h, "UTC");
        assert!(s.is_open(at("2024-01-12T23:00:00Z"))); // Friday 23:00
        assert!(s.is_open(at("2024-01-13T01:59:00Z"))); // Saturday 01:59
        assert!(!s.is_open(at("2024-01-13T02:00:00Z")));
        assert!(s.is_open(at("2024-01-10T11:00:00Z"))); // exceptional opening (Wednesday)
        assert!(!s.is_open(at("2024-01-19T23:00:00Z"))); // Friday, but closed that day
    }

    /// The hand-written parser against jiff's, on the forms feeds send and on near misses.
    #[test]
    fn parse_instant_agrees_with_jiff() {
        let cases = [
            "2024-01-08T07:00:00Z",
            "2024-01-08T07:00:00+01:00",
            "2024-01-08T07:00:00-05:30",
            "2024-01-08T07:00:00.123Z",
            "2024-01-08T07:00:00,5+02:00",
            "2024-01-08t07:00:00z",
            "2024-01-08 07:00:00Z",
            "2024-01-08T07:00Z",
            "2024-01-08T07:00:00+0100",
            "2024-01-08T07:00:00+01",
            "  2026-06-10T10:00:00+02:00 ",
            "2024-02-29T23:59:59Z",
            "2023-02-29T12:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-01-08T24:00:00Z",
            "2024-01-08T07:60:00Z",
            "2024-01-08T07:00:00",
            "2024-01-08",
            "2024-01-08T07:00:00.Z",
            "2024-01-08T07:00:00.1234567890Z",
            "2024-01-08T07:00:00Zjunk",
            "1969-12-31T23:59:59Z",
            "2000-03-01T00:00:00-00:00",
            "2038-01-19T03:14:08Z",
            "",
            "yesterday",
        ];
        for c in cases {
            let jiff = c.trim().parse::<Timestamp>().ok().map(|t| t.as_second());
            assert_eq!(parse_instant(c), jiff, "{c:?}");
        }
        assert_eq!(parse_instant("2024-01-08T07:00:00+01:00"), Some(1_704_693_600));
    }

    #[test]
    fn hhmm() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("8h30"), None);
    }
}
