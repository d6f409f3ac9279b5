//! The HTTP surface: OCPI endpoints, the app's own API, and the built web app.

use std::path::Path;

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::live::{self, Live};
use crate::ocpi_api;
use crate::sessions::{self, Sessions};
use crate::store::Store;

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
        .route("/sessions/{id}/receipt", get(sessions::receipt))
        .route("/test/network/next-start", post(sessions::script_next_start))
        .with_state(sessions);
    let ocpi = Router::new()
        .route("/locations", get(ocpi_api::locations))
        .route("/locations/{location_id}", get(ocpi_api::location))
        // The receiver side: an operator platform pushes EVSE status (Authorization: Token …).
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
        .route("/health", get(|| async { "ok" }))
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
