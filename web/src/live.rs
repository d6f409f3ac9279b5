//! The live status stream (`/api/live`, Server-Sent Events).
//!
//! We reconnect ourselves rather than leave it to `EventSource`: the browser retries every few
//! seconds forever, which on a phone with bad signal drains the battery and hammers a server
//! that is down. Here a lost stream is retried after 1 s, then 2, 4, … up to 30 s (with jitter,
//! so a server restart is not met by every phone at once), each time resuming after the last
//! event we applied (`?after=`, as `Last-Event-ID` would), so no change is lost.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// One change, as the server sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub location_id: String,
    pub evse_uid: String,
    /// The EVSE's position in its station's download row (the download has no uids).
    #[serde(default)]
    pub evse_index: Option<u32>,
    pub status: String,
    /// Unix seconds.
    pub last_updated: i64,
}

/// What the driver is told about freshness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Link {
    Connecting,
    Live,
    /// Lost since (ms since 1970); the next try is at `retry_at` (ms since 1970).
    Reconnecting {
        since: f64,
        retry_at: f64,
    },
}

/// After this long without the stream the statuses shown are called stale.
pub const STALE_AFTER_MS: f64 = 60_000.0;

/// The wait before retry number `attempt` (0-based): 1 s doubling to 30 s, ±20 % jitter
/// (`jitter` in 0..1).
pub fn backoff_ms(attempt: u32, jitter: f64) -> f64 {
    let base = (1000.0 * 2f64.powi(attempt.min(5) as i32)).min(30_000.0);
    base * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))
}

struct Stream {
    after: Cell<i64>,
    attempt: Cell<u32>,
    lost_since: Cell<Option<f64>>,
    source: RefCell<Option<EventSource>>,
    on_change: Box<dyn Fn(Change)>,
    on_link: Box<dyn Fn(Link)>,
}

/// Opens the stream after `seq` and calls back; the stream lives as long as the page.
pub fn connect(seq: i64, on_change: impl Fn(Change) + 'static, on_link: impl Fn(Link) + 'static) -> Result<(), String> {
    let stream = Rc::new(Stream {
        after: Cell::new(seq),
        attempt: Cell::new(0),
        lost_since: Cell::new(None),
        source: RefCell::new(None),
        on_change: Box::new(on_change),
        on_link: Box::new(on_link),
    });
    (stream.on_link)(Link::Connecting);
    open(&stream)
}

fn open(stream: &Rc<Stream>) -> Result<(), String> {
    let es = EventSource::new(&crate::api::url(&format!("/api/live?after={}", stream.after.get())))
        .map_err(|_| "live updates are not available".to_string())?;
    let status = {
        let stream = stream.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            if let Ok(id) = e.last_event_id().parse::<i64>() {
                stream.after.set(stream.after.get().max(id));
            }
            if let Some(text) = e.data().as_string() {
                // A change we cannot read is skipped; the next full load corrects it.
                if let Ok(c) = serde_json::from_str::<Change>(&text) {
                    (stream.on_change)(c);
                }
            }
        })
    };
    let reset = Closure::<dyn Fn(MessageEvent)>::new(|_e: MessageEvent| {
        // Too far behind to replay: start over with fresh data (on our page; a partner's page
        // with the element is not ours to reload, and keeps the statuses it has).
        if let Some(w) = web_sys::window().filter(|_| !crate::embed::element_mode()) {
            let _ = w.location().reload();
        }
    });
    let on_open = {
        let stream = stream.clone();
        Closure::<dyn Fn()>::new(move || {
            stream.attempt.set(0);
            stream.lost_since.set(None);
            (stream.on_link)(Link::Live);
        })
    };
    let on_error = {
        let stream = stream.clone();
        Closure::<dyn Fn()>::new(move || lost(&stream))
    };
    let _ = es.add_event_listener_with_callback("status", status.as_ref().unchecked_ref());
    let _ = es.add_event_listener_with_callback("reset", reset.as_ref().unchecked_ref());
    es.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    es.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // Each connection's handlers live as long as the page; there are few reconnections, and each
    // one costs four small closures.
    status.forget();
    reset.forget();
    on_open.forget();
    on_error.forget();
    *stream.source.borrow_mut() = Some(es);
    Ok(())
}

/// The stream failed: close it (no browser retries) and try again after the backoff.
fn lost(stream: &Rc<Stream>) {
    if let Some(es) = stream.source.borrow_mut().take() {
        es.close();
    }
    let now = js_sys::Date::now();
    let since = stream.lost_since.get().unwrap_or(now);
    stream.lost_since.set(Some(since));
    let attempt = stream.attempt.get();
    stream.attempt.set(attempt + 1);
    let wait = backoff_ms(attempt, js_sys::Math::random());
    (stream.on_link)(Link::Reconnecting { since, retry_at: now + wait });
    let retry = {
        let stream = stream.clone();
        Closure::once_into_js(move || {
            if open(&stream).is_err() {
                lost(&stream);
            }
        })
    };
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), wait as i32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_thirty_seconds_with_bounded_jitter() {
        assert_eq!(backoff_ms(0, 0.5), 1000.0);
        assert_eq!(backoff_ms(1, 0.5), 2000.0);
        assert_eq!(backoff_ms(4, 0.5), 16_000.0);
        assert_eq!(backoff_ms(5, 0.5), 30_000.0);
        assert_eq!(backoff_ms(50, 0.5), 30_000.0);
        let near = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(near(backoff_ms(0, 0.0), 800.0));
        assert!(near(backoff_ms(0, 1.0), 1200.0));
        assert!(near(backoff_ms(0, 7.0), 1200.0), "jitter is clamped");
    }
}
