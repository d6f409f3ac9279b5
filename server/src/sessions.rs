//! Paid charging sessions: the state machine between the driver, Stripe and the network.
//!
//! ```text
//! requested ──hold placed──▶ held ──START_SESSION──▶ starting ──Session──▶ active ──stop──▶ stopping ──CDR, capture──▶ completed
//!     │ declined                │ interrupted,          │ REJECTED / EVSE_OCCUPIED / TIMEOUT / …,
//!     │                         │ driver's stop         │ no answer in time (ours), driver's stop
//!     ▼                         ▼                       ▼
//!   failed (nothing held)     failed, hold released   failed, hold released
//! ```
//!
//! A Session the network reports for a session already `failed` (a late answer, a stop that
//! crossed the car being plugged in) is stopped at once, and its CDR is never billed.
//!
//! Every transition is one guarded `UPDATE … WHERE state = …` (so each happens once, whoever
//! gets there first: the request, the network's message, reconciliation). Every Stripe call is
//! written down first as `pending_op` with its idempotency key, in the same transaction as the
//! state that calls for it, and cleared with the state its answer leads to. So:
//! * **no capture without a CDR**: `capture` is only ever set together with the CDR;
//! * **capture exactly once**: before repeating a capture we read the PaymentIntent, and the
//!   key is the same (real Stripe dedups it; localstripe does not, the read covers it);
//! * **no hold left open without a live session**: every failure path sets `release`, and
//!   [`Sessions::reconcile`] finishes any unfinished call at start and every 30 s after;
//! * **no session lost**: the row exists before anything is asked of anyone.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use chargefinder::tariff::{describe, estimate, ChargePlan, Language, Tariff};
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::{broadcast, mpsc};

use crate::network::{payable, CommandResponse, Curve, Network, NetworkEvent, StartSession};
use crate::payments::{from_minor_units, minimum_charge_minor, settle, to_minor_units, Settle, Stripe, StripeError};
use crate::store::Store;

/// The smallest hold, in the tariff's currency: below it a card check costs more than it saves.
pub const HOLD_FLOOR: Decimal = Decimal::from_parts(10, 0, 0, false, 0);
/// The largest hold: a driver's card limit matters more than a full battery at a dear charger.
/// A session whose cost reaches the hold is stopped by us, so the capture never exceeds it.
pub const HOLD_CAP: Decimal = Decimal::from_parts(100, 0, 0, false, 0);
/// The planned charge the hold covers: from this state of charge to full.
pub const HOLD_SOC_FROM_PCT: f64 = 20.0;
/// The car we assume when the driver has not said which they drive.
pub const DEFAULT_CAR: (&str, f64, f64, f64) = ("a typical car (60 kWh, 11 kW AC, 100 kW DC)", 60.0, 11.0, 100.0);

/// The hold for an estimated cost: the estimate rounded up to a whole unit, within
/// [`HOLD_FLOOR`, `HOLD_CAP`].
pub fn hold_amount(estimated: Decimal) -> Decimal {
    let mut hold = estimated.ceil().clamp(HOLD_FLOOR, HOLD_CAP);
    // Shown with cents, like every other amount ("26.00").
    hold.rescale(2);
    hold
}

/// Session states, as stored and as the API shows them.
pub mod state {
    pub const REQUESTED: &str = "requested";
    /// The card's bank wants the driver to confirm the hold (3-D Secure) first.
    pub const AUTHENTICATING: &str = "authenticating";
    pub const HELD: &str = "held";
    pub const STARTING: &str = "starting";
    pub const ACTIVE: &str = "active";
    pub const STOPPING: &str = "stopping";
    pub const COMPLETED: &str = "completed";
    pub const FAILED: &str = "failed";
    pub fn is_final(s: &str) -> bool {
        s == COMPLETED || s == FAILED
    }
}

/// The state machine's legal moves (a guard for the SQL updates, and documentation).
pub fn can_move(from: &str, to: &str) -> bool {
    use state::*;
    matches!(
        (from, to),
        (REQUESTED, HELD)
            | (REQUESTED, FAILED)
            | (REQUESTED, AUTHENTICATING)
            | (AUTHENTICATING, HELD)
            | (AUTHENTICATING, FAILED)
            | (HELD, STARTING)
            | (HELD, FAILED)
            | (STARTING, ACTIVE)
            | (STARTING, FAILED)
            | (STARTING, STOPPING)
            | (ACTIVE, STOPPING)
            | (STOPPING, COMPLETED)
    )
}

/// An API error: `{ "error": { "code", "message" } }` with an HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }
    fn internal(e: impl std::fmt::Display) -> ApiError {
        eprintln!("chargefinder-server: {e}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side; please try again.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(json!({"error": {"code": self.code, "message": self.message}}))).into_response()
    }
}

/// How long a driver has to confirm a hold with their bank (3-D Secure).
const AUTH_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The bank did not confirm (the driver failed or abandoned 3-D Secure).
const AUTH_FAILED: (&str, &str) = (
    "card_authentication_failed",
    "Your bank did not confirm the payment. Nothing was charged; try again or use another card.",
);

/// A start the driver stopped before the charger started.
const CANCELLED: (&str, &str) =
    ("cancelled", "You stopped before the charger started. Nothing was charged; your hold was released.");

/// The driver's words for why a start failed, by OCPI result.
fn start_failure(result: &str) -> (&'static str, &'static str) {
    match result {
        "EVSE_OCCUPIED" => ("charger_occupied", "The charger is occupied. Your hold was released."),
        "EVSE_INOPERATIVE" => ("charger_out_of_order", "The charger is out of order. Your hold was released."),
        "TIMEOUT" => ("charger_timeout", "The charger did not respond. Your hold was released."),
        "REJECTED" => {
            ("charger_rejected", "The charging network refused to start this charger. Your hold was released.")
        }
        _ => ("charger_failed", "The charger could not start. Your hold was released."),
    }
}

/// The sessions engine. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Sessions {
    store: Store,
    stripe: Option<Stripe>,
    network: Network,
    /// A session's id whenever it changed (the SSE streams listen).
    changed: broadcast::Sender<String>,
    /// Whether the test-only network controls are on.
    pub test_control: bool,
    /// How long we wait for the network's answer to START_SESSION before giving up ourselves.
    start_timeout: Duration,
}

/// A stored session (the columns we use).
#[derive(Debug, Clone)]
struct Row {
    id: String,
    driver: String,
    request: String,
    location_id: String,
    evse_uid: String,
    connector_id: String,
    state: String,
    created_ms: i64,
    currency: String,
    hold_minor: i64,
    quote: Value,
    pi_id: Option<String>,
    pending_op: Option<String>,
    op_key: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    ocpi_session: Option<Value>,
    started_ms: Option<i64>,
    ended_ms: Option<i64>,
    cdr: Option<Value>,
    captured_minor: Option<i64>,
    released: bool,
    /// When the state last moved (for `starting`: when START_SESSION was sent).
    updated_ms: i64,
}

const SELECT: &str = "SELECT id, driver, request, location_id, evse_uid, connector_id, state, created_ms, currency,
    hold_minor, quote, pi_id, pending_op, op_key, error_code, error_message, ocpi_session,
    started_ms, ended_ms, cdr, captured_minor, released, updated_ms FROM sessions";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let json = |i: usize| -> rusqlite::Result<Option<Value>> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(Row {
        id: r.get(0)?,
        driver: r.get(1)?,
        request: r.get(2)?,
        location_id: r.get(3)?,
        evse_uid: r.get(4)?,
        connector_id: r.get(5)?,
        state: r.get(6)?,
        created_ms: r.get(7)?,
        currency: r.get(8)?,
        hold_minor: r.get(9)?,
        quote: json(10)?.unwrap_or(Value::Null),
        pi_id: r.get(11)?,
        pending_op: r.get(12)?,
        op_key: r.get(13)?,
        error_code: r.get(14)?,
        error_message: r.get(15)?,
        ocpi_session: json(16)?,
        started_ms: r.get(17)?,
        ended_ms: r.get(18)?,
        cdr: json(19)?,
        captured_minor: r.get(20)?,
        released: r.get::<_, i64>(21)? != 0,
        updated_ms: r.get(22)?,
    })
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn rfc3339_ms(ms: i64) -> Option<String> {
    jiff::Timestamp::from_millisecond(ms).ok().map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn random_hex(bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

fn sha256_hex(s: &str) -> String {
    format!("{:x}", Sha256::digest(s.as_bytes()))
}

/// `POST /api/sessions` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    pub location_id: String,
    pub evse_uid: String,
    pub connector_id: String,
    /// The Stripe PaymentMethod id Stripe.js made in the browser (`pm_…`), or a card token
    /// (`tok_…`, what localstripe's Stripe.js can make).
    pub payment_method: String,
    #[serde(default)]
    pub vehicle_id: Option<String>,
}

/// What we worked out before asking for money: the tariff, the estimate, the hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Quote {
    pub tariff_id: String,
    pub tariff: Value,
    pub tariff_words: String,
    pub currency: String,
    /// Estimated cost of charging the car from 20 % to full here.
    pub estimate: Decimal,
    /// The estimate is incl. VAT (else the tariff does not state its VAT).
    pub incl_vat: bool,
    pub hold: Decimal,
    pub vehicle: String,
    pub time_zone: String,
    pub location_name: Option<String>,
    pub address: String,
    pub operator: Option<String>,
    pub evse_id: Option<String>,
    pub connector_standard: String,
    pub connector_kw: f64,
    pub curve: Curve,
}

impl Sessions {
    pub fn new(
        store: Store,
        stripe: Option<Stripe>,
        network: Network,
        test_control: bool,
        start_timeout: Duration,
    ) -> Sessions {
        let (changed, _) = broadcast::channel(1024);
        Sessions { store, stripe, network, changed, test_control, start_timeout }
    }

    pub fn stripe(&self) -> Option<&Stripe> {
        self.stripe.as_ref()
    }

    fn load(&self, id: &str) -> Result<Option<Row>, String> {
        self.store.with_conn(|c| c.query_row(&format!("{SELECT} WHERE id = ?1"), [id], read_row).optional())
    }

    fn notify(&self, id: &str) {
        let _ = self.changed.send(id.to_string());
    }

    /// Moves `id` from one of `from` to `to` (with extra `SET` clauses, whose arguments are
    /// numbered from `?4`), if it is still in one of `from`. Returns whether it moved.
    fn transition(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        set: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<bool, String> {
        self.transition_if(id, from, "", to, set, args)
    }

    /// [`Self::transition`], only if the row also meets `cond` (SQL, our own text, never input).
    fn transition_if(
        &self,
        id: &str,
        from: &[&str],
        cond: &str,
        to: &str,
        set: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<bool, String> {
        debug_assert!(from.iter().all(|f| can_move(f, to) || *f == to), "{from:?} → {to}");
        // The states are our own constants (never input), so they are written into the SQL.
        let states: Vec<String> = from.iter().map(|f| format!("'{f}'")).collect();
        let extra = if set.is_empty() { String::new() } else { format!(", {set}") };
        let cond = if cond.is_empty() { String::new() } else { format!(" AND ({cond})") };
        let sql = format!(
            "UPDATE sessions SET state = ?2, updated_ms = ?3{extra} WHERE id = ?1 AND state IN ({}){cond}",
            states.join(", ")
        );
        let now = now_ms();
        let mut all: Vec<&dyn rusqlite::ToSql> = vec![&id, &to, &now];
        all.extend_from_slice(args);
        let n = self.store.with_conn(|c| c.execute(&sql, all.as_slice()))?;
        if n > 0 {
            self.notify(id);
        }
        Ok(n > 0)
    }

    // ----- drivers -----

    pub fn new_driver(&self) -> Result<String, String> {
        let token = format!("cfd_{}", random_hex(32));
        self.store.with_conn(|c| {
            c.execute(
                "INSERT INTO drivers (token_sha256, created_ms) VALUES (?1, ?2)",
                params![sha256_hex(&token), now_ms()],
            )
        })?;
        Ok(token)
    }

    /// The driver behind `Authorization: Bearer …`: their token's hash.
    fn driver(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Sign in first: this request needs the device's driver token (Authorization: Bearer …).",
                )
            })?;
        let hash = sha256_hex(token);
        let known = self
            .store
            .with_conn(|c| c.query_row("SELECT 1 FROM drivers WHERE token_sha256 = ?1", [&hash], |_| Ok(())).optional())
            .map_err(ApiError::internal)?;
        match known {
            Some(()) => Ok(hash),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unknown_driver",
                "This driver token is not known here; get a new one with POST /api/drivers.",
            )),
        }
    }

    /// The session `id` if it belongs to the driver: 404 if there is none, 403 if it is another's.
    fn owned(&self, headers: &HeaderMap, id: &str) -> Result<Row, ApiError> {
        let driver = self.driver(headers)?;
        let row = self.load(id).map_err(ApiError::internal)?.ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, "no_such_session", format!("There is no session {id}."))
        })?;
        if row.driver != driver {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "not_your_session",
                "This session belongs to another driver.",
            ));
        }
        Ok(row)
    }

    // ----- quoting -----

    /// Looks up the connector, its tariff and the car; prices a charge from 20 % to full.
    pub fn quote(&self, req: &CreateSession) -> Result<Quote, ApiError> {
        let not_found = |what: String| ApiError::new(StatusCode::NOT_FOUND, "no_such_charger", what);
        let raw = self
            .store
            .location(&req.location_id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| not_found(format!("There is no charging location {:?}.", req.location_id)))?;
        let imported = chargefinder::import_locations(format!("[{raw}]").as_bytes()).map_err(ApiError::internal)?;
        let loc = imported
            .locations
            .into_iter()
            .next()
            .ok_or_else(|| not_found("This location could not be read.".into()))?;
        let evse = loc
            .evses
            .iter()
            .find(|e| e.uid == req.evse_uid)
            .ok_or_else(|| not_found(format!("Location {} has no charger {:?}.", loc.id, req.evse_uid)))?;
        let connector = evse
            .connectors
            .iter()
            .find(|c| c.id == req.connector_id)
            .ok_or_else(|| not_found(format!("Charger {} has no connector {:?}.", evse.uid, req.connector_id)))?;
        if !evse.capabilities.iter().any(|c| c == "REMOTE_START_STOP_CAPABLE") {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_remote_startable",
                "This charger cannot be started from an app; use the operator's card or the charger's own payment.",
            ));
        }
        let (vehicle, battery, ac, dc) = match req.vehicle_id.as_deref() {
            None => (DEFAULT_CAR.0.to_string(), DEFAULT_CAR.1, DEFAULT_CAR.2, DEFAULT_CAR.3),
            Some(id) => {
                let v = chargefinder::catalogue_vehicle(id).ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unknown_vehicle",
                        format!("We do not know the car {id:?}."),
                    )
                })?;
                if !chargefinder::compatible(&v.vehicle, connector) {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "connector_does_not_fit",
                        format!("This connector does not fit a {}.", v.vehicle.name),
                    ));
                }
                (
                    v.vehicle.name.clone(),
                    f64::from(v.vehicle.battery_kwh),
                    f64::from(v.vehicle.max_ac_kw),
                    f64::from(v.vehicle.max_dc_kw),
                )
            }
        };
        let connector_kw = connector.max_power_kw().unwrap_or(11.0);
        let is_dc = connector.is_dc();
        let no_price = || {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_price",
                "This charger does not publish a price we can read, so we cannot take payment for it.",
            )
        };
        let (tariff_id, tariff_json) = connector
            .tariff_ids
            .iter()
            .find_map(|id| self.tariff_json(id).ok().flatten().map(|t| (id.clone(), t)))
            .ok_or_else(no_price)?;
        let tariff = Tariff::from_value(tariff_json.clone()).map_err(|_| no_price())?;
        let tz_name =
            if jiff::tz::TimeZone::get(&loc.time_zone).is_ok() { loc.time_zone.clone() } else { "UTC".into() };
        let tz = jiff::tz::TimeZone::get(&tz_name).map_err(ApiError::internal)?;
        let plan = ChargePlan {
            battery_kwh: battery,
            soc_from_pct: HOLD_SOC_FROM_PCT,
            soc_to_pct: 100.0,
            car_max_ac_kw: ac,
            car_max_dc_kw: dc,
            connector_kw,
            dc: is_dc,
        };
        let session = plan.session(jiff::Timestamp::now(), tz, Decimal::ZERO).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "cannot_charge",
                format!("Your car cannot charge here: {}", e.0),
            )
        })?;
        let est = estimate(&tariff, &session).map_err(|_| no_price())?;
        let amount = payable(&est);
        Ok(Quote {
            tariff_id,
            tariff: tariff_json,
            tariff_words: describe(&tariff, Language::En),
            currency: est.currency.clone(),
            estimate: amount,
            incl_vat: est.incl_vat.is_some(),
            hold: hold_amount(amount),
            vehicle,
            time_zone: tz_name,
            location_name: loc.name.clone(),
            address: format!("{}, {}", loc.address, loc.city),
            operator: loc.operator.clone(),
            evse_id: evse.evse_id.clone(),
            connector_standard: connector.standard.clone(),
            connector_kw,
            curve: Curve::new(battery, HOLD_SOC_FROM_PCT, if is_dc { dc } else { ac }, connector_kw, is_dc),
        })
    }

    fn tariff_json(&self, id: &str) -> Result<Option<Value>, String> {
        let raw: Option<String> = self.store.with_conn(|c| {
            c.query_row("SELECT ocpi FROM tariffs WHERE id = ?1 ORDER BY seq LIMIT 1", [id], |r| r.get(0)).optional()
        })?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    // ----- the flow -----

    /// `POST /api/sessions`: hold, then start. Returns the session and whether it is new.
    pub async fn create(&self, driver: &str, key: &str, req: CreateSession) -> Result<(Value, bool), ApiError> {
        let request = serde_json::to_string(&req).map_err(ApiError::internal)?;
        if let Some(existing) = self.by_key(driver, key)? {
            return self.repeat(existing, &request).map(|v| (v, false));
        }
        let Some(stripe) = self.stripe.clone() else {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "payments_off",
                "Payments are not set up on this server (CHARGEFINDER_STRIPE_SECRET_KEY).",
            ));
        };
        if !["pm_", "tok_", "card_", "src_"].iter().any(|p| req.payment_method.starts_with(p)) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_payment_method",
                "payment_method must be the id Stripe.js gave for the card (pm_… or tok_…).",
            ));
        }
        let quote = self.quote(&req)?;
        let hold_minor =
            to_minor_units(quote.hold, &quote.currency).ok_or_else(|| ApiError::internal("hold out of range"))?;
        let id = format!("cs_{}", random_hex(12));
        let op_key = format!("hold-{id}");
        let quote_json = serde_json::to_string(&quote).map_err(ApiError::internal)?;
        let now = now_ms();
        // The row, with the hold recorded as pending, before Stripe hears of it.
        let inserted = self
            .store
            .with_conn(|c| {
                c.execute(
                    "INSERT OR IGNORE INTO sessions (id, driver, idempotency_key, request, location_id, evse_uid, connector_id,
                         state, created_ms, updated_ms, currency, hold_minor, quote, payment_method, pending_op, op_key)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'requested', ?8, ?8, ?9, ?10, ?11, ?12, 'hold', ?13)",
                    params![
                        id, driver, key, request, req.location_id, req.evse_uid, req.connector_id, now,
                        quote.currency, hold_minor, quote_json, req.payment_method, op_key
                    ],
                )
            })
            .map_err(ApiError::internal)?;
        if inserted == 0 {
            // The same key raced us in: answer with that session.
            let existing =
                self.by_key(driver, key)?.ok_or_else(|| ApiError::internal("idempotency race without a row"))?;
            return self.repeat(existing, &request).map(|v| (v, false));
        }
        // A card token (localstripe's Stripe.js, or an older integration) becomes a card first.
        let mut payment_method = req.payment_method.clone();
        let mut customer = None;
        if payment_method.starts_with("tok_") {
            match stripe.card_from_token(&payment_method, &id, &format!("customer-{id}")).await {
                Ok((c, card)) => {
                    customer = Some(c);
                    payment_method = card;
                }
                Err(e) => {
                    let (code, message) = match &e {
                        StripeError::Declined { .. } => {
                            ("card_declined", "Your card was declined. Nothing was charged; try another card.")
                        }
                        _ => ("payment_failed", "The payment provider did not accept the card. Nothing was charged."),
                    };
                    eprintln!("chargefinder-server: card for {id}: {e}");
                    self.fail(&id, &[state::REQUESTED], code, message, None).map_err(ApiError::internal)?;
                    return Err(self.error_of(&id)?);
                }
            }
        }
        let held = stripe.hold(hold_minor, &quote.currency, &payment_method, customer.as_deref(), &id, &op_key).await;
        match held {
            Ok(pi) if pi.status == "requires_capture" => {
                self.transition(&id, &[state::REQUESTED], state::HELD, "pi_id = ?4, pending_op = NULL", &[&pi.id])
                    .map_err(ApiError::internal)?;
            }
            Ok(pi) if pi.status == "requires_action" && pi.client_secret.is_some() => {
                // 3-D Secure: the driver's bank confirms in the browser (Stripe.js), then the app
                // calls `…/authenticated` and we go on. Until then nothing starts, and a hold
                // nobody confirms is released after AUTH_TIMEOUT.
                self.transition(
                    &id,
                    &[state::REQUESTED],
                    state::AUTHENTICATING,
                    "pi_id = ?4, pending_op = NULL",
                    &[&pi.id],
                )
                .map_err(ApiError::internal)?;
                self.watch_auth(&id, AUTH_TIMEOUT);
                let row = self
                    .load(&id)
                    .map_err(ApiError::internal)?
                    .ok_or_else(|| ApiError::internal("session vanished"))?;
                let mut view = self.view(&row);
                view["payment"]["client_secret"] = json!(pi.client_secret);
                return Ok((view, true));
            }
            Ok(pi) => {
                // Anything else we cannot finish server-side: release and say so.
                self.fail(&id, &[state::REQUESTED], "card_needs_authentication",
                    "Your bank wants to confirm this payment in its app, which we cannot do yet. Nothing was charged; try another card.",
                    Some(&pi.id)).map_err(ApiError::internal)?;
                self.run_op_logged(&id).await;
                return Err(self.error_of(&id)?);
            }
            Err(StripeError::Declined { code, message }) => {
                // Stripe's own text is for us (it repeats "declined", or names a decline code);
                // the driver gets one plain sentence.
                eprintln!("chargefinder-server: hold for {id} declined ({code}): {message}");
                self.fail(
                    &id,
                    &[state::REQUESTED],
                    "card_declined",
                    "Your card was declined. Nothing was charged; try another card.",
                    None,
                )
                .map_err(ApiError::internal)?;
                return Err(self.error_of(&id)?);
            }
            Err(StripeError::Api { status, message }) => {
                eprintln!("chargefinder-server: hold for {id} refused by the payment provider ({status}): {message}");
                self.fail(
                    &id,
                    &[state::REQUESTED],
                    "payment_failed",
                    "The payment provider refused the hold. Nothing was charged.",
                    None,
                )
                .map_err(ApiError::internal)?;
                return Err(self.error_of(&id)?);
            }
            Err(StripeError::Unreachable(e)) => {
                // The hold may or may not exist: reconciliation finds it and releases it.
                eprintln!("chargefinder-server: hold for {id}: {e}");
                let me = self.clone();
                tokio::spawn(async move { me.run_op_logged(&id).await });
                return Err(ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "payment_unreachable",
                    "We could not reach the payment provider. If a hold was placed, it will be released.",
                ));
            }
        }
        self.send_start(&id).await.map_err(ApiError::internal)?;
        let row = self.load(&id).map_err(ApiError::internal)?.ok_or_else(|| ApiError::internal("session vanished"))?;
        if row.state == state::FAILED {
            return Err(self.error_of(&id)?);
        }
        Ok((self.view(&row), true))
    }

    fn by_key(&self, driver: &str, key: &str) -> Result<Option<Row>, ApiError> {
        self.store
            .with_conn(|c| {
                c.query_row(
                    &format!("{SELECT} WHERE driver = ?1 AND idempotency_key = ?2"),
                    params![driver, key],
                    read_row,
                )
                .optional()
            })
            .map_err(ApiError::internal)
    }

    /// The answer to a repeated `POST` with the same key: the same session, or the same error.
    fn repeat(&self, row: Row, request: &str) -> Result<Value, ApiError> {
        if row.request != request {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request; use a new key for a new session.",
            ));
        }
        if row.state == state::FAILED && row.started_ms.is_none() && row.pi_id.is_none() {
            return Err(self.error_of(&row.id)?);
        }
        Ok(self.view(&row))
    }

    fn error_of(&self, id: &str) -> Result<ApiError, ApiError> {
        let row = self.load(id).map_err(ApiError::internal)?.ok_or_else(|| ApiError::internal("session vanished"))?;
        let code: &'static str = match row.error_code.as_deref() {
            Some("card_declined") => "card_declined",
            Some("card_needs_authentication") => "card_needs_authentication",
            Some("card_authentication_failed") => "card_authentication_failed",
            Some("payment_failed") => "payment_failed",
            Some("charger_occupied") => "charger_occupied",
            Some("charger_out_of_order") => "charger_out_of_order",
            Some("charger_timeout") => "charger_timeout",
            Some("charger_rejected") => "charger_rejected",
            Some("cancelled") => "cancelled",
            _ => "session_failed",
        };
        let status = match code {
            "card_declined" | "card_needs_authentication" | "card_authentication_failed" => {
                StatusCode::PAYMENT_REQUIRED
            }
            "payment_failed" => StatusCode::BAD_GATEWAY,
            _ => StatusCode::CONFLICT,
        };
        Ok(ApiError::new(status, code, row.error_message.unwrap_or_else(|| "The session failed.".into())))
    }

    /// Marks `id` failed (from one of `from`); with a hold, records its release as pending.
    fn fail(&self, id: &str, from: &[&str], code: &str, message: &str, pi: Option<&str>) -> Result<bool, String> {
        self.fail_if(id, from, "", code, message, pi)
    }

    /// [`Self::fail`], only if the row also meets `cond`.
    fn fail_if(
        &self,
        id: &str,
        from: &[&str],
        cond: &str,
        code: &str,
        message: &str,
        pi: Option<&str>,
    ) -> Result<bool, String> {
        let key = format!("release-{id}");
        self.transition_if(
            id,
            from,
            cond,
            state::FAILED,
            "error_code = ?4, error_message = ?5, pi_id = COALESCE(pi_id, ?6),
             pending_op = CASE WHEN COALESCE(pi_id, ?6) IS NOT NULL THEN 'release' END,
             op_key = CASE WHEN COALESCE(pi_id, ?6) IS NOT NULL THEN ?7 END",
            &[&code, &message, &pi, &key],
        )
    }

    /// Sends START_SESSION for a held session (held → starting first, so a crash after the send
    /// finds `starting`, and the network's record tells whether the start got there).
    async fn send_start(&self, id: &str) -> Result<(), String> {
        self.transition(id, &[state::HELD], state::STARTING, "", &[])?;
        let Some(row) = self.load(id)? else { return Ok(()) };
        if row.state != state::STARTING {
            return Ok(());
        }
        let quote: Quote = serde_json::from_value(row.quote.clone()).map_err(|e| e.to_string())?;
        let cmd = StartSession {
            authorization_reference: row.id.clone(),
            location_id: row.location_id.clone(),
            evse_uid: row.evse_uid.clone(),
            connector_id: row.connector_id.clone(),
            tariff: quote.tariff.clone(),
            time_zone: quote.time_zone.clone(),
            curve: quote.curve,
        };
        let net = self.network.clone();
        let answer =
            tokio::task::spawn_blocking(move || net.start_session(&cmd)).await.map_err(|e| e.to_string())??;
        if answer != CommandResponse::Accepted {
            let (code, message) = start_failure("REJECTED");
            self.fail(id, &[state::STARTING], code, message, None)?;
            self.run_op_logged(id).await;
        } else {
            self.watch_start(id, self.start_timeout);
        }
        Ok(())
    }

    /// After `after`, gives up on a start the network has said nothing about: no result, no
    /// Session. OCPI's CommandResult may never come (a CPO that lost the command, a charger
    /// offline); the driver must not wait forever with money held. A late answer is then
    /// handled like a cancelled start (see [`Self::stop_cancelled`]).
    fn watch_start(&self, id: &str, after: Duration) {
        let me = self.clone();
        let id = id.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let (code, message) = start_failure("TIMEOUT");
            // One guarded statement: if the result or a Session came in meanwhile, nothing moves.
            match me.fail_if(
                &id,
                &[state::STARTING],
                "start_result IS NULL AND ocpi_session IS NULL",
                code,
                message,
                None,
            ) {
                Ok(true) => {
                    eprintln!("chargefinder-server: {id}: no answer from the network to the start; gave up");
                    me.run_op_logged(&id).await;
                }
                Ok(false) => {}
                Err(e) => eprintln!("chargefinder-server: {id}: start timeout not applied: {e}"),
            }
        });
    }

    /// After `after`, releases a hold the driver never confirmed with their bank (a closed tab).
    fn watch_auth(&self, id: &str, after: Duration) {
        let me = self.clone();
        let id = id.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            match me.fail(&id, &[state::AUTHENTICATING], AUTH_FAILED.0, AUTH_FAILED.1, None) {
                Ok(true) => me.run_op_logged(&id).await,
                Ok(false) => {}
                Err(e) => eprintln!("chargefinder-server: {id}: authentication timeout not applied: {e}"),
            }
        });
    }

    /// `POST /api/sessions/{id}/authenticated`: the driver's bank has had its say (Stripe.js);
    /// we read the PaymentIntent and go on (hold placed → start) or fail (nothing held).
    async fn authenticated(&self, row: &Row) -> Result<Value, ApiError> {
        if row.state != state::AUTHENTICATING {
            // Already on (a repeat), or over: say what it is.
            return if row.state == state::FAILED { Err(self.error_of(&row.id)?) } else { Ok(self.view(row)) };
        }
        let stripe = self.stripe.clone().ok_or_else(|| ApiError::internal("payments are off"))?;
        let pi = row.pi_id.clone().ok_or_else(|| ApiError::internal("authenticating without a PaymentIntent"))?;
        let now = stripe.retrieve(&pi).await.map_err(|e| {
            eprintln!("chargefinder-server: {}: reading {pi}: {e}", row.id);
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "payment_unreachable",
                "We could not reach the payment provider. Please try again in a moment.",
            )
        })?;
        match now.status.as_str() {
            "requires_capture" => {
                self.transition(&row.id, &[state::AUTHENTICATING], state::HELD, "", &[]).map_err(ApiError::internal)?;
                self.send_start(&row.id).await.map_err(ApiError::internal)?;
            }
            "requires_action" => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "authentication_pending",
                    "Your bank has not confirmed the payment yet. Confirm it, then try again.",
                ))
            }
            _ => {
                self.fail(&row.id, &[state::AUTHENTICATING], AUTH_FAILED.0, AUTH_FAILED.1, None)
                    .map_err(ApiError::internal)?;
                self.run_op_logged(&row.id).await;
            }
        }
        let row =
            self.load(&row.id).map_err(ApiError::internal)?.ok_or_else(|| ApiError::internal("session vanished"))?;
        if row.state == state::FAILED {
            return Err(self.error_of(&row.id)?);
        }
        Ok(self.view(&row))
    }

    /// The network reported a Session (the car plugged in, the charger started) for a session
    /// of ours that is over before it began: the driver cancelled, or we gave up waiting. Stop
    /// it at once; its hold is released, and its CDR will not be billed (a capture needs a
    /// session in `starting`/`active`/`stopping`).
    fn stop_cancelled(&self, id: &str) -> Result<(), String> {
        if !self.network.stop_requested(id)? {
            eprintln!("chargefinder-server: {id}: the network started a session we had ended; stopping it");
            self.network.stop_session(id)?;
        }
        Ok(())
    }

    /// `POST /api/sessions/{id}/stop`.
    /// While the charger is still starting, a stop is a cancel: the attempt ends, the hold is
    /// released, and a Session the network reports for it later is stopped at once.
    async fn stop(&self, row: &Row) -> Result<Value, ApiError> {
        let mut row = row.clone();
        if matches!(row.state.as_str(), state::AUTHENTICATING | state::HELD | state::STARTING) {
            let (code, message) = CANCELLED;
            let from = [state::AUTHENTICATING, state::HELD, state::STARTING];
            if self.fail(&row.id, &from, code, message, None).map_err(ApiError::internal)? {
                self.run_op_logged(&row.id).await;
                // The car may have been plugged in a moment ago: then there is a session to stop.
                let (net, id) = (self.network.clone(), row.id.clone());
                tokio::task::spawn_blocking(move || net.stop_session(&id))
                    .await
                    .map_err(ApiError::internal)?
                    .map_err(ApiError::internal)?;
            }
            // Moved or not (the Session may have come first: then it is active now), look again.
            row = self
                .load(&row.id)
                .map_err(ApiError::internal)?
                .ok_or_else(|| ApiError::internal("session vanished"))?;
        }
        match row.state.as_str() {
            state::ACTIVE => {}
            state::STOPPING | state::COMPLETED => return Ok(self.view(&row)),
            state::FAILED if row.error_code.as_deref() == Some(CANCELLED.0) => return Ok(self.view(&row)),
            state::FAILED => {
                return Err(ApiError::new(StatusCode::CONFLICT, "session_over", "This session has already ended."))
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "not_started",
                    "Your card is still being checked; stop again in a moment.",
                ))
            }
        }
        self.transition(&row.id, &[state::ACTIVE], state::STOPPING, "", &[]).map_err(ApiError::internal)?;
        let net = self.network.clone();
        let id = row.id.clone();
        tokio::task::spawn_blocking(move || net.stop_session(&id))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        let row =
            self.load(&row.id).map_err(ApiError::internal)?.ok_or_else(|| ApiError::internal("session vanished"))?;
        Ok(self.view(&row))
    }

    // ----- the network's messages -----

    /// Applies the network's messages, in order, for as long as the server runs.
    pub async fn follow(self, mut rx: mpsc::UnboundedReceiver<NetworkEvent>) {
        while let Some(e) = rx.recv().await {
            if let Err(err) = self.apply(e).await {
                eprintln!("chargefinder-server: network message not applied: {err}");
            }
        }
    }

    async fn apply(&self, e: NetworkEvent) -> Result<(), String> {
        match e {
            NetworkEvent::StartResult { reference, result } => {
                let Some(row) = self.load(&reference)? else { return Ok(()) };
                if result == "ACCEPTED" {
                    self.store.with_conn(|c| {
                        c.execute(
                            "UPDATE sessions SET start_result = ?2 WHERE id = ?1 AND start_result IS NULL",
                            params![row.id, result],
                        )
                    })?;
                    self.notify(&row.id);
                } else {
                    let (code, message) = start_failure(&result);
                    self.fail(&row.id, &[state::HELD, state::STARTING], code, message, None)?;
                    self.run_op_logged(&row.id).await;
                }
            }
            NetworkEvent::StopResult { reference, result } => {
                if result != "ACCEPTED" {
                    eprintln!("chargefinder-server: stop of {reference} answered {result}");
                }
            }
            NetworkEvent::Session { reference, session } => {
                let Some(row) = self.load(&reference)? else { return Ok(()) };
                let started = session
                    .get("start_date_time")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                    .map(|t| t.as_millisecond());
                let mut row = row;
                if row.state == state::STARTING
                    && !self.transition(&row.id, &[state::STARTING], state::ACTIVE, "started_ms = ?4", &[&started])?
                {
                    // Cancelled or timed out in the meantime: look again.
                    let Some(now) = self.load(&reference)? else { return Ok(()) };
                    row = now;
                }
                if row.state == state::FAILED {
                    return self.stop_cancelled(&row.id);
                }
                let body = session.to_string();
                self.store.with_conn(|c| {
                    c.execute(
                        "UPDATE sessions SET ocpi_session = ?2, started_ms = COALESCE(started_ms, ?3) WHERE id = ?1 AND cdr IS NULL",
                        params![row.id, body, started],
                    )
                })?;
                self.notify(&row.id);
                // The cost has reached the hold: stop, so we never need to take more than we held.
                let cost = session_cost(&session);
                if row.state == state::ACTIVE
                    && cost.is_some_and(|c| to_minor_units(c, &row.currency).unwrap_or(0) >= row.hold_minor)
                {
                    self.transition(&row.id, &[state::ACTIVE], state::STOPPING, "", &[])?;
                    let net = self.network.clone();
                    let id = row.id.clone();
                    tokio::task::spawn_blocking(move || net.stop_session(&id)).await.map_err(|e| e.to_string())??;
                }
            }
            NetworkEvent::Cdr { reference, cdr } => {
                let Some(row) = self.load(&reference)? else { return Ok(()) };
                let ended = cdr
                    .get("end_date_time")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                    .map(|t| t.as_millisecond());
                // The CDR and the capture it calls for, in one statement: no capture without a CDR.
                let key = format!("capture-{}", row.id);
                let set = self.transition(
                    &row.id,
                    &[state::STARTING, state::ACTIVE, state::STOPPING],
                    state::STOPPING,
                    "cdr = ?4, ended_ms = ?5, pending_op = 'capture', op_key = ?6",
                    &[&cdr.to_string(), &ended, &key],
                );
                // Only the first CDR counts (the guard: no CDR yet).
                if set? {
                    self.run_op_logged(&row.id).await;
                }
            }
        }
        Ok(())
    }

    // ----- payments that must finish -----

    async fn run_op_logged(&self, id: &str) {
        if let Err(e) = self.run_op(id).await {
            eprintln!("chargefinder-server: payment step for {id} will be retried: {e}");
        }
    }

    /// Finishes the pending Stripe call of session `id`, if any. Safe to repeat.
    pub async fn run_op(&self, id: &str) -> Result<(), String> {
        let Some(row) = self.load(id)? else { return Ok(()) };
        let (Some(op), Some(key)) = (row.pending_op.clone(), row.op_key.clone()) else { return Ok(()) };
        let Some(stripe) = self.stripe.clone() else { return Err("payments are not configured".into()) };
        match op.as_str() {
            "hold" => {
                // We asked for a hold and do not know how it went (crash, no answer). A hold the
                // driver is not using must not stay: find it, then release it.
                let found = stripe.find_for_session(id).await.map_err(|e| e.to_string())?;
                let pi = found
                    .filter(|pi| matches!(pi.status.as_str(), "requires_capture" | "requires_action"))
                    .map(|pi| pi.id);
                self.fail(
                    id,
                    &[state::REQUESTED],
                    "interrupted",
                    "The start was interrupted on our side. Nothing was charged; please try again.",
                    pi.as_deref(),
                )?;
                self.store.with_conn(|c| {
                    c.execute("UPDATE sessions SET pending_op = NULL WHERE id = ?1 AND pending_op = 'hold'", [id])
                })?;
                if pi.is_some() {
                    Box::pin(self.run_op(id)).await?;
                }
            }
            "release" => {
                let pi = row.pi_id.clone().ok_or("release without a PaymentIntent")?;
                let done = match stripe.cancel(&pi, &key).await {
                    Ok(p) => p.status == "canceled",
                    Err(StripeError::Unreachable(e)) => return Err(e),
                    // Already cancelled (a repeat after a crash), or never held: look.
                    Err(_) => {
                        let p = stripe.retrieve(&pi).await.map_err(|e| e.to_string())?;
                        matches!(p.status.as_str(), "canceled" | "requires_payment_method")
                    }
                };
                if done {
                    self.store.with_conn(|c| {
                        c.execute("UPDATE sessions SET pending_op = NULL, released = 1, updated_ms = ?2 WHERE id = ?1 AND pending_op = 'release'", params![id, now_ms()])
                    })?;
                    self.notify(id);
                }
            }
            "capture" => {
                let pi = row.pi_id.clone().ok_or("capture without a PaymentIntent")?;
                let cdr = row.cdr.as_ref().ok_or("capture without a CDR")?;
                let total = cdr_payable(cdr).ok_or("CDR without a total cost")?;
                let total_minor = to_minor_units(total, &row.currency).ok_or("CDR total out of range")?;
                if total_minor > row.hold_minor {
                    eprintln!("chargefinder-server: {id}: CDR total {total} is above the hold; capturing the hold");
                }
                // Nothing, or less than a card can be charged: release instead of capturing.
                let want = match settle(total_minor, row.hold_minor, &row.currency) {
                    Settle::Capture(m) => m,
                    Settle::NothingToPay | Settle::BelowMinimum => 0,
                };
                // Read first: a capture that happened before a crash must not happen again.
                let now = stripe.retrieve(&pi).await.map_err(|e| e.to_string())?;
                let captured = match now.status.as_str() {
                    "succeeded" => now.amount_received.unwrap_or(want),
                    "canceled" => 0,
                    "requires_capture" if want == 0 => {
                        stripe.cancel(&pi, &key).await.map_err(|e| e.to_string())?;
                        0
                    }
                    "requires_capture" => {
                        let p = stripe.capture(&pi, want, &key).await.map_err(|e| e.to_string())?;
                        p.amount_received.unwrap_or(want)
                    }
                    other => return Err(format!("PaymentIntent {pi} is {other}; cannot capture")),
                };
                self.transition(
                    id,
                    &[state::STOPPING],
                    state::COMPLETED,
                    "pending_op = NULL, captured_minor = ?4, released = 1",
                    &[&captured],
                )?;
            }
            other => return Err(format!("unknown pending operation {other:?}")),
        }
        Ok(())
    }

    /// After a start (and every 30 s): finish every unfinished payment call, and bring every
    /// open session in line with the network.
    pub async fn reconcile(&self) -> Result<usize, String> {
        let open: Vec<Row> = self.store.with_conn(|c| {
            let mut st =
                c.prepare(&format!("{SELECT} WHERE state NOT IN ('completed', 'failed') OR pending_op IS NOT NULL"))?;
            let rows = st.query_map([], read_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        let n = open.len();
        for row in open {
            if row.pending_op.is_some() {
                self.run_op_logged(&row.id).await;
            }
            match row.state.as_str() {
                state::AUTHENTICATING => {
                    let waited = Duration::from_millis(now_ms().saturating_sub(row.updated_ms).max(0) as u64);
                    self.watch_auth(&row.id, AUTH_TIMEOUT.saturating_sub(waited));
                }
                state::HELD => {
                    // Crashed between the hold and the start: the driver is still there, so start.
                    self.send_start(&row.id).await?;
                }
                state::STARTING | state::ACTIVE | state::STOPPING => {
                    if !self.network.knows(&row.id)? {
                        // The start never reached the network: send it (idempotent by reference).
                        self.store.with_conn(|c| {
                            c.execute(
                                "UPDATE sessions SET state = 'held' WHERE id = ?1 AND state = 'starting'",
                                [&row.id],
                            )
                        })?;
                        self.send_start(&row.id).await?;
                    } else {
                        if row.state == state::STOPPING && row.cdr.is_none() && !self.network.stop_requested(&row.id)? {
                            self.network.stop_session(&row.id)?;
                        }
                        if row.state == state::STARTING {
                            // Still waiting for the network's answer: the rest of the wait.
                            let waited = Duration::from_millis(now_ms().saturating_sub(row.updated_ms).max(0) as u64);
                            self.watch_start(&row.id, self.start_timeout.saturating_sub(waited));
                        }
                        self.network.replay(&row.id)?;
                    }
                }
                _ => {}
            }
        }
        Ok(n)
    }

    /// Retries unfinished payment calls every 30 s (a payment provider that was unreachable).
    pub async fn keep_reconciling(self) {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        tick.tick().await;
        loop {
            tick.tick().await;
            let pending: Result<Vec<String>, String> = self.store.with_conn(|c| {
                let mut st = c.prepare("SELECT id FROM sessions WHERE pending_op IS NOT NULL")?;
                let ids = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(ids)
            });
            for id in pending.unwrap_or_default() {
                self.run_op_logged(&id).await;
            }
        }
    }

    // ----- views -----

    /// The session as the API shows it.
    fn view(&self, row: &Row) -> Value {
        let quote: Option<Quote> = serde_json::from_value(row.quote.clone()).ok();
        let minor = |m: i64| from_minor_units(m, &row.currency);
        let s = row.ocpi_session.as_ref();
        let cdr = row.cdr.as_ref();
        let kwh = cdr.and_then(|c| c.get("total_energy")).or_else(|| s.and_then(|s| s.get("kwh"))).cloned();
        let kw = if state::is_final(&row.state) || row.state == state::STOPPING && cdr.is_some() {
            None
        } else {
            s.and_then(|s| s.pointer("/charging_periods/0/dimensions/1/volume")).cloned()
        };
        let cost = cdr.and_then(cdr_payable).or_else(|| s.and_then(session_cost));
        let elapsed = s.and_then(|s| s.get("x_elapsed_s")).cloned();
        json!({
            "id": row.id,
            "state": row.state,
            "location_id": row.location_id,
            "evse_uid": row.evse_uid,
            "connector_id": row.connector_id,
            "location_name": quote.as_ref().and_then(|q| q.location_name.clone()),
            "address": quote.as_ref().map(|q| q.address.clone()),
            "operator": quote.as_ref().and_then(|q| q.operator.clone()),
            "evse_id": quote.as_ref().and_then(|q| q.evse_id.clone()),
            "currency": row.currency,
            "tariff": quote.as_ref().map(|q| q.tariff_words.clone()),
            "estimate": quote.as_ref().map(|q| q.estimate),
            "vehicle": quote.as_ref().map(|q| q.vehicle.clone()),
            "created_at": rfc3339_ms(row.created_ms),
            "started_at": row.started_ms.and_then(rfc3339_ms),
            "ended_at": row.ended_ms.and_then(rfc3339_ms),
            "elapsed_s": elapsed,
            "kwh": kwh,
            "kw": kw,
            "cost": cost,
            "payment": {
                "payment_intent": row.pi_id,
                "held": minor(row.hold_minor),
                "captured": row.captured_minor.map(minor),
                "released": row.released,
                "pending": row.pending_op,
            },
            "error": row.error_code.as_ref().map(|c| json!({"code": c, "message": row.error_message})),
            "receipt_url": (row.state == state::COMPLETED).then(|| format!("/api/sessions/{}/receipt", row.id)),
        })
    }

    fn receipt(&self, row: &Row) -> Result<Value, ApiError> {
        let (Some(cdr), state::COMPLETED) = (row.cdr.as_ref(), row.state.as_str()) else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "no_receipt_yet",
                "The receipt is ready when the session has ended and been paid.",
            ));
        };
        let quote: Quote = serde_json::from_value(row.quote.clone()).map_err(ApiError::internal)?;
        let part = |k: &str| cdr.get(k).filter(|v| !v.is_null()).cloned();
        let total = cdr.get("total_cost").cloned().unwrap_or(Value::Null);
        let excl = total.get("excl_vat").and_then(dec);
        let incl = total.get("incl_vat").and_then(dec);
        // Why nothing was taken, when nothing was (the same rule the capture followed).
        let total_minor = cdr_payable(cdr).and_then(|t| to_minor_units(t, &row.currency));
        let not_charged = match (row.captured_minor, total_minor.map(|t| settle(t, row.hold_minor, &row.currency))) {
            (Some(0), Some(Settle::NothingToPay)) => Some(json!({
                "reason": "nothing_to_pay",
                "message": "Nothing to pay: your hold was released.",
            })),
            (Some(0), Some(Settle::BelowMinimum)) => {
                let min = from_minor_units(minimum_charge_minor(&row.currency), &row.currency);
                Some(json!({
                    "reason": "below_card_minimum",
                    "minimum": min,
                    "message": format!(
                        "Not charged: the total is below the card minimum of {} {min}, so your hold was released.",
                        row.currency
                    ),
                }))
            }
            _ => None,
        };
        Ok(json!({
            "session_id": row.id,
            "cdr_id": cdr.get("id"),
            "operator": quote.operator,
            "location": {"id": row.location_id, "name": quote.location_name, "address": quote.address},
            "evse": {"uid": row.evse_uid, "evse_id": quote.evse_id, "connector_id": row.connector_id, "standard": quote.connector_standard},
            "started_at": cdr.get("start_date_time"),
            "ended_at": cdr.get("end_date_time"),
            "kwh": cdr.get("total_energy"),
            "charging_hours": cdr.get("total_time"),
            "parking_hours": cdr.get("total_parking_time"),
            "tariff": {"id": quote.tariff_id, "words": quote.tariff_words},
            "currency": row.currency,
            "breakdown": {
                "energy": part("total_energy_cost"),
                "time": part("total_time_cost"),
                "parking": part("total_parking_cost"),
                "fixed": part("total_fixed_cost"),
            },
            "total_excl_vat": excl,
            "vat": match (excl, incl) { (Some(e), Some(i)) => Some(i - e), _ => None },
            "total_incl_vat": incl,
            "paid": row.captured_minor.map(|m| from_minor_units(m, &row.currency)),
            "held": from_minor_units(row.hold_minor, &row.currency),
            "payment_reference": row.pi_id,
            "not_charged": not_charged,
        }))
    }
}

fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

/// Cost so far of an OCPI Session (incl. VAT when known).
fn session_cost(s: &Value) -> Option<Decimal> {
    let t = s.get("total_cost")?;
    t.get("incl_vat").and_then(dec).or_else(|| t.get("excl_vat").and_then(dec))
}

/// What a CDR says the driver pays: incl. VAT when the tariff states it, else excl. VAT.
pub fn cdr_payable(cdr: &Value) -> Option<Decimal> {
    session_cost(cdr)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn receipt_html(r: &Value) -> String {
    let s = |p: &str| -> String {
        match r.pointer(p) {
            Some(Value::String(x)) => esc(x),
            Some(Value::Null) | None => "—".into(),
            Some(v) => esc(&v.to_string()),
        }
    };
    let cur = s("/currency");
    let mut rows = String::new();
    for (label, key) in
        [("Energy", "energy"), ("Charging time", "time"), ("Parking", "parking"), ("Fixed fee", "fixed")]
    {
        if let Some(v) = r.pointer(&format!("/breakdown/{key}")).filter(|v| !v.is_null()) {
            let excl = v.get("excl_vat").map(|x| esc(x.as_str().unwrap_or(&x.to_string()))).unwrap_or_default();
            rows.push_str(&format!("<tr><td>{label}</td><td class=n>{cur} {excl}</td></tr>"));
        }
    }
    format!(
        r#"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width">
<title>Receipt {id}</title><style>body{{font:15px/1.4 system-ui,sans-serif;max-width:32em;margin:1.5em auto;padding:0 1em}}
table{{width:100%;border-collapse:collapse}}td{{padding:.3em 0;border-bottom:1px solid #ddd}}.n{{text-align:right}}
h1{{font-size:1.3em}}.t td{{font-weight:bold}}@media print{{button{{display:none}}}}</style></head><body>
<h1>Charging receipt</h1>
<p><b>{op}</b><br>{name}<br>{addr}</p>
<table>
<tr><td>Charger</td><td class=n>{evse} (connector {conn})</td></tr>
<tr><td>Started</td><td class=n>{start}</td></tr>
<tr><td>Ended</td><td class=n>{end}</td></tr>
<tr><td>Energy</td><td class=n>{kwh} kWh</td></tr>
<tr><td>Tariff</td><td class=n>{tariff}</td></tr>
</table>
<h2>Price</h2>
<table>{rows}
<tr><td>Total excl. VAT</td><td class=n>{cur} {excl}</td></tr>
<tr><td>VAT</td><td class=n>{cur} {vat}</td></tr>
<tr class=t><td>Total</td><td class=n>{cur} {incl}</td></tr>
<tr class=t><td>Paid by card</td><td class=n>{cur} {paid}</td></tr>
</table>
{note}<p>Payment reference {pi}<br>Session {id} · CDR {cdr}</p>
<button onclick="print()">Print</button>
</body></html>"#,
        id = s("/session_id"),
        op = s("/operator"),
        name = s("/location/name"),
        addr = s("/location/address"),
        evse = s("/evse/evse_id"),
        conn = s("/evse/connector_id"),
        start = s("/started_at"),
        end = s("/ended_at"),
        kwh = s("/kwh"),
        tariff = s("/tariff/words"),
        excl = s("/total_excl_vat"),
        vat = s("/vat"),
        incl = s("/total_incl_vat"),
        paid = s("/paid"),
        pi = s("/payment_reference"),
        cdr = s("/cdr_id"),
        note = match r.pointer("/not_charged/message") {
            Some(Value::String(m)) => format!("<p><b>{}</b></p>\n", esc(m)),
            _ => String::new(),
        },
    )
}

// ----- HTTP handlers -----

/// `POST /api/drivers`: a new device-bound driver token (shown once; we keep only its hash).
pub async fn create_driver(State(s): State<Sessions>) -> Result<Response, ApiError> {
    let token = s.new_driver().map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, axum::Json(json!({"token": token}))).into_response())
}

/// `GET /api/config`: what the browser needs to take a card.
pub async fn config(State(s): State<Sessions>) -> Response {
    let stripe = s.stripe().map(|st| {
        let c = st.config();
        json!({"publishable_key": c.publishable_key, "js_url": c.js_url})
    });
    axum::Json(json!({"stripe": stripe, "hold": {"floor": HOLD_FLOOR, "cap": HOLD_CAP}})).into_response()
}

pub async fn create_session(State(s): State<Sessions>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let driver = s.driver(&headers)?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "idempotency_key_required", "Send an Idempotency-Key header (a new random value per start), so a retry never starts or charges twice.")
        })?
        .to_string();
    let req: CreateSession = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("The body must be JSON with location_id, evse_uid, connector_id and payment_method: {e}"),
        )
    })?;
    let (view, new) = s.create(&driver, &key, req).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, axum::Json(view)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct QuoteQuery {
    location_id: String,
    evse_uid: String,
    connector_id: String,
    #[serde(default)]
    vehicle_id: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// `GET /api/quote?location_id&evse_uid&connector_id[&vehicle_id][&lang]`: before the card, what
/// the driver will see: the price in words (in `lang`, default English), the estimate for their
/// car (20 % to full) and the hold.
pub async fn quote(State(s): State<Sessions>, Query(q): Query<QuoteQuery>) -> Result<Response, ApiError> {
    let req = CreateSession {
        location_id: q.location_id,
        evse_uid: q.evse_uid,
        connector_id: q.connector_id,
        payment_method: String::new(),
        vehicle_id: q.vehicle_id.filter(|v| !v.is_empty()),
    };
    let lang = match q.lang.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => Language::En,
        Some(code) => Language::parse(code).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("lang must be en, nl, de or fr, got {code:?}"),
            )
        })?,
    };
    let quote = s.quote(&req)?;
    // The quote read the tariff (so it parses); in words again in the driver's language.
    let words = Tariff::from_value(quote.tariff.clone()).map(|t| describe(&t, lang)).unwrap_or(quote.tariff_words);
    Ok(axum::Json(json!({
        "tariff": words,
        "currency": quote.currency,
        "estimate": quote.estimate,
        "incl_vat": quote.incl_vat,
        "hold": quote.hold,
        "vehicle": quote.vehicle,
        "soc_from_pct": HOLD_SOC_FROM_PCT,
        "connector_kw": quote.connector_kw,
        "payments": s.stripe().is_some(),
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    active: Option<String>,
}

/// `GET /api/sessions[?active=1]`: the driver's sessions, newest first (open ones only with
/// `active=1`: how the app finds its session after a reload).
pub async fn list_sessions(
    State(s): State<Sessions>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let driver = s.driver(&headers)?;
    let active = matches!(q.active.as_deref(), Some("1" | "true"));
    let rows: Vec<Row> = s
        .store
        .with_conn(|c| {
            let filter = if active { "AND state NOT IN ('completed', 'failed')" } else { "" };
            let mut st =
                c.prepare(&format!("{SELECT} WHERE driver = ?1 {filter} ORDER BY created_ms DESC LIMIT 50"))?;
            let rows = st.query_map([&driver], read_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .map_err(ApiError::internal)?;
    Ok(axum::Json(json!({"sessions": rows.iter().map(|r| s.view(r)).collect::<Vec<_>>()})).into_response())
}

pub async fn get_session(
    State(s): State<Sessions>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = s.owned(&headers, &id)?;
    Ok(axum::Json(s.view(&row)).into_response())
}

pub async fn stop_session(
    State(s): State<Sessions>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = s.owned(&headers, &id)?;
    Ok(axum::Json(s.stop(&row).await?).into_response())
}

/// `POST /api/sessions/{id}/authenticated`: after Stripe.js's 3-D Secure step.
pub async fn authenticated(
    State(s): State<Sessions>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = s.owned(&headers, &id)?;
    Ok(axum::Json(s.authenticated(&row).await?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReceiptQuery {
    #[serde(default)]
    format: Option<String>,
}

pub async fn receipt(
    State(s): State<Sessions>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, ApiError> {
    let row = s.owned(&headers, &id)?;
    let r = s.receipt(&row)?;
    let html = q.format.as_deref() == Some("html")
        || headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    Ok(if html { Html(receipt_html(&r)).into_response() } else { axum::Json(r).into_response() })
}

/// `GET /api/sessions/{id}/events`: Server-Sent Events, one `session` event (the same JSON as
/// `GET /api/sessions/{id}`) now and at every change; the stream ends after the final state.
pub async fn events(
    State(s): State<Sessions>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = s.owned(&headers, &id)?;
    let rx = s.changed.subscribe();
    struct St {
        s: Sessions,
        id: String,
        rx: broadcast::Receiver<String>,
        last: Option<String>,
        first: Option<Row>,
        done: bool,
    }
    let st = St { s, id, rx, last: None, first: Some(row), done: false };
    let stream = futures_util::stream::unfold(st, |mut st| async move {
        if st.done {
            return None;
        }
        loop {
            let row = match st.first.take() {
                Some(r) => r,
                None => {
                    match st.rx.recv().await {
                        Ok(changed) if changed != st.id => continue,
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                    match st.s.load(&st.id) {
                        Ok(Some(r)) => r,
                        _ => return None,
                    }
                }
            };
            let data = st.s.view(&row).to_string();
            if st.last.as_deref() == Some(data.as_str()) {
                continue;
            }
            // Final once paid or released: nothing will change after that.
            st.done = state::is_final(&row.state) && row.pending_op.is_none();
            st.last = Some(data.clone());
            return Some((Ok::<_, Infallible>(SseEvent::default().event("session").data(data)), st));
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ScriptBody {
    result: String,
}

/// `POST /api/test/network/next-start` (only with `CHARGEFINDER_NETWORK_TEST_CONTROL=1`): the
/// simulated network answers the next start with `result`.
pub async fn script_next_start(State(s): State<Sessions>, body: Bytes) -> Result<Response, ApiError> {
    if !s.test_control {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such API endpoint."));
    }
    let b: ScriptBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("Send {{\"result\": \"EVSE_OCCUPIED\"}}: {e}"))
    })?;
    s.network.script_next_start(&b.result).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hold_is_the_estimate_rounded_up_within_floor_and_cap() {
        assert_eq!(hold_amount(Decimal::new(2412, 2)).to_string(), "25.00");
        assert_eq!(hold_amount(Decimal::new(300, 2)), HOLD_FLOOR);
        assert_eq!(hold_amount(Decimal::ZERO), HOLD_FLOOR);
        assert_eq!(hold_amount(Decimal::from(250)), HOLD_CAP);
        assert_eq!(hold_amount(Decimal::from(40)), Decimal::from(40));
    }

    #[test]
    fn the_state_machine_only_moves_forward() {
        use state::*;
        let all = [REQUESTED, AUTHENTICATING, HELD, STARTING, ACTIVE, STOPPING, COMPLETED, FAILED];
        // Nothing leaves a final state.
        for to in all {
            assert!(!can_move(COMPLETED, to) && !can_move(FAILED, to));
        }
        // Money is only taken after stopping (when the CDR is in), never from an earlier state.
        for from in all {
            assert_eq!(can_move(from, COMPLETED), from == STOPPING, "{from}");
        }
        // Once energy flows (active), failing is no longer a move: the session is billed by CDR.
        assert!(!can_move(ACTIVE, FAILED) && !can_move(STOPPING, FAILED));
        assert!(can_move(REQUESTED, HELD) && can_move(HELD, STARTING) && can_move(STARTING, ACTIVE));
    }

    #[test]
    fn start_failures_tell_the_driver_the_hold_was_released() {
        for r in ["EVSE_OCCUPIED", "EVSE_INOPERATIVE", "TIMEOUT", "FAILED", "REJECTED"] {
            let (code, msg) = start_failure(r);
            assert!(code.starts_with("charger_") && msg.ends_with("Your hold was released."), "{r}");
        }
    }

    #[test]
    fn receipt_html_escapes_feed_text() {
        let r = json!({"operator": "<script>alert(1)</script>", "location": {"name": "A & B"}, "currency": "EUR"});
        let html = receipt_html(&r);
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;") && html.contains("A &amp; B"));
    }

    #[test]
    fn cdr_payable_prefers_incl_vat() {
        assert_eq!(
            cdr_payable(&json!({"total_cost": {"excl_vat": "10.00", "incl_vat": "12.10"}})),
            Some(Decimal::new(1210, 2))
        );
        assert_eq!(
            cdr_payable(&json!({"total_cost": {"excl_vat": "10.00", "incl_vat": null}})),
            Some(Decimal::new(1000, 2))
        );
    }
}
