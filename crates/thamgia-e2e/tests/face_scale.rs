//! A face scale a child can answer honestly: on the demo survey's first
//! question ("how safe do you feel at school?") a 10–12-year-old sees
//! faces from a clear frown, named "very unsafe", to a broad smile, named
//! "very safe"; a 13–15-year-old answers the same points in words.

use anyhow::Result;
use thamgia_e2e::{
    click, current_question, dist_dir, js, launch_browser, open_app, sign_in, start_server,
    wait_for, DEMO_PASSWORD,
};
use thamgia_server::ServerConfig;

/// Starts the demo survey for a girl of `age_band`, consents given, and
/// waits for its first question.
async fn start_as(page: &chromiumoxide::Page, age_band: &str) -> Result<()> {
    click(page, "a[href='/']").await?;
    click(page, "[data-test=start-survey]").await?;
    click(
        page,
        &format!("[data-test=age-bands] button[data-value='{age_band}']"),
    )
    .await?;
    click(page, "[data-test=sex] button[data-value=Female]").await?;
    click(page, "[data-test=child-assent] button[data-value=verbal]").await?;
    click(
        page,
        "[data-test=guardian-consent] button[data-value=written]",
    )
    .await?;
    click(page, "[data-test=next]").await?;
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
    let config = ServerConfig {
        database_path: workspace.path().join("data").join("e2e.sqlite3"),
        database_url: None,
        static_dir: dist_dir()?,
        seed_demo: true,
    };
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    sign_in(&page, "badinh", DEMO_PASSWORD).await?;
    wait_for(
        &page,
        "the seeded survey",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    // In English, so the words are checked against the survey's English.
    click(&page, "[data-test=lang-en]").await?;

    start_as(&page, "10-12").await?;
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
    assert_eq!(faces.len(), 5, "{faces:?}");
    let (first_label, first_mouth) = faces[0].split_once('|').unwrap_or_default();
    let (last_label, last_mouth) = faces[4].split_once('|').unwrap_or_default();
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

    thamgia_e2e::close_browser(browser, events).await?;
    server.stop().await
}
