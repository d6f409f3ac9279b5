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
use std::hash::{BuildHasherDefault, Hasher};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

use super::estimate::{estimate, Estimate};
use super::model::Tariff;
use super::plan::ChargePlan;
use super::words::{describe, Language};

/// FxHash (rustc's hasher): these maps are keyed by our own ids, not by attacker-chosen input
/// that would need SipHash's flood resistance, and hashing was most of the time per connector.
#[derive(Debug, Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        // The tail byte by byte: a variable-length copy would be a memmove call per key.
        let tail = chunks.remainder().iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        self.write_u64(tail);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn finish(&self) -> u64 {
        // Fx leaves the low bits (hashbrown's bucket index) weak for keys like f64 bits with
        // trailing zeros: finish with murmur3's avalanche.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// What one tariff gave, per (power bits, AC/DC).
type Memo = Vec<(u64, bool, Result<Estimate, String>)>;

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
    by_id: FxMap<String, usize>,
}

impl TariffTable {
    /// Later tariffs with the same id replace earlier ones.
    pub fn new(tariffs: Vec<Tariff>) -> TariffTable {
        let by_id = tariffs.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
        TariffTable { tariffs, by_id }
    }

    /// The position of a tariff, for [`Pricer::price_indexed`].
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).map(|&i| i as u32)
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

/// The price of the plan at one candidate. In JSON the estimate is `estimate` (or `null`) and
/// the reason for a missing one is `price_unknown` (or `null`), which reads better in
/// JavaScript than serde's `{"Ok": …}`.
#[derive(Debug, Clone, PartialEq)]
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

impl Serialize for Priced {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Priced", 6)?;
        st.serialize_field("index", &self.index)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("distance_m", &self.distance_m)?;
        st.serialize_field("estimate", &self.estimate.as_ref().ok())?;
        st.serialize_field("price_unknown", &self.estimate.as_ref().err())?;
        st.serialize_field("words", &self.words)?;
        st.end()
    }
}

/// Prices plans under tariffs, remembering what it priced.
#[derive(Debug)]
pub struct Pricer<'t> {
    table: &'t TariffTable,
    plan: ChargePlan,
    start: Timestamp,
    time_zone: TimeZone,
    parking_s: Decimal,
    /// Per tariff index: the (power bits, dc) priced and the outcome. Most tariffs see one or
    /// two powers, so a short list beats any hash map.
    cache: Vec<Memo>,
    runs: usize,
}

impl<'t> Pricer<'t> {
    /// `plan`'s connector fields are replaced per candidate.
    pub fn new(
        table: &'t TariffTable,
        plan: ChargePlan,
        start: Timestamp,
        time_zone: TimeZone,
        parking_s: Decimal,
    ) -> Self {
        Pricer { table, plan, start, time_zone, parking_s, cache: vec![Vec::new(); table.tariffs.len()], runs: 0 }
    }

    /// How many times the engine ran (distinct tariff × power × AC/DC so far).
    pub fn engine_runs(&self) -> usize {
        self.runs
    }

    /// The cheapest applicable estimate for a connector, by excl. VAT total.
    pub fn price(&mut self, power_kw: f64, dc: bool, tariff_ids: &[String]) -> Result<&Estimate, &str> {
        if tariff_ids.is_empty() {
            return Err(NO_TARIFF);
        }
        let table = self.table;
        let mut idx = [0u32; 8];
        let mut n = 0;
        for id in tariff_ids {
            if let (Some(&i), true) = (table.by_id.get(id), n < idx.len()) {
                idx[n] = i as u32;
                n += 1;
            }
        }
        self.price_indexed(power_kw, dc, &idx[..n])
    }

    /// [`Pricer::price`] with tariffs given by [`TariffTable::index_of`]: for callers that
    /// resolve every connector's `tariff_ids` once, when loading data.
    pub fn price_indexed(&mut self, power_kw: f64, dc: bool, tariffs: &[u32]) -> Result<&Estimate, &str> {
        let bits = power_kw.to_bits();
        let mut best: Option<(usize, usize)> = None;
        let mut failed: Option<(usize, usize)> = None;
        for &ti in tariffs {
            let ti = ti as usize;
            let Some(slot) = self.cache.get(ti) else { continue };
            let j = match slot.iter().position(|(b, d, _)| *b == bits && *d == dc) {
                Some(j) => j,
                None => {
                    let r = self
                        .plan
                        .at_connector(power_kw, dc)
                        .session(self.start, self.time_zone.clone(), self.parking_s)
                        .map_err(|e| e.to_string())
                        .and_then(|s| estimate(&self.table.tariffs[ti], &s).map_err(|e| e.to_string()));
                    self.runs += 1;
                    self.cache[ti].push((bits, dc, r));
                    self.cache[ti].len() - 1
                }
            };
            match &self.cache[ti][j].2 {
                Ok(e) => {
                    let better = best
                        .and_then(|(bt, bj)| self.cache[bt][bj].2.as_ref().ok())
                        .is_none_or(|b| e.excl_vat < b.excl_vat);
                    if better {
                        best = Some((ti, j));
                    }
                }
                Err(_) => failed = Some((ti, j)),
            }
        }
        match best.or(failed) {
            Some((ti, j)) => self.cache[ti][j].2.as_ref().map_err(String::as_str),
            None => Err(NOT_PUBLISHED),
        }
    }
}

/// A total as whole cents.
fn cents(d: Decimal) -> i128 {
    let mut d = d;
    d.rescale(2);
    d.mantissa()
}

const NO_TARIFF: &str = "the operator publishes no tariff for this connector";
const NOT_PUBLISHED: &str = "the tariff this connector names is not published";

/// Prices the pricer's plan at every candidate and returns the `limit` cheapest (see the
/// module docs for the order), each with its estimate and the tariff in `lang`.
pub fn cheapest(candidates: &[Candidate<'_>], pricer: &mut Pricer<'_>, lang: Language, limit: usize) -> Vec<Priced> {
    let table = pricer.table;
    // The sort key in one place (no pointer chasing into the candidates while sorting).
    // Totals are in cents (scale 2), so the mantissa compares exactly and far faster than Decimal.
    let mut keyed: Vec<(Option<i128>, f64, &str, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cents = pricer.price(c.power_kw, c.dc, c.tariff_ids).ok().map(|e| cents(e.excl_vat));
            (cents, c.distance_m, c.id, i)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| {
        // Known prices first, then distance, then id.
        let price = match (&a.0, &b.0) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        price.then(a.1.total_cmp(&b.1)).then(a.2.cmp(b.2)).then(a.3.cmp(&b.3))
    });
    keyed
        .into_iter()
        .take(limit)
        .map(|(_, _, _, i)| {
            let c = &candidates[i];
            let estimate = pricer.price(c.power_kw, c.dc, c.tariff_ids).cloned().map_err(str::to_string);
            let words = estimate.as_ref().ok().and_then(|e| table.get(&e.tariff_id)).map(|t| describe(t, lang));
            Priced { index: i, id: c.id.to_string(), distance_m: c.distance_m, estimate, words }
        })
        .collect()
}
