//! A form as a partner organisation keeps it for ODK or KoboToolbox (in
//! English only, no settings sheet, a phone number, `or_other`, a location
//! Tham Gia never asks): the city officer sees why it is refused, imports it
//! without the location, and sees every line it read but does not use; a
//! worker fills it offline on a tablet (the phone number checked for digits
//! by `regex()` in the browser, "Other" asking for the place, the day of
//! the visit starting as today), and it reaches the server once.

use std::path::Path;

use anyhow::{bail, Result};
use thamgia_core::AnswerValue;
use thamgia_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_in_one_language_is_imported_without_what_is_never_asked_and_filled_offline(
) -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    accept_confirmations(&page).await?;

    // The city officer uploads it: refused for the location alone, with
    // the offer to import it without.
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/household-one-language.xlsx");
    upload_xlsform(&page, &fixture).await?;
    wait_for(
        &page,
        "the offer to import without what is never asked",
        "document.querySelector('[data-test=import-trim]')",
    )
    .await?;
    let problems: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-test=import-problem]')].map(row => row.textContent)",
    )
    .await?;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("home") && problems[0].contains("vị trí"),
        "{problems:?}"
    );
    assert!(problems[1].contains("home_note"), "{problems:?}");

    // Agreed: published, with every line read but not used.
    click(&page, "[data-test=import-trim]").await?;
    wait_for(
        &page,
        "the form published with its warnings",
        "document.querySelector('[data-test=import-warnings]')",
    )
    .await?;
    let result = text_of(&page, "[data-test=import-result]").await?;
    assert!(
        result.contains("household-one-language"),
        "named after its file: {result}"
    );
    let warnings: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-test=import-warning]')].map(row => row.textContent)",
    )
    .await?;
    for said in ["start", "deviceid", "quick", "image", "home", "home_note"] {
        assert!(
            warnings.iter().any(|warning| warning.contains(said)),
            "a line about {said}: {warnings:#?}"
        );
    }

    // A worker of Ba Đình receives it; the network goes away.
    let start = receive_then_go_offline(&page, server, "household-one-language").await?;
    let start = start.as_str();

    start_response(&page, start, "10-12", "Female").await?;
    // The form's one language is what the worker reads.
    let asked = text_of(&page, "[data-question=initials]").await?;
    assert!(asked.contains("Initials of the child"), "{asked}");
    type_into(&page, "[data-question=initials] textarea", "LT").await?;
    next_screen(&page, "initials").await?;

    // Letters in a phone number: the digits check runs in the browser.
    type_into(&page, "[data-question=caregiver_phone] textarea", "09x1").await?;
    click(&page, "[data-test=next]").await?;
    wait_for(
        &page,
        "the digits-only message",
        "document.querySelector('[data-question=caregiver_phone]').textContent.includes('chỉ gồm chữ số')",
    )
    .await?;
    if current_question(&page).await?.as_deref() != Some("caregiver_phone") {
        bail!("a phone number with a letter was let through");
    }
    replace_text(
        &page,
        "[data-question=caregiver_phone] textarea",
        "0912345678",
    )
    .await?;
    next_screen(&page, "caregiver_phone").await?;

    // "Other" asks where.
    click(&page, "[data-question=play_place] button[data-value=other]").await?;
    next_screen(&page, "play_place").await?;
    if current_question(&page).await?.as_deref() != Some("play_place_other") {
        bail!("choosing Other did not ask where");
    }
    type_into(
        &page,
        "[data-question=play_place_other] textarea",
        "Nhà văn hoá",
    )
    .await?;
    next_screen(&page, "play_place_other").await?;
    type_into(&page, "[data-question=age] input", "11").await?;
    next_screen(&page, "age").await?;
    type_into(&page, "[data-question=felt_safe] textarea", "Ở trường").await?;
    next_screen(&page, "felt_safe").await?;
    // The day of the visit starts as today (its `default`, `today()`), the
    // day it is in Hanoi, whatever the browser's time zone.
    let shown: String = js(
        &page,
        "document.querySelector('[data-question=visit_day] input').value",
    )
    .await?;
    let today: String = js(
        &page,
        "(() => { const d = new Date(Date.now() + 7 * 3600 * 1000); return String(d.getUTCDate()).padStart(2, '0') + '/' + String(d.getUTCMonth() + 1).padStart(2, '0') + '/' + d.getUTCFullYear(); })()",
    )
    .await?;
    assert_eq!(shown, today, "the default day is today");
    next_screen(&page, "visit_day").await?;
    if current_question(&page).await?.is_some() {
        bail!("expected the review screen: the location is not asked");
    }
    click(&page, "[data-test=complete]").await?;
    wait_for_count(&page, "waiting", 1).await?;

    // Back online: once on the server, with the answers as given.
    let (server, stored) = sync_the_one_response(&page, &config, address).await?;
    assert_eq!(stored.survey_id, "household-one-language");
    let text = |value: &str| Some(AnswerValue::Text(value.to_owned()));
    assert_eq!(
        stored.answers.get("caregiver_phone").cloned(),
        text("0912345678")
    );
    assert_eq!(
        stored.answers.get("play_place"),
        Some(&AnswerValue::Choice("other".to_owned()))
    );
    assert_eq!(
        stored.answers.get("play_place_other").cloned(),
        text("Nhà văn hoá")
    );
    assert!(!stored.answers.contains_key("home"));
    assert!(
        matches!(stored.answers.get("visit_day"), Some(AnswerValue::Date(_))),
        "the default day is stored: {:?}",
        stored.answers
    );

    // And in the town hall's export.
    let csv = String::from_utf8(
        download_as_city_officer(
            &page,
            "/api/v1/export/responses.csv?survey=household-one-language",
        )
        .await?,
    )?;
    for expected in ["0912345678", "Nhà văn hoá", "LT", "other"] {
        assert!(csv.contains(expected), "{expected} in the CSV:\n{csv}");
    }

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
