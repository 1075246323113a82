//! The tablet app arrives in two parts (`xtask/src/split.rs`): its first
//! page works on the first part alone, and the rest, fetched right after,
//! brings everything past sign-in, even when it comes late.
//!
//! The server serves a copy of the build without the rest's file; the
//! worker opens the app and signs in on the first part alone, and sees that
//! the rest is loading; then the file is put back, the app's loader gets
//! it on its next try, and the home page and the sync's surveys come. The
//! app's own first load (without the rest) is what a worker waits for.

use std::path::Path;

use anyhow::{bail, Result};
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
    copy_dir(&dist_dir()?, &served)?;
    let rest = rest_of(&served)?;
    let aside = workspace.path().join("rest-aside");
    for suffix in ["", ".gz", ".br"] {
        let file = served.join(format!("{rest}{suffix}"));
        if file.exists() {
            std::fs::rename(&file, aside.with_extension(format!("x{suffix}")))?;
        }
    }
    let mut config = test_config(workspace.path())?;
    config.static_dir = served.clone();
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;

    // The first part alone: the sign-in page, in both languages, signs in.
    send_the_sign_in_form(&page, "badinh", DEMO_PASSWORD).await?;
    wait_for(
        &page,
        "the notice that the rest is loading",
        "document.querySelector('[data-test=rest-loading]')",
    )
    .await?;
    let arrived: bool = js(&page, "!!globalThis.__thamgiaRestArrived").await?;
    assert!(!arrived, "the rest arrived though its file was not served");
    let failed: bool = js(&page, "!!document.querySelector('[data-test=rest-failed]')").await?;
    assert!(!failed, "a function of the rest ran before it arrived");
    let notice: String = js(
        &page,
        "document.querySelector('[data-test=rest-loading]').textContent",
    )
    .await?;
    assert_eq!(notice.trim(), "Đang tải phần còn lại của ứng dụng…");

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
