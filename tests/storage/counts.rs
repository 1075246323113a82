//! The counts home shows: kept move by move, counted again when missing or
//! wrong.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use thamgia::storage::{Counts, Store};
use thamgia_core::protocol::{Change, ChangeEntity};
use thamgia_core::{Localized, MutationOutcome};
use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::earlier_records::*;
use crate::support::*;

/// Opens a second connection to the database `name`, as another tab would.
pub(crate) async fn beside_the_store(name: &str) -> Database {
    Database::open(name)
        .await
        .expect("open the database beside the store")
}

/// The record of the counts the store keeps, if it keeps one.
pub(crate) async fn kept_counts_record(name: &str) -> Option<JsValue> {
    meta_record(name, "counts").await
}

/// The record under `key` in the `meta` store of the database `name`, read
/// beside the store.
async fn meta_record(name: &str, key: &str) -> Option<JsValue> {
    let database = beside_the_store(name).await;
    let record = {
        let transaction = database
            .transaction(["meta"])
            .with_mode(TransactionMode::Readonly)
            .build()
            .expect("start a transaction");
        let meta = transaction.object_store("meta").expect("meta");
        meta.get::<JsValue, _, _>(key)
            .primitive()
            .expect("start the read")
            .await
            .expect("read the record")
    };
    database.close();
    record
}

/// Replaces the kept counts with `json`, or deletes them (`None`): what a
/// database made by an earlier version holds (none), or a bug left.
pub(crate) async fn set_kept_counts(name: &str, json: Option<&str>) {
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
pub(crate) async fn kept_counts(store: &Store, name: &str) -> Counts {
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

/// What the kept counts count through (`meta/"counts_through"`): the
/// next seq of the seqs whose markers are folded in.
async fn counted_through(name: &str) -> u64 {
    let record = meta_record(name, "counts_through")
        .await
        .expect("what the counts count is kept");
    let bytes = js_sys::Reflect::get(&record, &JsValue::from_str("$json")).expect("its JSON");
    let json: serde_json::Value =
        serde_json::from_slice(&js_sys::Uint8Array::new(&bytes).to_vec()).expect("JSON");
    json["next_seq"].as_u64().expect("a seq")
}

/// Seqs taken without moving the counts (report edits) leave their
/// markers past what the kept counts count; the counts read them, and
/// once they are many, write the counts again with them folded in, so the
/// next read reads few.
#[wasm_bindgen_test]
async fn markers_of_seqs_past_the_counts_are_folded_in_once_many() {
    let name = unique_database_name("counts-folded");
    let store = Store::open(&name).await.expect("open");
    store
        .complete_response(&completed(1, 0))
        .await
        .expect("complete");
    assert_eq!(store.counts().await.expect("count").waiting, 1);
    assert_eq!(counted_through(&name).await, 2);
    for edit in 0..40 {
        store
            .edit_report_field(
                &crate::reports::report_id(),
                thamgia_core::report::FieldKey::value("4.1"),
                thamgia_core::report::FieldContent::Number(f64::from(edit)),
                "Chị Lan".to_owned(),
                crate::reports::NOW_MS + i64::from(edit),
            )
            .await
            .expect("edit");
    }
    // Forty markers past the counts: read, then folded in.
    assert_eq!(store.counts().await.expect("count").waiting, 1);
    assert_eq!(counted_through(&name).await, 42);
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 42);
    // The next completion reads first (this tab's expectation is behind
    // the edits), the one after is written as expected: its marker's
    // change is added to what is kept.
    for number in 2..=3 {
        store
            .save_draft(&draft(number, number as i64))
            .await
            .expect("save the draft");
        store
            .complete_response(&completed(number, number as i64))
            .await
            .expect("complete");
    }
    assert_eq!(store.completions_as_expected_for_tests(), 1);
    assert_eq!(store.counts().await.expect("count").waiting, 3);
    assert!(!store.recount().await.expect("recount"), "the counts agree");
}
