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
        Schedule { hours, tz: TimeZone::get(time_zone).unwrap_or(TimeZone::UTC) }
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
    /// let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
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
        let Ok(ts) = Timestamp::from_second(unix_s) else {
            return false;
        };
        let local = ts.to_zoned(tz.clone());
        let weekday = local.weekday().to_monday_one_offset() as u8;
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.is_open_local(unix_s, weekday, minute)
    }

    /// [`Hours::is_open`] for a caller that already knows the local weekday (1 = Monday … 7 =
    /// Sunday) and minute after local midnight at `unix_s`: the same rules without a time-zone
    /// database (a browser app reads the local time from `Intl`).
    pub fn is_open_local(&self, unix_s: i64, weekday: u8, minute: u16) -> bool {
        let within = |p: &ExceptionalPeriod| p.begin_s <= unix_s && unix_s < p.end_s;
        if self.exceptional_closings.iter().any(within) {
            return false;
        }
        if self.twentyfourseven || self.exceptional_openings.iter().any(within) {
            return true;
        }
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

/// An RFC 3339 instant → unix seconds.
pub fn parse_instant(s: &str) -> Option<i64> {
    s.trim().parse::<Timestamp>().ok().map(|t| t.as_second())
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

    #[test]
    fn local_form_agrees_with_the_zoned_one() {
        let h = Hours {
            regular_hours: vec![RegularHours { weekday: 5, begin_min: 22 * 60, end_min: 2 * 60 }],
            ..Hours::default()
        };
        let tz = TimeZone::get("Europe/Amsterdam").unwrap();
        for t in (at("2024-07-12T00:00:00Z")..at("2024-07-14T00:00:00Z")).step_by(900) {
            let local = Timestamp::from_second(t).unwrap().to_zoned(tz.clone());
            let (wd, min) =
                (local.weekday().to_monday_one_offset() as u8, local.hour() as u16 * 60 + local.minute() as u16);
            assert_eq!(h.is_open_local(t, wd, min), h.is_open(&tz, t), "{t}");
        }
    }

    #[test]
    fn hhmm() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("8h30"), None);
    }
}
