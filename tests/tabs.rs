//! Browser tests of how the app's tabs coordinate (`thamgia::tabs`): the
//! sync lock is taken by one holder at a time and skipped quietly when
//! taken; messages reach the other tabs' ends of the channel, and theirs
//! reach this one. "Another tab" is played by plain JavaScript on the same
//! page: Web Locks and BroadcastChannel do not tell tabs of one origin apart
//! from two holders in one page.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use thamgia::tabs::{self, LockOutcome, TabMessage, CHANNEL, SYNC_LOCK};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Runs `code` in the page and waits for it if it gives a promise.
async fn run_js(code: &str) -> JsValue {
    let value = js_sys::eval(code).expect("the script runs");
    match value.dyn_into::<js_sys::Promise>() {
        Ok(promise) => JsFuture::from(promise).await.expect("the promise resolves"),
        Err(value) => value,
    }
}

/// Waits `ms` milliseconds.
async fn sleep(ms: u32) {
    run_js(&format!(
        "new Promise((resolve) => setTimeout(resolve, {ms}))"
    ))
    .await;
}

#[wasm_bindgen_test]
async fn a_round_runs_under_the_sync_lock_and_is_skipped_while_another_tab_holds_it() {
    // Alone, the round runs, holding the lock meanwhile.
    let held_inside = Rc::new(Cell::new(None));
    let outcome = tabs::with_sync_lock({
        let held_inside = Rc::clone(&held_inside);
        async move {
            let held = run_js(&format!(
                "navigator.locks.query().then((state) => state.held.some((lock) => lock.name === '{SYNC_LOCK}'))"
            ))
            .await;
            held_inside.set(held.as_bool());
        }
    })
    .await;
    assert_eq!(outcome, LockOutcome::Ran);
    assert_eq!(
        held_inside.get(),
        Some(true),
        "the lock is held during the round"
    );

    // Another tab takes the lock and keeps it.
    let granted = run_js(&format!(
        "new Promise((granted) => navigator.locks.request('{SYNC_LOCK}', () => new Promise((release) => {{ window.thamgiaReleaseSyncLock = release; granted(true); }})))"
    ))
    .await;
    assert_eq!(granted.as_bool(), Some(true));
    let ran = Rc::new(Cell::new(false));
    let outcome = tabs::with_sync_lock({
        let ran = Rc::clone(&ran);
        async move { ran.set(true) }
    })
    .await;
    assert_eq!(outcome, LockOutcome::Busy);
    assert!(!ran.get(), "no round while another tab syncs");

    // It lets go: the next round runs.
    run_js("window.thamgiaReleaseSyncLock()").await;
    run_js(&format!(
        "navigator.locks.request('{SYNC_LOCK}', () => true)"
    ))
    .await;
    let outcome = tabs::with_sync_lock({
        let ran = Rc::clone(&ran);
        async move { ran.set(true) }
    })
    .await;
    assert_eq!(outcome, LockOutcome::Ran);
    assert!(ran.get());
}

#[wasm_bindgen_test]
async fn messages_reach_the_other_tabs_and_theirs_reach_this_one() {
    // Another tab's end of the channel.
    run_js(&format!(
        "window.thamgiaOtherTab = new BroadcastChannel('{CHANNEL}'); window.thamgiaHeard = new Promise((resolve) => {{ window.thamgiaOtherTab.onmessage = (event) => resolve(JSON.stringify(event.data)); }}); true"
    ))
    .await;

    tabs::announce(TabMessage::DataChanged);
    let heard = run_js("window.thamgiaHeard").await;
    assert_eq!(
        heard.as_string().as_deref(),
        Some(r#"{"kind":"data-changed"}"#)
    );

    let received = Rc::new(RefCell::new(Vec::new()));
    tabs::listen({
        let received = Rc::clone(&received);
        move |message| received.borrow_mut().push(message)
    });
    run_js(
        "window.thamgiaOtherTab.postMessage({ kind: 'something-else' }); window.thamgiaOtherTab.postMessage({ kind: 'synced' }); true",
    )
    .await;
    for _ in 0..40 {
        if !received.borrow().is_empty() {
            break;
        }
        sleep(50).await;
    }
    sleep(100).await;
    assert_eq!(*received.borrow(), vec![TabMessage::Synced]);
    run_js("window.thamgiaOtherTab.close(); true").await;
}
