//! The index against brute force on seeded random data: nearest, bounding box, route corridor
//! and clusters, including co-located stations, the antimeridian and the poles.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure should stop the test

mod common;

use chargefinder::{
    distance_to_route_m, haversine_m, Availability, AvailabilityConfig, ClusterIndex, EvseStatus, Filter, Live,
    StationIndex, ViewCache, PRECOMPUTED_MAX_ZOOM,
};
use common::{filter, oracle_eval, rng, stations, CENTRES};
use proptest::prelude::*;
use rand::Rng;

fn query_point(seed: u64) -> (f64, f64) {
    let mut r = rng(seed ^ 0xabc);
    let (clat, clon) = CENTRES[r.random_range(0..CENTRES.len())];
    let lat = (clat + r.random_range(-3.0..3.0f64)).clamp(-90.0, 90.0);
    let lon = clon + r.random_range(-3.0..3.0f64);
    (
        lat,
        if lon > 180.0 {
            lon - 360.0
        } else if lon < -180.0 {
            lon + 360.0
        } else {
            lon
        },
    )
}

fn lon_in(lon: f64, w: f64, e: f64) -> bool {
    if w <= e {
        w <= lon && lon <= e
    } else {
        lon >= w || lon <= e
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn nearest_matches_brute_force(seed in any::<u64>(), n in 1usize..300, k in 1usize..15, max_km in prop::sample::select(vec![1.0, 50.0, 500.0, 30_000.0])) {
        let st = stations(seed, n);
        let f = filter(seed);
        let index = StationIndex::new(st.clone());
        let (lat, lon) = query_point(seed);
        let max_m = max_km * 1000.0;
        let got = index.nearest(lat, lon, k, max_m, &f);
        let mut want: Vec<(f64, &str, usize)> = st.iter().enumerate()
            .filter(|(_, s)| oracle_eval(s, &f).is_some())
            .map(|(i, s)| (haversine_m(lat, lon, s.lat, s.lon), s.id.as_str(), i))
            .filter(|(d, _, _)| *d <= max_m)
            .collect();
        want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
        want.truncate(k);
        prop_assert_eq!(got.len(), want.len());
        // Large k takes the chord-order walk instead of the bounded search: same order.
        let mut wide = index.nearest(lat, lon, k + 300, max_m, &f);
        wide.truncate(k);
        prop_assert_eq!(&wide, &got);
        let mut ids = vec![7];
        index.nearest_ids(lat, lon, k, max_m, &f, None, &mut ids);
        prop_assert_eq!(ids, got.iter().map(|h| h.station).collect::<Vec<_>>());
        for (h, w) in got.iter().zip(&want) {
            prop_assert_eq!(h.station as usize, w.2);
            prop_assert!((h.distance_m - w.0).abs() < 1e-6);
            let (m, a, p) = oracle_eval(&st[w.2], &f).unwrap();
            prop_assert_eq!((h.matching_evses, h.available_evses, h.best_power_kw), (m, a, p));
        }
    }

    /// A filtered view answers exactly as the full index, for filters with and without status
    /// tests, with live statuses changed after the view was built (a view holds the filter's
    /// static part only, so status updates must not make it wrong).
    #[test]
    fn filtered_view_matches_full_index(seed in any::<u64>(), n in 1usize..300, k in 1usize..15, max_km in prop::sample::select(vec![1.0, 50.0, 500.0, 30_000.0])) {
        let st = stations(seed, n);
        let index = StationIndex::new(st.clone());
        let f = filter(seed);
        let view = index.filtered(&f);
        // The view holds exactly the stations passing the static part.
        let stat = f.without_status();
        prop_assert_eq!(view.len(), st.iter().filter(|s| oracle_eval(s, &stat).is_some()).count());
        let mut table = Availability::new(&index, 1_780_000_000, AvailabilityConfig::default());
        let mut r = rng(seed ^ 0x5eed);
        for _ in 0..n {
            let slot = r.random_range(0..index.evse_count().max(1) as u32);
            table.apply(slot, EvseStatus::ALL[r.random_range(0..EvseStatus::ALL.len())], 1_780_000_100);
        }
        let live = Some(Live { availability: &table, now_s: 1_780_000_200 });
        let mut cache = ViewCache::default();
        for q in 0..4u64 {
            let (lat, lon) = query_point(seed.wrapping_add(q));
            let max_m = max_km * 1000.0;
            let (mut want, mut got, mut cached) = (Vec::new(), vec![7], vec![7]);
            index.nearest_ids(lat, lon, k, max_m, &f, live, &mut want);
            index.nearest_ids_in(&view, lat, lon, k, max_m, &f, live, &mut got);
            prop_assert_eq!(&got, &want);
            // The cache builds its view on the second query and must agree before and after.
            cache.nearest_ids(&index, lat, lon, k, max_m, &f, live, &mut cached);
            prop_assert_eq!(&cached, &want);
            // Another filter sharing the static part (status tests flipped) is served by the view.
            let mut g = f.clone();
            g.available_now = !g.available_now;
            index.nearest_ids(lat, lon, k, max_m, &g, live, &mut want);
            index.nearest_ids_in(&view, lat, lon, k, max_m, &g, live, &mut got);
            prop_assert_eq!(&got, &want);
        }
        // A view does not serve a filter with another static part: it falls back to the index.
        let other = Filter { min_power_kw: f.min_power_kw + 1.0, ..f.clone() };
        let (lat, lon) = query_point(seed);
        let (mut want, mut got) = (Vec::new(), Vec::new());
        index.nearest_ids(lat, lon, k, 50_000.0, &other, live, &mut want);
        index.nearest_ids_in(&view, lat, lon, k, 50_000.0, &other, live, &mut got);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn bbox_matches_brute_force(seed in any::<u64>(), n in 1usize..300, w in -200.0..200.0f64, width in 0.0..60.0f64, s in -91.0..91.0f64, height in 0.0..40.0f64) {
        let st = stations(seed, n);
        let f = filter(seed);
        let index = StationIndex::new(st.clone());
        // The index reads longitudes outside [-180, 180] modulo 360; the oracle takes them normalised.
        let wn = if w > 180.0 { w - 360.0 } else if w < -180.0 { w + 360.0 } else { w };
        let mut e = wn + width;
        if e > 180.0 { e -= 360.0; }
        let bbox = [w, s, if e > 0.0 { e - 360.0 } else { e }, s + height];
        let w = wn;
        let got: Vec<u32> = index.in_bbox(bbox, &f, None).iter().map(|h| h.station).collect();
        let want: Vec<u32> = st.iter().enumerate()
            .filter(|(_, x)| x.lat >= s && x.lat <= s + height && lon_in(x.lon, w, e) && oracle_eval(x, &f).is_some())
            .map(|(i, _)| i as u32).collect();
        let mut ids = vec![7];
        index.in_bbox_ids(bbox, &f, None, &mut ids);
        ids.sort_unstable();
        prop_assert_eq!(&ids, &got, "in_bbox_ids {:?}", bbox);
        // The reusing form: into a buffer longer than any result and full of stale values
        // (and the same buffer again, now holding the last query's scratch).
        let mut scratch = vec![u32::MAX; n + 40];
        for _ in 0..2 {
            let k = index.in_bbox_ids_at(bbox, &f, None, &mut scratch);
            let mut at: Vec<u32> = scratch.get(..k).unwrap_or_default().to_vec();
            at.sort_unstable();
            prop_assert_eq!(&at, &got, "in_bbox_ids_at {:?}", bbox);
        }
        prop_assert_eq!(got, want, "bbox {:?}", bbox);
    }

    /// Stations on a half-degree lattice and boxes with edges on it: many stations lie exactly
    /// on an edge (the box query's margin cases, settled by the exact test), at the poles and on
    /// the antimeridian, with boxes up to the whole world.
    #[test]
    fn bbox_on_lattice_edges(seed in any::<u64>(), n in 1usize..300, clat in -180i32..=180, w2 in -360i32..360, width2 in 0i32..760, s2 in -180i32..180, height2 in 0i32..180) {
        let mut st = stations(seed, n);
        let mut r = rng(seed ^ 0x5eed);
        for x in st.iter_mut() {
            // Near the chosen latitude, so that the boxes below hold some.
            x.lat = (f64::from(clat + r.random_range(-8..=8)) / 2.0).clamp(-90.0, 90.0);
            x.lon = f64::from(r.random_range(-360..=360)) / 2.0;
        }
        let f = filter(seed);
        let index = StationIndex::new(st.clone());
        let (w, s) = (f64::from(w2) / 2.0, f64::from(s2) / 2.0);
        let (width, height) = (f64::from(width2) / 2.0, f64::from(height2) / 2.0);
        let north = (s + height).min(90.0);
        // Up to 380° wide: 360° or more is the whole world.
        let mut e = w + width;
        if e > 180.0 && width < 360.0 { e -= 360.0; }
        let bbox = [w, s, e, north];
        let want: Vec<u32> = st.iter().enumerate()
            .filter(|(_, x)| x.lat >= s && x.lat <= north && (width >= 360.0 || lon_in(x.lon, w, e)) && oracle_eval(x, &f).is_some())
            .map(|(i, _)| i as u32).collect();
        let mut ids = Vec::new();
        index.in_bbox_ids(bbox, &f, None, &mut ids);
        ids.sort_unstable();
        prop_assert_eq!(&ids, &want, "in_bbox_ids {:?}", bbox);
        let got: Vec<u32> = index.in_bbox(bbox, &f, None).iter().map(|h| h.station).collect();
        prop_assert_eq!(got, want, "in_bbox {:?}", bbox);
    }

    #[test]
    fn corridor_matches_brute_force(seed in any::<u64>(), n in 1usize..300, legs in 1usize..6, d_km in prop::sample::select(vec![0.5, 5.0, 50.0, 400.0])) {
        corridor_case(seed, n, legs, d_km)?;
    }

    #[test]
    fn clusters_conserve_counts(seed in any::<u64>(), n in 1usize..400, zoom in 0u8..22, w in -180.0..180.0f64, width in 0.0..400.0f64, s in -85.0..85.0f64, height in 0.0..60.0f64) {
        let st = stations(seed, n);
        let f = filter(seed);
        let index = StationIndex::new(st.clone());
        let ci = ClusterIndex::new(&index);
        let counts = ci.counts(&index, &f, None);
        // The whole world: every matching station and EVSE exactly once.
        let world = ci.clusters(&counts, [-180.0, -90.0, 180.0, 90.0], zoom);
        let total: Vec<_> = st.iter().filter_map(|s| oracle_eval(s, &f)).collect();
        prop_assert_eq!(world.iter().map(|c| c.stations).sum::<u32>() as usize, total.len());
        prop_assert_eq!(world.iter().map(|c| c.matching_evses).sum::<u32>(), total.iter().map(|t| t.0).sum::<u32>());
        prop_assert_eq!(world.iter().map(|c| c.available_evses).sum::<u32>(), total.iter().map(|t| t.1).sum::<u32>());
        // A viewport: each cluster is exactly its cell; every matching station inside is in one.
        let mut e = w + width;
        if e > 180.0 { e -= 360.0; }
        let bbox = [w, s, e, s + height];
        let got = ci.clusters(&counts, bbox, zoom);
        for c in &got {
            let members: Vec<usize> = st.iter().enumerate()
                .filter(|(_, x)| oracle_eval(x, &f).is_some() && ClusterIndex::cell_of(x.lat, x.lon, zoom) == (c.x, c.y))
                .map(|(i, _)| i).collect();
            prop_assert_eq!(c.stations as usize, members.len());
            prop_assert_eq!(c.matching_evses, members.iter().map(|&i| oracle_eval(&st[i], &f).unwrap().0).sum::<u32>());
            prop_assert_eq!(c.station, (members.len() == 1).then(|| members[0] as u32));
            // A one-station cluster sits at its station (the centroid of one, not inverted
            // from the projection); longitude through the projection's x, within rounding.
            if let [i] = members[..] {
                prop_assert_eq!(c.lat, st[i].lat);
                prop_assert!((c.lon - st[i].lon).abs() < 1e-9, "{} vs {}", c.lon, st[i].lon);
            }
        }
        for x in st.iter().filter(|x| oracle_eval(x, &f).is_some() && x.lat >= s && x.lat <= s + height && lon_in(x.lon, w, e)) {
            let cell = ClusterIndex::cell_of(x.lat, x.lon, zoom);
            prop_assert!(got.iter().any(|c| (c.x, c.y) == cell), "station at {},{} not in a cluster", x.lat, x.lon);
        }
    }
    /// The precomputed lists of low zooms give exactly the walk's clusters (same cells, counts,
    /// centroids, single stations and order), for viewports around the antimeridian and poles,
    /// the whole world and wrapped boxes, at every precomputed zoom.
    #[test]
    fn precomputed_clusters_match_walk(seed in any::<u64>(), n in 1usize..400, boxes in prop::collection::vec((-180.0..180.0f64, 0.0..400.0f64, -89.0..89.0f64, 0.0..90.0f64), 1..8)) {
        let st = stations(seed, n);
        let f = filter(seed);
        let index = StationIndex::new(st);
        let ci = ClusterIndex::new(&index);
        let counts = ci.counts(&index, &f, None);
        prop_assert_eq!(counts.precomputed_bytes(), 0);
        let mut bboxes = vec![[-180.0, -90.0, 180.0, 90.0], [179.0, -30.0, -179.0, 30.0], [170.0, 60.0, -170.0, 90.0]];
        for (w, width, s, height) in boxes {
            let mut e = w + width;
            if e > 180.0 { e -= 360.0; }
            bboxes.push([w, s, e, (s + height).min(90.0)]);
        }
        for zoom in 0..=PRECOMPUTED_MAX_ZOOM {
            for &bbox in &bboxes {
                let got = ci.clusters(&counts, bbox, zoom);
                let want = ci.clusters_walked(&counts, bbox, zoom);
                prop_assert_eq!(got, want, "zoom {} bbox {:?}", zoom, bbox);
            }
        }
        prop_assert!(counts.precomputed_bytes() > 0 || ci.clusters(&counts, [-180.0, -90.0, 180.0, 90.0], 0).is_empty());
    }
}

#[test]
fn route_distance_agrees_with_dense_sampling() {
    let mut r = rng(7);
    for _ in 0..200 {
        let a = (r.random_range(-80.0..80.0), r.random_range(-180.0..180.0));
        let b = (a.0 + r.random_range(-5.0..5.0f64), a.1 + r.random_range(-5.0..5.0f64));
        let p = (a.0 + r.random_range(-6.0..6.0f64), a.1 + r.random_range(-6.0..6.0f64));
        let (d, _) = distance_to_route_m(&[a, b], p.0, p.1).unwrap();
        // Sample the great-circle arc densely (slerp) and take the closest sample.
        let (ua, ub) = (unit(a), unit(b));
        let omega = ua.iter().zip(&ub).map(|(x, y)| x * y).sum::<f64>().clamp(-1.0, 1.0).acos();
        let mut best = f64::INFINITY;
        for i in 0..=4000 {
            let t = i as f64 / 4000.0;
            let (wa, wb) = if omega < 1e-12 {
                (1.0, 0.0)
            } else {
                (((1.0 - t) * omega).sin() / omega.sin(), (t * omega).sin() / omega.sin())
            };
            let v = [wa * ua[0] + wb * ub[0], wa * ua[1] + wb * ub[1], wa * ua[2] + wb * ub[2]];
            let (lat, lon) = (v[2].asin().to_degrees(), v[1].atan2(v[0]).to_degrees());
            best = best.min(haversine_m(p.0, p.1, lat, lon));
        }
        assert!(d <= best + 1e-3, "exact {d} must not exceed sampled {best}");
        assert!(best - d < 200.0, "exact {d} vs sampled {best}");
    }
}

fn unit((lat, lon): (f64, f64)) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

#[test]
fn nearest_ties_are_ordered_by_id() {
    let mut st = stations(1, 5);
    for (i, s) in st.iter_mut().enumerate() {
        s.lat = 52.0;
        s.lon = 4.0;
        s.id = format!("Z{}", 9 - i);
    }
    let index = StationIndex::new(st);
    let hits = index.nearest(52.1, 4.0, 3, 1e6, &Filter::default());
    let ids: Vec<_> = hits.iter().map(|h| index.station(h.station).id.clone()).collect();
    assert_eq!(ids, ["Z5", "Z6", "Z7"]);
}

/// The corridor check, shared by the property test and its regression cases.
fn corridor_case(seed: u64, n: usize, legs: usize, d_km: f64) -> Result<(), TestCaseError> {
    let st = stations(seed, n);
    let f = filter(seed);
    let index = StationIndex::new(st.clone());
    let route: Vec<(f64, f64)> = (0..=legs).map(|i| query_point(seed.wrapping_add(i as u64 * 7919))).collect();
    let d = d_km * 1000.0;
    let got = index.along_route(&route, d, &f, None);
    let mut want: Vec<(f64, f64, usize)> = st
        .iter()
        .enumerate()
        .filter(|(_, s)| oracle_eval(s, &f).is_some())
        .filter_map(|(i, s)| {
            let (dist, along) = distance_to_route_m(&route, s.lat, s.lon)?;
            (dist <= d).then_some((along, dist, i))
        })
        .collect();
    want.sort_by(|a, b| {
        a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(st[a.2].id.cmp(&st[b.2].id)).then(a.2.cmp(&b.2))
    });
    prop_assert_eq!(got.len(), want.len());
    for (h, w) in got.iter().zip(&want) {
        prop_assert_eq!(h.hit.station as usize, w.2);
        prop_assert!((h.along_m - w.0).abs() < 1e-3 && (h.hit.distance_m - w.1).abs() < 1e-3);
        prop_assert!((h.detour_m - 2.0 * h.hit.distance_m).abs() < 1e-9);
    }
    Ok(())
}

/// Found by the property test: a route that doubles back (pole → equator → pole) leaves some
/// stations equally near both legs; which leg (and so which `along`) won was float noise.
#[test]
fn corridor_regression_route_doubling_back() {
    corridor_case(10_899_683_565_701_651_568, 63, 2, 400.0).unwrap();
}
