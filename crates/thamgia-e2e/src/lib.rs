//! End-to-end tests of Tham Gia live in `tests/`: the built app in headless
//! Chromium, driven from Rust, against the real server on a real SQLite file.
//! This library holds what the tests and the browser bench share: starting
//! the server in-process, launching Chromium, and small page helpers, which
//! drive any [`Ui`]: Chromium's pages, and Firefox or WebKit through
//! [`webdriver`]; and [`proxy`], a proxy that can freeze the link between
//! them.

pub mod downloads;
pub mod flows;
pub mod proxy;
pub mod ui;
pub mod webdriver;

pub use downloads::{download_as, download_as_city_officer};
pub use flows::{
    publish_xlsform, receive_then_go_offline, refused_for_its_sender, sync_the_one_response,
    upload_xlsform,
};
pub use ui::Ui;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
#[allow(deprecated)]
use chromiumoxide::cdp::browser_protocol::network::EmulateNetworkConditionsParams;
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use chromiumoxide::cdp::browser_protocol::target::SetAutoAttachParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use thamgia_server::{Database, ServerConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long any wait lasts before the test fails.
pub const WAIT: Duration = Duration::from_secs(60);

/// The real server, running in this process on a loopback port.
pub struct RunningServer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    /// Its store, to check what it holds.
    pub database: Database,
}

pub async fn start_server(
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
    /// The one response the server holds; an error when it holds none or
    /// more than one.
    pub async fn only_response(&self) -> Result<thamgia_core::Response> {
        let ids = self.database.response_ids().await?;
        let [id] = ids.as_slice() else {
            bail!("expected exactly one response, found {}", ids.len());
        };
        Ok(self
            .database
            .response(*id)
            .await?
            .context("the response listed is stored")?
            .response)
    }

    /// Stops the server and waits (at most 10 s) for it to close its port.
    pub async fn stop(self) -> Result<()> {
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

/// Copies a folder (a build, to serve a changed copy of it) with everything in it.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

pub fn dist_dir() -> Result<PathBuf> {
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

pub async fn launch_browser(profile: &std::path::Path) -> Result<(Browser, JoinHandle<()>)> {
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

pub async fn js<T: serde::de::DeserializeOwned>(page: &impl Ui, expression: &str) -> Result<T> {
    let value = page.evaluate(expression).await?;
    serde_json::from_value(value).with_context(|| format!("reading the value of {expression}"))
}

/// Waits until `expression` is truthy.
pub async fn wait_for(page: &impl Ui, what: &str, expression: &str) -> Result<()> {
    wait_within(page, what, expression, WAIT).await.map(|_| ())
}

/// Waits at most `limit` until `expression` is truthy, and says how long
/// it took.
pub async fn wait_within(
    page: &impl Ui,
    what: &str,
    expression: &str,
    limit: Duration,
) -> Result<Duration> {
    let started = Instant::now();
    loop {
        let truthy: bool = js(page, &format!("!!({expression})"))
            .await
            .unwrap_or(false);
        if truthy {
            return Ok(started.elapsed());
        }
        if started.elapsed() > limit {
            let body: String = js(page, "document.body ? document.body.innerText : ''")
                .await
                .unwrap_or_default();
            bail!("timed out waiting for {what} ({expression}) after {limit:?}; the page shows:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

pub fn selector_literal(selector: &str) -> String {
    serde_json::to_string(selector).unwrap_or_default()
}

pub async fn click(page: &impl Ui, selector: &str) -> Result<()> {
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
pub async fn type_into(page: &impl Ui, selector: &str, text: &str) -> Result<()> {
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
    page.insert_text(text).await
}

pub async fn text_of(page: &impl Ui, selector: &str) -> Result<String> {
    js(
        page,
        &format!(
            "(document.querySelector({}) || {{}}).textContent || ''",
            selector_literal(selector)
        ),
    )
    .await
}

/// The question on the current screen, or `None` on the review screen.
pub async fn current_question(page: &impl Ui) -> Result<Option<String>> {
    wait_for(
        page,
        "a question or the review",
        "document.querySelector('[data-test=review]') || document.querySelector('[data-test=questions] [data-question]')",
    )
    .await?;
    // CDP gives no value for `null`: the review is an empty name.
    let name: String = js(
        page,
        "document.querySelector('[data-test=review]') ? '' : document.querySelector('[data-test=questions] [data-question]').dataset.question",
    )
    .await?;
    Ok((!name.is_empty()).then_some(name))
}

/// Presses "next" and waits until the screen has changed.
pub async fn next_screen(page: &impl Ui, from: &str) -> Result<()> {
    click(page, "[data-test=next]").await?;
    wait_for(
        page,
        "the next screen",
        &format!(
            "document.querySelector('[data-test=review]') || ((document.querySelector('[data-test=questions] [data-question]') || {{dataset: {{}}}}).dataset.question !== {})",
            selector_literal(from)
        ),
    )
    .await
}

pub async fn set_offline(page: &Page, offline: bool) -> Result<()> {
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

/// Opens `url` in a new page, with the service-worker fix: without turning
/// auto-attach off first, service workers start paused under the debugger
/// and `register()` never resolves.
pub async fn open_app(browser: &Browser, url: &str) -> Result<Page> {
    let page = browser
        .new_page("about:blank")
        .await
        .context("opening a page")?;
    page.execute(SetAutoAttachParams::new(false, false))
        .await
        .context("turning auto-attach off")?;
    // Every document of the page records what the Content-Security-Policy
    // blocks, from before the app's first script (see `csp_violations`),
    // and each figure the loading line shows (see `loading_figures`).
    page.execute(AddScriptToEvaluateOnNewDocumentParams::new(
        "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', \
         (event) => window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI)); \
         window.__loadingFigures = []; new MutationObserver(() => { \
           const figure = document.getElementById('app-loading-figure'); \
           const seen = window.__loadingFigures; \
           if (figure && figure.textContent && seen[seen.length - 1] !== figure.textContent) seen.push(figure.textContent); \
         }).observe(document, { subtree: true, childList: true, characterData: true });",
    ))
    .await
    .context("listening for CSP violations")?;
    page.goto(url).await.context("opening the app")?;
    Ok(page)
}

/// Each figure (" %" or " MB") the page's loading line showed while the
/// app arrived, in order.
pub async fn loading_figures(page: &impl Ui) -> Result<Vec<String>> {
    js(page, "window.__loadingFigures || []").await
}

/// What the server's Content-Security-Policy blocked in the page's current
/// document (directive and blocked address), since it was loaded.
pub async fn csp_violations(page: &impl Ui) -> Result<Vec<String>> {
    js(
        page,
        "window.__cspViolations || ['the listener is missing']",
    )
    .await
}

/// Replaces what an input holds, as a person selecting it all and typing would.
pub async fn replace_text(page: &impl Ui, selector: &str, text: &str) -> Result<()> {
    wait_for(
        page,
        selector,
        &format!("document.querySelector({})", selector_literal(selector)),
    )
    .await?;
    js::<bool>(
        page,
        &format!("(() => {{ const e = document.querySelector({}); e.focus(); e.select(); return true; }})()", selector_literal(selector)),
    )
    .await?;
    page.insert_text(text).await
}

/// Puts a file in a file input, as the file picker would. The bytes are
/// handed to the page (a `File` in a `DataTransfer`): headless Chromium here
/// refuses to read files chosen through `DOM.setFileInputFiles`
/// (NotReadableError), while the app's code path — reading the chosen
/// `File` — is the same either way.
pub async fn choose_file(page: &impl Ui, selector: &str, path: &std::path::Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let script = format!(
        "(() => {{ const input = document.querySelector({}); const file = new File([new Uint8Array({})], {}); const transfer = new DataTransfer(); transfer.items.add(file); input.files = transfer.files; input.dispatchEvent(new Event('change', {{ bubbles: true }})); return input.files.length === 1; }})()",
        selector_literal(selector),
        serde_json::to_string(&bytes)?,
        serde_json::to_string(&name)?,
    );
    let chosen: bool = js(page, &script).await?;
    if !chosen {
        bail!("{selector} did not take the file");
    }
    Ok(())
}

/// Makes `window.confirm` answer yes, as a worker pressing "OK" would.
pub async fn accept_confirmations(page: &impl Ui) -> Result<()> {
    js::<bool>(
        page,
        "(() => { window.confirm = () => true; return true; })()",
    )
    .await?;
    Ok(())
}

/// A server configuration on a fresh SQLite file in `workspace`, serving the
/// built app, with the demo survey.
pub fn test_config(workspace: &std::path::Path) -> Result<ServerConfig> {
    Ok(ServerConfig {
        database_path: workspace.join("e2e.sqlite3"),
        database_url: None,
        static_dir: dist_dir()?,
        seed_demo: true,
        metrics: Default::default(),
    })
}

/// The password of every demo account (`badinh`, a collector in Phường Ba
/// Đình; `badinh.canbo`, its ward officer; `thanhpho`, a city officer).
pub const DEMO_PASSWORD: &str = "thamgia-demo";

/// Signs in on the sign-in page as `username` (replacing whatever the form
/// holds) and waits for the home page of that account.
pub async fn sign_in(page: &impl Ui, username: &str, password: &str) -> Result<()> {
    wait_for(
        page,
        "the sign-in page",
        "document.querySelector('[data-test=login-username]')",
    )
    .await?;
    replace_text(page, "[data-test=login-username]", username).await?;
    replace_text(page, "[data-test=login-password]", password).await?;
    click(page, "[data-test=login-submit]").await?;
    let signed_in = format!("[data-test=signed-in][data-username='{username}']");
    wait_for(
        page,
        &format!("signed in as {username}"),
        &format!("document.querySelector({})", selector_literal(&signed_in)),
    )
    .await?;
    click(page, "a[href='/']").await?;
    wait_for(
        page,
        "the home page",
        "document.querySelector('[data-test=count-waiting]')",
    )
    .await
}

/// On the sign-in page, as a worker meets it on a tablet's first visit:
/// waits for it, switches to English and back, fills in `username` and
/// `password` and sends the form (what it leads to is the caller's to wait for).
pub async fn send_the_sign_in_form(page: &impl Ui, username: &str, password: &str) -> Result<()> {
    wait_for(
        page,
        "the sign-in page",
        "document.querySelector('[data-test=login-username]')",
    )
    .await?;
    click(page, "[data-test=lang-en]").await?;
    click(page, "[data-test=lang-vi]").await?;
    replace_text(page, "[data-test=login-username]", username).await?;
    replace_text(page, "[data-test=login-password]", password).await?;
    click(page, "[data-test=login-submit]").await
}

/// Signs out and waits for the sign-in page. When records wait to be sent
/// the app asks first (`window.confirm`): answer it beforehand, with
/// [`accept_confirmations`] say, or sync first.
pub async fn sign_out(page: &impl Ui) -> Result<()> {
    click(page, "[data-test=sign-out]").await?;
    wait_for(
        page,
        "the sign-in page",
        "document.querySelector('[data-test=login-username]')",
    )
    .await
}

/// Opens the town hall app from the tablet app's navigation (a city
/// officer's link; a full page load, since it is another bundle) and waits
/// for its navigation.
pub async fn open_townhall(page: &impl Ui) -> Result<()> {
    click(page, "[data-test=to-townhall]").await?;
    wait_for(
        page,
        "the town hall app",
        "document.querySelector(\"nav a[href='/townhall/accounts']\")",
    )
    .await
}

/// Goes back from the town hall app to the tablet app (a full page load)
/// and waits for the tablet's navigation.
pub async fn open_tablet_app(page: &impl Ui) -> Result<()> {
    click(page, "[data-test=to-tablet-app]").await?;
    wait_for(
        page,
        "the tablet app",
        "document.querySelector(\"nav a[href='/responses']\")",
    )
    .await
}

/// On a tablet's first visit: signs in as `username` (a collector or ward
/// officer of Phường Ba Đình, 00004, whose ward comes with the account),
/// waits for the surveys to arrive by sync and for the service worker to be
/// active, so the app can be used offline from here on.
pub async fn first_visit_as(page: &impl Ui, username: &str) -> Result<()> {
    sign_in(page, username, DEMO_PASSWORD).await?;
    wait_for(
        page,
        "the ward of the account",
        "(document.querySelector('[data-test=current-ward]') || {}).textContent?.includes('Ba Đình')",
    )
    .await?;
    wait_for(
        page,
        "the surveys",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    let active: bool = js(
        page,
        "navigator.serviceWorker.ready.then(registration => !!registration.active)",
    )
    .await?;
    if !active {
        bail!("the service worker is not active after the first visit");
    }
    Ok(())
}

/// On a tablet's first visit: signs in as the collector `badinh`, whose
/// account works in Phường Ba Đình (00004); see [`first_visit_as`].
pub async fn first_visit_in_ba_dinh(page: &impl Ui) -> Result<()> {
    first_visit_as(page, "badinh").await
}

/// Closes a browser and stops listening to it.
pub async fn close_browser(mut browser: Browser, events: JoinHandle<()>) -> Result<()> {
    browser.close().await?;
    browser.wait().await?;
    events.abort();
    Ok(())
}

/// Waits until the home page's counter `name` (drafts, waiting, synced)
/// shows `expected`.
pub async fn wait_for_count(page: &impl Ui, name: &str, expected: u32) -> Result<()> {
    wait_for(
        page,
        &format!("{expected} {name}"),
        &format!("(document.querySelector('[data-test=count-{name}]') || {{}}).textContent === '{expected}'"),
    )
    .await
}

/// A JS function expression that gives the record an IndexedDB value holds:
/// the JSON under `$json` when the app stored the record as its JSON's
/// bytes (`storage/encoding.rs`), else the value itself (a plain object, as
/// earlier versions stored records).
pub const STORED_RECORD: &str = "((value) => value !== null && typeof value === 'object' && value['$json'] instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(value['$json'])) : value)";

/// A JS expression: the name of the IndexedDB database the app works in on
/// the page, that of the account last signed in (the app's preference
/// `thamgia.database`, as gloo-storage writes it: JSON), or the first one
/// when none is remembered (`thamgia_core::tablet_accounts`).
pub const APP_DATABASE: &str =
    "(JSON.parse(localStorage.getItem('thamgia.database') || 'null') || 'thamgia')";

/// The app's IndexedDB stores `names`, read straight from the browser, as
/// `{store: [[key, record], …]}`: what a test compares before and after.
/// A record stored as its JSON's bytes (under `$json`, beside the values the
/// store reads: the app's `storage/encoding.rs`) is given as that JSON, the
/// record itself; one stored as a plain object as it is.
pub async fn indexed_db_stores(page: &impl Ui, names: &[&str]) -> Result<serde_json::Value> {
    let names = serde_json::to_string(names)?;
    let text: String = js(
        page,
        &format!(
            r#"(async () => {{
            const database = await new Promise((resolve, reject) => {{
                const request = indexedDB.open({APP_DATABASE});
                request.onsuccess = () => resolve(request.result);
                request.onerror = () => reject(request.error);
            }});
            const all = (name) => new Promise((resolve, reject) => {{
                const transaction = database.transaction(name, 'readonly');
                const store = transaction.objectStore(name);
                const keys = store.getAllKeys();
                const values = store.getAll();
                transaction.oncomplete = () =>
                    resolve(keys.result.map((key, index) => [key, {STORED_RECORD}(values.result[index])]));
                transaction.onerror = () => reject(transaction.error);
            }});
            try {{
                const stores = {{}};
                for (const name of {names}) {{
                    stores[name] = await all(name);
                }}
                return JSON.stringify(stores);
            }} finally {{
                database.close();
            }}
        }})()"#
        ),
    )
    .await?;
    Ok(serde_json::from_str(&text)?)
}

/// From the home page: starts the first survey listed and chooses the
/// child's age band (10–12), and waits until that draft is saved.
pub async fn start_a_draft(page: &impl Ui) -> Result<()> {
    click(page, "[data-test=start-survey]").await?;
    click(page, "[data-test=age-bands] button[data-value='10-12']").await?;
    wait_for(
        page,
        "the draft saved",
        "(document.querySelector('[data-test=save-state]') || {}).textContent.startsWith('✓')",
    )
    .await
}

/// From the home page: starts the demo survey for a child of `age_band`
/// and `sex` (the values the start screen's buttons carry), records the
/// child's verbal assent and the guardian's written consent, and goes on to
/// the first question.
pub async fn start_demo_response(page: &impl Ui, age_band: &str, sex: &str) -> Result<()> {
    click(page, "a[href='/']").await?;
    start_response(page, "[data-test=start-survey]", age_band, sex).await
}

/// Presses `start` (a survey's start button) and fills the start screen as
/// [`start_demo_response`] does.
pub async fn start_response(page: &impl Ui, start: &str, age_band: &str, sex: &str) -> Result<()> {
    click(page, start).await?;
    click(
        page,
        &format!("[data-test=age-bands] button[data-value='{age_band}']"),
    )
    .await?;
    click(page, &format!("[data-test=sex] button[data-value={sex}]")).await?;
    click(page, "[data-test=child-assent] button[data-value=verbal]").await?;
    click(
        page,
        "[data-test=guardian-consent] button[data-value=written]",
    )
    .await?;
    click(page, "[data-test=next]").await
}

/// From the home page: starts the demo survey, records a 10–12-year-old
/// girl's assent and her guardian's written consent, answers every
/// question shown (varying the answers) and completes the response, which
/// then waits in the outbox.
pub async fn complete_demo_response(page: &impl Ui) -> Result<()> {
    use thamgia_core::QuestionKind;

    start_demo_response(page, "10-12", "Female").await?;
    let survey = thamgia_server::seed::demo_survey()?;
    let mut index = 0_usize;
    while let Some(question_id) = current_question(page).await? {
        let question = survey
            .question(&question_id)
            .with_context(|| format!("the app shows an unknown question {question_id}"))?;
        let scope = format!("[data-question={question_id}]");
        match &question.kind {
            QuestionKind::Smiley { points, .. } => {
                let face = 1 + (index as u8 % (*points).max(1));
                click(page, &format!("{scope} button[data-value='{face}']")).await?;
            }
            QuestionKind::SingleChoice { choices } if !choices.is_empty() => {
                let choice = &choices[index % choices.len()];
                click(
                    page,
                    &format!("{scope} button[data-value='{}']", choice.value),
                )
                .await?;
            }
            QuestionKind::YesNo => {
                click(page, &format!("{scope} button[data-value='true']")).await?;
            }
            QuestionKind::Number { .. } => {
                type_into(page, &format!("{scope} input"), "15").await?;
            }
            QuestionKind::ShortText { .. } => {
                let text = format!("Sân chơi cần thêm bóng mát, câu {index}");
                type_into(page, &format!("{scope} textarea"), &text).await?;
            }
            other => bail!("the demo survey has no {other:?} question"),
        }
        index += 1;
        next_screen(page, &question_id).await?;
    }
    click(page, "[data-test=complete]").await
}
