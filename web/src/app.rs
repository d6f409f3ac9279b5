//! The app's components: thin views over [`crate::state`].

use chargefinder::{Filter, Station, StationIndex};
use leptos::prelude::*;

use crate::geo::{self, Source};
use crate::state::{nearest_rows, Row};

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
                            Ok(list) => view! { <Nearest stations=list here=here /> }.into_any(),
                            Err(message) => view! { <p class="cf-error" role="alert">{message}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </main>
        </div>
    }
}

#[component]
fn Nearest(stations: Vec<Station>, here: geo::Here) -> impl IntoView {
    let index = StationIndex::new(stations);
    let rows = nearest_rows(&index, here.lat, here.lon, &Filter::default());
    let whence = match here.source {
        Source::Device => "near you".to_string(),
        Source::Default => "near Delft station (your position is not shared)".to_string(),
    };
    view! {
        <section aria-labelledby="cf-nearest-title">
            <h2 id="cf-nearest-title">"Nearest chargers " <span class="cf-whence">{whence}</span></h2>
            <p class="cf-count">{format!("{} stations loaded", index.len())}</p>
            <ol class="cf-list" data-testid="nearest-list">
                {rows.into_iter().map(|r| view! { <StationRow row=r /> }).collect_view()}
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
