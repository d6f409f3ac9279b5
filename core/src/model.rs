//! The domain model: validated, typed, and free of OCPI's wire quirks.
//!
//! Everything here was checked by [`crate::import_locations`]; code that holds a [`Location`]
//! may rely on finite coordinates in range, at least one EVSE, and at least one connector per
//! EVSE.

use serde::{Deserialize, Serialize};

use crate::plug::PlugFamily;

/// A charging location (an OCPI `Location`): a place with one or more EVSEs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub country_code: String,
    pub party_id: String,
    pub id: String,
    pub name: Option<String>,
    pub address: String,
    pub city: String,
    pub postal_code: Option<String>,
    pub country: String,
    /// Degrees, WGS 84, latitude in [-90, 90].
    pub lat: f64,
    /// Degrees, WGS 84, longitude in [-180, 180].
    pub lon: f64,
    pub operator: Option<String>,
    /// IANA time zone, e.g. `Europe/Amsterdam`.
    pub time_zone: String,
    /// OCPI's rule: an unpublished location is shown only to matching tokens.
    pub publish: bool,
    pub evses: Vec<Evse>,
    /// RFC 3339, as sent.
    pub last_updated: Option<String>,
}

/// One EVSE: the unit that can charge one vehicle at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evse {
    /// OCPI `uid`: the technical id, unique within the operator.
    pub uid: String,
    /// eMI3 id such as `NL*ABC*E123`, when sent.
    pub evse_id: Option<String>,
    pub status: EvseStatus,
    /// OCPI capability names, upper case.
    pub capabilities: Vec<String>,
    pub connectors: Vec<Connector>,
    pub last_updated: Option<String>,
}

/// One connector of an EVSE, with the facts a driver cares about derived once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connector {
    pub id: String,
    /// The OCPI `ConnectorType`, in OCPI's canonical spelling (e.g. `IEC_60309_2_three_16`).
    pub standard: String,
    pub format: ConnectorFormat,
    pub power_type: PowerType,
    pub max_voltage: Option<u32>,
    pub max_amperage: Option<u32>,
    /// Watts, when the operator sent it.
    pub max_electric_power: Option<u32>,
    pub tariff_ids: Vec<String>,
}

impl Connector {
    /// The plug a driver recognises.
    pub fn family(&self) -> PlugFamily {
        PlugFamily::of(&self.standard, self.format)
    }

    /// Effective maximum power in kW: `max_electric_power` when sent, else voltage × amperage,
    /// × 3 for `AC_3_PHASE` (OCPI gives the line-to-neutral voltage) and × 2 for `AC_2_PHASE`.
    /// `None` when neither is known.
    pub fn max_power_kw(&self) -> Option<f64> {
        if let Some(w) = self.max_electric_power.filter(|w| *w > 0) {
            return Some(f64::from(w) / 1000.0);
        }
        let (v, a) = (self.max_voltage?, self.max_amperage?);
        let phases = match self.power_type {
            PowerType::Ac3Phase => 3.0,
            PowerType::Ac2Phase => 2.0,
            _ => 1.0,
        };
        let kw = f64::from(v) * f64::from(a) * phases / 1000.0;
        (kw > 0.0).then_some(kw)
    }

    pub fn is_dc(&self) -> bool {
        self.power_type == PowerType::Dc
    }
}

/// OCPI EVSE `Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum EvseStatus {
    Available = 0,
    Blocked = 1,
    Charging = 2,
    Inoperative = 3,
    #[serde(rename = "OUTOFORDER")]
    OutOfOrder = 4,
    Planned = 5,
    Removed = 6,
    Reserved = 7,
    Unknown = 8,
}

impl EvseStatus {
    pub const ALL: [EvseStatus; 9] = [
        Self::Available,
        Self::Blocked,
        Self::Charging,
        Self::Inoperative,
        Self::OutOfOrder,
        Self::Planned,
        Self::Removed,
        Self::Reserved,
        Self::Unknown,
    ];

    /// Reads an OCPI status, forgiving letter case, spaces, `_`/`-` and `OUT_OF_ORDER`.
    pub fn parse(s: &str) -> Option<Self> {
        let norm: String =
            s.trim().chars().filter(|c| !matches!(c, '_' | '-' | ' ')).map(|c| c.to_ascii_uppercase()).collect();
        Some(match norm.as_str() {
            "AVAILABLE" => Self::Available,
            "BLOCKED" => Self::Blocked,
            "CHARGING" => Self::Charging,
            "INOPERATIVE" => Self::Inoperative,
            "OUTOFORDER" => Self::OutOfOrder,
            "PLANNED" => Self::Planned,
            "REMOVED" => Self::Removed,
            "RESERVED" => Self::Reserved,
            "UNKNOWN" => Self::Unknown,
            _ => return None,
        })
    }

    pub fn from_u8(v: u8) -> Self {
        Self::ALL.get(usize::from(v)).copied().unwrap_or(Self::Unknown)
    }

    /// OCPI's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "AVAILABLE",
            Self::Blocked => "BLOCKED",
            Self::Charging => "CHARGING",
            Self::Inoperative => "INOPERATIVE",
            Self::OutOfOrder => "OUTOFORDER",
            Self::Planned => "PLANNED",
            Self::Removed => "REMOVED",
            Self::Reserved => "RESERVED",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// Not broken, not removed, not yet built. (Recency is the availability table's business.)
    pub fn is_working(self) -> bool {
        !matches!(self, Self::OutOfOrder | Self::Inoperative | Self::Removed | Self::Planned)
    }

    /// A driver could plug in right now.
    pub fn is_available(self) -> bool {
        self == Self::Available
    }
}

/// OCPI `PowerType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PowerType {
    #[serde(rename = "AC_1_PHASE")]
    Ac1Phase,
    #[serde(rename = "AC_2_PHASE")]
    Ac2Phase,
    #[serde(rename = "AC_2_PHASE_SPLIT")]
    Ac2PhaseSplit,
    #[serde(rename = "AC_3_PHASE")]
    Ac3Phase,
    Dc,
}

impl PowerType {
    pub fn parse(s: &str) -> Option<Self> {
        let norm: String =
            s.trim().chars().filter(|c| !matches!(c, '_' | '-' | ' ')).map(|c| c.to_ascii_uppercase()).collect();
        Some(match norm.as_str() {
            "AC1PHASE" => Self::Ac1Phase,
            "AC2PHASE" => Self::Ac2Phase,
            "AC2PHASESPLIT" => Self::Ac2PhaseSplit,
            "AC3PHASE" => Self::Ac3Phase,
            "DC" => Self::Dc,
            _ => return None,
        })
    }
}

/// OCPI `ConnectorFormat`: does the driver bring the cable?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectorFormat {
    Socket,
    Cable,
}

impl ConnectorFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "SOCKET" => Some(Self::Socket),
            "CABLE" => Some(Self::Cable),
            _ => None,
        }
    }
}
