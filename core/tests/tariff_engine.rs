//! Engine edge cases with small inline tariffs: midnight wrap, exclusive end dates, DST,
//! weekdays, kWh thresholds in a tapering session, and bad input becoming errors.

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use std::str::FromStr;

use chargefinder::tariff::{estimate, parse_tariffs, ChargingStep, Session, Tariff};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn tariff(elements: &str) -> Tariff {
    Tariff::from_json(format!(r#"{{"id":"X","currency":"EUR","elements":{elements}}}"#).as_bytes()).unwrap()
}

/// Constant power from local time `local` in Amsterdam.
fn session(local: &str, minutes: &str, kwh: &str, park_min: &str) -> Session {
    let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
    let start = jiff::civil::DateTime::from_str(local).unwrap().to_zoned(tz.clone()).unwrap().timestamp();
    Session {
        start,
        time_zone: tz,
        charging: vec![ChargingStep { duration_s: d(minutes) * d("60"), energy_kwh: d(kwh) }],
        parking_s: d(park_min) * d("60"),
        current_a: None,
        reservation: None,
    }
}

fn excl(t: &Tariff, s: &Session) -> String {
    estimate(t, s).unwrap().excl_vat.to_string()
}

#[test]
fn night_window_wraps_past_midnight() {
    // 21:00–23:00 at 10 kW: 10 kWh by day at 0.39 + 10 kWh at night at 0.29 = 6.80.
    let t = tariff(
        r#"[{"price_components":[{"type":"ENERGY","price":0.29,"step_size":1}],"restrictions":{"start_time":"22:00","end_time":"07:00"}},
            {"price_components":[{"type":"ENERGY","price":0.39,"step_size":1}]}]"#,
    );
    assert_eq!(excl(&t, &session("2026-06-09T21:00", "120", "20", "0")), "6.80");
    // 06:00–08:00: 10 kWh night + 10 kWh day, the same 6.80.
    assert_eq!(excl(&t, &session("2026-06-10T06:00", "120", "20", "0")), "6.80");
}

#[test]
fn end_date_is_exclusive() {
    // 23:30–00:30 on 9/10 June at 10 kW: 5 kWh on the 9th at 0.10 and 5 kWh on the 10th at
    // 0.50 (end_date 2026-06-10 excludes the 10th) = 3.00.
    let t = tariff(
        r#"[{"price_components":[{"type":"ENERGY","price":0.10,"step_size":1}],"restrictions":{"start_date":"2026-06-09","end_date":"2026-06-10"}},
            {"price_components":[{"type":"ENERGY","price":0.50,"step_size":1}]}]"#,
    );
    assert_eq!(excl(&t, &session("2026-06-09T23:30", "60", "10", "0")), "3.00");
}

#[test]
fn daylight_saving_time_is_local_time() {
    // 29 March 2026, Amsterdam: 02:00 CET jumps to 03:00 CEST. From 01:30 for 90 real minutes:
    // 01:30–02:00 (30 min, before 03:00 local) at 1.00/h, then local 03:00–04:00 at 2.00/h:
    // 0.50 + 2.00 = 2.50.
    let t = tariff(
        r#"[{"price_components":[{"type":"TIME","price":1.00,"step_size":1}],"restrictions":{"start_time":"00:00","end_time":"03:00"}},
            {"price_components":[{"type":"TIME","price":2.00,"step_size":1}]}]"#,
    );
    assert_eq!(excl(&t, &session("2026-03-29T01:30", "90", "10", "0")), "2.50");
}

#[test]
fn day_of_week() {
    // Sundays 0.20, else 0.40. Saturday 23:00–01:00 at 10 kW: 10 × 0.40 + 10 × 0.20 = 6.00.
    let t = tariff(
        r#"[{"price_components":[{"type":"ENERGY","price":0.20,"step_size":1}],"restrictions":{"day_of_week":["SUNDAY"]}},
            {"price_components":[{"type":"ENERGY","price":0.40,"step_size":1}]}]"#,
    );
    assert_eq!(excl(&t, &session("2026-06-13T23:00", "120", "20", "0")), "6.00");
}

#[test]
fn kwh_thresholds_cut_tapering_steps_exactly() {
    // Under 10 kWh 0.30, from 10 kWh 0.50. Steps: 8 kWh in 10 min, then 4 kWh in 10 min: the
    // threshold falls inside the second step. 10 × 0.30 + 2 × 0.50 = 4.00.
    let t = tariff(
        r#"[{"price_components":[{"type":"ENERGY","price":0.30,"step_size":1}],"restrictions":{"max_kwh":10}},
            {"price_components":[{"type":"ENERGY","price":0.50,"step_size":1}],"restrictions":{"min_kwh":10}}]"#,
    );
    let mut s = session("2026-06-09T10:00", "10", "8", "0");
    s.charging.push(ChargingStep { duration_s: d("600"), energy_kwh: d("4") });
    assert_eq!(excl(&t, &s), "4.00");
    // A third of a kWh: thresholds are compared with exact decimals, not rounded floats.
    let t = tariff(
        r#"[{"price_components":[{"type":"ENERGY","price":0.30,"step_size":1}],"restrictions":{"max_kwh":0.3333}},
            {"price_components":[{"type":"ENERGY","price":0.60,"step_size":1}]}]"#,
    );
    // 1 kWh: 0.3333 × 0.30 + 0.6667 × 0.60 = 0.09999 + 0.40002 = 0.50001 → 0.50.
    let e = estimate(&t, &session("2026-06-09T10:00", "7", "1", "0")).unwrap();
    assert_eq!(e.lines[0].quantity, d("0.3333"));
    assert_eq!(e.lines[1].quantity, d("0.6667"));
    assert_eq!(e.excl_vat, d("0.50"));
}

#[test]
fn a_restricted_flat_fee_applies_once_when_it_first_matches() {
    // A 1.00 "overstay" fee from 2 h of session on; 0.30/kWh. 3 h session: 0.30 × 10 + 1.00.
    let t = tariff(
        r#"[{"price_components":[{"type":"FLAT","price":1.00,"step_size":1}],"restrictions":{"min_duration":7200}},
            {"price_components":[{"type":"ENERGY","price":0.30,"step_size":1}]}]"#,
    );
    assert_eq!(excl(&t, &session("2026-06-09T10:00", "60", "10", "120")), "4.00");
    assert_eq!(excl(&t, &session("2026-06-09T10:00", "60", "10", "30")), "3.00");
}

fn err(json: &str) -> String {
    Tariff::from_json(json.as_bytes()).unwrap_err().to_string()
}

#[test]
fn bad_tariffs_are_errors_naming_tariff_and_field() {
    let e = err(
        r#"{"id":"T1","currency":"EUR","elements":[{"price_components":[{"type":"POWER","price":1,"step_size":1}]}]}"#,
    );
    assert_eq!(e, r#"tariff T1: elements[0].price_components[0].type: unknown dimension "POWER""#);
    let e = err(
        r#"{"id":"T2","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":-1,"step_size":1}]}]}"#,
    );
    assert_eq!(e, "tariff T2: elements[0].price_components[0].price: negative price -1");
    assert_eq!(
        err(r#"{"id":"T3","currency":"EUR","elements":[]}"#),
        "tariff T3: elements: no tariff elements: nothing to price with"
    );
    let e = err(
        r#"{"id":"T4","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":1,"step_size":1}],"restrictions":{"min_kwh":5,"max_kwh":5}}]}"#,
    );
    assert!(e.starts_with("tariff T4: elements[0].restrictions.max_kwh: no element can ever match"), "{e}");
    let e = err(
        r#"{"id":"T5","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":"abc","step_size":1}]}]}"#,
    );
    assert_eq!(e, r#"tariff T5: elements[0].price_components[0].price: "abc" is not a number"#);
    let e = err(
        r#"{"id":"T6","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":1,"step_size":1}],"restrictions":{"start_time":"25:00"}}]}"#,
    );
    assert!(e.contains("start_time") && e.contains("not a time of day"), "{e}");
    let e = err(
        r#"{"id":"T7","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":1,"vat":121,"step_size":1}]}]}"#,
    );
    assert!(e.contains("vat"), "{e}");
    assert_eq!(err(r#"{"currency":"EUR","elements":[]}"#), "tariff without id: id: missing tariff id");
    let e = err(
        r#"{"id":"T8","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":1,"step_size":1}],"restrictions":{"reservation":"RESERVATION"}}]}"#,
    );
    assert!(e.contains("may only price FLAT and TIME"), "{e}");
    // A list keeps the good ones and reports the bad ones.
    let list = parse_tariffs(
        br#"{"data":[{"id":"OK","currency":"EUR","elements":[{"price_components":[{"type":"FLAT","price":0,"step_size":0}]}]},
                     {"id":"BAD","currency":"EURO","elements":[]}],"status_code":1000}"#,
    )
    .unwrap();
    assert_eq!(list.tariffs.len(), 1);
    assert_eq!(list.errors[0].tariff_id.as_deref(), Some("BAD"));
}

#[test]
fn tolerated_quirks() {
    // Numbers as text, decimal commas, lower case, null fields, step_size missing.
    let t = Tariff::from_json(
        br#"{"id":"Q","currency":"eur","type":null,"min_price":null,
             "elements":[{"price_components":[{"type":"energy","price":"0,25","vat":"21"}],
                          "restrictions":{"day_of_week":[],"start_time":null}}]}"#,
    )
    .unwrap();
    assert_eq!(t.currency, "EUR");
    assert_eq!(t.elements[0].components[0].price, d("0.25"));
    assert_eq!(t.elements[0].components[0].step_size, 1);
    assert!(t.elements[0].restrictions.is_empty());
}

#[test]
fn a_session_no_element_applies_to_is_price_unknown() {
    let t = tariff(
        r#"[{"price_components":[{"type":"ENERGY","price":0.30,"step_size":1}],"restrictions":{"max_power":22}}]"#,
    );
    // 10 kWh in 10 min = 60 kW.
    let e = estimate(&t, &session("2026-06-09T10:00", "10", "10", "0")).unwrap_err();
    assert_eq!(e.reason, "no tariff element applies to this session (restrictions not met: min_power/max_power)");
    // At 11 kW it applies.
    assert_eq!(excl(&t, &session("2026-06-09T10:00", "60", "11", "0")), "3.30");
}
