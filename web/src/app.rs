//! The app's components: thin views over [`crate::state`].

use chargefinder::{Availability, AvailabilityConfig, EvseStatus, Station, StationIndex};
use leptos::prelude::*;

use crate::geo::{self, Source};
use crate::live::{self, Link};
use crate::state::{nearest_rows, Choice, Row, PLUG_CHOICES, POWER_CHOICES};

const VEHICLE_KEY: &str = "chargefinder.vehicle";

fn location_search() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

#[component]
pub fn App() -> impl IntoView {
    let stations = LocalResource::new(crate::api::fetch_stations);
    // A shared link's position wins over the device's.
    let link_at = Choice::from_query(&location_search()).1;
    let here = LocalResource::new(move || async move {
        match link_at {
            Some((lat, lon)) => geo::Here { lat, lon, source: Source::Link },
            None => geo::current_position().await,
        }
    });
    view! {
        <div class="cf-app">
            <header class="cf-header">
                <h1>"chargefinder"</h1>
                <p class="cf-tagline">"Chargers that work, fit your car and are free now."</p>
            </header>
            <main>
                <Suspense fallback=|| view! { <p class="cf-status" role="status">"Loading chargers near you…"</p> }>
                    {move || Suspend::new(async move {
                        let here = here.await;
                        match stations.await {
                            Ok((list, seq)) => view! { <Nearest stations=list seq=seq here=here /> }.into_any(),
                            Err(message) => view! { <p class="cf-error" role="alert">{message}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </main>
        </div>
    }
}

#[component]
fn Nearest(stations: Vec<Station>, seq: i64, here: geo::Here) -> impl IntoView {
    let index = StationIndex::new(stations);
    let count = index.len();
    let live = Availability::new(&index, now_s(), AvailabilityConfig::default());
    let index = StoredValue::new(index);
    let live = StoredValue::new(live);
    // Bumped on every applied change: the list recomputes, nothing is rebuilt.
    let version = RwSignal::new(0u64);
    let link = RwSignal::new(Link::Connecting);
    let started = live::connect(
        seq,
        move |c| {
            let Some(status) = EvseStatus::parse(&c.status) else { return };
            let slot = index.with_value(|ix| ix.evse_slot(&c.location_id, &c.evse_uid));
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
        link.set(Link::Reconnecting(js_sys::Date::now()));
    }
    // The car is remembered on the device; everything else starts open.
    let remembered = storage().and_then(|s| s.get_item(VEHICLE_KEY).ok().flatten()).filter(|v| !v.is_empty());
    let (from_link, _) = Choice::from_query(&location_search());
    let choice = RwSignal::new(Choice { vehicle: from_link.vehicle.clone().or(remembered), ..from_link });
    // The URL holds the view, so a link (or a reload) reproduces it.
    let at = (here.source != Source::Default).then_some((here.lat, here.lon));
    Effect::new(move |_| {
        let q = choice.with(|c| c.to_query(at));
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let url = if q.is_empty() { "?".to_string() } else { format!("?{q}") };
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    });
    let rows = Memo::new(move |_| {
        version.track();
        let filter = choice.with(Choice::filter);
        index.with_value(|ix| live.with_value(|l| nearest_rows(ix, l, now_s(), here.lat, here.lon, &filter)))
    });
    let whence = match here.source {
        Source::Device => "near you".to_string(),
        Source::Default => "near Delft station (your position is not shared)".to_string(),
        Source::Link => format!("near {:.4}, {:.4}", here.lat, here.lon),
    };
    let link_text = move || match link.get() {
        Link::Connecting => "Connecting to live status…".to_string(),
        Link::Live => "Live".to_string(),
        Link::Reconnecting(since) => {
            let d = js_sys::Date::new(&since.into());
            format!("Reconnecting… status as of {:02}:{:02}", d.get_hours(), d.get_minutes())
        }
    };
    let link_class = move || match link.get() {
        Link::Live => "cf-link cf-link--live",
        _ => "cf-link cf-link--stale",
    };
    view! {
        <section aria-labelledby="cf-nearest-title">
            <h2 id="cf-nearest-title">"Nearest chargers " <span class="cf-whence">{whence}</span></h2>
            <p class="cf-count">
                {format!("{count} stations loaded")} " · "
                <span class=link_class data-testid="live-state" role="status">{link_text}</span>
            </p>
            <Filters choice=choice />
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="cf-status" role="status" data-testid="no-results">"No charger matches these filters."</p>
            </Show>
            <ol class="cf-list" data-testid="nearest-list">
                <For each=move || rows.get() key=|r| (r.id.clone(), r.available) let:r>
                    <StationRow row=r />
                </For>
            </ol>
        </section>
    }
}

/// Plugs, minimum power, available now, and my car.
#[component]
fn Filters(choice: RwSignal<Choice>) -> impl IntoView {
    let cars = chargefinder::vehicle_catalogue();
    view! {
        <form class="cf-filters" aria-label="Filters" on:submit=|e| e.prevent_default()>
            <fieldset class="cf-plugs-filter">
                <legend>"Plug"</legend>
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
                    "Minimum power "
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
                                let text = if kw == 0 { "any".to_string() } else { format!("{kw} kW") };
                                view! { <option value=kw.to_string() selected=move || choice.with(|c| c.min_kw == kw)>{text}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="cf-chip">
                    <input
                        type="checkbox"
                        data-testid="available-now"
                        prop:checked=move || choice.with(|c| c.available_now)
                        on:change=move |_| choice.update(|c| c.available_now = !c.available_now)
                    />
                    "Available now"
                </label>
            </div>
            <label class="cf-field">
                "My car "
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
                    <option value="" selected=move || choice.with(|c| c.vehicle.is_none())>"Any car"</option>
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
    let availability = format!("{} of {} available", row.available, row.evses);
    let free_class = if row.available > 0 { "cf-free cf-free--yes" } else { "cf-free cf-free--no" };
    view! {
        <li class="cf-station" data-testid="station" data-id=row.id.clone() data-distance-m=format!("{:.1}", row.distance_m)>
            <div class="cf-station__top">
                <span class="cf-station__name" data-testid="name">{row.name}</span>
                <span class="cf-station__distance" data-testid="distance">{row.distance}</span>
            </div>
            <div class="cf-station__facts">
                <span class="cf-power" data-testid="power">{row.power}</span>
                <span class="cf-plugs" data-testid="plugs">{row.plugs.join(" · ")}</span>
                <span class=free_class data-testid="available">{availability}</span>
            </div>
        </li>
    }
}
