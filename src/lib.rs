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
//! (Vietnamese and English texts), `platform` (browser facilities),
//! `bench` (what `cargo xtask bench` times in the browser, never used by
//! the app's UI; only with the cargo feature `bench`, so the app tablets
//! get carries none of its exports).

pub mod account_database;
pub mod api;
pub mod app;
#[cfg(feature = "bench")]
pub mod bench;
pub mod components;
pub mod hooks;
pub mod i18n;
pub mod pages;
pub mod platform;
pub mod preferences;
pub mod rest;
pub mod state;
pub mod storage;
pub mod sync;
pub mod tablet_app;
pub mod tabs;
pub mod townhall_app;

use leptos::prelude::*;
use thamgia_core::sync_client::{SyncStatus, Trigger};

/// How long after the app opens its kept counts are checked against the
/// records (`Store::recount`): after the first page, out of its way.
const RECOUNT_AFTER_MS: u32 = 3_000;

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
        let (store, session) = match account_database::open_at_start().await {
            Ok(opened) => opened,
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
        let recount_store = store.clone();
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
        // The counts and the first round wait for the rest of the app
        // (`rest`): the first page shows without it.
        rest::arrived().await;
        if parts.syncs {
            // Home showed the kept counts; check them against the records
            // once, after the first page is up, and show them again if they
            // were off (see `storage/tally.rs`).
            wasm_bindgen_futures::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(RECOUNT_AFTER_MS).await;
                match recount_store.recount().await {
                    Ok(true) => data_revision.update(|revision| *revision += 1),
                    Ok(false) => {}
                    Err(error) => leptos::logging::warn!("responses not recounted: {error}"),
                }
            });
        }
        // Does nothing while nobody is signed in.
        if parts.syncs {
            driver.request(Trigger::Startup);
        }
    });
}
