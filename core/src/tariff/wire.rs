//! OCPI 2.2.1 `Tariff` wire types: what operators send, before any validation.
//!
//! Lenient in the style of [`crate::ocpi`]: text fields accept numbers, numbers stay raw JSON
//! (real feeds send `"0.39"` as often as `0.39`), and every field is optional, so that
//! [`super::Tariff::from_wire`] can say *which* field of *which* tariff is wrong instead of
//! serde's first complaint.

use serde::Deserialize;
use serde_json::Value;

use crate::ocpi::Text;

/// OCPI `Tariff`.
#[derive(Debug, Clone, Deserialize)]
pub struct WireTariff {
    pub id: Option<Text>,
    pub country_code: Option<Text>,
    pub party_id: Option<Text>,
    pub currency: Option<Text>,
    #[serde(rename = "type")]
    pub kind: Option<Text>,
    pub tariff_alt_text: Option<Vec<Value>>,
    pub tariff_alt_url: Option<Text>,
    pub min_price: Option<Value>,
    pub max_price: Option<Value>,
    pub elements: Option<Vec<Value>>,
    pub start_date_time: Option<Text>,
    pub end_date_time: Option<Text>,
    pub last_updated: Option<Text>,
}

/// OCPI `TariffElement`.
#[derive(Debug, Clone, Deserialize)]
pub struct WireElement {
    pub price_components: Option<Vec<Value>>,
    pub restrictions: Option<WireRestrictions>,
}

/// OCPI `PriceComponent`.
#[derive(Debug, Clone, Deserialize)]
pub struct WirePriceComponent {
    #[serde(rename = "type")]
    pub dimension: Option<Text>,
    pub price: Option<Value>,
    pub vat: Option<Value>,
    pub step_size: Option<Value>,
}

/// OCPI `TariffRestrictions`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WireRestrictions {
    pub start_time: Option<Text>,
    pub end_time: Option<Text>,
    pub start_date: Option<Text>,
    pub end_date: Option<Text>,
    pub min_kwh: Option<Value>,
    pub max_kwh: Option<Value>,
    pub min_current: Option<Value>,
    pub max_current: Option<Value>,
    pub min_power: Option<Value>,
    pub max_power: Option<Value>,
    pub min_duration: Option<Value>,
    pub max_duration: Option<Value>,
    pub day_of_week: Option<Value>,
    pub reservation: Option<Text>,
}

/// OCPI `Price`.
#[derive(Debug, Clone, Deserialize)]
pub struct WirePrice {
    pub excl_vat: Option<Value>,
    pub incl_vat: Option<Value>,
}
