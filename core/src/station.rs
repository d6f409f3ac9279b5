//! The compact station: what the index, the list and the map need, and nothing more.
//!
//! This is also the browser's download format (`GET /api/stations`): each station serialises as
//! a JSON array `[id, name, lat, lon, operator, [[uid, plugs, kW, status], …]]`, so the whole NL
//! set is a few hundred kB gzipped instead of 53 MB of OCPI.
//!
//! Later additions are optional trailing elements, left out when empty, so every older row
//! still reads and an unchanged station still writes its old form:
//! * per EVSE, `[…, status, caps, price]`: the payment capabilities ([`DRIVER_CAPS`] bits of
//!   OCPI `capabilities`) and the price per kWh (see [`EvseSummary::price`]);
//! * per station, a 7th element `{"h": hours, "tz": rule, "r": reliability, "cur": currency}`
//!   (see [`Extra`]).

use serde::{Deserialize, Serialize};

#[cfg(feature = "hours")]
use crate::model::Hours;
use crate::model::{Capabilities, Capability, EvseStatus, Location};
use crate::plug::PlugSet;

/// The capabilities a driver filters by (how to start and pay); the compact form keeps only
/// these, so a filter on them gives the same answer from the compact stations as from OCPI.
pub const DRIVER_CAPS: Capabilities = Capabilities(
    (1 << Capability::RemoteStartStopCapable as u16)
        | (1 << Capability::CreditCardPayable as u16)
        | (1 << Capability::DebitCardPayable as u16)
        | (1 << Capability::ContactlessCardSupport as u16)
        | (1 << Capability::ChipCardSupport as u16)
        | (1 << Capability::PedTerminal as u16),
);

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
    /// Opening hours, reliability, currency; empty in older rows.
    pub extra: Extra,
}

/// What a station row may carry after its EVSEs (all optional; see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extra {
    /// Opening hours, when the location is not simply always open (feature `hours`: without
    /// it, as in the npm package's core module, rows' hours are ignored and every station
    /// counts as open).
    #[cfg(feature = "hours")]
    #[serde(rename = "h", default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
    /// The location's time zone as a POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`), with
    /// `hours`: the rule rather than the IANA name, so that a browser evaluates hours without a
    /// table of zones (see [`crate::tz::posix_rule`]).
    #[cfg(feature = "hours")]
    #[serde(rename = "tz", default, skip_serializing_if = "String::is_empty")]
    pub tz_rule: String,
    /// Share of recent days the station's EVSEs were working, % (the server's status history);
    /// `None` without history.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub reliability_pct: Option<u8>,
    /// ISO 4217 currency of the EVSEs' prices.
    #[serde(rename = "cur", default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Some EVSE price is excl. VAT (its tariff states no VAT).
    #[serde(rename = "xv", default, skip_serializing_if = "std::ops::Not::not")]
    pub excl_vat: bool,
}

impl Extra {
    pub fn is_empty(&self) -> bool {
        #[cfg(feature = "hours")]
        if self.hours.is_some() || !self.tz_rule.is_empty() {
            return false;
        }
        self.reliability_pct.is_none() && self.currency.is_none() && !self.excl_vat
    }
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
    /// OCPI capabilities, only the [`DRIVER_CAPS`] bits.
    pub caps: Capabilities,
    /// What a kWh costs here incl. VAT (excl. when the tariff states no VAT), in minor units
    /// of the station's currency (cents), for a reference charge under the cheapest applicable
    /// tariff of the EVSE's connectors: computed by the server with the tariff engine; `None`
    /// when unknown. An integer: money is never a float here.
    pub price: Option<u32>,
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
                caps: Capabilities(e.capability_set().0 & DRIVER_CAPS.0),
                price: None,
            })
            .collect();
        #[allow(unused_mut)]
        let mut extra = Extra::default();
        // The same test as the full index's (`Columns::from_locations`): only hours that can
        // close the location need evaluating.
        #[cfg(feature = "hours")]
        {
            extra.hours =
                loc.opening_times.clone().filter(|h| !(h.twentyfourseven && h.exceptional_closings.is_empty()));
            if extra.hours.is_some() {
                extra.tz_rule = crate::tz::posix_rule(&loc.time_zone);
            }
        }
        Station { id: loc.id.clone(), name, lat: loc.lat, lon: loc.lon, operator: loc.operator.clone(), evses, extra }
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

/// `[id, name, lat, lon, operator, evses]`, then the [`Extra`] object when it is not empty.
struct StationRow(Station);

impl Serialize for StationRow {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let s = &self.0;
        let mut t = ser.serialize_tuple(if s.extra.is_empty() { 6 } else { 7 })?;
        t.serialize_element(&s.id)?;
        t.serialize_element(&s.name)?;
        t.serialize_element(&s.lat)?;
        t.serialize_element(&s.lon)?;
        t.serialize_element(&s.operator)?;
        t.serialize_element(&s.evses)?;
        if !s.extra.is_empty() {
            t.serialize_element(&s.extra)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for StationRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StationRow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a station row [id, name, lat, lon, operator, evses, extra?]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<StationRow, A::Error> {
                let missing = || A::Error::custom("station row too short");
                Ok(StationRow(Station {
                    id: a.next_element()?.ok_or_else(missing)?,
                    name: a.next_element()?.ok_or_else(missing)?,
                    lat: a.next_element()?.ok_or_else(missing)?,
                    lon: a.next_element()?.ok_or_else(missing)?,
                    operator: a.next_element()?.ok_or_else(missing)?,
                    evses: a.next_element()?.ok_or_else(missing)?,
                    extra: a.next_element()?.unwrap_or_default(),
                }))
            }
        }
        d.deserialize_seq(V)
    }
}

impl From<StationRow> for Station {
    fn from(r: StationRow) -> Self {
        r.0
    }
}
impl From<Station> for StationRow {
    fn from(s: Station) -> Self {
        StationRow(s)
    }
}

/// An EVSE row: `[uid, plugs, kW, status, caps?, price?]`, or without the uid when it is empty.
///
/// The browser's download leaves the uids out (they are 37% of the gzipped NL download): the
/// live stream names an EVSE by its position in the station's row instead, and the station
/// screen gets uids with the full OCPI object. Both forms read back; `caps` and `price` are
/// written only when set (`caps` as 0 when only the price is).
struct EvseRow(EvseSummary);

impl Serialize for EvseRow {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let e = &self.0;
        let n = 3 + usize::from(!e.uid.is_empty()) + if e.price.is_some() { 2 } else { usize::from(e.caps.0 != 0) };
        let mut t = ser.serialize_tuple(n)?;
        if !e.uid.is_empty() {
            t.serialize_element(&e.uid)?;
        }
        t.serialize_element(&e.plugs.0)?;
        t.serialize_element(&e.max_power_kw)?;
        t.serialize_element(&(e.status as u8))?;
        if e.caps.0 != 0 || e.price.is_some() {
            t.serialize_element(&e.caps.0)?;
        }
        if let Some(p) = e.price {
            t.serialize_element(&p)?;
        }
        t.end()
    }
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
                f.write_str("an EVSE row [uid, plugs, kW, status, caps?, price?] or [plugs, kW, status, caps?, price?]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<EvseRow, A::Error> {
                let missing = || A::Error::custom("EVSE row too short");
                let first: First = a.next_element()?.ok_or_else(missing)?;
                let (uid, plugs) = match first {
                    First::Uid(u) => (u, a.next_element()?.ok_or_else(missing)?),
                    First::Plugs(p) => (String::new(), p),
                };
                let max_power_kw: f32 = a.next_element()?.ok_or_else(missing)?;
                let status: u8 = a.next_element()?.ok_or_else(missing)?;
                let caps: u16 = a.next_element()?.unwrap_or(0);
                let price: Option<u32> = a.next_element()?.flatten();
                Ok(EvseRow(EvseSummary {
                    uid,
                    plugs: PlugSet(plugs),
                    max_power_kw,
                    status: EvseStatus::from_u8(status),
                    caps: Capabilities(caps),
                    price,
                }))
            }
        }
        d.deserialize_seq(V)
    }
}

impl From<EvseRow> for EvseSummary {
    fn from(r: EvseRow) -> Self {
        r.0
    }
}
impl From<EvseSummary> for EvseRow {
    fn from(e: EvseSummary) -> Self {
        EvseRow(e)
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
                caps: Capabilities::EMPTY,
                price: None,
            }],
            extra: Extra::default(),
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

    #[cfg(feature = "hours")]
    /// The additions (payment capabilities, price, opening hours, reliability, currency) are
    /// trailing elements: written only when set, read back exactly, and older rows still read.
    #[test]
    fn rows_with_payment_hours_price_and_reliability_round_trip() {
        use crate::model::{ExceptionalPeriod, RegularHours};
        let app = Capabilities::EMPTY.with(Capability::RemoteStartStopCapable);
        let card = app.with(Capability::CreditCardPayable);
        let evse = |caps, price| EvseSummary {
            uid: String::new(),
            plugs: PlugSet::EMPTY.with(PlugFamily::Type2Socket),
            max_power_kw: 11.0,
            status: EvseStatus::Available,
            caps,
            price,
        };
        let s = Station {
            id: "L1".into(),
            name: "Delft".into(),
            lat: 52.0,
            lon: 4.25,
            operator: None,
            evses: vec![evse(card, Some(39)), evse(app, None), evse(Capabilities::EMPTY, Some(47))],
            extra: Extra {
                hours: Some(Hours {
                    twentyfourseven: false,
                    regular_hours: vec![RegularHours { weekday: 1, begin_min: 480, end_min: 1080 }],
                    exceptional_openings: vec![],
                    exceptional_closings: vec![ExceptionalPeriod { begin_s: 1, end_s: 2 }],
                }),
                tz_rule: "CET-1CEST,M3.5.0,M10.5.0/3".into(),
                reliability_pct: Some(93),
                currency: Some("EUR".into()),
                excl_vat: true,
            },
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"["L1","Delft",52.0,4.25,null,[[8,11.0,0,144,39],[8,11.0,0,128],[8,11.0,0,0,47]],"#,
                r#"{"h":{"twentyfourseven":false,"regular_hours":[{"weekday":1,"begin_min":480,"end_min":1080}],"#,
                r#""exceptional_openings":[],"exceptional_closings":[{"begin_s":1,"end_s":2}]},"#,
                r#""tz":"CET-1CEST,M3.5.0,M10.5.0/3","r":93,"cur":"EUR","xv":true}]"#
            )
        );
        assert_eq!(serde_json::from_str::<Station>(&json).unwrap(), s);
        // Only some of the extras: the rest stay out.
        let only_r: Station = serde_json::from_str(r#"["L2","X",1.0,2.0,null,[[8,11.0,1,0,null]],{"r":50}]"#).unwrap();
        assert_eq!(only_r.extra, Extra { reliability_pct: Some(50), ..Extra::default() });
        assert_eq!(only_r.evses[0].price, None);
        assert_eq!(serde_json::to_string(&only_r).unwrap(), r#"["L2","X",1.0,2.0,null,[[8,11.0,1]],{"r":50}]"#);
        // The old forms read as before, with nothing extra.
        let old: Station = serde_json::from_str(r#"["L1","D",52.0,4.25,null,[["E1",10,50.0,2],[8,11.0,0]]]"#).unwrap();
        assert!(old.extra.is_empty() && old.evses.iter().all(|e| e.caps.is_empty() && e.price.is_none()));
        assert!(serde_json::from_str::<Station>(r#"["L1","D",52.0,4.25,null]"#).is_err());
        assert!(serde_json::from_str::<Station>(r#"["L1","D",52.0,4.25,null,[],{"r":"x"}]"#).is_err());
    }

    #[cfg(feature = "hours")]
    /// From OCPI: only the driver's capabilities, and hours only when they can close the
    /// location, with the zone's POSIX rule.
    #[test]
    fn from_location_keeps_payment_capabilities_and_closing_hours() {
        let json = br#"[{"id":"L","country_code":"NL","party_id":"X","publish":true,"address":"A","city":"C",
            "country":"NLD","coordinates":{"latitude":"52.0","longitude":"4.0"},"time_zone":"Europe/Amsterdam",
            "opening_times":{"twentyfourseven":false,"regular_hours":[{"weekday":1,"period_begin":"08:00","period_end":"18:00"}]},
            "last_updated":"2026-01-01T00:00:00Z",
            "evses":[{"uid":"E","status":"AVAILABLE","capabilities":["RFID_READER","CREDIT_CARD_PAYABLE","RESERVABLE"],
              "last_updated":"2026-01-01T00:00:00Z",
              "connectors":[{"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE",
                "max_voltage":230,"max_amperage":16,"last_updated":"2026-01-01T00:00:00Z"}]}]}]"#;
        let imported = crate::import_locations(json).unwrap();
        let s = Station::from_location(&imported.locations[0]);
        assert_eq!(s.evses[0].caps, Capabilities::EMPTY.with(Capability::CreditCardPayable));
        assert_eq!(s.extra.tz_rule, "CET-1CEST,M3.5.0,M10.5.0/3");
        assert_eq!(s.extra.hours.as_ref().map(|h| h.regular_hours.len()), Some(1));
        let mut always = imported.locations[0].clone();
        always.opening_times = Some(Hours { twentyfourseven: true, ..Hours::default() });
        assert!(Station::from_location(&always).extra.is_empty());
    }

    /// "Hide unreliable" reads the row's reliability: a known one below the bar is left out,
    /// an unknown one is not (nothing says it is unreliable).
    #[test]
    fn station_reliability_filter_reads_the_row() {
        let rows = r#"[["A","A",52.0,4.0,null,[[8,11.0,1]],{"r":90}],["B","B",52.001,4.0,null,[[8,11.0,1]],{"r":50}],
            ["C","C",52.002,4.0,null,[[8,11.0,1]]]]"#;
        let index = crate::StationIndex::new(serde_json::from_str(rows).unwrap());
        let ids = |min| {
            let f = crate::Filter { min_station_reliability_pct: min, ..crate::Filter::default() };
            index
                .nearest(52.0, 4.0, 10, f64::INFINITY, &f)
                .iter()
                .map(|h| index.station(h.station).id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(None), ["A", "B", "C"]);
        assert_eq!(ids(Some(80)), ["A", "C"]);
        assert_eq!(ids(Some(95)), ["C"]);
    }
}
