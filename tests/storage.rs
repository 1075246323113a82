//! Browser tests of the IndexedDB layer, on the real IndexedDB of a headless
//! browser. Each test opens its own database, so they never see each other's data.

use std::cell::Cell;

use chrono::{DateTime, NaiveDate, Utc};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyPath;
use serde::Serialize;
use thamgia::storage::{
    Counts, IoFailure, LocalSyncState, Refusal, StorageError, Store, StoredForum, StoredReport,
    StoredResponse, SyncMeta,
};
use thamgia_core::account::{AccountInfo, Role, Session};
use thamgia_core::forum::{
    AuthorityAnswer, ChildFeedback, Decision, FeedbackChannel, Forum, Opinion, ParticipantCount,
    Recommendation, RecommendationStatus, Topic,
};
use thamgia_core::indicator::{Catalogue, Direction, Indicator, Target, Unit};
use thamgia_core::protocol::{Change, ChangeEntity, Mutation, MutationChange};
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportError, ReportId, ReportStatus,
    ReportStatusChange, Stamp,
};
use thamgia_core::{
    AgeBand, AnswerValue, Answers, Consent, ConsentMethod, ConsentRecord, Layout, Localized,
    MutationOutcome, MutationResult, Participant, Response, ResponseStatus, Sex, SurveyDefinition,
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static DATABASE_COUNTER: Cell<u32> = const { Cell::new(0) };
}

/// A database name no other test (nor an earlier run) uses.
fn unique_database_name(test: &str) -> String {
    let number = DATABASE_COUNTER.with(|counter| {
        counter.set(counter.get() + 1);
        counter.get()
    });
    format!(
        "thamgia-test-{test}-{}-{number}",
        js_sys::Date::now() as u64
    )
}

fn at_minute(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000 + minute * 60, 0).expect("a valid timestamp")
}

/// A draft with one answer, started at `minute`.
fn draft(number: u128, minute: i64) -> Response {
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
fn completed(number: u128, minute: i64) -> Response {
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

fn survey(id: &str, version: u32, title_vi: &str) -> SurveyDefinition {
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

fn submit(seq: u64, response: &Response) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::SubmitResponse {
            response: response.clone(),
        },
    }
}

fn withdraw(seq: u64, response: &Response, minute: i64) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::WithdrawResponse {
            response_id: response.id,
            withdrawn_at: at_minute(minute),
        },
    }
}

/// What is left of `response` once consent was withdrawn at `at`.
fn tombstone_of(response: &Response, at: DateTime<Utc>) -> Response {
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
async fn outbox_holds_the_child_of(store: &Store, id: Uuid) -> bool {
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

fn result(seq: u64, outcome: MutationOutcome) -> MutationResult {
    MutationResult { seq, outcome }
}

async fn sync_of(store: &Store, response: &Response) -> LocalSyncState {
    store
        .response(response.id)
        .await
        .expect("read the response")
        .expect("the response is stored")
        .sync
}

#[wasm_bindgen_test]
async fn completing_writes_the_response_and_its_outbox_entry_together() {
    let store = Store::open(&unique_database_name("complete"))
        .await
        .expect("open");
    let first = completed(1, 0);
    let second = completed(2, 10);

    assert_eq!(store.complete_response(&first).await.expect("complete"), 1);
    assert_eq!(store.complete_response(&second).await.expect("complete"), 2);

    let (mutations, total) = store.read_outbox(10).await.expect("read the outbox");
    assert_eq!(mutations, vec![submit(1, &first), submit(2, &second)]);
    assert_eq!(total, 2);
    let (first_page, total) = store.read_outbox(1).await.expect("read the outbox");
    assert_eq!(first_page, vec![submit(1, &first)]);
    assert_eq!(total, 2);

    // Newest `updated_at` first, answers (text, smiley, decimal) intact.
    assert_eq!(
        store.responses().await.expect("read the responses"),
        vec![
            StoredResponse {
                response: second.clone(),
                sync: LocalSyncState::Waiting { seq: 2 },
            },
            StoredResponse {
                response: first.clone(),
                sync: LocalSyncState::Waiting { seq: 1 },
            },
        ]
    );
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            waiting: 2,
            ..Counts::default()
        }
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);

    // The same completion again (a double tap) is not queued twice.
    assert_eq!(store.complete_response(&first).await.expect("again"), 1);
    assert_eq!(store.read_outbox(10).await.expect("read").1, 2);

    // A draft cannot be queued.
    assert!(matches!(
        store.complete_response(&draft(3, 20)).await,
        Err(StorageError::Refused(Refusal::NotCompleted))
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 2);
}

/// The kept tally is what counting the records gives (`recount` keeps a
/// count that differs, and says so).
async fn assert_tally_true(store: &Store, expected: Counts) {
    assert_eq!(store.counts().await.expect("count"), expected);
    assert!(
        !store.recount().await.expect("recount"),
        "the kept tally disagreed with the records"
    );
}

#[wasm_bindgen_test]
async fn completions_written_from_what_a_tab_expects_stay_right_when_another_tab_wrote_between() {
    // Two tabs of the app on one database: each store expects what its own
    // last write left, and the other's writes make that wrong.
    let name = unique_database_name("expected");
    let tab = Store::open(&name).await.expect("open");
    let other = Store::open(&name).await.expect("open");

    // The first completion reads first; the next ones write at once.
    let first = completed(1, 0);
    let second = completed(2, 1);
    assert_eq!(tab.complete_response(&first).await.expect("complete"), 1);
    assert_eq!(tab.complete_response(&second).await.expect("complete"), 2);

    // A draft saved here, then completed: expected as a draft.
    let mut third = draft(3, 2);
    tab.save_draft(&third).await.expect("save the draft");
    third = completed(3, 2);
    assert_eq!(tab.complete_response(&third).await.expect("complete"), 3);
    assert_eq!(
        tab.completions_as_expected_for_tests(),
        2,
        "the second and third completions were written as expected"
    );
    assert_tally_true(
        &tab,
        Counts {
            waiting: 3,
            ..Counts::default()
        },
    )
    .await;

    // The other tab completes one and saves a draft: this tab's next
    // completion finds the counter and the tally moved, and the draft it
    // did not save, and still numbers after them.
    let fourth = completed(4, 3);
    assert_eq!(other.complete_response(&fourth).await.expect("complete"), 4);
    other
        .save_draft(&draft(5, 4))
        .await
        .expect("save the draft");
    assert_eq!(
        tab.complete_response(&completed(5, 4))
            .await
            .expect("complete"),
        5
    );
    // And once more from this tab, expected again.
    let sixth = completed(6, 5);
    assert_eq!(tab.complete_response(&sixth).await.expect("complete"), 6);
    assert_eq!(
        tab.completions_as_expected_for_tests(),
        3,
        "the fifth read first, the sixth was written as expected"
    );
    // The other tab's expectation is behind: it reads first again.
    let seventh = completed(7, 6);
    assert_eq!(
        other.complete_response(&seventh).await.expect("complete"),
        7
    );
    assert_eq!(other.completions_as_expected_for_tests(), 0);

    let (mutations, total) = tab.read_outbox(100).await.expect("read the outbox");
    assert_eq!(total, 7);
    assert_eq!(
        mutations,
        vec![
            submit(1, &first),
            submit(2, &second),
            submit(3, &third),
            submit(4, &fourth),
            submit(5, &completed(5, 4)),
            submit(6, &sixth),
            submit(7, &seventh),
        ]
    );
    assert_eq!(tab.sync_meta().await.expect("meta").next_seq, 8);
    assert_tally_true(
        &tab,
        Counts {
            waiting: 7,
            ..Counts::default()
        },
    )
    .await;

    // A double tap is still answered with the seq it got, queued once; and
    // a response the other tab completed with other answers is refused
    // here, whatever this tab expected.
    assert_eq!(tab.complete_response(&sixth).await.expect("again"), 6);
    let mut eighth = draft(8, 7);
    tab.save_draft(&eighth).await.expect("save the draft");
    let theirs = completed(8, 7);
    assert_eq!(other.complete_response(&theirs).await.expect("complete"), 8);
    eighth = completed(8, 8);
    assert!(matches!(
        tab.complete_response(&eighth).await,
        Err(StorageError::Refused(Refusal::NotADraft))
    ));
    let (mutations, total) = tab.read_outbox(100).await.expect("read the outbox");
    assert_eq!(total, 8);
    assert_eq!(mutations.last(), Some(&submit(8, &theirs)));
    assert_tally_true(
        &tab,
        Counts {
            waiting: 8,
            ..Counts::default()
        },
    )
    .await;

    // A draft discarded by the other tab after this one saved it: completed
    // here, it is a new response (not a draft moved), and counted so.
    let ninth = draft(9, 9);
    tab.save_draft(&ninth).await.expect("save the draft");
    other.discard_draft(ninth.id).await.expect("discard");
    assert_eq!(
        tab.complete_response(&completed(9, 9))
            .await
            .expect("complete"),
        9
    );
    assert_tally_true(
        &tab,
        Counts {
            waiting: 9,
            ..Counts::default()
        },
    )
    .await;
}

#[wasm_bindgen_test]
async fn drafts_are_read_through_their_index_newest_first() {
    let store = Store::open(&unique_database_name("drafts"))
        .await
        .expect("open");
    let older = draft(1, 0);
    let newer = draft(2, 30);
    store.save_draft(&older).await.expect("saved");
    store.save_draft(&newer).await.expect("saved");
    store
        .complete_response(&completed(3, 60))
        .await
        .expect("completed");
    let drafts: Vec<Uuid> = store
        .drafts()
        .await
        .expect("drafts")
        .into_iter()
        .map(|record| record.response.id)
        .collect();
    assert_eq!(
        drafts,
        vec![newer.id, older.id],
        "only drafts, newest first"
    );
}

#[wasm_bindgen_test]
async fn the_list_reads_the_newest_page_and_says_whether_more_are_stored() {
    let store = Store::open(&unique_database_name("newest"))
        .await
        .expect("open");
    for number in 0..250_u128 {
        // Saved in an order unlike their times: the index orders them.
        let minute = ((number * 97) % 250) as i64;
        store
            .complete_response(&completed(number + 1, minute))
            .await
            .expect("completed");
    }
    store.save_draft(&draft(1_000, 500)).await.expect("saved");
    let (page, more) = store.newest_responses(100).await.expect("a page");
    assert_eq!(page.len(), 100);
    assert!(more);
    assert_eq!(
        page[0].response.id,
        Uuid::from_u128(1_000),
        "the newest first"
    );
    assert!(
        page.windows(2)
            .all(|pair| pair[0].response.updated_at >= pair[1].response.updated_at),
        "newest first throughout"
    );
    let (all, more) = store.newest_responses(300).await.expect("every one");
    assert_eq!(all.len(), 251);
    assert!(!more);
    let (exact, more) = store.newest_responses(251).await.expect("exactly all");
    assert_eq!(exact.len(), 251);
    assert!(!more, "no more when the page holds the last one");
}

#[wasm_bindgen_test]
async fn records_outbox_and_client_id_survive_reopening() {
    let name = unique_database_name("reopen");
    let response = completed(1, 0);
    let draft_response = draft(2, 5);
    let meta_before = {
        let store = Store::open(&name).await.expect("open");
        let meta = store.sync_meta().await.expect("meta");
        store.complete_response(&response).await.expect("complete");
        store.save_draft(&draft_response).await.expect("save draft");
        store
            .set_last_success(1_750_000_123_456)
            .await
            .expect("set");
        meta
    };

    let store = Store::open(&name).await.expect("open again");
    let meta = store.sync_meta().await.expect("meta");
    assert_eq!(meta.client_id, meta_before.client_id);
    assert_eq!(meta.next_seq, 2);
    assert_eq!(meta.last_success_ms, Some(1_750_000_123_456));
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (vec![submit(1, &response)], 1)
    );
    assert_eq!(
        store.response(response.id).await.expect("read"),
        Some(StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Waiting { seq: 1 },
        })
    );
    assert_eq!(
        sync_of(&store, &draft_response).await,
        LocalSyncState::Draft
    );
}

#[wasm_bindgen_test]
async fn push_results_mark_responses_and_empty_the_outbox_up_to_the_acknowledgement() {
    let store = Store::open(&unique_database_name("push"))
        .await
        .expect("open");
    let responses: Vec<Response> = (1..=5)
        .map(|number| completed(number, number as i64))
        .collect();
    for response in &responses {
        store.complete_response(response).await.expect("complete");
    }
    let rejected = Localized::new("Thiếu sự đồng ý", "Consent missing");
    let conflict = Localized::new("Trùng mã phiếu", "Same id, other content");
    let results = vec![
        MutationResult {
            seq: 1,
            outcome: MutationOutcome::Applied,
        },
        MutationResult {
            seq: 2,
            outcome: MutationOutcome::Rejected {
                code: thamgia_core::RefusalCode::InvalidAnswers,
                message: rejected.clone(),
            },
        },
        MutationResult {
            seq: 3,
            outcome: MutationOutcome::Conflict {
                message: conflict.clone(),
            },
        },
        // Seq 4 is acknowledged without a result of its own; seq 5 is beyond
        // the acknowledgement even though a result names it.
        MutationResult {
            seq: 5,
            outcome: MutationOutcome::Applied,
        },
    ];
    let before = js_sys::Date::now() as i64;

    store.apply_push_results(4, &results).await.expect("apply");

    let synced_at = |sync: LocalSyncState| match sync {
        LocalSyncState::Synced { at_ms } => at_ms,
        other => panic!("expected synced, got {other:?}"),
    };
    let first_at = synced_at(sync_of(&store, &responses[0]).await);
    assert!(first_at >= before && first_at <= js_sys::Date::now() as i64);
    assert_eq!(
        sync_of(&store, &responses[1]).await,
        LocalSyncState::Rejected { message: rejected }
    );
    assert_eq!(
        sync_of(&store, &responses[2]).await,
        LocalSyncState::Conflict { message: conflict }
    );
    synced_at(sync_of(&store, &responses[3]).await);
    assert_eq!(
        sync_of(&store, &responses[4]).await,
        LocalSyncState::Waiting { seq: 5 }
    );
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (vec![submit(5, &responses[4])], 1)
    );
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            drafts: 0,
            waiting: 1,
            synced: 2,
            problems: 2,
            withdrawn: 0,
        }
    );
    // The response records themselves are untouched.
    let stored = store.response(responses[1].id).await.expect("read");
    assert_eq!(
        stored.map(|stored| stored.response),
        Some(responses[1].clone())
    );
}

#[wasm_bindgen_test]
async fn renumbering_starts_the_outbox_again_from_one_under_a_new_client_id() {
    let store = Store::open(&unique_database_name("renumber"))
        .await
        .expect("open");
    let old_client_id = store.sync_meta().await.expect("meta").client_id;
    let responses: Vec<Response> = (1..=3)
        .map(|number| completed(number, number as i64))
        .collect();
    for response in &responses {
        store.complete_response(response).await.expect("complete");
    }
    store
        .apply_push_results(
            1,
            &[MutationResult {
                seq: 1,
                outcome: MutationOutcome::Applied,
            }],
        )
        .await
        .expect("apply");
    let new_client_id = Uuid::from_u128(0xC1E27);
    assert_ne!(old_client_id, new_client_id);

    store
        .renumber_outbox(new_client_id)
        .await
        .expect("renumber");

    // What waited comes first, renumbered; then the response the server had
    // acknowledged, queued again (the server asking for a new numbering may
    // have lost it).
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                submit(1, &responses[1]),
                submit(2, &responses[2]),
                submit(3, &responses[0])
            ],
            3
        )
    );
    for (response, seq) in [(&responses[1], 1), (&responses[2], 2), (&responses[0], 3)] {
        assert_eq!(
            sync_of(&store, response).await,
            LocalSyncState::Waiting { seq }
        );
    }
    let meta = store.sync_meta().await.expect("meta");
    assert_eq!(meta.client_id, new_client_id);
    assert_eq!(meta.next_seq, 4);

    // The next completed response continues the new numbering.
    let fourth = completed(4, 4);
    assert_eq!(store.complete_response(&fourth).await.expect("complete"), 4);
}

#[wasm_bindgen_test]
async fn a_completed_response_cannot_become_a_draft_again() {
    let store = Store::open(&unique_database_name("immutable"))
        .await
        .expect("open");
    let mut response = draft(1, 0);
    store.save_draft(&response).await.expect("save draft");
    response.set_answer("vui-ve", Some(AnswerValue::Smiley(2)), at_minute(1));
    store
        .save_draft(&response)
        .await
        .expect("save the draft again");
    assert_eq!(
        store.response(response.id).await.expect("read"),
        Some(StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Draft,
        })
    );
    assert_eq!(store.counts().await.expect("count").drafts, 1);

    let mut finished = response.clone();
    finished.status = ResponseStatus::Completed;
    store.complete_response(&finished).await.expect("complete");

    // Saving the old draft over it, or discarding it, is refused...
    assert!(matches!(
        store.save_draft(&response).await,
        Err(StorageError::Refused(Refusal::NotADraft))
    ));
    assert!(matches!(
        store.discard_draft(response.id).await,
        Err(StorageError::Refused(Refusal::NotADraft))
    ));
    // ...and so is completing different content under the same id.
    let mut changed = finished.clone();
    changed.set_answer("vui-ve", Some(AnswerValue::Smiley(5)), at_minute(2));
    assert!(matches!(
        store.complete_response(&changed).await,
        Err(StorageError::Refused(Refusal::NotADraft))
    ));
    assert_eq!(
        store.response(response.id).await.expect("read"),
        Some(StoredResponse {
            response: finished.clone(),
            sync: LocalSyncState::Waiting { seq: 1 },
        })
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 1);

    // A real draft can be discarded.
    let other = draft(2, 3);
    store.save_draft(&other).await.expect("save draft");
    store.discard_draft(other.id).await.expect("discard");
    assert_eq!(store.response(other.id).await.expect("read"), None);
}

#[wasm_bindgen_test]
async fn pulled_surveys_and_cursor_are_stored_and_only_the_latest_versions_are_listed() {
    let store = Store::open(&unique_database_name("pull"))
        .await
        .expect("open");
    let changes: Vec<Change> = [
        survey("vui-choi", 1, "Vui chơi"),
        survey("an-toan", 1, "An toàn trên đường"),
        survey("vui-choi", 2, "Vui chơi và thể thao"),
        survey("doc-sach", 1, "Đọc sách"),
    ]
    .into_iter()
    .enumerate()
    .map(|(index, survey)| Change {
        seq: index as u64 + 40,
        entity: ChangeEntity::Survey { survey },
    })
    .collect();

    store.apply_pull(&changes, 43).await.expect("apply pull");

    assert_eq!(store.sync_meta().await.expect("meta").cursor, 43);
    // Vietnamese order puts "Đ" between "A" and "V" (code point order would put it after "V").
    assert_eq!(
        store.surveys().await.expect("surveys"),
        vec![
            survey("an-toan", 1, "An toàn trên đường"),
            survey("doc-sach", 1, "Đọc sách"),
            survey("vui-choi", 2, "Vui chơi và thể thao"),
        ]
    );
    assert_eq!(
        store.survey("vui-choi", 1).await.expect("survey"),
        Some(survey("vui-choi", 1, "Vui chơi"))
    );
    assert_eq!(store.survey("vui-choi", 3).await.expect("survey"), None);

    // A later page moves the cursor on and replaces nothing else.
    store.apply_pull(&[], 50).await.expect("apply pull");
    assert_eq!(store.sync_meta().await.expect("meta").cursor, 50);
    assert_eq!(store.surveys().await.expect("surveys").len(), 3);
}

#[wasm_bindgen_test]
async fn the_store_reopens_after_another_tab_deletes_the_database() {
    let name = unique_database_name("deleted");
    let store = Store::open(&name).await.expect("open");
    let old_client_id = store.sync_meta().await.expect("meta").client_id;
    store
        .complete_response(&completed(1, 0))
        .await
        .expect("complete");

    // Deleting fires `versionchange` on the store's connection, which closes
    // itself instead of blocking the deletion forever.
    indexed_db_futures::database::Database::delete_by_name(&name)
        .expect("start deleting")
        .await
        .expect("delete");

    // The next operation reopens (and so recreates) the database: a wiped
    // database gets a new client id, never the old one with a reset seq.
    let meta = store.sync_meta().await.expect("meta after reopening");
    assert_ne!(meta.client_id, old_client_id);
    assert_eq!(meta.next_seq, 1);
    assert_eq!(store.responses().await.expect("responses"), Vec::new());
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
}

#[wasm_bindgen_test]
async fn a_connection_lost_under_the_app_is_reopened_and_the_write_retried() {
    let store = Store::open(&unique_database_name("lost"))
        .await
        .expect("open");
    let first = completed(1, 0);
    let first_draft = draft(2, 1);
    assert_eq!(store.complete_response(&first).await.expect("complete"), 1);
    store.save_draft(&first_draft).await.expect("save a draft");
    let meta_before = store.sync_meta().await.expect("meta");

    // The browser drops the connection without a `close` event: the next
    // transaction fails with InvalidStateError, the store reopens the
    // database and runs the write again, once.
    store.lose_connection_for_tests();
    let second = completed(3, 2);
    assert_eq!(
        store
            .complete_response(&second)
            .await
            .expect("complete on a lost connection"),
        2,
        "the next seq, neither skipped nor reused"
    );

    // The same for a draft write and for a read.
    store.lose_connection_for_tests();
    let second_draft = draft(4, 3);
    store
        .save_draft(&second_draft)
        .await
        .expect("save a draft on a lost connection");
    store.lose_connection_for_tests();
    assert_eq!(
        store
            .read_outbox(10)
            .await
            .expect("read the outbox on a lost connection"),
        (vec![submit(1, &first), submit(2, &second)], 2),
        "the outbox holds each completion once, in order"
    );

    // Nothing written before the loss is lost or changed.
    let meta = store.sync_meta().await.expect("meta");
    assert_eq!(meta.client_id, meta_before.client_id);
    assert_eq!(meta.next_seq, 3);
    for (response, state) in [
        (&first, LocalSyncState::Waiting { seq: 1 }),
        (&first_draft, LocalSyncState::Draft),
        (&second, LocalSyncState::Waiting { seq: 2 }),
        (&second_draft, LocalSyncState::Draft),
    ] {
        assert_eq!(
            store.response(response.id).await.expect("read"),
            Some(StoredResponse {
                response: response.clone(),
                sync: state,
            })
        );
    }
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            drafts: 2,
            waiting: 2,
            ..Counts::default()
        }
    );
}

#[wasm_bindgen_test]
fn the_quota_message_tells_the_worker_to_sync_then_free_space() {
    let message = IoFailure::QuotaExceeded.message();
    // Vietnamese, with its diacritics: sync with the button's own label,
    // then free space on the tablet; what was saved is safe.
    for part in [
        "đã đầy",
        "vẫn an toàn",
        "“Đồng bộ ngay”",
        "giải phóng dung lượng",
        "thử lại",
    ] {
        assert!(message.vi.contains(part), "{part:?} in {:?}", message.vi);
    }
    let sync = message.vi.find("Đồng bộ ngay").expect("sync named");
    let free = message.vi.find("giải phóng").expect("freeing named");
    assert!(sync < free, "sync first, then free space: {:?}", message.vi);
    for part in [
        "storage is full",
        "is safe",
        "“Sync now”",
        "free space",
        "try again",
    ] {
        assert!(message.en.contains(part), "{part:?} in {:?}", message.en);
    }
    let sync = message.en.find("Sync now").expect("sync named");
    let free = message.en.find("free space").expect("freeing named");
    assert!(sync < free, "sync first, then free space: {:?}", message.en);
}

#[wasm_bindgen_test]
fn every_error_tells_the_user_what_to_do_in_both_languages_and_says_its_kind() {
    let failures = [
        IoFailure::QuotaExceeded,
        IoFailure::Closed,
        IoFailure::Unavailable("blocked".to_owned()),
        IoFailure::Other("DataError".to_owned()),
    ]
    .map(StorageError::from);
    let refusals = [
        Refusal::NotADraft,
        Refusal::NotCompleted,
        Refusal::NotFound,
        Refusal::Withdrawn,
        Refusal::ReportLocked,
        Refusal::Report(ReportError::TransitionNotAllowed {
            from: ReportStatus::Approved,
            to: ReportStatus::Draft,
        }),
        Refusal::ForumSubmitted,
        Refusal::ForumNotSubmitted,
        Refusal::ForumIncomplete(Localized::new("Hãy ghi địa điểm.", "Enter the place.")),
        Refusal::RecommendationNotFound,
        Refusal::FeedbackAlreadyGiven,
    ]
    .map(StorageError::from);
    for error in failures.iter().chain(&refusals) {
        let message = error.message();
        assert!(
            !message.vi.is_empty() && !message.en.is_empty(),
            "{error:?}"
        );
        assert_ne!(message.vi, message.en, "{error:?}");
    }
    assert!(failures.iter().all(StorageError::is_io));
    assert!(!refusals.iter().any(StorageError::is_io));
}

#[wasm_bindgen_test]
async fn withdrawing_a_waiting_response_deletes_its_answers_from_the_record_and_the_outbox() {
    let store = Store::open(&unique_database_name("withdraw-waiting"))
        .await
        .expect("open");
    let first = completed(1, 0);
    let second = completed(2, 10);
    store.complete_response(&first).await.expect("complete");
    store.complete_response(&second).await.expect("complete");

    let seq = store
        .withdraw_response(first.id, at_minute(30))
        .await
        .expect("withdraw");

    // The queued submission now carries the tombstone, under the same seq;
    // the withdrawal follows it with the next seq.
    let withdrawn = tombstone_of(&first, at_minute(30));
    assert_eq!(seq, 3);
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                submit(1, &withdrawn),
                submit(2, &second),
                withdraw(3, &first, 30),
            ],
            3
        )
    );
    assert!(!outbox_holds_the_child_of(&store, first.id).await);
    assert_eq!(
        store.response(first.id).await.expect("read"),
        Some(StoredResponse {
            response: withdrawn.clone(),
            sync: LocalSyncState::Waiting { seq: 3 },
        })
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 4);
    // The other response is untouched.
    assert_eq!(
        store.response(second.id).await.expect("read"),
        Some(StoredResponse {
            response: second.clone(),
            sync: LocalSyncState::Waiting { seq: 2 },
        })
    );

    // A second tap queues nothing more; the tombstone cannot be corrected,
    // nor overwritten by the draft still open in the form.
    assert_eq!(
        store
            .withdraw_response(first.id, at_minute(31))
            .await
            .expect("withdraw again"),
        3
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 3);
    assert!(matches!(
        store
            .start_correction(first.id, Uuid::from_u128(77), at_minute(32))
            .await,
        Err(StorageError::Refused(Refusal::Withdrawn))
    ));
    assert!(matches!(
        store.save_draft(&draft(1, 33)).await,
        Err(StorageError::Refused(Refusal::NotADraft))
    ));

    // Acknowledged only up to the rewritten submission: the record still
    // waits for its withdrawal.
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Withdrawn)])
        .await
        .expect("apply");
    assert_eq!(
        sync_of(&store, &first).await,
        LocalSyncState::Waiting { seq: 3 }
    );
    // Then the rest.
    store
        .apply_push_results(
            3,
            &[
                result(2, MutationOutcome::Applied),
                result(3, MutationOutcome::Withdrawn),
            ],
        )
        .await
        .expect("apply");
    assert_eq!(
        store.response(first.id).await.expect("read"),
        Some(StoredResponse {
            response: withdrawn,
            sync: LocalSyncState::Withdrawn,
        })
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            synced: 1,
            withdrawn: 1,
            ..Counts::default()
        }
    );
}

#[wasm_bindgen_test]
async fn a_submission_and_its_withdrawal_acknowledged_together_end_withdrawn() {
    let store = Store::open(&unique_database_name("both-acknowledged"))
        .await
        .expect("open");
    let response = completed(1, 0);
    assert_eq!(
        store.complete_response(&response).await.expect("complete"),
        1
    );
    assert_eq!(
        store
            .withdraw_response(response.id, at_minute(5))
            .await
            .expect("withdraw"),
        2
    );
    // One push carried both; the answer acknowledges both at once.
    store
        .apply_push_results(
            2,
            &[
                result(1, MutationOutcome::Applied),
                result(2, MutationOutcome::Withdrawn),
            ],
        )
        .await
        .expect("apply");
    assert_eq!(sync_of(&store, &response).await, LocalSyncState::Withdrawn);
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
}

#[wasm_bindgen_test]
async fn withdrawing_a_synced_response_queues_only_the_withdrawal() {
    let store = Store::open(&unique_database_name("withdraw-synced"))
        .await
        .expect("open");
    let response = completed(1, 0);
    store.complete_response(&response).await.expect("complete");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply");

    let seq = store
        .withdraw_response(response.id, at_minute(20))
        .await
        .expect("withdraw");

    assert_eq!(seq, 2);
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (vec![withdraw(2, &response, 20)], 1)
    );
    assert_eq!(
        store.response(response.id).await.expect("read"),
        Some(StoredResponse {
            response: tombstone_of(&response, at_minute(20)),
            sync: LocalSyncState::Waiting { seq: 2 },
        })
    );
}

#[wasm_bindgen_test]
async fn withdrawing_a_draft_deletes_it_and_queues_nothing() {
    let store = Store::open(&unique_database_name("withdraw-draft"))
        .await
        .expect("open");
    let unfinished = draft(1, 0);
    store.save_draft(&unfinished).await.expect("save draft");

    assert_eq!(
        store
            .withdraw_response(unfinished.id, at_minute(5))
            .await
            .expect("withdraw"),
        0
    );

    assert_eq!(store.response(unfinished.id).await.expect("read"), None);
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 1);
    assert_eq!(store.counts().await.expect("count"), Counts::default());
    assert!(matches!(
        store.withdraw_response(unfinished.id, at_minute(6)).await,
        Err(StorageError::Refused(Refusal::NotFound))
    ));
}

#[wasm_bindgen_test]
async fn a_withdrawal_pulled_from_the_town_hall_tombstones_the_responses_held_here() {
    let store = Store::open(&unique_database_name("withdraw-pulled"))
        .await
        .expect("open");
    let synced = completed(1, 0);
    let waiting = completed(2, 10);
    let untouched = completed(3, 20);
    store.complete_response(&synced).await.expect("complete");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply");
    store.complete_response(&waiting).await.expect("complete");
    store.complete_response(&untouched).await.expect("complete");
    let before = js_sys::Date::now() as i64;

    let changes = vec![
        Change {
            seq: 7,
            entity: ChangeEntity::ResponseWithdrawn {
                response_id: synced.id,
            },
        },
        Change {
            seq: 8,
            entity: ChangeEntity::Survey {
                survey: survey("vui-choi", 1, "Vui chơi"),
            },
        },
        Change {
            seq: 9,
            entity: ChangeEntity::ResponseWithdrawn {
                response_id: waiting.id,
            },
        },
        // Made on another tablet: nothing of it is here.
        Change {
            seq: 10,
            entity: ChangeEntity::ResponseWithdrawn {
                response_id: Uuid::from_u128(99),
            },
        },
    ];
    store.apply_pull(&changes, 10).await.expect("apply pull");

    for response in [&synced, &waiting] {
        let stored = store
            .response(response.id)
            .await
            .expect("read")
            .expect("the tombstone is kept");
        assert_eq!(stored.sync, LocalSyncState::Withdrawn);
        let at = stored.response.updated_at.timestamp_millis();
        assert!(at >= before && at <= js_sys::Date::now() as i64);
        assert_eq!(
            stored.response,
            tombstone_of(response, stored.response.updated_at)
        );
    }
    // The waiting submission is rewritten in place; nothing new is queued,
    // the town hall already knows.
    let (mutations, total) = store.read_outbox(10).await.expect("read the outbox");
    assert_eq!(total, 2);
    assert_eq!(mutations[0].seq, 2);
    assert!(!outbox_holds_the_child_of(&store, waiting.id).await);
    assert_eq!(mutations[1], submit(3, &untouched));
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 4);
    assert_eq!(store.sync_meta().await.expect("meta").cursor, 10);
    assert_eq!(
        store.response(Uuid::from_u128(99)).await.expect("read"),
        None
    );
    assert_eq!(store.surveys().await.expect("surveys").len(), 1);
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            waiting: 1,
            withdrawn: 2,
            ..Counts::default()
        }
    );

    // The rewritten submission is acknowledged as withdrawn: nothing changes.
    store
        .apply_push_results(2, &[result(2, MutationOutcome::Withdrawn)])
        .await
        .expect("apply");
    assert_eq!(sync_of(&store, &waiting).await, LocalSyncState::Withdrawn);
}

#[wasm_bindgen_test]
async fn a_push_result_withdrawn_tombstones_the_response() {
    let store = Store::open(&unique_database_name("withdrawn-result"))
        .await
        .expect("open");
    let response = completed(1, 0);
    store.complete_response(&response).await.expect("complete");

    // The town hall withdrew it before this tablet could send it.
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Withdrawn)])
        .await
        .expect("apply");

    let stored = store
        .response(response.id)
        .await
        .expect("read")
        .expect("the tombstone is kept");
    assert_eq!(stored.sync, LocalSyncState::Withdrawn);
    assert_eq!(
        stored.response,
        tombstone_of(&response, stored.response.updated_at)
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            withdrawn: 1,
            ..Counts::default()
        }
    );
}

#[wasm_bindgen_test]
async fn a_correction_copies_the_completed_response_into_a_new_draft() {
    let store = Store::open(&unique_database_name("correct"))
        .await
        .expect("open");
    let original = completed(1, 0);
    store.complete_response(&original).await.expect("complete");
    let correction_id = Uuid::from_u128(50);

    let correction = store
        .start_correction(original.id, correction_id, at_minute(60))
        .await
        .expect("start the correction");

    let expected = Response {
        id: correction_id,
        status: ResponseStatus::Draft,
        corrects: Some(original.id),
        created_at: at_minute(60),
        updated_at: at_minute(60),
        ..original.clone()
    };
    assert_eq!(correction, expected);
    assert_eq!(correction.answers, original.answers);
    assert_eq!(correction.participant, original.participant);
    assert_eq!(correction.consent, original.consent);
    assert_eq!(
        store.response(correction_id).await.expect("read"),
        Some(StoredResponse {
            response: expected.clone(),
            sync: LocalSyncState::Draft,
        })
    );
    // The original stays as it was, still queued.
    assert_eq!(
        store.response(original.id).await.expect("read"),
        Some(StoredResponse {
            response: original.clone(),
            sync: LocalSyncState::Waiting { seq: 1 },
        })
    );
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            drafts: 1,
            waiting: 1,
            ..Counts::default()
        }
    );

    // Completed, the correction is queued as a response of its own.
    let mut finished = expected.clone();
    finished.set_answer("vui-ve", Some(AnswerValue::Smiley(5)), at_minute(61));
    finished.status = ResponseStatus::Completed;
    assert_eq!(
        store.complete_response(&finished).await.expect("complete"),
        2
    );
    assert_eq!(
        store.read_outbox(10).await.expect("read").0,
        vec![submit(1, &original), submit(2, &finished)]
    );

    // Only a completed response can be corrected.
    store.save_draft(&draft(3, 70)).await.expect("save draft");
    assert!(matches!(
        store
            .start_correction(Uuid::from_u128(3), Uuid::from_u128(51), at_minute(71))
            .await,
        Err(StorageError::Refused(Refusal::NotCompleted))
    ));
    assert!(matches!(
        store
            .start_correction(Uuid::from_u128(4), Uuid::from_u128(52), at_minute(71))
            .await,
        Err(StorageError::Refused(Refusal::NotFound))
    ));
    assert_eq!(
        store.response(Uuid::from_u128(51)).await.expect("read"),
        None
    );
}

#[wasm_bindgen_test]
async fn renumbering_keeps_a_withdrawal_after_the_tombstone_it_follows() {
    let store = Store::open(&unique_database_name("renumber-withdrawn"))
        .await
        .expect("open");
    let first = completed(1, 0);
    let second = completed(2, 10);
    store.complete_response(&first).await.expect("complete");
    store.complete_response(&second).await.expect("complete");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply");
    assert_eq!(
        store
            .withdraw_response(second.id, at_minute(20))
            .await
            .expect("withdraw"),
        3
    );

    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");

    let withdrawn = tombstone_of(&second, at_minute(20));
    // The first response, acknowledged, is queued again after them.
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                submit(1, &withdrawn),
                withdraw(2, &second, 20),
                submit(3, &first)
            ],
            3
        )
    );
    assert_eq!(
        sync_of(&store, &second).await,
        LocalSyncState::Waiting { seq: 2 }
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 4);
}

// ---------- Ward reports ----------

/// A tablet's time in the tests: 2025-06-15, in ms since the epoch.
const NOW_MS: i64 = 1_750_000_000_000;

fn report_id() -> ReportId {
    ReportId::new("00004", Period::quarter(2025, 2).expect("a valid quarter"))
        .expect("a valid report id")
}

/// An edit of indicator 4.1's value made on another tablet (`client`) at
/// `wall_ms`, as the town hall publishes it.
fn remote_value_edit(client: u128, wall_ms: i64, value: f64, author: &str) -> FieldEdit {
    FieldEdit {
        report_id: report_id(),
        field: FieldKey::value("4.1"),
        content: FieldContent::Number(value),
        stamp: Stamp {
            hlc: Hlc::new(wall_ms, 0),
            client_id: Uuid::from_u128(client),
        },
        author: author.to_owned(),
        sent_as: None,
    }
}

fn edited(seq: u64, edit: FieldEdit) -> Change {
    Change {
        seq,
        entity: ChangeEntity::ReportFieldEdited { edit },
    }
}

fn status_changed(seq: u64, status: ReportStatus) -> Change {
    Change {
        seq,
        entity: ChangeEntity::ReportStatusChanged {
            report_id: report_id(),
            status,
        },
    }
}

/// The content shown in indicator 4.1's value field.
fn shown_value(report: &StoredReport) -> Option<FieldContent> {
    report
        .fields
        .get(&FieldKey::value("4.1"))
        .map(|state| state.content().clone())
}

#[wasm_bindgen_test]
async fn a_report_edit_writes_the_report_and_its_outbox_entry_together_and_survives_reopening() {
    let name = unique_database_name("report-edit");
    let (client_id, first, second) = {
        let store = Store::open(&name).await.expect("open");
        let client_id = store.sync_meta().await.expect("meta").client_id;
        let first = store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Number(31.5),
                "Chị Lan".to_owned(),
                NOW_MS,
            )
            .await
            .expect("edit the value");
        let second = store
            .edit_report_field(
                &report_id(),
                FieldKey::note("4.1"),
                FieldContent::Text("Số liệu từ trường THCS Nguyễn Du".to_owned()),
                "Chị Lan".to_owned(),
                NOW_MS,
            )
            .await
            .expect("edit the note");
        (client_id, first, second)
    };
    // Stamped by this install's clock: the second reading in the same
    // millisecond moves the counter on.
    assert_eq!(
        first.stamp,
        Stamp {
            hlc: Hlc::new(NOW_MS, 0),
            client_id
        }
    );
    assert_eq!(second.stamp.hlc, Hlc::new(NOW_MS, 1));

    let store = Store::open(&name).await.expect("open again");
    let report = store.report(&report_id()).await.expect("read the report");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(31.5)));
    assert_eq!(
        report
            .fields
            .get(&FieldKey::note("4.1"))
            .map(|state| state.winner.clone()),
        Some(second.clone())
    );
    assert_eq!(report.status, ReportStatus::Draft);
    assert_eq!(report.pending_status, None);
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                Mutation {
                    seq: 1,
                    change: MutationChange::EditReportField {
                        edit: first.clone()
                    },
                },
                Mutation {
                    seq: 2,
                    change: MutationChange::EditReportField { edit: second },
                },
            ],
            2
        )
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);

    // Text in a value field is refused, and nothing is written.
    assert!(matches!(
        store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Text("ba mươi".to_owned()),
                "Chị Lan".to_owned(),
                NOW_MS,
            )
            .await,
        Err(StorageError::Refused(Refusal::Report(
            ReportError::NumberExpected { .. }
        )))
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 2);
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);

    // A report nobody edited reads as an empty draft.
    let other =
        ReportId::new("00004", Period::whole_year(2025).expect("a year")).expect("a report id");
    assert_eq!(
        store.report(&other).await.expect("read"),
        StoredReport::empty(other.clone())
    );

    // The town hall's copy of our own edit, its stamp bounded on receipt, is
    // kept beside it but is not shown as a conflict: same content.
    let mut bounded = first.clone();
    bounded.stamp.hlc.wall_ms -= 60_000;
    store
        .apply_pull(&[edited(7, bounded)], 7)
        .await
        .expect("apply pull");
    let report = store.report(&report_id()).await.expect("read");
    let state = report
        .fields
        .get(&FieldKey::value("4.1"))
        .expect("the value field");
    assert_eq!(state.winner, first);
    assert_eq!(state.others.len(), 1);
    assert_eq!(state.conflicting().count(), 0);
}

#[wasm_bindgen_test]
async fn two_tablets_edits_of_one_field_merge_the_same_in_either_order() {
    let lan = remote_value_edit(0xA, NOW_MS, 30.0, "Chị Lan");
    let minh = remote_value_edit(0xB, NOW_MS + 5_000, 42.0, "Anh Minh");

    let one = Store::open(&unique_database_name("merge-one"))
        .await
        .expect("open");
    one.apply_pull(&[edited(1, lan.clone()), edited(2, minh.clone())], 2)
        .await
        .expect("apply pull");
    let other = Store::open(&unique_database_name("merge-other"))
        .await
        .expect("open");
    // The other order, over two pages, and the first page replayed.
    other
        .apply_pull(&[edited(2, minh.clone())], 2)
        .await
        .expect("apply pull");
    other
        .apply_pull(&[edited(1, lan.clone())], 2)
        .await
        .expect("apply pull");
    other
        .apply_pull(&[edited(2, minh.clone())], 2)
        .await
        .expect("apply the replay");

    let merged = one.report(&report_id()).await.expect("read");
    assert_eq!(other.report(&report_id()).await.expect("read"), merged);
    let state = merged
        .fields
        .get(&FieldKey::value("4.1"))
        .expect("the value field");
    // The later stamp is shown; the loser is kept, once, and is a conflict.
    assert_eq!(state.winner, minh);
    assert_eq!(state.others, vec![lan.clone()]);
    assert_eq!(state.conflicting().collect::<Vec<_>>(), vec![&lan]);
    // Pulling changes queues nothing.
    assert_eq!(one.read_outbox(10).await.expect("read").1, 0);
}

#[wasm_bindgen_test]
async fn an_approved_report_refuses_edits_and_status_changes_wait_for_the_town_hall() {
    let store = Store::open(&unique_database_name("report-status"))
        .await
        .expect("open");
    store
        .edit_report_field(
            &report_id(),
            FieldKey::narrative(),
            FieldContent::Text("Quý này phường tổ chức 3 diễn đàn trẻ em.".to_owned()),
            String::new(),
            NOW_MS,
        )
        .await
        .expect("edit");

    // Submitting queues the change from the status held here, and the
    // status waits for the town hall; a double tap queues nothing more.
    store
        .change_report_status(&report_id(), ReportStatus::Submitted)
        .await
        .expect("submit");
    store
        .change_report_status(&report_id(), ReportStatus::Submitted)
        .await
        .expect("submit again");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(report.status, ReportStatus::Draft);
    assert_eq!(report.pending_status, Some(ReportStatus::Submitted));
    let (mutations, total) = store.read_outbox(10).await.expect("read the outbox");
    assert_eq!(total, 2);
    assert_eq!(
        mutations[1],
        Mutation {
            seq: 2,
            change: MutationChange::ChangeReportStatus {
                change: ReportStatusChange {
                    report_id: report_id(),
                    from: ReportStatus::Draft,
                    to: ReportStatus::Submitted,
                },
            },
        }
    );
    // A draft cannot be approved.
    assert!(matches!(
        store
            .change_report_status(&report_id(), ReportStatus::Approved)
            .await,
        Err(StorageError::Refused(Refusal::Report(
            ReportError::TransitionNotAllowed { .. }
        )))
    ));

    // The town hall's answers come back by pull.
    store
        .apply_pull(&[status_changed(1, ReportStatus::Submitted)], 1)
        .await
        .expect("apply pull");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(report.status, ReportStatus::Submitted);
    assert_eq!(report.pending_status, None);
    // A submitted report can still be edited.
    store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(33.0),
            String::new(),
            NOW_MS + 1,
        )
        .await
        .expect("edit a submitted report");

    store
        .apply_pull(&[status_changed(2, ReportStatus::Approved)], 2)
        .await
        .expect("apply pull");
    let before = store.report(&report_id()).await.expect("read");
    assert_eq!(before.status, ReportStatus::Approved);
    assert!(before.is_locked());
    let outbox_before = store.read_outbox(10).await.expect("read").1;
    let next_seq_before = store.sync_meta().await.expect("meta").next_seq;

    let refused = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(50.0),
            String::new(),
            NOW_MS + 2,
        )
        .await;
    assert!(matches!(
        refused,
        Err(StorageError::Refused(Refusal::ReportLocked))
    ));
    let message = Refusal::ReportLocked.message();
    assert!(message.vi.contains("đã được duyệt") && message.en.contains("approved"));
    // Nothing was written: not the report, not the outbox, not the counter.
    assert_eq!(store.report(&report_id()).await.expect("read"), before);
    assert_eq!(store.read_outbox(10).await.expect("read").1, outbox_before);
    assert_eq!(
        store.sync_meta().await.expect("meta").next_seq,
        next_seq_before
    );
    // Nor can an approved report move.
    assert!(matches!(
        store
            .change_report_status(&report_id(), ReportStatus::Draft)
            .await,
        Err(StorageError::Refused(Refusal::Report(
            ReportError::TransitionNotAllowed { .. }
        )))
    ));
}

#[wasm_bindgen_test]
async fn a_queued_approval_locks_the_report_here_too() {
    let store = Store::open(&unique_database_name("report-approval-queued"))
        .await
        .expect("open");
    store
        .apply_pull(&[status_changed(1, ReportStatus::Submitted)], 1)
        .await
        .expect("apply pull");
    store
        .change_report_status(&report_id(), ReportStatus::Approved)
        .await
        .expect("approve");
    // The town hall will apply the approval first and refuse any edit
    // queued after it, so the edit is refused here already.
    assert!(matches!(
        store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Number(1.0),
                String::new(),
                NOW_MS,
            )
            .await,
        Err(StorageError::Refused(Refusal::ReportLocked))
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 1);
}

#[wasm_bindgen_test]
async fn the_report_clock_survives_reopening_and_follows_what_it_saw() {
    let name = unique_database_name("report-clock");
    let before = {
        let store = Store::open(&name).await.expect("open");
        store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Number(10.0),
                String::new(),
                NOW_MS,
            )
            .await
            .expect("edit")
    };

    // After a reload, with the tablet's clock set back an hour, the next
    // edit still sorts after the last one.
    let store = Store::open(&name).await.expect("open again");
    let after_reopen = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(11.0),
            String::new(),
            NOW_MS - 3_600_000,
        )
        .await
        .expect("edit after reopening");
    assert!(after_reopen.stamp > before.stamp);
    assert_eq!(after_reopen.stamp.hlc, Hlc::new(NOW_MS, 1));
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(11.0)));

    // An edit pulled from a colleague whose clock is ahead (within what the
    // town hall allows) is observed: the next edit here sorts after it and
    // so wins, as the later edit should.
    let colleague = remote_value_edit(0xC, NOW_MS + 120_000, 12.0, "Anh Minh");
    store
        .apply_pull(&[edited(3, colleague.clone())], 3)
        .await
        .expect("apply pull");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(12.0)));
    let next = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(13.0),
            String::new(),
            NOW_MS + 1,
        )
        .await
        .expect("edit after the pull");
    assert!(next.stamp.hlc > colleague.stamp.hlc);
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(13.0)));
}

#[wasm_bindgen_test]
async fn a_refused_report_change_is_kept_and_its_reason_shown() {
    let store = Store::open(&unique_database_name("report-refused"))
        .await
        .expect("open");
    let edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            "Chị Lan".to_owned(),
            NOW_MS,
        )
        .await
        .expect("edit");
    store
        .change_report_status(&report_id(), ReportStatus::Submitted)
        .await
        .expect("submit");
    let locked = Localized::new("Báo cáo đã được duyệt", "The report is approved");
    let overtaken = Localized::new("Trạng thái đã đổi", "The status changed");

    store
        .apply_push_results(
            2,
            &[
                result(
                    1,
                    MutationOutcome::Rejected {
                        code: thamgia_core::RefusalCode::ReportLocked,
                        message: locked.clone(),
                    },
                ),
                result(
                    2,
                    MutationOutcome::Rejected {
                        code: thamgia_core::RefusalCode::ReportStatusRefused,
                        message: overtaken.clone(),
                    },
                ),
            ],
        )
        .await
        .expect("apply the push results");

    let report = store.report(&report_id()).await.expect("read");
    // The refused edit is still shown here, with the reason beside it.
    assert_eq!(
        report
            .fields
            .get(&FieldKey::value("4.1"))
            .map(|state| state.winner.clone()),
        Some(edit)
    );
    assert_eq!(report.last_rejection, Some(overtaken));
    // The refused status change is no longer pending.
    assert_eq!(report.pending_status, None);
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);

    store
        .dismiss_report_rejection(&report_id())
        .await
        .expect("dismiss");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(report.last_rejection, None);
    assert_eq!(shown_value(&report), Some(FieldContent::Number(31.0)));

    // An accepted edit changes nothing here: its copy comes back by pull.
    store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(32.0),
            "Chị Lan".to_owned(),
            NOW_MS,
        )
        .await
        .expect("edit");
    let before = store.report(&report_id()).await.expect("read");
    store
        .apply_push_results(3, &[result(3, MutationOutcome::Applied)])
        .await
        .expect("apply the push results");
    assert_eq!(store.report(&report_id()).await.expect("read"), before);
}

#[wasm_bindgen_test]
async fn renumbering_keeps_report_edits_in_order() {
    let store = Store::open(&unique_database_name("report-renumber"))
        .await
        .expect("open");
    let response = completed(1, 0);
    store.complete_response(&response).await.expect("complete");
    let edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            String::new(),
            NOW_MS,
        )
        .await
        .expect("edit");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply");

    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");

    // The edit still waiting is renumbered (not queued twice); the response
    // the server had acknowledged is queued again after it.
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                Mutation {
                    seq: 1,
                    change: MutationChange::EditReportField { edit },
                },
                submit(2, &response)
            ],
            2
        )
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);
}

/// `value` as the app encoded records until it encoded them as JSON:
/// through serde-wasm-bindgen with maps as plain objects (indexed_db_futures'
/// `serde` feature), so `None` is a property holding `undefined`.
fn as_earlier_versions_wrote<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .expect("serialise as earlier versions did")
}

/// The meta record as version 1 of the app wrote it: no clock.
#[derive(Serialize)]
struct MetaRecordVersion1 {
    client_id: Uuid,
    next_seq: u64,
    cursor: u64,
    last_success_ms: Option<i64>,
}

/// An outbox entry as version 1 of the app wrote it.
#[derive(Serialize)]
struct OutboxEntryVersion1 {
    seq: u64,
    mutation: Mutation,
}

/// Creates the database `name` as version 1 of the app did (its schema, by
/// hand) and fills it with a waiting response, its outbox entry, a survey
/// and the sync bookkeeping.
async fn create_version_1_database(
    name: &str,
    client_id: Uuid,
    response: &Response,
    survey: &SurveyDefinition,
) {
    let database = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_event, database| {
            database.create_object_store("meta").build()?;
            let responses = database
                .create_object_store("responses")
                .with_key_path(KeyPath::One("response.id"))
                .build()?;
            responses
                .create_index("sync_state", KeyPath::One("sync.type"))
                .build()?;
            database
                .create_object_store("outbox")
                .with_key_path(KeyPath::One("seq"))
                .build()?;
            database.create_object_store("surveys").build()?;
            Ok(())
        })
        .await
        .expect("create a version 1 database");
    let transaction = database
        .transaction(["meta", "responses", "outbox", "surveys"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .expect("start a transaction");
    {
        let meta = transaction.object_store("meta").expect("meta");
        meta.put(as_earlier_versions_wrote(&MetaRecordVersion1 {
            client_id,
            next_seq: 2,
            cursor: 17,
            last_success_ms: Some(NOW_MS),
        }))
        .with_key("sync")
        .without_key_type()
        .primitive()
        .expect("start the put")
        .await
        .expect("put the meta record");
        let responses = transaction.object_store("responses").expect("responses");
        responses
            .put(as_earlier_versions_wrote(&StoredResponse {
                response: response.clone(),
                sync: LocalSyncState::Waiting { seq: 1 },
            }))
            .primitive()
            .expect("start the put")
            .await
            .expect("put the response");
        let outbox = transaction.object_store("outbox").expect("outbox");
        outbox
            .add(as_earlier_versions_wrote(&OutboxEntryVersion1 {
                seq: 1,
                mutation: submit(1, response),
            }))
            .primitive()
            .expect("start the add")
            .await
            .expect("add the outbox entry");
        let surveys = transaction.object_store("surveys").expect("surveys");
        surveys
            .put(as_earlier_versions_wrote(survey))
            .with_key(survey.key())
            .without_key_type()
            .primitive()
            .expect("start the put")
            .await
            .expect("put the survey");
    }
    transaction.commit().await.expect("commit");
    database.close();
}

#[wasm_bindgen_test]
async fn opening_a_version_1_database_upgrades_it_and_keeps_everything() {
    let name = unique_database_name("upgrade");
    let client_id = Uuid::from_u128(0x0001_0001);
    let response = completed(1, 0);
    let survey = survey("hoc-tap", 1, "Học tập");
    create_version_1_database(&name, client_id, &response, &survey).await;

    let store = Store::open(&name).await.expect("open and upgrade");

    let meta = store.sync_meta().await.expect("meta");
    assert_eq!(meta.client_id, client_id);
    assert_eq!(meta.next_seq, 2);
    assert_eq!(meta.cursor, 17);
    assert_eq!(meta.last_success_ms, Some(NOW_MS));
    assert_eq!(
        store.response(response.id).await.expect("read"),
        Some(StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Waiting { seq: 1 },
        })
    );
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            waiting: 1,
            ..Counts::default()
        }
    );
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (vec![submit(1, &response)], 1)
    );
    assert_eq!(store.surveys().await.expect("surveys"), vec![survey]);
    // The index of when responses changed (version 4) covers the records
    // stored before it existed.
    let (newest, more) = store.newest_responses(10).await.expect("newest");
    assert_eq!(
        newest
            .iter()
            .map(|record| record.response.id)
            .collect::<Vec<_>>(),
        vec![response.id]
    );
    assert!(!more);

    // The new store works, and its edits continue the old numbering under
    // the old client id; the clock starts from the tablet's time.
    let edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            String::new(),
            NOW_MS,
        )
        .await
        .expect("edit a report");
    assert_eq!(
        edit.stamp,
        Stamp {
            hlc: Hlc::new(NOW_MS, 0),
            client_id
        }
    );
    let (mutations, total) = store.read_outbox(10).await.expect("read the outbox");
    assert_eq!(total, 2);
    assert_eq!(
        mutations[1],
        Mutation {
            seq: 2,
            change: MutationChange::EditReportField { edit },
        }
    );

    // And the upgraded database opens again as it is.
    drop(store);
    let store = Store::open(&name).await.expect("open again");
    assert_eq!(store.read_outbox(10).await.expect("read").1, 2);
    assert_eq!(
        shown_value(&store.report(&report_id()).await.expect("read")),
        Some(FieldContent::Number(31.0))
    );
}

// ---------- Children's forums ----------

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, month, day).expect("a valid date")
}

/// The id of the `index`-th recommendation of forum `number`.
fn recommendation_id(number: u128, index: u128) -> Uuid {
    Uuid::from_u128(number * 100 + index)
}

/// A forum of 32 children with one topic and one recommendation, ready to
/// submit but not marked submitted.
fn forum(number: u128, held_on: NaiveDate) -> Forum {
    let mut forum = Forum::new(Uuid::from_u128(number), "00004", held_on, at_minute(0));
    forum.place = "Nhà văn hoá tổ dân phố 5".to_owned();
    forum.facilitators = "Chị Lan, anh Minh".to_owned();
    forum.adult_supporters = 7;
    forum.consents_collected = 32;
    forum.participants = vec![
        ParticipantCount {
            age_band: AgeBand::From10To12,
            sex: Sex::Female,
            count: 17,
        },
        ParticipantCount {
            age_band: AgeBand::From13To15,
            sex: Sex::Male,
            count: 15,
        },
    ];
    forum.topics = vec![Topic {
        id: Uuid::from_u128(number * 1000),
        title: "An toàn trên đường đến trường".to_owned(),
        opinions: vec![Opinion {
            id: Uuid::from_u128(number * 1000 + 1),
            text: "Ngõ 12 tối quá, chúng em sợ khi đi học thêm về.".to_owned(),
            smiley: Some(2),
            votes: 21,
        }],
    }];
    forum.recommendations = vec![Recommendation {
        id: recommendation_id(number, 1),
        text: "Lắp đèn chiếu sáng ở ngõ 12".to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 25,
    }];
    forum
}

fn submitted(mut forum: Forum) -> Forum {
    forum.submitted = true;
    forum
}

fn submit_forum_mutation(seq: u64, forum: &Forum) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::SubmitForum {
            forum: forum.clone(),
        },
    }
}

fn answer(recommendation_id: Uuid, decision: Decision) -> AuthorityAnswer {
    AuthorityAnswer {
        recommendation_id,
        decision,
        reasons: "Đã có trong kế hoạch chỉnh trang đô thị".to_owned(),
        actions: "Lắp 3 đèn trước ngày 31/12".to_owned(),
        answered_on: day(12, 1),
    }
}

fn feedback(recommendation_id: Uuid, channel: FeedbackChannel) -> ChildFeedback {
    ChildFeedback {
        recommendation_id,
        given_on: day(12, 10),
        channel,
        note: "Đọc câu trả lời của phường ở buổi chào cờ".to_owned(),
    }
}

async fn stored_forum(store: &Store, id: Uuid) -> StoredForum {
    store
        .forum(id)
        .await
        .expect("read the forum")
        .expect("the forum is stored")
}

#[wasm_bindgen_test]
async fn submitting_a_forum_writes_it_and_its_outbox_entry_together_and_survives_reopening() {
    let name = unique_database_name("forum-submit");
    let response = completed(1, 0);
    let draft = forum(7, day(11, 20));
    let older = forum(8, day(11, 2));
    {
        let store = Store::open(&name).await.expect("open");
        store.complete_response(&response).await.expect("complete");
        store.save_forum_draft(&older).await.expect("save a draft");
        store.save_forum_draft(&draft).await.expect("save a draft");
        assert_eq!(
            store.forums().await.expect("forums"),
            vec![
                StoredForum::draft(draft.clone()),
                StoredForum::draft(older.clone())
            ],
            "the latest held first"
        );
        assert_eq!(
            store
                .submit_forum(&submitted(draft.clone()))
                .await
                .expect("submit"),
            2
        );
        // A double tap queues nothing more.
        assert_eq!(
            store
                .submit_forum(&submitted(draft.clone()))
                .await
                .expect("submit again"),
            2
        );
    }

    // After a reload the forum waits, its mutation follows the response's,
    // and it can no longer change.
    let store = Store::open(&name).await.expect("open again");
    let waiting = stored_forum(&store, draft.id).await;
    assert_eq!(waiting.forum, submitted(draft.clone()));
    assert_eq!(waiting.sync, LocalSyncState::Waiting { seq: 2 });
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                submit(1, &response),
                submit_forum_mutation(2, &submitted(draft.clone()))
            ],
            2
        )
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);
    assert!(matches!(
        store.save_forum_draft(&draft).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    assert!(matches!(
        store.discard_forum_draft(draft.id).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    let mut changed = submitted(draft.clone());
    changed.place = "Trường THCS Giảng Võ".to_owned();
    assert!(matches!(
        store.submit_forum(&changed).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    let mut other_draft = submitted(draft.clone());
    other_draft.submitted = false;
    assert!(matches!(
        store.save_forum_draft(&other_draft).await,
        Err(StorageError::Refused(Refusal::ForumSubmitted))
    ));
    assert_eq!(stored_forum(&store, draft.id).await, waiting);

    // A draft can be discarded.
    store
        .discard_forum_draft(older.id)
        .await
        .expect("discard the draft");
    assert_eq!(store.forum(older.id).await.expect("read"), None);

    // A renumbering moves the forum with its mutation.
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply the push results");
    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");
    assert_eq!(
        stored_forum(&store, draft.id).await.sync,
        LocalSyncState::Waiting { seq: 1 }
    );
    // The response the town hall had acknowledged is queued again after it
    // (the server asking for a new numbering may have lost it).
    let (outbox, total) = store.read_outbox(10).await.expect("read the outbox");
    assert_eq!(total, 2);
    assert_eq!(
        outbox[0],
        submit_forum_mutation(1, &submitted(draft.clone()))
    );
    assert!(
        matches!(&outbox[1].change, MutationChange::SubmitResponse { .. }) && outbox[1].seq == 2
    );

    // The town hall takes both (the response it still had: AlreadyStored).
    store
        .apply_push_results(
            2,
            &[
                result(1, MutationOutcome::Applied),
                result(2, MutationOutcome::AlreadyStored),
            ],
        )
        .await
        .expect("apply the push results");
    assert!(matches!(
        stored_forum(&store, draft.id).await.sync,
        LocalSyncState::Synced { .. }
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
}

#[wasm_bindgen_test]
async fn a_forum_with_problems_cannot_be_submitted() {
    let store = Store::open(&unique_database_name("forum-problems"))
        .await
        .expect("open");
    let mut draft = forum(7, day(11, 20));
    draft.place = "  ".to_owned();
    draft.recommendations[0].authority.clear();
    store.save_forum_draft(&draft).await.expect("save a draft");

    match store.submit_forum(&submitted(draft.clone())).await {
        Err(StorageError::Refused(Refusal::ForumIncomplete(problem))) => {
            assert_eq!(
                problem,
                Localized::new("Hãy ghi địa điểm.", "Enter the place.")
            );
            assert_eq!(Refusal::ForumIncomplete(problem.clone()).message(), problem);
        }
        other => panic!("expected the first problem, got {other:?}"),
    }
    assert!(matches!(
        store.submit_forum(&forum(7, day(11, 20))).await,
        Err(StorageError::Refused(Refusal::ForumNotSubmitted))
    ));

    // Nothing was written: the draft is still a draft, the outbox empty,
    // and the next seq unused.
    assert_eq!(
        stored_forum(&store, draft.id).await,
        StoredForum::draft(draft.clone())
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 1);

    // Circular 29 warnings do not stop it: 12 children with one adult.
    draft.place = "Nhà văn hoá tổ dân phố 5".to_owned();
    draft.recommendations[0].authority = "UBND phường Ba Đình".to_owned();
    draft.participants.truncate(1);
    draft.participants[0].count = 12;
    draft.adult_supporters = 1;
    assert!(!draft.warnings().is_empty());
    assert_eq!(
        store.submit_forum(&submitted(draft)).await.expect("submit"),
        1
    );
}

#[wasm_bindgen_test]
async fn pulled_answers_and_feedback_attach_to_the_forum_holding_the_recommendation() {
    let store = Store::open(&unique_database_name("forum-pull"))
        .await
        .expect("open");
    // Ours, submitted here and taken by the town hall.
    let ours = submitted(forum(1, day(11, 20)));
    store
        .save_forum_draft(&forum(1, day(11, 20)))
        .await
        .expect("save");
    store.submit_forum(&ours).await.expect("submit");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply");
    let ours_before = stored_forum(&store, ours.id).await;
    // A colleague's, with two recommendations.
    let mut theirs = submitted(forum(2, day(11, 5)));
    theirs.recommendations.push(Recommendation {
        id: recommendation_id(2, 2),
        text: "Mở sân chơi ở nhà văn hoá vào cuối tuần".to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 30,
    });
    let mut ours_as_pulled = ours.clone();
    ours_as_pulled.place = "(bản của thành phố)".to_owned();

    let first = answer(recommendation_id(2, 2), Decision::Partly);
    let revised = answer(recommendation_id(2, 2), Decision::Accepted);
    let colleagues_feedback = feedback(recommendation_id(2, 2), FeedbackChannel::School);
    store
        .apply_pull(
            &[
                Change {
                    seq: 10,
                    entity: ChangeEntity::ForumStored {
                        forum: theirs.clone(),
                    },
                },
                // Our own forum coming back does not replace ours.
                Change {
                    seq: 11,
                    entity: ChangeEntity::ForumStored {
                        forum: ours_as_pulled,
                    },
                },
                Change {
                    seq: 12,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: first.clone(),
                    },
                },
                Change {
                    seq: 13,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: answer(recommendation_id(1, 1), Decision::Rejected),
                    },
                },
                Change {
                    seq: 14,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: revised.clone(),
                    },
                },
                Change {
                    seq: 15,
                    entity: ChangeEntity::FeedbackRecorded {
                        feedback: colleagues_feedback.clone(),
                    },
                },
                // About a forum this tablet does not hold: dropped.
                Change {
                    seq: 16,
                    entity: ChangeEntity::RecommendationAnswered {
                        answer: answer(recommendation_id(9, 1), Decision::Accepted),
                    },
                },
            ],
            16,
        )
        .await
        .expect("apply the pull");

    assert_eq!(store.sync_meta().await.expect("meta").cursor, 16);
    let forums = store.forums().await.expect("forums");
    assert_eq!(
        forums
            .iter()
            .map(|stored| stored.forum.id)
            .collect::<Vec<_>>(),
        vec![ours.id, theirs.id]
    );
    let held_theirs = stored_forum(&store, theirs.id).await;
    assert_eq!(held_theirs.forum, theirs);
    assert!(matches!(held_theirs.sync, LocalSyncState::Synced { .. }));
    assert_eq!(held_theirs.answer(recommendation_id(2, 2)), Some(&revised));
    assert_eq!(held_theirs.answer(recommendation_id(2, 1)), None);
    assert_eq!(
        held_theirs.feedback_on(recommendation_id(2, 2)),
        Some(&colleagues_feedback)
    );
    assert_eq!(
        held_theirs.recommendation_status(recommendation_id(2, 1)),
        RecommendationStatus::AwaitingAnswer
    );
    assert_eq!(
        held_theirs.recommendation_status(recommendation_id(2, 2)),
        RecommendationStatus::Closed
    );
    let held_ours = stored_forum(&store, ours.id).await;
    assert_eq!(held_ours.forum, ours_before.forum);
    assert_eq!(held_ours.sync, ours_before.sync);
    assert_eq!(
        held_ours.recommendation_status(recommendation_id(1, 1)),
        RecommendationStatus::AwaitingFeedback
    );

    // Feedback recorded here: on its forum and in the outbox together.
    let told = feedback(recommendation_id(1, 1), FeedbackChannel::Meeting);
    assert_eq!(store.record_feedback(&told).await.expect("record"), 2);
    assert_eq!(store.record_feedback(&told).await.expect("again"), 2);
    assert!(matches!(
        store
            .record_feedback(&feedback(recommendation_id(1, 1), FeedbackChannel::Online))
            .await,
        Err(StorageError::Refused(Refusal::FeedbackAlreadyGiven))
    ));
    assert!(matches!(
        store
            .record_feedback(&feedback(recommendation_id(9, 1), FeedbackChannel::Online))
            .await,
        Err(StorageError::Refused(Refusal::RecommendationNotFound))
    ));
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![Mutation {
                seq: 2,
                change: MutationChange::RecordFeedback {
                    feedback: told.clone()
                },
            }],
            1
        )
    );
    assert_eq!(
        stored_forum(&store, ours.id)
            .await
            .recommendation_status(recommendation_id(1, 1)),
        RecommendationStatus::Closed
    );

    // Acknowledged, it leaves the outbox and stays on its forum.
    store
        .apply_push_results(2, &[result(2, MutationOutcome::Applied)])
        .await
        .expect("apply");
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
    assert_eq!(
        stored_forum(&store, ours.id)
            .await
            .feedback_on(recommendation_id(1, 1)),
        Some(&told)
    );
    assert_eq!(store.record_feedback(&told).await.expect("again"), 0);

    // Feedback on a draft's recommendation is refused.
    store
        .save_forum_draft(&forum(3, day(12, 1)))
        .await
        .expect("save");
    assert!(matches!(
        store
            .record_feedback(&feedback(recommendation_id(3, 1), FeedbackChannel::Notice))
            .await,
        Err(StorageError::Refused(Refusal::ForumNotSubmitted))
    ));
}

#[wasm_bindgen_test]
async fn a_refused_forum_keeps_its_reason() {
    let store = Store::open(&unique_database_name("forum-refused"))
        .await
        .expect("open");
    let refused = submitted(forum(1, day(11, 20)));
    let duplicate = submitted(forum(2, day(11, 21)));
    store.submit_forum(&refused).await.expect("submit");
    store.submit_forum(&duplicate).await.expect("submit");
    let reason = Localized::new("Thiếu cơ quan nhận", "No authority");
    let conflict = Localized::new("Trùng mã", "Same id");
    store
        .apply_push_results(
            2,
            &[
                result(
                    1,
                    MutationOutcome::Rejected {
                        code: thamgia_core::RefusalCode::InvalidRecord,
                        message: reason.clone(),
                    },
                ),
                result(
                    2,
                    MutationOutcome::Conflict {
                        message: conflict.clone(),
                    },
                ),
            ],
        )
        .await
        .expect("apply");
    assert_eq!(
        stored_forum(&store, refused.id).await.sync,
        LocalSyncState::Rejected { message: reason }
    );
    assert_eq!(
        stored_forum(&store, duplicate.id).await.sync,
        LocalSyncState::Conflict { message: conflict }
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);
}

/// Creates the database `name` as version 2 of the app left it: version 1's
/// stores and data (see [`create_version_1_database`]), then the `reports`
/// store with one report.
async fn create_version_2_database(
    name: &str,
    client_id: Uuid,
    response: &Response,
    survey: &SurveyDefinition,
    report: &StoredReport,
) {
    create_version_1_database(name, client_id, response, survey).await;
    let database = Database::open(name)
        .with_version(2u32)
        .with_on_upgrade_needed(|_event, database| {
            database.create_object_store("reports").build()?;
            Ok(())
        })
        .await
        .expect("upgrade to version 2");
    let transaction = database
        .transaction(["reports"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .expect("start a transaction");
    transaction
        .object_store("reports")
        .expect("reports")
        .put(as_earlier_versions_wrote(report))
        .with_key(report.fields.report_id().to_string())
        .without_key_type()
        .primitive()
        .expect("start the put")
        .await
        .expect("put the report");
    transaction.commit().await.expect("commit");
    database.close();
}

#[wasm_bindgen_test]
async fn opening_a_version_2_database_upgrades_it_and_keeps_everything() {
    let name = unique_database_name("upgrade-2");
    let client_id = Uuid::from_u128(0x0002_0002);
    let response = completed(1, 0);
    let survey = survey("hoc-tap", 1, "Học tập");
    let mut report = StoredReport::empty(report_id());
    report
        .fields
        .apply(remote_value_edit(0xC, NOW_MS, 31.0, "Chị Lan"))
        .expect("apply the edit");
    create_version_2_database(&name, client_id, &response, &survey, &report).await;

    let store = Store::open(&name).await.expect("open and upgrade");

    let meta = store.sync_meta().await.expect("meta");
    assert_eq!(meta.client_id, client_id);
    assert_eq!(meta.next_seq, 2);
    assert_eq!(meta.cursor, 17);
    assert_eq!(
        store.response(response.id).await.expect("read"),
        Some(StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Waiting { seq: 1 },
        })
    );
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (vec![submit(1, &response)], 1)
    );
    assert_eq!(store.surveys().await.expect("surveys"), vec![survey]);
    assert_eq!(store.report(&report_id()).await.expect("report"), report);
    assert_eq!(store.forums().await.expect("forums"), Vec::new());

    // The new store works and continues the old numbering.
    let held = submitted(forum(5, day(11, 20)));
    assert_eq!(store.submit_forum(&held).await.expect("submit"), 2);
    drop(store);
    let store = Store::open(&name).await.expect("open again");
    assert_eq!(
        stored_forum(&store, held.id).await.sync,
        LocalSyncState::Waiting { seq: 2 }
    );
    assert_eq!(store.read_outbox(10).await.expect("read").1, 2);
    assert_eq!(store.report(&report_id()).await.expect("report"), report);
}

/// A server restored from an older backup asks for a new numbering (a
/// gap, or a change log shorter than the tablet's cursor): the renumbering
/// queues again everything the tablet holds that the server had
/// acknowledged, each keyed by its own id, so the server gets back what it
/// lost and nothing counts twice. Another tablet's report edit, pulled
/// here, is that tablet's to send.
#[wasm_bindgen_test]
async fn a_renumbering_queues_again_everything_the_server_had_acknowledged() {
    let store = Store::open(&unique_database_name("requeue"))
        .await
        .expect("open");
    let kept = completed(1, 0);
    let withdrawn = completed(2, 5);
    store.complete_response(&kept).await.expect("complete");
    store.complete_response(&withdrawn).await.expect("complete");
    let held = submitted(forum(7, day(11, 20)));
    store.submit_forum(&held).await.expect("submit the forum");
    let own_edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            "Lan".to_owned(),
            NOW_MS,
        )
        .await
        .expect("edit");
    let acknowledged: Vec<MutationResult> = (1..=4)
        .map(|seq| result(seq, MutationOutcome::Applied))
        .collect();
    store
        .apply_push_results(4, &acknowledged)
        .await
        .expect("acknowledged");
    let told = feedback(recommendation_id(7, 1), FeedbackChannel::School);
    store.record_feedback(&told).await.expect("feedback");
    store
        .withdraw_response(withdrawn.id, at_minute(30))
        .await
        .expect("withdraw");
    store
        .apply_push_results(
            6,
            &[
                result(5, MutationOutcome::Applied),
                result(6, MutationOutcome::Withdrawn),
            ],
        )
        .await
        .expect("acknowledged");
    let theirs = remote_value_edit(0xB0B, NOW_MS + 60_000, 29.0, "Minh");
    store
        .apply_pull(
            &[Change {
                seq: 1,
                entity: ChangeEntity::ReportFieldEdited {
                    edit: theirs.clone(),
                },
            }],
            1,
        )
        .await
        .expect("pulled");
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);

    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");

    let (outbox, total) = store.read_outbox(20).await.expect("read the outbox");
    let changes: Vec<&MutationChange> = outbox.iter().map(|entry| &entry.change).collect();
    assert_eq!(total, 5, "{changes:?}");
    assert_eq!(
        outbox.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    let has =
        |wanted: &dyn Fn(&MutationChange) -> bool| changes.iter().any(|change| wanted(change));
    assert!(has(
        &|change| matches!(change, MutationChange::SubmitResponse { response } if response.id == kept.id)
    ));
    assert!(has(
        &|change| matches!(change, MutationChange::WithdrawResponse { response_id, .. } if *response_id == withdrawn.id)
    ));
    assert!(
        !has(
            &|change| matches!(change, MutationChange::SubmitResponse { response } if response.id == withdrawn.id)
        ),
        "a tombstone is sent as its withdrawal, never as answers"
    );
    assert!(has(
        &|change| matches!(change, MutationChange::SubmitForum { forum } if forum.id == held.id)
    ));
    assert!(has(
        &|change| matches!(change, MutationChange::RecordFeedback { feedback } if *feedback == told)
    ));
    assert!(has(
        &|change| matches!(change, MutationChange::EditReportField { edit } if *edit == own_edit)
    ));
    assert!(
        !has(
            &|change| matches!(change, MutationChange::EditReportField { edit } if *edit == theirs)
        ),
        "another tablet's edit is not this tablet's to send"
    );
    // The re-sent response and forum show as waiting again; the tombstone
    // stays a tombstone.
    assert!(matches!(
        sync_of(&store, &kept).await,
        LocalSyncState::Waiting { .. }
    ));
    assert_eq!(sync_of(&store, &withdrawn).await, LocalSyncState::Withdrawn);
    assert!(matches!(
        stored_forum(&store, held.id).await.sync,
        LocalSyncState::Waiting { .. }
    ));
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 6);
}

// ---------- Records written by earlier versions ----------

/// A JS object made from `json`, with the property at each path of
/// `undefined` set to `undefined`: how serde-wasm-bindgen wrote a `None`
/// (a property that is there, holding `undefined`, which JSON cannot say).
fn js_object(json: &str, undefined: &[&[&str]]) -> JsValue {
    let object = js_sys::JSON::parse(json).expect("valid JSON");
    for path in undefined {
        let (last, parents) = path.split_last().expect("a path");
        let mut target = object.clone();
        for parent in parents {
            target = js_sys::Reflect::get(&target, &JsValue::from_str(parent)).expect("a parent");
        }
        js_sys::Reflect::set(&target, &JsValue::from_str(last), &JsValue::UNDEFINED)
            .expect("set to undefined");
    }
    object
}

/// A completed response as earlier versions stored it, written by hand: the
/// decimal answer 2.0 as the JS number 2, times and ids as strings.
const EARLIER_RESPONSE: &str = r#"{
    "id": "00000000-0000-0000-0000-000000000c01",
    "survey_id": "hoc-tap",
    "survey_version": 1,
    "ward_code": "26734",
    "participant": {"age_band": "10-12", "sex": "female"},
    "consent": {
        "child_assent": {"method": "verbal", "given_at": "2025-06-15T15:06:40Z"},
        "guardian_consent": {"method": "written", "given_at": "2025-06-15T15:06:40Z"}
    },
    "answers": {
        "ban-be": {"type": "text", "value": "Bạn Lan"},
        "chon": {"type": "choices", "value": ["a", "b"]},
        "co-khong": {"type": "yes_no", "value": true},
        "so-gio": {"type": "number", "value": 2},
        "ty-le": {"type": "number", "value": 2.5},
        "vui-ve": {"type": "smiley", "value": 4}
    },
    "status": "completed",
    "created_at": "2025-06-15T15:06:40Z",
    "updated_at": "2025-06-15T15:07:40Z"
}"#;

/// The response of [`EARLIER_RESPONSE`], as the app holds it.
fn earlier_response() -> Response {
    let mut response =
        Response::new_draft(Uuid::from_u128(0xC01), "hoc-tap", 1, "26734", at_minute(0));
    response.participant = Participant {
        age_band: Some(AgeBand::From10To12),
        sex: Some(Sex::Female),
        ..Participant::default()
    };
    response.consent = Consent {
        child_assent: Some(ConsentRecord {
            method: ConsentMethod::Verbal,
            given_at: at_minute(0),
        }),
        guardian_consent: Some(ConsentRecord {
            method: ConsentMethod::Written,
            given_at: at_minute(0),
        }),
    };
    for (question, value) in [
        ("ban-be", AnswerValue::Text("Bạn Lan".to_owned())),
        (
            "chon",
            AnswerValue::Choices(vec!["a".to_owned(), "b".to_owned()]),
        ),
        ("co-khong", AnswerValue::YesNo(true)),
        ("so-gio", AnswerValue::Number(2.0)),
        ("ty-le", AnswerValue::Number(2.5)),
        ("vui-ve", AnswerValue::Smiley(4)),
    ] {
        response.set_answer(question, Some(value), at_minute(1));
    }
    response.status = ResponseStatus::Completed;
    response
}

/// The records of a tablet that used the app before its records were
/// encoded as JSON read back as they were written: the response, the draft,
/// the outbox entry and the sync bookkeeping written by hand (their `None`s
/// as `undefined`), a forum, a session and a catalogue written by the
/// earlier encoder itself. The indexes find them, and the app goes on from
/// them.
#[wasm_bindgen_test]
async fn a_record_written_by_the_previous_encoding_reads_back() {
    let name = unique_database_name("previous-encoding");
    drop(Store::open(&name).await.expect("create the schema"));

    let client_id = Uuid::from_u128(0xABCD);
    let response = earlier_response();
    let unfinished =
        Response::new_draft(Uuid::from_u128(0xC02), "hoc-tap", 1, "26734", at_minute(5));
    let held = submitted(forum(9, day(11, 20)));
    let held = StoredForum {
        answers: [(
            recommendation_id(9, 1).hyphenated().to_string(),
            answer(recommendation_id(9, 1), Decision::Accepted),
        )]
        .into_iter()
        .collect(),
        feedback: [(
            recommendation_id(9, 1).hyphenated().to_string(),
            feedback(recommendation_id(9, 1), FeedbackChannel::School),
        )]
        .into_iter()
        .collect(),
        sync: LocalSyncState::Synced { at_ms: NOW_MS },
        ..StoredForum::draft(held)
    };
    let session = Session {
        token: "tg_token".to_owned(),
        device_id: Uuid::from_u128(0xD1),
        account: AccountInfo {
            username: "lan".to_owned(),
            display_name: "Chị Lan".to_owned(),
            role: Role::CityOfficer,
            ward_code: None,
        },
    };
    let catalogue = Catalogue {
        version: 3,
        indicators: vec![Indicator {
            code: "4.1".to_owned(),
            group: 4,
            name: Localized::new("Trẻ em được tham vấn", "Children consulted"),
            unit: Unit::Percent,
            better: Direction::Higher,
            targets: vec![Target {
                jurisdiction: "VN".to_owned(),
                year: 2030,
                value: 95.0,
            }],
            note: None,
        }],
    };

    {
        let database = Database::open(name.as_str())
            .await
            .expect("open the database beside the app");
        let transaction = database
            .transaction(["meta", "responses", "outbox", "forums"])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .expect("start a transaction");
        {
            let meta = transaction.object_store("meta").expect("meta");
            meta.put(js_object(
                r#"{
                    "client_id": "00000000-0000-0000-0000-00000000abcd",
                    "next_seq": 2,
                    "cursor": 17,
                    "clock": {"wall_ms": 1750000000000, "counter": 2},
                    "past_client_ids": []
                }"#,
                &[&["last_success_ms"], &["cursor_token"]],
            ))
            .with_key("sync")
            .without_key_type()
            .primitive()
            .expect("start the put")
            .await
            .expect("put the meta record");
            meta.put(as_earlier_versions_wrote(&session))
                .with_key("session")
                .without_key_type()
                .primitive()
                .expect("start the put")
                .await
                .expect("put the session");
            meta.put(as_earlier_versions_wrote(&catalogue))
                .with_key("catalogue")
                .without_key_type()
                .primitive()
                .expect("start the put")
                .await
                .expect("put the catalogue");
            let responses = transaction.object_store("responses").expect("responses");
            responses
                .put(js_object(
                    &format!(r#"{{"response": {EARLIER_RESPONSE}, "sync": {{"type": "waiting", "seq": 1}}}}"#),
                    &[],
                ))
                .primitive()
                .expect("start the put")
                .await
                .expect("put the response");
            responses
                .put(js_object(
                    r#"{
                        "response": {
                            "id": "00000000-0000-0000-0000-000000000c02",
                            "survey_id": "hoc-tap",
                            "survey_version": 1,
                            "ward_code": "26734",
                            "participant": {},
                            "consent": {},
                            "answers": {},
                            "status": "draft",
                            "created_at": "2025-06-15T15:11:40Z",
                            "updated_at": "2025-06-15T15:11:40Z"
                        },
                        "sync": {"type": "draft"}
                    }"#,
                    &[
                        &["response", "participant", "age_band"],
                        &["response", "participant", "sex"],
                    ],
                ))
                .primitive()
                .expect("start the put")
                .await
                .expect("put the draft");
            transaction
                .object_store("outbox")
                .expect("outbox")
                .add(js_object(
                    &format!(
                        r#"{{"seq": 1, "mutation": {{"seq": 1, "change": {{"type": "submit_response", "response": {EARLIER_RESPONSE}}}}}}}"#
                    ),
                    &[],
                ))
                .primitive()
                .expect("start the add")
                .await
                .expect("add the outbox entry");
            transaction
                .object_store("forums")
                .expect("forums")
                .put(as_earlier_versions_wrote(&held))
                .primitive()
                .expect("start the put")
                .await
                .expect("put the forum");
        }
        transaction.commit().await.expect("commit");
        database.close();
    }

    let store = Store::open(&name).await.expect("open");
    assert_eq!(
        store.sync_meta().await.expect("meta"),
        SyncMeta {
            client_id,
            next_seq: 2,
            cursor: 17,
            cursor_token: None,
            last_success_ms: None,
        }
    );
    assert_eq!(
        store.response(response.id).await.expect("read"),
        Some(StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Waiting { seq: 1 },
        })
    );
    assert_eq!(
        store.response(unfinished.id).await.expect("read"),
        Some(StoredResponse {
            response: unfinished.clone(),
            sync: LocalSyncState::Draft,
        })
    );
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (vec![submit(1, &response)], 1)
    );
    assert_eq!(stored_forum(&store, held.forum.id).await, held);
    assert_eq!(store.load_session().await.expect("session"), Some(session));
    assert_eq!(
        store.load_catalogue().await.expect("catalogue"),
        Some(catalogue)
    );
    // The indexes read the plain objects: the newest first, the drafts, the
    // counts.
    let (newest, more) = store.newest_responses(10).await.expect("newest");
    assert_eq!(
        newest
            .iter()
            .map(|record| record.response.id)
            .collect::<Vec<_>>(),
        vec![unfinished.id, response.id]
    );
    assert!(!more);
    assert_eq!(
        store
            .drafts()
            .await
            .expect("drafts")
            .into_iter()
            .map(|record| record.response.id)
            .collect::<Vec<_>>(),
        vec![unfinished.id]
    );
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            drafts: 1,
            waiting: 1,
            ..Counts::default()
        }
    );

    // The app goes on from them: the clock after its last reading, the next
    // seq under the same client id.
    let edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            String::new(),
            NOW_MS,
        )
        .await
        .expect("edit a report");
    assert_eq!(
        edit.stamp,
        Stamp {
            hlc: Hlc::new(NOW_MS, 3),
            client_id
        }
    );
    let mut finished = unfinished.clone();
    finished.status = ResponseStatus::Completed;
    assert_eq!(
        store.complete_response(&finished).await.expect("complete"),
        3
    );
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            waiting: 2,
            ..Counts::default()
        }
    );
}

// ---------- The counts home shows ----------

/// Opens a second connection to the database `name`, as another tab would.
async fn beside_the_store(name: &str) -> Database {
    Database::open(name)
        .await
        .expect("open the database beside the store")
}

/// The record of the counts the store keeps, if it keeps one.
async fn kept_counts_record(name: &str) -> Option<JsValue> {
    let database = beside_the_store(name).await;
    let record = {
        let transaction = database
            .transaction(["meta"])
            .with_mode(TransactionMode::Readonly)
            .build()
            .expect("start a transaction");
        let meta = transaction.object_store("meta").expect("meta");
        meta.get::<JsValue, _, _>("counts")
            .primitive()
            .expect("start the read")
            .await
            .expect("read the counts")
    };
    database.close();
    record
}

/// Replaces the kept counts with `json`, or deletes them (`None`): what a
/// database made by an earlier version holds (none), or a bug left.
async fn set_kept_counts(name: &str, json: Option<&str>) {
    let database = beside_the_store(name).await;
    {
        let transaction = database
            .transaction(["meta"])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .expect("start a transaction");
        {
            let meta = transaction.object_store("meta").expect("meta");
            match json {
                Some(json) => meta
                    .put(js_object(json, &[]))
                    .with_key("counts")
                    .without_key_type()
                    .primitive()
                    .expect("start the put")
                    .await
                    .expect("put the counts"),
                None => meta
                    .delete("counts")
                    .primitive()
                    .expect("start the delete")
                    .await
                    .expect("delete the counts"),
            }
        }
        transaction.commit().await.expect("commit");
    }
    database.close();
}

/// The counts the store keeps, checked against a count through the index:
/// the kept record is deleted and the store counts again.
async fn kept_counts(store: &Store, name: &str) -> Counts {
    assert!(
        kept_counts_record(name).await.is_some(),
        "the counts are kept"
    );
    let kept = store.counts().await.expect("read the kept counts");
    set_kept_counts(name, None).await;
    let counted = store.counts().await.expect("count again");
    assert_eq!(kept, counted, "the kept counts are the counted ones");
    kept
}

#[wasm_bindgen_test]
async fn the_counts_follow_drafts_completions_withdrawals_acknowledgements_and_pulls() {
    let name = unique_database_name("counts-kept");
    let store = Store::open(&name).await.expect("open");
    // An empty database: counted (nothing), and kept from then on.
    assert_eq!(store.counts().await.expect("count"), Counts::default());
    assert!(kept_counts_record(&name).await.is_some());

    // Drafts: a new one counts, saving it again does not.
    store.save_draft(&draft(1, 0)).await.expect("save");
    store.save_draft(&draft(1, 0)).await.expect("save again");
    store.save_draft(&draft(2, 1)).await.expect("save");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            drafts: 2,
            ..Counts::default()
        }
    );

    // Completing: the draft becomes waiting; a double tap changes nothing.
    for (number, minute) in [(1, 2), (3, 3), (4, 4), (5, 5)] {
        store
            .complete_response(&completed(number, minute))
            .await
            .expect("complete");
    }
    store
        .complete_response(&completed(1, 2))
        .await
        .expect("complete again");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            drafts: 1,
            waiting: 4,
            ..Counts::default()
        }
    );

    // A discarded draft and a withdrawn draft leave nothing behind.
    store
        .discard_draft(Uuid::from_u128(2))
        .await
        .expect("discard");
    store.save_draft(&draft(6, 6)).await.expect("save");
    store
        .withdraw_response(Uuid::from_u128(6), at_minute(7))
        .await
        .expect("withdraw a draft");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            waiting: 4,
            ..Counts::default()
        }
    );

    // Acknowledged by push results: synced, refused, in conflict, withdrawn.
    store
        .apply_push_results(
            4,
            &[
                result(1, MutationOutcome::Applied),
                result(
                    2,
                    MutationOutcome::Rejected {
                        code: thamgia_core::RefusalCode::InvalidAnswers,
                        message: Localized::new("Thiếu sự đồng ý", "Consent missing"),
                    },
                ),
                result(
                    3,
                    MutationOutcome::Conflict {
                        message: Localized::new("Trùng mã phiếu", "Same id, other content"),
                    },
                ),
                result(4, MutationOutcome::Withdrawn),
            ],
        )
        .await
        .expect("acknowledged");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            synced: 1,
            problems: 2,
            withdrawn: 1,
            ..Counts::default()
        }
    );

    // Withdrawing a synced response: its withdrawal waits, then is confirmed.
    assert_eq!(
        store
            .withdraw_response(Uuid::from_u128(1), at_minute(8))
            .await
            .expect("withdraw"),
        5
    );
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            waiting: 1,
            problems: 2,
            withdrawn: 1,
            ..Counts::default()
        }
    );
    store
        .apply_push_results(5, &[result(5, MutationOutcome::Withdrawn)])
        .await
        .expect("acknowledged");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            problems: 2,
            withdrawn: 2,
            ..Counts::default()
        }
    );

    // A pull withdraws a synced response (twice in one page) and the one in
    // conflict; one it names was never here.
    store
        .complete_response(&completed(7, 9))
        .await
        .expect("complete");
    store
        .apply_push_results(6, &[result(6, MutationOutcome::Applied)])
        .await
        .expect("acknowledged");
    let withdrawn = |seq: u64, number: u128| Change {
        seq,
        entity: ChangeEntity::ResponseWithdrawn {
            response_id: Uuid::from_u128(number),
        },
    };
    store
        .apply_pull(
            &[
                withdrawn(20, 7),
                withdrawn(21, 7),
                withdrawn(22, 4),
                withdrawn(23, 99),
            ],
            23,
        )
        .await
        .expect("pulled");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            problems: 1,
            withdrawn: 4,
            ..Counts::default()
        }
    );

    // A correction is a new draft; the bench's filling adds waiting ones.
    store
        .start_correction(Uuid::from_u128(3), Uuid::from_u128(20), at_minute(30))
        .await
        .expect("start a correction");
    store
        .fill_waiting_for_bench(&[completed(30, 40), completed(31, 41)])
        .await
        .expect("fill");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            drafts: 1,
            waiting: 2,
            problems: 1,
            withdrawn: 4,
            ..Counts::default()
        }
    );

    // A renumbering queues again what the town hall had acknowledged, and
    // writes the counts of what it read.
    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");
    let renumbered = kept_counts(&store, &name).await;
    let total = |counts: Counts| {
        counts.drafts + counts.waiting + counts.synced + counts.problems + counts.withdrawn
    };
    assert_eq!(total(renumbered), 8, "{renumbered:?}");
    assert_eq!(renumbered.drafts, 1);
}

#[wasm_bindgen_test]
async fn counts_missing_from_a_database_are_counted_once_then_kept() {
    let name = unique_database_name("counts-missing");
    let store = Store::open(&name).await.expect("open");
    store.save_draft(&draft(1, 0)).await.expect("save");
    store
        .complete_response(&completed(2, 1))
        .await
        .expect("complete");
    store
        .complete_response(&completed(3, 2))
        .await
        .expect("complete");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("acknowledged");
    // Nothing counted them yet, as on a database an earlier version made:
    // the writes keep no counts they did not find.
    assert_eq!(kept_counts_record(&name).await, None);

    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            drafts: 1,
            waiting: 1,
            synced: 1,
            ..Counts::default()
        }
    );
    assert!(
        kept_counts_record(&name).await.is_some(),
        "counted once, then kept"
    );
    store
        .complete_response(&completed(1, 3))
        .await
        .expect("complete the draft");
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            waiting: 2,
            synced: 1,
            ..Counts::default()
        }
    );

    // Deleted again: a write leaves them missing, the next read counts again.
    set_kept_counts(&name, None).await;
    store.save_draft(&draft(4, 4)).await.expect("save");
    assert_eq!(kept_counts_record(&name).await, None);
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            drafts: 1,
            waiting: 2,
            synced: 1,
            ..Counts::default()
        }
    );
    assert!(kept_counts_record(&name).await.is_some());
}

#[wasm_bindgen_test]
async fn counts_of_another_version_or_shown_wrong_are_counted_again() {
    let name = unique_database_name("counts-wrong");
    let store = Store::open(&name).await.expect("open");
    store
        .complete_response(&completed(1, 0))
        .await
        .expect("complete");
    store
        .complete_response(&completed(2, 1))
        .await
        .expect("complete");
    let waiting_two = Counts {
        waiting: 2,
        ..Counts::default()
    };
    assert_eq!(store.counts().await.expect("count"), waiting_two);

    // Counts kept by another version of how they are kept are not trusted.
    set_kept_counts(&name, Some(r#"{"version": 0, "draft": 7}"#)).await;
    assert_eq!(store.counts().await.expect("count"), waiting_two);
    // Nor a record that is not counts at all.
    set_kept_counts(&name, Some(r#"{"drafts": "many"}"#)).await;
    assert_eq!(store.counts().await.expect("count"), waiting_two);

    // Counts a bug left wrong (no response waiting): the acknowledgement
    // cannot move one out of "waiting", so the counts are dropped, and
    // counted again on the next read.
    set_kept_counts(
        &name,
        Some(r#"{"version": 1, "draft": 0, "waiting": 0, "synced": 0, "rejected": 0, "conflict": 0, "withdrawn": 0}"#),
    )
    .await;
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("acknowledged");
    assert_eq!(
        store.counts().await.expect("count"),
        Counts {
            waiting: 1,
            synced: 1,
            ..Counts::default()
        }
    );
    assert_eq!(
        kept_counts(&store, &name).await,
        Counts {
            waiting: 1,
            synced: 1,
            ..Counts::default()
        }
    );
}

#[wasm_bindgen_test]
async fn counts_put_off_by_a_writer_that_could_not_keep_them_are_put_right_by_the_recount() {
    let name = unique_database_name("counts-recount");
    let store = Store::open(&name).await.expect("open");
    for n in 0..3_i64 {
        store
            .complete_response(&completed(n as u128 + 1, n))
            .await
            .expect("complete");
    }
    let waiting_three = Counts {
        waiting: 3,
        ..Counts::default()
    };
    assert_eq!(store.counts().await.expect("count"), waiting_three);
    assert!(
        !store.recount().await.expect("recount"),
        "nothing to put right"
    );

    // A tab of an earlier version wrote a response without keeping the
    // counts: they are trusted (their version is current) but off by one.
    set_kept_counts(
        &name,
        Some(r#"{"version": 1, "draft": 0, "waiting": 2, "synced": 0, "rejected": 0, "conflict": 0, "withdrawn": 0}"#),
    )
    .await;
    assert_eq!(store.counts().await.expect("count").waiting, 2);
    assert!(store.recount().await.expect("recount"), "put right");
    assert_eq!(store.counts().await.expect("count"), waiting_three);
    assert_eq!(kept_counts(&store, &name).await, waiting_three);
}

/// Puts `records` into the `responses` store as plain objects, the shape
/// version 4 of the app wrote (`JSON.parse` of each record's JSON).
async fn put_plain_responses(name: &str, records: &[StoredResponse]) {
    let database = beside_the_store(name).await;
    {
        let transaction = database
            .transaction(["responses"])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .expect("start a transaction");
        {
            let responses = transaction.object_store("responses").expect("responses");
            for record in records {
                let json = serde_json::to_string(record).expect("JSON");
                responses
                    .put(js_object(&json, &[]))
                    .primitive()
                    .expect("start the put")
                    .await
                    .expect("put a plain record");
            }
        }
        transaction.commit().await.expect("commit");
    }
    database.close();
}

#[wasm_bindgen_test]
async fn records_of_both_shapes_and_more_than_one_chunk_read_back_each_once_in_order() {
    let name = unique_database_name("many-records");
    let store = Store::open(&name).await.expect("open");
    // 1,203 written by the app as JSON bytes, and between them in key order
    // 1,203 plain objects as version 4 wrote them: two whole chunks of 500
    // plain ones and part of a third, interleaved with the others.
    let written: Vec<Response> = (0..1_203_u32)
        .map(|n| completed(u128::from(2 * n + 1), i64::from(n)))
        .collect();
    let plain: Vec<StoredResponse> = (0..1_203_u32)
        .map(|n| StoredResponse {
            response: completed(u128::from(2 * n + 2), i64::from(n)),
            sync: LocalSyncState::Synced { at_ms: NOW_MS },
        })
        .collect();
    store
        .fill_waiting_for_bench(&written)
        .await
        .expect("stored");
    put_plain_responses(&name, &plain).await;
    // The store lists them newest first; each must be there once.
    let held = store.responses().await.expect("read");
    let mut ids: Vec<u128> = held
        .iter()
        .map(|record| record.response.id.as_u128())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (1..=2_406).collect::<Vec<u128>>(),
        "each response once"
    );
    for record in &held {
        let number = record.response.id.as_u128();
        if number % 2 == 0 {
            assert_eq!(record, &plain[(number / 2 - 1) as usize], "a plain record");
        } else {
            assert_eq!(
                record.response,
                written[(number / 2) as usize],
                "a written record"
            );
        }
    }
    let (batch, total) = store.read_outbox(1_001).await.expect("outbox");
    assert_eq!(total, 1_203);
    let seqs: Vec<u64> = batch.iter().map(|mutation| mutation.seq).collect();
    assert_eq!(
        seqs,
        (1..=1_001).collect::<Vec<u64>>(),
        "the lowest seqs, in order"
    );
}

#[wasm_bindgen_test]
async fn more_json_than_one_decoding_chunk_reads_back_each_record_once_and_whole() {
    let name = unique_database_name("many-bytes");
    let store = Store::open(&name).await.expect("open");
    // Each response's JSON is about 700 bytes: 4,000 of them are more than
    // two of the megabyte chunks the records' JSON is decoded in.
    let written: Vec<Response> = (0..4_000_u32)
        .map(|n| completed(u128::from(n + 1), i64::from(n)))
        .collect();
    assert!(
        written
            .iter()
            .map(|response| serde_json::to_vec(response).expect("JSON").len())
            .sum::<usize>()
            > 2 << 20,
        "more than two chunks of JSON"
    );
    store
        .fill_waiting_for_bench(&written)
        .await
        .expect("stored");
    let mut held = store.responses().await.expect("read");
    held.sort_by_key(|record| record.response.id);
    assert_eq!(held.len(), written.len(), "each response once");
    for (record, response) in held.iter().zip(&written) {
        assert_eq!(&record.response, response, "read back whole");
    }
}

/// The raw value the store `store_name` holds under `key`.
async fn raw_record(name: &str, store_name: &str, key: JsValue) -> JsValue {
    let database = beside_the_store(name).await;
    let value = {
        let transaction = database
            .transaction([store_name])
            .with_mode(TransactionMode::Readonly)
            .build()
            .expect("start a transaction");
        let store = transaction.object_store(store_name).expect("the store");
        store
            .get::<JsValue, _, _>(key)
            .primitive()
            .expect("start the read")
            .await
            .expect("read")
            .expect("a record")
    };
    database.close();
    value
}

/// The value at `path` (dotted) in the JS object `value`.
fn at_path(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |value, name| {
        js_sys::Reflect::get(&value, &JsValue::from_str(name)).expect("a property")
    })
}

#[wasm_bindgen_test]
async fn a_record_is_stored_as_its_json_bytes_beside_the_values_its_store_reads() {
    let name = unique_database_name("stored-shape");
    let store = Store::open(&name).await.expect("open");
    // Times with and without fractions of a second: the `updated` index
    // must read the very text the record's JSON holds.
    let mut whole = completed(1, 3);
    whole.updated_at = at_minute(3);
    let mut fraction = completed(2, 4);
    fraction.updated_at = at_minute(4) + chrono::Duration::nanoseconds(120_450_000);
    let mut nanos = draft(3, 5);
    nanos.updated_at = at_minute(5) + chrono::Duration::nanoseconds(7);
    assert_eq!(store.complete_response(&whole).await.expect("complete"), 1);
    assert_eq!(
        store.complete_response(&fraction).await.expect("complete"),
        2
    );
    store.save_draft(&nanos).await.expect("save the draft");

    for (response, state) in [
        (&whole, "waiting"),
        (&fraction, "waiting"),
        (&nanos, "draft"),
    ] {
        let raw = raw_record(
            &name,
            "responses",
            JsValue::from(response.id.hyphenated().to_string()),
        )
        .await;
        let bytes = at_path(&raw, "$json")
            .dyn_into::<js_sys::Uint8Array>()
            .expect("the JSON's bytes")
            .to_vec();
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        for path in ["response.id", "response.updated_at", "sync.type"] {
            let in_json = path
                .split('.')
                .fold(&json, |value, name| &value[name])
                .as_str()
                .expect("a text")
                .to_owned();
            assert_eq!(
                at_path(&raw, path).as_string(),
                Some(in_json),
                "{path} beside the text"
            );
        }
        assert_eq!(
            at_path(&raw, "sync.type").as_string().as_deref(),
            Some(state)
        );
        // Nothing else is copied out of the text: the answers are only in it.
        assert_eq!(
            js_sys::Object::keys(&at_path(&raw, "response").into()).length(),
            2,
            "only the id and the time beside the text"
        );
    }
    let entry = raw_record(&name, "outbox", JsValue::from_f64(2.0)).await;
    assert_eq!(at_path(&entry, "seq").as_f64(), Some(2.0));
    let entry_json = at_path(&entry, "$json")
        .dyn_into::<js_sys::Uint8Array>()
        .expect("the entry's JSON bytes")
        .to_vec();
    assert!(String::from_utf8(entry_json)
        .expect("UTF-8")
        .contains(&fraction.id.hyphenated().to_string()));
    // The newest first, through the `updated` index.
    let (newest, _) = store.newest_responses(3).await.expect("newest");
    assert_eq!(
        newest
            .iter()
            .map(|record| record.response.id)
            .collect::<Vec<_>>(),
        vec![nanos.id, fraction.id, whole.id]
    );
}
