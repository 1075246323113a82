//! Browser tests of the IndexedDB layer, on the real IndexedDB of a headless
//! browser. Each test opens its own database, so they never see each other's data.

use std::cell::Cell;

use chrono::{DateTime, Utc};
use thamgia::storage::{Counts, LocalSyncState, StorageError, Store, StoredResponse};
use thamgia_core::protocol::{Change, ChangeEntity, Mutation, MutationChange};
use thamgia_core::{
    AnswerValue, Localized, MutationOutcome, MutationResult, Response, ResponseStatus,
    SurveyDefinition,
};
use uuid::Uuid;
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

/// The draft `number`, completed with a second answer.
fn completed(number: u128, minute: i64) -> Response {
    let mut response = draft(number, minute);
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
        questions: Vec::new(),
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
        Err(StorageError::NotCompleted)
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 2);
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

    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (vec![submit(1, &responses[1]), submit(2, &responses[2])], 2)
    );
    assert_eq!(
        sync_of(&store, &responses[1]).await,
        LocalSyncState::Waiting { seq: 1 }
    );
    assert_eq!(
        sync_of(&store, &responses[2]).await,
        LocalSyncState::Waiting { seq: 2 }
    );
    assert!(matches!(
        sync_of(&store, &responses[0]).await,
        LocalSyncState::Synced { .. }
    ));
    let meta = store.sync_meta().await.expect("meta");
    assert_eq!(meta.client_id, new_client_id);
    assert_eq!(meta.next_seq, 3);

    // The next completed response continues the new numbering.
    let fourth = completed(4, 4);
    assert_eq!(store.complete_response(&fourth).await.expect("complete"), 3);
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
        Err(StorageError::NotADraft)
    ));
    assert!(matches!(
        store.discard_draft(response.id).await,
        Err(StorageError::NotADraft)
    ));
    // ...and so is completing different content under the same id.
    let mut changed = finished.clone();
    changed.set_answer("vui-ve", Some(AnswerValue::Smiley(5)), at_minute(2));
    assert!(matches!(
        store.complete_response(&changed).await,
        Err(StorageError::NotADraft)
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
fn every_error_tells_the_user_what_to_do_in_both_languages() {
    for error in [
        StorageError::QuotaExceeded,
        StorageError::Closed,
        StorageError::NotADraft,
        StorageError::NotCompleted,
        StorageError::Unavailable("blocked".to_owned()),
        StorageError::Other("DataError".to_owned()),
    ] {
        let message = error.message();
        assert!(
            !message.vi.is_empty() && !message.en.is_empty(),
            "{error:?}"
        );
        assert_ne!(message.vi, message.en, "{error:?}");
    }
}
