//! Payments through Stripe's HTTP API: a pre-authorisation hold, its capture, its release.
//!
//! The server talks to Stripe itself (the browser only makes a PaymentMethod with Stripe.js and
//! hands us its id), form-encoded as Stripe's API wants, with an `Idempotency-Key` on every
//! POST so a retry after a crash or a dropped connection never makes a second hold or a second
//! capture. In tests and the default run the base URL is a local **localstripe** (a stateful
//! Stripe emulator); real Stripe is a matter of configuration (`CHARGEFINDER_STRIPE_URL`,
//! `CHARGEFINDER_STRIPE_SECRET_KEY`).
//!
//! What we use, and what localstripe 1.15.10 does with it (read in its `resources.py`):
//! * `POST /v1/payment_intents` with `capture_method=manual`, `confirm=true` and the
//!   `payment_method`: creates and confirms in one call (status `requires_capture`). localstripe
//!   does not implement `POST …/confirm` with a `payment_method` (it answers 500 "Not
//!   implemented"), so we never confirm in a second call; real Stripe accepts both.
//! * `POST /v1/payment_intents/{id}/capture` with `amount_to_capture` (≤ the hold; the rest is
//!   released: localstripe records it as a refund of the difference).
//! * `POST /v1/payment_intents/{id}/cancel`: releases the hold.
//! * `GET /v1/payment_intents/{id}` and `GET /v1/payment_intents?limit=100`: reconciliation
//!   reads what Stripe has before repeating a step, because **localstripe ignores
//!   `Idempotency-Key`** (real Stripe honours it): the check makes a repeat safe on both.
//! * 3-D Secure: a card whose bank wants to confirm (localstripe: `4000002500003155`,
//!   `4000002760003184`, …) leaves the PaymentIntent `requires_action`; the browser's Stripe.js
//!   `confirmCardPayment(client_secret)` lets the driver confirm (localstripe shows a box with
//!   "Complete authentication" / "Fail authentication" and posts its `…/_authenticate`), after
//!   which it is `requires_capture` (or back to `requires_payment_method` if it failed).
//! * A declined card is HTTP 402 on both (localstripe's `type` is always
//!   `invalid_request_error`, real Stripe's is `card_error`; the `code` is `card_declined` on
//!   both). The card that declines on a charge in both is `4000000000000341`.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::Deserialize;

/// Where Stripe is and the secret key to talk to it with.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `https://api.stripe.com` for real Stripe; localstripe's `http://127.0.0.1:PORT` in tests.
    pub base_url: String,
    pub secret_key: String,
    /// For the browser's Stripe.js.
    pub publishable_key: String,
    /// Where the browser loads Stripe.js from (`https://js.stripe.com/v3/`, or localstripe's
    /// `{base}/js.stripe.com/v3/`).
    pub js_url: String,
}

#[derive(Debug, Clone)]
pub struct Stripe {
    config: StripeConfig,
    http: reqwest::Client,
}

/// The parts of a PaymentIntent we read.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct PaymentIntent {
    pub id: String,
    pub status: String,
    pub amount: i64,
    #[serde(default)]
    pub amount_received: Option<i64>,
    pub currency: String,
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// What Stripe.js needs to let the driver's bank confirm the payment (3-D Secure); given to
    /// that driver only, never stored.
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// What went wrong with a Stripe call.
#[derive(Debug, Clone, PartialEq)]
pub enum StripeError {
    /// The card was refused (HTTP 402): the driver's problem, told in their words.
    Declined { code: String, message: String },
    /// Stripe answered with another error: ours (a bad request) or theirs.
    Api { status: u16, message: String },
    /// No answer: the call may or may not have happened. Reconciliation finds out.
    Unreachable(String),
}

impl std::fmt::Display for StripeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StripeError::Declined { message, .. } => write!(f, "card declined: {message}"),
            StripeError::Api { status, message } => write!(f, "payment provider error {status}: {message}"),
            StripeError::Unreachable(e) => write!(f, "payment provider unreachable: {e}"),
        }
    }
}

/// Currencies Stripe counts in whole units (no minor unit), from Stripe's list.
const ZERO_DECIMAL: &[&str] =
    &["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

/// An amount in Stripe's integer minor units (cents for EUR), rounded up to a whole minor unit
/// (a hold a fraction of a cent short would be short). `None` if it does not fit.
pub fn to_minor_units(amount: Decimal, currency: &str) -> Option<i64> {
    let scale = if ZERO_DECIMAL.contains(&currency.to_ascii_uppercase().as_str()) { 0 } else { 2 };
    let factor = Decimal::from(10i64.pow(scale));
    let minor = (amount * factor).round_dp_with_strategy(0, rust_decimal::RoundingStrategy::AwayFromZero);
    i64::try_from(minor).ok()
}

/// Minor units back to a decimal amount (for receipts and messages).
pub fn from_minor_units(minor: i64, currency: &str) -> Decimal {
    let scale = if ZERO_DECIMAL.contains(&currency.to_ascii_uppercase().as_str()) { 0 } else { 2 };
    Decimal::new(minor, scale)
}

/// Stripe's smallest charge in a currency, in minor units (Stripe's "minimum and maximum charge
/// amounts" table; a capture below it is refused). Currencies not listed: 50 minor units, the
/// US dollar's 0.50, which Stripe says the others are near.
pub fn minimum_charge_minor(currency: &str) -> i64 {
    match currency.to_ascii_uppercase().as_str() {
        "GBP" => 30,
        "DKK" => 250,
        "NOK" | "SEK" => 300,
        "PLN" | "RON" | "AED" | "MYR" => 200,
        "BGN" => 100,
        "CZK" => 1500,
        "HUF" => 17500,
        "HKD" => 400,
        "MXN" | "THB" => 1000,
        "JPY" => 50,
        _ => 50,
    }
}

/// What to do with a hold once the CDR is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Take this much (minor units, never more than held; the rest is released).
    Capture(i64),
    /// Take nothing and release the hold: the CDR's total is zero.
    NothingToPay,
    /// Take nothing and release the hold: the total is above zero but below the card
    /// minimum, which Stripe would refuse to capture (the operator bears it).
    BelowMinimum,
}

/// How a hold of `hold_minor` is settled for a CDR total of `total_minor`.
pub fn settle(total_minor: i64, hold_minor: i64, currency: &str) -> Settle {
    if total_minor <= 0 {
        Settle::NothingToPay
    } else if total_minor < minimum_charge_minor(currency) {
        Settle::BelowMinimum
    } else {
        Settle::Capture(total_minor.min(hold_minor))
    }
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Result<Stripe, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Stripe { config, http })
    }

    pub fn config(&self) -> &StripeConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url.trim_end_matches('/'), path)
    }

    async fn post(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let res = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.config.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(form)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        read(res).await
    }

    async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, StripeError> {
        let res = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.config.secret_key)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        read(res).await
    }

    /// Places the hold: a PaymentIntent for `amount_minor`, captured later by hand, confirmed
    /// now with the driver's PaymentMethod. Tagged with our session id so reconciliation can
    /// find it even if we never learned its id.
    pub async fn hold(
        &self,
        amount_minor: i64,
        currency: &str,
        payment_method: &str,
        customer: Option<&str>,
        session_id: &str,
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let mut form = vec![
            ("amount", amount_minor.to_string()),
            ("currency", currency.to_ascii_lowercase()),
            ("payment_method", payment_method.to_string()),
            ("payment_method_types[0]", "card".to_string()),
            ("capture_method", "manual".to_string()),
            ("confirm", "true".to_string()),
            ("metadata[session_id]", session_id.to_string()),
        ];
        if let Some(c) = customer {
            form.push(("customer", c.to_string()));
        }
        self.post("/v1/payment_intents", &form, idempotency_key).await
    }

    /// A card token (`tok_…`, from Stripe.js `createToken`: localstripe's Stripe.js makes no
    /// PaymentMethods) made usable for a PaymentIntent the way Stripe allows on both it and
    /// localstripe: a Customer with the token as its source; its card (`card_…`) is then the
    /// payment method. Returns `(customer, card)`. A card refused on attaching is `Declined`.
    pub async fn card_from_token(
        &self,
        token: &str,
        session_id: &str,
        idempotency_key: &str,
    ) -> Result<(String, String), StripeError> {
        #[derive(Deserialize)]
        struct Customer {
            id: String,
            default_source: Option<String>,
        }
        let form = [("source", token.to_string()), ("metadata[session_id]", session_id.to_string())];
        let res = self
            .http
            .post(self.url("/v1/customers"))
            .bearer_auth(&self.config.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        let c: Customer = read(res).await?;
        let card = c
            .default_source
            .ok_or_else(|| StripeError::Api { status: 200, message: "the customer has no card".into() })?;
        Ok((c.id, card))
    }

    /// Takes `amount_minor` of the hold (never more than it; the rest is released).
    pub async fn capture(
        &self,
        pi: &str,
        amount_minor: i64,
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let form = [("amount_to_capture", amount_minor.to_string())];
        self.post(&format!("/v1/payment_intents/{}/capture", path_id(pi)?), &form, idempotency_key).await
    }

    /// Releases the hold.
    pub async fn cancel(&self, pi: &str, idempotency_key: &str) -> Result<PaymentIntent, StripeError> {
        self.post(&format!("/v1/payment_intents/{}/cancel", path_id(pi)?), &[], idempotency_key).await
    }

    pub async fn retrieve(&self, pi: &str) -> Result<PaymentIntent, StripeError> {
        self.get(&format!("/v1/payment_intents/{}", path_id(pi)?)).await
    }

    /// The PaymentIntent made for `session_id`, if any, among the 100 most recent: used after a
    /// crash between asking for a hold and recording its id.
    pub async fn find_for_session(&self, session_id: &str) -> Result<Option<PaymentIntent>, StripeError> {
        #[derive(Deserialize)]
        struct List {
            data: Vec<PaymentIntent>,
        }
        let list: List = self.get("/v1/payment_intents?limit=100").await?;
        Ok(list.data.into_iter().find(|pi| pi.metadata.get("session_id").and_then(|v| v.as_str()) == Some(session_id)))
    }
}

/// Stripe ids are `pi_` plus letters and digits; anything else never reaches a URL path.
fn path_id(id: &str) -> Result<&str, StripeError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(id)
    } else {
        Err(StripeError::Api { status: 400, message: format!("{id:?} is not a PaymentIntent id") })
    }
}

async fn read<T: for<'de> Deserialize<'de>>(res: reqwest::Response) -> Result<T, StripeError> {
    let status = res.status().as_u16();
    let body = res.bytes().await.map_err(|e| StripeError::Unreachable(e.to_string()))?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&body).map_err(|e| StripeError::Api {
            status,
            message: format!("unexpected answer from the payment provider: {e}"),
        });
    }
    #[derive(Deserialize, Default)]
    struct ErrBody {
        #[serde(default)]
        error: ErrInner,
    }
    #[derive(Deserialize, Default)]
    struct ErrInner {
        code: Option<String>,
        message: Option<String>,
    }
    let err: ErrBody = serde_json::from_slice(&body).unwrap_or_default();
    let message = err.error.message.unwrap_or_else(|| format!("HTTP {status}"));
    if status == 402 {
        Err(StripeError::Declined { code: err.error.code.unwrap_or_else(|| "card_declined".into()), message })
    } else {
        Err(StripeError::Api { status, message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_round_up_and_respect_zero_decimal_currencies() {
        assert_eq!(to_minor_units(Decimal::new(1234, 2), "EUR"), Some(1234));
        assert_eq!(to_minor_units(Decimal::new(12341, 3), "eur"), Some(1235));
        assert_eq!(to_minor_units(Decimal::new(500, 0), "JPY"), Some(500));
        assert_eq!(from_minor_units(1235, "EUR").to_string(), "12.35");
    }

    #[test]
    fn below_the_card_minimum_nothing_is_captured() {
        assert_eq!(settle(0, 2500, "EUR"), Settle::NothingToPay);
        assert_eq!(settle(1, 2500, "EUR"), Settle::BelowMinimum);
        assert_eq!(settle(49, 2500, "EUR"), Settle::BelowMinimum);
        assert_eq!(settle(50, 2500, "EUR"), Settle::Capture(50));
        // Never more than held.
        assert_eq!(settle(3000, 2500, "EUR"), Settle::Capture(2500));
        // Per currency: GBP's minimum is 0.30, JPY's ¥50 (no minor unit).
        assert_eq!(settle(30, 2500, "gbp"), Settle::Capture(30));
        assert_eq!(settle(49, 2500, "JPY"), Settle::BelowMinimum);
    }

    #[test]
    fn ids_with_path_characters_are_refused() {
        assert!(path_id("pi_123abc").is_ok());
        assert!(path_id("pi_1/../../v1/charges").is_err());
        assert!(path_id("").is_err());
    }
}
