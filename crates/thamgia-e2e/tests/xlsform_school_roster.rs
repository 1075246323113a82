//! A school consultation as a ward's partner writes it for ODK
//! (`tests/fixtures/school-roster.xlsx`, made by
//! `tools/xlsform/make_fixtures.py` and read by pyxform too): imported as it
//! is, then filled offline on a tablet-sized Chromium — the schools offered
//! follow the ward chosen (`choice_filter`), a school code is checked by
//! `regex()`, the brothers and sisters are as many as the child says
//! (`repeat_count`) with the total of their ages, a 0–10 scale answered
//! "I don't know", hours of
//! sleep on a slider in half hours, activities in an order drawn for the
//! child and kept with the response (`randomize`), a likert grid on one
//! page (`field-list`), and an `acknowledge` at the end — and it reaches
//! the server once, with every answer in the CSV export.

use std::path::Path;

use anyhow::{bail, Result};
use thamgia_core::AnswerValue;
use thamgia_e2e::*;

/// The `data-value`s of the options a question shows now.
async fn offered(page: &impl Ui, question: &str) -> Result<Vec<String>> {
    js(
        page,
        &format!(
            "[...document.querySelectorAll('[data-question={question}] button[data-value]')].map(button => button.dataset.value)"
        ),
    )
    .await
}

/// Chooses `value` in the drop-down list of `question` (the `minimal`
/// appearance), as a tap on an option does.
async fn choose_in_list(page: &impl Ui, question: &str, value: &str) -> Result<()> {
    let selector = format!("[data-question={question}] select");
    wait_for(
        page,
        &selector,
        &format!("document.querySelector({})", selector_literal(&selector)),
    )
    .await?;
    let chosen: bool = js(
        page,
        &format!(
            "(() => {{ const list = document.querySelector({}); list.value = {}; list.dispatchEvent(new Event('change', {{ bubbles: true }})); return list.value === {}; }})()",
            selector_literal(&selector),
            serde_json::to_string(value)?,
            serde_json::to_string(value)?,
        ),
    )
    .await?;
    if !chosen {
        bail!("{value} is not an option of {question}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cascading_roster_form_is_imported_as_it_is_and_filled_offline() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    accept_confirmations(&page).await?;

    // The city officer imports it: nothing to leave out.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/school-roster.xlsx");
    publish_xlsform(&page, &fixture).await?;
    let result = text_of(&page, "[data-test=import-result]").await?;
    assert!(result.contains("Trường học và gia đình"), "{result}");

    // A worker of Ba Đình receives it; the network goes away.
    let start = receive_then_go_offline(&page, server, "school-roster").await?;
    let start = start.as_str();
    start_response(&page, start, "10-12", "Male").await?;

    // The wards in a drop-down list (`minimal`); the schools offered are
    // Ba Đình's once Ba Đình is chosen.
    choose_in_list(&page, "ward", "ba_dinh").await?;
    next_screen(&page, "ward").await?;
    assert_eq!(offered(&page, "school").await?, ["nguyen_du", "other"]);
    click(&page, "[data-question=school] button[data-value=nguyen_du]").await?;
    next_screen(&page, "school").await?;

    // A school code in the wrong shape is stopped in the browser.
    type_into(&page, "[data-question=school_code] textarea", "bd12").await?;
    click(&page, "[data-test=next]").await?;
    wait_for(
        &page,
        "the school code's message",
        "document.querySelector('[data-question=school_code]').textContent.includes('HK123')",
    )
    .await?;
    if current_question(&page).await?.as_deref() != Some("school_code") {
        bail!("a school code of the wrong shape was let through");
    }
    replace_text(&page, "[data-question=school_code] textarea", "BD123").await?;
    next_screen(&page, "school_code").await?;

    // The school year is shown, not asked (`read_only`, its `default`).
    let (year, locked): (String, bool) = js(
        &page,
        "(() => { const box = document.querySelector('[data-question=school_year] textarea'); return [box.value, box.disabled]; })()",
    )
    .await?;
    assert_eq!((year.as_str(), locked), ("2026-2027", true));
    next_screen(&page, "school_year").await?;

    // The worker's guidance is there, folded away.
    let guidance = text_of(&page, "[data-question=siblings] .question-guidance").await?;
    assert!(guidance.contains("cùng cha khác mẹ"), "{guidance}");

    // Two brothers and sisters: two instances, made by the tablet.
    type_into(&page, "[data-question=siblings] input", "2").await?;
    next_screen(&page, "siblings").await?;
    wait_for(
        &page,
        "two sibling instances",
        "document.querySelectorAll('[data-repeat=sibling] .repeat-instance').length === 2",
    )
    .await?;
    let can_add: bool = js(
        &page,
        "!!document.querySelector('[data-repeat=sibling] [data-test=add-instance]')",
    )
    .await?;
    assert!(!can_add, "the count comes from the answer, not the button");
    for (instance, age) in [(0, "12"), (1, "6")] {
        type_into(
            &page,
            &format!(
                "[data-repeat=sibling] [data-instance='{instance}'] [data-question=sibling_age] input"
            ),
            age,
        )
        .await?;
    }
    next_screen(&page, "sibling_age").await?;
    wait_for(
        &page,
        "the total of their ages",
        "(document.querySelector('[data-question=total_note]') || {textContent: ''}).textContent.includes('18')",
    )
    .await?;
    next_screen(&page, "total_note").await?;

    // A 0–10 scale: eleven buttons, and "I don't know / I'd rather not
    // say", which this child chooses after a 7 (answering the required
    // question).
    assert_eq!(
        offered(&page, "safe").await?,
        [
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9",
            "10",
            "dont_know"
        ]
    );
    let words = text_of(&page, "[data-question=safe] button[data-value=dont_know]").await?;
    assert!(words.contains("Em không biết"), "{words}");
    click(&page, "[data-question=safe] button[data-value='7']").await?;
    click(&page, "[data-question=safe] button[data-value=dont_know]").await?;
    next_screen(&page, "safe").await?;

    // Seventeen half hours: a slider, unanswered until it is moved.
    let shown: String = text_of(&page, "[data-question=sleep] .range-value").await?;
    assert!(
        !shown.contains('8'),
        "no value before the slider moves: {shown}"
    );
    let moved: bool = js(
        &page,
        "(() => { const slider = document.querySelector('[data-question=sleep] input[type=range]'); slider.value = '8.5'; slider.dispatchEvent(new Event('input', { bubbles: true })); return slider.step === '0.5'; })()",
    )
    .await?;
    assert!(moved, "the slider steps by half hours");
    wait_for(
        &page,
        "the hours shown",
        // As Vietnamese writes it.
        "document.querySelector('[data-question=sleep] .range-value').textContent === '8,5'",
    )
    .await?;
    next_screen(&page, "sleep").await?;

    // The activities in the order drawn for this child, kept with the draft.
    wait_for(
        &page,
        "the order drawn",
        "document.querySelectorAll('[data-question=after_school] button[data-value]').length === 5",
    )
    .await?;
    let drawn = offered(&page, "after_school").await?;
    let mut sorted = drawn.clone();
    sorted.sort();
    assert_eq!(sorted, ["draw", "help_home", "music", "read", "sport"]);
    click(
        &page,
        "[data-question=after_school] button[data-value=draw]",
    )
    .await?;
    next_screen(&page, "after_school").await?;

    // Two statements on one page, each a row of points.
    let on_screen: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-test=questions] [data-question]')].map(question => question.dataset.question)",
    )
    .await?;
    assert_eq!(on_screen, ["heard", "friends"]);
    let likert: usize = js(
        &page,
        "document.querySelectorAll('[data-test=questions] .choice-grid--likert').length",
    )
    .await?;
    assert_eq!(likert, 2);
    click(&page, "[data-question=heard] button[data-value=agree]").await?;
    click(&page, "[data-question=friends] button[data-value=neutral]").await?;
    next_screen(&page, "heard").await?;

    // The last word, acknowledged.
    click(&page, "[data-question=thanks] button[data-value=OK]").await?;
    next_screen(&page, "thanks").await?;
    if current_question(&page).await?.is_some() {
        bail!("expected the review screen");
    }
    click(&page, "[data-test=complete]").await?;
    wait_for_count(&page, "waiting", 1).await?;

    // Back online: once on the server, with every answer.
    let (server, stored) = sync_the_one_response(&page, &config, address).await?;
    assert_eq!(stored.survey_id, "school-roster");
    let answer = |name: &str| stored.answers.get(name).cloned();
    let choice = |value: &str| Some(AnswerValue::Choice(value.to_owned()));
    assert_eq!(answer("ward"), choice("ba_dinh"));
    assert_eq!(answer("school"), choice("nguyen_du"));
    assert_eq!(
        answer("school_code"),
        Some(AnswerValue::Text("BD123".to_owned()))
    );
    assert_eq!(answer("siblings"), Some(AnswerValue::Number(2.0)));
    assert_eq!(
        answer("school_year"),
        Some(AnswerValue::Text("2026-2027".to_owned()))
    );
    let Some(AnswerValue::Repeat(siblings)) = answer("sibling") else {
        bail!("no siblings stored: {:?}", stored.answers);
    };
    let ages: Vec<Option<&AnswerValue>> = siblings
        .iter()
        .map(|sibling| sibling.get("sibling_age"))
        .collect();
    assert_eq!(
        ages,
        [
            Some(&AnswerValue::Number(12.0)),
            Some(&AnswerValue::Number(6.0))
        ]
    );
    assert_eq!(answer("total_age"), Some(AnswerValue::Number(18.0)));
    // `once(uuid())` and `once(now())`, from the tablet's clock, kept.
    let Some(AnswerValue::Text(id)) = answer("interview_id") else {
        bail!("no interview id: {:?}", stored.answers);
    };
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let Some(AnswerValue::Text(started)) = answer("started") else {
        bail!("no start time: {:?}", stored.answers);
    };
    assert!(
        chrono::NaiveDateTime::parse_from_str(&started, "%Y-%m-%dT%H:%M:%S").is_ok(),
        "{started}"
    );
    assert_eq!(answer("safe"), Some(AnswerValue::DontKnow));
    assert_eq!(answer("sleep"), Some(AnswerValue::Number(8.5)));
    assert_eq!(
        answer("after_school"),
        Some(AnswerValue::Choices(vec!["draw".to_owned()]))
    );
    assert_eq!(
        stored.shown_orders.get("after_school"),
        Some(&drawn),
        "the order the child saw is kept"
    );
    assert_eq!(answer("heard"), choice("agree"));
    assert_eq!(answer("friends"), choice("neutral"));
    assert_eq!(answer("thanks"), choice("OK"));

    // And in the town hall's export.
    let csv = String::from_utf8(
        download_as_city_officer(&page, "/api/v1/export/responses.csv?survey=school-roster")
            .await?,
    )?;
    for expected in ["BD123", "nguyen_du", "ba_dinh", "OK", "dont_know"] {
        assert!(csv.contains(expected), "{expected} in the CSV:\n{csv}");
    }

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
