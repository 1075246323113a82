//! The rest of the app: the second part of the tablet app's wasm, which
//! arrives right after the first page shows (`cargo xtask build` splits the
//! wasm; see `xtask/src/split.rs`).
//!
//! The first part holds what the sign-in page and the app's start run. The
//! app waits for the rest before any other page and before its sync
//! rounds, so the work of a worker never runs on a first part alone. (A
//! function of the rest called earlier still works: it fetches the rest at
//! once.) In a build that is not split (the town hall app, `trunk serve`,
//! the bench's build) the rest is there from the start.

use wasm_bindgen::JsCast;

/// The promise the split build's loader resolves once the rest is installed.
const PROMISE: &str = "__thamgiaRest";
/// Set by the loader once the rest is installed.
const ARRIVED: &str = "__thamgiaRestArrived";

fn global(name: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(&js_sys::global(), &name.into()).unwrap_or_default()
}

/// Whether the rest is there now.
pub fn is_there() -> bool {
    global(PROMISE).dyn_into::<js_sys::Promise>().is_err() || global(ARRIVED).is_truthy()
}

/// Waits until the rest is there.
pub async fn arrived() {
    if is_there() {
        return;
    }
    if let Ok(promise) = global(PROMISE).dyn_into::<js_sys::Promise>() {
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(promise).await {
            leptos::logging::warn!("the rest of the app: {error:?}");
        }
    }
}
