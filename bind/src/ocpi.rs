//! The OCPI side of the binding (the `ocpi` feature, the `chargefinder/ocpi` module): loading
//! OCPI and Open Charge Map JSON, the OCPI objects as received, and the tariff engine. A map that
//! loads compact rows or columns never needs this code, so the core module leaves it out and
//! stays small (see "Package size" in BENCHMARKS.md).

use chargefinder::tariff::{self, ChargePlan, Language, TariffTable};
use chargefinder::{import_locations, import_ocm_pois, ocpi, Location, StationIndex};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::{check_keys, error, from_js, json_text, now_s, to_js, ChargeFinder, Filter};

#[wasm_bindgen(typescript_custom_section)]
const TS_OCPI_TYPES: &str = r#"
/** The driver's planned charge (the connector's power and AC/DC are filled in per charger). */
export interface PlanOptions {
  battery_kwh: number;
  soc_from_pct: number;
  soc_to_pct: number;
  car_max_ac_kw: number;
  car_max_dc_kw: number;
}

/** When and how the charge is priced. */
export interface PriceOptions {
  /** RFC 3339 with offset; default now. */
  start?: string;
  /** Minutes parked after charging (default 0). */
  parkingMin?: number;
  lang?: "en" | "nl" | "de" | "fr";
}

/** A price as the tariff engine gives it; money and amounts are decimal text (never floating point). */
export interface Estimate {
  tariff_id: string;
  currency: string;
  /** Total excluding VAT. */
  excl_vat: string;
  /** Total including VAT; null when a component's VAT is unknown (absent is not 0%). */
  incl_vat: string | null;
  energy_kwh: string;
  charging_s: string;
  parking_s: string;
  reservation_s: string;
  /** Cost per dimension (ENERGY, TIME, PARKING_TIME, FLAT, …). */
  dimensions: unknown[];
  /** The individual price lines. */
  lines: unknown[];
  /** Which of min_price / max_price applied, if any. */
  limited_by: unknown;
  notes: unknown[];
}

/** One charger priced for the plan. `id` is "stationIndex/evseUid/connectorId". */
export interface PricedCharger {
  index: number;
  id: string;
  distance_m: number;
  estimate: Estimate | null;
  price_unknown: string | null;
  words: string | null;
}

/** The result of loading tariffs. */
export interface TariffLoad { loaded: number; errors: { tariff_id: string | null; path: string; reason: string }[]; }

"#;

/// What only OCPI (and OCM) loads carry.
#[derive(Debug, Default)]
pub(crate) struct OcpiData {
    /// The full model (for prices); empty when loaded from columns or rows.
    pub(crate) locations: Vec<Location>,
    /// The objects as received, per station (OCPI loads only).
    pub(crate) raw: Vec<serde_json::Value>,
    /// Every tariff added (later ones with the same id win in the table).
    pub(crate) tariff_list: Vec<tariff::Tariff>,
    pub(crate) tariffs: TariffTable,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct PriceOptions {
    start: Option<String>,
    parking_min: f64,
    lang: Option<Language>,
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
        let text = json_text("fromOcpi", &input)?;
        let imported = import_locations(text.as_bytes()).map_err(|e| error::input(e.to_string()))?;
        // Keep each location's object as received, for `location(i)`.
        let mut items = serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| e.to_string())
            .and_then(ocpi::payload_items)
            .map_err(error::input)?;
        let raw = imported
            .source_index
            .iter()
            .map(|&i| items.get_mut(i).map(serde_json::Value::take).unwrap_or_default())
            .collect();
        let index = StationIndex::from_locations(&imported.locations);
        let mut cf = Self::assemble(index, imported.report);
        cf.ocpi.locations = imported.locations;
        cf.ocpi.raw = raw;
        Ok(cf)
    }

    /// Loads Open Charge Map POIs (a JSON string or parsed array) into the same model.
    #[wasm_bindgen(js_name = fromOcm)]
    pub fn from_ocm(
        #[wasm_bindgen(unchecked_param_type = "string | object[]")] input: JsValue,
    ) -> Result<ChargeFinder, JsValue> {
        let text = json_text("fromOcm", &input)?;
        let imported = import_ocm_pois(text.as_bytes()).map_err(|e| error::input(e.to_string()))?;
        let index = StationIndex::from_locations(&imported.locations);
        let mut cf = Self::assemble(index, imported.report);
        cf.ocpi.locations = imported.locations;
        Ok(cf)
    }

    /// One location as its OCPI object, as received (OCPI loads only).
    #[wasm_bindgen(unchecked_return_type = "object")]
    pub fn location(&self, index: u32) -> Result<JsValue, JsValue> {
        self.check_station(index)?;
        let raw = self
            .ocpi
            .raw
            .get(index as usize)
            .ok_or_else(|| error::unavailable("location: OCPI objects are kept only for fromOcpi loads"))?;
        to_js(raw)
    }

    /// Adds OCPI tariffs (a JSON string or parsed; envelope, `{data}`, array or one tariff).
    /// Bad tariffs are listed in the result, not thrown.
    #[wasm_bindgen(js_name = addTariffs, unchecked_return_type = "TariffLoad")]
    pub fn add_tariffs(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | object")] input: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = json_text("addTariffs", &input)?;
        let parsed = tariff::parse_tariffs(text.as_bytes()).map_err(|e| error::input(e.to_string()))?;
        let loaded = parsed.tariffs.len();
        self.ocpi.tariff_list.extend(parsed.tariffs);
        self.ocpi.tariffs = TariffTable::new(self.ocpi.tariff_list.clone());
        to_js(&serde_json::json!({ "loaded": loaded, "errors": parsed.errors }))
    }

    /// The price of a planned charge under one tariff, and the tariff in words.
    /// `request` is `{time_zone, start, plan: {…, connector_kw, dc}, parking_min?, lang?}`.
    #[wasm_bindgen(unchecked_return_type = "{ estimate: Estimate; words: string }")]
    pub fn quote(
        &self,
        #[wasm_bindgen(js_name = tariffId)] tariff_id: &str,
        #[wasm_bindgen(unchecked_param_type = "object")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let t = self
            .ocpi
            .tariffs
            .get(tariff_id)
            .ok_or_else(|| error::unavailable(format!("quote: no tariff {tariff_id:?} was added")))?;
        let req: tariff::QuoteRequest = from_js("quote request", request)?;
        let q = tariff::quote(t, &req).map_err(|e| error::unavailable(format!("quote: {e}")))?;
        to_js(&q)
    }

    /// The tariff in words (en, nl, de, fr).
    #[wasm_bindgen(js_name = describeTariff)]
    pub fn describe_tariff(
        &self,
        #[wasm_bindgen(js_name = tariffId)] tariff_id: &str,
        #[wasm_bindgen(unchecked_param_type = "\"en\" | \"nl\" | \"de\" | \"fr\"")] lang: JsValue,
    ) -> Result<String, JsValue> {
        let t = self
            .ocpi
            .tariffs
            .get(tariff_id)
            .ok_or_else(|| error::unavailable(format!("describeTariff: no tariff {tariff_id:?} was added")))?;
        let lang: Language = if lang.is_undefined() { Language::En } else { from_js("lang", lang)? };
        Ok(tariff::describe(t, lang))
    }

    /// Cheapest near me: the `k` nearest matching stations (default 10, within `maxDistanceM`),
    /// every matching connector priced for the plan, cheapest first (then nearest).
    #[wasm_bindgen(js_name = cheapestNear, unchecked_return_type = "PricedCharger[]")]
    #[allow(clippy::too_many_arguments)]
    pub fn cheapest_near(
        &self,
        lat: f64,
        lon: f64,
        k: Option<u32>,
        #[wasm_bindgen(js_name = maxDistanceM)] max_distance_m: Option<f64>,
        filter: &Filter,
        #[wasm_bindgen(unchecked_param_type = "PlanOptions")] plan: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PriceOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        if self.ocpi.locations.is_empty() {
            return Err(error::unavailable("cheapestNear: prices need the OCPI model (load with fromOcpi)"));
        }
        if self.ocpi.tariffs.is_empty() {
            return Err(error::unavailable("cheapestNear: no tariffs were added (addTariffs)"));
        }
        check_keys("plan", &plan, &["battery_kwh", "soc_from_pct", "soc_to_pct", "car_max_ac_kw", "car_max_dc_kw"])?;
        let mut plan_json: serde_json::Value = from_js("plan", plan)?;
        if let Some(o) = plan_json.as_object_mut() {
            o.insert("connector_kw".into(), 0.into());
            o.insert("dc".into(), false.into());
        }
        let plan: ChargePlan = serde_json::from_value(plan_json).map_err(|e| error::argument(format!("plan: {e}")))?;
        let options: PriceOptions = if options.is_undefined() || options.is_null() {
            PriceOptions::default()
        } else {
            from_js("options", options)?
        };
        let start = match &options.start {
            Some(s) => s.parse::<jiff::Timestamp>().map_err(|e| error::argument(format!("options.start: {e}")))?,
            None => jiff::Timestamp::from_second(now_s()).map_err(|e| error::argument(e.to_string()))?,
        };
        if !options.parking_min.is_finite() || options.parking_min < 0.0 {
            return Err(error::argument("options.parkingMin must be a number of minutes ≥ 0"));
        }
        let parking_s = rust_decimal::Decimal::try_from(options.parking_min * 60.0).unwrap_or_default();
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(error::argument(format!(
                "cheapestNear: lat must be in [-90, 90] and lon in [-180, 180], got {lat}, {lon}"
            )));
        }
        let q = tariff::NearQuery {
            lat,
            lon,
            k: k.unwrap_or(10) as usize,
            max_distance_m: max_distance_m.unwrap_or(f64::INFINITY),
            filter: &filter.inner,
            live: Some(self.live_now()),
        };
        let at = tariff::PriceAt { plan, start, parking_s, lang: options.lang.unwrap_or(Language::En) };
        to_js(&tariff::cheapest_near(&self.index, &self.ocpi.locations, &self.ocpi.tariffs, &q, &at))
    }
}
