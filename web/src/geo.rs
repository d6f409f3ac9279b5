//! The driver's position, from the browser, or a sensible default.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Delft railway station: the default when the browser gives no position.
pub const DEFAULT: Here = Here { lat: 52.0116, lon: 4.3571, source: Source::Default };

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    Device,
    Default,
    /// From a shared link.
    Link,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Here {
    pub lat: f64,
    pub lon: f64,
    pub source: Source,
}

/// Asks the browser for the position (5 s at most); denied, unavailable or slow → [`DEFAULT`].
pub async fn current_position() -> Here {
    let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
        return DEFAULT;
    };
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |pos: web_sys::Position| {
            let c = pos.coords();
            let arr = js_sys::Array::of2(&c.latitude().into(), &c.longitude().into());
            let _ = resolve.call1(&JsValue::NULL, &arr);
        });
        let err = Closure::once_into_js(move |e: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        let opts = web_sys::PositionOptions::new();
        opts.set_timeout(5_000);
        opts.set_maximum_age(60_000);
        if geo
            .get_current_position_with_error_callback_and_options(ok.unchecked_ref(), Some(err.unchecked_ref()), &opts)
            .is_err()
        {
            // Nothing to do: the error callback or the timeout settles the promise.
        }
    });
    match JsFuture::from(promise).await {
        Ok(v) => {
            let arr: js_sys::Array = v.unchecked_into();
            match (arr.get(0).as_f64(), arr.get(1).as_f64()) {
                (Some(lat), Some(lon)) => Here { lat, lon, source: Source::Device },
                _ => DEFAULT,
            }
        }
        Err(_) => DEFAULT,
    }
}
