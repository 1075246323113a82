//! A frozen server does not hang the tablet: the sync bar says, in the
//! worker's language, that the server did not answer and when the app will
//! try again, within half a minute; when the server answers again the bar
//! goes back to "synced" by itself, and the response taken meanwhile reaches
//! the server exactly once, also when the server had applied the push whose
//! answer was lost.
//!
//! The browser talks to the server only through a [`FreezableProxy`]: the
//! app is loaded through it, and builds its API addresses from the page's
//! origin. Frozen, the proxy accepts connections and reads requests but
//! never answers and never closes, as a black-holed mobile link does; with
//! answers lost, requests reach the server but nothing comes back.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chromiumoxide::Page;
use chrono::{Local, NaiveTime, Timelike};
use thamgia_core::sync_client::{deadline, SyncConfig};
use thamgia_e2e::proxy::FreezableProxy;
use thamgia_e2e::*;

/// The promise: a frozen server is reported within 30 seconds.
const REPORTED_WITHIN: Duration = Duration::from_secs(30);

/// How long the bar may take to recover once the server answers again: a
/// try still waiting on a frozen connection runs to its deadline (about
/// 16 s for one response), then the backoff of a few failures (at most
/// 8 s after three), then a round that succeeds.
const RECOVERED_WITHIN: Duration = Duration::from_secs(60);

/// The sync bar in its normal state: the last round succeeded.
const SYNCED: &str = "document.querySelector('[data-test=sync-bar][data-phase=Idle]') \
     && !document.querySelector('[data-test=sync-failure]')";

/// The sync bar saying, in Vietnamese, that the server did not answer.
const NO_ANSWER: &str = "(document.querySelector('[data-test=sync-failure]') || {}).textContent?.includes('Máy chủ không trả lời')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_server_is_reported_within_30_seconds_and_sync_recovers_by_itself() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, server_address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let proxy = FreezableProxy::start(server_address).await?;
    let url = format!("http://{}/", proxy.address());
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &url).await?;
    first_visit_in_ba_dinh(&page).await?;
    click(&page, "[data-test=lang-vi]").await?;
    wait_for(&page, "a first sync", SYNCED).await?;

    // The server freezes; a child's response is completed, which asks for
    // a round at once: its push gets no answer.
    proxy.freeze();
    let reported_after = complete_a_response_unanswered(&page).await?;
    assert!(
        proxy.swallowed_bytes() > 0,
        "the browser's request reached the frozen proxy"
    );

    // Vietnamese first, then English: what happened and when the next try is.
    let vietnamese = text_of(&page, "[data-test=sync-failure]").await?;
    check_retry_time(&vietnamese, "Sẽ thử lại lúc")?;
    click(&page, "[data-test=lang-en]").await?;
    wait_for(
        &page,
        "the failure in English",
        "(document.querySelector('[data-test=sync-failure]') || {}).textContent?.startsWith('The server did not answer')",
    )
    .await?;
    let english = text_of(&page, "[data-test=sync-failure]").await?;
    check_retry_time(&english, "Will try again at")?;
    click(&page, "[data-test=lang-vi]").await?;

    // Nothing was lost or sent: the response still waits in the outbox.
    assert_eq!(outbox_entries(&page).await?, 1, "the outbox is untouched");
    assert_eq!(server.database.response_count().await?, 0);

    // The server answers again: the bar recovers with no reload and no tap.
    proxy.thaw();
    let recovered_after = wait_for_recovery(&page).await?;
    wait_for_count(&page, "synced", 1).await?;
    assert_eq!(
        server.database.response_count().await?,
        1,
        "the response reached the server exactly once"
    );
    println!(
        "frozen server reported after {reported_after:?} ({vietnamese:?}, {english:?}); \
         synced again {recovered_after:?} after the thaw"
    );

    // The link breaks after the server did its work: the next push is
    // applied, but its answer never comes back. The tablet cannot tell
    // this from a frozen server, and keeps the record until an answer says
    // the server holds it.
    proxy.lose_answers();
    let reported_after = complete_a_response_unanswered(&page).await?;
    assert_eq!(
        server.database.response_count().await?,
        2,
        "the push was applied"
    );
    assert_eq!(outbox_entries(&page).await?, 1, "the outbox is untouched");
    proxy.thaw();
    let recovered_after = wait_for_recovery(&page).await?;
    wait_for_count(&page, "synced", 2).await?;
    assert_eq!(
        server.database.response_count().await?,
        2,
        "sent again, the response is stored once"
    );
    println!(
        "lost answer reported after {reported_after:?}; synced again {recovered_after:?} after the thaw"
    );

    close_browser(browser, events).await?;
    drop(proxy);
    server.stop().await?;
    Ok(())
}

/// The tablet's deadlines are sized up to the largest body the server
/// reads: a push of that size on the slowest link planned for is not cut.
#[test]
fn the_deadlines_cover_the_largest_body_the_server_accepts() {
    let largest = thamgia_server::api::MAX_BODY_BYTES as u64;
    assert!(deadline::LARGEST_TRANSFER_BYTES >= largest);
    // Not capped below it: its last 100 KiB still get their time.
    assert!(deadline::answer_deadline(largest) > deadline::answer_deadline(largest - 100 * 1024));
}

/// From the home page: completes a child's response, which asks for a round
/// at once, and waits (from then on, at most [`REPORTED_WITHIN`]) for the
/// sync bar to say the server did not answer. Returns how long that took.
async fn complete_a_response_unanswered(page: &Page) -> Result<Duration> {
    complete_demo_response(page).await?;
    let asked = Instant::now();
    click(page, "a[href='/']").await?;
    wait_within(
        page,
        "the sync bar reporting no answer",
        NO_ANSWER,
        REPORTED_WITHIN.saturating_sub(asked.elapsed()),
    )
    .await?;
    Ok(asked.elapsed())
}

/// Waits, with no tap, for the bar to say "synced" again and the home page
/// to show nothing waiting; returns how long that took.
async fn wait_for_recovery(page: &Page) -> Result<Duration> {
    let thawed = Instant::now();
    wait_within(
        page,
        "the sync bar back to synced",
        SYNCED,
        RECOVERED_WITHIN,
    )
    .await?;
    wait_for_count(page, "waiting", 0).await?;
    Ok(thawed.elapsed())
}

/// How many entries the outbox in IndexedDB holds.
async fn outbox_entries(page: &Page) -> Result<usize> {
    let stores = indexed_db_stores(page, &["outbox"]).await?;
    Ok(stores["outbox"].as_array().map_or(0, Vec::len))
}

/// Checks that `text` says `label` followed by a time "HH:MM:SS" close to
/// now: the next try, at most one backoff ahead (it may have begun already).
fn check_retry_time(text: &str, label: &str) -> Result<()> {
    let Some((_, after)) = text.split_once(label) else {
        bail!("no {label:?} in {text:?}");
    };
    let clock = after.trim().get(..8).context("no time after the label")?;
    let retry_at = NaiveTime::parse_from_str(clock, "%H:%M:%S")
        .with_context(|| format!("{clock:?} in {text:?} is not HH:MM:SS"))?;
    let now = Local::now().time();
    let apart = (i64::from(retry_at.num_seconds_from_midnight())
        - i64::from(now.num_seconds_from_midnight()))
    .rem_euclid(86_400);
    let apart = apart.min(86_400 - apart);
    let longest_backoff_seconds = SyncConfig::default().max_backoff_ms / 1_000;
    if apart > longest_backoff_seconds {
        bail!("the next try {clock} is {apart} s from now ({text:?})");
    }
    Ok(())
}
