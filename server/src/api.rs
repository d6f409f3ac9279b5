//! The HTTP surface: OCPI endpoints, the app's own API, and the built web app.

use std::path::Path;

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::live::{self, Live};
use crate::sessions::{self, Sessions};
use crate::store::Store;
use crate::{ocpi_api, prices, push_location, reports};

/// An error of the app's own API (`/api/…`): a status code and `{"error": "<plain sentence>"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, message: message.into() }
    }
    pub fn server(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}

impl FromRef<Live> for Store {
    fn from_ref(live: &Live) -> Store {
        live.store.clone()
    }
}

pub fn router(live: Live, sessions: Sessions, web: &Path) -> Router {
    // Paid sessions: their own state (the engine), joined to the rest under /api.
    let paid: Router<Live> = Router::new()
        .route("/drivers", post(sessions::create_driver))
        .route("/config", get(sessions::config))
        .route("/quote", get(sessions::quote))
        .route("/sessions", post(sessions::create_session).get(sessions::list_sessions))
        .route("/sessions/{id}", get(sessions::get_session))
        .route("/sessions/{id}/events", get(sessions::events))
        .route("/sessions/{id}/stop", post(sessions::stop_session))
        .route("/sessions/{id}/authenticated", post(sessions::authenticated))
        .route("/sessions/{id}/receipt", get(sessions::receipt))
        .route("/test/network/next-start", post(sessions::script_next_start))
        .with_state(sessions);
    let ocpi = Router::new()
        .route("/locations", get(ocpi_api::locations))
        .route("/locations/{location_id}", get(ocpi_api::location))
        // The receiver side: an operator platform pushes EVSE status (Authorization: Token …).
        // A whole Location (new or changed station), same token.
        .route("/locations/{country_code}/{party_id}/{location_id}", put(push_location::push_location))
        .route(
            "/locations/{country_code}/{party_id}/{location_id}/{evse_uid}",
            put(live::push_evse).patch(live::push_evse),
        )
        .route("/tariffs", get(ocpi_api::tariffs))
        .fallback(ocpi_api::not_found);
    let api = Router::new()
        .route("/stations", get(live::stations))
        .route("/live", get(live::stream))
        .route("/status", get(live::snapshot))
        .route("/locations/{location_id}", get(prices::location))
        .route("/locations/{location_id}/prices", get(prices::prices))
        .route("/reports", post(reports::create))
        .route("/operator/reports", get(reports::list))
        .route("/health", get(|| async { "ok" }))
        .route("/tiles", get(tiles))
        .route("/places", get(crate::places::places))
        .merge(paid)
        .fallback(|| async {
            (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({"error": "No such API endpoint"})))
        });
    // The app is a single page: unknown paths (deep links) get index.html.
    let app = ServeDir::new(web).fallback(ServeFile::new(web.join("index.html")));
    Router::new()
        .nest("/ocpi/2.2.1", ocpi)
        .nest("/api", api)
        .fallback_service(app)
        .with_state(live)
        .layer(CompressionLayer::new())
}

/// Where the app's map takes its tiles from: `CHARGEFINDER_TILES` (a `{z}/{x}/{y}` URL template),
/// `CHARGEFINDER_TILES_ATTRIBUTION` and `CHARGEFINDER_TILES_MAX_ZOOM`; OpenStreetMap's standard
/// tiles by default. A deployment points it at its own tile server (OSM's usage policy asks heavy
/// users to), the tests at a local one so nothing leaves the machine.
async fn tiles() -> axum::Json<serde_json::Value> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let url = tiles_url();
    let attribution = var("CHARGEFINDER_TILES_ATTRIBUTION").unwrap_or_else(|| {
        "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors".into()
    });
    let max_zoom = var("CHARGEFINDER_TILES_MAX_ZOOM").and_then(|z| z.parse::<u8>().ok()).unwrap_or(19).min(22);
    axum::Json(serde_json::json!({ "url": url, "attribution": attribution, "max_zoom": max_zoom }))
}

/// The tile URL template (`CHARGEFINDER_TILES`, else OpenStreetMap's); the page's CSP allows its origin.
pub fn tiles_url() -> String {
    std::env::var("CHARGEFINDER_TILES")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into())
}
