//! The field worker's offline path in the two other engine families a
//! tablet may run, through WebDriver: Firefox ESR (Gecko) and WebKitGTK
//! (Safari's family). Sign in online, lose the server, answer a whole
//! response, reload the app from its service worker, get the server back:
//! the response reaches it exactly once, also when the worker syncs again.
//!
//! "Offline" is the server stopped: nothing answers on its port, so the
//! reload can only come from the service worker. WebDriver's own Refresh
//! is not used (geckodriver's bypasses the service worker, as a person's
//! reload does not); the page reloads itself as a person's would.

use anyhow::{bail, Result};
use thamgia_e2e::webdriver::{Engine, WebDriverBrowser};
use thamgia_e2e::{
    click, complete_demo_response, first_visit_in_ba_dinh, js, start_server, test_config, text_of,
    wait_for, wait_for_count,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_path_holds_in_firefox() -> Result<()> {
    offline_path(Engine::Firefox).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_path_holds_in_webkit() -> Result<()> {
    offline_path(Engine::WebKit).await
}

async fn offline_path(engine: Engine) -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let browser = WebDriverBrowser::launch(engine, workspace.path()).await?;
    let outcome = walk(&browser, server, &config, address).await;
    let closed = browser.close().await;
    outcome.map_err(|error| error.context(format!("in {}", engine.name())))?;
    closed
}

async fn walk(
    browser: &WebDriverBrowser,
    server: thamgia_e2e::RunningServer,
    config: &thamgia_server::ServerConfig,
    address: std::net::SocketAddr,
) -> Result<()> {
    // First visit, online: sign in; the survey arrives and the service
    // worker takes over.
    browser.goto(&format!("http://{address}/")).await?;
    first_visit_in_ba_dinh(browser).await?;
    let controlled = "navigator.serviceWorker.controller !== null";
    if !js::<bool>(browser, controlled).await? {
        // The worker controls the pages loaded after it was activated.
        reload(browser).await?;
        wait_for(browser, "the page under the service worker", controlled).await?;
    }

    // The server goes away; a whole response is taken and waits.
    server.stop().await?;
    complete_demo_response(browser).await?;
    wait_for_count(browser, "waiting", 1).await?;

    // A reload with nothing answering: the app comes from the service
    // worker, and the response is still waiting.
    reload(browser).await?;
    wait_for_count(browser, "waiting", 1).await?;
    if !js::<bool>(browser, controlled).await? {
        bail!("the reloaded app is not served by the service worker");
    }

    // The server is back: the response reaches it once.
    let (server, _) = start_server(config, address).await?;
    click(browser, "[data-test=sync-now]").await?;
    wait_for_count(browser, "synced", 1).await?;
    wait_for_count(browser, "waiting", 0).await?;
    let stored = server.database.response_count().await?;
    // Syncing again sends nothing twice.
    click(browser, "[data-test=sync-now]").await?;
    wait_for(
        browser,
        "the sync idle again",
        "document.querySelector('[data-test=sync-bar][data-phase=Idle]')",
    )
    .await?;
    let after_again = server.database.response_count().await?;
    let synced = text_of(browser, "[data-test=count-synced]").await?;
    server.stop().await?;
    assert_eq!(stored, 1, "the server holds the response once");
    assert_eq!(after_again, 1, "a second sync sent nothing twice");
    assert_eq!(synced, "1");
    Ok(())
}

/// Reloads the page as a person would, and waits for the app again (the
/// old document's marker gone, the home page's counters shown).
async fn reload(browser: &WebDriverBrowser) -> Result<()> {
    js::<bool>(
        browser,
        "(() => { window.__beforeReload = true; setTimeout(() => location.reload(), 0); return true; })()",
    )
    .await?;
    wait_for(
        browser,
        "the app reloaded",
        "!window.__beforeReload && document.querySelector('[data-test=count-waiting]')",
    )
    .await
}
