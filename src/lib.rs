//! Tham Gia's browser app: Leptos components over IndexedDB, synced to the town hall.
//!
//! Start-up opens the IndexedDB store, reads the session signed in on this
//! tablet (so the app works offline on it), builds the sync driver from
//! what it remembers, mounts the app, and starts a first sync round when
//! someone is signed in. Code map:
//! `storage` (IndexedDB), `sync` (driver of core's sync client), `api`
//! (HTTP), `state` (shared context), `tabs` (one tab syncs at a time, all
//! tabs show the same records), `pages/` and `components/` (views),
//! `hooks/` (behaviour shared by pages: `use_autosave`), `i18n`
//! (Vietnamese and English texts), `platform` (browser facilities).

pub mod api;
pub mod app;
pub mod components;
pub mod hooks;
pub mod i18n;
pub mod pages;
pub mod platform;
pub mod preferences;
pub mod state;
pub mod storage;
pub mod sync;
pub mod tablet_app;
pub mod tabs;
pub mod townhall_app;

use leptos::prelude::*;
use thamgia_core::sync_client::{SyncStatus, Trigger};

/// The name of the app's IndexedDB database.
pub const DATABASE_NAME: &str = "thamgia";

/// Times the form engine on a generated form (see
/// `thamgia_core::form::time_edits`) with the browser's clock; returns a
/// JSON array `[compile ms, evaluate ms, ms per edit, nodes per edit]`.
/// Exported for `cargo xtask bench`, which calls it in headless Chromium.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_form_edit(questions: usize, instances: usize, edits: usize) -> String {
    let performance = web_sys::window().and_then(|window| window.performance());
    let clock = || {
        performance
            .as_ref()
            .map_or_else(js_sys::Date::now, web_sys::Performance::now)
    };
    let (compile, evaluate, per_edit, nodes) =
        thamgia_core::form::time_edits(questions, instances, edits, &clock);
    format!("[{compile}, {evaluate}, {per_edit}, {nodes}]")
}

/// Most records a bench export adds per call, and the most JSON it reads:
/// a page's script can call the exports, so their inputs are bounded too.
const BENCH_MAX_RECORDS: u32 = 10_000;
const BENCH_MAX_JSON_BYTES: usize = 64 << 20;

/// Adds to the database `database_name` the completed responses numbered
/// `from..from + count`, waiting to be sent (one transaction), then times, with the
/// browser's clock, what the tablet reads to open home (the counts by
/// state, the drafts) and the responses list (its newest page), beside
/// reading every response (what the list did before). Resolves to a JSON
/// object of milliseconds. Exported for `cargo xtask bench`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_tablet_lists(database_name: String, from: u32, count: u32) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let failed =
            |error: storage::StorageError| wasm_bindgen::JsValue::from_str(&error.message().en);
        if count > BENCH_MAX_RECORDS {
            return Err(wasm_bindgen::JsValue::from_str(&format!(
                "at most {BENCH_MAX_RECORDS} responses per call"
            )));
        }
        let performance = web_sys::window().and_then(|window| window.performance());
        let clock = || {
            performance
                .as_ref()
                .map_or_else(js_sys::Date::now, web_sys::Performance::now)
        };
        let store = storage::Store::open(&database_name).await.map_err(failed)?;
        let survey = thamgia_core::form::generated_form(20, 0).0;
        let started = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        let completed: Vec<thamgia_core::Response> = (from..from.saturating_add(count))
            .map(|n| {
                let mut response = thamgia_core::Response::new_draft(
                    uuid::Uuid::from_u128(0xBE00_0000 + u128::from(n)),
                    &survey.id,
                    survey.version,
                    "00004",
                    started + chrono::Duration::seconds(i64::from(n)),
                );
                response.status = thamgia_core::ResponseStatus::Completed;
                response
            })
            .collect();
        let fill = clock();
        store
            .fill_waiting_for_bench(&completed)
            .await
            .map_err(failed)?;
        let fill = clock() - fill;
        let timed = |start: f64| clock() - start;
        let start = clock();
        let counts = store.counts().await.map_err(failed)?;
        let counts_ms = timed(start);
        let start = clock();
        let drafts = store.drafts().await.map_err(failed)?;
        let drafts_ms = timed(start);
        let start = clock();
        let (page, _) = store.newest_responses(100).await.map_err(failed)?;
        let page_ms = timed(start);
        let start = clock();
        let every = store.responses().await.map_err(failed)?;
        let every_ms = timed(start);
        Ok(wasm_bindgen::JsValue::from_str(&format!(
            "{{\"fill_ms\": {fill}, \"counts_ms\": {counts_ms}, \"drafts_ms\": {drafts_ms}, \"page_ms\": {page_ms}, \"every_ms\": {every_ms}, \"waiting\": {}, \"drafts\": {}, \"page\": {}, \"every\": {}}}",
            counts.waiting,
            drafts.len(),
            page.len(),
            every.len()
        )))
    })
}

/// Adds the completed responses of `responses_json` (a JSON array) to the
/// database `database_name` as waiting to be sent, with their outbox
/// entries, in one transaction: a tablet that collected them offline.
/// Exported for `cargo xtask bench`, which then lets the app send them.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_fill_waiting(database_name: String, responses_json: String) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        if responses_json.len() > BENCH_MAX_JSON_BYTES {
            return Err(wasm_bindgen::JsValue::from_str(
                "the responses are too large",
            ));
        }
        let responses: Vec<thamgia_core::Response> = serde_json::from_str(&responses_json)
            .map_err(|error| wasm_bindgen::JsValue::from_str(&error.to_string()))?;
        if responses.len() > BENCH_MAX_RECORDS as usize {
            return Err(wasm_bindgen::JsValue::from_str(&format!(
                "at most {BENCH_MAX_RECORDS} responses per call"
            )));
        }
        let store = storage::Store::open(&database_name)
            .await
            .map_err(|error| wasm_bindgen::JsValue::from_str(&error.message().en))?;
        store
            .fill_waiting_for_bench(&responses)
            .await
            .map_err(|error| wasm_bindgen::JsValue::from_str(&error.message().en))?;
        Ok(wasm_bindgen::JsValue::from(responses.len() as u32))
    })
}

/// Mounts the page that explains IndexedDB could not be opened.
fn show_storage_failure(error: &storage::StorageError) {
    let message = error.message();
    leptos::mount::mount_to_body(move || view! { <app::StorageFailed message=message.clone()/> });
    loaded();
}

/// Takes away `index.html`'s loading line once the app is on the page.
fn loaded() {
    if let Some(line) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app-loading"))
    {
        line.remove();
    }
}

/// Starts the tablet app: opens storage, mounts the interface, starts
/// syncing.
pub fn run() {
    start(tablet_app::PARTS);
}

/// Starts the town hall app: the same storage and session, its own pages;
/// it syncs only when asked (after an import, say).
pub fn run_townhall() {
    start(townhall_app::PARTS);
}

fn start(parts: app::Parts) {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async move {
        let store = match storage::Store::open(DATABASE_NAME).await {
            Ok(store) => store,
            Err(error) => return show_storage_failure(&error),
        };
        let data_revision = RwSignal::new(0_u64);
        let sync_status = RwSignal::new(SyncStatus {
            phase: thamgia_core::sync_client::SyncPhase::Idle,
            last_success_ms: None,
            last_failure: None,
            next_retry_ms: None,
            progress: None,
        });
        // A session that cannot be read is treated as none: the worker signs
        // in again, and every record stays where it is.
        let session = match store.load_session().await {
            Ok(session) => session,
            Err(error) => {
                leptos::logging::warn!("session not read: {error}");
                None
            }
        };
        api::set_token(session.as_ref().map(|session| session.token.clone()));
        let session_ended = RwSignal::new(false);
        let driver =
            match sync::SyncDriver::new(store.clone(), sync_status, data_revision, session_ended)
                .await
            {
                Ok(driver) => driver,
                Err(error) => return show_storage_failure(&error),
            };
        let app_driver = driver.clone();
        leptos::mount::mount_to_body(move || {
            view! {
                <app::App
                    parts
                    store=store.clone()
                    driver=app_driver.clone()
                    data_revision
                    sync_status
                    session=session.clone()
                    session_ended
                />
            }
        });
        loaded();
        // Does nothing while nobody is signed in.
        if parts.syncs {
            driver.request(Trigger::Startup);
        }
    });
}
