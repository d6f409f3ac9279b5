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
    /// When the EVSEs can be reached; `None` when the feed did not say (read as always open).
    #[serde(default)]
    pub opening_times: Option<Hours>,
    /// OCPI `ParkingType` (2.1.1 calls it `type`), upper case, when sent.
    #[serde(default)]
    pub parking_type: Option<String>,
    /// OCPI `Facility` names, upper case.
    #[serde(default)]
    pub facilities: Vec<String>,
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
    /// OCPI capability names, upper case (typed: [`Evse::capability_set`]).
    pub capabilities: Vec<String>,
    pub connectors: Vec<Connector>,
    /// OCPI `ParkingRestriction` names, upper case (typed: [`Evse::parking_set`]).
    #[serde(default)]
    pub parking_restrictions: Vec<String>,
    pub last_updated: Option<String>,
}

impl Evse {
    /// The capabilities OCPI defines, as a bit set (unknown names are left out).
    pub fn capability_set(&self) -> Capabilities {
        self.capabilities.iter().filter_map(|c| Capability::parse(c)).collect()
    }

    /// The parking restrictions OCPI defines, as a bit set (unknown names are left out).
    pub fn parking_set(&self) -> ParkingRestrictions {
        self.parking_restrictions.iter().filter_map(|c| ParkingRestriction::parse(c)).collect()
    }
}

/// OCPI `Hours`: when a location's EVSEs can be reached. Evaluate with [`Hours::is_open`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Hours {
    pub twentyfourseven: bool,
    /// Weekly periods in the location's local time.
    #[serde(default)]
    pub regular_hours: Vec<RegularHours>,
    /// Extra opening periods, UTC.
    #[serde(default)]
    pub exceptional_openings: Vec<ExceptionalPeriod>,
    /// Closing periods that override everything else, UTC.
    #[serde(default)]
    pub exceptional_closings: Vec<ExceptionalPeriod>,
}

/// OCPI `RegularHours`: open on `weekday` (1 = Monday … 7 = Sunday) from `begin_min` to
/// `end_min`, minutes after local midnight. `end_min <= begin_min` runs past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegularHours {
    pub weekday: u8,
    pub begin_min: u16,
    pub end_min: u16,
}

/// OCPI `ExceptionalPeriod`, as unix seconds (begin inclusive, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExceptionalPeriod {
    pub begin_s: i64,
    pub end_s: i64,
}

macro_rules! ocpi_flags {
    ($(#[$m:meta])* $name:ident, $set:ident, $repr:ty, { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[repr(u8)]
        pub enum $name { $( #[serde(rename = $text)] $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// OCPI's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Reads OCPI's spelling, forgiving letter case and stray spaces.
            pub fn parse(s: &str) -> Option<Self> {
                let t = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(t))
            }
        }

        #[doc = concat!("A set of [`", stringify!($name), "`] as a bit mask.")]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $set(pub $repr);

        impl $set {
            pub const EMPTY: $set = $set(0);
            pub fn with(self, v: $name) -> Self { $set(self.0 | (1 << v as u32)) }
            pub fn contains(self, v: $name) -> bool { self.0 & (1 << v as u32) != 0 }
            /// Every member of `other` is in `self`.
            pub fn contains_all(self, other: $set) -> bool { self.0 & other.0 == other.0 }
            pub fn intersects(self, other: $set) -> bool { self.0 & other.0 != 0 }
            pub fn is_empty(self) -> bool { self.0 == 0 }
            pub fn iter(self) -> impl Iterator<Item = $name> {
                $name::ALL.iter().copied().filter(move |v| self.contains(*v))
            }
        }

        impl FromIterator<$name> for $set {
            fn from_iter<I: IntoIterator<Item = $name>>(iter: I) -> Self {
                iter.into_iter().fold($set::EMPTY, $set::with)
            }
        }
    };
}

ocpi_flags!(
    /// OCPI EVSE `Capability`.
    Capability, Capabilities, u16, {
        ChargingProfileCapable = "CHARGING_PROFILE_CAPABLE",
        ChargingPreferencesCapable = "CHARGING_PREFERENCES_CAPABLE",
        ChipCardSupport = "CHIP_CARD_SUPPORT",
        ContactlessCardSupport = "CONTACTLESS_CARD_SUPPORT",
        CreditCardPayable = "CREDIT_CARD_PAYABLE",
        DebitCardPayable = "DEBIT_CARD_PAYABLE",
        PedTerminal = "PED_TERMINAL",
        RemoteStartStopCapable = "REMOTE_START_STOP_CAPABLE",
        Reservable = "RESERVABLE",
        RfidReader = "RFID_READER",
        StartSessionConnectorRequired = "START_SESSION_CONNECTOR_REQUIRED",
        TokenGroupCapable = "TOKEN_GROUP_CAPABLE",
        UnlockCapable = "UNLOCK_CAPABLE",
    }
);

ocpi_flags!(
    /// OCPI EVSE `ParkingRestriction`: who may park there.
    ParkingRestriction, ParkingRestrictions, u8, {
        EvOnly = "EV_ONLY",
        Plugged = "PLUGGED",
        Disabled = "DISABLED",
        Customers = "CUSTOMERS",
        Motorcycles = "MOTORCYCLES",
    }
);

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
