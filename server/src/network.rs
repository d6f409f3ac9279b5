//! The charging network's side of a paid session, simulated: an operator platform (CPO) that
//! answers OCPI commands, runs the charger, and sends Session updates and a CDR.
//!
//! It behaves the way OCPI's Commands module says a CPO does:
//! * `START_SESSION` gets an immediate **CommandResponse** (`ACCEPTED`, or `REJECTED` for an
//!   EVSE it does not know), then, after a delay, a **CommandResult**: `ACCEPTED`, or
//!   `EVSE_OCCUPIED` / `EVSE_INOPERATIVE` (from the EVSE's live status), `TIMEOUT`, `FAILED`.
//! * After an accepted start the driver plugs in: a **Session** (`ACTIVE`) appears, and its
//!   kWh grow along the charging curve ([`Curve`]); updates stream out.
//! * `STOP_SESSION` ends it; a final Session (`COMPLETED`) and a **CDR** priced by the core's
//!   tariff engine follow. The EVSE's live status goes `CHARGING`, then `AVAILABLE`, through
//!   the live table, so the map sees it.
//!
//! The operator's own state is kept in its own table (`cpo_sessions`, as a real CPO keeps it in
//! its own database): everything it does is a function of that row and the clock, so a charge
//! goes on while our server is down, and after a restart the network picks up where the clock
//! is (a `kill -9` of the server does not stop a car charging). Messages are at-least-once: the
//! receiver must apply each idempotently, and [`Network::replay`] re-sends a session's latest
//! state for reconciliation.
//!
//! Test controls (never on by default): a speed factor (`CHARGEFINDER_NETWORK_SPEED`) so a
//! session takes seconds, and a script of the next starts' results (see `api.rs`,
//! `POST /api/test/network/next-start`, enabled only by `CHARGEFINDER_NETWORK_TEST_CONTROL=1`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chargefinder::tariff::{estimate, ChargingStep, Estimate, Session as PricedSession, Tariff};
use chargefinder::tariff::{DC_EFFICIENCY, TAPER_FROM_PCT, TAPER_TO_SHARE};
use chargefinder::EvseStatus;
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;

use crate::live::Live;

/// Seconds (network time) from START_SESSION to its CommandResult.
pub const RESULT_DELAY_S: f64 = 4.0;
/// The CommandResponse's `timeout`: after this a TIMEOUT result comes.
pub const COMMAND_TIMEOUT_S: f64 = 30.0;
/// Seconds from an accepted start to the car being plugged in (the Session appearing).
pub const PLUG_IN_DELAY_S: f64 = 20.0;
/// Seconds from STOP_SESSION to the charger having stopped.
pub const STOP_DELAY_S: f64 = 3.0;
/// How often (real time) the network looks at its sessions and sends updates.
const TICK: Duration = Duration::from_millis(250);
/// Pricing granularity of a session's charging periods (network seconds).
const PERIOD_S: f64 = 60.0;

/// The car on the cable, as the charger sees it: what limits the power.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// Usable battery, kWh.
    pub battery_kwh: f64,
    /// State of charge at plug-in, %.
    pub soc_from_pct: f64,
    /// Power at the meter before any taper: the lower of the car's and the connector's, kW.
    pub power_kw: f64,
    /// DC (tapers above 80 %) or AC (constant: the on-board charger is the limit).
    pub dc: bool,
}

impl Curve {
    pub fn new(battery_kwh: f64, soc_from_pct: f64, car_max_kw: f64, connector_max_kw: f64, dc: bool) -> Curve {
        Curve {
            battery_kwh,
            soc_from_pct: soc_from_pct.clamp(0.0, 100.0),
            power_kw: car_max_kw.min(connector_max_kw),
            dc,
        }
    }

    fn efficiency(&self) -> f64 {
        if self.dc {
            DC_EFFICIENCY
        } else {
            chargefinder::tariff::AC_EFFICIENCY
        }
    }

    /// % of battery per second at full power.
    fn rate(&self) -> f64 {
        self.power_kw * self.efficiency() / self.battery_kwh * 100.0 / 3600.0
    }

    /// Where the taper begins, % (AC never tapers here: 100).
    fn taper_from(&self) -> f64 {
        if self.dc {
            TAPER_FROM_PCT
        } else {
            100.0
        }
    }

    /// The taper's slope: the power share lost per % above the taper start.
    fn slope() -> f64 {
        (1.0 - TAPER_TO_SHARE) / (100.0 - TAPER_FROM_PCT)
    }

    /// State of charge after `t_s` seconds of charging, %. The same curve as the core's
    /// `ChargePlan` (constant, then on DC a linear fall of power with SoC to 20 % at 100 %),
    /// solved exactly: above the taper start dSoC/dt = r·(1 − c·(SoC − 80)), an exponential.
    pub fn soc_at(&self, t_s: f64) -> f64 {
        if self.power_kw <= 0.0 || self.battery_kwh <= 0.0 || t_s <= 0.0 {
            return self.soc_from_pct;
        }
        let r = self.rate();
        let knee = self.taper_from().max(self.soc_from_pct);
        let t_knee = (knee - self.soc_from_pct) / r;
        if t_s <= t_knee {
            return (self.soc_from_pct + r * t_s).min(100.0);
        }
        if !self.dc {
            return 100.0;
        }
        let c = Self::slope();
        let u0 = 1.0 - c * (knee - TAPER_FROM_PCT);
        let u = u0 * (-c * r * (t_s - t_knee)).exp();
        (TAPER_FROM_PCT + (1.0 - u) / c).min(100.0)
    }

    /// Power at the meter at `t_s`, kW (0 once the battery is full).
    pub fn power_at(&self, t_s: f64) -> f64 {
        let soc = self.soc_at(t_s);
        if soc >= 100.0 - 1e-9 {
            return 0.0;
        }
        if soc <= self.taper_from() {
            self.power_kw
        } else {
            self.power_kw * (1.0 - Self::slope() * (soc - TAPER_FROM_PCT))
        }
    }

    /// kWh through the meter after `t_s` seconds (more than reaches the battery: losses).
    pub fn meter_kwh_at(&self, t_s: f64) -> f64 {
        self.battery_kwh * (self.soc_at(t_s) - self.soc_from_pct) / 100.0 / self.efficiency()
    }

    /// Seconds of charging until full (or `t_s`, whichever is first).
    pub fn charging_s(&self, t_s: f64) -> f64 {
        let mut lo = 0.0;
        let mut hi = t_s.max(0.0);
        if self.power_at(hi) > 0.0 {
            return hi;
        }
        // Bisection for the moment it became full: 40 halvings is well under a millisecond.
        for _ in 0..40 {
            let mid = (lo + hi) / 2.0;
            if self.power_at(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }
}

/// `t_s` seconds after plug-in as a priced session: charging periods of [`PERIOD_S`] seconds
/// along the curve, then the time parked full.
pub fn priced_session(curve: &Curve, start: jiff::Timestamp, tz: jiff::tz::TimeZone, t_s: f64) -> PricedSession {
    let charging_s = curve.charging_s(t_s);
    let dec = |x: f64, dp: u32| Decimal::try_from(x).map(|d| d.round_dp(dp)).unwrap_or(Decimal::ZERO);
    let mut charging = Vec::new();
    let mut t = 0.0;
    while t < charging_s {
        let next = (t + PERIOD_S).min(charging_s);
        // Differences of the rounded running totals, so the steps add up to the meter exactly
        // (rounding each step would lose up to 0.5 Wh a minute, every minute).
        let kwh = dec(curve.meter_kwh_at(next), 3) - dec(curve.meter_kwh_at(t), 3);
        let step = ChargingStep { duration_s: dec(next, 3) - dec(t, 3), energy_kwh: kwh };
        if step.duration_s > Decimal::ZERO {
            charging.push(step);
        }
        t = next;
    }
    let parking = dec((t_s - charging_s).max(0.0), 3);
    PricedSession { start, time_zone: tz, charging, parking_s: parking, current_a: None, reservation: None }
}

/// What the driver pays under an estimate: incl. VAT when every component states its VAT,
/// otherwise excl. VAT (the tariff did not say; we never invent a rate).
pub fn payable(e: &Estimate) -> Decimal {
    e.incl_vat.unwrap_or(e.excl_vat)
}

/// OCPI CommandResponseType (the synchronous answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CommandResponse {
    Accepted,
    Rejected,
    UnknownSession,
}

/// What our server asks the network to start.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartSession {
    /// Our session id, sent as `authorization_reference`; the network answers under it.
    pub authorization_reference: String,
    pub location_id: String,
    pub evse_uid: String,
    pub connector_id: String,
    /// The tariff the charge is priced under (OCPI JSON) and the location's time zone.
    pub tariff: serde_json::Value,
    pub time_zone: String,
    pub curve: Curve,
}

/// Messages from the network to our server (OCPI: CommandResult to `response_url`, Session and
/// CDR pushes). At least once; apply idempotently.
#[derive(Debug, Clone)]
pub enum NetworkEvent {
    StartResult {
        reference: String,
        result: String,
    },
    StopResult {
        reference: String,
        result: String,
    },
    /// An OCPI Session object (status `ACTIVE`, later `COMPLETED`).
    Session {
        reference: String,
        session: serde_json::Value,
    },
    /// An OCPI CDR.
    Cdr {
        reference: String,
        cdr: serde_json::Value,
    },
}

/// The simulated operator platform.
#[derive(Debug, Clone)]
pub struct Network {
    live: Live,
    speed: f64,
    events: mpsc::UnboundedSender<NetworkEvent>,
    /// Results for the next starts, set by tests only.
    script: Arc<Mutex<VecDeque<String>>>,
}

/// Results a test may script for the next start. Besides OCPI's results: `SILENT`, a network
/// that accepts the command and then never sends its result (our own start timeout must act),
/// and `LATE`, an `ACCEPTED` result after [`LATE_RESULT_S`] (after we have given up waiting).
pub const SCRIPTABLE: &[&str] =
    &["ACCEPTED", "EVSE_OCCUPIED", "EVSE_INOPERATIVE", "TIMEOUT", "FAILED", "REJECTED", "SILENT", "LATE"];

/// Seconds (network time) a scripted `LATE` result takes: as long as the command's timeout.
pub const LATE_RESULT_S: f64 = COMMAND_TIMEOUT_S;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn rfc3339_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

/// One row of `cpo_sessions`.
#[derive(Debug, Clone)]
struct Row {
    reference: String,
    start: StartSession,
    scripted: Option<String>,
    created_ms: i64,
    start_result: Option<String>,
    start_result_ms: Option<i64>,
    session_id: Option<String>,
    plugged_ms: Option<i64>,
    stop_ms: Option<i64>,
    stopped_ms: Option<i64>,
    cdr: Option<String>,
}

impl Network {
    /// The network and the receiving end of its messages. `speed` > 0: network seconds per
    /// real second.
    pub fn new(live: Live, speed: f64) -> (Network, mpsc::UnboundedReceiver<NetworkEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Network { live, speed, events: tx, script: Default::default() }, rx)
    }

    /// Network seconds between two real instants (ms).
    fn elapsed_s(&self, from_ms: i64, to_ms: i64) -> f64 {
        (to_ms - from_ms) as f64 / 1000.0 * self.speed
    }

    /// Test control: the next start answers `result`.
    pub fn script_next_start(&self, result: &str) -> Result<(), String> {
        if !SCRIPTABLE.contains(&result) {
            return Err(format!("{result:?} is not one of {}", SCRIPTABLE.join(", ")));
        }
        self.script.lock().unwrap_or_else(|p| p.into_inner()).push_back(result.to_string());
        Ok(())
    }

    /// `START_SESSION`. Idempotent per `authorization_reference`: a repeat is `ACCEPTED` and
    /// starts nothing new.
    pub fn start_session(&self, cmd: &StartSession) -> Result<CommandResponse, String> {
        let known_evse = self.live.store.with_conn(|c| {
            c.query_row(
                "SELECT 1 FROM evse_status WHERE location_id = ?1 AND evse_uid = ?2",
                params![cmd.location_id, cmd.evse_uid],
                |_| Ok(()),
            )
            .optional()
        })?;
        if known_evse.is_none() {
            return Ok(CommandResponse::Rejected);
        }
        let scripted = self.script.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
        if scripted.as_deref() == Some("REJECTED") {
            return Ok(CommandResponse::Rejected);
        }
        let body = serde_json::to_string(cmd).map_err(|e| e.to_string())?;
        self.live.store.with_conn(|c| {
            c.execute(
                "INSERT OR IGNORE INTO cpo_sessions (reference, command, scripted, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![cmd.authorization_reference, body, scripted, now_ms()],
            )
        })?;
        Ok(CommandResponse::Accepted)
    }

    /// `STOP_SESSION` for the session started under `reference`.
    pub fn stop_session(&self, reference: &str) -> Result<CommandResponse, String> {
        let n = self.live.store.with_conn(|c| {
            c.execute(
                "UPDATE cpo_sessions SET stop_ms = COALESCE(stop_ms, ?2)
                 WHERE reference = ?1 AND session_id IS NOT NULL AND stopped_ms IS NULL",
                params![reference, now_ms()],
            )
        })?;
        Ok(if n == 1 { CommandResponse::Accepted } else { CommandResponse::UnknownSession })
    }

    /// Whether the network ever received a start under `reference`.
    pub fn knows(&self, reference: &str) -> Result<bool, String> {
        Ok(self.row(reference)?.is_some())
    }

    /// Whether a stop was asked for under `reference`.
    pub fn stop_requested(&self, reference: &str) -> Result<bool, String> {
        Ok(self.row(reference)?.is_some_and(|r| r.stop_ms.is_some()))
    }

    fn row(&self, reference: &str) -> Result<Option<Row>, String> {
        self.live
            .store
            .with_conn(|c| c.query_row(&format!("{SELECT_ROW} WHERE reference = ?1"), [reference], read_row).optional())
    }

    /// Sends the latest state of the session under `reference` again: the result, the session,
    /// the CDR, whatever exists (after our server restarts, it may have missed them).
    pub fn replay(&self, reference: &str) -> Result<(), String> {
        let Some(row) = self.row(reference)? else { return Ok(()) };
        if let Some(result) = &row.start_result {
            self.send(NetworkEvent::StartResult { reference: row.reference.clone(), result: result.clone() });
        }
        if row.session_id.is_some() {
            let session = self.session_json(&row, row.stopped_ms.unwrap_or_else(now_ms))?;
            self.send(NetworkEvent::Session { reference: row.reference.clone(), session });
        }
        if let Some(cdr) = row.cdr.as_deref().and_then(|c| serde_json::from_str(c).ok()) {
            self.send(NetworkEvent::Cdr { reference: row.reference.clone(), cdr });
        }
        Ok(())
    }

    fn send(&self, e: NetworkEvent) {
        // The receiver lives as long as the server; if it is gone, so is everyone who cared.
        let _ = self.events.send(e);
    }

    /// Runs the network: every tick, moves each open session along by the clock.
    pub async fn run(self) {
        let mut tick = tokio::time::interval(TICK);
        loop {
            tick.tick().await;
            let net = self.clone();
            let done = tokio::task::spawn_blocking(move || net.step(now_ms())).await;
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("chargefinder-server: network step failed: {e}"),
                Err(e) => eprintln!("chargefinder-server: network step panicked: {e}"),
            }
        }
    }

    /// One step at real time `now`: whatever is due happens, in order.
    pub fn step(&self, now: i64) -> Result<(), String> {
        let rows = self.live.store.with_conn(|c| {
            let mut st = c.prepare_cached(&format!("{SELECT_ROW} WHERE done = 0"))?;
            let rows = st.query_map([], read_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        for row in rows {
            self.step_row(row, now)?;
        }
        Ok(())
    }

    fn step_row(&self, row: Row, now: i64) -> Result<(), String> {
        let reference = row.reference.clone();
        // 1. The start's result, after a delay (a timeout only after the command's timeout).
        let Some(result) = row.start_result.clone() else {
            let outcome = match row.scripted.as_deref() {
                // A network that never answers: nothing is ever sent for this start.
                Some("SILENT") => return Ok(()),
                Some("LATE") => "ACCEPTED".to_string(),
                Some(s) => s.to_string(),
                None => self.evse_outcome(&row.start.location_id, &row.start.evse_uid)?,
            };
            let delay = match (row.scripted.as_deref(), outcome.as_str()) {
                (Some("LATE"), _) => LATE_RESULT_S,
                (_, "TIMEOUT") => COMMAND_TIMEOUT_S,
                _ => RESULT_DELAY_S,
            };
            if self.elapsed_s(row.created_ms, now) < delay {
                return Ok(());
            }
            let done = outcome != "ACCEPTED";
            self.live.store.with_conn(|c| {
                c.execute(
                    "UPDATE cpo_sessions SET start_result = ?2, start_result_ms = ?3, done = ?4 WHERE reference = ?1",
                    params![reference, outcome, now, done],
                )
            })?;
            self.send(NetworkEvent::StartResult { reference, result: outcome });
            return Ok(());
        };
        if result != "ACCEPTED" {
            return Ok(());
        }
        // 2. The driver plugs in: the Session appears and the EVSE is CHARGING.
        let Some(plugged) = row.plugged_ms else {
            let accepted = row.start_result_ms.unwrap_or(row.created_ms);
            if self.elapsed_s(accepted, now) < PLUG_IN_DELAY_S {
                return Ok(());
            }
            let session_id = format!("S{}", reference.trim_start_matches("cs_"));
            self.live.store.with_conn(|c| {
                c.execute(
                    "UPDATE cpo_sessions SET session_id = ?2, plugged_ms = ?3 WHERE reference = ?1",
                    params![reference, session_id, now],
                )
            })?;
            self.set_status(&row.start.location_id, &row.start.evse_uid, EvseStatus::Charging)?;
            let row = Row { session_id: Some(session_id), plugged_ms: Some(now), ..row };
            let session = self.session_json(&row, now)?;
            self.send(NetworkEvent::Session { reference, session });
            return Ok(());
        };
        // 3. A stop asked for and due: the charger stops, the CDR goes out.
        if let Some(stop) = row.stop_ms {
            if row.stopped_ms.is_none() && self.elapsed_s(stop, now) >= STOP_DELAY_S {
                let ended = now;
                let row = Row { stopped_ms: Some(ended), ..row };
                let session = self.session_json(&row, ended)?;
                let cdr = self.cdr_json(&row, ended)?;
                self.live.store.with_conn(|c| {
                    c.execute(
                        "UPDATE cpo_sessions SET stopped_ms = ?2, cdr = ?3, done = 1 WHERE reference = ?1",
                        params![reference, ended, cdr.to_string()],
                    )
                })?;
                self.set_status(&row.start.location_id, &row.start.evse_uid, EvseStatus::Available)?;
                self.send(NetworkEvent::StopResult { reference: reference.clone(), result: "ACCEPTED".into() });
                self.send(NetworkEvent::Session { reference: reference.clone(), session });
                self.send(NetworkEvent::Cdr { reference, cdr });
                return Ok(());
            }
        }
        // 4. Charging: a Session update.
        let _ = plugged;
        let session = self.session_json(&row, now)?;
        self.send(NetworkEvent::Session { reference, session });
        Ok(())
    }

    /// What the charger answers a start with, from the EVSE's live status.
    fn evse_outcome(&self, location_id: &str, evse_uid: &str) -> Result<String, String> {
        let status: Option<String> = self.live.store.with_conn(|c| {
            c.query_row(
                "SELECT status FROM evse_status WHERE location_id = ?1 AND evse_uid = ?2",
                params![location_id, evse_uid],
                |r| r.get(0),
            )
            .optional()
        })?;
        Ok(match status.as_deref().and_then(EvseStatus::parse) {
            Some(EvseStatus::Charging | EvseStatus::Blocked | EvseStatus::Reserved) => "EVSE_OCCUPIED",
            Some(EvseStatus::OutOfOrder | EvseStatus::Inoperative | EvseStatus::Removed) => "EVSE_INOPERATIVE",
            Some(_) => "ACCEPTED",
            None => "FAILED",
        }
        .to_string())
    }

    /// Sets the EVSE's live status now (a second after what is stored, if the stored time is
    /// ahead of our clock: the status simulator may run faster than real time).
    fn set_status(&self, location_id: &str, evse_uid: &str, status: EvseStatus) -> Result<(), String> {
        let stored: Option<i64> = self.live.store.with_conn(|c| {
            c.query_row(
                "SELECT last_updated FROM evse_status WHERE location_id = ?1 AND evse_uid = ?2",
                params![location_id, evse_uid],
                |r| r.get(0),
            )
            .optional()
        })?;
        let t = (now_ms() / 1000).max(stored.unwrap_or(0) + 1);
        self.live.apply(location_id, evse_uid, status, t, "network")?;
        Ok(())
    }

    /// The priced state of a session at real time `at_ms`.
    fn priced(&self, row: &Row, at_ms: i64) -> Result<(f64, f64, Option<Estimate>, f64), String> {
        let plugged = row.plugged_ms.unwrap_or(at_ms);
        let t_s = self.elapsed_s(plugged, at_ms).max(0.0);
        let curve = row.start.curve;
        let tz = jiff::tz::TimeZone::get(&row.start.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let start = jiff::Timestamp::from_millisecond(plugged).map_err(|e| e.to_string())?;
        let tariff = Tariff::from_value(row.start.tariff.clone()).map_err(|e| e.to_string())?;
        let est = estimate(&tariff, &priced_session(&curve, start, tz, t_s)).ok();
        Ok((curve.meter_kwh_at(t_s), curve.power_at(t_s), est, t_s))
    }

    fn session_json(&self, row: &Row, at_ms: i64) -> Result<serde_json::Value, String> {
        let (kwh, kw, est, t_s) = self.priced(row, at_ms)?;
        let plugged = row.plugged_ms.unwrap_or(at_ms);
        let network_now = plugged + (t_s * 1000.0) as i64;
        let currency = est.as_ref().map(|e| e.currency.clone()).unwrap_or_default();
        Ok(json!({
            "country_code": "NL",
            "party_id": "SIM",
            "id": row.session_id,
            "start_date_time": rfc3339_ms(plugged),
            "end_date_time": row.stopped_ms.map(|_| rfc3339_ms(network_now)),
            "kwh": round3(kwh),
            "cdr_token": {"country_code": "NL", "party_id": "CFD", "uid": row.reference, "type": "AD_HOC_USER", "contract_id": row.reference},
            "auth_method": "COMMAND",
            "authorization_reference": row.reference,
            "location_id": row.start.location_id,
            "evse_uid": row.start.evse_uid,
            "connector_id": row.start.connector_id,
            "currency": currency,
            "charging_periods": [{"start_date_time": rfc3339_ms(plugged), "dimensions": [
                {"type": "ENERGY", "volume": round3(kwh)}, {"type": "POWER", "volume": round3(kw)}]}],
            "total_cost": est.as_ref().map(|e| json!({"excl_vat": e.excl_vat, "incl_vat": e.incl_vat})),
            "status": if row.stopped_ms.is_some() { "COMPLETED" } else { "ACTIVE" },
            "last_updated": rfc3339_ms(at_ms),
            // Not OCPI: the network's elapsed seconds (the speed factor makes them differ from
            // wall time in tests), so the app can show a duration that matches the kWh.
            "x_elapsed_s": (t_s).round(),
        }))
    }

    fn cdr_json(&self, row: &Row, ended_ms: i64) -> Result<serde_json::Value, String> {
        let (kwh, _, est, t_s) = self.priced(row, ended_ms)?;
        let Some(e) = est else {
            return Err(format!("session {} cannot be priced under its tariff", row.reference));
        };
        let plugged = row.plugged_ms.unwrap_or(ended_ms);
        let curve = row.start.curve;
        let charging_s = curve.charging_s(t_s);
        let dim = |d: &str| {
            // Per-dimension prices to the cent, as a CDR's Price fields are read (the total is
            // rounded once by the engine, so the parts may differ from it in the last cent).
            e.dimensions
                .iter()
                .find(|c| c.dimension.as_str() == d)
                .map(|c| json!({"excl_vat": c.excl_vat.round_dp(2), "incl_vat": c.incl_vat.map(|v| v.round_dp(2))}))
        };
        Ok(json!({
            "country_code": "NL",
            "party_id": "SIM",
            "id": format!("CDR{}", row.reference.trim_start_matches("cs_")),
            "start_date_time": rfc3339_ms(plugged),
            "end_date_time": rfc3339_ms(plugged + (t_s * 1000.0) as i64),
            "session_id": row.session_id,
            "cdr_token": {"country_code": "NL", "party_id": "CFD", "uid": row.reference, "type": "AD_HOC_USER", "contract_id": row.reference},
            "auth_method": "COMMAND",
            "authorization_reference": row.reference,
            "cdr_location": {"id": row.start.location_id, "evse_uid": row.start.evse_uid, "connector_id": row.start.connector_id},
            "currency": e.currency,
            "tariffs": [row.start.tariff],
            "charging_periods": [{"start_date_time": rfc3339_ms(plugged), "dimensions": [{"type": "ENERGY", "volume": round3(kwh)}]}],
            "total_cost": {"excl_vat": e.excl_vat, "incl_vat": e.incl_vat},
            "total_fixed_cost": dim("FLAT"),
            "total_energy": round3(kwh),
            "total_energy_cost": dim("ENERGY"),
            "total_time": (Decimal::try_from(charging_s / 3600.0).unwrap_or_default()).round_dp(4),
            "total_time_cost": dim("TIME"),
            "total_parking_time": (Decimal::try_from((t_s - charging_s).max(0.0) / 3600.0).unwrap_or_default()).round_dp(4),
            "total_parking_cost": dim("PARKING_TIME"),
            "last_updated": rfc3339_ms(ended_ms),
        }))
    }
}

/// EVSEs with a session of ours not yet over: `(location_id, evse_uid)`.
pub fn evses_in_use(store: &crate::store::Store) -> Result<std::collections::HashSet<(String, String)>, String> {
    store.with_conn(|c| {
        let mut st = c.prepare_cached(
            "SELECT json_extract(command, '$.location_id'), json_extract(command, '$.evse_uid') FROM cpo_sessions WHERE done = 0",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    })
}

fn round3(x: f64) -> Decimal {
    Decimal::try_from(x).map(|d| d.round_dp(3)).unwrap_or_default()
}

const SELECT_ROW: &str = "SELECT reference, command, scripted, created_ms, start_result, start_result_ms, session_id,
    plugged_ms, stop_ms, stopped_ms, cdr FROM cpo_sessions";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let command: String = r.get(1)?;
    let start: StartSession = serde_json::from_str(&command)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(Row {
        reference: r.get(0)?,
        start,
        scripted: r.get(2)?,
        created_ms: r.get(3)?,
        start_result: r.get(4)?,
        start_result_ms: r.get(5)?,
        session_id: r.get(6)?,
        plugged_ms: r.get(7)?,
        stop_ms: r.get(8)?,
        stopped_ms: r.get(9)?,
        cdr: r.get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ac_charges_at_the_lower_of_car_and_connector_until_full() {
        // 60 kWh car, 11 kW on board, 22 kW socket: 11 kW.
        let c = Curve::new(60.0, 20.0, 11.0, 22.0, false);
        assert_eq!(c.power_at(0.0), 11.0);
        // After one hour: 11 kWh at the meter, 9.9 kWh in the battery (90 %): +16.5 %.
        assert!((c.meter_kwh_at(3600.0) - 11.0).abs() < 1e-9);
        assert!((c.soc_at(3600.0) - 36.5).abs() < 1e-9);
        // Full after 80 % × 60 kWh / 9.9 kW = 4.85 h; then no power and no more energy.
        let full = c.charging_s(24.0 * 3600.0);
        assert!((full - 0.8 * 60.0 / 9.9 * 3600.0).abs() < 1.0, "{full}");
        assert_eq!(c.power_at(full + 60.0), 0.0);
        assert!((c.meter_kwh_at(10.0 * 3600.0) - 48.0 / 0.9).abs() < 1e-6);
    }

    #[test]
    fn dc_tapers_above_80_percent_to_a_fifth_at_full() {
        let c = Curve::new(77.0, 10.0, 135.0, 150.0, true);
        assert_eq!(c.power_at(0.0), 135.0);
        // Find when it reaches 80 %: still full power just before, falling after.
        let r = 135.0 * 0.95 / 77.0 * 100.0 / 3600.0;
        let t80 = 70.0 / r;
        assert!((c.power_at(t80 - 1.0) - 135.0).abs() < 1e-9);
        assert!(c.power_at(t80 + 60.0) < 135.0);
        // At 90 %: power = 135 × (1 − 0.04 × 10) = 81 kW.
        let mut t = t80;
        while c.soc_at(t) < 90.0 {
            t += 1.0;
        }
        assert!((c.power_at(t) - 81.0).abs() < 0.2, "{}", c.power_at(t));
        // The taper is monotonic and the energy never decreases.
        let mut last_kw = f64::MAX;
        let mut last_kwh = 0.0;
        for s in (0..7200).step_by(30) {
            let kw = c.power_at(s as f64);
            let kwh = c.meter_kwh_at(s as f64);
            assert!(kw <= last_kw + 1e-9 && kwh >= last_kwh - 1e-9);
            last_kw = kw;
            last_kwh = kwh;
        }
        // And it ends at 100 %, with exactly the battery's missing 90 % at the meter.
        assert!((c.soc_at(1e7) - 100.0).abs() < 1e-9);
        assert!((c.meter_kwh_at(1e7) - 77.0 * 0.9 / 0.95).abs() < 1e-6);
    }

    #[test]
    fn a_car_plugged_in_above_the_knee_starts_tapered() {
        let c = Curve::new(50.0, 90.0, 100.0, 50.0, true);
        assert!((c.power_at(0.0) - 50.0 * 0.6).abs() < 1e-9);
    }

    #[test]
    fn priced_session_adds_up_to_the_curve() {
        let c = Curve::new(60.0, 20.0, 11.0, 22.0, false);
        let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
        let start: jiff::Timestamp = "2026-06-09T08:00:00Z".parse().unwrap();
        let s = priced_session(&c, start, tz, 6.0 * 3600.0);
        let kwh: Decimal = s.charging.iter().map(|x| x.energy_kwh).sum();
        assert_eq!(kwh, Decimal::try_from(48.0 / 0.9).unwrap().round_dp(3));
        // Parked once full: 6 h minus the 4.85 h of charging.
        assert!(s.parking_s > Decimal::from(4000) && s.parking_s < Decimal::from(4200), "{}", s.parking_s);
    }
}
