//! The map: Leaflet (through the thin adapter `web/map.js`) showing the core's clusters for the
//! viewport, stations shaded by live status for the driver's filter.
//!
//! Work per map move is one `ClusterIndex::clusters` call (O(cells · log n)) and the pins that
//! changed; per filter or live change one `counts` pass (O(n)). Both are timed and the figures
//! kept on the map element (`data-work-ms`, `data-work-max-ms`) for the budget test.

use chargefinder::{ClusterCounts, ClusterIndex, Live};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::app::{now_s, Ctx};
use crate::i18n::msg;
use crate::state::map_pins;

#[wasm_bindgen(module = "/map.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = createMap)]
    #[allow(clippy::too_many_arguments)]
    fn create_map(
        el: &web_sys::HtmlElement,
        tiles: &str,
        attribution: &str,
        max_zoom: u8,
        lat: f64,
        lon: f64,
        zoom: f64,
        on_move: &Closure<dyn Fn(js_sys::Float64Array)>,
        on_pick: &Closure<dyn Fn(String)>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = setPins)]
    fn set_pins(handle: &JsValue, pins: JsValue) -> Result<u32, JsValue>;
    #[wasm_bindgen(catch, js_name = setView)]
    fn set_view(handle: &JsValue, lat: f64, lon: f64, zoom: f64) -> Result<(), JsValue>;
}

/// Where the tiles come from (`GET /api/tiles`), so a deployment and the tests choose.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Tiles {
    pub url: String,
    pub attribution: String,
    pub max_zoom: u8,
}

/// What the map shows now: the viewport and zoom Leaflet reported last.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Viewport {
    bbox: [f64; 4],
    zoom: f64,
}

/// The default zoom: a town, its chargers as a few dozen pins.
pub const DEFAULT_ZOOM: f64 = 13.0;

fn performance_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

#[component]
pub fn MapView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let Ctx { index, live, version, choice, place, lang, center, .. } = ctx;
    let el = NodeRef::<leptos::html::Div>::new();
    let clusters = StoredValue::new(index.with_value(ClusterIndex::new));
    // The counts for the current filter and live state; recomputed only when those change.
    let counts: StoredValue<Option<(u64, chargefinder::Filter, ClusterCounts)>> = StoredValue::new(None);
    let viewport = RwSignal::new(None::<Viewport>);
    let failed = RwSignal::new(false);
    let handle = StoredValue::new_local(None::<JsValue>);
    let worst_ms = StoredValue::new(0.0f64);

    // Pins follow the viewport, the filter, live changes and the language (titles).
    Effect::new(move |_| {
        let v = version.get();
        let filter = choice.with(|c| c.filter(now_s()));
        let lang = lang.get();
        let Some(vp) = viewport.get() else { return };
        let t0 = performance_now();
        let now = now_s();
        let stale = counts.with_value(|c| !matches!(c, Some((cv, cf, _)) if *cv == v && *cf == filter));
        if stale {
            let fresh = index.with_value(|ix| {
                live.with_value(|l| {
                    clusters.with_value(|c| c.counts(ix, &filter, Some(Live { availability: l, now_s: now })))
                })
            });
            counts.set_value(Some((v, filter.clone(), fresh)));
        }
        let zoom = vp.zoom.round().clamp(0.0, 22.0) as u8;
        let pins = counts.with_value(|c| {
            let Some((_, _, counts)) = c else { return Vec::new() };
            let cl = clusters.with_value(|ci| ci.clusters(counts, vp.bbox, zoom));
            index.with_value(|ix| live.with_value(|l| map_pins(ix, l, now, &cl, &filter, lang, zoom)))
        });
        let shown = handle.with_value(|h| {
            let h = h.as_ref()?;
            let js = serde_wasm_bindgen::to_value(&pins).ok()?;
            set_pins(h, js).ok()
        });
        let ms = performance_now() - t0;
        worst_ms.update_value(|w| *w = w.max(ms));
        if let Some(el) = el.get_untracked() {
            let _ = el.set_attribute("data-work-ms", &format!("{ms:.2}"));
            let _ = el.set_attribute("data-work-max-ms", &format!("{:.2}", worst_ms.get_value()));
            let _ = el.set_attribute("data-pins", &shown.unwrap_or(0).to_string());
        }
    });

    // Go where the search (or anything else) sends the map.
    Effect::new(move |_| {
        if let Some((lat, lon, zoom)) = ctx.goto.get() {
            handle.with_value(|h| h.as_ref().map(|h| set_view(h, lat, lon, zoom)));
        }
    });

    // Create the map once its element is in the page and we know where tiles come from.
    let tiles = LocalResource::new(crate::api::fetch_tiles);
    Effect::new(move |_| {
        let Some(div) = el.get() else { return };
        let Some(tiles) = tiles.get() else { return };
        if handle.with_value(Option::is_some) {
            return;
        }
        let (lat, lon) = center.get_untracked();
        let zoom = place.with_untracked(|p| p.zoom).unwrap_or(DEFAULT_ZOOM);
        let on_move = Closure::<dyn Fn(js_sys::Float64Array)>::new(move |a: js_sys::Float64Array| {
            let a = a.to_vec();
            let [lat, lon, zoom, w, s, e, n, ..] = a[..] else { return };
            viewport.set(Some(Viewport { bbox: [w.max(-180.0), s, e.min(180.0), n], zoom }));
            // The list and the URL follow the map once the driver moves it by more than two
            // pixels: Leaflet snaps the first view to whole pixels, and that must not move the list.
            let (clat, clon) = center.get_untracked();
            let two_px = 2.0 * 360.0 / (256.0 * 2f64.powf(zoom));
            if (clat - lat).abs() > two_px || (clon - lon).abs() > two_px {
                center.set((lat, lon));
                place.update(|p| p.at = Some((lat, lon)));
            }
            if place.with_untracked(|p| p.zoom.unwrap_or(DEFAULT_ZOOM)) != zoom {
                place.update(|p| p.zoom = Some(zoom));
            }
        });
        let on_pick = Closure::<dyn Fn(String)>::new(move |id: String| ctx.open_station(&id));
        match create_map(&div, &tiles.url, &tiles.attribution, tiles.max_zoom, lat, lon, zoom, &on_move, &on_pick) {
            Ok(h) => handle.set_value(Some(h)),
            Err(_) => failed.set(true),
        }
        // The map lives as long as the page.
        on_move.forget();
        on_pick.forget();
    });

    view! {
        <div class="cf-map-box">
            <div class="cf-map" node_ref=el data-testid="map" role="region" aria-label=move || ctx.t(msg::MAP)></div>
            <Show when=move || failed.get()>
                <p class="cf-error" role="alert">{move || ctx.t(msg::MAP_FAILED)}</p>
            </Show>
        </div>
    }
}
