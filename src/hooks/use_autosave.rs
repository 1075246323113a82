//! [`use_autosave`]: a draft saved on the tablet at every change, with
//! where the last save is for the page to show.
//!
//! Safe when the page is left while a save runs: everything the save needs
//! after its `await` is copied before it (the write's future, a shared
//! ticket counter) or written with `try_set`, so no reactive value of the
//! disposed page is read. (Reading a disposed `StoredValue` panics in
//! Leptos 0.8, and the release build aborts on panic.)

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use thamgia_core::Localized;

use crate::platform;
use crate::storage::StorageError;

/// Where the last save of a draft is.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    /// Nothing saved since the page opened.
    Idle,
    /// A save runs.
    Saving,
    /// The latest save finished at this time (milliseconds since the epoch).
    Saved(i64),
    /// The latest save, or another write of the page, failed.
    Failed(Localized),
}

/// What [`use_autosave`] gives the page. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct UseAutosaveReturn {
    /// Where the last save is (reactive).
    pub state: Signal<SaveState>,
    set_state: RwSignal<SaveState>,
    save: StoredValue<Box<dyn Fn()>, LocalStorage>,
}

impl UseAutosaveReturn {
    /// Saves the draft as it is now. Only the latest save reports its
    /// result; once the page is gone nothing is reported, but the save
    /// still finishes.
    pub fn save(&self) {
        self.save.try_with_value(|save| save());
    }

    /// Shows that another write of the page failed (completing or
    /// discarding the draft, say); does nothing once the page is gone.
    pub fn fail(&self, message: Localized) {
        self.set_state.try_set(SaveState::Failed(message));
    }
}

/// Saves `draft` with `write` each time the page calls
/// [`UseAutosaveReturn::save`], and tells the app's other tabs once saved
/// (their lists and counts read the records again).
///
/// `write` is given a copy of the draft as it is when `save` is called; it
/// must not read the page's reactive values after its own `await`s.
pub fn use_autosave<T, W, F>(draft: RwSignal<T>, write: W) -> UseAutosaveReturn
where
    T: Clone + Send + Sync + 'static,
    W: Fn(T) -> F + 'static,
    F: Future<Output = Result<(), StorageError>> + 'static,
{
    let set_state = RwSignal::new(SaveState::Idle);
    // Shared with every save in flight, so a save can tell whether a later
    // one started without reading the (maybe disposed) page.
    let latest = Rc::new(Cell::new(0_u64));
    let save = move || {
        let ticket = latest.get() + 1;
        latest.set(ticket);
        let latest = Rc::clone(&latest);
        set_state.try_set(SaveState::Saving);
        let written = write(draft.get_untracked());
        wasm_bindgen_futures::spawn_local(async move {
            let result = written.await;
            if result.is_ok() {
                // Another tab's lists and counts show this draft.
                crate::state::tell_other_tabs();
            }
            if latest.get() != ticket {
                return;
            }
            set_state.try_set(match result {
                Ok(()) => SaveState::Saved(platform::now_ms()),
                Err(error) => SaveState::Failed(error.message()),
            });
        });
    };
    UseAutosaveReturn {
        state: set_state.into(),
        set_state,
        save: StoredValue::new_local(Box::new(save)),
    }
}
