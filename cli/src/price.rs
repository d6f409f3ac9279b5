//! `chargefinder price`: one session priced under one OCPI tariff, as JSON.
//!
//! The session charges at constant power `--kw` from `--start` until `--kwh` are delivered or
//! `--end` comes, whichever is first, then stays parked until `--end`. Times are RFC 3339 with
//! an offset; `--tz` is the location's IANA time zone, which tariff restrictions are read in.

use std::str::FromStr;

use chargefinder::tariff::{describe, estimate, Language, Session, Tariff};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;

const USAGE: &str = "usage: chargefinder price --tariff FILE --tz ZONE --start TIME --end TIME --kw P --kwh E [--amps A] [--lang en|nl|de|fr]
  FILE   an OCPI 2.2.1 Tariff: a bare object or an OCPI envelope around one
  ZONE   the location's IANA time zone, e.g. Europe/Amsterdam
  TIME   RFC 3339 with offset, e.g. 2026-06-09T10:00:00+02:00
  P, E   charging power in kW and energy wanted in kWh (decimals with a point)
  A      charging current in A (summed over phases), for tariffs with current restrictions";

pub fn run(args: &[String]) -> Result<(), String> {
    let mut opts = std::collections::HashMap::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let name = flag.strip_prefix("--").ok_or_else(|| format!("unexpected argument {flag:?}\n{USAGE}"))?;
        if !matches!(name, "tariff" | "tz" | "start" | "end" | "kw" | "kwh" | "amps" | "lang") {
            return Err(format!("unknown option --{name}\n{USAGE}"));
        }
        let value = it.next().ok_or_else(|| format!("--{name} needs a value\n{USAGE}"))?;
        opts.insert(name, value.as_str());
    }
    let need = |name: &str| opts.get(name).copied().ok_or_else(|| format!("missing --{name}\n{USAGE}"));
    let file = need("tariff")?;
    let tz = TimeZone::get(need("tz")?).map_err(|e| format!("--tz {:?}: {e}", need("tz").unwrap_or_default()))?;
    let time = |name: &str| -> Result<Timestamp, String> {
        let v = need(name)?;
        Timestamp::from_str(v).map_err(|e| format!("--{name} {v:?} is not an RFC 3339 time with offset: {e}"))
    };
    let (start, end) = (time("start")?, time("end")?);
    let number = |name: &str| -> Result<Decimal, String> {
        let v = need(name)?;
        Decimal::from_str(v).map_err(|_| format!("--{name} {v:?} is not a number"))
    };
    let (kw, kwh) = (number("kw")?, number("kwh")?);
    let lang = match opts.get("lang") {
        Some(l) => Language::parse(l).ok_or_else(|| format!("--lang {l:?}: use en, nl, de or fr"))?,
        None => Language::En,
    };

    let raw = std::fs::read(file).map_err(|e| format!("cannot read tariff {file}: {e}"))?;
    let tariff = Tariff::from_json(&raw).map_err(|e| format!("cannot use tariff {file}: {e}"))?;
    let mut session = Session::until(start, end, tz, kw, kwh)
        .ok_or("the session needs --end not before --start, --kw above 0 and --kwh not negative")?;
    if opts.contains_key("amps") {
        session = session.with_current_a(number("amps")?);
    }
    let e = estimate(&tariff, &session).map_err(|e| e.to_string())?;
    let out = serde_json::json!({
        "tariff_id": e.tariff_id,
        "currency": e.currency,
        "total_excl_vat": e.excl_vat,
        "total_incl_vat": e.incl_vat,
        "energy_kwh": e.energy_kwh.round_dp(3).normalize(),
        "charging_s": e.charging_s.round_dp(0),
        "parked_s": e.parking_s.round_dp(0),
        "dimensions": e.dimensions,
        "limited_by": e.limited_by,
        "notes": e.notes.iter().map(|n| n.text(lang)).collect::<Vec<_>>(),
        "tariff_in_words": describe(&tariff, lang),
    });
    let s = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
    println!("{s}");
    Ok(())
}
