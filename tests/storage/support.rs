//! What the storage tests share: unique database names, responses, surveys and
//! mutations made for them, and reads of what the store holds.

use std::cell::Cell;

use chrono::{DateTime, Utc};
use thamgia::storage::{LocalSyncState, Store};
use thamgia_core::protocol::{Mutation, MutationChange};
use thamgia_core::{
    AgeBand, AnswerValue, Answers, Consent, ConsentMethod, ConsentRecord, Layout, Localized,
    MutationOutcome, MutationResult, Participant, Response, ResponseStatus, Sex, SurveyDefinition,
};
use uuid::Uuid;

thread_local! {
    static DATABASE_COUNTER: Cell<u32> = const { Cell::new(0) };
}

/// A database name no other test (nor an earlier run) uses.
pub(crate) fn unique_database_name(test: &str) -> String {
    let number = DATABASE_COUNTER.with(|counter| {
        counter.set(counter.get() + 1);
        counter.get()
    });
    format!(
        "thamgia-test-{test}-{}-{number}",
        js_sys::Date::now() as u64
    )
}

pub(crate) fn at_minute(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000 + minute * 60, 0).expect("a valid timestamp")
}

/// A draft with one answer, started at `minute`.
pub(crate) fn draft(number: u128, minute: i64) -> Response {
    let mut response = Response::new_draft(
        Uuid::from_u128(number),
        "hoc-tap",
        1,
        "26734",
        at_minute(minute),
    );
    response.set_answer(
        "ban-be",
        Some(AnswerValue::Text(format!("Câu trả lời số {number}"))),
        at_minute(minute),
    );
    response
}

/// The draft `number`, completed with a participant, consent and more answers.
pub(crate) fn completed(number: u128, minute: i64) -> Response {
    let mut response = draft(number, minute);
    let given = ConsentRecord {
        method: ConsentMethod::Verbal,
        given_at: at_minute(minute),
    };
    response.participant = Participant {
        age_band: Some(AgeBand::From10To12),
        sex: Some(Sex::Female),
        ..Participant::default()
    };
    response.consent = Consent {
        child_assent: Some(given),
        guardian_consent: Some(given),
    };
    response.set_answer(
        "vui-ve",
        Some(AnswerValue::Smiley(4)),
        at_minute(minute + 1),
    );
    response.set_answer(
        "so-gio",
        Some(AnswerValue::Number(2.5)),
        at_minute(minute + 1),
    );
    response.status = ResponseStatus::Completed;
    response
}

pub(crate) fn survey(id: &str, version: u32, title_vi: &str) -> SurveyDefinition {
    SurveyDefinition {
        id: id.to_owned(),
        version,
        title: Localized::new(title_vi, format!("{id} v{version}")),
        description: Localized::new("Mô tả", "Description"),
        age_bands: Vec::new(),
        layout: Layout::default(),
        form_version: None,
        languages: Vec::new(),
        instance_name: None,
        items: Vec::new(),
    }
}

pub(crate) fn submit(seq: u64, response: &Response) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::SubmitResponse {
            response: response.clone(),
        },
    }
}

pub(crate) fn withdraw(seq: u64, response: &Response, minute: i64) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::WithdrawResponse {
            response_id: response.id,
            withdrawn_at: at_minute(minute),
        },
    }
}

/// What is left of `response` once consent was withdrawn at `at`.
pub(crate) fn tombstone_of(response: &Response, at: DateTime<Utc>) -> Response {
    Response {
        participant: Participant::default(),
        consent: Consent::default(),
        answers: Answers::new(),
        status: ResponseStatus::Withdrawn,
        updated_at: at,
        ..response.clone()
    }
}

/// Whether any outbox entry still carries answers (or anything else about
/// the child) of the response `id`.
pub(crate) async fn outbox_holds_the_child_of(store: &Store, id: Uuid) -> bool {
    let (mutations, _) = store.read_outbox(1000).await.expect("read the outbox");
    mutations.iter().any(|mutation| match &mutation.change {
        MutationChange::SubmitResponse { response } => {
            response.id == id
                && (!response.answers.is_empty()
                    || response.participant != Participant::default()
                    || response.consent != Consent::default())
        }
        MutationChange::WithdrawResponse { .. }
        | MutationChange::EditReportField { .. }
        | MutationChange::ChangeReportStatus { .. }
        | MutationChange::SubmitForum { .. }
        | MutationChange::RecordFeedback { .. } => false,
    })
}

pub(crate) fn result(seq: u64, outcome: MutationOutcome) -> MutationResult {
    MutationResult { seq, outcome }
}

pub(crate) async fn sync_of(store: &Store, response: &Response) -> LocalSyncState {
    store
        .response(response.id)
        .await
        .expect("read the response")
        .expect("the response is stored")
        .sync
}
