//! Each station's reliability for the finder's download (`/api/stations`, the row's `r`): the
//! core's availability table (`chargefinder::Availability`) seeded with the imported statuses
//! at import time and fed the status history since, over its window (14 days); per station the
//! mean of its EVSEs' share of days working, %. `None` for a station with no information.

use std::collections::HashMap;

use chargefinder::{Availability, AvailabilityConfig, EvseStatus, Station, StationIndex};

use crate::store::Store;

/// Reliability, %, by location id.
pub type ByStation = HashMap<String, u8>;

/// Computes it from the stored compact rows (`rows`, with uids) and the status log.
pub fn compute(store: &Store, rows: &[String], imported_at: i64, now_s: i64) -> Result<ByStation, String> {
    let stations: Vec<Station> = rows.iter().filter_map(|r| serde_json::from_str(r).ok()).collect();
    let index = StationIndex::new(stations);
    let config = AvailabilityConfig::default();
    let mut table = Availability::new(&index, imported_at, config);
    let since = now_s - i64::from(config.reliability_days) * 86_400;
    store.with_conn(|c| {
        let mut st = c.prepare(
            "SELECT location_id, evse_uid, status, last_updated FROM status_events WHERE last_updated >= ?1 ORDER BY seq",
        )?;
        let mut q = st.query([since])?;
        while let Some(r) = q.next()? {
            let (loc, uid, status, at): (String, String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            if let (Some(slot), Some(s)) = (index.evse_slot(&loc, &uid), EvseStatus::parse(&status)) {
                table.apply(slot, s, at);
            }
        }
        Ok(())
    })?;
    Ok((0..index.len() as u32)
        .filter_map(|i| {
            let r = table.station_reliability(&index, i, now_s)?;
            Some((index.station(i).id.clone(), (r * 100.0).round().clamp(0.0, 100.0) as u8))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_share_of_working_days_per_station() {
        let store = crate::prices::tests::test_store("reliability");
        let day = 86_400;
        let t0 = 1_800_000_000 - 1_800_000_000 % day + 3600;
        // Station L: two EVSEs, A working, B broken since import; M: never heard of (UNKNOWN).
        let rows = vec![
            r#"["L","L",52.0,4.0,null,[["A",8,11.0,0],["B",8,11.0,4]]]"#.to_string(),
            r#"["M","M",52.1,4.0,null,[["C",8,11.0,8]]]"#.to_string(),
        ];
        let r = compute(&store, &rows, t0, t0 + 60).unwrap();
        assert_eq!(r.get("L"), Some(&50));
        assert_eq!(r.get("M"), None, "no information is not 0 %");
        // B repaired two days later: a working day for B lifts L (by the core's day rules:
        // B's broken status carries into the next day while fresh, then the repair day counts).
        store
            .with_conn(|c| {
                c.execute(
                    "INSERT INTO status_events (location_id, evse_uid, status, last_updated, source) VALUES ('L', 'B', 'AVAILABLE', ?1, 't')",
                    [t0 + 2 * day],
                )
            })
            .unwrap();
        let r = compute(&store, &rows, t0, t0 + 2 * day + 60).unwrap();
        assert!(r.get("L").is_some_and(|&p| p > 50 && p < 100), "{r:?}");
    }

    /// The import prices every EVSE with a published tariff; the download carries the price,
    /// the currency and the instant the prices are for.
    #[test]
    fn the_download_carries_prices_per_kwh() {
        let live = crate::live::Live::new(crate::prices::tests::test_store("download-prices"), None);
        let st = live.stations().unwrap();
        assert!(st.prices_at > 1_700_000_000);
        let rows: Vec<Station> = serde_json::from_slice(&st.json).unwrap();
        let loc1 = rows.iter().find(|s| s.id == "LOC1").unwrap();
        assert!(loc1.evses.iter().all(|e| e.price.is_some_and(|p| p > 0)), "{loc1:?}");
        assert_eq!(loc1.extra.currency.as_deref(), Some("EUR"));
        let loc2 = rows.iter().find(|s| s.id == "LOC2").unwrap();
        assert!(loc2.evses.iter().all(|e| e.price.is_none()) && loc2.extra.currency.is_none());
    }
}
