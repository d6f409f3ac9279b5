//! The compact station: what the index, the list and the map need, and nothing more.
//!
//! This is also the browser's download format (`GET /api/stations`): each station serialises as
//! a JSON array `[id, name, lat, lon, operator, [[uid, plugs, kW, status], …]]`, so the whole NL
//! set is a few hundred kB gzipped instead of 53 MB of OCPI.

use serde::{Deserialize, Serialize};

use crate::model::{EvseStatus, Location};
use crate::plug::PlugSet;

/// One charging location, compact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "StationRow", into = "StationRow")]
pub struct Station {
    /// The OCPI location id.
    pub id: String,
    /// The location's name, or its address when it has none.
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub operator: Option<String>,
    pub evses: Vec<EvseSummary>,
}

/// One EVSE, compact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "EvseRow", into = "EvseRow")]
pub struct EvseSummary {
    pub uid: String,
    /// Every plug family on this EVSE.
    pub plugs: PlugSet,
    /// The most powerful connector, kW (0 when unknown).
    pub max_power_kw: f32,
    /// The status as imported (live updates live in the availability table).
    pub status: EvseStatus,
}

impl Station {
    pub fn from_location(loc: &Location) -> Self {
        let name = loc.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| loc.address.clone());
        let evses = loc
            .evses
            .iter()
            .map(|e| EvseSummary {
                uid: e.uid.clone(),
                plugs: e.connectors.iter().map(|c| c.family()).collect(),
                max_power_kw: e.connectors.iter().filter_map(|c| c.max_power_kw()).fold(0.0f64, f64::max) as f32,
                status: e.status,
            })
            .collect();
        Station { id: loc.id.clone(), name, lat: loc.lat, lon: loc.lon, operator: loc.operator.clone(), evses }
    }

    /// The most powerful EVSE, kW.
    pub fn max_power_kw(&self) -> f32 {
        self.evses.iter().map(|e| e.max_power_kw).fold(0.0, f32::max)
    }

    /// Every plug family at this station.
    pub fn plugs(&self) -> PlugSet {
        self.evses.iter().fold(PlugSet::EMPTY, |s, e| s.union(e.plugs))
    }

    pub fn available_evses(&self) -> usize {
        self.evses.iter().filter(|e| e.status.is_available()).count()
    }
}

#[derive(Serialize, Deserialize)]
struct StationRow(String, String, f64, f64, Option<String>, Vec<EvseSummary>);

impl From<StationRow> for Station {
    fn from(r: StationRow) -> Self {
        Station { id: r.0, name: r.1, lat: r.2, lon: r.3, operator: r.4, evses: r.5 }
    }
}
impl From<Station> for StationRow {
    fn from(s: Station) -> Self {
        StationRow(s.id, s.name, s.lat, s.lon, s.operator, s.evses)
    }
}

/// An EVSE row: `[uid, plugs, kW, status]`, or `[plugs, kW, status]` when the uid is empty.
///
/// The browser's download leaves the uids out (they are 37% of the gzipped NL download): the
/// live stream names an EVSE by its position in the station's row instead, and the station
/// screen gets uids with the full OCPI object. Both forms read back.
#[derive(Serialize)]
#[serde(untagged)]
enum EvseRow {
    Full(String, u32, f32, u8),
    Short(u32, f32, u8),
}

impl<'de> Deserialize<'de> for EvseRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, SeqAccess, Visitor};
        struct V;
        /// A uid (string) or the plug bits (u32). By hand, not `#[serde(untagged)]`: untagged
        /// buffers every value through serde's `Content`, which puts a second JSON value parser
        /// into the app's wasm for this one field.
        enum First {
            Uid(String),
            Plugs(u32),
        }
        impl<'de> Deserialize<'de> for First {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct F;
                impl Visitor<'_> for F {
                    type Value = First;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("an EVSE uid or plug bits")
                    }
                    fn visit_str<E: Error>(self, v: &str) -> Result<First, E> {
                        Ok(First::Uid(v.to_owned()))
                    }
                    fn visit_string<E: Error>(self, v: String) -> Result<First, E> {
                        Ok(First::Uid(v))
                    }
                    fn visit_u64<E: Error>(self, v: u64) -> Result<First, E> {
                        u32::try_from(v).map(First::Plugs).map_err(|_| E::custom("plug bits out of range"))
                    }
                    fn visit_i64<E: Error>(self, v: i64) -> Result<First, E> {
                        u32::try_from(v).map(First::Plugs).map_err(|_| E::custom("plug bits out of range"))
                    }
                }
                d.deserialize_any(F)
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = EvseRow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an EVSE row [uid, plugs, kW, status] or [plugs, kW, status]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<EvseRow, A::Error> {
                let missing = || A::Error::custom("EVSE row too short");
                let first: First = a.next_element()?.ok_or_else(missing)?;
                let (uid, plugs) = match first {
                    First::Uid(u) => (Some(u), a.next_element()?.ok_or_else(missing)?),
                    First::Plugs(p) => (None, p),
                };
                let kw: f32 = a.next_element()?.ok_or_else(missing)?;
                let status: u8 = a.next_element()?.ok_or_else(missing)?;
                Ok(match uid {
                    Some(u) => EvseRow::Full(u, plugs, kw, status),
                    None => EvseRow::Short(plugs, kw, status),
                })
            }
        }
        d.deserialize_seq(V)
    }
}

impl From<EvseRow> for EvseSummary {
    fn from(r: EvseRow) -> Self {
        let (uid, plugs, kw, status) = match r {
            EvseRow::Full(u, p, k, s) => (u, p, k, s),
            EvseRow::Short(p, k, s) => (String::new(), p, k, s),
        };
        EvseSummary { uid, plugs: PlugSet(plugs), max_power_kw: kw, status: EvseStatus::from_u8(status) }
    }
}
impl From<EvseSummary> for EvseRow {
    fn from(e: EvseSummary) -> Self {
        if e.uid.is_empty() {
            EvseRow::Short(e.plugs.0, e.max_power_kw, e.status as u8)
        } else {
            EvseRow::Full(e.uid, e.plugs.0, e.max_power_kw, e.status as u8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plug::PlugFamily;

    /// The browser downloads stations in this exact form: it must not change.
    #[test]
    fn json_row_format_is_stable() {
        let s = Station {
            id: "L1".into(),
            name: "Delft".into(),
            lat: 52.0,
            lon: 4.25,
            operator: Some("Op".into()),
            evses: vec![EvseSummary {
                uid: "E1".into(),
                plugs: PlugSet::EMPTY.with(PlugFamily::Ccs2).with(PlugFamily::Type2Socket),
                max_power_kw: 50.0,
                status: EvseStatus::Charging,
            }],
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"["L1","Delft",52.0,4.25,"Op",[["E1",10,50.0,2]]]"#);
        assert_eq!(serde_json::from_str::<Station>(&json).unwrap(), s);
    }

    /// Without uids (the browser's download), EVSEs are `[plugs, kW, status]` and read back.
    #[test]
    fn rows_without_uids_are_short_and_read_back() {
        let mut s: Station =
            serde_json::from_str(r#"["L1","Delft",52.0,4.25,null,[["E1",10,50.0,2],["E2",8,11.0,0]]]"#).unwrap();
        for e in &mut s.evses {
            e.uid.clear();
        }
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"["L1","Delft",52.0,4.25,null,[[10,50.0,2],[8,11.0,0]]]"#);
        assert_eq!(serde_json::from_str::<Station>(&json).unwrap(), s);
        assert!(serde_json::from_str::<Station>(r#"["L1","D",52.0,4.25,null,[[10,50.0]]]"#).is_err());
        assert!(serde_json::from_str::<Station>(r#"["L1","D",52.0,4.25,null,[["E1"]]]"#).is_err());
        // The first cell is a uid or plug bits (a u32), nothing else.
        for bad in ["-1", "4294967296", "10.5", "true", "null", "[10]"] {
            let row = format!(r#"["L1","D",52.0,4.25,null,[[{bad},50.0,2]]]"#);
            assert!(serde_json::from_str::<Station>(&row).is_err(), "{row}");
        }
        let max: Station = serde_json::from_str(r#"["L1","D",52.0,4.25,null,[[4294967295,50.0,2]]]"#).unwrap();
        assert_eq!(max.evses[0].plugs.0, u32::MAX);
    }
}
