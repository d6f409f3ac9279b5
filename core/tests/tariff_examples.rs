//! Every OCPI 2.2.1 tariff example (tests/fixtures/tariffs, verbatim from the spec) priced for
//! sessions that exercise its rules. Expected totals are worked out by hand, arithmetic in the
//! comments; where the specification itself states a total, the comment quotes it.
//! Totals are rounded to cents (half away from zero); `None` = incl. VAT unknown.

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use chargefinder::tariff::{estimate, ChargingStep, Dimension, Estimate, Limit, Note, Reservation, Session, Tariff};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;
use std::str::FromStr;

fn tariff(name: &str) -> Tariff {
    let path = format!("{}/tests/fixtures/tariffs/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    Tariff::from_json(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn tz() -> TimeZone {
    chargefinder::time_zone("Europe/Berlin").unwrap()
}

/// Local wall-clock time in Berlin, e.g. `2026-06-09T10:00` (a Tuesday).
fn at(local: &str) -> Timestamp {
    jiff::civil::DateTime::from_str(local).unwrap().to_zoned(tz()).unwrap().timestamp()
}

/// Charging steps of (minutes, kWh), then `park_min` minutes parked.
fn session(start: &str, steps: &[(&str, &str)], park_min: &str) -> Session {
    Session {
        start: at(start),
        time_zone: tz(),
        charging: steps
            .iter()
            .map(|(m, k)| ChargingStep { duration_s: d(m) * Decimal::from(60), energy_kwh: d(k) })
            .collect(),
        parking_s: d(park_min) * Decimal::from(60),
        current_a: None,
        reservation: None,
    }
}

fn price(t: &Tariff, s: &Session) -> Estimate {
    estimate(t, s).unwrap_or_else(|e| panic!("{e}"))
}

fn totals(e: &Estimate) -> (String, Option<String>) {
    (e.excl_vat.to_string(), e.incl_vat.map(|v| v.to_string()))
}

fn is(excl: &str, incl: Option<&str>) -> (String, Option<String>) {
    (excl.to_string(), incl.map(str::to_string))
}

#[test]
fn t01_simple_2hour() {
    // TIME €2.00/h, 10 % VAT, step 60 s. 90.5 min charging rounds up to 91 min:
    // 2.00 × 91/60 = 3.0333… → 3.03; × 1.10 = 3.3367 → 3.34.
    let t = tariff("tariff_1_simple_2hour.json");
    let e = price(&t, &session("2026-06-09T10:00", &[("90.5", "15")], "0"));
    assert_eq!(totals(&e), is("3.03", Some("3.34")));
    assert_eq!(e.dimensions[0].quantity, d("5460"));
}

#[test]
fn t02_alt_text() {
    // Spec: "€ 1.90 per hour, 5.2 % VAT, billed per 5 minutes … 2.5 hours … € 4.75 (excl. VAT)
    // or € 5.00 (incl. VAT)": 1.90 × 2.5 = 4.75; × 1.052 = 4.997 → 5.00.
    let t = tariff("tariff_2_alt_text.json");
    let e = price(&t, &session("2026-06-09T10:00", &[("150", "20")], "0"));
    assert_eq!(totals(&e), is("4.75", Some("5.00")));
    assert_eq!(t.alt_text.len(), 2);
}

#[test]
fn t03_alt_url_energy_step_100wh() {
    // FLAT 0.50 (20 %) + ENERGY 0.25/kWh (10 %) with step 100 Wh. 12.34 kWh → 12.4 kWh:
    // 0.50 + 12.4 × 0.25 = 0.50 + 3.10 = 3.60; incl 0.60 + 3.41 = 4.01.
    let t = tariff("tariff_3_alt_url.json");
    let e = price(&t, &session("2026-06-09T10:00", &[("60", "12.34")], "0"));
    assert_eq!(totals(&e), is("3.60", Some("4.01")));
}

#[test]
fn t04_complex_weekday_low_current_then_parking() {
    // Tue 10:00, 16 A (< max_current 32 → element 1, €1.00/h): charge 70 min, park 20 min.
    // FLAT 2.50; TIME 4200 s × 1.00/h = 1.1667 (not rounded: parking follows);
    // PARKING weekday 09–18 €5.00/h: 1200 s (step 300 → 1200) = 1.6667.
    // excl 2.50 + 1.1667 + 1.6667 = 5.3333 → 5.33;
    // incl 2.875 + 1.40 + 1.8333 = 6.1083 → 6.11.
    let t = tariff("tariff_4_complex.json");
    let s = session("2026-06-09T10:00", &[("70", "12")], "20").with_current_a(d("16"));
    assert_eq!(totals(&price(&t, &s)), is("5.33", Some("6.11")));
}

#[test]
fn t04_complex_saturday_high_current_parking_past_17() {
    // Sat 16:00, 48 A (≥ min_current 32, weekend → element 3, €1.25/h): charge 30 min, then park
    // 16:30–17:30. TIME 1800 s × 1.25/h = 0.625. PARKING Saturday 10–17 €6.00/h: 16:30–17:00 =
    // 1800 s = 3.00; 17:00–17:30 no parking element matches (the weekday one excludes Saturday)
    // → free, and noted. excl 2.50 + 0.625 + 3.00 = 6.125 → 6.13;
    // incl 2.875 + 0.75 + 3.30 = 6.925 → 6.93.
    let t = tariff("tariff_4_complex.json");
    let s = session("2026-06-13T16:00", &[("30", "20")], "60").with_current_a(d("48"));
    let e = price(&t, &s);
    assert_eq!(totals(&e), is("6.13", Some("6.93")));
    assert!(
        e.notes.contains(&Note::Unpriced { dimension: Dimension::ParkingTime, quantity: d("1800") }),
        "{:?}",
        e.notes
    );
}

#[test]
fn t04_complex_exactly_32_amps_on_monday() {
    // 32 A: min_current is inclusive and max_current exclusive, so element 2 (€2.00/h, step
    // 600). Mon 09:00, 50 min, no parking: 3000 s (a multiple of 600) → 1.6667;
    // excl 2.50 + 1.6667 = 4.1667 → 4.17; incl 2.875 + 2.00 = 4.875 → 4.88.
    let t = tariff("tariff_4_complex.json");
    let s = session("2026-06-08T09:00", &[("50", "10")], "0").with_current_a(d("32"));
    assert_eq!(totals(&price(&t, &s)), is("4.17", Some("4.88")));
}

#[test]
fn t04_complex_without_current_is_price_unknown() {
    let t = tariff("tariff_4_complex.json");
    let err = estimate(&t, &session("2026-06-09T10:00", &[("30", "5")], "0")).unwrap_err();
    assert!(err.reason.contains("current"), "{err}");
}

#[test]
fn t05_free_of_charge() {
    let t = tariff("tariff_5_free_of_charge.json");
    assert!(t.is_free());
    let e = price(&t, &session("2026-06-09T10:00", &[("60", "30")], "30"));
    assert_eq!(totals(&e), is("0.00", Some("0.00")));
}

#[test]
fn t06_max_price() {
    // Spec: "50 kWh … € 10.00 (excl. VAT) or € 11.00 (incl. VAT) due to the price limit"
    // (0.50 + 12.50 = 13.00 > 10.00; 0.60 + 13.75 = 14.35 > 11.00).
    // "If only 30 kWh were charged, the costs would be € 8.00 (excl. VAT) and € 8.85 (incl.)":
    // 0.50 + 7.50 = 8.00; 0.60 + 8.25 = 8.85. The session is in 2019, while the tariff is valid.
    let t = tariff("tariff_6_025kwh_start_max_price.json");
    let e = price(&t, &session("2019-06-03T10:00", &[("120", "50")], "0"));
    assert_eq!(totals(&e), is("10.00", Some("11.00")));
    assert_eq!(e.limited_by, Some(Limit::MaxPrice));
    assert!(e.notes.is_empty(), "{:?}", e.notes);
    let e = price(&t, &session("2019-06-03T10:00", &[("120", "30")], "0"));
    assert_eq!(totals(&e), is("8.00", Some("8.85")));
    assert_eq!(e.limited_by, None);
    // After end_date_time the price is still computed, with a note.
    let e = price(&t, &session("2026-06-09T10:00", &[("120", "30")], "0"));
    assert_eq!(e.notes, [Note::Expired]);
}

#[test]
fn t07_first_hour_and_kwh_free() {
    // No VAT anywhere → incl unknown. Charge 10 kWh at 5 kW (2 h), park 2 h.
    // ENERGY: first 1 kWh (max_kwh 1) free, 9 kWh × 0.20 = 1.80 (cut exactly at 1 kWh).
    // PARKING (by session duration): 2 h–3 h at 2.00/h = 2.00; 3 h–4 h at 3.00/h = 3.00.
    // excl 1.80 + 2.00 + 3.00 = 6.80.
    let t = tariff("tariff_7_first_hour_kwh_free.json");
    let e = price(&t, &session("2026-06-09T10:00", &[("120", "10")], "120"));
    assert_eq!(totals(&e), is("6.80", None));
    assert_eq!(e.notes, [Note::VatUnknown { dimensions: vec![Dimension::Energy, Dimension::ParkingTime] }]);
    assert_eq!(
        e.notes[0].text(chargefinder::tariff::Language::Nl),
        "het tarief noemt geen btw-tarief voor energie, parkeertijd: de prijs inclusief btw is onbekend"
    );
    // Charged for 30 min (2.5 kWh), parked 45 min: parking all within the first hour except
    // 15 min (60–75 min) at 2.00/h = 0.50; energy 1.5 × 0.20 = 0.30. excl 0.80.
    let e = price(&t, &session("2026-06-09T10:00", &[("30", "2.5")], "45"));
    assert_eq!(totals(&e), is("0.80", None));
}

#[test]
fn t08_simple_energy() {
    // 20 kWh × 0.25 = 5.00; × 1.10 = 5.50.
    let t = tariff("tariff_8_simple_025kwh.json");
    assert_eq!(totals(&price(&t, &session("2026-06-09T10:00", &[("60", "20")], "0"))), is("5.00", Some("5.50")));
}

#[test]
fn t09_energy_and_start_fee() {
    // 0.50 + 20 × 0.25 = 5.50; 0.60 + 5.50 = 6.10.
    let t = tariff("tariff_9_025kwh_start.json");
    assert_eq!(totals(&price(&t, &session("2026-06-09T10:00", &[("60", "20")], "0"))), is("5.50", Some("6.10")));
}

#[test]
fn t10_parking_and_start_fee() {
    // Spec: "20 kWh … parked for 40 minutes … € 7.00 (excl. VAT) or € 7.90 (incl. VAT)":
    // parking 40 → 45 min (step 900) × 2.00/h = 1.50; 0.50 + 5.00 + 1.50 = 7.00;
    // 0.60 + 5.50 + 1.80 = 7.90.
    let t = tariff("tariff_10_025kwh_parking_start.json");
    assert_eq!(totals(&price(&t, &session("2026-06-09T10:00", &[("60", "20")], "40"))), is("7.00", Some("7.90")));
}

#[test]
fn t11_not_possible_alt_text() {
    // FLAT 0.40 (25 %) + TIME 1.90/h (5.2 %, step 300). 62 min → 65 min:
    // 1.90 × 65/60 = 2.0583; excl 2.4583 → 2.46; incl 0.50 + 2.1654 = 2.6654 → 2.67.
    let t = tariff("tariff_11_not_possible_alt_text.json");
    assert_eq!(totals(&price(&t, &session("2026-06-09T10:00", &[("62", "10")], "0"))), is("2.46", Some("2.67")));
}

#[test]
fn t12_min_price() {
    // Spec: "€ 5.00 (excl. VAT) or € 5.50 (incl. VAT) when 20 kWh are charged. But if less than
    // 2 kWh is charged, € 0.50 (excl. VAT) or € 0.55 (incl. VAT) will be billed."
    let t = tariff("tariff_12_025kwh_min_price.json");
    assert_eq!(totals(&price(&t, &session("2026-06-09T10:00", &[("60", "20")], "0"))), is("5.00", Some("5.50")));
    let e = price(&t, &session("2026-06-09T10:00", &[("10", "1")], "0"));
    assert_eq!(totals(&e), is("0.50", Some("0.55")));
    assert_eq!(e.limited_by, Some(Limit::MinPrice));
}

#[test]
fn t13_time_and_parking() {
    // Spec: "2.5 hours (charging) … parked for 42 more minutes … € 11.25 (excl. VAT) or
    // € 12.75 (incl. VAT)": 3.00 × 2.5 = 7.50 (8.25 incl); 42 → 45 min × 5.00/h = 3.75 (4.50).
    let t = tariff("tariff_13_simple_3hour_5parking.json");
    assert_eq!(totals(&price(&t, &session("2026-06-09T10:00", &[("150", "40")], "42"))), is("11.25", Some("12.75")));
}

#[test]
fn t14_step_size_switching_elements() {
    // No VAT in this tariff: incl unknown.
    let t = tariff("tariff_14_step_size.json");
    // Spec example 1: plug in 16:55, charge 10 min, park 2 min → € 0.55:
    // TIME 300 s × 1.20/h = 0.10 + 300 s × 2.40/h = 0.20 (not rounded, parking follows);
    // PARKING 120 s → 900 s × 1.00/h = 0.25.
    assert_eq!(totals(&price(&t, &session("2026-06-09T16:55", &[("10", "3")], "2"))), is("0.55", None));
    // Spec example 2: 16:35, charge 35 min → "rounded up from 35 to 45 minutes … € 1.30":
    // 1500 s × 1.20/h = 0.50; (600 + 600 surplus) s × 2.40/h = 0.80.
    assert_eq!(totals(&price(&t, &session("2026-06-09T16:35", &[("35", "10")], "0"))), is("1.30", None));
    // Spec example 3: 19:40, charge 12 min, park 20 min → "€ 0.73": TIME 720 s × 2.40/h =
    // 0.48; parking 19:52–20:00 = 480 s → 900 s × 1.00/h = 0.25; after 20:00 parking is free.
    let e = price(&t, &session("2026-06-09T19:40", &[("12", "6")], "20"));
    assert_eq!(totals(&e), is("0.73", None));
    assert!(
        e.notes.contains(&Note::Unpriced { dimension: Dimension::ParkingTime, quantity: d("720") }),
        "{:?}",
        e.notes
    );
    assert!(e
        .notes
        .iter()
        .any(|n| n.to_string() == "no PARKING_TIME price applies to 720 s of this session: not charged"));
    // Past midnight: 23:50–00:20 charging. 20:00–00:00 (end "00:00" = end of day) at 2.40,
    // then 00:00–17:00 at 1.20 with step 1800: 600 s × 2.40/h = 0.40; 1200 s → total 1800 s
    // is already a multiple of 1800 → 1200 s × 1.20/h = 0.40. excl 0.80.
    assert_eq!(totals(&price(&t, &session("2026-06-09T23:50", &[("30", "5")], "0"))), is("0.80", None));
}

fn reserved(minutes: &str, expired: bool) -> Reservation {
    Reservation { duration_s: d(minutes) * Decimal::from(60), expired }
}

#[test]
fn t15_reservation_per_hour() {
    // Spec: "started 15 minutes after the reservation time … 20 kWh … € 6.75 (excl. VAT) or
    // € 7.60 (incl. VAT)": reservation 15 min × 5.00/h = 1.25 (1.50); 0.50 + 5.00 (0.60 + 5.50).
    let t = tariff("tariff_15_reservation_5_euro_per_hour.json");
    let s = session("2026-06-09T10:15", &[("60", "20")], "0").with_reservation(reserved("15", false));
    let e = price(&t, &s);
    assert_eq!(totals(&e), is("6.75", Some("7.60")));
    assert_eq!(e.lines.iter().filter(|l| l.reservation).count(), 1);
}

#[test]
fn t16_reservation_fee_and_per_hour() {
    // Spec: "started 13 minutes after the reservation time … € 8.75 (excl. VAT) or € 10.00 (incl.
    // VAT) … billed per 5 minutes": 2.00 + 15 min × 5.00/h = 3.25 (3.90); + 5.50 (6.10).
    let t = tariff("tariff_16_reservation_2_euro_fee_5_euro_per_hour.json");
    let s = session("2026-06-09T10:13", &[("60", "20")], "0").with_reservation(reserved("13", false));
    assert_eq!(totals(&price(&t, &s)), is("8.75", Some("10.00")));
}

#[test]
fn t17_reservation_expire_fee() {
    // Spec: expired after 1 hour → "€ 6.00 (excl. VAT) or € 7.20 (incl. VAT)": FLAT 4.00 from
    // the RESERVATION_EXPIRES element + 1 h × 2.00 from the RESERVATION element; no start fee.
    let t = tariff("tariff_17_reservation_with_expire_fee.json");
    let s = session("2026-06-09T11:00", &[], "0").with_reservation(reserved("60", true));
    assert_eq!(totals(&price(&t, &s)), is("6.00", Some("7.20")));
    // Used after 22 min: 30 min (step 600) × 2.00/h = 1.00 (1.20), no expiry fee; + 5.50 (6.10).
    let s = session("2026-06-09T10:22", &[("60", "20")], "0").with_reservation(reserved("22", false));
    assert_eq!(totals(&price(&t, &s)), is("6.50", Some("7.30")));
}

#[test]
fn t18_reservation_expire_time() {
    // Spec: expired after 1.5 hours → "€ 9.00 (excl. VAT) or € 10.80 (incl. VAT)": 1.5 × 6.00.
    let t = tariff("tariff_18_reservation_with_expire_time.json");
    let s = session("2026-06-09T11:30", &[], "0").with_reservation(reserved("90", true));
    assert_eq!(totals(&price(&t, &s)), is("9.00", Some("10.80")));
    // Used after 22 min: 30 min × 3.00/h = 1.50 (1.80); + 5.50 (6.10) = 7.00 (7.90).
    let s = session("2026-06-09T10:22", &[("60", "20")], "0").with_reservation(reserved("22", false));
    assert_eq!(totals(&price(&t, &s)), is("7.00", Some("7.90")));
}

#[test]
fn put_example_without_last_updated() {
    // TIME 2.00/h (10 %), step 300: 61 min → 65 min = 2.1667 → 2.17; × 1.1 = 2.3833 → 2.38.
    let t = tariff("tariff_put_example.json");
    assert_eq!(totals(&price(&t, &session("2026-06-09T10:00", &[("61", "10")], "0"))), is("2.17", Some("2.38")));
}

#[test]
fn restriction_max_duration() {
    // Spec: "40 minutes where 5 kWh are charged during the first 30 minutes and another 1.2 kWh
    // in the remaining 10 minutes … € 0.30 (excl. VAT)": 1.2 × 0.25; incl × 1.20 = 0.36.
    let t = tariff("tariffrestriction_example_max_duration.json");
    let e = price(&t, &session("2026-06-09T10:00", &[("30", "5"), ("10", "1.2")], "0"));
    assert_eq!(totals(&e), is("0.30", Some("0.36")));
    // 90 min at 22 kW (11 kWh per 30 min): 0 + 11 × 0.25 + 11 × 0.40 = 2.75 + 4.40 = 7.15;
    // incl 8.58.
    let e = price(&t, &session("2026-06-09T10:00", &[("90", "33")], "0"));
    assert_eq!(totals(&e), is("7.15", Some("8.58")));
}

#[test]
fn restriction_max_power() {
    // Spec: "first kWh with 6 kW, 48 kW for the next 40 kWh, 4 kW for another 0.5 kWh … € 20.30
    // (excl. VAT)": (1 + 0.5) × 0.20 + 40 × 0.50 = 20.30; incl × 1.20 = 24.36.
    let t = tariff("tariffrestriction_example_max_power.json");
    let e = price(&t, &session("2026-06-09T10:00", &[("10", "1"), ("50", "40"), ("7.5", "0.5")], "0"));
    assert_eq!(totals(&e), is("20.30", Some("24.36")));
    // 20 kW sits in the < 32 kW band: 10 kWh × 0.35 = 3.50; incl 4.20.
    let e = price(&t, &session("2026-06-09T10:00", &[("30", "10")], "0"));
    assert_eq!(totals(&e), is("3.50", Some("4.20")));
}
