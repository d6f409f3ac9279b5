//! Plug families: what a driver recognises, derived from OCPI's `ConnectorType` and format.

use serde::{Deserialize, Serialize};

use crate::model::ConnectorFormat;

/// OCPI 2.2.1 `ConnectorType` values plus the 2.3.0 additions, in canonical spelling.
/// Import matches these case-insensitively (real feeds send `IEC_60309_2_THREE_16`).
pub const CONNECTOR_TYPES: &[&str] = &[
    "CHADEMO",
    "CHAOJI",
    "DOMESTIC_A",
    "DOMESTIC_B",
    "DOMESTIC_C",
    "DOMESTIC_D",
    "DOMESTIC_E",
    "DOMESTIC_F",
    "DOMESTIC_G",
    "DOMESTIC_H",
    "DOMESTIC_I",
    "DOMESTIC_J",
    "DOMESTIC_K",
    "DOMESTIC_L",
    "DOMESTIC_M",
    "DOMESTIC_N",
    "DOMESTIC_O",
    "GBT_AC",
    "GBT_DC",
    "IEC_60309_2_single_16",
    "IEC_60309_2_three_16",
    "IEC_60309_2_three_32",
    "IEC_60309_2_three_64",
    "IEC_62196_T1",
    "IEC_62196_T1_COMBO",
    "IEC_62196_T2",
    "IEC_62196_T2_COMBO",
    "IEC_62196_T3A",
    "IEC_62196_T3C",
    "NEMA_5_20",
    "NEMA_6_30",
    "NEMA_6_50",
    "NEMA_10_30",
    "NEMA_10_50",
    "NEMA_14_30",
    "NEMA_14_50",
    "PANTOGRAPH_BOTTOM_UP",
    "PANTOGRAPH_TOP_DOWN",
    "TESLA_R",
    "TESLA_S",
    // OCPI 2.3.0
    "SAE_J3400",
    "MCS",
];

/// The canonical spelling of a connector type, forgiving case and stray spaces.
pub fn canonical_connector_type(s: &str) -> Option<&'static str> {
    let t = s.trim();
    CONNECTOR_TYPES.iter().copied().find(|c| c.eq_ignore_ascii_case(t))
}

/// A plug as drivers name it. The discriminant is the bit in a [`PlugSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum PlugFamily {
    /// Combined Charging System, Type 1 based (North America).
    Ccs1 = 0,
    /// Combined Charging System, Type 2 based (Europe).
    Ccs2 = 1,
    Chademo = 2,
    /// Type 2 socket: bring your own cable.
    Type2Socket = 3,
    /// Type 2 with a tethered cable.
    Type2Cable = 4,
    /// Type 1 / SAE J1772.
    Type1 = 5,
    /// NACS / SAE J3400 (OCPI `TESLA_S` is mechanically the same).
    Nacs = 6,
    /// Megawatt Charging System (trucks).
    Mcs = 7,
    /// Household CEE 7/4 "Schuko" (and the compatible CEE 7/5, type E).
    Schuko = 8,
    /// Other household sockets.
    Domestic = 9,
    /// IEC 60309 industrial ("CEE") sockets.
    Industrial = 10,
    /// NEMA sockets (North America).
    Nema = 11,
    GbtAc = 12,
    GbtDc = 13,
    ChaoJi = 14,
    Type3 = 15,
    Pantograph = 16,
    TeslaRoadster = 17,
    Other = 18,
}

impl PlugFamily {
    pub const ALL: [PlugFamily; 19] = [
        Self::Ccs1,
        Self::Ccs2,
        Self::Chademo,
        Self::Type2Socket,
        Self::Type2Cable,
        Self::Type1,
        Self::Nacs,
        Self::Mcs,
        Self::Schuko,
        Self::Domestic,
        Self::Industrial,
        Self::Nema,
        Self::GbtAc,
        Self::GbtDc,
        Self::ChaoJi,
        Self::Type3,
        Self::Pantograph,
        Self::TeslaRoadster,
        Self::Other,
    ];

    /// The family of an OCPI connector type (any spelling) in a given format.
    pub fn of(standard: &str, format: ConnectorFormat) -> Self {
        let Some(c) = canonical_connector_type(standard) else {
            return Self::Other;
        };
        match c {
            "IEC_62196_T1_COMBO" => Self::Ccs1,
            "IEC_62196_T2_COMBO" => Self::Ccs2,
            "CHADEMO" => Self::Chademo,
            "IEC_62196_T2" => match format {
                ConnectorFormat::Socket => Self::Type2Socket,
                ConnectorFormat::Cable => Self::Type2Cable,
            },
            "IEC_62196_T1" => Self::Type1,
            "SAE_J3400" | "TESLA_S" => Self::Nacs,
            "TESLA_R" => Self::TeslaRoadster,
            "MCS" => Self::Mcs,
            "DOMESTIC_E" | "DOMESTIC_F" => Self::Schuko,
            "GBT_AC" => Self::GbtAc,
            "GBT_DC" => Self::GbtDc,
            "CHAOJI" => Self::ChaoJi,
            "IEC_62196_T3A" | "IEC_62196_T3C" => Self::Type3,
            "PANTOGRAPH_BOTTOM_UP" | "PANTOGRAPH_TOP_DOWN" => Self::Pantograph,
            c if c.starts_with("DOMESTIC_") => Self::Domestic,
            c if c.starts_with("IEC_60309") => Self::Industrial,
            c if c.starts_with("NEMA_") => Self::Nema,
            _ => Self::Other,
        }
    }

    /// Short English label, as on a charger's sticker.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ccs1 => "CCS1",
            Self::Ccs2 => "CCS2",
            Self::Chademo => "CHAdeMO",
            Self::Type2Socket => "Type 2",
            Self::Type2Cable => "Type 2 (cable)",
            Self::Type1 => "Type 1",
            Self::Nacs => "NACS",
            Self::Mcs => "MCS",
            Self::Schuko => "Schuko",
            Self::Domestic => "Household",
            Self::Industrial => "CEE",
            Self::Nema => "NEMA",
            Self::GbtAc => "GB/T AC",
            Self::GbtDc => "GB/T DC",
            Self::ChaoJi => "ChaoJi",
            Self::Type3 => "Type 3",
            Self::Pantograph => "Pantograph",
            Self::TeslaRoadster => "Tesla Roadster",
            Self::Other => "Other",
        }
    }

    /// Stable machine name (`CCS2`, `TYPE2_SOCKET`, …) used in URLs and the JS API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ccs1 => "CCS1",
            Self::Ccs2 => "CCS2",
            Self::Chademo => "CHADEMO",
            Self::Type2Socket => "TYPE2_SOCKET",
            Self::Type2Cable => "TYPE2_CABLE",
            Self::Type1 => "TYPE1",
            Self::Nacs => "NACS",
            Self::Mcs => "MCS",
            Self::Schuko => "SCHUKO",
            Self::Domestic => "DOMESTIC",
            Self::Industrial => "INDUSTRIAL",
            Self::Nema => "NEMA",
            Self::GbtAc => "GBT_AC",
            Self::GbtDc => "GBT_DC",
            Self::ChaoJi => "CHAOJI",
            Self::Type3 => "TYPE3",
            Self::Pantograph => "PANTOGRAPH",
            Self::TeslaRoadster => "TESLA_ROADSTER",
            Self::Other => "OTHER",
        }
    }

    /// Reads a [`code`](Self::code), case-insensitively.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.code().eq_ignore_ascii_case(s.trim()))
    }

    pub fn is_dc(self) -> bool {
        matches!(self, Self::Ccs1 | Self::Ccs2 | Self::Chademo | Self::Mcs | Self::GbtDc | Self::ChaoJi)
    }
}

/// A set of plug families as a bit mask: cheap to store per EVSE and to test in a filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlugSet(pub u32);

impl PlugSet {
    pub const EMPTY: PlugSet = PlugSet(0);

    pub fn with(self, f: PlugFamily) -> Self {
        PlugSet(self.0 | (1 << f as u32))
    }
    pub fn contains(self, f: PlugFamily) -> bool {
        self.0 & (1 << f as u32) != 0
    }
    pub fn intersects(self, other: PlugSet) -> bool {
        self.0 & other.0 != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn union(self, other: PlugSet) -> Self {
        PlugSet(self.0 | other.0)
    }
    pub fn iter(self) -> impl Iterator<Item = PlugFamily> {
        PlugFamily::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<PlugFamily> for PlugSet {
    fn from_iter<I: IntoIterator<Item = PlugFamily>>(iter: I) -> Self {
        iter.into_iter().fold(PlugSet::EMPTY, PlugSet::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_from_real_spellings() {
        use ConnectorFormat::*;
        assert_eq!(PlugFamily::of("IEC_62196_T2_COMBO", Cable), PlugFamily::Ccs2);
        assert_eq!(PlugFamily::of("iec_62196_t2", Socket), PlugFamily::Type2Socket);
        assert_eq!(PlugFamily::of(" IEC_62196_T2 ", Cable), PlugFamily::Type2Cable);
        assert_eq!(PlugFamily::of("IEC_60309_2_THREE_16", Socket), PlugFamily::Industrial);
        assert_eq!(PlugFamily::of("SAE_J3400", Cable), PlugFamily::Nacs);
        assert_eq!(PlugFamily::of("TESLA_S", Cable), PlugFamily::Nacs);
        assert_eq!(PlugFamily::of("MCS", Cable), PlugFamily::Mcs);
        assert_eq!(PlugFamily::of("DOMESTIC_F", Socket), PlugFamily::Schuko);
        assert_eq!(PlugFamily::of("FLUX_CAPACITOR", Socket), PlugFamily::Other);
    }

    #[test]
    fn codes_round_trip() {
        for f in PlugFamily::ALL {
            assert_eq!(PlugFamily::from_code(f.code()), Some(f));
            assert_eq!(PlugFamily::ALL[f as usize], f);
        }
    }

    #[test]
    fn plug_set_bits() {
        let s: PlugSet = [PlugFamily::Ccs2, PlugFamily::Type2Socket].into_iter().collect();
        assert!(s.contains(PlugFamily::Ccs2) && !s.contains(PlugFamily::Chademo));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![PlugFamily::Ccs2, PlugFamily::Type2Socket]);
    }
}
