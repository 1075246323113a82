//! The stored shape of a record (its JSON's bytes beside the values its store
//! reads), and reading many records of both shapes.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use thamgia::storage::{LocalSyncState, Store, StoredResponse};
use thamgia_core::Response;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;
use crate::{counts::*, earlier_records::*, reports::*};

/// Puts `records` into the `responses` store as plain objects, the shape
/// version 4 of the app wrote (`JSON.parse` of each record's JSON).
pub(crate) async fn put_plain_responses(name: &str, records: &[StoredResponse]) {
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
pub(crate) async fn raw_record(name: &str, store_name: &str, key: JsValue) -> JsValue {
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
pub(crate) fn at_path(value: &JsValue, path: &str) -> JsValue {
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
