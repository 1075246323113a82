//! Tham Gia's domain, shared by the browser app and the server.
//!
//! This crate does no I/O: no network, no storage, no clock and no random
//! numbers. Time, ids and randomness are parameters, so every rule here can be
//! tested natively and deterministically, and the same code runs in the
//! browser (wasm32) and on the server.

pub mod account;
pub mod api;
pub mod asset_names;
pub mod audit;
pub mod corrections;
pub mod day;
pub mod expression;
pub mod form;
pub mod forum;
pub mod indicator;
pub mod json_values;
pub mod limits;
pub mod localized;
pub mod outbox;
pub mod protocol;
pub mod push_rules;
pub mod report;
pub mod response;
pub mod results;
pub mod safeguarding;
pub mod search;
pub mod sorting;
pub mod storage_space;
pub mod survey;
pub mod sync_client;
pub mod tablet_accounts;
pub mod tag_first;
#[cfg(test)]
mod test_random;
pub mod validation;

pub use form::{Clock, FormEngine, FormError, FormState, NodeKey};
pub use localized::{Language, Localized};
pub use protocol::{
    ApiError, ApiErrorCode, Change, ChangeEntity, Mutation, MutationChange, MutationOutcome,
    MutationResult, PullRequest, PullResponse, PushRequest, PushResponse, PushStatus,
    QuarantinedRecord, Refusal, RefusalCode, SCHEMA_VERSION,
};
pub use response::{
    AgeBand, AnswerValue, Answers, Consent, ConsentMethod, ConsentRecord, Disclosure, EthnicGroup,
    HeardBefore, Participant, Response, ResponseStatus, Sex, SpecialCircumstance, StartField,
};
pub use survey::{Choice, Group, Item, Layout, Question, QuestionKind, SurveyDefinition};
pub use validation::{validate_response, validate_with, ValidationIssue, ValidationMode};
