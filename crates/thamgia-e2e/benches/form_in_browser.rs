//! `cargo xtask bench`: the form engine's cost per edit in headless
//! Chromium — the release wasm build the tablets run, timed by the browser's
//! own clock through the app's `bench_form_edit` export — and what a tablet
//! holding tens of thousands of responses reads to open home and its
//! responses list (`bench_tablet_lists`). Figures only.

use anyhow::{Context, Result};
use thamgia_e2e::{dist_dir, js, launch_browser, open_app, start_server, wait_for};
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

    browser.close().await?;
    browser.wait().await?;
    events.abort();
    server.stop().await?;
    Ok(())
}
