//! Every page of both apps, for a finger and for a screen reader: at
//! 1280×800 (a 10" tablet in landscape) and 800×1280 (in portrait), each
//! visible link, button, field, select and summary measures at least 48
//! CSS px high and wide; each page has one `<h1>`; and axe-core (every
//! rule, every impact) finds no violation. The pages are reached as a city
//! officer, who sees all of them, with a ward chosen, a draft started and
//! a forum started.

use anyhow::{Context, Result};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::Page;
use thamgia_e2e::*;

/// The controls under 48 px on the page shown, described.
const SMALL_CONTROLS: &str = r#"(() => {
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  const small = [];
  for (const element of document.querySelectorAll(controls)) {
    // A checkbox or radio button in a label is tapped through its label.
    const label = element.matches('input[type=checkbox], input[type=radio]') ? element.closest('label') : null;
    const box = (label || element).getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === 'hidden') continue;
    if (box.height < 47.5 || box.width < 47.5) {
      const test = element.dataset.test ? `[data-test=${element.dataset.test}]` : '';
      const text = (element.textContent || element.value || element.getAttribute('aria-label') || '').trim().slice(0, 30);
      small.push(`${element.tagName.toLowerCase()}${test} "${text}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
})()"#;

/// axe-core's script, installed by `cargo xtask setup` (npm, package.json).
fn axe_script() -> Result<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} is missing: run `cargo xtask setup --for-tests`",
            path.display()
        )
    })
}

/// axe-core's violations on the page shown (every rule, every impact),
/// one line each: rule, impact, the elements.
const AXE_VIOLATIONS: &str = r#"(async () => {
  const results = await axe.run(document, { resultTypes: ['violations'] });
  return results.violations.map(violation => `${violation.id} (${violation.impact}): ${violation.nodes.map(node => node.target.join(' ')).slice(0, 5).join(', ')}`);
})()"#;

async fn viewport(page: &Page, width: i64, height: i64) -> Result<()> {
    page.execute(SetDeviceMetricsOverrideParams::new(
        width, height, 1.0, false,
    ))
    .await?;
    Ok(())
}

/// Opens `path` with a full load and waits for `ready`.
async fn visit(page: &Page, path: &str, ready: &str) -> Result<()> {
    js::<bool>(
        page,
        &format!("(() => {{ location.href = '{path}'; return true; }})()"),
    )
    .await?;
    wait_for(
        page,
        path,
        &format!("location.pathname === '{path}' && {ready}"),
    )
    .await
}

/// What the pages measured so far got wrong.
struct Problems {
    small: Vec<String>,
    headings: Vec<String>,
    axe: Vec<String>,
    axe_script: String,
}

impl Problems {
    /// Measures the page shown in landscape and portrait.
    async fn measure(&mut self, page: &Page, name: &str) -> Result<()> {
        for (width, height) in [(1280, 800), (800, 1280)] {
            viewport(page, width, height).await?;
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            for control in js::<Vec<String>>(page, SMALL_CONTROLS).await? {
                self.small
                    .push(format!("{name} at {width}×{height}: {control}"));
            }
        }
        let h1: usize = js(page, "document.querySelectorAll('h1').length").await?;
        if h1 != 1 {
            self.headings.push(format!("{name}: {h1} <h1>"));
        }
        let loaded: bool = js(page, "typeof axe !== 'undefined'").await?;
        if !loaded {
            page.evaluate(self.axe_script.as_str())
                .await
                .context("loading axe-core")?;
        }
        for violation in js::<Vec<String>>(page, AXE_VIOLATIONS).await? {
            self.axe.push(format!("{name}: {violation}"));
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_serves_a_finger_and_a_screen_reader() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let page = open_app(&browser, &format!("http://{address}/")).await?;

    let mut problems = Problems {
        small: Vec::new(),
        headings: Vec::new(),
        axe: Vec::new(),
        axe_script: axe_script()?,
    };
    wait_for(
        &page,
        "the sign-in page",
        "document.querySelector('[data-test=login-username]')",
    )
    .await?;
    problems.measure(&page, "sign-in").await?;
    sign_in(&page, "thanhpho", DEMO_PASSWORD).await?;
    replace_text(&page, "[data-test=ward-search]", "ba dinh").await?;
    click(&page, "[data-test=ward-option][data-code='00004']").await?;
    wait_for(
        &page,
        "the survey",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    problems.measure(&page, "home").await?;

    click(&page, "[data-test=start-survey]").await?;
    wait_for(
        &page,
        "the start screen",
        "document.querySelector('[data-test=age-bands]')",
    )
    .await?;
    problems.measure(&page, "start screen").await?;
    click(&page, "[data-test=age-bands] button[data-value='10-12']").await?;
    click(&page, "[data-test=sex] button[data-value=Female]").await?;
    click(&page, "[data-test=child-assent] button[data-value=verbal]").await?;
    click(
        &page,
        "[data-test=guardian-consent] button[data-value=written]",
    )
    .await?;
    click(&page, "[data-test=next]").await?;
    current_question(&page).await?;
    problems.measure(&page, "a question").await?;

    visit(
        &page,
        "/responses",
        "!!document.querySelector('[data-test=response-row], .response-list, .muted')",
    )
    .await?;
    problems.measure(&page, "responses").await?;
    visit(
        &page,
        "/forums",
        "!!document.querySelector('[data-test=new-forum]')",
    )
    .await?;
    problems.measure(&page, "forums").await?;
    click(&page, "[data-test=new-forum]").await?;
    wait_for(
        &page,
        "the forum editor",
        "document.querySelector('[data-test=forum-place]')",
    )
    .await?;
    problems.measure(&page, "forum editor").await?;
    // Its day is written dd/mm/yyyy whatever the browser's locale; a text
    // that is no day is said so, and a day clears the message.
    let held_on: String = js(
        &page,
        "document.querySelector('[data-test=forum-date]').value",
    )
    .await?;
    assert!(
        held_on.len() == 10 && held_on.as_bytes()[2] == b'/' && held_on.as_bytes()[5] == b'/',
        "the forum's day reads dd/mm/yyyy: {held_on}"
    );
    replace_text(&page, "[data-test=forum-date]", "31/02/2026").await?;
    wait_for(
        &page,
        "the day refused",
        "document.querySelector('[data-test=forum-date][aria-invalid=true]')",
    )
    .await?;
    replace_text(&page, "[data-test=forum-date]", "05/12/2026").await?;
    wait_for(
        &page,
        "the day taken",
        "document.querySelector('[data-test=forum-date][aria-invalid=false]')",
    )
    .await?;
    visit(
        &page,
        "/report",
        "!!document.querySelector(\"[data-test='value-4.1']\")",
    )
    .await?;
    problems.measure(&page, "report").await?;

    for (path, ready) in [
        (
            "/townhall",
            "!!document.querySelector(\"nav a[href='/townhall/accounts']\")",
        ),
        ("/townhall/results", "!!document.querySelector('select')"),
        (
            "/townhall/referrals",
            "!!document.querySelector('[data-test=referrals-open]')",
        ),
        (
            "/townhall/withdrawals",
            "!!document.querySelector('[data-test=reference]')",
        ),
        (
            "/townhall/refused",
            "!!document.querySelector('[data-test=quarantine-empty], [data-test=quarantine-table]')",
        ),
        (
            "/townhall/import",
            "!!document.querySelector('[data-test=import-file]')",
        ),
        (
            "/townhall/accounts",
            "!!document.querySelector('[data-test=account-row]')",
        ),
        (
            "/townhall/audit",
            "!!document.querySelector('[data-test=audit-row]')",
        ),
    ] {
        visit(&page, path, ready).await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        problems.measure(&page, path).await?;
    }

    assert!(
        problems.small.is_empty(),
        "{} controls under 48 px:\n{}",
        problems.small.len(),
        problems.small.join("\n")
    );
    assert!(
        problems.headings.is_empty(),
        "{}",
        problems.headings.join("\n")
    );
    assert!(
        problems.axe.is_empty(),
        "{} axe-core violations:\n{}",
        problems.axe.len(),
        problems.axe.join("\n")
    );
    close_browser(browser, events).await?;
    server.stop().await
}
