//! The driver's app. Logic lives in plain Rust ([`state`]) with ordinary tests; components are
//! thin; all HTTP is in [`api`].

mod api;
mod app;
mod charge;
mod charge_api;
mod embed;
mod geo;
mod i18n;
mod live;
mod map;
mod report;
mod search;
mod state;
mod station;
mod station_state;

fn main() {
    console_error_panic_hook::set_once();
    // Loaded by the `<charge-finder>` element: it mounts each instance itself
    // (`embed::mount_element`), and the partner's page is not ours to take over.
    if embed::element_mode() {
        return;
    }
    // Inside a partner's iframe or a webview: find the host and listen (issue 8).
    embed::init();
    // Mount into a host element when the page provides one (partner pages, the embed), else body.
    let doc = web_sys::window().and_then(|w| w.document());
    let host = doc.as_ref().and_then(|d| d.get_element_by_id("chargefinder"));
    let host = host.and_then(|h| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h).ok());
    let Some(el) = host.or_else(|| doc.and_then(|d| d.body())) else { return };
    // One crate, two pages: the finder (`index.html`) and the charging page (`charge/index.html`,
    // built with the `charge-page` feature). `cfg!` keeps both branches compiled and checked, and
    // each build's wasm carries only its own screens (the other branch is dead code).
    if cfg!(feature = "charge-page") {
        leptos::mount::mount_to(el, charge::ChargeApp).forget();
    } else {
        embed::mount(el, None);
    }
}
