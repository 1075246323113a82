//! The app's records in IndexedDB: drafts, completed responses, the outbox of
//! mutations waiting to be pushed, published surveys and the sync bookkeeping.
//!
//! [`Store`] is defined here with the record types; its operations are
//! grouped by what they are about, one file each (`meta.rs`,
//! `responses.rs`, `reports.rs`, `forums.rs`, `surveys.rs`, `outbox.rs`,
//! `pull.rs`), and each runs one transaction of the file of the same name
//! under `transactions/`.
//!
//! # Object stores
//!
//! | store       | key                                        | value                       |
//! |-------------|--------------------------------------------|-----------------------------|
//! | `meta`      | `"sync"` (out of line)                     | client id, next seq, cursor, clock |
//! | `meta`      | `"session"` (out of line)                  | the signed-in [`Session`]   |
//! | `meta`      | `"owner"` (out of line)                    | the user name it belongs to |
//! | `meta`      | `"catalogue"` (out of line)                | the indicator [`Catalogue`] |
//! | `meta`      | `"counts"` (out of line)                   | responses per sync state (`tally.rs`) |
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
//! and the client id stay, and what waits is sent after the account's next
//! sign-in. Each database belongs to one account (`"owner"`): every account
//! that signs in on a tablet keeps its records in a database of its own
//! (`thamgia_core::tablet_accounts`, `account_database.rs`).
//!
//! The `meta` store also keeps how many responses are in each sync state
//! (`"counts"`), so [`Store::counts`] (home, the sync bar) reads one record
//! however many responses a tablet holds. Every transaction that adds a
//! response, deletes one or changes its sync state moves it in that tally,
//! in the same transaction (`tally.rs`). A database without one (made by an
//! earlier version of the app), or with one that cannot be trusted (of
//! another tally version, or shown wrong by an impossible move), is counted
//! through the `sync.type` index once and the count kept; a renumbering,
//! which reads every response, writes a tally counted from them.
//!
//! `responses` has an index on `sync.type` so counting never reads the
//! records themselves and [`Store::drafts`] reads only the drafts, and one
//! on `response.updated_at` so the list reads only the page it shows
//! ([`Store::newest_responses`]), however many a tablet holds.
//!
//! Records are plain JS objects made from their JSON (`encoding.rs`):
//! `serde_json`, which the app carries for HTTP anyway, is the one serde
//! format in the wasm. `u64` fields become JS numbers, which is exact below
//! 2^53 and therefore for every seq and cursor we will ever see. Records
//! written by earlier versions (through serde-wasm-bindgen) read back as
//! they were written; `encoding.rs` says why.
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
//!   anything is written ([`Refusal::ReportLocked`]).
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
//! - The tally of responses per sync state changes in the same transaction
//!   as the responses it counts, through one pure function
//!   (`Tally::moved`: the tally, a response's state before and after); a
//!   write that finds no trusted tally leaves it absent, never guesses one.
//! - No transaction awaits anything but IndexedDB requests, so none
//!   auto-commits half-way. Requests that do not need each other's answers
//!   are made together and awaited in the order they were made.
//! - A completion makes its writes together with its reads, from what this
//!   tab expects the stores to hold (core's `outbox::expectation`), and
//!   commits only if the reads answer exactly that; otherwise it is
//!   aborted, having written nothing, and runs again reading first.
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
//! [`IoFailure::Closed`], reopens the database once and runs again; a
//! failed transaction committed nothing, so running it again is safe. A
//! second failure is returned to the caller.
//!
//! [`Session`]: thamgia_core::account::Session
//! [`SurveyDefinition`]: thamgia_core::SurveyDefinition
//! [`Catalogue`]: thamgia_core::indicator::Catalogue

mod connection;
mod encoding;
mod error;
mod forums;
mod meta;
mod outbox;
mod pull;
mod records;
mod reports;
mod responses;
mod surveys;
mod tally;
mod transactions;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use indexed_db_futures::database::Database;
use serde::{Deserialize, Serialize};
use thamgia_core::forum::{AuthorityAnswer, ChildFeedback, Forum, RecommendationStatus};
use thamgia_core::report::{ReportFields, ReportId, ReportStatus};
use thamgia_core::{Localized, Response};
use uuid::Uuid;

use connection::Connection;
pub use error::{IoFailure, Refusal, StorageError};

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
    /// What this tab expects the meta store to hold, so a completion can
    /// write without reading first (core's `outbox::expectation`; `None`
    /// until a completion read it).
    expected: RefCell<Option<Expected>>,
    /// How many completions committed as expected, without reading first.
    as_expected: std::cell::Cell<u32>,
    /// How many times the database was opened again: an expectation made
    /// on an earlier connection is not used (the database may have been
    /// deleted and made again meanwhile).
    generation: std::cell::Cell<u64>,
}

/// What this tab expects the meta store to hold.
type Expected = thamgia_core::outbox::expectation::Expectation<records::MetaRecord>;

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
// Deserialize: tag first, without serde's buffering (the list below).
#[derive(Debug, Clone, PartialEq, Serialize)]
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

// Read tag first, straight from the stored JSON (see `thamgia_core::tag_first`);
// a variant or a field not listed here does not compile.
thamgia_core::deserialize_tag_first! {
    LocalSyncState, tag = "type";
    Draft = "draft",
    Waiting { seq: u64 } = "waiting",
    Synced { at_ms: i64 } = "synced",
    Rejected { message: Localized } = "rejected",
    Conflict { message: Localized } = "conflict",
    Withdrawn = "withdrawn",
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
/// Kept in the `meta` store by every write that changes them (counted once
/// through the `sync.type` index when a database holds no count yet): a
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
    /// [`IoFailure::Unavailable`] when the browser has no IndexedDB or
    /// refuses it (some private modes, a newer version open in another tab).
    pub async fn open(database_name: &str) -> Result<Store, StorageError> {
        let connection = Connection::open(database_name).await?;
        Ok(Store {
            shared: Rc::new(Shared {
                name: database_name.to_owned(),
                connection: RefCell::new(Rc::new(connection)),
                expected: RefCell::new(None),
                as_expected: std::cell::Cell::new(0),
                generation: std::cell::Cell::new(0),
            }),
        })
    }

    /// The name of the database this store reads and writes.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Closes the current connection behind the store's back, as a browser
    /// that drops it without a `close` event does. For tests of the
    /// reopen-and-retry path: the next operation must fail on the closed
    /// connection, reopen the database and run again.
    #[doc(hidden)]
    pub fn lose_connection_for_tests(&self) {
        self.shared.connection.borrow().close_unnoticed();
    }

    /// How many completions this store committed as it expected, their
    /// writes made with their reads. For tests of that path.
    #[doc(hidden)]
    pub fn completions_as_expected_for_tests(&self) -> u32 {
        self.shared.as_expected.get()
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
            Err(StorageError::Io(IoFailure::Closed)) => {
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
        self.shared.expected.borrow_mut().take();
        self.shared
            .generation
            .set(self.shared.generation.get().wrapping_add(1));
        let fresh = Rc::new(Connection::open(&self.shared.name).await?);
        *self.shared.connection.borrow_mut() = Rc::clone(&fresh);
        Ok(fresh)
    }
}
