//! The app's records in IndexedDB: drafts, completed responses, the outbox of
//! mutations waiting to be pushed, published surveys and the sync bookkeeping.
//!
//! # Object stores
//!
//! | store       | key                                        | value                       |
//! |-------------|--------------------------------------------|-----------------------------|
//! | `meta`      | `"sync"` (out of line)                     | client id, next seq, cursor, clock |
//! | `meta`      | `"session"` (out of line)                  | the signed-in [`Session`]   |
//! | `responses` | the response id (`response.id`)            | [`StoredResponse`]          |
//! | `outbox`    | the mutation's `seq` (a JS number)         | `{ seq, mutation }`         |
//! | `surveys`   | `"id@version"` (out of line)               | [`SurveyDefinition`]        |
//! | `reports`   | the report id, `"00004:2026-Q3"` (out of line) | [`StoredReport`]        |
//! | `forums`    | the forum id (`forum.id`)                  | [`StoredForum`]             |
//!
//! The `meta` record also holds the hybrid logical clock that stamps report
//! edits (`HlcClock::last()`), so a reload resumes after the last reading and
//! never gives one twice.
//!
//! The `meta` store also keeps the session of whoever signed in on this
//! tablet (the device token and the account), so the app opens offline on
//! it. Signing out deletes that record only: responses, the outbox, drafts
//! and the client id stay, and what waits is sent after the next sign-in.
//!
//! `responses` has an index on `sync.type` so [`Store::counts`] never reads
//! the records themselves. Records are plain JS objects written through
//! `serde` (serde-wasm-bindgen); `u64` fields become JS numbers, which is
//! exact below 2^53 and therefore for every seq and cursor we will ever see.
//!
//! # Invariants
//!
//! - A completed response and its outbox entry are written in the same
//!   transaction, with `durability: "strict"`: there is never a queued
//!   response without its mutation, nor a mutation without its response.
//! - The client id lives in IndexedDB next to `next_seq`, never in
//!   localStorage: a wiped database can never reuse old seq numbers under an
//!   old client id.
//! - A completed response is immutable here: it is never overwritten by a
//!   draft and never discarded. Withdrawing consent is the one exception:
//!   the record becomes a tombstone (ids, survey, ward, times; no
//!   participant, consent or answers), and so does every outbox entry that
//!   still carries it, in the same transaction as the withdrawal's own
//!   mutation. A correction is a new response that names the one it corrects.
//! - A report edit is written in one strict transaction with its outbox
//!   entry, the seq counter and the clock reading that stamps it.
//! - An approved report is never edited here: the edit is refused before
//!   anything is written ([`StorageError::ReportLocked`]).
//! - A report's status changes here only when the town hall says so (a
//!   pulled `ReportStatusChanged`); a status change asked for on this tablet
//!   waits in the outbox, shown meanwhile as [`StoredReport::pending_status`].
//! - A submitted forum and its outbox entry are written in one strict
//!   transaction with the seq counter, and only when the forum has no
//!   problem left (`Forum::problems`); from then on the forum is immutable
//!   here, like a completed response. Feedback to the children is written
//!   in one strict transaction with its outbox entry, on the forum that holds
//!   its recommendation.
//! - Every forum of the town hall reaches every tablet by pull (so a
//!   colleague can record the feedback); a forum this tablet already holds
//!   is never replaced by the pulled copy. Authorities' answers arrive only
//!   by pull and attach to the forum that holds their recommendation.
//! - No transaction awaits anything but IndexedDB requests, so none
//!   auto-commits half-way.
//!
//! # Upgrades
//!
//! Opening a database made by an older version of the app upgrades it in
//! the browser's `versionchange` transaction, by adding stores only (see
//! `connection::upgrade`): responses, outbox entries, surveys, reports and
//! the client id all stay as they were.
//!
//! # A closed connection
//!
//! Browsers close connections (Safari under memory pressure, another tab
//! upgrading or deleting the database). Each connection listens for `close`
//! and `versionchange` (on which it closes itself so the other tab is not
//! blocked). An operation that finds its connection closed, or fails with
//! [`StorageError::Closed`], reopens the database once and runs again; a
//! failed transaction committed nothing, so running it again is safe. A
//! second failure is returned to the caller.

mod connection;
mod error;
mod records;
mod transactions;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use indexed_db_futures::database::Database;
use serde::{Deserialize, Serialize};
use thamgia_core::account::Session;
use thamgia_core::forum::{AuthorityAnswer, ChildFeedback, Forum, RecommendationStatus};
use thamgia_core::protocol::{Change, Mutation, MutationResult};
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, ReportFields, ReportId, ReportStatus,
};
use thamgia_core::{Localized, Response, SurveyDefinition};
use uuid::Uuid;

use connection::Connection;
pub use error::StorageError;

/// The app's IndexedDB database. Cheap to clone: clones share one connection.
#[derive(Clone)]
pub struct Store {
    shared: Rc<Shared>,
}

/// What every clone of a [`Store`] shares.
struct Shared {
    /// The database name, to reopen it.
    name: String,
    /// The current connection; replaced when the browser closed the previous one.
    connection: RefCell<Rc<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("name", &self.shared.name)
            .finish_non_exhaustive()
    }
}

/// The sync bookkeeping of this install.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncMeta {
    /// This install's id in the sync protocol; changes only on renumbering.
    pub client_id: Uuid,
    /// The seq the next completed response will get.
    pub next_seq: u64,
    /// The server cursor after the last pull page applied; 0 before any pull.
    pub cursor: u64,
    /// The server's token for that cursor.
    pub cursor_token: Option<String>,
    /// When the last sync succeeded (ms since the epoch), if ever.
    pub last_success_ms: Option<i64>,
}

/// A response as kept on this tablet, with where it is in the sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// The response itself.
    pub response: Response,
    /// Where it is in the sync.
    pub sync: LocalSyncState,
}

/// Where a stored response is in the sync.
///
/// Stored with a `type` tag (`"draft"`, `"waiting"`, …) that the `responses`
/// store indexes; renaming a variant needs a database migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LocalSyncState {
    /// Being filled; never leaves the tablet.
    Draft,
    /// Completed and queued in the outbox as mutation `seq`.
    Waiting {
        /// The outbox mutation that carries it.
        seq: u64,
    },
    /// The server stored it (or already held it).
    Synced {
        /// When the acknowledgement was applied, in ms since the epoch.
        at_ms: i64,
    },
    /// The server refused it; it is kept here with the reason.
    Rejected {
        /// What is wrong and what to do.
        message: Localized,
    },
    /// The server holds a different response with the same id.
    Conflict {
        /// What happened and what to do.
        message: Localized,
    },
    /// Consent was withdrawn and the town hall confirmed it (or told this
    /// tablet): only a tombstone remains, here and there. While the
    /// withdrawal itself still waits in the outbox the state is
    /// [`LocalSyncState::Waiting`] with the withdrawal's seq.
    Withdrawn,
}

/// A ward report as kept on this tablet.
///
/// The fields merge edit by edit (see `thamgia_core::report`): every edit
/// made here or pulled from the town hall is kept, and each field shows the
/// one with the largest stamp. The status is the town hall's: it changes
/// here only when a pulled `ReportStatusChanged` says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReport {
    /// Every field, each with its winning edit and the edits it beat.
    pub fields: ReportFields,
    /// The status as the town hall last told this tablet; a draft until then.
    #[serde(default)]
    pub status: ReportStatus,
    /// The status asked for on this tablet and still waiting for the town
    /// hall ("submitted, waiting for the town hall"); `None` once the town
    /// hall's answer arrived, whatever it was.
    #[serde(default)]
    pub pending_status: Option<ReportStatus>,
    /// Why the town hall refused the last change it refused (an edit sent
    /// after the report was approved, a status change overtaken by another). The
    /// refused edit stays in [`StoredReport::fields`]; this tells the officer
    /// it did not count at the town hall. Cleared by
    /// [`Store::dismiss_report_rejection`].
    #[serde(default)]
    pub last_rejection: Option<Localized>,
}

impl StoredReport {
    /// A report nobody edited yet: a draft with no field.
    pub fn empty(report_id: ReportId) -> StoredReport {
        StoredReport {
            fields: ReportFields::new(report_id),
            status: ReportStatus::Draft,
            pending_status: None,
            last_rejection: None,
        }
    }

    /// Whether edits are refused here: the report is approved, or its
    /// approval is already queued (the town hall would apply the approval
    /// first and refuse every edit queued after it).
    pub fn is_locked(&self) -> bool {
        self.status.is_locked() || self.pending_status == Some(ReportStatus::Approved)
    }
}

/// A children's forum as kept on this tablet.
///
/// The forum itself is written here (as a draft, then submitted, then
/// immutable) or pulled from the town hall; the authorities' answers and the
/// feedback to the children are keyed by recommendation id (hyphenated,
/// lowercase), each written once by the one who knows it, so nothing merges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredForum {
    /// The forum.
    pub forum: Forum,
    /// The authorities' answers, by recommendation id; they come by pull.
    #[serde(default)]
    pub answers: BTreeMap<String, AuthorityAnswer>,
    /// The feedback given back to the children, by recommendation id.
    #[serde(default)]
    pub feedback: BTreeMap<String, ChildFeedback>,
    /// Where the forum is in the sync: a draft, waiting for its mutation,
    /// at the town hall (synced), refused or in conflict. A forum pulled
    /// from the town hall is synced.
    pub sync: LocalSyncState,
}

impl StoredForum {
    /// A forum being recorded, with no answer or feedback yet.
    pub fn draft(forum: Forum) -> StoredForum {
        StoredForum {
            forum,
            answers: BTreeMap::new(),
            feedback: BTreeMap::new(),
            sync: LocalSyncState::Draft,
        }
    }

    /// Whether the forum is still a draft, which can be edited or discarded.
    pub fn is_draft(&self) -> bool {
        !self.forum.submitted && self.sync == LocalSyncState::Draft
    }

    /// Whether one of the forum's recommendations has this id.
    pub fn holds(&self, recommendation_id: Uuid) -> bool {
        self.forum
            .recommendations
            .iter()
            .any(|recommendation| recommendation.id == recommendation_id)
    }

    /// The authority's answer to a recommendation, once it came.
    pub fn answer(&self, recommendation_id: Uuid) -> Option<&AuthorityAnswer> {
        self.answers.get(&records::forum_key(recommendation_id))
    }

    /// The feedback given to the children on a recommendation, if any.
    pub fn feedback_on(&self, recommendation_id: Uuid) -> Option<&ChildFeedback> {
        self.feedback.get(&records::forum_key(recommendation_id))
    }

    /// Where a recommendation is: awaiting the answer, awaiting the
    /// feedback, or closed.
    pub fn recommendation_status(&self, recommendation_id: Uuid) -> RecommendationStatus {
        RecommendationStatus::of(
            self.answer(recommendation_id),
            self.feedback_on(recommendation_id),
        )
    }
}

/// How many stored responses are in each state, for the home screen.
///
/// Counted from the `sync.type` index alone, without reading a record: a
/// tombstone whose withdrawal is still queued counts as waiting (what waits
/// is the withdrawal), and as withdrawn once the town hall confirmed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Drafts being filled.
    pub drafts: u64,
    /// Completed responses, or withdrawals, waiting to be sent.
    pub waiting: u64,
    /// Responses the server holds.
    pub synced: u64,
    /// Responses the server rejected or found in conflict.
    pub problems: u64,
    /// Responses whose consent was withdrawn, confirmed by the town hall.
    pub withdrawn: u64,
}

impl Store {
    /// Opens (and on first use creates) the database `database_name`.
    ///
    /// # Errors
    ///
    /// [`StorageError::Unavailable`] when the browser has no IndexedDB or
    /// refuses it (some private modes, a newer version open in another tab).
    pub async fn open(database_name: &str) -> Result<Store, StorageError> {
        let connection = Connection::open(database_name).await?;
        Ok(Store {
            shared: Rc::new(Shared {
                name: database_name.to_owned(),
                connection: RefCell::new(Rc::new(connection)),
            }),
        })
    }

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

    /// Saves a draft, replacing the previous save of the same response.
    ///
    /// # Errors
    ///
    /// [`StorageError::NotADraft`] when `response` is completed or the stored
    /// response with that id is already completed (completed responses are
    /// immutable).
    pub async fn save_draft(&self, response: &Response) -> Result<(), StorageError> {
        self.run(move |database| async move { transactions::save_draft(&database, response).await })
            .await
    }

    /// Deletes a draft. Deleting a draft that does not exist is not an error.
    ///
    /// # Errors
    ///
    /// [`StorageError::NotADraft`] when the stored response is completed.
    pub async fn discard_draft(&self, id: Uuid) -> Result<(), StorageError> {
        self.run(move |database| async move { transactions::discard_draft(&database, id).await })
            .await
    }

    /// Stores a completed response and queues its mutation, in one strict
    /// transaction, and returns the mutation's seq.
    ///
    /// Completing the same response again with exactly the same content while
    /// it is still waiting returns its seq again (a double tap, or a retry
    /// after a lost connection), without queueing it twice.
    ///
    /// # Errors
    ///
    /// [`StorageError::NotCompleted`] when `response.status` is not
    /// completed; [`StorageError::NotADraft`] when a different response with
    /// this id is already completed.
    pub async fn complete_response(&self, response: &Response) -> Result<u64, StorageError> {
        if response.status != thamgia_core::ResponseStatus::Completed {
            return Err(StorageError::NotCompleted);
        }
        self.run(move |database| async move {
            transactions::complete_response(&database, response).await
        })
        .await
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
    /// [`StorageError::NotFound`] when no response has this id; any
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
    /// [`StorageError::NotFound`] when `original` is not on this tablet;
    /// [`StorageError::Withdrawn`] when its consent was withdrawn;
    /// [`StorageError::NotCompleted`] when it is still a draft (edit it
    /// instead); [`StorageError::NotADraft`] when `new_id` is already taken.
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
        self.run(move |database| async move { transactions::response(&database, id).await })
            .await
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

    /// How many responses are in each sync state.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn counts(&self) -> Result<Counts, StorageError> {
        self.run(|database| async move { transactions::counts(&database).await })
            .await
    }

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

    /// Edits one field of a ward report, in one strict transaction over the
    /// meta record, the report and the outbox: takes the next reading of this
    /// install's hybrid logical clock, stamps the edit with it and the client
    /// id, merges the edit into the stored report (creating the report on
    /// its first edit), queues an `EditReportField` mutation with the next
    /// seq, and stores the clock and the seq counter. Returns the edit.
    ///
    /// `now_ms` is the tablet's time (the clock never goes back even if it
    /// does); `author` is the name shown beside the value, and may be empty.
    ///
    /// # Errors
    ///
    /// [`StorageError::ReportLocked`] when the report is approved, or its
    /// approval is queued here; [`StorageError::Report`] when the content
    /// does not fit the field (text for a value, a number that is not
    /// finite). Then nothing was written.
    pub async fn edit_report_field(
        &self,
        report_id: &ReportId,
        field: FieldKey,
        content: FieldContent,
        author: String,
        now_ms: i64,
    ) -> Result<FieldEdit, StorageError> {
        self.run(move |database| {
            let field = field.clone();
            let content = content.clone();
            let author = author.clone();
            async move {
                transactions::edit_report_field(
                    &database, report_id, field, content, author, now_ms,
                )
                .await
            }
        })
        .await
    }

    /// Asks the town hall to move a report to `to`, in one strict
    /// transaction: checks the move from the status held here
    /// (`thamgia_core::report::transition`), queues a `ChangeReportStatus`
    /// mutation from that status, and records `to` as the report's
    /// [`StoredReport::pending_status`].
    ///
    /// The status itself does **not** change here: the town hall decides,
    /// checking the change against the status it holds, and its
    /// `ReportStatusChanged` comes back by pull. Meanwhile the page shows
    /// "submitted, waiting for the town hall". Asking again for the status
    /// already pending is harmless and queues nothing.
    ///
    /// # Errors
    ///
    /// [`StorageError::Report`] when the report's life does not allow the
    /// move from its current status. Then nothing was written.
    pub async fn change_report_status(
        &self,
        report_id: &ReportId,
        to: ReportStatus,
    ) -> Result<(), StorageError> {
        self.run(move |database| async move {
            transactions::change_report_status(&database, report_id, to).await
        })
        .await
    }

    /// One ward report; an empty draft when nobody edited it yet.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn report(&self, report_id: &ReportId) -> Result<StoredReport, StorageError> {
        self.run(move |database| async move { transactions::report(&database, report_id).await })
            .await
    }

    /// Forgets the report's [`StoredReport::last_rejection`] once the officer
    /// has read it. The refused edits themselves stay in the report's history.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn dismiss_report_rejection(&self, report_id: &ReportId) -> Result<(), StorageError> {
        self.run(move |database| async move {
            transactions::dismiss_report_rejection(&database, report_id).await
        })
        .await
    }

    /// Saves a forum being recorded, replacing its previous save.
    ///
    /// # Errors
    ///
    /// [`StorageError::ForumSubmitted`] when `forum` is marked submitted or
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
    /// [`StorageError::ForumSubmitted`] when the stored forum is submitted.
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
    /// [`StorageError::ForumNotSubmitted`] when `forum.submitted` is false;
    /// [`StorageError::ForumIncomplete`] with the first of
    /// `forum.problems()`; [`StorageError::ForumSubmitted`] when another
    /// forum with this id is already submitted. Then nothing was written.
    pub async fn submit_forum(&self, forum: &Forum) -> Result<u64, StorageError> {
        if !forum.submitted {
            return Err(StorageError::ForumNotSubmitted);
        }
        if let Some(problem) = forum.problems().into_iter().next() {
            return Err(StorageError::ForumIncomplete(problem));
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
    /// [`StorageError::RecommendationNotFound`] when no forum here holds the
    /// recommendation; [`StorageError::ForumNotSubmitted`] when its forum is
    /// a draft; [`StorageError::FeedbackAlreadyGiven`] when other feedback on
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

    /// The latest version of each stored survey, sorted by Vietnamese title.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn surveys(&self) -> Result<Vec<SurveyDefinition>, StorageError> {
        self.run(|database| async move { transactions::surveys(&database).await })
            .await
    }

    /// One survey version, as responses made with it need it.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn survey(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Option<SurveyDefinition>, StorageError> {
        self.run(move |database| async move { transactions::survey(&database, id, version).await })
            .await
    }

    /// Closes the current connection behind the store's back, as a browser
    /// that drops it without a `close` event does. For tests of the
    /// reopen-and-retry path: the next operation must fail on the closed
    /// connection, reopen the database and run again.
    #[doc(hidden)]
    pub fn lose_connection_for_tests(&self) {
        self.shared.connection.borrow().close_unnoticed();
    }

    /// Runs `operation` on the current connection; if the connection turns
    /// out to be closed, reopens the database and runs it once more.
    ///
    /// Every operation is one transaction, and a transaction that failed
    /// committed nothing, so the second run cannot apply anything twice.
    async fn run<T, F, Fut>(&self, operation: F) -> Result<T, StorageError>
    where
        F: Fn(Database) -> Fut,
        Fut: Future<Output = Result<T, StorageError>>,
    {
        let connection = self.connection().await?;
        match operation(connection.database()).await {
            Err(StorageError::Closed) => {
                let connection = self.reopen(&connection).await?;
                operation(connection.database()).await
            }
            result => result,
        }
    }

    /// The current connection, reopened first if the browser closed it.
    async fn connection(&self) -> Result<Rc<Connection>, StorageError> {
        let current = Rc::clone(&self.shared.connection.borrow());
        if current.is_closed() {
            self.reopen(&current).await
        } else {
            Ok(current)
        }
    }

    /// Replaces the connection `stale` with a new one, unless another task
    /// already did.
    async fn reopen(&self, stale: &Rc<Connection>) -> Result<Rc<Connection>, StorageError> {
        let current = Rc::clone(&self.shared.connection.borrow());
        if !Rc::ptr_eq(&current, stale) && !current.is_closed() {
            return Ok(current);
        }
        stale.close();
        let fresh = Rc::new(Connection::open(&self.shared.name).await?);
        *self.shared.connection.borrow_mut() = Rc::clone(&fresh);
        Ok(fresh)
    }
}
