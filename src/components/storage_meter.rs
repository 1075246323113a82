//! How much more the tablet can hold, in responses, and whether the browser
//! promised to keep what was collected (persistent storage), so a worker
//! knows the tablet will not silently evict it. Shown at once from what
//! the browser reports; asking the browser to keep the data (which may
//! show a prompt, as Firefox does) runs beside it and never holds the
//! panel back.

use leptos::prelude::*;
use thamgia_core::storage_space::StorageSpace;
use wasm_bindgen_futures::JsFuture;

use crate::state::use_app;

/// What the browser says about storage.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StorageReport {
    /// Whether storage is persistent (not evicted under pressure).
    persisted: Option<bool>,
    /// Bytes used and allowed, when the browser tells.
    space: Option<StorageSpace>,
}

fn manager() -> Option<web_sys::StorageManager> {
    web_sys::window().map(|window| window.navigator().storage())
}

async fn promise_value(
    promise: Result<js_sys::Promise, wasm_bindgen::JsValue>,
) -> Option<wasm_bindgen::JsValue> {
    JsFuture::from(promise.ok()?).await.ok()
}

/// Reads whether storage is kept and the estimate: neither asks the user
/// anything.
async fn read_storage() -> StorageReport {
    let Some(manager) = manager() else {
        return StorageReport {
            persisted: None,
            space: None,
        };
    };
    let persisted = promise_value(manager.persisted())
        .await
        .and_then(|value| value.as_bool());
    let estimate = promise_value(manager.estimate()).await;
    let field = |name: &str| {
        estimate
            .as_ref()
            .and_then(|value| js_sys::Reflect::get(value, &name.into()).ok())
            .and_then(|value| value.as_f64())
    };
    let space = match (field("usage"), field("quota")) {
        (Some(usage), Some(quota)) if quota > 0.0 => Some(StorageSpace { usage, quota }),
        _ => None,
    };
    StorageReport { persisted, space }
}

/// Asks the browser to keep the data (it may grant it silently, ask the
/// user, or refuse); the answer, if any.
async fn ask_to_keep() -> Option<bool> {
    promise_value(manager()?.persist())
        .await
        .and_then(|value| value.as_bool())
}

/// The room left in responses, the meter, and whether the data is kept.
#[component]
pub fn StorageMeter() -> impl IntoView {
    let app = use_app();
    let report = LocalResource::new(move || {
        app.data_revision.track();
        read_storage()
    });
    let asking = RwSignal::new(false);
    let ask = move || {
        if asking.get_untracked() {
            return;
        }
        asking.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            ask_to_keep().await;
            asking.set(false);
            report.refetch();
        });
    };
    // Asked once, beside the panel, when the browser has not promised yet.
    Effect::new(move |asked: Option<bool>| {
        if asked == Some(true) {
            return true;
        }
        match report.get() {
            Some(StorageReport {
                persisted: Some(false),
                ..
            }) => {
                ask();
                true
            }
            _ => false,
        }
    });
    move || {
        report.get().map(|report| {
            let texts = app.texts();
            let (class, kept) = match report.persisted {
                Some(true) => ("notice notice--success", texts.storage_persisted),
                Some(false) => ("notice notice--info", texts.storage_not_persisted),
                None => ("notice notice--info", texts.storage_unknown),
            };
            view! {
                <div class=class data-test="storage-meter" data-persisted=report.persisted.map(|value| value.to_string()).unwrap_or_default()>
                    {report.space.map(|space| view! {
                        <p data-test="storage-room" data-fit=space.responses_that_fit()>
                            {move || app.pick(&space.described())}
                            " "
                            <meter aria-label=move || app.texts().storage_used min="0" max=space.quota.to_string() value=space.usage.to_string()></meter>
                        </p>
                    })}
                    <p>{kept}</p>
                    {(report.persisted == Some(false)).then(|| view! {
                        <button type="button" class="btn btn-secondary" data-test="ask-persist" disabled=move || asking.get() on:click=move |_| ask()>
                            {move || app.texts().storage_ask}
                        </button>
                    })}
                </div>
            }
        })
    }
}
