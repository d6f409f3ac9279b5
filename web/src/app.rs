//! The app's components: thin views over [`crate::state`].

use chargefinder::{Availability, AvailabilityConfig, EvseStatus, Station, StationIndex};
use leptos::prelude::*;

use crate::geo::{self, Source};
use crate::i18n::{self, msg, Lang, Msg, Units};
use crate::live::{self, Link};
use crate::map::MapView;
use crate::search::Search;
use crate::state::{
    nearest_rows, top_operators, view_query, Choice, Place, Row, PLUG_CHOICES, POWER_CHOICES, PRICE_CHOICES,
    RELIABLE_PCT,
};
use crate::station::StationScreen;
use wasm_bindgen::closure::Closure;

const VEHICLE_KEY: &str = "chargefinder.vehicle";
const LANG_KEY: &str = "chargefinder.lang";
const UNITS_KEY: &str = "chargefinder.units";

pub fn location_search() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// What every screen shares (Leptos context): the index and live table built once, and the
/// driver's choices. Signals are `Copy`, so components take this by value.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub index: StoredValue<StationIndex>,
    pub live: StoredValue<Availability>,
    /// Bumped on every applied live change: views recompute, nothing is rebuilt.
    pub version: RwSignal<u64>,
    pub link: RwSignal<Link>,
    pub choice: RwSignal<Choice>,
    pub place: RwSignal<Place>,
    pub lang: RwSignal<Lang>,
    pub units: RwSignal<Units>,
    pub here: geo::Here,
    /// Where the list looks from: the driver's position until they move the map.
    pub center: RwSignal<(f64, f64)>,
    /// A place the map should go to (search, a shared link), with a zoom.
    pub goto: RwSignal<Option<(f64, f64, f64)>>,
    /// The `<charge-finder>` element this instance lives in: events go to it, and the
    /// partner's URL and history are left alone.
    pub host: Option<crate::embed::Instance>,
}

impl Ctx {
    /// Opens a station's screen; a new history entry, so the back button returns to the map.
    pub fn open_station(self, id: &str) {
        self.place.update(|p| p.station = Some(id.to_string()));
        push_url(self, true);
    }

    /// Back to the finder (the history entry the station was opened from, when there is one).
    pub fn close_station(self) {
        let pushed = self.host.is_none()
            && web_sys::window()
                .and_then(|w| w.history().ok())
                .and_then(|h| h.state().ok())
                .is_some_and(|s| s.as_bool() == Some(true));
        if pushed {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.back();
                return;
            }
        }
        self.place.update(|p| p.station = None);
        push_url(self, false);
    }

    /// Moves the map (and with it the list) to a place.
    pub fn go_to(self, lat: f64, lon: f64, zoom: f64) {
        self.center.set((lat, lon));
        self.place.update(|p| {
            p.at = Some((lat, lon));
            p.zoom = Some(zoom);
        });
        self.goto.set(Some((lat, lon, zoom)));
    }

    pub fn t(self, m: Msg) -> &'static str {
        m.get(self.lang.get())
    }

    /// The first element of this instance matching `selector` (see [`crate::embed::find`]).
    pub fn find(self, selector: &str) -> Option<web_sys::HtmlElement> {
        crate::embed::find(self.host, selector)
    }
}

/// Writes the view into the URL: a new entry (`push`, marked so back can return to it) or in place.
fn push_url(ctx: Ctx, push: bool) {
    if ctx.host.is_some() {
        return;
    }
    let q = ctx.choice.with_untracked(|c| ctx.place.with_untracked(|p| view_query(c, p)));
    let url = if q.is_empty() { "?".to_string() } else { format!("?{q}") };
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = if push {
            h.push_state_with_url(&wasm_bindgen::JsValue::TRUE, "", Some(&url))
        } else {
            h.replace_state_with_url(&h.state().unwrap_or(wasm_bindgen::JsValue::NULL), "", Some(&url))
        };
    }
}

/// Language: the link's, else the one the driver picked on this device, else the browser's.
pub fn initial_lang(from_link: Option<Lang>) -> Lang {
    from_link
        .or_else(|| storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten()).and_then(|l| Lang::from_code(&l)))
        .unwrap_or_else(|| Lang::from_preferences(browser_languages().iter().map(String::as_str)))
}

/// The car the driver picked on this device, if any.
pub fn remembered_vehicle() -> Option<String> {
    storage().and_then(|s| s.get_item(VEHICLE_KEY).ok().flatten()).filter(|v| !v.is_empty())
}

fn browser_languages() -> Vec<String> {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else { return Vec::new() };
    let mut out: Vec<String> = nav.languages().iter().filter_map(|v| v.as_string()).collect();
    out.extend(nav.language());
    out
}

#[component]
pub fn App() -> impl IntoView {
    let instance = crate::embed::mounting();
    // On our page (not in a partner's element, whose page is not ours to move): an open session
    // or an old charging link goes on to the charging page.
    if instance.is_none() {
        crate::charge::forward_if_charging();
    }
    let stations = LocalResource::new(crate::api::fetch_stations);
    let query = instance.map_or_else(location_search, |i| i.query());
    // A shared link's position wins over the device's.
    let link_place = Place::from_query(&query);
    let link_at = link_place.at;
    let here = LocalResource::new(move || async move {
        match link_at {
            Some((lat, lon)) => geo::Here { lat, lon, source: Source::Link },
            None => geo::current_position().await,
        }
    });
    let lang = RwSignal::new(initial_lang(link_place.lang));
    let units = link_place
        .units
        .or_else(|| storage().and_then(|s| s.get_item(UNITS_KEY).ok().flatten()).and_then(|u| Units::from_code(&u)))
        .unwrap_or_default();
    let units = RwSignal::new(units);
    view! {
        <div class="cf-app" lang=move || lang.get().code()>
            // The map's markers are many tab stops; keyboard users can jump past them to the list.
            <button
                type="button"
                class="cf-skip"
                data-testid="skip"
                on:click=move |_| {
                    if let Some(h) = crate::embed::find(instance, "#cf-nearest-title") {
                        let _ = h.focus();
                    }
                }
            >
                {move || msg::SKIP_TO_LIST.get(lang.get())}
            </button>
            <header class="cf-header">
                <h1>"chargefinder"</h1>
                <p class="cf-tagline">{move || msg::TAGLINE.get(lang.get())}</p>
                <Settings lang=lang units=units />
            </header>
            <main>
                <Suspense fallback=move || {
                    view! { <p class="cf-status" role="status">{msg::LOADING.get(lang.get_untracked())}</p> }
                }>
                    {move || {
                        let query = query.clone();
                        Suspend::new(async move {
                            let here = here.await;
                            match stations.await {
                                Ok((list, seq)) => {
                                    view! { <Finder stations=list seq=seq here=here lang=lang units=units query=query host=instance /> }
                                        .into_any()
                                }
                                Err(message) => {
                                    crate::embed::error(instance, &message);
                                    view! { <p class="cf-error" role="alert">{message}</p> }.into_any()
                                }
                            }
                        })
                    }}
                </Suspense>
            </main>
        </div>
    }
}

/// Language and units, remembered on the device.
#[component]
fn Settings(lang: RwSignal<Lang>, units: RwSignal<Units>) -> impl IntoView {
    view! {
        <div class="cf-settings">
            <label class="cf-field">
                <span class="cf-visually-hidden">{move || msg::LANGUAGE.get(lang.get())}</span>
                <select
                    data-testid="lang"
                    aria-label=move || msg::LANGUAGE.get(lang.get())
                    on:change=move |e| {
                        if let Some(l) = Lang::from_code(&event_target_value(&e)) {
                            if let Some(s) = storage() {
                                let _ = s.set_item(LANG_KEY, l.code());
                            }
                            lang.set(l);
                        }
                    }
                >
                    {Lang::ALL
                        .into_iter()
                        .map(|l| view! { <option value=l.code() selected=move || lang.get() == l>{l.name()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="cf-field">
                <span class="cf-visually-hidden">{move || msg::UNITS.get(lang.get())}</span>
                <select
                    data-testid="units"
                    aria-label=move || msg::UNITS.get(lang.get())
                    on:change=move |e| {
                        if let Some(u) = Units::from_code(&event_target_value(&e)) {
                            if let Some(s) = storage() {
                                let _ = s.set_item(UNITS_KEY, u.code());
                            }
                            units.set(u);
                        }
                    }
                >
                    <option value="km" selected=move || units.get() == Units::Km>"km"</option>
                    <option value="mi" selected=move || units.get() == Units::Miles>"miles"</option>
                </select>
            </label>
        </div>
    }
}

/// The finder (filters, list) and the station screen over one shared index and live table.
#[component]
fn Finder(
    stations: Vec<Station>,
    seq: i64,
    here: geo::Here,
    lang: RwSignal<Lang>,
    units: RwSignal<Units>,
    /// The start view: the page's URL, or the element's attributes.
    query: String,
    /// The element this instance lives in (`None` on our page and in an iframe).
    host: Option<crate::embed::Instance>,
) -> impl IntoView {
    let index = StationIndex::new(stations);
    let live = Availability::new(&index, now_s(), AvailabilityConfig::default());
    let index = StoredValue::new(index);
    let live = StoredValue::new(live);
    let version = RwSignal::new(0u64);
    let link = RwSignal::new(Link::Connecting);
    let started = live::connect(
        seq,
        move |c| {
            let Some(status) = EvseStatus::parse(&c.status) else { return };
            let slot = index.with_value(|ix| {
                let slots = ix.evse_slots(ix.station_by_id(&c.location_id)?);
                match c.evse_index {
                    Some(k) => Some(slots.start + k).filter(|s| slots.contains(s)),
                    None => ix.evse_slot(&c.location_id, &c.evse_uid),
                }
            });
            if let Some(slot) = slot {
                live.update_value(|l| {
                    l.apply(slot, status, c.last_updated);
                });
                version.update(|v| *v += 1);
            }
        },
        move |l| link.set(l),
    );
    if started.is_err() {
        let now = js_sys::Date::now();
        link.set(Link::Reconnecting { since: now, retry_at: now });
    }
    // The car is remembered on the device; everything else starts open.
    let (from_link, _) = Choice::from_query(&query);
    let choice = RwSignal::new(Choice { vehicle: from_link.vehicle.clone().or_else(remembered_vehicle), ..from_link });
    let mut start = Place::from_query(&query);
    start.at = (here.source != Source::Default).then_some((here.lat, here.lon));
    let place = RwSignal::new(start);
    let center = RwSignal::new((here.lat, here.lon));
    let goto = RwSignal::new(None);
    let ctx = Ctx { index, live, version, link, choice, place, lang, units, here, center, goto, host };
    provide_context(ctx);
    crate::embed::attach(ctx);
    // The URL holds the view, so a link (or a reload) reproduces it. Language and units stay in
    // it only when a link set them: whoever opens a shared link otherwise reads their own.
    Effect::new(move |_| {
        choice.track();
        place.track();
        push_url(ctx, false);
    });
    // Back and forward move between the map and a station (on our page; a partner's history is
    // the partner's).
    if host.is_some() {
        return finder_view(place);
    }
    let on_pop = Closure::<dyn Fn()>::new(move || {
        let station = Place::from_query(&location_search()).station;
        place.update(|p| p.station = station);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("popstate", wasm_bindgen::JsCast::unchecked_ref(on_pop.as_ref()));
    }
    on_pop.forget();
    finder_view(place)
}

fn finder_view(place: RwSignal<Place>) -> impl IntoView {
    let station = Memo::new(move |_| place.with(|p| p.station.clone()));
    view! {
        <div class="cf-finder" class:cf-hidden=move || station.with(Option::is_some)>
            <Search />
            <crate::embed::AskPlace />
            <MapView />
            <Nearest />
        </div>
        {move || station.get().map(|id| view! {
            <StationScreen id=id.clone() />
            <crate::charge::ChargeEntry id=id />
        })}
    }
}

#[component]
fn Nearest() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let Ctx { index, live, version, link, choice, here, lang, center, .. } = ctx;
    let count = index.with_value(StationIndex::len);
    let rows = Memo::new(move |_| {
        version.track();
        let filter = choice.with(|c| c.filter(now_s()));
        let (lat, lon) = center.get();
        index.with_value(|ix| live.with_value(|l| nearest_rows(ix, l, now_s(), lat, lon, &filter)))
    });
    let moved = move || center.get() != (here.lat, here.lon);
    let whence = move || match here.source {
        _ if moved() => ctx.t(msg::NEAR_MAP).to_string(),
        Source::Device => ctx.t(msg::NEAR_YOU).to_string(),
        Source::Default => ctx.t(msg::NEAR_DEFAULT).to_string(),
        Source::Link => msg::NEAR_POINT.fill(lang.get(), &[&format!("{:.4}, {:.4}", here.lat, here.lon)]),
    };
    // A clock for "retrying in N s"; it ticks only while the stream is down.
    let clock = RwSignal::new(js_sys::Date::now());
    let tick = Closure::<dyn Fn()>::new(move || {
        if matches!(link.get_untracked(), Link::Reconnecting { .. }) {
            clock.set(js_sys::Date::now());
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(
            wasm_bindgen::JsCast::unchecked_ref(tick.as_ref()),
            1000,
        );
    }
    tick.forget();
    let link_text = move || match link.get() {
        Link::Connecting => ctx.t(msg::CONNECTING).to_string(),
        Link::Live => ctx.t(msg::LIVE).to_string(),
        Link::Reconnecting { since, retry_at } => {
            let now = clock.get().max(since);
            let d = js_sys::Date::new(&since.into());
            let at = format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
            let wait = (((retry_at - now) / 1000.0).ceil().max(0.0) as u64).to_string();
            let m = if now - since > live::STALE_AFTER_MS { msg::STALE } else { msg::RECONNECTING };
            m.fill(lang.get(), &[&at, &wait])
        }
    };
    let link_class = move || match link.get() {
        Link::Live => "cf-link cf-link--live",
        _ => "cf-link cf-link--stale",
    };
    view! {
        <section aria-labelledby="cf-nearest-title">
            <h2 id="cf-nearest-title" tabindex="-1">{move || ctx.t(msg::NEAREST)} " " <span class="cf-whence">{whence}</span></h2>
            <p class="cf-count">
                {move || msg::LOADED.fill(lang.get(), &[&count.to_string()])} " · "
                <span class=link_class data-testid="live-state" role="status">{link_text}</span>
            </p>
            <Filters choice=choice />
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="cf-status" role="status" data-testid="no-results">{move || ctx.t(msg::NO_RESULTS)}</p>
            </Show>
            <ol class="cf-list" data-testid="nearest-list">
                <For each=move || rows.get() key=|r| (r.id.clone(), r.available, r.evses, r.power_kw.to_bits(), r.price.as_ref().map(|p| p.0), r.reliability_pct) let:r>
                    <StationRow row=r />
                </For>
            </ol>
        </section>
    }
}

/// Plugs, minimum power, available now, and my car.
/// One on/off filter chip: a labelled checkbox bound to one `bool` of the driver's choice.
fn toggle_chip(
    ctx: Ctx,
    choice: RwSignal<Choice>,
    testid: &'static str,
    label: Msg,
    get: fn(&Choice) -> bool,
    set: fn(&mut Choice, bool),
) -> impl IntoView {
    view! {
        <label class="cf-chip">
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || choice.with(get)
                on:change=move |_| choice.update(|c| set(c, !get(c)))
            />
            {move || ctx.t(label)}
        </label>
    }
}

#[component]
fn Filters(choice: RwSignal<Choice>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let cars = chargefinder::vehicle_catalogue();
    let mut operators = ctx.index.with_value(|ix| top_operators(ix, 40));
    // A linked operator outside the top 40 still shows as chosen.
    if let Some(op) = choice.with_untracked(|c| c.operator.clone()) {
        if !operators.iter().any(|(o, _)| *o == op) {
            operators.push((op, 0));
        }
    }
    view! {
        <form class="cf-filters" aria-label=move || ctx.t(msg::FILTERS) on:submit=|e| e.prevent_default()>
            <fieldset class="cf-plugs-filter">
                <legend>{move || ctx.t(msg::PLUG)}</legend>
                {PLUG_CHOICES
                    .into_iter()
                    .map(|p| {
                        view! {
                            <label class="cf-chip">
                                <input
                                    type="checkbox"
                                    data-testid=format!("plug-{}", p.code())
                                    prop:checked=move || choice.with(|c| c.plugs.contains(&p))
                                    on:change=move |_| choice.update(|c| c.toggle_plug(p))
                                />
                                {p.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="cf-filter-row">
                <label class="cf-field">
                    {move || ctx.t(msg::MIN_POWER)} " "
                    <select
                        data-testid="min-kw"
                        on:change=move |e| {
                            let v = event_target_value(&e).parse().unwrap_or(0);
                            choice.update(|c| c.min_kw = v);
                        }
                    >
                        {POWER_CHOICES
                            .into_iter()
                            .map(|kw| {
                                let text = move || if kw == 0 { ctx.t(msg::ANY).to_string() } else { format!("{kw} kW") };
                                view! { <option value=kw.to_string() selected=move || choice.with(|c| c.min_kw == kw)>{text}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                {toggle_chip(ctx, choice, "available-now", msg::AVAILABLE_NOW, |c| c.available_now, |c, on| c.available_now = on)}
                {toggle_chip(ctx, choice, "working", msg::HIDE_BROKEN, |c| c.working, |c, on| c.working = on)}
                {toggle_chip(ctx, choice, "open-now", msg::FILTER_OPEN_NOW, |c| c.open_now, |c, on| c.open_now = on)}
            </div>
            <fieldset class="cf-pay-filter">
                <legend>{move || ctx.t(msg::PAYMENT)}</legend>
                {toggle_chip(ctx, choice, "pay-app", msg::PAY_APP, |c| c.pay_app, |c, on| c.pay_app = on)}
                {toggle_chip(ctx, choice, "pay-card", msg::PAY_CARD, |c| c.pay_card, |c, on| c.pay_card = on)}
            </fieldset>
            <div class="cf-filter-row">
                <label class="cf-field">
                    {move || ctx.t(msg::MAX_PRICE)} " "
                    <select
                        data-testid="max-price"
                        on:change=move |e| {
                            let v = event_target_value(&e).parse().ok().filter(|p| PRICE_CHOICES.contains(p));
                            choice.update(|c| c.max_price = v);
                        }
                    >
                        <option value="" selected=move || choice.with(|c| c.max_price.is_none())>{move || ctx.t(msg::ANY)}</option>
                        {PRICE_CHOICES
                            .into_iter()
                            .map(|p| {
                                let text = move || i18n::money_cents(ctx.lang.get(), p, "EUR");
                                view! { <option value=p.to_string() selected=move || choice.with(|c| c.max_price == Some(p))>{text}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                {toggle_chip(ctx, choice, "reliable", msg::HIDE_UNRELIABLE, |c| c.reliable, |c, on| c.reliable = on)}
            </div>
            <label class="cf-field">
                {move || ctx.t(msg::OPERATOR)} " "
                <select
                    data-testid="operator"
                    on:change=move |e| {
                        let v = event_target_value(&e);
                        choice.update(|c| c.operator = (!v.is_empty()).then_some(v));
                    }
                >
                    <option value="" selected=move || choice.with(|c| c.operator.is_none())>{move || ctx.t(msg::ANY_OPERATOR)}</option>
                    {operators
                        .into_iter()
                        .map(|(op, n)| {
                            let op2 = op.clone();
                            view! {
                                <option value=op.clone() selected=move || choice.with(|c| c.operator.as_deref() == Some(op2.as_str()))>
                                    {format!("{op} ({n})")}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="cf-field">
                {move || ctx.t(msg::MY_CAR)} " "
                <select
                    data-testid="vehicle"
                    on:change=move |e| {
                        let v = event_target_value(&e);
                        if let Some(s) = storage() {
                            let _ = s.set_item(VEHICLE_KEY, &v);
                        }
                        choice.update(|c| c.vehicle = (!v.is_empty()).then_some(v));
                    }
                >
                    <option value="" selected=move || choice.with(|c| c.vehicle.is_none())>{move || ctx.t(msg::ANY_CAR)}</option>
                    {cars
                        .iter()
                        .map(|c| {
                            let id = c.id.clone();
                            let id2 = id.clone();
                            view! {
                                <option value=id selected=move || choice.with(|ch| ch.vehicle.as_deref() == Some(id2.as_str()))>
                                    {c.vehicle.name.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        </form>
    }
}

#[component]
fn StationRow(row: Row) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let Ctx { lang, units, .. } = ctx;
    let (available, evses) = (row.available, row.evses);
    let availability = move || msg::N_OF_M_AVAILABLE.fill(lang.get(), &[&available.to_string(), &evses.to_string()]);
    let free_class = if row.available > 0 { "cf-free cf-free--yes" } else { "cf-free cf-free--no" };
    let distance_m = row.distance_m;
    let power_kw = row.power_kw;
    let has_car = move || ctx.choice.with(|c| c.vehicle.is_some());
    let id = row.id.clone();
    let href = format!("?station={}", crate::state::encode(&row.id));
    view! {
        <li class="cf-station" data-testid="station" data-id=row.id.clone() data-distance-m=format!("{:.1}", row.distance_m)>
            <div class="cf-station__top">
                <a
                    class="cf-station__name"
                    data-testid="name"
                    href=href
                    on:click=move |e| {
                        // A plain click opens the station in place; modified clicks keep the browser's meaning.
                        if !(e.ctrl_key() || e.meta_key() || e.shift_key()) {
                            e.prevent_default();
                            ctx.open_station(&id);
                        }
                    }
                >
                    {row.name}
                </a>
                <span class="cf-station__distance" data-testid="distance">
                    {move || i18n::distance(lang.get(), units.get(), distance_m)}
                </span>
            </div>
            <div class="cf-station__facts">
                <span class="cf-power" data-testid="power">
                    {move || {
                        let p = i18n::power(lang.get(), power_kw);
                        if has_car() { msg::FOR_YOUR_CAR.fill(lang.get(), &[&p]) } else { p }
                    }}
                </span>
                <span class="cf-plugs" data-testid="plugs">{row.plugs.join(" · ")}</span>
                <span class=free_class data-testid="available">{availability}</span>
                {row.price.map(|(p, cur, excl)| {
                    let text = move || {
                        let l = lang.get();
                        let per = msg::PER_KWH.fill(l, &[&i18n::money_cents(l, p, &cur)]);
                        if excl { format!("{per} {}", msg::EXCL_VAT.get(l)) } else { per }
                    };
                    view! { <span class="cf-price" data-testid="price" data-cents=p.to_string() title=move || ctx.t(msg::PRICE_TITLE)>{text}</span> }
                })}
                {row.reliability_pct.map(|r| {
                    let text = move || msg::RELIABLE.fill(lang.get(), &[&r.to_string()]);
                    let class = if r >= RELIABLE_PCT { "cf-reliable" } else { "cf-reliable cf-reliable--low" };
                    view! { <span class=class data-testid="reliability" data-pct=r.to_string() title=move || ctx.t(msg::RELIABLE_TITLE)>{text}</span> }
                })}
            </div>
        </li>
    }
}
