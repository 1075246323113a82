//! Which IndexedDB database the app works in: the signed-in account's own
//! (`thamgia_core::tablet_accounts` decides; this module reads the owners,
//! asks, opens and writes).
//!
//! The app opens the database of the account last signed in on the tablet
//! (a small preference, `preferences::saved_database`; the first database
//! on a new tablet). When someone signs in, the session goes into that
//! account's database; if it is not the one open, the page loads again on
//! it, so every part of the app (the store, the sync driver, the other
//! tabs) works in the account's records alone.

use thamgia_core::account::Session;
use thamgia_core::tablet_accounts::{
    is_account_database, placement, stored_session, OpenDatabase, Placement, StoredSession,
    FIRST_DATABASE,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::preferences;
use crate::storage::{Refusal, StorageError, Store};

/// The database to open when the app starts.
fn database_to_open() -> String {
    preferences::saved_database().unwrap_or_else(|| FIRST_DATABASE.to_owned())
}

/// Opens the database of the account last signed in here, and the session
/// it keeps if that session may be used in it. A session that cannot be
/// read is treated as none: the worker signs in again, and every record
/// stays where it is.
///
/// # Errors
///
/// Any [`StorageError`] opening the database.
pub async fn open_at_start() -> Result<(Store, Option<Session>), StorageError> {
    let store = Store::open(&database_to_open()).await?;
    let session = match usable_session(&store).await {
        Ok(session) => session,
        Err(error) => {
            leptos::logging::warn!("session not read: {error}");
            None
        }
    };
    Ok((store, session))
}

/// The session stored in `store`, if it is the database owner's; a
/// database of an earlier version of the app becomes its session's.
async fn usable_session(store: &Store) -> Result<Option<Session>, StorageError> {
    let Some(session) = store.load_session().await? else {
        return Ok(None);
    };
    let owner = store.owner().await?;
    let username = session.account.username.as_str();
    let usable = match stored_session(owner.as_deref(), username) {
        StoredSession::Use { claim: false } => true,
        StoredSession::Use { claim: true } => store.claim(username).await?,
        StoredSession::Ignore => false,
    };
    if !usable {
        leptos::logging::warn!(
            "the session stored in {} is another account's",
            store.name()
        );
    }
    Ok(usable.then_some(session))
}

/// Keeps a session the server just gave in its account's database, and
/// remembers that database for the next start. Returns whether that is
/// another database than `current`: then the page must load again, on it.
///
/// # Errors
///
/// [`Refusal::AnotherAccount`] when the database named for the account
/// belongs to someone else (never written so); any [`StorageError`] from
/// IndexedDB. Then nothing was remembered, and the database open stays.
pub async fn keep_session(current: &Store, session: &Session) -> Result<bool, StorageError> {
    let username = session.account.username.as_str();
    let owner = current.owner().await?;
    let open = OpenDatabase {
        name: current.name(),
        owner: owner.as_deref(),
    };
    let mut placed = placement(username, open, None);
    if matches!(placed, Placement::Elsewhere(_)) && current.name() != FIRST_DATABASE {
        // The account may be the first one's: read who that is.
        let first_owner = Store::open(FIRST_DATABASE).await?.owner().await?;
        placed = placement(username, open, first_owner.as_deref());
    }
    let target = match placed {
        Placement::Here => current.clone(),
        Placement::Elsewhere(name) => Store::open(&name).await?,
    };
    if !target.claim(username).await? {
        return Err(Refusal::AnotherAccount.into());
    }
    target.save_session(session).await?;
    preferences::save_database(target.name());
    Ok(target.name() != current.name())
}

/// Records of an account the town hall does not have yet: the outbox
/// (completed responses, withdrawals, report edits, forums, feedback) and
/// the drafts being filled. `None` when storage could not be read.
pub async fn unsent_records(store: &Store) -> Option<u64> {
    let (_, outbox) = store.read_outbox(0).await.ok()?;
    let drafts = store.counts().await.ok()?.drafts;
    Some(outbox + drafts)
}

/// Most other accounts' databases read for home's notice: a tablet is
/// shared by a few workers, and each is opened to read its counts.
const MOST_OTHER_DATABASES: usize = 16;

/// How long home's notice waits for the other databases' counts (an
/// opening blocked by another tab would otherwise hold it for ever).
const OTHERS_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// The other accounts on this tablet with records not sent yet: each
/// one's user name and how many, read from their databases' counts (no
/// record is read), at most [`MOST_OTHER_DATABASES`] of them, within
/// [`OTHERS_DEADLINE`]. Empty where the browser cannot list its databases
/// (`indexedDB.databases()`: Chromium 71, Safari 14, Firefox 126) or the
/// reading took too long.
pub async fn others_unsent(current: &Store) -> Vec<(String, u64)> {
    let reading = std::pin::pin!(read_others_unsent(current));
    let timer = std::pin::pin!(gloo_timers::future::sleep(OTHERS_DEADLINE));
    match futures::future::select(reading, timer).await {
        futures::future::Either::Left((others, _)) => others,
        futures::future::Either::Right(((), _)) => Vec::new(),
    }
}

async fn read_others_unsent(current: &Store) -> Vec<(String, u64)> {
    let mut others = Vec::new();
    let names = database_names()
        .await
        .into_iter()
        .filter(|name| name.as_str() != current.name() && is_account_database(name));
    for name in names.take(MOST_OTHER_DATABASES) {
        let Ok(store) = Store::open(&name).await else {
            continue;
        };
        let owner = store.owner().await.ok().flatten();
        if let (Some(owner), Some(unsent @ 1..)) = (owner, unsent_records(&store).await) {
            others.push((owner, unsent));
        }
    }
    others
}

/// The names of the origin's IndexedDB databases, through
/// `indexedDB.databases()` (reached by name: web-sys has it only among its
/// unstable APIs); none where the browser lacks it.
async fn database_names() -> Vec<String> {
    let listed = async {
        let factory =
            js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB")).ok()?;
        let databases: js_sys::Function =
            js_sys::Reflect::get(&factory, &JsValue::from_str("databases"))
                .ok()?
                .dyn_into()
                .ok()?;
        let promise: js_sys::Promise = databases.call0(&factory).ok()?.dyn_into().ok()?;
        let list: js_sys::Array = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
        Some(
            list.iter()
                .filter_map(|database| {
                    js_sys::Reflect::get(&database, &JsValue::from_str("name"))
                        .ok()?
                        .as_string()
                })
                .collect::<Vec<_>>(),
        )
    };
    listed.await.unwrap_or_default()
}

/// Whether another tab moved the tablet to another account's database
/// than `store`'s: this tab must then load again.
pub fn another_account_signed_in(store: &Store) -> bool {
    database_to_open() != store.name()
}

/// Loads this page again when another tab signs in another account than
/// the one whose database, `store`'s, this page works in. The tabs' message
/// (`crate::tabs`) may come before the other tab's change to localStorage
/// is seen here; the `storage` event comes once it is.
pub fn follow_sign_ins_in_other_tabs(store: &Store) {
    let name = store.name().to_owned();
    let listening = leptos::prelude::window_event_listener(leptos::ev::storage, move |event| {
        if event.key().as_deref() == Some(preferences::DATABASE_KEY) && database_to_open() != name {
            reload();
        }
    });
    // As long as the page: the handle is let go, which leaves it listening.
    drop(listening);
}

/// Loads the page again, on the database of the account signed in.
pub fn reload() {
    if let Err(error) = leptos::prelude::window().location().reload() {
        leptos::logging::warn!("the page did not load again: {error:?}");
    }
}
