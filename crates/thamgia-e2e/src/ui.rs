//! What the page helpers need of a browser, so that one user path runs in
//! every engine: Chromium through the DevTools protocol ([`Page`]) and
//! Firefox or WebKit through W3C WebDriver
//! ([`WebDriverBrowser`](crate::webdriver::WebDriverBrowser)).

use anyhow::{Context, Result};
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use chromiumoxide::Page;

/// A page the helpers of this crate can drive.
// The helpers are awaited in place, never spawned: the futures need not be
// `Send`, which is what the lint warns about.
#[allow(async_fn_in_trait)]
pub trait Ui {
    /// The value of a JavaScript expression, a promise awaited, as JSON
    /// (`null` for `undefined`).
    async fn evaluate(&self, expression: &str) -> Result<serde_json::Value>;

    /// Types `text` into the focused element, as an on-screen keyboard
    /// would.
    async fn insert_text(&self, text: &str) -> Result<()>;
}

impl Ui for Page {
    async fn evaluate(&self, expression: &str) -> Result<serde_json::Value> {
        let result = Page::evaluate(self, expression)
            .await
            .with_context(|| format!("evaluating {expression}"))?;
        // The DevTools protocol gives no value for `null` or `undefined`.
        Ok(result.value().cloned().unwrap_or(serde_json::Value::Null))
    }

    async fn insert_text(&self, text: &str) -> Result<()> {
        self.execute(InsertTextParams::new(text))
            .await
            .context("inserting text")?;
        Ok(())
    }
}
