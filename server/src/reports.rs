//! "Report a problem": drivers tell the operator a charger is broken, blocked, wrongly described…
//!
//! * `POST /api/reports` `{location_id, evse_uid?, kind, text}` → 201 `{"id": N}`; stored in
//!   SQLite (`reports`). Validation errors are 400 with a plain sentence; an address that sent
//!   [`RateLimit::MAX`] reports in the last [`RateLimit::WINDOW_S`] seconds gets 429.
//! * `GET /api/operator/reports?since=<RFC 3339>` with the CPO token (`Authorization: Token …`,
//!   as the OCPI pushes): the reports received since then, oldest first, as JSON.
//!
//! The table is created by [`migrate`] whenever a database opens (`CREATE TABLE IF NOT EXISTS`),
//! so it does not depend on the import or on other tables' migrations.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::live::Live;
use crate::store::Store;

/// The longest report text, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

/// What kind of problem.
pub const KINDS: [&str; 5] = ["broken", "blocked", "wrong_info", "payment", "other"];

/// Creates the reports table if it is not there (idempotent; runs on every open).
pub fn migrate(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS reports (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            location_id TEXT NOT NULL,
            evse_uid TEXT,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            created INTEGER NOT NULL
         );
         CREATE INDEX IF NOT EXISTS reports_created ON reports (created);",
    )
}

/// A report as a driver sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct NewReport {
    pub location_id: Option<String>,
    #[serde(default)]
    pub evse_uid: Option<String>,
    pub kind: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

/// A stored report, as the operator reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub id: i64,
    pub location_id: String,
    pub evse_uid: Option<String>,
    pub kind: String,
    pub text: String,
    /// RFC 3339, UTC.
    pub created: String,
}

/// A report that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    pub location_id: String,
    pub evse_uid: Option<String>,
    pub kind: &'static str,
    pub text: String,
}

/// Checks a report against the store: the station (and EVSE) must exist, the kind be one of
/// [`KINDS`], the text at most [`MAX_TEXT_CHARS`] characters. The text may be empty only for
/// kinds that say it all (`broken`, `blocked`).
pub fn validate(store: &Store, r: NewReport) -> Result<Valid, ApiError> {
    let location_id = r.location_id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let Some(location_id) = location_id else {
        return Err(ApiError::bad_request("Say which station: location_id is missing."));
    };
    let kind = r.kind.as_deref().map(str::trim).unwrap_or_default();
    let Some(kind) = KINDS.iter().copied().find(|k| *k == kind) else {
        return Err(ApiError::bad_request(format!("kind must be one of {}.", KINDS.join(", "))));
    };
    let text = r.text.unwrap_or_default().trim().to_string();
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request(format!(
            "The text is {chars} characters long; at most {MAX_TEXT_CHARS} are accepted."
        )));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(ApiError::bad_request("The text contains control characters."));
    }
    if text.is_empty() && !matches!(kind, "broken" | "blocked") {
        return Err(ApiError::bad_request("Please describe the problem in a few words."));
    }
    let evse_uid = r.evse_uid.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let raw = store.location(&location_id).map_err(ApiError::server)?;
    let Some(raw) = raw else {
        let shown: String = location_id.chars().take(64).collect();
        return Err(ApiError::bad_request(format!("No station has id {shown:?}.")));
    };
    if let Some(uid) = &evse_uid {
        let known = chargefinder::import_locations(raw.as_bytes())
            .ok()
            .and_then(|i| i.locations.into_iter().next())
            .is_some_and(|l| l.evses.iter().any(|e| &e.uid == uid));
        if !known {
            let shown: String = uid.chars().take(64).collect();
            return Err(ApiError::bad_request(format!("This station has no charge point {shown:?}.")));
        }
    }
    Ok(Valid { location_id, evse_uid, kind, text })
}

/// Stores a valid report; its id.
pub fn insert(store: &Store, v: &Valid, created_s: i64) -> Result<i64, String> {
    store.with_conn(|c| {
        c.execute(
            "INSERT INTO reports (location_id, evse_uid, kind, text, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![v.location_id, v.evse_uid, v.kind, v.text, created_s],
        )?;
        Ok(c.last_insert_rowid())
    })
}

/// Reports created at or after `since_s`, oldest first (at most `limit`).
pub fn since(store: &Store, since_s: i64, limit: i64) -> Result<Vec<Report>, String> {
    store.with_conn(|c| {
        let mut st = c.prepare_cached(
            "SELECT id, location_id, evse_uid, kind, text, created FROM reports WHERE created >= ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = st.query_map(params![since_s, limit], |r| {
            let created: i64 = r.get(5)?;
            Ok(Report {
                id: r.get(0)?,
                location_id: r.get(1)?,
                evse_uid: r.get(2)?,
                kind: r.get(3)?,
                text: r.get(4)?,
                created: jiff::Timestamp::from_second(created)
                    .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_default(),
            })
        })?;
        rows.collect()
    })
}

/// A sliding-window limit per address: at most [`RateLimit::MAX`] reports per
/// [`RateLimit::WINDOW_S`] seconds. In memory: a restart forgets it, which is fine for a
/// courtesy limit against a stuck button or a script.
#[derive(Debug, Default)]
pub struct RateLimit {
    sent: HashMap<IpAddr, VecDeque<i64>>,
}

impl RateLimit {
    pub const MAX: usize = 10;
    pub const WINDOW_S: i64 = 600;

    /// Counts a report from `addr` at `now_s` if allowed; `false` when over the limit.
    pub fn allow(&mut self, addr: IpAddr, now_s: i64) -> bool {
        // Forget quiet addresses now and then, so the map does not grow without bound.
        if self.sent.len() > 10_000 {
            self.sent.retain(|_, q| q.back().is_some_and(|t| now_s - t < Self::WINDOW_S));
        }
        let q = self.sent.entry(addr).or_default();
        while q.front().is_some_and(|t| now_s - t >= Self::WINDOW_S) {
            q.pop_front();
        }
        if q.len() >= Self::MAX {
            return false;
        }
        q.push_back(now_s);
        true
    }
}

/// `POST /api/reports`.
pub async fn create(
    State(live): State<Live>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: axum::body::Bytes,
) -> Response {
    let report: NewReport =
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(_) => return ApiError::bad_request(
                "The report must be JSON: {\"location_id\": …, \"kind\": …, \"text\": …, \"evse_uid\": … (optional)}.",
            )
            .into_response(),
        };
    let now = jiff::Timestamp::now().as_second();
    let store = live.store.clone();
    let limit = live.report_limit.clone();
    let result = tokio::task::spawn_blocking(move || {
        let valid = validate(&store, report)?;
        // Counted only when valid: a driver fixing a typo is not penalised.
        if !limit.lock().unwrap_or_else(|p| p.into_inner()).allow(peer.ip(), now) {
            return Err(ApiError {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: "You have sent many reports in a short time. Please wait a few minutes.".into(),
            });
        }
        insert(&store, &valid, now).map_err(ApiError::server)
    })
    .await;
    match result {
        Ok(Ok(id)) => (StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id }))).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => ApiError::server(format!("the report was not stored: {e}")).into_response(),
    }
}

/// `GET /api/operator/reports?since=…` (CPO token).
pub async fn list(State(live): State<Live>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(e) = crate::live::authorized(&live, &headers) {
        return ApiError { status: e.http, message: e.message }.into_response();
    }
    let since_s = match q.get("since").map(|s| s.trim()) {
        None | Some("") => 0,
        Some(s) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => t.as_second(),
            Err(_) => {
                return ApiError::bad_request(format!(
                    "since must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z, got {s:?}"
                ))
                .into_response()
            }
        },
    };
    let store = live.store.clone();
    match tokio::task::spawn_blocking(move || since(&store, since_s, 10_000)).await {
        Ok(Ok(reports)) => axum::Json(serde_json::json!({ "reports": reports })).into_response(),
        Ok(Err(e)) => ApiError::server(e).into_response(),
        Err(e) => ApiError::server(e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prices::tests::test_store;

    fn report(loc: &str, evse: Option<&str>, kind: &str, text: &str) -> NewReport {
        NewReport {
            location_id: Some(loc.into()),
            evse_uid: evse.map(Into::into),
            kind: Some(kind.into()),
            text: Some(text.into()),
        }
    }

    #[test]
    fn a_valid_report_is_stored_and_listed_since_a_time() {
        let store = test_store("reports");
        let v = validate(&store, report("LOC1", Some("E2"), "broken", "  Screen dark, <b>no</b> start  ")).unwrap();
        assert_eq!(v.text, "Screen dark, <b>no</b> start", "trimmed, otherwise as sent (the app shows text)");
        let id1 = insert(&store, &v, 1_000).unwrap();
        let v2 = validate(&store, report("LOC2", None, "blocked", "")).unwrap();
        let id2 = insert(&store, &v2, 2_000).unwrap();
        assert!(id2 > id1);
        let all = since(&store, 0, 100).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].evse_uid.as_deref(), Some("E2"));
        assert_eq!(all[0].created, "1970-01-01T00:16:40Z");
        let later = since(&store, 1_500, 100).unwrap();
        assert_eq!(later.iter().map(|r| r.id).collect::<Vec<_>>(), [id2]);
        assert_eq!(later[0].kind, "blocked");
    }

    #[test]
    fn bad_reports_are_refused_with_a_reason() {
        let store = test_store("bad-reports");
        let cases = [
            (report("", None, "broken", "x"), "location_id"),
            (report("NOPE", None, "broken", "x"), "No station"),
            (report("LOC1", Some("E9"), "broken", "x"), "no charge point"),
            (report("LOC1", None, "exploded", "x"), "kind must be"),
            (report("LOC1", None, "other", "   "), "describe"),
            (report("LOC1", None, "other", &"é".repeat(1001)), "1001 characters"),
            (report("LOC1", None, "other", "a\u{0}b"), "control"),
        ];
        for (r, why) in cases {
            let e = validate(&store, r).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(e.message.contains(why), "{why}: {}", e.message);
        }
        assert!(validate(&store, report("LOC1", None, "other", &"é".repeat(1000))).is_ok(), "1000 characters is fine");
    }

    #[test]
    fn the_rate_limit_slides() {
        let mut l = RateLimit::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for i in 0..RateLimit::MAX {
            assert!(l.allow(a, 100 + i as i64));
        }
        assert!(!l.allow(a, 200), "the 11th within 10 minutes");
        assert!(l.allow(b, 200), "per address");
        assert!(l.allow(a, 100 + RateLimit::WINDOW_S), "the oldest has left the window");
        assert!(!l.allow(a, 100 + RateLimit::WINDOW_S));
    }

    #[test]
    fn migrating_twice_is_harmless() {
        let store = test_store("migrate");
        store.with_conn(|c| migrate(c).and_then(|()| migrate(c))).unwrap();
    }
}
