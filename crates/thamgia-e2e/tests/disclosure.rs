//! A disclosure has a path. A child of 10–12 answers the demo survey's
//! bullying question "Yes, many times": a plain, closed "Note for the
//! worker" appears below the question (nothing that alarms a child looking
//! at the tablet); opened, it says what to do now — listen, do not promise
//! secrecy, the hotline 111, the ward's child protection officer — and the
//! worker records that the ward's officer was told. The response reaches
//! the server with the referral and nothing more about the child; Ba
//! Đình's ward officer sees one open referral in the town hall app and
//! marks it followed up. An answer that is no disclosure shows no note.
//! On the way: the review reads back the child and the consents and keeps
//! each question readable beside a long answer; drafts and responses are
//! listed by the survey's title and the child's age band and sex.
//!
//! Later the family withdraws consent through the ward: the worker gave
//! them the reference the completion showed; the ward officer types it on
//! the town hall's withdrawal page, finds the one response, withdraws it,
//! and the server and then the worker's tablet hold its answers no more.
//! Last, the worker is moved to another ward before their tablet sends a
//! Ba Đình response: the server refuses it for its sender, and the tablet
//! shows it refused; the officer accepts it under **Refused**, and at its
//! next sync the tablet shows it sent.

use anyhow::{bail, Result};
use chromiumoxide::Page;
use thamgia_core::safeguarding::ReferredTo;
use thamgia_core::QuestionKind;
use thamgia_e2e::*;

const BULLYING: &str = "teased_or_bullied";

/// A long answer, as a child may give one.
const LONG_ANSWER: &str = "Em muốn có thêm cây xanh và ghế ngồi ở sân trường, vì buổi trưa trời rất nắng và chúng em không có chỗ nào mát để ngồi chơi cùng nhau sau giờ ăn";

/// Answers the demo survey from the start screen on, choosing `bullying`
/// for the bullying question; there, checks the worker's note is shown
/// exactly when `bullying` is marked and, if it is, records a referral to
/// the ward's officer. Ends on the review screen.
async fn answer_survey(page: &Page, bullying: &str) -> Result<()> {
    start_demo_response(page, "10-12", "Male").await?;
    let survey = thamgia_server::seed::demo_survey()?;
    while let Some(question_id) = current_question(page).await? {
        let question = survey
            .question(&question_id)
            .ok_or_else(|| anyhow::anyhow!("unknown question {question_id}"))?;
        let scope = format!("[data-question={question_id}]");
        if question_id == BULLYING {
            click(page, &format!("{scope} button[data-value='{bullying}']")).await?;
            let marked = bullying == "many_times";
            if marked {
                wait_for(
                    page,
                    "the worker's note",
                    "document.querySelector('[data-test=worker-note]')",
                )
                .await?;
                let closed: bool = js(
                    page,
                    "!document.querySelector('[data-test=worker-note]').open",
                )
                .await?;
                assert!(closed, "the note is closed until the worker opens it");
                let heading = text_of(page, "[data-test=worker-note] summary").await?;
                assert_eq!(heading, "Note for the worker");
                click(page, "[data-test=worker-note] summary").await?;
                let steps = text_of(page, "[data-test=disclosure-steps]").await?;
                for part in [
                    "listen",
                    "Do not promise to keep it secret",
                    "111",
                    "ward's child protection officer",
                ] {
                    assert!(steps.contains(part), "{part:?} in {steps:?}");
                }
                click(
                    page,
                    &format!(
                        "[data-test=referral] button[data-value={:?}]",
                        ReferredTo::WardOfficer
                    ),
                )
                .await?;
                wait_for(
                    page,
                    "the referral recorded",
                    "document.querySelector(\"[data-test=referral] button[data-value=WardOfficer][aria-pressed=true]\")",
                )
                .await?;
            } else {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                let note: bool =
                    js(page, "!!document.querySelector('[data-test=worker-note]')").await?;
                assert!(!note, "no note for {bullying}");
            }
        } else {
            match &question.kind {
                QuestionKind::Smiley { .. } => {
                    click(page, &format!("{scope} button[data-value='3']")).await?
                }
                QuestionKind::SingleChoice { choices } => {
                    click(
                        page,
                        &format!("{scope} button[data-value='{}']", choices[0].value),
                    )
                    .await?
                }
                QuestionKind::YesNo => {
                    click(page, &format!("{scope} button[data-value='false']")).await?
                }
                QuestionKind::Number { .. } => {
                    type_into(page, &format!("{scope} input"), "12").await?
                }
                QuestionKind::ShortText { .. } => {
                    type_into(page, &format!("{scope} textarea"), LONG_ANSWER).await?
                }
                other => bail!("the demo survey has no {other:?} question"),
            }
        }
        next_screen(page, &question_id).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disclosure_leads_the_worker_and_reaches_the_ward_officer() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = thamgia_e2e::test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (browser, events) = launch_browser(&workspace.path().join("worker")).await?;
    let page = open_app(&browser, &url).await?;
    sign_in(&page, "badinh", DEMO_PASSWORD).await?;
    click(&page, "[data-test=lang-en]").await?;

    // No disclosure, no note.
    answer_survey(&page, "no").await?;
    // The review reads back the child and the consents first.
    let child = text_of(&page, "[data-test=review-participant]").await?;
    for part in [
        "10–12 years · Boy",
        "Child's assent: verbally",
        "guardian's consent: in writing",
    ] {
        assert!(child.contains(part), "{part:?} in {child:?}");
    }
    // A long answer leaves its question at least a third of the row.
    let share: f64 = js(
        &page,
        "(() => { const answer = [...document.querySelectorAll('[data-review] .review-answer')].find(cell => cell.textContent.length > 100); const row = answer.closest('li'); return row.querySelector('.review-question').getBoundingClientRect().width / row.getBoundingClientRect().width; })()",
    )
    .await?;
    assert!(share > 0.33, "the question keeps {share:.2} of the row");
    // Left for a moment: the draft is listed by title and child.
    click(&page, "a[href='/']").await?;
    wait_for(
        &page,
        "the draft",
        "document.querySelector('[data-test=draft]')",
    )
    .await?;
    let draft = text_of(&page, "[data-test=draft]").await?;
    assert!(
        draft.contains("Safe at school and at play") && draft.contains("10–12 years · Boy"),
        "{draft}"
    );
    click(&page, "[data-test=draft] a").await?;
    click(&page, "[data-test=next]").await?;
    while let Some(question) = current_question(&page).await? {
        next_screen(&page, &question).await?;
    }
    click(&page, "[data-test=complete]").await?;
    // A disclosure: the note, and a referral recorded.
    answer_survey(&page, "many_times").await?;
    let on_review: bool = js(&page, "!!document.querySelector('[data-test=worker-note]')").await?;
    assert!(
        on_review,
        "the note stays with the response up to the review"
    );
    click(&page, "[data-test=complete]").await?;
    // The completion gives the reference for the family.
    wait_for(
        &page,
        "the reference for the family",
        "!!document.querySelector('[data-test=notice-reference]')",
    )
    .await?;
    let reference = text_of(&page, "[data-test=notice-reference]").await?;
    let shape = reference.len() == 9
        && reference.chars().enumerate().all(|(index, character)| {
            if index == 4 {
                character == '-'
            } else {
                character.is_ascii_digit() || ('A'..='F').contains(&character)
            }
        });
    assert!(shape, "a reference such as 3F2A-91C0: {reference:?}");
    wait_for_count(&page, "synced", 2).await?;
    click(&page, "a[href='/responses']").await?;
    wait_for(
        &page,
        "the responses",
        "document.querySelectorAll('[data-test=response-child]').length === 2",
    )
    .await?;
    let rows = text_of(&page, "[data-test=response-row]").await?;
    assert!(
        rows.contains("10–12 years · Boy") && !rows.contains('#'),
        "{rows}"
    );
    let references: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-test=response-reference]')].map(line => line.textContent)",
    )
    .await?;
    assert!(
        references
            .iter()
            .any(|line| line == &format!("Reference {reference}")),
        "{references:?}"
    );

    // On the server: the referral, to the ward's officer; nothing else
    // about the child was added.
    let mut referrals = Vec::new();
    for id in server.database.response_ids().await? {
        if let Some(stored) = server.database.response(id).await? {
            referrals.extend(stored.response.referral);
        }
    }
    assert_eq!(referrals.len(), 1, "one referral of two responses");
    assert_eq!(referrals[0].to, vec![ReferredTo::WardOfficer]);

    // The ward officer sees one open referral and follows it up.
    let (officer_browser, officer_events) =
        launch_browser(&workspace.path().join("officer")).await?;
    let officer = open_app(&officer_browser, &url).await?;
    sign_in(&officer, "badinh.canbo", DEMO_PASSWORD).await?;
    // Their tablet's home page says one is open and leads to it.
    wait_for(
        &officer,
        "the open referral on the home page",
        "(document.querySelector('[data-test=open-referrals]') || {dataset: {}}).dataset.count === '1'",
    )
    .await?;
    let told = text_of(&officer, "[data-test=open-referrals]").await?;
    assert!(told.contains("Có 1 trường hợp chuyển tiếp"), "{told}");
    click(&officer, "[data-test=to-referrals]").await?;
    wait_for(
        &officer,
        "one open referral",
        "(document.querySelector('[data-test=referrals-open]') || {dataset: {}}).dataset.count === '1' && document.querySelectorAll('[data-test=referral]').length === 1",
    )
    .await?;
    let listed = text_of(&officer, "[data-test=referral]").await?;
    assert!(listed.contains("00004"), "the ward is named: {listed}");
    click(&officer, "[data-test=referral] [data-test=follow-up]").await?;
    wait_for(
        &officer,
        "no open referral",
        "(document.querySelector('[data-test=referrals-open]') || {dataset: {}}).dataset.count === '0' && !document.querySelector('[data-test=referral]')",
    )
    .await?;

    // The family withdraws consent: the officer types the reference as
    // they heard it, finds the one response, withdraws it.
    click(&officer, "a[href='/townhall/withdrawals']").await?;
    let heard = reference.to_lowercase().replace('-', " ");
    type_into(&officer, "[data-test=reference]", &heard).await?;
    click(&officer, "[data-test=find-reference]").await?;
    wait_for(
        &officer,
        "the response under the reference",
        "document.querySelectorAll('[data-test=referenced]').length === 1",
    )
    .await?;
    let found = text_of(&officer, "[data-test=referenced]").await?;
    assert!(found.contains("00004"), "the ward is named: {found}");
    let withdrawn: uuid::Uuid = js::<String>(
        &officer,
        "document.querySelector('[data-test=referenced]').dataset.response",
    )
    .await?
    .parse()?;
    assert_eq!(
        thamgia_core::response::reference(withdrawn),
        reference,
        "the family's response"
    );
    accept_confirmations(&officer).await?;
    click(&officer, "[data-test=withdraw-referenced]").await?;
    wait_for(
        &officer,
        "the withdrawal done",
        "!!document.querySelector('[data-test=withdrawal-done]')",
    )
    .await?;
    assert!(server.database.response(withdrawn).await?.is_none());
    assert!(server.database.is_withdrawn(withdrawn).await?);
    assert_eq!(server.database.response_count().await?, 1);
    // The worker's tablet deletes the answers at its next sync.
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the response withdrawn on the tablet",
        &format!(
            "(document.querySelector('[data-test=response-row][data-id=\"{withdrawn}\"]') || {{dataset: {{}}}}).dataset.state === 'state--withdrawn'"
        ),
    )
    .await?;

    // The worker is moved to another ward before their tablet sends a Ba
    // Đình response: the server refuses it for its sender and keeps it
    // aside, and the tablet shows it refused.
    set_offline(&page, true).await?;
    answer_survey(&page, "no").await?;
    click(&page, "[data-test=complete]").await?;
    wait_for_count(&page, "waiting", 1).await?;
    let moved = thamgia_core::account::AccountChange {
        ward_code: Some("00008".to_owned()),
        ..Default::default()
    };
    server
        .database
        .update_account("badinh", &moved, chrono::Utc::now())
        .await?;
    set_offline(&page, false).await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the response refused on the tablet",
        "!!document.querySelector('[data-test=count-problems]')",
    )
    .await?;
    let refused = server.database.quarantined(Some("00004"), 10).await?;
    assert_eq!(refused.len(), 1, "{refused:?}");
    let misplaced: uuid::Uuid = refused[0].record_id.parse()?;
    assert!(server.database.response(misplaced).await?.is_none());
    click(&page, "a[href='/responses']").await?;
    let row_state = |state: &str| {
        format!(
            "(document.querySelector('[data-test=response-row][data-id=\"{misplaced}\"]') || {{dataset: {{}}}}).dataset.state === '{state}'"
        )
    };
    wait_for(&page, "the refused row", &row_state("state--rejected")).await?;

    // Ba Đình's officer finds it under Refused and accepts it.
    click(&officer, "a[href='/townhall/refused']").await?;
    wait_for(
        &officer,
        "the refused response of the ward",
        "!!document.querySelector('[data-test=quarantined][data-kind=submit_response] [data-test=release]')",
    )
    .await?;
    accept_confirmations(&officer).await?;
    click(
        &officer,
        "[data-test=quarantined][data-kind=submit_response] [data-test=release]",
    )
    .await?;
    wait_for(
        &officer,
        "the response accepted",
        "(document.querySelector('[data-test=release-result]') || {className: ''}).className.includes('notice--success')",
    )
    .await?;
    assert!(server.database.response(misplaced).await?.is_some());
    // At its next sync the worker's tablet shows it sent, and home no
    // longer counts a problem.
    click(&page, "[data-test=sync-now]").await?;
    wait_for(&page, "the accepted row", &row_state("state--synced")).await?;
    click(&page, "a[href='/']").await?;
    wait_for(
        &page,
        "no problem on home",
        "!!document.querySelector('[data-test=count-synced]') && !document.querySelector('[data-test=count-problems]')",
    )
    .await?;

    close_browser(officer_browser, officer_events).await?;
    close_browser(browser, events).await?;
    server.stop().await
}
