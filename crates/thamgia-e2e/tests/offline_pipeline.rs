//! One child's answers taken offline in a real browser reach the server
//! exactly once.
//!
//! The app is the release build in `THAMGIA_DIST` (built by `cargo xtask
//! test`), served by the real server on a real SQLite file. "Offline" is
//! real: the browser's network is emulated offline *and* the server is
//! stopped, so neither the page nor its service worker can reach it.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use thamgia_core::{
    AgeBand, AnswerValue, ConsentMethod, HeardBefore, QuestionKind, ResponseStatus, Sex,
};
use thamgia_e2e::{
    click, csp_violations, current_question, dist_dir, js, launch_browser, next_screen, open_app,
    set_offline, sign_in, start_server, text_of, type_into, wait_for, wait_for_count,
    DEMO_PASSWORD,
};
use thamgia_server::{seed, Database, ServerConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_taken_offline_reaches_the_server_exactly_once() -> Result<()> {
    let dist = dist_dir()?;
    let workspace = tempfile::tempdir()?;
    let config = ServerConfig {
        database_path: workspace.path().join("data").join("e2e.sqlite3"),
        database_url: None,
        static_dir: dist,
        seed_demo: true,
        metrics: Default::default(),
    };
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (mut browser, events) = launch_browser(&workspace.path().join("profile")).await?;

    let page = open_app(&browser, &url).await?;

    // First visit, online: sign in once (the collector's account works in
    // Phường Ba Đình); the survey arrives by sync.
    sign_in(&page, "badinh", DEMO_PASSWORD).await?;
    wait_for(
        &page,
        "the seeded survey",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    let worker_active: bool = js(
        &page,
        "navigator.serviceWorker.ready.then(registration => !!registration.active)",
    )
    .await?;
    assert!(
        worker_active,
        "the service worker is active after the first visit"
    );

    // The home page says how much storage is used and whether the browser
    // promised to keep it.
    wait_for(
        &page,
        "the storage meter",
        "document.querySelector('[data-test=storage-meter] meter')",
    )
    .await?;
    let persisted: String = js(
        &page,
        "document.querySelector('[data-test=storage-meter]').dataset.persisted",
    )
    .await?;
    assert!(
        persisted == "true" || persisted == "false",
        "the browser answered: {persisted}"
    );
    // It speaks in responses, with Vietnamese separators ("2,8 MB").
    let room = text_of(&page, "[data-test=storage-room]").await?;
    let fit: String = js(
        &page,
        "document.querySelector('[data-test=storage-room]').dataset.fit",
    )
    .await?;
    assert!(
        fit.parse::<u64>().is_ok_and(|fit| fit > 100),
        "room for more than 100 responses: {fit}"
    );
    assert!(
        room.starts_with("Còn chỗ cho khoảng ")
            && room.contains(" phiếu nữa (đã dùng ")
            && room.contains(',')
            && room.contains(" MB"),
        "{room}"
    );

    // The app ran under the server's Content-Security-Policy without one
    // violation; a script injected into the page does not run.
    assert_eq!(csp_violations(&page).await?, Vec::<String>::new());
    let injected_ran: bool = js(
        &page,
        "(() => { const script = document.createElement('script'); \
         script.textContent = 'window.__injected = true'; document.head.appendChild(script); \
         return window.__injected === true; })()",
    )
    .await?;
    assert!(!injected_ran, "an injected inline script ran");
    let violations = csp_violations(&page).await?;
    assert!(
        violations.len() == 1 && violations[0].starts_with("script-src"),
        "{violations:?}"
    );

    // The network goes away: the browser is offline and the server is down.
    set_offline(&page, true).await?;
    server.stop().await?;
    page.reload().await?;
    wait_for(
        &page,
        "the app served offline",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    wait_for(
        &page,
        "the sync bar saying offline",
        "document.querySelector('[data-test=sync-bar][data-phase=Offline]')",
    )
    .await?;

    // A child answers the seeded survey, one question per screen.
    click(&page, "[data-test=start-survey]").await?;
    click(&page, "[data-test=age-bands] button[data-value='10-12']").await?;
    click(&page, "[data-test=sex] button[data-value=Female]").await?;
    // Her first consultation this year, she says.
    click(
        &page,
        "[data-test=heard-before] button[data-value=FirstTime]",
    )
    .await?;
    click(&page, "[data-test=child-assent] button[data-value=verbal]").await?;
    click(
        &page,
        "[data-test=guardian-consent] button[data-value=written]",
    )
    .await?;
    click(&page, "[data-test=next]").await?;

    let survey = seed::demo_survey()?;
    let mut expected: BTreeMap<String, AnswerValue> = BTreeMap::new();
    while let Some(question_id) = current_question(&page).await? {
        let question = survey
            .question(&question_id)
            .with_context(|| format!("the app shows an unknown question {question_id}"))?;
        let index = expected.len();
        let scope = format!("[data-question={question_id}]");
        let answer = match &question.kind {
            QuestionKind::Smiley { points, .. } => {
                let face = 1 + (index as u8 % *points);
                click(&page, &format!("{scope} button[data-value='{face}']")).await?;
                AnswerValue::Smiley(face)
            }
            QuestionKind::SingleChoice { choices } => {
                let choice = &choices[index % choices.len()];
                click(
                    &page,
                    &format!("{scope} button[data-value='{}']", choice.value),
                )
                .await?;
                AnswerValue::Choice(choice.value.clone())
            }
            QuestionKind::YesNo => {
                // "Yes" to deep water makes the swimming question appear.
                click(&page, &format!("{scope} button[data-value='true']")).await?;
                AnswerValue::YesNo(true)
            }
            QuestionKind::Number { .. } => {
                type_into(&page, &format!("{scope} input"), "15").await?;
                AnswerValue::Number(15.0)
            }
            QuestionKind::ShortText { .. } => {
                let text = format!("Cần thêm đèn và vạch kẻ đường gần trường, câu {index}");
                type_into(&page, &format!("{scope} textarea"), &text).await?;
                AnswerValue::Text(text)
            }
            other => bail!("the seeded survey has no {other:?} question"),
        };
        expected.insert(question_id.clone(), answer);
        next_screen(&page, &question_id).await?;
    }
    assert!(
        expected.contains_key("can_swim"),
        "a relevant question appeared: {expected:?}"
    );
    assert_eq!(expected.len(), survey.questions().len());
    wait_for(
        &page,
        "the last answer saved",
        "(document.querySelector('[data-test=save-state]') || {}).textContent.startsWith('✓')",
    )
    .await?;
    let fill_url: String = js(&page, "location.href").await?;

    // A reload, still offline: every answer is still there.
    page.reload().await?;
    wait_for(&page, "the draft reloaded", "document.querySelector(\"[data-test=guardian-consent] button[data-value=written][aria-pressed=true]\")").await?;
    assert_eq!(js::<String>(&page, "location.href").await?, fill_url);
    click(&page, "[data-test=next]").await?;
    while let Some(question_id) = current_question(&page).await? {
        let scope = format!("[data-question={question_id}]");
        let answer = expected
            .get(&question_id)
            .with_context(|| format!("{question_id} was not answered before the reload"))?;
        match answer {
            AnswerValue::Smiley(face) => {
                wait_for(&page, &question_id, &format!("document.querySelector(\"{scope} button[data-value='{face}'][aria-pressed=true]\")")).await?
            }
            AnswerValue::Choice(value) => {
                wait_for(&page, &question_id, &format!("document.querySelector(\"{scope} button[data-value='{value}'][aria-pressed=true]\")")).await?
            }
            AnswerValue::YesNo(yes) => {
                wait_for(&page, &question_id, &format!("document.querySelector(\"{scope} button[data-value='{yes}'][aria-pressed=true]\")")).await?
            }
            AnswerValue::Number(_) => {
                let value: String = js(&page, &format!("document.querySelector(\"{scope} input\").value")).await?;
                assert_eq!(value, "15", "{question_id} kept its number");
            }
            AnswerValue::Text(text) => {
                let value: String = js(&page, &format!("document.querySelector(\"{scope} textarea\").value")).await?;
                assert_eq!(&value, text, "{question_id} kept its text");
            }
            other => bail!("unexpected answer {other:?}"),
        }
        next_screen(&page, &question_id).await?;
    }
    let heard = text_of(&page, "[data-test=review-heard-before]").await?;
    assert_eq!(heard, "Đã được hỏi ý kiến năm nay: chưa, đây là lần đầu");
    let reviewed: usize = js(
        &page,
        "document.querySelectorAll('[data-test=review] [data-review]').length",
    )
    .await?;
    assert_eq!(reviewed, expected.len(), "the review lists every answer");

    // Completed: waiting to be sent.
    click(&page, "[data-test=complete]").await?;
    wait_for_count(&page, "waiting", 1).await?;

    // The town hall app is not kept on the tablet: opened offline, it says
    // it needs a connection, in both languages, and leads back.
    click(&page, "a[href='/']").await?;
    js::<bool>(
        &page,
        "(() => { location.href = '/townhall'; return true; })()",
    )
    .await?;
    wait_for(
        &page,
        "the town hall's offline notice",
        "(document.querySelector('[data-test=townhall-offline]') || {}).textContent?.includes('needs a connection')",
    )
    .await?;
    click(&page, "a[href='/']").await?;
    wait_for_count(&page, "waiting", 1).await?;

    // The network comes back and the worker syncs.
    let (server, _) = start_server(&config, address).await?;
    set_offline(&page, false).await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for_count(&page, "synced", 1).await?;
    assert_eq!(text_of(&page, "[data-test=count-waiting]").await?, "0");

    assert_eq!(
        server.database.response_count().await?,
        1,
        "exactly one response on the server"
    );
    let stored = sqlx_row(&server.database).await?;
    assert_eq!(stored.answers, expected, "the server holds what was typed");
    assert_eq!(stored.participant.age_band, Some(AgeBand::From10To12));
    assert_eq!(stored.participant.sex, Some(Sex::Female));
    assert_eq!(
        stored.participant.heard_before,
        Some(HeardBefore::FirstTime)
    );
    assert_eq!(
        stored.consent.child_assent.map(|record| record.method),
        Some(ConsentMethod::Verbal)
    );
    assert_eq!(
        stored.consent.guardian_consent.map(|record| record.method),
        Some(ConsentMethod::Written)
    );
    assert_eq!(stored.ward_code, "00004");
    assert_eq!(stored.status, ResponseStatus::Completed);

    // Syncing again changes nothing.
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "sync idle",
        "document.querySelector('[data-test=sync-bar][data-phase=Idle]')",
    )
    .await?;
    assert_eq!(
        server.database.response_count().await?,
        1,
        "still exactly one response"
    );

    assert_eq!(
        csp_violations(&page).await?,
        Vec::<String>::new(),
        "the app, reloaded offline from the service worker, runs under the policy"
    );

    browser.close().await?;
    browser.wait().await?;
    events.abort();
    server.stop().await?;
    Ok(())
}

/// The single stored response, read back through the server's store.
async fn sqlx_row(database: &Database) -> Result<thamgia_core::Response> {
    let count = database.response_count().await?;
    if count != 1 {
        bail!("expected one response, found {count}");
    }
    let id = database
        .response_ids()
        .await?
        .into_iter()
        .next()
        .context("no response id")?;
    Ok(database
        .response(id)
        .await?
        .context("response vanished")?
        .response)
}
