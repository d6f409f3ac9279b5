//! Figures for the index, queries, live updates and clusters on 10k, 100k and 1M stations.
//!
//! ```text
//! cargo bench -p chargefinder --bench queries                          # full: 10k, 100k, 1M
//! CHARGEFINDER_BENCH_QUICK=1 cargo bench -p chargefinder --bench queries   # CI: 10k, 100k, fewer repetitions
//! CHARGEFINDER_BENCH_SIZES=1000000 cargo bench …   # chosen sizes only
//! CHARGEFINDER_BENCH_EXPORT=dir cargo bench …   # also writes dir/points-N.json ([lon, lat] pairs) to compare with supercluster
//! ```
//!
//! Data: the real NL feed's stations (their EVSE counts, plugs, power mix, statuses and their
//! scatter around the Dutch centre) cloned around 60 cities in Europe and North America, with
//! 20% of stations co-located with another one, from a fixed seed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: failing loudly is right

use std::hint::black_box;
use std::io::Read;
use std::time::Instant;

use chargefinder::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CITIES: &[(&str, f64, f64)] = &[
    ("Amsterdam", 52.37, 4.90),
    ("Rotterdam", 51.92, 4.48),
    ("Brussels", 50.85, 4.35),
    ("Antwerp", 51.22, 4.40),
    ("Paris", 48.86, 2.35),
    ("Lyon", 45.76, 4.84),
    ("Marseille", 43.30, 5.37),
    ("Toulouse", 43.60, 1.44),
    ("London", 51.51, -0.13),
    ("Manchester", 53.48, -2.24),
    ("Birmingham", 52.49, -1.89),
    ("Glasgow", 55.86, -4.25),
    ("Dublin", 53.35, -6.26),
    ("Berlin", 52.52, 13.40),
    ("Hamburg", 53.55, 9.99),
    ("Munich", 48.14, 11.58),
    ("Cologne", 50.94, 6.96),
    ("Frankfurt", 50.11, 8.68),
    ("Stuttgart", 48.78, 9.18),
    ("Vienna", 48.21, 16.37),
    ("Zurich", 47.38, 8.54),
    ("Milan", 45.46, 9.19),
    ("Rome", 41.90, 12.50),
    ("Madrid", 40.42, -3.70),
    ("Barcelona", 41.39, 2.17),
    ("Lisbon", 38.72, -9.14),
    ("Copenhagen", 55.68, 12.57),
    ("Oslo", 59.91, 10.75),
    ("Stockholm", 59.33, 18.07),
    ("Helsinki", 60.17, 24.94),
    ("Warsaw", 52.23, 21.01),
    ("Prague", 50.08, 14.44),
    ("Budapest", 47.50, 19.04),
    ("Athens", 37.98, 23.73),
    ("Tromsø", 69.65, 18.96),
    ("Reykjavik", 64.15, -21.94),
    ("New York", 40.71, -74.01),
    ("Boston", 42.36, -71.06),
    ("Washington", 38.91, -77.04),
    ("Philadelphia", 39.95, -75.17),
    ("Chicago", 41.88, -87.63),
    ("Detroit", 42.33, -83.05),
    ("Atlanta", 33.75, -84.39),
    ("Miami", 25.76, -80.19),
    ("Houston", 29.76, -95.37),
    ("Dallas", 32.78, -96.80),
    ("Denver", 39.74, -104.99),
    ("Phoenix", 33.45, -112.07),
    ("Los Angeles", 34.05, -118.24),
    ("San Francisco", 37.77, -122.42),
    ("Seattle", 47.61, -122.33),
    ("Portland", 45.52, -122.68),
    ("Vancouver", 49.28, -123.12),
    ("Calgary", 51.05, -114.07),
    ("Toronto", 43.65, -79.38),
    ("Montreal", 45.50, -73.57),
    ("Minneapolis", 44.98, -93.27),
    ("Anchorage", 61.22, -149.90),
    ("Mexico City", 19.43, -99.13),
    ("Honolulu", 21.31, -157.86),
];

fn nl_stations() -> Vec<Station> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/nl/locations.json.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut bytes).unwrap();
    import_locations(&bytes).unwrap().locations.iter().map(Station::from_location).collect()
}

fn generate(nl: &[Station], n: usize, seed: u64) -> Vec<Station> {
    let (clat, clon) = (52.1, 5.3);
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut out: Vec<Station> = Vec::with_capacity(n);
    for i in 0..n {
        let t = &nl[r.random_range(0..nl.len())];
        let (lat, lon) = if i > 0 && r.random_bool(0.2) {
            let prev = &out[r.random_range(i.saturating_sub(50)..i)];
            (prev.lat, prev.lon)
        } else {
            let (_, la, lo) = CITIES[r.random_range(0..CITIES.len())];
            // The NL scatter, shrunk to a metropolitan area (NL spans ~3°).
            (
                la + (t.lat - clat) * 0.3,
                lo + (t.lon - clon) * 0.3 / la.to_radians().cos().max(0.3) * clon.to_radians().cos() / 0.6,
            )
        };
        out.push(Station {
            id: format!("G{i}"),
            name: String::new(),
            lat,
            lon,
            operator: t.operator.clone(),
            evses: t.evses.clone(),
            extra: Default::default(),
        });
    }
    out
}

fn batches_quick(quick: bool) -> usize {
    if quick {
        200
    } else {
        2000
    }
}

/// Mean time of `f` over `reps` runs, in microseconds.
fn time_us(reps: usize, mut f: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    for i in 0..reps {
        f(i);
    }
    start.elapsed().as_secs_f64() * 1e6 / reps as f64
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not: then run nothing.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let quick = std::env::var_os("CHARGEFINDER_BENCH_QUICK").is_some();
    let export = std::env::var_os("CHARGEFINDER_BENCH_EXPORT");
    let sizes: Vec<usize> = match std::env::var("CHARGEFINDER_BENCH_SIZES") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) if quick => vec![10_000, 100_000],
        Err(_) => vec![10_000, 100_000, 1_000_000],
    };
    if std::env::var_os("CHARGEFINDER_BENCH_JS").is_some() {
        js_data_bench(&sizes);
        return;
    }
    let reps = if quick { 200 } else { 1000 };
    let nl = nl_stations();
    println!("chargefinder benchmarks ({}; {} NL templates)", if quick { "quick" } else { "full" }, nl.len());
    for &n in &sizes {
        let stations = generate(&nl, n, 42);
        if let Some(dir) = &export {
            let pts: Vec<[f64; 2]> = stations.iter().map(|s| [s.lon, s.lat]).collect();
            std::fs::write(
                std::path::Path::new(dir).join(format!("points-{n}.json")),
                serde_json::to_string(&pts).unwrap(),
            )
            .unwrap();
        }
        let evses: usize = stations.iter().map(|s| s.evses.len()).sum();
        println!("\n## {n} stations, {evses} EVSEs");

        let input = stations.clone();
        let t = Instant::now();
        let index = StationIndex::new(input);
        println!("index build                         {:>10.1} ms", t.elapsed().as_secs_f64() * 1e3);

        let mut r = ChaCha8Rng::seed_from_u64(7);
        let points: Vec<(f64, f64)> = (0..reps)
            .map(|_| {
                let (_, la, lo) = CITIES[r.random_range(0..CITIES.len())];
                (la + r.random_range(-0.3..0.3), lo + r.random_range(-0.3..0.3))
            })
            .collect();
        // About 20% of stations pass: a working EVSE of at least 12 kW (NL: 22.7% have ≥ 12 kW).
        let filter = Filter { min_power_kw: 12.0, working_only: true, ..Filter::default() };
        let pass = (0..index.len() as u32).filter(|&i| index.evaluate(i, 0.0, &filter).is_some()).count();
        let us = time_us(reps, |i| {
            let (la, lo) = points[i];
            black_box(index.nearest(la, lo, 10, 50_000.0, &filter));
        });
        println!("nearest 10 ≤ 50 km, filter {:>4.1}% pass {:>10.2} µs", 100.0 * pass as f64 / n as f64, us);
        let us = time_us(reps, |i| {
            let (la, lo) = points[i];
            black_box(index.nearest(la, lo, 10, 50_000.0, &Filter::default()));
        });
        println!("nearest 10 ≤ 50 km, no filter       {:>10.2} µs", us);
        // CHARGEFINDER_BENCH_REPEAT=200 repeats this line (for `perf record` of the hot path).
        let repeat = std::env::var("CHARGEFINDER_BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
        let mut ids = Vec::new();
        for _ in 0..repeat {
            let us = time_us(reps, |i| {
                let (la, lo) = points[i];
                index.nearest_ids(la, lo, 10, 50_000.0, &filter, None, &mut ids);
                black_box(&ids);
            });
            println!("nearest 10 ≤ 50 km, filter, ids only {:>9.2} µs", us);
        }

        // The same filtered query on rstar (the product owner's default choice), over the same
        // unit-sphere points with the same per-station filter, so the two trees compare directly.
        let t = Instant::now();
        let rtree = rstar::RTree::bulk_load(
            index
                .stations()
                .iter()
                .enumerate()
                .map(|(i, s)| rstar::primitives::GeomWithData::new(unit(s.lat, s.lon), i as u32))
                .collect(),
        );
        println!("rstar: bulk load                    {:>10.1} ms", t.elapsed().as_secs_f64() * 1e3);
        let max_c2 = {
            let c = 2.0 * (50_000.0 / chargefinder::EARTH_RADIUS_M / 2.0).sin();
            c * c
        };
        let us = time_us(reps, |i| {
            let (la, lo) = points[i];
            let mut out = Vec::with_capacity(10);
            for (e, c2) in rtree.nearest_neighbor_iter_with_distance_2(&unit(la, lo)) {
                if c2 > max_c2 || out.len() == 10 {
                    break;
                }
                if let Some(h) = index.evaluate(e.data, 0.0, &filter) {
                    out.push(h);
                }
            }
            black_box(out);
        });
        println!("rstar: nearest 10 ≤ 50 km, filter   {:>10.2} µs", us);

        for km in [20.0, 300.0] {
            let mut found = 0usize;
            let us = time_us(reps, |i| {
                let (la, lo) = points[i];
                let dlat = km / 2.0 / 111.2;
                let dlon = dlat / la.to_radians().cos();
                let hits = index.in_bbox([lo - dlon, la - dlat, lo + dlon, la + dlat], &Filter::default(), None);
                found += hits.len();
                black_box(hits);
            });
            println!("bbox {km:>3} × {km:>3} km (avg {:>6} hits)   {:>10.2} µs", found / reps, us);
            let mut ids = Vec::new();
            let us = time_us(reps, |i| {
                let (la, lo) = points[i];
                let dlat = km / 2.0 / 111.2;
                let dlon = dlat / la.to_radians().cos();
                index.in_bbox_ids([lo - dlon, la - dlat, lo + dlon, la + dlat], &Filter::default(), None, &mut ids);
                black_box(&ids);
            });
            println!("bbox {km:>3} × {km:>3} km, ids only (in_bbox_ids) {:>6.2} µs", us);
        }

        let mut table = Availability::new(&index, 1_780_000_000, AvailabilityConfig::default());
        let mut r = ChaCha8Rng::seed_from_u64(9);
        let updates: Vec<(u32, EvseStatus)> =
            (0..1000).map(|_| (r.random_range(0..evses as u32), EvseStatus::ALL[r.random_range(0..4)])).collect();
        let ids: Vec<(String, String)> = updates
            .iter()
            .map(|(slot, _)| {
                let (st, k) = index.evse_at(*slot).unwrap();
                let s = index.station(st);
                (s.id.clone(), s.evses[k].uid.clone())
            })
            .collect();
        let us = time_us(batches_quick(quick), |_| {
            for (loc, uid) in &ids {
                black_box(index.evse_slot(loc, uid));
            }
        });
        println!("1,000 slot lookups by OCPI ids      {:>10.2} µs", us);
        let mut clock = 1_780_000_001i64;
        let batches = if quick { 200 } else { 2000 };
        let us = time_us(batches, |_| {
            clock += 1;
            for &(slot, st) in &updates {
                black_box(table.apply(slot, st, clock));
            }
        });
        println!("1,000 status updates by slot        {:>10.2} µs  ({:.0} M updates/s)", us, 1000.0 / us);
        let us = time_us(batches, |_| {
            clock += 1;
            for ((loc, uid), &(_, st)) in ids.iter().zip(&updates) {
                black_box(table.apply_ocpi(&index, loc, uid, st, clock));
            }
        });
        println!("1,000 status updates by OCPI ids    {:>10.2} µs  ({:.0} M updates/s)", us, 1000.0 / us);

        let t = Instant::now();
        let clusters = ClusterIndex::new(&index);
        println!("cluster index build                 {:>10.1} ms", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let counts = clusters.counts(&index, &Filter::default(), Some(Live { availability: &table, now_s: clock }));
        println!("cluster counts for a filter (live)  {:>10.1} ms", t.elapsed().as_secs_f64() * 1e3);
        for zoom in [5u8, 9, 13] {
            let mut found = 0usize;
            let us = time_us(reps, |i| {
                let (la, lo) = points[i];
                let bbox = viewport_bbox(la, lo, f64::from(zoom), 1280, 720);
                let c = clusters.clusters(&counts, bbox, zoom);
                found += c.len();
                black_box(c);
            });
            println!("clusters 1280×720 zoom {zoom:>2} (avg {:>4})  {:>10.2} µs", found / reps, us);
        }

        let flat = index.flat_bytes() + Availability::BYTES_PER_EVSE * evses;
        println!("bytes per EVSE, index + availability {:>9.1}", flat as f64 / evses as f64);
    }
}

/// Degrees → unit sphere (as the index stores points).
fn unit(lat: f64, lon: f64) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// The npm benchmark's data (`bench/data.mjs`, same seed and generator, mulberry32), so that
/// native figures line up with `node bench/compare.mjs`: stations as `fromColumns` builds them.
mod js_data {
    use chargefinder::{EvseStatus, EvseSummary, PlugSet, Station};

    /// mulberry32, as in bench/data.mjs.
    pub struct Rng(u32);
    impl Rng {
        pub fn new(seed: u32) -> Self {
            Rng(seed)
        }
        pub fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x6d2b_79f5);
            let mut t = self.0;
            t = (t ^ (t >> 15)).wrapping_mul(t | 1);
            t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
            f64::from(t ^ (t >> 14)) / 4_294_967_296.0
        }
    }

    pub const CITIES: &[(f64, f64, f64)] = &[
        (52.37, 4.9, 9.),
        (51.92, 4.48, 6.),
        (52.09, 5.12, 5.),
        (52.08, 4.3, 5.),
        (51.44, 5.48, 3.),
        (53.22, 6.57, 2.),
        (50.85, 4.35, 5.),
        (51.22, 4.4, 3.),
        (48.86, 2.35, 10.),
        (45.76, 4.84, 4.),
        (43.3, 5.37, 3.),
        (43.6, 1.44, 2.),
        (52.52, 13.4, 8.),
        (53.55, 9.99, 5.),
        (48.14, 11.58, 6.),
        (50.94, 6.96, 4.),
        (50.11, 8.68, 4.),
        (48.78, 9.18, 4.),
        (48.21, 16.37, 4.),
        (47.37, 8.54, 3.),
        (45.46, 9.19, 4.),
        (41.9, 12.5, 3.),
        (40.42, -3.7, 4.),
        (41.39, 2.17, 4.),
        (38.72, -9.14, 2.),
        (51.51, -0.13, 10.),
        (53.48, -2.24, 3.),
        (52.49, -1.89, 3.),
        (53.35, -6.26, 2.),
        (55.68, 12.57, 3.),
        (59.91, 10.75, 6.),
        (60.39, 5.32, 2.),
        (59.33, 18.07, 4.),
        (57.71, 11.97, 2.),
        (60.17, 24.94, 2.),
        (64.15, -21.94, 1.),
        (69.65, 18.96, 1.),
        (52.23, 21.01, 2.),
        (50.08, 14.44, 2.),
        (47.5, 19.04, 1.),
        (40.71, -74.01, 9.),
        (42.36, -71.06, 3.),
        (38.91, -77.04, 3.),
        (41.88, -87.63, 4.),
        (43.65, -79.38, 4.),
        (45.5, -73.57, 3.),
        (49.28, -123.12, 3.),
        (47.61, -122.33, 4.),
        (37.77, -122.42, 8.),
        (34.05, -118.24, 9.),
        (32.72, -117.16, 3.),
        (39.74, -104.99, 2.),
        (30.27, -97.74, 2.),
        (32.78, -96.8, 2.),
        (33.75, -84.39, 2.),
        (25.76, -80.19, 2.),
        (33.45, -112.07, 2.),
        (61.22, -149.9, 1.),
        (21.31, -157.86, 1.),
        (64.84, -147.72, 1.),
    ];

    pub const CCS1: u32 = 1;
    pub const CCS2: u32 = 2;
    const CHADEMO: u32 = 4;
    const TYPE2_SOCKET: u32 = 8;
    const TYPE1: u32 = 32;
    const NACS: u32 = 64;

    pub fn generate(n: usize) -> Vec<Station> {
        let mut r = Rng::new(42);
        let total: f64 = CITIES.iter().map(|c| c.2).sum();
        let mut cum = Vec::new();
        let mut acc = 0.0;
        for c in CITIES {
            acc += c.2 / total;
            cum.push(acc);
        }
        let mut out: Vec<Station> = Vec::with_capacity(n);
        let mut slot = 0usize;
        for i in 0..n {
            let (lat, lon);
            if i > 0 && r.next() < 0.3 {
                (lat, lon) = (out[i - 1].lat, out[i - 1].lon);
            } else {
                let u = r.next();
                let ci = cum.iter().position(|&x| x >= u).unwrap_or(CITIES.len() - 1).min(CITIES.len() - 1);
                let c = CITIES[ci];
                let spread_km = 4.0 + 12.0 * r.next();
                let mut gauss =
                    || (-2.0 * (r.next() + 1e-12).ln()).sqrt() * (2.0 * std::f64::consts::PI * r.next()).cos();
                let g = gauss();
                lat = (c.0 + g * spread_km / 111.2).clamp(-89.9, 89.9);
                let g = gauss();
                let mut l = c.1 + g * spread_km / (111.2 * c.0.to_radians().cos());
                if l > 180.0 {
                    l -= 360.0;
                }
                if l < -180.0 {
                    l += 360.0;
                }
                lon = l;
            }
            let america = lon < -30.0;
            let fast = r.next() < 0.2;
            let n_evses = if fast { 2 + (r.next() * 6.0) as usize } else { 1 + (r.next() * 3.0) as usize };
            let mut evses = Vec::with_capacity(n_evses);
            for _ in 0..n_evses {
                let (plugs, kw) = if fast {
                    let p = if america {
                        if r.next() < 0.5 {
                            NACS
                        } else {
                            CCS1
                        }
                    } else {
                        CCS2 | if r.next() < 0.1 { CHADEMO } else { 0 }
                    };
                    (p, [50.0, 150.0, 300.0, 350.0][(r.next() * 4.0) as usize])
                } else {
                    (if america { TYPE1 } else { TYPE2_SOCKET }, [3.7, 11.0, 22.0][(r.next() * 3.0) as usize])
                };
                let s = r.next();
                let status = if s < 0.66 {
                    0
                } else if s < 0.94 {
                    2
                } else if s < 0.97 {
                    8
                } else {
                    4
                };
                evses.push(EvseSummary {
                    uid: slot.to_string(),
                    plugs: PlugSet(plugs),
                    max_power_kw: kw as f32,
                    status: EvseStatus::from_u8(status),
                    caps: Default::default(),
                    price: None,
                });
                slot += 1;
            }
            out.push(Station {
                id: i.to_string(),
                name: String::new(),
                lat,
                lon,
                operator: None,
                evses,
                extra: Default::default(),
            });
        }
        out
    }

    pub fn queries(q: usize) -> Vec<(f64, f64)> {
        let mut r = Rng::new(7);
        (0..q)
            .map(|_| {
                let c = CITIES[(r.next() * CITIES.len() as f64) as usize];
                (c.0 + (r.next() - 0.5) * 0.4, c.1 + (r.next() - 0.5) * 0.6)
            })
            .collect()
    }
}

/// `CHARGEFINDER_BENCH_JS=1`: nearest and boxes on the npm benchmark's data only, the figures to
/// hold against `node bench/compare.mjs` (which adds the JS↔wasm boundary).
fn js_data_bench(sizes: &[usize]) {
    let repeat = std::env::var("CHARGEFINDER_BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    for &n in sizes {
        let stations = js_data::generate(n);
        let t = Instant::now();
        let index = StationIndex::new(stations);
        println!("\n## npm benchmark data, {n} stations: index build {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
        let table = Availability::new(&index, 1_780_000_000, AvailabilityConfig::default());
        let live = Some(Live { availability: &table, now_s: 1_780_000_000 });
        let qs = js_data::queries(1000);
        let filter = Filter { plugs: PlugSet(js_data::CCS1 | js_data::CCS2), min_power_kw: 50.0, ..Filter::default() };
        let mut ids = Vec::new();
        let t = Instant::now();
        let view = index.filtered(&filter);
        println!("filtered view build ({} stations)   {:>8.2} ms", view.len(), t.elapsed().as_secs_f64() * 1e3);
        // CHARGEFINDER_BENCH_ONLY=nearest or =bbox: one kind of query (for `perf record`).
        let only = std::env::var("CHARGEFINDER_BENCH_ONLY").unwrap_or_default();
        for _ in 0..repeat {
            for (name, f) in [("filter", &filter), ("no filter", &Filter::default())] {
                if only == "bbox" {
                    break;
                }
                let us = time_us(qs.len(), |i| {
                    let (la, lo) = qs[i];
                    index.nearest_ids(la, lo, 10, 50_000.0, f, live, &mut ids);
                    black_box(&ids);
                });
                println!("nearest_ids 10 ≤ 50 km, {name:<9}    {us:>8.2} µs");
            }
            if only != "bbox" {
                let us = time_us(qs.len(), |i| {
                    let (la, lo) = qs[i];
                    index.nearest_ids_in(&view, la, lo, 10, 50_000.0, &filter, live, &mut ids);
                    black_box(&ids);
                });
                println!("nearest_ids_in view, filter        {us:>8.2} µs");
            }
            for km in [20.0, 300.0] {
                if only == "nearest" {
                    break;
                }
                let us = time_us(qs.len(), |i| {
                    let (la, lo) = qs[i];
                    let dlat = km / 2.0 / 111.2;
                    let dlon = dlat / la.to_radians().cos();
                    index.in_bbox_ids([lo - dlon, la - dlat, lo + dlon, la + dlat], &Filter::default(), live, &mut ids);
                    black_box(&ids);
                });
                println!("in_bbox_ids {km:>3} km                  {us:>8.2} µs");
            }
        }
    }
}
