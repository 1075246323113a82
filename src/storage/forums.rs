//! [`Store`]'s operations on children's forums: drafts, submission,
//! feedback to the children, and the forums read back. Each runs one
//! transaction of `transactions/forums.rs`.

use thamgia_core::forum::{ChildFeedback, Forum};
use uuid::Uuid;

use super::{transactions, Refusal, StorageError, Store, StoredForum};

impl Store {
    /// Saves a forum being recorded, replacing its previous save.
    ///
    /// # Errors
    ///
    /// [`Refusal::ForumSubmitted`](super::Refusal::ForumSubmitted) when `forum` is marked submitted or
    /// the stored forum with that id is already submitted (submitted forums
    /// are immutable).
    pub async fn save_forum_draft(&self, forum: &Forum) -> Result<(), StorageError> {
        self.run(
            move |database| async move { transactions::save_forum_draft(&database, forum).await },
        )
        .await
    }

    /// Deletes a forum draft. Deleting one that does not exist is not an error.
    ///
    /// # Errors
    ///
    /// [`Refusal::ForumSubmitted`](super::Refusal::ForumSubmitted) when the stored forum is submitted.
    pub async fn discard_forum_draft(&self, id: Uuid) -> Result<(), StorageError> {
        self.run(
            move |database| async move { transactions::discard_forum_draft(&database, id).await },
        )
        .await
    }

    /// Stores a submitted forum and queues its `SubmitForum` mutation, in
    /// one strict transaction with the seq counter, and returns the seq.
    ///
    /// Submitting exactly the same forum again while it waits returns its
    /// seq again (a double tap) without queueing it twice.
    ///
    /// # Errors
    ///
    /// [`Refusal::ForumNotSubmitted`](super::Refusal::ForumNotSubmitted) when `forum.submitted` is false;
    /// [`Refusal::ForumIncomplete`](super::Refusal::ForumIncomplete) with the first of
    /// `forum.problems()`; [`Refusal::ForumSubmitted`](super::Refusal::ForumSubmitted) when another
    /// forum with this id is already submitted. Then nothing was written.
    pub async fn submit_forum(&self, forum: &Forum) -> Result<u64, StorageError> {
        if !forum.submitted {
            return Err(Refusal::ForumNotSubmitted.into());
        }
        if let Some(problem) = forum.problems().into_iter().next() {
            return Err(Refusal::ForumIncomplete(problem).into());
        }
        self.run(move |database| async move { transactions::submit_forum(&database, forum).await })
            .await
    }

    /// Records the feedback given to the children on a recommendation, in
    /// one strict transaction: stores it on the forum that holds the
    /// recommendation and queues a `RecordFeedback` mutation. Returns its seq.
    ///
    /// Recording exactly the same feedback again is harmless: it returns the
    /// seq still queued, or 0 once it has left.
    ///
    /// # Errors
    ///
    /// [`Refusal::RecommendationNotFound`](super::Refusal::RecommendationNotFound) when no forum here holds the
    /// recommendation; [`Refusal::ForumNotSubmitted`](super::Refusal::ForumNotSubmitted) when its forum is
    /// a draft; [`Refusal::FeedbackAlreadyGiven`](super::Refusal::FeedbackAlreadyGiven) when other feedback on
    /// it is already recorded. Then nothing was written.
    pub async fn record_feedback(&self, feedback: &ChildFeedback) -> Result<u64, StorageError> {
        self.run(
            move |database| async move { transactions::record_feedback(&database, feedback).await },
        )
        .await
    }

    /// Every forum on this tablet, the latest held first (then the latest
    /// started).
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn forums(&self) -> Result<Vec<StoredForum>, StorageError> {
        self.run(|database| async move { transactions::forums(&database).await })
            .await
    }

    /// One forum.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn forum(&self, id: Uuid) -> Result<Option<StoredForum>, StorageError> {
        self.run(move |database| async move { transactions::forum(&database, id).await })
            .await
    }
}
