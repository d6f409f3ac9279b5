//! The validated tariff: what [`super::Tariff::from_wire`] guarantees.
//!
//! A [`Tariff`] has at least one element, every element at least one price component, prices
//! and VAT rates are non-negative decimals, and no element carries restrictions that can never
//! match (such as `min_kwh >= max_kwh`). Times of day are minutes after local midnight; `24 * 60`
//! stands for "end of the day" (OCPI: "to stop at end of the day use 00:00").

use jiff::civil::Date;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

/// What a price component charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Dimension {
    /// Per kWh; `step_size` in Wh.
    Energy,
    /// Once per session.
    Flat,
    /// Per hour while charging; `step_size` in seconds.
    Time,
    /// Per hour while parked and not charging; `step_size` in seconds.
    ParkingTime,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [Self::Flat, Self::Energy, Self::Time, Self::ParkingTime];

    /// OCPI's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Energy => "ENERGY",
            Self::Flat => "FLAT",
            Self::Time => "TIME",
            Self::ParkingTime => "PARKING_TIME",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Flat => 0,
            Self::Energy => 1,
            Self::Time => 2,
            Self::ParkingTime => 3,
        }
    }
}

/// OCPI `ReservationRestrictionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReservationRestriction {
    /// Prices the reservation time (and a reservation fee), whether or not it was used.
    Reservation,
    /// Prices a reservation that expired without a session.
    ReservationExpires,
}

/// One price of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceComponent {
    pub dimension: Dimension,
    /// Excluding VAT, per kWh, per hour, or per session (`FLAT`); never negative.
    pub price: Decimal,
    /// Percent. `None` means *unknown* (OCPI: omitted is not 0 %), not zero.
    pub vat: Option<Decimal>,
    /// Rounding block: Wh for `ENERGY`, seconds for `TIME`/`PARKING_TIME`; 0 and 1 mean none.
    pub step_size: u32,
}

/// When an element applies; every field that is set must match (logical AND).
///
/// Ranges are half-open like OCPI's: `min_*` inclusive, `max_*` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Restrictions {
    /// Minutes after local midnight, inclusive.
    pub start_time: Option<u16>,
    /// Minutes after local midnight, exclusive; `1440` is the end of the day. A window with
    /// `end_time < start_time` wraps past midnight.
    pub end_time: Option<u16>,
    /// Local date, inclusive.
    pub start_date: Option<Date>,
    /// Local date, exclusive.
    pub end_date: Option<Date>,
    pub min_kwh: Option<Decimal>,
    pub max_kwh: Option<Decimal>,
    /// Amperes summed over phases.
    pub min_current_a: Option<Decimal>,
    pub max_current_a: Option<Decimal>,
    pub min_power_kw: Option<Decimal>,
    pub max_power_kw: Option<Decimal>,
    /// Seconds since the session started.
    pub min_duration_s: Option<u64>,
    pub max_duration_s: Option<u64>,
    /// Bit `n` set = ISO weekday `n + 1` (Monday = bit 0); 0 means every day.
    pub days: u8,
    pub reservation: Option<ReservationRestriction>,
}

impl Restrictions {
    /// No restriction at all: the element always applies (outside reservations).
    pub fn is_empty(&self) -> bool {
        *self == Restrictions::default()
    }

    /// Does matching need the local clock (time of day, date or weekday)?
    pub(crate) fn needs_clock(&self) -> bool {
        self.start_time.is_some()
            || self.end_time.is_some()
            || self.start_date.is_some()
            || self.end_date.is_some()
            || self.days != 0
    }

    /// The time-of-day window `[from, to)` in minutes, `to > from`, with `to` up to 2880 when
    /// it wraps past midnight. `None` when there is no time-of-day restriction.
    pub(crate) fn time_window(&self) -> Option<(u16, u16)> {
        if self.start_time.is_none() && self.end_time.is_none() {
            return None;
        }
        let from = self.start_time.unwrap_or(0);
        let to = self.end_time.unwrap_or(1440);
        // `to == 0` is OCPI's "end of the day"; equal bounds mean the whole day.
        let to = if to == 0 { 1440 } else { to };
        Some(match to.cmp(&from) {
            std::cmp::Ordering::Greater => (from, to),
            std::cmp::Ordering::Equal => (0, 1440),
            std::cmp::Ordering::Less => (from, to + 1440),
        })
    }
}

/// One tariff element: prices that apply together under one set of restrictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TariffElement {
    pub components: Vec<PriceComponent>,
    pub restrictions: Restrictions,
}

impl TariffElement {
    pub fn component(&self, dimension: Dimension) -> Option<&PriceComponent> {
        self.components.iter().find(|c| c.dimension == dimension)
    }
}

/// OCPI `Price`: a bound on the session total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PriceLimit {
    pub excl_vat: Decimal,
    pub incl_vat: Option<Decimal>,
}

/// A validated OCPI 2.2.1 tariff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tariff {
    pub id: String,
    pub country_code: Option<String>,
    pub party_id: Option<String>,
    /// ISO 4217, upper case.
    pub currency: String,
    /// OCPI `TariffType` (`AD_HOC_PAYMENT`, `REGULAR`, `PROFILE_*`); `None` = for everyone.
    pub kind: Option<String>,
    /// `(language, text)` pairs, as sent.
    pub alt_text: Vec<(String, String)>,
    pub min_price: Option<PriceLimit>,
    pub max_price: Option<PriceLimit>,
    pub elements: Vec<TariffElement>,
    pub start_date_time: Option<Timestamp>,
    pub end_date_time: Option<Timestamp>,
    /// Elements left out because their restrictions can never match, with where and why.
    pub warnings: Vec<super::TariffError>,
}

impl Tariff {
    /// OCPI's free-of-charge tariff: every price is zero and there are no limits above zero.
    pub fn is_free(&self) -> bool {
        self.elements.iter().all(|e| e.components.iter().all(|c| c.price.is_zero()))
            && self.min_price.is_none_or(|m| m.excl_vat.is_zero())
    }

    /// Does any element need the local clock?
    pub(crate) fn needs_clock(&self) -> bool {
        self.elements.iter().any(|e| e.restrictions.needs_clock())
    }
}
