//! From a driver's situation to a priced plan, and the cheapest charger for it.

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use std::str::FromStr;

use chargefinder::tariff::{cheapest, estimate, Candidate, ChargePlan, Language, Pricer, Tariff, TariffTable};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn tz() -> TimeZone {
    chargefinder::time_zone("Europe/Amsterdam").unwrap()
}

fn start() -> Timestamp {
    "2026-06-09T10:00:00+02:00".parse().unwrap()
}

fn plan(from: f64, to: f64, connector_kw: f64, dc: bool) -> ChargePlan {
    ChargePlan {
        battery_kwh: 60.0,
        soc_from_pct: from,
        soc_to_pct: to,
        car_max_ac_kw: 11.0,
        car_max_dc_kw: 100.0,
        connector_kw,
        dc,
    }
}

#[test]
fn ac_is_constant_power_with_ac_losses() {
    // 60 kWh × 60 % = 36 kWh into the battery, / 0.90 = 40 kWh at the meter, at min(11, 22) kW:
    // 40 / 11 h = 13,090.909 s.
    let s = plan(20.0, 80.0, 22.0, false).session(start(), tz(), Decimal::ZERO).unwrap();
    assert_eq!(s.charging.len(), 1);
    assert_eq!(s.energy_kwh(), d("40.000"));
    assert_eq!(s.charging_s(), d("13090.909"));
}

#[test]
fn dc_tapers_above_80_percent() {
    // Up to 80 %: 60 × 70 % / 0.95 = 44.2105 kWh at min(100, 150) = 100 kW.
    let p = plan(10.0, 100.0, 150.0, true);
    let s = p.session(start(), tz(), Decimal::ZERO).unwrap();
    assert_eq!(s.charging.len(), 1 + 20, "one flat step and twenty 1 % steps");
    assert_eq!(s.charging[0].energy_kwh, d("44.211"));
    // The last step (99–100 %) runs at 100 × (1 − 0.8 × 19.5 / 20) = 22 kW.
    assert_eq!(s.charging[20].power_kw().round_dp(1), d("22.0"));
    let powers: Vec<Decimal> = s.charging.iter().map(|c| c.power_kw()).collect();
    assert!(powers.windows(2).all(|w| w[0] >= w[1]), "power never rises: {powers:?}");
    // 60 × 90 % / 0.95 = 56.842 kWh in total (rounding per step to 1 Wh).
    assert!((s.energy_kwh() - d("56.842")).abs() <= d("0.011"));
    // Slower than at full power all the way.
    assert!(s.charging_s() > d("56.842") / d("100") * d("3600"));
    // Below 80 % there is no taper.
    assert_eq!(plan(10.0, 80.0, 50.0, true).session(start(), tz(), Decimal::ZERO).unwrap().charging.len(), 1);
}

#[test]
fn impossible_plans_are_errors() {
    assert!(plan(80.0, 20.0, 22.0, false).session(start(), tz(), Decimal::ZERO).is_err());
    assert!(plan(20.0, 80.0, 0.0, false).session(start(), tz(), Decimal::ZERO).is_err());
    assert!(plan(f64::NAN, 80.0, 22.0, false).session(start(), tz(), Decimal::ZERO).is_err());
    assert!(plan(20.0, 180.0, 22.0, false).session(start(), tz(), Decimal::ZERO).is_err());
}

fn t(json: &str) -> Tariff {
    Tariff::from_json(json.as_bytes()).unwrap()
}

#[test]
fn a_plan_priced_end_to_end() {
    // 40 kWh at 0.30 = 12.00; incl. 21 % = 14.52.
    let tariff = t(
        r#"{"id":"A","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":0.30,"vat":21,"step_size":1}]}]}"#,
    );
    let s = plan(20.0, 80.0, 11.0, false).session(start(), tz(), Decimal::ZERO).unwrap();
    let e = estimate(&tariff, &s).unwrap();
    assert_eq!((e.excl_vat, e.incl_vat), (d("12.00"), Some(d("14.52"))));
}

#[test]
fn cheapest_orders_by_total_then_distance_and_puts_unknown_last() {
    let table = TariffTable::new(vec![
        t(
            r#"{"id":"A","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":0.30,"step_size":1}]}]}"#,
        ),
        t(
            r#"{"id":"B","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":0.25,"step_size":1},{"type":"FLAT","price":1,"step_size":1}]}]}"#,
        ),
        t(r#"{"id":"C","currency":"EUR","elements":[{"price_components":[{"type":"TIME","price":6,"step_size":1}]}]}"#),
    ]);
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (a, b, c, none, ab, missing) = (ids(&["A"]), ids(&["B"]), ids(&["C"]), ids(&[]), ids(&["A", "B"]), ids(&["Z"]));
    let cand = |id, distance_m, power_kw, tariff_ids| Candidate { id, distance_m, power_kw, dc: false, tariff_ids };
    let candidates = vec![
        cand("a", 500.0, 11.0, &a[..]),
        cand("b", 900.0, 11.0, &b[..]),
        cand("c", 100.0, 22.0, &c[..]),
        cand("none", 50.0, 11.0, &none[..]),
        cand("ab", 2000.0, 11.0, &ab[..]),
        cand("missing", 70.0, 11.0, &missing[..]),
    ];
    // 40 kWh in 40/11 h: a 12.00; b 11.00; c 6 × 3.6364 = 21.82; ab = min(12.00, 11.00).
    let mut pricer = Pricer::new(&table, plan(20.0, 80.0, 0.0, false), start(), tz(), Decimal::ZERO);
    let got = cheapest(&candidates, &mut pricer, Language::En, 10);
    let order: Vec<&str> = got.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(order, ["b", "ab", "a", "c", "none", "missing"]);
    let totals: Vec<Option<Decimal>> = got.iter().map(|p| p.estimate.as_ref().ok().map(|e| e.excl_vat)).collect();
    assert_eq!(totals, [Some(d("11.00")), Some(d("11.00")), Some(d("12.00")), Some(d("21.82")), None, None]);
    assert_eq!(got[1].estimate.as_ref().unwrap().tariff_id, "B");
    assert_eq!(got[0].words.as_deref(), Some("€0.25/kWh · €1.00 start fee · excl. VAT"));
    assert!(got[5].estimate.as_ref().unwrap_err().contains("not published"));
    assert_eq!(cheapest(&candidates, &mut pricer, Language::En, 2).len(), 2);
    // JSON for the bindings: flat fields, money as strings.
    let v = serde_json::to_value(&got[0]).unwrap();
    assert_eq!(v["estimate"]["excl_vat"], "11.00");
    assert!(v["price_unknown"].is_null());
    let v = serde_json::to_value(&got[5]).unwrap();
    assert!(v["estimate"].is_null());
    assert_eq!(v["price_unknown"], "the tariff this connector names is not published");
}
