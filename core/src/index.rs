//! The static spatial index over stations, and the nearest-station query.

use serde::{Deserialize, Serialize};

use crate::columns::Columns;
use crate::filter::{Filter, Live, Prepared};
use crate::kdtree::{KdTree, Pending};
use crate::model::Location;
use crate::sphere::{chord2_for_m, haversine_m, to_unit};
use crate::station::Station;

/// A static index of stations. Built once per full data refresh; live status never touches it
/// (pass an [`crate::Availability`] to the `*_live` queries instead).
///
/// Layout: a flat 3D k-d tree of unit-sphere points (chord order is great-circle order, so
/// Euclidean pruning is exact) plus flat per-station, per-EVSE and per-connector columns for the
/// filter, stored in the tree's order so that a query reads neighbouring memory; [`Station`]s
/// keep the strings for display, in the caller's order (a [`Hit`]'s `station`).
#[derive(Debug, Clone)]
pub struct StationIndex {
    stations: Vec<Station>,
    tree: KdTree,
    /// Indexed by tree position.
    cols: Columns,
    /// Station position → tree position.
    tree_pos: Vec<u32>,
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
    /// The best power among matching EVSEs, kW (for the filter's vehicle when it has one).
    pub best_power_kw: f32,
    /// The lowest known price per kWh among matching EVSEs ([`crate::EvseSummary::price`],
    /// minor units); `None` when none of them has one.
    pub min_price: Option<u32>,
}

impl StationIndex {
    /// Builds the index from compact stations (O(n log n)). Connector detail is taken from each
    /// EVSE's plug set and power; capabilities are the row's payment ones
    /// ([`crate::DRIVER_CAPS`]; a filter asking for another matches nothing), opening
    /// hours, prices and reliability the row's; parking restrictions are unknown. Prefer
    /// [`from_locations`](Self::from_locations) where the full model is at hand.
    pub fn new(stations: Vec<Station>) -> Self {
        let tree = Self::tree_of(&stations);
        let cols = Columns::from_stations(&stations, tree.ids());
        Self::assemble(stations, tree, cols)
    }

    /// Builds the index from the full model: every connector, capability, parking restriction,
    /// opening hours and the publish flag are available to filters.
    pub fn from_locations(locations: &[Location]) -> Self {
        let stations: Vec<Station> = locations.iter().map(Station::from_location).collect();
        let tree = Self::tree_of(&stations);
        let cols = Columns::from_locations(locations, &stations, tree.ids());
        Self::assemble(stations, tree, cols)
    }

    fn tree_of(stations: &[Station]) -> KdTree {
        KdTree::new(stations.iter().map(|s| to_unit(s.lat, s.lon)).collect())
    }

    fn assemble(stations: Vec<Station>, tree: KdTree, cols: Columns) -> Self {
        let mut tree_pos = vec![0u32; stations.len()];
        for (j, &i) in tree.ids().iter().enumerate() {
            if let Some(p) = tree_pos.get_mut(i as usize) {
                *p = j as u32;
            }
        }
        StationIndex { stations, tree, cols, tree_pos }
    }

    /// The station position of a tree position.
    #[inline]
    pub(crate) fn station_at(&self, j: u32) -> Option<u32> {
        self.tree.ids().get(j as usize).copied()
    }

    /// The tree position of a station position.
    #[inline]
    pub(crate) fn tree_pos(&self, i: u32) -> Option<u32> {
        self.tree_pos.get(i as usize).copied()
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

    pub(crate) fn columns(&self) -> &Columns {
        &self.cols
    }

    pub(crate) fn tree(&self) -> &KdTree {
        &self.tree
    }

    /// Number of EVSEs: the availability table's rows, slots `0..evse_count()`.
    pub fn evse_count(&self) -> usize {
        self.cols.evse_station.len()
    }

    /// The dense slot of an EVSE (its row in [`crate::Availability`]), by OCPI location id and
    /// EVSE uid. Slots run through the stations in the tree's order (neighbours on the map are
    /// neighbours in memory), each station's EVSEs in their order; they are stable until the
    /// index is rebuilt. A location id repeated across parties resolves to the first.
    pub fn evse_slot(&self, location_id: &str, evse_uid: &str) -> Option<u32> {
        self.cols.evse_slot(&self.stations, self.tree.ids(), location_id, evse_uid)
    }

    /// The station and the EVSE's position in it, for a slot.
    pub fn evse_at(&self, slot: u32) -> Option<(u32, usize)> {
        let j = *self.cols.evse_station.get(slot as usize)?;
        let first = self.cols.evses(j).start;
        Some((self.station_at(j)?, (slot - first) as usize))
    }

    /// EVSE slots of a station (contiguous; slots follow the tree's order of stations).
    pub fn evse_slots(&self, station: u32) -> std::ops::Range<u32> {
        self.tree_pos(station).map_or(0..0, |j| self.cols.evses(j))
    }

    /// A station's position by OCPI location id.
    pub fn station_by_id(&self, id: &str) -> Option<u32> {
        self.cols.station_by_id(&self.stations, id)
    }

    /// Bytes held by the spatial tree, the flat columns and the id lookups (not the strings of
    /// [`Station`]).
    pub fn flat_bytes(&self) -> usize {
        self.tree.heap_bytes() + self.cols.heap_bytes() + self.tree_pos.capacity() * 4
    }

    /// How a station fares under a filter (imported statuses); `None` when no EVSE matches.
    pub fn evaluate(&self, i: u32, distance_m: f64, filter: &Filter) -> Option<Hit> {
        let mut p = Prepared::new(filter, &self.cols, None);
        self.hit_at(&mut p, self.tree_pos(i)?, distance_m)
    }

    /// How the station at tree position `j` fares.
    pub(crate) fn hit_at(&self, p: &mut Prepared<'_>, j: u32, distance_m: f64) -> Option<Hit> {
        let station = self.station_at(j)?;
        let ev = p.station(&self.cols, j);
        (ev.matching > 0).then_some(Hit {
            station,
            distance_m,
            matching_evses: ev.matching,
            available_evses: ev.available,
            best_power_kw: ev.best_kw,
            min_price: (ev.min_price != crate::columns::NO_PRICE).then_some(u32::from(ev.min_price)),
        })
    }

    /// The `k` nearest stations with at least one EVSE passing `filter`, within `max_distance_m`
    /// of (`lat`, `lon`), nearest first, in exact great-circle order; ties by station id.
    /// Uses the imported statuses; see [`nearest_live`](Self::nearest_live).
    ///
    /// # Runtime
    /// Walks the tree best-first and stops after `k` matches or at the distance limit, so a
    /// selective filter costs more nodes visited, never a wrong answer.
    pub fn nearest(&self, lat: f64, lon: f64, k: usize, max_distance_m: f64, filter: &Filter) -> Vec<Hit> {
        self.nearest_live(lat, lon, k, max_distance_m, filter, None)
    }

    /// [`nearest`](Self::nearest) with live statuses (availability, working, reliability).
    pub fn nearest_live(
        &self,
        lat: f64,
        lon: f64,
        k: usize,
        max_distance_m: f64,
        filter: &Filter,
        live: Option<Live<'_>>,
    ) -> Vec<Hit> {
        let mut out = Vec::with_capacity(k.min(64));
        if k == 0 || !lat.is_finite() || !lon.is_finite() || max_distance_m.is_nan() {
            return out;
        }
        let mut p = Prepared::new(filter, &self.cols, live);
        if k > BOUNDED_K {
            let max_c2 = loosen(chord2_for_m(max_distance_m.max(0.0)));
            return self.nearest_by_iter(lat, lon, k, max_distance_m, max_c2, &mut p, to_unit(lat, lon), out);
        }
        let mut best = Vec::with_capacity(k + 8);
        self.nearest_candidates(&self.tree, false, lat, lon, k, max_distance_m, Some(&mut p), &mut best);
        for &(_, j) in &best {
            let Some(s) = self.station_at(j).and_then(|i| self.stations.get(i as usize)) else {
                continue;
            };
            if let Some(hit) = self.hit_at(&mut p, j, haversine_m(lat, lon, s.lat, s.lon)) {
                out.push(hit);
            }
        }
        self.sort_hits(&mut out);
        out.truncate(k);
        out
    }

    /// The station positions [`nearest_live`](Self::nearest_live) returns, in the same order,
    /// into `out` (cleared first), without counting EVSEs per station. The fast path for a map
    /// or a list that looks up what it shows; pass the same `out` every time to reuse it.
    #[allow(clippy::too_many_arguments)]
    pub fn nearest_ids(
        &self,
        lat: f64,
        lon: f64,
        k: usize,
        max_distance_m: f64,
        filter: &Filter,
        live: Option<Live<'_>>,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        if k == 0 || !lat.is_finite() || !lon.is_finite() || max_distance_m.is_nan() {
            return;
        }
        if k > BOUNDED_K {
            out.extend(self.nearest_live(lat, lon, k, max_distance_m, filter, live).iter().map(|h| h.station));
            return;
        }
        let mut p = Prepared::new(filter, &self.cols, live);
        let mut best = Vec::with_capacity(k + 8);
        self.nearest_candidates(&self.tree, false, lat, lon, k, max_distance_m, Some(&mut p), &mut best);
        self.order_candidates(lat, lon, k, &best, false, out);
    }

    /// Appends the station positions of `best` (chord², tree position; sorted by chord², as
    /// [`nearest_candidates`](Self::nearest_candidates) leaves it) to `out`, in the order
    /// [`nearest_live`](Self::nearest_live) gives them (haversine distance, then id), at most `k`.
    /// With `sub`, `best` holds station positions (a view's candidates), not tree positions.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn order_candidates(
        &self,
        lat: f64,
        lon: f64,
        k: usize,
        best: &[(f64, u32)],
        sub: bool,
        out: &mut Vec<u32>,
    ) {
        let station_of = |j: u32| if sub { Some(j) } else { self.station_at(j) };
        // `best` is in chord order, which is haversine order except between near-equal chords
        // (rounding): only runs of those need the haversine distance and the ids to be ordered
        // as nearest_live orders them; everything else needs no station read at all.
        let mut run: Vec<(f64, u32)> = Vec::new();
        let mut i = 0;
        while let Some(&(c2, _)) = best.get(i) {
            if out.len() >= k {
                break;
            }
            // A run: each next chord within rounding of the previous one.
            let mut end = i + 1;
            let mut last = c2;
            while let Some(&(c, _)) = best.get(end).filter(|e| e.0 <= loosen(last)) {
                last = c;
                end += 1;
            }
            let group = best.get(i..end).unwrap_or(&[]);
            if let [(_, j)] = group {
                out.extend(station_of(*j));
            } else {
                run.clear();
                run.extend(group.iter().filter_map(|&(_, j)| {
                    let i = station_of(j)?;
                    let s = self.stations.get(i as usize)?;
                    Some((haversine_m(lat, lon, s.lat, s.lon), i))
                }));
                let id = |i: u32| self.stations.get(i as usize).map(|s| s.id.as_str());
                run.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| id(a.1).cmp(&id(b.1))).then(a.1.cmp(&b.1)));
                out.extend(run.iter().map(|&(_, i)| i));
            }
            i = end;
        }
        out.truncate(k);
    }

    /// The matches within `max_distance_m` with chord² up to (a hair past) the k-th smallest,
    /// as (chord², tree position) sorted by chord²: the k nearest and everything tied with the
    /// k-th, for the caller to order by haversine distance and id. `k` is 1..=[`BOUNDED_K`].
    ///
    /// `tree` is this index's tree (`sub` false) or a [`crate::FilteredIndex`]'s (`sub` true:
    /// its ids are station positions, and so are the entries of `best`). Without `p`, every
    /// point counts as a match.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn nearest_candidates(
        &self,
        tree: &KdTree,
        sub: bool,
        lat: f64,
        lon: f64,
        k: usize,
        max_distance_m: f64,
        mut p: Option<&mut Prepared<'_>>,
        best: &mut Vec<(f64, u32)>,
    ) {
        best.clear();
        let q = to_unit(lat, lon);
        // Chord and haversine agree on order up to rounding: walk a hair past each bound and let
        // the haversine distance (what we report) decide.
        let max_c2 = loosen(chord2_for_m(max_distance_m.max(0.0)));
        // Below this chord² the haversine distance is surely within the limit; at or above it,
        // it is computed to decide.
        let sure_c2 = chord2_for_m(max_distance_m.max(0.0)) * (1.0 - 1e-9);
        // Co-located stations are common (one site, several operators' ids). Keep every match
        // tied with the k-th, then order ties by id, so the answer does not depend on tree
        // layout or the last bit of a platform's sine (native and wasm must agree).
        let bound = |best: &Vec<(f64, u32)>| match best.get(k.saturating_sub(1)) {
            Some(&(kth, _)) => loosen(kth).min(max_c2),
            None => max_c2,
        };
        QUEUE.with(|cell| {
            let mut queue = cell.take();
            let ids = tree.ids();
            tree.nearest_bounded(q, max_c2, &mut queue, |pos, c2| {
                // `j`: what `best` holds (a tree position, or for a view a station position).
                let j = if sub {
                    match ids.get(pos as usize) {
                        Some(&j) => j,
                        None => return bound(best),
                    }
                } else {
                    pos
                };
                if let Some(p) = p.as_deref_mut() {
                    let column = if sub { self.tree_pos(j) } else { Some(j) };
                    if column.is_none_or(|c| !p.matches(&self.cols, c)) {
                        return bound(best);
                    }
                }
                if c2 >= sure_c2 {
                    let station = if sub { Some(j) } else { self.station_at(j) };
                    let s = station.and_then(|i| self.stations.get(i as usize));
                    if s.is_none_or(|s| haversine_m(lat, lon, s.lat, s.lon) > max_distance_m) {
                        return bound(best);
                    }
                }
                // Sorted by chord², then tree position: a few dozen entries at most.
                let at = best.partition_point(|&(c, i)| c < c2 || (c == c2 && i < j));
                best.insert(at, (c2, j));
                if let Some(&(kth, _)) = best.get(k.saturating_sub(1)) {
                    let limit = loosen(kth);
                    let keep = best.partition_point(|&(c, _)| c <= limit);
                    best.truncate(keep);
                }
                bound(best)
            });
            cell.set(queue);
        });
    }

    /// [`nearest_live`](Self::nearest_live) for a large `k`: walks the points in chord order
    /// (no sorted candidate list to keep).
    #[allow(clippy::too_many_arguments)]
    fn nearest_by_iter(
        &self,
        lat: f64,
        lon: f64,
        k: usize,
        max_distance_m: f64,
        max_c2: f64,
        p: &mut Prepared<'_>,
        q: [f64; 3],
        mut out: Vec<Hit>,
    ) -> Vec<Hit> {
        let mut last_c2 = f64::NAN;
        for (j, c2) in self.tree.nearest_iter(q) {
            if c2 > max_c2 || (out.len() >= k && c2 > loosen(last_c2)) {
                break;
            }
            let Some(s) = self.station_at(j).and_then(|i| self.stations.get(i as usize)) else {
                continue;
            };
            let d = haversine_m(lat, lon, s.lat, s.lon);
            if d > max_distance_m {
                continue;
            }
            if let Some(hit) = self.hit_at(p, j, d) {
                out.push(hit);
                last_c2 = c2;
            }
        }
        self.sort_hits(&mut out);
        out.truncate(k);
        out
    }

    /// Orders hits by distance, then station id, then position.
    pub(crate) fn sort_hits(&self, hits: &mut [Hit]) {
        let id = |h: &Hit| self.stations.get(h.station as usize).map(|s| s.id.as_str());
        hits.sort_by(|a, b| {
            a.distance_m.total_cmp(&b.distance_m).then_with(|| id(a).cmp(&id(b))).then(a.station.cmp(&b.station))
        });
    }
}

/// Up to this `k`, nearest keeps a sorted list of the best matches and prunes with the k-th.
pub(crate) const BOUNDED_K: usize = 256;

thread_local! {
    /// The search queue of nearest queries, reused so that a query allocates only its results.
    static QUEUE: std::cell::Cell<Vec<Pending>> = const { std::cell::Cell::new(Vec::new()) };
}

pub(crate) fn loosen(c2: f64) -> f64 {
    c2 * (1.0 + 1e-9) + 1e-18
}
