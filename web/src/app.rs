//! The app's components: thin views over [`crate::state`].

use chargefinder::{Availability, AvailabilityConfig, EvseStatus, Filter, Station, StationIndex};
use leptos::prelude::*;

use crate::geo::{self, Source};
use crate::live::{self, Link};
use crate::state::{nearest_rows, Row};

fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

#[component]
pub fn App() -> impl IntoView {
    let stations = LocalResource::new(crate::api::fetch_stations);
    let here = LocalResource::new(geo::current_position);
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
    let rows = Memo::new(move |_| {
        version.track();
        index.with_value(|ix| live.with_value(|l| nearest_rows(ix, l, now_s(), here.lat, here.lon, &Filter::default())))
    });
    let whence = match here.source {
        Source::Device => "near you".to_string(),
        Source::Default => "near Delft station (your position is not shared)".to_string(),
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
            <ol class="cf-list" data-testid="nearest-list">
                <For each=move || rows.get() key=|r| (r.id.clone(), r.available) let:r>
                    <StationRow row=r />
                </For>
            </ol>
        </section>
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
