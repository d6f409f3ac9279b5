//! Security headers for the app's page, and who may embed it.
//!
//! The app page is sent with a strict Content-Security-Policy: no inline script or style
//! (`unsafe-inline` is never allowed; Trunk's inline loader is moved into a file at build time by
//! `scripts/trunk-boot.mjs`), scripts only from our origin (plus Stripe.js when paid sessions
//! are on), images from us, `data:` and the tile server, and `frame-ancestors` limited to our own
//! origin and the partners in `CHARGEFINDER_EMBED_ORIGINS` (comma-separated exact origins such as
//! `https://parking.example.nl`). The same list reaches the app (`GET /api/embed`), which takes
//! `postMessage` commands only from those origins and posts events only to its embedding origin.
//!
//! The `<charge-finder>` element runs on the partner's page, so its loader, the app's files and
//! the API are fetched from the partner's origin: every response grants CORS to exactly the
//! origins on the list (never `*`). Preflights allow `GET`/`POST` with `Content-Type` only: no
//! `Authorization`, so a driver's session token is never usable from a partner's origin.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::payments::StripeConfig;

/// The partners' origins and the page's header values, computed once at start.
#[derive(Debug, Clone)]
pub struct Policy {
    pub origins: Vec<String>,
    pub csp: String,
}

/// `scheme://host[:port]` of an absolute http(s) URL, lower-cased; `None` for anything else.
/// A tile template's `{s}` subdomain becomes CSP's `*.` wildcard.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let authority = authority.strip_prefix("{s}.").map_or(authority.clone(), |a| format!("*.{a}"));
    let host_ok =
        |h: &str| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '*');
    let ok = match authority.rsplit_once(':') {
        Some((host, port)) => {
            host_ok(host) && !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
        }
        None => host_ok(&authority),
    };
    // Only a leading wildcard label is meaningful to CSP; anything else is not an origin.
    let ok = ok && !authority.trim_start_matches("*.").contains('*');
    ok.then(|| format!("{scheme}://{authority}"))
}

/// Reads `CHARGEFINDER_EMBED_ORIGINS`: exact origins, comma-separated. A value that is not an
/// origin (a path, a wildcard, a typo) is an error at start, never a silently open door.
pub fn parse_origins(value: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match origin_of(item) {
            Some(o) if o == item.to_ascii_lowercase() && !o.contains('*') => {
                if !out.contains(&o) {
                    out.push(o);
                }
            }
            _ => {
                return Err(format!(
                    "CHARGEFINDER_EMBED_ORIGINS: {item:?} is not an exact origin like https://partner.example (scheme, host, optional port; no path, no wildcard)"
                ))
            }
        }
    }
    Ok(out)
}

impl Policy {
    /// The policy for these partner origins, tile URL template and Stripe settings.
    pub fn new(origins: Vec<String>, tiles: &str, stripe: Option<&StripeConfig>) -> Policy {
        let mut img = vec!["'self'".to_string(), "data:".into()];
        img.extend(origin_of(tiles));
        let (mut script, mut connect, mut frame) = (
            vec!["'self'".to_string(), "'wasm-unsafe-eval'".into()],
            vec!["'self'".to_string()],
            vec!["'self'".to_string()],
        );
        if let Some(s) = stripe {
            // Stripe.js comes from Stripe (or localstripe), talks to its API and shows its frames.
            script.extend(origin_of(&s.js_url));
            connect.extend(origin_of(&s.base_url));
            frame.extend(origin_of(&s.js_url));
        }
        let mut ancestors = vec!["'self'".to_string()];
        ancestors.extend(origins.iter().cloned());
        let dedup = |v: Vec<String>| {
            let mut out: Vec<String> = Vec::new();
            for x in v {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            out.join(" ")
        };
        let csp = format!(
            "default-src 'self'; script-src {}; style-src 'self'; img-src {}; connect-src {}; frame-src {}; \
             frame-ancestors {}; base-uri 'self'; form-action 'self'; object-src 'none'",
            dedup(script),
            dedup(img),
            dedup(connect),
            dedup(frame),
            dedup(ancestors)
        );
        Policy { origins, csp }
    }
}

/// Adds `GET /api/embed` (the partner allow list, for the app) and the page's security headers.
pub fn protect(app: Router, policy: Policy) -> Router {
    let origins = serde_json::json!({ "origins": policy.origins });
    Router::new()
        .route("/api/embed", get(move || async move { axum::Json(origins) }))
        .merge(app)
        .layer(axum::middleware::from_fn_with_state(policy, headers))
}

/// The request's `Origin` when it is exactly on the partner list.
fn partner_origin(policy: &Policy, req: &Request) -> Option<HeaderValue> {
    let origin = req.headers().get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    policy.origins.iter().any(|o| o == text).then(|| origin.clone())
}

/// Every response: `nosniff` and a referrer policy; HTML (the app page): the CSP too; a
/// partner's cross-origin request (the element): a CORS grant for exactly that origin.
async fn headers(State(policy): State<Policy>, req: Request, next: Next) -> Response {
    let cors = partner_origin(&policy, &req);
    let preflight = req.method() == axum::http::Method::OPTIONS
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = if preflight {
        // Answered here for listed origins; anyone else gets an empty 204 without a grant,
        // which the browser treats as a refusal.
        let mut r = Response::new(axum::body::Body::empty());
        *r.status_mut() = axum::http::StatusCode::NO_CONTENT;
        if cors.is_some() {
            let h = r.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        r
    } else {
        next.run(req).await
    };
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    // Answers differ by origin: caches must keep them apart.
    h.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = cors {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("x-live-seq"));
    }
    if html {
        if let Ok(v) = HeaderValue::from_str(&policy.csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        assert_eq!(
            parse_origins(" https://a.example , http://127.0.0.1:8081,https://a.example").unwrap(),
            vec!["https://a.example".to_string(), "http://127.0.0.1:8081".into()]
        );
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
        for bad in [
            "https://a.example/path",
            "*",
            "https://*.example",
            "a.example",
            "ftp://a.example",
            "https://a.example;script-src *",
            "https://a.example:99999x",
        ] {
            let e = parse_origins(bad).unwrap_err();
            assert!(e.contains("not an exact origin"), "{bad}: {e}");
        }
    }

    #[test]
    fn tile_origin_with_subdomains() {
        assert_eq!(
            origin_of("https://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.example.org")
        );
        assert_eq!(origin_of("http://127.0.0.1:9/tiles/{z}/{x}/{y}.png").as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(origin_of("/tiles/{z}/{x}/{y}.png"), None);
        assert_eq!(origin_of("https://evil.example'; script-src */x"), None);
    }

    #[test]
    fn csp_has_no_unsafe_inline_and_names_partners_tiles_and_stripe() {
        let stripe = StripeConfig {
            base_url: "http://127.0.0.1:4242".into(),
            secret_key: "sk".into(),
            publishable_key: "pk".into(),
            js_url: "http://127.0.0.1:4242/js.stripe.com/v3/".into(),
        };
        let p =
            Policy::new(vec!["https://partner.example".into()], "https://tiles.example/{z}/{x}/{y}.png", Some(&stripe));
        assert!(!p.csp.contains("unsafe-inline"), "{}", p.csp);
        assert!(p.csp.contains("script-src 'self' 'wasm-unsafe-eval' http://127.0.0.1:4242;"), "{}", p.csp);
        assert!(p.csp.contains("img-src 'self' data: https://tiles.example;"), "{}", p.csp);
        assert!(p.csp.contains("connect-src 'self' http://127.0.0.1:4242;"), "{}", p.csp);
        assert!(p.csp.contains("frame-ancestors 'self' https://partner.example;"), "{}", p.csp);
        assert!(p.csp.contains("style-src 'self';"), "{}", p.csp);
        let none = Policy::new(vec![], "https://tiles.example/{z}/{x}/{y}.png", None);
        assert!(none.csp.contains("frame-ancestors 'self';"), "{}", none.csp);
        assert!(none.csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{}", none.csp);
    }
}
