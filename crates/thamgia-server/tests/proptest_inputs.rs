//! Property-based fuzzing (proptest) of what arrives from outside: any
//! value in any field of a push, any bytes as a push, and a workbook with
//! any bytes changed get a 2xx or a clear 4xx with a bilingual body, never
//! a 500 or a panic; and the server stays healthy. Proptest shrinks a
//! failure to the smallest input that shows it.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use thamgia_core::{ApiError, Mutation, MutationChange, PushRequest, SCHEMA_VERSION};
use thamgia_server::seed;
use uuid::Uuid;

use support::{server, TestServer};

/// Any JSON value, nested a few levels, with the strings and numbers that
/// stress decoders (huge, negative, fractional, non-ASCII, empty).
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |number| number.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        Just(Value::String("Phường Ba Đình ".repeat(2_000))),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Every JSON pointer into `value`, the root included.
fn pointers(value: &Value, at: String, into: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{index}"), into);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                pointers(item, format!("{at}/{key}"), into);
            }
        }
        _ => {}
    }
    into.push(at);
}

fn valid_push() -> Value {
    let survey = seed::demo_survey().expect("demo survey");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .expect("valid time");
    let request = PushRequest {
        client_id: Uuid::from_u128(0xF022),
        schema_version: SCHEMA_VERSION,
        mutations: (1..=2)
            .map(|seq| Mutation {
                seq,
                change: MutationChange::SubmitResponse {
                    response: seed::sample_response(
                        &survey,
                        Uuid::from_u128(u128::from(seq)),
                        seq as usize,
                        now,
                    ),
                },
            })
            .collect(),
    };
    serde_json::to_value(&request).expect("serialises")
}

async fn post(server: &TestServer, path: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    server.call(request).await
}

/// A 2xx, or a 4xx whose body says what is wrong in both languages (the
/// import's 422 has its own shape, with the problems).
fn clear_answer(status: StatusCode, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        status.is_success() || status.is_client_error(),
        "{status}: {}",
        String::from_utf8_lossy(body)
    );
    if status.is_client_error() && status != StatusCode::UNPROCESSABLE_ENTITY {
        let error: ApiError = serde_json::from_slice(body)
            .map_err(|error| TestCaseError::fail(format!("{status}: not an ApiError: {error}")))?;
        prop_assert!(!error.message.vi.is_empty() && !error.message.en.is_empty());
    }
    Ok(())
}

/// A runner with a fixed seed: the same cases every run, so a run that
/// happens to draw no valid push (every outcome a 4xx) cannot make the
/// test fail one time in many.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    )
}

#[test]
fn any_value_in_any_field_of_a_push_gets_a_clear_answer() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(server());
    let valid = valid_push();
    let mut paths = Vec::new();
    pointers(&valid, String::new(), &mut paths);
    assert!(
        paths.len() > 50,
        "the push has many fields: {}",
        paths.len()
    );
    let strategy = (0..paths.len(), any_json());
    let outcomes = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
    runner(400)
        .run(&strategy, |(index, replacement)| {
            let mut body = valid.clone();
            let path = &paths[index];
            match body.pointer_mut(path) {
                Some(slot) => *slot = replacement,
                None => body = replacement,
            }
            let bytes = serde_json::to_vec(&body).expect("serialises");
            let (status, answer) = runtime.block_on(post(&server, "/api/v1/sync/push", bytes));
            *outcomes.borrow_mut().entry(status.as_u16()).or_default() += 1;
            clear_answer(status, &answer)
        })
        .expect("every push answered clearly");
    // The values reached the push logic (accepted, or refused per record
    // with a 200) as well as the decoder (400).
    let outcomes = outcomes.into_inner();
    assert!(outcomes.get(&200).copied().unwrap_or(0) > 0, "{outcomes:?}");
    assert!(outcomes.get(&400).copied().unwrap_or(0) > 0, "{outcomes:?}");
    let (status, _): (_, Value) = runtime.block_on(server.get("/api/v1/health"));
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn any_bytes_as_a_push_or_a_workbook_get_a_clear_answer() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(server());
    let strategy = (any::<bool>(), prop::collection::vec(any::<u8>(), 0..4_096));
    runner(300)
        .run(&strategy, |(as_workbook, bytes)| {
            let path = if as_workbook {
                "/api/v1/surveys/import"
            } else {
                "/api/v1/sync/push"
            };
            let (status, answer) = runtime.block_on(post(&server, path, bytes));
            clear_answer(status, &answer)
        })
        .expect("every body answered clearly");
}

#[test]
fn a_workbook_with_any_bytes_changed_gets_a_clear_answer() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(server());
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/xlsform/school-safety.xlsx"
    ))
    .expect("fixture");
    let length = fixture.len();
    let strategy = prop::collection::vec((0..length, any::<u8>()), 1..12);
    let outcomes = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
    runner(300)
        .run(&strategy, |edits| {
            let mut body = fixture.clone();
            for (at, byte) in edits {
                body[at] = byte;
            }
            let (status, answer) = runtime.block_on(post(&server, "/api/v1/surveys/import", body));
            *outcomes.borrow_mut().entry(status.as_u16()).or_default() += 1;
            clear_answer(status, &answer)
        })
        .expect("every workbook answered clearly");
    // Some changed workbooks still read (a changed byte in a label): the
    // changes reached the importer, not only the zip reader.
    let outcomes = outcomes.into_inner();
    assert!(outcomes.get(&201).copied().unwrap_or(0) > 0, "{outcomes:?}");
    assert!(outcomes.get(&422).copied().unwrap_or(0) > 0, "{outcomes:?}");
    let (status, _): (_, Value) = runtime.block_on(server.get("/api/v1/health"));
    assert_eq!(status, StatusCode::OK);
}
