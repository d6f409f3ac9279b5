//! `cargo bench -p chargefinder --bench tariff_nl`: price one planned charge at every NL
//! connector (64,376, through their `tariff_ids` → 2,820 tariffs) and print the figures.
//!
//! Three figures: the memoising [`Pricer`] (what the app uses: one engine run per distinct
//! tariff × power × AC/DC), the engine once per connector (no memo, the worst case), and
//! `cheapest` including sorting and words for the top 10.

// A benchmark: bad data should stop it loudly.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::time::Instant;

use chargefinder::import_locations;
use chargefinder::tariff::{cheapest, estimate, parse_tariffs, Candidate, ChargePlan, Language, Pricer, TariffTable};
use rust_decimal::Decimal;

fn gunzip(path: &str) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
    out
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/nl");
    let locations = import_locations(&gunzip(&format!("{dir}/locations.json.gz"))).unwrap().locations;
    let table = TariffTable::new(parse_tariffs(&gunzip(&format!("{dir}/tariffs.json.gz"))).unwrap().tariffs);
    let connectors: Vec<_> = locations.iter().flat_map(|l| &l.evses).flat_map(|e| &e.connectors).collect();
    let candidates: Vec<Candidate<'_>> = connectors
        .iter()
        .map(|c| Candidate {
            id: &c.id,
            distance_m: 0.0,
            power_kw: c.max_power_kw().unwrap_or(11.0),
            dc: c.is_dc(),
            tariff_ids: &c.tariff_ids,
        })
        .collect();
    let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
    let start: jiff::Timestamp = "2026-06-09T12:00:00+02:00".parse().unwrap();
    // A 60 kWh car, 20 → 80 %, 11 kW AC / 100 kW DC.
    let plan = ChargePlan {
        battery_kwh: 60.0,
        soc_from_pct: 20.0,
        soc_to_pct: 80.0,
        car_max_ac_kw: 11.0,
        car_max_dc_kw: 100.0,
        connector_kw: 0.0,
        dc: false,
    };
    println!("{} connectors, {} tariffs", candidates.len(), table.len());

    let mut best = f64::INFINITY;
    let mut priced = 0;
    let mut distinct = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let mut pricer = Pricer::new(&table, plan, start, tz.clone(), Decimal::ZERO);
        priced = candidates.iter().filter(|c| pricer.price(c.power_kw, c.dc, c.tariff_ids).is_ok()).count();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        distinct = pricer.engine_runs();
    }
    println!("memoising Pricer, all connectors: {best:.1} ms ({priced} priced, {distinct} engine runs)");
    {
        let mut pricer = Pricer::new(&table, plan, start, tz.clone(), Decimal::ZERO);
        candidates.iter().for_each(|c| {
            let _ = pricer.price(c.power_kw, c.dc, c.tariff_ids);
        });
        let t = Instant::now();
        let n = candidates.iter().filter(|c| pricer.price(c.power_kw, c.dc, c.tariff_ids).is_ok()).count();
        println!("  of which lookups (warm cache): {:.1} ms ({n})", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        for _ in 0..3099 {
            std::hint::black_box(plan.at_connector(50.0, true).session(start, tz.clone(), Decimal::ZERO).unwrap());
        }
        println!("  3,099 sessions from the plan: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }

    let t = Instant::now();
    let mut runs = 0usize;
    for c in &candidates {
        let s = plan.at_connector(c.power_kw, c.dc).session(start, tz.clone(), Decimal::ZERO).unwrap();
        for id in c.tariff_ids {
            if let Some(tariff) = table.get(id) {
                let _ = std::hint::black_box(estimate(tariff, &s));
                runs += 1;
            }
        }
    }
    let ms = t.elapsed().as_secs_f64() * 1e3;
    println!("engine per connector, no memo: {ms:.1} ms ({runs} engine runs, {:.2} µs each)", ms * 1e3 / runs as f64);

    // What an app does at load time: resolve tariff ids once, into one flat array.
    let mut flat: Vec<u32> = Vec::new();
    let rows: Vec<(f64, bool, usize, usize)> = candidates
        .iter()
        .map(|c| {
            let from = flat.len();
            flat.extend(c.tariff_ids.iter().filter_map(|id| table.index_of(id)));
            (c.power_kw, c.dc, from, flat.len())
        })
        .collect();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        let mut pricer = Pricer::new(&table, plan, start, tz.clone(), Decimal::ZERO);
        priced = rows.iter().filter(|r| pricer.price_indexed(r.0, r.1, &flat[r.2..r.3]).is_ok()).count();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("memoising Pricer, tariff ids resolved at load: {best:.1} ms ({priced} priced)");

    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        let mut pricer = Pricer::new(&table, plan, start, tz.clone(), Decimal::ZERO);
        let top = cheapest(&candidates, &mut pricer, Language::Nl, 10);
        std::hint::black_box(&top);
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("cheapest (all connectors, sorted, top 10 with words): {best:.1} ms");
    // The engine alone: each tariff once, 11 kW AC.
    let s = plan.at_connector(11.0, false).session(start, tz.clone(), Decimal::ZERO).unwrap();
    let mut per: Vec<(f64, String, usize)> = Vec::new();
    let all: Vec<_> = candidates.iter().flat_map(|c| c.tariff_ids.iter()).filter_map(|id| table.get(id)).collect();
    let mut seen = std::collections::HashSet::new();
    for t in all {
        if !seen.insert(t.id.clone()) {
            continue;
        }
        let i = Instant::now();
        for _ in 0..10 {
            let _ = std::hint::black_box(estimate(t, &s));
        }
        per.push((i.elapsed().as_secs_f64() * 1e5, t.id.clone(), t.elements.len()));
    }
    per.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = per.iter().map(|p| p.0).sum();
    println!(
        "engine, each of the {} tariffs once at 11 kW: {:.1} ms in all, median {:.2} µs, slowest {:.1} µs ({} elements)",
        per.len(),
        total / 1e3,
        per[per.len() / 2].0,
        per[0].0,
        per[0].2
    );
    let no_tariff = candidates.iter().filter(|c| c.tariff_ids.is_empty()).count();
    println!("connectors without tariff_ids: {no_tariff}");
}
