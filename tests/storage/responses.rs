//! Completing responses, drafts, the lists, the store reopened, push results
//! and renumbering.

use thamgia::storage::{Counts, LocalSyncState, Refusal, StorageError, Store, StoredResponse};
use thamgia_core::protocol::{Change, ChangeEntity};
use thamgia_core::{
    AnswerValue, Localized, MutationOutcome, MutationResult, Response, ResponseStatus,
};
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

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
pub(crate) async fn assert_tally_true(store: &Store, expected: Counts) {
    assert_eq!(store.counts().await.expect("count"), expected);
    assert!(
        !store.recount().await.expect("recount"),
        "the kept tally disagreed with the records"
    );
}

/// A push carries no more bytes than the server takes: three responses
/// of 3 MiB each are read two, then one, at a time, whatever the batch
/// size asked.
#[wasm_bindgen_test]
async fn the_outbox_is_read_in_batches_the_server_takes_whatever_their_count() {
    let store = Store::open(&unique_database_name("bytes"))
        .await
        .expect("open");
    let mut long = Vec::new();
    for number in 1..=3 {
        let mut response = completed(number, number as i64);
        response.set_answer(
            "ghi-chu",
            Some(AnswerValue::Text("a".repeat(3 * 1024 * 1024))),
            at_minute(number as i64),
        );
        store.complete_response(&response).await.expect("complete");
        long.push(response);
    }
    let (mutations, total) = store.read_outbox(500).await.expect("read the outbox");
    assert_eq!(total, 3);
    assert_eq!(mutations, vec![submit(1, &long[0]), submit(2, &long[1])]);
    // A first entry over the bytes still goes, alone.
    let mut huge = completed(4, 4);
    huge.set_answer(
        "ghi-chu",
        Some(AnswerValue::Text("b".repeat(9 * 1024 * 1024))),
        at_minute(4),
    );
    let other = Store::open(&unique_database_name("bytes-huge"))
        .await
        .expect("open");
    other.complete_response(&huge).await.expect("complete");
    other
        .complete_response(&completed(5, 5))
        .await
        .expect("complete");
    let (mutations, total) = other.read_outbox(500).await.expect("read the outbox");
    assert_eq!(total, 2);
    assert_eq!(mutations, vec![submit(1, &huge)]);
}

/// Saves `draft` in `tab`, then completes it there as `completed`; gives
/// its seq.
async fn save_then_complete(tab: &Store, draft: &Response, completed: &Response) -> u64 {
    tab.save_draft(draft).await.expect("save the draft");
    tab.complete_response(completed).await.expect("complete")
}

#[wasm_bindgen_test]
async fn completions_written_from_what_a_tab_expects_stay_right_when_another_tab_wrote_between() {
    // Two tabs of the app on one database: each store expects what its own
    // last write left, and the other's writes make that wrong.
    let name = unique_database_name("expected");
    let tab = Store::open(&name).await.expect("open");
    let other = Store::open(&name).await.expect("open");

    // The first completion reads first; drafts saved here are then
    // completed without reading.
    let first = completed(1, 0);
    assert_eq!(tab.complete_response(&first).await.expect("complete"), 1);
    let second = completed(2, 1);
    assert_eq!(save_then_complete(&tab, &draft(2, 1), &second).await, 2);
    let third = completed(3, 2);
    assert_eq!(save_then_complete(&tab, &draft(3, 2), &third).await, 3);
    assert_eq!(
        tab.completions_as_expected_for_tests(),
        2,
        "the second and third completions were written as expected"
    );
    // The tally and the changes written beside it add up to the records.
    assert_tally_true(
        &tab,
        Counts {
            waiting: 3,
            ..Counts::default()
        },
    )
    .await;

    // The other tab takes a seq: this tab's next completion, expecting seq
    // 4, finds it taken, writes nothing that way, and reads first.
    let fourth = completed(4, 3);
    assert_eq!(other.complete_response(&fourth).await.expect("complete"), 4);
    other
        .save_draft(&draft(5, 4))
        .await
        .expect("save the draft");
    let sixth = completed(6, 5);
    assert_eq!(save_then_complete(&tab, &draft(6, 5), &sixth).await, 5);
    assert_eq!(
        tab.completions_as_expected_for_tests(),
        2,
        "the sixth read first"
    );
    // And once more from this tab, expected again.
    let seventh = completed(7, 6);
    assert_eq!(save_then_complete(&tab, &draft(7, 6), &seventh).await, 6);
    assert_eq!(tab.completions_as_expected_for_tests(), 3);
    // The other tab's expectation is behind: its draft is completed after
    // the seqs this tab took.
    let fifth = completed(5, 4);
    assert_eq!(other.complete_response(&fifth).await.expect("complete"), 7);
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
            submit(5, &sixth),
            submit(6, &seventh),
            submit(7, &fifth),
        ]
    );
    assert_eq!(tab.sync_meta().await.expect("meta").next_seq, 8);
    assert_eq!(other.sync_meta().await.expect("meta").next_seq, 8);
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
    assert_eq!(tab.complete_response(&seventh).await.expect("again"), 6);
    let eighth = draft(8, 7);
    assert_eq!(
        save_then_complete(&tab, &draft(9, 7), &completed(9, 7)).await,
        8
    );
    tab.save_draft(&eighth).await.expect("save the draft");
    let theirs = completed(8, 7);
    assert_eq!(other.complete_response(&theirs).await.expect("complete"), 9);
    assert!(matches!(
        tab.complete_response(&completed(8, 8)).await,
        Err(StorageError::Refused(Refusal::NotADraft))
    ));
    let (mutations, total) = tab.read_outbox(100).await.expect("read the outbox");
    assert_eq!(total, 9);
    assert_eq!(mutations.last(), Some(&submit(9, &theirs)));
    assert_tally_true(
        &tab,
        Counts {
            waiting: 9,
            ..Counts::default()
        },
    )
    .await;

    // A draft discarded by the other tab after this one saved it, no seq
    // taken: completed here without reading, it would be counted as a
    // draft moved; the marker the discarding left fails it, and read
    // first, it is a new response, counted so.
    let expected_before = tab.completions_as_expected_for_tests();
    assert_eq!(
        save_then_complete(&tab, &draft(10, 9), &completed(10, 9)).await,
        10
    );
    let eleventh = draft(11, 10);
    tab.save_draft(&eleventh).await.expect("save the draft");
    other.discard_draft(eleventh.id).await.expect("discard");
    assert_eq!(
        tab.complete_response(&completed(11, 10))
            .await
            .expect("complete"),
        11
    );
    assert_eq!(
        tab.completions_as_expected_for_tests(),
        expected_before,
        "the tenth read first (the refusal left this tab expecting nothing), \
         and the eleventh, expected but discarded meanwhile, too"
    );
    assert_tally_true(
        &tab,
        Counts {
            waiting: 11,
            ..Counts::default()
        },
    )
    .await;
}

/// A seq another tab took and the town hall already acknowledged is gone
/// from the outbox, but not from the markers of seqs taken: a tab that
/// still expects that seq reads first instead of queueing a second
/// mutation under it.
#[wasm_bindgen_test]
async fn a_completion_expected_before_another_tab_s_seq_was_sent_reads_first() {
    let name = unique_database_name("expected-sent");
    let tab = Store::open(&name).await.expect("open");
    let other = Store::open(&name).await.expect("open");
    assert_eq!(
        tab.complete_response(&completed(1, 0))
            .await
            .expect("complete"),
        1
    );
    let theirs = completed(2, 1);
    assert_eq!(other.complete_response(&theirs).await.expect("complete"), 2);
    other
        .apply_push_results(
            2,
            &[
                MutationResult {
                    seq: 1,
                    outcome: MutationOutcome::Applied,
                },
                MutationResult {
                    seq: 2,
                    outcome: MutationOutcome::Applied,
                },
            ],
        )
        .await
        .expect("apply");
    assert_eq!(
        other.read_outbox(10).await.expect("outbox").1,
        0,
        "both sent"
    );

    let ours = completed(3, 2);
    assert_eq!(save_then_complete(&tab, &draft(3, 2), &ours).await, 3);
    assert_eq!(tab.completions_as_expected_for_tests(), 0, "it read first");
    let (mutations, _) = tab.read_outbox(10).await.expect("outbox");
    assert_eq!(mutations, vec![submit(3, &ours)]);
    assert_tally_true(
        &tab,
        Counts {
            waiting: 1,
            synced: 2,
            ..Counts::default()
        },
    )
    .await;
}

/// A renumbering in another tab (a new client id, the seqs from 1 again)
/// leaves the marker of the old numbering's next seq: a tab expecting
/// that seq reads first, and numbers after the renumbered entries.
#[wasm_bindgen_test]
async fn a_completion_expected_before_another_tab_renumbered_reads_first() {
    let name = unique_database_name("expected-renumbered");
    let tab = Store::open(&name).await.expect("open");
    let other = Store::open(&name).await.expect("open");
    let first = completed(1, 0);
    assert_eq!(tab.complete_response(&first).await.expect("complete"), 1);
    let second = completed(2, 1);
    assert_eq!(save_then_complete(&tab, &draft(2, 1), &second).await, 2);
    assert_eq!(tab.completions_as_expected_for_tests(), 1);
    let old_client = tab.sync_meta().await.expect("meta").client_id;

    // The town hall forgot this tablet: the other tab numbers its two
    // waiting responses again, 1 and 2, under a new client id.
    let new_client = Uuid::from_u128(0xC1E27);
    other.renumber_outbox(new_client).await.expect("renumbered");

    let third = completed(3, 2);
    assert_eq!(save_then_complete(&tab, &draft(3, 2), &third).await, 3);
    assert_eq!(
        tab.completions_as_expected_for_tests(),
        1,
        "the third read first"
    );
    let meta = tab.sync_meta().await.expect("meta");
    assert_eq!((meta.client_id, meta.next_seq), (new_client, 4));
    assert_ne!(old_client, new_client);
    let (mutations, total) = tab.read_outbox(100).await.expect("read the outbox");
    assert_eq!(total, 3);
    assert_eq!(
        mutations
            .iter()
            .map(|mutation| mutation.seq)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    // Written as expected again from there.
    let fourth = completed(4, 3);
    assert_eq!(save_then_complete(&tab, &draft(4, 3), &fourth).await, 4);
    assert_eq!(tab.completions_as_expected_for_tests(), 2);
    assert_tally_true(
        &tab,
        Counts {
            waiting: 4,
            ..Counts::default()
        },
    )
    .await;
}

/// A tab whose connection was closed (the database may have been deleted
/// and made again meanwhile) does not complete from what it expected of
/// the connection before.
#[wasm_bindgen_test]
async fn a_completion_after_the_connection_was_lost_reads_first() {
    let store = Store::open(&unique_database_name("expected-reopened"))
        .await
        .expect("open");
    assert_eq!(
        store
            .complete_response(&completed(1, 0))
            .await
            .expect("complete"),
        1
    );
    store
        .save_draft(&draft(2, 1))
        .await
        .expect("save the draft");
    store.lose_connection_for_tests();
    assert_eq!(
        store
            .complete_response(&completed(2, 1))
            .await
            .expect("complete"),
        2
    );
    assert_eq!(store.completions_as_expected_for_tests(), 0);
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
