//! What `cargo xtask bench` times in headless Chromium, through the app's
//! own code: its browser part (`crates/thamgia-e2e/benches/form_in_browser.rs`)
//! calls these exports as `window.wasmBindings.<name>(...)` in the served
//! app's page, and each times with the browser's clock. Never used by the
//! app's UI, and compiled only with the cargo feature `bench`:
//! `cargo xtask bench` builds the tablet app with it into `dist-bench/`,
//! and the app tablets get (`dist/`) carries none of these exports.
//!
//! A page's script can call the exports too, so their inputs are bounded:
//! at most [`BENCH_MAX_RECORDS`] records per call, at most
//! [`BENCH_MAX_JSON_BYTES`] of JSON read.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use thamgia_core::{Response, ResponseStatus};

use crate::storage;

/// Most records a bench export adds per call.
pub const BENCH_MAX_RECORDS: u32 = 10_000;
/// Most JSON a bench export reads per call.
pub const BENCH_MAX_JSON_BYTES: usize = 64 << 20;
/// Most times [`bench_save_read`] reads every response per call.
pub const BENCH_MAX_READS: u32 = 20;

/// The browser's clock in milliseconds (`performance.now()`, or the date
/// where a page has no `performance`).
fn clock() -> impl Fn() -> f64 {
    let performance = web_sys::window().and_then(|window| window.performance());
    move || {
        performance
            .as_ref()
            .map_or_else(js_sys::Date::now, web_sys::Performance::now)
    }
}

/// A storage error as the rejection of an export's promise.
fn failed(error: storage::StorageError) -> JsValue {
    JsValue::from_str(&error.message().en)
}

/// The completed responses of `responses_json` (a JSON array), bounded.
fn bounded_responses(responses_json: &str) -> Result<Vec<thamgia_core::Response>, JsValue> {
    if responses_json.len() > BENCH_MAX_JSON_BYTES {
        return Err(JsValue::from_str("the responses are too large"));
    }
    let responses: Vec<thamgia_core::Response> = serde_json::from_str(responses_json)
        .map_err(|error| JsValue::from_str(&error.to_string()))?;
    if responses.len() > BENCH_MAX_RECORDS as usize {
        return Err(JsValue::from_str(&format!(
            "at most {BENCH_MAX_RECORDS} responses per call"
        )));
    }
    Ok(responses)
}

/// Times the form engine on a generated form (see
/// `thamgia_core::form::time_edits`) with the browser's clock; returns a
/// JSON array `[compile ms, evaluate ms, ms per edit, nodes per edit]`.
#[wasm_bindgen]
pub fn bench_form_edit(questions: usize, instances: usize, edits: usize) -> String {
    let clock = clock();
    let (compile, evaluate, per_edit, nodes) =
        thamgia_core::form::time_edits(questions, instances, edits, &clock);
    format!("[{compile}, {evaluate}, {per_edit}, {nodes}]")
}

/// Adds to the database `database_name` the completed responses numbered
/// `from..from + count`, waiting to be sent (one transaction), then times, with the
/// browser's clock, what the tablet reads to open home (the counts by
/// state, the drafts) and the responses list (its newest page), beside
/// reading every response (what the list did before). Resolves to a JSON
/// object of milliseconds.
#[wasm_bindgen]
pub fn bench_tablet_lists(database_name: String, from: u32, count: u32) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        if count > BENCH_MAX_RECORDS {
            return Err(JsValue::from_str(&format!(
                "at most {BENCH_MAX_RECORDS} responses per call"
            )));
        }
        let clock = clock();
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
        Ok(JsValue::from_str(&format!(
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
/// The bench then lets the app send them.
#[wasm_bindgen]
pub fn bench_fill_waiting(database_name: String, responses_json: String) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let responses = bounded_responses(&responses_json)?;
        let store = storage::Store::open(&database_name).await.map_err(failed)?;
        store
            .fill_waiting_for_bench(&responses)
            .await
            .map_err(failed)?;
        Ok(JsValue::from(responses.len() as u32))
    })
}

/// Times the app saving and reading responses as the tablet does, for the
/// bench to set beside raw IndexedDB and PouchDB in the same page.
///
/// In the database `database_name` (the bench deletes it before its
/// first call, and calls again on the same database: a round of saves a
/// call, then the rest and the reads), saves the first `saved` completed
/// responses of `responses_json` (a JSON array) one after another, each
/// awaited, the way the fill page completes one: saved as a draft first
/// (untimed, as the fill page saves answers as they are typed), then
/// completed ([`Store::complete_response`](storage::Store::complete_response):
/// the record, its outbox entry, the seq counter and the change of the
/// counts in one strict transaction, written from what the store expects
/// without reading first once its first completion read), timing each
/// completion; adds the rest untimed, in one
/// transaction ([`Store::fill_waiting_for_bench`](storage::Store::fill_waiting_for_bench)); then reads
/// every response `reads` times ([`Store::responses`](storage::Store::responses),
/// decoded into Rust values), timing each read. The responses are parsed
/// before any timing starts.
///
/// Resolves to a JSON object `{"save_ms": [ms of each save], "read_ms": [ms
/// of each read], "read": responses read, "as_expected": completions
/// written without reading first}`.
#[wasm_bindgen]
pub fn bench_save_read(
    database_name: String,
    responses_json: String,
    saved: u32,
    reads: u32,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let responses = bounded_responses(&responses_json)?;
        drop(responses_json);
        let saved = saved as usize;
        if saved > responses.len() {
            return Err(JsValue::from_str(&format!(
                "{saved} responses to save, but {} given",
                responses.len()
            )));
        }
        if reads > BENCH_MAX_READS {
            return Err(JsValue::from_str(&format!(
                "at most {BENCH_MAX_READS} reads per call"
            )));
        }
        let clock = clock();
        let store = storage::Store::open(&database_name).await.map_err(failed)?;
        let (one_by_one, rest) = responses.split_at(saved);
        let mut save_ms = Vec::with_capacity(one_by_one.len());
        for response in one_by_one {
            // Saved as a draft first, untimed, as the fill page saves the
            // answers as they are typed: the completion is what is timed.
            let draft = Response {
                status: ResponseStatus::Draft,
                ..response.clone()
            };
            store.save_draft(&draft).await.map_err(failed)?;
            let start = clock();
            store.complete_response(response).await.map_err(failed)?;
            save_ms.push(clock() - start);
        }
        store.fill_waiting_for_bench(rest).await.map_err(failed)?;
        let mut read_ms = Vec::with_capacity(reads as usize);
        let mut read = 0;
        for _ in 0..reads {
            let start = clock();
            let every = store.responses().await.map_err(failed)?;
            read_ms.push(clock() - start);
            read = every.len();
        }
        Ok(JsValue::from_str(
            &serde_json::json!({
                "save_ms": save_ms,
                "read_ms": read_ms,
                "read": read,
                "as_expected": store.completions_as_expected_for_tests(),
            })
            .to_string(),
        ))
    })
}
