//! A household form in Vietnamese, English and Hmong
//! (`tests/fixtures/household-three-languages.xlsx`, made by
//! `tools/xlsform/make_fixtures.py` and read by pyxform too): the worker
//! picks Hmong for the form's words while the app's own stay Vietnamese,
//! and the pick is remembered for that survey; the adults are worked out
//! and shown, not typed (`calculation`); the grade is proposed from the
//! age and then changed by the worker (`trigger`); the response is named
//! by its household (`instance_name`). Filled offline, it reaches the
//! server once with the answers as the worker left them.

use std::path::Path;

use anyhow::Result;
use thamgia_core::AnswerValue;
use thamgia_e2e::*;

const HMONG: &str = "Hmoob (hmn)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_picks_the_forms_third_language_and_the_form_sets_answers() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    accept_confirmations(&page).await?;

    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/household-three-languages.xlsx");
    publish_xlsform(&page, &fixture).await?;

    let start = receive_then_go_offline(&page, server, "household-languages").await?;
    let start = start.as_str();
    start_response(&page, start, "10-12", "Female").await?;

    // Vietnamese first; the form offers its other language.
    let asked = text_of(&page, "[data-question=members] legend").await?;
    assert!(asked.contains("Nhà em có mấy người?"), "{asked}");
    let offered: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-test=form-language] option')].map(option => option.value)",
    )
    .await?;
    assert_eq!(offered, ["", HMONG]);
    let next_before = text_of(&page, "[data-test=next]").await?;
    let picked: bool = js(
        &page,
        &format!(
            "(() => {{ const list = document.querySelector('[data-test=form-language] select'); list.value = {hmong}; list.dispatchEvent(new Event('change', {{ bubbles: true }})); return list.value === {hmong}; }})()",
            hmong = serde_json::to_string(HMONG)?,
        ),
    )
    .await?;
    assert!(picked, "Hmong is an option");
    wait_for(
        &page,
        "the question in Hmong",
        "document.querySelector('[data-question=members] legend').textContent.includes('Koj tsev muaj pes tsawg tus neeg?')",
    )
    .await?;
    // The app's own words stay as they were.
    assert_eq!(text_of(&page, "[data-test=next]").await?, next_before);
    let remembered: String = js(
        &page,
        "localStorage.getItem('thamgia.form_language.household-languages')",
    )
    .await?;
    assert_eq!(remembered, serde_json::to_string(HMONG)?);

    type_into(&page, "[data-question=members] input", "6").await?;
    next_screen(&page, "members").await?;
    type_into(&page, "[data-question=children] input", "4").await?;
    next_screen(&page, "children").await?;

    // The adults: worked out, shown, not typed.
    wait_for(
        &page,
        "the adults worked out",
        "document.querySelector('[data-question=adults] input').value === '2'",
    )
    .await?;
    let locked: bool = js(
        &page,
        "document.querySelector('[data-question=adults] input').disabled",
    )
    .await?;
    assert!(locked, "a computed answer is not typed");
    next_screen(&page, "adults").await?;

    // The grade is proposed from the age, and the worker changes it.
    type_into(&page, "[data-question=age] input", "11").await?;
    next_screen(&page, "age").await?;
    wait_for(
        &page,
        "the grade proposed",
        "document.querySelector('[data-question=grade] input').value === '6'",
    )
    .await?;
    replace_text(&page, "[data-question=grade] input", "5").await?;
    next_screen(&page, "grade").await?;

    // The options in Hmong too.
    let options = text_of(&page, "[data-question=feel]").await?;
    assert!(
        options.contains("Zoo siab") && options.contains("Tu siab"),
        "{options}"
    );
    click(&page, "[data-question=feel] button[data-value=happy]").await?;
    next_screen(&page, "feel").await?;

    // The review: named by the household, the questions in Hmong.
    let name = text_of(&page, "[data-test=instance-name]").await?;
    assert_eq!(name, "Hộ 6 người");
    let review = text_of(&page, "[data-test=review]").await?;
    assert!(review.contains("Koj kawm qib twg?"), "{review}");
    click(&page, "[data-test=complete]").await?;
    wait_for_count(&page, "waiting", 1).await?;

    let (server, stored) = sync_the_one_response(&page, &config, address).await?;
    assert_eq!(stored.survey_id, "household-languages");
    let number = |value: f64| Some(AnswerValue::Number(value));
    assert_eq!(stored.answers.get("members").cloned(), number(6.0));
    assert_eq!(stored.answers.get("adults").cloned(), number(2.0));
    assert_eq!(stored.answers.get("grade").cloned(), number(5.0));
    assert_eq!(
        stored.answers.get("feel"),
        Some(&AnswerValue::Choice("happy".to_owned()))
    );

    // And in the town hall's export, as the worker left them.
    let csv = String::from_utf8(
        download_as_city_officer(
            &page,
            "/api/v1/export/responses.csv?survey=household-languages",
        )
        .await?,
    )?;
    let header = csv.lines().next().unwrap_or_default();
    for column in ["members", "adults", "grade", "feel"] {
        assert!(
            header.contains(column),
            "{column} in the CSV header:\n{csv}"
        );
    }
    assert!(csv.contains("happy"), "the answer in the CSV:\n{csv}");

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
