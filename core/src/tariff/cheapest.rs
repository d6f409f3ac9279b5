//! Cheapest near me: price one planned charge at many chargers and order them by cost.
//!
//! Decoupled from the spatial index: the caller runs its query (e.g.
//! [`crate::StationIndex::nearest`]) and hands over [`Candidate`]s, one per connector it wants
//! compared, with the connector's power, AC/DC and `tariff_ids`.
//!
//! # Ordering
//! By the total **excluding VAT** (always known, and the same basis for every tariff: most NL
//! tariffs do not state VAT), then by distance, then by id. Chargers whose price is unknown come
//! last, nearest first, with the reason.
//!
//! A connector with several tariffs (one per OCPI `TariffType`) is priced under each, and the
//! cheapest that applies is reported with its id.
//!
//! # Runtime
//! A [`Pricer`] remembers each (tariff, power, AC/DC) it priced, so pricing all 64,376 NL
//! connectors costs one engine run per distinct pair (see the module figures in
//! [`crate::tariff`]).

use std::collections::HashMap;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

use super::estimate::{estimate, Estimate};
use super::model::Tariff;
use super::plan::ChargePlan;
use super::words::{describe, Language};

/// One connector to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<'a> {
    /// The caller's id for it (station id, EVSE uid, connector id: opaque here).
    pub id: &'a str,
    pub distance_m: f64,
    /// The connector's maximum power, kW.
    pub power_kw: f64,
    pub dc: bool,
    pub tariff_ids: &'a [String],
}

/// Tariffs by id.
#[derive(Debug, Clone, Default)]
pub struct TariffTable {
    tariffs: Vec<Tariff>,
    by_id: HashMap<String, usize>,
}

impl TariffTable {
    /// Later tariffs with the same id replace earlier ones.
    pub fn new(tariffs: Vec<Tariff>) -> TariffTable {
        let by_id = tariffs.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
        TariffTable { tariffs, by_id }
    }

    pub fn get(&self, id: &str) -> Option<&Tariff> {
        self.by_id.get(id).map(|&i| &self.tariffs[i])
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// The price of the plan at one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priced {
    /// Position in the candidates given.
    pub index: usize,
    pub id: String,
    pub distance_m: f64,
    /// The estimate under the cheapest applicable tariff, or why there is none.
    pub estimate: Result<Estimate, String>,
    /// That tariff in words.
    pub words: Option<String>,
}

/// Prices plans under tariffs, remembering what it priced.
#[derive(Debug)]
pub struct Pricer<'t> {
    table: &'t TariffTable,
    plan: ChargePlan,
    start: Timestamp,
    time_zone: TimeZone,
    parking_s: Decimal,
    cache: HashMap<(usize, u64, bool), Result<Estimate, String>>,
}

impl<'t> Pricer<'t> {
    /// `plan`'s connector fields are replaced per candidate.
    pub fn new(table: &'t TariffTable, plan: ChargePlan, start: Timestamp, time_zone: TimeZone, parking_s: Decimal) -> Self {
        Pricer { table, plan, start, time_zone, parking_s, cache: HashMap::new() }
    }

    /// The cheapest applicable estimate for a connector, by excl. VAT total.
    pub fn price(&mut self, power_kw: f64, dc: bool, tariff_ids: &[String]) -> Result<&Estimate, String> {
        if tariff_ids.is_empty() {
            return Err("the operator publishes no tariff for this connector".into());
        }
        let mut best: Option<(usize, u64, bool)> = None;
        let mut why = String::new();
        for id in tariff_ids {
            let Some(&ti) = self.table.by_id.get(id) else {
                why = format!("tariff {id} is not published");
                continue;
            };
            let key = (ti, power_kw.to_bits(), dc);
            if !self.cache.contains_key(&key) {
                let r = self
                    .plan
                    .at_connector(power_kw, dc)
                    .session(self.start, self.time_zone.clone(), self.parking_s)
                    .map_err(|e| e.to_string())
                    .and_then(|s| estimate(&self.table.tariffs[ti], &s).map_err(|e| e.to_string()));
                self.cache.insert(key, r);
            }
            match &self.cache[&key] {
                Ok(e) => {
                    let better = best
                        .and_then(|b| self.cache[&b].as_ref().ok())
                        .is_none_or(|b| e.excl_vat < b.excl_vat);
                    if better {
                        best = Some(key);
                    }
                }
                Err(e) => why = e.clone(),
            }
        }
        match best {
            Some(key) => self.cache[&key].as_ref().map_err(Clone::clone),
            None => Err(why),
        }
    }
}

/// Prices the pricer's plan at every candidate and returns the `limit` cheapest (see the
/// module docs for the order), each with its estimate and the tariff in `lang`.
pub fn cheapest(candidates: &[Candidate<'_>], pricer: &mut Pricer<'_>, lang: Language, limit: usize) -> Vec<Priced> {
    let table = pricer.table;
    let mut keyed: Vec<(Option<Decimal>, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (pricer.price(c.power_kw, c.dc, c.tariff_ids).ok().map(|e| e.excl_vat), i))
        .collect();
    keyed.sort_by(|(pa, a), (pb, b)| {
        let (ca, cb) = (&candidates[*a], &candidates[*b]);
        // Known prices first (None sorts after Some here), then distance, then id.
        let price = match (pa, pb) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        price.then(ca.distance_m.total_cmp(&cb.distance_m)).then(ca.id.cmp(cb.id))
    });
    keyed
        .into_iter()
        .take(limit)
        .map(|(_, i)| {
            let c = &candidates[i];
            let estimate = pricer.price(c.power_kw, c.dc, c.tariff_ids).cloned();
            let words = estimate.as_ref().ok().and_then(|e| table.get(&e.tariff_id)).map(|t| describe(t, lang));
            Priced { index: i, id: c.id.to_string(), distance_m: c.distance_m, estimate, words }
        })
        .collect()
}
