//! OCPI wire types: what operators actually send, before any validation.
//!
//! These are deliberately lenient. Enum values are kept as text, numbers and coordinates as raw
//! JSON, and nested EVSEs and connectors as raw JSON too, so that one bad EVSE never costs the
//! whole location. [`crate::import_locations`] is the one place that turns them into the domain
//! model and reports what it had to skip or repair.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Text that real feeds sometimes send as a number or a boolean; trimmed of stray spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Text(s.trim().to_string())),
            Value::Number(n) => Ok(Text(n.to_string())),
            Value::Bool(b) => Ok(Text(b.to_string())),
            other => Err(serde::de::Error::custom(format!("expected text, found {}", kind_of(&other)))),
        }
    }
}

impl Text {
    /// `None` for empty text: an empty id or name is as good as none.
    pub fn non_empty(t: &Option<Text>) -> Option<String> {
        t.as_ref().map(|t| t.0.clone()).filter(|s| !s.is_empty())
    }
}

/// JSON kind names for error messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// OCPI `Location` (2.2.1). 2.1.1 and 2.2 differ in small ways read here too: 2.1.1 has `type`
/// for `parking_type`, no `publish`, `country_code` or `party_id`; its connectors have
/// `voltage`/`amperage` for `max_voltage`/`max_amperage` and one `tariff_id`.
#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub country_code: Option<Text>,
    pub party_id: Option<Text>,
    pub id: Option<Text>,
    pub publish: Option<Value>,
    pub name: Option<Text>,
    pub address: Option<Text>,
    pub city: Option<Text>,
    pub postal_code: Option<Text>,
    pub country: Option<Text>,
    pub coordinates: Option<GeoLocation>,
    pub operator: Option<BusinessDetails>,
    pub time_zone: Option<Text>,
    pub opening_times: Option<Value>,
    pub parking_type: Option<Value>,
    /// OCPI 2.1.1's name for `parking_type`.
    #[serde(rename = "type")]
    pub location_type: Option<Value>,
    pub facilities: Option<Value>,
    pub evses: Option<Vec<Value>>,
    pub last_updated: Option<Text>,
}

/// OCPI `GeoLocation`: decimal strings by the spec, numbers in many feeds.
#[derive(Debug, Clone, Deserialize)]
pub struct GeoLocation {
    pub latitude: Option<Value>,
    pub longitude: Option<Value>,
}

/// OCPI `BusinessDetails`.
#[derive(Debug, Clone, Deserialize)]
pub struct BusinessDetails {
    pub name: Option<Text>,
    pub website: Option<Text>,
}

/// OCPI `EVSE`.
#[derive(Debug, Clone, Deserialize)]
pub struct Evse {
    pub uid: Option<Text>,
    pub evse_id: Option<Text>,
    pub status: Option<Text>,
    pub capabilities: Option<Vec<Value>>,
    pub connectors: Option<Vec<Value>>,
    pub coordinates: Option<GeoLocation>,
    pub parking_restrictions: Option<Value>,
    pub last_updated: Option<Text>,
}

/// OCPI `Connector`.
#[derive(Debug, Clone, Deserialize)]
pub struct Connector {
    pub id: Option<Text>,
    pub standard: Option<Text>,
    pub format: Option<Text>,
    pub power_type: Option<Text>,
    pub max_voltage: Option<Value>,
    pub max_amperage: Option<Value>,
    pub max_electric_power: Option<Value>,
    /// OCPI 2.1.1: `voltage` and `amperage` instead of `max_voltage` and `max_amperage`.
    pub voltage: Option<Value>,
    pub amperage: Option<Value>,
    pub tariff_ids: Option<Vec<Value>>,
    /// OCPI 2.1.1: one `tariff_id` instead of a list.
    pub tariff_id: Option<Value>,
    pub last_updated: Option<Text>,
}

/// The body of an EVSE status PATCH (`PATCH …/locations/{cc}/{party}/{loc}/{evse_uid}`).
#[derive(Debug, Clone, Deserialize)]
pub struct EvseStatusPatch {
    pub status: Option<Text>,
    pub last_updated: Option<Text>,
}

/// Finds the list of objects in an OCPI response: the envelope (`{"data": […], "status_code": …}`),
/// `{"data": …}` alone, a bare array, or a single object (returned as a list of one).
pub fn payload_items(root: Value) -> Result<Vec<Value>, String> {
    match root {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => match map.remove("data") {
            Some(Value::Array(items)) => Ok(items),
            Some(obj @ Value::Object(_)) => Ok(vec![obj]),
            Some(Value::Null) | None if map.contains_key("status_code") => Err("the OCPI envelope has no data".into()),
            Some(other) => Err(format!("`data` is {}, expected an array", kind_of(&other))),
            None => Ok(vec![Value::Object(map)]),
        },
        other => Err(format!("expected an array or an OCPI envelope, found {}", kind_of(&other))),
    }
}
