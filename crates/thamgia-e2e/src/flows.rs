//! Steps several end-to-end tests take the same way: the city officer
//! uploading an XLSForm, and a tablet back online sending what it holds.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Result;
use chromiumoxide::Page;
use thamgia_server::ServerConfig;

use crate::{
    choose_file, click, open_townhall, set_offline, sign_in, start_server, wait_for_count,
    RunningServer, DEMO_PASSWORD,
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
