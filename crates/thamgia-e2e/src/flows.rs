//! Steps several end-to-end tests take the same way: the city officer
//! uploading an XLSForm, a Ba Đình tablet receiving it and losing the
//! network, a tablet back online sending what it holds, and a Ba Đình
//! response refused because another ward's collector sent it.

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

/// [`upload_xlsform`], then waits for the import's answer (the form
/// published, or what stops it).
pub async fn publish_xlsform(page: &Page, fixture: &Path) -> Result<()> {
    upload_xlsform(page, fixture).await?;
    wait_for(
        page,
        "the import result",
        "document.querySelector('[data-test=import-result]')",
    )
    .await
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

/// A completed Ba Đình response to the demo survey (`id`), sent by a
/// collector of another ward (00008) straight to `database`: refused for
/// its sender and kept aside, for an officer to accept. Returns it.
pub async fn refused_for_its_sender(
    database: &thamgia_server::Database,
    id: uuid::Uuid,
) -> Result<thamgia_core::Response> {
    let survey = thamgia_server::seed::demo_survey()?;
    let mut response = thamgia_server::seed::sample_response(&survey, id, 2, chrono::Utc::now());
    response.ward_code = "00004".to_owned();
    let elsewhere = thamgia_core::account::AccountInfo {
        username: "khac.thuthap".to_owned(),
        display_name: "Cán bộ phường khác".to_owned(),
        role: thamgia_core::account::Role::Collector,
        ward_code: Some("00008".to_owned()),
    };
    let answer = database
        .push_as(
            &thamgia_core::PushRequest {
                client_id: uuid::Uuid::new_v4(),
                schema_version: thamgia_core::SCHEMA_VERSION,
                mutations: vec![thamgia_core::Mutation {
                    seq: 1,
                    change: thamgia_core::MutationChange::SubmitResponse {
                        response: response.clone(),
                    },
                }],
            },
            &elsewhere,
            &|_: &str| true,
            chrono::Utc::now(),
        )
        .await?;
    if !matches!(
        answer.results.first().map(|result| &result.outcome),
        Some(thamgia_core::MutationOutcome::Rejected { .. })
    ) {
        anyhow::bail!("another ward's collector's response was not refused: {answer:?}");
    }
    Ok(response)
}
