//! The station screen: everything about one location, opened from the list or the map.

use leptos::prelude::*;

use crate::app::Ctx;
use crate::i18n::msg;

#[component]
pub fn StationScreen(id: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let name = ctx.index.with_value(|ix| ix.station_by_id(&id).map(|i| ix.station(i).name.clone()));
    view! {
        <section class="cf-station-screen" data-testid="station-screen" aria-labelledby="cf-station-title">
            <button type="button" class="cf-back" data-testid="back" on:click=move |_| ctx.close_station()>
                "← " {move || ctx.t(msg::BACK)}
            </button>
            <h2 id="cf-station-title" data-testid="station-name">{name.unwrap_or_else(|| id.clone())}</h2>
        </section>
    }
}
