//! `chargefinder price`, run as a user runs it.

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/tariffs").join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chargefinder")).arg("price").args(args).output().unwrap()
}

fn price(tariff: &str, start: &str, end: &str, kw: &str, kwh: &str) -> serde_json::Value {
    let out =
        run(&["--tariff", tariff, "--tz", "Europe/Berlin", "--start", start, "--end", end, "--kw", kw, "--kwh", kwh]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("chargefinder-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, contents).unwrap();
    p
}

#[test]
fn charges_then_parks_until_the_end() {
    // 20 kWh at 20 kW = 1 h, then parked 40 min: the spec's € 7.00 / € 7.90 (tariff 10).
    let f = fixture("tariff_10_025kwh_parking_start.json");
    let v = price(f.to_str().unwrap(), "2026-06-09T10:00:00+02:00", "2026-06-09T11:40:00+02:00", "20", "20");
    assert_eq!(v["total_excl_vat"], "7.00");
    assert_eq!(v["total_incl_vat"], "7.90");
    assert_eq!(v["currency"], "EUR");
    assert_eq!(v["energy_kwh"], "20");
    assert_eq!(v["charging_s"], "3600");
    assert_eq!(v["parked_s"], "2400");
    let dims: Vec<&str> =
        v["dimensions"].as_array().unwrap().iter().map(|d| d["dimension"].as_str().unwrap()).collect();
    assert_eq!(dims, ["FLAT", "ENERGY", "PARKING_TIME"]);
    assert_eq!(v["dimensions"][2]["excl_vat"], "1.5");
    assert_eq!(v["dimensions"][2]["quantity"], "2700");
    assert_eq!(v["tariff_in_words"], "€0.275/kWh · €2.40/h parking · €0.60 start fee");
}

#[test]
fn the_end_can_come_before_the_energy() {
    // 10 kW for 1 h delivers 10 of the 50 kWh wanted: 10 × 0.25 = 2.50 (2.75 incl.).
    let f = fixture("tariff_8_simple_025kwh.json");
    let v = price(f.to_str().unwrap(), "2026-06-09T10:00:00+02:00", "2026-06-09T11:00:00+02:00", "10", "50");
    assert_eq!((v["total_excl_vat"].as_str(), v["total_incl_vat"].as_str()), (Some("2.50"), Some("2.75")));
    assert_eq!(v["parked_s"], "0");
}

#[test]
fn accepts_an_ocpi_envelope_and_says_when_vat_is_unknown() {
    let tariff = std::fs::read_to_string(fixture("tariff_14_step_size.json")).unwrap();
    let f = temp_file(
        "envelope.json",
        &format!(r#"{{"data": {tariff}, "status_code": 1000, "timestamp": "2026-06-09T10:00:00Z"}}"#),
    );
    // The spec's example 2 of tariff 14: 16:35, 35 min charging → € 1.30, VAT not stated.
    // (10 kWh at 10 kW would take an hour: the end comes first, so no parking.)
    let v = price(f.to_str().unwrap(), "2026-06-09T16:35:00+02:00", "2026-06-09T17:10:00+02:00", "10", "10");
    assert_eq!(v["total_excl_vat"], "1.30");
    assert!(v["total_incl_vat"].is_null());
    assert!(v["notes"][0].as_str().unwrap().contains("VAT"));
    std::fs::remove_file(f).ok();
}

#[test]
fn an_unreadable_tariff_is_a_clear_error() {
    let out = run(&[
        "--tariff",
        "/nonexistent/t.json",
        "--tz",
        "Europe/Berlin",
        "--start",
        "2026-06-09T10:00:00Z",
        "--end",
        "2026-06-09T11:00:00Z",
        "--kw",
        "10",
        "--kwh",
        "5",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read tariff /nonexistent/t.json"));

    let f = temp_file(
        "negative.json",
        r#"{"id":"NEG","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":-0.1,"step_size":1}]}]}"#,
    );
    let out = run(&[
        "--tariff",
        f.to_str().unwrap(),
        "--tz",
        "Europe/Berlin",
        "--start",
        "2026-06-09T10:00:00Z",
        "--end",
        "2026-06-09T11:00:00Z",
        "--kw",
        "10",
        "--kwh",
        "5",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tariff NEG") && err.contains("elements[0].price_components[0].price") && err.contains("negative"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    std::fs::remove_file(f).ok();

    let f = temp_file("garbage.json", "not json");
    let out = run(&[
        "--tariff",
        f.to_str().unwrap(),
        "--tz",
        "Europe/Berlin",
        "--start",
        "2026-06-09T10:00:00Z",
        "--end",
        "2026-06-09T11:00:00Z",
        "--kw",
        "10",
        "--kwh",
        "5",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    std::fs::remove_file(f).ok();
}

#[test]
fn bad_arguments_and_unknown_prices_fail_with_a_reason() {
    let f = fixture("tariff_4_complex.json");
    let f = f.to_str().unwrap();
    let base = [
        "--tariff",
        f,
        "--tz",
        "Europe/Berlin",
        "--start",
        "2026-06-09T10:00:00+02:00",
        "--end",
        "2026-06-09T11:00:00+02:00",
        "--kw",
        "11",
        "--kwh",
        "50",
    ];
    // Tariff 4 has current restrictions: without --amps there is no honest price …
    let out = run(&base);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("current"));
    // … with it there is: charging the whole hour (50 kWh at 11 kW would take longer) at
    // 1.00/h (< 32 A): 2.50 + 1.00 = 3.50; incl. 2.875 + 1.20 = 4.075 → 4.08.
    let mut with_amps = base.to_vec();
    with_amps.extend(["--amps", "16"]);
    let out = run(&with_amps);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["total_excl_vat"].as_str(), v["total_incl_vat"].as_str()), (Some("3.50"), Some("4.08")));
    let out = run(&["--tariff", f, "--tz", "Mars/Olympus", "--start", "x", "--end", "y", "--kw", "1", "--kwh", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mars/Olympus"));
    let out = run(&["--tariff", f]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing --tz"));
}
