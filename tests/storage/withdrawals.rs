//! Consent withdrawn in every state a response can be in, and corrections.

use thamgia::storage::{Counts, LocalSyncState, Refusal, StorageError, Store, StoredResponse};
use thamgia_core::protocol::{Change, ChangeEntity};
use thamgia_core::{AnswerValue, MutationOutcome, Response, ResponseStatus};
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

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
