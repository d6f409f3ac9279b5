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
        } else if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit() && chars[i - 1] != '.' && chars[i - 1] != ',') {
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
    let all_vat = t.elements.iter().flat_map(|e| &e.components).all(|c| c.vat.is_some());
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
        out.insert(l.excl_vat.normalize());
        if let Some(i) = l.incl_vat {
            out.insert(i.normalize());
        }
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
            assert!(stated.contains(a), "{} in {lang:?}: {a} is not a price of the tariff: {text:?} vs {stated:?}", t.id);
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
    for t in ts.iter().step_by(97).take(30) {
        println!("{:>40} | {}", t.id, describe(t, Language::En));
        println!("{:>40} | {}", "", describe(t, Language::Nl));
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
    let t = by_name("tariff_4_complex.json");
    assert_eq!(
        describe(&t, Language::De),
        "1,20 €/Std. Ladezeit unter 32 A · 2,40 €/Std. Ladezeit Mo–Fr ab 32 A · \
         1,50 €/Std. Ladezeit Sa, So ab 32 A · 5,50 €/Std. Parken 09:00–18:00 Mo–Fr · \
         6,60 €/Std. Parken 10:00–17:00 Sa · 2,875 € Startgebühr"
    );
}
