//! A collector changes an answer and leaves the page at once, while the
//! draft is still being saved: the save finishes, the draft keeps the
//! change, and the app goes on working (in the release build a panic aborts
//! the whole app, so a save that touched the page it outlived took the app
//! down).

use anyhow::{bail, Result};
use thamgia_e2e::*;

/// Records, from here on, what the page logs as an error (a Rust panic is
/// logged by the panic hook before the app aborts) and what it throws, and
/// marks the document, so a full reload (what a link does once the app is
/// dead) shows.
async fn watch_for_crashes(page: &chromiumoxide::Page) -> Result<()> {
    js::<bool>(
        page,
        "(() => { \
            window.__errors = []; \
            window.__sameDocument = true; \
            const log = console.error; \
            console.error = (...parts) => { window.__errors.push(parts.join(' ')); log(...parts); }; \
            window.addEventListener('error', (event) => window.__errors.push(String(event.message))); \
            return true; \
        })()",
    )
    .await?;
    Ok(())
}

/// Fails when the app crashed since [`watch_for_crashes`]: an error was
/// logged or thrown, or the document was reloaded.
async fn still_alive(page: &chromiumoxide::Page, after: &str) -> Result<()> {
    // The app still answers a tap: the router shows the forums in place.
    click(page, "a[href='/forums']").await?;
    wait_for(
        page,
        "the list of forums",
        "document.querySelector('[data-test=new-forum]')",
    )
    .await?;
    let same_document: bool = js(page, "window.__sameDocument === true").await?;
    let errors: Vec<String> = js(page, "window.__errors || []").await?;
    if !same_document || !errors.is_empty() {
        bail!("the app crashed after {after} (same document: {same_document}): {errors:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_a_page_while_its_draft_is_saved_keeps_the_app_and_the_draft() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &url).await?;
    first_visit_in_ba_dinh(&page).await?;

    // A response: one choice, and in the same moment the home link.
    click(&page, "[data-test=start-survey]").await?;
    wait_for(
        &page,
        "the participant screen",
        "document.querySelector(\"[data-test=age-bands] button[data-value='10-12']\")",
    )
    .await?;
    watch_for_crashes(&page).await?;
    js::<bool>(
        &page,
        "(() => { \
            document.querySelector(\"[data-test=age-bands] button[data-value='10-12']\").click(); \
            document.querySelector(\"nav a[href='/']\").click(); \
            return true; \
        })()",
    )
    .await?;
    wait_for(
        &page,
        "the home page",
        "document.querySelector('[data-test=count-drafts]')",
    )
    .await?;
    still_alive(&page, "leaving a response mid-save").await?;
    let stores = indexed_db_stores(&page, &["responses"]).await?;
    if !stores.to_string().contains("\"10-12\"") {
        bail!("the age band chosen before leaving was not saved: {stores}");
    }

    // A forum: a place typed, and in the same moment the home link.
    click(&page, "[data-test=new-forum]").await?;
    wait_for(
        &page,
        "the forum editor",
        "document.querySelector('[data-test=forum-place]')",
    )
    .await?;
    js::<bool>(
        &page,
        "(() => { \
            const place = document.querySelector('[data-test=forum-place]'); \
            place.value = 'Nhà văn hóa tổ 9'; \
            place.dispatchEvent(new Event('input', { bubbles: true })); \
            document.querySelector(\"nav a[href='/']\").click(); \
            return true; \
        })()",
    )
    .await?;
    wait_for(
        &page,
        "the home page",
        "document.querySelector('[data-test=count-drafts]')",
    )
    .await?;
    still_alive(&page, "leaving a forum mid-save").await?;
    let stores = indexed_db_stores(&page, &["forums"]).await?;
    if !stores.to_string().contains("Nhà văn hóa tổ 9") {
        bail!("the place typed before leaving was not saved: {stores}");
    }

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
