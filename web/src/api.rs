//! All HTTP the app does, in one place.

use chargefinder::Station;
use gloo_net::http::Request;
use serde::{Deserialize, Serialize};

thread_local! {
    /// The server's origin (`https://chargers.example`): empty on our own page; set by the
    /// `<charge-finder>` element, which runs on a partner's page.
    static BASE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Points every request at `base` (the element's `api` attribute, or the loader's origin).
pub fn set_base(base: &str) {
    BASE.with(|b| *b.borrow_mut() = base.trim_end_matches('/').to_string());
}

/// `path` (`/api/…`) on our server.
pub fn url(path: &str) -> String {
    BASE.with(|b| format!("{}{path}", b.borrow()))
}

/// Every station in compact form (`GET /api/stations`), with current statuses, and the live
/// stream position they are current at (`X-Live-Seq`).
pub async fn fetch_stations() -> Result<(Vec<Station>, i64), String> {
    let res = Request::get(&url("/api/stations"))
        .send()
        .await
        .map_err(|_| "We could not reach the chargefinder server. Check your connection and reload.".to_string())?;
    if !res.ok() {
        return Err(format!(
            "The chargefinder server answered with an error ({}). Please try again later.",
            res.status()
        ));
    }
    let seq = res.headers().get("x-live-seq").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let stations = res
        .json::<Vec<Station>>()
        .await
        .map_err(|_| "The station data we received was damaged. Please reload.".to_string())?;
    Ok((stations, seq))
}

/// Where map tiles come from (`GET /api/tiles`); OpenStreetMap's standard tiles when the server
/// does not say (an older server, a partner's proxy).
pub async fn fetch_tiles() -> crate::map::Tiles {
    let fallback = crate::map::Tiles {
        url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
        attribution: "© OpenStreetMap contributors".into(),
        max_zoom: 19,
    };
    match Request::get(&url("/api/tiles")).send().await {
        Ok(res) if res.ok() => res.json::<crate::map::Tiles>().await.unwrap_or(fallback),
        _ => fallback,
    }
}

/// The towns and streets of our stations, for the search (`GET /api/places`).
pub async fn fetch_places() -> Result<Vec<(String, u8, f64, f64, u32)>, String> {
    let res = Request::get(&url("/api/places")).send().await.map_err(|_| "no connection".to_string())?;
    if !res.ok() {
        return Err(format!("server error {}", res.status()));
    }
    res.json().await.map_err(|_| "damaged answer".to_string())
}
/// Why a station's details could not be shown.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The server could not be reached.
    Offline,
    /// No station has that id (404).
    NotFound,
    /// Any other answer than success, with its HTTP status.
    Status(u16),
    /// The answer could not be read.
    Damaged,
}

/// One location in full (`GET /api/locations/{id}`: the OCPI object as the core's domain model,
/// converted once on the server), fetched when a station opens; the list holds only compact
/// stations.
pub async fn fetch_location(id: &str) -> Result<chargefinder::Location, FetchError> {
    let res = Request::get(&url(&format!("/api/locations/{}", crate::state::encode(id))))
        .send()
        .await
        .map_err(|_| FetchError::Offline)?;
    match res.status() {
        200 => res.json::<chargefinder::Location>().await.map_err(|_| FetchError::Damaged),
        404 => Err(FetchError::NotFound),
        s => Err(FetchError::Status(s)),
    }
}

/// What `GET /api/locations/{id}/prices` answers (see `server/src/prices.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Prices {
    pub plan: Option<Plan>,
    pub connectors: Vec<ConnectorPrice>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Plan {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConnectorPrice {
    pub evse_uid: String,
    pub connector_id: String,
    pub words: Option<String>,
    pub estimate: Option<Estimate>,
    pub price_unknown: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Estimate {
    pub total_text: String,
    pub energy_kwh: String,
    pub charging_min: u32,
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Prices {
    pub fn connector(&self, evse_uid: &str, connector_id: &str) -> Option<&ConnectorPrice> {
        self.connectors.iter().find(|c| c.evse_uid == evse_uid && c.connector_id == connector_id)
    }
}

/// The station's prices in `lang`, with estimates for `vehicle` (a catalogue id) when given.
pub async fn fetch_prices(id: &str, vehicle: Option<String>, lang: &str) -> Result<Prices, FetchError> {
    let mut path = format!("/api/locations/{}/prices?lang={lang}", crate::state::encode(id));
    if let Some(v) = vehicle {
        path.push_str(&format!("&vehicle={}", crate::state::encode(&v)));
    }
    let res = Request::get(&url(&path)).send().await.map_err(|_| FetchError::Offline)?;
    match res.status() {
        200 => res.json::<Prices>().await.map_err(|_| FetchError::Damaged),
        404 => Err(FetchError::NotFound),
        s => Err(FetchError::Status(s)),
    }
}

/// A problem report, as `POST /api/reports` takes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewReport {
    pub location_id: String,
    pub evse_uid: Option<String>,
    pub kind: String,
    pub text: String,
}

/// What became of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportOutcome {
    /// Stored, with its number.
    Sent(i64),
    /// Refused (400), with the server's reason.
    Refused(String),
    /// Too many reports from this address (429).
    TooMany,
    Offline,
    Failed(u16),
}

pub async fn send_report(report: &NewReport) -> ReportOutcome {
    let req = match Request::post(&url("/api/reports")).json(report) {
        Ok(r) => r,
        Err(_) => return ReportOutcome::Failed(0),
    };
    let Ok(res) = req.send().await else { return ReportOutcome::Offline };
    let body: serde_json::Value = res.json().await.unwrap_or(serde_json::Value::Null);
    match res.status() {
        201 => {
            body.get("id").and_then(serde_json::Value::as_i64).map_or(ReportOutcome::Failed(201), ReportOutcome::Sent)
        }
        400 => ReportOutcome::Refused(body.get("error").and_then(|e| e.as_str()).unwrap_or_default().to_string()),
        429 => ReportOutcome::TooMany,
        s => ReportOutcome::Failed(s),
    }
}
