//! Live EVSE status: OCPI pushes in, a persisted change log, Server-Sent Events out.
//!
//! Every accepted change gets a sequence number in `status_events` (SQLite, in the same
//! transaction as the new status), then goes to the broadcast channel. `GET /api/live` replays
//! the log after the client's `Last-Event-ID` and then follows the channel, so a reconnect loses
//! nothing. A change older than what is stored is ignored, as OCPI's `last_updated` rules say.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chargefinder::EvseStatus;
use futures_util::stream;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::ocpi_api::{now_rfc3339, OcpiError};
use crate::store::Store;

/// One status change, as the stream sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub location_id: String,
    pub evse_uid: String,
    pub status: &'static str,
    /// Unix seconds.
    pub last_updated: i64,
}

/// What applying a change did.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Applied(Change),
    /// Older than (or as old as) the stored status: nothing changed.
    Stale,
    UnknownEvse,
}

/// The live side of the server: the store plus the broadcast channel.
#[derive(Debug, Clone)]
pub struct Live {
    pub store: Store,
    tx: broadcast::Sender<Change>,
    /// The operator platform's token for OCPI pushes; `None` disables pushes.
    pub cpo_token: Option<String>,
    /// `/api/stations` with current statuses, and the change it is current at.
    stations: std::sync::Arc<std::sync::Mutex<Option<StationsBody>>>,
    /// Each EVSE's position in its station's row of that download: the browser's download
    /// has no uids, so the stream names an EVSE by (location, position) too.
    evse_index: std::sync::Arc<std::sync::RwLock<std::sync::Arc<EvseIndex>>>,
    /// Each station's reliability and when it was computed (see [`crate::reliability`]): the
    /// status log is read at most every [`RELIABILITY_MAX_AGE`], not for every download.
    reliability: std::sync::Arc<std::sync::Mutex<Option<Reliability>>>,
    /// Reports a driver's address sent recently (`POST /api/reports` rate limit).
    pub report_limit: std::sync::Arc<std::sync::Mutex<crate::reports::RateLimit>>,
}

/// Each station's reliability and when it was computed.
type Reliability = (std::time::Instant, std::sync::Arc<crate::reliability::ByStation>);

/// (location id, EVSE uid) → position of the EVSE in the station's download row.
type EvseIndex = std::collections::HashMap<(String, String), u32>;

#[derive(Debug, Clone)]
struct StationsBody {
    bytes: axum::body::Bytes,
    /// The same, gzipped once per build (not once per request: it is a few MB of JSON).
    gzip: axum::body::Bytes,
    seq: i64,
    prices_at: i64,
    built: std::time::Instant,
}

/// A stations body: JSON, its gzip form, and the change it includes.
#[derive(Debug, Clone)]
pub struct Stations {
    pub json: axum::body::Bytes,
    pub gzip: axum::body::Bytes,
    pub seq: i64,
    /// The start of the charge the prices per kWh are for (unix seconds; 0 when unknown).
    pub prices_at: i64,
}

/// Reliability counts days: recomputing it every few minutes is plenty.
const RELIABILITY_MAX_AGE: Duration = Duration::from_secs(600);

/// A stations body is rebuilt at most this often; clients catch up from its `seq` by the stream.
const STATIONS_MAX_AGE: Duration = Duration::from_secs(5);

/// `[location_id, evse_uid, status, last_updated]`, as `/api/status` sends it.
pub type StatusRow = (String, String, String, i64);

/// How many changes a client may be behind before it is told to reload instead.
const MAX_REPLAY: i64 = 50_000;

impl Live {
    pub fn new(store: Store, cpo_token: Option<String>) -> Live {
        let (tx, _) = broadcast::channel(4096);
        Live {
            store,
            tx,
            cpo_token,
            stations: Default::default(),
            evse_index: Default::default(),
            reliability: Default::default(),
            report_limit: Default::default(),
        }
    }

    /// Forgets the stations body (and the EVSE positions in it), so the next `/api/stations`
    /// includes a changed location.
    pub fn invalidate_stations(&self) {
        *self.stations.lock().unwrap_or_else(|p| p.into_inner()) = None;
        *self.evse_index.write().unwrap_or_else(|p| p.into_inner()) = Default::default();
    }

    /// Applies a status change in one transaction, then announces it.
    pub fn apply(
        &self,
        location_id: &str,
        evse_uid: &str,
        status: EvseStatus,
        last_updated: i64,
        source: &str,
    ) -> Result<Outcome, String> {
        let mut out = self.apply_many(&[(location_id, evse_uid, status, last_updated)], source)?;
        Ok(out.pop().unwrap_or(Outcome::UnknownEvse))
    }

    /// Applies changes in order, all in one transaction (a simulator tick, a batch push), then
    /// announces the applied ones.
    pub fn apply_many(&self, changes: &[(&str, &str, EvseStatus, i64)], source: &str) -> Result<Vec<Outcome>, String> {
        let outcomes = self.store.with_conn(|c| {
            let tx = c.unchecked_transaction()?;
            let mut outcomes = Vec::with_capacity(changes.len());
            for &(location_id, evse_uid, status, last_updated) in changes {
                outcomes.push(Self::apply_in(&tx, location_id, evse_uid, status, last_updated, source)?);
            }
            tx.commit()?;
            Ok(outcomes)
        })?;
        for o in &outcomes {
            if let Outcome::Applied(change) = o {
                // No subscribers is fine: the log keeps the change for the next reconnect.
                let _ = self.tx.send(change.clone());
            }
        }
        Ok(outcomes)
    }

    fn apply_in(
        tx: &rusqlite::Transaction<'_>,
        location_id: &str,
        evse_uid: &str,
        status: EvseStatus,
        last_updated: i64,
        source: &str,
    ) -> rusqlite::Result<Outcome> {
        let stored: Option<i64> = tx
            .prepare_cached("SELECT last_updated FROM evse_status WHERE location_id = ?1 AND evse_uid = ?2")?
            .query_row(params![location_id, evse_uid], |r| r.get(0))
            .optional()?;
        Ok(match stored {
            None => Outcome::UnknownEvse,
            Some(t) if last_updated <= t => Outcome::Stale,
            Some(_) => {
                tx.prepare_cached(
                    "UPDATE evse_status SET status = ?3, last_updated = ?4 WHERE location_id = ?1 AND evse_uid = ?2",
                )?
                .execute(params![location_id, evse_uid, status.as_str(), last_updated])?;
                tx.prepare_cached(
                    "INSERT INTO status_events (location_id, evse_uid, status, last_updated, source) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![location_id, evse_uid, status.as_str(), last_updated, source])?;
                Outcome::Applied(Change {
                    seq: tx.last_insert_rowid(),
                    location_id: location_id.to_string(),
                    evse_uid: evse_uid.to_string(),
                    status: status.as_str(),
                    last_updated,
                })
            }
        })
    }

    /// Changes after `seq`, oldest first, at most `limit`.
    pub fn changes_after(&self, seq: i64, limit: i64) -> Result<Vec<Change>, String> {
        self.store.with_conn(|c| {
            let mut st = c.prepare_cached(
                "SELECT seq, location_id, evse_uid, status, last_updated FROM status_events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = st.query_map(params![seq, limit], |r| {
                let status: String = r.get(3)?;
                Ok(Change {
                    seq: r.get(0)?,
                    location_id: r.get(1)?,
                    evse_uid: r.get(2)?,
                    status: EvseStatus::parse(&status).unwrap_or(EvseStatus::Unknown).as_str(),
                    last_updated: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Every station in compact form with its EVSEs' current status, and the change sequence
    /// number that state includes: a client opens `/api/live?after=SEQ` and misses nothing.
    pub fn stations(&self) -> Result<Stations, String> {
        let mut cache = self.stations.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref() {
            if c.built.elapsed() < STATIONS_MAX_AGE || c.seq == self.last_seq()? {
                return Ok(Stations {
                    json: c.bytes.clone(),
                    gzip: c.gzip.clone(),
                    seq: c.seq,
                    prices_at: c.prices_at,
                });
            }
        }
        let (seq, rows, statuses, prices_at) = self.store.with_conn(|c| {
            let tx = c.unchecked_transaction()?;
            let seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM status_events", [], |r| r.get(0))?;
            let prices_at: i64 = tx
                .query_row("SELECT value FROM meta WHERE key = 'prices_at'", [], |r| r.get::<_, String>(0))
                .optional()?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let rows = tx
                .prepare("SELECT station FROM locations ORDER BY seq")?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let statuses = tx
                .prepare("SELECT location_id, evse_uid, status FROM evse_status")?
                .query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, String>(2)?)))?
                .collect::<rusqlite::Result<std::collections::HashMap<_, _>>>()?;
            Ok((seq, rows, statuses, prices_at))
        })?;
        let reliability = self.reliability(&rows, prices_at)?;
        let mut out = Vec::with_capacity(rows.iter().map(String::len).sum::<usize>() + rows.len() + 2);
        let mut positions = EvseIndex::with_capacity(rows.len() * 3);
        out.push(b'[');
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match serde_json::from_str::<chargefinder::Station>(row) {
                Ok(mut station) => {
                    station.extra.reliability_pct = reliability.get(&station.id).copied();
                    for (k, e) in station.evses.iter_mut().enumerate() {
                        let key = (station.id.clone(), std::mem::take(&mut e.uid));
                        if let Some(s) = statuses.get(&key) {
                            e.status = EvseStatus::parse(s).unwrap_or(EvseStatus::Unknown);
                        }
                        // The uid stays out of the download (`[plugs, kW, status]`).
                        positions.insert(key, k as u32);
                    }
                    serde_json::to_writer(&mut out, &station).map_err(|e| e.to_string())?;
                }
                // Written by our own import; if it ever fails to read, serve it as stored.
                Err(_) => out.extend_from_slice(row.as_bytes()),
            }
        }
        out.push(b']');
        let gzip = {
            use std::io::Write;
            let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(out.len() / 3), flate2::Compression::new(6));
            gz.write_all(&out).and_then(|()| gz.finish()).map_err(|e| e.to_string())?
        };
        *self.evse_index.write().unwrap_or_else(|p| p.into_inner()) = std::sync::Arc::new(positions);
        let body =
            StationsBody { bytes: out.into(), gzip: gzip.into(), seq, prices_at, built: std::time::Instant::now() };
        *cache = Some(body.clone());
        Ok(Stations { json: body.bytes, gzip: body.gzip, seq: body.seq, prices_at })
    }

    /// Each station's reliability, recomputed when older than [`RELIABILITY_MAX_AGE`].
    fn reliability(
        &self,
        rows: &[String],
        imported_at: i64,
    ) -> Result<std::sync::Arc<crate::reliability::ByStation>, String> {
        let mut cache = self.reliability.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, r)) = cache.as_ref() {
            if at.elapsed() < RELIABILITY_MAX_AGE {
                return Ok(r.clone());
            }
        }
        let now = jiff::Timestamp::now().as_second();
        let r = std::sync::Arc::new(crate::reliability::compute(&self.store, rows, imported_at.min(now), now)?);
        *cache = Some((std::time::Instant::now(), r.clone()));
        Ok(r)
    }

    /// The position of an EVSE in its station's download row (see [`Live::stations`]).
    pub fn evse_position(&self, location_id: &str, evse_uid: &str) -> Option<u32> {
        let map = self.evse_index.read().unwrap_or_else(|p| p.into_inner()).clone();
        if map.is_empty() {
            // Not built yet: the first download builds it.
            self.stations().ok()?;
            return self.evse_index.read().ok()?.get(&(location_id.to_string(), evse_uid.to_string())).copied();
        }
        map.get(&(location_id.to_string(), evse_uid.to_string())).copied()
    }

    pub fn last_seq(&self) -> Result<i64, String> {
        self.store.with_conn(|c| c.query_row("SELECT COALESCE(MAX(seq), 0) FROM status_events", [], |r| r.get(0)))
    }

    /// The current status of every EVSE (`[location_id, evse_uid, status, last_updated]` rows)
    /// and the sequence number they are current at, so a client can start the stream there.
    pub fn snapshot(&self) -> Result<(i64, Vec<StatusRow>), String> {
        self.store.with_conn(|c| {
            let tx = c.unchecked_transaction()?;
            let seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM status_events", [], |r| r.get(0))?;
            let mut st = tx.prepare("SELECT location_id, evse_uid, status, last_updated FROM evse_status")?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((seq, rows))
        })
    }
}

fn sse_event(live: &Live, c: &Change) -> SseEvent {
    #[derive(Serialize)]
    struct Wire<'a> {
        #[serde(flatten)]
        change: &'a Change,
        /// The EVSE's position in its station's download row.
        #[serde(skip_serializing_if = "Option::is_none")]
        evse_index: Option<u32>,
    }
    let wire = Wire { change: c, evse_index: live.evse_position(&c.location_id, &c.evse_uid) };
    let data = serde_json::to_string(&wire).unwrap_or_default();
    SseEvent::default().id(c.seq.to_string()).event("status").data(data)
}

enum Next {
    Replay(VecDeque<Change>),
    Reset,
}

/// `GET /api/live`: Server-Sent Events of status changes, resumable with `Last-Event-ID`
/// (or `?after=SEQ`). A client too far behind gets one `reset` event: reload the stations.
pub async fn stream(
    State(live): State<Live>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(q.get("after").map(String::as_str))
        .and_then(|v| v.trim().parse::<i64>().ok());
    // Subscribe before reading the log, so nothing falls between the two.
    let rx = live.tx.subscribe();
    let head = match live.last_seq() {
        Ok(s) => s,
        Err(e) => return OcpiError::server(e).into_response(),
    };
    let start = after.unwrap_or(head);
    let first = if head - start > MAX_REPLAY {
        Next::Reset
    } else {
        match live.changes_after(start, MAX_REPLAY) {
            Ok(v) => Next::Replay(v.into()),
            Err(e) => return OcpiError::server(e).into_response(),
        }
    };
    struct S {
        live: Live,
        rx: broadcast::Receiver<Change>,
        last: i64,
        backlog: VecDeque<Change>,
        reset: bool,
    }
    let (backlog, reset) = match first {
        Next::Replay(b) => (b, false),
        Next::Reset => (VecDeque::new(), true),
    };
    let state = S { live, rx, last: start, backlog, reset };
    let events = stream::unfold(state, |mut s| async move {
        if s.reset {
            s.reset = false;
            s.last = s.live.last_seq().unwrap_or(s.last);
            let ev = SseEvent::default().id(s.last.to_string()).event("reset").data("reload stations");
            return Some((Ok::<_, Infallible>(ev), s));
        }
        loop {
            if let Some(c) = s.backlog.pop_front() {
                if c.seq > s.last {
                    s.last = c.seq;
                    return Some((Ok(sse_event(&s.live, &c)), s));
                }
                continue;
            }
            match s.rx.recv().await {
                Ok(c) if c.seq > s.last => {
                    s.last = c.seq;
                    return Some((Ok(sse_event(&s.live, &c)), s));
                }
                Ok(_) => continue,
                // Fell behind the channel: catch up from the log.
                Err(broadcast::error::RecvError::Lagged(_)) => match s.live.changes_after(s.last, MAX_REPLAY) {
                    Ok(v) => s.backlog = v.into(),
                    Err(_) => return None,
                },
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("keep-alive")).into_response()
}

/// `GET /api/stations`: every station in compact form (see `chargefinder::Station`) with its
/// EVSEs' current status; `X-Live-Seq` says which change it includes, for `/api/live?after=`.
pub async fn stations(State(live): State<Live>, headers: HeaderMap) -> Response {
    let gzip_ok = headers
        .get(axum::http::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    match tokio::task::spawn_blocking(move || live.stations()).await {
        Ok(Ok(st)) => {
            let mut res = (
                [
                    (axum::http::header::CONTENT_TYPE, "application/json".to_string()),
                    (axum::http::header::CACHE_CONTROL, "no-cache".to_string()),
                    (axum::http::header::VARY, "accept-encoding".to_string()),
                    (axum::http::HeaderName::from_static("x-live-seq"), st.seq.to_string()),
                    (axum::http::HeaderName::from_static("x-prices-at"), st.prices_at.to_string()),
                ],
                if gzip_ok { st.gzip } else { st.json },
            )
                .into_response();
            if gzip_ok {
                // Already compressed: the compression layer leaves encoded bodies alone.
                res.headers_mut()
                    .insert(axum::http::header::CONTENT_ENCODING, axum::http::HeaderValue::from_static("gzip"));
            }
            res
        }
        Ok(Err(e)) => OcpiError::server(e).into_response(),
        Err(e) => OcpiError::server(e.to_string()).into_response(),
    }
}

/// `GET /api/status`: every EVSE's current status and the stream position it is current at.
pub async fn snapshot(State(live): State<Live>) -> Response {
    match tokio::task::spawn_blocking(move || live.snapshot()).await {
        Ok(Ok((seq, rows))) => axum::Json(serde_json::json!({ "seq": seq, "evses": rows })).into_response(),
        Ok(Err(e)) => OcpiError::server(e).into_response(),
        Err(e) => OcpiError::server(e.to_string()).into_response(),
    }
}

/// OCPI's `Authorization: Token …` (2.2: base64 of the token; 2.1.1: the token itself).
pub(crate) fn authorized(live: &Live, headers: &HeaderMap) -> Result<(), OcpiError> {
    let Some(expected) = live.cpo_token.as_deref() else {
        return Err(OcpiError {
            http: StatusCode::UNAUTHORIZED,
            code: crate::ocpi_api::code::CLIENT_ERROR,
            message: "OCPI pushes are disabled on this server: set CHARGEFINDER_CPO_TOKEN".into(),
        });
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Token "))
        .map(str::trim);
    let ok = given.is_some_and(|g| g == expected || base64_decode(g).is_some_and(|d| d == expected.as_bytes()));
    if ok {
        Ok(())
    } else {
        Err(OcpiError {
            http: StatusCode::UNAUTHORIZED,
            code: crate::ocpi_api::code::CLIENT_ERROR,
            message: "Missing or wrong Authorization: Token header".into(),
        })
    }
}

/// Standard base64 (with or without padding); `None` for anything else.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let n = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Some(out)
}

pub(crate) fn ok_envelope() -> Response {
    let body = serde_json::json!({"status_code": 1000, "status_message": "Success", "timestamp": now_rfc3339()});
    axum::Json(body).into_response()
}

/// `PUT` and `PATCH /ocpi/2.2.1/locations/{country_code}/{party_id}/{location_id}/{evse_uid}`:
/// an operator platform pushes an EVSE (PUT) or part of one (PATCH). We take its status and
/// `last_updated`; an update older than what we hold is acknowledged and ignored.
pub async fn push_evse(
    State(live): State<Live>,
    headers: HeaderMap,
    Path((_cc, _party, location_id, evse_uid)): Path<(String, String, String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, OcpiError> {
    authorized(&live, &headers)?;
    let patch: chargefinder::ocpi::EvseStatusPatch = serde_json::from_slice(&body)
        .map_err(|e| OcpiError::invalid(format!("the body is not an OCPI EVSE object: {e}")))?;
    let Some(status) = patch.status.as_ref() else {
        // A PATCH of other fields only: nothing for the live table.
        return Ok(ok_envelope());
    };
    let status = EvseStatus::parse(&status.0)
        .ok_or_else(|| OcpiError::invalid(format!("status {:?} is not an OCPI EVSE status", status.0)))?;
    let Some(lu) = patch.last_updated.as_ref() else {
        return Err(OcpiError::invalid("last_updated is required"));
    };
    let t =
        lu.0.parse::<jiff::Timestamp>()
            .map_err(|_| OcpiError::invalid(format!("last_updated {:?} is not RFC 3339", lu.0)))?;
    let t = t.as_second();
    let outcome = tokio::task::spawn_blocking(move || live.apply(&location_id, &evse_uid, status, t, "ocpi"))
        .await
        .map_err(|e| OcpiError::server(e.to_string()))?
        .map_err(OcpiError::server)?;
    match outcome {
        Outcome::Applied(_) | Outcome::Stale => Ok(ok_envelope()),
        Outcome::UnknownEvse => Err(OcpiError {
            http: StatusCode::NOT_FOUND,
            code: crate::ocpi_api::code::UNKNOWN_LOCATION,
            message: "Unknown location or EVSE".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_tokens() {
        assert_eq!(base64_decode("c2VjcmV0").as_deref(), Some(&b"secret"[..]));
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("not base64!"), None);
    }
}
