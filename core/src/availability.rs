//! Live availability: one row per EVSE, in the index's EVSE order, updated in place.
//!
//! A status update is a write into four flat arrays (13 bytes per EVSE): the OCPI status, when it
//! was last updated (unix seconds), and two 32-day bit masks of working / not-working days for a
//! reliability score. The spatial index is never touched.
//!
//! Rules:
//! * an update older than the stored one does nothing (updates arrive out of order);
//! * a status not refreshed within [`AvailabilityConfig::max_age_s`] reads as `UNKNOWN`;
//! * *working* = fresh and not `OUTOFORDER`, `INOPERATIVE`, `REMOVED` or `PLANNED`;
//! * *reliability* = working days / days with information, over the last
//!   [`AvailabilityConfig::reliability_days`] days (≤ 32). A day is working when every report
//!   covering it said working; a status carries over midnight while it is fresh; `UNKNOWN`
//!   is no information.

use serde::{Deserialize, Serialize};

use crate::index::StationIndex;
use crate::model::EvseStatus;

const DAY_S: i64 = 86_400;

/// Tuning for the availability table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AvailabilityConfig {
    /// A status older than this reads as `UNKNOWN` (and not working), seconds.
    pub max_age_s: u32,
    /// Window of the reliability score, days (1–32).
    pub reliability_days: u8,
}

impl Default for AvailabilityConfig {
    fn default() -> Self {
        AvailabilityConfig { max_age_s: 24 * 3600, reliability_days: 14 }
    }
}

/// What [`Availability::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applied {
    Updated,
    /// Older than what is stored: ignored.
    Stale,
    /// No such EVSE in the index.
    UnknownEvse,
    /// A time before 1970 or after 2106.
    BadTime,
    /// The update carried no status.
    NoStatus,
}

/// The live status table for one [`StationIndex`].
#[derive(Debug, Clone)]
pub struct Availability {
    status: Vec<u8>,
    updated_s: Vec<u32>,
    /// Bit `i`: on day `day - i` the EVSE was reported working / not working.
    ok: Vec<u32>,
    bad: Vec<u32>,
    /// Days since the epoch of bit 0.
    day: i64,
    config: AvailabilityConfig,
    /// Bumped by every update that changed something (see [`Availability::generation`]).
    generation: u64,
}

impl Availability {
    /// A table seeded with the index's imported statuses, as of `as_of_s` (the time of the
    /// snapshot the index was built from).
    pub fn new(index: &StationIndex, as_of_s: i64, config: AvailabilityConfig) -> Self {
        let status = index.columns().status.clone();
        let n = status.len();
        let mut t = Availability {
            status,
            updated_s: vec![clamp_u32(as_of_s); n],
            ok: vec![0; n],
            bad: vec![0; n],
            day: as_of_s.div_euclid(DAY_S),
            config: AvailabilityConfig { reliability_days: config.reliability_days.clamp(1, 32), ..config },
            generation: 0,
        };
        for e in 0..n {
            t.mark(e, EvseStatus::from_u8(t.status[e]), 0, 0);
        }
        t
    }

    pub fn config(&self) -> AvailabilityConfig {
        self.config
    }

    /// Number of EVSE rows.
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Applies an OCPI status for EVSE `slot`, last updated at `updated_s` (unix seconds).
    ///
    /// # Runtime
    /// O(1), a handful of array writes; once per day of input time, O(EVSEs) to age the
    /// reliability masks.
    #[inline]
    pub fn apply(&mut self, slot: u32, status: EvseStatus, updated_s: i64) -> Applied {
        let e = slot as usize;
        let Some(&last) = self.updated_s.get(e) else {
            return Applied::UnknownEvse;
        };
        if !(0..=i64::from(u32::MAX)).contains(&updated_s) {
            return Applied::BadTime;
        }
        if updated_s < i64::from(last) {
            return Applied::Stale;
        }
        self.generation = self.generation.wrapping_add(1);
        let day = updated_s.div_euclid(DAY_S);
        if day > self.day {
            self.roll_to(day);
        }
        if let (Some(s), Some(u)) = (self.status.get_mut(e), self.updated_s.get_mut(e)) {
            *s = status as u8;
            *u = updated_s as u32;
        }
        // The new status holds from its day until today, or until it goes stale; whatever the
        // older status had been carried into the days after it no longer holds.
        let offset = (self.day - day).clamp(0, 31) as u32;
        let fresh_until = (updated_s + i64::from(self.config.max_age_s)).div_euclid(DAY_S);
        let lowest = (self.day - fresh_until).clamp(0, 32) as u32;
        if let (Some(ok), Some(bad)) = (self.ok.get_mut(e), self.bad.get_mut(e)) {
            let after = low_bits(offset);
            *ok &= !after;
            *bad &= !after;
        }
        if lowest <= offset {
            self.mark(e, status, lowest, offset);
        }
        Applied::Updated
    }

    /// Like [`apply`](Self::apply), addressing the EVSE by OCPI ids.
    pub fn apply_ocpi(
        &mut self,
        index: &StationIndex,
        location_id: &str,
        evse_uid: &str,
        status: EvseStatus,
        updated_s: i64,
    ) -> Applied {
        match index.evse_slot(location_id, evse_uid) {
            Some(slot) => self.apply(slot, status, updated_s),
            None => Applied::UnknownEvse,
        }
    }

    /// Applies the body of an OCPI EVSE PATCH (`{"status": …, "last_updated": …}`) for
    /// (location id, EVSE uid). A body without a status changes nothing.
    pub fn apply_ocpi_patch(
        &mut self,
        index: &StationIndex,
        location_id: &str,
        evse_uid: &str,
        body: &[u8],
    ) -> Result<Applied, String> {
        let patch: crate::ocpi::EvseStatusPatch =
            serde_json::from_slice(body).map_err(|e| format!("not an EVSE patch: {e}"))?;
        let Some(status) = patch.status else {
            return Ok(Applied::NoStatus);
        };
        let status = EvseStatus::parse(&status.0).ok_or_else(|| format!("unknown status {:?}", status.0))?;
        let updated = patch
            .last_updated
            .as_ref()
            .and_then(|t| crate::hours::parse_instant(&t.0))
            .ok_or("missing or unreadable last_updated (RFC 3339)")?;
        Ok(self.apply_ocpi(index, location_id, evse_uid, status, updated))
    }

    /// Sets the working / not-working bits for offsets `lowest..=highest` (≤ 31).
    fn mark(&mut self, e: usize, status: EvseStatus, lowest: u32, highest: u32) {
        let bits = low_bits(highest + 1) & !low_bits(lowest);
        let target = match status {
            EvseStatus::Unknown => return,
            s if s.is_working() => self.ok.get_mut(e),
            _ => self.bad.get_mut(e),
        };
        if let Some(m) = target {
            *m |= bits;
        }
    }

    /// Ages every mask to `day`, carrying each fresh status into the new days.
    fn roll_to(&mut self, day: i64) {
        for e in 0..self.status.len() {
            let (ok, bad) = self.aged(e, day);
            self.ok[e] = ok;
            self.bad[e] = bad;
        }
        self.day = day;
    }

    /// The (ok, bad) masks of EVSE `e` as they would be on `day` (≥ the table's day).
    fn aged(&self, e: usize, day: i64) -> (u32, u32) {
        let (Some(&ok), Some(&bad), Some(&st), Some(&up)) =
            (self.ok.get(e), self.bad.get(e), self.status.get(e), self.updated_s.get(e))
        else {
            return (0, 0);
        };
        let shift = day - self.day;
        if shift <= 0 {
            return (ok, bad);
        }
        let s = shift.min(32) as u32;
        let (mut ok, mut bad) = (ok.checked_shl(s).unwrap_or(0), bad.checked_shl(s).unwrap_or(0));
        // Days self.day+1 ..= self.day+k get the status while it is still fresh at their start.
        let fresh_until_day = (i64::from(up) + i64::from(self.config.max_age_s)).div_euclid(DAY_S);
        let k = (fresh_until_day - self.day).clamp(0, shift).min(32);
        let lo = shift - k;
        if k > 0 && lo < 32 {
            let fill = (((1u64 << k) - 1) << lo) as u32;
            let status = EvseStatus::from_u8(st);
            if status != EvseStatus::Unknown {
                if status.is_working() {
                    ok |= fill;
                } else {
                    bad |= fill;
                }
            }
        }
        (ok, bad)
    }

    /// The status of EVSE `slot` at `now_s`: `UNKNOWN` when not refreshed within the max age.
    #[inline]
    pub fn status(&self, slot: u32, now_s: i64) -> EvseStatus {
        match (self.status.get(slot as usize), self.updated_s.get(slot as usize)) {
            (Some(&s), Some(&u)) if now_s - i64::from(u) <= i64::from(self.config.max_age_s) => EvseStatus::from_u8(s),
            _ => EvseStatus::Unknown,
        }
    }

    /// A counter bumped by every applied update: a result computed from this table (e.g.
    /// [`crate::ClusterIndex::counts`]) at generation `g` and time `t` still holds while the
    /// generation is `g` and the time is in `t..`[`valid_until`](Self::valid_until)`(t)`.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The first instant after `now_s` at which a query could see this table differently without
    /// any update: a fresh status going stale, or the next UTC day (reliability windows move).
    ///
    /// # Runtime
    /// O(EVSEs), one pass over the update times; meant for caching, once per cache fill.
    pub fn valid_until(&self, now_s: i64) -> i64 {
        let max_age = i64::from(self.config.max_age_s);
        let mut until = (now_s.div_euclid(DAY_S) + 1) * DAY_S;
        for &u in &self.updated_s {
            // Stale once now - u > max_age, i.e. from u + max_age + 1 on.
            let stale_at = i64::from(u) + max_age + 1;
            if stale_at > now_s && stale_at < until {
                until = stale_at;
            }
        }
        until
    }

    /// When EVSE `slot` was last updated, unix seconds.
    pub fn last_updated_s(&self, slot: u32) -> Option<i64> {
        self.updated_s.get(slot as usize).map(|u| i64::from(*u))
    }

    /// Fresh and not broken, removed or planned.
    #[inline]
    pub fn is_working(&self, slot: u32, now_s: i64) -> bool {
        match (self.status.get(slot as usize), self.updated_s.get(slot as usize)) {
            (Some(&s), Some(&u)) => {
                now_s - i64::from(u) <= i64::from(self.config.max_age_s) && EvseStatus::from_u8(s).is_working()
            }
            _ => false,
        }
    }

    /// Share of the last `reliability_days` days (up to `now_s`) the EVSE was working, 0–1;
    /// `None` with no information in the window.
    pub fn reliability(&self, slot: u32, now_s: i64) -> Option<f32> {
        let e = slot as usize;
        let (ok, bad) = self.aged(e, now_s.div_euclid(DAY_S));
        let window = low_bits(u32::from(self.config.reliability_days));
        let seen = ((ok | bad) & window).count_ones();
        let good = (ok & !bad & window).count_ones();
        (seen > 0).then(|| good as f32 / seen as f32)
    }

    /// Mean reliability of a station's EVSEs with information, for ranking.
    pub fn station_reliability(&self, index: &StationIndex, station: u32, now_s: i64) -> Option<f32> {
        let (mut sum, mut n) = (0.0f32, 0u32);
        for slot in index.evse_slots(station) {
            if let Some(r) = self.reliability(slot, now_s) {
                sum += r;
                n += 1;
            }
        }
        (n > 0).then(|| sum / n as f32)
    }

    /// Orders hits most reliable first (stations without history last); equal scores keep
    /// their order (e.g. by distance).
    pub fn rank_by_reliability(&self, index: &StationIndex, hits: &mut [crate::index::Hit], now_s: i64) {
        let mut keyed: Vec<(f32, crate::index::Hit)> = hits
            .iter()
            .map(|h| (self.station_reliability(index, h.station, now_s).unwrap_or(-1.0), h.clone()))
            .collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (slot, (_, h)) in hits.iter_mut().zip(keyed) {
            *slot = h;
        }
    }

    /// Bytes per EVSE row.
    pub const BYTES_PER_EVSE: usize = 1 + 4 + 4 + 4;
}

fn low_bits(n: u32) -> u32 {
    if n >= 32 {
        u32::MAX
    } else {
        (1u32 << n) - 1
    }
}

fn clamp_u32(s: i64) -> u32 {
    s.clamp(0, i64::from(u32::MAX)) as u32
}
