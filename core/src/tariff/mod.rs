//! OCPI 2.2.1 tariffs: price a charge before it starts, say the price in words, and find the
//! cheapest charger for a planned charge.
//!
//! ```text
//! tariff JSON ──Tariff::from_json / parse_tariffs──▶ Tariff      (tolerant; errors name tariff + field)
//! ChargePlan (car, SoC, connector) ──session()──▶ Session ──estimate(&Tariff, &Session)──▶ Estimate
//! Tariff ──describe(&Tariff, Language)──▶ "€0.39/kWh · €2.40/h charging after 2 h · €1.00 start fee"
//! Candidates (from a spatial query) + TariffTable + Pricer ──cheapest()──▶ ordered Priced
//! ```
//!
//! * [`wire`]: lenient wire types, apart from the validated [`Tariff`]; one conversion between.
//! * [`estimate`]: the engine (with `periods.rs` and `matching.rs`). How it cuts a session
//!   into periods, picks the first matching element per dimension, rounds `step_size` (totals,
//!   the way the spec's worked examples do), applies VAT and `min_price`/`max_price` is written
//!   at the top of `estimate.rs`.
//! * [`ChargePlan`]: from car, state of charge and connector to a [`Session`]
//!   (documented curve: constant, DC tapering above 80 %).
//! * [`describe`]: English, Dutch, German and French, generated from the same model.
//! * [`cheapest`]: takes candidates, not the index: decoupled from the spatial query API.
//! * [`quote`]: one serde-in, serde-out call for the server, web and npm bindings.
//! * [`Note`]: what an estimate wants the driver to know (VAT unknown, unpriced minutes, …), as
//!   data with text in the same four languages.
//!
//! Money in JSON: `Decimal`s serialise as strings (`"12.00"`), so no binding loses a cent to
//! floating point.
//!
//! # Decisions
//!
//! * **Money** is `rust_decimal`, never `f64`. Totals are rounded to cents (half away from zero)
//!   once, at the end; per-dimension amounts stay exact (they may not add up to the rounded
//!   total in the last cent).
//! * **VAT**: an omitted `vat` is *unknown*, not 0 %: the incl.-VAT total is then `None` and a
//!   note says why. The words show prices **incl. VAT when every component states its VAT**,
//!   otherwise all excl. VAT followed by "excl. VAT": never a mix. (Most NL tariffs omit VAT.)
//! * **Unpriced quantities**: a period no element prices for a dimension costs nothing (the
//!   spec's rule, e.g. its tariff 14 example 3) and is listed in [`Estimate::notes`]. When no
//!   element applies to the session at all, the result is [`PriceUnknown`] with the
//!   restrictions that failed: never a made-up price.
//! * **Never-matching elements** (`min >= max`, `start_date >= end_date`) are left out of the
//!   tariff with a warning in [`Tariff::warnings`]; a tariff left without elements is an error.
//!   Unknown dimensions, negative or implausible prices, VAT outside 0–100 %, bad times/dates:
//!   errors naming tariff id and JSON path.
//! * **Reservations** are priced by reservation elements only, beside the session (spec
//!   examples 15–18); an expired reservation takes `RESERVATION_EXPIRES` elements first.
//! * **Cheapest** orders by the excl.-VAT total (known for every tariff; the same basis for all).
//!
//! # Why not the `ocpi-tariffs` crate (Tweede golf / TandemDrive)
//!
//! Evaluated 2026-11-22 in a scratch crate outside the repo:
//! * versions 0.49–0.54 declare `rust-version = 1.96`; with our pinned rustc 1.95 cargo refuses
//!   them, and the newest that resolves is **0.48.0**, so we would be stuck on an old release;
//! * it pins `rust_decimal = "=1.39.0"` (we use 1.43: two copies, and its `Decimal` is not ours)
//!   and brings `chrono` + `chrono-tz` (a second tz database beside `jiff`'s) and `tracing`;
//! * it prices CDRs: a planned session must first be turned into a synthetic CDR
//!   (`generate::cdr_from_tariff`, constant power only: no charging curve), it has no words and
//!   no multi-tariff comparison;
//! * it does build with rustc 1.95 (0.48.0) for `wasm32-unknown-unknown`; size of a probe
//!   (release, `opt-level = "z"`, LTO, no wasm-opt) that parses a tariff and generates a session
//!   from it: **1,465,333 B (283 KB gzipped)**, against **768,635 B (258 KB gzipped)** for the
//!   same probe on our engine that parses, prices *and* describes (each with its own tz
//!   database; in our app `jiff`'s is there anyway, so ocpi-tariffs would add most of its
//!   1.4 MB on top).
//!
//! * differential run (scratch crate, ocpi-tariffs 0.48 `generate::cdr_from_tariff` vs our
//!   `estimate`, 30 kWh in 45 min at 40 kW, every NL tariff): as sent, **ocpi-tariffs rejects
//!   2,751 of the 2,820** (it refuses explicit `null`s such as `"vat": null`). With nulls
//!   stripped, the two engines agree to the cent, excl. and incl. VAT, on **all 2,797** tariffs
//!   we price (sessions at 12:00 on a Tuesday and 10:00 on a Saturday). Differences: (1) where VAT is
//!   omitted it reports incl. = excl. VAT (0 %) for 2,611 tariffs, we say "unknown", as OCPI
//!   says; (2) for 7 tariffs whose only element has `max_power` 22 kW it still prices a 40 kW
//!   session, we say no element applies; (3) across midnight (23:30–00:15) 2,768 agree and 29 with
//!   `end_time` "23:59" differ: it also prices the minute 23:59–00:00, we read `end_time` as
//!   exclusive (OCPI: "to stop at end of the day use 00:00") and list that minute as unpriced.
//!
//! It is a careful library and was a useful reference for the spec's worked examples. We keep
//! our own engine, checked against every OCPI 2.2.1 example with the totals the spec prints
//! (`core/tests/tariff_examples.rs`), 2,820 real NL tariffs and a proptest of mutated JSON.
//!
//! # The Dutch tariffs
//!
//! All 2,820 NL tariffs (`data/nl/tariffs.json.gz`) convert; 16 dynamic ones lose elements
//! that send `start_date == end_date` (a warning each). Priced for 30 kWh in 45 min on Tuesday
//! 2026-06-09 at 12:00, **2,797 get a price and 23 cannot**, each with its reason: 16 dynamic
//! tariffs whose dated elements all lie before that day, and 7 whose only element has
//! `max_power` ≤ 22 kW, which a 40 kW session does not meet (`core/tests/tariff_nl.rs`). Every
//! one of the 2,820 has words in all four languages that pass the contradiction check.
//!
//! # Figures
//!
//! `cargo bench -p chargefinder --bench tariff_nl` (release profile: `opt-level = "z"`, LTO; a
//! 2-core machine shared with two other builds, so ±20 %): one planned charge (60 kWh car,
//! 20 → 80 %, 11 kW AC / 100 kW DC) priced at all 64,376 NL connectors.
//!
//! | what | native | wasm (node 20) |
//! |---|---|---|
//! | memoising [`Pricer`], `tariff_ids` resolved at load ([`Pricer::price_indexed`]) | 16.7–23 ms | 14.8–20.7 ms |
//! | memoising [`Pricer`], `tariff_ids` as strings ([`Pricer::price`]) | 34–40 ms | 21.8–25.7 ms |
//! | engine once per connector, no memo (34,158 runs) | 124–220 ms (3.7–6.4 µs a run) | – |
//! | engine, each of the 2,820 tariffs once | 6–10 ms (median 1.8 µs) | – |
//! | [`cheapest`] over all 64,376, sorted, top 10 with words | 52–87 ms | – |
//!
//! 33,984 connectors get a price; 8,103 name no tariff, ~22,000 name tariff ids that are not in
//! the published tariff file, the rest hit tariffs that do not apply (e.g. `max_power` 22 kW).
//! The memo runs the engine 3,099 times (distinct tariff × power × AC/DC). So the issue's
//! target, **< 50 ms in WebAssembly for all NL connectors, holds: ~15–26 ms**. Wasm figures:
//! `core/benches/wasm-node` (`cargo build --release --target wasm32-unknown-unknown` there,
//! then `node run.mjs`). The `cheapest` figure is dominated by sorting 64,376 rows that all sit
//! at distance 0 in the bench (ties fall through to id comparison); a real query sorts a few
//! hundred.

mod cheapest;
mod convert;
mod estimate;
mod kwh;
mod matching;
mod model;
mod near;
mod notes;
mod periods;
mod plan;
mod quote;
mod session;
pub mod wire;
mod words;

pub use cheapest::{cheapest, Candidate, Priced, Pricer, TariffTable};
pub use convert::{parse_tariffs, TariffError, Tariffs, MAX_PRICE};
pub use estimate::{estimate, DimensionCost, Estimate, Limit, Line, PriceUnknown, MAX_SESSION_S};
pub use kwh::{KwhPricer, REFERENCE_PLAN};
pub use model::{Dimension, PriceComponent, PriceLimit, ReservationRestriction, Restrictions, Tariff, TariffElement};
pub use near::{cheapest_near, NearQuery, PriceAt};
pub use notes::Note;
pub use plan::{ChargePlan, PlanError, AC_EFFICIENCY, DC_EFFICIENCY, TAPER_FROM_PCT, TAPER_TO_SHARE};
pub use quote::{quote, Quote, QuoteRequest};
pub use session::{ChargingStep, Reservation, Session};
pub use words::{describe, money, shown_components, shown_price, shows_incl_vat, Language, MAX_PHRASES};
