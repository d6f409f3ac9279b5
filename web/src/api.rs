//! All HTTP the app does, in one place.

use chargefinder::Station;
use gloo_net::http::Request;

/// Every station in compact form (`GET /api/stations`), with current statuses, and the live
/// stream position they are current at (`X-Live-Seq`).
pub async fn fetch_stations() -> Result<(Vec<Station>, i64), String> {
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
    match Request::get("/api/tiles").send().await {
        Ok(res) if res.ok() => res.json::<crate::map::Tiles>().await.unwrap_or(fallback),
        _ => fallback,
    }
}

/// The towns and streets of our stations, for the search (`GET /api/places`).
pub async fn fetch_places() -> Result<Vec<(String, u8, f64, f64, u32)>, String> {
    let res = Request::get("/api/places").send().await.map_err(|_| "no connection".to_string())?;
    if !res.ok() {
        return Err(format!("server error {}", res.status()));
    }
    res.json().await.map_err(|_| "damaged answer".to_string())
}
