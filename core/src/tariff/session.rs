//! A planned charging session: what the engine prices.
//!
//! A [`Session`] is a start instant in the location's time zone, then consecutive charging
//! steps at constant power (one step for a constant-power charge, several for a tapering DC
//! curve), then time parked without charging. An optional reservation ends where the session
//! starts.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;

/// Charging at constant power for a while.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChargingStep {
    /// Seconds, > 0.
    pub duration_s: Decimal,
    /// kWh delivered during the step (so power = energy / duration).
    pub energy_kwh: Decimal,
}

impl ChargingStep {
    /// Average power of the step, kW.
    pub fn power_kw(&self) -> Decimal {
        if self.duration_s.is_zero() {
            Decimal::ZERO
        } else {
            self.energy_kwh * Decimal::from(3600) / self.duration_s
        }
    }
}

/// A reservation before the session (OCPI `reservation` restrictions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reservation {
    /// Seconds the reservation was held; it ends at the session's start.
    pub duration_s: Decimal,
    /// The driver never started charging: priced by `RESERVATION_EXPIRES` elements first, and
    /// the session itself (which must then be empty) costs nothing.
    pub expired: bool,
}

/// A planned session. Build one with [`Session::constant_power`], [`Session::until`] or
/// [`super::ChargePlan::session`].
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub start: Timestamp,
    /// The location's time zone: restrictions on time of day, date and weekday are local.
    pub time_zone: TimeZone,
    pub charging: Vec<ChargingStep>,
    /// Seconds parked after charging.
    pub parking_s: Decimal,
    /// Charging current summed over phases, A; needed only by tariffs with current restrictions.
    pub current_a: Option<Decimal>,
    pub reservation: Option<Reservation>,
}

impl Session {
    /// Charging `energy_kwh` at constant `power_kw`, then parked for `parking_s` seconds.
    /// Returns `None` for a non-positive power, or negative energy or parking time.
    pub fn constant_power(
        start: Timestamp,
        time_zone: TimeZone,
        power_kw: Decimal,
        energy_kwh: Decimal,
        parking_s: Decimal,
    ) -> Option<Session> {
        if power_kw <= Decimal::ZERO || energy_kwh.is_sign_negative() || parking_s.is_sign_negative() {
            return None;
        }
        let duration_s = energy_kwh.checked_mul(Decimal::from(3600))?.checked_div(power_kw)?;
        let charging = if energy_kwh.is_zero() { vec![] } else { vec![ChargingStep { duration_s, energy_kwh }] };
        Some(Session { start, time_zone, charging, parking_s, current_a: None, reservation: None })
    }

    /// Charging `energy_kwh` in `charging_s` seconds at constant power, then parked for
    /// `parking_s` seconds (e.g. "30 kWh in 45 min"). `None` for a non-positive charging time
    /// with energy, or negative values.
    pub fn charging_for(
        start: Timestamp,
        time_zone: TimeZone,
        energy_kwh: Decimal,
        charging_s: Decimal,
        parking_s: Decimal,
    ) -> Option<Session> {
        if energy_kwh.is_sign_negative() || charging_s.is_sign_negative() || parking_s.is_sign_negative() {
            return None;
        }
        let charging = match (energy_kwh.is_zero(), charging_s.is_zero()) {
            (_, false) => vec![ChargingStep { duration_s: charging_s, energy_kwh }],
            (true, true) => vec![],
            (false, true) => return None,
        };
        Some(Session { start, time_zone, charging, parking_s, current_a: None, reservation: None })
    }

    /// The command line's session: charge at `power_kw` from `start` until `energy_kwh` are
    /// delivered or `end` comes, whichever is first, then parked until `end`.
    /// `None` when `end` is before `start` or the power is not positive.
    pub fn until(
        start: Timestamp,
        end: Timestamp,
        time_zone: TimeZone,
        power_kw: Decimal,
        energy_kwh: Decimal,
    ) -> Option<Session> {
        let total_s = Decimal::from_i128_with_scale(end.as_nanosecond() - start.as_nanosecond(), 9);
        if total_s.is_sign_negative() || power_kw <= Decimal::ZERO || energy_kwh.is_sign_negative() {
            return None;
        }
        let full_s = energy_kwh.checked_mul(Decimal::from(3600))?.checked_div(power_kw)?;
        let (charge_s, kwh) =
            if full_s <= total_s { (full_s, energy_kwh) } else { (total_s, power_kw * total_s / Decimal::from(3600)) };
        let charging =
            if charge_s.is_zero() { vec![] } else { vec![ChargingStep { duration_s: charge_s, energy_kwh: kwh }] };
        Some(Session { start, time_zone, charging, parking_s: total_s - charge_s, current_a: None, reservation: None })
    }

    /// kWh delivered.
    pub fn energy_kwh(&self) -> Decimal {
        self.charging.iter().map(|s| s.energy_kwh).sum()
    }

    /// Seconds charging.
    pub fn charging_s(&self) -> Decimal {
        self.charging.iter().map(|s| s.duration_s).sum()
    }

    /// Seconds from plug-in to leaving.
    pub fn total_s(&self) -> Decimal {
        self.charging_s() + self.parking_s
    }

    pub fn with_current_a(mut self, amps: Decimal) -> Session {
        self.current_a = Some(amps);
        self
    }

    pub fn with_reservation(mut self, reservation: Reservation) -> Session {
        self.reservation = Some(reservation);
        self
    }
}
