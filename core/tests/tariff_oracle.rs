//! The engine against a brute-force oracle: the session simulated second by second, each second
//! priced by the first matching element per dimension. Inputs are chosen so that every boundary
//! falls on a whole second (36 kW = 0.01 kWh a second, kWh thresholds in 0.01, times of day in
//! minutes), so the oracle is exact and the two must agree to the cent.

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use chargefinder::tariff::{estimate, ChargingStep, Dimension, Session, Tariff};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

const KW: i64 = 36;

#[derive(Debug, Clone)]
struct El {
    dims: Vec<(usize, i64)>, // (dimension index into DIMS, price in 0.01)
    window: Option<(u16, u16)>,
    days: Option<u8>,
    kwh: (Option<i64>, Option<i64>), // in 0.01 kWh
    dur: (Option<u32>, Option<u32>), // seconds
    max_power: Option<i64>,
}

const DIMS: [&str; 4] = ["FLAT", "ENERGY", "TIME", "PARKING_TIME"];

fn element() -> impl Strategy<Value = El> {
    (
        proptest::collection::vec((0..4usize, 0i64..500), 1..4),
        proptest::option::of((0u16..96, 0u16..96)),
        proptest::option::of(1u8..127),
        (proptest::option::of(0i64..3000), proptest::option::of(1i64..3000)),
        (proptest::option::of(0u32..180), proptest::option::of(1u32..180)),
        proptest::option::of(prop_oneof![Just(22i64), Just(50i64)]),
    )
        .prop_map(|(dims, window, days, kwh, dur, max_power)| El {
            dims,
            window: window.map(|(a, b)| (a * 15, b * 15)),
            days,
            kwh,
            dur: (dur.0.map(|m| m * 60), dur.1.map(|m| m * 60)),
            max_power,
        })
}

fn to_json(els: &[El]) -> Value {
    let elements: Vec<Value> = els
        .iter()
        .map(|e| {
            let mut seen = [false; 4];
            let comps: Vec<Value> = e
                .dims
                .iter()
                .filter(|(d, _)| !std::mem::replace(&mut seen[*d], true))
                .map(|(d, p)| json!({"type": DIMS[*d], "price": Decimal::new(*p, 2).to_string(), "vat": 21, "step_size": 1}))
                .collect();
            let mut r = serde_json::Map::new();
            if let Some((a, b)) = e.window {
                r.insert("start_time".into(), json!(format!("{:02}:{:02}", a / 60, a % 60)));
                r.insert("end_time".into(), json!(format!("{:02}:{:02}", b / 60, b % 60)));
            }
            if let Some(d) = e.days {
                let names = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
                r.insert("day_of_week".into(), json!((0..7).filter(|i| d & (1 << i) != 0).map(|i| names[i]).collect::<Vec<_>>()));
            }
            if let Some(k) = e.kwh.0 {
                r.insert("min_kwh".into(), json!(Decimal::new(k, 2).to_string()));
            }
            if let Some(k) = e.kwh.1 {
                r.insert("max_kwh".into(), json!(Decimal::new(k, 2).to_string()));
            }
            if let Some(s) = e.dur.0 {
                r.insert("min_duration".into(), json!(s));
            }
            if let Some(s) = e.dur.1 {
                r.insert("max_duration".into(), json!(s));
            }
            if let Some(p) = e.max_power {
                r.insert("max_power".into(), json!(p));
            }
            json!({"price_components": comps, "restrictions": r})
        })
        .collect();
    json!({"id": "ORACLE", "currency": "EUR", "elements": elements})
}

/// Second by second, straight from the OCPI rules; returns the excl. VAT total, unrounded.
fn oracle(t: &Tariff, start: jiff::Zoned, charge_s: i64, park_s: i64) -> Option<Decimal> {
    let mut total = Decimal::ZERO;
    let mut flat_done = false;
    let mut any = false;
    let mut kwh_at: std::collections::BTreeMap<Decimal, Decimal> = Default::default();
    let mut secs_at: std::collections::BTreeMap<Decimal, i64> = Default::default();
    for i in 0..(charge_s + park_s) {
        let now = start.checked_add(jiff::SignedDuration::from_secs(i)).unwrap();
        let minute = i64::from(now.hour()) * 60 + i64::from(now.minute());
        let charging = i < charge_s;
        let kwh = Decimal::new(i.min(charge_s) * KW * 100 / 3600, 2); // 0.01 kWh a second
        let power = if charging { Decimal::from(KW) } else { Decimal::ZERO };
        let day_bit = 1u8 << now.weekday().to_monday_zero_offset();
        let applies = |e: &chargefinder::tariff::TariffElement| {
            let r = &e.restrictions;
            let in_window = match r.start_time.or(r.end_time) {
                None => true,
                Some(_) => {
                    let (a, b) = (i64::from(r.start_time.unwrap_or(0)), i64::from(r.end_time.unwrap_or(0)));
                    let b = if b == 0 { 1440 } else { b };
                    if a < b {
                        a <= minute && minute < b
                    } else if a == b {
                        true
                    } else {
                        minute >= a || minute < b
                    }
                }
            };
            in_window
                && (r.days == 0 || r.days & day_bit != 0)
                && r.min_kwh.is_none_or(|m| kwh >= m)
                && r.max_kwh.is_none_or(|m| kwh < m)
                && r.min_duration_s.is_none_or(|m| i as u64 >= m)
                && r.max_duration_s.is_none_or(|m| (i as u64) < m)
                && r.min_power_kw.is_none_or(|m| power >= m)
                && r.max_power_kw.is_none_or(|m| power < m)
        };
        any |= t.elements.iter().any(applies);
        let first = |d: Dimension| t.elements.iter().filter(|e| applies(e)).find_map(|e| e.component(d));
        if !flat_done {
            if let Some(c) = first(Dimension::Flat) {
                total += c.price;
                flat_done = true;
            }
        }
        // Quantities are summed per price and multiplied once at the end, so that the oracle's
        // own arithmetic (1.33 / 3600 is not a finite decimal) adds no error.
        if charging {
            if let Some(c) = first(Dimension::Energy) {
                *kwh_at.entry(c.price).or_default() += Decimal::new(1, 2);
            }
            if let Some(c) = first(Dimension::Time) {
                *secs_at.entry(c.price).or_default() += 1;
            }
        } else if let Some(c) = first(Dimension::ParkingTime) {
            *secs_at.entry(c.price).or_default() += 1;
        }
    }
    for (price, kwh) in kwh_at {
        total += price * kwh;
    }
    for (price, secs) in secs_at {
        total += price * Decimal::from(secs) / Decimal::from(3600);
    }
    any.then_some(total)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_a_second_by_second_oracle(
        els in proptest::collection::vec(element(), 1..5),
        day in 1i8..29,
        minute in 0i32..1440,
        charge_min in 1i64..240,
        park_min in 0i64..120,
    ) {
        let Ok(t) = Tariff::from_value(to_json(&els)) else { return Ok(()) };
        let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
        let start = jiff::civil::date(2026, 6, day).at((minute / 60) as i8, (minute % 60) as i8, 0, 0).to_zoned(tz.clone()).unwrap();
        let (charge_s, park_s) = (charge_min * 60, park_min * 60);
        let session = Session {
            start: start.timestamp(),
            time_zone: tz,
            charging: vec![ChargingStep { duration_s: Decimal::from(charge_s), energy_kwh: Decimal::new(charge_s * KW * 100 / 3600, 2) }],
            parking_s: Decimal::from(park_s),
            current_a: None,
            reservation: None,
        };
        let cents = |d: Decimal| d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        match (estimate(&t, &session), oracle(&t, start, charge_s, park_s)) {
            (Ok(e), Some(o)) => prop_assert_eq!(e.excl_vat, cents(o), "{:#?}", e.lines),
            (Err(e), None) => prop_assert!(e.reason.starts_with("no tariff element applies")),
            (got, want) => prop_assert!(false, "engine {:?} vs oracle {:?}", got.map(|e| e.excl_vat), want),
        }
    }
}
