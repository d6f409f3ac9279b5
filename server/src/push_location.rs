//! `PUT /ocpi/2.2.1/locations/{country_code}/{party_id}/{location_id}`: an operator platform
//! pushes a whole Location, new or changed (OCPI receiver interface, `Authorization: Token …`).
//!
//! The object goes through the same tolerant import as the data files; what it yields replaces
//! the stored OCPI object and compact station (or is added), so `/ocpi/2.2.1/locations/{id}`
//! serves it and the next `/api/stations` includes it. EVSE statuses go through the live table:
//! a newer status is a change on `/api/live`, a new EVSE starts with its pushed status. A push
//! older than what we hold (`last_updated`) is acknowledged and ignored, as OCPI says.
//!
//! Locations pushed this way live in the database: a restart with other data files re-imports
//! from those files and forgets them (as it forgets live statuses).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chargefinder::{import_locations, ocpi, Station};
use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use crate::live::{authorized, ok_envelope, Live};
use crate::ocpi_api::OcpiError;
use crate::store::{seed_status, unix_seconds};

/// What a push did.
#[derive(Debug, PartialEq)]
pub enum Upsert {
    Added,
    Replaced,
    /// Older than the stored one: nothing changed.
    Stale,
}

/// Reads, checks and stores one pushed Location; `(cc, party, id)` from the URL must match the body.
pub fn upsert(live: &Live, cc: &str, party: &str, id: &str, body: &[u8]) -> Result<Upsert, OcpiError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| OcpiError::invalid(format!("the body is not JSON: {e}")))?;
    let raw = match ocpi::payload_items(root) {
        Ok(mut items) if items.len() == 1 => items.remove(0),
        Ok(items) => return Err(OcpiError::invalid(format!("expected one Location, got {}", items.len()))),
        Err(e) => return Err(OcpiError::invalid(e)),
    };
    let raw_text = raw.to_string();
    let imported = import_locations(raw_text.as_bytes()).map_err(|e| OcpiError::invalid(e.to_string()))?;
    let Some(loc) = imported.locations.into_iter().next() else {
        let why =
            imported.report.problems.iter().map(|p| format!("{}: {}", p.path, p.reason)).collect::<Vec<_>>().join("; ");
        return Err(OcpiError::invalid(format!("the Location cannot be used: {why}")));
    };
    for (what, url, body) in
        [("id", id, &loc.id), ("country_code", cc, &loc.country_code), ("party_id", party, &loc.party_id)]
    {
        if !url.eq_ignore_ascii_case(body) {
            return Err(OcpiError::invalid(format!("the URL's {what} {url:?} differs from the body's {body:?}")));
        }
    }
    let mut station = Station::from_location(&loc);
    crate::prices::price_station(&live.store, &mut station, &loc).map_err(OcpiError::server)?;
    let station = serde_json::to_string(&station).map_err(|e| OcpiError::server(e.to_string()))?;
    let updated = unix_seconds(loc.last_updated.as_deref());
    let outcome = live
        .store
        .with_conn(|c| {
            let tx = c.unchecked_transaction()?;
            let stored: Option<i64> = tx
                .query_row("SELECT last_updated FROM locations WHERE id = ?1 ORDER BY seq LIMIT 1", [&loc.id], |r| {
                    r.get(0)
                })
                .optional()?;
            let outcome = match stored {
                Some(t) if updated < t => return Ok(Upsert::Stale),
                Some(_) => {
                    tx.execute(
                        "UPDATE locations SET last_updated = ?2, ocpi = ?3, station = ?4 WHERE id = ?1",
                        params![loc.id, updated, raw_text, station],
                    )?;
                    Upsert::Replaced
                }
                None => {
                    tx.execute(
                        "INSERT INTO locations (id, last_updated, ocpi, station) VALUES (?1, ?2, ?3, ?4)",
                        params![loc.id, updated, raw_text, station],
                    )?;
                    Upsert::Added
                }
            };
            // New EVSEs start with their pushed status; known ones change below, through the log.
            seed_status(&tx, &loc)?;
            tx.commit()?;
            Ok(outcome)
        })
        .map_err(OcpiError::server)?;
    if outcome == Upsert::Stale {
        return Ok(outcome);
    }
    let changes: Vec<(&str, &str, chargefinder::EvseStatus, i64)> = loc
        .evses
        .iter()
        .map(|e| {
            let t = unix_seconds(e.last_updated.as_deref().or(loc.last_updated.as_deref()));
            (loc.id.as_str(), e.uid.as_str(), e.status, t)
        })
        .collect();
    // Rebuild the download first: the stream names EVSEs by their position in it.
    live.invalidate_stations();
    live.stations().map_err(OcpiError::server)?;
    live.apply_many(&changes, "ocpi").map_err(OcpiError::server)?;
    Ok(outcome)
}

/// The handler.
pub async fn push_location(
    State(live): State<Live>,
    headers: HeaderMap,
    Path((cc, party, id)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, OcpiError> {
    authorized(&live, &headers)?;
    tokio::task::spawn_blocking(move || upsert(&live, &cc, &party, &id, &body))
        .await
        .map_err(|e| OcpiError::server(e.to_string()))??;
    Ok(ok_envelope())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prices::tests::test_store;
    use axum::http::StatusCode;

    fn loc(id: &str, name: &str, updated: &str, status: &str) -> String {
        format!(
            r#"{{"id":"{id}","country_code":"NL","party_id":"ABC","name":{name},"address":"Nieuwe 1","city":"Delft",
               "country":"NLD","time_zone":"Europe/Amsterdam","coordinates":{{"latitude":"52.01","longitude":"4.35"}},
               "last_updated":"{updated}",
               "evses":[{{"uid":"N1","status":"{status}","last_updated":"{updated}","connectors":[
                 {{"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE","max_voltage":230,"max_amperage":16}}]}}]}}"#,
            name = serde_json::to_string(name).unwrap()
        )
    }

    #[test]
    fn a_new_station_is_added_changed_and_served_and_stale_pushes_are_ignored() {
        let live = Live::new(test_store("put-location"), None);
        let before = live.stations().unwrap().json.len();
        let hostile = "<img src=x onerror=alert(1)> <script>alert(2)</script>";
        let body = loc("NEW1", hostile, "2026-06-01T10:00:00Z", "AVAILABLE");
        assert_eq!(upsert(&live, "NL", "ABC", "NEW1", body.as_bytes()).unwrap(), Upsert::Added);
        let stored = live.store.location("NEW1").unwrap().unwrap();
        assert!(stored.contains("onerror"), "stored as received");
        let stations = live.stations().unwrap();
        assert!(stations.json.len() > before);
        let text = String::from_utf8(stations.json.to_vec()).unwrap();
        assert!(text.contains("NEW1") && text.contains("<script>alert(2)</script>"), "served as data, as sent");
        // A change: newer, status moves through the live log.
        let seq = live.last_seq().unwrap();
        let body = loc("NEW1", "Renamed", "2026-06-02T10:00:00Z", "CHARGING");
        assert_eq!(upsert(&live, "NL", "ABC", "NEW1", body.as_bytes()).unwrap(), Upsert::Replaced);
        assert!(live.store.location("NEW1").unwrap().unwrap().contains("Renamed"));
        let changes = live.changes_after(seq, 10).unwrap();
        assert_eq!(changes.iter().map(|c| (c.evse_uid.as_str(), c.status)).collect::<Vec<_>>(), [("N1", "CHARGING")]);
        // Older: acknowledged, ignored.
        let body = loc("NEW1", "Old", "2026-05-01T10:00:00Z", "AVAILABLE");
        assert_eq!(upsert(&live, "NL", "ABC", "NEW1", body.as_bytes()).unwrap(), Upsert::Stale);
        assert!(live.store.location("NEW1").unwrap().unwrap().contains("Renamed"));
    }

    #[test]
    fn mismatched_or_unusable_locations_are_refused() {
        let live = Live::new(test_store("put-bad"), None);
        let body = loc("NEW2", "x", "2026-06-01T10:00:00Z", "AVAILABLE");
        let e = upsert(&live, "NL", "ABC", "OTHER", body.as_bytes()).unwrap_err();
        assert_eq!(e.http, StatusCode::BAD_REQUEST);
        assert!(e.message.contains("id"), "{}", e.message);
        let e = upsert(&live, "DE", "ABC", "NEW2", body.as_bytes()).unwrap_err();
        assert!(e.message.contains("country_code"), "{}", e.message);
        let e = upsert(&live, "NL", "ABC", "NEW2", b"{not json").unwrap_err();
        assert_eq!(e.http, StatusCode::BAD_REQUEST);
        let no_evses = r#"{"id":"NEW3","country_code":"NL","party_id":"ABC","address":"a","city":"c","country":"NLD",
            "coordinates":{"latitude":"95","longitude":"4"},"evses":[]}"#;
        let e = upsert(&live, "NL", "ABC", "NEW3", no_evses.as_bytes()).unwrap_err();
        assert!(e.message.contains("cannot be used"), "{}", e.message);
        assert_eq!(live.store.location("NEW3").unwrap(), None);
    }
}
