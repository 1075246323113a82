//! When the browser's storage is full, a save fails with a message that
//! says what to do, in Vietnamese and English; nothing saved before is lost
//! or changed; and once space is freed, saving works again.
//!
//! The quota is real: Chromium's own quota, lowered for the app's origin
//! through the DevTools protocol (`Storage.overrideQuotaForOrigin`) to a
//! few megabytes above what the app uses, then filled by another IndexedDB
//! database of the same origin until Chromium refuses a write with
//! `QuotaExceededError`. (Filling the default quota of a temporary profile
//! would take gigabytes of disk, and a wasm-bindgen test has no DevTools.)

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use chromiumoxide::cdp::browser_protocol::storage::OverrideQuotaForOriginParams;
use chromiumoxide::Page;
use serde_json::Value;
use thamgia_e2e::{
    click, close_browser, complete_demo_response, first_visit_in_ba_dinh, indexed_db_stores, js,
    launch_browser, open_app, set_offline, start_a_draft, start_server, test_config, text_of,
    wait_for, wait_for_count, WAIT,
};

/// The database that fills the quota.
const FILLER: &str = "thamgia-quota-filler";
/// The origin's quota for this test: a few times what the app needs (its
/// cached shell, surveys and records, about 3 MB).
const QUOTA_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_storage_refuses_the_save_with_a_clear_message_and_loses_nothing() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let origin = format!("http://{address}");
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    // Chromium reads an origin's quota once, when the origin first uses
    // IndexedDB, and keeps it: the override is set before the app exists,
    // from a blank page (it holds for the origin, not the page) that stays
    // open, since the override ends with the DevTools session that made it.
    let blank = browser.new_page("about:blank").await?;
    blank
        .execute(OverrideQuotaForOriginParams {
            origin: origin.clone(),
            quota_size: Some(QUOTA_BYTES),
        })
        .await
        .context("lowering the origin's quota")?;
    let page = open_app(&browser, &format!("{origin}/")).await?;
    first_visit_in_ba_dinh(&page).await?;

    // Offline (so nothing is sent or pulled meanwhile), the worker completes
    // a response (it waits in the outbox) and starts another (a draft).
    set_offline(&page, true).await?;
    complete_demo_response(&page).await?;
    wait_for_count(&page, "waiting", 1).await?;
    start_a_draft(&page).await?;
    click(&page, "a[href='/']").await?;
    wait_for_count(&page, "drafts", 1).await?;
    wait_for_count(&page, "waiting", 1).await?;
    let before = indexed_db_stores(&page, &["responses", "outbox"]).await?;
    assert_eq!(records(&before, "responses")?.len(), 2);
    assert_eq!(records(&before, "outbox")?.len(), 1);

    // The app works within its quota: what it uses leaves room to spare.
    let (usage, _) = estimate(&page).await?;
    if usage * 2.0 > QUOTA_BYTES {
        bail!("the app already uses {usage} bytes of a {QUOTA_BYTES}-byte quota");
    }

    // Another database of the origin fills the quota until the browser
    // refuses.
    let filled = fill_the_quota(&page).await?;
    if filled.get("full").and_then(Value::as_bool) != Some(true) {
        bail!("the quota could not be filled: {filled}");
    }
    let written = filled
        .get("written")
        .and_then(Value::as_f64)
        .unwrap_or(f64::INFINITY);
    // Chromium enforces the override on writes (`estimate()` keeps
    // reporting the default quota): the filler must be refused within it.
    if written > QUOTA_BYTES {
        bail!("the quota override did not hold: {written} bytes were written into a {QUOTA_BYTES}-byte quota");
    }

    // Saving a response now fails with the quota message, in both languages.
    click(&page, "[data-test=lang-vi]").await?;
    click(&page, "[data-test=start-survey]").await?;
    wait_for(
        &page,
        "the save refused",
        "(document.querySelector('[data-test=notice]') || {}).textContent?.includes('đầy')",
    )
    .await?;
    assert_eq!(js::<String>(&page, "location.pathname").await?, "/");
    let vietnamese = text_of(&page, "[data-test=notice]").await?;
    for part in [
        "Bộ nhớ của trình duyệt đã đầy",
        "vẫn an toàn",
        "Đồng bộ ngay",
        "giải phóng dung lượng",
    ] {
        assert!(vietnamese.contains(part), "{part:?} in {vietnamese:?}");
    }
    click(&page, "[data-test=lang-en]").await?;
    wait_for(
        &page,
        "the message in English",
        "(document.querySelector('[data-test=notice]') || {}).textContent?.includes('storage is full')",
    )
    .await?;
    let english = text_of(&page, "[data-test=notice]").await?;
    for part in ["storage is full", "is safe", "Sync now", "free space"] {
        assert!(english.contains(part), "{part:?} in {english:?}");
    }
    click(&page, "[data-test=lang-vi]").await?;

    // Everything saved before is still there, unchanged: the responses, the
    // outbox, and the counts on the home page.
    let during = indexed_db_stores(&page, &["responses", "outbox"]).await?;
    for name in ["responses", "outbox"] {
        assert_eq!(records(&during, name)?, records(&before, name)?, "{name}");
    }
    wait_for_count(&page, "drafts", 1).await?;
    wait_for_count(&page, "waiting", 1).await?;

    // Space is freed: the same save works (the browser may take a moment to
    // count the freed space, so the worker's "try again" is repeated).
    free_the_quota(&page).await?;
    let started = std::time::Instant::now();
    loop {
        let pressed: bool = js(
            &page,
            "(() => { const button = document.querySelector('[data-test=start-survey]'); if (!button) return false; button.click(); return true; })()",
        )
        .await?;
        if wait_briefly_for_fill_page(&page).await? {
            break;
        }
        if !pressed {
            bail!("the home page lost its survey");
        }
        if started.elapsed() > WAIT {
            let notice = text_of(&page, "[data-test=notice]").await?;
            bail!("saving still fails after the space was freed: {notice}");
        }
    }
    wait_for(
        &page,
        "the new draft",
        "document.querySelector('[data-test=age-bands]')",
    )
    .await?;
    click(&page, "a[href='/']").await?;
    wait_for_count(&page, "drafts", 2).await?;
    wait_for_count(&page, "waiting", 1).await?;
    let after = indexed_db_stores(&page, &["responses", "outbox"]).await?;
    let responses_after = records(&after, "responses")?;
    assert_eq!(responses_after.len(), 3);
    for (key, value) in records(&before, "responses")? {
        assert_eq!(responses_after.get(&key), Some(&value), "response {key}");
    }
    assert_eq!(records(&after, "outbox")?, records(&before, "outbox")?);

    close_browser(browser, events).await?;
    server.stop().await?;
    Ok(())
}

/// What the browser reports: bytes used by the origin and its quota.
async fn estimate(page: &Page) -> Result<(f64, f64)> {
    let text: String = js(
        page,
        "navigator.storage.estimate().then(estimate => JSON.stringify([estimate.usage, estimate.quota]))",
    )
    .await?;
    let (usage, quota): (f64, f64) = serde_json::from_str(&text)?;
    Ok((usage, quota))
}

/// Writes random (incompressible) bytes into the filler database, halving
/// the chunk at each refusal, until a write of 64 bytes is refused: then
/// less than that is left. Gives up (`full: false`) after 2 GB or 25 s.
async fn fill_the_quota(page: &Page) -> Result<Value> {
    let script = format!(
        r#"(async () => {{
            const database = await new Promise((resolve, reject) => {{
                const request = indexedDB.open('{FILLER}', 1);
                request.onupgradeneeded = () =>
                    request.result.createObjectStore('chunks', {{ autoIncrement: true }});
                request.onsuccess = () => resolve(request.result);
                request.onerror = () => reject(request.error);
            }});
            const put = (size) => new Promise((resolve) => {{
                const bytes = new Uint8Array(size);
                for (let at = 0; at < size; at += 65536) {{
                    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
                }}
                const transaction = database.transaction('chunks', 'readwrite');
                transaction.objectStore('chunks').add(bytes);
                transaction.oncomplete = () => resolve('ok');
                transaction.onabort = () =>
                    resolve(transaction.error ? transaction.error.name : 'AbortError');
            }});
            const started = Date.now();
            let chunk = 1 << 20;
            let written = 0;
            let refusals = 0;
            try {{
                while (chunk >= 64) {{
                    if (written > 2e9 || Date.now() - started > 25000) {{
                        return JSON.stringify({{ full: false, written, refusals, chunk }});
                    }}
                    const outcome = await put(chunk);
                    if (outcome === 'ok') {{
                        written += chunk;
                    }} else if (outcome === 'QuotaExceededError') {{
                        refusals += 1;
                        chunk = Math.floor(chunk / 2);
                    }} else {{
                        return JSON.stringify({{ full: false, written, refusals, error: outcome }});
                    }}
                }}
                return JSON.stringify({{ full: true, written, refusals }});
            }} finally {{
                database.close();
            }}
        }})()"#
    );
    let text: String = js(page, &script).await?;
    Ok(serde_json::from_str(&text)?)
}

/// Deletes the filler database.
async fn free_the_quota(page: &Page) -> Result<()> {
    let outcome: String = js(
        page,
        &format!(
            r#"new Promise((resolve) => {{
                const request = indexedDB.deleteDatabase('{FILLER}');
                request.onsuccess = () => resolve('deleted');
                request.onerror = () => resolve(String(request.error));
            }})"#
        ),
    )
    .await?;
    if outcome != "deleted" {
        bail!("the filler database was not deleted: {outcome}");
    }
    Ok(())
}

/// Whether the fill page opens within a few seconds of pressing "start".
async fn wait_briefly_for_fill_page(page: &Page) -> Result<bool> {
    for _ in 0..35 {
        let path: String = js(page, "location.pathname").await?;
        if path.starts_with("/fill/") {
            return Ok(true);
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    Ok(false)
}

/// The records of `name` in a snapshot, by key.
fn records(snapshot: &Value, name: &str) -> Result<BTreeMap<String, Value>> {
    snapshot
        .get(name)
        .and_then(Value::as_array)
        .with_context(|| format!("no {name} in the snapshot"))?
        .iter()
        .map(|pair| -> Result<(String, Value)> {
            let key = pair
                .get(0)
                .with_context(|| format!("a record of {name} without a key"))?;
            let value = pair.get(1).cloned().unwrap_or(Value::Null);
            Ok((key.to_string(), value))
        })
        .collect()
}
