//! [`Store`]'s operations on the outbox: read for a push, emptied by the
//! town hall's acknowledgement, renumbered under a new client id. Each runs
//! one transaction of `transactions/outbox.rs`.

use thamgia_core::protocol::{Mutation, MutationResult};
use uuid::Uuid;

use super::{transactions, StorageError, Store};

impl Store {
    /// The first `limit` mutations of the outbox, lowest seq first, and how
    /// many mutations the outbox holds in all.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn read_outbox(&self, limit: usize) -> Result<(Vec<Mutation>, u64), StorageError> {
        self.run(move |database| async move { transactions::read_outbox(&database, limit).await })
            .await
    }

    /// Applies a push acknowledgement in one strict transaction: every outbox
    /// entry with `seq <= acknowledged_through` leaves the outbox, and its
    /// response becomes synced, rejected, in conflict or withdrawn according
    /// to its result (synced when the server sent no result for it). A
    /// response the server says was withdrawn becomes a tombstone here too.
    /// A response that still has a later mutation queued keeps waiting for it.
    ///
    /// A report edit or status change the town hall refused (`Rejected`, or
    /// `Conflict`) is not lost silently: its message becomes the report's
    /// [`StoredReport::last_rejection`], a refused edit stays in the report's
    /// fields, and a refused status change is no longer pending. An accepted
    /// one changes nothing here: the town hall's own copy comes back by pull.
    ///
    /// A submitted forum becomes synced, rejected or in conflict like a
    /// response. Acknowledged feedback simply leaves the outbox: it is
    /// already on its forum here.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB; then nothing was changed.
    ///
    /// [`StoredReport::last_rejection`]: super::StoredReport::last_rejection
    pub async fn apply_push_results(
        &self,
        acknowledged_through: u64,
        results: &[MutationResult],
    ) -> Result<(), StorageError> {
        self.run(move |database| async move {
            transactions::apply_push_results(&database, acknowledged_through, results).await
        })
        .await
    }

    /// Renumbers the outbox from 1 under a new client id, in one strict
    /// transaction: what the tablet does when the server says its seq numbers
    /// were already used (its storage was wiped and restored, say).
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB; then nothing was changed.
    pub async fn renumber_outbox(&self, new_client_id: Uuid) -> Result<(), StorageError> {
        self.run(move |database| async move {
            transactions::renumber_outbox(&database, new_client_id).await
        })
        .await
    }
}
