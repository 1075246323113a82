//! One IndexedDB connection: opening it (creating the schema on upgrade) and
//! noticing when the browser closes it.

use std::cell::Cell;
use std::rc::Rc;

use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyPath;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::error::StorageError;

/// Version of the database schema below. Each change adds a step to
/// [`upgrade`] and bumps this number.
///
/// 1. `meta`, `responses` (with its sync-state index), `outbox`, `surveys`.
/// 2. `reports`. Records written by version 1 are read as they are: the
///    meta record's hybrid logical clock defaults to "no reading yet".
/// 3. `forums`. Nothing older changes shape.
/// 4. An index of `responses` on when each was last changed, so the list
///    opens with its newest page without reading every record.
/// 5. Records are stored as their JSON's bytes beside the values the stores
///    read (`encoding.rs`); version 4's plain objects read as they are.
///    Nothing changes in the stores: the new version keeps a tab still
///    running version 4, which cannot read the new shape, from opening the
///    database again once this one upgraded it (it is told to reload).
/// 6. The next seq under its own key of `meta` ([`NEXT_SEQ_KEY`]), a marker
///    of every seq taken (with the change of the tally a completion written
///    without reading first made), and what the kept tally counts
///    ([`COUNTS_THROUGH_KEY`]; `records.rs`), so a completion can be written
///    without reading first. Nothing changes
///    in the stores: the new version keeps a tab still running version 5,
///    which would number from the bookkeeping record alone, from writing
///    once this one upgraded the database.
const SCHEMA_VERSION: u32 = 6;

/// Sync bookkeeping, one record under [`META_KEY`].
pub(super) const META: &str = "meta";
/// The key of the sync bookkeeping record in [`META`].
pub(super) const META_KEY: &str = "sync";
/// The key of the signed-in session in [`META`] (a `thamgia_core::account::Session`).
pub(super) const SESSION_KEY: &str = "session";
/// The key of the account this database belongs to in [`META`] (its user
/// name; see `thamgia_core::tablet_accounts`): absent until someone signs
/// in, and in a database of an earlier version of the app.
pub(super) const OWNER_KEY: &str = "owner";
/// The key of the tally of responses per sync state in [`META`] (see
/// `tally.rs`): absent in a database of an earlier version, which counts
/// its responses once.
pub(super) const COUNTS_KEY: &str = "counts";
/// The key of the next seq in [`META`] (`records::NextSeq`): absent in a
/// database of an earlier version, whose bookkeeping record holds it.
pub(super) const NEXT_SEQ_KEY: &str = "next_seq";
/// The key of what the kept tally counts in [`META`]
/// (`records::CountsThrough`), written with it.
pub(super) const COUNTS_THROUGH_KEY: &str = "counts_through";
/// The key of the indicator catalogue last read from the server (with the
/// targets the city set) in the `meta` store.
pub(super) const CATALOGUE_KEY: &str = "catalogue";
/// Stored responses, keyed by `response.id`.
pub(super) const RESPONSES: &str = "responses";
/// Index of [`RESPONSES`] on the sync state's tag (`sync.type`).
pub(super) const SYNC_STATE_INDEX: &str = "sync_state";
/// Index of [`RESPONSES`] on when each was last changed
/// (`response.updated_at`, RFC 3339 in UTC: it sorts as time does, to the
/// second).
pub(super) const UPDATED_INDEX: &str = "updated";
/// A store that exists only inside the upgrade to version 4 (see
/// [`upgrade`]).
const UPGRADE_SCRATCH: &str = "upgrade_scratch";
/// Mutations waiting to be pushed, keyed by `seq`.
pub(super) const OUTBOX: &str = "outbox";
/// Published survey versions, keyed by `id@version`.
pub(super) const SURVEYS: &str = "surveys";
/// Ward reports, keyed by their report id ("00004:2026-Q3", out of line).
pub(super) const REPORTS: &str = "reports";
/// Children's forums, keyed by `forum.id`.
pub(super) const FORUMS: &str = "forums";

/// An open connection and the listeners that notice when it closes.
pub(super) struct Connection {
    database: Database,
    closed: Rc<Cell<bool>>,
    /// Kept alive as long as the connection: the browser calls it.
    _on_close: Closure<dyn FnMut()>,
    /// Kept alive as long as the connection: the browser calls it.
    _on_version_change: Closure<dyn FnMut()>,
}

impl Connection {
    /// Opens the database `name`, creating or upgrading its schema.
    pub(super) async fn open(name: &str) -> Result<Connection, StorageError> {
        let database = Database::open(name)
            .with_version(SCHEMA_VERSION)
            .with_on_upgrade_needed(|event, database| upgrade(&event, &database))
            .await
            .map_err(StorageError::from_open)?;

        let closed = Rc::new(Cell::new(false));
        // The browser closed the connection (storage cleared, Safari under
        // memory pressure): the next operation reopens it.
        let on_close = Closure::<dyn FnMut()>::new({
            let closed = Rc::clone(&closed);
            move || closed.set(true)
        });
        // Another tab wants to upgrade or delete the database. Holding on
        // would block it forever, so this connection closes itself and the
        // next operation here reopens the database.
        let on_version_change = Closure::<dyn FnMut()>::new({
            let closed = Rc::clone(&closed);
            let raw = database.as_sys().clone();
            move || {
                closed.set(true);
                raw.close();
            }
        });
        let raw = database.as_sys();
        raw.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        raw.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));

        Ok(Connection {
            database,
            closed,
            _on_close: on_close,
            _on_version_change: on_version_change,
        })
    }

    /// The database handle, for one operation.
    pub(super) fn database(&self) -> Database {
        self.database.clone()
    }

    /// Whether the browser (or [`Connection::close`]) closed this connection.
    pub(super) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Closes the connection; operations still using it fail with `Closed`.
    pub(super) fn close(&self) {
        self.closed.set(true);
        self.database.as_sys().close();
    }

    /// Closes the connection without marking it closed, as a browser does
    /// when it drops a connection without firing `close` (Safari when its
    /// storage process goes away): the next operation only learns it from
    /// the `InvalidStateError` of its transaction.
    pub(super) fn close_unnoticed(&self) {
        self.database.as_sys().close();
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The closures are freed with this struct: the browser must not call them any more.
        let raw = self.database.as_sys();
        raw.set_onclose(None);
        raw.set_onversionchange(None);
        raw.close();
    }
}

/// Creates or migrates the schema, inside the `versionchange` transaction.
///
/// Each step only adds: an upgrade never rewrites or deletes what an older
/// version stored, and if a step fails the browser aborts the whole upgrade
/// and keeps the database at its old version, data included.
fn upgrade(event: &VersionChangeEvent, database: &Database) -> indexed_db_futures::Result<()> {
    let old_version = event.old_version();
    if old_version < 1.0 {
        database.create_object_store(META).build()?;
        let responses = database
            .create_object_store(RESPONSES)
            .with_key_path(KeyPath::One("response.id"))
            .build()?;
        responses
            .create_index(SYNC_STATE_INDEX, KeyPath::One("sync.type"))
            .build()?;
        database
            .create_object_store(OUTBOX)
            .with_key_path(KeyPath::One("seq"))
            .build()?;
        database.create_object_store(SURVEYS).build()?;
    }
    if old_version < 2.0 {
        database.create_object_store(REPORTS).build()?;
    }
    if old_version < 3.0 {
        database
            .create_object_store(FORUMS)
            .with_key_path(KeyPath::One("forum.id"))
            .build()?;
    }
    if old_version < 4.0 {
        // An index on a store made by an earlier version needs the upgrade's
        // own transaction, which indexed_db_futures 0.6 hands out only
        // through a store made now: one is made for the moment and dropped
        // in the same upgrade. The browser indexes the records already
        // stored as it builds the index.
        {
            let scratch = database.create_object_store(UPGRADE_SCRATCH).build()?;
            scratch
                .transaction()
                .object_store(RESPONSES)?
                .create_index(UPDATED_INDEX, KeyPath::One("response.updated_at"))
                .build()?;
        }
        database.delete_object_store(UPGRADE_SCRATCH)?;
    }
    Ok(())
}
