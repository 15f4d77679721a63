//! Where the tablet is, as the browser's geolocation says: for "near me", the position an
//! inspection records, and the start of the day's route. One way to ask, awaited.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsValue};
use web_sys::{PositionError, PositionOptions};

/// A position fix: latitude, longitude and its accuracy in metres.
pub struct Fix {
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: f64,
}

/// Why there is no position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlocated {
    /// The user did not allow it.
    Denied,
    /// No browser support, no fix in time, or no fix at all.
    Unavailable,
}

/// How long to wait for a fix and how old a cached one may be.
pub struct Patience {
    pub timeout_ms: u32,
    pub maximum_age_ms: u32,
    pub high_accuracy: bool,
}

/// Asks the browser where the tablet is.
pub async fn locate(patience: Patience) -> Result<Fix, Unlocated> {
    let geolocation = leptos::prelude::window()
        .navigator()
        .geolocation()
        .map_err(|_| Unlocated::Unavailable)?;
    let mut asked = Ok(());
    // Resolves with [latitude, longitude, accuracy], or with the error's code.
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let found_resolve = resolve.clone();
        let found = Closure::once_into_js(move |p: web_sys::Position| {
            let c = p.coords();
            let value = js_sys::Array::of3(
                &c.latitude().into(),
                &c.longitude().into(),
                &c.accuracy().into(),
            );
            let _ = found_resolve.call1(&JsValue::NULL, &value);
        });
        let failed = Closure::once_into_js(move |error: PositionError| {
            let _ = resolve.call1(&JsValue::NULL, &error.code().into());
        });
        let options = PositionOptions::new();
        options.set_timeout(patience.timeout_ms);
        options.set_maximum_age(patience.maximum_age_ms);
        options.set_enable_high_accuracy(patience.high_accuracy);
        asked = geolocation.get_current_position_with_error_callback_and_options(
            found.unchecked_ref(),
            Some(failed.unchecked_ref()),
            &options,
        );
    });
    asked.map_err(|_| Unlocated::Unavailable)?;
    let value = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| Unlocated::Unavailable)?;
    match value.dyn_into::<js_sys::Array>() {
        Ok(fix) => Ok(Fix {
            latitude: fix.get(0).as_f64().ok_or(Unlocated::Unavailable)?,
            longitude: fix.get(1).as_f64().ok_or(Unlocated::Unavailable)?,
            accuracy_m: fix.get(2).as_f64().unwrap_or(f64::NAN),
        }),
        Err(code) if code.as_f64() == Some(f64::from(PositionError::PERMISSION_DENIED)) => {
            Err(Unlocated::Denied)
        }
        Err(_) => Err(Unlocated::Unavailable),
    }
}
