//! The flat, columnar layout the hot path reads: a few bytes per station, EVSE and connector in
//! plain arrays (no per-EVSE heap allocation), plus open-addressing tables that map OCPI ids to
//! dense slots. [`crate::Station`] keeps the strings for display; queries never touch them
//! except to order ties by id.

use std::collections::HashMap;

use crate::hours::Schedule;
use crate::model::{Hours, Location, PowerType};
use crate::plug::{canonical_connector_type, PlugFamily, PlugSet, CONNECTOR_TYPES};
use crate::station::Station;

/// One connector, 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Conn {
    /// Rated power, kW (0 when unknown).
    pub kw: f32,
    pub family: PlugFamily,
    /// Position in [`CONNECTOR_TYPES`], or [`NO_STANDARD`].
    pub standard: u8,
    pub dc: bool,
}

pub(crate) const NO_STANDARD: u8 = u8::MAX;
pub(crate) const NONE: u32 = u32::MAX;
pub(crate) const NO_PRICE: u16 = u16::MAX;
pub(crate) const NO_RELIABILITY: u8 = u8::MAX;
/// Station flag: OCPI `publish`.
pub(crate) const PUBLISHED: u8 = 1;
/// Station flag: some connector is AC.
pub(crate) const HAS_AC: u8 = 2;
/// Station flag: some connector is DC.
pub(crate) const HAS_DC: u8 = 4;

/// The plug bits of [`Summary::plugs`] (there are 19 families).
pub(crate) const SUMMARY_PLUGS: u32 = 0x00ff_ffff;
const _: () = assert!(PlugFamily::ALL.len() <= 24);

/// The union of a station's connectors, 8 bytes (one read per station in a query).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    /// Plug families ([`PlugSet`] bits, below bit 24): a filter on plugs that misses them
    /// rejects the station with one AND. The top byte holds the station's flags
    /// ([`PUBLISHED`], [`HAS_AC`], [`HAS_DC`]), so the summary alone settles most stations.
    pub plugs: u32,
    /// The best connector power, kW (−∞ without connectors): an upper bound of what any
    /// filter's power test can see (a vehicle only lowers it).
    pub max_kw: f32,
}

impl Summary {
    pub const NONE: Summary = Summary { plugs: 0, max_kw: f32::NEG_INFINITY };
}

impl Default for Summary {
    fn default() -> Self {
        Summary::NONE
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    // Per station.
    pub evse_start: Vec<u32>,
    pub operator: Vec<u32>,
    /// 0 = always open; `i` = `schedules[i - 1]`.
    pub schedule: Vec<u32>,
    pub flags: Vec<u8>,
    /// Reliability from the compact row, % ([`NO_RELIABILITY`] when unknown); empty when no
    /// station has one (the full model has none), so it costs nothing there.
    pub reliability: Vec<u8>,
    /// What any connector of the station offers, for rejecting it before its EVSEs are read.
    pub summary: Vec<Summary>,
    /// What every station's summary has: the intersection of their plug and flag bits and the
    /// least best power. A filter whose summary test passes this passes every station (the
    /// empty filter, usually), so a box query need not read the summaries.
    pub common: Summary,
    // Per EVSE (the EVSE's slot is its position).
    pub evse_station: Vec<u32>,
    pub conn_start: Vec<u32>,
    pub caps: Vec<u16>,
    pub parking: Vec<u8>,
    pub status: Vec<u8>,
    /// Price per kWh, minor units ([`NO_PRICE`] when unknown, prices above saturate just below
    /// it): see [`crate::EvseSummary::price`]. Empty when no EVSE has one, as `reliability`.
    pub price: Vec<u16>,
    // Per connector.
    pub conns: Vec<Conn>,
    // Side tables.
    pub operators: Vec<String>,
    pub schedules: Vec<Schedule>,
    /// (location id, EVSE uid) → EVSE slot; open addressing, `NONE` = empty.
    evse_lookup: Vec<u32>,
    /// Location id → station position.
    station_lookup: Vec<u32>,
}

impl Columns {
    /// From compact stations alone, in the order `order` (station positions; the tree's order,
    /// so that what is near on the map is near in memory): connector detail is synthesised from
    /// each EVSE's plug set and power; capabilities are the row's [`crate::DRIVER_CAPS`],
    /// opening hours the row's (time zone from its POSIX rule); parking restrictions are
    /// unknown.
    pub fn from_stations(stations: &[Station], order: &[u32]) -> Self {
        let mut c = Columns::default();
        let mut operators = HashMap::new();
        #[cfg(feature = "hours")]
        let mut schedules: HashMap<(&str, &Hours), u32> = HashMap::new();
        for s in order.iter().filter_map(|&i| stations.get(i as usize)) {
            #[cfg(feature = "hours")]
            let schedule = match &s.extra.hours {
                Some(h) => {
                    let next = schedules.len() as u32 + 1;
                    *schedules.entry((s.extra.tz_rule.as_str(), h)).or_insert_with(|| {
                        // A bad rule is UTC, as an unknown zone name is in `Schedule::new`.
                        let tz = jiff::tz::TimeZone::posix(&s.extra.tz_rule).unwrap_or(jiff::tz::TimeZone::UTC);
                        c.schedules.push(Schedule { hours: h.clone(), tz });
                        next
                    })
                }
                None => 0,
            };
            // Without the `hours` feature rows carry no hours: always open.
            #[cfg(not(feature = "hours"))]
            let schedule = 0;
            c.push_station(s, &mut operators, schedule, PUBLISHED);
            if let Some(r) = c.reliability.last_mut() {
                *r = s.extra.reliability_pct.map_or(NO_RELIABILITY, |p| p.min(100));
            }
            for e in &s.evses {
                c.push_evse(e.caps.0, 0, e.status as u8);
                if let Some(p) = c.price.last_mut() {
                    *p = e.price.map_or(NO_PRICE, |v| v.min(u32::from(NO_PRICE) - 1) as u16);
                }
                let kw = e.max_power_kw.max(0.0);
                let mut any = false;
                for family in e.plugs.iter() {
                    any = true;
                    let dc = family.is_dc() || (family == PlugFamily::Nacs && kw > 22.0);
                    c.conns.push(Conn { kw, family, standard: NO_STANDARD, dc });
                }
                if !any {
                    c.conns.push(Conn { kw, family: PlugFamily::Other, standard: NO_STANDARD, dc: false });
                }
            }
        }
        c.finish(stations, order);
        c
    }

    /// From the full model, `stations[i]` being `Station::from_location(&locations[i])`, in the
    /// order `order`.
    pub fn from_locations(locations: &[Location], stations: &[Station], order: &[u32]) -> Self {
        let mut c = Columns::default();
        let mut operators = HashMap::new();
        let mut schedules: HashMap<(String, Hours), u32> = HashMap::new();
        for (loc, s) in order.iter().filter_map(|&i| Some((locations.get(i as usize)?, stations.get(i as usize)?))) {
            let schedule = match &loc.opening_times {
                Some(h) if !(h.twentyfourseven && h.exceptional_closings.is_empty()) => {
                    let next = schedules.len() as u32 + 1;
                    *schedules.entry((loc.time_zone.clone(), h.clone())).or_insert_with(|| {
                        c.schedules.push(Schedule::new(h.clone(), &loc.time_zone));
                        next
                    })
                }
                _ => 0,
            };
            c.push_station(s, &mut operators, schedule, if loc.publish { PUBLISHED } else { 0 });
            for e in &loc.evses {
                c.push_evse(e.capability_set().0, e.parking_set().0, e.status as u8);
                for k in &e.connectors {
                    let standard = canonical_connector_type(&k.standard)
                        .and_then(|t| CONNECTOR_TYPES.iter().position(|c| *c == t))
                        .map_or(NO_STANDARD, |p| p as u8);
                    c.conns.push(Conn {
                        kw: k.max_power_kw().unwrap_or(0.0) as f32,
                        family: k.family(),
                        standard,
                        dc: k.power_type == PowerType::Dc,
                    });
                }
            }
        }
        c.finish(stations, order);
        c
    }

    fn push_station(&mut self, s: &Station, operators: &mut HashMap<String, u32>, schedule: u32, flags: u8) {
        self.evse_start.push(self.evse_station.len() as u32);
        let op = match &s.operator {
            Some(name) => match operators.get(name.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.operators.len() as u32;
                    self.operators.push(name.clone());
                    operators.insert(name.clone(), id);
                    id
                }
            },
            None => NONE,
        };
        self.operator.push(op);
        self.schedule.push(schedule);
        self.flags.push(flags);
        self.reliability.push(NO_RELIABILITY);
    }

    fn push_evse(&mut self, caps: u16, parking: u8, status: u8) {
        self.evse_station.push(self.evse_start.len() as u32 - 1);
        self.conn_start.push(self.conns.len() as u32);
        self.caps.push(caps);
        self.parking.push(parking);
        self.status.push(status);
        self.price.push(NO_PRICE);
    }

    fn finish(&mut self, stations: &[Station], order: &[u32]) {
        self.evse_start.push(self.evse_station.len() as u32);
        self.conn_start.push(self.conns.len() as u32);
        let n = self.flags.len();
        self.summary = Vec::with_capacity(n);
        for i in 0..n as u32 {
            let (mut plugs, mut kw, mut flags) = (0u32, f32::NEG_INFINITY, 0u8);
            for slot in self.evses(i) {
                for c in self.conns(slot) {
                    plugs |= PlugSet::EMPTY.with(c.family).0;
                    kw = kw.max(c.kw);
                    flags |= if c.dc { HAS_DC } else { HAS_AC };
                }
            }
            if let Some(f) = self.flags.get_mut(i as usize) {
                *f |= flags;
                flags = *f;
            }
            self.summary.push(Summary { plugs: (plugs & SUMMARY_PLUGS) | (u32::from(flags) << 24), max_kw: kw });
        }
        self.common = self.summary.iter().fold(Summary { plugs: u32::MAX, max_kw: f32::INFINITY }, |a, s| Summary {
            plugs: a.plugs & s.plugs,
            max_kw: a.max_kw.min(s.max_kw),
        });
        let m = self.evse_station.len();
        self.evse_lookup = vec![NONE; table_size(m)];
        // Walk the stations in the caller's order (their strings lie in that order in memory)
        // and find each one's first slot through the inverse of `order`: one scattered read per
        // station instead of four dependent ones per EVSE (station, EVSE list, both strings),
        // which made this loop most of the build at 1M stations.
        let mut column_of = vec![NONE; stations.len()];
        for (j, &i) in order.iter().enumerate() {
            if let Some(c) = column_of.get_mut(i as usize) {
                *c = j as u32;
            }
        }
        let starts = &self.evse_start;
        let evse_keys = stations.iter().zip(&column_of).filter(|(_, &j)| j != NONE).flat_map(|(s, &j)| {
            let first = starts.get(j as usize).copied().unwrap_or(0);
            s.evses.iter().enumerate().map(move |(k, e)| (hash2(&s.id, &e.uid), first + k as u32))
        });
        fill(&mut self.evse_lookup, evse_keys);
        self.station_lookup = vec![NONE; table_size(stations.len())];
        fill(&mut self.station_lookup, stations.iter().enumerate().map(|(i, s)| (hash2(&s.id, ""), i as u32)));
        // Built by pushing: give back the growth slack.
        self.evse_start.shrink_to_fit();
        self.operator.shrink_to_fit();
        self.schedule.shrink_to_fit();
        self.flags.shrink_to_fit();
        if self.reliability.iter().all(|&r| r == NO_RELIABILITY) {
            self.reliability = Vec::new();
        }
        self.reliability.shrink_to_fit();
        self.evse_station.shrink_to_fit();
        self.conn_start.shrink_to_fit();
        self.caps.shrink_to_fit();
        self.parking.shrink_to_fit();
        self.status.shrink_to_fit();
        if self.price.iter().all(|&p| p == NO_PRICE) {
            self.price = Vec::new();
        }
        self.price.shrink_to_fit();
        self.conns.shrink_to_fit();
    }

    fn evse_key<'s>(&self, stations: &'s [Station], order: &[u32], slot: u32) -> Option<(&'s str, &'s str)> {
        let st = *self.evse_station.get(slot as usize)?;
        let first = *self.evse_start.get(st as usize)?;
        let s = stations.get(*order.get(st as usize)? as usize)?;
        let e = s.evses.get(slot.checked_sub(first)? as usize)?;
        Some((&s.id, &e.uid))
    }

    /// The EVSE slot of (location id, EVSE uid). EVSE uids are unique only per operator, so
    /// the location id is part of the key.
    pub fn evse_slot(&self, stations: &[Station], order: &[u32], location_id: &str, uid: &str) -> Option<u32> {
        probe(&self.evse_lookup, hash2(location_id, uid), |slot| {
            self.evse_key(stations, order, slot) == Some((location_id, uid))
        })
    }

    pub fn station_by_id(&self, stations: &[Station], id: &str) -> Option<u32> {
        probe(&self.station_lookup, hash2(id, ""), |i| stations.get(i as usize).is_some_and(|s| s.id == id))
    }

    /// EVSE slots of the station at column position `i`.
    #[inline]
    pub fn evses(&self, i: u32) -> std::ops::Range<u32> {
        let a = self.evse_start.get(i as usize).copied().unwrap_or(0);
        let b = self.evse_start.get(i as usize + 1).copied().unwrap_or(a);
        a..b
    }

    /// Connectors of EVSE `slot`.
    #[inline]
    pub fn conns(&self, slot: u32) -> &[Conn] {
        let a = self.conn_start.get(slot as usize).copied().unwrap_or(0) as usize;
        let b = self.conn_start.get(slot as usize + 1).copied().unwrap_or(0) as usize;
        self.conns.get(a..b).unwrap_or(&[])
    }

    /// Bytes held by the flat layout and lookup tables (the strings excluded).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.evse_start.capacity() * 4
            + self.operator.capacity() * 4
            + self.schedule.capacity() * 4
            + self.flags.capacity()
            + self.reliability.capacity()
            + self.summary.capacity() * size_of::<Summary>()
            + self.evse_station.capacity() * 4
            + self.conn_start.capacity() * 4
            + self.caps.capacity() * 2
            + self.parking.capacity()
            + self.status.capacity()
            + self.price.capacity() * 2
            + self.conns.capacity() * size_of::<Conn>()
            + self.evse_lookup.capacity() * 4
            + self.station_lookup.capacity() * 4
    }
}

/// Load factor 5/7 (≈ 0.71): 5.6 bytes per key, short linear probes.
fn table_size(n: usize) -> usize {
    n + n * 2 / 5 + 1
}

/// The home cell of a hash in a table of `len` (multiply-shift: any length, no modulo).
fn home(h: u64, len: usize) -> usize {
    ((u128::from(h) * len as u128) >> 64) as usize
}

/// Inserts `(hash, value)` pairs into an empty table. The pairs are first grouped by the
/// block of 4096 cells they land in (a counting sort), then inserted block by block: at a
/// million stations the table is megabytes and inserting in hash order missed the cache on
/// every pair; this way each block is written while it is in cache. The table is a valid
/// linear-probing table whatever the insertion order, so lookups are unchanged.
fn fill(table: &mut [u32], pairs: impl Iterator<Item = (u64, u32)>) {
    const BLOCK_BITS: u32 = 12;
    let len = table.len();
    let homes: Vec<(u32, u32)> = pairs.map(|(h, v)| (home(h, len) as u32, v)).collect();
    let blocks = (len >> BLOCK_BITS) + 1;
    let mut start = vec![0usize; blocks + 1];
    for &(at, _) in &homes {
        if let Some(c) = start.get_mut((at >> BLOCK_BITS) as usize + 1) {
            *c += 1;
        }
    }
    for b in 1..start.len() {
        start[b] += start[b - 1];
    }
    let mut sorted = vec![(0u32, 0u32); homes.len()];
    for &(at, v) in &homes {
        if let Some(next) = start.get_mut((at >> BLOCK_BITS) as usize) {
            if let Some(slot) = sorted.get_mut(*next) {
                *slot = (at, v);
            }
            *next += 1;
        }
    }
    for (at, v) in sorted {
        insert_at(table, at as usize, v);
    }
}

/// Linear probing from cell `i`.
fn insert_at(table: &mut [u32], mut i: usize, v: u32) {
    let len = table.len();
    for _ in 0..len {
        if let Some(cell) = table.get_mut(i) {
            if *cell == NONE {
                *cell = v;
                return;
            }
        }
        i = if i + 1 == len { 0 } else { i + 1 };
    }
}

fn probe(table: &[u32], h: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
    let len = table.len();
    let mut i = home(h, len);
    for _ in 0..len {
        let v = *table.get(i)?;
        if v == NONE {
            return None;
        }
        if is(v) {
            return Some(v);
        }
        i = if i + 1 == len { 0 } else { i + 1 };
    }
    None
}

/// A fast non-cryptographic hash of two strings, 8 bytes at a time (the ids are ours to trust
/// only as far as a lookup: collisions cost a comparison, never a wrong answer).
fn hash2(a: &str, b: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    for part in [a.as_bytes(), b.as_bytes()] {
        for chunk in part.chunks(8) {
            let mut buf = [0u8; 8];
            for (d, s) in buf.iter_mut().zip(chunk) {
                *d = *s;
            }
            h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
        }
        h = (h.rotate_left(5) ^ 0xff ^ part.len() as u64).wrapping_mul(K);
    }
    // fmix64: spread the high bits of the products into the low bits the table uses.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_lengths_are_short() {
        let stations: Vec<Station> = (0..20_000)
            .map(|i| Station {
                id: format!("G{i}"),
                name: String::new(),
                lat: 0.0,
                lon: 0.0,
                operator: None,
                evses: (0..3)
                    .map(|k| crate::station::EvseSummary {
                        uid: format!("{}", 100 + k),
                        plugs: crate::plug::PlugSet::EMPTY,
                        max_power_kw: 0.0,
                        status: crate::model::EvseStatus::Unknown,
                        caps: Default::default(),
                        price: None,
                    })
                    .collect(),
                extra: Default::default(),
            })
            .collect();
        let order: Vec<u32> = (0..stations.len() as u32).collect();
        let c = Columns::from_stations(&stations, &order);
        let mut calls = 0usize;
        for s in stations.iter().step_by(7) {
            for e in &s.evses {
                let found = probe(&c.evse_lookup, hash2(&s.id, &e.uid), |slot| {
                    calls += 1;
                    c.evse_key(&stations, &order, slot) == Some((s.id.as_str(), e.uid.as_str()))
                });
                assert!(found.is_some());
            }
        }
        let lookups = stations.len().div_ceil(7) * 3;
        assert!((calls as f64 / lookups as f64) < 3.0, "{} comparisons per lookup", calls as f64 / lookups as f64);
    }
}
