//! The words never contradict the structured price: every amount in a description is the price
//! of a component of that tariff (incl. VAT when the tariff states VAT for all components),
//! and every component a session could reach is shown (unless summarised as a range).

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::Read;
use std::str::FromStr;

use chargefinder::tariff::{describe, parse_tariffs, shown_components, Language, Tariff, MAX_PHRASES};
use rust_decimal::Decimal;

/// The amounts next to a currency symbol: `€0.39`, `€ 0,39`, `0,39 €`.
fn amounts(text: &str) -> Vec<Decimal> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let number_at = |mut i: usize| -> Option<(Decimal, usize)> {
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',') {
            i += 1;
        }
        let s: String = chars[start..i].iter().collect::<String>().replace(',', ".");
        let s = s.trim_end_matches('.');
        Decimal::from_str(s).ok().map(|d| (d, i))
    };
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '€' {
            let j = if chars.get(i + 1) == Some(&' ') { i + 2 } else { i + 1 };
            if let Some((d, _)) = number_at(j) {
                out.push(d);
            }
        } else if chars[i].is_ascii_digit()
            && (i == 0 || !chars[i - 1].is_ascii_digit() && chars[i - 1] != '.' && chars[i - 1] != ',')
        {
            if let Some((d, end)) = number_at(i) {
                if chars.get(end) == Some(&' ') && chars.get(end + 1) == Some(&'€') {
                    out.push(d);
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Every price the tariff states, as the words may show it: incl. VAT when all components
/// state VAT, else excl.; 4 decimals at most.
fn stated(t: &Tariff) -> BTreeSet<Decimal> {
    let all_vat = t.elements.iter().flat_map(|e| &e.components).all(|c| c.vat.is_some())
        && [t.min_price, t.max_price].iter().flatten().all(|l| l.incl_vat.is_some());
    let mut out: BTreeSet<Decimal> = t
        .elements
        .iter()
        .flat_map(|e| &e.components)
        .map(|c| {
            let p = if all_vat { c.price * (Decimal::ONE + c.vat.unwrap() / Decimal::ONE_HUNDRED) } else { c.price };
            p.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero).normalize()
        })
        .collect();
    for l in [t.min_price, t.max_price].into_iter().flatten() {
        match (all_vat, l.incl_vat) {
            (true, Some(i)) => out.insert(i.normalize()),
            _ => out.insert(l.excl_vat.normalize()),
        };
    }
    out
}

pub fn check(t: &Tariff) {
    let stated = stated(t);
    for lang in Language::ALL {
        let text = describe(t, lang);
        assert!(!text.is_empty(), "{}: empty in {lang:?}", t.id);
        let shown: BTreeSet<Decimal> = amounts(&text).into_iter().map(|d| d.normalize()).collect();
        for a in &shown {
            assert!(
                stated.contains(a),
                "{} in {lang:?}: {a} is not a price of the tariff: {text:?} vs {stated:?}",
                t.id
            );
        }
        if t.is_free() {
            continue;
        }
        for (_, comps) in shown_components(t) {
            if comps.len() > MAX_PHRASES {
                continue;
            }
            for (c, _) in comps {
                // Leaving out "€0.00 …" cannot contradict the price.
                if c.price.is_zero() {
                    continue;
                }
                let p = chargefinder::tariff::shown_price(c, chargefinder::tariff::shows_incl_vat(t)).normalize();
                assert!(shown.contains(&p), "{} in {lang:?}: price {p} missing from {text:?}", t.id);
            }
        }
    }
}

fn fixtures() -> Vec<Tariff> {
    let dir = format!("{}/tests/fixtures/tariffs", env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            out.push(Tariff::from_json(&std::fs::read(&path).unwrap()).unwrap());
        }
    }
    out
}

#[test]
fn spec_examples_in_words() {
    let ts = fixtures();
    assert_eq!(ts.len(), 21);
    for t in &ts {
        check(t);
    }
}

#[test]
fn nl_tariffs_in_words() {
    let path = format!("{}/../data/nl/tariffs.json.gz", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(path).unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut json).unwrap();
    let ts = parse_tariffs(&json).unwrap().tariffs;
    assert_eq!(ts.len(), 2820);
    for t in &ts {
        check(t);
    }
    // `cargo test --test tariff_words -- --nocapture` shows a sample of restricted ones.
    for t in ts.iter().filter(|t| t.elements.iter().any(|e| !e.restrictions.is_empty())).step_by(40).take(12) {
        for lang in Language::ALL {
            println!("{:>36} {} | {}", t.id, lang.code(), describe(t, lang));
        }
    }
}

#[test]
fn known_sentences() {
    let by_name = |n: &str| {
        let p = format!("{}/tests/fixtures/tariffs/{n}", env!("CARGO_MANIFEST_DIR"));
        Tariff::from_json(&std::fs::read(p).unwrap()).unwrap()
    };
    let t = by_name("tariff_14_step_size.json");
    assert_eq!(
        describe(&t, Language::En),
        "€1.20/h charging 00:00–17:00 · €2.40/h charging 17:00–20:00 · €2.40/h charging 20:00–00:00 · \
         €1.00/h parking 00:00–17:00 · €1.00/h parking 17:00–20:00 · excl. VAT"
    );
    let t = by_name("tariff_10_025kwh_parking_start.json");
    assert_eq!(describe(&t, Language::En), "€0.275/kWh · €2.40/h parking · €0.60 start fee");
    assert_eq!(describe(&t, Language::Nl), "€ 0,275/kWh · € 2,40/uur parkeren · € 0,60 starttarief");
    assert_eq!(describe(&t, Language::De), "0,275 €/kWh · 2,40 €/Std. Parken · 0,60 € Startgebühr");
    assert_eq!(describe(&t, Language::Fr), "0,275 €/kWh · 2,40 €/h de stationnement · 0,60 € frais de session");
    let t = by_name("tariff_7_first_hour_kwh_free.json");
    assert_eq!(
        describe(&t, Language::En),
        "€0.00/kWh first 1 kWh · €0.20/kWh after 1 kWh · €0.00/h parking first 1 h · \
         €2.00/h parking 1 h–3 h · €3.00/h parking after 3 h · excl. VAT"
    );
    let t = by_name("tariff_5_free_of_charge.json");
    assert_eq!(describe(&t, Language::Fr), "gratuit");
    let t = by_name("tariff_6_025kwh_start_max_price.json");
    assert_eq!(describe(&t, Language::En), "€0.275/kWh · €0.60 start fee · max. €11.00");
    let t = by_name("tariff_17_reservation_with_expire_fee.json");
    assert_eq!(
        describe(&t, Language::En),
        "€0.275/kWh · €2.40/h reservation · €4.80 expired reservation · €0.60 start fee"
    );
    assert_eq!(
        describe(&t, Language::Nl),
        "€ 0,275/kWh · € 2,40/uur reservering · € 4,80 verlopen reservering · € 0,60 starttarief"
    );
    let t = by_name("tariff_4_complex.json");
    assert_eq!(
        describe(&t, Language::De),
        "1,20 €/Std. Ladezeit unter 32 A · 2,40 €/Std. Ladezeit Mo–Fr ab 32 A · \
         1,50 €/Std. Ladezeit Sa, So ab 32 A · 5,50 €/Std. Parken 09:00–18:00 Mo–Fr · \
         6,60 €/Std. Parken 10:00–17:00 Sa · 2,875 € Startgebühr"
    );
}

mod generated {
    use super::check;
    use chargefinder::tariff::Tariff;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    const DIMS: [&str; 4] = ["ENERGY", "FLAT", "TIME", "PARKING_TIME"];
    const VATS: [Option<&str>; 6] = [None, Some("0"), Some("9"), Some("21"), Some("5.2"), Some("19")];

    fn component() -> impl Strategy<Value = (usize, i64, u32, usize)> {
        (0..4usize, 0i64..100_000, 0u32..5, 0..VATS.len())
    }

    fn restrictions() -> impl Strategy<Value = Value> {
        (
            proptest::option::of((0u16..1440, 0u16..1440)),
            proptest::option::of(1u8..127),
            proptest::option::of((0u32..50, 1u32..50)),
            proptest::option::of(1u32..20_000),
            proptest::option::of(1u32..400),
        )
            .prop_map(|(time, days, kwh, dur, power)| {
                let mut r = serde_json::Map::new();
                if let Some((a, b)) = time {
                    r.insert("start_time".into(), json!(format!("{:02}:{:02}", a / 60, a % 60)));
                    r.insert("end_time".into(), json!(format!("{:02}:{:02}", b / 60, b % 60)));
                }
                if let Some(d) = days {
                    let names = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
                    let list: Vec<&str> = (0..7).filter(|i| d & (1 << i) != 0).map(|i| names[i]).collect();
                    r.insert("day_of_week".into(), json!(list));
                }
                if let Some((lo, span)) = kwh {
                    r.insert("min_kwh".into(), json!(lo));
                    r.insert("max_kwh".into(), json!(lo + span));
                }
                if let Some(d) = dur {
                    r.insert("min_duration".into(), json!(d));
                }
                if let Some(p) = power {
                    r.insert("max_power".into(), json!(p));
                }
                Value::Object(r)
            })
    }

    fn tariff() -> impl Strategy<Value = Value> {
        (
            proptest::collection::vec(
                (proptest::collection::vec(component(), 1..4), proptest::option::of(restrictions())),
                1..7,
            ),
            proptest::option::of((0i64..5_000, 0u32..3)),
        )
            .prop_map(|(elements, min)| {
                let elements: Vec<Value> = elements
                    .into_iter()
                    .map(|(comps, r)| {
                        let mut seen = [false; 4];
                        let comps: Vec<Value> = comps
                            .into_iter()
                            .filter(|c| !std::mem::replace(&mut seen[c.0], true))
                            .map(|(d, mantissa, scale, vat)| {
                                let price = rust_decimal::Decimal::new(mantissa, scale).to_string();
                                let mut c = json!({"type": DIMS[d], "price": price, "step_size": 1});
                                if let Some(v) = VATS[vat] {
                                    c["vat"] = json!(v);
                                }
                                c
                            })
                            .collect();
                        match r {
                            Some(r) => json!({"price_components": comps, "restrictions": r}),
                            None => json!({"price_components": comps}),
                        }
                    })
                    .collect();
                let mut t = json!({"id": "GEN", "currency": "EUR", "elements": elements});
                if let Some((m, s)) = min {
                    t["min_price"] = json!({"excl_vat": rust_decimal::Decimal::new(m, s).to_string()});
                }
                t
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Generated tariffs: the words never state a price the tariff does not have, and
        /// show every price a session could reach.
        #[test]
        fn words_match_generated_tariffs(v in tariff()) {
            if let Ok(t) = Tariff::from_value(v) {
                check(&t);
            }
        }
    }
}
