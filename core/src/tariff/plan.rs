//! From the driver's situation to a planned [`Session`]: car, state of charge, connector.
//!
//! # The charging curve (deliberately simple)
//! * Power at the meter is the lower of what the car accepts (`car_max_ac_kw` on AC,
//!   `car_max_dc_kw` on DC) and what the connector gives (`connector_kw`).
//! * AC: that power, constant, from start to finish (the on-board charger is the limit).
//! * DC: that power up to 80 % state of charge; above 80 % it falls linearly, to 20 % of it at
//!   100 %. Priced in 1 %-of-battery steps above 80 %, each at the power at its middle.
//! * Losses: the meter counts [`AC_EFFICIENCY`] (AC) or [`DC_EFFICIENCY`] (DC) more than reaches
//!   the battery: `energy at the meter = battery_kwh × ΔSoC / efficiency`.
//!
//! Energies are rounded to 1 Wh and durations to 1 ms, so the session is exact decimals.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::session::{ChargingStep, Session};

/// Share of the metered energy that reaches the battery on AC.
pub const AC_EFFICIENCY: f64 = 0.90;
/// Share of the metered energy that reaches the battery on DC.
pub const DC_EFFICIENCY: f64 = 0.95;
/// DC power is constant up to this state of charge, %.
pub const TAPER_FROM_PCT: f64 = 80.0;
/// DC power at 100 %, as a share of the full power.
pub const TAPER_TO_SHARE: f64 = 0.2;

/// A driver's planned charge. Independent of any vehicle catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChargePlan {
    /// Usable battery capacity, kWh.
    pub battery_kwh: f64,
    /// State of charge now, 0–100 %.
    pub soc_from_pct: f64,
    /// State of charge wanted, 0–100 %, above `soc_from_pct`.
    pub soc_to_pct: f64,
    pub car_max_ac_kw: f64,
    pub car_max_dc_kw: f64,
    /// The connector's maximum power, kW.
    pub connector_kw: f64,
    /// A DC connector (else AC).
    pub dc: bool,
}

/// A plan that cannot be charged, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot plan this charge: {}", self.0)
    }
}

impl std::error::Error for PlanError {}

impl ChargePlan {
    /// The same plan at another connector.
    pub fn at_connector(mut self, connector_kw: f64, dc: bool) -> ChargePlan {
        self.connector_kw = connector_kw;
        self.dc = dc;
        self
    }

    /// Power at the meter before any taper, kW.
    pub fn power_kw(&self) -> f64 {
        let car = if self.dc { self.car_max_dc_kw } else { self.car_max_ac_kw };
        car.min(self.connector_kw)
    }

    fn check(&self) -> Result<(), PlanError> {
        let all = [
            self.battery_kwh,
            self.soc_from_pct,
            self.soc_to_pct,
            self.car_max_ac_kw,
            self.car_max_dc_kw,
            self.connector_kw,
        ];
        if all.iter().any(|v| !v.is_finite()) {
            return Err(PlanError("every number must be finite".into()));
        }
        if self.battery_kwh <= 0.0 || self.battery_kwh > 1000.0 {
            return Err(PlanError(format!("battery of {} kWh", self.battery_kwh)));
        }
        if !(0.0..=100.0).contains(&self.soc_from_pct) || !(0.0..=100.0).contains(&self.soc_to_pct) {
            return Err(PlanError("state of charge must be 0–100 %".into()));
        }
        if self.soc_to_pct <= self.soc_from_pct {
            return Err(PlanError("the wanted state of charge is not above the current one".into()));
        }
        if self.power_kw() <= 0.0 {
            return Err(PlanError(format!(
                "no power: the car takes {} kW {}, the connector gives {} kW",
                if self.dc { self.car_max_dc_kw } else { self.car_max_ac_kw },
                if self.dc { "DC" } else { "AC" },
                self.connector_kw
            )));
        }
        Ok(())
    }

    /// The charging steps as (seconds, kWh at the meter), before rounding.
    fn steps_f64(&self) -> Vec<(f64, f64)> {
        let p = self.power_kw();
        let eff = if self.dc { DC_EFFICIENCY } else { AC_EFFICIENCY };
        let step = |pct: f64, kw: f64| {
            let kwh = self.battery_kwh * pct / 100.0 / eff;
            (kwh / kw * 3600.0, kwh)
        };
        if !self.dc || self.soc_to_pct <= TAPER_FROM_PCT {
            return vec![step(self.soc_to_pct - self.soc_from_pct, p)];
        }
        let mut out = Vec::new();
        let flat_to = TAPER_FROM_PCT.max(self.soc_from_pct);
        if flat_to > self.soc_from_pct {
            out.push(step(flat_to - self.soc_from_pct, p));
        }
        let mut soc = flat_to;
        while soc < self.soc_to_pct - 1e-9 {
            let next = (soc.floor() + 1.0).min(self.soc_to_pct);
            let mid = (soc + next) / 2.0;
            let share = 1.0 - (1.0 - TAPER_TO_SHARE) * (mid - TAPER_FROM_PCT) / (100.0 - TAPER_FROM_PCT);
            out.push(step(next - soc, p * share));
            soc = next;
        }
        out
    }

    /// kWh at the meter.
    pub fn energy_kwh(&self) -> f64 {
        self.steps_f64().iter().map(|s| s.1).sum()
    }

    /// Seconds of charging.
    pub fn duration_s(&self) -> f64 {
        self.steps_f64().iter().map(|s| s.0).sum()
    }

    /// The planned session: charging from `start`, then `parking_s` seconds parked.
    pub fn session(&self, start: Timestamp, time_zone: TimeZone, parking_s: Decimal) -> Result<Session, PlanError> {
        self.check()?;
        let dec = |x: f64, dp: u32| {
            Decimal::try_from(x).map(|d| d.round_dp(dp)).map_err(|_| PlanError(format!("{x} is out of range")))
        };
        let mut charging = Vec::new();
        for (secs, kwh) in self.steps_f64() {
            let step = ChargingStep { duration_s: dec(secs, 3)?, energy_kwh: dec(kwh, 3)? };
            if step.duration_s > Decimal::ZERO {
                charging.push(step);
            }
        }
        if parking_s.is_sign_negative() {
            return Err(PlanError("negative parking time".into()));
        }
        Ok(Session { start, time_zone, charging, parking_s, current_a: None, reservation: None })
    }
}
