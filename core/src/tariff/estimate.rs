//! The engine: a [`Session`] priced by a [`Tariff`], the OCPI 2.2.1 way.
//!
//! 1. The session is cut into periods wherever a restriction could change its answer: at local
//!    time-of-day boundaries the tariff names (and at local midnight when it restricts dates or
//!    weekdays), at every `min_duration`/`max_duration`, at the instant each `min_kwh`/`max_kwh`
//!    is reached, between charging steps (power changes) and where charging ends.
//! 2. In each period, for each dimension, the **first** element that has a component of that
//!    dimension and whose restrictions all match the state at the period's start prices it:
//!    `ENERGY` the kWh of the period, `TIME` its seconds if charging, `PARKING_TIME` its
//!    seconds if parked. `FLAT` is charged once, from the first period in which one matches.
//!    A quantity no element prices is free (that is the rule), and is reported in the notes.
//! 3. `step_size` rounds *totals*, once, as the spec's worked examples do: all `ENERGY` with the
//!    step of the last energy line; and of `TIME` and `PARKING_TIME` only the dimension the
//!    session ended in (parking, if it parked), with the step of its last line. The surplus is
//!    priced at that last line's price.
//! 4. VAT per line. A line without VAT (omitted ≠ 0 %) makes the incl.-VAT total unknown
//!    (`None`, with a note) unless the line costs nothing.
//! 5. `min_price`/`max_price` bound both totals. A bound without `incl_vat` that changes the
//!    excl.-VAT total leaves the incl.-VAT total unknown.
//! 6. Totals are rounded to cents (half away from zero) once, at the end; lines stay exact.
//!
//! Reservations are priced apart, by reservation elements only (`RESERVATION`; for an expired
//! one, `RESERVATION_EXPIRES` first), as one period at the reservation's start; the session is
//! priced by the elements without a reservation restriction.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::matching::{clock_at, why_not, State};
use super::model::{Dimension, Tariff};
use super::notes::Note;
use super::periods::{price_reservation, price_session, to_duration, Acc};
use super::session::Session;

/// The longest session priced: longer ones are almost certainly input errors.
pub const MAX_SESSION_S: i64 = 31 * 24 * 3600;

/// One priced quantity: a dimension, priced by one element, summed over the periods it priced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub dimension: Dimension,
    /// Index into [`Tariff::elements`].
    pub element: usize,
    /// Priced as part of a reservation.
    pub reservation: bool,
    /// Excl. VAT, per kWh / hour / session.
    pub price: Decimal,
    pub vat: Option<Decimal>,
    pub step_size: u32,
    /// kWh (`ENERGY`), seconds (`TIME`, `PARKING_TIME`) or 1 (`FLAT`), after step rounding.
    pub quantity: Decimal,
    pub excl_vat: Decimal,
    pub incl_vat: Option<Decimal>,
}

/// The cost of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionCost {
    pub dimension: Dimension,
    /// kWh, seconds, or the number of flat fees.
    pub quantity: Decimal,
    pub excl_vat: Decimal,
    pub incl_vat: Option<Decimal>,
}

/// Which price limit changed the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    MinPrice,
    MaxPrice,
}

/// The price of a session under one tariff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub tariff_id: String,
    pub currency: String,
    /// Rounded to cents.
    pub excl_vat: Decimal,
    /// Rounded to cents; `None` when a component's VAT is unknown.
    pub incl_vat: Option<Decimal>,
    pub energy_kwh: Decimal,
    pub charging_s: Decimal,
    pub parking_s: Decimal,
    pub reservation_s: Decimal,
    /// Per dimension, in the order FLAT, ENERGY, TIME, PARKING_TIME; only those priced.
    pub dimensions: Vec<DimensionCost>,
    pub lines: Vec<Line>,
    /// The min/max price that bound the total, if any.
    pub limited_by: Option<Limit>,
    /// What a driver or a support desk should know: unpriced quantities, unknown VAT, validity.
    pub notes: Vec<Note>,
}

/// Why there is no price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceUnknown {
    pub tariff_id: String,
    pub reason: String,
}

impl std::fmt::Display for PriceUnknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "price unknown under tariff {}: {}", self.tariff_id, self.reason)
    }
}

impl std::error::Error for PriceUnknown {}

/// Prices `session` under `tariff`. An `Err` says why no honest price can be given.
///
/// ```
/// use chargefinder::tariff::{estimate, Session, Tariff};
/// use rust_decimal::Decimal;
/// let t = Tariff::from_json(br#"{"id":"T","currency":"EUR","elements":[{"price_components":[
///     {"type":"ENERGY","price":0.25,"vat":10,"step_size":1},
///     {"type":"FLAT","price":0.50,"vat":20,"step_size":1}]}]}"#).unwrap();
/// let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
/// let start: jiff::Timestamp = "2026-06-09T08:00:00Z".parse().unwrap();
/// let s = Session::constant_power(start, tz, Decimal::from(11), Decimal::from(20), Decimal::ZERO).unwrap();
/// let e = estimate(&t, &s).unwrap();
/// assert_eq!(e.excl_vat.to_string(), "5.50"); // 0.50 + 20 × 0.25
/// assert_eq!(e.incl_vat.unwrap().to_string(), "6.10"); // 0.60 + 5.50
/// ```
pub fn estimate(tariff: &Tariff, session: &Session) -> Result<Estimate, PriceUnknown> {
    let unknown = |reason: String| PriceUnknown { tariff_id: tariff.id.clone(), reason };
    check_session(session).map_err(|r| unknown(r.to_string()))?;
    let mut acc = Acc::default();
    let mut any_match = false;

    if let Some(res) = session.reservation {
        any_match |= price_reservation(tariff, session, res, &mut acc).map_err(&unknown)?;
    }
    let expired = session.reservation.is_some_and(|r| r.expired);
    if !expired {
        any_match |= price_session(tariff, session, &mut acc).map_err(&unknown)?;
    } else if !session.total_s().is_zero() {
        return Err(unknown("an expired reservation cannot be followed by a session".into()));
    }
    if !any_match {
        return Err(unknown(nothing_applies(tariff, session)));
    }
    finish(tariff, session, acc).map_err(unknown)
}

/// Why no element applies, from the state at the session's start.
fn nothing_applies(tariff: &Tariff, session: &Session) -> String {
    let st = State {
        clock: Some(clock_at(session, session.start)),
        duration_s: Decimal::ZERO,
        energy_kwh: Decimal::ZERO,
        power_kw: session.charging.first().map_or(Decimal::ZERO, |s| s.power_kw()),
        current_a: session.current_a,
    };
    let mut fields: Vec<&str> = Vec::new();
    for e in &tariff.elements {
        let why = match e.restrictions.reservation {
            Some(_) => Ok(Some("reservation")),
            None => why_not(&e.restrictions, &st),
        };
        if let Ok(Some(f)) = why {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
    }
    format!("no tariff element applies to this session (restrictions not met: {})", fields.join(", "))
}

fn check_session(s: &Session) -> Result<(), &'static str> {
    let max = Decimal::from(MAX_SESSION_S);
    let res_s = s.reservation.map_or(Decimal::ZERO, |r| r.duration_s);
    if s.parking_s.is_sign_negative() || res_s.is_sign_negative() {
        return Err("negative parking or reservation time");
    }
    if s.parking_s > max || res_s > max || s.charging.len() > 10_000 {
        return Err("session longer than 31 days");
    }
    for step in &s.charging {
        if step.duration_s <= Decimal::ZERO || step.energy_kwh.is_sign_negative() {
            return Err("a charging step needs a positive duration and non-negative energy");
        }
        if step.energy_kwh > Decimal::from(100_000) || step.duration_s > Decimal::from(MAX_SESSION_S) {
            return Err("more than 100 MWh or 31 days in one session");
        }
        if step.duration_s < Decimal::new(1, 3)
            || step.energy_kwh * Decimal::from(3600) > step.duration_s * Decimal::from(100_000)
        {
            return Err("a charging step shorter than 1 ms or above 100 MW");
        }
    }
    if s.total_s() + res_s > max {
        return Err("session longer than 31 days");
    }
    if s.current_a.is_some_and(|a| a.is_sign_negative()) {
        return Err("negative current");
    }
    let span = to_duration(s.total_s() + res_s);
    if s.start.checked_add(span).is_err() || s.start.checked_sub(span).is_err() {
        return Err("session outside the supported calendar");
    }
    Ok(())
}

fn finish(tariff: &Tariff, session: &Session, mut acc: Acc) -> Result<Estimate, String> {
    let overflow = || "amount too large to compute".to_string();
    let hour = Decimal::from(3600);
    let mut excl = Decimal::ZERO;
    let mut incl = Some(Decimal::ZERO);
    let mut dims: Vec<DimensionCost> = Vec::new();
    let mut vat_unknown: Vec<Dimension> = Vec::new();
    acc.lines.sort_by_key(|l| (l.dimension.index(), !l.reservation, l.element));
    for l in &mut acc.lines {
        l.excl_vat = match l.dimension {
            Dimension::Flat => l.price,
            Dimension::Energy => l.price.checked_mul(l.quantity).ok_or_else(overflow)?,
            Dimension::Time | Dimension::ParkingTime => {
                l.price.checked_mul(l.quantity).ok_or_else(overflow)?.checked_div(hour).ok_or_else(overflow)?
            }
        };
        l.incl_vat = match l.vat {
            Some(v) => Some(l.excl_vat.checked_mul(Decimal::ONE + v / Decimal::ONE_HUNDRED).ok_or_else(overflow)?),
            None if l.excl_vat.is_zero() => Some(Decimal::ZERO),
            None => {
                if !vat_unknown.contains(&l.dimension) {
                    vat_unknown.push(l.dimension);
                }
                None
            }
        };
        excl = excl.checked_add(l.excl_vat).ok_or_else(overflow)?;
        incl = match (incl, l.incl_vat) {
            (Some(a), Some(b)) => Some(a.checked_add(b).ok_or_else(overflow)?),
            _ => None,
        };
        match dims.iter_mut().find(|d| d.dimension == l.dimension) {
            Some(d) => {
                d.quantity += l.quantity;
                d.excl_vat += l.excl_vat;
                d.incl_vat = d.incl_vat.zip(l.incl_vat).map(|(a, b)| a + b);
            }
            None => dims.push(DimensionCost {
                dimension: l.dimension,
                quantity: l.quantity,
                excl_vat: l.excl_vat,
                incl_vat: l.incl_vat,
            }),
        }
    }
    for l in &mut acc.lines {
        l.quantity = l.quantity.normalize();
        l.excl_vat = l.excl_vat.normalize();
        l.incl_vat = l.incl_vat.map(|v| v.normalize());
    }
    for d in &mut dims {
        d.quantity = d.quantity.normalize();
        d.excl_vat = d.excl_vat.normalize();
        d.incl_vat = d.incl_vat.map(|v| v.normalize());
    }
    if !vat_unknown.is_empty() {
        acc.notes.push(Note::VatUnknown { dimensions: vat_unknown });
    }
    for dim in Dimension::ALL {
        let gap = acc.gaps[dim.index()];
        if gap > Decimal::ZERO {
            acc.notes.push(Note::Unpriced { dimension: dim, quantity: gap.normalize() });
        }
    }

    // Price limits: both the excl. and the incl. VAT bound apply (OCPI).
    let mut limited_by = None;
    if let Some(min) = tariff.min_price {
        if excl < min.excl_vat {
            excl = min.excl_vat;
            limited_by = Some(Limit::MinPrice);
            if min.incl_vat.is_none() && incl.is_some() {
                acc.notes.push(Note::LimitWithoutInclVat { limit: Limit::MinPrice });
                incl = None;
            }
        }
        if let (Some(i), Some(m)) = (incl, min.incl_vat) {
            if i < m {
                incl = Some(m);
                limited_by = Some(Limit::MinPrice);
            }
        }
    }
    if let Some(max) = tariff.max_price {
        if excl > max.excl_vat {
            excl = max.excl_vat;
            limited_by = Some(Limit::MaxPrice);
            if max.incl_vat.is_none() && incl.is_some() {
                acc.notes.push(Note::LimitWithoutInclVat { limit: Limit::MaxPrice });
                incl = None;
            }
        }
        if let (Some(i), Some(m)) = (incl, max.incl_vat) {
            if i > m {
                incl = Some(m);
                limited_by = Some(Limit::MaxPrice);
            }
        }
    }
    if !tariff.warnings.is_empty() {
        acc.notes.push(Note::ElementsLeftOut { count: tariff.warnings.len() });
    }
    if tariff.start_date_time.is_some_and(|t| session.start < t) {
        acc.notes.push(Note::NotYetValid);
    }
    if tariff.end_date_time.is_some_and(|t| session.start >= t) {
        acc.notes.push(Note::Expired);
    }
    let cents = |d: Decimal| {
        let mut c = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        c.rescale(2);
        c
    };
    Ok(Estimate {
        tariff_id: tariff.id.clone(),
        currency: tariff.currency.clone(),
        excl_vat: cents(excl),
        incl_vat: incl.map(cents),
        energy_kwh: if session.reservation.is_some_and(|r| r.expired) { Decimal::ZERO } else { session.energy_kwh() },
        charging_s: session.charging_s(),
        parking_s: session.parking_s,
        reservation_s: session.reservation.map_or(Decimal::ZERO, |r| r.duration_s),
        dimensions: dims,
        lines: acc.lines,
        limited_by,
        notes: acc.notes,
    })
}
