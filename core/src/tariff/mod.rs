//! OCPI 2.2.1 tariffs: price a session before it starts, and say the price in words.
//!
//! ```text
//! tariff JSON ──Tariff::from_json / parse_tariffs (tolerant, errors name tariff + field)──▶ Tariff
//! ChargePlan (car, SoC, connector) ──▶ Session ──estimate(&Tariff, &Session)──▶ Estimate
//! Tariff ──describe(&Tariff, Language)──▶ "€0.39/kWh · €1.00 start fee"
//! ```

mod cheapest;
mod convert;
mod estimate;
mod model;
mod plan;
mod session;
pub mod wire;
mod words;

pub use convert::{parse_tariffs, TariffError, Tariffs, MAX_PRICE};
pub use estimate::{estimate, DimensionCost, Estimate, Limit, Line, PriceUnknown, MAX_SESSION_S};
pub use model::{Dimension, PriceComponent, PriceLimit, ReservationRestriction, Restrictions, Tariff, TariffElement};
pub use session::{ChargingStep, Reservation, Session};
pub use words::{describe, shown_components, shown_price, shows_incl_vat, Language, MAX_PHRASES};
pub use cheapest::{cheapest, Candidate, Priced, Pricer, TariffTable};
pub use plan::{ChargePlan, PlanError, AC_EFFICIENCY, DC_EFFICIENCY, TAPER_FROM_PCT, TAPER_TO_SHARE};
