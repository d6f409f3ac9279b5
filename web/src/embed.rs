//! The app inside someone else's page: an iframe on a partner's site, or a mobile webview.
//!
//! Both speak one versioned message schema (`docs/embed.md`): commands in
//! (`chargefinder:setCenter`, `…:setFilters`, `…:setVehicle`, `…:hello`) and events out
//! (`chargefinder:ready`, `…:stationSelected`, `…:error`), each `{type, v: 1, …}`.
//!
//! * In an iframe, commands are accepted only from the embedding page (the parent window) and
//!   only when its origin is exactly on the server's allow list (`GET /api/embed`, from
//!   `CHARGEFINDER_EMBED_ORIGINS`); events go only to that origin, never `"*"`.
//! * In a webview, the native host is found by its injected objects (Android
//!   `ChargefinderAndroid.postMessage(json)`, iOS `webkit.messageHandlers.chargefinder`) and
//!   sends commands through `window.chargefinderReceive(json)`.
//!
//! * In a `<charge-finder>` element (`web/chargefinder-embed.js`), on the partner's own page:
//!   each instance is mounted by [`mount_element`]; its attributes and methods arrive as the
//!   same commands, and events are `CustomEvent`s on the element.
//!
//! Parsing and checking are plain Rust (tested natively); `web/embed.js` only posts and listens.

use std::cell::RefCell;

use chargefinder::{catalogue_vehicle, PlugFamily};
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::app::Ctx;
use crate::i18n::{Lang, Msg};
use crate::state::{POWER_CHOICES, ZOOM_RANGE};

#[wasm_bindgen(module = "/embed.js")]
extern "C" {
    #[wasm_bindgen(js_name = nativeHost)]
    fn native_host() -> String;
    fn framed() -> bool;
    #[wasm_bindgen(js_name = parentOrigin)]
    fn parent_origin() -> String;
    #[wasm_bindgen(catch, js_name = postNative)]
    fn post_native(kind: &str, json: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = postParent)]
    fn post_parent(json: &str, origin: &str) -> Result<(), JsValue>;
    fn listen(on_message: &Closure<dyn Fn(String, String, bool)>);
    #[wasm_bindgen(js_name = exposeReceive)]
    fn expose_receive(on_command: &Closure<dyn Fn(String)>);
    #[wasm_bindgen(js_name = elementMode)]
    pub fn element_mode() -> bool;
    fn dispatch(host: &web_sys::HtmlElement, name: &str, json: &str);
    #[wasm_bindgen(js_name = openCharge)]
    pub fn open_charge(host: &web_sys::HtmlElement, url: &str);
    #[wasm_bindgen(js_name = findIn)]
    fn find_in(host: Option<&web_sys::HtmlElement>, selector: &str) -> Option<web_sys::HtmlElement>;
    #[wasm_bindgen(js_name = focusStationLink)]
    pub fn focus_station_link(host: Option<&web_sys::HtmlElement>, id: &str);
}

/// The first element matching `selector` in this instance: inside its element's shadow root
/// (one of several instances), or on our page.
pub fn find(instance: Option<Instance>, selector: &str) -> Option<web_sys::HtmlElement> {
    find_in(instance.and_then(Instance::host).as_ref(), selector)
}

/// One `<charge-finder>` element's app instance: an index into [`INSTANCES`], part of [`Ctx`]
/// (`None` there on our own page and in an iframe). Plain `Copy` data: the element itself is a
/// browser object, kept here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instance(usize);

struct Mounted {
    host: web_sys::HtmlElement,
    /// The start view from the element's attributes, as a query string (`lat=…&plugs=…`).
    query: String,
    /// The instance's finder, once the stations are loaded (commands wait for it).
    ctx: Option<Ctx>,
}

thread_local! {
    /// Every element mounted on this page (elements live as long as the page).
    static INSTANCES: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
    /// The instance [`mount`] is building (the app reads it once, as it starts).
    static MOUNTING: std::cell::Cell<Option<Instance>> = const { std::cell::Cell::new(None) };
}

impl Instance {
    pub fn host(self) -> Option<web_sys::HtmlElement> {
        INSTANCES.with(|v| v.borrow().get(self.0).map(|m| m.host.clone()))
    }

    pub fn query(self) -> String {
        INSTANCES.with(|v| v.borrow().get(self.0).map(|m| m.query.clone())).unwrap_or_default()
    }

    fn ctx(self) -> Option<Ctx> {
        INSTANCES.with(|v| v.borrow().get(self.0).and_then(|m| m.ctx))
    }
}

/// The element the app being built lives in, if any (read by `App` as it starts; the app's
/// construction is synchronous inside [`mount`]).
pub fn mounting() -> Option<Instance> {
    MOUNTING.get()
}

/// Mounts the app into `root`, for the page or iframe (`None`) or for an element. One call
/// site for every case: each `mount_to` instance is kilobytes of wasm.
pub fn mount(root: web_sys::HtmlElement, instance: Option<Instance>) {
    MOUNTING.set(instance);
    leptos::mount::mount_to(root, crate::app::App).forget();
    MOUNTING.set(None);
}

/// Mounts one app instance into `root` (a node in the element's shadow root) for the element
/// `host`, against the server at `api`. Returns the instance's command function (a JSON text
/// in, as `postMessage` would carry it), which the loader calls for attributes and methods.
// Exported by the finder's build only: an export is always kept, and this one reaches the whole
// finder, which the charging page's wasm must not carry.
#[cfg_attr(not(feature = "charge-page"), wasm_bindgen(js_name = mountElement))]
#[cfg_attr(feature = "charge-page", allow(dead_code))]
pub fn mount_element(root: web_sys::HtmlElement, host: web_sys::HtmlElement, api: String, query: String) -> JsValue {
    crate::api::set_base(&api);
    let id = INSTANCES.with(|v| {
        let mut v = v.borrow_mut();
        v.push(Mounted { host, query, ctx: None });
        Instance(v.len() - 1)
    });
    mount(root, Some(id));
    Closure::<dyn Fn(String)>::new(move |json: String| run(&json, id.ctx(), Some(id))).into_js_value()
}

/// The schema version this app speaks.
pub const VERSION: u64 = 1;
const PREFIX: &str = "chargefinder:";
/// Events kept while the embedding page is not known yet (a few; never unbounded).
const QUEUE_MAX: usize = 20;

/// A command from the embedding page or the native host.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// "Are you there?": answered with `ready` (for a page that listened late).
    Hello,
    SetCenter {
        lat: f64,
        lon: f64,
        zoom: Option<f64>,
    },
    /// Each field present replaces that part of the driver's filter; absent ones stay.
    SetFilters {
        plugs: Option<Vec<PlugFamily>>,
        min_kw: Option<u32>,
        available: Option<bool>,
    },
    /// A catalogue vehicle id, or `None` for "any car".
    SetVehicle {
        id: Option<String>,
    },
    /// The language of the screens (`en`, `nl`, `de`, `fr`).
    SetLanguage {
        lang: Lang,
    },
}

/// Reads a message. `Ok(None)`: not a chargefinder command (another script's message, or one of
/// our own event types), ignored without a word; `Err`: a chargefinder command we cannot follow,
/// answered with an `error` event saying why.
pub fn parse_command(json: &str) -> Result<Option<Command>, String> {
    let Ok(v) = serde_json::from_str::<Value>(json) else { return Ok(None) };
    let Some(kind) = v.get("type").and_then(Value::as_str).and_then(|t| t.strip_prefix(PREFIX)) else {
        return Ok(None);
    };
    if !matches!(kind, "hello" | "setCenter" | "setFilters" | "setVehicle" | "setLanguage") {
        return Ok(None);
    }
    if v.get("v").and_then(Value::as_u64) != Some(VERSION) {
        return Err(format!("{PREFIX}{kind}: unsupported or missing version; send \"v\": {VERSION}"));
    }
    let present = |k: &str| v.get(k).filter(|x| !x.is_null());
    match kind {
        "hello" => Ok(Some(Command::Hello)),
        "setCenter" => {
            let lat = present("lat").and_then(Value::as_f64).filter(|x| (-90.0..=90.0).contains(x));
            let lon = present("lon").and_then(Value::as_f64).filter(|x| (-180.0..=180.0).contains(x));
            let (Some(lat), Some(lon)) = (lat, lon) else {
                return Err("chargefinder:setCenter needs lat (-90..90) and lon (-180..180) as numbers".into());
            };
            let zoom = match present("zoom") {
                None => None,
                Some(z) => Some(z.as_f64().filter(|z| ZOOM_RANGE.contains(z)).ok_or_else(|| {
                    format!(
                        "chargefinder:setCenter: zoom must be a number from {} to {}",
                        ZOOM_RANGE.start(),
                        ZOOM_RANGE.end()
                    )
                })?),
            };
            Ok(Some(Command::SetCenter { lat, lon, zoom }))
        }
        "setLanguage" => {
            let lang = present("lang").and_then(Value::as_str).and_then(Lang::from_code);
            let lang = lang.ok_or("chargefinder:setLanguage needs lang: one of \"en\", \"nl\", \"de\", \"fr\"")?;
            Ok(Some(Command::SetLanguage { lang }))
        }
        "setFilters" => {
            let plugs = match present("plugs") {
                None => None,
                Some(p) => {
                    let items = p.as_array().ok_or("chargefinder:setFilters: plugs must be an array of plug codes")?;
                    let mut out = Vec::new();
                    for item in items {
                        let code = item.as_str().unwrap_or_default();
                        let plug = PlugFamily::from_code(code).ok_or_else(|| {
                            format!(
                                "chargefinder:setFilters: unknown plug {item} (use codes such as CCS2, TYPE2_SOCKET)"
                            )
                        })?;
                        if !out.contains(&plug) {
                            out.push(plug);
                        }
                    }
                    Some(out)
                }
            };
            let min_kw = match present("minKw") {
                None => None,
                Some(k) => Some(
                    k.as_u64()
                        .and_then(|k| u32::try_from(k).ok())
                        .filter(|k| POWER_CHOICES.contains(k))
                        .ok_or_else(|| format!("chargefinder:setFilters: minKw must be one of {POWER_CHOICES:?}"))?,
                ),
            };
            let available = match present("available") {
                None => None,
                Some(a) => Some(a.as_bool().ok_or("chargefinder:setFilters: available must be true or false")?),
            };
            Ok(Some(Command::SetFilters { plugs, min_kw, available }))
        }
        _ => {
            match v.get("id") {
                None | Some(Value::Null) => Ok(Some(Command::SetVehicle { id: None })),
                Some(id) => {
                    let id = id.as_str().filter(|i| catalogue_vehicle(i).is_some()).ok_or_else(|| {
                    format!("chargefinder:setVehicle: {id} is not a vehicle of our catalogue (or send null for any car)")
                })?;
                    Ok(Some(Command::SetVehicle { id: Some(id.to_string()) }))
                }
            }
        }
    }
}

/// An event as the JSON text posted: `{"type": "chargefinder:<kind>", "v": 1, …fields}`.
pub fn event(kind: &str, fields: Value) -> String {
    let mut out = json!({ "type": format!("{PREFIX}{kind}"), "v": VERSION });
    if let (Some(o), Value::Object(f)) = (out.as_object_mut(), fields) {
        o.extend(f);
    }
    out.to_string()
}

/// Exact origin match: no prefixes, no wildcards, and never the opaque `"null"` origin.
pub fn allowed(list: &[String], origin: &str) -> bool {
    origin != "null" && list.iter().any(|o| o == origin)
}

/// Where events go and what the app accepts, for this page's life.
#[derive(Default)]
struct Host {
    /// `"android"`, `"ios"` or empty.
    native: String,
    framed: bool,
    /// The partner origins (plus ours); `None` until `GET /api/embed` answered.
    allowed: Option<Vec<String>>,
    /// The embedding page's origin, once known and allowed.
    parent: Option<String>,
    queue: Vec<String>,
    ctx: Option<Ctx>,
}

thread_local! {
    static HOST: RefCell<Host> = RefCell::new(Host::default());
}

/// Whether the app runs inside a partner's iframe or a native webview.
pub fn embedded() -> bool {
    HOST.with(|h| {
        let h = h.borrow();
        h.framed || !h.native.is_empty()
    })
}

/// Sends an event to whoever hosts this instance: its element (a `CustomEvent` named after the
/// kind in lower case, `detail` = the message), else the bridge ([`emit`]).
pub fn tell(ctx: Ctx, kind: &str, fields: Value) {
    send(ctx.host, kind, fields);
}

fn send(instance: Option<Instance>, kind: &str, fields: Value) {
    match instance {
        Some(i) => {
            if let Some(h) = i.host() {
                dispatch(&h, &kind.to_ascii_lowercase(), &event(kind, fields));
            }
        }
        None => emit(kind, fields),
    }
}

/// Sends an event to the native host and the embedding page (kept until that page is known).
pub fn emit(kind: &str, fields: Value) {
    let text = event(kind, fields);
    let (native, parent) = HOST.with(|h| {
        let mut h = h.borrow_mut();
        let parent = h.parent.clone().filter(|_| h.allowed.is_some());
        if h.framed && parent.is_none() && h.queue.len() < QUEUE_MAX {
            h.queue.push(text.clone());
        }
        (h.native.clone(), parent)
    });
    if !native.is_empty() {
        let _ = post_native(&native, &text);
    }
    if let Some(origin) = parent {
        let _ = post_parent(&text, &origin);
    }
}

/// Posts what waited for the embedding page's origin.
fn flush() {
    let (queue, parent) = HOST.with(|h| {
        let mut h = h.borrow_mut();
        match h.parent.clone().filter(|_| h.allowed.is_some()) {
            Some(p) => (std::mem::take(&mut h.queue), Some(p)),
            None => (Vec::new(), None),
        }
    });
    if let Some(origin) = parent {
        for text in queue {
            let _ = post_parent(&text, &origin);
        }
    }
}

/// Before the app mounts: finds the host, reads the embed-only options (`theme`, and the
/// `zoom`/`vehicle` spellings of `z`/`car`), and starts listening. Does nothing on a plain page.
pub fn init() {
    let query = crate::app::location_search();
    apply_theme(&query);
    if let Some(fixed) = canonical_query(&query) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&fixed));
        }
    }
    let native = native_host();
    let framed = framed();
    if native.is_empty() && !framed {
        return;
    }
    HOST.with(|h| {
        let mut h = h.borrow_mut();
        h.native = native.clone();
        h.framed = framed;
    });
    if !native.is_empty() {
        // Only the native host (or our own scripts; the CSP allows no others) can call this.
        let receive = Closure::<dyn Fn(String)>::new(|json: String| handle(&json));
        expose_receive(&receive);
        receive.forget();
    }
    if framed {
        let on_message =
            Closure::<dyn Fn(String, String, bool)>::new(|origin: String, json: String, from_parent: bool| {
                let ok = HOST.with(|h| h.borrow().allowed.as_deref().is_some_and(|list| allowed(list, &origin)));
                // Only the page that embeds us, only from an allowed origin; anything else is dropped.
                if !from_parent || !ok {
                    return;
                }
                let first = HOST.with(|h| {
                    let mut h = h.borrow_mut();
                    let first = h.parent.is_none();
                    h.parent.get_or_insert(origin);
                    first
                });
                if first {
                    flush();
                }
                handle(&json);
            });
        listen(&on_message);
        on_message.forget();
        // Before the app mounts, so not Leptos' executor (it starts with the mount).
        wasm_bindgen_futures::spawn_local(async {
            let mut list = fetch_origins().await;
            if let Some(own) = web_sys::window().and_then(|w| w.location().origin().ok()) {
                list.push(own);
            }
            let parent = Some(parent_origin()).filter(|p| allowed(&list, p));
            HOST.with(|h| {
                let mut h = h.borrow_mut();
                h.allowed = Some(list);
                if h.parent.is_none() {
                    h.parent = parent;
                }
            });
            flush();
        });
    }
}

/// The partner allow list (`GET /api/embed`); none when the server does not answer.
async fn fetch_origins() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        origins: Vec<String>,
    }
    match gloo_net::http::Request::get(&crate::api::url("/api/embed")).send().await {
        Ok(res) if res.ok() => res.json::<Answer>().await.map(|a| a.origins).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `theme=dark|light` marks the element the app mounts into (`[data-cf-theme]` in embed.css).
fn apply_theme(query: &str) {
    let theme = query_value(query, "theme").filter(|t| *t == "dark" || *t == "light");
    let Some(theme) = theme else { return };
    let doc = web_sys::window().and_then(|w| w.document());
    let el = doc.as_ref().and_then(|d| d.get_element_by_id("chargefinder").or_else(|| d.document_element()));
    if let Some(el) = el {
        let _ = el.set_attribute("data-cf-theme", theme);
    }
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix(key)?.strip_prefix('='))
}

/// The embed URL's spellings (`zoom`, `vehicle`) as the app's own (`z`, `car`); `None` when
/// nothing changes.
pub fn canonical_query(query: &str) -> Option<String> {
    let mut changed = false;
    let parts: Vec<String> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let k2 = match k {
                "zoom" => "z",
                "vehicle" => "car",
                _ => k,
            };
            changed |= k2 != k;
            format!("{k2}={v}")
        })
        .collect();
    changed.then(|| format!("?{}", parts.join("&")))
}

/// Once the finder runs: commands can act, `ready` goes out, and selecting a station is told.
pub fn attach(ctx: Ctx) {
    if let Some(i) = ctx.host {
        INSTANCES.with(|v| v.borrow_mut().get_mut(i.0).map(|m| m.ctx = Some(ctx)));
    } else if embedded() {
        HOST.with(|h| h.borrow_mut().ctx = Some(ctx));
    } else {
        return;
    }
    emit_ready(ctx);
    Effect::new(move |prev: Option<Option<String>>| {
        let station = ctx.place.with(|p| p.station.clone());
        if let Some(id) = station.as_deref().filter(|id| prev.as_ref() != Some(&Some(id.to_string()))) {
            let found = ctx.index.with_value(|ix| ix.station_by_id(id).map(|i| ix.station(i).clone()));
            if let Some(s) = found {
                tell(ctx, "stationSelected", json!({ "id": s.id, "name": s.name, "lat": s.lat, "lon": s.lon }));
            }
        }
        station
    });
}

fn emit_ready(ctx: Ctx) {
    let (lat, lon) = ctx.center.get_untracked();
    let zoom = ctx.place.with_untracked(|p| p.zoom).unwrap_or(crate::map::DEFAULT_ZOOM);
    tell(ctx, "ready", json!({ "lat": lat, "lon": lon, "zoom": zoom }));
}

/// The app could not start (the stations did not load): tell the host.
pub fn error(instance: Option<Instance>, message: &str) {
    if embedded() || instance.is_some() {
        send(instance, "error", json!({ "message": message }));
    }
}

fn handle(json: &str) {
    run(json, HOST.with(|h| h.borrow().ctx), None);
}

/// Follows one command for an instance (`ctx`: its finder, once loaded); answers go to `host`
/// (its element) or the bridge.
fn run(json: &str, ctx: Option<Ctx>, host: Option<Instance>) {
    let command = match parse_command(json) {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(message) => return send(host, "error", json!({ "message": message })),
    };
    let Some(ctx) = ctx else {
        let message = "chargefinder is still loading; wait for chargefinder:ready";
        return send(host, "error", json!({ "message": message }));
    };
    match command {
        Command::Hello => emit_ready(ctx),
        Command::SetCenter { lat, lon, zoom } => {
            let zoom = zoom.or_else(|| ctx.place.with_untracked(|p| p.zoom)).unwrap_or(crate::map::DEFAULT_ZOOM);
            ctx.go_to(lat, lon, zoom);
        }
        Command::SetFilters { plugs, min_kw, available } => ctx.choice.update(|c| {
            if let Some(p) = plugs {
                c.plugs = p;
            }
            if let Some(k) = min_kw {
                c.min_kw = k;
            }
            if let Some(a) = available {
                c.available_now = a;
            }
        }),
        // The partner's choice for this view; the driver's remembered car is left alone.
        Command::SetVehicle { id } => ctx.choice.update(|c| c.vehicle = id),
        // The partner's page language for this view; the driver's remembered one is left alone.
        Command::SetLanguage { lang } => ctx.lang.set(lang),
    }
}

const ASK_PLACE: Msg = Msg {
    en: "This page cannot see where you are. Search a town, street or station above, or move the map.",
    nl: "Deze pagina ziet niet waar u bent. Zoek hierboven een plaats, straat of station, of verschuif de kaart.",
    de: "Diese Seite kennt Ihren Standort nicht. Suchen Sie oben einen Ort, eine Straße oder Station, oder verschieben Sie die Karte.",
    fr: "Cette page ne voit pas où vous êtes. Cherchez une ville, une rue ou une station ci-dessus, ou déplacez la carte.",
};

/// Embedded without the position (no `allow="geolocation"`, or denied): ask for a place.
#[component]
pub fn AskPlace() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let show = move || {
        (embedded() || ctx.host.is_some())
            && ctx.here.source == crate::geo::Source::Default
            && ctx.center.get() == (ctx.here.lat, ctx.here.lon)
    };
    view! {
        <Show when=show>
            <p class="cf-ask-place" role="status" data-testid="ask-place">{move || ctx.t(ASK_PLACE)}</p>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_strictly() {
        assert_eq!(
            parse_command(r#"{"type":"chargefinder:setCenter","v":1,"lat":52.37,"lon":4.89,"zoom":14}"#),
            Ok(Some(Command::SetCenter { lat: 52.37, lon: 4.89, zoom: Some(14.0) }))
        );
        assert_eq!(
            parse_command(
                r#"{"type":"chargefinder:setFilters","v":1,"plugs":["ccs2","TYPE2_SOCKET","CCS2"],"minKw":50,"available":true}"#
            ),
            Ok(Some(Command::SetFilters {
                plugs: Some(vec![PlugFamily::Ccs2, PlugFamily::Type2Socket]),
                min_kw: Some(50),
                available: Some(true)
            }))
        );
        assert_eq!(
            parse_command(r#"{"type":"chargefinder:setFilters","v":1,"available":false}"#),
            Ok(Some(Command::SetFilters { plugs: None, min_kw: None, available: Some(false) }))
        );
        assert_eq!(
            parse_command(r#"{"type":"chargefinder:setVehicle","v":1,"id":null}"#),
            Ok(Some(Command::SetVehicle { id: None }))
        );
        let car = chargefinder::vehicle_catalogue()[0].id.clone();
        assert_eq!(
            parse_command(&format!(r#"{{"type":"chargefinder:setVehicle","v":1,"id":"{car}"}}"#)),
            Ok(Some(Command::SetVehicle { id: Some(car) }))
        );
        assert_eq!(parse_command(r#"{"type":"chargefinder:hello","v":1}"#), Ok(Some(Command::Hello)));
        assert_eq!(
            parse_command(r#"{"type":"chargefinder:setLanguage","v":1,"lang":"NL"}"#),
            Ok(Some(Command::SetLanguage { lang: Lang::Nl }))
        );
        let e = parse_command(r#"{"type":"chargefinder:setLanguage","v":1,"lang":"xx"}"#).unwrap_err();
        assert!(e.contains("en") && e.contains("fr"), "{e}");
    }

    #[test]
    fn foreign_messages_are_ignored_and_bad_ones_explained() {
        for ignored in [
            "not json",
            "42",
            r#"{"type":"other:setCenter","v":1,"lat":1,"lon":2}"#,
            r#"{"type":"chargefinder:ready","v":1}"#,
            r#"{"type":"chargefinder:eval","v":1}"#,
            r#"{"lat":1,"lon":2}"#,
        ] {
            assert_eq!(parse_command(ignored), Ok(None), "{ignored}");
        }
        for (bad, says) in [
            (r#"{"type":"chargefinder:setCenter","lat":1,"lon":2}"#, "version"),
            (r#"{"type":"chargefinder:setCenter","v":2,"lat":1,"lon":2}"#, "version"),
            (r#"{"type":"chargefinder:setCenter","v":1,"lat":91,"lon":2}"#, "lat"),
            (r#"{"type":"chargefinder:setCenter","v":1,"lat":"52","lon":2}"#, "lat"),
            (r#"{"type":"chargefinder:setCenter","v":1,"lat":52,"lon":4,"zoom":40}"#, "zoom"),
            (r#"{"type":"chargefinder:setFilters","v":1,"plugs":"CCS2"}"#, "array"),
            (r#"{"type":"chargefinder:setFilters","v":1,"plugs":["WARP"]}"#, "unknown plug"),
            (r#"{"type":"chargefinder:setFilters","v":1,"minKw":49}"#, "minKw"),
            (r#"{"type":"chargefinder:setFilters","v":1,"available":"yes"}"#, "available"),
            (r#"{"type":"chargefinder:setVehicle","v":1,"id":"no-such-car"}"#, "catalogue"),
        ] {
            let e = parse_command(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn events_carry_type_and_version() {
        let e: Value = serde_json::from_str(&event("stationSelected", json!({"id": "NL*1", "lat": 52.0}))).unwrap();
        assert_eq!(e, json!({"type": "chargefinder:stationSelected", "v": 1, "id": "NL*1", "lat": 52.0}));
    }

    #[test]
    fn origins_match_exactly() {
        let list = vec!["https://partner.example".to_string(), "http://127.0.0.1:8081".into()];
        assert!(allowed(&list, "https://partner.example"));
        assert!(allowed(&list, "http://127.0.0.1:8081"));
        for no in [
            "https://partner.example.evil.example",
            "http://partner.example",
            "https://partner.exampl",
            "http://127.0.0.1:8082",
            "null",
            "",
        ] {
            assert!(!allowed(&list, no), "{no}");
        }
        assert!(!allowed(&["null".to_string()], "null"));
    }

    #[test]
    fn embed_url_spellings() {
        assert_eq!(
            canonical_query("?lat=52&lon=4&zoom=15&vehicle=abc&theme=dark").as_deref(),
            Some("?lat=52&lon=4&z=15&car=abc&theme=dark")
        );
        assert_eq!(canonical_query("?lat=52&z=15"), None);
        assert_eq!(canonical_query(""), None);
        assert_eq!(query_value("?embed=1&theme=dark", "theme"), Some("dark"));
        assert_eq!(query_value("?themes=dark", "theme"), None);
    }
}
