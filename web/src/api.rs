//! All HTTP the app does, in one place.

use chargefinder::Station;
use gloo_net::http::Request;

/// Every station in compact form (`GET /api/stations`).
pub async fn fetch_stations() -> Result<Vec<Station>, String> {
    let res = Request::get("/api/stations")
        .send()
        .await
        .map_err(|_| "We could not reach the chargefinder server. Check your connection and reload.".to_string())?;
    if !res.ok() {
        return Err(format!(
            "The chargefinder server answered with an error ({}). Please try again later.",
            res.status()
        ));
    }
    res.json::<Vec<Station>>().await.map_err(|_| "The station data we received was damaged. Please reload.".to_string())
}
