//! How much of the browser's storage the app uses, and whether the browser
//! promised to keep it (persistent storage), so a worker knows the tablet
//! will not silently evict what was collected.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::state::use_app;

/// What the browser says about storage.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StorageReport {
    /// Whether storage is persistent (not evicted under pressure).
    persisted: Option<bool>,
    /// Bytes used by this site.
    usage: Option<f64>,
    /// Bytes this site may use.
    quota: Option<f64>,
}

fn manager() -> Option<web_sys::StorageManager> {
    web_sys::window().map(|window| window.navigator().storage())
}

async fn promise_value(
    promise: Result<js_sys::Promise, wasm_bindgen::JsValue>,
) -> Option<wasm_bindgen::JsValue> {
    JsFuture::from(promise.ok()?).await.ok()
}

/// Asks for persistent storage once (browsers may grant it silently, ask
/// the user, or refuse) and reads the estimate.
async fn read_storage() -> StorageReport {
    let Some(manager) = manager() else {
        return StorageReport {
            persisted: None,
            usage: None,
            quota: None,
        };
    };
    let mut persisted = promise_value(manager.persisted())
        .await
        .and_then(|value| value.as_bool());
    if persisted == Some(false) {
        persisted = promise_value(manager.persist())
            .await
            .and_then(|value| value.as_bool());
    }
    let estimate = promise_value(manager.estimate()).await;
    let field = |name: &str| {
        estimate
            .as_ref()
            .and_then(|value| js_sys::Reflect::get(value, &name.into()).ok())
            .and_then(|value| value.as_f64())
    };
    StorageReport {
        persisted,
        usage: field("usage"),
        quota: field("quota"),
    }
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_000_000.0)
}

/// One line: storage used of the quota, and whether it is kept for sure.
#[component]
pub fn StorageMeter() -> impl IntoView {
    let app = use_app();
    let report = LocalResource::new(move || {
        app.data_revision.track();
        read_storage()
    });
    move || {
        report.get().map(|report| {
            let texts = app.texts();
            let used = match (report.usage, report.quota) {
                (Some(usage), Some(quota)) if quota > 0.0 => Some((usage, quota)),
                _ => None,
            };
            let (class, kept) = match report.persisted {
                Some(true) => ("notice notice--success", texts.storage_persisted),
                Some(false) => ("notice notice--info", texts.storage_not_persisted),
                None => ("notice notice--info", texts.storage_unknown),
            };
            view! {
                <div class=class data-test="storage-meter" data-persisted=report.persisted.map(|value| value.to_string()).unwrap_or_default()>
                    {used.map(|(usage, quota)| view! {
                        <p>
                            {texts.storage_used} ": " {megabytes(usage)} " / " {megabytes(quota)}
                            " "
                            <meter min="0" max=quota.to_string() value=usage.to_string()></meter>
                        </p>
                    })}
                    <p>{kept}</p>
                </div>
            }
        })
    }
}
