//! The station screen: everything about one location, opened from the list (or the map, or a
//! link). The full OCPI object is fetched only now; live status comes from the shared table.
//! Every word from a feed is a text node, never markup.

use std::time::Duration;

use chargefinder::{catalogue_vehicle, effective_power_kw, Connector, Evse, Location};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{self, FetchError, Prices};
use crate::app::{now_s, Ctx};
use crate::i18n::{self, Lang, Msg};
use crate::report::ReportForm;
use crate::station_state::{
    address_line, directions_url, display_name, duration_text, opening_hours, period_text, share_url, OpeningHours,
    Platform, StatusKind,
};

/// The station screen's messages.
pub mod msg {
    use crate::i18n::Msg;

    macro_rules! msgs {
        ($($name:ident = $en:literal, $nl:literal, $de:literal, $fr:literal;)*) => {
            $(pub const $name: Msg = Msg { en: $en, nl: $nl, de: $de, fr: $fr };)*
        };
    }

    msgs! {
        LOADING = "Loading the station…", "Laadstation wordt geladen…", "Station wird geladen…",
            "Chargement de la station…";
        OFFLINE = "We could not reach the chargefinder server, so this station’s details cannot be shown. Check your connection and try again.",
            "We konden de chargefinder-server niet bereiken, dus de gegevens van dit station zijn niet te zien. Controleer je verbinding en probeer het opnieuw.",
            "Wir konnten den chargefinder-Server nicht erreichen, deshalb fehlen die Details dieser Station. Prüfe deine Verbindung und versuche es noch einmal.",
            "Impossible de joindre le serveur chargefinder : les détails de cette station ne peuvent pas s’afficher. Vérifiez votre connexion et réessayez.";
        NOT_FOUND = "This station is not (or no longer) in our data.", "Dit station staat niet (meer) in onze gegevens.",
            "Diese Station ist nicht (mehr) in unseren Daten.", "Cette station ne figure pas (ou plus) dans nos données.";
        SERVER_ERROR = "The server answered with an error ({}). Please try again later.",
            "De server gaf een foutmelding ({}). Probeer het later opnieuw.",
            "Der Server hat mit einem Fehler geantwortet ({}). Bitte versuche es später noch einmal.",
            "Le serveur a répondu par une erreur ({}). Veuillez réessayer plus tard.";
        DAMAGED = "The station’s data we received could not be read. Please try again.",
            "De gegevens van dit station waren onleesbaar. Probeer het opnieuw.",
            "Die Daten dieser Station waren nicht lesbar. Bitte versuche es noch einmal.",
            "Les données reçues pour cette station sont illisibles. Veuillez réessayer.";
        RETRY = "Try again", "Opnieuw proberen", "Noch einmal versuchen", "Réessayer";
        OPERATOR = "Operator: {}", "Exploitant: {}", "Betreiber: {}", "Opérateur : {}";
        OPEN_247 = "Open 24/7", "24/7 open", "Rund um die Uhr geöffnet", "Ouvert 24 h/24, 7 j/7";
        HOURS_UNKNOWN = "Opening hours not published", "Openingstijden niet bekend",
            "Öffnungszeiten nicht angegeben", "Horaires non communiqués";
        OPEN_NOW = "Open now", "Nu open", "Jetzt geöffnet", "Ouvert maintenant";
        CLOSED_NOW = "Closed now", "Nu gesloten", "Jetzt geschlossen", "Fermé maintenant";
        TODAY = "today {} (local time)", "vandaag {} (lokale tijd)", "heute {} (Ortszeit)",
            "aujourd’hui {} (heure locale)";
        CLOSED_TODAY = "closed all day today", "vandaag de hele dag gesloten", "heute ganztägig geschlossen",
            "fermé toute la journée aujourd’hui";
        DIRECTIONS = "Directions", "Route", "Route", "Itinéraire";
        SHARE = "Share", "Delen", "Teilen", "Partager";
        COPIED = "Link copied. Paste it anywhere to share this station.",
            "Link gekopieerd. Plak hem waar je maar wilt om dit station te delen.",
            "Link kopiert. Füge ihn irgendwo ein, um diese Station zu teilen.",
            "Lien copié. Collez-le où vous voulez pour partager cette station.";
        SHARED = "Shared.", "Gedeeld.", "Geteilt.", "Partagé.";
        COPY_THIS = "Copy this link to share the station:", "Kopieer deze link om het station te delen:",
            "Kopiere diesen Link, um die Station zu teilen:", "Copiez ce lien pour partager la station :";
        CHARGE_POINTS = "Charge points ({})", "Laadpunten ({})", "Ladepunkte ({})", "Points de charge ({})";
        AVAILABLE = "Available", "Beschikbaar", "Frei", "Disponible";
        OCCUPIED = "Occupied", "Bezet", "Belegt", "Occupé";
        OUT_OF_ORDER = "Out of order", "Buiten gebruik", "Außer Betrieb", "Hors service";
        UNKNOWN = "Status unknown", "Status onbekend", "Status unbekannt", "État inconnu";
        UPDATED = "updated {}", "bijgewerkt {}", "aktualisiert {}", "mis à jour {}";
        FOR_YOUR_CAR = "{} for your car", "{} voor jouw auto", "{} für dein Auto", "{} pour votre voiture";
        DOES_NOT_FIT = "does not fit your car", "past niet bij jouw auto", "passt nicht zu deinem Auto",
            "incompatible avec votre voiture";
        PRICE = "Price: {}", "Prijs: {}", "Preis: {}", "Prix : {}";
        ESTIMATE = "About {} for your car ({} kWh in {})", "Ongeveer {} voor jouw auto ({} kWh in {})",
            "Etwa {} für dein Auto ({} kWh in {})", "Environ {} pour votre voiture ({} kWh en {})";
        PICK_CAR = "Choose your car in the filters to see what a charge would cost.",
            "Kies je auto bij de filters om te zien wat laden hier kost.",
            "Wähle dein Auto in den Filtern, um zu sehen, was eine Ladung kostet.",
            "Choisissez votre voiture dans les filtres pour voir ce que coûterait une recharge.";
        PRICES_LOADING = "Loading prices…", "Prijzen worden geladen…", "Preise werden geladen…", "Chargement des prix…";
        PRICES_FAILED = "Prices are not available right now.", "Prijzen zijn nu niet beschikbaar.",
            "Preise sind gerade nicht verfügbar.", "Les prix ne sont pas disponibles pour le moment.";
    }
}

/// Something fetched: not yet (`None`), or what came of it.
type Loaded<T> = RwSignal<Option<Result<T, FetchError>>>;

/// The message for a failed fetch, in `lang`.
fn fetch_error_text(e: &FetchError, lang: Lang) -> String {
    match e {
        FetchError::Offline => msg::OFFLINE.get(lang).to_string(),
        FetchError::NotFound => msg::NOT_FOUND.get(lang).to_string(),
        FetchError::Status(s) => msg::SERVER_ERROR.fill(lang, &[&s.to_string()]),
        FetchError::Damaged => msg::DAMAGED.get(lang).to_string(),
    }
}

pub(crate) fn status_msg(k: StatusKind) -> Msg {
    match k {
        StatusKind::Available => msg::AVAILABLE,
        StatusKind::Occupied => msg::OCCUPIED,
        StatusKind::OutOfOrder => msg::OUT_OF_ORDER,
        StatusKind::Unknown => msg::UNKNOWN,
    }
}

/// The UTC offset of IANA zone `tz` at `now_ms`, in seconds, from the browser's `Intl` (an
/// unknown zone throws there: `None`, and the caller reads hours as UTC, as the core does).
fn utc_offset_s(tz: &str, now_ms: f64) -> Option<i32> {
    let ctor: wasm_bindgen::JsValue = js_sys::Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| js_sys::Reflect::get(&intl, &"DateTimeFormat".into()))
        .ok()?;
    let opts = js_sys::Object::new();
    for (k, v) in [
        ("timeZone", tz),
        ("hourCycle", "h23"),
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("second", "numeric"),
    ] {
        let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
    }
    let args = js_sys::Array::of2(&"en-US".into(), &opts);
    let fmt = js_sys::Reflect::construct(ctor.dyn_ref::<js_sys::Function>()?, &args).ok()?;
    let f = js_sys::Reflect::get(&fmt, &"formatToParts".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let parts = f.call1(&fmt, &js_sys::Date::new(&now_ms.into())).ok()?.dyn_into::<js_sys::Array>().ok()?;
    let mut v = [0i64; 6];
    for p in parts.iter() {
        let ty = js_sys::Reflect::get(&p, &"type".into()).ok()?.as_string()?;
        let value = js_sys::Reflect::get(&p, &"value".into()).ok()?.as_string()?;
        let i = match ty.as_str() {
            "year" => 0,
            "month" => 1,
            "day" => 2,
            "hour" => 3,
            "minute" => 4,
            "second" => 5,
            _ => continue,
        };
        v[i] = value.parse().ok()?;
    }
    // The local wall time read as if it were UTC, minus the instant: the offset.
    let wall = jiff::civil::DateTime::new(v[0] as i16, v[1] as i8, v[2] as i8, v[3] as i8, v[4] as i8, v[5] as i8, 0)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp()
        .as_second();
    i32::try_from(wall - (now_ms / 1000.0).floor() as i64).ok()
}

/// After the screen closes, focus returns to the station's link in the list.
fn focus_list_link(ctx: Ctx, id: &str) {
    crate::embed::focus_station_link(ctx.host.and_then(|i| i.host()).as_ref(), id);
}

#[component]
pub fn StationScreen(id: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    // The compact station's name shows at once; the OCPI object's replaces it when it arrives.
    let compact_name = ctx.index.with_value(|ix| ix.station_by_id(&id).map(|i| ix.station(i).name.clone()));
    // Plain signals, not resources: a resource read here would make the app's outer Suspense
    // hold the whole screen (heading included) until the fetch ends.
    let location: Loaded<Location> = RwSignal::new(None);
    let load = {
        let id = id.clone();
        Callback::new(move |()| {
            let id = id.clone();
            location.set(None);
            leptos::task::spawn_local(async move {
                let r = api::fetch_location(&id).await;
                // The screen may have closed meanwhile.
                let _ = location.try_set(Some(r));
            });
        })
    };
    load.run(());
    // Prices follow the car and the language; an answer to an older question is dropped.
    let prices: Loaded<Prices> = RwSignal::new(None);
    let asked = StoredValue::new(0u32);
    {
        let id = id.clone();
        Effect::new(move |_| {
            let vehicle = ctx.choice.with(|c| c.vehicle.clone());
            let code = lang.get().code();
            let id = id.clone();
            asked.update_value(|n| *n += 1);
            let question = asked.get_value();
            leptos::task::spawn_local(async move {
                let r = api::fetch_prices(&id, vehicle, code).await;
                if asked.try_get_value() == Some(question) {
                    let _ = prices.try_set(Some(r));
                }
            });
        });
    }
    // A clock for "updated N min ago" and "open now".
    let now = RwSignal::new(now_s());
    let tick = set_interval_with_handle(move || now.set(now_s()), Duration::from_secs(30)).ok();
    // Focus moves to the heading once the screen is in the document (after this render).
    set_timeout(
        move || {
            if let Some(h) = ctx.find("#cf-station-title") {
                let _ = h.focus();
            }
        },
        Duration::ZERO,
    );
    {
        let id = id.clone();
        on_cleanup(move || {
            if let Some(t) = tick {
                t.clear();
            }
            // After the list is shown again.
            set_timeout(move || focus_list_link(ctx, &id), Duration::ZERO);
        });
    }
    let title = {
        let id = id.clone();
        move || {
            location
                .with(|l| l.as_ref().and_then(|r| r.as_ref().ok()).map(display_name))
                .or_else(|| compact_name.clone())
                .unwrap_or_else(|| id.clone())
        }
    };
    view! {
        <section class="cf-station-screen" data-testid="station-screen" aria-labelledby="cf-station-title">
            <button type="button" class="cf-back" data-testid="back" on:click=move |_| ctx.close_station()>
                "← " {move || ctx.t(i18n::msg::BACK)}
            </button>
            <h2 id="cf-station-title" data-testid="station-name" tabindex="-1">{title}</h2>
            {move || match location.get() {
                None => {
                    view! { <p class="cf-status" role="status">{move || msg::LOADING.get(lang.get())}</p> }.into_any()
                }
                Some(Err(e)) => {
                    view! {
                        <div class="cf-station-error">
                            <p class="cf-error" role="alert" data-testid="station-error">
                                {move || fetch_error_text(&e, lang.get())}
                            </p>
                            <button type="button" class="cf-button" on:click=move |_| load.run(())>
                                {move || msg::RETRY.get(lang.get())}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Some(Ok(loc)) => view! { <Details loc=loc prices=prices now=now /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Details(loc: Location, prices: Loaded<Prices>, now: RwSignal<i64>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let hours = {
        let (h, tz) = (loc.opening_times.clone(), loc.time_zone.clone());
        move || {
            let l = lang.get();
            let t = now.get();
            match opening_hours(h.as_ref(), utc_offset_s(&tz, t as f64 * 1000.0).unwrap_or(0), t) {
                OpeningHours::NotPublished => msg::HOURS_UNKNOWN.get(l).to_string(),
                OpeningHours::Always { open_now: true } => msg::OPEN_247.get(l).to_string(),
                OpeningHours::Always { open_now: false } => {
                    format!("{} · {}", msg::CLOSED_NOW.get(l), msg::OPEN_247.get(l))
                }
                OpeningHours::Weekly { today, open_now } => {
                    let state = if open_now { msg::OPEN_NOW } else { msg::CLOSED_NOW }.get(l);
                    let day = if today.is_empty() {
                        msg::CLOSED_TODAY.get(l).to_string()
                    } else {
                        let p = today.iter().map(|p| period_text(*p)).collect::<Vec<_>>().join(", ");
                        msg::TODAY.fill(l, &[&p])
                    };
                    format!("{state} · {day}")
                }
            }
        }
    };
    let open_class = {
        let (h, tz) = (loc.opening_times.clone(), loc.time_zone.clone());
        move || {
            let t = now.get();
            let open = match opening_hours(h.as_ref(), utc_offset_s(&tz, t as f64 * 1000.0).unwrap_or(0), t) {
                OpeningHours::NotPublished => true,
                OpeningHours::Always { open_now } | OpeningHours::Weekly { open_now, .. } => open_now,
            };
            if open {
                "cf-hours cf-hours--open"
            } else {
                "cf-hours cf-hours--closed"
            }
        }
    };
    let name = display_name(&loc);
    let ua = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
    let directions = directions_url(Platform::from_user_agent(&ua), loc.lat, loc.lon, &name);
    let operator = loc.operator.clone().filter(|o| !o.trim().is_empty());
    let evse_count = loc.evses.len();
    let evse_choices: Vec<(String, String)> =
        loc.evses.iter().map(|e| (e.uid.clone(), e.evse_id.clone().unwrap_or_else(|| e.uid.clone()))).collect();
    let loc_id = loc.id.clone();
    let plan = move || {
        let has_car = ctx.choice.with(|c| c.vehicle.as_deref().and_then(catalogue_vehicle).is_some());
        if !has_car {
            return Some(msg::PICK_CAR.get(lang.get()).to_string());
        }
        prices.with(|p| match p {
            Some(Ok(p)) => p.plan.as_ref().map(|pl| pl.text.clone()),
            Some(Err(_)) => Some(msg::PRICES_FAILED.get(lang.get()).to_string()),
            None => Some(msg::PRICES_LOADING.get(lang.get()).to_string()),
        })
    };
    view! {
        <p class="cf-station-address" data-testid="station-address">{address_line(&loc)}</p>
        {operator
            .map(|o| {
                view! {
                    <p class="cf-station-operator" data-testid="station-operator">
                        {move || msg::OPERATOR.fill(lang.get(), &[&o])}
                    </p>
                }
            })}
        <p class=open_class data-testid="station-hours">{hours}</p>
        <div class="cf-actions">
            <a class="cf-button" data-testid="directions" href=directions rel="noopener">
                {move || msg::DIRECTIONS.get(lang.get())}
            </a>
            <ShareButton id=loc.id.clone() title=name />
        </div>
        <h3>{move || msg::CHARGE_POINTS.fill(lang.get(), &[&evse_count.to_string()])}</h3>
        <p class="cf-plan" data-testid="price-plan">{plan}</p>
        <ul class="cf-evses" data-testid="evses">
            {loc
                .evses
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    view! { <EvseItem loc_id=loc_id.clone() position=k evses=evse_count evse=e.clone() prices=prices now=now /> }
                })
                .collect_view()}
        </ul>
        <ReportForm location_id=loc.id.clone() evses=evse_choices />
    }
}

#[component]
fn EvseItem(
    loc_id: String,
    /// The EVSE's position in the location (the list's compact row has the same EVSEs in the
    /// same order, both made by the core from one Location, but no uids).
    position: usize,
    evses: usize,
    evse: Evse,
    prices: Loaded<Prices>,
    now: RwSignal<i64>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let Ctx { index, live, version, lang, .. } = ctx;
    let slot = index.with_value(|ix| {
        let slots = ix.evse_slots(ix.station_by_id(&loc_id)?);
        // Only when the row and the object agree on the EVSEs (a station changed since the list
        // loaded shows what its object says).
        (slots.len() == evses).then(|| slots.start + position as u32)
    });
    let fed_status = evse.status;
    let fed_updated = evse.last_updated.as_deref().and_then(chargefinder::parse_instant);
    // Live status when the list knows this EVSE; else what the OCPI object says.
    let state = move || {
        version.track();
        let t = now.get();
        match slot {
            Some(slot) => live.with_value(|l| (l.status(slot, t), l.last_updated_s(slot))),
            None => (fed_status, fed_updated),
        }
    };
    let kind = move || StatusKind::of(state().0);
    let status_class = move || format!("cf-evse-status cf-evse-status--{}", kind().code());
    let updated = move || {
        state().1.map(|u| msg::UPDATED.fill(lang.get(), &[&i18n::ago(lang.get(), now.get() - u)])).unwrap_or_default()
    };
    let label = evse.evse_id.clone().unwrap_or_else(|| evse.uid.clone());
    let uid = evse.uid.clone();
    view! {
        <li class="cf-evse" data-testid="evse" data-uid=evse.uid.clone()>
            <div class="cf-evse__top">
                <span class=status_class data-testid="evse-status" data-status=move || kind().code()>
                    {move || status_msg(kind()).get(lang.get())}
                </span>
                <span class="cf-evse__updated" data-testid="evse-updated">{updated}</span>
            </div>
            <div class="cf-evse__id">{label}</div>
            <ul class="cf-connectors">
                {evse
                    .connectors
                    .iter()
                    .map(|c| view! { <ConnectorItem evse_uid=uid.clone() connector=c.clone() prices=prices /> })
                    .collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn ConnectorItem(evse_uid: String, connector: Connector, prices: Loaded<Prices>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let kw = connector.max_power_kw();
    let power = move || i18n::power(lang.get(), kw.unwrap_or(0.0) as f32);
    let car = {
        let c = connector.clone();
        move || {
            let v = ctx.choice.with(|ch| ch.vehicle.as_deref().and_then(catalogue_vehicle))?;
            Some(match effective_power_kw(&v.vehicle, &c) {
                Some(p) => msg::FOR_YOUR_CAR.fill(lang.get(), &[&i18n::power(lang.get(), p)]),
                None => msg::DOES_NOT_FIT.get(lang.get()).to_string(),
            })
        }
    };
    let cid = connector.id.clone();
    let price = move || {
        prices.with(|p| {
            let p = p.as_ref()?.as_ref().ok()?.connector(&evse_uid, &cid)?.clone();
            let l = lang.get();
            let words = p.words.map(|w| msg::PRICE.fill(l, &[&w]));
            let estimate = p.estimate.map(|e| {
                let kwh = if l == Lang::En { e.energy_kwh.clone() } else { e.energy_kwh.replace('.', ",") };
                msg::ESTIMATE.fill(l, &[&e.total_text, &kwh, &duration_text(l, e.charging_min)])
            });
            Some((words, estimate, p.price_unknown))
        })
    };
    view! {
        <li class="cf-connector" data-testid="connector" data-power-kw=kw.map(|k| format!("{k:.2}")).unwrap_or_default()>
            <div class="cf-connector__facts">
                <span class="cf-connector__plug" data-testid="connector-plug">{connector.family().label()}</span>
                <span class="cf-power" data-testid="connector-power">{power}</span>
                <span class="cf-connector__car" data-testid="connector-car">{car}</span>
            </div>
            {move || {
                price()
                    .map(|(words, estimate, unknown)| {
                        view! {
                            <div class="cf-connector__price" data-testid="connector-price">
                                {words.map(|w| view! { <p class="cf-price-words" data-testid="price-words">{w}</p> })}
                                {estimate.map(|e| view! { <p class="cf-price-estimate" data-testid="price-estimate">{e}</p> })}
                                {unknown.map(|u| view! { <p class="cf-price-unknown">{u}</p> })}
                            </div>
                        }
                    })
            }}
        </li>
    }
}

/// Share: the Web Share API when the browser has it, else copy the link, else show it.
#[component]
fn ShareButton(id: String, title: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    // What happened: a message, and the link when it must be copied by hand.
    let feedback: RwSignal<Option<(Msg, Option<String>)>> = RwSignal::new(None);
    let on_click = move |_| {
        let Some(w) = web_sys::window() else { return };
        let loc = w.location();
        // In a partner's element the link is to our app, not to the partner's page.
        let base = match ctx.host {
            Some(_) => api::url("/"),
            None => format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default()),
        };
        let url = share_url(&base, &id);
        let title = title.clone();
        leptos::task::spawn_local(async move {
            feedback.set(Some(share(&url, &title).await));
        });
    };
    view! {
        <button type="button" class="cf-button" data-testid="share" on:click=on_click>
            {move || msg::SHARE.get(lang.get())}
        </button>
        <div class="cf-share-feedback" role="status" data-testid="share-feedback">
            {move || {
                feedback
                    .get()
                    .map(|(m, link)| {
                        view! {
                            <span>{move || m.get(lang.get())}</span>
                            {link.map(|l| view! { <input class="cf-share-link" type="text" readonly value=l /> })}
                        }
                    })
            }}
        </div>
    }
}

/// Calls `navigator[method](arg)` when it exists; `None` when the browser has no such method.
async fn call_navigator(object: &str, method: &str, arg: &wasm_bindgen::JsValue) -> Option<bool> {
    let nav: wasm_bindgen::JsValue = web_sys::window()?.navigator().into();
    let target = if object.is_empty() {
        nav
    } else {
        js_sys::Reflect::get(&nav, &object.into()).ok().filter(|v| v.is_object())?
    };
    let f = js_sys::Reflect::get(&target, &method.into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let promise = f.call1(&target, arg).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    Some(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok())
}

async fn share(url: &str, title: &str) -> (Msg, Option<String>) {
    let data = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&data, &"title".into(), &title.into());
    let _ = js_sys::Reflect::set(&data, &"url".into(), &url.into());
    if call_navigator("", "share", &data).await == Some(true) {
        return (msg::SHARED, None);
    }
    // No Web Share, or the driver closed the sheet, or it failed: copying still helps.
    match call_navigator("clipboard", "writeText", &url.into()).await {
        Some(true) => (msg::COPIED, None),
        _ => (msg::COPY_THIS, Some(url.to_string())),
    }
}
