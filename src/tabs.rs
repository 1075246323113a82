//! Several tabs of the app open on one tablet: one syncs at a time, and all
//! of them show the same records.
//!
//! - **One sync at a time.** Every sync round runs while holding the Web
//!   Lock [`SYNC_LOCK`], asked for with `ifAvailable`: a tab that finds it
//!   taken skips its round quietly (another tab is syncing the same
//!   IndexedDB) and tries again a little later. A browser without
//!   `navigator.locks` syncs as before, one round at a time per tab.
//! - **Every tab sees what another saved.** After a save that other tabs
//!   should show (a draft, a completed response, a report edit, a forum) and
//!   after a sync round that changed records, the tab posts a small message
//!   (`{kind: "data-changed"}` or `{kind: "synced"}`) on the
//!   `BroadcastChannel` [`CHANNEL`]. Every other tab bumps its data revision,
//!   so counts, lists and the report are read again, and after a sync takes
//!   over the sync bookkeeping (client id, cursor, last success) the other
//!   tab stored.
//!
//! `navigator.locks` is reached through `js_sys::Reflect`: web-sys exposes
//! the Web Locks API only under `--cfg=web_sys_unstable_apis`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The name of the Web Lock held during a sync round.
pub const SYNC_LOCK: &str = "thamgia-sync";

/// The name of the `BroadcastChannel` the tabs talk on.
pub const CHANNEL: &str = "thamgia";

/// What one tab tells the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabMessage {
    /// Records were saved in the sending tab.
    DataChanged,
    /// The sending tab finished a sync round that changed records or the
    /// sync bookkeeping.
    Synced,
    /// Someone signed in or out, or chose another ward, in the sending tab:
    /// every tab works under the session and ward stored on the tablet.
    SessionChanged,
}

impl TabMessage {
    /// The `kind` field of the message on the channel.
    pub fn kind(self) -> &'static str {
        match self {
            TabMessage::DataChanged => "data-changed",
            TabMessage::Synced => "synced",
            TabMessage::SessionChanged => "session-changed",
        }
    }

    /// The message whose `kind` is `kind`, if it is one of ours.
    pub fn from_kind(kind: &str) -> Option<TabMessage> {
        match kind {
            "data-changed" => Some(TabMessage::DataChanged),
            "synced" => Some(TabMessage::Synced),
            "session-changed" => Some(TabMessage::SessionChanged),
            _ => None,
        }
    }
}

/// This tab's end of the channel. One object both posts and listens: a
/// `BroadcastChannel` never receives its own messages, so a tab is not told
/// what it did itself.
struct Channel {
    channel: web_sys::BroadcastChannel,
    /// Kept alive as long as the channel: the browser calls it.
    on_message: Option<Closure<dyn FnMut(JsValue)>>,
}

thread_local! {
    static TAB_CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

/// Runs `use_it` on this tab's channel, opening it first; `None` where the
/// browser has no `BroadcastChannel` (then each tab only sees its own saves
/// until it reloads, as before).
fn with_channel<T>(use_it: impl FnOnce(&mut Channel) -> T) -> Option<T> {
    TAB_CHANNEL.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            match web_sys::BroadcastChannel::new(CHANNEL) {
                Ok(channel) => {
                    *slot = Some(Channel {
                        channel,
                        on_message: None,
                    });
                }
                Err(error) => {
                    leptos::logging::warn!("no channel to the other tabs: {error:?}");
                    return None;
                }
            }
        }
        slot.as_mut().map(use_it)
    })
}

/// Tells the other tabs of the app what happened here. Never fails: a tab
/// that misses a message shows fresh data at its next sync or reload.
pub fn announce(message: TabMessage) {
    let posted = with_channel(|channel| {
        let data: JsValue = js_sys::Object::new().into();
        js_sys::Reflect::set(
            &data,
            &JsValue::from_str("kind"),
            &JsValue::from_str(message.kind()),
        )
        .and_then(|_| channel.channel.post_message(&data))
    });
    if let Some(Err(error)) = posted {
        leptos::logging::warn!("the other tabs were not told: {error:?}");
    }
}

/// Calls `on_message` with every message another tab posts. A second call
/// replaces the first listener.
pub fn listen(on_message: impl Fn(TabMessage) + 'static) {
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let kind = js_sys::Reflect::get(&event, &JsValue::from_str("data"))
            .and_then(|data| js_sys::Reflect::get(&data, &JsValue::from_str("kind")))
            .ok()
            .and_then(|kind| kind.as_string());
        if let Some(message) = kind.as_deref().and_then(TabMessage::from_kind) {
            on_message(message);
        }
    });
    with_channel(move |channel| {
        channel
            .channel
            .set_onmessage(Some(callback.as_ref().unchecked_ref()));
        channel.on_message = Some(callback);
    });
}

/// How a round asked for under the sync lock went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockOutcome {
    /// The work ran: holding the lock, or without one where the browser has
    /// no Web Locks (or refused the request).
    Ran,
    /// Another tab holds the lock: the work did not run.
    Busy,
}

/// `navigator.locks` and its `request` method, where the browser has them.
fn lock_manager() -> Option<(JsValue, js_sys::Function)> {
    let navigator: JsValue = web_sys::window()?.navigator().into();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    Some((locks, request))
}

/// Runs `work` while holding the Web Lock [`SYNC_LOCK`], if no other tab
/// holds it (`ifAvailable`); otherwise returns [`LockOutcome::Busy`] at
/// once without running it. The lock is released when `work` ends.
///
/// Without `navigator.locks`, or if the browser refuses the request before
/// granting anything, `work` runs without the lock, as it did before tabs
/// coordinated.
pub async fn with_sync_lock<W>(work: W) -> LockOutcome
where
    W: Future<Output = ()> + 'static,
{
    let Some((locks, request)) = lock_manager() else {
        work.await;
        return LockOutcome::Ran;
    };
    // The work moves into the lock's callback, or back out here if the
    // callback is never called.
    let pending = Rc::new(RefCell::new(Some(work)));
    let started = Rc::new(Cell::new(false));
    let callback = Closure::<dyn FnMut(JsValue) -> JsValue>::once({
        let pending = Rc::clone(&pending);
        let started = Rc::clone(&started);
        move |lock: JsValue| -> JsValue {
            // `ifAvailable` and taken: the callback gets `null`.
            if lock.is_null() || lock.is_undefined() {
                return JsValue::FALSE;
            }
            let work = pending.borrow_mut().take();
            let Some(work) = work else {
                return JsValue::FALSE;
            };
            started.set(true);
            // The lock is held until this promise settles.
            JsValue::from(wasm_bindgen_futures::future_to_promise(async move {
                work.await;
                Ok(JsValue::TRUE)
            }))
        }
    });
    let options: JsValue = js_sys::Object::new().into();
    if let Err(error) =
        js_sys::Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE)
    {
        leptos::logging::warn!("sync lock options not set: {error:?}");
    }
    let requested = request
        .call3(
            &locks,
            &JsValue::from_str(SYNC_LOCK),
            &options,
            callback.as_ref(),
        )
        .and_then(|promise| promise.dyn_into::<js_sys::Promise>());
    let answer = match requested {
        Ok(promise) => JsFuture::from(promise).await,
        Err(error) => Err(error),
    };
    drop(callback);
    match answer {
        Ok(value) if value.as_bool() == Some(true) => LockOutcome::Ran,
        Ok(_) => LockOutcome::Busy,
        Err(error) => {
            if started.get() {
                // The work ran under the lock; its own failures are reported
                // by the work itself.
                leptos::logging::warn!("the sync lock ended with an error: {error:?}");
                return LockOutcome::Ran;
            }
            leptos::logging::warn!("the sync lock was refused ({error:?}); syncing without it");
            let work = pending.borrow_mut().take();
            if let Some(work) = work {
                work.await;
            }
            LockOutcome::Ran
        }
    }
}
