//! The JavaScript binding: convert arguments, call one core function, convert the result.
//! No domain decisions here; errors are mapped once, in [`error`].
//!
//! TypeScript types for options and results are declared beside the code
//! (`typescript_custom_section`), so the generated `.d.ts` has real types, not `any`.

use chargefinder::{import_locations, Filter, Hit, PlugFamily, PlugSet, Report, Station, StationIndex};
use js_sys::{Array, Uint32Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A plug family code. */
export type PlugCode = "CCS1" | "CCS2" | "CHADEMO" | "TYPE2_SOCKET" | "TYPE2_CABLE" | "TYPE1" | "NACS" | "MCS"
  | "SCHUKO" | "DOMESTIC" | "INDUSTRIAL" | "NEMA" | "GBT_AC" | "GBT_DC" | "CHAOJI" | "TYPE3" | "PANTOGRAPH"
  | "TESLA_ROADSTER" | "OTHER";

/** OCPI EVSE status. */
export type EvseStatus = "AVAILABLE" | "BLOCKED" | "CHARGING" | "INOPERATIVE" | "OUTOFORDER" | "PLANNED"
  | "REMOVED" | "RESERVED" | "UNKNOWN";

/** What the driver asked for; every field is optional and the empty filter matches everything. */
export interface FilterOptions {
  /** Any of these plug families (default: any plug). */
  plugs?: PlugCode[];
  /** Minimum EVSE power in kW (default 0). */
  minPowerKw?: number;
  /** Only EVSEs available now (default false). */
  availableNow?: boolean;
  /** Leave out broken, removed and planned EVSEs (default false). */
  workingOnly?: boolean;
}

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
}

/// The JS side of a filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FilterOptions {
    plugs: Vec<String>,
    min_power_kw: f32,
    available_now: bool,
    working_only: bool,
}

const FILTER_KEYS: &[&str] = &["plugs", "minPowerKw", "availableNow", "workingOnly"];

fn filter_from_js(v: &JsValue) -> Result<Filter, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Filter::default());
    }
    // serde-wasm-bindgen looks fields up by name and never sees unknown ones; a misspelt option
    // (`minPowerKW`) silently filtering nothing is worse than an error, so check the keys here.
    if let Some(obj) = v.dyn_ref::<js_sys::Object>() {
        for key in js_sys::Object::keys(obj).iter().filter_map(|k| k.as_string()) {
            if !FILTER_KEYS.contains(&key.as_str()) {
                return Err(error::argument(format!(
                    "filter.{key}: unknown option; the options are {}",
                    FILTER_KEYS.join(", ")
                )));
            }
        }
    }
    let o: FilterOptions =
        serde_wasm_bindgen::from_value(v.clone()).map_err(|e| error::argument(format!("filter: {e}")))?;
    let mut plugs = PlugSet::EMPTY;
    for code in &o.plugs {
        let f = PlugFamily::from_code(code).ok_or_else(|| {
            error::argument(format!(
                "filter.plugs: unknown plug code {code:?}; use one of CCS2, TYPE2_SOCKET, CHADEMO, …"
            ))
        })?;
        plugs = plugs.with(f);
    }
    Ok(Filter {
        plugs,
        min_power_kw: o.min_power_kw,
        available_now: o.available_now,
        working_only: o.working_only,
        ..Filter::default()
    })
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

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error::js_error("ChargeFinderError", e.to_string()))
}

/// A charging network loaded from OCPI, indexed for queries.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ChargeFinder {
    index: StationIndex,
    report: Report,
}

#[wasm_bindgen]
impl ChargeFinder {
    /// Loads OCPI 2.2.1 locations: a JSON string, or parsed JSON (an OCPI envelope, `{data}`, an
    /// array of locations). Bad locations are skipped and listed in `report()`; only input that is
    /// not JSON at all, or has no list of locations, throws `ChargeFinderInputError`.
    #[wasm_bindgen(js_name = fromOcpi)]
    pub fn from_ocpi(
        #[wasm_bindgen(unchecked_param_type = "string | object")] input: JsValue,
    ) -> Result<ChargeFinder, JsValue> {
        let text = match input.as_string() {
            Some(s) => s,
            None if input.is_object() => js_sys::JSON::stringify(&input)
                .map_err(|_| error::input("the OCPI object could not be turned into JSON (cyclic?)"))?
                .into(),
            None => return Err(error::input("fromOcpi expects a JSON string or a parsed OCPI object/array")),
        };
        let imported = import_locations(text.as_bytes()).map_err(|e| error::input(e.to_string()))?;
        let stations = imported.locations.iter().map(Station::from_location).collect();
        Ok(ChargeFinder { index: StationIndex::new(stations), report: imported.report })
    }

    /// Number of stations in the index.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.index.len() as u32
    }

    /// What the import made of the input: counts, and every skipped or repaired item.
    #[wasm_bindgen(unchecked_return_type = "ImportReport")]
    pub fn report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.report)
    }

    /// Positions of the `k` nearest stations (default 10) with an EVSE matching `filter`, within
    /// `maxDistanceM` metres (default: unlimited), nearest first. The fast path: no objects made.
    pub fn nearest(
        &self,
        lat: f64,
        lon: f64,
        k: Option<u32>,
        #[wasm_bindgen(js_name = maxDistanceM)] max_distance_m: Option<f64>,
        #[wasm_bindgen(unchecked_param_type = "FilterOptions")] filter: JsValue,
    ) -> Result<Uint32Array, JsValue> {
        let hits = self.nearest_hits(lat, lon, k, max_distance_m, &filter)?;
        let ids: Vec<u32> = hits.iter().map(|h| h.station).collect();
        Ok(Uint32Array::from(&ids[..]))
    }

    /// Like `nearest`, returning plain objects for display.
    #[wasm_bindgen(js_name = nearestStations, unchecked_return_type = "StationHit[]")]
    pub fn nearest_stations(
        &self,
        lat: f64,
        lon: f64,
        k: Option<u32>,
        #[wasm_bindgen(js_name = maxDistanceM)] max_distance_m: Option<f64>,
        #[wasm_bindgen(unchecked_param_type = "FilterOptions")] filter: JsValue,
    ) -> Result<Array, JsValue> {
        let hits = self.nearest_hits(lat, lon, k, max_distance_m, &filter)?;
        hits.iter().map(|h| self.hit_object(h)).collect()
    }

    /// One station by position, with its EVSEs.
    #[wasm_bindgen(unchecked_return_type = "StationInfo")]
    pub fn station(&self, index: u32) -> Result<JsValue, JsValue> {
        let s = self.index.stations().get(index as usize).ok_or_else(|| {
            error::argument(format!("station: no station at index {index} (there are {})", self.index.len()))
        })?;
        to_js(&StationInfo {
            id: &s.id,
            name: &s.name,
            lat: s.lat,
            lon: s.lon,
            operator: s.operator.as_deref(),
            evses: s
                .evses
                .iter()
                .map(|e| EvseInfo {
                    uid: &e.uid,
                    plugs: e.plugs.iter().map(PlugFamily::code).collect(),
                    max_power_kw: e.max_power_kw,
                    status: e.status.as_str(),
                })
                .collect(),
        })
    }
}

impl ChargeFinder {
    fn nearest_hits(
        &self,
        lat: f64,
        lon: f64,
        k: Option<u32>,
        max_distance_m: Option<f64>,
        filter: &JsValue,
    ) -> Result<Vec<Hit>, JsValue> {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(error::argument(format!(
                "nearest: lat must be in [-90, 90] and lon in [-180, 180], got {lat}, {lon}"
            )));
        }
        let filter = filter_from_js(filter)?;
        let k = k.unwrap_or(10) as usize;
        Ok(self.index.nearest(lat, lon, k, max_distance_m.unwrap_or(f64::INFINITY), &filter))
    }

    fn hit_object(&self, h: &Hit) -> Result<JsValue, JsValue> {
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
        })
    }
}
