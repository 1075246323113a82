//! The run behind `cargo xtask first-load-profile`: the tablet app whose
//! functions mark themselves when they run (`THAMGIA_DIST`, made by
//! `xtask/src/split.rs`), in headless Chromium, through what a tablet runs
//! before the rest of the app arrives:
//!
//! 1. a first visit: the sign-in page, both languages, a wrong password and
//!    its message, then the right one, up to the notice that the rest is
//!    loading (it never arrives in this copy);
//! 2. the app opened again, signed in, up to the same notice.
//!
//! Writes the indices of the functions that ran, one a line, to
//! `THAMGIA_FIRST_LOAD_MARKS`.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, Result};
use thamgia_e2e::{
    click, close_browser, js, launch_browser, open_app, replace_text, send_the_sign_in_form,
    start_server, test_config, wait_for, DEMO_PASSWORD,
};

/// What runs a little after the notice (a ward's names asked, timers) counts too.
const SETTLE: Duration = Duration::from_secs(3);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let marks_path = std::env::var_os("THAMGIA_FIRST_LOAD_MARKS")
        .context("THAMGIA_FIRST_LOAD_MARKS names the file the marks go to")?;
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    let mut run = BTreeSet::new();

    send_the_sign_in_form(&page, "badinh", "not the password").await?;
    wait_for(
        &page,
        "the message of a wrong password",
        "document.querySelector('[data-test=login-error]')",
    )
    .await?;
    replace_text(&page, "[data-test=login-password]", DEMO_PASSWORD).await?;
    click(&page, "[data-test=login-submit]").await?;
    wait_for(
        &page,
        "the notice that the rest is loading",
        "document.querySelector('[data-test=rest-loading]')",
    )
    .await?;
    tokio::time::sleep(SETTLE).await;
    let first: Vec<u32> = js(&page, "globalThis.__thamgiaProfile()").await?;
    run.extend(first.iter().copied());

    page.reload().await?;
    wait_for(
        &page,
        "the notice that the rest is loading, signed in",
        "document.querySelector('[data-test=rest-loading]')",
    )
    .await?;
    tokio::time::sleep(SETTLE).await;
    let again: Vec<u32> = js(&page, "globalThis.__thamgiaProfile()").await?;
    run.extend(again.iter().copied());
    println!(
        "functions run: {} on the first visit, {} opened signed in, {} in all",
        first.len(),
        again.len(),
        run.len()
    );

    let text: String = run.iter().map(|index| format!("{index}\n")).collect();
    std::fs::write(&marks_path, text)
        .with_context(|| format!("writing {}", marks_path.to_string_lossy()))?;
    close_browser(browser, events).await?;
    server.stop().await
}
