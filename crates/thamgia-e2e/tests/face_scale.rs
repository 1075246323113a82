//! A face scale a child can answer honestly: on the demo survey's first
//! question ("how safe do you feel at school?") a 10–12-year-old sees
//! faces from a clear frown, named "very unsafe", to a broad smile, named
//! "very safe", and "I don't know / I'd rather not say" beside them; a
//! 13–15-year-old answers the same points in words. And before that, the
//! start screen names exactly what is missing, marks it, and takes the
//! notice away once it is given; and after, the completed response's
//! notice says when it was sent and does not follow the worker.

use anyhow::Result;
use thamgia_e2e::{
    click, current_question, js, launch_browser, open_app, sign_in, start_server, wait_for,
    DEMO_PASSWORD,
};

/// Starts the demo survey for a girl of `age_band`, consents given, and
/// waits for its first question.
async fn start_as(page: &chromiumoxide::Page, age_band: &str) -> Result<()> {
    thamgia_e2e::start_demo_response(page, age_band, "Female").await?;
    wait_for(
        page,
        "the face scale",
        "document.querySelector('[data-question=feel_safe_at_school] [data-test=face-scale]')",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_can_say_they_do_not_feel_safe() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = thamgia_e2e::test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    sign_in(&page, "badinh", DEMO_PASSWORD).await?;
    // The first load was never a white page: the loading line counted the
    // app in, then went when the app came; and it broke no policy.
    let figures = thamgia_e2e::loading_figures(&page).await?;
    assert!(
        !figures.is_empty()
            && figures
                .iter()
                .all(|figure| figure.ends_with(" %") || figure.ends_with(" MB")),
        "the loading line showed progress: {figures:?}"
    );
    let gone: bool = js(&page, "!document.getElementById('app-loading')").await?;
    assert!(gone, "the loading line goes once the app is there");
    assert_eq!(
        thamgia_e2e::csp_violations(&page).await?,
        Vec::<String>::new()
    );
    wait_for(
        &page,
        "the seeded survey",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    // In English, so the words are checked against the survey's English.
    click(&page, "[data-test=lang-en]").await?;

    // The start screen, sex left out: it names sex and nothing else.
    click(&page, "a[href='/']").await?;
    click(&page, "[data-test=start-survey]").await?;
    click(&page, "[data-test=age-bands] button[data-value='10-12']").await?;
    click(&page, "[data-test=child-assent] button[data-value=verbal]").await?;
    click(
        &page,
        "[data-test=guardian-consent] button[data-value=written]",
    )
    .await?;
    click(&page, "[data-test=next]").await?;
    wait_for(
        &page,
        "the missing field named",
        "document.querySelector('[data-test=start-missing]')",
    )
    .await?;
    let message: String = js(
        &page,
        "document.querySelector('[data-test=start-missing]').textContent.trim()",
    )
    .await?;
    assert_eq!(message, "The questions appear once these are given: sex.");
    let marked: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[aria-invalid=true]')].map(group => group.dataset.test)",
    )
    .await?;
    assert_eq!(
        marked,
        vec!["sex".to_owned()],
        "only the missing field is marked"
    );
    let notice: bool = js(
        &page,
        "!!document.querySelector('[data-test=fix-before-next]')",
    )
    .await?;
    assert!(notice, "the worker is told to fix what is marked");
    click(&page, "[data-test=sex] button[data-value=Female]").await?;
    wait_for(
        &page,
        "the message, the mark and the notice gone",
        "!document.querySelector('[data-test=start-missing]') && !document.querySelector('[aria-invalid=true]') && !document.querySelector('[data-test=fix-before-next]')",
    )
    .await?;
    click(&page, "[data-test=next]").await?;
    wait_for(
        &page,
        "the face scale",
        "document.querySelector('[data-question=feel_safe_at_school] [data-test=face-scale]')",
    )
    .await?;
    assert_eq!(
        current_question(&page).await?.as_deref(),
        Some("feel_safe_at_school")
    );
    const SCALE: &str = "[data-question=feel_safe_at_school] [data-test=face-scale]";
    let faces: Vec<String> = js(
        &page,
        &format!(
            "[...document.querySelectorAll('{SCALE} button.smiley')].map(button => button.getAttribute('aria-label') + '|' + (button.querySelector('svg path:last-of-type') || {{ getAttribute: () => '' }}).getAttribute('d'))"
        ),
    )
    .await?;
    assert_eq!(faces.len(), 6, "five faces and \"I don't know\": {faces:?}");
    let (first_label, first_mouth) = faces[0].split_once('|').unwrap_or_default();
    let (last_label, last_mouth) = faces[4].split_once('|').unwrap_or_default();
    // And a way not to answer the scale: "I don't know / I'd rather not say".
    let unsure: String = js(
        &page,
        &format!("document.querySelector('{SCALE} button[data-value=\"0\"]').textContent.trim()"),
    )
    .await?;
    assert_eq!(unsure, "I don't know / I'd rather not say");
    assert_eq!(first_label, "Very unsafe");
    assert_eq!(last_label, "Very safe");
    // "M15 corners Q24 middle 33 corners": the first face's middle is above
    // its corners (a frown), the last one's below (a smile).
    let numbers = |path: &str| -> Vec<f64> {
        path.split(|character: char| !(character.is_ascii_digit() || character == '.'))
            .filter_map(|part| part.parse().ok())
            .collect()
    };
    let (frown, smile) = (numbers(first_mouth), numbers(last_mouth));
    assert!(frown[3] < frown[1], "the first face frowns: {first_mouth}");
    assert!(smile[3] > smile[1], "the last face smiles: {last_mouth}");

    // A 13–15-year-old answers the same points in words, no faces.
    start_as(&page, "13-15").await?;
    let drawn: usize = js(
        &page,
        &format!("document.querySelectorAll('{SCALE} svg').length"),
    )
    .await?;
    assert_eq!(drawn, 0, "no faces from 13");
    let words: String = js(
        &page,
        &format!("document.querySelector('{SCALE} button[data-value=\"1\"]').textContent.trim()"),
    )
    .await?;
    assert_eq!(words, "Very unsafe");
    click(&page, &format!("{SCALE} button[data-value='1']")).await?;
    let pressed: String = js(
        &page,
        &format!(
            "document.querySelector('{SCALE} button[data-value=\"1\"]').getAttribute('aria-pressed')"
        ),
    )
    .await?;
    assert_eq!(pressed, "true");

    // A response completed online: the notice says it is saved, then that
    // it was sent, and it stays on the home page it was given for.
    thamgia_e2e::complete_demo_response(&page).await?;
    wait_for(
        &page,
        "the notice saying the response was sent",
        "(document.querySelector('[data-test=notice][data-sent=true]') || {}).textContent?.includes('Completed and sent to the city.')",
    )
    .await?;
    click(&page, "a[href='/forums']").await?;
    wait_for(&page, "the forums page", "location.pathname === '/forums'").await?;
    let follows: bool = js(&page, "!!document.querySelector('[data-test=notice]')").await?;
    assert!(
        !follows,
        "the notice does not follow the worker to the forums"
    );
    click(&page, "a[href='/']").await?;
    wait_for(
        &page,
        "the home page",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    let back: bool = js(&page, "!!document.querySelector('[data-test=notice]')").await?;
    assert!(!back, "nor does it come back");

    thamgia_e2e::close_browser(browser, events).await?;
    server.stop().await
}
