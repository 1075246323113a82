//! [`Store`]'s operations on the `meta` store: the sync bookkeeping, the
//! session signed in on this tablet, its owner, and the indicator catalogue with the
//! city's targets. Each runs one transaction of
//! `transactions/meta.rs`.

use thamgia_core::account::Session;
use thamgia_core::indicator::Catalogue;

use super::{transactions, StorageError, Store, SyncMeta};

impl Store {
    /// Reads the sync bookkeeping, creating this install's client id on first use.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn sync_meta(&self) -> Result<SyncMeta, StorageError> {
        self.run(|database| async move { transactions::sync_meta(&database).await })
            .await
    }

    /// Records when the last sync succeeded, in ms since the epoch.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn set_last_success(&self, at_ms: i64) -> Result<(), StorageError> {
        self.run(
            move |database| async move { transactions::set_last_success(&database, at_ms).await },
        )
        .await
    }

    /// The session signed in on this tablet, if any.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn load_session(&self) -> Result<Option<Session>, StorageError> {
        self.run(|database| async move { transactions::load_session(&database).await })
            .await
    }

    /// Keeps `session` as the one signed in on this tablet, replacing any other.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB; then the previous session stays.
    pub async fn save_session(&self, session: &Session) -> Result<(), StorageError> {
        self.run(
            move |database| async move { transactions::save_session(&database, session).await },
        )
        .await
    }

    /// Forgets the signed-in session. Nothing else is touched: responses,
    /// drafts, the outbox and the client id stay for the next sign-in.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn clear_session(&self) -> Result<(), StorageError> {
        self.run(|database| async move { transactions::clear_session(&database).await })
            .await
    }

    /// The account this database belongs to (its user name), if anyone
    /// has signed in with it (`thamgia_core::tablet_accounts`).
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn owner(&self) -> Result<Option<String>, StorageError> {
        self.run(|database| async move { transactions::owner(&database).await })
            .await
    }

    /// Makes this database `username`'s if nobody owns it yet; returns
    /// whether it is `username`'s now (false: another account's, left as
    /// it is).
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB; then nothing was written.
    pub async fn claim(&self, username: &str) -> Result<bool, StorageError> {
        self.run(move |database| async move { transactions::claim(&database, username).await })
            .await
    }

    /// The indicator catalogue last read from the server, if any.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn load_catalogue(&self) -> Result<Option<Catalogue>, StorageError> {
        self.run(|database| async move { transactions::load_catalogue(&database).await })
            .await
    }

    /// Keeps the catalogue read from the server (with the targets the city
    /// set), for the report page offline.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn save_catalogue(&self, catalogue: &Catalogue) -> Result<(), StorageError> {
        self.run(
            move |database| async move { transactions::save_catalogue(&database, catalogue).await },
        )
        .await
    }
}
