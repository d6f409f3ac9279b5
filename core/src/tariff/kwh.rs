//! The price per kWh the compact stations carry ([`crate::EvseSummary::price`]): what the
//! finder's list shows and its price cap tests, computed where the tariffs are (the server,
//! the CLI), never in the browser.

use std::collections::HashMap;

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

use super::cheapest::{Pricer, TariffTable};
use super::plan::ChargePlan;
use crate::model::Location;
use crate::station::Station;

/// The charge the per-kWh prices are for: 20 → 80 % of a 60 kWh battery, a car that draws up to
/// 11 kW AC and 150 kW DC (so flat and per-minute fees count as they would for a typical car),
/// no parking after.
pub const REFERENCE_PLAN: ChargePlan = ChargePlan {
    battery_kwh: 60.0,
    soc_from_pct: 20.0,
    soc_to_pct: 80.0,
    car_max_ac_kw: 11.0,
    car_max_dc_kw: 150.0,
    connector_kw: 0.0,
    dc: false,
};

/// Prices compact stations under one tariff table for a charge starting at one instant (a
/// pricer per time zone: tariff restrictions read local time).
#[derive(Debug)]
pub struct KwhPricer<'t> {
    table: &'t TariffTable,
    start: Timestamp,
    pricers: HashMap<String, Pricer<'t>>,
}

impl<'t> KwhPricer<'t> {
    pub fn new(table: &'t TariffTable, start: Timestamp) -> Self {
        KwhPricer { table, start, pricers: HashMap::new() }
    }

    /// Fills `station`'s EVSE prices and currency; `station` is `Station::from_location(loc)`
    /// (its EVSEs in the location's order). Per EVSE: the total of [`REFERENCE_PLAN`] under
    /// the cheapest applicable tariff of each connector, incl. VAT when the tariff states VAT
    /// (else excl., and the station says so), divided by the energy, in whole minor units
    /// (half away from zero); the cheapest connector wins. Prices in a currency other than the
    /// station's first are left out.
    pub fn price(&mut self, station: &mut Station, loc: &Location) {
        let (table, start) = (self.table, self.start);
        let pricer = self.pricers.entry(loc.time_zone.clone()).or_insert_with(|| {
            let tz = crate::time_zone(&loc.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
            Pricer::new(table, REFERENCE_PLAN, start, tz, Decimal::ZERO)
        });
        for (summary, evse) in station.evses.iter_mut().zip(&loc.evses) {
            let mut best: Option<(u32, bool)> = None;
            for c in &evse.connectors {
                let Ok(est) = pricer.price(c.max_power_kw().unwrap_or(0.0), c.is_dc(), &c.tariff_ids) else {
                    continue;
                };
                if est.energy_kwh <= Decimal::ZERO {
                    continue;
                }
                if station.extra.currency.get_or_insert_with(|| est.currency.clone()) != &est.currency {
                    continue;
                }
                let (total, excl) = match est.incl_vat {
                    Some(t) => (t, false),
                    None => (est.excl_vat, true),
                };
                let mut per_kwh = (total * Decimal::ONE_HUNDRED / est.energy_kwh)
                    .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                per_kwh.rescale(0);
                let Ok(minor) = u32::try_from(per_kwh.mantissa()) else { continue };
                if best.is_none_or(|(b, _)| minor < b) {
                    best = Some((minor, excl));
                }
            }
            if let Some((p, excl)) = best {
                summary.price = Some(p);
                station.extra.excl_vat |= excl;
            }
        }
        if station.evses.iter().all(|e| e.price.is_none()) {
            station.extra.currency = None;
            station.extra.excl_vat = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tariff::Tariff;
    use crate::{Filter, StationIndex};

    fn location() -> Location {
        let conn = |tariff: &str| {
            format!(
                r#"{{"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE","max_voltage":230,
                "max_amperage":16,"tariff_ids":["{tariff}"],"last_updated":"2026-01-01T00:00:00Z"}}"#
            )
        };
        let evse = |uid: &str, tariff: &str| {
            format!(
                r#"{{"uid":"{uid}","status":"AVAILABLE","last_updated":"2026-01-01T00:00:00Z","connectors":[{}]}}"#,
                conn(tariff)
            )
        };
        let json = format!(
            r#"[{{"id":"L","country_code":"NL","party_id":"X","publish":true,"address":"A","city":"C","country":"NLD",
            "coordinates":{{"latitude":"52.0","longitude":"4.0"}},"time_zone":"Europe/Amsterdam",
            "last_updated":"2026-01-01T00:00:00Z","evses":[{},{},{}]}}]"#,
            evse("A", "VAT"),
            evse("B", "NOVAT"),
            evse("C", "MISSING")
        );
        crate::import_locations(json.as_bytes()).unwrap().locations.remove(0)
    }

    fn tariff(id: &str, price: &str, vat: &str, flat: &str) -> Tariff {
        let json = format!(
            r#"{{"id":"{id}","country_code":"NL","party_id":"X","currency":"EUR","last_updated":"2026-01-01T00:00:00Z",
            "elements":[{{"price_components":[{{"type":"ENERGY","price":{price},"vat":{vat},"step_size":1}}
            {flat}]}}]}}"#
        );
        Tariff::from_json(json.as_bytes()).unwrap()
    }

    #[test]
    fn evse_prices_are_whole_cents_per_kwh_incl_vat_when_stated() {
        let table = TariffTable::new(vec![
            // 0.388 + 21 % = 0.46948 → 47 cents.
            tariff("VAT", "0.388", "21", ""),
            // 0.30 per kWh and a 1.80 start fee over the plan's 36 kWh (+ losses): above 0.30.
            tariff("NOVAT", "0.30", "null", r#",{"type":"FLAT","price":1.80,"step_size":1}"#),
        ]);
        let loc = location();
        let mut s = Station::from_location(&loc);
        KwhPricer::new(&table, "2026-06-10T10:00:00Z".parse().unwrap()).price(&mut s, &loc);
        let prices: Vec<_> = s.evses.iter().map(|e| e.price).collect();
        assert_eq!(prices[0], Some(47));
        let b = prices[1].unwrap();
        assert!((31..=36).contains(&b), "the start fee spread over the kWh: {b}");
        assert_eq!(prices[2], None, "an unpublished tariff has no price");
        assert_eq!(s.extra.currency.as_deref(), Some("EUR"));
        assert!(s.extra.excl_vat, "B's tariff states no VAT");
        // The cap filter and the list's cheapest price, from the compact rows through JSON.
        let s: Station = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        let index = StationIndex::new(vec![s]);
        let hit = |cap| index.evaluate(0, 0.0, &Filter { max_price: cap, ..Filter::default() });
        let all = hit(None).unwrap();
        assert_eq!((all.matching_evses, all.min_price), (3, Some(b)));
        // A cap of 40 keeps B and C (C's price is unknown, not above the cap).
        assert_eq!(hit(Some(40)).map(|h| (h.matching_evses, h.min_price)), Some((2, Some(b))));
        assert_eq!(hit(Some(b - 1)).map(|h| (h.matching_evses, h.min_price)), Some((1, None)));
    }
}
