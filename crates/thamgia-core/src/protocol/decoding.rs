//! How the protocol's internally tagged enums are read: tag first, straight
//! from the object they arrive in (see [`crate::tag_first`]), from these
//! lists of their variants. Their `Serialize` stays derived in
//! `protocol.rs`, so what is written is unchanged.
//!
//! A variant or a field added to an enum there and not here (or the other
//! way round) does not compile.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ChangeEntity, MutationChange, MutationOutcome, PushStatus, RefusalCode};
use crate::forum::{AuthorityAnswer, ChildFeedback, Forum};
use crate::localized::Localized;
use crate::report::{FieldEdit, ReportId, ReportStatus, ReportStatusChange};
use crate::response::Response;
use crate::survey::SurveyDefinition;

crate::deserialize_tag_first! {
    MutationChange, tag = "type";
    SubmitResponse { response: Response } = "submit_response",
    WithdrawResponse { response_id: Uuid, withdrawn_at: DateTime<Utc> } = "withdraw_response",
    EditReportField { edit: FieldEdit } = "edit_report_field",
    ChangeReportStatus { change: ReportStatusChange } = "change_report_status",
    SubmitForum { forum: Forum } = "submit_forum",
    RecordFeedback { feedback: ChildFeedback } = "record_feedback",
}

crate::deserialize_tag_first! {
    PushStatus, tag = "type";
    Ok = "ok",
    Gap { expected_seq: u64 } = "gap",
    SeqReused { seq: u64 } = "seq_reused",
}

crate::deserialize_tag_first! {
    MutationOutcome, tag = "type";
    Applied = "applied",
    AlreadyStored = "already_stored",
    Conflict { message: Localized } = "conflict",
    Rejected { #[serde(default)] code: RefusalCode, message: Localized } = "rejected",
    Withdrawn = "withdrawn",
}

crate::deserialize_tag_first! {
    ChangeEntity, tag = "type";
    Survey { survey: SurveyDefinition } = "survey",
    ResponseWithdrawn { response_id: Uuid } = "response_withdrawn",
    ReportFieldEdited { edit: FieldEdit } = "report_field_edited",
    ForumStored { forum: Forum } = "forum_stored",
    RecommendationAnswered { answer: AuthorityAnswer } = "recommendation_answered",
    FeedbackRecorded { feedback: ChildFeedback } = "feedback_recorded",
    ReportStatusChanged { report_id: ReportId, status: ReportStatus } = "report_status_changed",
    ResponseAccepted { response_id: Uuid } = "response_accepted",
}
