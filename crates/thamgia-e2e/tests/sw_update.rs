//! A new release of the app (a new service worker and a new index.html)
//! never makes saved records or cached surveys unreachable.
//!
//! The server serves a copy of the build in `THAMGIA_DIST`. After a first
//! visit and a draft saved offline, the copy is changed as a new release
//! would be: index.html gets new content (so a new shell is cached) and
//! sw.js a new `WORKER_VERSION` (so the browser installs a new worker).
//! The page reloads; once the new worker controls it and the old shell is
//! gone, the draft and the survey are still there, online and then offline
//! with the server stopped, served by the new shell.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chromiumoxide::Page;
use serde_json::Value;
use thamgia_e2e::{
    click, close_browser, copy_dir, dist_dir, first_visit_in_ba_dinh, indexed_db_stores, js,
    launch_browser, open_app, set_offline, start_server, test_config, wait_for, wait_for_count,
    WAIT,
};

/// The worker version the changed build carries.
const NEW_WORKER: &str = "thamgia-sw-e2e-update";
/// The marker the changed index.html carries.
const NEW_RELEASE_META: &str = r#"<meta name="thamgia-release" content="e2e-update" />"#;
/// The prefix of the service worker's shell caches.
const SHELL_PREFIX: &str = "thamgia-shell-";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_worker_update_keeps_saved_records_and_surveys() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let served = workspace.path().join("dist");
    copy_dir(&dist_dir()?, &served)?;
    let old_worker = worker_version_in(&served.join("sw.js"))?;
    let mut config = test_config(workspace.path())?;
    config.static_dir = served.clone();
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;

    // First visit: signed in, the survey arrived, the worker is active.
    first_visit_in_ba_dinh(&page).await?;
    let first = wait_for_worker(&page, &old_worker).await?;
    assert_eq!(
        shell_caches(&page).await?,
        vec![format!("{SHELL_PREFIX}{}", first.shell)],
        "one complete shell after the first visit"
    );

    // Offline, a child's answers begin: a draft is saved on the tablet.
    set_offline(&page, true).await?;
    click(&page, "[data-test=start-survey]").await?;
    click(&page, "[data-test=age-bands] button[data-value='10-12']").await?;
    click(&page, "[data-test=sex] button[data-value=Female]").await?;
    wait_for(
        &page,
        "the draft saved",
        "(document.querySelector('[data-test=save-state]') || {}).textContent.startsWith('✓')",
    )
    .await?;
    let path: String = js(&page, "location.pathname").await?;
    let draft_id = path
        .strip_prefix("/fill/")
        .with_context(|| format!("the fill page's address is {path}"))?
        .to_owned();
    click(&page, "a[href='/']").await?;
    wait_for_count(&page, "drafts", 1).await?;
    let before = indexed_db_stores(&page, &["responses", "surveys"]).await?;
    let draft_before = record(&before, "responses", &draft_id)?;
    let surveys_before = store(&before, "surveys")?;
    if surveys_before.is_empty() {
        bail!("no survey stored before the update");
    }

    // A new release reaches the server: a changed index.html and a worker
    // with a new version.
    let index = served.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    if !html.contains("</head>") {
        bail!("the build's index.html has no </head>");
    }
    std::fs::write(
        &index,
        html.replacen("</head>", &format!("{NEW_RELEASE_META}</head>"), 1),
    )?;
    let worker_file = served.join("sw.js");
    let worker_text = std::fs::read_to_string(&worker_file)?;
    let version = worker_version_at(&worker_file, &worker_text)?;
    std::fs::write(
        &worker_file,
        format!(
            "{}{NEW_WORKER}{}",
            &worker_text[..version.start],
            &worker_text[version.end..]
        ),
    )?;
    assert_eq!(worker_version_in(&worker_file)?, NEW_WORKER);

    // Back online, the tablet opens the app again and looks for updates.
    set_offline(&page, false).await?;
    page.reload().await?;
    js::<String>(
        &page,
        "navigator.serviceWorker.getRegistration().then(registration => registration ? registration.update().then(() => 'checked', error => String(error)) : 'none')",
    )
    .await?;
    let updated = wait_for_worker(&page, NEW_WORKER).await?;
    assert_ne!(
        updated.shell, first.shell,
        "the new index.html is a new shell"
    );

    // The old shell goes only once the new one is complete; wait for it.
    let expected_shells = vec![format!("{SHELL_PREFIX}{}", updated.shell)];
    let started = Instant::now();
    loop {
        let shells = shell_caches(&page).await?;
        if shells == expected_shells {
            break;
        }
        if started.elapsed() > WAIT {
            bail!("the shells are {shells:?}, not only {expected_shells:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // After the update, the draft and the survey are there, untouched.
    page.reload().await?;
    wait_for(
        &page,
        "the new release",
        "document.querySelector('meta[name=thamgia-release]')",
    )
    .await?;
    wait_for(
        &page,
        "the survey",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    wait_for_count(&page, "drafts", 1).await?;
    let after = indexed_db_stores(&page, &["responses", "surveys"]).await?;
    assert_eq!(record(&after, "responses", &draft_id)?, draft_before);
    assert_eq!(store(&after, "surveys")?, surveys_before);

    // Offline for real (the page offline, the server stopped): the new
    // shell serves the app, which shows the draft and the survey.
    set_offline(&page, true).await?;
    server.stop().await?;
    page.reload().await?;
    wait_for(
        &page,
        "the app served offline by the new shell",
        "document.querySelector('meta[name=thamgia-release]') && document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    wait_for_count(&page, "drafts", 1).await?;
    click(&page, "[data-test=draft] a").await?;
    wait_for(
        &page,
        "the draft's answers",
        "document.querySelector(\"[data-test=age-bands] button[data-value='10-12'][aria-pressed=true]\") && document.querySelector('[data-test=sex] button[data-value=Female][aria-pressed=true]')",
    )
    .await?;
    let offline = indexed_db_stores(&page, &["responses", "surveys"]).await?;
    assert_eq!(record(&offline, "responses", &draft_id)?, draft_before);
    assert_eq!(store(&offline, "surveys")?, surveys_before);

    close_browser(browser, events).await
}

/// The `WORKER_VERSION` written in a service worker file.
fn worker_version_in(file: &Path) -> Result<String> {
    let text = std::fs::read_to_string(file)?;
    let at = worker_version_at(file, &text)?;
    Ok(text[at].to_owned())
}

/// Where the value of `WORKER_VERSION` is in `text` (the worker as built:
/// minified, `const WORKER_VERSION="…"`, or as written, `const
/// WORKER_VERSION = '…'`), between its quotes.
fn worker_version_at(file: &Path, text: &str) -> Result<std::ops::Range<usize>> {
    let name = "WORKER_VERSION";
    let Some(at) = text.find(&format!("const {name}")) else {
        bail!(
            "{} has no WORKER_VERSION: rebuild the app (cargo xtask build)",
            file.display()
        );
    };
    let after_name = at + "const ".len() + name.len();
    let rest = &text[after_name..];
    let trimmed = rest.trim_start();
    let Some(value) = trimmed.strip_prefix('=') else {
        bail!("WORKER_VERSION in {} is not assigned", file.display());
    };
    let value = value.trim_start();
    let quote = value
        .chars()
        .next()
        .filter(|quote| *quote == '\'' || *quote == '"')
        .context("WORKER_VERSION is not a string")?;
    let start = text.len() - value.len() + 1;
    let length = text[start..]
        .find(quote)
        .context("WORKER_VERSION is not closed")?;
    Ok(start..start + length)
}

/// What the worker controlling the page says about itself.
#[derive(Debug, Clone, PartialEq)]
struct WorkerVersion {
    worker: String,
    shell: String,
}

/// Asks the worker controlling the page for its version and its shell;
/// `None` while no worker controls the page or it does not answer.
async fn ask_worker(page: &Page) -> Result<Option<WorkerVersion>> {
    let answer: String = js(
        page,
        r#"(async () => {
            const worker = navigator.serviceWorker.controller;
            if (!worker) return 'null';
            navigator.serviceWorker.startMessages();
            const reply = await new Promise((resolve) => {
                const listener = (event) => {
                    if (event.data && event.data.type === 'thamgia-version') {
                        clearTimeout(timer);
                        navigator.serviceWorker.removeEventListener('message', listener);
                        resolve(event.data);
                    }
                };
                const timer = setTimeout(() => {
                    navigator.serviceWorker.removeEventListener('message', listener);
                    resolve(null);
                }, 2000);
                navigator.serviceWorker.addEventListener('message', listener);
                worker.postMessage({ type: 'thamgia-get-version' });
            });
            return JSON.stringify(reply);
        })()"#,
    )
    .await?;
    let reply: Value = serde_json::from_str(&answer)?;
    let text = |name: &str| reply.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(match (text("worker"), text("version")) {
        (Some(worker), Some(shell)) => Some(WorkerVersion { worker, shell }),
        _ => None,
    })
}

/// Waits until the worker `worker` controls the page with a complete shell.
async fn wait_for_worker(page: &Page, worker: &str) -> Result<WorkerVersion> {
    let started = Instant::now();
    loop {
        let answer = ask_worker(page).await?;
        if let Some(version) = &answer {
            if version.worker == worker {
                return Ok(version.clone());
            }
        }
        if started.elapsed() > WAIT {
            bail!("the worker {worker} does not control the page; the controller says {answer:?}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The service worker's shell caches, sorted.
async fn shell_caches(page: &Page) -> Result<Vec<String>> {
    let names: String = js(
        page,
        &format!("caches.keys().then(names => JSON.stringify(names.filter(name => name.startsWith('{SHELL_PREFIX}')).sort()))"),
    )
    .await?;
    Ok(serde_json::from_str(&names)?)
}

/// The `[key, value]` pairs of `name` in a snapshot.
fn store(snapshot: &Value, name: &str) -> Result<Vec<Value>> {
    Ok(snapshot
        .get(name)
        .and_then(Value::as_array)
        .with_context(|| format!("no {name} in the snapshot"))?
        .clone())
}

/// The value stored under `key` in `name`.
fn record(snapshot: &Value, name: &str, key: &str) -> Result<Value> {
    store(snapshot, name)?
        .into_iter()
        .find(|pair| pair.get(0).and_then(Value::as_str) == Some(key))
        .and_then(|pair| pair.get(1).cloned())
        .with_context(|| format!("{key} is not in {name}"))
}
