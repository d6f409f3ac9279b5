//! `GET /api/places`: the towns and streets our stations are in, for the app's "where am I"
//! search. Built from our own data (no outside geocoder: it works offline and sends nobody the
//! driver's query), once, on first use; a few tens of kB gzipped, fetched only when the driver
//! starts searching.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::store::Store;

/// What a place row says: `[name, kind, lat, lon, stations]`; kind 0 = town, 1 = street (its
/// name then reads "Street, Town").
pub type PlaceRow = (String, u8, f64, f64, u32);

static PLACES: OnceLock<String> = OnceLock::new();

pub async fn places(State(store): State<Store>) -> Response {
    if let Some(body) = PLACES.get() {
        return json(body.clone());
    }
    let rows = store.with_conn(|c| {
        let mut st = c.prepare("SELECT ocpi FROM locations")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    });
    match rows {
        Ok(rows) => {
            let body = serde_json::to_string(&places_of(rows.iter().filter_map(|r| serde_json::from_str(r).ok())))
                .unwrap_or_else(|_| "[]".into());
            json(PLACES.get_or_init(|| body).clone())
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(serde_json::json!({ "error": e }))).into_response(),
    }
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response()
}

/// A coordinate as OCPI sends it (a string) or as messy feeds do (a number).
fn coord(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

/// "Amstelstraat 17" → "Amstelstraat"; "12 Rue de la Paix" → "Rue de la Paix".
pub fn street_of(address: &str) -> Option<String> {
    let words: Vec<&str> = address.split_whitespace().collect();
    let is_number = |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_digit());
    let kept: Vec<&str> = match (words.first(), words.last()) {
        (Some(f), _) if is_number(f) => words[1..].to_vec(),
        _ => words.iter().copied().take_while(|w| !is_number(w)).collect(),
    };
    let street = kept.join(" ");
    (street.chars().filter(|c| c.is_alphabetic()).count() >= 3).then_some(street)
}

/// Towns and streets with the centroid of their stations, most stations first. Locations
/// missing a town or coordinates are left out (they are still found by name).
pub fn places_of(locations: impl Iterator<Item = Value>) -> Vec<PlaceRow> {
    // key (lower case) → (display name, kind, sum lat, sum lon, count)
    let mut acc: HashMap<(u8, String), (String, f64, f64, u32)> = HashMap::new();
    for loc in locations {
        let (Some(lat), Some(lon)) = (coord(&loc["coordinates"]["latitude"]), coord(&loc["coordinates"]["longitude"]))
        else {
            continue;
        };
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            continue;
        }
        let town = loc["city"].as_str().map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
        if town.chars().filter(|c| c.is_alphabetic()).count() < 2 {
            continue;
        }
        let mut add = |kind: u8, name: String| {
            let e = acc.entry((kind, name.to_lowercase())).or_insert((name, 0.0, 0.0, 0));
            e.1 += lat;
            e.2 += lon;
            e.3 += 1;
        };
        if let Some(street) = loc["address"].as_str().and_then(street_of) {
            add(1, format!("{street}, {town}"));
        }
        add(0, town);
    }
    let mut out: Vec<PlaceRow> = acc
        .into_iter()
        .map(|((kind, _), (name, la, lo, n))| {
            let r = |x: f64| (x / f64::from(n) * 1e5).round() / 1e5;
            (name, kind, r(la), r(lo), n)
        })
        .collect();
    out.sort_by(|a, b| b.4.cmp(&a.4).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn streets_lose_their_house_numbers() {
        assert_eq!(street_of("Amstelstraat 17").as_deref(), Some("Amstelstraat"));
        assert_eq!(street_of("Van Moorselplantsoen 7 A").as_deref(), Some("Van Moorselplantsoen"));
        assert_eq!(street_of("12 Rue de la Paix").as_deref(), Some("Rue de la Paix"));
        assert_eq!(street_of("17").as_deref(), None);
        assert_eq!(street_of("  ").as_deref(), None);
    }

    #[test]
    fn towns_and_streets_get_centroids_and_counts_and_messy_rows_are_skipped() {
        let locs = vec![
            json!({"city": "Delft", "address": "Markt 1", "coordinates": {"latitude": "52.0", "longitude": "4.0"}}),
            json!({"city": " delft ", "address": "Markt 3", "coordinates": {"latitude": 52.2, "longitude": 4.2}}),
            json!({"city": "Delft", "address": "Oude Delft 9", "coordinates": {"latitude": "52.1", "longitude": "4.1"}}),
            json!({"city": "Nowhere", "coordinates": {"latitude": "x", "longitude": "4"}}),
            json!({"city": 7, "coordinates": {"latitude": "1", "longitude": "4"}}),
            json!({"address": "Markt 1"}),
        ];
        let p = places_of(locs.into_iter());
        assert_eq!(p[0], ("Delft".to_string(), 0, 52.1, 4.1, 3));
        assert_eq!(p[1], ("Markt, Delft".to_string(), 1, 52.1, 4.1, 2));
        assert_eq!(p[2], ("Oude Delft, Delft".to_string(), 1, 52.1, 4.1, 1));
        assert_eq!(p.len(), 3);
    }
}
