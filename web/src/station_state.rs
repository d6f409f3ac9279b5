//! What the station screen shows, as plain Rust (tested without a browser): opening hours in
//! the station's local time, EVSE status in four words, the hand-off to the device's maps, and
//! the checks a problem report gets before it is sent.

use chargefinder::{EvseStatus, Hours, Location};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// What the driver needs to know about an EVSE's status: four cases, each with a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Available,
    /// Charging, reserved or blocked: someone else is there.
    Occupied,
    /// Out of order or inoperative.
    OutOfOrder,
    /// Unknown, planned, removed, or too old to trust (the live table ages it to unknown).
    Unknown,
}

impl StatusKind {
    pub fn of(s: EvseStatus) -> StatusKind {
        match s {
            EvseStatus::Available => StatusKind::Available,
            EvseStatus::Charging | EvseStatus::Reserved | EvseStatus::Blocked => StatusKind::Occupied,
            EvseStatus::OutOfOrder | EvseStatus::Inoperative => StatusKind::OutOfOrder,
            EvseStatus::Unknown | EvseStatus::Planned | EvseStatus::Removed => StatusKind::Unknown,
        }
    }

    /// The CSS modifier (`cf-evse-status--…`) and the value tests read.
    pub fn code(self) -> &'static str {
        match self {
            StatusKind::Available => "available",
            StatusKind::Occupied => "occupied",
            StatusKind::OutOfOrder => "out-of-order",
            StatusKind::Unknown => "unknown",
        }
    }
}

/// Opening hours, as the screen says them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpeningHours {
    /// The feed says nothing about hours.
    NotPublished,
    /// Open 24/7 (an exceptional closing can still close it now).
    Always { open_now: bool },
    /// Weekly hours: today's periods (minutes after local midnight; `end` 1440 = midnight) and
    /// whether it is open at this moment (exceptions included).
    Weekly { today: Vec<(u16, u16)>, open_now: bool },
}

/// The hours at `now_s`, with `regular_hours` read in the station's local time (OCPI gives them
/// as local times): `offset_s` is the station's UTC offset at `now_s` (the browser's `Intl`
/// knows every time zone, so the app does not ship a second tz database; the offset at this
/// moment is all "today" and "open now" need). A period that runs past midnight shows on both days.
pub fn opening_hours(hours: Option<&Hours>, offset_s: i32, now_s: i64) -> OpeningHours {
    let Some(h) = hours else { return OpeningHours::NotPublished };
    let tz = jiff::tz::Offset::from_seconds(offset_s).map(TimeZone::fixed).unwrap_or(TimeZone::UTC);
    let open_now = h.is_open(&tz, now_s);
    if h.twentyfourseven {
        return OpeningHours::Always { open_now };
    }
    let weekday =
        Timestamp::from_second(now_s).map(|t| t.to_zoned(tz).weekday().to_monday_one_offset() as u8).unwrap_or(1);
    let yesterday = if weekday == 1 { 7 } else { weekday - 1 };
    let mut today: Vec<(u16, u16)> = Vec::new();
    for r in &h.regular_hours {
        let overnight = r.end_min <= r.begin_min;
        if r.weekday == weekday {
            today.push((r.begin_min, if overnight { 1440 } else { r.end_min }));
        }
        if overnight && r.weekday == yesterday && r.end_min > 0 {
            today.push((0, r.end_min));
        }
    }
    today.sort_unstable();
    // Join touching periods (00:00–02:00 after yesterday's night, 02:00–… today).
    let mut joined: Vec<(u16, u16)> = Vec::new();
    for (b, e) in today {
        match joined.last_mut() {
            Some(last) if b <= last.1 => last.1 = last.1.max(e),
            _ => joined.push((b, e)),
        }
    }
    OpeningHours::Weekly { today: joined, open_now }
}

/// `08:00–18:00`; the end of the day is `24:00`.
pub fn period_text(p: (u16, u16)) -> String {
    format!("{:02}:{:02}–{:02}:{:02}", p.0 / 60, p.0 % 60, p.1 / 60, p.1 % 60)
}

/// The address on one line: `Markt 1, 2611 GP Delft`.
pub fn address_line(loc: &Location) -> String {
    let place = match loc.postal_code.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(pc) => format!("{pc} {}", loc.city),
        None => loc.city.clone(),
    };
    [loc.address.trim(), place.trim()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
}

/// The station's name, or its address when it has none (as the list does).
pub fn display_name(loc: &Location) -> String {
    loc.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| loc.address.clone())
}

/// Which maps the device hands directions to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Android,
    Ios,
    Other,
}

impl Platform {
    pub fn from_user_agent(ua: &str) -> Platform {
        if ua.contains("Android") {
            Platform::Android
        } else if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
            Platform::Ios
        } else {
            Platform::Other
        }
    }
}

/// A link that opens the device's maps with directions to the station: a `geo:` URI on
/// Android (the system offers the driver's own maps app), Apple Maps on iOS, OpenStreetMap
/// elsewhere.
pub fn directions_url(platform: Platform, lat: f64, lon: f64, label: &str) -> String {
    let label = crate::state::encode(label);
    match platform {
        Platform::Android => format!("geo:{lat:.6},{lon:.6}?q={lat:.6},{lon:.6}({label})"),
        Platform::Ios => format!("https://maps.apple.com/?daddr={lat:.6},{lon:.6}&q={label}"),
        Platform::Other => format!(
            "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=%3B{lat:.6}%2C{lon:.6}#map=16/{lat:.5}/{lon:.5}"
        ),
    }
}

/// The link to share: this app with only the station open (the reader keeps their own
/// language, units and filters).
pub fn share_url(origin_and_path: &str, id: &str) -> String {
    format!("{origin_and_path}?station={}", crate::state::encode(id))
}

/// The kinds of problem a driver can report, as the server names them.
pub const REPORT_KINDS: [&str; 5] = ["broken", "blocked", "wrong_info", "payment", "other"];

/// The longest report text, in characters (the server's limit too).
pub const REPORT_MAX_CHARS: usize = 1000;

/// Why a report is not sent yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportProblem {
    NeedsText,
    TooLong,
}

/// The checks the server makes, done first so the driver hears about them in their language.
pub fn check_report(kind: &str, text: &str) -> Result<(), ReportProblem> {
    let text = text.trim();
    if text.chars().count() > REPORT_MAX_CHARS {
        return Err(ReportProblem::TooLong);
    }
    if text.is_empty() && !matches!(kind, "broken" | "blocked") {
        return Err(ReportProblem::NeedsText);
    }
    Ok(())
}

/// `1 h 20 min` in each language's abbreviations.
pub fn duration_text(lang: crate::i18n::Lang, minutes: u32) -> String {
    use crate::i18n::Lang;
    let (h, m) = (minutes / 60, minutes % 60);
    let (hu, mu) = match lang {
        Lang::En | Lang::Fr => ("h", "min"),
        Lang::Nl => ("u", "min"),
        Lang::De => ("Std.", "Min."),
    };
    match (h, m) {
        (0, m) => format!("{m} {mu}"),
        (h, 0) => format!("{h} {hu}"),
        (h, m) => format!("{h} {hu} {m} {mu}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chargefinder::{ExceptionalPeriod, RegularHours};

    fn at(s: &str) -> i64 {
        chargefinder::parse_instant(s).unwrap()
    }

    fn weekly(periods: &[(u8, u16, u16)]) -> Hours {
        Hours {
            regular_hours: periods
                .iter()
                .map(|&(weekday, begin_min, end_min)| RegularHours { weekday, begin_min, end_min })
                .collect(),
            ..Hours::default()
        }
    }

    #[test]
    fn hours_are_local_and_say_whether_it_is_open_now() {
        // Monday to Friday 08:00–18:00 in Amsterdam; 2026-06-08 is a Monday (UTC+2 in summer).
        let h = weekly(&(1..=5).map(|d| (d, 480, 1080)).collect::<Vec<_>>());
        let tz = 7200; // Europe/Amsterdam in summer
        assert_eq!(
            opening_hours(Some(&h), tz, at("2026-06-08T06:30:00Z")),
            OpeningHours::Weekly { today: vec![(480, 1080)], open_now: true },
            "08:30 local"
        );
        assert_eq!(
            opening_hours(Some(&h), tz, at("2026-06-08T05:30:00Z")),
            OpeningHours::Weekly { today: vec![(480, 1080)], open_now: false },
            "07:30 local"
        );
        // Saturday: closed all day.
        assert_eq!(
            opening_hours(Some(&h), tz, at("2026-06-13T10:00:00Z")),
            OpeningHours::Weekly { today: vec![], open_now: false }
        );
        // Sunday 23:30 UTC is already Monday 01:30 in Amsterdam.
        assert_eq!(
            opening_hours(Some(&h), tz, at("2026-06-07T23:30:00Z")),
            OpeningHours::Weekly { today: vec![(480, 1080)], open_now: false }
        );
    }

    #[test]
    fn overnight_periods_show_on_both_days_and_24_7_can_be_closed_by_an_exception() {
        let h = weekly(&[(5, 22 * 60, 2 * 60), (6, 2 * 60, 12 * 60)]);
        // Saturday 2026-06-13 01:00 UTC: yesterday's night runs until 02:00, then today's period.
        assert_eq!(
            opening_hours(Some(&h), 0, at("2026-06-13T01:00:00Z")),
            OpeningHours::Weekly { today: vec![(0, 720)], open_now: true }
        );
        assert_eq!(
            opening_hours(Some(&h), 0, at("2026-06-12T10:00:00Z")),
            OpeningHours::Weekly { today: vec![(1320, 1440)], open_now: false }
        );
        let closed = ExceptionalPeriod { begin_s: at("2026-06-12T00:00:00Z"), end_s: at("2026-06-13T00:00:00Z") };
        let h = Hours { twentyfourseven: true, exceptional_closings: vec![closed], ..Hours::default() };
        assert_eq!(opening_hours(Some(&h), 0, at("2026-06-12T10:00:00Z")), OpeningHours::Always { open_now: false });
        assert_eq!(opening_hours(Some(&h), 0, at("2026-06-13T10:00:00Z")), OpeningHours::Always { open_now: true });
        assert_eq!(opening_hours(None, 0, 0), OpeningHours::NotPublished);
        assert_eq!(period_text((480, 1440)), "08:00–24:00");
    }

    #[test]
    fn statuses_in_four_words() {
        assert_eq!(StatusKind::of(EvseStatus::Available), StatusKind::Available);
        assert_eq!(StatusKind::of(EvseStatus::Blocked), StatusKind::Occupied);
        assert_eq!(StatusKind::of(EvseStatus::Inoperative), StatusKind::OutOfOrder);
        assert_eq!(StatusKind::of(EvseStatus::Removed), StatusKind::Unknown);
        let codes: Vec<&str> = EvseStatus::ALL.iter().map(|s| StatusKind::of(*s).code()).collect();
        assert!(codes.iter().all(|c| ["available", "occupied", "out-of-order", "unknown"].contains(c)));
    }

    #[test]
    fn directions_hand_off_to_the_devices_maps() {
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
        assert_eq!(Platform::from_user_agent(android), Platform::Android);
        assert_eq!(Platform::from_user_agent(iphone), Platform::Ios);
        assert_eq!(Platform::from_user_agent("Mozilla/5.0 (X11; Linux x86_64)"), Platform::Other);
        assert_eq!(
            directions_url(Platform::Android, 52.0116, 4.3571, "Markt & Co"),
            "geo:52.011600,4.357100?q=52.011600,4.357100(Markt%20%26%20Co)"
        );
        assert_eq!(
            directions_url(Platform::Ios, 52.0116, 4.3571, "<b>"),
            "https://maps.apple.com/?daddr=52.011600,4.357100&q=%3Cb%3E"
        );
        assert!(directions_url(Platform::Other, 52.0116, 4.3571, "x").starts_with(
            "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=%3B52.011600%2C4.357100"
        ));
        assert_eq!(share_url("https://cf.example/", "NL*A/1"), "https://cf.example/?station=NL%2AA%2F1");
    }

    #[test]
    fn reports_are_checked_before_sending() {
        assert_eq!(check_report("broken", ""), Ok(()));
        assert_eq!(check_report("other", "  "), Err(ReportProblem::NeedsText));
        assert_eq!(check_report("payment", &"x".repeat(1001)), Err(ReportProblem::TooLong));
        assert_eq!(check_report("payment", &"é".repeat(1000)), Ok(()));
    }

    #[test]
    fn durations_read_naturally() {
        use crate::i18n::Lang;
        assert_eq!(duration_text(Lang::En, 80), "1 h 20 min");
        assert_eq!(duration_text(Lang::De, 80), "1 Std. 20 Min.");
        assert_eq!(duration_text(Lang::Nl, 120), "2 u");
        assert_eq!(duration_text(Lang::Fr, 35), "35 min");
    }

    #[test]
    fn address_and_name_fall_back_sensibly() {
        let json = r#"[{"id":"L","country_code":"NL","party_id":"X","address":"Markt 1","city":"Delft",
            "postal_code":"2611 GP","country":"NLD","time_zone":"Europe/Amsterdam",
            "coordinates":{"latitude":"52","longitude":"4"},
            "evses":[{"uid":"E","status":"AVAILABLE","connectors":[{"id":"1","standard":"IEC_62196_T2",
            "format":"SOCKET","power_type":"AC_3_PHASE","max_voltage":230,"max_amperage":16}]}]}]"#;
        let loc = chargefinder::import_locations(json.as_bytes()).unwrap().locations.remove(0);
        assert_eq!(address_line(&loc), "Markt 1, 2611 GP Delft");
        assert_eq!(display_name(&loc), "Markt 1");
    }
}
