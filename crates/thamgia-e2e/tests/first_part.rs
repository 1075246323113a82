//! The tablet app arrives in two parts (`xtask/src/split.rs`): its first
//! page works on the first part alone, and the rest, fetched right after,
//! brings everything past sign-in, even when it comes late.
//!
//! The server serves a copy of the build without the rest's file; the
//! worker opens the app and signs in on the first part alone, and sees that
//! the rest is loading; then the file is put back, the app's loader gets
//! it on its next try, and the home page and the sync's surveys come. The
//! app's own first load (without the rest) is what a worker waits for.
//!
//! The first part is what Chromium ran on a first visit (`cargo xtask
//! first-load-profile` profiles in Chromium alone); in Firefox and WebKit
//! too, through WebDriver, signing in on the first part alone calls
//! nothing of the rest, which would fetch it synchronously, blocking the
//! page on a slow connection.

use std::path::Path;

use anyhow::{bail, Result};
use thamgia_e2e::ui::Ui;
use thamgia_e2e::webdriver::{Engine, WebDriverBrowser};
use thamgia_e2e::{
    close_browser, copy_dir, csp_violations, dist_dir, js, launch_browser, open_app,
    send_the_sign_in_form, start_server, test_config, wait_for, DEMO_PASSWORD,
};

/// The file `index.html` names as the rest of the app.
fn rest_of(dist: &Path) -> Result<String> {
    let index = std::fs::read_to_string(dist.join("index.html"))?;
    let Some(after) = index
        .split("<meta name=\"thamgia-rest\" content=\"/")
        .nth(1)
    else {
        bail!("index.html names no rest: the build did not split the tablet app");
    };
    Ok(after.split('"').next().unwrap_or_default().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_works_on_the_first_part_and_the_rest_arrives_late() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let served = workspace.path().join("dist");
    let (rest, aside) = serve_without_the_rest(workspace.path())?;
    let mut config = test_config(workspace.path())?;
    config.static_dir = served.clone();
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;

    sign_in_on_the_first_part(&page).await?;

    // The rest comes back: the loader's next try installs it.
    for suffix in ["", ".gz", ".br"] {
        let kept = aside.with_extension(format!("x{suffix}"));
        if kept.exists() {
            std::fs::rename(&kept, served.join(format!("{rest}{suffix}")))?;
        }
    }
    wait_for(
        &page,
        "the signed-in app",
        "document.querySelector(\"[data-test=signed-in][data-username='badinh']\")",
    )
    .await?;
    wait_for(
        &page,
        "the surveys, by sync",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    let arrived: bool = js(&page, "!!globalThis.__thamgiaRestArrived").await?;
    assert!(arrived, "the app went on without the rest");
    let violations = csp_violations(&page).await?;
    assert!(violations.is_empty(), "blocked: {violations:?}");

    close_browser(browser, events).await?;
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_works_on_the_first_part_in_firefox() -> Result<()> {
    first_part_alone(Engine::Firefox).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_works_on_the_first_part_in_webkit() -> Result<()> {
    first_part_alone(Engine::WebKit).await
}

/// Signing in on the first part alone in `engine`, through WebDriver.
async fn first_part_alone(engine: Engine) -> Result<()> {
    let workspace = tempfile::tempdir()?;
    serve_without_the_rest(workspace.path())?;
    let mut config = test_config(workspace.path())?;
    config.static_dir = workspace.path().join("dist");
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let browser = WebDriverBrowser::launch(engine, workspace.path()).await?;
    let outcome = async {
        browser.goto(&format!("http://{address}/")).await?;
        sign_in_on_the_first_part(&browser).await
    }
    .await;
    let closed = browser.close().await;
    server.stop().await?;
    outcome.map_err(|error| error.context(format!("in {}", engine.name())))?;
    closed
}

/// A copy of the build in `workspace/dist` without the rest's file (nor
/// its compressed copies, kept aside): the rest's name and where it is.
fn serve_without_the_rest(workspace: &Path) -> Result<(String, std::path::PathBuf)> {
    let served = workspace.join("dist");
    copy_dir(&dist_dir()?, &served)?;
    let rest = rest_of(&served)?;
    let aside = workspace.join("rest-aside");
    for suffix in ["", ".gz", ".br"] {
        let file = served.join(format!("{rest}{suffix}"));
        if file.exists() {
            std::fs::rename(&file, aside.with_extension(format!("x{suffix}")))?;
        }
    }
    Ok((rest, aside))
}

/// The first part alone: the sign-in page, in both languages, signs in, and
/// the app says the rest is loading; nothing of the rest was called (a
/// call would have fetched it, failed, and said so).
async fn sign_in_on_the_first_part(page: &impl Ui) -> Result<()> {
    send_the_sign_in_form(page, "badinh", DEMO_PASSWORD).await?;
    wait_for(
        page,
        "the notice that the rest is loading",
        "document.querySelector('[data-test=rest-loading]')",
    )
    .await?;
    let arrived: bool = js(page, "!!globalThis.__thamgiaRestArrived").await?;
    assert!(!arrived, "the rest arrived though its file was not served");
    let failed: bool = js(page, "!!document.querySelector('[data-test=rest-failed]')").await?;
    assert!(!failed, "a function of the rest ran before it arrived");
    let notice: String = js(
        page,
        "document.querySelector('[data-test=rest-loading]').textContent",
    )
    .await?;
    assert_eq!(notice.trim(), "Đang tải phần còn lại của ứng dụng…");
    Ok(())
}
