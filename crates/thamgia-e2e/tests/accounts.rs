//! A collector signs in once and keeps working offline on the cached
//! session; a city officer revokes the tablet; the tablet says the session
//! ended, loses nothing, and sends its queue once the collector signs in
//! again; signing out with a record not yet sent asks first and keeps it.

use anyhow::{Context, Result};
use chromiumoxide::Page;
use thamgia_e2e::*;

/// What the tablet's IndexedDB holds: responses, outbox entries, and
/// whether a session is kept.
async fn stored(page: &Page) -> Result<(usize, usize, bool)> {
    let counts: Vec<serde_json::Value> = js(
        page,
        &format!("new Promise((resolve, reject) => {{ const open = indexedDB.open({APP_DATABASE}); open.onerror = () => reject(open.error); open.onsuccess = () => {{ const transaction = open.result.transaction(['responses', 'outbox', 'meta']); const responses = transaction.objectStore('responses').count(); const outbox = transaction.objectStore('outbox').count(); const session = transaction.objectStore('meta').get('session'); transaction.oncomplete = () => resolve([responses.result, outbox.result, session.result !== undefined]); transaction.onerror = () => reject(transaction.error); }}; }})"),
    )
    .await?;
    let number = |index: usize| {
        counts
            .get(index)
            .and_then(serde_json::Value::as_u64)
            .map(|count| count as usize)
            .context("a count from IndexedDB")
    };
    let session = counts
        .get(2)
        .and_then(serde_json::Value::as_bool)
        .context("the session flag from IndexedDB")?;
    Ok((number(0)?, number(1)?, session))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_tablet_keeps_its_records_and_sends_them_after_signing_in_again() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (tablet_browser, tablet_events) = launch_browser(&workspace.path().join("tablet")).await?;
    let page = open_app(&tablet_browser, &url).await?;
    first_visit_in_ba_dinh(&page).await?;

    // No network at all: the app opens on the session kept on the tablet,
    // and a child's answers are taken.
    set_offline(&page, true).await?;
    server.stop().await?;
    page.reload().await?;
    wait_for(
        &page,
        "the app signed in offline",
        "document.querySelector(\"[data-test=signed-in][data-username='badinh']\") && document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    complete_demo_response(&page).await?;
    wait_for_count(&page, "waiting", 1).await?;

    // The server is back; before the tablet reconnects, a city officer
    // revokes it from another browser.
    let (server, _) = start_server(&config, address).await?;
    let (city_browser, city_events) = launch_browser(&workspace.path().join("city")).await?;
    let city = open_app(&city_browser, &url).await?;
    sign_in(&city, "thanhpho", DEMO_PASSWORD).await?;
    open_townhall(&city).await?;
    click(&city, "a[href='/townhall/accounts']").await?;
    click(
        &city,
        "[data-test=account-row][data-username='badinh'] [data-test=revoke-device]",
    )
    .await?;
    wait_for(
        &city,
        "the device revoked",
        "document.querySelector(\"[data-test=account-row][data-username='badinh'] [data-test=device][data-revoked=true]\") && !document.querySelector(\"[data-test=account-row][data-username='badinh'] [data-test=revoke-device]\")",
    )
    .await?;

    // The revocation is in the audit log, beside the sign-ins.
    click(&city, "a[href='/townhall/audit']").await?;
    wait_for(
        &city,
        "the revocation in the audit log",
        "document.querySelector(\"[data-test=audit-row][data-action=device_revoked]\") && document.querySelector(\"[data-test=audit-row][data-action=sign_in]\")",
    )
    .await?;
    assert_eq!(
        csp_violations(&city).await?,
        Vec::<String>::new(),
        "the city officer's pages run under the policy"
    );

    // The tablet reconnects: the session has ended, and nothing is lost.
    set_offline(&page, false).await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the session-ended banner",
        "document.querySelector('[data-test=session-ended]')",
    )
    .await?;
    assert_eq!(text_of(&page, "[data-test=count-waiting]").await?, "1");
    assert_eq!(server.database.response_count().await?, 0);

    // Signing in again keeps everything, and the queue drains.
    click(&page, "[data-test=sign-in-again]").await?;
    let prefilled: String = js(
        &page,
        "document.querySelector('[data-test=login-username]').value",
    )
    .await?;
    assert_eq!(prefilled, "badinh", "the user name is already filled in");
    sign_in(&page, "badinh", DEMO_PASSWORD).await?;
    wait_for_count(&page, "synced", 1).await?;
    assert_eq!(text_of(&page, "[data-test=count-waiting]").await?, "0");
    let gone: bool = js(
        &page,
        "!document.querySelector('[data-test=session-ended]')",
    )
    .await?;
    assert!(gone, "the banner is gone once signed in again");
    assert_eq!(server.database.response_count().await?, 1);

    // Offline again, another child's answers wait; signing out asks first.
    set_offline(&page, true).await?;
    complete_demo_response(&page).await?;
    wait_for_count(&page, "waiting", 1).await?;
    js::<bool>(
        &page,
        "(() => { window.confirmCalls = []; window.confirm = message => { window.confirmCalls.push(message); return false; }; return true; })()",
    )
    .await?;
    click(&page, "[data-test=sign-out]").await?;
    wait_for(&page, "the question", "window.confirmCalls.length === 1").await?;
    let question: String = js(&page, "window.confirmCalls[0]").await?;
    assert!(
        question.contains("Còn 1 bản ghi chưa gửi")
            && question.contains("1 record has not been sent"),
        "the question says, in both languages, what waits: {question}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let still_signed_in: bool = js(
        &page,
        "!!document.querySelector(\"[data-test=signed-in][data-username='badinh']\") && !document.querySelector('[data-test=login-username]')",
    )
    .await?;
    assert!(still_signed_in, "answering no keeps the worker signed in");

    js::<bool>(
        &page,
        "(() => { window.confirm = message => { window.confirmCalls.push(message); return true; }; return true; })()",
    )
    .await?;
    sign_out(&page).await?;
    let asked: usize = js(&page, "window.confirmCalls.length").await?;
    assert_eq!(asked, 2, "asked again before signing out");
    let (responses, outbox, session) = stored(&page).await?;
    assert_eq!(responses, 2, "both responses stay on the tablet");
    assert_eq!(outbox, 1, "the one not sent stays queued");
    assert!(!session, "the session is forgotten");

    close_browser(city_browser, city_events).await?;
    close_browser(tablet_browser, tablet_events).await?;
    server.stop().await?;
    Ok(())
}
