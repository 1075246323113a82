//! A rating imported from XLSForm (`range`, 1 to 5 stars, in the forum
//! feedback form the server's import tests read with pyxform too) offers
//! "Em không biết / Em không muốn nói — I don't know / I'd rather not
//! say": a child who picks it has answered the required question, the
//! review says so in words, and the town hall stores it as rating 0, apart
//! from the points.

use std::path::Path;

use anyhow::{bail, Result};
use thamgia_core::AnswerValue;
use thamgia_e2e::*;

/// Whether `selector` matches something on the page.
async fn shown(page: &chromiumoxide::Page, selector: &str) -> Result<bool> {
    js(
        page,
        &format!("!!document.querySelector({})", selector_literal(selector)),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_may_answer_an_imported_rating_with_i_dont_know() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;
    accept_confirmations(&page).await?;

    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../thamgia-server/tests/xlsform/forum-feedback.xlsx");
    publish_xlsform(&page, &fixture).await?;
    let start = receive_then_go_offline(&page, server, "forum_feedback").await?;
    start_response(&page, &start, "13-15", "Male").await?;

    let mut screens = 0;
    while let Some(question) = current_question(&page).await? {
        screens += 1;
        if screens > 12 {
            bail!("the form does not end: still at {question}");
        }
        let enjoyment = "[data-test=questions] [data-question=enjoyment]";
        if shown(&page, enjoyment).await? {
            let stars: u32 = js(
                &page,
                "document.querySelectorAll('[data-question=enjoyment] button').length",
            )
            .await?;
            assert_eq!(stars, 6, "five stars and \"I don't know\"");
            let dont_know = format!("{enjoyment} button[data-value='0']");
            let words = text_of(&page, &dont_know).await?;
            assert!(words.contains("Em không biết"), "{words}");
            click(&page, &dont_know).await?;
        }
        for choice in ["feel_heard", "send_to", "want_answer"] {
            let first = format!("[data-test=questions] [data-question={choice}] button");
            if shown(&page, &first).await? {
                click(&page, &first).await?;
            }
        }
        let text = "[data-test=questions] [data-question=recommendation_text] textarea";
        if shown(&page, text).await? {
            type_into(&page, text, "Thêm sân chơi có bóng mát").await?;
        }
        // A required question left as it was would keep this screen.
        next_screen(&page, &question).await?;
    }
    let review = text_of(&page, "[data-test=review]").await?;
    assert!(review.contains("Em không biết"), "{review}");
    click(&page, "[data-test=complete]").await?;
    wait_for_count(&page, "waiting", 1).await?;

    let (server, stored) = sync_the_one_response(&page, &config, address).await?;
    assert_eq!(stored.survey_id, "forum_feedback");
    assert_eq!(
        stored.answers.get("enjoyment"),
        Some(&AnswerValue::Rating(0)),
        "{:?}",
        stored.answers
    );

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}
