//! OCPI 2.2.1 sender endpoints: Locations and Tariffs, paginated as the spec's transport module
//! says (`offset`, `limit`, `date_from`, `date_to`; `Link: <…>; rel="next"`, `X-Total-Count`,
//! `X-Limit`), every answer in the OCPI response envelope.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::store::{Store, Table};

/// Largest page we hand out; a bigger `limit` is lowered to this, as OCPI allows.
pub const MAX_LIMIT: u64 = 1000;
pub const DEFAULT_LIMIT: u64 = 1000;

/// OCPI status codes (transport_and_format, "OCPI status codes").
pub mod code {
    pub const SUCCESS: u32 = 1000;
    pub const CLIENT_ERROR: u32 = 2000;
    pub const INVALID_PARAMETERS: u32 = 2001;
    pub const UNKNOWN_LOCATION: u32 = 2003;
    pub const SERVER_ERROR: u32 = 3000;
}

/// An OCPI timestamp: RFC 3339, UTC, whole seconds, `Z`.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The envelope around raw JSON `data` (already serialised, so stored objects are not re-parsed).
fn envelope(data: &str) -> String {
    format!(
        r#"{{"data":{data},"status_code":{},"status_message":"Success","timestamp":"{}"}}"#,
        code::SUCCESS,
        now_rfc3339()
    )
}

/// An OCPI error: the envelope with an error code, a clear message, and the matching HTTP status.
#[derive(Debug)]
pub struct OcpiError {
    pub http: StatusCode,
    pub code: u32,
    pub message: String,
}

impl OcpiError {
    pub fn invalid(message: impl Into<String>) -> Self {
        OcpiError { http: StatusCode::BAD_REQUEST, code: code::INVALID_PARAMETERS, message: message.into() }
    }
    pub fn server(message: impl Into<String>) -> Self {
        OcpiError { http: StatusCode::INTERNAL_SERVER_ERROR, code: code::SERVER_ERROR, message: message.into() }
    }
}

impl IntoResponse for OcpiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "status_code": self.code,
            "status_message": self.message,
            "timestamp": now_rfc3339(),
        });
        (self.http, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

/// Parsed list parameters.
#[derive(Debug, PartialEq)]
pub struct ListParams {
    pub offset: u64,
    pub limit: u64,
    pub date_from: Option<(String, i64)>,
    pub date_to: Option<(String, i64)>,
}

impl ListParams {
    pub fn parse(q: &HashMap<String, String>) -> Result<ListParams, OcpiError> {
        let whole =
            |name: &str| -> Result<Option<u64>, OcpiError> {
                match q.get(name) {
                    None => Ok(None),
                    Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                        OcpiError::invalid(format!("{name} must be a whole number of 0 or more, got {v:?}"))
                    }),
                }
            };
        let date = |name: &str| -> Result<Option<(String, i64)>, OcpiError> {
            match q.get(name) {
                None => Ok(None),
                Some(v) => {
                    v.trim().parse::<jiff::Timestamp>().map(|t| Some((v.trim().to_string(), t.as_second()))).map_err(
                        |_| {
                            OcpiError::invalid(format!(
                                "{name} must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z, got {v:?}"
                            ))
                        },
                    )
                }
            }
        };
        let limit = whole("limit")?.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 {
            return Err(OcpiError::invalid("limit must be at least 1"));
        }
        Ok(ListParams {
            offset: whole("offset")?.unwrap_or(0),
            limit: limit.min(MAX_LIMIT),
            date_from: date("date_from")?,
            date_to: date("date_to")?,
        })
    }

    /// The URL of the page after this one, keeping the date filter.
    fn next_url(&self, base: &str, served: u64) -> String {
        let mut url = format!("{base}?offset={}&limit={}", self.offset + served, self.limit);
        for (name, d) in [("date_from", &self.date_from), ("date_to", &self.date_to)] {
            if let Some((raw, _)) = d {
                url.push_str(&format!("&{name}={}", percent_encode(raw)));
            }
        }
        url
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Our own absolute base URL, from the request (OCPI links are absolute).
fn base_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let proto = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{proto}://{host}{path}")
}

async fn list(
    store: Store,
    table: Table,
    path: &'static str,
    headers: HeaderMap,
    q: HashMap<String, String>,
) -> Result<Response, OcpiError> {
    let p = ListParams::parse(&q)?;
    let (offset, limit) = (p.offset, p.limit);
    let (from, to) = (p.date_from.as_ref().map(|d| d.1), p.date_to.as_ref().map(|d| d.1));
    let page = tokio::task::spawn_blocking(move || store.page(table, offset, limit, from, to))
        .await
        .map_err(|e| OcpiError::server(format!("the query did not finish: {e}")))?
        .map_err(OcpiError::server)?;
    let served = page.items.len() as u64;
    let body = envelope(&format!("[{}]", page.items.join(",")));
    let mut res = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    let h = res.headers_mut();
    h.insert("x-total-count", HeaderValue::from(page.total));
    h.insert("x-limit", HeaderValue::from(limit));
    if served > 0 && offset + served < page.total {
        let link = format!("<{}>; rel=\"next\"", p.next_url(&base_url(&headers, path), served));
        if let Ok(v) = HeaderValue::from_str(&link) {
            h.insert(header::LINK, v);
        }
    }
    Ok(res)
}

pub async fn locations(
    State(store): State<Store>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, OcpiError> {
    list(store, Table::Locations, "/ocpi/2.2.1/locations", headers, q).await
}

pub async fn tariffs(
    State(store): State<Store>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, OcpiError> {
    list(store, Table::Tariffs, "/ocpi/2.2.1/tariffs", headers, q).await
}

pub async fn location(State(store): State<Store>, Path(id): Path<String>) -> Result<Response, OcpiError> {
    let found = tokio::task::spawn_blocking({
        let id = id.clone();
        move || store.location(&id)
    })
    .await
    .map_err(|e| OcpiError::server(format!("the query did not finish: {e}")))?
    .map_err(OcpiError::server)?;
    match found {
        Some(json) => Ok(([(header::CONTENT_TYPE, "application/json")], envelope(&json)).into_response()),
        None => Err(OcpiError {
            http: StatusCode::NOT_FOUND,
            code: code::UNKNOWN_LOCATION,
            message: format!("Unknown location: no location has id {id:?}"),
        }),
    }
}

pub async fn not_found() -> OcpiError {
    OcpiError { http: StatusCode::NOT_FOUND, code: code::CLIENT_ERROR, message: "No such OCPI endpoint".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_and_caps() {
        let p = ListParams::parse(&q(&[])).unwrap();
        assert_eq!((p.offset, p.limit), (0, DEFAULT_LIMIT));
        let p = ListParams::parse(&q(&[("limit", "50000"), ("offset", "7")])).unwrap();
        assert_eq!((p.offset, p.limit), (7, MAX_LIMIT));
    }

    #[test]
    fn bad_parameters_are_2001() {
        for bad in [("limit", "abc"), ("offset", "-1"), ("limit", "0"), ("date_from", "yesterday")] {
            let e = ListParams::parse(&q(&[bad])).unwrap_err();
            assert_eq!((e.http, e.code), (StatusCode::BAD_REQUEST, code::INVALID_PARAMETERS), "{bad:?}");
            assert!(e.message.contains(bad.0), "message names the parameter: {}", e.message);
        }
    }

    #[test]
    fn next_link_keeps_dates() {
        let p = ListParams::parse(&q(&[("limit", "10"), ("date_from", "2026-01-01T00:00:00+01:00")])).unwrap();
        assert_eq!(p.date_from.as_ref().unwrap().1, 1767222000);
        assert_eq!(
            p.next_url("http://h/ocpi/2.2.1/locations", 10),
            "http://h/ocpi/2.2.1/locations?offset=10&limit=10&date_from=2026-01-01T00%3A00%3A00%2B01%3A00"
        );
    }
}
