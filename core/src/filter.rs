//! What the driver asked for, applied per EVSE and connector during a query (never by
//! rebuilding the index).

use serde::{Deserialize, Serialize};

use crate::availability::Availability;
use crate::columns::{Columns, Conn, Summary, HAS_AC, HAS_DC, NONE, NO_PRICE, NO_RELIABILITY, NO_STANDARD, PUBLISHED};
use crate::model::{Capabilities, EvseStatus, ParkingRestrictions};
use crate::plug::{canonical_connector_type, PlugSet, CONNECTOR_TYPES};
use crate::station::EvseSummary;
use crate::vehicle::Vehicle;

/// AC or DC charging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Current {
    Ac,
    Dc,
}

/// A driver's filter. The default matches every published EVSE. Every field has a serde
/// default, so older JSON keeps working.
///
/// An EVSE matches when its status, capabilities and parking pass and at least one of its
/// connectors passes the plug, standard, current, vehicle and power tests; a station matches
/// when one of its EVSEs does and the station passes the operator, opening-hours and publish
/// tests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Any of these plug families; empty means any plug.
    pub plugs: PlugSet,
    /// Minimum power, kW: of the connector, or what the vehicle draws from it when `vehicle`
    /// is set.
    pub min_power_kw: f32,
    /// Only EVSEs a driver could plug into now.
    pub available_now: bool,
    /// Leave out broken, removed and planned EVSEs (and, with live status, stale ones).
    pub working_only: bool,
    /// Any of these OCPI connector types (any spelling); empty means any.
    pub standards: Vec<String>,
    /// Only connectors that fit this car; power is what the car draws.
    pub vehicle: Option<Vehicle>,
    /// Only AC or only DC connectors.
    pub current: Option<Current>,
    /// Minimum reliability (0–1, share of recent days working). Needs live status: an EVSE
    /// with no history fails any value above 0.
    pub min_reliability: f32,
    /// Only these operators (case-insensitive names); empty means any.
    pub operators: Vec<String>,
    /// Never these operators (case-insensitive names).
    pub exclude_operators: Vec<String>,
    /// EVSEs must have all of these capabilities.
    pub capabilities: Capabilities,
    /// Only locations open at this instant (unix seconds, OCPI opening hours in the location's
    /// time zone; a location without opening hours counts as always open).
    pub open_at: Option<i64>,
    /// Leave out EVSEs with any of these parking restrictions (e.g. `CUSTOMERS`).
    pub exclude_parking: ParkingRestrictions,
    /// Also show locations with OCPI `publish = false` (only for their owners).
    pub include_unpublished: bool,
    /// Leave out EVSEs whose price per kWh ([`EvseSummary::price`], minor units) is above
    /// this; an EVSE with no known price passes (it is not known to be above).
    pub max_price: Option<u32>,
    /// Leave out stations whose reliability in the compact row ([`crate::Extra`]'s
    /// `reliability_pct`, from the server's status history) is known and below this, %.
    /// Unlike `min_reliability` it needs no live table: it is what the download says.
    pub min_station_reliability_pct: Option<u8>,
}

impl Filter {
    /// The filter without its tests on live status (available now, working, reliability): what
    /// a station passes whatever its EVSEs' statuses, so a set of stations built for it stays
    /// valid through status updates ([`crate::FilteredIndex`]).
    pub fn without_status(&self) -> Filter {
        Filter { available_now: false, working_only: false, min_reliability: 0.0, ..self.clone() }
    }

    /// The test on a station's summary when it alone decides whether the station matches (no
    /// test on EVSEs or stations beyond flags, plugs and best power: no filter, and most map
    /// filters). Needs no [`Prepared`], whose setup was a tenth of a small box query.
    pub(crate) fn summary_only(&self) -> Option<SummaryTest> {
        (self.evse_free() && self.station_free()).then(|| SummaryTest::of(self))
    }

    /// No per-EVSE or per-connector test beyond "has a connector of at least `min_power_kw`"
    /// (which the summary's best power answers).
    fn evse_free(&self) -> bool {
        self.plugs.is_empty()
            && self.standards.is_empty()
            && self.current.is_none()
            && self.vehicle.is_none()
            && self.min_power_kw == 0.0
            && !self.available_now
            && !self.working_only
            && self.min_reliability.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
            && self.capabilities.0 == 0
            && self.exclude_parking.0 == 0
            && self.max_price.is_none()
    }

    /// No station test beyond the flags (no operators, opening hours or station reliability).
    fn station_free(&self) -> bool {
        self.operators.is_empty()
            && self.exclude_operators.is_empty()
            && self.open_at.is_none()
            && self.min_station_reliability_pct.is_none()
    }

    /// Does the filter test live status (available now, working, reliability)?
    pub fn tests_status(&self) -> bool {
        self.available_now || self.working_only || self.min_reliability > 0.0
    }

    /// `self.without_status() == other.without_status()`, without cloning.
    pub fn same_without_status(&self, other: &Filter) -> bool {
        // Destructured so that a new field cannot be forgotten here.
        let Filter {
            plugs,
            min_power_kw,
            available_now: _,
            working_only: _,
            standards,
            vehicle,
            current,
            min_reliability: _,
            operators,
            exclude_operators,
            capabilities,
            open_at,
            exclude_parking,
            include_unpublished,
            max_price,
            min_station_reliability_pct,
        } = self;
        let b = other;
        *plugs == b.plugs
            && min_power_kw.to_bits() == b.min_power_kw.to_bits()
            && *standards == b.standards
            && *vehicle == b.vehicle
            && *current == b.current
            && *operators == b.operators
            && *exclude_operators == b.exclude_operators
            && *capabilities == b.capabilities
            && *open_at == b.open_at
            && *exclude_parking == b.exclude_parking
            && *include_unpublished == b.include_unpublished
            && *max_price == b.max_price
            && *min_station_reliability_pct == b.min_station_reliability_pct
    }

    /// Does this compact EVSE satisfy the plug, power and status parts of the filter?
    /// (The index applies the whole filter per connector; this is the quick test for a
    /// single [`EvseSummary`].)
    #[inline]
    pub fn matches(&self, e: &EvseSummary) -> bool {
        (self.plugs.is_empty() || self.plugs.intersects(e.plugs))
            && e.max_power_kw >= self.min_power_kw
            && (!self.available_now || e.status.is_available())
            && (!self.working_only || e.status.is_working())
    }
}

/// Live status for a query: the table and the current time.
#[derive(Debug, Clone, Copy)]
pub struct Live<'a> {
    pub availability: &'a Availability,
    /// Unix seconds.
    pub now_s: i64,
}

/// A filter resolved against one index: names turned into ids and bit masks.
pub(crate) struct Prepared<'a> {
    f: &'a Filter,
    live: Option<Live<'a>>,
    standards: u64,
    operators: Option<Vec<u32>>,
    exclude_operators: Vec<u32>,
    /// Per schedule: 0 = not yet known, 1 = open, 2 = closed.
    open: Vec<u8>,
    /// The test on a station's summary (flags, plug union, best power).
    summary: SummaryTest,
    /// The filter has no per-EVSE or per-connector test beyond "has a connector of ≥ 0 kW",
    /// so a station that passes the station tests and has such a connector matches.
    evse_free: bool,
    /// The filter has no station test beyond the flags (no operators, no opening hours).
    station_free: bool,
}

/// [`Prepared::summary_passes`] on a station's summary: flags, plug union, best power.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SummaryTest {
    /// The needed flags, shifted to the summary's top byte.
    flags: u32,
    /// Masks the plug union must meet (0: no test).
    plugs: [u32; 2],
    min_kw: f32,
}

impl SummaryTest {
    /// A station can match only when it has the flags the filter needs (published, AC, DC),
    /// its plug union meets each non-zero mask (the filter's plugs, the vehicle's inlets and
    /// adapters) and its best power is enough.
    #[inline(never)] // one copy for the box query and `Prepared::new`
    pub fn of(f: &Filter) -> Self {
        let flags = (if f.include_unpublished { 0 } else { PUBLISHED })
            | match f.current {
                Some(Current::Ac) => HAS_AC,
                Some(Current::Dc) => HAS_DC,
                None => 0,
            };
        SummaryTest {
            flags: u32::from(flags) << 24,
            plugs: [f.plugs.0, f.vehicle.as_ref().map_or(0, |v| v.accepts().0)],
            min_kw: f.min_power_kw,
        }
    }

    /// Without branches (`&`, not `&&`): in a scan, whether a station passes is data.
    #[inline(always)]
    pub fn passes(&self, s: Summary) -> bool {
        let [a, b] = self.plugs;
        (s.plugs & self.flags == self.flags)
            & ((a == 0) | (s.plugs & a != 0))
            & ((b == 0) | (s.plugs & b != 0))
            & (s.max_kw >= self.min_kw)
    }
}

/// How one station fares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Eval {
    pub matching: u32,
    pub available: u32,
    pub best_kw: f32,
    /// The lowest price among matching EVSEs, [`NO_PRICE`] when none is known.
    pub min_price: u16,
}

impl Default for Eval {
    fn default() -> Self {
        Eval { matching: 0, available: 0, best_kw: 0.0, min_price: NO_PRICE }
    }
}

impl<'a> Prepared<'a> {
    pub fn new(f: &'a Filter, cols: &Columns, live: Option<Live<'a>>) -> Self {
        let mut standards = 0u64;
        for s in &f.standards {
            match canonical_connector_type(s).and_then(|t| CONNECTOR_TYPES.iter().position(|c| *c == t)) {
                Some(p) if p < 64 => standards |= 1 << p,
                // An unknown type matches nothing, but the filter is still a filter.
                _ => standards |= 1 << 63,
            }
        }
        let ids = |names: &[String]| -> Vec<u32> {
            (0..cols.operators.len() as u32)
                .filter(|&i| {
                    cols.operators
                        .get(i as usize)
                        .is_some_and(|o| names.iter().any(|n| n.trim().eq_ignore_ascii_case(o.trim())))
                })
                .collect()
        };
        Prepared {
            f,
            live,
            standards,
            operators: (!f.operators.is_empty()).then(|| ids(&f.operators)),
            exclude_operators: if f.exclude_operators.is_empty() { Vec::new() } else { ids(&f.exclude_operators) },
            open: if f.open_at.is_some() { vec![0; cols.schedules.len()] } else { Vec::new() },
            summary: SummaryTest::of(f),
            evse_free: f.evse_free(),
            station_free: f.station_free(),
        }
    }

    /// Does station `i` have at least one EVSE passing the filter? The same answer as
    /// `station(cols, i).matching > 0`, but most stations are settled by their summary (plug
    /// union, best power, flags) and the EVSE loop stops at the first match.
    #[inline]
    pub fn matches(&mut self, cols: &Columns, i: u32) -> bool {
        if !self.summary_passes(cols, i) {
            return false;
        }
        if !self.station_free && !self.station_passes(cols, i) {
            return false;
        }
        // With no EVSE-level test, `max_kw >= 0` above already found a matching connector.
        self.evse_free || cols.evses(i).any(|slot| self.evse_matches(cols, slot))
    }

    /// The summary part of [`matches`](Self::matches): station `i` can match.
    #[inline(always)]
    pub fn summary_passes(&self, cols: &Columns, i: u32) -> bool {
        self.summary_test().passes(cols.summary.get(i as usize).copied().unwrap_or(Summary::NONE))
    }

    /// The summary test as a small copy, for a hot loop to keep in locals.
    #[inline(always)]
    pub fn summary_test(&self) -> SummaryTest {
        self.summary
    }

    /// `self.evse(cols, slot).is_some()`, reading only the columns the filter tests (the live
    /// status only for status and reliability filters; connectors first, as they reject most).
    #[inline]
    fn evse_matches(&self, cols: &Columns, slot: u32) -> bool {
        let f = self.f;
        if !cols.conns(slot).iter().any(|c| self.connector(c).is_some()) {
            return false;
        }
        let e = slot as usize;
        if f.capabilities.0 != 0 && cols.caps.get(e).copied().unwrap_or(0) & f.capabilities.0 != f.capabilities.0 {
            return false;
        }
        if f.exclude_parking.0 != 0 && cols.parking.get(e).copied().unwrap_or(0) & f.exclude_parking.0 != 0 {
            return false;
        }
        if !self.price_passes(cols, e) {
            return false;
        }
        let needs_status = f.available_now || f.working_only || f.min_reliability > 0.0;
        !needs_status || self.evse(cols, slot).is_some()
    }

    /// Evaluates station `i`.
    pub fn station(&mut self, cols: &Columns, i: u32) -> Eval {
        let mut ev = Eval::default();
        if !self.station_passes(cols, i) {
            return ev;
        }
        for slot in cols.evses(i) {
            if let Some((kw, available)) = self.evse(cols, slot) {
                ev.matching += 1;
                ev.available += u32::from(available);
                ev.best_kw = ev.best_kw.max(kw);
                ev.min_price = ev.min_price.min(cols.price.get(slot as usize).copied().unwrap_or(NO_PRICE));
            }
        }
        ev
    }

    fn station_passes(&mut self, cols: &Columns, i: u32) -> bool {
        let i = i as usize;
        let flags = cols.flags.get(i).copied().unwrap_or(0);
        if !self.f.include_unpublished && flags & PUBLISHED == 0 {
            return false;
        }
        let op = cols.operator.get(i).copied().unwrap_or(NONE);
        if let Some(ids) = &self.operators {
            if !ids.contains(&op) {
                return false;
            }
        }
        if self.exclude_operators.contains(&op) {
            return false;
        }
        if let Some(min) = self.f.min_station_reliability_pct {
            let r = cols.reliability.get(i).copied().unwrap_or(NO_RELIABILITY);
            if r != NO_RELIABILITY && r < min {
                return false;
            }
        }
        if let Some(t) = self.f.open_at {
            let sched = cols.schedule.get(i).copied().unwrap_or(0);
            if sched > 0 {
                let k = sched as usize - 1;
                let state = match self.open.get(k) {
                    Some(0) => {
                        let open = cols.schedules.get(k).is_none_or(|s| s.is_open(t));
                        let v = if open { 1 } else { 2 };
                        if let Some(c) = self.open.get_mut(k) {
                            *c = v;
                        }
                        v
                    }
                    Some(v) => *v,
                    None => 1,
                };
                if state != 1 {
                    return false;
                }
            }
        }
        true
    }

    /// `Some((best kW, available now))` when EVSE `slot` matches.
    #[inline]
    fn evse(&self, cols: &Columns, slot: u32) -> Option<(f32, bool)> {
        let f = self.f;
        let e = slot as usize;
        let (status, working) = match self.live {
            Some(l) => (l.availability.status(slot, l.now_s), l.availability.is_working(slot, l.now_s)),
            None => {
                let s = EvseStatus::from_u8(cols.status.get(e).copied().unwrap_or(EvseStatus::Unknown as u8));
                (s, s.is_working())
            }
        };
        let available = status.is_available();
        if (f.available_now && !available) || (f.working_only && !working) {
            return None;
        }
        if f.min_reliability > 0.0 {
            let r = self.live.and_then(|l| l.availability.reliability(slot, l.now_s));
            if r.is_none_or(|r| r < f.min_reliability) {
                return None;
            }
        }
        let caps = cols.caps.get(e).copied().unwrap_or(0);
        if caps & f.capabilities.0 != f.capabilities.0 {
            return None;
        }
        if cols.parking.get(e).copied().unwrap_or(0) & f.exclude_parking.0 != 0 {
            return None;
        }
        if !self.price_passes(cols, e) {
            return None;
        }
        let mut best: Option<f32> = None;
        for c in cols.conns(slot) {
            if let Some(kw) = self.connector(c) {
                best = Some(best.map_or(kw, |b| b.max(kw)));
            }
        }
        best.map(|kw| (kw, available))
    }

    /// Unknown prices pass the cap (see [`Filter::max_price`]).
    #[inline]
    fn price_passes(&self, cols: &Columns, e: usize) -> bool {
        self.f.max_price.is_none_or(|cap| cols.price.get(e).is_none_or(|&p| p == NO_PRICE || u32::from(p) <= cap))
    }

    #[inline]
    fn connector(&self, c: &Conn) -> Option<f32> {
        let f = self.f;
        if !f.plugs.is_empty() && !f.plugs.contains(c.family) {
            return None;
        }
        if self.standards != 0
            && (c.standard == NO_STANDARD || c.standard >= 63 || self.standards & (1 << c.standard) == 0)
        {
            return None;
        }
        match f.current {
            Some(Current::Ac) if c.dc => return None,
            Some(Current::Dc) if !c.dc => return None,
            _ => {}
        }
        let kw = match &f.vehicle {
            Some(v) => v.power_kw(c.family, c.dc, c.kw)?,
            None => c.kw,
        };
        (kw >= f.min_power_kw).then_some(kw)
    }
}
