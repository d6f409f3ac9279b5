//! The one conversion: wire JSON → validated [`Tariff`], with errors naming tariff and field.
//!
//! Tolerated (real feeds do this): numbers sent as text, decimal commas, enum values in any
//! letter case, `null` for any optional field, a missing or `0` `step_size` (no rounding), an
//! empty `day_of_week` list (every day), an OCPI envelope around a list or a single tariff.
//!
//! Refused, because pricing with them would make a price up: no elements, an element without
//! price components, an unknown dimension, a negative or non-numeric price, VAT outside
//! 0–100 %, a malformed time or date, restrictions that can never match (`min >= max`,
//! `start_date >= end_date`), and a reservation element pricing `ENERGY` or `PARKING_TIME`.

use std::str::FromStr;

use jiff::civil::Date;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::model::{
    Dimension, PriceComponent, PriceLimit, ReservationRestriction, Restrictions, Tariff, TariffElement,
};
use super::wire::{WireElement, WirePrice, WirePriceComponent, WireRestrictions, WireTariff};
use crate::ocpi::{kind_of, payload_items, Text};

/// The highest price accepted for a component or limit, in the tariff's currency.
pub const MAX_PRICE: u32 = 1_000_000;

/// Why a tariff could not be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TariffError {
    /// The tariff's `id`, when it has one.
    pub tariff_id: Option<String>,
    /// JSON path inside the tariff, e.g. `elements[1].price_components[0].price`.
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for TariffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.tariff_id, self.path.is_empty()) {
            (Some(id), false) => write!(f, "tariff {id}: {}: {}", self.path, self.reason),
            (Some(id), true) => write!(f, "tariff {id}: {}", self.reason),
            (None, false) => write!(f, "tariff without id: {}: {}", self.path, self.reason),
            (None, true) => write!(f, "tariff: {}", self.reason),
        }
    }
}

impl std::error::Error for TariffError {}

/// A list of tariffs read tolerantly: every tariff that converts, and every one that did not.
#[derive(Debug, Clone, Default)]
pub struct Tariffs {
    pub tariffs: Vec<Tariff>,
    pub errors: Vec<TariffError>,
}

/// Reads tariffs from JSON bytes: an OCPI envelope, `{"data": …}`, a bare array or one tariff.
/// Only unreadable input (not JSON, no tariff list) is an `Err`; bad tariffs land in
/// [`Tariffs::errors`].
pub fn parse_tariffs(json: &[u8]) -> Result<Tariffs, TariffError> {
    let root: Value = serde_json::from_slice(json).map_err(|e| whole(format!("not valid JSON: {e}")))?;
    let items = payload_items(root).map_err(whole)?;
    let mut out = Tariffs::default();
    for item in items {
        match Tariff::from_value(item) {
            Ok(t) => out.tariffs.push(t),
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

fn whole(reason: String) -> TariffError {
    TariffError { tariff_id: None, path: String::new(), reason }
}

impl Tariff {
    /// Reads exactly one tariff from JSON bytes: a bare Tariff object or an OCPI envelope whose
    /// `data` is one tariff (or a list of exactly one).
    pub fn from_json(json: &[u8]) -> Result<Tariff, TariffError> {
        let root: Value = serde_json::from_slice(json).map_err(|e| whole(format!("not valid JSON: {e}")))?;
        let mut items = payload_items(root).map_err(whole)?;
        match items.len() {
            1 => Tariff::from_value(items.remove(0)),
            n => Err(whole(format!("expected one tariff, found {n}"))),
        }
    }

    /// Converts one tariff given as JSON.
    pub fn from_value(item: Value) -> Result<Tariff, TariffError> {
        let raw_id = item.get("id").and_then(|v| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        let wire: WireTariff = serde_path_to_error::deserialize(&item).map_err(|e| TariffError {
            tariff_id: raw_id.clone(),
            path: e.path().to_string(),
            reason: e.inner().to_string(),
        })?;
        Tariff::from_wire(wire)
    }

    /// The validation proper; see the module documentation for what is tolerated and refused.
    pub fn from_wire(w: WireTariff) -> Result<Tariff, TariffError> {
        let id = Text::non_empty(&w.id);
        let cx = Cx { id: id.clone() };
        let id = id.ok_or_else(|| cx.err("id", "missing tariff id"))?;
        let currency = Text::non_empty(&w.currency).ok_or_else(|| cx.err("currency", "missing currency"))?;
        let currency = currency.to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(cx.err("currency", format!("{currency:?} is not an ISO 4217 code")));
        }
        let elements_raw = w.elements.unwrap_or_default();
        if elements_raw.is_empty() {
            return Err(cx.err("elements", "no tariff elements: nothing to price with"));
        }
        let mut elements = Vec::with_capacity(elements_raw.len());
        let mut warnings = Vec::new();
        for (i, raw) in elements_raw.into_iter().enumerate() {
            let path = format!("elements[{i}]");
            let element = cx.element(&path, raw)?;
            // An element that can never match cannot change any price: leave it out and say so.
            // (Dynamic NL tariffs send `start_date == end_date` for "that day", which OCPI's
            // exclusive `end_date` makes an empty range; guessing the intent would be making a
            // price up.)
            match never_matches(&element.restrictions) {
                Some((field, reason)) => warnings.push(cx.err(&format!("{path}.restrictions.{field}"), reason)),
                None => elements.push(element),
            }
        }
        if elements.is_empty() {
            return Err(match warnings.pop() {
                Some(mut w) => {
                    w.reason = format!("no element can ever match (last: {})", w.reason);
                    w
                }
                None => cx.err("elements", "no tariff elements"),
            });
        }
        let min_price = w.min_price.map(|v| cx.price_limit("min_price", v)).transpose()?.flatten();
        let max_price = w.max_price.map(|v| cx.price_limit("max_price", v)).transpose()?.flatten();
        if let (Some(lo), Some(hi)) = (min_price, max_price) {
            let incl_above = matches!((lo.incl_vat, hi.incl_vat), (Some(l), Some(h)) if l > h);
            if lo.excl_vat > hi.excl_vat || incl_above {
                return Err(cx.err("min_price", "min_price is above max_price"));
            }
        }
        let alt_text = w
            .tariff_alt_text
            .unwrap_or_default()
            .iter()
            .filter_map(|t| {
                let lang = t.get("language")?.as_str()?.trim().to_ascii_lowercase();
                let text = t.get("text")?.as_str()?.trim().to_string();
                (!text.is_empty()).then_some((lang, text))
            })
            .collect();
        Ok(Tariff {
            id,
            country_code: Text::non_empty(&w.country_code),
            party_id: Text::non_empty(&w.party_id),
            currency,
            kind: Text::non_empty(&w.kind).map(|k| k.to_ascii_uppercase()),
            alt_text,
            min_price,
            max_price,
            elements,
            start_date_time: cx.timestamp("start_date_time", &w.start_date_time)?,
            end_date_time: cx.timestamp("end_date_time", &w.end_date_time)?,
            warnings,
        })
    }
}

struct Cx {
    id: Option<String>,
}

impl Cx {
    fn err(&self, path: &str, reason: impl Into<String>) -> TariffError {
        TariffError { tariff_id: self.id.clone(), path: path.to_string(), reason: reason.into() }
    }

    fn element(&self, path: &str, raw: Value) -> Result<TariffElement, TariffError> {
        let w: WireElement = serde_path_to_error::deserialize(&raw)
            .map_err(|e| self.err(&format!("{path}.{}", e.path()), e.inner().to_string()))?;
        let raw_components = w.price_components.unwrap_or_default();
        if raw_components.is_empty() {
            return Err(self.err(&format!("{path}.price_components"), "an element without price components"));
        }
        let mut components: Vec<PriceComponent> = Vec::with_capacity(raw_components.len());
        for (j, c) in raw_components.into_iter().enumerate() {
            let cpath = format!("{path}.price_components[{j}]");
            let c = self.component(&cpath, c)?;
            // OCPI allows one component per dimension per element; a second one can never be
            // reached by "the first component of that dimension", so it is an error, not noise.
            if components.iter().any(|k| k.dimension == c.dimension) {
                return Err(self.err(&cpath, format!("a second {} component in one element", c.dimension.as_str())));
            }
            components.push(c);
        }
        let restrictions = match w.restrictions {
            Some(r) => self.restrictions(&format!("{path}.restrictions"), r)?,
            None => Restrictions::default(),
        };
        if restrictions.reservation.is_some() {
            if let Some(c) =
                components.iter().find(|c| matches!(c.dimension, Dimension::Energy | Dimension::ParkingTime))
            {
                return Err(self.err(
                    &format!("{path}.price_components"),
                    format!("a reservation element may only price FLAT and TIME, not {}", c.dimension.as_str()),
                ));
            }
        }
        Ok(TariffElement { components, restrictions })
    }

    fn component(&self, path: &str, raw: Value) -> Result<PriceComponent, TariffError> {
        let w: WirePriceComponent = serde_path_to_error::deserialize(&raw)
            .map_err(|e| self.err(&format!("{path}.{}", e.path()), e.inner().to_string()))?;
        let dim =
            Text::non_empty(&w.dimension).ok_or_else(|| self.err(&format!("{path}.type"), "missing dimension"))?;
        let dimension = match dim.to_ascii_uppercase().replace([' ', '-'], "_").as_str() {
            "ENERGY" => Dimension::Energy,
            "FLAT" => Dimension::Flat,
            "TIME" => Dimension::Time,
            "PARKING_TIME" | "PARKINGTIME" => Dimension::ParkingTime,
            _ => return Err(self.err(&format!("{path}.type"), format!("unknown dimension {dim:?}"))),
        };
        let price = self
            .decimal(&format!("{path}.price"), w.price.as_ref())?
            .ok_or_else(|| self.err(&format!("{path}.price"), "missing price"))?;
        if price.is_sign_negative() && !price.is_zero() {
            return Err(self.err(&format!("{path}.price"), format!("negative price {price}")));
        }
        // Keeps every later product far from Decimal's range; no real tariff comes near.
        if price > Decimal::from(MAX_PRICE) {
            return Err(self.err(&format!("{path}.price"), format!("implausible price {price}")));
        }
        let vat = self.decimal(&format!("{path}.vat"), w.vat.as_ref())?;
        if let Some(v) = vat {
            if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
                return Err(self.err(&format!("{path}.vat"), format!("VAT {v} % is not a percentage")));
            }
        }
        let step_size = match self.decimal(&format!("{path}.step_size"), w.step_size.as_ref())? {
            None => 1,
            Some(s) if s.is_sign_negative() && !s.is_zero() => {
                return Err(self.err(&format!("{path}.step_size"), format!("negative step_size {s}")))
            }
            Some(s) => s
                .ceil()
                .to_string()
                .parse::<u32>()
                .map_err(|_| self.err(&format!("{path}.step_size"), format!("step_size {s} is too large")))?,
        };
        Ok(PriceComponent { dimension, price: price.normalize(), vat: vat.map(|v| v.normalize()), step_size })
    }

    fn restrictions(&self, path: &str, w: WireRestrictions) -> Result<Restrictions, TariffError> {
        let p = |f: &str| format!("{path}.{f}");
        let non_negative = |f: &str, v: Option<&Value>| -> Result<Option<Decimal>, TariffError> {
            match self.decimal(&p(f), v)? {
                Some(d) if d.is_sign_negative() && !d.is_zero() => Err(self.err(&p(f), format!("negative value {d}"))),
                d => Ok(d.map(|d| d.normalize())),
            }
        };
        let seconds = |f: &str, v: Option<&Value>| -> Result<Option<u64>, TariffError> {
            non_negative(f, v)?
                .map(|d| {
                    d.ceil().to_string().parse::<u64>().map_err(|_| self.err(&p(f), format!("{d} is not a duration")))
                })
                .transpose()
        };
        let r = Restrictions {
            start_time: self.time_of_day(&p("start_time"), &w.start_time)?,
            end_time: self.time_of_day(&p("end_time"), &w.end_time)?,
            start_date: self.date(&p("start_date"), &w.start_date)?,
            end_date: self.date(&p("end_date"), &w.end_date)?,
            min_kwh: non_negative("min_kwh", w.min_kwh.as_ref())?,
            max_kwh: non_negative("max_kwh", w.max_kwh.as_ref())?,
            min_current_a: non_negative("min_current", w.min_current.as_ref())?,
            max_current_a: non_negative("max_current", w.max_current.as_ref())?,
            min_power_kw: non_negative("min_power", w.min_power.as_ref())?,
            max_power_kw: non_negative("max_power", w.max_power.as_ref())?,
            min_duration_s: seconds("min_duration", w.min_duration.as_ref())?,
            max_duration_s: seconds("max_duration", w.max_duration.as_ref())?,
            days: self.days(&p("day_of_week"), w.day_of_week.as_ref())?,
            reservation: match Text::non_empty(&w.reservation) {
                None => None,
                Some(s) => Some(match s.to_ascii_uppercase().as_str() {
                    "RESERVATION" => ReservationRestriction::Reservation,
                    "RESERVATION_EXPIRES" => ReservationRestriction::ReservationExpires,
                    _ => return Err(self.err(&p("reservation"), format!("unknown reservation restriction {s:?}"))),
                }),
            },
        };
        Ok(r)
    }

    fn decimal(&self, path: &str, v: Option<&Value>) -> Result<Option<Decimal>, TariffError> {
        let s = match v {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => s.trim().replace(',', "."),
            Some(other) => return Err(self.err(path, format!("expected a number, found {}", kind_of(other)))),
        };
        Decimal::from_str(&s)
            .or_else(|_| Decimal::from_scientific(&s))
            .map(Some)
            .map_err(|_| self.err(path, format!("{s:?} is not a number")))
    }

    fn time_of_day(&self, path: &str, t: &Option<Text>) -> Result<Option<u16>, TariffError> {
        let Some(s) = Text::non_empty(t) else { return Ok(None) };
        let bad = || self.err(path, format!("{s:?} is not a time of day (HH:MM)"));
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        // Tolerate seconds ("07:00:00"), which some feeds send.
        let m = m.split(':').next().unwrap_or(m);
        let h: u16 = h.trim().parse().map_err(|_| bad())?;
        let m: u16 = m.trim().parse().map_err(|_| bad())?;
        if m > 59 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        // "24:00" is the end of the day, which OCPI spells "00:00".
        Ok(Some((h * 60 + m) % 1440))
    }

    fn date(&self, path: &str, t: &Option<Text>) -> Result<Option<Date>, TariffError> {
        let Some(s) = Text::non_empty(t) else { return Ok(None) };
        Date::from_str(&s).map(Some).map_err(|_| self.err(path, format!("{s:?} is not a date (YYYY-MM-DD)")))
    }

    fn timestamp(&self, path: &str, t: &Option<Text>) -> Result<Option<Timestamp>, TariffError> {
        let Some(s) = Text::non_empty(t) else { return Ok(None) };
        // OCPI DateTimes are UTC; some feeds leave out the `Z`.
        Timestamp::from_str(&s)
            .or_else(|_| Timestamp::from_str(&format!("{s}Z")))
            .map(Some)
            .map_err(|_| self.err(path, format!("{s:?} is not an RFC 3339 date-time")))
    }

    fn days(&self, path: &str, v: Option<&Value>) -> Result<u8, TariffError> {
        let items = match v {
            None | Some(Value::Null) => return Ok(0),
            Some(Value::Array(items)) => items.as_slice(),
            Some(other @ Value::String(_)) => std::slice::from_ref(other),
            Some(other) => return Err(self.err(path, format!("expected a list of weekdays, found {}", kind_of(other)))),
        };
        let mut days = 0u8;
        for (i, d) in items.iter().enumerate() {
            let name = d.as_str().unwrap_or_default().trim().to_ascii_uppercase();
            let bit = match name.as_str() {
                "MONDAY" => 0,
                "TUESDAY" => 1,
                "WEDNESDAY" => 2,
                "THURSDAY" => 3,
                "FRIDAY" => 4,
                "SATURDAY" => 5,
                "SUNDAY" => 6,
                _ => return Err(self.err(&format!("{path}[{i}]"), format!("unknown weekday {d}"))),
            };
            days |= 1 << bit;
        }
        // All seven days is the same as no restriction.
        Ok(if days == 0x7f { 0 } else { days })
    }

    fn price_limit(&self, path: &str, v: Value) -> Result<Option<PriceLimit>, TariffError> {
        if v.is_null() {
            return Ok(None);
        }
        let w: WirePrice = serde_json::from_value(v).map_err(|e| self.err(path, e.to_string()))?;
        let excl = self.decimal(&format!("{path}.excl_vat"), w.excl_vat.as_ref())?;
        let incl = self.decimal(&format!("{path}.incl_vat"), w.incl_vat.as_ref())?;
        let Some(excl_vat) = excl else {
            return Err(self.err(&format!("{path}.excl_vat"), "missing excl_vat"));
        };
        for (f, d) in [("excl_vat", Some(excl_vat)), ("incl_vat", incl)] {
            if d.is_some_and(|d| d.is_sign_negative() && !d.is_zero()) {
                return Err(self.err(&format!("{path}.{f}"), "negative price limit"));
            }
            if d.is_some_and(|d| d > Decimal::from(MAX_PRICE)) {
                return Err(self.err(&format!("{path}.{f}"), "implausible price limit"));
            }
        }
        if incl.is_some_and(|i| i < excl_vat) {
            return Err(self.err(&format!("{path}.incl_vat"), "incl_vat is below excl_vat"));
        }
        Ok(Some(PriceLimit { excl_vat, incl_vat: incl }))
    }
}

/// The field and reason when restrictions can never all hold.
fn never_matches(r: &Restrictions) -> Option<(&'static str, String)> {
    let pair = |lo: Option<Decimal>, hi: Option<Decimal>| match (lo, hi) {
        (Some(lo), Some(hi)) if lo >= hi => Some(format!("min {lo} >= max {hi}: never matches")),
        (_, Some(hi)) if hi.is_zero() => Some("a maximum of 0: never matches".to_string()),
        _ => None,
    };
    let secs = |d: Option<u64>| d.map(Decimal::from);
    if let Some(why) = pair(r.min_kwh, r.max_kwh) {
        return Some(("max_kwh", why));
    }
    if let Some(why) = pair(r.min_current_a, r.max_current_a) {
        return Some(("max_current", why));
    }
    if let Some(why) = pair(r.min_power_kw, r.max_power_kw) {
        return Some(("max_power", why));
    }
    if let Some(why) = pair(secs(r.min_duration_s), secs(r.max_duration_s)) {
        return Some(("max_duration", why));
    }
    match (r.start_date, r.end_date) {
        (Some(a), Some(b)) if a >= b => {
            Some(("end_date", format!("start_date {a} >= end_date {b} (end_date is exclusive): never matches")))
        }
        _ => None,
    }
}
