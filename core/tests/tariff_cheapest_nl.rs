//! Cheapest near me, end to end on the real NL data: the spatial query gives `Hit`s, the caller
//! turns their connectors into `Candidate`s, the tariff side prices and orders them.

// Test helpers panic on bad fixtures by design.
#![allow(clippy::unwrap_used)]

use std::io::Read;

use chargefinder::tariff::{cheapest, parse_tariffs, Candidate, ChargePlan, Language, Pricer, TariffTable};
use chargefinder::{import_locations, Filter, Station, StationIndex};
use rust_decimal::Decimal;

fn gunzip(name: &str) -> Vec<u8> {
    let raw = std::fs::read(format!("{}/../data/nl/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn cheapest_fast_charge_near_groningen_station() {
    let locations = import_locations(&gunzip("locations.json.gz")).unwrap().locations;
    let table = TariffTable::new(parse_tariffs(&gunzip("tariffs.json.gz")).unwrap().tariffs);
    // Station::from_location keeps the order, so a Hit's position is also the location's.
    let index = StationIndex::new(locations.iter().map(Station::from_location).collect());
    let hits = index.nearest(53.2110, 6.5640, 200, 10_000.0, &Filter::default());
    assert!(!hits.is_empty());

    let mut ids = Vec::new();
    for h in &hits {
        let loc = &locations[h.station as usize];
        for e in &loc.evses {
            for c in &e.connectors {
                ids.push((format!("{}/{}/{}", loc.id, e.uid, c.id), h.distance_m, c));
            }
        }
    }
    let candidates: Vec<Candidate<'_>> = ids
        .iter()
        .map(|(id, d, c)| Candidate {
            id,
            distance_m: *d,
            power_kw: c.max_power_kw().unwrap_or(0.0),
            dc: c.is_dc(),
            tariff_ids: &c.tariff_ids,
        })
        .collect();
    let plan = ChargePlan {
        battery_kwh: 77.0,
        soc_from_pct: 10.0,
        soc_to_pct: 80.0,
        car_max_ac_kw: 11.0,
        car_max_dc_kw: 135.0,
        connector_kw: 0.0,
        dc: false,
    };
    let start = "2026-06-09T18:00:00+02:00".parse().unwrap();
    let tz = chargefinder::time_zone("Europe/Amsterdam").unwrap();
    let mut pricer = Pricer::new(&table, plan, start, tz, Decimal::ZERO);
    let top = cheapest(&candidates, &mut pricer, Language::Nl, candidates.len());
    assert_eq!(top.len(), candidates.len());
    let priced: Vec<_> = top.iter().filter_map(|p| p.estimate.as_ref().ok().map(|e| (e, p))).collect();
    assert!(priced.len() > 100, "most nearby connectors get a price: {}", priced.len());
    // Ordered by total, then distance; every priced one has its words.
    for w in priced.windows(2) {
        let (a, b) = (w[0].0, w[1].0);
        assert!(a.excl_vat < b.excl_vat || (a.excl_vat == b.excl_vat && w[0].1.distance_m <= w[1].1.distance_m));
    }
    assert!(priced.iter().all(|(_, p)| p.words.as_ref().is_some_and(|w| !w.is_empty())));
    // 77 kWh × 70 % = 53.9 kWh into the battery: at the meter 59.89 kWh (AC) or 56.74 kWh (DC).
    for (e, _) in &priced {
        assert!(e.energy_kwh == Decimal::new(59_889, 3) || e.energy_kwh == Decimal::new(56_737, 3), "{}", e.energy_kwh);
    }
    // Unknown prices come last, each with a reason.
    let first_unknown = top.iter().position(|p| p.estimate.is_err()).unwrap_or(top.len());
    assert!(top[first_unknown..].iter().all(|p| p.estimate.as_ref().is_err_and(|r| !r.is_empty())));
    println!("cheapest: {} {} — {}", top[0].id, priced[0].0.excl_vat, top[0].words.as_deref().unwrap_or(""));
}
