//! Paid charging (issue 7): pick a connector → price, estimate and hold → card → "plug in and
//! confirm" → live session → receipt. Reloading mid-session comes back to the live screen.
//!
//! Routes: `?charge=LOCATION_ID` (pick and pay), `?session=ID` (live and receipt). Without
//! either, the driver's open session (if any) is shown, so a reload or a closed tab returns to it.
//! The live screen polls the session every second (`EventSource` cannot send the driver's
//! `Authorization` header; the SSE stream is for clients that can).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;

use crate::app::{location_search, Ctx};
use crate::charge_api::{self as api, CardForm, Quote, Receipt, Session};

const CSS: &str = include_str!("../charge.css");
const CARD_MOUNT: &str = "cf-card-element";

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

/// An amount in words: `€12.34`, or `12.34 USD` for currencies without a sign here.
pub fn money(amount: &str, currency: &str) -> String {
    match currency {
        "EUR" => format!("€{amount}"),
        "GBP" => format!("£{amount}"),
        "USD" => format!("${amount}"),
        c => format!("{amount} {c}"),
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
pub fn state_words(state: &str) -> &'static str {
    match state {
        "requested" | "held" => "Placing the hold on your card…",
        "starting" => "Plug in your car. Waiting for the charger to start…",
        "active" => "Charging",
        "stopping" => "Stopping and settling the payment…",
        "completed" => "Done. Thank you!",
        "failed" => "The session did not start",
        _ => "",
    }
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
    let route = RwSignal::new(Route::from_query(&location_search()));
    provide_context(route);
    if route.get_untracked() == Route::None {
        if let Some(token) = api::known_token() {
            spawn_local(async move {
                if let Ok(Some(s)) = api::active_session(&token).await {
                    if route.get_untracked() == Route::None {
                        go(route, Route::Session(s.id));
                    }
                }
            });
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
    view! {
        <style>{CSS}</style>
        // The two screens in hosts of their own, each hidden unless it is the route.
        <div class="cf-charge-host" hidden=move || !matches!(route.get(), Route::Pick(_))>
            {move || pick.get().map(|id| view! { <div class="cf-overlay"><PickAndPay location_id=id /></div> })}
        </div>
        <div class="cf-charge-host" hidden=move || !matches!(route.get(), Route::Session(_))>
            {move || live.get().map(|id| view! { <div class="cf-overlay"><LiveSession id=id /></div> })}
        </div>
    }
}

/// On a station: the way in.
#[component]
pub fn ChargeEntry(id: String) -> impl IntoView {
    let route = expect_context::<RwSignal<Route>>();
    view! {
        <button type="button" class="cf-primary cf-charge-entry" data-testid="charge-here" on:click=move |_| go(route, Route::Pick(id.clone()))>
            "Charge here and pay by card"
        </button>
    }
}

/// One startable connector.
#[derive(Debug, Clone, PartialEq)]
struct Option_ {
    evse_uid: String,
    connector_id: String,
    label: String,
    status: String,
    available: bool,
}

#[component]
fn PickAndPay(location_id: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let route = expect_context::<RwSignal<Route>>();
    let loc_id = location_id.clone();
    let location = LocalResource::new(move || {
        let id = loc_id.clone();
        async move { api::location(&id).await }
    });
    let chosen = RwSignal::new(None::<(String, String)>);
    let quote = RwSignal::new(None::<Result<Quote, String>>);
    let card = RwSignal::new_local(None::<CardForm>);
    let card_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let key = RwSignal::new(new_key());
    let vehicle = move || ctx.choice.with_untracked(|c| c.vehicle.clone());
    let lid = location_id.clone();
    let choose = move |evse: String, conn: String| {
        chosen.set(Some((evse.clone(), conn.clone())));
        key.set(new_key());
        error.set(None);
        quote.set(None);
        let lid = lid.clone();
        spawn_local(async move {
            let q = api::quote(&lid, &evse, &conn, vehicle().as_deref()).await;
            quote.set(Some(q));
        });
        // The card form, once per screen.
        if card.with_untracked(Option::is_none) {
            spawn_local(async move {
                let mounted = async {
                    let cfg = api::stripe_config().await?.ok_or("Card payments are not set up on this server.")?;
                    api::load_stripe_js(&cfg.js_url).await?;
                    // The mount point is rendered with the quote; wait for it to exist.
                    for _ in 0..200 {
                        let exists = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.get_element_by_id(CARD_MOUNT))
                            .is_some();
                        if exists {
                            return CardForm::mount(&cfg.publishable_key, CARD_MOUNT);
                        }
                        sleep_ms(100).await;
                    }
                    Err("The card form did not appear. Please reload.".to_string())
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
        spawn_local(async move {
            let result = async {
                let token = api::driver_token().await?;
                let pm = form.token().await?;
                api::start(&token, &k, &lid, &evse, &conn, &pm, vehicle().as_deref()).await
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
    view! {
        <section class="cf-charge" data-testid="charge-screen" aria-labelledby="cf-charge-title">
            <button type="button" class="cf-back" on:click=move |_| {
                if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) { let _ = h.back(); }
            }>"← Back"</button>
            <div class="cf-charge-part">
            <Suspense fallback=|| view! { <p class="cf-status" role="status">"Loading the chargers…"</p> }>
                {move || { let choose = choose.clone(); Suspend::new(async move {
                    match location.await {
                        Err(e) => view! { <p class="cf-error" role="alert">{e}</p> }.into_any(),
                        Ok(loc) => {
                            let options = connector_options(&loc, ctx);
                            let title = loc.name.clone().unwrap_or_else(|| loc.address.clone());
                            let choose = choose.clone();
                            view! {
                                <h2 id="cf-charge-title" data-testid="charge-title">{title}</h2>
                                <p class="cf-muted">{format!("{}, {}", loc.address, loc.city)}</p>
                                <h3>"1. Pick a connector"</h3>
                                <Show when=move || options.is_empty() fallback=|| ()>
                                    <p class="cf-status">"None of these chargers can be started from an app."</p>
                                </Show>
                                <ul class="cf-connectors" data-testid="connectors">
                                    {connector_options(&loc, ctx).into_iter().map(|o| {
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
                                                    <span class=if o.available { "cf-free--yes" } else { "cf-free--no" }>{o.status.clone()}</span>
                                                </button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                })}}
            </Suspense>
            </div>
            <div class="cf-charge-part">
            {move || quote.get().map(|q| match q {
                Err(e) => view! { <p class="cf-error" role="alert" data-testid="charge-error">{e}</p> }.into_any(),
                Ok(q) => view! {
                    <h3>"2. Price"</h3>
                    <dl class="cf-facts" data-testid="quote">
                        <dt>"Price"</dt><dd data-testid="tariff">{q.tariff.clone()}</dd>
                        <dt>"Estimate"</dt>
                        <dd data-testid="estimate">
                            {format!("{} to charge {} from {}% to full{}", money(&q.estimate, &q.currency), q.vehicle,
                                q.soc_from_pct, if q.incl_vat { "" } else { " (excl. VAT: the operator does not state it)" })}
                        </dd>
                        <dt>"Hold"</dt>
                        <dd data-testid="hold">
                            {format!("We hold {} on your card. You pay only what you charge; the rest is released when you stop.",
                                money(&q.hold, &q.currency))}
                        </dd>
                    </dl>
                    <h3>"3. Card"</h3>
                    <div id=CARD_MOUNT class="cf-card-element" data-testid="card-element"></div>
                    // Always in the page, shown when there is something to say: an optional
                    // node next to the element Stripe.js fills would be placed inside it.
                    <p class="cf-error" role="alert" hidden=move || card_error.with(Option::is_none)>
                        {move || card_error.get().unwrap_or_default()}
                    </p>
                    <p class="cf-muted">"Card details go straight to our payment provider; chargefinder never sees them."</p>
                    <h3>"4. Plug in and confirm"</h3>
                    <button type="button" class="cf-primary" data-testid="confirm"
                        disabled=move || busy.get() || card.with(Option::is_none) on:click=confirm.clone()>
                        {move || if busy.get() { "Starting…" } else { "Plug in and confirm" }}
                    </button>
                    <p class="cf-error" role="alert" data-testid="charge-error" hidden=move || error.with(Option::is_none)>
                        {move || error.get().unwrap_or_default()}
                    </p>
                }.into_any(),
            })}
            </div>
        </section>
    }
}

fn connector_options(loc: &chargefinder::Location, ctx: Ctx) -> Vec<Option_> {
    let mut out = Vec::new();
    for evse in &loc.evses {
        if !evse.capabilities.iter().any(|c| c == "REMOTE_START_STOP_CAPABLE") {
            continue;
        }
        // The live status the finder holds, else what the operator published.
        let status = ctx
            .index
            .with_value(|ix| ix.evse_slot(&loc.id, &evse.uid))
            .map(|slot| ctx.live.with_value(|l| l.status(slot, crate::app::now_s())))
            .unwrap_or(evse.status);
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
                status: status.as_str().to_lowercase().replace('_', " "),
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
    let route = expect_context::<RwSignal<Route>>();
    let session = RwSignal::new(None::<Result<Session, String>>);
    let receipt = RwSignal::new(None::<Receipt>);
    let stopping = RwSignal::new(false);
    let alive = RwSignal::new(true);
    on_cleanup(move || alive.set(false));
    // Poll until the session is settled (then the receipt).
    let sid = id.clone();
    spawn_local(async move {
        let Ok(token) = api::driver_token().await else {
            session.set(Some(Err("This device has no driver token; start a session first.".into())));
            return;
        };
        loop {
            if !alive.try_get_untracked().unwrap_or(false) {
                return;
            }
            let s = api::session(&token, &sid).await;
            let settled = matches!(&s, Ok(x) if x.state == "completed" || (x.state == "failed" && x.payment.released)
                || (x.state == "failed" && x.payment.payment_intent.is_none()));
            let completed = matches!(&s, Ok(x) if x.state == "completed");
            let _ = session.try_set(Some(s));
            if completed {
                if let Ok(r) = api::receipt(&token, &sid).await {
                    let _ = receipt.try_set(Some(r));
                }
            }
            if settled {
                return;
            }
            sleep_ms(1000).await;
        }
    });
    let sid = id.clone();
    let stop = move |_| {
        stopping.set(true);
        let sid = sid.clone();
        spawn_local(async move {
            if let Ok(token) = api::driver_token().await {
                match api::stop(&token, &sid).await {
                    Ok(s) => session.set(Some(Ok(s))),
                    Err(e) => session.set(Some(Err(e))),
                }
            }
        });
    };
    let done = move |_| go(route, Route::None);
    view! {
        <section class="cf-charge" data-testid="session-screen" aria-live="polite">
            {move || { let stop = stop.clone(); match session.get() {
                None => view! { <p class="cf-status" role="status">"Loading your session…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="cf-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(s)) => {
                    let cur = s.currency.clone();
                    let place = s.location_name.clone().unwrap_or_default();
                    let failed = s.state == "failed";
                    let over = failed || s.state == "completed";
                    let active = s.state == "active";
                    let meters = (!failed).then(|| view! {
                        <div class="cf-meters">
                            <div><span class="cf-big" data-testid="kwh">{s.kwh.clone().unwrap_or_else(|| "0".into())}</span> " kWh"</div>
                            <div><span class="cf-big" data-testid="kw">{s.kw.clone().unwrap_or_else(|| "0".into())}</span> " kW"</div>
                            <div><span class="cf-big" data-testid="time">{duration(s.elapsed_s.unwrap_or(0.0))}</span> " charging"</div>
                            <div><span class="cf-big" data-testid="cost">{money(s.cost.as_deref().unwrap_or("0.00"), &cur)}</span> " so far"</div>
                        </div>
                        <p class="cf-muted">{format!("Held on your card: {}", money(s.payment.held.as_deref().unwrap_or("0"), &cur))}</p>
                    });
                    let stop_button = active.then(|| view! {
                        <button type="button" class="cf-primary cf-stop" data-testid="stop" disabled=move || stopping.get() on:click=stop.clone()>
                            {move || if stopping.get() { "Stopping…" } else { "Stop charging" }}
                        </button>
                    });
                    let done_button = over.then(|| view! {
                        <button type="button" class="cf-secondary" data-testid="done" on:click=done>"Back to the map"</button>
                    });
                    let error = s.error.clone().map(|e| view! {
                        <p class="cf-error" role="alert" data-testid="session-error">{e.message.unwrap_or(e.code)}</p>
                    });
                    let receipt = receipt.get().map(|r| view! { <ReceiptView r=r /> });
                    view! {
                        <h2 data-testid="session-state" data-state=s.state.clone()>{state_words(&s.state)}</h2>
                        <p class="cf-muted">{place} " · " {s.evse_id.clone().unwrap_or_default()}</p>
                        {error}
                        {meters}
                        {stop_button}
                        {receipt}
                        {done_button}
                    }.into_any()
                }
            }}}
        </section>
    }
}

#[component]
fn ReceiptView(r: Receipt) -> impl IntoView {
    let cur = r.currency.clone();
    let m = move |x: &Option<String>| x.as_deref().map(|a| money(a, &cur)).unwrap_or_else(|| "—".into());
    let print = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <section class="cf-receipt" data-testid="receipt" aria-labelledby="cf-receipt-title">
            <h3 id="cf-receipt-title">"Receipt"</h3>
            <dl class="cf-facts">
                <dt>"Operator"</dt><dd>{r.operator.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"From"</dt><dd>{r.started_at.clone().unwrap_or_default()}</dd>
                <dt>"To"</dt><dd>{r.ended_at.clone().unwrap_or_default()}</dd>
                <dt>"Energy"</dt><dd data-testid="receipt-kwh">{format!("{} kWh", r.kwh.clone().unwrap_or_default())}</dd>
                <dt>"Excl. VAT"</dt><dd>{m(&r.total_excl_vat)}</dd>
                <dt>"VAT"</dt><dd>{m(&r.vat)}</dd>
                <dt>"Total"</dt><dd data-testid="receipt-total">{m(&r.total_incl_vat)}</dd>
                <dt>"Paid by card"</dt><dd data-testid="receipt-paid">{m(&r.paid)}</dd>
                <dt>"Reference"</dt><dd>{r.payment_reference.clone().unwrap_or_default()}</dd>
            </dl>
            <button type="button" class="cf-secondary" on:click=print>"Print"</button>
        </section>
    }
}
