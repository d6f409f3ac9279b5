//! The session's timeline: cut into periods where a restriction could change its answer, each
//! priced by the first matching element per dimension; then `step_size` on the totals.
//! (The rules are listed in [`super::estimate`].)

use jiff::SignedDuration;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::estimate::Line;
use super::matching::{clock_at, matches, State};
use super::model::{Dimension, PriceComponent, ReservationRestriction, Restrictions, Tariff, TariffElement};
use super::session::Session;

#[derive(Default)]
pub(super) struct Acc {
    pub(super) lines: Vec<Line>,
    /// Index of the chronologically last line of each dimension, session part only.
    pub(super) last: [Option<usize>; 4],
    pub(super) flat_done: bool,
    /// Unpriced quantity per dimension (kWh or s), session part only.
    pub(super) gaps: [Decimal; 4],
    pub(super) notes: Vec<super::notes::Note>,
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
pub(super) fn first<'t>(
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

pub(super) fn price_reservation(
    tariff: &Tariff,
    session: &Session,
    res: super::Reservation,
    acc: &mut Acc,
) -> Result<bool, String> {
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

pub(super) fn to_duration(secs: Decimal) -> SignedDuration {
    let nanos = (secs * Decimal::from(1_000_000_000)).trunc().to_i128().unwrap_or(0);
    SignedDuration::from_nanos_i128(nanos)
}

/// `q` rounded up to a multiple of `step` (0 and 1 mean no rounding).
pub(super) fn round_up(q: Decimal, step: u32) -> Decimal {
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

pub(super) fn price_session(tariff: &Tariff, session: &Session, acc: &mut Acc) -> Result<bool, String> {
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
    let has = [
        has_dim(Dimension::Flat),
        has_dim(Dimension::Energy),
        has_dim(Dimension::Time),
        has_dim(Dimension::ParkingTime),
    ];

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
            clock: needs_clock
                .then(|| clock_at(session, session.start.checked_add(to_duration(a.t)).unwrap_or(session.start))),
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
        let quantities =
            [(Dimension::Energy, e_b - e_a), (if charging { Dimension::Time } else { Dimension::ParkingTime }, secs)];
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
            let total: Decimal =
                acc.lines.iter().filter(|l| !l.reservation && l.dimension == dim).map(|l| l.quantity).sum();
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
