//! `GET /api/locations/{id}/prices?vehicle=<catalogue id>&lang=<en|nl|de|fr>`: what charging
//! costs at one station, per connector, in the driver's words.
//!
//! For every connector: its tariff in words (the core's [`describe`], the cheapest applicable of
//! the connector's `tariff_ids`), the currency, whether the words include VAT, and, when the
//! driver named a car that fits the connector, an **estimate for one planned charge**:
//!
//! * from 20 % to 80 % of the car's usable battery (the catalogue's `battery_kwh`), the range
//!   most drivers charge in, and the one the tariff module's figures use;
//! * starting now, in the station's time zone; no parking after charging;
//! * at the effective power, min(car, connector), on the connector's AC or DC, with the core's
//!   charging curve (DC tapers above 80 %, so this plan never reaches the taper) and losses.
//!
//! The plan is in the answer (`plan`), so the app says what the estimate is for.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chargefinder::tariff::{describe, money, shows_incl_vat, ChargePlan, Language, Pricer, Tariff, TariffTable};
use chargefinder::{catalogue_vehicle, effective_power_kw, import_locations, CatalogueVehicle, EvseStatus, Location};
use serde::Serialize;

use crate::api::ApiError;
use crate::store::Store;

/// The planned charge: from this state of charge…
pub const PLAN_FROM_PCT: f64 = 20.0;
/// …to this one.
pub const PLAN_TO_PCT: f64 = 80.0;

/// The answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prices {
    pub location_id: String,
    /// The catalogue id the estimates are for, when one was given.
    pub vehicle: Option<String>,
    /// The planned charge the estimates price; `None` without a vehicle.
    pub plan: Option<Plan>,
    pub connectors: Vec<ConnectorPrice>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub battery_kwh: f64,
    pub soc_from_pct: f64,
    pub soc_to_pct: f64,
    /// RFC 3339, UTC.
    pub start: String,
    /// The plan in a sentence, in the requested language.
    pub text: String,
}

/// One connector's price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorPrice {
    pub evse_uid: String,
    pub connector_id: String,
    /// The tariff in words; `None` when the operator publishes none for this connector.
    pub words: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// Do the words (and `total_text`) include VAT? When not, they end with "excl. VAT".
    pub incl_vat: Option<bool>,
    /// Does the car fit this connector? `None` without a vehicle.
    pub fits: Option<bool>,
    /// What the car draws here, kW (min of car and connector); `None` without a vehicle or when it does not fit.
    pub car_power_kw: Option<f64>,
    pub estimate: Option<EstimateOut>,
    /// Why there is no price (or no estimate), in plain words.
    pub price_unknown: Option<String>,
}

/// The estimate for the plan, as text and as decimal strings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateOut {
    pub tariff_id: String,
    pub currency: String,
    pub excl_vat: String,
    pub incl_vat: Option<String>,
    /// The total the driver sees: incl. VAT when known, else excl. VAT with "excl. VAT".
    pub total_text: String,
    pub energy_kwh: String,
    pub charging_min: u32,
    /// What the estimate wants the driver to know (unknown VAT, unpriced minutes), in the language asked.
    pub notes: Vec<String>,
}

/// Reads `lang` (absent = English); anything else is a 400.
pub fn language(q: Option<&str>) -> Result<Language, ApiError> {
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Language::En),
        Some(code) => Language::parse(code)
            .filter(|_| code.len() == 2 || code.as_bytes().get(2).is_some_and(|b| *b == b'-' || *b == b'_'))
            .ok_or_else(|| ApiError::bad_request(format!("lang must be en, nl, de or fr, got {code:?}"))),
    }
}

/// Reads `vehicle` (absent = no estimates); an id not in the catalogue is a 400.
pub fn vehicle(q: Option<&str>) -> Result<Option<&'static CatalogueVehicle>, ApiError> {
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(id) => catalogue_vehicle(id).map(Some).ok_or_else(|| {
            let shown: String = id.chars().take(64).collect();
            ApiError::bad_request(format!("vehicle {shown:?} is not in the catalogue; use an id such as vw-id3-pro"))
        }),
    }
}

fn plan_text(lang: Language, battery_kwh: f64) -> String {
    let kwh = if lang == Language::En { format!("{battery_kwh}") } else { format!("{battery_kwh}").replace('.', ",") };
    match lang {
        Language::En => format!("Estimate for charging from 20% to 80% of a {kwh} kWh battery, starting now"),
        Language::Nl => format!("Schatting voor laden van 20% tot 80% van een accu van {kwh} kWh, nu beginnend"),
        Language::De => format!("Schätzung für das Laden von 20 % auf 80 % eines {kwh}-kWh-Akkus, ab jetzt"),
        Language::Fr => {
            format!("Estimation pour une recharge de 20 % à 80 % d’une batterie de {kwh} kWh, à partir de maintenant")
        }
    }
}

fn no_tariff_text(lang: Language) -> &'static str {
    match lang {
        Language::En => "The operator publishes no price for this connector.",
        Language::Nl => "De exploitant publiceert geen prijs voor deze aansluiting.",
        Language::De => "Der Betreiber veröffentlicht keinen Preis für diesen Anschluss.",
        Language::Fr => "L’opérateur ne publie pas de prix pour ce connecteur.",
    }
}

fn not_fit_text(lang: Language) -> &'static str {
    match lang {
        Language::En => "This connector does not fit your car.",
        Language::Nl => "Deze aansluiting past niet op je auto.",
        Language::De => "Dieser Anschluss passt nicht zu deinem Auto.",
        Language::Fr => "Ce connecteur n’est pas compatible avec votre voiture.",
    }
}

fn no_estimate_text(lang: Language) -> &'static str {
    match lang {
        Language::En => "No estimate: the tariff does not apply to this charge.",
        Language::Nl => "Geen schatting: het tarief geldt niet voor deze laadsessie.",
        Language::De => "Keine Schätzung: der Tarif gilt nicht für diesen Ladevorgang.",
        Language::Fr => "Pas d’estimation : le tarif ne s’applique pas à cette recharge.",
    }
}

fn excl_vat_text(lang: Language) -> &'static str {
    match lang {
        Language::En => "excl. VAT",
        Language::Nl => "excl. btw",
        Language::De => "zzgl. MwSt.",
        Language::Fr => "HT",
    }
}

/// The stored tariffs a location's connectors name, parsed (unreadable ones are left out: the
/// connector then reads as "no price", never a made-up one).
fn tariff_table(store: &Store, loc: &Location) -> Result<TariffTable, String> {
    let mut ids: Vec<&str> = loc
        .evses
        .iter()
        .flat_map(|e| e.connectors.iter().flat_map(|c| c.tariff_ids.iter().map(String::as_str)))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let raw = store.with_conn(|c| {
        let mut st = c.prepare_cached("SELECT ocpi FROM tariffs WHERE id = ?1 ORDER BY seq DESC LIMIT 1")?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(json) = rusqlite::OptionalExtension::optional(st.query_row([id], |r| r.get::<_, String>(0)))? {
                out.push(json);
            }
        }
        Ok(out)
    })?;
    Ok(TariffTable::new(raw.iter().filter_map(|j| Tariff::from_json(j.as_bytes()).ok()).collect()))
}

/// Fills a pushed station's prices per kWh from the stored tariffs, for a charge starting now
/// (the import does the same for the data files; see `store::import_into`).
pub fn price_station(store: &Store, station: &mut chargefinder::Station, loc: &Location) -> Result<(), String> {
    let table = tariff_table(store, loc)?;
    chargefinder::tariff::KwhPricer::new(&table, jiff::Timestamp::now()).price(station, loc);
    Ok(())
}

/// One stored location, through the core's import (the domain model: validated, typed).
pub fn load_location(store: &Store, id: &str) -> Result<Location, ApiError> {
    let raw = store.location(id).map_err(ApiError::server)?.ok_or_else(|| {
        let shown: String = id.chars().take(64).collect();
        ApiError::not_found(format!("No station has id {shown:?}."))
    })?;
    import_locations(raw.as_bytes())
        .ok()
        .and_then(|i| i.locations.into_iter().next())
        .ok_or_else(|| ApiError::server(format!("the stored location {id:?} can no longer be read")))
}

/// `GET /api/locations/{id}`: the full location as the core's domain model (`chargefinder::Location`
/// in JSON), for the station screen and the charging page, with each EVSE's **live** status (the
/// latest the server heard, from pushes and the simulator) in place of the one published with
/// the object. The server runs the tolerant OCPI import once, so the phone's wasm needs only
/// serde for it, not the importer (`/ocpi/2.2.1/locations/{id}` still serves the object as
/// received).
pub async fn location(State(store): State<Store>, Path(id): Path<String>) -> Response {
    match tokio::task::spawn_blocking(move || live_location(&store, &id)).await {
        Ok(Ok(loc)) => axum::Json(loc).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => ApiError::server(format!("the lookup did not finish: {e}")).into_response(),
    }
}

fn live_location(store: &Store, id: &str) -> Result<Location, ApiError> {
    let mut loc = load_location(store, id)?;
    for (uid, status, t) in store.evse_statuses(id).map_err(ApiError::server)? {
        // A repeated uid within a location: the first, as the core's EVSE lookup does.
        let (Some(evse), Some(status)) = (loc.evses.iter_mut().find(|e| e.uid == uid), EvseStatus::parse(&status))
        else {
            continue;
        };
        evse.status = status;
        if t > 0 {
            evse.last_updated =
                jiff::Timestamp::from_second(t).ok().map(|t| t.to_string()).or(evse.last_updated.take());
        }
    }
    Ok(loc)
}

/// The prices at one location, as of `now` (the estimate's start).
pub fn prices_at(
    store: &Store,
    id: &str,
    car: Option<&CatalogueVehicle>,
    lang: Language,
    now: jiff::Timestamp,
) -> Result<Prices, ApiError> {
    let loc = load_location(store, id)?;
    let table = tariff_table(store, &loc).map_err(ApiError::server)?;
    let tz = jiff::tz::TimeZone::get(&loc.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let plan = car.map(|c| ChargePlan {
        battery_kwh: f64::from(c.vehicle.battery_kwh),
        soc_from_pct: PLAN_FROM_PCT,
        soc_to_pct: PLAN_TO_PCT,
        car_max_ac_kw: f64::from(c.vehicle.max_ac_kw),
        car_max_dc_kw: f64::from(c.vehicle.max_dc_kw),
        connector_kw: 0.0,
        dc: false,
    });
    let mut pricer = plan.map(|p| Pricer::new(&table, p, now, tz.clone(), Default::default()));
    let mut connectors = Vec::new();
    for e in &loc.evses {
        for c in &e.connectors {
            let known: Vec<&Tariff> = c.tariff_ids.iter().filter_map(|t| table.get(t)).collect();
            let car_kw = car.and_then(|v| effective_power_kw(&v.vehicle, c));
            let mut out = ConnectorPrice {
                evse_uid: e.uid.clone(),
                connector_id: c.id.clone(),
                words: None,
                currency: None,
                incl_vat: None,
                fits: car.map(|_| car_kw.is_some()),
                car_power_kw: car_kw.map(|k| f64::from((k * 10.0).round() / 10.0)),
                estimate: None,
                price_unknown: None,
            };
            // The tariff the words describe: the one the estimate used, else the first published.
            let mut shown: Option<&Tariff> = known.first().copied();
            match (pricer.as_mut(), car_kw) {
                (Some(p), Some(_)) if !known.is_empty() => {
                    let power = c.max_power_kw().unwrap_or(0.0);
                    match p.price(power, c.is_dc(), &c.tariff_ids) {
                        Ok(est) => {
                            shown = table.get(&est.tariff_id).or(shown);
                            let incl = est.incl_vat.map(|d| d.round_dp(2).to_string());
                            let excl = est.excl_vat.round_dp(2).to_string();
                            let total_text = match &incl {
                                Some(v) => money(v, &est.currency, lang),
                                None => format!("{} {}", money(&excl, &est.currency, lang), excl_vat_text(lang)),
                            };
                            let secs: f64 = est.charging_s.to_string().parse().unwrap_or(0.0);
                            out.estimate = Some(EstimateOut {
                                tariff_id: est.tariff_id.clone(),
                                currency: est.currency.clone(),
                                excl_vat: excl,
                                incl_vat: incl,
                                total_text,
                                energy_kwh: est.energy_kwh.round_dp(1).to_string(),
                                charging_min: (secs / 60.0).round() as u32,
                                notes: est.notes.iter().map(|n| n.text(lang)).collect(),
                            });
                        }
                        Err(_) => out.price_unknown = Some(no_estimate_text(lang).to_string()),
                    }
                }
                (Some(_), None) => out.price_unknown = Some(not_fit_text(lang).to_string()),
                _ => {}
            }
            match shown {
                Some(t) => {
                    out.words = Some(describe(t, lang));
                    out.currency = Some(t.currency.clone());
                    out.incl_vat = Some(shows_incl_vat(t));
                }
                None if out.price_unknown.is_none() => out.price_unknown = Some(no_tariff_text(lang).to_string()),
                None => {}
            }
            connectors.push(out);
        }
    }
    Ok(Prices {
        location_id: loc.id.clone(),
        vehicle: car.map(|c| c.id.clone()),
        plan: car.map(|c| Plan {
            battery_kwh: f64::from(c.vehicle.battery_kwh),
            soc_from_pct: PLAN_FROM_PCT,
            soc_to_pct: PLAN_TO_PCT,
            start: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            text: plan_text(lang, f64::from(c.vehicle.battery_kwh)),
        }),
        connectors,
    })
}

/// The handler.
pub async fn prices(
    State(store): State<Store>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = match language(q.get("lang").map(String::as_str)) {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let car = match vehicle(q.get("vehicle").map(String::as_str)) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    match tokio::task::spawn_blocking(move || prices_at(&store, &id, car, lang, jiff::Timestamp::now())).await {
        Ok(Ok(p)) => axum::Json(p).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => ApiError::server(format!("the price lookup did not finish: {e}")).into_response(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use axum::http::StatusCode;

    /// Two locations and two tariffs, in a fresh database of their own.
    pub(crate) fn test_store(name: &str) -> Store {
        let dir = std::env::temp_dir().join(format!("cf-station-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("locations.json.gz"), LOCATIONS).unwrap();
        std::fs::write(dir.join("tariffs.json.gz"), TARIFFS).unwrap();
        Store::open_or_import(&dir.join("db.sqlite"), &dir).unwrap()
    }

    const LOCATIONS: &str = r#"[
      {"id":"LOC1","country_code":"NL","party_id":"ABC","name":"Markt","address":"Markt 1","city":"Delft","country":"NLD",
       "time_zone":"Europe/Amsterdam","coordinates":{"latitude":"52.0116","longitude":"4.3571"},
       "evses":[{"uid":"E1","status":"AVAILABLE","connectors":[
          {"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE","max_voltage":230,"max_amperage":32,"tariff_ids":["AC"]}]},
         {"uid":"E2","status":"CHARGING","connectors":[
          {"id":"1","standard":"IEC_62196_T2_COMBO","format":"CABLE","power_type":"DC","max_voltage":500,"max_amperage":200,"max_electric_power":100000,"tariff_ids":["DC"]},
          {"id":"2","standard":"CHADEMO","format":"CABLE","power_type":"DC","max_voltage":500,"max_amperage":100,"max_electric_power":50000,"tariff_ids":["NOPE"]}]}]},
      {"id":"LOC2","country_code":"NL","party_id":"ABC","address":"Straat 2","city":"Delft","country":"NLD",
       "time_zone":"Europe/Amsterdam","coordinates":{"latitude":"52.02","longitude":"4.36"},
       "evses":[{"uid":"F1","status":"AVAILABLE","connectors":[
          {"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE","max_voltage":230,"max_amperage":16}]}]}
    ]"#;

    const TARIFFS: &str = r#"[
      {"id":"AC","country_code":"NL","party_id":"ABC","currency":"EUR","last_updated":"2026-01-01T00:00:00Z",
       "elements":[{"price_components":[{"type":"ENERGY","price":0.30,"vat":21,"step_size":1}]}]},
      {"id":"DC","country_code":"NL","party_id":"ABC","currency":"EUR","last_updated":"2026-01-01T00:00:00Z",
       "elements":[{"price_components":[{"type":"ENERGY","price":0.50,"step_size":1}]}]}
    ]"#;

    fn now() -> jiff::Timestamp {
        "2026-06-09T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn prices_per_connector_with_an_estimate_for_the_car() {
        let store = test_store("prices");
        let car = vehicle(Some("vw-id3-pro")).unwrap();
        let v = car.unwrap().vehicle.clone();
        let p = prices_at(&store, "LOC1", car, Language::En, now()).unwrap();
        assert_eq!(p.connectors.len(), 3);
        let ac = &p.connectors[0];
        assert_eq!((ac.evse_uid.as_str(), ac.connector_id.as_str()), ("E1", "1"));
        assert_eq!(ac.words.as_deref(), Some("€0.363/kWh"), "0.30 + 21 % VAT, incl. VAT since it is stated");
        assert_eq!(ac.incl_vat, Some(true));
        assert_eq!(ac.fits, Some(true));
        assert_eq!(ac.car_power_kw, Some(f64::from(v.max_ac_kw.min(22.08))));
        let est = ac.estimate.as_ref().unwrap();
        // 20 → 80 % of the battery through 90 % AC efficiency, at €0.30 + 21 %.
        let kwh = f64::from(v.battery_kwh) * 0.6 / 0.9;
        let incl: f64 = est.incl_vat.as_deref().unwrap().parse().unwrap();
        assert!((incl - kwh * 0.30 * 1.21).abs() < 0.01, "{incl} vs {}", kwh * 0.30 * 1.21);
        assert_eq!(est.total_text, format!("€{}", est.incl_vat.as_deref().unwrap()));
        // DC without VAT: excl. VAT, said so, with the core's note.
        let dc = &p.connectors[1];
        let est = dc.estimate.as_ref().unwrap();
        assert_eq!(est.incl_vat, None);
        assert!(est.total_text.ends_with("excl. VAT"), "{}", est.total_text);
        assert!(dc.words.as_deref().unwrap().ends_with("excl. VAT"));
        assert!(est.notes.iter().any(|n| n.contains("VAT")), "{:?}", est.notes);
        // CHAdeMO: an ID.3 does not take it; its tariff is not published either.
        let chademo = &p.connectors[2];
        assert_eq!((chademo.fits, chademo.estimate.is_none()), (Some(false), true));
        assert_eq!(chademo.price_unknown.as_deref(), Some("This connector does not fit your car."));
        let plan = p.plan.unwrap();
        assert_eq!((plan.soc_from_pct, plan.soc_to_pct), (20.0, 80.0));
        assert!(plan.text.contains("20% to 80%"));
    }

    #[test]
    fn words_in_the_language_asked_and_no_estimate_without_a_car() {
        let store = test_store("words");
        let p = prices_at(&store, "LOC1", None, language(Some("nl")).unwrap(), now()).unwrap();
        assert_eq!(p.connectors[0].words.as_deref(), Some("€ 0,363/kWh"));
        assert!(p.connectors.iter().all(|c| c.estimate.is_none() && c.fits.is_none()));
        assert_eq!(p.plan, None);
        assert_eq!(
            p.connectors[2].price_unknown.as_deref(),
            Some("De exploitant publiceert geen prijs voor deze aansluiting.")
        );
        let p = prices_at(&store, "LOC2", None, Language::De, now()).unwrap();
        assert_eq!(p.connectors[0].words, None, "no tariff ids: no words, and the reason");
        assert!(p.connectors[0].price_unknown.is_some());
    }

    #[test]
    fn unknown_station_is_404_and_bad_parameters_are_400() {
        let store = test_store("errors");
        let e = prices_at(&store, "NOPE", None, Language::En, now()).unwrap_err();
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        assert!(e.message.contains("NOPE"));
        let e = vehicle(Some("<script>")).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.message.contains("catalogue"));
        assert_eq!(language(Some("xx")).unwrap_err().status, StatusCode::BAD_REQUEST);
        assert_eq!(language(Some("english")).unwrap_err().status, StatusCode::BAD_REQUEST);
        assert_eq!(language(Some("fr-BE")).unwrap(), Language::Fr);
        assert_eq!(language(None).unwrap(), Language::En);
    }

    #[test]
    fn the_location_comes_as_the_domain_model() {
        let store = test_store("model");
        let loc = load_location(&store, "LOC1").unwrap();
        let json = serde_json::to_string(&loc).unwrap();
        let back: Location = serde_json::from_str(&json).unwrap();
        assert_eq!(back, loc, "the app reads exactly what the server sends");
        assert_eq!(back.evses.len(), 2);
        assert_eq!(back.evses[1].connectors[0].max_power_kw(), Some(100.0));
        assert_eq!(load_location(&store, "NOPE").unwrap_err().status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn money_reads_as_each_language_writes_it() {
        assert_eq!(money("14.52", "EUR", Language::En), "€14.52");
        assert_eq!(money("14.52", "EUR", Language::Nl), "€ 14,52");
        assert_eq!(money("14.52", "EUR", Language::De), "14,52 €");
        assert_eq!(money("3.10", "CHF", Language::Fr), "3,10 CHF");
        assert_eq!(money("3.10", "CHF", Language::En), "CHF 3.10");
    }
}
