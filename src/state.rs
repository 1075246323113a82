//! App-wide state, provided once through context: `provide_app_state()` / `use_app()`.
//!
//! Preferences (language, ward, device label) live in localStorage through
//! gloo-storage; records and the signed-in session live in IndexedDB behind
//! [`Store`]; the sync driver is shared.
//!
//! Other tabs of the app on the same tablet share the records: a save here
//! is announced to them ([`AppState::records_changed`]), and what they
//! announce bumps [`AppState::data_revision`] here (see [`crate::tabs`]).
//!
//! The session decides what the worker sees: nobody signed in, the sign-in
//! page only; a collector or ward officer works in the account's ward; the
//! town hall, the import and the accounts are the city officer's.

use std::rc::Rc;

use leptos::ev;
use leptos::prelude::*;
use thamgia_core::account::{AccountInfo, Role, Session};
use thamgia_core::sync_client::SyncStatus;
use thamgia_core::{Language, Localized};

use crate::i18n::townhall::{townhall_texts, TownhallTexts};
use crate::i18n::{texts, Texts};
use crate::platform;
use crate::preferences;
pub use crate::preferences::{
    save_device_label, save_language, save_ward, saved_device_label, saved_ward, Ward,
};
use crate::storage::Store;
use crate::sync::SyncDriver;
use crate::tabs::{self, TabMessage};

/// A message shown at the top of one page, for its moment: it is cleared
/// as soon as the worker goes to another page.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The text.
    pub text: Localized,
    /// Whether it reports a success (otherwise an error).
    pub success: bool,
    /// The path of the page it belongs to.
    pub page: String,
    /// A completed response the notice is about: once the server has it,
    /// the notice says it was sent.
    pub response: Option<uuid::Uuid>,
}

impl Notice {
    /// A notice for the page shown now.
    pub fn here(text: Localized, success: bool) -> Notice {
        Notice::on_page(&current_path(), text, success)
    }

    /// A notice for the page at `page` (about to be opened).
    pub fn on_page(page: &str, text: Localized, success: bool) -> Notice {
        Notice {
            text,
            success,
            page: page.to_owned(),
            response: None,
        }
    }
}

/// The path of the page shown now.
pub fn current_path() -> String {
    leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default()
}

/// Everything the pages share. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The IndexedDB store.
    pub store: StoredValue<Store, LocalStorage>,
    /// The sync driver.
    pub sync: StoredValue<Rc<SyncDriver>, LocalStorage>,
    /// The interface language.
    pub language: RwSignal<Language>,
    /// The chosen ward, if any.
    pub ward: RwSignal<Option<Ward>>,
    /// Bumped whenever records change, so lists and counts reload.
    pub data_revision: RwSignal<u64>,
    /// What the sync is doing.
    pub sync_status: RwSignal<SyncStatus>,
    /// A one-off message for the next page.
    pub notice: RwSignal<Option<Notice>>,
    /// The session signed in on this tablet (kept in IndexedDB, so it also
    /// works offline); `None` shows the sign-in page.
    pub session: RwSignal<Option<Session>>,
    /// The server refused the session's token (revoked, or the account
    /// deactivated): the worker is asked to sign in again.
    pub session_ended: RwSignal<bool>,
    /// The worker asked to sign in again while a session is still kept:
    /// the sign-in page is shown over the app, with a way back.
    pub signing_in_again: RwSignal<bool>,
}

impl AppState {
    /// The texts of the current language (reactive).
    pub fn texts(&self) -> &'static Texts {
        texts(self.language.get())
    }

    /// The town hall app's own texts of the current language (reactive):
    /// only its pages ask for them, so the tablet app's bundle leaves them
    /// out.
    pub fn townhall_texts(&self) -> &'static TownhallTexts {
        townhall_texts(self.language.get())
    }

    /// A bilingual text in the current language (reactive).
    pub fn pick(&self, text: &Localized) -> String {
        text.get(self.language.get()).to_owned()
    }

    /// The store, for an async block.
    pub fn store(&self) -> Store {
        self.store.get_value()
    }

    /// The signed-in account, if any (reactive).
    pub fn account(&self) -> Option<AccountInfo> {
        self.session
            .with(|session| session.as_ref().map(|session| session.account.clone()))
    }

    /// The signed-in account's role, if any (reactive).
    pub fn role(&self) -> Option<Role> {
        self.session
            .with(|session| session.as_ref().map(|session| session.account.role))
    }

    /// Whether a city officer is signed in (reactive).
    pub fn is_city_officer(&self) -> bool {
        self.role() == Some(Role::CityOfficer)
    }

    /// Whether the signed-in account files reports: ward and city officers
    /// (reactive).
    pub fn may_report(&self) -> bool {
        matches!(self.role(), Some(Role::WardOfficer | Role::CityOfficer))
    }

    /// Whether the worker chooses the ward: only a city officer does; the
    /// others work in their account's ward (reactive).
    pub fn chooses_ward(&self) -> bool {
        self.is_city_officer()
    }

    /// Tells lists and counts that records changed, here and in the app's
    /// other tabs.
    pub fn records_changed(&self) {
        self.data_revision.update(|revision| *revision += 1);
        tell_other_tabs();
    }
}

/// Loads the preferences and provides the state to every component.
pub fn provide_app_state(
    store: Store,
    sync: Rc<SyncDriver>,
    data_revision: RwSignal<u64>,
    sync_status: RwSignal<SyncStatus>,
    session: Option<Session>,
    session_ended: RwSignal<bool>,
) -> AppState {
    let language = preferences::saved_language_tag()
        .map(|tag| Language::from_tag(&tag))
        .unwrap_or_default();
    let ward = saved_ward();
    // What another tab saved or synced: read the pages again; after its
    // sync, take over the bookkeeping it stored.
    let driver = Rc::clone(&sync);
    let listening_store = store.clone();
    let session = RwSignal::new(session);
    let ward = RwSignal::new(ward);
    crate::account_database::follow_sign_ins_in_other_tabs(&store);
    tabs::listen(move |message| {
        data_revision.update(|revision| *revision += 1);
        match message {
            TabMessage::Synced => driver.another_tab_synced(),
            TabMessage::SessionChanged => {
                adopt_stored_session(listening_store.clone(), session, ward, session_ended);
            }
            TabMessage::DataChanged => {}
        }
    });
    let state = AppState {
        store: StoredValue::new_local(store),
        sync: StoredValue::new_local(sync),
        language: RwSignal::new(language),
        ward,
        data_revision,
        sync_status,
        notice: RwSignal::new(None),
        session,
        session_ended,
        signing_in_again: RwSignal::new(false),
    };
    provide_context(state);
    state
}

/// Another tab signed in or out, or chose another ward: this tab takes the
/// session and ward stored on the tablet, so no tab keeps working under a
/// session signed out elsewhere; when another account signed in, this tab
/// loads again on that account's database.
fn adopt_stored_session(
    store: Store,
    session: RwSignal<Option<Session>>,
    ward: RwSignal<Option<Ward>>,
    session_ended: RwSignal<bool>,
) {
    if crate::account_database::another_account_signed_in(&store) {
        // Another account signed in on this tablet: its records are in
        // another database, and this tab starts again on them.
        crate::account_database::reload();
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let stored = match store.load_session().await {
            Ok(stored) => stored,
            Err(error) => {
                leptos::logging::warn!("the session another tab stored is unreadable: {error:?}");
                return;
            }
        };
        let current_token =
            session.with_untracked(|current| current.as_ref().map(|current| current.token.clone()));
        if stored.as_ref().map(|stored| &stored.token) != current_token.as_ref() {
            crate::api::set_token(stored.as_ref().map(|stored| stored.token.clone()));
            // A new session (or none) is not the one the server refused.
            session_ended.try_set(false);
            session.try_set(stored);
        }
        let stored_ward = saved_ward();
        if ward.with_untracked(|current| *current != stored_ward) {
            ward.try_set(stored_ward);
        }
    });
}

/// Tells the app's other tabs that this tab's session or ward changed.
pub fn tell_other_tabs_the_session_changed() {
    tabs::announce(TabMessage::SessionChanged);
}

/// Tells the app's other tabs that records were saved here, so they read
/// their pages again. For saves that do not bump the revision here (a draft
/// saved as it is typed); [`AppState::records_changed`] calls it.
pub fn tell_other_tabs() {
    tabs::announce(TabMessage::DataChanged);
}

/// The shared state; panics only if called outside the app (a bug).
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// Whether the browser is online, kept up to date by its `online` and
/// `offline` events.
pub fn use_online() -> ReadSignal<bool> {
    let (online, set_online) = signal(platform::is_online());
    let went_online = window_event_listener(ev::online, move |_| set_online.set(true));
    let went_offline = window_event_listener(ev::offline, move |_| set_online.set(false));
    on_cleanup(move || {
        went_online.remove();
        went_offline.remove();
    });
    online
}
