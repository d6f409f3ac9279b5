//! Mutated tariff JSON never panics the conversion, the engine or the words, and never yields
//! a made-up price: either an error, or totals that are non-negative with incl. ≥ excl. VAT.

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use chargefinder::tariff::{describe, estimate, ChargingStep, Language, Reservation, Session, Tariff};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn fixtures() -> Vec<Value> {
    let dir = format!("{}/tests/fixtures/tariffs", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.retain(|p| p.extension().is_some_and(|e| e == "json"));
    names.sort();
    names.iter().map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
}

/// Every JSON pointer in `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| pointers(c, format!("{at}/{k}"), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| pointers(c, format!("{at}/{i}"), out)),
        _ => {}
    }
}

fn replacement(kind: u8, n: i64) -> Value {
    match kind % 14 {
        0 => Value::Null,
        1 => json!(-n),
        2 => json!(n),
        3 => json!(f64::from(n as i32) / 7.0),
        4 => json!("garbage"),
        5 => json!([]),
        6 => json!({}),
        7 => json!("23:59"),
        8 => json!("2026-06-09"),
        9 => json!(["MONDAY", "FUNDAY"]),
        10 => json!("PARKING_TIME"),
        11 => json!("1e30"),
        12 => json!(79_228_162_514_264_337_593_543_950_335_f64),
        _ => json!(n.to_string()),
    }
}

fn session(minutes: u32, kwh: u32, park: u32, hour: i8, reservation: Option<(u32, bool)>) -> Session {
    let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
    let start = jiff::civil::date(2026, 6, 9).at(hour, 0, 0, 0).to_zoned(tz.clone()).unwrap().timestamp();
    let charging = if minutes == 0 {
        vec![]
    } else {
        vec![ChargingStep { duration_s: Decimal::from(minutes * 60), energy_kwh: Decimal::from(kwh) }]
    };
    Session {
        start,
        time_zone: tz,
        charging,
        parking_s: Decimal::from(park * 60),
        current_a: Some(Decimal::from(16)),
        reservation: reservation.map(|(m, expired)| Reservation { duration_s: Decimal::from(m * 60), expired }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_tariffs_never_panic_or_invent_prices(
        which in 0usize..64,
        mutations in proptest::collection::vec((any::<u32>(), any::<u8>(), -100_000i64..100_000, any::<bool>()), 1..4),
        minutes in 0u32..600,
        kwh in 0u32..200,
        park in 0u32..600,
        hour in 0i8..24,
        reservation in proptest::option::of((1u32..120, any::<bool>())),
    ) {
        let all = fixtures();
        let mut v = all[which % all.len()].clone();
        for (at, kind, n, delete) in mutations {
            let mut ps = Vec::new();
            pointers(&v, String::new(), &mut ps);
            let p = &ps[at as usize % ps.len()];
            if p.is_empty() {
                continue;
            }
            let (parent, key) = p.rsplit_once('/').unwrap();
            let parent = v.pointer_mut(parent).unwrap();
            match parent {
                Value::Object(m) if delete => { m.remove(key); }
                Value::Array(a) if delete => { let i: usize = key.parse().unwrap(); a.remove(i); }
                _ => { *parent.pointer_mut(&format!("/{key}")).unwrap() = replacement(kind, n); }
            }
        }
        let bytes = serde_json::to_vec(&v).unwrap();
        if let Ok(t) = Tariff::from_json(&bytes) {
            for lang in Language::ALL {
                prop_assert!(!describe(&t, lang).is_empty());
            }
            let expired = reservation.is_some_and(|r| r.1);
            let s = if expired { session(0, 0, 0, hour, reservation) } else { session(minutes, kwh, park, hour, reservation) };
            if let Ok(e) = estimate(&t, &s) {
                prop_assert!(e.excl_vat >= Decimal::ZERO);
                if let Some(i) = e.incl_vat {
                    prop_assert!(i >= e.excl_vat, "incl {} < excl {}", i, e.excl_vat);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Absurd sessions (tiny or huge steps, odd scales, far-off dates) are errors, not panics.
    #[test]
    fn absurd_sessions_never_panic(
        which in 0usize..64,
        steps in proptest::collection::vec((any::<i64>(), 0u32..28, any::<i64>(), 0u32..28), 0..4),
        park in any::<i64>(),
        year in -9999i16..9999,
    ) {
        let all = fixtures();
        let t = Tariff::from_value(all[which % all.len()].clone()).unwrap();
        let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
        let Ok(start) = jiff::civil::date(year, 1, 1).at(12, 0, 0, 0).to_zoned(tz.clone()) else { return Ok(()) };
        let s = Session {
            start: start.timestamp(),
            time_zone: tz,
            charging: steps
                .iter()
                .map(|&(m, ms, e, es)| ChargingStep { duration_s: Decimal::new(m, ms), energy_kwh: Decimal::new(e, es) })
                .collect(),
            parking_s: Decimal::new(park, 3),
            current_a: Some(Decimal::from(16)),
            reservation: None,
        };
        if let Ok(e) = estimate(&t, &s) {
            prop_assert!(e.excl_vat >= Decimal::ZERO);
        }
    }
}
