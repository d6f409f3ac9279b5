//! Map clusters: a grid hierarchy in web mercator, counted for any filter with prefix sums.
//!
//! At zoom `z` the world is 256·2^z pixels wide and a cluster is a 64 × 64 px cell, so the
//! cells of zoom `z + 1` nest four to a cell of zoom `z`: a quadtree. Sorting the stations once
//! by the Morton code of their finest cell ([`ClusterIndex::new`]) makes every cell at every
//! zoom a contiguous run. For a filter (and live status), [`ClusterIndex::counts`] evaluates
//! each station once and keeps prefix sums in that order; then any cell's counts and centroid
//! are two binary searches and a subtraction, so the clusters of a viewport
//! ([`ClusterIndex::clusters`]) cost O(cells · log n), whatever the filter.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::bbox::LonLatRect;
use crate::filter::{Filter, Live, Prepared};
use crate::index::StationIndex;

/// The finest zoom with its own cells; above it clusters stay at this size (about 10 m).
pub const MAX_CLUSTER_ZOOM: u8 = 20;
/// Cell size in pixels (256 px tiles).
pub const CELL_PX: u32 = 64;
/// log2(256 / CELL_PX): extra levels of cells over tiles.
const CELL_LEVELS: u8 = 2;
const LEVELS: u8 = MAX_CLUSTER_ZOOM + CELL_LEVELS;
/// The level of the directory of non-empty cells (zoom 10, cells of ~10 km at 50°N): the walk
/// above it searches the directory, a few thousand entries for a continent's stations, instead
/// of the megabytes of keys (at 1M stations a low-zoom viewport's binary searches over the keys
/// missed the cache at nearly every step).
const DIR_LEVEL: u8 = 12;
/// The coarsest zooms, whose clusters [`ClusterCounts`] keeps precomputed per zoom (built on the
/// first viewport at that zoom): a viewport there is a scan of a short list, like
/// supercluster's, instead of a walk of the directory.
pub const PRECOMPUTED_MAX_ZOOM: u8 = 8;
const PRE_ZOOMS: usize = PRECOMPUTED_MAX_ZOOM as usize + 1;

/// Stations sorted by their place in the cell quadtree. Static, like the index.
#[derive(Debug, Clone)]
pub struct ClusterIndex {
    keys: Vec<u64>,
    order: Vec<u32>,
    /// The Morton position of the station at each tree position.
    rank: Vec<u32>,
    /// Web-mercator x, y in [0, 1], per position in `order`.
    xy: Vec<[f64; 2]>,
    /// The station's latitude, per position in `order`: a one-station cluster (most of them
    /// when zoomed in) is placed at its station without inverting the projection (`exp` and
    /// `atan`, software in wasm, were a third of a zoomed-in viewport).
    lat: Vec<f64>,
    /// The non-empty cells at [`DIR_LEVEL`] (Morton codes at that level), in key order.
    dir_cells: Vec<u64>,
    /// Where each directory cell's run of keys starts (one more entry: `keys.len()`).
    dir_start: Vec<u32>,
}

/// Counts for one filter (and live state), in the order of a [`ClusterIndex`].
#[derive(Debug, Clone)]
pub struct ClusterCounts {
    /// Running totals before each Morton position (n + 1 entries), interleaved so that a
    /// cell's counts cost two cache lines.
    prefix: Vec<Prefix>,
    /// `prefix` at each directory cell's start (and the end): the counts of cells at or above
    /// [`DIR_LEVEL`] without touching `prefix`.
    dir_prefix: Vec<Prefix>,
    /// The non-empty clusters of each zoom ≤ [`PRECOMPUTED_MAX_ZOOM`], computed from these
    /// counts on the first viewport at that zoom. They live and die with the counts: a new
    /// filter or live status means new counts (from [`ClusterIndex::counts`]), hence new, empty
    /// caches, so they can never disagree with the counts.
    pre: [OnceLock<Precomputed>; PRE_ZOOMS],
}

/// The clusters of one zoom, by row then column.
#[derive(Debug, Clone, Default)]
struct Precomputed {
    list: Vec<Cluster>,
    /// Where each row of cells starts in `list` (rows + 1 entries).
    row_start: Vec<u32>,
}

impl ClusterCounts {
    /// Bytes held by the precomputed cluster lists built so far (0 until a low-zoom viewport).
    pub fn precomputed_bytes(&self) -> usize {
        self.pre
            .iter()
            .filter_map(OnceLock::get)
            .map(|p| p.list.capacity() * std::mem::size_of::<Cluster>() + p.row_start.capacity() * 4)
            .sum()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Prefix {
    stations: u32,
    evses: u32,
    available: u32,
    x: f64,
    y: f64,
}

/// One cluster on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Centroid of the matching stations, degrees.
    pub lat: f64,
    pub lon: f64,
    /// Matching stations in the cluster.
    pub stations: u32,
    /// Matching EVSEs (chargers).
    pub matching_evses: u32,
    /// Of those, available now.
    pub available_evses: u32,
    /// The station's position in the index when the cluster holds exactly one.
    pub station: Option<u32>,
    /// The cell: zoom and column/row in a 2^(zoom+2) grid.
    pub zoom: u8,
    pub x: u32,
    pub y: u32,
}

/// Web mercator x, y in [0, 1] (y = 0 north; latitudes beyond ±85.05° are clamped).
pub fn mercator(lat: f64, lon: f64) -> (f64, f64) {
    let x = (lon + 180.0) / 360.0;
    let s = lat.to_radians().sin().clamp(-0.9999, 0.9999);
    let y = 0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI);
    (x.clamp(0.0, 1.0), y.clamp(0.0, 1.0))
}

fn inverse_mercator(x: f64, y: f64) -> (f64, f64) {
    let lon = x * 360.0 - 180.0;
    // atan(sinh t) = 2 atan(eᵗ) − π/2 (the Gudermannian): one exponential instead of sinh's
    // two, once per cluster of more than one station in every viewport (software in wasm).
    let lat = (2.0 * (std::f64::consts::PI * (1.0 - 2.0 * y)).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    (lat, lon)
}

/// Web-mercator x of a longitude ([`mercator`]'s x, without its latitude trigonometry).
fn mercator_x(lon: f64) -> f64 {
    ((lon + 180.0) / 360.0).clamp(0.0, 1.0)
}

/// The `[west, south, east, north]` a `width_px` × `height_px` map shows around (`lat`, `lon`)
/// at `zoom` (256 px tiles). West may exceed east across the antimeridian.
pub fn viewport_bbox(lat: f64, lon: f64, zoom: f64, width_px: u32, height_px: u32) -> [f64; 4] {
    let world = 256.0 * 2f64.powf(zoom.clamp(0.0, 30.0));
    let (_, y) = mercator(lat, lon);
    let (hw, hh) = (f64::from(width_px) / 2.0 / world, f64::from(height_px) / 2.0 / world);
    let (north, _) = inverse_mercator(0.0, (y - hh).max(0.0));
    let (south, _) = inverse_mercator(0.0, (y + hh).min(1.0));
    if hw >= 0.5 {
        return [-180.0, south, 180.0, north];
    }
    let wrap = |v: f64| (v + 180.0).rem_euclid(360.0) - 180.0;
    [wrap(lon - hw * 360.0), south, wrap(lon + hw * 360.0), north]
}

fn cell(v: f64, level: u8) -> u32 {
    let n = 1u64 << level;
    ((v * n as f64) as u64).min(n - 1) as u32
}

fn spread(v: u32) -> u64 {
    let mut x = u64::from(v) & 0x3f_ffff;
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

/// Inverse of [`spread`]: the even bits of `v`.
fn compact(v: u64) -> u32 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x >> 4)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x >> 8)) & 0x0000_ffff_0000_ffff;
    x = (x | (x >> 16)) & 0x0000_0000_ffff_ffff;
    x as u32
}

fn morton(x: u32, y: u32) -> u64 {
    spread(x) | (spread(y) << 1)
}

impl ClusterIndex {
    /// Sorts the stations into the cell quadtree. O(n log n), one sort of integer keys.
    pub fn new(index: &StationIndex) -> Self {
        let mut items: Vec<(u64, u32, [f64; 2], f64)> = index
            .stations()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (x, y) = mercator(s.lat, s.lon);
                (morton(cell(x, LEVELS), cell(y, LEVELS)), i as u32, [x, y], s.lat)
            })
            .collect();
        items.sort_unstable_by_key(|t| (t.0, t.1));
        let n = items.len();
        let mut c = ClusterIndex {
            keys: Vec::with_capacity(n),
            order: Vec::with_capacity(n),
            rank: vec![0; n],
            xy: Vec::with_capacity(n),
            lat: Vec::with_capacity(n),
            dir_cells: Vec::new(),
            dir_start: Vec::new(),
        };
        for (pos, (k, i, xy, lat)) in items.into_iter().enumerate() {
            c.keys.push(k);
            c.order.push(i);
            if let Some(r) = index.tree_pos(i).and_then(|j| c.rank.get_mut(j as usize)) {
                *r = pos as u32;
            }
            c.xy.push(xy);
            c.lat.push(lat);
        }
        let dir_shift = 2 * u32::from(LEVELS - DIR_LEVEL);
        for (pos, &k) in c.keys.iter().enumerate() {
            if c.dir_cells.last() != Some(&(k >> dir_shift)) {
                c.dir_cells.push(k >> dir_shift);
                c.dir_start.push(pos as u32);
            }
        }
        c.dir_start.push(n as u32);
        c
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Evaluates the filter once per station and keeps prefix sums. O(n).
    ///
    /// Stations are evaluated in the index's internal order (sequential reads of the columns and
    /// the live table) and scattered to their Morton positions, then summed in one pass.
    pub fn counts(&self, index: &StationIndex, filter: &Filter, live: Option<Live<'_>>) -> ClusterCounts {
        let n = self.order.len();
        let mut per = vec![(0u32, 0u32); n];
        let mut p = Prepared::new(filter, index.columns(), live);
        for (j, &r) in self.rank.iter().enumerate() {
            if let Some(h) = index.hit_at(&mut p, j as u32, 0.0) {
                if let Some(slot) = per.get_mut(r as usize) {
                    *slot = (h.matching_evses, h.available_evses);
                }
            }
        }
        let mut prefix = Vec::with_capacity(n + 1);
        let mut run = Prefix::default();
        prefix.push(run);
        for (&(m, av), xy) in per.iter().zip(&self.xy) {
            if m > 0 {
                run.stations += 1;
                run.evses += m;
                run.available += av;
                run.x += xy[0];
                run.y += xy[1];
            }
            prefix.push(run);
        }
        let dir_prefix = self.dir_start.iter().filter_map(|&p| prefix.get(p as usize).copied()).collect();
        ClusterCounts { prefix, dir_prefix, pre: Default::default() }
    }

    /// The non-empty clusters of a viewport `[west, south, east, north]` at `zoom` (above
    /// [`MAX_CLUSTER_ZOOM`] the finest cells are used), in Morton order.
    ///
    /// Every matching station in a cell the viewport touches is counted exactly once.
    pub fn clusters(&self, counts: &ClusterCounts, bbox: [f64; 4], zoom: u8) -> Vec<Cluster> {
        let mut out = Vec::new();
        self.clusters_into(counts, bbox, zoom, true, &mut out);
        out
    }

    /// [`clusters`](Self::clusters) into `out` (cleared first): pass the same `out` every time
    /// to reuse its memory (the map's fast path, where a zoomed-in viewport has a few clusters
    /// and growing a new list cost more than finding them).
    pub fn clusters_in(&self, counts: &ClusterCounts, bbox: [f64; 4], zoom: u8, out: &mut Vec<Cluster>) {
        out.clear();
        self.clusters_into(counts, bbox, zoom, true, out);
    }

    /// [`clusters`](Self::clusters) without the precomputed lists of low zooms: the quadtree
    /// walk at every zoom (for tests comparing the two).
    pub fn clusters_walked(&self, counts: &ClusterCounts, bbox: [f64; 4], zoom: u8) -> Vec<Cluster> {
        let mut out = Vec::new();
        self.clusters_into(counts, bbox, zoom, false, &mut out);
        out
    }

    fn clusters_into(&self, counts: &ClusterCounts, bbox: [f64; 4], zoom: u8, pre: bool, out: &mut Vec<Cluster>) {
        if counts.prefix.len() != self.keys.len() + 1 || counts.dir_prefix.len() != self.dir_start.len() {
            return;
        }
        let Some(rect) = LonLatRect::new(bbox) else {
            return;
        };
        let z = zoom.min(MAX_CLUSTER_ZOOM);
        let level = z + CELL_LEVELS;
        let (_, y_top) = mercator(rect.north, 0.0);
        let (_, y_bottom) = mercator(rect.south, 0.0);
        let (y0, y1) = (cell(y_top, level), cell(y_bottom, level));
        let slot = if pre { counts.pre.get(usize::from(z)) } else { None };
        if let Some(slot) = slot {
            let p = slot.get_or_init(|| self.precompute(counts, z));
            for (w, e) in rect.lon_ranges() {
                let (x0, x1) = (cell(mercator_x(w), level), cell(mercator_x(e), level));
                let start = out.len();
                for y in y0..=y1 {
                    let (Some(&a), Some(&b)) = (p.row_start.get(y as usize), p.row_start.get(y as usize + 1)) else {
                        continue;
                    };
                    let row = p.list.get(a as usize..b as usize).unwrap_or(&[]);
                    let from = row.partition_point(|c| c.x < x0);
                    out.extend(row.iter().skip(from).take_while(|c| c.x <= x1).cloned());
                }
                // The walk's order: Morton order within each longitude range.
                if y1 > y0 {
                    if let Some(part) = out.get_mut(start..) {
                        part.sort_unstable_by_key(|c| morton(c.x, c.y));
                    }
                }
            }
            return;
        }
        for (w, e) in rect.lon_ranges() {
            let (x0, x1) = (cell(mercator_x(w), level), cell(mercator_x(e), level));
            // Start at the deepest cell holding the whole viewport: its run of keys is found by
            // two searches, and the levels above it need no walking.
            let mut lvl = level;
            while lvl > 0 && (x0 >> (level - lvl) != x1 >> (level - lvl) || y0 >> (level - lvl) != y1 >> (level - lvl))
            {
                lvl -= 1;
            }
            let (cx, cy) = (x0 >> (level - lvl), y0 >> (level - lvl));
            let q = (x0, x1, y0, y1, level, z);
            if lvl <= DIR_LEVEL {
                let shift = 2 * u32::from(DIR_LEVEL - lvl);
                let first = morton(cx, cy) << shift;
                let end = (morton(cx, cy) + 1) << shift;
                let lo = self.dir_cells.partition_point(|&k| k < first);
                let hi = if lvl == 0 { self.dir_cells.len() } else { self.dir_cells.partition_point(|&k| k < end) };
                self.descend_dir(counts, lvl, cx, cy, lo, hi, q, out);
                continue;
            }
            let shift = 2 * u32::from(LEVELS - lvl);
            let first = morton(cx, cy).checked_shl(shift).unwrap_or(0);
            let end = (morton(cx, cy) + 1).checked_shl(shift).unwrap_or(u64::MAX);
            let lo = self.keys.partition_point(|&k| k < first);
            let hi = if lvl == 0 { self.keys.len() } else { self.keys.partition_point(|&k| k < end) };
            self.descend(counts, lvl, cx, cy, lo, hi, (x0, x1, y0, y1, level, z), out);
        }
    }

    /// The non-empty clusters of zoom `z` (≤ [`PRECOMPUTED_MAX_ZOOM`]) from the directory: each
    /// is a run of directory cells, counted from the directory's prefix sums exactly as the walk
    /// counts it. O(directory cells).
    fn precompute(&self, counts: &ClusterCounts, z: u8) -> Precomputed {
        let level = z + CELL_LEVELS;
        let shift = 2 * u32::from(DIR_LEVEL.saturating_sub(level));
        let key_range = |d: usize| self.dir_start.get(d).map_or(self.keys.len(), |&p| p as usize);
        let mut list = Vec::new();
        let mut lo = 0;
        while let Some(&k) = self.dir_cells.get(lo) {
            let parent = k >> shift;
            let run = self.dir_cells.get(lo..).map_or(0, |r| r.iter().take_while(|&&k2| k2 >> shift == parent).count());
            let hi = lo + run.max(1);
            let (cx, cy) = (compact(parent), compact(parent >> 1));
            if let (Some(a), Some(b)) = (counts.dir_prefix.get(lo), counts.dir_prefix.get(hi)) {
                match b.stations - a.stations {
                    0 => {}
                    1 => list.extend(self.cluster(counts, key_range(lo), key_range(hi), z, cx, cy)),
                    _ => list.push(Self::cluster_of(a, b, z, cx, cy)),
                }
            }
            lo = hi;
        }
        list.sort_unstable_by_key(|c| (c.y, c.x));
        list.shrink_to_fit();
        let rows = 1usize << level;
        let mut row_start = Vec::with_capacity(rows + 1);
        let mut i = 0;
        for y in 0..=rows {
            while list.get(i).is_some_and(|c| (c.y as usize) < y) {
                i += 1;
            }
            row_start.push(i as u32);
        }
        Precomputed { list, row_start }
    }

    /// [`descend`](Self::descend) at or above [`DIR_LEVEL`], where `lo..hi` are positions in the
    /// directory: the searches and the counts stay in the small directory arrays.
    #[allow(clippy::too_many_arguments)]
    fn descend_dir(
        &self,
        counts: &ClusterCounts,
        lvl: u8,
        cx: u32,
        cy: u32,
        lo: usize,
        hi: usize,
        q: (u32, u32, u32, u32, u8, u8),
        out: &mut Vec<Cluster>,
    ) {
        let (x0, x1, y0, y1, level, z) = q;
        if lo >= hi {
            return;
        }
        let sh = level - lvl;
        if cx < x0 >> sh || cx > x1 >> sh || cy < y0 >> sh || cy > y1 >> sh {
            return;
        }
        let key_range = |d: usize| self.dir_start.get(d).map_or(self.keys.len(), |&p| p as usize);
        if lvl == level {
            let (Some(a), Some(b)) = (counts.dir_prefix.get(lo), counts.dir_prefix.get(hi)) else { return };
            match b.stations - a.stations {
                0 => {}
                // One station: `cluster` finds which (a search in its run, rare at low zoom).
                1 => out.extend(self.cluster(counts, key_range(lo), key_range(hi), z, cx, cy)),
                _ => out.push(Self::cluster_of(a, b, z, cx, cy)),
            }
            return;
        }
        if lvl == DIR_LEVEL {
            self.descend(counts, lvl, cx, cy, key_range(lo), key_range(hi), q, out);
            return;
        }
        let child_shift = 2 * u32::from(DIR_LEVEL - lvl - 1);
        // A child's Morton code is its parent's with the quadrant appended (x bit, then y bit).
        let parent = morton(cx, cy) << 2;
        let mut start = lo;
        for q2 in 0..4u32 {
            let (nx, ny) = (cx * 2 + (q2 & 1), cy * 2 + (q2 >> 1));
            let end = if q2 == 3 {
                hi
            } else {
                let end_key = ((parent | u64::from(q2)) + 1) << child_shift;
                start + self.dir_cells.get(start..hi).map_or(0, |c| c.partition_point(|&k| k < end_key))
            };
            self.descend_dir(counts, lvl + 1, nx, ny, start, end, q, out);
            start = end;
        }
    }

    /// Emits the clusters of `lo..hi` by scanning the keys: runs of one target cell are
    /// contiguous. Cheaper than searching when the run is short.
    fn scan(
        &self,
        counts: &ClusterCounts,
        lo: usize,
        hi: usize,
        q: (u32, u32, u32, u32, u8, u8),
        out: &mut Vec<Cluster>,
    ) {
        let (x0, x1, y0, y1, level, z) = q;
        let shift = 2 * u32::from(LEVELS - level);
        let keys = self.keys.get(lo..hi).unwrap_or(&[]);
        let mut i = 0;
        while let Some(&k) = keys.get(i) {
            let c = k >> shift;
            let run = keys.get(i..).map_or(0, |rest| rest.iter().take_while(|&&k2| k2 >> shift == c).count());
            let (cx, cy) = (compact(c), compact(c >> 1));
            if (x0..=x1).contains(&cx) && (y0..=y1).contains(&cy) {
                if let Some(cl) = self.cluster(counts, lo + i, lo + i + run, z, cx, cy) {
                    out.push(cl);
                }
            }
            i += run.max(1);
        }
    }

    /// Walks the quadtree from cell (`cx`, `cy`) at `lvl` covering positions `lo..hi`, into the
    /// cells of the target level inside the viewport's cell range.
    #[allow(clippy::too_many_arguments)]
    fn descend(
        &self,
        counts: &ClusterCounts,
        lvl: u8,
        cx: u32,
        cy: u32,
        lo: usize,
        hi: usize,
        q: (u32, u32, u32, u32, u8, u8),
        out: &mut Vec<Cluster>,
    ) {
        let (x0, x1, y0, y1, level, z) = q;
        // (Cells without matching stations are dropped by `cluster`; checking the prefix sums here
        // would cost two cache misses per node.)
        if lo >= hi {
            return;
        }
        // The viewport's cell range at this level.
        let sh = level - lvl;
        if cx < x0 >> sh || cx > x1 >> sh || cy < y0 >> sh || cy > y1 >> sh {
            return;
        }
        if lvl == level {
            if let Some(c) = self.cluster(counts, lo, hi, z, cx, cy) {
                out.push(c);
            }
            return;
        }
        if hi - lo <= 48 {
            self.scan(counts, lo, hi, q, out);
            return;
        }
        let child_shift = 2 * u32::from(LEVELS - lvl - 1);
        // A child's Morton code is its parent's with the quadrant appended (x bit, then y bit).
        let parent = morton(cx, cy) << 2;
        let mut start = lo;
        for q2 in 0..4u32 {
            let (dx, dy) = (q2 & 1, q2 >> 1);
            let (nx, ny) = (cx * 2 + dx, cy * 2 + dy);
            let end = if q2 == 3 {
                hi
            } else {
                let end_key = ((parent | u64::from(q2)) + 1).checked_shl(child_shift).unwrap_or(u64::MAX);
                let keys = self.keys.get(start..hi).unwrap_or(&[]);
                // Short runs: a linear scan beats the branchy binary search.
                start
                    + if keys.len() <= 16 {
                        keys.iter().take_while(|&&k| k < end_key).count()
                    } else {
                        keys.partition_point(|&k| k < end_key)
                    }
            };
            // Children outside the viewport's column/row range are skipped before any search
            // of theirs.
            self.descend(counts, lvl + 1, nx, ny, start, end, q, out);
            start = end;
        }
    }

    fn cluster(&self, c: &ClusterCounts, lo: usize, hi: usize, z: u8, x: u32, y: u32) -> Option<Cluster> {
        let (a, b) = (c.prefix.get(lo)?, c.prefix.get(hi)?);
        let stations = b.stations - a.stations;
        if stations == 0 {
            return None;
        }
        if stations == 1 {
            // The first position whose running count passes the count before the cell.
            let j = lo + c.prefix.get(lo + 1..=hi)?.partition_point(|p| p.stations == a.stations);
            let (&station, &lat, &[mx, _]) = (self.order.get(j)?, self.lat.get(j)?, self.xy.get(j)?);
            return Some(Cluster {
                lat,
                lon: mx * 360.0 - 180.0,
                stations,
                matching_evses: b.evses - a.evses,
                available_evses: b.available - a.available,
                station: Some(station),
                zoom: z,
                x,
                y,
            });
        }
        Some(Self::cluster_of(a, b, z, x, y))
    }

    /// The cluster of more than one station between two running totals, at their centroid.
    fn cluster_of(a: &Prefix, b: &Prefix, z: u8, x: u32, y: u32) -> Cluster {
        let stations = b.stations - a.stations;
        let (lat, lon) = inverse_mercator((b.x - a.x) / f64::from(stations), (b.y - a.y) / f64::from(stations));
        Cluster {
            lat,
            lon,
            stations,
            matching_evses: b.evses - a.evses,
            available_evses: b.available - a.available,
            station: None,
            zoom: z,
            x,
            y,
        }
    }

    /// The cell of a station at a zoom (for tests and the map's hit-testing).
    pub fn cell_of(lat: f64, lon: f64, zoom: u8) -> (u32, u32) {
        let level = zoom.min(MAX_CLUSTER_ZOOM) + CELL_LEVELS;
        let (x, y) = mercator(lat, lon);
        (cell(x, level), cell(y, level))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewports() {
        // Zoom 0 is one 256 px tile: a 256 × 256 map shows the world.
        let [w, s, e, n] = viewport_bbox(0.0, 0.0, 0.0, 256, 256);
        assert_eq!((w, e), (-180.0, 180.0));
        assert!((n - 85.0511).abs() < 1e-3 && (s + 85.0511).abs() < 1e-3);
        // Near the antimeridian the box wraps: west > east.
        let [w, _, e, _] = viewport_bbox(-17.7, 179.5, 9.0, 1280, 720);
        assert!(w > e && (w - 177.742_187_5).abs() < 1e-9 && (e + 178.742_187_5).abs() < 1e-9, "{w} {e}");
        // 1280 px at zoom 9 span 1280 / (256 · 512) of 360°.
        let [w, _, e, _] = viewport_bbox(52.0, 5.0, 9.0, 1280, 720);
        assert!((e - w - 3.515625).abs() < 1e-9);
    }

    /// The Gudermannian form of the inverse agrees with the mercator projection it inverts.
    #[test]
    fn inverse_mercator_round_trips() {
        for lat in [-85.0, -60.5, -1e-9, 0.0, 12.345_678, 52.0116, 69.65, 85.05] {
            for lon in [-180.0, -73.9, 0.0, 4.3571, 179.99] {
                let (x, y) = mercator(lat, lon);
                let (lat2, lon2) = inverse_mercator(x, y);
                assert!((lat2 - lat).abs() < 1e-9 && (lon2 - lon).abs() < 1e-9, "{lat},{lon} → {lat2},{lon2}");
                assert_eq!(mercator_x(lon), x);
            }
        }
    }

    #[test]
    fn morton_round_trips() {
        for (x, y) in [(0, 0), (1, 0), (0, 1), (12345, 4_000_000), ((1 << 22) - 1, (1 << 22) - 1)] {
            let m = morton(x, y);
            assert_eq!((compact(m), compact(m >> 1)), (x, y));
        }
    }
}
