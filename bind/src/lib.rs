//! The JavaScript binding: convert arguments, call one core function, convert the result.
//! No domain decisions here; errors are mapped once, in [`error`].
//!
//! TypeScript types for options and results are declared beside the code
//! (`typescript_custom_section`), so the generated `.d.ts` has real types, not `any`.

use chargefinder::{
    catalogue_vehicle, vehicle_catalogue, viewport_bbox, Applied, Availability, AvailabilityConfig, Capabilities,
    Capability, ClusterCounts, ClusterIndex, Current, EvseStatus, Filter as CoreFilter, Hit, Live, PlugFamily, PlugSet,
    Report, Station, StationIndex, Vehicle, ViewCache,
};
use js_sys::{Array, Float64Array, Uint32Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[cfg(feature = "ocpi")]
mod ocpi;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A plug family code. */
export type PlugCode = "CCS1" | "CCS2" | "CHADEMO" | "TYPE2_SOCKET" | "TYPE2_CABLE" | "TYPE1" | "NACS" | "MCS"
  | "SCHUKO" | "DOMESTIC" | "INDUSTRIAL" | "NEMA" | "GBT_AC" | "GBT_DC" | "CHAOJI" | "TYPE3" | "PANTOGRAPH"
  | "TESLA_ROADSTER" | "OTHER";

/** OCPI EVSE status. */
export type EvseStatus = "AVAILABLE" | "BLOCKED" | "CHARGING" | "INOPERATIVE" | "OUTOFORDER" | "PLANNED"
  | "REMOVED" | "RESERVED" | "UNKNOWN";

/** A car, as in the catalogue (`vehicles()`), or described by the driver. */
export interface VehicleSpec {
  name: string;
  /** Plug families the car takes directly. */
  inlets: PlugCode[];
  maxAcKw: number;
  maxDcKw: number;
  batteryKwh?: number;
  /** Families the driver carries an adapter for. */
  adapters?: PlugCode[];
}

/** One model of the vehicle catalogue, with where its figures come from. */
export interface CatalogueVehicle { id: string; region: "EU" | "NA"; source: string; vehicle: VehicleSpec; }

/** What the driver asked for; every field is optional and the empty filter matches everything. */
export interface FilterOptions {
  /** Any of these plug families (default: any plug). */
  plugs?: PlugCode[];
  /** Minimum EVSE power in kW (default 0). */
  minPowerKw?: number;
  /** Only EVSEs available now (default false). */
  availableNow?: boolean;
  /** Leave out broken, removed and planned EVSEs, and those not heard from recently (default false). */
  workingOnly?: boolean;
  /** Only AC or only DC connectors. */
  current?: "AC" | "DC";
  /** Only connectors that fit this car: a catalogue id ("vw-id3-pro") or a description. Power is what the car draws. */
  vehicle?: string | VehicleSpec;
  /** Minimum reliability, 0–1 (share of recent days working; needs live status). */
  minReliability?: number;
  /** Only these operators (case-insensitive names). */
  operators?: string[];
  /** Never these operators. */
  excludeOperators?: string[];
  /** EVSEs must have all of these OCPI capabilities, e.g. "REMOTE_START_STOP_CAPABLE", "CREDIT_CARD_PAYABLE". */
  capabilities?: string[];
  /** Only locations open at this instant (milliseconds since 1970, as Date.now()). */
  openAt?: number;
}

/** One map cluster. `station` is set when the cluster holds exactly one station. */
export interface ClusterInfo { lat: number; lon: number; stations: number; matchingEvses: number; availableEvses: number; station: number | null; }

/** A station along a route. */
export interface RouteStation extends StationHit {
  /** Distance along the route to the point nearest the station, metres. */
  alongM: number;
  /** Extra distance to get there and back, metres (2 × the distance from the route). */
  detourM: number;
}

/** The result of one status update. */
export type Applied = "updated" | "stale" | "unknown_evse" | "bad_time" | "no_status";

/** One result of a query, for display. */
export interface StationHit {
  /** Position of the station in this index (use with station()). */
  index: number;
  id: string;
  name: string;
  lat: number;
  lon: number;
  operator: string | null;
  /** Great-circle distance from the query point, metres. */
  distanceM: number;
  matchingEvses: number;
  availableEvses: number;
  bestPowerKw: number;
}

export interface EvseInfo { uid: string; plugs: PlugCode[]; maxPowerKw: number; status: EvseStatus; }
export interface StationInfo { id: string; name: string; lat: number; lon: number; operator: string | null; evses: EvseInfo[]; }

/** One compact station row (`fromStations`): id, name, lat, lon, operator, EVSEs as
 * [uid, plug bit mask, power kW, status code] (bits and codes as in `fromColumns`). */
export type StationRow = [string, string, number, number, string | null, [string, number, number, number][]];

/** One skipped or repaired item of an import. */
export interface ImportProblem {
  kind: "skipped" | "repaired";
  location_id: string | null;
  evse_uid: string | null;
  /** JSON path into the input list, e.g. "[12].evses[0].status". */
  path: string;
  reason: string;
}

/** What an import made of the input. */
export interface ImportReport {
  locations_seen: number;
  locations: number;
  evses: number;
  connectors: number;
  skipped: number;
  repaired: number;
  problems: ImportProblem[];
}
"#;

mod error {
    use wasm_bindgen::JsValue;

    /// A JS `Error` with a `name` per kind, so callers can branch on `err.name`.
    pub fn js_error(name: &str, message: impl AsRef<str>) -> JsValue {
        let e = js_sys::Error::new(message.as_ref());
        e.set_name(name);
        e.into()
    }

    /// The input could not be read (not JSON, no OCPI locations, wrong type).
    pub fn input(message: impl AsRef<str>) -> JsValue {
        js_error("ChargeFinderInputError", message)
    }

    /// An argument was out of range or of the wrong type.
    pub fn argument(message: impl AsRef<str>) -> JsValue {
        js_error("ChargeFinderArgumentError", message)
    }

    /// Something the data cannot answer (no tariff loaded, no OCPI object kept, …).
    #[cfg(feature = "ocpi")]
    pub fn unavailable(message: impl AsRef<str>) -> JsValue {
        js_error("ChargeFinderUnavailableError", message)
    }
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error::js_error("ChargeFinderError", e.to_string()))
}

fn from_js<T: serde::de::DeserializeOwned>(what: &str, v: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| error::argument(format!("{what}: {e}")))
}

/// JSON text from a string or a parsed object.
fn json_text(what: &str, input: &JsValue) -> Result<String, JsValue> {
    match input.as_string() {
        Some(s) => Ok(s),
        None if input.is_object() => js_sys::JSON::stringify(input)
            .map(String::from)
            .map_err(|_| error::input(format!("{what}: the object could not be turned into JSON (cyclic?)"))),
        None => Err(error::input(format!("{what} expects a JSON string or parsed JSON"))),
    }
}

/// Rejects option names we do not know: serde-wasm-bindgen looks fields up by name and never
/// sees unknown ones, and a misspelt option (`minPowerKW`) silently filtering nothing is worse
/// than an error.
fn check_keys(what: &str, v: &JsValue, known: &[&str]) -> Result<(), JsValue> {
    if let Some(obj) = v.dyn_ref::<js_sys::Object>() {
        for key in js_sys::Object::keys(obj).iter().filter_map(|k| k.as_string()) {
            if !known.contains(&key.as_str()) {
                return Err(error::argument(format!(
                    "{what}.{key}: unknown option; the options are {}",
                    known.join(", ")
                )));
            }
        }
    }
    Ok(())
}

fn plug_set(what: &str, codes: &[String]) -> Result<PlugSet, JsValue> {
    codes.iter().try_fold(PlugSet::EMPTY, |set, code| {
        PlugFamily::from_code(code).map(|f| set.with(f)).ok_or_else(|| {
            error::argument(format!("{what}: unknown plug code {code:?}; use one of CCS2, TYPE2_SOCKET, CHADEMO, …"))
        })
    })
}

const FILTER_KEYS: &[&str] = &[
    "plugs",
    "minPowerKw",
    "availableNow",
    "workingOnly",
    "current",
    "vehicle",
    "minReliability",
    "operators",
    "excludeOperators",
    "capabilities",
    "openAt",
];

/// The JS side of a filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FilterOptions {
    plugs: Vec<String>,
    min_power_kw: f32,
    available_now: bool,
    working_only: bool,
    current: Option<String>,
    /// A catalogue id or a `VehicleSpec`, read in `vehicle_from` (kept as a JS value: going
    /// through `serde_json::Value` would put its map code into the wasm for one option).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    vehicle: JsValue,
    min_reliability: f32,
    operators: Vec<String>,
    exclude_operators: Vec<String>,
    capabilities: Vec<String>,
    open_at: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VehicleSpec {
    name: String,
    inlets: Vec<String>,
    max_ac_kw: f32,
    max_dc_kw: f32,
    #[serde(default)]
    battery_kwh: f32,
    #[serde(default)]
    adapters: Vec<String>,
}

fn vehicle_from(v: JsValue) -> Result<Option<Vehicle>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(id) = v.as_string() {
        return catalogue_vehicle(&id)
            .map(|c| Some(c.vehicle.clone()))
            .ok_or_else(|| error::argument(format!("filter.vehicle: no catalogue vehicle {id:?}; see vehicles()")));
    }
    if !v.is_object() {
        return Err(error::argument("filter.vehicle: expected a catalogue id or a VehicleSpec object"));
    }
    check_keys("filter.vehicle", &v, &["name", "inlets", "maxAcKw", "maxDcKw", "batteryKwh", "adapters"])?;
    let spec: VehicleSpec = from_js("filter.vehicle", v)?;
    Ok(Some(Vehicle {
        name: spec.name,
        inlets: plug_set("filter.vehicle.inlets", &spec.inlets)?,
        max_ac_kw: spec.max_ac_kw,
        max_dc_kw: spec.max_dc_kw,
        battery_kwh: spec.battery_kwh,
        adapters: plug_set("filter.vehicle.adapters", &spec.adapters)?,
    }))
}

/// A driver's filter, compiled once and passed to every query.
#[wasm_bindgen]
#[derive(Debug, Clone, Default)]
pub struct Filter {
    inner: CoreFilter,
}

#[wasm_bindgen]
impl Filter {
    /// Compiles filter options; throws `ChargeFinderArgumentError` naming a bad option.
    /// `new Filter()` matches every published EVSE. Queries borrow a filter: compile it once,
    /// reuse it for every query until the driver changes it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "FilterOptions | undefined")] options: JsValue,
    ) -> Result<Filter, JsValue> {
        if options.is_undefined() || options.is_null() {
            return Ok(Filter::default());
        }
        check_keys("filter", &options, FILTER_KEYS)?;
        let o: FilterOptions = from_js("filter", options)?;
        let current = match o.current.as_deref() {
            None => None,
            Some(c) if c.eq_ignore_ascii_case("AC") => Some(Current::Ac),
            Some(c) if c.eq_ignore_ascii_case("DC") => Some(Current::Dc),
            Some(c) => return Err(error::argument(format!("filter.current: {c:?} is neither \"AC\" nor \"DC\""))),
        };
        let capabilities = o.capabilities.iter().try_fold(Capabilities::default(), |set, name| {
            Capability::parse(name)
                .map(|c| set.with(c))
                .ok_or_else(|| error::argument(format!("filter.capabilities: unknown OCPI capability {name:?}")))
        })?;
        Ok(Filter {
            inner: CoreFilter {
                plugs: plug_set("filter.plugs", &o.plugs)?,
                min_power_kw: o.min_power_kw,
                available_now: o.available_now,
                working_only: o.working_only,
                current,
                vehicle: vehicle_from(o.vehicle)?,
                min_reliability: o.min_reliability,
                operators: o.operators,
                exclude_operators: o.exclude_operators,
                capabilities,
                open_at: o.open_at.map(|ms| (ms / 1000.0).floor() as i64),
                ..CoreFilter::default()
            },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StationHit<'a> {
    index: u32,
    id: &'a str,
    name: &'a str,
    lat: f64,
    lon: f64,
    operator: Option<&'a str>,
    distance_m: f64,
    matching_evses: u32,
    available_evses: u32,
    best_power_kw: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    along_m: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detour_m: Option<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EvseInfo<'a> {
    uid: &'a str,
    plugs: Vec<&'static str>,
    max_power_kw: f32,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StationInfo<'a> {
    id: &'a str,
    name: &'a str,
    lat: f64,
    lon: f64,
    operator: Option<&'a str>,
    evses: Vec<EvseInfo<'a>>,
}

/// One model of `vehicles()` (the `CatalogueVehicle` type).
#[derive(Serialize)]
struct CatalogueOut<'a> {
    id: &'a str,
    region: &'a str,
    source: &'a str,
    vehicle: VehicleOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VehicleOut<'a> {
    name: &'a str,
    inlets: Vec<&'static str>,
    max_ac_kw: f32,
    max_dc_kw: f32,
    battery_kwh: f32,
    adapters: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClusterInfo {
    lat: f64,
    lon: f64,
    stations: u32,
    matching_evses: u32,
    available_evses: u32,
    station: Option<u32>,
}

fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// Cluster counts for one filter and one state of the live table, valid for `from_s..until_s`.
#[derive(Debug)]
struct CachedCounts {
    filter: CoreFilter,
    generation: u64,
    from_s: i64,
    until_s: i64,
    counts: ClusterCounts,
}

/// A charging network loaded from compact rows or columns (or, in `chargefinder/ocpi`, from OCPI
/// or OCM), indexed for queries, with live status and, there, tariffs.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ChargeFinder {
    index: StationIndex,
    report: Report,
    live: Availability,
    clusters: Option<ClusterIndex>,
    /// The last counts `clusters` computed, reused while the filter, the live table and the
    /// time window they were computed for still hold (panning and zooming only walk the cells).
    cluster_counts: Option<CachedCounts>,
    /// `nearest`'s filtered view of the index, kept while the filter's static part stays the
    /// same (status updates do not invalidate it).
    views: ViewCache,
    /// The OCPI model, the objects as received and the tariffs (the `ocpi` build only).
    #[cfg(feature = "ocpi")]
    ocpi: ocpi::OcpiData,
}

#[wasm_bindgen]
impl ChargeFinder {
    fn assemble(index: StationIndex, report: Report) -> Self {
        let live = Availability::new(&index, now_s(), AvailabilityConfig::default());
        ChargeFinder {
            index,
            report,
            live,
            clusters: None,
            cluster_counts: None,
            views: ViewCache::default(),
            #[cfg(feature = "ocpi")]
            ocpi: ocpi::OcpiData::default(),
        }
    }

    /// Bulk load from columns. Station `i` has coordinates `lat[i]`, `lon[i]` and EVSEs
    /// `evseOffset[i] .. evseOffset[i + 1]`; per EVSE a plug bit mask (bit = PlugFamily order:
    /// CCS1 = 1, CCS2 = 2, CHADEMO = 4, TYPE2_SOCKET = 8, …), a power in kW and an OCPI status
    /// code (0 AVAILABLE, 1 BLOCKED, 2 CHARGING, 3 INOPERATIVE, 4 OUTOFORDER, 5 PLANNED,
    /// 6 REMOVED, 7 RESERVED, 8 UNKNOWN). Station ids are their positions as text.
    #[wasm_bindgen(js_name = fromColumns)]
    pub fn from_columns(
        lat: &[f64],
        lon: &[f64],
        #[wasm_bindgen(js_name = evseOffset)] evse_offset: &[u32],
        plugs: &[u32],
        #[wasm_bindgen(js_name = powerKw)] power_kw: &[f32],
        status: &[u8],
    ) -> Result<ChargeFinder, JsValue> {
        let n = lat.len();
        if lon.len() != n || evse_offset.len() != n + 1 {
            return Err(error::argument(format!(
                "fromColumns: lat ({n}) and lon ({}) must have the same length and evseOffset one more ({})",
                lon.len(),
                evse_offset.len()
            )));
        }
        let e = plugs.len();
        if power_kw.len() != e || status.len() != e || evse_offset.last().copied() != Some(e as u32) {
            return Err(error::argument(format!(
                "fromColumns: plugs ({e}), powerKw ({}) and status ({}) must have one entry per EVSE, and evseOffset must end at {e}",
                power_kw.len(),
                status.len()
            )));
        }
        let mut stations = Vec::with_capacity(n);
        for i in 0..n {
            let (a, b) = (evse_offset[i] as usize, evse_offset[i + 1] as usize);
            if a > b || b > e {
                return Err(error::argument(format!(
                    "fromColumns: evseOffset[{i}..{}] = {a}..{b} is not a range of EVSEs",
                    i + 1
                )));
            }
            if !(-90.0..=90.0).contains(&lat[i]) || !(-180.0..=180.0).contains(&lon[i]) {
                return Err(error::argument(format!(
                    "fromColumns: station {i} is at {}, {}: out of range",
                    lat[i], lon[i]
                )));
            }
            let evses = (a..b)
                .map(|j| chargefinder::EvseSummary {
                    uid: j.to_string(),
                    plugs: PlugSet(plugs[j]),
                    max_power_kw: power_kw[j],
                    status: EvseStatus::from_u8(status[j]),
                    caps: Default::default(),
                    price: None,
                })
                .collect();
            stations.push(Station {
                id: i.to_string(),
                name: String::new(),
                lat: lat[i],
                lon: lon[i],
                operator: None,
                evses,
                extra: Default::default(),
            });
        }
        let report = Report { locations_seen: n, locations: n, evses: e, ..Report::default() };
        // The columns' statuses are the live table's starting point: `Availability::new` seeds
        // the table from the index's imported statuses, which are these.
        Ok(Self::assemble(StationIndex::new(stations), report))
    }

    /// Loads compact station rows, the form `GET /api/stations` serves: a JSON string or parsed
    /// array of `[id, name, lat, lon, operator, [[evseUid, plugMask, powerKw, statusCode], …]]`
    /// (plug bits and status codes as in `fromColumns`). EVSE uids keep their OCPI ids, so
    /// `setStatus` and `applyPatch` work by OCPI ids as after `fromOcpi`.
    #[wasm_bindgen(js_name = fromStations)]
    pub fn from_stations(
        #[wasm_bindgen(unchecked_param_type = "string | StationRow[]")] input: JsValue,
    ) -> Result<ChargeFinder, JsValue> {
        let text = json_text("fromStations", &input)?;
        let stations: Vec<Station> = serde_json::from_str(&text)
            .map_err(|e| error::input(format!("fromStations: not a list of station rows: {e}")))?;
        if let Some((i, s)) = stations
            .iter()
            .enumerate()
            .find(|(_, s)| !(-90.0..=90.0).contains(&s.lat) || !(-180.0..=180.0).contains(&s.lon))
        {
            return Err(error::input(format!(
                "fromStations: station {i} ({:?}) is at {}, {}: out of range",
                s.id, s.lat, s.lon
            )));
        }
        let evses = stations.iter().map(|s| s.evses.len()).sum();
        let n = stations.len();
        let report = Report { locations_seen: n, locations: n, evses, ..Report::default() };
        Ok(Self::assemble(StationIndex::new(stations), report))
    }

    /// Number of stations in the index.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.index.len() as u32
    }

    /// Number of EVSEs (the size of the live status table).
    #[wasm_bindgen(getter, js_name = evseCount)]
    pub fn evse_count(&self) -> u32 {
        self.index.evse_count() as u32
    }

    /// Bytes per EVSE of the index and the live status table (wasm memory).
    #[wasm_bindgen(js_name = bytesPerEvse)]
    pub fn bytes_per_evse(&self) -> f64 {
        let bytes = self.index.flat_bytes() + Availability::BYTES_PER_EVSE * self.index.evse_count();
        bytes as f64 / self.index.evse_count().max(1) as f64
    }

    /// What the import made of the input: counts, and every skipped or repaired item.
    #[wasm_bindgen(unchecked_return_type = "ImportReport")]
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.report)
    }

    /// Positions of the `k` nearest stations (default 10) with an EVSE matching `filter`, within
    /// `maxDistanceM` metres (default: unlimited), nearest first, by live status. The fast path.
    /// From the second call with the same filter on, a selective filter is answered from a
    /// view of the matching stations (built once, kept until another filter is used).
    pub fn nearest(
        &mut self,
        lat: f64,
        lon: f64,
        k: Option<u32>,
        #[wasm_bindgen(js_name = maxDistanceM)] max_distance_m: Option<f64>,
        filter: &Filter,
    ) -> Result<Uint32Array, JsValue> {
        check_point("nearest", lat, lon)?;
        let max = max_distance_m.unwrap_or(f64::INFINITY);
        let k = k.unwrap_or(10) as usize;
        let live = Some(Live { availability: &self.live, now_s: now_s() });
        let (index, views) = (&self.index, &mut self.views);
        Ok(with_ids(|out| views.nearest_ids(index, lat, lon, k, max, &filter.inner, live, out)))
    }

    /// Like `nearest`, returning plain objects for display.
    #[wasm_bindgen(js_name = nearestStations, unchecked_return_type = "StationHit[]")]
    pub fn nearest_stations(
        &self,
        lat: f64,
        lon: f64,
        k: Option<u32>,
        #[wasm_bindgen(js_name = maxDistanceM)] max_distance_m: Option<f64>,
        filter: &Filter,
    ) -> Result<Array, JsValue> {
        let hits = self.nearest_hits(lat, lon, k, max_distance_m, filter)?;
        hits.iter().map(|h| self.hit_object(h, None)).collect()
    }

    /// Positions of every station in `[west, south, east, north]` (degrees; `west > east`
    /// crosses the antimeridian) with an EVSE matching `filter`, in no particular order (the
    /// index's spatial order, like kdbush's `range`). The fast path for drawing. Small results
    /// (as those of `nearest` and `clusters`) are views into a shared pooled `ArrayBuffer`, as
    /// Node's small `Buffer`s are: their values are their own, but `.buffer` is shared (use
    /// `.slice()` before transferring one to a worker).
    #[wasm_bindgen(js_name = inBbox)]
    pub fn in_bbox(
        &self,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
        filter: &Filter,
    ) -> Result<Uint32Array, JsValue> {
        check_bbox("inBbox", [west, south, east, north])?;
        // Only status and reliability tests read the live table and the clock.
        let live = filter.inner.tests_status().then(|| self.live_now());
        Ok(with_ids(|out| self.index.in_bbox_ids([west, south, east, north], &filter.inner, live, out)))
    }

    /// `inBbox` without the `Result` and the copy out through imports (each was about a tenth
    /// of a small box query): the ids go into the reused buffer followed by their count, and the
    /// count's address is returned (0 for a box `inBbox` rejects). The JS wrapper that
    /// scripts/build-pkg.sh puts in its place (bind/in-bbox.js) copies them into a fresh
    /// `Uint32Array`, and calls the checked `inBbox` above for the error.
    #[wasm_bindgen(js_name = inBboxRaw, skip_typescript)]
    pub fn in_bbox_raw(&self, west: f64, south: f64, east: f64, north: f64, filter: &Filter) -> u32 {
        let bbox = [west, south, east, north];
        if !bbox_ok(bbox) {
            return 0;
        }
        let live = filter.inner.tests_status().then(|| self.live_now());
        IDS.with(|cell| {
            // The buffer keeps its length between queries (see `in_bbox_ids_at`).
            let mut ids = cell.take();
            let n = self.index.in_bbox_ids_at(bbox, &filter.inner, live, &mut ids);
            if ids.len() <= n {
                ids.resize(n + 1, 0);
            }
            let at = ids.get_mut(n).map_or(0, |slot| {
                *slot = n as u32;
                slot as *const u32 as u32
            });
            // `set` would drop the empty `Vec` that `take` left: an out-of-line call for nothing.
            std::mem::forget(cell.replace(ids));
            at
        })
    }

    /// Like `inBbox`, returning plain objects (distance is from the box's centre).
    #[wasm_bindgen(js_name = inBboxStations, unchecked_return_type = "StationHit[]")]
    pub fn in_bbox_stations(
        &self,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
        filter: &Filter,
    ) -> Result<Array, JsValue> {
        let hits = self.bbox_hits(west, south, east, north, filter)?;
        hits.iter().map(|h| self.hit_object(h, None)).collect()
    }

    /// Stations within `maxDistanceM` of a route (`[lat0, lon0, lat1, lon1, …]`), ordered along it.
    #[wasm_bindgen(js_name = alongRoute, unchecked_return_type = "RouteStation[]")]
    pub fn along_route(
        &self,
        route: &[f64],
        #[wasm_bindgen(js_name = maxDistanceM)] max_distance_m: f64,
        filter: &Filter,
    ) -> Result<Array, JsValue> {
        if route.len() < 2 || !route.len().is_multiple_of(2) {
            return Err(error::argument(
                "alongRoute: route must be [lat0, lon0, lat1, lon1, …] with at least one point",
            ));
        }
        let pts: Vec<(f64, f64)> = route.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        if let Some((i, _)) =
            pts.iter().enumerate().find(|(_, p)| !(-90.0..=90.0).contains(&p.0) || !(-180.0..=180.0).contains(&p.1))
        {
            return Err(error::argument(format!("alongRoute: point {i} is out of range")));
        }
        let f = filter.clone();
        let hits = self.index.along_route(&pts, max_distance_m, &f.inner, Some(self.live_now()));
        hits.iter().map(|r| self.hit_object(&r.hit, Some((r.along_m, r.detour_m)))).collect()
    }

    /// Builds the cluster index (done on first use of `clusters` otherwise). Returns nothing;
    /// separate so its cost can be measured and paid at load time.
    #[wasm_bindgen(js_name = buildClusters)]
    pub fn build_clusters(&mut self) {
        self.clusters = Some(ClusterIndex::new(&self.index));
        self.cluster_counts = None;
    }

    /// Map clusters for a viewport at a zoom level, as a flat `Float64Array` of 6 numbers per
    /// cluster: `lon, lat, stations, matchingEvses, availableEvses, station` (`station` is the
    /// station's position for a one-station cluster, else -1). The fast path for drawing.
    pub fn clusters(
        &mut self,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
        zoom: u8,
        filter: &Filter,
    ) -> Result<Float64Array, JsValue> {
        // The cluster list and the flat numbers in buffers kept across calls: a zoomed-in
        // viewport has a few clusters, and allocating (and growing) two new lists cost more.
        let (mut list, mut flat) = (CLUSTERS.take(), FLAT.take());
        let found = self.cluster_list([west, south, east, north], zoom, filter, &mut list);
        flatten_clusters(&list, &mut flat);
        let out = found.map(|()| {
            if flat.is_empty() {
                // One JS call (no view of wasm memory to copy from): most zoomed-in viewports.
                return Float64Array::new_with_length(0);
            }
            pooled(flat.len() * 8, |buf, at| {
                let a = Float64Array::new_with_byte_offset_and_length(buf, at, flat.len() as u32);
                a.copy_from(&flat);
                a
            })
            .unwrap_or_else(|| Float64Array::from(&flat[..]))
        });
        CLUSTERS.set(list);
        FLAT.set(flat);
        out
    }

    /// `clusters` without the `Result` and the copy out through imports (as `inBboxRaw`): the
    /// flat numbers go into the reused buffer followed by their count, and the count's address
    /// is returned (0 for arguments `clusters` rejects). The JS wrapper bind/in-bbox.js puts in
    /// its place copies them into a fresh `Float64Array`, and calls the checked `clusters` for
    /// the error.
    #[wasm_bindgen(js_name = clustersRaw, skip_typescript)]
    pub fn clusters_raw(&mut self, west: f64, south: f64, east: f64, north: f64, zoom: u8, filter: &Filter) -> u32 {
        let (mut list, mut flat) = (CLUSTERS.take(), FLAT.take());
        let at = match self.cluster_list([west, south, east, north], zoom, filter, &mut list) {
            Ok(()) => {
                flatten_clusters(&list, &mut flat);
                flat.push(flat.len() as f64);
                flat.last().map_or(0, |slot| slot as *const f64 as u32)
            }
            Err(_) => 0,
        };
        CLUSTERS.set(list);
        FLAT.set(flat);
        at
    }

    /// Like `clusters`, as plain objects.
    #[wasm_bindgen(js_name = clusterObjects, unchecked_return_type = "ClusterInfo[]")]
    pub fn cluster_objects(
        &mut self,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
        zoom: u8,
        filter: &Filter,
    ) -> Result<Array, JsValue> {
        let mut list = Vec::new();
        self.cluster_list([west, south, east, north], zoom, filter, &mut list)?;
        list.iter()
            .map(|c| {
                to_js(&ClusterInfo {
                    lat: c.lat,
                    lon: c.lon,
                    stations: c.stations,
                    matching_evses: c.matching_evses,
                    available_evses: c.available_evses,
                    station: c.station,
                })
            })
            .collect()
    }

    /// The `[west, south, east, north]` of a `width`×`height` px web-mercator viewport.
    #[wasm_bindgen(js_name = viewportBbox)]
    pub fn viewport_bbox(lat: f64, lon: f64, zoom: f64, width: u32, height: u32) -> Vec<f64> {
        viewport_bbox(lat, lon, zoom, width, height).to_vec()
    }

    /// One status update by OCPI ids; `lastUpdated` is RFC 3339 or ms since 1970 (default now).
    /// Older than what is stored: ignored (`"stale"`).
    #[wasm_bindgen(js_name = setStatus, unchecked_return_type = "Applied")]
    pub fn set_status(
        &mut self,
        #[wasm_bindgen(js_name = locationId)] location_id: &str,
        #[wasm_bindgen(js_name = evseUid)] evse_uid: &str,
        #[wasm_bindgen(unchecked_param_type = "EvseStatus")] status: &str,
        #[wasm_bindgen(js_name = lastUpdated, unchecked_param_type = "string | number | undefined")]
        last_updated: JsValue,
    ) -> Result<JsValue, JsValue> {
        let status = EvseStatus::parse(status)
            .ok_or_else(|| error::argument(format!("setStatus: unknown status {status:?}")))?;
        let t = time_arg("setStatus: lastUpdated", &last_updated)?;
        let applied = self.live.apply_ocpi(&self.index, location_id, evse_uid, status, t);
        self.after_status(applied)
    }

    /// Applies an OCPI EVSE PATCH body (`{status, last_updated}`, a string or an object).
    #[wasm_bindgen(js_name = applyPatch, unchecked_return_type = "Applied")]
    pub fn apply_patch(
        &mut self,
        #[wasm_bindgen(js_name = locationId)] location_id: &str,
        #[wasm_bindgen(js_name = evseUid)] evse_uid: &str,
        #[wasm_bindgen(unchecked_param_type = "string | { status?: EvseStatus; last_updated?: string }")]
        patch: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = json_text("applyPatch", &patch)?;
        let applied =
            self.live.apply_ocpi_patch(&self.index, location_id, evse_uid, text.as_bytes()).map_err(error::argument)?;
        self.after_status(applied)
    }

    /// The EVSE slot of OCPI ids (for `applyStatuses`), or undefined.
    #[wasm_bindgen(js_name = evseSlot)]
    pub fn evse_slot(
        &self,
        #[wasm_bindgen(js_name = locationId)] location_id: &str,
        #[wasm_bindgen(js_name = evseUid)] evse_uid: &str,
    ) -> Option<u32> {
        self.index.evse_slot(location_id, evse_uid)
    }

    /// The EVSE slots of a station, as `[first, end)`; for `fromColumns` EVSE `evseOffset[i] + k`
    /// is slot `evseSlots(i)[0] + k`.
    #[wasm_bindgen(js_name = evseSlots)]
    pub fn evse_slots(&self, station: u32) -> Result<Vec<u32>, JsValue> {
        self.check_station(station)?;
        let r = self.index.evse_slots(station);
        Ok(vec![r.start, r.end])
    }

    /// A batch of status updates by slot: statuses as OCPI codes (see `fromColumns`), times in
    /// ms since 1970. Returns how many were applied (the rest were stale or unknown).
    #[wasm_bindgen(js_name = applyStatuses)]
    pub fn apply_statuses(&mut self, slots: &[u32], statuses: &[u8], times: &[f64]) -> Result<u32, JsValue> {
        if statuses.len() != slots.len() || times.len() != slots.len() {
            return Err(error::argument("applyStatuses: slots, statuses and times must have the same length"));
        }
        let mut applied = 0;
        for i in 0..slots.len() {
            let t = (times[i] / 1000.0).floor() as i64;
            if self.live.apply(slots[i], EvseStatus::from_u8(statuses[i]), t) == Applied::Updated {
                applied += 1;
            }
        }
        Ok(applied)
    }

    /// One station by position, with its EVSEs and their live status.
    #[wasm_bindgen(unchecked_return_type = "StationInfo")]
    pub fn station(&self, index: u32) -> Result<JsValue, JsValue> {
        let s = self.check_station(index)?;
        let now = now_s();
        let slots = self.index.evse_slots(index);
        to_js(&StationInfo {
            id: &s.id,
            name: &s.name,
            lat: s.lat,
            lon: s.lon,
            operator: s.operator.as_deref(),
            evses: s
                .evses
                .iter()
                .zip(slots)
                .map(|(e, slot)| EvseInfo {
                    uid: &e.uid,
                    plugs: e.plugs.iter().map(PlugFamily::code).collect(),
                    max_power_kw: e.max_power_kw,
                    status: self.live.status(slot, now).as_str(),
                })
                .collect(),
        })
    }

    /// The vehicle catalogue: popular EU and North American models, each with its source.
    #[wasm_bindgen(unchecked_return_type = "CatalogueVehicle[]")]
    pub fn vehicles() -> Result<JsValue, JsValue> {
        let list: Vec<CatalogueOut> = vehicle_catalogue()
            .iter()
            .map(|c| CatalogueOut {
                id: &c.id,
                region: &c.region,
                source: &c.source,
                vehicle: VehicleOut {
                    name: &c.vehicle.name,
                    inlets: c.vehicle.inlets.iter().map(PlugFamily::code).collect(),
                    max_ac_kw: c.vehicle.max_ac_kw,
                    max_dc_kw: c.vehicle.max_dc_kw,
                    battery_kwh: c.vehicle.battery_kwh,
                    adapters: c.vehicle.adapters.iter().map(PlugFamily::code).collect(),
                },
            })
            .collect();
        to_js(&list)
    }
}

thread_local! {
    /// The id buffer of `nearest` and `inBbox`, reused across calls (its memory stays grown).
    static IDS: std::cell::Cell<Vec<u32>> = const { std::cell::Cell::new(Vec::new()) };
    /// The cluster list and flat numbers of `clusters`, reused the same way.
    static CLUSTERS: std::cell::Cell<Vec<chargefinder::Cluster>> = const { std::cell::Cell::new(Vec::new()) };
    static FLAT: std::cell::Cell<Vec<f64>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The clusters as flat numbers, six each: lon, lat, stations, matching EVSEs, available EVSEs,
/// the station's position for a cluster of one (else -1).
fn flatten_clusters(list: &[chargefinder::Cluster], flat: &mut Vec<f64>) {
    flat.clear();
    for c in list {
        flat.extend_from_slice(&[
            c.lon,
            c.lat,
            f64::from(c.stations),
            f64::from(c.matching_evses),
            f64::from(c.available_evses),
            c.station.map_or(-1.0, f64::from),
        ]);
    }
}

/// Runs an id query into the reused buffer and copies the ids out to JS.
fn with_ids(query: impl FnOnce(&mut Vec<u32>)) -> Uint32Array {
    IDS.with(|cell| {
        let mut ids = cell.take();
        query(&mut ids);
        let out = if ids.is_empty() {
            // One JS call (no view of wasm memory to copy from): an empty box.
            Uint32Array::new_with_length(0)
        } else {
            pooled(ids.len() * 4, |buf, at| {
                let a = Uint32Array::new_with_byte_offset_and_length(buf, at, ids.len() as u32);
                a.copy_from(&ids);
                a
            })
            .unwrap_or_else(|| Uint32Array::from(&ids[..]))
        };
        cell.set(ids);
        out
    })
}

/// Bytes of each pooled `ArrayBuffer`; results of up to an eighth of this are cut from one.
const POOL_BYTES: usize = 64 * 1024;

thread_local! {
    /// The `ArrayBuffer` small results are cut from, and the first free byte in it.
    static POOL: std::cell::RefCell<Option<(js_sys::ArrayBuffer, usize)>> = const { std::cell::RefCell::new(None) };
}

/// A fresh typed array for a small result, as a view of its own bytes in a shared pool buffer
/// (what Node's `Buffer.from` does with its 8 KB pool): a new typed array of more than 64
/// bytes gets its own off-heap backing store in V8, and allocating that cost more than a small
/// box query itself (about 1 µs of 5 at 10k stations). Views never overlap: every result keeps
/// its values until it is collected. `None` for empty and large results (their own buffer).
fn pooled<T>(bytes: usize, make: impl FnOnce(&js_sys::ArrayBuffer, u32) -> T) -> Option<T> {
    if bytes == 0 || bytes > POOL_BYTES / 8 {
        return None;
    }
    POOL.with(|cell| {
        let mut pool = cell.borrow_mut();
        let (buf, at) = match pool.take() {
            Some((buf, at)) if at + bytes <= POOL_BYTES => (buf, at),
            _ => (js_sys::ArrayBuffer::new(POOL_BYTES as u32), 0),
        };
        let out = make(&buf, at as u32);
        // Keep every view 8-byte aligned (Float64Array needs it).
        *pool = Some((buf, (at + bytes).next_multiple_of(8)));
        Some(out)
    })
}

/// A latitude and longitude in degrees, or an argument error naming the call.
fn check_point(what: &str, lat: f64, lon: f64) -> Result<(), JsValue> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(error::argument(format!(
            "{what}: lat must be in [-90, 90] and lon in [-180, 180], got {lat}, {lon}"
        )));
    }
    Ok(())
}

/// A `[west, south, east, north]` in degrees, or an argument error naming the call.
fn check_bbox(what: &str, [west, south, east, north]: [f64; 4]) -> Result<(), JsValue> {
    if !bbox_ok([west, south, east, north]) {
        return Err(error::argument(format!(
            "{what}: [{west}, {south}, {east}, {north}] is not [west, south, east, north]"
        )));
    }
    Ok(())
}

/// Finite, and south ≤ north.
fn bbox_ok(bbox: [f64; 4]) -> bool {
    bbox.iter().all(|x| x.is_finite()) && bbox[1] <= bbox[3]
}

/// RFC 3339 text, ms since 1970, or undefined (now) → unix seconds.
fn time_arg(what: &str, v: &JsValue) -> Result<i64, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(now_s());
    }
    if let Some(ms) = v.as_f64() {
        return Ok((ms / 1000.0).floor() as i64);
    }
    v.as_string()
        .and_then(|s| chargefinder::parse_instant(&s))
        .ok_or_else(|| error::argument(format!("{what}: expected RFC 3339 text or milliseconds since 1970")))
}

impl ChargeFinder {
    fn live_now(&self) -> Live<'_> {
        Live { availability: &self.live, now_s: now_s() }
    }

    fn check_station(&self, i: u32) -> Result<&Station, JsValue> {
        self.index
            .stations()
            .get(i as usize)
            .ok_or_else(|| error::argument(format!("no station at index {i} (there are {})", self.index.len())))
    }

    fn after_status(&mut self, applied: Applied) -> Result<JsValue, JsValue> {
        to_js(&applied)
    }

    fn nearest_hits(
        &self,
        lat: f64,
        lon: f64,
        k: Option<u32>,
        max_distance_m: Option<f64>,
        filter: &Filter,
    ) -> Result<Vec<Hit>, JsValue> {
        check_point("nearest", lat, lon)?;
        let f = &filter.inner;
        let k = k.unwrap_or(10) as usize;
        Ok(self.index.nearest_live(lat, lon, k, max_distance_m.unwrap_or(f64::INFINITY), f, Some(self.live_now())))
    }

    fn bbox_hits(&self, west: f64, south: f64, east: f64, north: f64, filter: &Filter) -> Result<Vec<Hit>, JsValue> {
        check_bbox("inBbox", [west, south, east, north])?;
        let f = &filter.inner;
        Ok(self.index.in_bbox([west, south, east, north], f, Some(self.live_now())))
    }

    fn cluster_list(
        &mut self,
        [west, south, east, north]: [f64; 4],
        zoom: u8,
        filter: &Filter,
        out: &mut Vec<chargefinder::Cluster>,
    ) -> Result<(), JsValue> {
        out.clear();
        if [west, south, east, north].iter().any(|x| !x.is_finite()) || south > north {
            return Err(error::argument(format!(
                "clusters: [{west}, {south}, {east}, {north}] is not [west, south, east, north]"
            )));
        }
        if self.clusters.is_none() {
            self.build_clusters();
        }
        let Some(ci) = &self.clusters else { return Ok(()) };
        let f = &filter.inner;
        let now = now_s();
        let generation = self.live.generation();
        let fresh = self
            .cluster_counts
            .as_ref()
            .is_some_and(|c| c.generation == generation && (c.from_s..c.until_s).contains(&now) && c.filter == *f);
        if !fresh {
            // One O(n) pass per filter or status change, not per viewport.
            let counts = ci.counts(&self.index, f, Some(Live { availability: &self.live, now_s: now }));
            self.cluster_counts = Some(CachedCounts {
                filter: f.clone(),
                generation,
                from_s: now,
                until_s: self.live.valid_until(now),
                counts,
            });
        }
        let Some(cached) = &self.cluster_counts else { return Ok(()) };
        ci.clusters_in(&cached.counts, [west, south, east, north], zoom, out);
        Ok(())
    }

    fn hit_object(&self, h: &Hit, route: Option<(f64, f64)>) -> Result<JsValue, JsValue> {
        let s = self.index.station(h.station);
        to_js(&StationHit {
            index: h.station,
            id: &s.id,
            name: &s.name,
            lat: s.lat,
            lon: s.lon,
            operator: s.operator.as_deref(),
            distance_m: h.distance_m,
            matching_evses: h.matching_evses,
            available_evses: h.available_evses,
            best_power_kw: h.best_power_kw,
            along_m: route.map(|r| r.0),
            detour_m: route.map(|r| r.1),
        })
    }
}
