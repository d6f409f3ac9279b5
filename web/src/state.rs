//! The app's state and what it shows, as plain Rust (tested without a browser).

use crate::i18n::{msg, Lang, Units};
use chargefinder::{
    catalogue_vehicle, Availability, Capabilities, Capability, EvseStatus, Filter, Hit, Live, PlugFamily, PlugSet,
    StationIndex,
};

/// How many stations the list shows.
pub const LIST_LEN: usize = 10;

/// The plug families offered as filters, most common first.
pub const PLUG_CHOICES: [PlugFamily; 7] = [
    PlugFamily::Ccs2,
    PlugFamily::Type2Socket,
    PlugFamily::Type2Cable,
    PlugFamily::Chademo,
    PlugFamily::Ccs1,
    PlugFamily::Type1,
    PlugFamily::Nacs,
];

/// Minimum power choices, kW (0 = any).
pub const POWER_CHOICES: [u32; 5] = [0, 11, 22, 50, 150];

/// What the driver picked, as plain data (the URL and the device remember it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    pub plugs: Vec<PlugFamily>,
    pub min_kw: u32,
    pub available_now: bool,
    /// Hide chargers that are out of order or not heard from recently.
    pub working: bool,
    /// Only this operator (as the data names it).
    pub operator: Option<String>,
    /// A catalogue vehicle id.
    pub vehicle: Option<String>,
    /// Only chargers a driver can start from an app (OCPI `REMOTE_START_STOP_CAPABLE`).
    pub pay_app: bool,
    /// Only chargers that take a bank card (OCPI `CREDIT_CARD_PAYABLE`).
    pub pay_card: bool,
    /// Only locations open now (OCPI opening hours in the location's time zone).
    pub open_now: bool,
    /// Price cap per kWh, cents (one of [`PRICE_CHOICES`]).
    pub max_price: Option<u32>,
    /// Hide stations known to work on fewer than [`RELIABLE_PCT`] % of recent days.
    pub reliable: bool,
}

/// Price cap choices, cents per kWh.
pub const PRICE_CHOICES: [u32; 5] = [30, 40, 50, 60, 80];

/// "Hide unreliable" hides stations whose chargers worked on fewer than this share of recent
/// days, %.
pub const RELIABLE_PCT: u8 = 80;

impl Choice {
    /// The core filter for this choice at `now_s` (unix seconds; "open now" is tested at the
    /// start of that minute, so that the filter, and what is cached for it, changes once a
    /// minute rather than every second).
    pub fn filter(&self, now_s: i64) -> Filter {
        let mut caps = Capabilities::EMPTY;
        if self.pay_app {
            caps = caps.with(Capability::RemoteStartStopCapable);
        }
        if self.pay_card {
            caps = caps.with(Capability::CreditCardPayable);
        }
        Filter {
            capabilities: caps,
            open_at: self.open_now.then_some(now_s - now_s.rem_euclid(60)),
            max_price: self.max_price,
            min_station_reliability_pct: self.reliable.then_some(RELIABLE_PCT),
            plugs: self.plugs.iter().copied().collect::<PlugSet>(),
            min_power_kw: self.min_kw as f32,
            available_now: self.available_now,
            working_only: self.working,
            operators: self.operator.iter().cloned().collect(),
            vehicle: self.vehicle.as_deref().and_then(catalogue_vehicle).map(|c| c.vehicle.clone()),
            ..Filter::default()
        }
    }

    /// The query string for this choice and a position (`lat`, `lon`, `plugs`, `kw`, `free`,
    /// `car`), the view a shared link reproduces.
    pub fn to_query(&self, at: Option<(f64, f64)>) -> String {
        let mut q = Vec::new();
        if let Some((lat, lon)) = at {
            q.push(format!("lat={lat:.5}&lon={lon:.5}"));
        }
        if !self.plugs.is_empty() {
            q.push(format!("plugs={}", self.plugs.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")));
        }
        if self.min_kw > 0 {
            q.push(format!("kw={}", self.min_kw));
        }
        if self.available_now {
            q.push("free=1".to_string());
        }
        if self.working {
            q.push("working=1".to_string());
        }
        if let Some(op) = &self.operator {
            q.push(format!("op={}", encode(op)));
        }
        for (on, key) in [
            (self.pay_app, "app=1"),
            (self.pay_card, "card=1"),
            (self.open_now, "open=1"),
            (self.reliable, "reliable=1"),
        ] {
            if on {
                q.push(key.to_string());
            }
        }
        if let Some(p) = self.max_price {
            q.push(format!("price={p}"));
        }
        if let Some(car) = &self.vehicle {
            q.push(format!(
                "car={}",
                car.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>()
            ));
        }
        q.join("&")
    }

    /// Reads a query string; unknown or malformed parts are ignored (a link is outside data).
    pub fn from_query(query: &str) -> (Choice, Option<(f64, f64)>) {
        let mut c = Choice::default();
        let (mut lat, mut lon) = (None, None);
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "lat" => lat = parse_finite(v).filter(|x| (-90.0..=90.0).contains(x)),
                "lon" => lon = parse_finite(v).filter(|x| (-180.0..=180.0).contains(x)),
                "plugs" => c.plugs = v.split(',').filter_map(PlugFamily::from_code).collect(),
                "kw" => c.min_kw = v.parse().ok().filter(|kw| POWER_CHOICES.contains(kw)).unwrap_or(0),
                "free" => c.available_now = v == "1",
                "working" => c.working = v == "1",
                "app" => c.pay_app = v == "1",
                "card" => c.pay_card = v == "1",
                "open" => c.open_now = v == "1",
                "reliable" => c.reliable = v == "1",
                "price" => c.max_price = v.parse().ok().filter(|p| PRICE_CHOICES.contains(p)),
                "op" => c.operator = decode(v).filter(|o| !o.trim().is_empty() && o.len() <= 80),
                "car" => c.vehicle = catalogue_vehicle(v).map(|_| v.to_string()),
                _ => {}
            }
        }
        (c, lat.zip(lon))
    }

    pub fn toggle_plug(&mut self, p: PlugFamily) {
        if let Some(i) = self.plugs.iter().position(|x| *x == p) {
            self.plugs.remove(i);
        } else {
            self.plugs.push(p);
        }
    }
}

/// The operators with the most stations, most first (for the operator filter).
pub fn top_operators(index: &StationIndex, n: usize) -> Vec<(String, u32)> {
    let mut count: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for s in index.stations() {
        if let Some(op) = s.operator.as_deref().filter(|o| !o.trim().is_empty()) {
            *count.entry(op).or_default() += 1;
        }
    }
    // Picked one by one (n is small) rather than sorted: each `sort_by` instance is ~5 KB of
    // the app's wasm. Names are unique, so the order is total and the result that of a sort.
    let mut v: Vec<(&str, u32)> = count.into_iter().collect();
    let mut top = Vec::with_capacity(n.min(v.len()));
    while top.len() < n {
        let best = v.iter().enumerate().min_by(|(_, a), (_, b)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let Some((i, _)) = best else { break };
        let (name, c) = v.swap_remove(i);
        top.push((name.to_string(), c));
    }
    top
}

/// The rest of the view a link holds: the map's position and zoom, the open station, language
/// and units. Together with [`Choice`] it is the whole URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub at: Option<(f64, f64)>,
    pub zoom: Option<f64>,
    /// The open station's OCPI location id.
    pub station: Option<String>,
    pub lang: Option<Lang>,
    pub units: Option<Units>,
}

/// Zoom levels the map offers.
pub const ZOOM_RANGE: std::ops::RangeInclusive<f64> = 3.0..=18.0;

impl Place {
    pub fn to_query(&self) -> String {
        let mut q = Vec::new();
        if let Some((lat, lon)) = self.at {
            q.push(format!("lat={lat:.5}&lon={lon:.5}"));
        }
        if let Some(z) = self.zoom {
            q.push(format!("z={z:.1}").replace(".0", ""));
        }
        if let Some(id) = &self.station {
            q.push(format!("station={}", encode(id)));
        }
        if let Some(l) = self.lang {
            q.push(format!("lang={}", l.code()));
        }
        if let Some(u) = self.units {
            q.push(format!("units={}", u.code()));
        }
        q.join("&")
    }

    /// Reads a query string; unknown or malformed parts are ignored (a link is outside data).
    pub fn from_query(query: &str) -> Place {
        let mut p = Place::default();
        let (mut lat, mut lon) = (None, None);
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "lat" => lat = parse_finite(v).filter(|x| (-90.0..=90.0).contains(x)),
                "lon" => lon = parse_finite(v).filter(|x| (-180.0..=180.0).contains(x)),
                "z" => p.zoom = parse_finite(v).filter(|z| ZOOM_RANGE.contains(z)),
                "station" => p.station = decode(v).filter(|id| !id.is_empty() && id.len() <= 64),
                "lang" => p.lang = Lang::from_code(v),
                "units" => p.units = Units::from_code(v),
                _ => {}
            }
        }
        p.at = lat.zip(lon);
        p
    }
}

/// The whole URL query for a view.
pub fn view_query(choice: &Choice, place: &Place) -> String {
    let parts = [place.to_query(), choice.to_query(None)];
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("&")
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes; `None` for broken escapes or bytes that are not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// How a station looks on the map for the driver's filter, from the live status of the EVSEs
/// that fit (plug and power).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    Available,
    Occupied,
    OutOfOrder,
    Unknown,
}

impl Shade {
    pub fn code(self) -> &'static str {
        match self {
            Shade::Available => "available",
            Shade::Occupied => "occupied",
            Shade::OutOfOrder => "out-of-order",
            Shade::Unknown => "unknown",
        }
    }
}

/// Available if any fitting EVSE is; else occupied if any is in use; else out of order if every
/// one we have heard from recently is broken; else unknown.
pub fn station_shade(index: &StationIndex, live: &Availability, now_s: i64, station: u32, filter: &Filter) -> Shade {
    // Plug and power only: the shade says why a fitting station cannot be used now.
    let fits = Filter { available_now: false, working_only: false, ..filter.clone() };
    let (mut busy, mut broken, mut unknown) = (false, false, false);
    let s = index.station(station);
    for (e, slot) in s.evses.iter().zip(index.evse_slots(station)) {
        if !fits.matches(e) {
            continue;
        }
        match live.status(slot, now_s) {
            EvseStatus::Available => return Shade::Available,
            EvseStatus::Charging | EvseStatus::Blocked | EvseStatus::Reserved => busy = true,
            EvseStatus::OutOfOrder | EvseStatus::Inoperative | EvseStatus::Removed | EvseStatus::Planned => {
                broken = true
            }
            EvseStatus::Unknown => unknown = true,
        }
    }
    if busy {
        Shade::Occupied
    } else if broken && !unknown {
        Shade::OutOfOrder
    } else {
        Shade::Unknown
    }
}

/// One marker on the map, ready for the Leaflet adapter (`web/map.js`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pin {
    /// Stable across recomputes: the cell, so an unchanged cluster keeps its marker.
    pub k: String,
    pub lat: f64,
    pub lon: f64,
    /// What the marker shows: matching stations in a cluster, available chargers at a station.
    pub text: String,
    /// Matching stations under the pin.
    pub n: u32,
    pub shade: &'static str,
    /// The marker's accessible name.
    pub title: String,
    /// The station's OCPI id when the pin is one station.
    pub station: Option<String>,
    /// For a small cluster at street level (stations on one spot never split), its stations,
    /// so a tap can offer them by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
}

/// A station offered from a cluster's chooser.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub shade: &'static str,
}

/// Street level: clusters here are stations on (nearly) one spot.
pub const MEMBERS_ZOOM: u8 = 16;
/// The largest cluster offered as a list of names rather than zoomed into.
pub const MEMBERS_MAX: u32 = 8;

/// The `[west, south, east, north]` of a cluster cell (zoom, column, row in a 2^(zoom+2) grid
/// of web mercator; see `chargefinder::cluster`).
pub fn cell_bbox(zoom: u8, x: u32, y: u32) -> [f64; 4] {
    let n = f64::from(1u32 << (zoom.min(29) + 2).min(31));
    let lon = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| (std::f64::consts::PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
    [lon(f64::from(x)), lat(f64::from(y) + 1.0), lon(f64::from(x) + 1.0), lat(f64::from(y))]
}

/// The pins of a viewport: the core's clusters, a station alone shaded by its live status.
pub fn map_pins(
    index: &StationIndex,
    live: &Availability,
    now_s: i64,
    clusters: &[chargefinder::Cluster],
    filter: &Filter,
    lang: Lang,
    zoom: u8,
) -> Vec<Pin> {
    let mut ids = Vec::new();
    clusters
        .iter()
        .map(|c| match c.station {
            Some(i) => {
                let s = index.station(i);
                let shade = station_shade(index, live, now_s, i, filter);
                let free =
                    msg::N_OF_M_AVAILABLE.fill(lang, &[&c.available_evses.to_string(), &c.matching_evses.to_string()]);
                Pin {
                    k: format!("s{}", s.id),
                    lat: s.lat,
                    lon: s.lon,
                    text: c.available_evses.to_string(),
                    n: 1,
                    shade: shade.code(),
                    title: format!("{}: {}", s.name, free),
                    station: Some(s.id.clone()),
                    members: Vec::new(),
                }
            }
            None => {
                let shade = if c.available_evses > 0 { Shade::Available } else { Shade::Occupied };
                let mut members = Vec::new();
                if zoom >= MEMBERS_ZOOM && c.stations <= MEMBERS_MAX {
                    let live = Live { availability: live, now_s };
                    index.in_bbox_ids(cell_bbox(c.zoom, c.x, c.y), filter, Some(live), &mut ids);
                    members = ids
                        .iter()
                        .map(|&i| {
                            let s = index.station(i);
                            let shade = station_shade(index, live.availability, now_s, i, filter).code();
                            Member { id: s.id.clone(), name: s.name.clone(), shade }
                        })
                        .collect();
                }
                Pin {
                    k: format!("c{}/{}/{}", c.zoom, c.x, c.y),
                    lat: c.lat,
                    lon: c.lon,
                    text: c.stations.to_string(),
                    n: c.stations,
                    shade: shade.code(),
                    title: msg::CLUSTER_TITLE.fill(
                        lang,
                        &[&c.stations.to_string(), &c.available_evses.to_string(), &c.matching_evses.to_string()],
                    ),
                    station: None,
                    members,
                }
            }
        })
        .collect()
}

/// A search hit.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A town (kind 0) or a street (kind 1) from `/api/places`.
    Place {
        name: String,
        kind: u8,
        lat: f64,
        lon: f64,
    },
    Station {
        id: String,
        name: String,
        lat: f64,
        lon: f64,
    },
    Point {
        lat: f64,
        lon: f64,
    },
}

impl Found {
    pub fn key(&self) -> String {
        match self {
            Found::Place { name, kind, .. } => format!("p{kind}{name}"),
            Found::Station { id, .. } => format!("s{id}"),
            Found::Point { lat, lon } => format!("c{lat},{lon}"),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Found::Place { name, .. } | Found::Station { name, .. } => name.clone(),
            Found::Point { lat, lon } => format!("{lat:.5}, {lon:.5}"),
        }
    }
}

/// Lower case without accents, so "den haag" finds "Den Haag" and "zurich" finds "Zürich".
///
/// In the browser, text that is not plain ASCII is lower-cased by JavaScript's `toLowerCase`
/// (the same Unicode mapping): Rust's case tables would otherwise be in the app's wasm
/// (BENCHMARKS.md, "The app").
pub fn fold(s: &str) -> String {
    let lower = if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        #[cfg(target_arch = "wasm32")]
        let lower = String::from(js_sys::JsString::from(s).to_lower_case());
        #[cfg(not(target_arch = "wasm32"))]
        let lower = s.to_lowercase();
        lower
    };
    lower
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ß' => 's',
            '’' | '`' => '\'',
            c => c,
        })
        .collect()
}

/// "52.0116, 4.3571", "52.0116 4.3571" or "52,0116; 4,3571" (decimal commas) → a point.
/// `s` as a finite number in Rust's float syntax (`52.1`, `-4`, `.5`, `5.`, `1e3`); `None` for
/// anything else, `inf` and `NaN` included (every caller wants a place or a zoom level).
///
/// In the browser the digits go to JavaScript's `parseFloat` once the syntax has been checked
/// here (it rounds correctly, as Rust's parser does): Rust's parser brings a 10 KB table of
/// powers of five into the app's wasm, about 11 KB gzipped (BENCHMARKS.md, "The app").
pub fn parse_finite(s: &str) -> Option<f64> {
    if !is_decimal(s) {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    let x = js_sys::parse_float(s);
    #[cfg(not(target_arch = "wasm32"))]
    let x = s.parse::<f64>().ok()?;
    x.is_finite().then_some(x)
}

/// Rust's decimal float syntax: a sign, digits with at most one point (at least one digit),
/// then `e`/`E`, a sign and digits. Whatever passes, `parseFloat` reads whole.
fn is_decimal(s: &str) -> bool {
    fn unsigned(b: &[u8]) -> &[u8] {
        b.strip_prefix(b"+").or_else(|| b.strip_prefix(b"-")).unwrap_or(b)
    }
    let b = unsigned(s.as_bytes());
    let (mantissa, exp) = match b.iter().position(|c| matches!(c, b'e' | b'E')) {
        Some(i) => (&b[..i], Some(unsigned(&b[i + 1..]))),
        None => (b, None),
    };
    let digits = mantissa.iter().filter(|c| c.is_ascii_digit()).count();
    let points = mantissa.iter().filter(|c| **c == b'.').count();
    digits > 0
        && points <= 1
        && digits + points == mantissa.len()
        && exp.is_none_or(|e| !e.is_empty() && e.iter().all(u8::is_ascii_digit))
}

pub fn parse_coordinates(q: &str) -> Option<(f64, f64)> {
    let q = q.trim();
    let parts: Vec<&str> = if q.contains(';') || q.matches(',').count() == 2 || (q.contains(' ') && !q.contains(", ")) {
        q.split([';', ' ']).map(str::trim).filter(|p| !p.is_empty()).collect()
    } else {
        q.split(',').map(str::trim).collect()
    };
    let [a, b] = parts[..] else { return None };
    let num = |s: &str| parse_finite(&s.replace(',', "."));
    let (lat, lon) = (num(a)?, num(b)?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// Coordinates first, then towns and streets whose name or any word starts with the query
/// (most stations first), then stations whose name contains it. `folded_names` are the
/// stations' names through [`fold`], in index order.
pub fn search(
    query: &str,
    places: &[(String, u8, f64, f64, u32)],
    stations: &[chargefinder::Station],
    folded_names: &[String],
    limit: usize,
) -> Vec<Found> {
    let q = fold(query.trim());
    if q.chars().count() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some((lat, lon)) = parse_coordinates(query) {
        out.push(Found::Point { lat, lon });
    }
    let starts = |name: &str| {
        let f = fold(name);
        f.starts_with(&q) || f.split([' ', '-', ',', '/']).any(|w| w.starts_with(&q))
    };
    // Places arrive sorted by station count; towns before streets of the same standing.
    // Kind by kind, each in the order it came: a stable sort by kind without a sort routine
    // (~5 KB of the app's wasm).
    let hits: Vec<&(String, u8, f64, f64, u32)> = places.iter().filter(|p| starts(&p.0)).collect();
    let kinds = 0..=hits.iter().map(|p| p.1).max().unwrap_or(0);
    let by_kind = kinds.flat_map(|k| hits.iter().filter(move |p| p.1 == k));
    for p in by_kind.take(limit.saturating_sub(out.len())) {
        out.push(Found::Place { name: p.0.clone(), kind: p.1, lat: p.2, lon: p.3 });
    }
    for (s, f) in stations.iter().zip(folded_names) {
        if out.len() >= limit {
            break;
        }
        // Stations on one spot often share a name: offer it once.
        let seen = |o: &Found| matches!(o, Found::Station { name, .. } if *name == s.name);
        if f.contains(&q) && !out.iter().any(seen) {
            out.push(Found::Station { id: s.id.clone(), name: s.name.clone(), lat: s.lat, lon: s.lon });
        }
    }
    out
}

/// One row of the nearest-stations list, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub distance_m: f64,
    /// The best power among the matching EVSEs, for the driver's car when one is chosen
    /// (kW, 0 when unknown).
    pub power_kw: f32,

    pub plugs: Vec<&'static str>,
    pub evses: usize,
    pub available: u32,
    /// The lowest known price per kWh among the matching EVSEs, cents, with its currency and
    /// whether it is excl. VAT (the tariff states none).
    pub price: Option<(u32, String, bool)>,
    /// Share of recent days the station worked, %.
    pub reliability_pct: Option<u8>,
}

/// The nearest stations to a point, as list rows, by live status as of `now_s`.
pub fn nearest_rows(
    index: &StationIndex,
    live: &Availability,
    now_s: i64,
    lat: f64,
    lon: f64,
    filter: &Filter,
) -> Vec<Row> {
    let live = Live { availability: live, now_s };
    index.nearest_live(lat, lon, LIST_LEN, f64::INFINITY, filter, Some(live)).iter().map(|h| row(index, h)).collect()
}

fn row(index: &StationIndex, h: &Hit) -> Row {
    let s = index.station(h.station);
    Row {
        id: s.id.clone(),
        name: s.name.clone(),
        distance_m: h.distance_m,
        power_kw: h.best_power_kw,
        plugs: s.plugs().iter().map(|p| p.label()).collect(),
        evses: h.matching_evses as usize,
        available: h.available_evses,
        price: h.min_price.zip(s.extra.currency.clone()).map(|(p, c)| (p, c, s.extra.excl_vat)),
        reliability_pct: s.extra.reliability_pct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chargefinder::{AvailabilityConfig, EvseStatus, EvseSummary, PlugFamily, PlugSet, Station};

    /// `parse_finite` takes exactly the finite numbers Rust's parser takes, with the same value
    /// (the browser's `parseFloat` only ever sees strings that pass `is_decimal`).
    #[test]
    fn parse_finite_is_rusts_parser_without_inf_and_nan() {
        let ok = [
            "52.1",
            "-4",
            "+4",
            ".5",
            "-.5",
            "5.",
            "1e3",
            "1E-3",
            "2.5e+2",
            "-0",
            "007",
            "0.1000000000000000055511151231257827",
        ];
        for s in ok {
            assert!(is_decimal(s), "{s}");
            assert_eq!(parse_finite(s).map(f64::to_bits), s.parse::<f64>().ok().map(f64::to_bits), "{s}");
        }
        let bad = [
            "",
            ".",
            "-",
            "+-1",
            "1.2.3",
            "1e",
            "e5",
            "1e+",
            "1e5.0",
            " 1",
            "1 ",
            "0x10",
            "1,5",
            "inf",
            "-infinity",
            "NaN",
            "1e999",
            "1_0",
        ];
        for s in bad {
            assert_eq!(parse_finite(s), None, "{s}");
        }
        assert!(is_decimal("1e999"), "syntax fine, the value is infinite");
    }

    #[test]
    fn rows_follow_live_status_without_a_rebuild() {
        let evse = |uid: &str| EvseSummary {
            uid: uid.into(),
            plugs: PlugSet::EMPTY.with(PlugFamily::Type2Socket),
            max_power_kw: 11.0,
            status: EvseStatus::Available,
            caps: Default::default(),
            price: None,
        };
        let stations = vec![Station {
            id: "L".into(),
            name: "Here".into(),
            lat: 52.0,
            lon: 4.0,
            operator: None,
            evses: vec![evse("A"), evse("B")],
            extra: Default::default(),
        }];
        let index = StationIndex::new(stations);
        let t0 = 1_800_000_000;
        let mut live = Availability::new(&index, t0, AvailabilityConfig::default());
        let rows = nearest_rows(&index, &live, t0, 52.0, 4.0, &Filter::default());
        assert_eq!((rows[0].available, rows[0].evses), (2, 2));
        let slot = index.evse_slot("L", "A").unwrap();
        live.apply(slot, EvseStatus::Charging, t0 + 5);
        let rows = nearest_rows(&index, &live, t0 + 6, 52.0, 4.0, &Filter::default());
        assert_eq!(rows[0].available, 1);
    }

    #[test]
    fn choices_become_core_filters() {
        let mut c = Choice::default();
        assert_eq!(c.filter(0), Filter::default());
        c.toggle_plug(PlugFamily::Ccs2);
        c.toggle_plug(PlugFamily::Chademo);
        c.toggle_plug(PlugFamily::Chademo);
        c.min_kw = 50;
        c.vehicle = Some("vw-id3-pro".into());
        let f = c.filter(0);
        assert_eq!(f.plugs, PlugSet::EMPTY.with(PlugFamily::Ccs2));
        assert_eq!(f.min_power_kw, 50.0);
        assert_eq!(f.vehicle.map(|v| v.max_dc_kw), Some(120.0));
        c.vehicle = Some("no-such-car".into());
        assert!(c.filter(0).vehicle.is_none(), "an unknown remembered car is ignored, not a crash");
    }

    #[test]
    fn links_round_trip_and_bad_links_are_ignored() {
        let c = Choice {
            plugs: vec![PlugFamily::Ccs2, PlugFamily::Chademo],
            min_kw: 50,
            available_now: true,
            working: true,
            operator: Some("Shell Recharge".into()),
            vehicle: Some("vw-id3-pro".into()),
            pay_app: true,
            pay_card: true,
            open_now: true,
            max_price: Some(40),
            reliable: true,
        };
        let q = c.to_query(Some((52.0116, 4.3571)));
        assert_eq!(
            q,
            "lat=52.01160&lon=4.35710&plugs=CCS2,CHADEMO&kw=50&free=1&working=1&op=Shell%20Recharge&app=1&card=1&open=1&reliable=1&price=40&car=vw-id3-pro"
        );
        let f = c.filter(1_800_000_059);
        assert_eq!(f.open_at, Some(1_800_000_000), "open now is tested at the start of the minute");
        assert_eq!((f.max_price, f.min_station_reliability_pct), (Some(40), Some(RELIABLE_PCT)));
        assert_eq!(
            f.capabilities,
            Capabilities::EMPTY.with(Capability::RemoteStartStopCapable).with(Capability::CreditCardPayable)
        );
        assert!(f.working_only && f.available_now);
        assert_eq!(f.operators, ["Shell Recharge"]);
        assert_eq!(Choice::from_query(&format!("?{q}")), (c, Some((52.0116, 4.3571))));
        let (bad, at) =
            Choice::from_query("lat=95&lon=4&plugs=USB_C,<script>&kw=-3&car=%3Cscript%3E&x&price=35&price=-1");
        assert_eq!((bad, at), (Choice::default(), None));
    }

    #[test]
    fn places_round_trip_and_bad_links_are_ignored() {
        let p = Place {
            at: Some((52.0116, 4.3571)),
            zoom: Some(13.0),
            station: Some("NL*ABC/1 2".into()),
            lang: Some(Lang::Nl),
            units: Some(Units::Miles),
        };
        let q = p.to_query();
        assert_eq!(q, "lat=52.01160&lon=4.35710&z=13&station=NL%2AABC%2F1%202&lang=nl&units=mi");
        assert_eq!(Place::from_query(&q), p);
        let bad = Place::from_query("z=99&station=%ZZ&lang=xx&units=parsec&lat=1");
        assert_eq!(bad, Place::default());
        let c = Choice { min_kw: 50, ..Choice::default() };
        assert_eq!(view_query(&c, &Place { zoom: Some(9.5), ..Place::default() }), "z=9.5&kw=50");
    }

    #[test]
    fn cluster_cells_have_the_bounds_of_their_grid() {
        // Zoom 0: a 4 × 4 grid; cell (1, 1) is the north-west quarter's south-east cell.
        let [w, s, e, n] = cell_bbox(0, 1, 1);
        assert_eq!((w, e), (-90.0, 0.0));
        assert!((n - 66.51326).abs() < 1e-4 && s.abs() < 1e-9, "{s} {n}");
        // A fine cell contains a point that maps to it.
        let (lat, lon) = (52.0116f64, 4.3571f64);
        let z = 16u8;
        let n_cells = f64::from(1u32 << (z + 2));
        let x = ((lon + 180.0) / 360.0 * n_cells).floor() as u32;
        let y = ((1.0 - (lat.to_radians().tan() + 1.0 / lat.to_radians().cos()).ln() / std::f64::consts::PI) / 2.0
            * n_cells)
            .floor() as u32;
        let [w, s, e, n] = cell_bbox(z, x, y);
        assert!(w <= lon && lon < e && s < lat && lat <= n);
    }

    #[test]
    fn coordinates_in_the_forms_people_type() {
        assert_eq!(parse_coordinates("52.0116, 4.3571"), Some((52.0116, 4.3571)));
        assert_eq!(parse_coordinates("52.0116 4.3571"), Some((52.0116, 4.3571)));
        assert_eq!(parse_coordinates("52,0116; 4,3571"), Some((52.0116, 4.3571)));
        assert_eq!(parse_coordinates("-33.9,151.2"), Some((-33.9, 151.2)));
        assert_eq!(parse_coordinates("95, 4"), None);
        assert_eq!(parse_coordinates("Delft"), None);
        assert_eq!(parse_coordinates("1, 2, 3"), None);
    }

    #[test]
    fn search_finds_towns_streets_and_stations_without_caring_for_case_or_accents() {
        let places = vec![
            ("Delft".to_string(), 0, 52.0, 4.36, 300),
            ("Den Haag".to_string(), 0, 52.07, 4.3, 900),
            ("Delftweg, Rijswijk".to_string(), 1, 52.03, 4.33, 4),
            ("Zürichstraat, Delft".to_string(), 1, 52.01, 4.35, 2),
        ];
        let stations = vec![
            chargefinder::Station {
                id: "A".into(),
                name: "Parking Delft Centrum".into(),
                lat: 52.01,
                lon: 4.36,
                operator: None,
                evses: vec![],
                extra: Default::default(),
            },
            chargefinder::Station {
                id: "B".into(),
                name: "Haagweg 4".into(),
                lat: 52.1,
                lon: 4.3,
                operator: None,
                evses: vec![],
                extra: Default::default(),
            },
        ];
        let folded: Vec<String> = stations.iter().map(|s| fold(&s.name)).collect();
        let names = |q: &str| search(q, &places, &stations, &folded, 8).iter().map(Found::label).collect::<Vec<_>>();
        assert_eq!(names("delf"), ["Delft", "Delftweg, Rijswijk", "Zürichstraat, Delft", "Parking Delft Centrum"]);
        assert_eq!(names("HAAG"), ["Den Haag", "Haagweg 4"]);
        assert_eq!(names("zurich"), ["Zürichstraat, Delft"]);
        assert_eq!(names("52.01, 4.36"), ["52.01000, 4.36000"]);
        assert!(names("d").is_empty(), "one letter is not a search");
        assert!(names("<script>").is_empty());
        assert_eq!(search("delf", &places, &stations, &folded, 2).len(), 2, "limited");
        // Towns first, then streets, each kind in the order the server sent (most stations first).
        let mixed = vec![
            ("Delftweg, Rijswijk".to_string(), 1, 52.03, 4.33, 40),
            ("Delfgauw".to_string(), 0, 52.0, 4.4, 30),
            ("Delftsestraat, Rotterdam".to_string(), 1, 51.9, 4.47, 20),
            ("Delft".to_string(), 0, 52.0, 4.36, 10),
        ];
        let found = search("delf", &mixed, &[], &[], 8).iter().map(Found::label).collect::<Vec<_>>();
        assert_eq!(found, ["Delfgauw", "Delft", "Delftweg, Rijswijk", "Delftsestraat, Rotterdam"]);
    }

    #[test]
    fn top_operators_are_the_n_largest_then_by_name() {
        let station = |id: &str, op: Option<&str>| chargefinder::Station {
            id: id.into(),
            name: id.into(),
            lat: 52.0,
            lon: 4.3,
            operator: op.map(str::to_string),
            evses: vec![],
            extra: Default::default(),
        };
        let ops = ["B", "A", "C", "B", "C", "D", "C", " ", "A"];
        let mut stations: Vec<_> = ops.iter().enumerate().map(|(i, o)| station(&i.to_string(), Some(o))).collect();
        stations.push(station("x", None));
        let index = StationIndex::new(stations);
        let top = |n| top_operators(&index, n);
        assert_eq!(top(3), [("C".to_string(), 3), ("A".to_string(), 2), ("B".to_string(), 2)]);
        assert_eq!(top(10).len(), 4, "blank and missing operators are left out");
        assert!(top(0).is_empty());
    }
}
