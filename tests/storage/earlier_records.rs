//! Records written by earlier encodings (serde-wasm-bindgen's objects) read
//! back.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use thamgia::storage::{Counts, LocalSyncState, Store, StoredForum, StoredResponse, SyncMeta};
use thamgia_core::account::{AccountInfo, Role, Session};
use thamgia_core::forum::{Decision, FeedbackChannel};
use thamgia_core::indicator::{Catalogue, Direction, Indicator, Target, Unit};
use thamgia_core::report::{FieldContent, FieldKey, Hlc, Stamp};
use thamgia_core::{
    AgeBand, AnswerValue, Consent, ConsentMethod, ConsentRecord, Localized, Participant, Response,
    ResponseStatus, Sex,
};
use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;
use crate::{forums::*, reports::*, upgrades::*};

/// A JS object made from `json`, with the property at each path of
/// `undefined` set to `undefined`: how serde-wasm-bindgen wrote a `None`
/// (a property that is there, holding `undefined`, which JSON cannot say).
pub(crate) fn js_object(json: &str, undefined: &[&[&str]]) -> JsValue {
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
pub(crate) const EARLIER_RESPONSE: &str = r#"{
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
pub(crate) fn earlier_response() -> Response {
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
