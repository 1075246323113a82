//! `cargo xtask bench`, its browser part, in headless Chromium on the
//! release wasm build the tablets run plus the app's bench exports
//! (`src/bench.rs`, cargo feature `bench`; `cargo xtask bench` builds it
//! into `dist-bench` and serves that, `THAMGIA_DIST`), each figure timed by
//! the browser's own clock through those exports: the form engine's
//! cost per edit (`bench_form_edit`); what a tablet holding tens of
//! thousands of responses reads to open home and its responses list
//! (`bench_tablet_lists`); the app saving a completed response the way the
//! fill page does and reading every response back decoded
//! (`bench_save_read`), beside raw IndexedDB (a strict `put` per
//! transaction, `getAll()`) and PouchDB (`put`, `allDocs`) on the same
//! responses in the same page, the saves of the three in interleaved
//! rounds (`save_read.js`; PouchDB from npm, a tool of
//! this bench only, never in `dist`); and how long 10,000 responses queued
//! offline take to reach the server through the app's own sync
//! (`bench_fill_waiting`). Figures only: no timing fails the run.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chromiumoxide::cdp::js_protocol::profiler;
use chromiumoxide::Page;
use thamgia_e2e::{
    dist_dir, first_visit_in_ba_dinh, js, launch_browser, open_app, set_offline, start_server,
    wait_for, wait_within,
};
use thamgia_server::ServerConfig;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = ServerConfig {
        database_path: workspace.path().join("bench.sqlite3"),
        database_url: None,
        static_dir: dist_dir()?,
        seed_demo: true,
        metrics: Default::default(),
    };
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (mut browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    wait_for(
        &page,
        "the app's bench exports (only in a build with the cargo feature `bench`: \
         `cargo xtask bench` serves one from dist-bench)",
        "window.wasmBindings && window.wasmBindings.bench_form_edit",
    )
    .await?;

    println!("Form engine in headless Chromium (release wasm; 1,000 questions, half in a repeat):");
    println!(
        "  {:>9} {:>12} {:>14} {:>12} {:>16}",
        "instances", "compile ms", "evaluate ms", "ms per edit", "nodes per edit"
    );
    for instances in [5, 50] {
        let figures: Vec<f64> = js(
            &page,
            &format!("JSON.parse(window.wasmBindings.bench_form_edit(1000, {instances}, 2000))"),
        )
        .await
        .context("running the bench in the page")?;
        println!(
            "  {instances:>9} {:>12.2} {:>14.2} {:>12.4} {:>16.1}",
            figures[0], figures[1], figures[2], figures[3]
        );
    }

    // A tablet a month offline: its responses waiting, added 10,000 at a
    // time; what opening home and the responses list reads, beside reading
    // every response as the list did before.
    println!();
    println!(
        "Tablet lists in headless Chromium (release wasm; completed responses waiting to be sent):"
    );
    println!(
        "  {:>9} {:>10} {:>10} {:>10} {:>12} {:>16}",
        "responses", "add ms", "counts ms", "drafts ms", "newest 100 ms", "every one ms"
    );
    let mut stored = 0_u32;
    for _ in 0..5 {
        let figures: serde_json::Value = serde_json::from_str(
            &js::<String>(
                &page,
                &format!(
                    "window.wasmBindings.bench_tablet_lists('thamgia-bench-lists', {stored}, 10000)"
                ),
            )
            .await
            .context("filling and reading the tablet's lists")?,
        )?;
        stored += 10_000;
        let ms = |key: &str| figures[key].as_f64().unwrap_or(f64::NAN);
        println!(
            "  {:>9} {:>10.0} {:>10.1} {:>10.1} {:>12.1} {:>16.1}",
            figures["every"],
            ms("fill_ms"),
            ms("counts_ms"),
            ms("drafts_ms"),
            ms("page_ms"),
            ms("every_ms")
        );
    }
    println!("  goal: home and the responses list open in under 100 ms with 50,000 responses");

    // Saving and reading: the app's storage code beside raw IndexedDB and
    // PouchDB, before anyone signs in, so no sync round runs in the page
    // while they are timed.
    println!();
    save_and_read(&page).await?;

    // Sending: a tablet signed in, offline, holds 10,000 completed
    // responses with their outbox entries; the network comes back and the
    // app's own sync sends them. Timed until the server stores the last.
    const QUEUED: u32 = 10_000;
    first_visit_in_ba_dinh(&page).await?;
    set_offline(&page, true).await?;
    let survey = thamgia_server::seed::demo_survey()?;
    let start = chrono::DateTime::from_timestamp(1_793_000_000, 0).unwrap_or_default();
    for chunk in 0..QUEUED / 1_000 {
        let responses: Vec<thamgia_core::Response> = (chunk * 1_000..(chunk + 1) * 1_000)
            .map(|n| {
                let mut response = thamgia_server::seed::sample_response(
                    &survey,
                    uuid::Uuid::from_u128(0x5E00_0000 + u128::from(n)),
                    n as usize,
                    start + chrono::Duration::seconds(i64::from(n)),
                );
                response.ward_code = "00004".to_owned();
                response
            })
            .collect();
        let json = serde_json::to_string(&responses)?;
        let _: u32 = js(
            &page,
            &format!(
                "window.wasmBindings.bench_fill_waiting('thamgia', {})",
                serde_json::to_string(&json)?
            ),
        )
        .await
        .context("queueing responses on the tablet")?;
    }
    let server_database = thamgia_server::Database::open(&config.database_path).await?;
    let before = server_database.response_count().await?;
    let sending = std::time::Instant::now();
    set_offline(&page, false).await?;
    loop {
        let stored = server_database.response_count().await? - before;
        if stored >= u64::from(QUEUED) {
            break;
        }
        if sending.elapsed() > std::time::Duration::from_secs(600) {
            anyhow::bail!("only {stored} of {QUEUED} responses reached the server in 10 minutes");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    println!();
    println!(
        "Sending from the tablet (release wasm, the app's own sync, loopback, SQLite): {QUEUED} responses queued offline reached the server {:.1} s after the network came back (goal: under 10 s)",
        sending.elapsed().as_secs_f64()
    );
    server_database.close().await;

    browser.close().await?;
    browser.wait().await?;
    events.abort();
    server.stop().await?;
    Ok(())
}

/// Responses each way saves one after another, each awaited, as a worker
/// completes them one at a time.
const SAVED: u32 = 1_000;
/// Rounds the saves are made in: each way saves `SAVED / ROUNDS` in turn,
/// the order turning each round, so that a slower stretch of the disk's
/// flushes (a strict put's time varies by a third from run to run here)
/// falls on the three ways alike.
const ROUNDS: u32 = 20;
/// Responses each way then holds and reads back at once (the saved ones
/// among them; the rest added untimed).
const STORED: u32 = 10_000;
/// Times each way reads every response, in rounds (each way once a round,
/// the order turning each round, as the saves are made); their mean is
/// printed.
const READS: u32 = 5;
/// The raw IndexedDB and PouchDB side, and what runs the three in turn.
const SAVE_READ_JS: &str = include_str!("save_read.js");
/// The profiler's sampling interval under `THAMGIA_BENCH_PROFILE`, in
/// microseconds: finer than a strict put's tenth of a millisecond.
const PROFILE_INTERVAL_US: i64 = 50;
/// PouchDB and the modules it requires, in the order they are given to the
/// page, as npm installs them (package.json; `cargo xtask setup`).
const POUCHDB_MODULES: [(&str, &str); 5] = [
    ("spark-md5", "spark-md5/spark-md5.min.js"),
    ("uuid", "uuid/dist/umd/uuid.min.js"),
    ("vuvuzela", "vuvuzela/index.js"),
    ("events", "events/events.js"),
    ("pouchdb-browser", "pouchdb-browser/lib/index.js"),
];

/// One way's figures, from `save_read.js`: milliseconds of each save and
/// of each read of every response, how many responses a read gave, and
/// (the app alone) how many of its completions were written without
/// reading first.
#[derive(serde::Deserialize)]
struct Figures {
    save: Vec<f64>,
    read: Vec<f64>,
    count: u64,
    #[serde(default)]
    as_expected: u64,
}

/// The three ways, timed in the same page one after the other, and the
/// save's three floors beside them (`save_read.js`): raw IndexedDB's
/// strict put committed at once, the app's completion reading first (what
/// it falls back to, and all it did before schema version 6) replayed in
/// plain JS, and a completion that reads nothing before it commits.
#[derive(serde::Deserialize)]
struct SaveRead {
    app: Figures,
    raw: Figures,
    pouch: Figures,
    raw_commit: Figures,
    replica: Figures,
    blind: Figures,
}

/// Times saving 1,000 completed responses one by one and reading 10,000
/// back, the app's way, with raw IndexedDB and with PouchDB, and prints
/// the figures; then deletes the bench's databases.
async fn save_and_read(page: &Page) -> Result<()> {
    let pouchdb = pouchdb_script()?;
    let loaded = page
        .evaluate(pouchdb.as_str())
        .await
        .context("loading PouchDB into the page")?;
    if loaded.value().and_then(serde_json::Value::as_str) != Some("function") {
        bail!(
            "PouchDB did not load in the page (window.PouchDB is {:?})",
            loaded.value()
        );
    }
    let _: bool = js(page, SAVE_READ_JS)
        .await
        .context("loading save_read.js into the page")?;

    // Realistic completed responses of the demo survey, the same objects
    // for the three, sent in parts of 1,000.
    let survey = thamgia_server::seed::demo_survey()?;
    let start = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    let _: bool = js(page, "Array.isArray(window.__benchResponses = [])").await?;
    for part in 0..STORED / 1_000 {
        let responses: Vec<thamgia_core::Response> = (part * 1_000..(part + 1) * 1_000)
            .map(|n| {
                thamgia_server::seed::sample_response(
                    &survey,
                    uuid::Uuid::from_u128(0x5A00_0000 + u128::from(n)),
                    n as usize,
                    start + chrono::Duration::seconds(i64::from(n)),
                )
            })
            .collect();
        let json = serde_json::to_string(&responses)?;
        let _: u32 = js(
            page,
            &format!(
                "window.__benchResponses.push(...JSON.parse({}))",
                serde_json::to_string(&json)?
            ),
        )
        .await
        .context("sending responses to the page")?;
    }

    let names = serde_json::json!({
        "app": "thamgia-bench-save",
        "raw": "thamgia-bench-raw",
        "pouch": "thamgia-bench-pouch",
        "raw_commit": "thamgia-bench-raw-commit",
        "replica": "thamgia-bench-replica",
        "blind": "thamgia-bench-blind",
        "others": ["thamgia-bench-lists"],
    });
    // With `THAMGIA_BENCH_PROFILE=<file>`, Chromium's sampling profiler
    // runs while the three ways save and read, and its profile is written
    // to that file (a `.cpuprofile`, which Chromium's DevTools open):
    // where the main thread's time goes, the browser's own IndexedDB
    // calls included. It slows every way down, so its run's figures are
    // not the bench's.
    let profile_to = std::env::var_os("THAMGIA_BENCH_PROFILE");
    if profile_to.is_some() {
        page.execute(profiler::EnableParams::default()).await?;
        page.execute(profiler::SetSamplingIntervalParams::new(
            PROFILE_INTERVAL_US,
        ))
        .await?;
        page.execute(profiler::StartParams::default()).await?;
    }
    let outcome = settle(
        page,
        "saving and reading responses three ways",
        &format!(
            "window.thamgiaSaveRead({{ responses: window.__benchResponses, saved: {SAVED}, rounds: {ROUNDS}, reads: {READS}, names: {names} }})"
        ),
        Duration::from_secs(40 * 60),
    )
    .await;
    if let Some(path) = &profile_to {
        let profile = page.execute(profiler::StopParams::default()).await?;
        std::fs::write(path, serde_json::to_vec(&profile.result.profile)?)
            .with_context(|| format!("writing the profile to {}", Path::new(path).display()))?;
        println!("(profiled: {})", Path::new(path).display());
    }
    let _: bool = js(page, "delete window.__benchResponses").await?;
    let figures: SaveRead = serde_json::from_str(&outcome?)?;
    settle(
        page,
        "deleting the bench's databases",
        &format!("window.thamgiaSaveReadCleanup({names})"),
        Duration::from_secs(5 * 60),
    )
    .await?;
    for (way, figures) in [
        ("the app", &figures.app),
        ("raw IndexedDB", &figures.raw),
        ("PouchDB", &figures.pouch),
    ] {
        if figures.save.len() != SAVED as usize
            || figures.read.len() != READS as usize
            || figures.count != u64::from(STORED)
        {
            bail!(
                "{way} saved {} responses and read {} ({} times), not {SAVED} and {STORED} ({READS} times)",
                figures.save.len(),
                figures.count,
                figures.read.len()
            );
        }
    }
    for (way, figures) in [
        ("raw IndexedDB committed at once", &figures.raw_commit),
        ("the app reading first in plain JS", &figures.replica),
        ("a completion reading nothing", &figures.blind),
    ] {
        if figures.save.len() != SAVED as usize {
            bail!("{way} saved {} responses, not {SAVED}", figures.save.len());
        }
    }

    // Totals, divided: the clock of a page that is not cross-origin
    // isolated ticks in 0.1 ms, as coarse as one strict put; the median of
    // the saves is given beside.
    let save = |figures: &Figures| mean(&figures.save);
    let save_median = |figures: &Figures| median(&figures.save);
    let save_ratio = save(&figures.app) / save(&figures.raw);
    let save_met = save_ratio <= 1.3 && save(&figures.app) < save(&figures.pouch);
    println!(
        "Saving one completed response in headless Chromium (release wasm; {SAVED} each, one after another, each awaited, in {ROUNDS} rounds taken in turn by the three and the floors below; ms each: the total ÷ {SAVED}, the median in brackets):"
    );
    println!(
        "  {:>17} {:>26} {:>17} {:>9}",
        "app (wasm)", "raw IndexedDB strict put", "PouchDB put", "app/raw"
    );
    println!(
        "  {:>8.3} ({:>6.3}) {:>17.3} ({:>6.3}) {:>8.3} ({:>6.3}) {:>8.2}×",
        save(&figures.app),
        save_median(&figures.app),
        save(&figures.raw),
        save_median(&figures.raw),
        save(&figures.pouch),
        save_median(&figures.pouch),
        save_ratio
    );
    println!(
        "  goal: app ≤ 1.3× raw strict put, and under PouchDB: {}",
        if save_met { "met" } else { "not met" }
    );
    println!(
        "  (the app: each response saved as a draft first, untimed, as the fill page saves answers as they are typed, then completed in one strict transaction, {} of the {SAVED} written without reading first (a store's first completion reads): the response, its outbox entry, the next seq and the seq's marker carrying the change of the counts, then commit() at once; raw: one put a transaction, strict; PouchDB: its own transactions)",
        figures.app.as_expected
    );
    println!(
        "  floors in the same rounds (ms each, the median in brackets, and ÷ the raw strict put):"
    );
    for (way, floor) in [
        ("raw strict put, commit() at once", &figures.raw_commit),
        ("the app reading first, in plain JS", &figures.replica),
        ("a completion reading nothing, in JS", &figures.blind),
    ] {
        println!(
            "  {way:>36} {:>8.3} ({:>6.3}) {:>8.2}×",
            save(floor),
            save_median(floor),
            save(floor) / save(&figures.raw)
        );
    }
    println!(
        "  the app ÷ a completion reading nothing in plain JS (what the wasm and its own requests add): {:.2}×",
        save(&figures.app) / save(&figures.blind)
    );
    println!(
        "  (reading first: the app's stores and indexes, records and seven requests, made at once; the reads awaited, then the writes, then commit(). Reading nothing: the response, its mutation not numbered yet (keyed by IndexedDB's key generator, a unique index on the response's id), a completion marker add()ed under that id and a change of the counts, then commit() at once)"
    );

    let read = |figures: &Figures| mean(&figures.read);
    let read_ratio = read(&figures.app) / read(&figures.raw);
    println!();
    println!(
        "Reading {STORED} responses in headless Chromium (release wasm; ms a read of all of them: the total of {READS} reads ÷ {READS}):"
    );
    println!(
        "  {:>14} {:>11} {:>9} {:>16}",
        "app (decoded)", "raw getAll", "app/raw", "PouchDB allDocs"
    );
    println!(
        "  {:>14.1} {:>11.1} {:>8.2}× {:>16.1}",
        read(&figures.app),
        read(&figures.raw),
        read_ratio,
        read(&figures.pouch)
    );
    println!(
        "  goal: app ≤ 1.5× raw getAll: {}",
        if read_ratio <= 1.5 { "met" } else { "not met" }
    );
    Ok(())
}

/// The mean of `values`: their total divided by their number (NaN for
/// none).
fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The median of `values` (NaN for none).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[middle],
        _ => (sorted[middle - 1] + sorted[middle]) / 2.0,
    }
}

/// Runs the promise of `expression` in the page however long it takes (a
/// DevTools command gives up after 30 s): starts it, waits at most `limit`
/// for it to settle, and returns its value as JSON text, or its rejection
/// as the error.
async fn settle(page: &Page, what: &str, expression: &str, limit: Duration) -> Result<String> {
    let _: bool = js(
        page,
        &format!(
            "(() => {{ window.__settled = undefined; Promise.resolve().then(() => {expression}).then((value) => {{ window.__settled = {{ value: JSON.stringify(value === undefined ? null : value) }}; }}, (error) => {{ window.__settled = {{ error: String((error && error.stack) || error) }}; }}); return true; }})()"
        ),
    )
    .await
    .with_context(|| format!("starting {what}"))?;
    wait_within(page, what, "window.__settled", limit).await?;
    let settled: serde_json::Value = js(page, "window.__settled").await?;
    if let Some(error) = settled["error"].as_str() {
        bail!("{what}: {error}");
    }
    settled["value"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{what} gave no value"))
}

/// PouchDB as one script for the page, setting `window.PouchDB`:
/// `pouchdb-browser`'s CommonJS build and the modules it requires, each
/// wrapped in a function and linked by a small `require`. npm's
/// `pouchdb-browser` comes without a browser bundle; the page's
/// Content-Security-Policy would refuse a script from elsewhere, but not
/// what the DevTools protocol evaluates, and PouchDB evaluates no code of
/// its own for `put`, `bulkDocs`, `allDocs` and `destroy`.
fn pouchdb_script() -> Result<String> {
    let node_modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules");
    let mut script = String::from("window.PouchDB = (() => {\n  const factories = {};\n");
    for (name, file) in POUCHDB_MODULES {
        let path = node_modules.join(file);
        let source = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{} is missing: run `cargo xtask setup` (the bench compares the app with PouchDB, which npm installs from package.json)",
                path.display()
            )
        })?;
        script.push_str(&format!(
            "  factories[{}] = function (module, exports, require) {{\n{source}\n}};\n",
            serde_json::to_string(name)?
        ));
    }
    script.push_str(
        r#"  const loaded = {};
  const require = (name) => {
    if (!(name in factories)) {
      throw new Error(`PouchDB requires ${name}, which the bench does not give it`);
    }
    if (!loaded[name]) {
      const module = { exports: {} };
      loaded[name] = module;
      factories[name].call(module.exports, module, module.exports, require);
    }
    return loaded[name].exports;
  };
  return require('pouchdb-browser');
})();
typeof window.PouchDB"#,
    );
    Ok(script)
}
