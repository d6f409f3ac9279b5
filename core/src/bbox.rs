//! Stations in a longitude/latitude rectangle `[west, south, east, north]`, across the
//! antimeridian when `west > east`.
//!
//! The tree stores unit-sphere points, so the query first takes the exact 3D axis-aligned box
//! around the rectangle's patch of sphere (from the extremes of cos/sin of latitude and
//! longitude over their ranges), then tests each candidate's latitude and longitude exactly.

use crate::filter::{Filter, Live, Prepared, SummaryTest};
use crate::index::{Hit, StationIndex};
use crate::kdtree::{Wedge, MARGIN, UNSURE};
use crate::sphere::haversine_m;

/// A normalised rectangle: latitude range and one or two longitude ranges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LonLatRect {
    pub south: f64,
    pub north: f64,
    pub west: f64,
    pub east: f64,
}

impl LonLatRect {
    /// `None` for a rectangle with no area on Earth or non-finite numbers.
    pub fn new(bbox: [f64; 4]) -> Option<Self> {
        let [mut west, south, mut east, north] = bbox;
        if !bbox.iter().all(|v| v.is_finite()) {
            return None;
        }
        let (south, north) = (south.max(-90.0), north.min(90.0));
        if south > north {
            return None;
        }
        if east - west >= 360.0 {
            (west, east) = (-180.0, 180.0);
        } else {
            west = wrap(west);
            east = wrap(east);
        }
        Some(LonLatRect { south, north, west, east })
    }

    /// Exact membership; a rectangle with `west > east` runs across the antimeridian.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.south <= lat
            && lat <= self.north
            && if self.west <= self.east {
                self.west <= lon && lon <= self.east
            } else {
                lon >= self.west || lon <= self.east
            }
    }

    /// The longitude ranges, split at the antimeridian.
    pub fn lon_ranges(&self) -> impl Iterator<Item = (f64, f64)> {
        let (a, b) = if self.west <= self.east {
            ((self.west, self.east), None)
        } else {
            ((self.west, 180.0), Some((-180.0, self.east)))
        };
        std::iter::once(a).chain(b)
    }

    pub fn center(&self) -> (f64, f64) {
        let lat = (self.south + self.north) / 2.0;
        let span = if self.west <= self.east { self.east - self.west } else { self.east + 360.0 - self.west };
        (lat, wrap(self.west + span / 2.0))
    }
}

/// Longitude into [-180, 180]; values already in range are kept (so 180 stays 180).
pub(crate) fn wrap(lon: f64) -> f64 {
    if (-180.0..=180.0).contains(&lon) {
        lon
    } else {
        (lon + 180.0).rem_euclid(360.0) - 180.0
    }
}

/// (sin, cos) of an angle in degrees, |x| ≤ 360, within an ulp or two of `sin`/`cos`: the
/// angle is reduced by a multiple of 90° (exactly, in degrees) and the rest evaluated by the
/// fdlibm kernels on [-45°, 45°]. A box query needs six of these, and the general `sin` and
/// `cos` (software in wasm, with their reduction for any argument) were a tenth of a small
/// query. The box is padded and the patch test has a margin far above the difference.
#[allow(clippy::excessive_precision)] // fdlibm's coefficients as published (k_sin.c, k_cos.c)
fn sin_cos_deg(x: f64) -> (f64, f64) {
    // Ties to even (wasm's `f64.nearest`; `round` is a libm call there): at ±45° and ±135° either
    // quadrant's kernel is accurate.
    let q = (x / 90.0).round_ties_even();
    let t = (x - q * 90.0).to_radians();
    let z = t * t;
    let s = t + t
        * z
        * (-1.666_666_666_666_663_24e-1
            + z * (8.333_333_333_322_489_46e-3
                + z * (-1.984_126_982_985_794_87e-4
                    + z * (2.755_731_370_707_006_83e-6
                        + z * (-2.505_076_025_340_686_30e-8 + z * 1.589_690_995_211_550_07e-10)))));
    let r = z * (4.166_666_666_666_660_19e-2 + z * (-1.388_888_888_887_410_96e-3 + z * 2.480_158_728_947_672_94e-5))
        + z * z
            * z
            * z
            * (-2.755_731_435_139_066_33e-7 + z * (2.087_572_321_298_174_83e-9 + z * -1.135_964_755_778_819_48e-11));
    let (hz, w) = (0.5 * z, 1.0 - 0.5 * z);
    let c = w + (((1.0 - w) - hz) + z * r);
    match (q as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// (sin lat_lo, sin lat_hi), (cos, sin) of lon_lo, (cos, sin) of lon_hi.
type Trig = ((f64, f64), (f64, f64), (f64, f64));

/// The 3D box around the unit-sphere patch of `[lat_lo, lat_hi] × [lon_lo, lon_hi]` (degrees,
/// `lon_lo <= lon_hi`, both in [-180, 180]), and the sines and cosines computed on the way.
fn unit_box(lat_lo: f64, lat_hi: f64, lon_lo: f64, lon_hi: f64) -> ([f64; 3], [f64; 3], Trig) {
    let (zlo, zhi) = (sin_cos_deg(lat_lo).0, sin_cos_deg(lat_hi).0);
    let (lon_lo_sin, lon_lo_cos) = sin_cos_deg(lon_lo);
    let (lon_hi_sin, lon_hi_cos) = sin_cos_deg(lon_hi);
    // Minimum and maximum by comparison: every value here is finite, and `f64::min`/`max`
    // (which must handle NaN) were out-of-line calls in wasm, a tenth of a small box query.
    let min = |a: f64, b: f64| if b < a { b } else { a };
    let max = |a: f64, b: f64| if b > a { b } else { a };
    // cos lat ≥ 0 on [-90°, 90°]: from the sine (the box is padded by far more than the
    // rounding this adds).
    let cos_of = |z: f64| {
        let c2 = 1.0 - z * z;
        if c2 > 0.0 {
            c2.sqrt()
        } else {
            0.0
        }
    };
    let range = |lo: f64, hi: f64, (a, b): (f64, f64), peaks: &[(f64, f64)]| {
        let (mut mn, mut mx) = (min(a, b), max(a, b));
        for &(at, v) in peaks {
            if lo <= at && at <= hi {
                mn = min(mn, v);
                mx = max(mx, v);
            }
        }
        (mn, mx)
    };
    let (cmin, cmax) = range(lat_lo, lat_hi, (cos_of(zlo), cos_of(zhi)), &[(0.0, 1.0)]);
    let (cmin, cmax) = (max(cmin, 0.0), max(cmax, 0.0));
    let (clo, chi) = range(lon_lo, lon_hi, (lon_lo_cos, lon_hi_cos), &[(0.0, 1.0), (-180.0, -1.0), (180.0, -1.0)]);
    let (slo, shi) = range(lon_lo, lon_hi, (lon_lo_sin, lon_hi_sin), &[(90.0, 1.0), (-90.0, -1.0)]);
    let span = |lo: f64, hi: f64| {
        let (a, b, c, d) = (cmin * lo, cmax * lo, cmin * hi, cmax * hi);
        (min(min(a, b), min(c, d)), max(max(a, b), max(c, d)))
    };
    let (xlo, xhi) = span(clo, chi);
    let (ylo, yhi) = span(slo, shi);
    const EPS: f64 = 1e-9;
    (
        [xlo - EPS, ylo - EPS, zlo - EPS],
        [xhi + EPS, yhi + EPS, zhi + EPS],
        ((zlo, zhi), (lon_lo_cos, lon_lo_sin), (lon_hi_cos, lon_hi_sin)),
    )
}

/// One longitude range `[lo, hi]` of a rectangle as a test on unit-sphere points, so that the
/// points a box query finds are settled without reading their latitude and longitude: the
/// latitude bounds become bounds on `z = sin(lat)` and the longitude bounds half-planes through
/// the axis. Points within [`MARGIN`] of an edge (and near the poles, where `x` and `y` vanish)
/// are left to the exact test on degrees. From the sines and cosines `unit_box` computed
/// (trigonometry is software in wasm: compute it once).
fn wedge_of(trig: Trig, lo: f64, hi: f64) -> Wedge {
    let (z, west, east) = trig;
    let reflex = hi - lo > 180.0;
    let (west, east) = if hi - lo >= 360.0 {
        // The whole circle: the complement is the empty wedge from the meridian round to
        // itself, so only points on that meridian's plane are left to the exact test.
        (east, east)
    } else if reflex {
        // The complement runs from east round to west (see `Wedge::reflex`).
        (east, west)
    } else {
        (west, east)
    };
    Wedge { z_in: (z.0 + MARGIN, z.1 - MARGIN), z_out: (z.0 - MARGIN, z.1 + MARGIN), west, east, reflex }
}

impl StationIndex {
    /// Positions of the stations inside `[west, south, east, north]` with at least one EVSE
    /// passing `filter`, into `out` (cleared first): the stations of [`in_bbox`](Self::in_bbox),
    /// without distances or EVSE counts, in the index's spatial order (not sorted, as kdbush
    /// and flatbush return theirs: sorting a few thousand ids cost a third of a big box).
    /// The map's fast path; pass the same `out` every time to reuse its memory.
    ///
    /// # Runtime
    /// The box query plus, per station in the box, a test on its summary (plugs, best power,
    /// flags); the EVSEs are read only when the summary cannot decide, and only until one
    /// matches.
    pub fn in_bbox_ids(&self, bbox: [f64; 4], filter: &Filter, live: Option<Live<'_>>, out: &mut Vec<u32>) {
        let n = self.in_bbox_ids_at(bbox, filter, live, out);
        out.truncate(n);
    }

    /// [`in_bbox_ids`](Self::in_bbox_ids) into `out[..n]`, returning `n`; `out` keeps any
    /// greater length it has (the slots past `n` are scratch), so that a caller reusing it does
    /// not pay for refilling them on every query.
    pub fn in_bbox_ids_at(&self, bbox: [f64; 4], filter: &Filter, live: Option<Live<'_>>, out: &mut Vec<u32>) -> usize {
        let Some(rect) = LonLatRect::new(bbox) else {
            return 0;
        };
        let cols = self.columns();
        // Most map filters (and no filter) are settled by the summary: test it inline, with
        // no `Prepared` to build ...
        let (test, mut p) = match filter.summary_only() {
            Some(test) => (test, None),
            None => (SummaryTest::default(), Some(Prepared::new(filter, cols, live))),
        };
        // ... and when every station passes it (no filter), none is read.
        let all = p.is_none() && test.passes(cols.common);
        let tree = self.tree();
        let (ids, summary) = (tree.ids(), &cols.summary[..]);
        let mut kept = 0;
        for (lo, hi) in rect.lon_ranges() {
            let (min, max, trig) = unit_box(rect.south, rect.north, lo, hi);
            let start = kept;
            // Candidates as tree positions, tested in the leaf scan on points it has just
            // loaded; those near an edge flagged `UNSURE`.
            let end = tree.in_wedge_at(min, max, &wedge_of(trig, lo, hi), out, start);
            // Settle in place: each slot becomes a station position, kept when the station
            // is inside and matches (most are: the box is tight).
            for r in start..end {
                let Some(&flagged) = out.get(r) else { break };
                let j = flagged & !UNSURE;
                let k = j as usize;
                let Some(&i) = ids.get(k) else { continue };
                // Near an edge (rare, so the branch is predicted): the exact test on degrees.
                let inside = flagged & UNSURE == 0
                    || self.stations().get(i as usize).is_some_and(|s| rect.contains(s.lat, s.lon));
                let keep = inside
                    && (all
                        || match p.as_mut() {
                            None => summary.get(k).is_some_and(|s| test.passes(*s)),
                            Some(p) => p.matches(cols, j),
                        });
                if let Some(slot) = out.get_mut(kept) {
                    *slot = i;
                    kept += usize::from(keep);
                }
            }
        }
        if rect.west > rect.east {
            // Across the antimeridian a station at ±180° may have been found in both halves.
            out.truncate(kept);
            out.sort_unstable();
            out.dedup();
            kept = out.len();
        }
        kept
    }

    /// Stations inside `[west, south, east, north]` (degrees) with at least one EVSE passing
    /// `filter`, in index order. `distance_m` is measured from the rectangle's centre.
    ///
    /// ```
    /// # use chargefinder::*;
    /// let s = |id: &str, lat, lon| Station { id: id.into(), name: id.into(), lat, lon, operator: None,
    ///     evses: vec![EvseSummary { uid: "1".into(), plugs: PlugSet::EMPTY.with(PlugFamily::Ccs2), max_power_kw: 50.0, status: EvseStatus::Available, caps: Default::default(), price: None }], extra: Default::default() };
    /// let index = StationIndex::new(vec![s("fiji", -17.7, 179.9), s("samoa", -13.8, -172.1), s("nz", -41.3, 174.8)]);
    /// // Across the antimeridian: west > east.
    /// let hits = index.in_bbox([175.0, -20.0, -170.0, -10.0], &Filter::default(), None);
    /// assert_eq!(hits.len(), 2);
    /// ```
    pub fn in_bbox(&self, bbox: [f64; 4], filter: &Filter, live: Option<Live<'_>>) -> Vec<Hit> {
        let Some(rect) = LonLatRect::new(bbox) else {
            return Vec::new();
        };
        // Every station inside from the fast query (the filter is evaluated once, below, where
        // the counts come from).
        let inside = Filter { include_unpublished: true, ..Filter::default() };
        let mut ids = Vec::new();
        self.in_bbox_ids(bbox, &inside, None, &mut ids);
        ids.sort_unstable();
        let mut p = Prepared::new(filter, self.columns(), live);
        let (clat, clon) = rect.center();
        ids.iter()
            .filter_map(|&i| {
                let s = self.stations().get(i as usize)?;
                self.hit_at(&mut p, self.tree_pos(i)?, haversine_m(clat, clon, s.lat, s.lon))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_cos_deg_matches_libm() {
        let mut worst: f64 = 0.0;
        for i in -720_000..=720_000 {
            let x = f64::from(i) / 2000.0 + 1e-7 * f64::from(i % 7);
            let (s, c) = sin_cos_deg(x);
            worst = worst.max((s - x.to_radians().sin()).abs()).max((c - x.to_radians().cos()).abs());
        }
        assert!(worst < 1e-15, "worst difference {worst}");
        // Exact at the quarter turns, where a box's edge often lies.
        assert_eq!(sin_cos_deg(90.0), (1.0, 0.0));
        assert_eq!(sin_cos_deg(-180.0), (-0.0, -1.0));
        assert_eq!(sin_cos_deg(0.0), (0.0, 1.0));
    }

    /// The box query skips the summaries when every station passes the filter's summary test;
    /// a station without connectors (it matches no filter) must turn that off.
    #[test]
    fn no_filter_skips_summaries_only_when_all_pass() {
        use crate::{EvseStatus, EvseSummary, PlugFamily, PlugSet, Station};
        let s = |id: &str, evses: usize| Station {
            id: id.into(),
            name: id.into(),
            lat: 52.0,
            lon: 4.0,
            operator: None,
            evses: (0..evses)
                .map(|e| EvseSummary {
                    uid: e.to_string(),
                    plugs: PlugSet::EMPTY.with(PlugFamily::Ccs2),
                    max_power_kw: 50.0,
                    status: EvseStatus::Available,
                    caps: Default::default(),
                    price: None,
                })
                .collect(),
            extra: Default::default(),
        };
        let bbox = [3.9, 51.9, 4.1, 52.1];
        let any = Filter::default();
        let mut ids = Vec::new();
        let full = StationIndex::new(vec![s("a", 1), s("b", 2)]);
        full.in_bbox_ids(bbox, &any, None, &mut ids);
        ids.sort_unstable();
        assert_eq!(ids, [0, 1]);
        let empty = StationIndex::new(vec![s("a", 1), s("none", 0), s("b", 2)]);
        empty.in_bbox_ids(bbox, &any, None, &mut ids);
        ids.sort_unstable();
        assert_eq!(ids, [0, 2]);
        // The reusing form keeps a longer buffer's length (no refill per query).
        let mut long = vec![9; 50];
        let k = full.in_bbox_ids_at(bbox, &any, None, &mut long);
        assert_eq!((k, long.len()), (2, 50));
        long.truncate(k);
        long.sort_unstable();
        assert_eq!(long, [0, 1]);
        let fast = Filter { min_power_kw: 100.0, ..Filter::default() };
        full.in_bbox_ids(bbox, &fast, None, &mut ids);
        assert!(ids.is_empty());
    }
}
