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

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::model::{Dimension, PriceComponent, ReservationRestriction, Restrictions, Tariff, TariffElement};
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
    pub notes: Vec<String>,
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
/// let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
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
        if step.duration_s < Decimal::new(1, 3) || step.energy_kwh * Decimal::from(3600) > step.duration_s * Decimal::from(100_000) {
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

/// The state at the start of a period: what restrictions are checked against.
struct State {
    /// Local date, ISO weekday bit, and seconds since local midnight; only when needed.
    clock: Option<(Date, u8, i64)>,
    duration_s: Decimal,
    energy_kwh: Decimal,
    power_kw: Decimal,
    current_a: Option<Decimal>,
}

fn clock_at(session: &Session, ts: Timestamp) -> (Date, u8, i64) {
    let dt = session.time_zone.to_datetime(ts);
    let t = dt.time();
    let sod = i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second());
    let bit = 1u8 << (dt.date().weekday().to_monday_zero_offset());
    (dt.date(), bit, sod)
}

/// Does the element apply? `Err` when it cannot be decided from what the session says.
fn matches(r: &Restrictions, st: &State) -> Result<bool, String> {
    Ok(why_not(r, st)?.is_none())
}

/// The first restriction that does not hold (`None`: the element applies).
fn why_not(r: &Restrictions, st: &State) -> Result<Option<&'static str>, String> {
    if let Some((date, day, sod)) = st.clock {
        if r.start_date.is_some_and(|d| date < d) || r.end_date.is_some_and(|d| date >= d) {
            return Ok(Some("start_date/end_date"));
        }
        if let Some((from, to)) = r.time_window() {
            let (from, to) = (i64::from(from) * 60, i64::from(to) * 60);
            let inside = (from <= sod && sod < to) || (to > 86_400 && sod < to - 86_400);
            if !inside {
                return Ok(Some("start_time/end_time"));
            }
        }
        if r.days != 0 && r.days & day == 0 {
            return Ok(Some("day_of_week"));
        }
    }
    let within = |v: Decimal, lo: Option<Decimal>, hi: Option<Decimal>| lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v < hi);
    if !within(st.energy_kwh, r.min_kwh, r.max_kwh) {
        return Ok(Some("min_kwh/max_kwh"));
    }
    if !within(st.power_kw, r.min_power_kw, r.max_power_kw) {
        return Ok(Some("min_power/max_power"));
    }
    let dur = |d: Option<u64>| d.map(Decimal::from);
    if !within(st.duration_s, dur(r.min_duration_s), dur(r.max_duration_s)) {
        return Ok(Some("min_duration/max_duration"));
    }
    if r.min_current_a.is_some() || r.max_current_a.is_some() {
        let Some(a) = st.current_a else {
            return Err("the tariff has current restrictions; give the charging current (A)".into());
        };
        if !within(a, r.min_current_a, r.max_current_a) {
            return Ok(Some("min_current/max_current"));
        }
    }
    Ok(None)
}

#[derive(Default)]
struct Acc {
    lines: Vec<Line>,
    /// Index of the chronologically last line of each dimension, session part only.
    last: [Option<usize>; 4],
    flat_done: bool,
    /// Unpriced quantity per dimension (kWh or s), session part only.
    gaps: [Decimal; 4],
    notes: Vec<String>,
}

impl Acc {
    fn add(&mut self, el: usize, c: &PriceComponent, reservation: bool, qty: Decimal) {
        let i = match self
            .lines
            .iter()
            .position(|l| l.element == el && l.dimension == c.dimension && l.reservation == reservation)
        {
            Some(i) => {
                self.lines[i].quantity += qty;
                i
            }
            None => {
                self.lines.push(Line {
                    dimension: c.dimension,
                    element: el,
                    reservation,
                    price: c.price,
                    vat: c.vat,
                    step_size: c.step_size,
                    quantity: qty,
                    excl_vat: Decimal::ZERO,
                    incl_vat: None,
                });
                self.lines.len() - 1
            }
        };
        if !reservation {
            self.last[c.dimension.index()] = Some(i);
        }
    }
}

/// The first element, among those `eligible`, with a component of `dim` that matches.
fn first<'t>(
    elements: &'t [TariffElement],
    eligible: &dyn Fn(&Restrictions) -> bool,
    dim: Dimension,
    st: &State,
    any_match: &mut bool,
) -> Result<Option<(usize, &'t PriceComponent)>, String> {
    for (i, e) in elements.iter().enumerate() {
        let Some(c) = e.component(dim) else { continue };
        if eligible(&e.restrictions) && matches(&e.restrictions, st)? {
            *any_match = true;
            return Ok(Some((i, c)));
        }
    }
    Ok(None)
}

fn price_reservation(tariff: &Tariff, session: &Session, res: super::Reservation, acc: &mut Acc) -> Result<bool, String> {
    let secs = res.duration_s;
    let from = session.start.checked_sub(to_duration(secs)).unwrap_or(session.start);
    let st = State {
        clock: tariff.needs_clock().then(|| clock_at(session, from)),
        duration_s: Decimal::ZERO,
        energy_kwh: Decimal::ZERO,
        power_kw: Decimal::ZERO,
        current_a: session.current_a,
    };
    // Expired: RESERVATION_EXPIRES and RESERVATION elements both apply, in element order, so an
    // expiry element wins the dimensions it states (OCPI's tariff 18).
    let eligible = |r: &Restrictions| match r.reservation {
        Some(ReservationRestriction::Reservation) => true,
        Some(ReservationRestriction::ReservationExpires) => res.expired,
        None => false,
    };
    let mut any = false;
    if let Some((i, c)) = first(&tariff.elements, &eligible, Dimension::Flat, &st, &mut any)? {
        acc.add(i, c, true, Decimal::ONE);
    }
    if let Some((i, c)) = first(&tariff.elements, &eligible, Dimension::Time, &st, &mut any)? {
        // A reservation is one time-based period of its own: its step rounds it.
        let q = round_up(secs, c.step_size);
        acc.add(i, c, true, q);
    }
    Ok(any)
}

fn to_duration(secs: Decimal) -> SignedDuration {
    let nanos = (secs * Decimal::from(1_000_000_000)).trunc().to_i128().unwrap_or(0);
    SignedDuration::from_nanos_i128(nanos)
}

/// `q` rounded up to a multiple of `step` (0 and 1 mean no rounding).
fn round_up(q: Decimal, step: u32) -> Decimal {
    if step <= 1 {
        return q;
    }
    let step = Decimal::from(step);
    (q / step).ceil() * step
}

/// A cut in the session's timeline: seconds since the start, and the exact energy there when
/// the cut is a kWh threshold (so that `min_kwh` matches exactly, not a rounding error below).
#[derive(Clone, Copy)]
struct Cut {
    t: Decimal,
    kwh: Option<Decimal>,
}

fn price_session(tariff: &Tariff, session: &Session, acc: &mut Acc) -> Result<bool, String> {
    let elements = &tariff.elements;
    let eligible = |r: &Restrictions| r.reservation.is_none();
    let charge_s = session.charging_s();
    let total_s = charge_s + session.parking_s;
    let total_kwh = session.energy_kwh();
    let needs_clock = tariff.needs_clock();

    // Charging steps as (start s, start kWh, step).
    let mut steps = Vec::with_capacity(session.charging.len());
    let (mut t0, mut e0) = (Decimal::ZERO, Decimal::ZERO);
    for s in &session.charging {
        steps.push((t0, e0, *s));
        t0 += s.duration_s;
        e0 += s.energy_kwh;
    }
    let energy_at = |t: Decimal| -> Decimal {
        match steps.iter().rev().find(|(s0, _, _)| *s0 <= t) {
            Some((s0, e0, s)) if t < *s0 + s.duration_s => *e0 + (t - *s0) * s.energy_kwh / s.duration_s,
            Some((_, e0, s)) => *e0 + s.energy_kwh,
            None => Decimal::ZERO,
        }
    };

    let mut cuts: Vec<Cut> = vec![Cut { t: Decimal::ZERO, kwh: Some(Decimal::ZERO) }, Cut { t: total_s, kwh: None }];
    let mut cut = |t: Decimal, kwh: Option<Decimal>| {
        if t > Decimal::ZERO && t < total_s {
            cuts.push(Cut { t, kwh });
        }
    };
    for (s0, _, _) in &steps {
        cut(*s0, None);
    }
    cut(charge_s, Some(total_kwh));
    let mut boundary_minutes: Vec<u16> = Vec::new();
    for e in elements.iter().filter(|e| eligible(&e.restrictions)) {
        let r = &e.restrictions;
        for d in [r.min_duration_s, r.max_duration_s].into_iter().flatten() {
            cut(Decimal::from(d), None);
        }
        for x in [r.min_kwh, r.max_kwh].into_iter().flatten() {
            if x > Decimal::ZERO && x < total_kwh {
                if let Some((s0, e0, s)) = steps.iter().find(|(_, e0, s)| *e0 < x && x <= *e0 + s.energy_kwh) {
                    cut(*s0 + (x - *e0) * s.duration_s / s.energy_kwh, Some(x));
                }
            }
        }
        if r.needs_clock() {
            if let Some((from, to)) = r.time_window() {
                boundary_minutes.push(from % 1440);
                boundary_minutes.push(to % 1440);
            }
            boundary_minutes.push(0);
        }
    }
    if needs_clock {
        boundary_minutes.sort_unstable();
        boundary_minutes.dedup();
        let start_s = Decimal::from_i128_with_scale(session.start.as_nanosecond(), 9);
        let first_day = session.time_zone.to_datetime(session.start).date();
        let end = session.start.checked_add(to_duration(total_s)).unwrap_or(session.start);
        let last_day = session.time_zone.to_datetime(end).date();
        let mut day = first_day;
        while day <= last_day {
            for &m in &boundary_minutes {
                let civil = day.at((m / 60) as i8, (m % 60) as i8, 0, 0);
                if let Ok(ts) = session.time_zone.to_ambiguous_timestamp(civil).compatible() {
                    cut(Decimal::from_i128_with_scale(ts.as_nanosecond(), 9) - start_s, None);
                }
            }
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
    }
    cuts.sort_by(|a, b| a.t.cmp(&b.t).then(b.kwh.is_some().cmp(&a.kwh.is_some())));
    cuts.dedup_by(|later, earlier| later.t == earlier.t);

    let mut any = false;
    let has_dim = |d: Dimension| elements.iter().any(|e| eligible(&e.restrictions) && e.component(d).is_some());
    let has = [has_dim(Dimension::Flat), has_dim(Dimension::Energy), has_dim(Dimension::Time), has_dim(Dimension::ParkingTime)];

    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let charging = a.t < charge_s;
        let e_a = a.kwh.unwrap_or_else(|| energy_at(a.t));
        let e_b = b.kwh.unwrap_or_else(|| energy_at(b.t));
        let power = if charging {
            steps.iter().rev().find(|(s0, _, _)| *s0 <= a.t).map_or(Decimal::ZERO, |(_, _, s)| s.power_kw())
        } else {
            Decimal::ZERO
        };
        let st = State {
            clock: needs_clock.then(|| clock_at(session, session.start.checked_add(to_duration(a.t)).unwrap_or(session.start))),
            duration_s: a.t,
            energy_kwh: e_a,
            power_kw: power,
            current_a: if charging { session.current_a } else { Some(Decimal::ZERO) },
        };
        if !acc.flat_done {
            if let Some((i, c)) = first(elements, &eligible, Dimension::Flat, &st, &mut any)? {
                acc.add(i, c, false, Decimal::ONE);
                acc.flat_done = true;
            }
        }
        let secs = b.t - a.t;
        let quantities = [(Dimension::Energy, e_b - e_a), (if charging { Dimension::Time } else { Dimension::ParkingTime }, secs)];
        for (dim, q) in quantities {
            if q <= Decimal::ZERO {
                continue;
            }
            match first(elements, &eligible, dim, &st, &mut any)? {
                Some((i, c)) => acc.add(i, c, false, q),
                None if has[dim.index()] => acc.gaps[dim.index()] += q,
                None => {}
            }
        }
        // An element with no matching dimension still counts as "applies" for the check below.
        if !any {
            for e in elements.iter().filter(|e| eligible(&e.restrictions)) {
                if matches(&e.restrictions, &st)? {
                    any = true;
                    break;
                }
            }
        }
    }
    // A session with nothing in it (zero time) still owes a matching flat fee.
    if cuts.len() < 2 || total_s.is_zero() {
        let st = State {
            clock: needs_clock.then(|| clock_at(session, session.start)),
            duration_s: Decimal::ZERO,
            energy_kwh: Decimal::ZERO,
            power_kw: Decimal::ZERO,
            current_a: session.current_a,
        };
        if let Some((i, c)) = first(elements, &eligible, Dimension::Flat, &st, &mut any)? {
            acc.add(i, c, false, Decimal::ONE);
            acc.flat_done = true;
        }
    }

    // Step rounding of totals (see the module documentation).
    let mut round = |dim: Dimension, unit: Decimal| {
        if let Some(last) = acc.last[dim.index()] {
            let total: Decimal = acc.lines.iter().filter(|l| !l.reservation && l.dimension == dim).map(|l| l.quantity).sum();
            let step = acc.lines[last].step_size;
            if step > 1 {
                let step = Decimal::from(step) / unit;
                let rounded = (total / step).ceil() * step;
                acc.lines[last].quantity += rounded - total;
            }
        }
    };
    round(Dimension::Energy, Decimal::from(1000));
    if session.parking_s > Decimal::ZERO {
        round(Dimension::ParkingTime, Decimal::ONE);
    } else {
        round(Dimension::Time, Decimal::ONE);
    }
    Ok(any)
}

fn finish(tariff: &Tariff, session: &Session, mut acc: Acc) -> Result<Estimate, String> {
    let overflow = || "amount too large to compute".to_string();
    let hour = Decimal::from(3600);
    let mut excl = Decimal::ZERO;
    let mut incl = Some(Decimal::ZERO);
    let mut dims: Vec<DimensionCost> = Vec::new();
    let mut vat_unknown: Vec<&'static str> = Vec::new();
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
            Some(v) => Some(
                l.excl_vat
                    .checked_mul(Decimal::ONE + v / Decimal::ONE_HUNDRED)
                    .ok_or_else(overflow)?,
            ),
            None if l.excl_vat.is_zero() => Some(Decimal::ZERO),
            None => {
                if !vat_unknown.contains(&l.dimension.as_str()) {
                    vat_unknown.push(l.dimension.as_str());
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
        acc.notes.push(format!(
            "the tariff gives no VAT rate for {}: the price including VAT is unknown",
            vat_unknown.join(", ")
        ));
    }
    for dim in Dimension::ALL {
        let gap = acc.gaps[dim.index()];
        if gap > Decimal::ZERO {
            let what = match dim {
                Dimension::Energy => format!("{} kWh", gap.round_dp(3).normalize()),
                _ => format!("{} s", gap.round_dp(0)),
            };
            acc.notes.push(format!("no {} price applies to {what} of this session: not charged", dim.as_str()));
        }
    }

    // Price limits: both the excl. and the incl. VAT bound apply (OCPI).
    let mut limited_by = None;
    if let Some(min) = tariff.min_price {
        if excl < min.excl_vat {
            excl = min.excl_vat;
            limited_by = Some(Limit::MinPrice);
            if min.incl_vat.is_none() && incl.is_some() {
                acc.notes.push("min_price has no incl_vat: the price including VAT is unknown".into());
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
                acc.notes.push("max_price has no incl_vat: the price including VAT is unknown".into());
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
        acc.notes.push(format!(
            "{} tariff element(s) left out because they can never apply",
            tariff.warnings.len()
        ));
    }
    if tariff.start_date_time.is_some_and(|t| session.start < t) {
        acc.notes.push("the tariff is not yet valid at the session's start".into());
    }
    if tariff.end_date_time.is_some_and(|t| session.start >= t) {
        acc.notes.push("the tariff has expired by the session's start".into());
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
