//! Points on the unit sphere: the metric the index stores.
//!
//! rstar prunes with the Euclidean distance of what it stores. A tree of raw lon/lat pairs with
//! a great-circle distance would therefore prune wrongly (a degree of longitude shrinks towards
//! the poles, and the antimeridian splits neighbours). On the unit sphere the chord between two
//! points is monotonic in their great-circle distance, so Euclidean nearest-neighbour order *is*
//! great-circle order, exactly, everywhere on Earth.

use geo::{Distance, Haversine, Point};

/// Mean Earth radius in metres (IUGG), the one `geo`'s haversine uses.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Degrees → a point on the unit sphere.
pub fn to_unit(lat: f64, lon: f64) -> [f64; 3] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Squared chord length on the unit sphere for a great-circle distance in metres.
pub fn chord2_for_m(m: f64) -> f64 {
    let half = (m / EARTH_RADIUS_M / 2.0).min(std::f64::consts::FRAC_PI_2);
    let c = 2.0 * half.sin();
    c * c
}

/// Great-circle distance in metres between two lat/lon points (haversine, via `geo`).
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chord_matches_haversine() {
        let (a, b) = ((52.0116, 4.3571), (51.9225, 4.4792));
        let d = haversine_m(a.0, a.1, b.0, b.1);
        let (p, q) = (to_unit(a.0, a.1), to_unit(b.0, b.1));
        let c2: f64 = (0..3).map(|i| (p[i] - q[i]).powi(2)).sum();
        assert!((c2 - chord2_for_m(d)).abs() < 1e-12);
        assert!((d - 12_960.0).abs() < 100.0, "Delft–Rotterdam is about 13 km, got {d}");
    }
}
