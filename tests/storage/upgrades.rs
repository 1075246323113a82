//! Databases left by versions 1 and 2 of the app, upgraded with everything
//! kept.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyPath;
use serde::Serialize;
use thamgia::storage::{Counts, LocalSyncState, Store, StoredReport, StoredResponse};
use thamgia_core::protocol::{Mutation, MutationChange};
use thamgia_core::report::{FieldContent, FieldKey, Hlc, Stamp};
use thamgia_core::{Response, SurveyDefinition};
use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;
use crate::{forums::*, reports::*};

/// `value` as the app encoded records until it encoded them as JSON:
/// through serde-wasm-bindgen with maps as plain objects (indexed_db_futures'
/// `serde` feature), so `None` is a property holding `undefined`.
pub(crate) fn as_earlier_versions_wrote<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .expect("serialise as earlier versions did")
}

/// The meta record as version 1 of the app wrote it: no clock.
#[derive(Serialize)]
pub(crate) struct MetaRecordVersion1 {
    client_id: Uuid,
    next_seq: u64,
    cursor: u64,
    last_success_ms: Option<i64>,
}

/// An outbox entry as version 1 of the app wrote it.
#[derive(Serialize)]
pub(crate) struct OutboxEntryVersion1 {
    seq: u64,
    mutation: Mutation,
}

/// Creates the database `name` as version 1 of the app did (its schema, by
/// hand) and fills it with a waiting response, its outbox entry, a survey
/// and the sync bookkeeping.
pub(crate) async fn create_version_1_database(
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

/// Creates the database `name` as version 2 of the app left it: version 1's
/// stores and data (see [`create_version_1_database`]), then the `reports`
/// store with one report.
pub(crate) async fn create_version_2_database(
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
