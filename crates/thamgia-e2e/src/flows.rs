//! Steps several end-to-end tests take the same way: the city officer
//! uploading an XLSForm, a Ba Đình tablet receiving it and losing the
//! network, and a tablet back online sending what it holds.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Result;
use chromiumoxide::Page;
use thamgia_server::ServerConfig;

use crate::{
    choose_file, click, first_visit_in_ba_dinh, open_tablet_app, open_townhall, selector_literal,
    set_offline, sign_in, sign_out, start_server, wait_for, wait_for_count, RunningServer,
    DEMO_PASSWORD,
};

/// Signs in as the demo city officer, opens the town hall's import page
/// and uploads `fixture`; the caller waits for what the page answers.
pub async fn upload_xlsform(page: &Page, fixture: &Path) -> Result<()> {
    sign_in(page, "thanhpho", DEMO_PASSWORD).await?;
    open_townhall(page).await?;
    click(page, "a[href='/townhall/import']").await?;
    choose_file(page, "[data-test=import-file]", fixture).await?;
    click(page, "[data-test=import-submit]").await
}

/// After the officer's upload: a collector of Ba Đình opens the tablet app,
/// receives `survey_id` by sync, and the network and the server go away.
/// Returns the selector of the survey's start button.
pub async fn receive_then_go_offline(
    page: &Page,
    server: RunningServer,
    survey_id: &str,
) -> Result<String> {
    open_tablet_app(page).await?;
    sign_out(page).await?;
    first_visit_in_ba_dinh(page).await?;
    let start = format!("[data-survey={survey_id}] [data-test=start-survey]");
    wait_for(
        page,
        "the imported survey",
        &format!("document.querySelector({})", selector_literal(&start)),
    )
    .await?;
    set_offline(page, true).await?;
    server.stop().await?;
    Ok(start)
}

/// Starts the server again at `address`, brings the page back online,
/// syncs, and returns the server with the one response it then holds.
pub async fn sync_the_one_response(
    page: &Page,
    config: &ServerConfig,
    address: SocketAddr,
) -> Result<(RunningServer, thamgia_core::Response)> {
    let (server, _) = start_server(config, address).await?;
    set_offline(page, false).await?;
    click(page, "[data-test=sync-now]").await?;
    wait_for_count(page, "synced", 1).await?;
    let stored = server.only_response().await?;
    Ok((server, stored))
}
