//! How long a tablet that keeps the app waits for home when it opens the
//! app again: the build in `THAMGIA_DIST` (the split one `cargo xtask build`
//! makes, or one wasm from `trunk build` alone), in headless Chromium,
//! after a first visit; each reload timed from the navigation's start to
//! the home page's counts on screen, served by the service worker. Prints
//! figures; passes or fails nothing.
//!
//! `THAMGIA_DIST=$PWD/dist cargo run -p thamgia-e2e --example reopen_time`

use anyhow::{Context, Result};
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use thamgia_e2e::{
    close_browser, dist_dir, first_visit_in_ba_dinh, js, launch_browser, open_app, start_server,
    test_config, wait_for,
};

const RELOADS: usize = 10;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let mut config = test_config(workspace.path())?;
    config.static_dir = dist_dir()?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    page.execute(AddScriptToEvaluateOnNewDocumentParams::new(
        "new MutationObserver((_, observer) => { \
           if (document.querySelector('[data-test=count-waiting]')) { \
             window.__homeAt = performance.now(); observer.disconnect(); } \
         }).observe(document, { subtree: true, childList: true });",
    ))
    .await
    .context("timing home")?;
    first_visit_in_ba_dinh(&page).await?;
    let mut times = Vec::new();
    for _ in 0..RELOADS {
        page.reload().await?;
        wait_for(&page, "home", "window.__homeAt").await?;
        let at: f64 = js(&page, "window.__homeAt").await?;
        times.push(at);
    }
    times.sort_by(f64::total_cmp);
    let split: bool = js(&page, "!!document.querySelector('meta[name=thamgia-rest]')").await?;
    println!(
        "reopened {RELOADS} times ({}): home after median {:.0} ms, fastest {:.0}, slowest {:.0}",
        if split {
            "the app in two parts"
        } else {
            "one wasm"
        },
        times[RELOADS / 2],
        times[0],
        times[RELOADS - 1]
    );
    close_browser(browser, events).await?;
    server.stop().await
}
