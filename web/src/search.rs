//! "Where am I": search the towns and streets our stations are in, station names, or
//! coordinates, all from our own data (no outside geocoder; works on bad signal once loaded).

use leptos::prelude::*;

use crate::app::Ctx;
use crate::i18n::{msg, Msg};
use crate::state::{fold, search, Found};

/// The places list, fetched on first use (`GET /api/places`).
type PlaceRow = (String, u8, f64, f64, u32);

const MAX_RESULTS: usize = 8;

#[component]
pub fn Search() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let query = RwSignal::new(String::new());
    let places = RwSignal::new(None::<Vec<PlaceRow>>);
    let asked = StoredValue::new(false);
    // Folded station names, computed once on the first search.
    let names: StoredValue<Option<Vec<String>>> = StoredValue::new(None);
    let load = move || {
        if !asked.get_value() {
            asked.set_value(true);
            leptos::task::spawn_local(async move {
                places.set(Some(crate::api::fetch_places().await.unwrap_or_default()));
            });
        }
    };
    let results = Memo::new(move |_| {
        let q = query.get();
        if q.trim().chars().count() < 2 {
            return Vec::new();
        }
        if names.with_value(Option::is_none) {
            let folded = ctx.index.with_value(|ix| ix.stations().iter().map(|s| fold(&s.name)).collect());
            names.set_value(Some(folded));
        }
        places.with(|p| {
            names.with_value(|n| {
                ctx.index.with_value(|ix| {
                    search(&q, p.as_deref().unwrap_or(&[]), ix.stations(), n.as_deref().unwrap_or(&[]), MAX_RESULTS)
                })
            })
        })
    });
    let go = move |f: &Found| {
        let (lat, lon, zoom) = match f {
            Found::Place { lat, lon, kind, .. } => (*lat, *lon, if *kind == 0 { 13.0 } else { 16.0 }),
            Found::Station { lat, lon, .. } => (*lat, *lon, 17.0),
            Found::Point { lat, lon } => (*lat, *lon, 15.0),
        };
        ctx.go_to(lat, lon, zoom);
        query.set(String::new());
        if let Found::Station { id, .. } = f {
            ctx.open_station(id);
        }
    };
    let label = move |m: Msg| ctx.t(m);
    view! {
        <div class="cf-search" role="search">
            <label class="cf-visually-hidden" for="cf-search-input">{move || label(msg::SEARCH)}</label>
            <input
                id="cf-search-input"
                class="cf-search__input"
                type="search"
                data-testid="search"
                autocomplete="off"
                enterkeyhint="search"
                placeholder=move || label(msg::SEARCH_HINT)
                prop:value=move || query.get()
                on:focus=move |_| load()
                on:input=move |e| {
                    load();
                    query.set(event_target_value(&e));
                }
                on:keydown=move |e| {
                    if e.key() == "Enter" {
                        e.prevent_default();
                        if let Some(first) = results.with(|r| r.first().cloned()) {
                            go(&first);
                        }
                    } else if e.key() == "Escape" {
                        query.set(String::new());
                    }
                }
            />
            <p class="cf-visually-hidden" role="status">
                {move || {
                    let n = results.with(Vec::len);
                    if query.with(|q| q.trim().chars().count() < 2) { String::new() } else { msg::N_FOUND.fill(ctx.lang.get(), &[&n.to_string()]) }
                }}
            </p>
            <Show when=move || !results.with(Vec::is_empty)>
                <ul class="cf-search__results" data-testid="search-results">
                    <For each=move || results.get() key=|f| f.key() let:f>
                        {
                            let text = f.label();
                            let kind = match &f {
                                Found::Place { kind: 0, .. } => msg::TOWN,
                                Found::Place { .. } => msg::STREET,
                                Found::Station { .. } => msg::STATION,
                                Found::Point { .. } => msg::COORDINATES,
                            };
                            view! {
                                <li>
                                    <button type="button" class="cf-search__result" on:click=move |_| go(&f)>
                                        <span class="cf-search__name">{text}</span>
                                        <span class="cf-search__kind">{move || label(kind)}</span>
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </div>
    }
}
