//! `cargo xtask bench`: the form engine's cost per edit in headless
//! Chromium — the release wasm build the tablets run, timed by the browser's
//! own clock through the app's `bench_form_edit` export — and what a tablet
//! holding tens of thousands of responses reads to open home and its
//! responses list (`bench_tablet_lists`). Figures only.

use anyhow::{Context, Result};
use thamgia_e2e::{
    dist_dir, first_visit_in_ba_dinh, js, launch_browser, open_app, set_offline, start_server,
    wait_for,
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
        "the app's exports",
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
