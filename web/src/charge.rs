//! Paid charging (issue 7): pick a connector → price, estimate and hold → card → "plug in and
//! confirm" → live session → receipt. Reloading mid-session comes back to the live screen.
//!
//! These screens are a page of their own, `/charge/` (`charge/index.html`, built from this crate
//! with the `charge-page` feature): the finder's wasm does not carry them, so the first view a
//! phone downloads stays small, and the payment runs only on our origin, whatever page the
//! finder is embedded in. The finder links here ([`ChargeEntry`]) and forwards old links and an
//! open session ([`forward_if_charging`]).
//!
//! Routes: `?charge=LOCATION_ID` (pick and pay), `?session=ID` (live and receipt). Without
//! either, the driver's open session (if any) is shown, so a reload or a closed tab returns to it.
//! The live screen polls the session every second (`EventSource` cannot send the driver's
//! `Authorization` header; the SSE stream is for clients that can).
//!
//! In a partner's `<charge-finder>` element the app runs on the partner's origin, where the
//! driver's token must never be: "Charge here" opens these screens on our origin in a new
//! window, whose session events reach the element through the bridge (`embed.rs`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;

use crate::app::location_search;
use crate::charge_api::{self as api, CardForm, Quote, Receipt, Session};
use crate::i18n::{self, msg, Lang, Msg};

// The screens' styles are in `web/charge.css`, linked from index.html (a strict CSP forbids
// inline <style> elements).
const CARD_MOUNT: &str = "cf-card-element";

/// Where the charging page is (our origin; an absolute path, so it is the same from `/` and
/// `/embed`).
pub const PAGE: &str = "/charge/";

/// What the charging screens share: the driver's language and car (the finder's choice,
/// remembered on the device or passed in the link).
#[derive(Clone, Copy)]
struct ChargeCtx {
    lang: RwSignal<Lang>,
    vehicle: StoredValue<Option<String>>,
}

/// The charging page's root.
#[component]
pub fn ChargeApp() -> impl IntoView {
    let query = location_search();
    let link = crate::state::Place::from_query(&query);
    let lang = RwSignal::new(crate::app::initial_lang(link.lang));
    let vehicle = crate::state::Choice::from_query(&query).0.vehicle.or_else(crate::app::remembered_vehicle);
    provide_context(ChargeCtx { lang, vehicle: StoredValue::new(vehicle) });
    view! {
        <div class="cf-app cf-charge-page" lang=move || lang.get().code()>
            <header class="cf-header">
                <h1>"chargefinder"</h1>
            </header>
            <main>
                <ChargeRoutes />
            </main>
        </div>
    }
}

/// The finder's side: a link from the old in-app routes (`/?charge=…`, `/?session=…`) goes on
/// to the charging page, and so does the finder opened while the driver's session is running
/// (a closed tab comes back to it). Only the session's id is read here, so the finder's wasm
/// does not carry the session types.
pub fn forward_if_charging() {
    let query = location_search();
    if Route::from_query(&query) != Route::None {
        if let Some(w) = web_sys::window() {
            let _ = w.location().replace(&format!("{PAGE}{query}"));
        }
        return;
    }
    if crate::state::Place::from_query(&query).station.is_some() {
        return;
    }
    if let Some(token) = api::known_token() {
        spawn_local(async move {
            if let Some(id) = api::open_session_id(&token).await {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(&format!("{PAGE}{}", Route::Session(id).to_query()));
                }
            }
        });
    }
}

/// Where the charging screens are.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    None,
    Pick(String),
    Session(String),
}

impl Route {
    pub fn from_query(query: &str) -> Route {
        let mut route = Route::None;
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = crate::state::decode(v).unwrap_or_default();
            if v.is_empty() || v.len() > 64 {
                continue;
            }
            match k {
                "charge" => route = Route::Pick(v),
                "session" => route = Route::Session(v),
                _ => {}
            }
        }
        route
    }

    fn to_query(&self) -> String {
        match self {
            Route::None => "?".into(),
            Route::Pick(id) => format!("?charge={}", crate::state::encode(id)),
            Route::Session(id) => format!("?session={}", crate::state::encode(id)),
        }
    }
}

/// `1 h 05 min`, `12 min 04 s`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else {
        format!("{m} min {sec:02} s")
    }
}

/// What the driver reads about a session's state.
pub fn state_words(lang: Lang, state: &str) -> &'static str {
    let m = match state {
        "requested" | "held" => msg::STATE_HOLDING,
        "authenticating" => msg::STATE_AUTHENTICATING,
        "starting" => msg::STATE_STARTING,
        "active" => msg::STATE_ACTIVE,
        "stopping" => msg::STATE_STOPPING,
        "completed" => msg::STATE_COMPLETED,
        "failed" => msg::STATE_FAILED,
        _ => return "",
    };
    m.get(lang)
}

/// An RFC 3339 time from the server as the driver's device and language write it
/// ("22 nov 2026 10:30"), or as sent if the browser cannot read it.
fn local_time(lang: Lang, rfc3339: &str) -> String {
    let d = js_sys::Date::new(&rfc3339.into());
    if d.get_time().is_nan() {
        return rfc3339.to_string();
    }
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&opts, &"timeStyle".into(), &"short".into());
    d.to_locale_string(lang.code(), &opts).into()
}

/// A fresh idempotency key for one start: a second press of the same button reuses it.
fn new_key() -> String {
    format!("web-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e12) as u64)
}

fn go(route: RwSignal<Route>, to: Route) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to.to_query()));
    }
    route.set(to);
}

/// The charging screens, over the finder. Reads its route from the URL (and back/forward);
/// without one, shows the driver's open session.
#[component]
pub fn ChargeRoutes() -> impl IntoView {
    let ctx = expect_context::<ChargeCtx>();
    let route = RwSignal::new(Route::from_query(&location_search()));
    provide_context(route);
    // Nothing asked for: the driver's open session, else a way back to the map.
    let nothing = RwSignal::new(false);
    if route.get_untracked() == Route::None {
        match api::known_token() {
            Some(token) => spawn_local(async move {
                match api::open_session_id(&token).await {
                    Some(id) if route.get_untracked() == Route::None => go(route, Route::Session(id)),
                    _ => nothing.set(true),
                }
            }),
            None => nothing.set(true),
        }
    }
    let on_pop = Closure::<dyn Fn()>::new(move || route.set(Route::from_query(&location_search())));
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("popstate", wasm_bindgen::JsCast::unchecked_ref(on_pop.as_ref()));
    }
    on_pop.forget();
    let pick = Memo::new(move |_| match route.get() {
        Route::Pick(id) => Some(id),
        _ => None,
    });
    let live = Memo::new(move |_| match route.get() {
        Route::Session(id) => Some(id),
        _ => None,
    });
    let lang = ctx.lang;
    view! {
        <section class="cf-charge" hidden=move || !(nothing.get() && route.get() == Route::None)>
            <p class="cf-status">{move || msg::NO_SESSION.get(lang.get())}</p>
            <a class="cf-secondary" href="/">{move || msg::BACK.get(lang.get())}</a>
        </section>
        // The two screens in hosts of their own, each hidden unless it is the route.
        <div class="cf-charge-host" hidden=move || !matches!(route.get(), Route::Pick(_))>
            {move || pick.get().map(|id| view! { <div class="cf-overlay"><PickAndPay location_id=id /></div> })}
        </div>
        <div class="cf-charge-host" hidden=move || !matches!(route.get(), Route::Session(_))>
            {move || live.get().map(|id| view! { <div class="cf-overlay"><LiveSession id=id /></div> })}
        </div>
    }
}

/// On a station (in the finder): the way in, a link to the charging page in the driver's
/// language, with their car for the estimate. In a partner's `<charge-finder>` element the page
/// opens in a window of our origin (where the driver's token lives), whose session events reach
/// the element through the bridge (`embed.rs`).
#[component]
pub fn ChargeEntry(id: String) -> impl IntoView {
    let crate::app::Ctx { host, lang, choice, .. } = expect_context::<crate::app::Ctx>();
    let href = move || {
        let mut q = format!("{PAGE}?charge={}&lang={}", crate::state::encode(&id), lang.get().code());
        if let Some(v) = choice.with(|c| c.vehicle.clone()) {
            q.push_str("&vehicle=");
            q.push_str(&crate::state::encode(&v));
        }
        q
    };
    let to = href.clone();
    let open = move |ev: web_sys::MouseEvent| {
        if let Some(h) = host.and_then(|i| i.host()) {
            ev.prevent_default();
            crate::embed::open_charge(&h, &crate::api::url(&to()));
        }
    };
    view! {
        <a class="cf-primary cf-charge-entry" data-testid="charge-here" href=move || crate::api::url(&href()) on:click=open>
            {move || msg::CHARGE_HERE.get(lang.get())}
        </a>
    }
}

/// One startable connector.
#[derive(Debug, Clone, PartialEq)]
struct Option_ {
    evse_uid: String,
    connector_id: String,
    label: String,
    status: Msg,
    available: bool,
}

#[component]
fn PickAndPay(location_id: String) -> impl IntoView {
    let ctx = expect_context::<ChargeCtx>();
    let lang = ctx.lang;
    let route = expect_context::<RwSignal<Route>>();
    let loc_id = location_id.clone();
    let location = LocalResource::new(move || {
        let id = loc_id.clone();
        async move { api::location(&id, lang.get_untracked()).await }
    });
    let chosen = RwSignal::new(None::<(String, String)>);
    // The quote for the connector chosen, tagged with that choice: an answer for an earlier
    // tap that comes in after a later one is dropped, never shown as the later one's price.
    let quote = RwSignal::new(None::<((String, String), Result<Quote, String>)>);
    let card = RwSignal::new_local(None::<CardForm>);
    let card_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let key = RwSignal::new(new_key());
    let vehicle = move || ctx.vehicle.get_value();
    let lid = location_id.clone();
    let fetch_quote = move |choice: (String, String)| {
        let lid = lid.clone();
        spawn_local(async move {
            let q = api::quote(&lid, &choice.0, &choice.1, vehicle().as_deref(), lang.get_untracked()).await;
            if chosen.try_get_untracked().flatten().as_ref() == Some(&choice) {
                let _ = quote.try_set(Some((choice, q)));
            }
        });
    };
    // A new language re-asks for the price in words.
    let refetch = fetch_quote.clone();
    Effect::new(move |prev: Option<Lang>| {
        let l = lang.get();
        if prev.is_some_and(|p| p != l) {
            if let Some(c) = chosen.get_untracked() {
                refetch(c);
            }
        }
        l
    });
    let choose = move |evse: String, conn: String| {
        let choice = (evse, conn);
        if chosen.get_untracked().as_ref() == Some(&choice) && quote.with_untracked(Option::is_some) {
            return;
        }
        chosen.set(Some(choice.clone()));
        key.set(new_key());
        error.set(None);
        fetch_quote(choice);
        // The card form, once per screen.
        if card.with_untracked(Option::is_none) {
            spawn_local(async move {
                let l = lang.get_untracked();
                let mounted = async {
                    let cfg = api::stripe_config(l).await?.ok_or_else(|| msg::PAYMENTS_OFF.get(l).to_string())?;
                    api::load_stripe_js(&cfg.js_url, l).await?;
                    // The mount point is in the page from the start; wait for it all the same.
                    for _ in 0..200 {
                        let slot = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.get_element_by_id(CARD_MOUNT))
                            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
                        if let Some(slot) = slot {
                            // Stripe.js's own failures are technical; the driver reads one sentence.
                            return CardForm::mount(&cfg.publishable_key, &slot)
                                .map_err(|_| msg::CARD_FORM_MISSING.get(l).to_string());
                        }
                        sleep_ms(100).await;
                    }
                    Err(msg::CARD_FORM_MISSING.get(l).to_string())
                };
                match mounted.await {
                    Ok(c) => card.set(Some(c)),
                    Err(e) => card_error.set(Some(e)),
                }
            });
        }
    };
    let lid2 = location_id.clone();
    let confirm = move |_| {
        if busy.get_untracked() {
            return;
        }
        let Some((evse, conn)) = chosen.get_untracked() else { return };
        let Some(form) = card.get_untracked() else { return };
        busy.set(true);
        error.set(None);
        let lid = lid2.clone();
        let k = key.get_untracked();
        let l = lang.get_untracked();
        spawn_local(async move {
            let result = async {
                let token = api::driver_token(l).await?;
                let pm = form.token(l).await?;
                let s = api::start(&token, &k, (&lid, &evse, &conn), &pm, vehicle().as_deref(), l).await?;
                match (s.state.as_str(), s.payment.client_secret.as_deref()) {
                    // 3-D Secure: the bank's step in Stripe.js, then the server goes on.
                    ("authenticating", Some(secret)) => {
                        form.confirm_card_payment(secret, l).await?;
                        api::authenticated(&token, &s.id, l).await
                    }
                    _ => Ok(s),
                }
            }
            .await;
            busy.set(false);
            match result {
                // A page load to the live screen (the same as coming back later). In place, the
                // live screen did not mount after the card screen (Leptos 0.8, with Stripe.js's
                // element in the page); loaded fresh it always does. The driver loses nothing:
                // the session is on the server and the token on the device.
                Ok(s) => {
                    let to = Route::Session(s.id.clone()).to_query();
                    let moved = web_sys::window().map(|w| w.location().set_href(&to));
                    if !matches!(moved, Some(Ok(()))) {
                        go(route, Route::Session(s.id));
                    }
                }
                Err(e) => {
                    // A new attempt (another card) is a new start.
                    key.set(new_key());
                    error.set(Some(e));
                }
            }
        });
    };
    // A text of the current quote (empty without one): `f(quote, language, the car in words)`.
    let quote_text = move |f: fn(&Quote, Lang, &str) -> String| {
        move || {
            let l = lang.get();
            quote.with(|q| match q {
                Some((_, Ok(q))) => {
                    let car = if vehicle().is_some() { q.vehicle.clone() } else { msg::TYPICAL_CAR.get(l).to_string() };
                    f(q, l, &car)
                }
                _ => String::new(),
            })
        }
    };
    // The connectors, straight from the resource (no Suspense: the list is built once, when the
    // location is in, and a tap on it always lands on the buttons the driver sees).
    let connectors = move || {
        let choose = choose.clone();
        let l = lang.get();
        match location.get() {
            None => view! { <p class="cf-status" role="status">{msg::CHARGERS_LOADING.get(l)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="cf-error" role="alert">{e}</p> }.into_any(),
            Some(Ok(loc)) => {
                let options = connector_options(&loc);
                let title = loc.name.clone().unwrap_or_else(|| loc.address.clone());
                let none = options.is_empty().then(|| view! { <p class="cf-status">{msg::NONE_STARTABLE.get(l)}</p> });
                view! {
                    <h2 id="cf-charge-title" data-testid="charge-title">{title}</h2>
                    <p class="cf-muted">{format!("{}, {}", loc.address, loc.city)}</p>
                    <h3>{msg::STEP_CONNECTOR.get(l)}</h3>
                    {none}
                    <ul class="cf-connectors" data-testid="connectors">
                        {options.into_iter().map(|o| {
                            let (e, c) = (o.evse_uid.clone(), o.connector_id.clone());
                            let (e2, c2) = (e.clone(), c.clone());
                            let choose = choose.clone();
                            let selected = move || chosen.with(|x| x.as_ref() == Some(&(e2.clone(), c2.clone())));
                            view! {
                                <li>
                                    <button type="button" class="cf-connector" class:cf-selected=selected
                                        data-testid="connector" data-evse=e.clone() disabled=!o.available
                                        on:click=move |_| choose(e.clone(), c.clone())>
                                        <span>{o.label.clone()}</span>
                                        <span class=if o.available { "cf-free--yes" } else { "cf-free--no" }>{o.status.get(l)}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }
    };
    view! {
        <section class="cf-charge" data-testid="charge-screen" aria-labelledby="cf-charge-title">
            <button type="button" class="cf-back" on:click=move |_| {
                if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) { let _ = h.back(); }
            }>{move || msg::CHARGE_BACK.get(lang.get())}</button>
            <div class="cf-charge-part">{connectors}</div>
            <div class="cf-charge-part">
            // Built once; only texts and `hidden` follow the quote. (Now and then the price never
            // appeared when this part was a subtree rebuilt on each quote, while the attributes
            // next to it did update: see the e2e test's history. Text updates cannot go astray.)
            <div hidden=move || !quote.with(|q| matches!(q, Some((_, Ok(_)))))>
                <h3>{move || msg::STEP_PRICE.get(lang.get())}</h3>
                <dl class="cf-facts" data-testid="quote">
                    <dt>{move || msg::PRICE_LABEL.get(lang.get())}</dt>
                    <dd data-testid="tariff">{quote_text(|q, _, _| q.tariff.clone())}</dd>
                    <dt>{move || msg::ESTIMATE_LABEL.get(lang.get())}</dt>
                    <dd data-testid="estimate">{quote_text(|q, l, car| {
                        let m = if q.incl_vat { msg::ESTIMATE_TEXT } else { msg::ESTIMATE_TEXT_EXCL };
                        m.fill(l, &[&i18n::money(l, &q.currency, &q.estimate), car, &q.soc_from_pct.to_string()])
                    })}</dd>
                    <dt>{move || msg::HOLD_LABEL.get(lang.get())}</dt>
                    <dd data-testid="hold">{quote_text(|q, l, _| msg::HOLD_TEXT.fill(l, &[&i18n::money(l, &q.currency, &q.hold)]))}</dd>
                </dl>
            </div>
            <p class="cf-error" role="alert" data-testid="quote-error" hidden=move || !quote.with(|q| matches!(q, Some((_, Err(_)))))>
                {move || quote.with(|q| match q { Some((_, Err(e))) => e.clone(), _ => String::new() })}
            </p>
            // Built once and only hidden: Stripe.js's card element lives in it, and rebuilding
            // it (a new quote, another language) would throw the card away.
            <div hidden=move || !quote.with(|q| matches!(q, Some((_, Ok(_)))))>
                <h3>{move || msg::STEP_CARD.get(lang.get())}</h3>
                <div id=CARD_MOUNT class="cf-card-element" data-testid="card-element"></div>
                // Always in the page, shown when there is something to say: an optional
                // node next to the element Stripe.js fills would be placed inside it.
                <p class="cf-error" role="alert" hidden=move || card_error.with(Option::is_none)>
                    {move || card_error.get().unwrap_or_default()}
                </p>
                <p class="cf-muted">{move || msg::CARD_PRIVATE.get(lang.get())}</p>
                <h3>{move || msg::STEP_CONFIRM.get(lang.get())}</h3>
                <button type="button" class="cf-primary" data-testid="confirm"
                    disabled=move || busy.get() || card.with(Option::is_none) on:click=confirm>
                    {move || if busy.get() { msg::CONFIRM_BUSY.get(lang.get()) } else { msg::CONFIRM.get(lang.get()) }}
                </button>
                <p class="cf-error" role="alert" data-testid="charge-error" hidden=move || error.with(Option::is_none)>
                    {move || error.get().unwrap_or_default()}
                </p>
            </div>
            </div>
        </section>
    }
}

fn connector_options(loc: &chargefinder::Location) -> Vec<Option_> {
    let mut out = Vec::new();
    for evse in &loc.evses {
        if !evse.capabilities.iter().any(|c| c == "REMOTE_START_STOP_CAPABLE") {
            continue;
        }
        // The server sends the live status in the location (`GET /api/locations/{id}`).
        let status = evse.status;
        for c in &evse.connectors {
            let kw = c.max_power_kw().map(|k| format!(" · {k:.0} kW")).unwrap_or_default();
            out.push(Option_ {
                evse_uid: evse.uid.clone(),
                connector_id: c.id.clone(),
                label: format!(
                    "{} · {}{kw}",
                    evse.evse_id.clone().unwrap_or_else(|| evse.uid.clone()),
                    c.family().label()
                ),
                status: crate::station::status_msg(crate::station_state::StatusKind::of(status)),
                available: status.is_available(),
            });
        }
    }
    out
}

async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

#[component]
fn LiveSession(id: String) -> impl IntoView {
    let lang = expect_context::<ChargeCtx>().lang;
    let session = RwSignal::new(None::<Result<Session, String>>);
    let receipt = RwSignal::new(None::<Receipt>);
    let stopping = RwSignal::new(false);
    let alive = RwSignal::new(true);
    on_cleanup(move || alive.set(false));
    // Poll until the session is settled (then the receipt).
    let sid = id.clone();
    spawn_local(async move {
        let mut told_start = false;
        let Ok(token) = api::driver_token(lang.get_untracked()).await else {
            session.set(Some(Err(msg::NO_TOKEN.get(lang.get_untracked()).to_string())));
            return;
        };
        loop {
            if !alive.try_get_untracked().unwrap_or(false) {
                return;
            }
            let l = lang.try_get_untracked().unwrap_or_default();
            let s = api::session(&token, &sid, l).await;
            let settled = matches!(&s, Ok(x) if x.state == "completed" || (x.state == "failed" && x.payment.released)
                || (x.state == "failed" && x.payment.payment_intent.is_none()));
            let completed = matches!(&s, Ok(x) if x.state == "completed");
            if matches!(&s, Ok(x) if x.state == "active") && !told_start {
                told_start = true;
                crate::embed::emit("sessionStarted", serde_json::json!({ "id": sid }));
            }
            let _ = session.try_set(Some(s));
            let mut reference = None;
            if completed {
                if let Ok(r) = api::receipt(&token, &sid, l).await {
                    reference = r.payment_reference.clone();
                    let _ = receipt.try_set(Some(r));
                }
            }
            if settled {
                // The host's hook point (iframe, webview, a partner's element via our window):
                // the session id, its end state and the receipt's payment reference.
                let state = if completed { "completed" } else { "failed" };
                let fields = serde_json::json!({ "id": sid, "state": state, "receipt": reference });
                crate::embed::emit("sessionEnded", fields);
                return;
            }
            sleep_ms(1000).await;
        }
    });
    let sid = id.clone();
    // Stop; while the charger is still starting, the same button cancels the start.
    let stop = move |_| {
        stopping.set(true);
        let sid = sid.clone();
        let l = lang.get_untracked();
        spawn_local(async move {
            if let Ok(token) = api::driver_token(l).await {
                match api::stop(&token, &sid, l).await {
                    Ok(s) => session.set(Some(Ok(s))),
                    Err(e) => session.set(Some(Err(e))),
                }
            }
        });
    };
    // Done: back to the finder (a page of its own).
    let done = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign("/");
        }
    };
    view! {
        <section class="cf-charge" data-testid="session-screen" aria-live="polite">
            {move || { let stop = stop.clone(); let l = lang.get(); match session.get() {
                None => view! { <p class="cf-status" role="status">{msg::SESSION_LOADING.get(l)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="cf-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(s)) => {
                    let cur = s.currency.clone();
                    let place = s.location_name.clone().unwrap_or_default();
                    let failed = s.state == "failed";
                    let over = failed || s.state == "completed";
                    let active = s.state == "active";
                    let starting = matches!(s.state.as_str(), "authenticating" | "held" | "starting");
                    let number = |x: &Option<String>| i18n::decimal(l, x.as_deref().unwrap_or("0"));
                    let meters = (!failed).then(|| view! {
                        <div class="cf-meters">
                            <div><span class="cf-big" data-testid="kwh">{number(&s.kwh)}</span> " kWh"</div>
                            <div><span class="cf-big" data-testid="kw">{number(&s.kw)}</span> " kW"</div>
                            <div><span class="cf-big" data-testid="time">{duration(s.elapsed_s.unwrap_or(0.0))}</span> " " {msg::METER_TIME.get(l)}</div>
                            <div><span class="cf-big" data-testid="cost">{i18n::money(l, &cur, s.cost.as_deref().unwrap_or("0.00"))}</span> " " {msg::METER_COST.get(l)}</div>
                        </div>
                        <p class="cf-muted">{msg::HELD_ON_CARD.fill(l, &[&i18n::money(l, &cur, s.payment.held.as_deref().unwrap_or("0"))])}</p>
                    });
                    let stop_button = active.then(|| view! {
                        <button type="button" class="cf-primary cf-stop" data-testid="stop" disabled=move || stopping.get() on:click=stop.clone()>
                            {move || if stopping.get() { msg::STOP_BUSY.get(l) } else { msg::STOP.get(l) }}
                        </button>
                    });
                    let cancel_button = starting.then(|| view! {
                        <button type="button" class="cf-secondary" data-testid="cancel" disabled=move || stopping.get() on:click=stop.clone()>
                            {msg::CANCEL_START.get(l)}
                        </button>
                    });
                    let done_button = over.then(|| view! {
                        <button type="button" class="cf-secondary" data-testid="done" on:click=done>{msg::BACK.get(l)}</button>
                    });
                    let error = s.error.clone().map(|e| view! {
                        <p class="cf-error" role="alert" data-testid="session-error">{api::error_text(l, &e.code, e.message)}</p>
                    });
                    let receipt = receipt.get().map(|r| view! { <ReceiptView r=r lang=l /> });
                    view! {
                        <h2 data-testid="session-state" data-state=s.state.clone()>{state_words(l, &s.state)}</h2>
                        <p class="cf-muted">{place} " · " {s.evse_id.clone().unwrap_or_default()}</p>
                        {error}
                        {meters}
                        {stop_button}
                        {cancel_button}
                        {receipt}
                        {done_button}
                    }.into_any()
                }
            }}}
        </section>
    }
}

#[component]
fn ReceiptView(r: Receipt, lang: Lang) -> impl IntoView {
    let l = lang;
    let cur = r.currency.clone();
    let m = move |x: &Option<String>| x.as_deref().map(|a| i18n::money(l, &cur, a)).unwrap_or_else(|| "—".into());
    let time = |x: &Option<String>| x.as_deref().map(|t| local_time(l, t)).unwrap_or_default();
    let print = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    // Why nothing was taken, when nothing was.
    let not_charged = r.not_charged.clone().and_then(|n| match n.reason.as_str() {
        "nothing_to_pay" => Some(msg::NOTHING_TO_PAY.get(l).to_string()),
        "below_card_minimum" => {
            let min = n.minimum.as_deref().map(|a| i18n::money(l, &r.currency, a)).unwrap_or_default();
            Some(msg::BELOW_MINIMUM.fill(l, &[&min]))
        }
        _ => None,
    });
    view! {
        <section class="cf-receipt" data-testid="receipt" aria-labelledby="cf-receipt-title">
            <h3 id="cf-receipt-title">{msg::RECEIPT.get(l)}</h3>
            <dl class="cf-facts">
                <dt>{msg::OPERATOR.get(l)}</dt><dd>{r.operator.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>{msg::R_FROM.get(l)}</dt><dd data-testid="receipt-from">{time(&r.started_at)}</dd>
                <dt>{msg::R_TO.get(l)}</dt><dd>{time(&r.ended_at)}</dd>
                <dt>{msg::R_ENERGY.get(l)}</dt><dd data-testid="receipt-kwh">{format!("{} kWh", i18n::decimal(l, r.kwh.as_deref().unwrap_or_default()))}</dd>
                <dt>{msg::R_EXCL_VAT.get(l)}</dt><dd>{m(&r.total_excl_vat)}</dd>
                <dt>{msg::R_VAT.get(l)}</dt><dd>{m(&r.vat)}</dd>
                <dt>{msg::R_TOTAL.get(l)}</dt><dd data-testid="receipt-total">{m(&r.total_incl_vat)}</dd>
                <dt>{msg::R_PAID.get(l)}</dt><dd data-testid="receipt-paid">{m(&r.paid)}</dd>
                <dt>{msg::R_REFERENCE.get(l)}</dt><dd>{r.payment_reference.clone().unwrap_or_default()}</dd>
            </dl>
            {not_charged.map(|t| view! { <p class="cf-status" data-testid="receipt-not-charged">{t}</p> })}
            <button type="button" class="cf-secondary" on:click=print>{msg::PRINT.get(l)}</button>
        </section>
    }
}
