//! The static spatial index over stations.

use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::{Deserialize, Serialize};

use crate::filter::Filter;
use crate::sphere::{chord2_for_m, haversine_m, to_unit};
use crate::station::Station;

type Entry = GeomWithData<[f64; 3], u32>;

/// A static index of stations. Built once per full data refresh; live status never touches it.
#[derive(Debug, Clone)]
pub struct StationIndex {
    stations: Vec<Station>,
    tree: RTree<Entry>,
}

/// One query result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Position of the station in [`StationIndex::stations`].
    pub station: u32,
    /// Great-circle distance from the query point, metres.
    pub distance_m: f64,
    /// EVSEs at the station that pass the filter.
    pub matching_evses: u32,
    /// Of those, how many are available now.
    pub available_evses: u32,
    /// The best power among matching EVSEs, kW.
    pub best_power_kw: f32,
}

impl StationIndex {
    /// Builds the index (bulk load, O(n log n)).
    pub fn new(stations: Vec<Station>) -> Self {
        let entries =
            stations.iter().enumerate().map(|(i, s)| GeomWithData::new(to_unit(s.lat, s.lon), i as u32)).collect();
        StationIndex { stations, tree: RTree::bulk_load(entries) }
    }

    pub fn len(&self) -> usize {
        self.stations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stations.is_empty()
    }

    pub fn stations(&self) -> &[Station] {
        &self.stations
    }

    /// The station at a position returned in a [`Hit`]. Panics on a position not from this index.
    pub fn station(&self, i: u32) -> &Station {
        &self.stations[i as usize]
    }

    /// How a station fares under a filter; `None` when no EVSE matches.
    pub fn evaluate(&self, i: u32, distance_m: f64, filter: &Filter) -> Option<Hit> {
        let s = self.stations.get(i as usize)?;
        let mut hit = Hit { station: i, distance_m, matching_evses: 0, available_evses: 0, best_power_kw: 0.0 };
        for e in s.evses.iter().filter(|e| filter.matches(e)) {
            hit.matching_evses += 1;
            hit.available_evses += u32::from(e.status.is_available());
            hit.best_power_kw = hit.best_power_kw.max(e.max_power_kw);
        }
        (hit.matching_evses > 0).then_some(hit)
    }

    /// The `k` nearest stations with at least one EVSE passing `filter`, within `max_distance_m`
    /// of (`lat`, `lon`), nearest first, in exact great-circle order.
    ///
    /// # Runtime
    /// Walks the tree best-first and stops after `k` matches or at the distance limit, so a
    /// selective filter costs more nodes visited, never a wrong answer.
    pub fn nearest(&self, lat: f64, lon: f64, k: usize, max_distance_m: f64, filter: &Filter) -> Vec<Hit> {
        let mut out = Vec::with_capacity(k.min(64));
        if k == 0 || !lat.is_finite() || !lon.is_finite() {
            return out;
        }
        let q = to_unit(lat, lon);
        let max_c2 = chord2_for_m(max_distance_m.max(0.0));
        // Co-located stations are common (one site, several operators' ids). Take every station
        // tied with the k-th, then order ties by id, so the answer does not depend on tree
        // layout or the last bit of a platform's sine (native and wasm must agree).
        let mut last_c2 = f64::NAN;
        for (entry, c2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            if c2 > max_c2 || (out.len() >= k && c2 > last_c2) {
                break;
            }
            let s = &self.stations[entry.data as usize];
            let d = haversine_m(lat, lon, s.lat, s.lon);
            if let Some(hit) = self.evaluate(entry.data, d, filter) {
                out.push(hit);
                last_c2 = c2;
            }
        }
        out.sort_by(|a, b| {
            a.distance_m
                .total_cmp(&b.distance_m)
                .then_with(|| self.stations[a.station as usize].id.cmp(&self.stations[b.station as usize].id))
        });
        out.truncate(k);
        out
    }
}
