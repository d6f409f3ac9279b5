//! The one tolerant conversion: OCPI wire JSON → domain [`Location`]s plus a [`Report`].
//!
//! Rules of thumb, from what real feeds send (see `data/nl/README.md`):
//! * keep every location and EVSE that can be used; repair what can be repaired (letter case,
//!   stray spaces, numbers sent as text, an unknown status read as `UNKNOWN`) and say so;
//! * skip only what cannot be placed on a map or plugged into, and say where and why;
//! * never panic, whatever the input.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hours::{parse_hhmm, parse_instant};
use crate::model::{
    Connector, ConnectorFormat, Evse, EvseStatus, ExceptionalPeriod, Hours, Location, ParkingRestriction, PowerType,
    RegularHours,
};
use crate::ocpi::{self, kind_of, Text};
use crate::plug::canonical_connector_type;

/// What an import produced.
#[derive(Debug, Clone)]
pub struct Imported {
    pub locations: Vec<Location>,
    /// For each location, its position in the input list (to find the object as received).
    pub source_index: Vec<usize>,
    pub report: Report,
}

/// Counts and every problem met, with where and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Objects in the input list.
    pub locations_seen: usize,
    pub locations: usize,
    pub evses: usize,
    pub connectors: usize,
    pub skipped: usize,
    pub repaired: usize,
    pub problems: Vec<Problem>,
}

/// One skipped or repaired item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub location_id: Option<String>,
    pub evse_uid: Option<String>,
    /// JSON path into the input list, e.g. `[12].evses[0].connectors[1].standard`.
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The item was left out.
    Skipped,
    /// The item was kept with a value changed or defaulted.
    Repaired,
}

/// The input could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not JSON.
    Json(String),
    /// JSON, but with no list of locations in it.
    Shape(String),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Json(e) => write!(f, "not valid JSON: {e}"),
            Self::Shape(e) => write!(f, "no OCPI locations found: {e}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// Imports OCPI locations from JSON bytes: an OCPI envelope, `{"data": …}`, a bare array or a
/// single location.
pub fn import_locations(json: &[u8]) -> Result<Imported, ImportError> {
    let root: Value = serde_json::from_slice(json).map_err(|e| ImportError::Json(e.to_string()))?;
    import_values(root)
}

/// Like [`import_locations`], from already-parsed JSON.
pub fn import_values(root: Value) -> Result<Imported, ImportError> {
    let items = ocpi::payload_items(root).map_err(ImportError::Shape)?;
    let mut ctx = Ctx::default();
    ctx.report.locations_seen = items.len();
    let mut locations: Vec<Location> = Vec::with_capacity(items.len());
    let mut source_index = Vec::with_capacity(items.len());
    // OCPI makes (country_code, party_id, id) unique. A repeat is an update, as a PUT would be:
    // the later object replaces the earlier one in place, and the earlier one is reported.
    let mut seen: HashMap<(String, String, String), usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Some(loc) = ctx.location(i, item) else {
            continue;
        };
        let key = (loc.country_code.clone(), loc.party_id.clone(), loc.id.clone());
        match seen.get(&key) {
            Some(&slot) => {
                let earlier = source_index[slot];
                let at = At { location_id: Some(&loc.id), evse_uid: None, path: &format!("[{earlier}]") };
                let reason = format!("duplicate: [{i}] has the same country_code, party_id and id and replaces it");
                ctx.problem(ProblemKind::Skipped, &at, "", reason);
                locations[slot] = loc;
                source_index[slot] = i;
            }
            None => {
                seen.insert(key, locations.len());
                locations.push(loc);
                source_index.push(i);
            }
        }
    }
    ctx.report.locations = locations.len();
    ctx.report.evses = locations.iter().map(|l| l.evses.len()).sum();
    ctx.report.connectors = locations.iter().flat_map(|l| &l.evses).map(|e| e.connectors.len()).sum();
    Ok(Imported { locations, source_index, report: ctx.report })
}

#[derive(Default)]
struct Ctx {
    report: Report,
}

/// Where we are, for problem reports.
struct At<'a> {
    location_id: Option<&'a str>,
    evse_uid: Option<&'a str>,
    path: &'a str,
}

impl Ctx {
    /// Reads a wire object, or reports the item skipped at the JSON path serde gives.
    fn wire<T: serde::de::DeserializeOwned>(&mut self, at: &At<'_>, raw: &Value) -> Option<T> {
        match serde_path_to_error::deserialize(raw) {
            Ok(w) => Some(w),
            Err(e) => {
                let field = e.path().to_string();
                let field = if field == "." { String::new() } else { field };
                self.problem(ProblemKind::Skipped, at, &field, e.inner().to_string());
                None
            }
        }
    }

    fn problem(&mut self, kind: ProblemKind, at: &At<'_>, field: &str, reason: impl Into<String>) {
        match kind {
            ProblemKind::Skipped => self.report.skipped += 1,
            ProblemKind::Repaired => self.report.repaired += 1,
        }
        let path = if field.is_empty() { at.path.to_string() } else { format!("{}.{field}", at.path) };
        self.report.problems.push(Problem {
            kind,
            location_id: at.location_id.map(str::to_string),
            evse_uid: at.evse_uid.map(str::to_string),
            path,
            reason: reason.into(),
        });
    }

    fn location(&mut self, i: usize, item: Value) -> Option<Location> {
        let path = format!("[{i}]");
        // Read the id first so that even a location that fails to parse is reported by id.
        let raw_id = item.get("id").and_then(value_text);
        let at = At { location_id: raw_id.as_deref(), evse_uid: None, path: &path };
        let wire: ocpi::Location = self.wire(&at, &item)?;
        let Some(id) = Text::non_empty(&wire.id) else {
            self.problem(ProblemKind::Skipped, &at, "id", "missing location id");
            return None;
        };
        let at = At { location_id: Some(&id), evse_uid: None, path: &path };
        let (lat, lon) = self.coordinates(&at, wire.coordinates.as_ref())?;
        let required = |ctx: &mut Ctx, v: &Option<Text>, field: &str| {
            Text::non_empty(v).unwrap_or_else(|| {
                ctx.problem(ProblemKind::Repaired, &at, field, format!("missing {field}, left empty"));
                String::new()
            })
        };
        let country_code = required(self, &wire.country_code, "country_code").to_ascii_uppercase();
        let party_id = required(self, &wire.party_id, "party_id").to_ascii_uppercase();
        let address = required(self, &wire.address, "address");
        let city = required(self, &wire.city, "city");
        let country = required(self, &wire.country, "country");
        let time_zone = Text::non_empty(&wire.time_zone).unwrap_or_else(|| {
            self.problem(ProblemKind::Repaired, &at, "time_zone", "missing time_zone, assumed UTC");
            "UTC".to_string()
        });
        let publish = match &wire.publish {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => false,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
            Some(other) => {
                self.problem(
                    ProblemKind::Repaired,
                    &at,
                    "publish",
                    format!("publish is {}, read as true", kind_of(other)),
                );
                true
            }
        };
        let opening_times = match &wire.opening_times {
            None | Some(Value::Null) => None,
            Some(v) => self.hours(&at, v),
        };
        let parking_type = match (&wire.parking_type, &wire.location_type) {
            (Some(v), _) | (None, Some(v)) => value_text(v).map(|s| s.to_ascii_uppercase()),
            (None, None) => None,
        };
        let facilities = self.names(&at, "facilities", wire.facilities.as_ref(), |_| true);
        let mut evses = Vec::new();
        for (j, raw) in wire.evses.unwrap_or_default().into_iter().enumerate() {
            let epath = format!("{path}.evses[{j}]");
            if let Some(e) = self.evse(&id, &epath, raw) {
                evses.push(e);
            }
        }
        Some(Location {
            country_code,
            party_id,
            name: Text::non_empty(&wire.name),
            address,
            city,
            postal_code: Text::non_empty(&wire.postal_code),
            country,
            lat,
            lon,
            operator: wire.operator.as_ref().and_then(|o| Text::non_empty(&o.name)),
            time_zone,
            publish,
            evses,
            opening_times,
            parking_type,
            facilities,
            last_updated: Text::non_empty(&wire.last_updated),
            id,
        })
    }

    /// A list of enum names (upper-cased); entries that are not text, or fail `known`, are
    /// dropped and reported.
    fn names(&mut self, at: &At<'_>, field: &str, v: Option<&Value>, known: impl Fn(&str) -> bool) -> Vec<String> {
        let items = match v {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.problem(
                    ProblemKind::Repaired,
                    at,
                    field,
                    format!("{field} is {}, expected an array; ignored", kind_of(other)),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match value_text(item).map(|s| s.to_ascii_uppercase()) {
                Some(s) if known(&s) => out.push(s),
                _ => self.problem(
                    ProblemKind::Repaired,
                    at,
                    &format!("{field}[{i}]"),
                    format!("unknown value {item}, dropped"),
                ),
            }
        }
        out
    }

    /// OCPI `Hours`. Unreadable periods are dropped and reported; an object with nothing usable
    /// in it becomes `None` (read as always open).
    fn hours(&mut self, at: &At<'_>, v: &Value) -> Option<Hours> {
        let Value::Object(map) = v else {
            self.problem(
                ProblemKind::Repaired,
                at,
                "opening_times",
                format!("opening_times is {}, ignored", kind_of(v)),
            );
            return None;
        };
        let twentyfourseven = match map.get("twentyfourseven") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
            _ => false,
        };
        let list = |key: &str| match map.get(key) {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        let mut regular_hours = Vec::new();
        for (i, r) in list("regular_hours").iter().enumerate() {
            let weekday = r.get("weekday").and_then(Value::as_u64).filter(|d| (1..=7).contains(d));
            let begin = r.get("period_begin").and_then(Value::as_str).and_then(parse_hhmm);
            let end = r.get("period_end").and_then(Value::as_str).and_then(parse_hhmm);
            match (weekday, begin, end) {
                (Some(weekday), Some(begin_min), Some(end_min)) => {
                    regular_hours.push(RegularHours { weekday: weekday as u8, begin_min, end_min })
                }
                _ => self.problem(
                    ProblemKind::Repaired,
                    at,
                    &format!("opening_times.regular_hours[{i}]"),
                    "unreadable regular hours (weekday 1–7, HH:MM), dropped",
                ),
            }
        }
        let periods = |key: &str, ctx: &mut Ctx| {
            let mut out = Vec::new();
            for (i, p) in list(key).iter().enumerate() {
                let begin = p.get("period_begin").and_then(Value::as_str).and_then(parse_instant);
                let end = p.get("period_end").and_then(Value::as_str).and_then(parse_instant);
                match (begin, end) {
                    (Some(begin_s), Some(end_s)) => out.push(ExceptionalPeriod { begin_s, end_s }),
                    _ => ctx.problem(
                        ProblemKind::Repaired,
                        at,
                        &format!("opening_times.{key}[{i}]"),
                        "unreadable period (RFC 3339 begin and end), dropped",
                    ),
                }
            }
            out
        };
        let exceptional_openings = periods("exceptional_openings", self);
        let exceptional_closings = periods("exceptional_closings", self);
        let nothing = regular_hours.is_empty() && exceptional_openings.is_empty() && exceptional_closings.is_empty();
        // `twentyfourseven: false` and nothing else is what the feed said (never open); anything
        // else without a usable period is a broken object.
        if !twentyfourseven && nothing && map.get("twentyfourseven") != Some(&Value::Bool(false)) {
            self.problem(ProblemKind::Repaired, at, "opening_times", "no usable opening hours, read as always open");
            return None;
        }
        Some(Hours { twentyfourseven, regular_hours, exceptional_openings, exceptional_closings })
    }

    fn coordinates(&mut self, at: &At<'_>, c: Option<&ocpi::GeoLocation>) -> Option<(f64, f64)> {
        let Some(c) = c else {
            self.problem(ProblemKind::Skipped, at, "coordinates", "missing coordinates");
            return None;
        };
        let lat = self.number(at, "coordinates.latitude", c.latitude.as_ref());
        let lon = self.number(at, "coordinates.longitude", c.longitude.as_ref());
        let (Some(lat), Some(lon)) = (lat, lon) else {
            self.problem(ProblemKind::Skipped, at, "coordinates", "no usable coordinates");
            return None;
        };
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            self.problem(ProblemKind::Skipped, at, "coordinates", format!("coordinates out of range: {lat}, {lon}"));
            return None;
        }
        if lat == 0.0 && lon == 0.0 {
            self.problem(ProblemKind::Skipped, at, "coordinates", "coordinates are 0, 0 (a placeholder, not a place)");
            return None;
        }
        Some((lat, lon))
    }

    /// A finite number from a JSON number or a numeric string (with stray spaces or a comma).
    fn number(&mut self, at: &At<'_>, field: &str, v: Option<&Value>) -> Option<f64> {
        let parsed = match v? {
            Value::Null => return None,
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().replace(',', ".").parse::<f64>().ok(),
            _ => None,
        };
        match parsed {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                let shown = v.map(|v| v.to_string()).unwrap_or_default();
                self.problem(ProblemKind::Repaired, at, field, format!("not a number: {shown}, ignored"));
                None
            }
        }
    }

    fn evse(&mut self, location_id: &str, path: &str, raw: Value) -> Option<Evse> {
        let raw_uid = raw.get("uid").and_then(value_text);
        let at = At { location_id: Some(location_id), evse_uid: raw_uid.as_deref(), path };
        let wire: ocpi::Evse = self.wire(&at, &raw)?;
        let uid = match (Text::non_empty(&wire.uid), Text::non_empty(&wire.evse_id)) {
            (Some(uid), _) => uid,
            (None, Some(evse_id)) => {
                self.problem(ProblemKind::Repaired, &at, "uid", "missing uid, used evse_id");
                evse_id
            }
            (None, None) => {
                self.problem(ProblemKind::Skipped, &at, "uid", "missing uid and evse_id");
                return None;
            }
        };
        let at = At { location_id: Some(location_id), evse_uid: Some(&uid), path };
        let status = match wire.status.as_ref().map(|t| t.0.as_str()) {
            Some(s) => EvseStatus::parse(s).unwrap_or_else(|| {
                self.problem(ProblemKind::Repaired, &at, "status", format!("unknown status {s:?}, read as UNKNOWN"));
                EvseStatus::Unknown
            }),
            None => {
                self.problem(ProblemKind::Repaired, &at, "status", "missing status, read as UNKNOWN");
                EvseStatus::Unknown
            }
        };
        let capabilities = wire
            .capabilities
            .unwrap_or_default()
            .iter()
            .filter_map(value_text)
            .map(|s| s.to_ascii_uppercase())
            .collect();
        let parking_restrictions = self.names(&at, "parking_restrictions", wire.parking_restrictions.as_ref(), |s| {
            ParkingRestriction::parse(s).is_some()
        });
        let mut connectors = Vec::new();
        for (k, raw) in wire.connectors.unwrap_or_default().into_iter().enumerate() {
            let cpath = format!("{path}.connectors[{k}]");
            if let Some(c) = self.connector(&at, &cpath, raw) {
                connectors.push(c);
            }
        }
        if connectors.is_empty() {
            self.problem(ProblemKind::Skipped, &at, "connectors", "no usable connector");
            return None;
        }
        Some(Evse {
            uid,
            evse_id: Text::non_empty(&wire.evse_id),
            status,
            capabilities,
            connectors,
            parking_restrictions,
            last_updated: Text::non_empty(&wire.last_updated),
        })
    }

    fn connector(&mut self, evse: &At<'_>, path: &str, raw: Value) -> Option<Connector> {
        let at = At { location_id: evse.location_id, evse_uid: evse.evse_uid, path };
        let wire: ocpi::Connector = self.wire(&at, &raw)?;
        let id = Text::non_empty(&wire.id).unwrap_or_else(|| {
            self.problem(ProblemKind::Repaired, &at, "id", "missing connector id, used its position");
            path.rsplit('[').next().unwrap_or("0").trim_end_matches(']').to_string()
        });
        let raw_standard = Text::non_empty(&wire.standard).unwrap_or_default();
        let standard = match canonical_connector_type(&raw_standard) {
            Some(c) => {
                if c != raw_standard {
                    self.problem(ProblemKind::Repaired, &at, "standard", format!("{raw_standard:?} read as {c}"));
                }
                c.to_string()
            }
            None => {
                // Keep it: the EVSE still exists and may match "any plug" searches.
                self.problem(
                    ProblemKind::Repaired,
                    &at,
                    "standard",
                    format!("unknown connector type {raw_standard:?}, kept as OTHER"),
                );
                raw_standard
            }
        };
        let format = match wire.format.as_ref().map(|t| t.0.as_str()) {
            Some(s) => ConnectorFormat::parse(s),
            None => None,
        }
        .unwrap_or_else(|| {
            self.problem(ProblemKind::Repaired, &at, "format", "missing or unknown format, read as SOCKET");
            ConnectorFormat::Socket
        });
        let power_type = wire.power_type.as_ref().and_then(|t| PowerType::parse(&t.0)).unwrap_or_else(|| {
            let guess = if crate::plug::PlugFamily::of(&standard, format).is_dc() {
                PowerType::Dc
            } else {
                PowerType::Ac1Phase
            };
            self.problem(
                ProblemKind::Repaired,
                &at,
                "power_type",
                format!("missing or unknown power_type, read as {guess:?} from the plug"),
            );
            guess
        });
        let max_voltage = match &wire.max_voltage {
            Some(v) if !v.is_null() => self.whole(&at, "max_voltage", Some(v)),
            _ => self.whole(&at, "voltage", wire.voltage.as_ref()),
        };
        let max_amperage = match &wire.max_amperage {
            Some(v) if !v.is_null() => self.whole(&at, "max_amperage", Some(v)),
            _ => self.whole(&at, "amperage", wire.amperage.as_ref()),
        };
        let mut tariff_ids: Vec<String> = wire.tariff_ids.unwrap_or_default().iter().filter_map(value_text).collect();
        if tariff_ids.is_empty() {
            tariff_ids.extend(wire.tariff_id.as_ref().and_then(value_text));
        }
        let max_electric_power = self.whole(&at, "max_electric_power", wire.max_electric_power.as_ref());
        Some(Connector { id, standard, format, power_type, max_voltage, max_amperage, max_electric_power, tariff_ids })
    }

    /// A non-negative whole number (volts, amperes, watts); rounds decimals, drops the rest.
    fn whole(&mut self, at: &At<'_>, field: &str, v: Option<&Value>) -> Option<u32> {
        let x = self.number(at, field, v)?;
        if x < 0.0 || x > f64::from(u32::MAX) {
            self.problem(ProblemKind::Repaired, at, field, format!("{x} out of range, ignored"));
            return None;
        }
        Some(x.round() as u32)
    }
}

/// Text from a JSON string or number, trimmed; `None` when empty or another kind.
fn value_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}
