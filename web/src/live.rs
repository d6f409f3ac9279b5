//! The live status stream (`/api/live`, Server-Sent Events).
//!
//! The browser's `EventSource` reconnects by itself and sends `Last-Event-ID`, so the server
//! replays what was missed; we only report the connection state and hand changes on.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// One change, as the server sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub location_id: String,
    pub evse_uid: String,
    pub status: String,
    /// Unix seconds.
    pub last_updated: i64,
}

/// What the driver is told about freshness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Link {
    Connecting,
    Live,
    /// Lost; the browser retries. Since when (ms since 1970).
    Reconnecting(f64),
}

/// Opens the stream after `seq` and calls back; the stream lives as long as the page.
pub fn connect(seq: i64, on_change: impl Fn(Change) + 'static, on_link: impl Fn(Link) + 'static) -> Result<(), String> {
    let es = EventSource::new(&format!("/api/live?after={seq}"))
        .map_err(|_| "live updates are not available".to_string())?;
    let on_link = std::rc::Rc::new(on_link);
    let status = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        if let Some(text) = e.data().as_string() {
            // A change we cannot read is skipped; the next full load corrects it.
            if let Ok(c) = serde_json::from_str::<Change>(&text) {
                on_change(c);
            }
        }
    });
    let reset = Closure::<dyn Fn(MessageEvent)>::new(|_e: MessageEvent| {
        // Too far behind to replay: start over with fresh data.
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let open = {
        let on_link = on_link.clone();
        Closure::<dyn Fn()>::new(move || on_link(Link::Live))
    };
    let error = {
        let on_link = on_link.clone();
        Closure::<dyn Fn()>::new(move || on_link(Link::Reconnecting(js_sys::Date::now())))
    };
    let _ = es.add_event_listener_with_callback("status", status.as_ref().unchecked_ref());
    let _ = es.add_event_listener_with_callback("reset", reset.as_ref().unchecked_ref());
    es.set_onopen(Some(open.as_ref().unchecked_ref()));
    es.set_onerror(Some(error.as_ref().unchecked_ref()));
    // The page owns the stream for its whole life.
    status.forget();
    reset.forget();
    open.forget();
    error.forget();
    on_link(Link::Connecting);
    Ok(())
}
