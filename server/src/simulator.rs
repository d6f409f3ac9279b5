//! A charging-network simulator: realistic EVSE status changes over the stations we serve.
//!
//! A pure, seeded model ([`Simulator::advance`]) so its statistics are tested without I/O; the
//! server runs it on a timer and applies what it publishes through [`crate::live::Live`].
//!
//! * **Occupancy follows the hour of day** in the location's local time: the real NL hourly
//!   series (`../shared/data/nl/occupancy/`: Breda, Groningen, Zwolle, 2026-06-02 … 06-14,
//!   weighted by EVSE count; the few hours missing from the series are interpolated). Each EVSE
//!   is free or busy; arrivals come at a rate that makes the expected busy share equal the
//!   curve (λ = p / ((1 − p) · mean session)).
//! * **Sessions of plausible length:** log-normal, median 3 h on AC (residential overnight
//!   charging dominates NL), 30 min on DC.
//! * **Faults that get repaired:** OUTOFORDER at 1 per EVSE per 90 days, repaired after 4–72 h.
//! * **Chargers that go silent:** 1% stop reporting at some point (clients then see them age to
//!   UNKNOWN); short UNKNOWN blips (backend hiccups) about once a day per EVSE.
//! * **Rate and burstiness like a national stream:** France's IRVE dynamic feed (two days,
//!   `../shared/data/fr-irve-dynamique/`) carries ~2,900 changes per 10-minute poll (p95 5,090)
//!   and ~9 changes per active charge point per day; here 30% of EVSEs sit behind backends that
//!   publish in bursts every 5 minutes, the rest as they happen.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chargefinder::EvseStatus;
use jiff::tz::TimeZone;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::OptionalExtension;

/// Percent of EVSEs busy per local hour, Monday–Friday (NL, see the module docs).
pub const WEEKDAY_OCCUPANCY: [f64; 24] = [
    27.3, 27.0, 27.5, 27.3, 27.1, 26.9, 26.7, 24.3, 23.1, 22.9, 22.6, 23.0, 22.0, 22.6, 22.4, 21.4, 22.0, 23.1, 24.2,
    24.6, 24.9, 25.7, 25.5, 26.0,
];
/// Percent of EVSEs busy per local hour, Saturday and Sunday.
pub const WEEKEND_OCCUPANCY: [f64; 24] = [
    24.4, 25.2, 24.7, 24.9, 25.1, 25.4, 25.6, 24.7, 23.8, 22.8, 22.7, 22.4, 22.0, 22.3, 22.4, 22.5, 22.6, 23.3, 24.0,
    24.1, 24.2, 24.3, 24.4, 24.4,
];

/// One EVSE the simulator drives.
#[derive(Debug, Clone)]
pub struct SimEvse {
    pub location_id: String,
    pub evse_uid: String,
    pub dc: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct SimConfig {
    pub seed: u64,
    pub faults_per_day: f64,
    pub blips_per_day: f64,
    pub silent_share: f64,
    pub batched_share: f64,
    pub batch_period_s: i64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            faults_per_day: 1.0 / 90.0,
            blips_per_day: 1.0,
            silent_share: 0.01,
            batched_share: 0.3,
            batch_period_s: 300,
        }
    }
}

/// A change as published: the EVSE's position in the list given, the status, and when it
/// happened (operator time, unix seconds; a batched backend publishes it later).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimChange {
    pub evse: usize,
    pub status: EvseStatus,
    pub at_s: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Free,
    Busy,
    Fault,
    /// A backend blip; back to the state it hid.
    Blip(bool),
}

#[derive(Debug)]
pub struct Simulator {
    evses: Vec<SimEvse>,
    state: Vec<State>,
    /// When an EVSE goes silent, if it does.
    silent_from: Vec<Option<i64>>,
    batched: Vec<bool>,
    /// (time, EVSE): each EVSE has exactly one pending transition.
    next: BinaryHeap<Reverse<(i64, usize)>>,
    /// Changes that happened but wait for their backend's next burst: (publish time, change).
    held: BinaryHeap<Reverse<(i64, usize, i64, u8)>>,
    rng: ChaCha8Rng,
    tz: TimeZone,
    config: SimConfig,
    now_s: i64,
}

impl Simulator {
    /// Starts at `start_s` with each EVSE busy with the curve's probability for that hour.
    pub fn new(evses: Vec<SimEvse>, start_s: i64, tz: TimeZone, config: SimConfig) -> Simulator {
        let n = evses.len();
        let mut sim = Simulator {
            evses,
            state: vec![State::Free; n],
            silent_from: vec![None; n],
            batched: vec![false; n],
            next: BinaryHeap::with_capacity(n),
            held: BinaryHeap::new(),
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            tz,
            config,
            now_s: start_s,
        };
        let p = sim.occupancy(start_s);
        for i in 0..n {
            if sim.rng.random::<f64>() < p {
                sim.state[i] = State::Busy;
            }
            sim.batched[i] = sim.rng.random::<f64>() < config.batched_share;
            if sim.rng.random::<f64>() < config.silent_share {
                sim.silent_from[i] = Some(start_s + (sim.rng.random::<f64>() * 86_400.0) as i64);
            }
            let t = sim.next_time(i, start_s);
            sim.next.push(Reverse((t, i)));
        }
        sim
    }

    pub fn evses(&self) -> &[SimEvse] {
        &self.evses
    }

    /// The busy share the curve asks for at an instant, 0–1.
    pub fn occupancy(&self, t_s: i64) -> f64 {
        let Ok(ts) = jiff::Timestamp::from_second(t_s) else { return 0.25 };
        let local = ts.to_zoned(self.tz.clone());
        let hour = usize::from(local.hour().unsigned_abs()).min(23);
        let weekend = matches!(local.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday);
        let curve = if weekend { &WEEKEND_OCCUPANCY } else { &WEEKDAY_OCCUPANCY };
        curve[hour] / 100.0
    }

    fn exp(&mut self, rate_per_s: f64) -> f64 {
        if rate_per_s <= 0.0 {
            return f64::INFINITY;
        }
        -(1.0 - self.rng.random::<f64>()).ln() / rate_per_s
    }

    /// Median 3 h (AC) or 30 min (DC), log-normal.
    fn session_s(&mut self, dc: bool) -> f64 {
        let (median, sigma) = if dc { (1800.0f64, 0.5) } else { (10_800.0f64, 0.8) };
        // Box–Muller for one standard normal.
        let (u1, u2): (f64, f64) = (1.0 - self.rng.random::<f64>(), self.rng.random::<f64>());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        (median.ln() + sigma * z).exp().clamp(300.0, 86_400.0)
    }

    fn mean_session_s(dc: bool) -> f64 {
        // Mean of the log-normal: median · e^(σ²/2).
        if dc {
            1800.0 * (0.125f64).exp()
        } else {
            10_800.0 * (0.32f64).exp()
        }
    }

    /// Arrivals per second at a free EVSE. The busy share B follows dB/dt = λ(1 − B) − B/μ, which
    /// settles at p = λμ / (1 + λμ) with time constant μ(1 − p): aiming at the curve that far
    /// ahead keeps the simulated occupancy on the curve instead of a session length behind it.
    fn arrival_rate(&self, t: i64, dc: bool) -> f64 {
        let mu = Self::mean_session_s(dc);
        let p_now = self.occupancy(t).clamp(0.01, 0.95);
        let p = self.occupancy(t + (mu * (1.0 - p_now)) as i64).clamp(0.01, 0.95);
        p / ((1.0 - p) * mu)
    }

    /// When EVSE `i`'s next transition happens, from its state at `t`.
    fn next_time(&mut self, i: usize, t: i64) -> i64 {
        let dc = self.evses[i].dc;
        let fault = self.exp(self.config.faults_per_day / 86_400.0);
        let blip = self.exp(self.config.blips_per_day / 86_400.0);
        let own = match self.state[i] {
            State::Free => {
                let rate = self.arrival_rate(t, dc);
                self.exp(rate)
            }
            State::Busy => self.session_s(dc),
            State::Fault => return t + 4 * 3600 + (self.rng.random::<f64>() * 68.0 * 3600.0) as i64,
            State::Blip(_) => return t + 60 + (self.rng.random::<f64>() * 540.0) as i64,
        };
        t + own.min(fault).min(blip).max(1.0) as i64
    }

    /// The state change at EVSE `i`'s due transition.
    fn transition(&mut self, i: usize) -> State {
        let (fault_rate, blip_rate) = (self.config.faults_per_day, self.config.blips_per_day);
        match self.state[i] {
            State::Fault => State::Free,
            State::Blip(busy) => {
                if busy {
                    State::Busy
                } else {
                    State::Free
                }
            }
            s => {
                // Which of the competing clocks fired: the session clock, a fault or a blip,
                // in proportion to their rates (memoryless, so this is exact for faults and
                // blips and a fair approximation for the session end).
                let dc = self.evses[i].dc;
                let own_rate = match s {
                    State::Free => self.arrival_rate(self.now_s, dc) * 86_400.0,
                    _ => 86_400.0 / Self::mean_session_s(dc),
                };
                let u = self.rng.random::<f64>() * (own_rate + fault_rate + blip_rate);
                if u < fault_rate {
                    State::Fault
                } else if u < fault_rate + blip_rate {
                    State::Blip(s == State::Busy)
                } else if s == State::Free {
                    State::Busy
                } else {
                    State::Free
                }
            }
        }
    }

    fn status_of(s: State) -> EvseStatus {
        match s {
            State::Free => EvseStatus::Available,
            State::Busy => EvseStatus::Charging,
            State::Fault => EvseStatus::OutOfOrder,
            State::Blip(_) => EvseStatus::Unknown,
        }
    }

    /// Runs the network until `until_s` and returns the changes published by then, in publish
    /// order (a burst from a batching backend comes out together).
    pub fn advance(&mut self, until_s: i64) -> Vec<SimChange> {
        let mut out = Vec::new();
        while let Some(&Reverse((t, i))) = self.next.peek() {
            if t > until_s {
                break;
            }
            self.next.pop();
            self.now_s = t;
            let s = self.transition(i);
            self.state[i] = s;
            let next = self.next_time(i, t);
            self.next.push(Reverse((next, i)));
            if self.silent_from[i].is_some_and(|from| t >= from) {
                continue; // the charger changed, but nobody hears about it
            }
            let publish = if self.batched[i] {
                let p = self.config.batch_period_s.max(1);
                (t + p - 1) / p * p
            } else {
                t
            };
            self.held.push(Reverse((publish, i, t, Self::status_of(s) as u8)));
        }
        while let Some(&Reverse((publish, i, at, status))) = self.held.peek() {
            if publish > until_s {
                break;
            }
            self.held.pop();
            out.push(SimChange { evse: i, status: EvseStatus::from_u8(status), at_s: at });
        }
        self.now_s = self.now_s.max(until_s);
        out
    }
}

/// Runs the simulator against the live table: every second, the network advances by
/// `speed` seconds (from now) and what it published is applied in one transaction.
pub async fn run(live: crate::live::Live, speed: f64, config: SimConfig) {
    let loaded = tokio::task::spawn_blocking({
        let live = live.clone();
        move || load_evses(&live)
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let (evses, tz) = match loaded {
        Ok(v) => v,
        Err(e) => return eprintln!("chargefinder-server: simulator not started: {e}"),
    };
    let start = jiff::Timestamp::now().as_second();
    let n = evses.len();
    let mut sim = Simulator::new(evses, start, tz, config);
    println!("chargefinder-server: simulating {n} EVSEs at {speed}x real time");
    let t0 = std::time::Instant::now();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        let until = start + (t0.elapsed().as_secs_f64() * speed) as i64;
        let changes = sim.advance(until);
        if changes.is_empty() {
            continue;
        }
        let rows: Vec<(String, String, EvseStatus, i64)> = changes
            .iter()
            .filter_map(|c| {
                let e = sim.evses().get(c.evse)?;
                Some((e.location_id.clone(), e.evse_uid.clone(), c.status, c.at_s))
            })
            .collect();
        let live = live.clone();
        let applied = tokio::task::spawn_blocking(move || {
            // A charger running one of our paid sessions is the network's (network.rs): the
            // random model leaves it alone until the session is over.
            let busy = crate::network::evses_in_use(&live.store)?;
            let refs: Vec<(&str, &str, EvseStatus, i64)> = rows
                .iter()
                .filter(|(l, u, _, _)| !busy.contains(&(l.clone(), u.clone())))
                .map(|(l, u, s, t)| (l.as_str(), u.as_str(), *s, *t))
                .collect();
            live.apply_many(&refs, "simulator")
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
        if let Err(e) = applied {
            eprintln!("chargefinder-server: simulator tick failed: {e}");
        }
    }
}

/// Every EVSE we serve, whether it is DC, and the network's time zone (the first location's).
fn load_evses(live: &crate::live::Live) -> Result<(Vec<SimEvse>, TimeZone), String> {
    let rows: Vec<String> = live.store.with_conn(|c| {
        let mut st = c.prepare("SELECT station FROM locations ORDER BY seq")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    })?;
    let mut evses = Vec::new();
    for row in rows {
        let Ok(station) = serde_json::from_str::<chargefinder::Station>(&row) else { continue };
        for e in &station.evses {
            let dc = e.plugs.iter().any(chargefinder::PlugFamily::is_dc);
            evses.push(SimEvse { location_id: station.id.clone(), evse_uid: e.uid.clone(), dc });
        }
    }
    let tz_name: Option<String> = live.store.with_conn(|c| {
        c.query_row("SELECT json_extract(ocpi, '$.time_zone') FROM locations ORDER BY seq LIMIT 1", [], |r| r.get(0))
            .optional()
    })?;
    let tz = tz_name.and_then(|n| TimeZone::get(&n).ok()).unwrap_or(TimeZone::UTC);
    Ok((evses, tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(n: usize) -> Vec<SimEvse> {
        (0..n)
            .map(|i| SimEvse { location_id: format!("L{}", i / 2), evse_uid: format!("E{i}"), dc: i % 10 == 0 })
            .collect()
    }

    // Monday 2026-06-08 00:00 in Amsterdam.
    const MONDAY: i64 = 1_780_869_600;

    fn amsterdam() -> TimeZone {
        TimeZone::get("Europe/Amsterdam").expect("tzdb has Amsterdam")
    }

    /// Replays a run, returning the busy share at each hour and all changes.
    fn run(n: usize, hours: i64, config: SimConfig) -> (Vec<f64>, Vec<SimChange>) {
        let mut sim = Simulator::new(network(n), MONDAY, amsterdam(), config);
        let mut busy_share = Vec::new();
        let mut all = Vec::new();
        for h in 1..=hours {
            all.extend(sim.advance(MONDAY + h * 3600));
            let busy = sim.state.iter().filter(|s| matches!(s, State::Busy | State::Blip(true))).count();
            busy_share.push(busy as f64 / n as f64);
        }
        (busy_share, all)
    }

    #[test]
    fn occupancy_follows_the_real_curve() {
        let (share, _) = run(20_000, 72, SimConfig::default());
        // After a day of warm-up, each hour's busy share is within 3 points of the NL curve.
        for (h, s) in share.iter().enumerate().skip(24) {
            let local_hour = (h + 1) % 24; // share[h] is at MONDAY + (h + 1) h, Amsterdam is UTC+2: midnight local
            let want = WEEKDAY_OCCUPANCY[local_hour] / 100.0;
            assert!((s - want).abs() < 0.03, "hour {local_hour}: simulated {s:.3}, curve {want:.3}");
        }
    }

    #[test]
    fn rate_and_bursts_look_like_a_national_stream() {
        let n = 10_000;
        let (_, changes) = run(n, 48, SimConfig::default());
        let per_evse_day = changes.len() as f64 / n as f64 / 2.0;
        // France: ~3.6 per charge point per day over all points, ~9 per active one.
        assert!((2.0..=9.0).contains(&per_evse_day), "{per_evse_day} changes per EVSE per day");
        // Batching backends publish on 5-minute marks: those instants carry bursts.
        assert!(changes.iter().all(|c| c.at_s >= MONDAY));
        let bursts = changes.windows(2).filter(|w| w[1].at_s < w[0].at_s).count();
        assert!(bursts > 100, "held changes come out after later live ones: {bursts}");
    }

    #[test]
    fn sessions_faults_silence() {
        let n = 20_000;
        let config = SimConfig { faults_per_day: 0.05, ..SimConfig::default() };
        let mut sim = Simulator::new(network(n), MONDAY, amsterdam(), config);
        let changes = sim.advance(MONDAY + 7 * 86_400);
        // Session lengths: from CHARGING to the next AVAILABLE of the same EVSE.
        let mut started: Vec<Option<i64>> = vec![None; n];
        let mut ac = Vec::new();
        let mut faulted_at: Vec<Option<i64>> = vec![None; n];
        let mut repairs = Vec::new();
        let mut by_time = changes.clone();
        by_time.sort_by_key(|c| c.at_s);
        for c in &by_time {
            match c.status {
                EvseStatus::Charging => started[c.evse] = Some(c.at_s),
                EvseStatus::Available => {
                    if let Some(s) = started[c.evse].take() {
                        if !sim.evses()[c.evse].dc {
                            ac.push(c.at_s - s);
                        }
                    }
                    if let Some(f) = faulted_at[c.evse].take() {
                        repairs.push(c.at_s - f);
                    }
                }
                EvseStatus::OutOfOrder => {
                    faulted_at[c.evse] = Some(c.at_s);
                    started[c.evse] = None;
                }
                _ => started[c.evse] = None,
            }
        }
        ac.sort_unstable();
        let median = ac[ac.len() / 2];
        assert!((7_200..=14_400).contains(&median), "median AC session {median} s");
        assert!(repairs.len() > 100, "faults get repaired: {}", repairs.len());
        assert!(repairs.iter().all(|r| (4 * 3600..=72 * 3600).contains(r)), "repairs take 4–72 h");
        // Silent chargers: after going silent, nothing is published for them.
        for (i, from) in sim.silent_from.iter().enumerate() {
            if let Some(from) = from {
                assert!(changes.iter().all(|c| c.evse != i || c.at_s < *from));
            }
        }
        assert!(sim.silent_from.iter().filter(|s| s.is_some()).count() > n / 200);
    }

    #[test]
    fn same_seed_same_stream() {
        let a = run(2_000, 12, SimConfig::default()).1;
        let b = run(2_000, 12, SimConfig::default()).1;
        assert_eq!(a, b);
        let c = run(2_000, 12, SimConfig { seed: 7, ..SimConfig::default() }).1;
        assert_ne!(a, c);
    }
}
