//! Bad input never becomes a 500 or a panic: mutated push bodies and
//! mutated XLSForm workbooks, generated deterministically (a seeded
//! xorshift, so a failure repeats), all get a 2xx or a clear 4xx.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use thamgia_core::{Mutation, MutationChange, PushRequest, SCHEMA_VERSION};
use thamgia_server::seed;
use uuid::Uuid;

use support::{server, TestServer};

struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

/// One random change to `bytes`: flip, delete, duplicate, truncate, or
/// splice in a token that stresses JSON decoders.
fn mutate(bytes: &mut Vec<u8>, dice: &mut Dice) {
    const TOKENS: &[&[u8]] = &[
        b"null",
        b"-1",
        b"1e999",
        b"18446744073709551616",
        b"\"\\u0000\"",
        b"[[[[[[[[[[[[[[[[",
        b"{}",
        b"\"\xe1\xba\xa1\"",
        b"true",
        b"\"seq\"",
        b"\xff\xfe",
    ];
    if bytes.is_empty() {
        bytes.push(b'{');
        return;
    }
    let at = dice.below(bytes.len());
    match dice.below(5) {
        0 => bytes[at] ^= 1 << dice.below(8),
        1 => {
            bytes.remove(at);
        }
        2 => {
            let end = (at + dice.below(64)).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            bytes.splice(at..at, copy);
        }
        3 => bytes.truncate(at),
        _ => {
            let token = TOKENS[dice.below(TOKENS.len())];
            bytes.splice(at..at, token.iter().copied());
        }
    }
}

async fn post(server: &TestServer, path: &str, body: Vec<u8>) -> StatusCode {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    server.call(request).await.0
}

/// A valid push of three completed responses of the demo survey.
fn sample_push() -> PushRequest {
    let survey = seed::demo_survey().expect("demo survey");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .expect("valid time");
    PushRequest {
        client_id: Uuid::from_u128(0xF022),
        schema_version: SCHEMA_VERSION,
        mutations: (1..=3)
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
    }
}

#[tokio::test]
async fn mutated_pushes_never_fail_the_server() {
    let server = server().await;
    let request = sample_push();
    let valid = serde_json::to_vec(&request).expect("serialises");
    let mut dice = Dice(0x5EED_1234);
    let mut accepted = 0;
    for round in 0..1_500 {
        let mut body = valid.clone();
        for _ in 0..1 + dice.below(4) {
            mutate(&mut body, &mut dice);
        }
        let status = post(&server, "/api/v1/sync/push", body).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "round {round}: a mutated push got {status}"
        );
        if status.is_success() {
            accepted += 1;
        }
    }
    // Some mutations keep the JSON valid (a flipped letter in a text answer):
    // those are applied or refused per record, never crash.
    assert!(
        accepted > 0,
        "the fuzzer reached the push logic, not only the decoder"
    );
    let (status, _): (_, serde_json::Value) = server.get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK, "the server is still healthy");
}

#[tokio::test]
async fn mutated_workbooks_never_fail_the_importer() {
    let server = server().await;
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/xlsform/school-safety.xlsx"
    ))
    .expect("fixture");
    let mut dice = Dice(0xB00C_5EED);
    for round in 0..200 {
        let mut body = fixture.clone();
        for _ in 0..1 + dice.below(3) {
            let at = dice.below(body.len());
            body[at] ^= 1 << dice.below(8);
        }
        let status = post(&server, "/api/v1/surveys/import", body).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "round {round}: a mutated workbook got {status}"
        );
    }
    let (status, _): (_, serde_json::Value) = server.get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
}

/// A push body is decoded without following where the decoder is (for
/// speed); one refused is decoded again to say where it went wrong, and a
/// body not sent as JSON is refused before it is read.
#[tokio::test]
async fn a_refused_push_says_where_its_body_went_wrong() {
    let server = server().await;
    let mut body = serde_json::to_value(sample_push()).expect("serialises");
    body["mutations"][1]["change"]["response"]["status"] = "finished".into();
    let request = Request::post("/api/v1/sync/push")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let (status, answer) = server.call(request).await;
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer.contains("mutations[1].change") && answer.contains("`finished`"),
        "the refusal names the value and where it is: {answer}"
    );

    let valid = serde_json::to_vec(&sample_push()).expect("serialises");
    let request = Request::post("/api/v1/sync/push")
        .header("content-type", "text/plain")
        .body(Body::from(valid))
        .expect("request");
    let (status, answer) = server.call(request).await;
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer.contains("Content-Type"), "{answer}");
}
