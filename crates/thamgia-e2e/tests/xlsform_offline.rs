//! A city officer imports an XLSForm; a worker fills it offline with
//! relevance, constraints and a repeat, in both languages; it reaches the
//! server once; then consent is withdrawn and the answers are deleted on the
//! tablet and at the town hall.

use std::path::Path;

use anyhow::{bail, Result};
use thamgia_core::{AnswerValue, ResponseStatus};
use thamgia_e2e::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_xlsform_is_filled_offline_and_withdrawn_everywhere() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    accept_confirmations(&page).await?;

    // The city officer imports the form.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../thamgia-server/tests/xlsform/play-activities.xlsx");
    publish_xlsform(&page, &fixture).await?;
    let result = text_of(&page, "[data-test=import-result]").await?;
    assert!(
        result.contains("Vui chơi của em"),
        "the import says what was published: {result}"
    );

    // The city officer goes back to the tablet app and signs out; Ba Đình's
    // ward officer (who also records withdrawals of consent) signs in, and
    // the survey reaches the tablet; then the network goes away.
    open_tablet_app(&page).await?;
    sign_out(&page).await?;
    first_visit_as(&page, "badinh.canbo").await?;
    wait_for(
        &page,
        "the imported survey",
        "document.querySelector(\"[data-survey=play_activities] [data-test=start-survey]\")",
    )
    .await?;
    let worker_active: bool = js(
        &page,
        "navigator.serviceWorker.ready.then(registration => !!registration.active)",
    )
    .await?;
    assert!(worker_active);
    set_offline(&page, true).await?;
    server.stop().await?;
    page.reload().await?;
    accept_confirmations(&page).await?;

    click(
        &page,
        "[data-survey=play_activities] [data-test=start-survey]",
    )
    .await?;
    click(&page, "[data-test=age-bands] button[data-value='10-12']").await?;
    click(&page, "[data-test=sex] button[data-value=Male]").await?;
    click(&page, "[data-test=child-assent] button[data-value=verbal]").await?;
    click(
        &page,
        "[data-test=guardian-consent] button[data-value=verbal]",
    )
    .await?;
    click(&page, "[data-test=next]").await?;

    // The note, then the age: a constraint stops an impossible answer, in
    // Vietnamese and then in English.
    assert_eq!(current_question(&page).await?.as_deref(), Some("intro"));
    next_screen(&page, "intro").await?;
    assert_eq!(current_question(&page).await?.as_deref(), Some("age"));
    type_into(&page, "[data-question=age] input", "17").await?;
    click(&page, "[data-test=next]").await?;
    wait_for(
        &page,
        "the constraint message",
        "document.querySelector('[data-question=age] .field-error')",
    )
    .await?;
    assert_eq!(
        current_question(&page).await?.as_deref(),
        Some("age"),
        "the worker cannot go on"
    );
    let vietnamese_label = text_of(&page, "[data-question=age] legend").await?;
    assert!(
        vietnamese_label.contains("Em bao nhiêu tuổi?"),
        "{vietnamese_label}"
    );
    click(&page, "[data-test=lang-en]").await?;
    wait_for(&page, "the English label", "document.querySelector('[data-question=age] legend').textContent.includes('How old are you?')").await?;
    replace_text(&page, "[data-question=age] input", "11").await?;
    next_screen(&page, "age").await?;

    type_into(&page, "[data-question=free_hours] input", "3").await?;
    next_screen(&page, "free_hours").await?;

    // The playground group is a `field-list`: one page. Relevance: the
    // distance appears on it only once there is a playground.
    let distance_shown =
        "!!document.querySelector('[data-test=questions] [data-question=playground_distance]')";
    let shown: bool = js(&page, distance_shown).await?;
    assert!(!shown, "the distance is not asked before the playground");
    click(
        &page,
        "[data-question=has_playground] button[data-value=yes]",
    )
    .await?;
    wait_for(&page, "the distance on the same page", distance_shown).await?;
    click(
        &page,
        "[data-question=playground_distance] button[data-value=under_5]",
    )
    .await?;
    next_screen(&page, "has_playground").await?;

    // The repeat: two activities, the first with a broken constraint fixed,
    // and a question that appears only for "somewhere else".
    click(&page, "[data-test=add-instance]").await?;
    click(&page, "[data-test=add-instance]").await?;
    let first = "[data-repeat=activity] [data-instance='0']";
    let second = "[data-repeat=activity] [data-instance='1']";
    type_into(
        &page,
        &format!("{first} [data-question=activity_name] textarea"),
        "Đá cầu",
    )
    .await?;
    type_into(&page, &format!("{first} [data-question=days] input"), "9").await?;
    wait_for(
        &page,
        "the days constraint",
        &format!("document.querySelector(\"{first} [data-question=days] .field-error\")"),
    )
    .await?;
    let message = text_of(&page, &format!("{first} [data-question=days] .field-error")).await?;
    assert!(message.contains("between 1 and 7"), "{message}");
    replace_text(&page, &format!("{first} [data-question=days] input"), "3").await?;
    click(
        &page,
        &format!("{first} [data-question=place] button[data-value=other]"),
    )
    .await?;
    type_into(
        &page,
        &format!("{first} [data-question=place_other] textarea"),
        "Sân đình",
    )
    .await?;
    type_into(
        &page,
        &format!("{second} [data-question=activity_name] textarea"),
        "Nhảy dây",
    )
    .await?;
    type_into(&page, &format!("{second} [data-question=days] input"), "2").await?;
    click(
        &page,
        &format!("{second} [data-question=place] button[data-value=school]"),
    )
    .await?;
    let other_in_second: bool = js(
        &page,
        &format!("!!document.querySelector(\"{second} [data-question=place_other]\")"),
    )
    .await?;
    assert!(
        !other_in_second,
        "place_other is asked only where place is 'other'"
    );
    click(&page, "[data-test=next]").await?;

    // The closing note quotes a calculation.
    wait_for(
        &page,
        "the summary",
        "document.querySelector('[data-question=summary]')",
    )
    .await?;
    let summary = text_of(&page, "[data-question=summary] legend").await?;
    assert!(
        summary.contains("You have about 21 free hours a week"),
        "{summary}"
    );
    next_screen(&page, "summary").await?;
    if current_question(&page).await?.is_some() {
        bail!("expected the review screen");
    }
    click(&page, "[data-test=complete]").await?;
    wait_for_count(&page, "waiting", 1).await?;

    // Back online: it reaches the server once, with both activities.
    let (server, stored) = sync_the_one_response(&page, &config, address).await?;
    assert_eq!(stored.survey_id, "play_activities");
    assert_eq!(stored.status, ResponseStatus::Completed);
    assert_eq!(stored.answers.get("age"), Some(&AnswerValue::Number(11.0)));
    assert_eq!(
        stored.answers.get("free_hours_week"),
        Some(&AnswerValue::Number(21.0)),
        "calculations are stored"
    );
    let Some(AnswerValue::Repeat(activities)) = stored.answers.get("activity") else {
        bail!("no activities stored: {:?}", stored.answers);
    };
    assert_eq!(activities.len(), 2);
    assert_eq!(activities[0].get("days"), Some(&AnswerValue::Number(3.0)));
    assert_eq!(
        activities[0].get("place_other"),
        Some(&AnswerValue::Text("Sân đình".to_owned()))
    );
    assert_eq!(
        activities[1].get("activity_name"),
        Some(&AnswerValue::Text("Nhảy dây".to_owned()))
    );
    assert_eq!(activities[1].get("place_other"), None);

    // The guardian withdraws consent: deleted on the tablet and at the town hall.
    click(&page, "a[href='/responses']").await?;
    click(&page, "[data-test=withdraw]").await?;
    click(&page, "[data-test=sync-now]").await?;
    let response_id = stored.id;
    let started = std::time::Instant::now();
    while !server.database.is_withdrawn(response_id).await? {
        if started.elapsed() > thamgia_e2e::WAIT {
            bail!("the withdrawal did not reach the server");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        server.database.response_count().await?,
        0,
        "the answers are gone from the server"
    );
    let left_on_tablet: String = js(
        &page,
        &format!("new Promise((resolve, reject) => {{ const open = indexedDB.open({APP_DATABASE}); open.onerror = () => reject(open.error); open.onsuccess = () => {{ const request = open.result.transaction('responses').objectStore('responses').getAll(); request.onsuccess = () => resolve(JSON.stringify(request.result.map({STORED_RECORD}))); request.onerror = () => reject(request.error); }}; }})"),
    )
    .await?;
    assert!(
        !left_on_tablet.contains("Đá cầu") && !left_on_tablet.contains("Sân đình"),
        "no answer is left on the tablet: {left_on_tablet}"
    );

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
