//! Stations along a route: within a distance of a polyline, in the order a driver meets them.
//!
//! Geometry is on the sphere: each leg is the great-circle arc between two vertices, and a
//! station's distance to the route is its distance to the nearest point of any leg (cross-track
//! when the foot of the perpendicular falls on the leg, else to the nearer end).
//! The detour is **twice** that distance: drive from the route to the charger and back, as the
//! crow flies (a lower bound on the road detour).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::filter::{Filter, Live, Prepared};
use crate::index::{Hit, StationIndex};
use crate::sphere::{to_unit, EARTH_RADIUS_M};

/// One station along a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteHit {
    /// `hit.distance_m` is the distance from the route.
    pub hit: Hit,
    /// Distance along the route to the point nearest the station, metres.
    pub along_m: f64,
    /// Extra distance to get there and back: 2 × `hit.distance_m`.
    pub detour_m: f64,
}

type V3 = [f64; 3];

fn dot(a: &V3, b: &V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: &V3, b: &V3) -> V3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
fn norm(a: &V3) -> f64 {
    dot(a, a).sqrt()
}
/// The angle between two unit vectors, radians (atan2 form: accurate at all angles).
fn angle(a: &V3, b: &V3) -> f64 {
    norm(&cross(a, b)).atan2(dot(a, b))
}

/// (distance, along) in radians from `p` to the arc `a`→`b`.
pub(crate) fn point_to_arc(p: &V3, a: &V3, b: &V3) -> (f64, f64) {
    let n = cross(a, b);
    let nn = norm(&n);
    let ab = nn.atan2(dot(a, b));
    if nn < 1e-15 {
        return (angle(a, p), 0.0);
    }
    let n = [n[0] / nn, n[1] / nn, n[2] / nn];
    let s = dot(p, &n);
    let proj = [p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2]];
    let along = dot(&cross(a, &proj), &n).atan2(dot(a, &proj));
    if (0.0..=ab).contains(&along) && norm(&proj) > 1e-15 {
        return (s.abs().min(1.0).asin(), along);
    }
    let (da, db) = (angle(a, p), angle(b, p));
    if da <= db {
        (da, 0.0)
    } else {
        (db, ab)
    }
}

/// Distance (m) from (`lat`, `lon`) to the route and the position along it (m).
pub fn distance_to_route_m(route: &[(f64, f64)], lat: f64, lon: f64) -> Option<(f64, f64)> {
    let pts: Vec<V3> = route.iter().map(|&(la, lo)| to_unit(la, lo)).collect();
    let p = to_unit(lat, lon);
    let mut best: Option<(f64, f64)> = None;
    let mut start = 0.0;
    let legs = pts.windows(2).map(|w| (w[0], w[1])).chain((pts.len() == 1).then(|| (pts[0], pts[0])));
    for (a, b) in legs {
        let (d, along) = point_to_arc(&p, &a, &b);
        if best.is_none_or(|b| d < b.0 - LEG_TIE_RAD) {
            best = Some((d, start + along));
        }
        start += angle(&a, &b);
    }
    best.map(|(d, along)| (d * EARTH_RADIUS_M, along * EARTH_RADIUS_M))
}

/// A station as near one leg as another (a route that doubles back) belongs to the earlier
/// leg, the first time the route passes it. Within this many radians (6 µm) counts as as near,
/// so float noise never decides.
const LEG_TIE_RAD: f64 = 1e-12;

impl StationIndex {
    /// Stations within `max_distance_m` of the route (vertices as (lat, lon) degrees) with an
    /// EVSE passing `filter`, ordered by position along the route, then distance, then id.
    ///
    /// # Runtime
    /// One ball query per leg (centre: the leg's midpoint, radius: half the leg plus the
    /// corridor), then an exact distance per candidate.
    pub fn along_route(
        &self,
        route: &[(f64, f64)],
        max_distance_m: f64,
        filter: &Filter,
        live: Option<Live<'_>>,
    ) -> Vec<RouteHit> {
        if route.is_empty()
            || !max_distance_m.is_finite()
            || max_distance_m < 0.0
            || route.iter().any(|(a, b)| !a.is_finite() || !b.is_finite())
        {
            return Vec::new();
        }
        let pts: Vec<V3> = route.iter().map(|&(la, lo)| to_unit(la, lo)).collect();
        let d_rad = max_distance_m / EARTH_RADIUS_M;
        let mut best: HashMap<u32, (f64, f64)> = HashMap::new();
        let mut start = 0.0;
        let legs: Vec<(V3, V3)> =
            if pts.len() == 1 { vec![(pts[0], pts[0])] } else { pts.windows(2).map(|w| (w[0], w[1])).collect() };
        for (a, b) in legs {
            let ab = angle(&a, &b);
            let mid = [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
            let m = norm(&mid);
            // Every point within d of the arc is within ab/2 + d of its midpoint.
            let (centre, reach) = if m > 1e-9 {
                ([mid[0] / m, mid[1] / m, mid[2] / m], ab / 2.0 + d_rad)
            } else {
                (a, std::f64::consts::PI)
            };
            let half = (reach.min(std::f64::consts::PI) / 2.0).sin();
            let r2 = (2.0 * half).powi(2) * (1.0 + 1e-9) + 1e-15;
            self.tree().within(centre, r2, |i, _| {
                let Some(s) = self.station_at(i).and_then(|st| self.stations().get(st as usize)) else {
                    return;
                };
                let (d, along) = point_to_arc(&to_unit(s.lat, s.lon), &a, &b);
                if d <= d_rad {
                    let cand = (d, start + along);
                    let e = best.entry(i).or_insert(cand);
                    if cand.0 < e.0 - LEG_TIE_RAD {
                        *e = cand;
                    }
                }
            });
            start += ab;
        }
        let mut p = Prepared::new(filter, self.columns(), live);
        let mut out: Vec<RouteHit> = best
            .into_iter()
            .filter_map(|(i, (d, along))| {
                let hit = self.hit_at(&mut p, i, d * EARTH_RADIUS_M)?;
                Some(RouteHit { detour_m: 2.0 * hit.distance_m, along_m: along * EARTH_RADIUS_M, hit })
            })
            .collect();
        let id = |h: &RouteHit| self.stations().get(h.hit.station as usize).map(|s| s.id.as_str());
        out.sort_by(|a, b| {
            a.along_m
                .total_cmp(&b.along_m)
                .then(a.hit.distance_m.total_cmp(&b.hit.distance_m))
                .then_with(|| id(a).cmp(&id(b)))
                .then(a.hit.station.cmp(&b.hit.station))
        });
        out
    }
}
