//! My car: which connectors fit it and how fast it charges on each.
//!
//! The catalogue (`core/data/vehicles.json`, compiled in) lists popular EU and North American
//! models with the page each figure was taken from. Figures are the manufacturer's or EV
//! Database's published maxima; real charging curves are lower most of the time.
//! `core/data/vehicles-check.md` says which figures were checked against a public page (with
//! its address; kept there rather than in `source`, which is compiled into the package),
//! which two were corrected, and which are unconfirmed or disputed.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::Connector;
use crate::plug::{PlugFamily, PlugSet};

/// A vehicle as the filter needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub name: String,
    /// Plug families the car takes directly. A CCS2 car also takes Type 2 (socket with the
    /// driver's own cable, or tethered); a CCS1 car also takes Type 1.
    pub inlets: PlugSet,
    /// Onboard charger limit, kW.
    pub max_ac_kw: f32,
    /// Peak DC charging power, kW (0 = no DC charging).
    pub max_dc_kw: f32,
    /// Usable battery capacity, kWh.
    pub battery_kwh: f32,
    /// Families the driver carries an adapter for.
    #[serde(default)]
    pub adapters: PlugSet,
}

impl Vehicle {
    /// Everything the car can plug into, directly or by adapter.
    pub fn accepts(&self) -> PlugSet {
        self.inlets.union(self.adapters)
    }

    /// The power this car draws from a connector of `family`, rated `connector_kw`, AC or DC;
    /// `None` when it does not fit.
    pub fn power_kw(&self, family: PlugFamily, is_dc: bool, connector_kw: f32) -> Option<f32> {
        if !self.accepts().contains(family) {
            return None;
        }
        let car = if is_dc { self.max_dc_kw } else { self.max_ac_kw };
        (car > 0.0).then(|| connector_kw.min(car))
    }
}

/// Does this connector fit the car (directly or with one of its adapters)?
pub fn compatible(vehicle: &Vehicle, connector: &Connector) -> bool {
    effective_power_kw(vehicle, connector).is_some()
}

/// min(car, connector) for the connector's current (AC: onboard charger; DC: peak DC power);
/// `None` when it does not fit. An unknown connector power counts as 0 kW.
pub fn effective_power_kw(vehicle: &Vehicle, connector: &Connector) -> Option<f32> {
    let kw = connector.max_power_kw().unwrap_or(0.0) as f32;
    vehicle.power_kw(connector.family(), connector.is_dc(), kw)
}

/// One catalogue entry: a vehicle, where it sells, and where its figures come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueVehicle {
    /// Stable id for URLs, e.g. `vw-id3-pro`.
    pub id: String,
    /// `EU` or `NA`.
    pub region: String,
    /// The page(s) the figures were taken from.
    pub source: String,
    pub vehicle: Vehicle,
}

#[derive(Deserialize)]
struct Row {
    id: String,
    name: String,
    region: String,
    inlets: Vec<String>,
    adapters: Vec<String>,
    max_ac_kw: f32,
    max_dc_kw: f32,
    battery_kwh: f32,
    source: String,
}

const CATALOGUE_JSON: &str = include_str!("../data/vehicles.json");

/// The built-in vehicle catalogue (≥ 30 models), parsed once.
pub fn vehicle_catalogue() -> &'static [CatalogueVehicle] {
    static CATALOGUE: OnceLock<Vec<CatalogueVehicle>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // The file is ours and tested; a bad entry would be left out rather than panic.
        let rows: Vec<Row> = serde_json::from_str(CATALOGUE_JSON).unwrap_or_default();
        rows.into_iter()
            .filter_map(|r| {
                let set = |codes: &[String]| -> Option<PlugSet> {
                    codes
                        .iter()
                        .map(|c| PlugFamily::from_code(c))
                        .collect::<Option<Vec<_>>>()
                        .map(|v| v.into_iter().collect())
                };
                Some(CatalogueVehicle {
                    id: r.id,
                    region: r.region,
                    source: r.source,
                    vehicle: Vehicle {
                        name: r.name,
                        inlets: set(&r.inlets)?,
                        adapters: set(&r.adapters)?,
                        max_ac_kw: r.max_ac_kw,
                        max_dc_kw: r.max_dc_kw,
                        battery_kwh: r.battery_kwh,
                    },
                })
            })
            .collect()
    })
}

/// A catalogue vehicle by id.
pub fn catalogue_vehicle(id: &str) -> Option<&'static CatalogueVehicle> {
    vehicle_catalogue().iter().find(|v| v.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectorFormat, PowerType};

    fn conn(
        standard: &str,
        format: ConnectorFormat,
        power_type: PowerType,
        v: u32,
        a: u32,
        w: Option<u32>,
    ) -> Connector {
        Connector {
            id: "1".into(),
            standard: standard.into(),
            format,
            power_type,
            max_voltage: Some(v),
            max_amperage: Some(a),
            max_electric_power: w,
            tariff_ids: vec![],
        }
    }

    #[test]
    fn catalogue_is_complete_and_sourced() {
        let cat = vehicle_catalogue();
        let rows: Vec<serde_json::Value> = serde_json::from_str(CATALOGUE_JSON).unwrap();
        assert_eq!(cat.len(), rows.len(), "every row parses (plug codes valid)");
        assert!(cat.len() >= 30);
        assert!(cat.iter().any(|v| v.region == "EU") && cat.iter().any(|v| v.region == "NA"));
        let mut ids: Vec<_> = cat.iter().map(|v| v.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), cat.len(), "ids are unique");
        for v in cat {
            assert!(!v.source.trim().is_empty(), "{} has a source", v.id);
            assert!(!v.vehicle.inlets.is_empty());
            assert!(v.vehicle.max_ac_kw > 0.0 && v.vehicle.max_ac_kw <= 22.0, "{}", v.id);
            assert!(v.vehicle.max_dc_kw >= 0.0 && v.vehicle.max_dc_kw <= 400.0, "{}", v.id);
            assert!(v.vehicle.battery_kwh > 10.0 && v.vehicle.battery_kwh < 200.0, "{}", v.id);
        }
    }

    #[test]
    fn effective_power_is_min_of_car_and_connector() {
        let id3 = &catalogue_vehicle("vw-id3-pro").unwrap().vehicle;
        // 3 × 230 V × 32 A = 22.08 kW AC on a Type 2 socket; the car's onboard charger takes 11.
        let t2 = conn("IEC_62196_T2", ConnectorFormat::Socket, PowerType::Ac3Phase, 230, 32, None);
        assert!((t2.max_power_kw().unwrap() - 22.08).abs() < 1e-9);
        assert_eq!(effective_power_kw(id3, &t2), Some(11.0));
        // 300 kW CCS2: the car's 120 kW DC peak.
        let ccs = conn("IEC_62196_T2_COMBO", ConnectorFormat::Cable, PowerType::Dc, 920, 500, Some(300_000));
        assert_eq!(effective_power_kw(id3, &ccs), Some(120.0));
        // 50 kW CHAdeMO: does not fit.
        let chademo = conn("CHADEMO", ConnectorFormat::Cable, PowerType::Dc, 500, 100, None);
        assert!(!compatible(id3, &chademo));
        let leaf = &catalogue_vehicle("nissan-leaf-eplus-eu").unwrap().vehicle;
        assert_eq!(effective_power_kw(leaf, &chademo), Some(50.0));
        assert_eq!(effective_power_kw(leaf, &t2), Some(6.6));
        // NACS car with its J1772 adapter on a Type 1 post.
        let m3 = &catalogue_vehicle("tesla-model-3-rwd-na").unwrap().vehicle;
        let j1772 = conn("IEC_62196_T1", ConnectorFormat::Cable, PowerType::Ac1Phase, 240, 32, None);
        assert!((effective_power_kw(m3, &j1772).unwrap() - 7.68).abs() < 1e-4);
        assert!(!compatible(m3, &ccs));
    }

    #[test]
    fn derived_power_per_connector() {
        // AC_3_PHASE: OCPI gives line-to-neutral voltage, so × 3.
        let c = conn("IEC_62196_T2", ConnectorFormat::Socket, PowerType::Ac3Phase, 230, 16, None);
        assert!((c.max_power_kw().unwrap() - 11.04).abs() < 1e-9);
        assert_eq!(c.family(), PlugFamily::Type2Socket);
        assert!(!c.is_dc());
        let c = conn("IEC_62196_T2", ConnectorFormat::Cable, PowerType::Ac1Phase, 230, 32, None);
        assert!((c.max_power_kw().unwrap() - 7.36).abs() < 1e-9);
        assert_eq!(c.family(), PlugFamily::Type2Cable);
        let c = conn("IEC_62196_T2", ConnectorFormat::Socket, PowerType::Ac2Phase, 230, 16, None);
        assert!((c.max_power_kw().unwrap() - 7.36).abs() < 1e-9);
        // max_electric_power wins when sent (it may be below V × A).
        let c = conn("IEC_62196_T2_COMBO", ConnectorFormat::Cable, PowerType::Dc, 1000, 200, Some(150_000));
        assert_eq!(c.max_power_kw(), Some(150.0));
        assert!(c.is_dc());
        let c = Connector { max_voltage: None, ..c.clone() };
        assert_eq!(c.max_power_kw(), Some(150.0));
        let c = Connector { max_electric_power: Some(0), ..c };
        assert_eq!(c.max_power_kw(), None);
    }
}
