//! One child's answers taken offline in a real browser reach the server
//! exactly once.
//!
//! The app is the release build in `THAMGIA_DIST` (built by `cargo xtask
//! test`), served by the real server on a real SQLite file. "Offline" is
//! real: the browser's network is emulated offline *and* the server is
//! stopped, so neither the page nor its service worker can reach it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
#[allow(deprecated)]
use chromiumoxide::cdp::browser_protocol::network::EmulateNetworkConditionsParams;
use chromiumoxide::cdp::browser_protocol::target::SetAutoAttachParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use thamgia_core::{AgeBand, AnswerValue, QuestionKind, ResponseStatus, Sex};
use thamgia_server::{seed, Database, ServerConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(60);

struct RunningServer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    database: Database,
}

async fn start_server(
    config: &ServerConfig,
    address: SocketAddr,
) -> Result<(RunningServer, SocketAddr)> {
    let state = thamgia_server::prepare(config).await?;
    let database = state.database.clone();
    let router = thamgia_server::app(state, &config.static_dir);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address}"))?;
    let bound = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(thamgia_server::serve(listener, router, async {
        stopped.await.ok();
    }));
    Ok((
        RunningServer {
            stop,
            task,
            database,
        },
        bound,
    ))
}

impl RunningServer {
    async fn stop(self) -> Result<()> {
        self.stop.send(()).ok();
        let abort = self.task.abort_handle();
        match tokio::time::timeout(Duration::from_secs(10), self.task).await {
            Ok(joined) => joined??,
            // Connections kept alive by the browser may hold a graceful stop;
            // the test needs the port closed, not politeness.
            Err(_) => abort.abort(),
        }
        self.database.close().await;
        Ok(())
    }
}

fn dist_dir() -> Result<PathBuf> {
    let Some(dist) = std::env::var_os("THAMGIA_DIST") else {
        bail!("THAMGIA_DIST is not set: run `cargo xtask test`, which builds the app first");
    };
    let dist = PathBuf::from(dist);
    if !dist.join("index.html").exists() {
        bail!(
            "{} has no index.html: run `cargo xtask build`",
            dist.display()
        );
    }
    Ok(dist)
}

async fn launch_browser(profile: &std::path::Path) -> Result<(Browser, JoinHandle<()>)> {
    let chromium =
        std::env::var("THAMGIA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let config = BrowserConfig::builder()
        .chrome_executable(chromium)
        .user_data_dir(profile)
        .no_sandbox()
        .new_headless_mode()
        .window_size(1280, 800)
        .viewport(None)
        .request_timeout(Duration::from_secs(30))
        .args([
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ])
        .build()
        .map_err(|error| anyhow::anyhow!("browser config: {error}"))?;
    let (browser, mut handler) = Browser::launch(config)
        .await
        .context("launching Chromium")?;
    let events = tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            if let Err(error) = event {
                eprintln!("chromium event: {error}");
            }
        }
    });
    Ok((browser, events))
}

async fn js<T: serde::de::DeserializeOwned>(page: &Page, expression: &str) -> Result<T> {
    let result = page
        .evaluate(expression)
        .await
        .with_context(|| format!("evaluating {expression}"))?;
    result
        .into_value()
        .with_context(|| format!("reading the value of {expression}"))
}

/// Waits until `expression` is truthy.
async fn wait_for(page: &Page, what: &str, expression: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let truthy: bool = js(page, &format!("!!({expression})"))
            .await
            .unwrap_or(false);
        if truthy {
            return Ok(());
        }
        if started.elapsed() > WAIT {
            let body: String = js(page, "document.body ? document.body.innerText : ''")
                .await
                .unwrap_or_default();
            bail!("timed out waiting for {what} ({expression}); the page shows:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

fn selector_literal(selector: &str) -> String {
    serde_json::to_string(selector).unwrap_or_default()
}

async fn click(page: &Page, selector: &str) -> Result<()> {
    wait_for(
        page,
        selector,
        &format!("document.querySelector({})", selector_literal(selector)),
    )
    .await?;
    let clicked: bool = js(
        page,
        &format!("(() => {{ const e = document.querySelector({}); if (!e || e.disabled) return false; e.click(); return true; }})()", selector_literal(selector)),
    )
    .await?;
    if !clicked {
        bail!("{selector} could not be clicked");
    }
    Ok(())
}

/// Types like an on-screen keyboard would: focus, then insert the text.
async fn type_into(page: &Page, selector: &str, text: &str) -> Result<()> {
    wait_for(
        page,
        selector,
        &format!("document.querySelector({})", selector_literal(selector)),
    )
    .await?;
    let focused: bool = js(
        page,
        &format!("(() => {{ const e = document.querySelector({}); e.focus(); return document.activeElement === e; }})()", selector_literal(selector)),
    )
    .await?;
    if !focused {
        bail!("{selector} could not be focused");
    }
    page.execute(InsertTextParams::new(text))
        .await
        .context("inserting text")?;
    Ok(())
}

async fn text_of(page: &Page, selector: &str) -> Result<String> {
    js(
        page,
        &format!(
            "(document.querySelector({}) || {{}}).textContent || ''",
            selector_literal(selector)
        ),
    )
    .await
}

async fn set_offline(page: &Page, offline: bool) -> Result<()> {
    // Requests fail, and `navigator.onLine` with its events follows. The
    // command is marked deprecated in favour of a pair of newer ones, but it
    // is the one this Chromium accepts without a rule list.
    #[allow(deprecated)]
    let offline_conditions = EmulateNetworkConditionsParams::new(offline, 0.0, -1.0, -1.0);
    page.execute(offline_conditions)
        .await
        .context("emulating network conditions")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_taken_offline_reaches_the_server_exactly_once() -> Result<()> {
    let dist = dist_dir()?;
    let workspace = tempfile::tempdir()?;
    let config = ServerConfig {
        database_path: workspace.path().join("data").join("e2e.sqlite3"),
        static_dir: dist,
        seed_demo: true,
    };
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (mut browser, events) = launch_browser(&workspace.path().join("profile")).await?;

    let page = browser
        .new_page("about:blank")
        .await
        .context("opening a page")?;
    // Without this, service workers start paused under the debugger and
    // `register()` never resolves.
    page.execute(SetAutoAttachParams::new(false, false))
        .await
        .context("turning auto-attach off")?;
    page.goto(url.as_str()).await.context("opening the app")?;

    // First visit, online: choose the ward once; the survey arrives by sync.
    type_into(&page, "[data-test=ward-search]", "ba dinh").await?;
    click(&page, "[data-test=ward-option][data-code='00004']").await?;
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

    // A child answers the seeded survey.
    click(&page, "[data-test=start-survey]").await?;
    click(&page, "[data-test=age-bands] button[data-value='10-12']").await?;
    click(&page, "[data-test=sex] button[data-value=Female]").await?;
    click(&page, "[data-test=child-assent]").await?;
    click(&page, "[data-test=guardian-consent]").await?;
    wait_for(
        &page,
        "the questions",
        "document.querySelector('[data-test=questions]')",
    )
    .await?;

    let survey = seed::demo_survey()?;
    let mut expected: BTreeMap<String, AnswerValue> = BTreeMap::new();
    for (index, question) in survey.questions.iter().enumerate() {
        let scope = format!("[data-question={}]", question.id);
        let answer = match &question.kind {
            QuestionKind::Smiley { points } => {
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
                let yes = index.is_multiple_of(2);
                click(&page, &format!("{scope} button[data-value='{yes}']")).await?;
                AnswerValue::YesNo(yes)
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
        };
        expected.insert(question.id.clone(), answer);
    }
    wait_for(
        &page,
        "the last answer saved",
        "(document.querySelector('[data-test=save-state]') || {}).textContent.startsWith('✓')",
    )
    .await?;
    let fill_url: String = js(&page, "location.href").await?;

    // A reload, still offline: every answer is still there.
    page.reload().await?;
    wait_for(
        &page,
        "the draft reloaded",
        "document.querySelector('[data-test=questions]')",
    )
    .await?;
    for (question_id, answer) in &expected {
        let scope = format!("[data-question={question_id}]");
        match answer {
            AnswerValue::Smiley(face) => {
                wait_for(&page, question_id, &format!("document.querySelector(\"{scope} button[data-value='{face}'][aria-pressed=true]\")")).await?
            }
            AnswerValue::Choice(value) => {
                wait_for(&page, question_id, &format!("document.querySelector(\"{scope} button[data-value='{value}'][aria-pressed=true]\")")).await?
            }
            AnswerValue::YesNo(yes) => {
                wait_for(&page, question_id, &format!("document.querySelector(\"{scope} button[data-value='{yes}'][aria-pressed=true]\")")).await?
            }
            AnswerValue::Number(_) => {
                let value: String = js(&page, &format!("document.querySelector(\"{scope} input\").value")).await?;
                assert_eq!(value, "15", "{question_id} kept its number");
            }
            AnswerValue::Text(text) => {
                let value: String = js(&page, &format!("document.querySelector(\"{scope} textarea\").value")).await?;
                assert_eq!(&value, text, "{question_id} kept its text");
            }
        }
    }
    assert_eq!(js::<String>(&page, "location.href").await?, fill_url);

    // Completed: waiting to be sent.
    click(&page, "[data-test=complete]").await?;
    wait_for(
        &page,
        "one response waiting",
        "(document.querySelector('[data-test=count-waiting]') || {}).textContent === '1'",
    )
    .await?;

    // The network comes back and the worker syncs.
    let (server, _) = start_server(&config, address).await?;
    set_offline(&page, false).await?;
    click(&page, "[data-test=sync-now]").await?;
    wait_for(
        &page,
        "the response synced",
        "(document.querySelector('[data-test=count-synced]') || {}).textContent === '1'",
    )
    .await?;
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
    assert!(stored.consent.child_assent && stored.consent.guardian_consent);
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
