//! Open Charge Map POIs (`/v3/poi` JSON, verbose or compact) into the same domain model.
//!
//! Mapping (IDs from OCM's `reference.json`, kept in `core/data/ocm-lookup.json`):
//! * a POI is a [`Location`] with id `OCM-{ID}`, party `OCM`, country = `AddressInfo.Country.ISOCode`
//!   (OCM gives ISO 3166 alpha-2), time zone `UTC` (OCM has none; OCM has no opening hours either);
//! * each `Connection` of `Quantity` q becomes q EVSEs of one connector each (an OCPI EVSE
//!   charges one vehicle at a time), uid `{ConnectionID}-{k}`;
//! * `ConnectionTypeID` → OCPI standard and format by [`ocm_connection_type`]; unmapped types are
//!   kept as `OCM_{id}` (plug family Other) and reported;
//! * `CurrentTypeID` 10/20/30 → `AC_1_PHASE`/`AC_3_PHASE`/`DC`; `PowerKW` → `max_electric_power`;
//! * `StatusTypeID` (the connection's, else the POI's) → OCPI status by [`ocm_status`].

use serde_json::Value;

use crate::import::{ImportError, Imported, Problem, ProblemKind, Report};
use crate::model::{Connector, ConnectorFormat, Evse, EvseStatus, Location, PowerType};
use crate::plug::PlugFamily;

/// The OCPI `ConnectorType` and format of an OCM `ConnectionTypeID`; `None` when OCPI has no
/// equivalent (inductive paddles, battery swap, XLR, …).
pub fn ocm_connection_type(id: i64) -> Option<(&'static str, ConnectorFormat)> {
    use ConnectorFormat::{Cable, Socket};
    Some(match id {
        1 => ("IEC_62196_T1", Cable),            // Type 1 (J1772)
        2 => ("CHADEMO", Cable),                 // CHAdeMO
        3 => ("DOMESTIC_G", Socket),             // BS1363 / Type G
        4 => ("IEC_60309_2_single_16", Socket),  // Blue Commando (2P+E)
        8 => ("TESLA_R", Cable),                 // Tesla (Roadster)
        9 => ("NEMA_5_20", Socket),              // NEMA 5-20R
        10 => ("NEMA_14_30", Socket),            // NEMA 14-30
        11 => ("NEMA_14_50", Socket),            // NEMA 14-50
        13 => ("DOMESTIC_C", Socket),            // Europlug 2-Pin (CEE 7/16)
        16 => ("IEC_60309_2_single_16", Socket), // CEE 3 Pin
        17 => ("IEC_60309_2_three_16", Socket),  // CEE 5 Pin
        22 => ("DOMESTIC_B", Socket),            // NEMA 5-15R is plug type B
        23 => ("DOMESTIC_E", Socket),            // CEE 7/5
        25 => ("IEC_62196_T2", Socket),          // Type 2 (Socket Only)
        26 => ("IEC_62196_T3C", Socket),         // SCAME Type 3C
        27 => ("TESLA_S", Cable),                // Tesla Supercharger
        28 => ("DOMESTIC_F", Socket),            // CEE 7/4 - Schuko - Type F
        29 => ("DOMESTIC_I", Socket),            // Type I (AS 3112)
        30 => ("TESLA_S", Cable),                // Tesla (Model S/X)
        32 => ("IEC_62196_T1_COMBO", Cable),     // CCS (Type 1)
        33 => ("IEC_62196_T2_COMBO", Cable),     // CCS (Type 2)
        34 => ("IEC_60309_2_single_16", Socket), // IEC 60309 3-pin
        35 => ("IEC_60309_2_three_16", Socket),  // IEC 60309 5-pin
        36 => ("IEC_62196_T3A", Socket),         // SCAME Type 3A
        1036 => ("IEC_62196_T2", Cable),         // Type 2 (Tethered Connector)
        1037 => ("DOMESTIC_J", Socket),          // T13 Swiss Type J
        1038 => ("GBT_AC", Socket),              // GB-T AC (Socket)
        1039 => ("GBT_AC", Cable),               // GB-T AC (Tethered Cable)
        1040 => ("GBT_DC", Cable),               // GB-T DC
        _ => return None,
    })
}

/// OCM `StatusTypeID` → OCPI status. "Operational" without live data is `UNKNOWN` (working,
/// not known to be free); "Temporarily Unavailable" is OCPI's `INOPERATIVE`.
pub fn ocm_status(id: Option<i64>) -> EvseStatus {
    match id {
        Some(10) => EvseStatus::Available,
        Some(20) => EvseStatus::Charging,
        Some(30) => EvseStatus::Inoperative,
        Some(100) => EvseStatus::OutOfOrder,
        Some(150) => EvseStatus::Planned,
        Some(200 | 210) => EvseStatus::Removed,
        _ => EvseStatus::Unknown,
    }
}

/// OCM `CurrentTypeID` → OCPI power type.
pub fn ocm_current_type(id: i64) -> Option<PowerType> {
    match id {
        10 => Some(PowerType::Ac1Phase),
        20 => Some(PowerType::Ac3Phase),
        30 => Some(PowerType::Dc),
        _ => None,
    }
}

/// Imports Open Charge Map POIs: a JSON array (or a single POI object).
pub fn import_ocm_pois(json: &[u8]) -> Result<Imported, ImportError> {
    let root: Value = serde_json::from_slice(json).map_err(|e| ImportError::Json(e.to_string()))?;
    let items = match root {
        Value::Array(items) => items,
        obj @ Value::Object(_) => vec![obj],
        other => {
            return Err(ImportError::Shape(format!(
                "expected an array of Open Charge Map POIs, found {}",
                crate::ocpi::kind_of(&other)
            )))
        }
    };
    let mut report = Report { locations_seen: items.len(), ..Report::default() };
    let mut locations = Vec::with_capacity(items.len());
    for (i, poi) in items.iter().enumerate() {
        if let Some(loc) = poi_location(&mut report, i, poi) {
            report.evses += loc.evses.len();
            report.connectors += loc.evses.iter().map(|e| e.connectors.len()).sum::<usize>();
            locations.push(loc);
        }
    }
    report.locations = locations.len();
    Ok(Imported { locations, report })
}

fn problem(
    r: &mut Report,
    kind: ProblemKind,
    loc: Option<&str>,
    evse: Option<&str>,
    path: String,
    reason: impl Into<String>,
) {
    match kind {
        ProblemKind::Skipped => r.skipped += 1,
        ProblemKind::Repaired => r.repaired += 1,
    }
    r.problems.push(Problem {
        kind,
        location_id: loc.map(str::to_string),
        evse_uid: evse.map(str::to_string),
        path,
        reason: reason.into(),
    });
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn integer(v: Option<&Value>) -> Option<i64> {
    number(v).filter(|x| x.fract() == 0.0 && x.abs() < 1e15).map(|x| x as i64)
}

fn poi_location(r: &mut Report, i: usize, poi: &Value) -> Option<Location> {
    let path = format!("[{i}]");
    let Some(id) = text(poi.get("ID")).map(|id| format!("OCM-{id}")) else {
        problem(r, ProblemKind::Skipped, None, None, format!("{path}.ID"), "missing POI ID");
        return None;
    };
    let addr = poi.get("AddressInfo").unwrap_or(&Value::Null);
    let (lat, lon) = match (number(addr.get("Latitude")), number(addr.get("Longitude"))) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && (lat, lon) != (0.0, 0.0) =>
        {
            (lat, lon)
        }
        _ => {
            problem(
                r,
                ProblemKind::Skipped,
                Some(&id),
                None,
                format!("{path}.AddressInfo"),
                "no usable Latitude/Longitude",
            );
            return None;
        }
    };
    let poi_status =
        integer(poi.get("StatusTypeID")).or_else(|| integer(poi.get("StatusType").and_then(|s| s.get("ID"))));
    let mut evses = Vec::new();
    let connections = match poi.get("Connections") {
        Some(Value::Array(c)) => c.as_slice(),
        _ => &[],
    };
    for (j, c) in connections.iter().enumerate() {
        let cpath = format!("{path}.Connections[{j}]");
        let cid = text(c.get("ID")).unwrap_or_else(|| j.to_string());
        let type_id =
            integer(c.get("ConnectionTypeID")).or_else(|| integer(c.get("ConnectionType").and_then(|t| t.get("ID"))));
        let (standard, format) = match type_id.and_then(ocm_connection_type) {
            Some((s, f)) => (s.to_string(), f),
            None => {
                let t = type_id.map_or("missing".to_string(), |t| t.to_string());
                problem(
                    r,
                    ProblemKind::Repaired,
                    Some(&id),
                    Some(&cid),
                    format!("{cpath}.ConnectionTypeID"),
                    format!("connection type {t} has no OCPI equivalent, kept as OTHER"),
                );
                (format!("OCM_{t}"), ConnectorFormat::Socket)
            }
        };
        let power_type = match integer(c.get("CurrentTypeID"))
            .or_else(|| integer(c.get("CurrentType").and_then(|t| t.get("ID"))))
            .and_then(ocm_current_type)
        {
            Some(p) => p,
            None => {
                let guess = if PlugFamily::of(&standard, format).is_dc() { PowerType::Dc } else { PowerType::Ac1Phase };
                problem(
                    r,
                    ProblemKind::Repaired,
                    Some(&id),
                    Some(&cid),
                    format!("{cpath}.CurrentTypeID"),
                    format!("missing or unknown current type, read as {guess:?} from the plug"),
                );
                guess
            }
        };
        let whole = |v: Option<f64>| v.filter(|x| *x >= 0.0 && *x < f64::from(u32::MAX)).map(|x| x.round() as u32);
        let connector = Connector {
            id: "1".into(),
            standard,
            format,
            power_type,
            max_voltage: whole(number(c.get("Voltage"))),
            max_amperage: whole(number(c.get("Amps"))),
            max_electric_power: whole(number(c.get("PowerKW")).map(|kw| kw * 1000.0)),
            tariff_ids: Vec::new(),
        };
        let status = ocm_status(integer(c.get("StatusTypeID")).or(poi_status));
        let quantity = integer(c.get("Quantity")).unwrap_or(1);
        let quantity = if (1..=100).contains(&quantity) {
            quantity
        } else {
            problem(
                r,
                ProblemKind::Repaired,
                Some(&id),
                Some(&cid),
                format!("{cpath}.Quantity"),
                format!("quantity {quantity} read as 1"),
            );
            1
        };
        for k in 0..quantity {
            evses.push(Evse {
                uid: format!("{cid}-{k}"),
                evse_id: None,
                status,
                capabilities: Vec::new(),
                connectors: vec![connector.clone()],
                parking_restrictions: Vec::new(),
                last_updated: None,
            });
        }
    }
    let date = |v: Option<&Value>| match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => text(m.get("$date")),
        _ => None,
    };
    Some(Location {
        country_code: text(addr.get("Country").and_then(|c| c.get("ISOCode"))).unwrap_or_default().to_ascii_uppercase(),
        party_id: "OCM".into(),
        name: text(addr.get("Title")),
        address: text(addr.get("AddressLine1")).unwrap_or_default(),
        city: text(addr.get("Town")).unwrap_or_default(),
        postal_code: text(addr.get("Postcode")),
        country: text(addr.get("Country").and_then(|c| c.get("ISOCode"))).unwrap_or_default().to_ascii_uppercase(),
        lat,
        lon,
        operator: text(poi.get("OperatorInfo").and_then(|o| o.get("Title"))),
        time_zone: "UTC".into(),
        publish: true,
        evses,
        opening_times: None,
        parking_type: None,
        facilities: Vec::new(),
        last_updated: date(poi.get("DateLastStatusUpdate")),
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOKUP: &str = include_str!("../data/ocm-lookup.json");

    #[test]
    fn every_ocm_lookup_id_is_decided() {
        let v: Value = serde_json::from_str(LOOKUP).unwrap();
        // Deliberately without an OCPI equivalent.
        let unmapped = [0, 5, 6, 7, 14, 15, 18, 21, 24, 31, 1041, 1042];
        for c in v["ConnectionTypes"].as_array().unwrap() {
            let id = c["ID"].as_i64().unwrap();
            assert!(ocm_connection_type(id).is_some() != unmapped.contains(&id), "connection type {id} {}", c["Title"]);
        }
        for s in v["StatusTypes"].as_array().unwrap() {
            let id = s["ID"].as_i64().unwrap();
            let status = ocm_status(Some(id));
            // OCM's "IsOperational" agrees with OCPI's working.
            if s["IsOperational"] == Value::Bool(false) {
                assert!(!status.is_working(), "status {id}");
            }
            if s["IsOperational"] == Value::Bool(true) {
                assert!(status.is_working() || status == EvseStatus::Inoperative, "status {id}");
            }
        }
        for c in v["CurrentTypes"].as_array().unwrap() {
            assert!(ocm_current_type(c["ID"].as_i64().unwrap()).is_some());
        }
    }

    #[test]
    fn families_of_common_ocm_types() {
        let fam = |id| {
            let (s, f) = ocm_connection_type(id).unwrap();
            PlugFamily::of(s, f)
        };
        assert_eq!(fam(33), PlugFamily::Ccs2);
        assert_eq!(fam(32), PlugFamily::Ccs1);
        assert_eq!(fam(25), PlugFamily::Type2Socket);
        assert_eq!(fam(1036), PlugFamily::Type2Cable);
        assert_eq!(fam(2), PlugFamily::Chademo);
        assert_eq!(fam(1), PlugFamily::Type1);
        assert_eq!(fam(27), PlugFamily::Nacs);
        assert_eq!(fam(28), PlugFamily::Schuko);
    }
}
