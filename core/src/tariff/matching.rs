//! Does an element apply? Restrictions checked against the state at the start of a period.

use jiff::civil::Date;
use jiff::Timestamp;
use rust_decimal::Decimal;

use super::model::Restrictions;
use super::session::Session;

/// The state at the start of a period: what restrictions are checked against.
pub(super) struct State {
    /// Local date, ISO weekday bit, and seconds since local midnight; only when needed.
    pub(super) clock: Option<(Date, u8, i64)>,
    pub(super) duration_s: Decimal,
    pub(super) energy_kwh: Decimal,
    pub(super) power_kw: Decimal,
    pub(super) current_a: Option<Decimal>,
}

pub(super) fn clock_at(session: &Session, ts: Timestamp) -> (Date, u8, i64) {
    let dt = session.time_zone.to_datetime(ts);
    let t = dt.time();
    let sod = i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second());
    let bit = 1u8 << (dt.date().weekday().to_monday_zero_offset());
    (dt.date(), bit, sod)
}

/// Does the element apply? `Err` when it cannot be decided from what the session says.
pub(super) fn matches(r: &Restrictions, st: &State) -> Result<bool, String> {
    Ok(why_not(r, st)?.is_none())
}

/// The first restriction that does not hold (`None`: the element applies).
pub(super) fn why_not(r: &Restrictions, st: &State) -> Result<Option<&'static str>, String> {
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
    let within = |v: Decimal, lo: Option<Decimal>, hi: Option<Decimal>| {
        lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v < hi)
    };
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
