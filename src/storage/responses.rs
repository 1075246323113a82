//! [`Store`]'s operations on responses: drafts, completion, withdrawal,
//! corrections, and the responses read back and counted. Each runs one
//! transaction of `transactions/responses.rs`.

use std::rc::Rc;

use chrono::{DateTime, Utc};
use thamgia_core::Response;
use uuid::Uuid;

use super::{transactions, Counts, Refusal, StorageError, Store, StoredResponse};

impl Store {
    /// Saves a draft, replacing the previous save of the same response.
    ///
    /// # Errors
    ///
    /// [`Refusal::NotADraft`](super::Refusal::NotADraft) when `response` is completed or the stored
    /// response with that id is already completed (completed responses are
    /// immutable).
    pub async fn save_draft(&self, response: &Response) -> Result<(), StorageError> {
        self.run(
            move |database| async move { transactions::save_draft(&database, response).await },
        )
        .await?;
        self.expect_draft(response.id);
        Ok(())
    }

    /// Notes that the response `id` is stored as a draft, as this tab just
    /// saved or read it, for its completion (see core's
    /// `outbox::expectation`).
    fn expect_draft(&self, id: Uuid) {
        let mut expected = self.shared.expected.borrow_mut();
        *expected = expected.take().map(|expected| expected.draft_saved(id));
    }

    /// Deletes a draft. Deleting a draft that does not exist is not an error.
    ///
    /// # Errors
    ///
    /// [`Refusal::NotADraft`](super::Refusal::NotADraft) when the stored response is completed.
    pub async fn discard_draft(&self, id: Uuid) -> Result<(), StorageError> {
        // The tally moves; the next completion reads it first again.
        self.shared.expected.borrow_mut().take();
        self.run(move |database| async move { transactions::discard_draft(&database, id).await })
            .await
    }

    /// Stores a completed response and queues its mutation, in one strict
    /// transaction, and returns the mutation's seq.
    ///
    /// A draft this tab saved or read is written from what this tab
    /// expects the stores to hold (the `expected` of [`Store`]), reading
    /// nothing; if the transaction shows another tab took a seq since, it
    /// is aborted and run again reading first
    /// (`transactions::complete_response`). An expectation made on a
    /// connection since closed is not used: the database may have been
    /// deleted and made again meanwhile.
    ///
    /// Completing the same response again with exactly the same content while
    /// it is still waiting returns its seq again (a double tap, or a retry
    /// after a lost connection), without queueing it twice.
    ///
    /// # Errors
    ///
    /// [`Refusal::NotCompleted`](super::Refusal::NotCompleted) when `response.status` is not
    /// completed; [`Refusal::NotADraft`](super::Refusal::NotADraft) when a different response with
    /// this id is already completed.
    pub async fn complete_response(&self, response: &Response) -> Result<u64, StorageError> {
        if response.status != thamgia_core::ResponseStatus::Completed {
            return Err(Refusal::NotCompleted.into());
        }
        let expected = self.shared.expected.borrow_mut().take();
        let generation = self.shared.generation.get();
        let shared = Rc::clone(&self.shared);
        let completed = self
            .run(move |database| {
                let expected = expected
                    .clone()
                    .filter(|_| shared.generation.get() == generation);
                async move { transactions::complete_response(&database, response, expected).await }
            })
            .await?;
        if completed.as_expected {
            self.shared
                .as_expected
                .set(self.shared.as_expected.get() + 1);
        }
        *self.shared.expected.borrow_mut() = completed.expected;
        Ok(completed.seq)
    }

    /// Withdraws consent for a response, in one strict transaction, and
    /// returns the seq of the withdrawal's mutation.
    ///
    /// The record becomes a tombstone (no participant, consent or answers;
    /// `updated_at = at`); any outbox entry still submitting it is rewritten
    /// in place, under the same seq, to submit the tombstone instead, so the
    /// child's answers leave this tablet's storage at once; a
    /// `WithdrawResponse` mutation is queued with the next seq, and the
    /// record waits for it.
    ///
    /// A draft never left the tablet: it is simply deleted, nothing is
    /// queued, and 0 is returned. Withdrawing again is harmless: it returns
    /// the seq still queued, or 0 once the town hall confirmed it.
    ///
    /// # Errors
    ///
    /// [`Refusal::NotFound`](super::Refusal::NotFound) when no response has this id; any
    /// [`StorageError`] from IndexedDB, and then nothing was changed.
    pub async fn withdraw_response(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        self.run(
            move |database| async move { transactions::withdraw_response(&database, id, at).await },
        )
        .await
    }

    /// Starts a correction of the completed response `original`: saves and
    /// returns a new draft `new_id` with a copy of its participant, consent
    /// and answers, `corrects: Some(original)`, created and changed `now`.
    /// The original stays as it is; the correction is sent as a response of
    /// its own once completed.
    ///
    /// # Errors
    ///
    /// [`Refusal::NotFound`](super::Refusal::NotFound) when `original` is not on this tablet;
    /// [`Refusal::Withdrawn`](super::Refusal::Withdrawn) when its consent was withdrawn;
    /// [`Refusal::NotCompleted`](super::Refusal::NotCompleted) when it is still a draft (edit it
    /// instead); [`Refusal::NotADraft`](super::Refusal::NotADraft) when `new_id` is already taken.
    pub async fn start_correction(
        &self,
        original: Uuid,
        new_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Response, StorageError> {
        self.run(move |database| async move {
            transactions::start_correction(&database, original, new_id, now).await
        })
        .await
    }

    /// One stored response.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn response(&self, id: Uuid) -> Result<Option<StoredResponse>, StorageError> {
        let stored = self
            .run(move |database| async move { transactions::response(&database, id).await })
            .await?;
        if stored
            .as_ref()
            .is_some_and(|stored| stored.sync == super::LocalSyncState::Draft)
        {
            self.expect_draft(id);
        }
        Ok(stored)
    }

    /// Every stored response, the most recently changed first.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn responses(&self) -> Result<Vec<StoredResponse>, StorageError> {
        self.run(|database| async move { transactions::responses(&database).await })
            .await
    }

    /// The `limit` most recently changed responses, newest first, and
    /// whether more are stored: the list opens with its first page however
    /// many responses a tablet holds after a month offline.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn newest_responses(
        &self,
        limit: u32,
    ) -> Result<(Vec<StoredResponse>, bool), StorageError> {
        self.run(
            move |database| async move { transactions::newest_responses(&database, limit).await },
        )
        .await
    }

    /// Stores `completed` as waiting responses with their outbox entries in
    /// one transaction: a tablet after weeks offline, made at once for
    /// `cargo xtask bench`. The app itself completes one at a time
    /// ([`Store::complete_response`]).
    ///
    /// Not behind the `bench` feature: the browser tests fill with it too
    /// (`tests/storage/`, built without features). Nothing in the app
    /// calls it, so the linker leaves it out of the app's wasm.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn fill_waiting_for_bench(&self, completed: &[Response]) -> Result<(), StorageError> {
        self.run(
            move |database| async move { transactions::fill_waiting(&database, completed).await },
        )
        .await
    }

    /// The drafts, the most recently changed first (the completed
    /// responses are not read, however many the tablet holds).
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn drafts(&self) -> Result<Vec<StoredResponse>, StorageError> {
        self.run(|database| async move { transactions::drafts(&database).await })
            .await
    }

    /// How many responses are in each sync state: one record read, the
    /// tally every write keeps. On a database that holds none yet (made by
    /// an earlier version of the app) the responses are counted through the
    /// sync-state index once, and the tally kept from then on.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn counts(&self) -> Result<Counts, StorageError> {
        self.run(|database| async move { transactions::counts(&database).await })
            .await
    }

    /// Counts the responses through their index and corrects the kept
    /// tally if it was off; returns whether it was. Run once in the
    /// background after the app opens, so home shows the kept counts at
    /// once and a tally put off by a writer that could not keep it (a tab
    /// of an earlier version of the app still open) is put right.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB; the kept tally then stays.
    pub async fn recount(&self) -> Result<bool, StorageError> {
        self.run(|database| async move { transactions::recount(&database).await })
            .await
    }
}
