//! Seeded random stations for the oracle tests: clumps around hard places (the antimeridian,
//! the poles, the equator, Europe) with many co-located stations.
#![allow(dead_code)]

use chargefinder::{EvseStatus, EvseSummary, Filter, PlugFamily, PlugSet, Station};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const CENTRES: &[(f64, f64)] = &[
    (52.0, 4.3),
    (-17.7, 179.95),
    (65.0, -179.9),
    (89.9, 0.0),
    (-89.5, 120.0),
    (0.0, 0.0),
    (0.1, -179.99),
    (78.2, 15.6),
    (40.7, -74.0),
];

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn stations(seed: u64, n: usize) -> Vec<Station> {
    let mut r = rng(seed);
    let mut out: Vec<Station> = Vec::with_capacity(n);
    for i in 0..n {
        let (lat, lon) = if i > 0 && r.random_bool(0.2) {
            // Co-located with an earlier station.
            let j = r.random_range(0..i);
            (out[j].lat, out[j].lon)
        } else {
            let (clat, clon) = CENTRES[r.random_range(0..CENTRES.len())];
            let spread = [0.01, 0.5, 5.0][r.random_range(0..3)];
            let lat = (clat + r.random_range(-spread..=spread)).clamp(-90.0, 90.0);
            let mut lon = clon + r.random_range(-spread..=spread) * 3.0;
            if lon > 180.0 {
                lon -= 360.0;
            }
            if lon < -180.0 {
                lon += 360.0;
            }
            (lat, lon)
        };
        let evses = (0..r.random_range(1..4))
            .map(|k| EvseSummary {
                uid: format!("E{k}"),
                plugs: (0..r.random_range(1..3)).map(|_| PlugFamily::ALL[r.random_range(0..8)]).collect(),
                max_power_kw: [3.7, 11.0, 22.0, 50.0, 150.0, 350.0][r.random_range(0..6)],
                status: EvseStatus::ALL[r.random_range(0..EvseStatus::ALL.len())],
                caps: Default::default(),
                price: None,
            })
            .collect();
        out.push(Station {
            id: format!("S{:04}", r.random_range(0..10_000)),
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

pub fn filter(seed: u64) -> Filter {
    let mut r = rng(seed ^ 0x5eed);
    let mut f = Filter::default();
    if r.random_bool(0.5) {
        f.plugs = [PlugFamily::Ccs2, PlugFamily::Type2Socket, PlugFamily::Chademo][..r.random_range(1..4)]
            .iter()
            .copied()
            .collect::<PlugSet>();
    }
    if r.random_bool(0.5) {
        f.min_power_kw = [11.0, 50.0, 150.0][r.random_range(0..3)];
    }
    f.available_now = r.random_bool(0.3);
    f.working_only = r.random_bool(0.3);
    f
}

/// (matching, available, best kW) by the definition in `Filter::matches`.
pub fn oracle_eval(s: &Station, f: &Filter) -> Option<(u32, u32, f32)> {
    let m: Vec<&EvseSummary> = s.evses.iter().filter(|e| f.matches(e)).collect();
    if m.is_empty() {
        return None;
    }
    Some((
        m.len() as u32,
        m.iter().filter(|e| e.status.is_available()).count() as u32,
        m.iter().map(|e| e.max_power_kw).fold(0.0, f32::max),
    ))
}
