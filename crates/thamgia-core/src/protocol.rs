//! The sync protocol's wire messages, shared by the app and the server.
//!
//! Push: the tablet sends its outbox as mutations numbered `seq = 1, 2, 3 …`
//! under its `client_id`; the server applies them in one transaction, skips
//! those at or below the `last_seq` it recorded (a replay), stops at a gap,
//! and answers only after commit. Pull: the tablet asks for the changes after
//! a server-assigned cursor, page by page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::forum::{AuthorityAnswer, ChildFeedback, Forum};
use crate::localized::Localized;
use crate::report::{FieldEdit, ReportId, ReportStatus, ReportStatusChange};
use crate::response::Response;
use crate::survey::SurveyDefinition;

mod decoding;

/// Version of these messages. The server refuses other versions with
/// [`ApiErrorCode::SchemaMismatch`], so an old app is told to update
/// instead of being misunderstood.
pub const SCHEMA_VERSION: u32 = 1;

/// Largest number of mutations the server accepts in one push.
pub const MAX_PUSH_BATCH: usize = 500;

/// Largest page a pull may ask for.
pub const MAX_PULL_PAGE: u32 = 500;

/// Most bytes of stored changes one pull page carries, beyond its first
/// change: a page of large forums or surveys ends early and says more
/// follow, so neither the server's memory nor the tablet's wait for the
/// page grows with what the ward holds.
pub const MAX_PULL_PAGE_BYTES: usize = 2 * 1024 * 1024;

/// Whether the next change, `next_bytes` long as stored, joins a pull page
/// that holds `taken` changes of `taken_bytes` so far, of at most `limit`
/// changes: while the page has room for it in [`MAX_PULL_PAGE_BYTES`], and
/// always when the page is still empty (a change larger than that still
/// reaches the tablet, alone on its page).
pub fn pull_page_takes(taken: usize, taken_bytes: usize, next_bytes: usize, limit: usize) -> bool {
    taken < limit && (taken == 0 || taken_bytes.saturating_add(next_bytes) <= MAX_PULL_PAGE_BYTES)
}

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The tablet install that made the mutations.
    pub client_id: Uuid,
    /// Must equal [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Mutations in increasing `seq` order, without holes.
    pub mutations: Vec<Mutation>,
}

/// One change made on a tablet, numbered in the order it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Position in the client's sequence, from 1.
    pub seq: u64,
    /// What changed.
    pub change: MutationChange,
}

/// What a mutation does.
// Deserialize: tag first, without serde's buffering (`protocol/decoding.rs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MutationChange {
    /// A completed response is submitted.
    SubmitResponse {
        /// The response, immutable from now on.
        response: Response,
    },
    /// Consent for a response was withdrawn: its answers must be deleted
    /// everywhere, keeping only a tombstone.
    WithdrawResponse {
        /// The response concerned.
        response_id: Uuid,
        /// When the withdrawal was recorded, by the tablet's clock.
        withdrawn_at: DateTime<Utc>,
    },
    /// One field of a ward report was edited; edits merge per field.
    EditReportField {
        /// The edit, stamped by the tablet's hybrid logical clock.
        edit: FieldEdit,
    },
    /// A ward report is submitted, sent back, or approved.
    ChangeReportStatus {
        /// The change, with the status the tablet saw.
        change: ReportStatusChange,
    },
    /// A children's forum was submitted; immutable from now on.
    SubmitForum {
        /// The forum.
        forum: Forum,
    },
    /// The children were told what became of a recommendation.
    RecordFeedback {
        /// The feedback.
        feedback: ChildFeedback,
    },
}

impl MutationChange {
    /// The wire name of its kind (the `type` tag): `submit_response`, …
    pub fn kind(&self) -> &'static str {
        match self {
            MutationChange::SubmitResponse { .. } => "submit_response",
            MutationChange::WithdrawResponse { .. } => "withdraw_response",
            MutationChange::EditReportField { .. } => "edit_report_field",
            MutationChange::ChangeReportStatus { .. } => "change_report_status",
            MutationChange::SubmitForum { .. } => "submit_forum",
            MutationChange::RecordFeedback { .. } => "record_feedback",
        }
    }

    /// The id of the record the mutation is about, as logged by the server.
    pub fn record_id(&self) -> String {
        match self {
            MutationChange::SubmitResponse { response } => response.id.to_string(),
            MutationChange::WithdrawResponse { response_id, .. } => response_id.to_string(),
            MutationChange::EditReportField { edit } => {
                format!(
                    "{}/{}@{}",
                    edit.report_id,
                    edit.field.as_str(),
                    edit.stamp.hlc.wall_ms
                )
            }
            MutationChange::ChangeReportStatus { change } => {
                format!("{}#{:?}", change.report_id, change.to)
            }
            MutationChange::SubmitForum { forum } => forum.id.to_string(),
            MutationChange::RecordFeedback { feedback } => {
                format!("feedback/{}", feedback.recommendation_id)
            }
        }
    }
}

/// The server's answer to a push, sent only after its transaction committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Highest `seq` of this client the server holds. The client may drop
    /// every outbox entry up to it.
    pub last_seq: u64,
    /// Whether the whole batch could be considered.
    pub status: PushStatus,
    /// One result per mutation considered, including replays.
    pub results: Vec<MutationResult>,
}

/// Whether the server could consider the batch.
// Deserialize: tag first, without serde's buffering (`protocol/decoding.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PushStatus {
    /// Every mutation was considered.
    Ok,
    /// The batch skipped sequence numbers the server never received; nothing
    /// after the gap was applied. The server expected `expected_seq` next.
    Gap {
        /// The next seq the server expects from this client.
        expected_seq: u64,
    },
    /// The batch reuses a seq the server already holds for another record:
    /// the tablet lost its numbering (its storage was wiped, say) and must
    /// renumber under a new client id. Nothing from that seq on was applied.
    SeqReused {
        /// The first reused seq.
        seq: u64,
    },
}

/// What became of one mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    /// The mutation's seq.
    pub seq: u64,
    /// Its outcome.
    pub outcome: MutationOutcome,
}

/// What became of one mutation. Every outcome removes the mutation from the
/// outbox: a refused record is quarantined with its reason, never retried
/// forever and never blocking the rest.
// Deserialize: tag first, without serde's buffering (`protocol/decoding.rs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MutationOutcome {
    /// Stored now.
    Applied,
    /// The server already held exactly this record (a retried submission).
    AlreadyStored,
    /// The server holds a different record with the same id. Both are kept;
    /// the original is never overwritten.
    Conflict {
        /// What happened and what to do.
        message: Localized,
    },
    /// The record breaks a rule; the server kept it aside with the reason.
    Rejected {
        /// Which rule, for programs (absent from an older server's answer:
        /// [`RefusalCode::Unspecified`]).
        #[serde(default)]
        code: RefusalCode,
        /// What is wrong and what to do, for people.
        message: Localized,
    },
    /// Consent for this response was withdrawn: the server kept nothing of
    /// it but its tombstone, and the tablet must delete its answers too.
    Withdrawn,
}

impl MutationOutcome {
    /// A refusal for `code`, with `message` for people.
    pub fn rejected(code: RefusalCode, message: Localized) -> MutationOutcome {
        MutationOutcome::Rejected { code, message }
    }
}

/// Which rule a refused record broke: what the app, the fault suite and the
/// tests decide on (the message beside it is for people, in two languages,
/// and may be reworded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The server has no survey with that id and version.
    UnknownSurvey,
    /// Only completed responses can be sent.
    NotCompleted,
    /// The answers or the consent break the form's rules.
    InvalidAnswers,
    /// The record breaks a rule of its kind (a forum's fields, a report
    /// field's content, a length).
    InvalidRecord,
    /// The ward named is not a unit in force.
    UnknownWard,
    /// The sender's account may not send data of that ward.
    OtherWard,
    /// Only the ward officer or a city officer may do this to a report.
    WardOfficersOnly,
    /// Only a city officer may do this (approve a report).
    CityOfficersOnly,
    /// The report is locked (approved): it takes no more changes.
    ReportLocked,
    /// A status change the report's life does not allow, or one made on a
    /// status that changed since.
    ReportStatusRefused,
    /// Feedback for a recommendation the town hall does not hold yet.
    UnknownRecommendation,
    /// A correction or a withdrawal that the rules do not allow (see
    /// [`crate::corrections`]).
    CorrectionRefused,
    /// Not said: an older server's answer, or a code this app does not
    /// know yet.
    #[default]
    #[serde(other)]
    Unspecified,
}

/// A refused record's code and message, as a rule returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// Which rule.
    pub code: RefusalCode,
    /// What is wrong and what to do.
    pub message: Localized,
}

impl Refusal {
    /// The refusal of `code` saying `message`.
    pub fn new(code: RefusalCode, message: Localized) -> Refusal {
        Refusal { code, message }
    }
}

impl From<Refusal> for MutationOutcome {
    fn from(refusal: Refusal) -> MutationOutcome {
        MutationOutcome::Rejected {
            code: refusal.code,
            message: refusal.message,
        }
    }
}

/// `POST /api/v1/sync/pull`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The tablet install asking.
    pub client_id: Uuid,
    /// Must equal [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The cursor from the last page applied; 0 for everything.
    pub cursor: u64,
    /// Largest number of changes wanted, at most [`MAX_PULL_PAGE`].
    pub limit: u32,
    /// The ward the tablet works in: changes about other wards (their
    /// reports, forums, withdrawals) are left out. `None` asks for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward_code: Option<String>,
    /// The highest seq of this client the server acknowledged, as far as
    /// the tablet knows. A server that holds less has lost acknowledged
    /// records (restored from an older backup): it answers
    /// `reset_required`, and the tablet sends everything it holds again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_seq: Option<u64>,
    /// The token the server gave with `cursor` ([`PullResponse::next_cursor_token`]).
    /// A server whose change at `cursor` is not the one the token names has
    /// another history than the tablet saw (a restore from an older backup
    /// after which the log grew again): it answers `reset_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_token: Option<String>,
    /// The kinds of change added since apps were first given to wards
    /// ([`LATER_CHANGE_KINDS`]) that this app applies. An app refuses a
    /// change it does not know, and its pulls would stop at that page, so
    /// the server sends a change of a later kind only to an app that names
    /// it here; an older app names none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub understands: Vec<String>,
}

/// The kinds of change ([`ChangeEntity`]'s tags) that apps given out
/// before them do not know: sent only to an app that says it
/// [understands](PullRequest::understands) them.
pub const LATER_CHANGE_KINDS: &[&str] = &["response_accepted"];

/// The kinds of [`LATER_CHANGE_KINDS`] a pull naming `understands` must
/// not be sent. Names the server does not know are ignored.
pub fn withheld_change_kinds(understands: &[String]) -> Vec<&'static str> {
    LATER_CHANGE_KINDS
        .iter()
        .copied()
        .filter(|kind| !understands.iter().any(|named| named == kind))
        .collect()
}

/// What this app names in its pulls: every later kind, since it applies
/// them all.
pub fn understood_change_kinds() -> Vec<String> {
    LATER_CHANGE_KINDS
        .iter()
        .map(|kind| (*kind).to_owned())
        .collect()
}

/// A record the server refused, kept aside whole with the reasons, as a
/// town hall officer reviews it (`GET /quarantine`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantinedRecord {
    /// The install that sent it.
    pub client_id: Uuid,
    /// Its number in that install's sequence.
    pub seq: u64,
    /// The record's own id (a response or forum id, a report field, …).
    pub record_id: String,
    /// What it is: `submit_response`, `submit_forum`, `edit_report_field`, …
    pub kind: String,
    /// The ward it is about, when the record says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward_code: Option<String>,
    /// Why it was refused, for people.
    pub reasons: Vec<Localized>,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// The account that sent it, when the server knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_by: Option<String>,
    /// The size of the record as sent, in bytes of JSON.
    #[serde(default)]
    pub payload_bytes: u64,
    /// The SHA-256 digest (hex) of the record as sent, when kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_sha256: Option<String>,
    /// Whether the server kept the whole record; a record larger than
    /// [`MAX_QUARANTINED_PAYLOAD_BYTES`] keeps only its first bytes.
    #[serde(default = "kept_whole")]
    pub payload_complete: bool,
}

/// Most bytes of a refused record's JSON the server keeps; a larger one
/// keeps its first bytes, its size and its digest. Far above a real
/// response (about 1.3 KB), so only a broken or hostile client meets it.
pub const MAX_QUARANTINED_PAYLOAD_BYTES: usize = 256 * 1024;

fn kept_whole() -> bool {
    true
}

/// One page of changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Changes after the cursor, in order.
    pub changes: Vec<Change>,
    /// The cursor to ask from next time.
    pub next_cursor: u64,
    /// Whether more changes follow this page.
    pub has_more: bool,
    /// The cursor is beyond anything the server has (its database was
    /// restored, say): drop the cursor and pull from 0.
    #[serde(default)]
    pub reset_required: bool,
    /// Names the change at `next_cursor` (a digest of its number and
    /// content), to send back with that cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor_token: Option<String>,
    /// The server's clock when it answered, in ms since the Unix epoch:
    /// the tablet tells its worker when its own clock is off
    /// (`sync_client::clock`). Absent from an older server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time_ms: Option<i64>,
}

/// One change on the server, numbered by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Server-assigned sequence number; the cursor counts these.
    pub seq: u64,
    /// What changed.
    pub entity: ChangeEntity,
}

/// What a change is about.
// Deserialize: tag first, without serde's buffering (`protocol/decoding.rs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeEntity {
    /// A survey version was published.
    Survey {
        /// The published definition.
        survey: SurveyDefinition,
    },
    /// Consent for a response was withdrawn: any tablet holding it deletes
    /// its answers.
    ResponseWithdrawn {
        /// The response concerned.
        response_id: Uuid,
    },
    /// A ward report field was edited (the edit as the server stored it,
    /// its stamp bounded on receipt).
    ReportFieldEdited {
        /// The edit.
        edit: FieldEdit,
    },
    /// A children's forum reached the town hall (tablets of its ward keep
    /// it to follow its recommendations).
    ForumStored {
        /// The forum.
        forum: Forum,
    },
    /// An authority answered a recommendation.
    RecommendationAnswered {
        /// The answer.
        answer: AuthorityAnswer,
    },
    /// The children were told what became of a recommendation.
    FeedbackRecorded {
        /// The feedback.
        feedback: ChildFeedback,
    },
    /// A ward report's status changed; an approved report is locked.
    ReportStatusChanged {
        /// The report.
        report_id: ReportId,
        /// Its new status.
        status: ReportStatus,
    },
    /// A response the server refused was accepted at the town hall (see
    /// `POST /quarantine/{client_id}/{seq}/release`): the tablet holding
    /// it shows it sent. A later kind ([`LATER_CHANGE_KINDS`]).
    ResponseAccepted {
        /// The response concerned.
        response_id: Uuid,
    },
}

/// An error body from the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    /// What kind of error, for programs.
    pub code: ApiErrorCode,
    /// What happened and what to do, for people.
    pub message: Localized,
}

/// Kinds of API error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// The request could not be read.
    BadRequest,
    /// The request is larger than the server accepts.
    PayloadTooLarge,
    /// The app speaks another protocol version: update the app.
    SchemaMismatch,
    /// Nothing at that address.
    NotFound,
    /// The server failed; try again later.
    Internal,
    /// No valid session: the token is missing, unknown or revoked. Sign in
    /// again; nothing saved on the tablet is lost.
    Unauthorized,
    /// The session is valid but may not reach this (another ward's data, or
    /// a task of another role).
    Forbidden,
    /// The request was read, but what it asks is refused (a field too
    /// long, an account without a ward); the message says what to change.
    Invalid,
    /// The request clashes with what exists (a user name taken).
    Conflict,
    /// Too many failed sign-ins: the user name is locked for a while.
    TooManyAttempts,
    /// The request arrived too slowly; the server stopped waiting.
    RequestTimeout,
    /// The address exists, but not with this method.
    MethodNotAllowed,
    /// An XLSForm import refused; the body also lists its problems.
    ImportRefused,
    /// The server is serving as many heavy town hall reads as it keeps
    /// room for beside the tablets: try again in a moment.
    Busy,
    /// A code this app does not know yet (a newer server).
    #[serde(other)]
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_of_a_mutation_is_its_wire_tag() {
        let change = MutationChange::WithdrawResponse {
            response_id: Uuid::from_u128(1),
            withdrawn_at: DateTime::<Utc>::default(),
        };
        let json = serde_json::to_value(&change).expect("serialises");
        assert_eq!(json["type"], change.kind());
    }

    #[test]
    fn a_pull_page_ends_at_its_count_or_its_bytes_and_never_empty() {
        let limit = MAX_PULL_PAGE as usize;
        assert!(pull_page_takes(0, 0, 1, limit));
        assert!(pull_page_takes(499, 1_000, 1_000, limit));
        assert!(!pull_page_takes(500, 1_000, 1_000, limit));
        assert!(pull_page_takes(3, MAX_PULL_PAGE_BYTES - 10, 10, limit));
        assert!(!pull_page_takes(3, MAX_PULL_PAGE_BYTES - 10, 11, limit));
        // A change larger than a page still comes, alone.
        assert!(pull_page_takes(0, 0, 20 * MAX_PULL_PAGE_BYTES, limit));
        assert!(!pull_page_takes(1, 20 * MAX_PULL_PAGE_BYTES, 1, limit));
        assert!(!pull_page_takes(0, 0, 1, 0));
    }

    #[test]
    fn a_later_kind_of_change_is_withheld_from_an_app_that_does_not_name_it() {
        // An older app's pull has no `understands` at all.
        let old: PullRequest = serde_json::from_value(serde_json::json!({
            "client_id": Uuid::from_u128(1), "schema_version": SCHEMA_VERSION,
            "cursor": 0, "limit": 10
        }))
        .expect("an older app's pull");
        assert!(old.understands.is_empty());
        assert_eq!(
            withheld_change_kinds(&old.understands),
            vec!["response_accepted"]
        );
        // This app names every later kind; a name unknown here is ignored.
        let mut understood = understood_change_kinds();
        assert!(withheld_change_kinds(&understood).is_empty());
        understood.push("from_the_future".to_owned());
        assert!(withheld_change_kinds(&understood).is_empty());
        // Every later kind is a tag of `ChangeEntity`.
        let accepted = ChangeEntity::ResponseAccepted {
            response_id: Uuid::from_u128(2),
        };
        let json = serde_json::to_value(&accepted).expect("serialises");
        assert!(LATER_CHANGE_KINDS.contains(&json["type"].as_str().unwrap_or_default()));
        let back: ChangeEntity = serde_json::from_value(json).expect("decodes");
        assert_eq!(back, accepted);
    }
}
