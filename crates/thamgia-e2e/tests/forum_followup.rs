//! A facilitator records a children's forum offline; its recommendation
//! reaches the town hall, where a city officer records the authority's
//! answer; the facilitator sees it and records the feedback given to the
//! children. On the way the city officer accepts a response the server
//! refused only because its sender could not reach its ward.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use chrono::Utc;
use thamgia_core::forum::RecommendationStatus;
use thamgia_e2e::*;

async fn status_on_server(server: &RunningServer, wanted: RecommendationStatus) -> Result<()> {
    let started = Instant::now();
    loop {
        let forums = server
            .database
            .forums(Some("00004"), Utc::now().date_naive())
            .await?;
        if forums
            .first()
            .and_then(|view| view.recommendations.first())
            .map(|item| item.status)
            == Some(wanted)
        {
            return Ok(());
        }
        if started.elapsed() > WAIT {
            bail!("the server never reached {wanted:?}: {forums:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forum_recommendation_is_answered_and_fed_back_to_the_children() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &url).await?;
    first_visit_in_ba_dinh(&page).await?;

    // In the hall, with no connection.
    set_offline(&page, true).await?;
    server.stop().await?;
    click(&page, "a[href='/forums']").await?;
    click(&page, "[data-test=new-forum]").await?;
    type_into(&page, "[data-test=forum-place]", "Nhà văn hóa tổ dân phố 5").await?;
    replace_text(&page, "[data-test=forum-adults]", "7").await?;
    replace_text(&page, "[data-test=forum-consents]", "32").await?;
    replace_text(&page, "[data-test='count-10-12-female']", "17").await?;
    // Too few children so far: Circular 29 warns, without blocking.
    wait_for(
        &page,
        "the Circular 29 warning",
        "document.querySelector('[data-test=forum-warning]')",
    )
    .await?;
    replace_text(&page, "[data-test='count-13-15-male']", "15").await?;
    click(&page, "[data-test=add-recommendation]").await?;
    type_into(
        &page,
        "[data-test=recommendation-text]",
        "Lắp đèn chiếu sáng ở ngõ 12 đường đến trường",
    )
    .await?;
    type_into(
        &page,
        "[data-test=recommendation-authority]",
        "UBND phường Ba Đình",
    )
    .await?;
    replace_text(&page, "[data-test=recommendation-votes]", "28").await?;
    click(&page, "[data-test=submit-forum]").await?;
    wait_for(
        &page,
        "the forum submitted",
        "document.querySelector('[data-test=recommendation-status]')",
    )
    .await?;

    // Back online: it reaches the town hall.
    let (server, _) = start_server(&config, address).await?;
    set_offline(&page, false).await?;
    click(&page, "[data-test=sync-now]").await?;
    status_on_server(&server, RecommendationStatus::AwaitingAnswer).await?;
    let forum_url: String = js(&page, "location.href").await?;

    // Another tablet sent a forum the server refused (no place): it is kept
    // aside, and the town hall sees it with the reason.
    let mut refused = thamgia_core::forum::Forum::new(
        uuid::Uuid::from_u128(0xBAD),
        "00004",
        Utc::now().date_naive(),
        Utc::now(),
    );
    refused.submitted = true;
    let answer = server
        .database
        .push(
            &thamgia_core::PushRequest {
                client_id: uuid::Uuid::from_u128(0x7AB),
                schema_version: thamgia_core::SCHEMA_VERSION,
                mutations: vec![thamgia_core::Mutation {
                    seq: 1,
                    change: thamgia_core::MutationChange::SubmitForum { forum: refused },
                }],
            },
            Utc::now(),
        )
        .await?;
    if !matches!(
        answer.results.first().map(|result| &result.outcome),
        Some(thamgia_core::MutationOutcome::Rejected { .. })
    ) {
        bail!("the forum without a place was not refused: {answer:?}");
    }

    // A response of Ba Đình sent by a collector of another ward: kept
    // aside for its sender, accepted at the town hall below.
    let misplaced = refused_for_its_sender(&server.database, uuid::Uuid::from_u128(0xB0D)).await?;

    // At the town hall, a city officer records the authority's answer (on
    // this browser, once the facilitator signed out: everything is sent).
    accept_confirmations(&page).await?;
    sign_out(&page).await?;
    sign_in(&page, "thanhpho", DEMO_PASSWORD).await?;
    open_townhall(&page).await?;
    wait_for(
        &page,
        "the recommendation at the town hall",
        "document.querySelector('[data-test=recommendation-row]')",
    )
    .await?;
    wait_for(
        &page,
        "the refused forum with its reason",
        "(document.querySelector('[data-test=quarantined][data-kind=submit_forum]') || {}).textContent?.includes('Hãy ghi địa điểm')",
    )
    .await?;
    // The forum cannot be accepted as it is; the response can.
    let forum_releasable: bool = js(
        &page,
        "!!document.querySelector('[data-test=quarantined][data-kind=submit_forum] [data-test=release]')",
    )
    .await?;
    assert!(!forum_releasable, "a forum is fixed by its sender");
    accept_confirmations(&page).await?;
    click(
        &page,
        "[data-test=quarantined][data-kind=submit_response] [data-test=release]",
    )
    .await?;
    wait_for(
        &page,
        "the response accepted",
        "(document.querySelector('[data-test=release-result]') || {className: ''}).className.includes('notice--success') && !document.querySelector('[data-test=quarantined][data-kind=submit_response]')",
    )
    .await?;
    if server.database.response(misplaced.id).await?.is_none() {
        bail!("the accepted response is not kept");
    }
    click(
        &page,
        "[data-test=recommendation-row] [data-test=answer-decision-partly]",
    )
    .await?;
    type_into(
        &page,
        "[data-test=recommendation-row] [data-test=answer-reasons]",
        "Ngân sách năm nay có hạn",
    )
    .await?;
    type_into(
        &page,
        "[data-test=recommendation-row] [data-test=answer-actions]",
        "Lắp 3 đèn trong quý 1 năm sau",
    )
    .await?;
    click(
        &page,
        "[data-test=recommendation-row] [data-test=answer-save]",
    )
    .await?;
    status_on_server(&server, RecommendationStatus::AwaitingFeedback).await?;

    // The facilitator signs in again; the tablet hears of the answer and
    // the feedback is recorded.
    sign_out(&page).await?;
    sign_in(&page, "badinh", DEMO_PASSWORD).await?;
    page.goto(forum_url.as_str()).await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the answer on the tablet",
        "document.querySelector('[data-test=answer]')",
    )
    .await?;
    let answer = text_of(&page, "[data-test=answer]").await?;
    assert!(answer.contains("Lắp 3 đèn"), "{answer}");
    click(&page, "[data-test=feedback-channel-school]").await?;
    click(&page, "[data-test=record-feedback]").await?;
    click(&page, "[data-test=sync-now]").await?;
    status_on_server(&server, RecommendationStatus::Closed).await?;

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
