//! The HTTP of paid charging (issue 7): the driver token, quotes, sessions, receipts, and
//! Stripe.js. Errors come back as a plain sentence in the driver's language (ours for the
//! error codes a driver meets, else the server's).

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::app::storage;
use crate::i18n::{msg, Lang};

const DRIVER_KEY: &str = "chargefinder.driver";

fn offline(lang: Lang) -> String {
    msg::E_OFFLINE.get(lang).to_string()
}

/// The driver's words for an API error `code`: ours in `lang` for the codes a driver meets on
/// these screens, else the server's sentence (English).
pub fn error_text(lang: Lang, code: &str, server: Option<String>) -> String {
    let m = match code {
        "card_declined" => msg::E_CARD_DECLINED,
        "card_needs_authentication" => msg::E_CARD_AUTH,
        "card_authentication_failed" => msg::E_AUTH_FAILED,
        "authentication_pending" => msg::E_AUTH_PENDING,
        "payment_failed" => msg::E_PAYMENT_FAILED,
        "payment_unreachable" => msg::E_PAYMENT_UNREACHABLE,
        "charger_occupied" => msg::E_OCCUPIED,
        "charger_out_of_order" => msg::E_OUT_OF_ORDER,
        "charger_timeout" => msg::E_NO_ANSWER,
        "charger_rejected" => msg::E_REFUSED,
        "charger_failed" => msg::E_START_FAILED,
        "cancelled" => msg::E_CANCELLED,
        "interrupted" => msg::E_INTERRUPTED,
        "not_started" => msg::E_NOT_STARTED,
        "no_price" => msg::E_NO_PRICE,
        "not_remote_startable" => msg::E_NOT_REMOTE,
        "payments_off" => msg::PAYMENTS_OFF,
        _ => return server.unwrap_or_else(|| code.to_string()),
    };
    m.get(lang).to_string()
}

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
    /// Only in the answer to a start that needs the bank's confirmation (3-D Secure).
    #[serde(default)]
    pub client_secret: Option<String>,
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
    #[serde(default)]
    pub not_charged: Option<NotCharged>,
}

/// Why nothing was taken (`nothing_to_pay`, `below_card_minimum`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct NotCharged {
    pub reason: String,
    #[serde(default)]
    pub minimum: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

async fn read<T: DeserializeOwned>(res: Response, lang: Lang) -> Result<T, String> {
    if res.ok() {
        return res.json::<T>().await.map_err(|_| msg::E_DAMAGED.get(lang).to_string());
    }
    let status = res.status();
    match res.json::<ErrorEnvelope>().await {
        Ok(e) => Err(error_text(lang, &e.error.code, e.error.message)),
        Err(_) => Err(msg::E_SERVER.fill(lang, &[&status.to_string()])),
    }
}

// These requests stay on our own origin (relative paths, not `crate::api::url`): the token
// is only ever used there; a partner's element opens our window for paying (`charge.rs`).

/// The device's driver token: made once (`POST /api/drivers`), kept in this browser.
pub async fn driver_token(lang: Lang) -> Result<String, String> {
    if let Some(t) = storage().and_then(|s| s.get_item(DRIVER_KEY).ok().flatten()).filter(|t| !t.is_empty()) {
        return Ok(t);
    }
    #[derive(Deserialize)]
    struct Token {
        token: String,
    }
    let res = Request::post("/api/drivers").send().await.map_err(|_| offline(lang))?;
    let t: Token = read(res, lang).await?;
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

pub async fn stripe_config(lang: Lang) -> Result<Option<StripeConfig>, String> {
    let res = Request::get("/api/config").send().await.map_err(|_| offline(lang))?;
    Ok(read::<Config>(res, lang).await?.stripe)
}

pub async fn quote(
    location_id: &str,
    evse_uid: &str,
    connector_id: &str,
    vehicle: Option<&str>,
    lang: Lang,
) -> Result<Quote, String> {
    let q = [
        ("location_id", location_id),
        ("evse_uid", evse_uid),
        ("connector_id", connector_id),
        ("vehicle_id", vehicle.unwrap_or("")),
        ("lang", lang.code()),
    ];
    let res = Request::get("/api/quote").query(q).send().await.map_err(|_| offline(lang))?;
    read(res, lang).await
}

/// The location with its chargers and connectors, as the server imported it (the OCPI importer
/// stays out of the phone's wasm; see `GET /api/locations/{id}`).
pub async fn location(id: &str, lang: Lang) -> Result<chargefinder::Location, String> {
    crate::api::fetch_location(id).await.map_err(|e| match e {
        crate::api::FetchError::Offline => offline(lang),
        crate::api::FetchError::NotFound => msg::E_NO_LOCATION.get(lang).to_string(),
        _ => msg::E_BAD_LOCATION.get(lang).to_string(),
    })
}

/// Holds and starts at `at` = (location, EVSE, connector).
pub async fn start(
    token: &str,
    key: &str,
    at: (&str, &str, &str),
    payment_method: &str,
    vehicle: Option<&str>,
    lang: Lang,
) -> Result<Session, String> {
    let (location_id, evse_uid, connector_id) = at;
    let body = serde_json::json!({
        "location_id": location_id, "evse_uid": evse_uid, "connector_id": connector_id,
        "payment_method": payment_method, "vehicle_id": vehicle,
    });
    let req = authed(Request::post("/api/sessions"), token)
        .header("Idempotency-Key", key)
        .json(&body)
        .map_err(|e| e.to_string())?;
    let res = req.send().await.map_err(|_| offline(lang))?;
    read(res, lang).await
}

pub async fn session(token: &str, id: &str, lang: Lang) -> Result<Session, String> {
    let res = authed(Request::get(&format!("/api/sessions/{id}")), token).send().await.map_err(|_| offline(lang))?;
    read(res, lang).await
}

/// The id of the driver's open session, if the server says there is one (for the finder, which
/// reads only this: `serde_json::Value` is already in its wasm, the session types are not).
/// Offline or any error: `None`, the finder just stays the finder.
pub async fn open_session_id(token: &str) -> Option<String> {
    let res = authed(Request::get("/api/sessions?active=1"), token).send().await.ok()?;
    if !res.ok() {
        return None;
    }
    let v: serde_json::Value = res.json().await.ok()?;
    v.get("sessions")?.get(0)?.get("id")?.as_str().map(str::to_string)
}

/// Stops the session; while the charger is still starting, this cancels the start.
pub async fn stop(token: &str, id: &str, lang: Lang) -> Result<Session, String> {
    let res =
        authed(Request::post(&format!("/api/sessions/{id}/stop")), token).send().await.map_err(|_| offline(lang))?;
    read(res, lang).await
}

/// After Stripe.js's 3-D Secure step: the server reads the payment and starts (or says why not).
pub async fn authenticated(token: &str, id: &str, lang: Lang) -> Result<Session, String> {
    let res = authed(Request::post(&format!("/api/sessions/{id}/authenticated")), token)
        .send()
        .await
        .map_err(|_| offline(lang))?;
    read(res, lang).await
}

pub async fn receipt(token: &str, id: &str, lang: Lang) -> Result<Receipt, String> {
    let res =
        authed(Request::get(&format!("/api/sessions/{id}/receipt")), token).send().await.map_err(|_| offline(lang))?;
    read(res, lang).await
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
pub async fn load_stripe_js(js_url: &str, lang: Lang) -> Result<(), String> {
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
    wasm_bindgen_futures::JsFuture::from(loaded).await.map_err(|_| offline(lang))?;
    Ok(())
}

/// Stripe.js and its card element, mounted into `slot`. The card's
/// numbers stay inside Stripe's element: the app only ever sees the token.
#[derive(Debug, Clone)]
pub struct CardForm {
    stripe: JsValue,
    card: JsValue,
}

impl CardForm {
    pub fn mount(publishable_key: &str, slot: &web_sys::HtmlElement) -> Result<CardForm, String> {
        let window: JsValue = web_sys::window().ok_or("no window")?.into();
        let stripe_fn = get(&window, "Stripe").dyn_into::<js_sys::Function>().map_err(|_| "Stripe.js did not load")?;
        let stripe =
            stripe_fn.call1(&JsValue::NULL, &publishable_key.into()).map_err(|_| "Stripe.js refused the key")?;
        let elements = call(&stripe, "elements", &[])?;
        let card = call(&elements, "create", &["card".into()])?;
        // Stripe.js fills a node of its own inside our (empty, Leptos-rendered) slot, so no node
        // Leptos placed is ever a parent of Stripe's.
        let document: JsValue = web_sys::window().and_then(|w| w.document()).ok_or("no document")?.into();
        let own = call(&document, "createElement", &["div".into()])?;
        call(slot.as_ref(), "appendChild", std::slice::from_ref(&own))?;
        call(&card, "mount", std::slice::from_ref(&own))?;
        Ok(CardForm { stripe, card })
    }

    /// Lets the driver's bank confirm the hold (3-D Secure: Stripe.js shows the bank's step).
    /// Whatever came of it, the server reads the outcome from Stripe itself, so only a failure
    /// to even try is an error here.
    pub async fn confirm_card_payment(&self, client_secret: &str, lang: Lang) -> Result<(), String> {
        let promise = call(&self.stripe, "confirmCardPayment", &[client_secret.into()])?
            .dyn_into::<js_sys::Promise>()
            .map_err(|_| msg::CARD_NOT_CHECKED.get(lang).to_string())?;
        wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|_| msg::CARD_NOT_CHECKED.get(lang).to_string())?;
        Ok(())
    }

    /// The card as a token id (`tok_…`), or Stripe's message.
    pub async fn token(&self, lang: Lang) -> Result<String, String> {
        let promise = call(&self.stripe, "createToken", std::slice::from_ref(&self.card))?
            .dyn_into::<js_sys::Promise>()
            .map_err(|_| "Stripe.js gave no answer")?;
        let result = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|_| msg::CARD_NOT_CHECKED.get(lang).to_string())?;
        let error = get(&result, "error");
        if !error.is_undefined() && !error.is_null() {
            let m = get(&error, "message").as_string();
            // Stripe.js's own words about the card (localised by Stripe for real Stripe.js).
            return Err(m.unwrap_or_else(|| msg::CARD_CHECK.get(lang).to_string()));
        }
        get(&get(&result, "token"), "id").as_string().ok_or_else(|| msg::CARD_CHECK.get(lang).to_string())
    }
}
