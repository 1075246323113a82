//! A tablet whose clock is off (a flat battery resets it; a worker sets the
//! wrong day) would stamp every response with a wrong date, and the town
//! hall would count those children in another period: once a sync reaches
//! the server, the sync bar tells the worker how far off the clock is and
//! what to do, in Vietnamese and in English, and says nothing once the
//! clock is right again; offline, a clock reading days before the last
//! sync is told too.

use anyhow::Result;
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use thamgia_e2e::*;

/// The tablet's clock: off by `window.__clockOffMs` (three days and two
/// hours behind to start with, or what the page's session keeps over a
/// reload), read at every call as the app reads it.
const OFF: &str = "(() => { \
    const real = Date.now.bind(Date); \
    const kept = sessionStorage.getItem('clock-off-ms'); \
    window.__clockOffMs = kept === null ? -(3 * 24 + 2) * 3600 * 1000 : Number(kept); \
    Date.now = () => real() + window.__clockOffMs; \
})();";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_clock_that_is_off_is_told_to_the_worker() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let url = format!("http://{address}/");
    let page = open_app(&browser, &url).await?;
    page.execute(AddScriptToEvaluateOnNewDocumentParams::new(OFF))
        .await?;
    page.reload().await?;

    first_visit_in_ba_dinh(&page).await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the clock's warning",
        "(document.querySelector('[data-test=clock-warning]') || {}).textContent?.includes('chậm 3 ngày 2 giờ')",
    )
    .await?;
    let warning = text_of(&page, "[data-test=clock-warning]").await?;
    assert!(warning.contains("Cài đặt"), "{warning}");
    let ahead: i64 = js(
        &page,
        "Number(document.querySelector('[data-test=clock-warning]').dataset.aheadMs)",
    )
    .await?;
    let expected = -(3 * 24 + 2) * 3_600_000_i64;
    assert!(
        (ahead - expected).abs() < 60_000,
        "measured {ahead} ms, the clock is {expected} ms off"
    );

    // In English too.
    click(&page, "[data-test=lang-en]").await?;
    wait_for(
        &page,
        "the warning in English",
        "(document.querySelector('[data-test=clock-warning]') || {}).textContent?.includes('3 days 2 hours behind')",
    )
    .await?;

    // The worker sets the clock right: the next sync says nothing more.
    js::<bool>(&page, "(window.__clockOffMs = 0, true)").await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the warning gone after a sync with the clock right",
        "!document.querySelector('[data-test=clock-warning]')",
    )
    .await?;
    // And a clock that goes wrong while the app is open is told at the
    // next sync.
    js::<bool>(&page, "(window.__clockOffMs = 2 * 3600 * 1000, true)").await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the warning of a clock ahead",
        "(document.querySelector('[data-test=clock-warning]') || {}).textContent?.includes('2 hours ahead')",
    )
    .await?;

    // Offline, a clock reset to days before the last sync (a flat
    // battery) is told without the server: the page opened again from the
    // service worker compares it with the last sync's time.
    set_offline(&page, true).await?;
    js::<bool>(
        &page,
        "(sessionStorage.setItem('clock-off-ms', String(-5 * 24 * 3600 * 1000)), true)",
    )
    .await?;
    page.reload().await?;
    wait_for(
        &page,
        "the warning of a clock before the last sync, offline",
        "(document.querySelector('[data-test=clock-warning]') || {}).textContent?.includes('days 2 hours before its last sync')",
    )
    .await?;
    set_offline(&page, false).await?;

    close_browser(browser, events).await?;
    server.stop().await
}
