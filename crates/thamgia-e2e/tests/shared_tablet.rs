//! A tablet shared by accounts of two wards: each account sees only its
//! own records, and one account's unsent response is never sent under
//! another's token; it waits on the tablet until its account signs in
//! again (home tells the other account whose records wait, and how many),
//! and then reaches the town hall as its ward's.

use anyhow::Result;
use thamgia_core::account::{AccountInfo, NewAccount, Role};
use thamgia_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_account_on_a_shared_tablet_sees_and_sends_only_its_own_records() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let other_ward = NewAccount {
        info: AccountInfo {
            username: "hoankiem".to_owned(),
            display_name: "Trần Văn Minh".to_owned(),
            role: Role::Collector,
            ward_code: Some("00008".to_owned()),
        },
        password: DEMO_PASSWORD.to_owned(),
    };
    server
        .database
        .create_account(&other_ward, chrono::Utc::now())
        .await?;
    let url = format!("http://{address}/");
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &url).await?;

    // Ba Đình's collector completes a response with no connection and
    // signs out before it is sent (the app asks first).
    first_visit_in_ba_dinh(&page).await?;
    set_offline(&page, true).await?;
    complete_demo_response(&page).await?;
    click(&page, "a[href='/']").await?;
    wait_for_count(&page, "waiting", 1).await?;
    accept_confirmations(&page).await?;
    sign_out(&page).await?;
    set_offline(&page, false).await?;

    // A collector of another ward signs in on the same tablet and syncs:
    // nothing of Ba Đình's shows, and nothing of it is sent.
    sign_in(&page, "hoankiem", DEMO_PASSWORD).await?;
    let database: String = js(&page, APP_DATABASE).await?;
    assert_eq!(database, "thamgia:hoankiem");
    wait_for(
        &page,
        "the surveys, pulled by the account's first sync",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    wait_for_count(&page, "waiting", 0).await?;
    // Home says another account's records wait here, whose and how many,
    // not what they are.
    wait_for(
        &page,
        "the other account's unsent record told",
        "(document.querySelector('[data-test=other-accounts]') || {dataset: {}}).dataset.count === '1'",
    )
    .await?;
    let told = text_of(&page, "[data-test=other-accounts]").await?;
    assert!(told.contains("badinh: 1"), "{told}");
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "a sync round done",
        "(document.querySelector('[data-test=sync-bar]') || {dataset: {}}).dataset.phase === 'Idle' && !document.querySelector('[data-test=sync-failure]')",
    )
    .await?;
    assert_eq!(
        server.database.response_count().await?,
        0,
        "Ba Đình's response was not sent under another ward's account"
    );
    assert!(
        server.database.quarantined(None, 10).await?.is_empty(),
        "nothing was sent for the town hall to refuse"
    );
    click(&page, "a[href='/responses']").await?;
    wait_for(
        &page,
        "the other account's empty list",
        "document.querySelector('[data-test=responses-none]')",
    )
    .await?;
    let rows: u32 = js(
        &page,
        "document.querySelectorAll('[data-test=response-row]').length",
    )
    .await?;
    assert_eq!(rows, 0, "no response of another account is listed");

    // The other collector leaves a draft, and signs out.
    click(&page, "a[href='/']").await?;
    start_a_draft(&page).await?;
    click(&page, "a[href='/']").await?;
    // (The page loaded again at the sign-in: the answer to the question
    // about the draft is given again.)
    accept_confirmations(&page).await?;
    sign_out(&page).await?;

    // Ba Đình's collector signs in again: the response is there, and is
    // sent as Ba Đình's; the other collector's draft is told, not shown.
    sign_in(&page, "badinh", DEMO_PASSWORD).await?;
    let database: String = js(&page, APP_DATABASE).await?;
    assert_eq!(database, "thamgia");
    wait_for_count(&page, "synced", 1).await?;
    assert_eq!(server.database.response_count().await?, 1);
    wait_for(
        &page,
        "the other account's draft told",
        "(document.querySelector('[data-test=other-accounts]') || {dataset: {}}).dataset.count === '1'",
    )
    .await?;
    let told = text_of(&page, "[data-test=other-accounts]").await?;
    assert!(told.contains("hoankiem: 1"), "{told}");
    wait_for_count(&page, "drafts", 0).await?;
    assert!(server.database.quarantined(None, 10).await?.is_empty());
    click(&page, "a[href='/responses']").await?;
    wait_for(
        &page,
        "the collector's own response, sent",
        "(document.querySelector('[data-test=response-row]') || {dataset: {}}).dataset.state === 'state--synced'",
    )
    .await?;

    close_browser(browser, events).await?;
    server.stop().await
}
