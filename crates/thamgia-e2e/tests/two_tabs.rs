//! Two tabs of the app on one tablet: what one saves, the other shows
//! without a reload; signing out in one signs the other out too; another
//! account signing in in one moves the other to that account's records.

use anyhow::Result;
use thamgia_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tab_follows_saves_and_sign_out() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let first = open_app(&browser, &url).await?;
    first_visit_in_ba_dinh(&first).await?;

    // The second tab opens on the session the first one stored.
    let second = open_app(&browser, &url).await?;
    wait_for(
        &second,
        "the second tab signed in",
        "document.querySelector('[data-test=signed-in][data-username=badinh]')",
    )
    .await?;
    wait_for_count(&second, "drafts", 0).await?;

    // A draft started in the first tab shows in the second one's count.
    start_a_draft(&first).await?;
    wait_for_count(&second, "drafts", 1).await?;

    // Signing out in the first tab (the draft stays on the tablet) signs
    // the second tab out as well: no tab keeps a session signed out.
    accept_confirmations(&first).await?;
    click(&first, "a[href='/']").await?;
    sign_out(&first).await?;
    wait_for(
        &second,
        "the second tab on the sign-in page",
        "document.querySelector('[data-test=login-username]') && !document.querySelector('[data-test=signed-in]')",
    )
    .await?;

    // Signing in again in the second tab brings the first one back, with
    // the draft still there.
    sign_in(&second, "badinh", DEMO_PASSWORD).await?;
    wait_for(
        &first,
        "the first tab signed in again",
        "document.querySelector('[data-test=signed-in][data-username=badinh]')",
    )
    .await?;
    wait_for_count(&first, "drafts", 1).await?;

    // Another account (the ward's officer) signs in in the second tab: the
    // first tab starts again on that account's records, where the
    // collector's draft is not.
    // (The draft waits: the app asks before signing out.)
    accept_confirmations(&second).await?;
    click(&second, "a[href='/']").await?;
    sign_out(&second).await?;
    sign_in(&second, "badinh.canbo", DEMO_PASSWORD).await?;
    wait_for(
        &first,
        "the first tab on the officer's records",
        "document.querySelector('[data-test=signed-in][data-username=\"badinh.canbo\"]')",
    )
    .await?;
    wait_for_count(&first, "drafts", 0).await?;
    wait_for_count(&second, "drafts", 0).await?;

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
