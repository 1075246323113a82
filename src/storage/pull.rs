//! [`Store`]'s operation for a pulled page, applied in one transaction of
//! `transactions/pull.rs`.

use thamgia_core::protocol::Change;

use super::{transactions, StorageError, Store};

impl Store {
    /// Applies one pulled page in one transaction: stores every published
    /// survey version, turns every response withdrawn at the town hall into
    /// a tombstone (in the outbox too; nothing is queued, the server already
    /// knows), merges every pulled report field edit into its report (the
    /// server's copy of an edit made here has its stamp bounded on receipt,
    /// so it may be a second edit beside the local one: both are kept, and
    /// every replica picks the same winner), sets the status of every report
    /// the town hall moved (and forgets the status pending here), stores
    /// every forum this tablet does not hold yet (as synced), attaches every
    /// authority's answer and every feedback to the forum that holds its
    /// recommendation, and stores the cursor to pull from next time.
    ///
    /// Every pulled edit's stamp is observed by this install's clock, so the
    /// next edit made here sorts after everything already seen.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB; then nothing was changed.
    pub async fn apply_pull(
        &self,
        changes: &[Change],
        next_cursor: u64,
    ) -> Result<(), StorageError> {
        self.apply_pull_page(changes, next_cursor, None).await
    }

    /// [`Store::apply_pull`], keeping the server's token for the cursor
    /// with it (sent back with the next pull).
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB; then nothing was changed.
    pub async fn apply_pull_page(
        &self,
        changes: &[Change],
        next_cursor: u64,
        cursor_token: Option<&str>,
    ) -> Result<(), StorageError> {
        self.run(move |database| async move {
            transactions::apply_pull(&database, changes, next_cursor, cursor_token).await
        })
        .await
    }
}
