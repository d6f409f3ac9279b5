//! Cheapest near me: the spatial query and the tariff engine, joined in one place.
//!
//! The `k` nearest stations passing the driver's filter (exact great-circle order, live status
//! when given), then every connector there that fits (the filter's plugs and vehicle), each
//! priced for the driver's plan under the connector's tariffs, cheapest first, then nearest.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;

use super::cheapest::{cheapest, Candidate, Priced, Pricer, TariffTable};
use super::plan::ChargePlan;
use super::words::Language;
use crate::filter::{Filter, Live};
use crate::index::StationIndex;
use crate::model::{Connector, Location};

/// Where and for what the driver asks.
#[derive(Debug, Clone, Copy)]
pub struct NearQuery<'a> {
    pub lat: f64,
    pub lon: f64,
    /// How many stations to consider (their connectors are all priced).
    pub k: usize,
    pub max_distance_m: f64,
    pub filter: &'a Filter,
    pub live: Option<Live<'a>>,
}

/// The planned charge and how to price it.
#[derive(Debug, Clone, Copy)]
pub struct PriceAt {
    /// The driver's plan (its connector fields are filled per candidate).
    pub plan: ChargePlan,
    pub start: Timestamp,
    pub parking_s: Decimal,
    pub lang: Language,
}

/// Does a connector fit the filter's plug families and vehicle?
fn fits(filter: &Filter, c: &Connector) -> bool {
    (filter.plugs.is_empty() || filter.plugs.contains(c.family()))
        && filter.vehicle.as_ref().is_none_or(|v| crate::vehicle::compatible(v, c))
}

/// Prices every fitting connector of the `k` nearest matching stations. `locations` must be the
/// ones the index was built from ([`StationIndex::from_locations`]), in the same order. Candidate
/// ids are `"{station}/{evse uid}/{connector id}"`. Prices use the first station's time zone
/// (the k nearest stations share one in all but border cases).
pub fn cheapest_near(
    index: &StationIndex,
    locations: &[Location],
    table: &TariffTable,
    q: &NearQuery<'_>,
    price: &PriceAt,
) -> Vec<Priced> {
    let hits = index.nearest_live(q.lat, q.lon, q.k, q.max_distance_m, q.filter, q.live);
    let mut ids = Vec::new();
    let mut specs = Vec::new();
    for h in &hits {
        let Some(loc) = locations.get(h.station as usize) else { continue };
        for e in &loc.evses {
            for c in e.connectors.iter().filter(|c| fits(q.filter, c)) {
                ids.push(format!("{}/{}/{}", h.station, e.uid, c.id));
                specs.push((h.distance_m, c.max_power_kw().unwrap_or(0.0), c.is_dc(), &c.tariff_ids));
            }
        }
    }
    let candidates: Vec<Candidate<'_>> = ids
        .iter()
        .zip(&specs)
        .map(|(id, &(distance_m, power_kw, dc, tariff_ids))| Candidate { id, distance_m, power_kw, dc, tariff_ids })
        .collect();
    let tz = hits
        .first()
        .and_then(|h| locations.get(h.station as usize))
        .and_then(|l| crate::time_zone(&l.time_zone))
        .unwrap_or(TimeZone::UTC);
    let mut pricer = Pricer::new(table, price.plan, price.start, tz, price.parking_s);
    cheapest(&candidates, &mut pricer, price.lang, candidates.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{import_locations, PlugFamily, PlugSet};

    const FEED: &str = r#"[
      {"id":"NEAR","country_code":"NL","party_id":"X","address":"a","city":"c","country":"NLD","time_zone":"Europe/Amsterdam",
       "coordinates":{"latitude":"52.0116","longitude":"4.3571"},
       "evses":[{"uid":"N1","status":"AVAILABLE","connectors":[
         {"id":"1","standard":"IEC_62196_T2_COMBO","format":"CABLE","power_type":"DC","max_voltage":500,"max_amperage":100,"max_electric_power":50000,"tariff_ids":["DEAR"]},
         {"id":"2","standard":"CHADEMO","format":"CABLE","power_type":"DC","max_voltage":500,"max_amperage":100,"max_electric_power":50000,"tariff_ids":["CHEAP"]}]}]},
      {"id":"FAR","country_code":"NL","party_id":"X","address":"a","city":"c","country":"NLD","time_zone":"Europe/Amsterdam",
       "coordinates":{"latitude":"52.0300","longitude":"4.3571"},
       "evses":[{"uid":"F1","status":"AVAILABLE","connectors":[
         {"id":"1","standard":"IEC_62196_T2_COMBO","format":"CABLE","power_type":"DC","max_voltage":500,"max_amperage":100,"max_electric_power":50000,"tariff_ids":["CHEAP"]}]}]}
    ]"#;

    fn tariff(id: &str, per_kwh: &str) -> crate::tariff::Tariff {
        let json = format!(
            r#"{{"country_code":"NL","party_id":"X","id":"{id}","currency":"EUR","last_updated":"2026-01-01T00:00:00Z",
               "elements":[{{"price_components":[{{"type":"ENERGY","price":{per_kwh},"vat":21.0,"step_size":1}}]}}]}}"#
        );
        crate::tariff::Tariff::from_json(json.as_bytes()).expect("test tariff")
    }

    #[test]
    fn cheapest_fitting_connector_first_then_nearest() {
        let locs = import_locations(FEED.as_bytes()).expect("feed").locations;
        let index = StationIndex::from_locations(&locs);
        let table = TariffTable::new(vec![tariff("DEAR", "0.79"), tariff("CHEAP", "0.39")]);
        let ccs = Filter { plugs: PlugSet::EMPTY.with(PlugFamily::Ccs2), ..Filter::default() };
        let q = NearQuery { lat: 52.0116, lon: 4.3571, k: 10, max_distance_m: 10_000.0, filter: &ccs, live: None };
        let plan = ChargePlan {
            battery_kwh: 60.0,
            soc_from_pct: 20.0,
            soc_to_pct: 80.0,
            car_max_ac_kw: 11.0,
            car_max_dc_kw: 100.0,
            connector_kw: 0.0,
            dc: true,
        };
        let at = PriceAt {
            plan,
            start: "2026-06-10T08:00:00Z".parse().expect("time"),
            parking_s: Decimal::ZERO,
            lang: Language::En,
        };
        let priced = cheapest_near(&index, &locs, &table, &q, &at);
        // CHAdeMO is cheaper but does not fit a CCS2 filter: the far CCS2 at €0.39 wins over the
        // near one at €0.79.
        let ids: Vec<&str> = priced.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["1/F1/1", "0/N1/1"]);
        let (a, b) = (priced[0].estimate.as_ref().expect("priced"), priced[1].estimate.as_ref().expect("priced"));
        assert!(a.excl_vat < b.excl_vat);
        assert!(priced[0].words.as_deref().is_some_and(|w| w.contains("0.47")), "{:?}", priced[0].words);
        // 0.39 + 21% VAT
    }
}
