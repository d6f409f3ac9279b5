//! The HTTP of paid charging (issue 7): the driver token, quotes, sessions, receipts, and
//! Stripe.js. Errors come back as the server's plain sentence.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::app::storage;

const DRIVER_KEY: &str = "chargefinder.driver";
const OFFLINE: &str = "We could not reach the chargefinder server. Check your connection and try again.";

/// `GET /api/config`'s Stripe part.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct StripeConfig {
    pub publishable_key: String,
    pub js_url: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Config {
    stripe: Option<StripeConfig>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Quote {
    pub tariff: String,
    pub currency: String,
    pub estimate: String,
    pub incl_vat: bool,
    pub hold: String,
    pub vehicle: String,
    pub soc_from_pct: f64,
    pub payments: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Payment {
    pub payment_intent: Option<String>,
    pub held: Option<String>,
    pub captured: Option<String>,
    #[serde(default)]
    pub released: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ErrorBody {
    pub code: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Session {
    pub id: String,
    pub state: String,
    pub location_name: Option<String>,
    pub address: Option<String>,
    pub operator: Option<String>,
    pub evse_id: Option<String>,
    pub currency: String,
    pub tariff: Option<String>,
    pub elapsed_s: Option<f64>,
    pub kwh: Option<String>,
    pub kw: Option<String>,
    pub cost: Option<String>,
    #[serde(default)]
    pub payment: Payment,
    pub error: Option<ErrorBody>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Receipt {
    pub operator: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub kwh: Option<String>,
    pub currency: String,
    pub total_excl_vat: Option<String>,
    pub vat: Option<String>,
    pub total_incl_vat: Option<String>,
    pub paid: Option<String>,
    pub payment_reference: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct Sessions {
    sessions: Vec<Session>,
}

async fn read<T: DeserializeOwned>(res: Response) -> Result<T, String> {
    if res.ok() {
        return res.json::<T>().await.map_err(|_| "The server's answer was damaged. Please try again.".to_string());
    }
    let status = res.status();
    match res.json::<ErrorEnvelope>().await {
        Ok(e) => Err(e.error.message.unwrap_or(e.error.code)),
        Err(_) => Err(format!("The server answered with an error ({status}). Please try again.")),
    }
}

/// The device's driver token: made once (`POST /api/drivers`), kept in this browser.
pub async fn driver_token() -> Result<String, String> {
    if let Some(t) = storage().and_then(|s| s.get_item(DRIVER_KEY).ok().flatten()).filter(|t| !t.is_empty()) {
        return Ok(t);
    }
    #[derive(Deserialize)]
    struct Token {
        token: String,
    }
    let res = Request::post("/api/drivers").send().await.map_err(|_| OFFLINE.to_string())?;
    let t: Token = read(res).await?;
    if let Some(s) = storage() {
        let _ = s.set_item(DRIVER_KEY, &t.token);
    }
    Ok(t.token)
}

/// The token if this device has one (no request).
pub fn known_token() -> Option<String> {
    storage().and_then(|s| s.get_item(DRIVER_KEY).ok().flatten()).filter(|t| !t.is_empty())
}

fn authed(r: RequestBuilder, token: &str) -> RequestBuilder {
    r.header("Authorization", &format!("Bearer {token}"))
}

pub async fn stripe_config() -> Result<Option<StripeConfig>, String> {
    let res = Request::get("/api/config").send().await.map_err(|_| OFFLINE.to_string())?;
    Ok(read::<Config>(res).await?.stripe)
}

pub async fn quote(
    location_id: &str,
    evse_uid: &str,
    connector_id: &str,
    vehicle: Option<&str>,
) -> Result<Quote, String> {
    let q = [
        ("location_id", location_id),
        ("evse_uid", evse_uid),
        ("connector_id", connector_id),
        ("vehicle_id", vehicle.unwrap_or("")),
    ];
    let res = Request::get("/api/quote").query(q).send().await.map_err(|_| OFFLINE.to_string())?;
    read(res).await
}

/// The location with its chargers and connectors, as the server imported it (the OCPI importer
/// stays out of the phone's wasm; see `GET /api/locations/{id}`).
pub async fn location(id: &str) -> Result<chargefinder::Location, String> {
    crate::api::fetch_location(id).await.map_err(|e| match e {
        crate::api::FetchError::Offline => OFFLINE.to_string(),
        crate::api::FetchError::NotFound => "We could not find this charging location.".to_string(),
        _ => "This location could not be read.".to_string(),
    })
}

pub async fn start(
    token: &str,
    key: &str,
    location_id: &str,
    evse_uid: &str,
    connector_id: &str,
    payment_method: &str,
    vehicle: Option<&str>,
) -> Result<Session, String> {
    let body = serde_json::json!({
        "location_id": location_id, "evse_uid": evse_uid, "connector_id": connector_id,
        "payment_method": payment_method, "vehicle_id": vehicle,
    });
    let req = authed(Request::post("/api/sessions"), token)
        .header("Idempotency-Key", key)
        .json(&body)
        .map_err(|e| e.to_string())?;
    let res = req.send().await.map_err(|_| OFFLINE.to_string())?;
    read(res).await
}

pub async fn session(token: &str, id: &str) -> Result<Session, String> {
    let res =
        authed(Request::get(&format!("/api/sessions/{id}")), token).send().await.map_err(|_| OFFLINE.to_string())?;
    read(res).await
}

/// The driver's open session, if any (after a reload).
pub async fn active_session(token: &str) -> Result<Option<Session>, String> {
    let res = authed(Request::get("/api/sessions?active=1"), token).send().await.map_err(|_| OFFLINE.to_string())?;
    Ok(read::<Sessions>(res).await?.sessions.into_iter().next())
}

pub async fn stop(token: &str, id: &str) -> Result<Session, String> {
    let res = authed(Request::post(&format!("/api/sessions/{id}/stop")), token)
        .send()
        .await
        .map_err(|_| OFFLINE.to_string())?;
    read(res).await
}

pub async fn receipt(token: &str, id: &str) -> Result<Receipt, String> {
    let res = authed(Request::get(&format!("/api/sessions/{id}/receipt")), token)
        .send()
        .await
        .map_err(|_| OFFLINE.to_string())?;
    read(res).await
}

// ----- Stripe.js -----

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn call(obj: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f = get(obj, method).dyn_into::<js_sys::Function>().map_err(|_| format!("Stripe.js has no {method}()"))?;
    let arr = js_sys::Array::new();
    for a in args {
        arr.push(a);
    }
    f.apply(obj, &arr).map_err(|e| e.as_string().unwrap_or_else(|| format!("{method}() failed")))
}

/// Loads Stripe.js from `js_url` (once per page).
pub async fn load_stripe_js(js_url: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    if get(&window, "Stripe").is_function() {
        return Ok(());
    }
    let document = window.document().ok_or("no document")?;
    let script = document.create_element("script").map_err(|_| "cannot load Stripe.js")?;
    script.set_attribute("src", js_url).map_err(|_| "cannot load Stripe.js")?;
    let script_js: JsValue = script.into();
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = js_sys::Reflect::set(&script_js, &"onload".into(), &resolve);
        let _ = js_sys::Reflect::set(&script_js, &"onerror".into(), &reject);
    });
    // Into <head>: the app is mounted into <body>, whose nodes Leptos keeps track of.
    let head = get(&document, "head");
    call(&head, "appendChild", std::slice::from_ref(&script_js))?;
    wasm_bindgen_futures::JsFuture::from(loaded)
        .await
        .map_err(|_| "We could not load the card form. Check your connection and try again.".to_string())?;
    Ok(())
}

/// Stripe.js and its card element, mounted into the element with id `mount_id`. The card's
/// numbers stay inside Stripe's element: the app only ever sees the token.
#[derive(Debug, Clone)]
pub struct CardForm {
    stripe: JsValue,
    card: JsValue,
}

impl CardForm {
    pub fn mount(publishable_key: &str, mount_id: &str) -> Result<CardForm, String> {
        let window: JsValue = web_sys::window().ok_or("no window")?.into();
        let stripe_fn = get(&window, "Stripe").dyn_into::<js_sys::Function>().map_err(|_| "Stripe.js did not load")?;
        let stripe =
            stripe_fn.call1(&JsValue::NULL, &publishable_key.into()).map_err(|_| "Stripe.js refused the key")?;
        let elements = call(&stripe, "elements", &[])?;
        let card = call(&elements, "create", &["card".into()])?;
        // Stripe.js fills a node of its own inside our (empty, Leptos-rendered) slot, so no node
        // Leptos placed is ever a parent of Stripe's.
        let document: JsValue = web_sys::window().and_then(|w| w.document()).ok_or("no document")?.into();
        let slot = call(&document, "getElementById", &[mount_id.into()])?;
        let own = call(&document, "createElement", &["div".into()])?;
        call(&slot, "appendChild", std::slice::from_ref(&own))?;
        call(&card, "mount", std::slice::from_ref(&own))?;
        Ok(CardForm { stripe, card })
    }

    /// The card as a token id (`tok_…`), or Stripe's message.
    pub async fn token(&self) -> Result<String, String> {
        let promise = call(&self.stripe, "createToken", std::slice::from_ref(&self.card))?
            .dyn_into::<js_sys::Promise>()
            .map_err(|_| "Stripe.js gave no answer")?;
        let result = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|_| "The card could not be checked. Please try again.".to_string())?;
        let error = get(&result, "error");
        if !error.is_undefined() && !error.is_null() {
            let m = get(&error, "message").as_string();
            return Err(m.unwrap_or_else(|| "Please check the card details.".into()));
        }
        get(&get(&result, "token"), "id").as_string().ok_or_else(|| "Please check the card details.".to_string())
    }
}
