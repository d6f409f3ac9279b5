//! One call for bindings (server, web, npm): a planned charge in, a priced answer out, both
//! plain serde data, so a JavaScript or HTTP layer only converts JSON.
//!
//! ```
//! use chargefinder::tariff::{quote, QuoteRequest, Tariff};
//! let t = Tariff::from_json(br#"{"id":"T","currency":"EUR","elements":[{"price_components":[
//!     {"type":"ENERGY","price":0.30,"vat":21,"step_size":1}]}]}"#).unwrap();
//! let req: QuoteRequest = serde_json::from_str(r#"{
//!     "time_zone": "Europe/Amsterdam", "start": "2026-06-09T10:00:00+02:00",
//!     "plan": {"battery_kwh": 60, "soc_from_pct": 20, "soc_to_pct": 80,
//!              "car_max_ac_kw": 11, "car_max_dc_kw": 100, "connector_kw": 22, "dc": false},
//!     "lang": "nl"}"#).unwrap();
//! let q = quote(&t, &req).unwrap();
//! // 60 kWh × 60 % / 0.90 AC efficiency = 40 kWh × 0.30 = 12.00; × 1.21 = 14.52.
//! assert_eq!(q.estimate.excl_vat.to_string(), "12.00");
//! assert_eq!(q.estimate.incl_vat.unwrap().to_string(), "14.52");
//! assert_eq!(q.words, "€ 0,363/kWh");
//! ```

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::estimate::{estimate, Estimate};
use super::model::Tariff;
use super::plan::ChargePlan;
use super::words::{describe, Language};

/// A planned charge at one connector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRequest {
    /// The location's IANA time zone.
    pub time_zone: String,
    /// RFC 3339 with offset.
    pub start: Timestamp,
    pub plan: ChargePlan,
    /// Minutes parked after charging.
    #[serde(default)]
    pub parking_min: f64,
    /// Language of the words; English when absent.
    #[serde(default)]
    pub lang: Option<Language>,
}

/// The price of the planned charge, and the tariff in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub estimate: Estimate,
    pub words: String,
}

/// Plans the session and prices it. `Err` says why (bad time zone, impossible plan, price
/// unknown under this tariff).
pub fn quote(tariff: &Tariff, req: &QuoteRequest) -> Result<Quote, String> {
    let tz = crate::time_zone(&req.time_zone)
        .ok_or_else(|| format!("time zone {:?}: not an IANA time zone name", req.time_zone))?;
    if !req.parking_min.is_finite() || req.parking_min < 0.0 || req.parking_min > 31.0 * 24.0 * 60.0 {
        return Err(format!("parking time of {} minutes", req.parking_min));
    }
    let parking_s = Decimal::try_from(req.parking_min * 60.0).map_err(|e| e.to_string())?.round_dp(3);
    let session = req.plan.session(req.start, tz, parking_s).map_err(|e| e.to_string())?;
    let estimate = estimate(tariff, &session).map_err(|e| e.to_string())?;
    Ok(Quote { estimate, words: describe(tariff, req.lang.unwrap_or(Language::En)) })
}
