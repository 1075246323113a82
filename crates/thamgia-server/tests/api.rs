//! The server's API through its router (no socket) and through a real socket.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use thamgia_core::{
    AnswerValue, ApiError, ApiErrorCode, ChangeEntity, Mutation, MutationChange, MutationOutcome,
    PullRequest, PullResponse, PushRequest, PushResponse, PushStatus, Response, SurveyDefinition,
    SCHEMA_VERSION,
};
use thamgia_server::{seed, ServerConfig};
use uuid::Uuid;

mod support;

use support::{server, TestServer};

/// Pushing through the router, expecting a 200.
trait Push {
    async fn push(&self, request: &PushRequest) -> PushResponse;
}

impl Push for TestServer {
    async fn push(&self, request: &PushRequest) -> PushResponse {
        let (status, answer) = self.post("/api/v1/sync/push", request).await;
        assert_eq!(status, StatusCode::OK);
        answer
    }
}

fn survey() -> SurveyDefinition {
    seed::demo_survey().expect("demo survey parses")
}

/// A valid completed response to the demo survey.
fn completed_response(n: u128) -> Response {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
        .single()
        .expect("valid time");
    seed::sample_response(&survey(), Uuid::from_u128(n), 1, now)
}

fn push_request(client_id: Uuid, mutations: Vec<(u64, Response)>) -> PushRequest {
    PushRequest {
        client_id,
        schema_version: SCHEMA_VERSION,
        mutations: mutations
            .into_iter()
            .map(|(seq, response)| Mutation {
                seq,
                change: MutationChange::SubmitResponse { response },
            })
            .collect(),
    }
}

const TABLET: Uuid = Uuid::from_u128(0xA);

#[tokio::test]
async fn health_and_seeded_survey() {
    let server = server().await;
    let (status, health): (_, serde_json::Value) = server.get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    // Which engine, and its schema as migrated, for an operator to check.
    let backend = if std::env::var_os("THAMGIA_TEST_POSTGRES_URL").is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(health["backend"], backend);
    assert!(health["database_schema"]
        .as_i64()
        .is_some_and(|applied| applied > 0));
    assert_eq!(
        health["database_schema"],
        health["expected_database_schema"]
    );
    let (status, surveys): (_, Vec<SurveyDefinition>) = server.get("/api/v1/surveys").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(surveys.len(), 1);
    let survey = &surveys[0];
    assert!(
        survey.questions().len() >= 10,
        "a real survey of at least 10 questions"
    );
    for question in survey.questions() {
        assert!(!question.label.vi.is_empty() && !question.label.en.is_empty());
    }
    let (status, units): (_, seed::UnitList) = server.get("/api/v1/units").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(units.units.len(), 126);
    assert_eq!(
        units
            .units
            .iter()
            .filter(|unit| unit.kind == "ward")
            .count(),
        51
    );
}

#[tokio::test]
async fn the_same_push_twice_stores_one_row() {
    let server = server().await;
    let request = push_request(
        TABLET,
        vec![(1, completed_response(1)), (2, completed_response(2))],
    );
    let first = server.push(&request).await;
    assert_eq!(first.last_seq, 2);
    assert_eq!(first.status, PushStatus::Ok);
    assert!(first
        .results
        .iter()
        .all(|result| result.outcome == MutationOutcome::Applied));

    let replay = server.push(&request).await;
    assert_eq!(replay.last_seq, 2);
    assert_eq!(replay.status, PushStatus::Ok);
    // A replay gets the outcome recorded the first time.
    assert_eq!(replay.results, first.results);
    assert_eq!(server.database().response_count().await.expect("count"), 2);

    // The same response sent again by another tablet (a copied outbox) is
    // recognised, not counted twice.
    let other = push_request(Uuid::from_u128(0xB), vec![(1, completed_response(1))]);
    let answer = server.push(&other).await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::AlreadyStored);
    assert_eq!(server.database().response_count().await.expect("count"), 2);
}

#[tokio::test]
async fn the_same_id_with_other_content_is_a_conflict_and_the_original_stays() {
    let server = server().await;
    let original = completed_response(7);
    server
        .push(&push_request(TABLET, vec![(1, original.clone())]))
        .await;

    let mut altered = original.clone();
    altered.answers.insert(
        "idea_to_be_safer".to_owned(),
        AnswerValue::Text("Khác".to_owned()),
    );
    let answer = server
        .push(&push_request(
            Uuid::from_u128(0xC),
            vec![(1, altered.clone())],
        ))
        .await;
    assert!(matches!(
        answer.results[0].outcome,
        MutationOutcome::Conflict { .. }
    ));
    assert_eq!(answer.last_seq, 1, "a conflict does not block the queue");

    let stored = server
        .database()
        .response(original.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        stored.response, original,
        "the original is never overwritten"
    );
    assert_eq!(server.database().conflict_count().await.expect("count"), 1);
    assert_eq!(server.database().response_count().await.expect("count"), 1);
}

#[tokio::test]
async fn a_rejected_record_is_kept_aside_and_the_rest_proceeds() {
    let server = server().await;
    let mut no_consent = completed_response(1);
    no_consent.consent.guardian_consent = None;
    let request = push_request(TABLET, vec![(1, no_consent), (2, completed_response(2))]);
    let answer = server.push(&request).await;
    assert_eq!(answer.last_seq, 2);
    match &answer.results[0].outcome {
        MutationOutcome::Rejected { code, message } => {
            assert_eq!(*code, thamgia_core::RefusalCode::InvalidAnswers);
            assert!(message.en.contains("consent"), "{}", message.en);
            assert!(message.vi.contains("đồng ý"), "{}", message.vi);
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(answer.results[1].outcome, MutationOutcome::Applied);
    assert_eq!(server.database().response_count().await.expect("count"), 1);
    assert_eq!(server.database().rejected_count().await.expect("count"), 1);
}

#[tokio::test]
async fn a_gap_applies_nothing_after_it() {
    let server = server().await;
    server
        .push(&push_request(TABLET, vec![(1, completed_response(1))]))
        .await;
    let answer = server
        .push(&push_request(
            TABLET,
            vec![(3, completed_response(3)), (4, completed_response(4))],
        ))
        .await;
    assert_eq!(answer.status, PushStatus::Gap { expected_seq: 2 });
    assert_eq!(answer.last_seq, 1);
    assert!(answer.results.is_empty());
    assert_eq!(server.database().response_count().await.expect("count"), 1);
}

#[tokio::test]
async fn a_reused_seq_is_recognised() {
    let server = server().await;
    server
        .push(&push_request(TABLET, vec![(1, completed_response(1))]))
        .await;
    // Same client id, same seq, another record: the tablet lost its numbering.
    let answer = server
        .push(&push_request(TABLET, vec![(1, completed_response(9))]))
        .await;
    assert_eq!(answer.status, PushStatus::SeqReused { seq: 1 });
    assert_eq!(server.database().response_count().await.expect("count"), 1);
}

#[tokio::test]
async fn bad_requests_get_a_clear_4xx() {
    let server = server().await;
    let (status, body) = server.post_raw("/api/v1/sync/push", "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: ApiError = serde_json::from_slice(&body).expect("an ApiError body");
    assert_eq!(error.code, ApiErrorCode::BadRequest);
    assert!(!error.message.vi.is_empty());

    let mut old = push_request(TABLET, vec![(1, completed_response(1))]);
    old.schema_version = SCHEMA_VERSION + 1;
    let (status, error): (_, ApiError) = server.post("/api/v1/sync/push", &old).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error.code, ApiErrorCode::SchemaMismatch);

    let too_many = push_request(
        TABLET,
        (1..=501)
            .map(|n| (n, completed_response(u128::from(n))))
            .collect(),
    );
    let (status, error): (_, ApiError) = server.post("/api/v1/sync/push", &too_many).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error.code, ApiErrorCode::PayloadTooLarge);

    let huge = vec![b' '; thamgia_server::api::MAX_BODY_BYTES + 10];
    let (status, _) = server.post_raw("/api/v1/sync/push", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, error): (_, ApiError) = server.get("/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error.code, ApiErrorCode::NotFound);
    assert_eq!(server.database().response_count().await.expect("count"), 0);
}

fn pull_request(cursor: u64, limit: u32) -> PullRequest {
    PullRequest {
        client_id: TABLET,
        schema_version: SCHEMA_VERSION,
        cursor,
        limit,
        ward_code: None,
        acknowledged_seq: None,
        cursor_token: None,
        understands: Vec::new(),
    }
}

#[tokio::test]
async fn a_pull_page_ends_once_its_changes_fill_its_bytes() {
    let server = server().await;
    // The seeded survey is change 1; four more versions of 600,000 bytes
    // each: three fit a page's 2 MiB beside the seeded one, the fourth
    // starts the next page.
    let mut survey = survey();
    survey.description = thamgia_core::Localized::new("a".repeat(600_000), "");
    for version in 2..=5 {
        survey.version = version;
        server
            .database()
            .publish_survey(&survey, Utc::now())
            .await
            .expect("published");
    }
    let before = Utc::now().timestamp_millis();
    let (_, page): (_, PullResponse) = server
        .post("/api/v1/sync/pull", &pull_request(0, 500))
        .await;
    let after = Utc::now().timestamp_millis();
    assert_eq!(page.changes.len(), 4);
    assert!(page.has_more);
    // Each page carries the server's clock, read while it answered: the
    // tablet compares its own with it.
    let server_ms = page.server_time_ms.expect("the server's time");
    assert!(
        (before..=after).contains(&server_ms),
        "{before} ≤ {server_ms} ≤ {after}"
    );
    let (_, page): (_, PullResponse) = server
        .post("/api/v1/sync/pull", &pull_request(page.next_cursor, 500))
        .await;
    assert_eq!(page.changes.len(), 1);
    assert!(!page.has_more);
    assert_eq!(page.next_cursor, 5);
}

#[tokio::test]
async fn pull_pages_through_changes_and_an_exact_page_says_no_more() {
    let server = server().await;
    // The seeded survey is change 1; publish two more versions.
    let mut survey = survey();
    for version in 2..=3 {
        survey.version = version;
        server
            .database()
            .publish_survey(&survey, Utc::now())
            .await
            .expect("published");
    }
    let (_, page): (_, PullResponse) = server.post("/api/v1/sync/pull", &pull_request(0, 2)).await;
    assert_eq!(page.changes.len(), 2);
    assert!(page.has_more);
    assert_eq!(page.next_cursor, 2);
    // The last page is exactly the page size: no more after it.
    let (_, page): (_, PullResponse) = server
        .post("/api/v1/sync/pull", &pull_request(page.next_cursor, 1))
        .await;
    assert_eq!(page.changes.len(), 1);
    assert!(!page.has_more);
    assert_eq!(page.next_cursor, 3);
    let ChangeEntity::Survey { survey } = &page.changes[0].entity else {
        panic!("expected a survey change, got {:?}", page.changes[0].entity);
    };
    assert_eq!(survey.version, 3);
    // Nothing new: the cursor stays.
    let (_, page): (_, PullResponse) = server.post("/api/v1/sync/pull", &pull_request(3, 2)).await;
    assert!(page.changes.is_empty() && !page.has_more && page.next_cursor == 3);
    // A cursor from a bigger database asks for a reset.
    let (_, page): (_, PullResponse) = server.post("/api/v1/sync/pull", &pull_request(99, 2)).await;
    assert!(page.reset_required);
    // Publishing the same version again is not a new change.
    assert!(!server
        .database()
        .publish_survey(survey, Utc::now())
        .await
        .expect("idempotent"));
}

#[tokio::test]
async fn the_app_is_served_with_index_html_as_fallback() {
    let server = server().await;
    let request = Request::get("/responses")
        .body(Body::empty())
        .expect("request");
    let (status, body) = server.call(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("Tham Gia"));
}

#[tokio::test]
async fn over_a_real_socket_a_repeated_push_is_stored_once() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let config = ServerConfig {
        database_path: directory.path().join("socket.sqlite3"),
        database_url: None,
        static_dir: PathBuf::from(directory.path()),
        seed_demo: true,
        metrics: Default::default(),
    };
    let state = thamgia_server::prepare(&config).await.expect("prepared");
    let database = state.database.clone();
    let router = thamgia_server::app(state, &config.static_dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(thamgia_server::serve(listener, router, async {
        stopped.await.ok();
    }));

    let client = reqwest::Client::new();
    let session: thamgia_core::account::Session = client
        .post(format!("http://{address}/api/v1/session"))
        .json(&serde_json::json!({
            "username": "badinh", "password": thamgia_server::auth::DEMO_PASSWORD,
            "device_label": "socket test"
        }))
        .send()
        .await
        .expect("sent")
        .error_for_status()
        .expect("signed in")
        .json()
        .await
        .expect("a session");
    let url = format!("http://{address}/api/v1/sync/push");
    let request = push_request(
        TABLET,
        vec![(1, completed_response(1)), (2, completed_response(2))],
    );
    for _ in 0..2 {
        let answer: PushResponse = client
            .post(&url)
            .bearer_auth(&session.token)
            .json(&request)
            .send()
            .await
            .expect("sent")
            .error_for_status()
            .expect("200")
            .json()
            .await
            .expect("parsed");
        assert_eq!(answer.last_seq, 2);
    }
    assert_eq!(database.response_count().await.expect("count"), 2);
    stop.send(()).expect("server still running");
    handle.await.expect("joined").expect("clean shutdown");
}

fn withdraw_mutation(seq: u64, response_id: Uuid) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::WithdrawResponse {
            response_id,
            withdrawn_at: Utc::now(),
        },
    }
}

#[tokio::test]
async fn withdrawing_consent_deletes_the_answers_and_tells_every_tablet() {
    let server = server().await;
    let response = completed_response(21);
    // A conflicting copy exists too: it must go as well.
    let mut altered = response.clone();
    altered.ward_code = "00008".to_owned();
    server
        .push(&push_request(TABLET, vec![(1, response.clone())]))
        .await;
    server
        .push(&push_request(Uuid::from_u128(0xD), vec![(1, altered)]))
        .await;
    assert_eq!(server.database().conflict_count().await.expect("count"), 1);

    let request = PushRequest {
        client_id: TABLET,
        schema_version: SCHEMA_VERSION,
        mutations: vec![withdraw_mutation(2, response.id)],
    };
    let answer = server.push(&request).await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::Withdrawn);
    assert_eq!(server.database().response_count().await.expect("count"), 0);
    assert_eq!(server.database().conflict_count().await.expect("count"), 0);
    assert!(server
        .database()
        .is_withdrawn(response.id)
        .await
        .expect("read"));

    // Sent again by anyone, it is not stored again.
    let again = server
        .push(&push_request(
            Uuid::from_u128(0xE),
            vec![(1, response.clone())],
        ))
        .await;
    assert_eq!(again.results[0].outcome, MutationOutcome::Withdrawn);
    assert_eq!(server.database().response_count().await.expect("count"), 0);

    // Every tablet learns of it on its next pull.
    let (_, page): (_, PullResponse) = server.post("/api/v1/sync/pull", &pull_request(0, 50)).await;
    assert!(page.changes.iter().any(|change| change.entity
        == ChangeEntity::ResponseWithdrawn {
            response_id: response.id
        }));
}

#[tokio::test]
async fn the_town_hall_can_withdraw_consent_for_a_guardian() {
    let server = server().await;
    let response = completed_response(22);
    server
        .push(&push_request(TABLET, vec![(1, response.clone())]))
        .await;
    let request = Request::post(format!("/api/v1/responses/{}/withdraw", response.id))
        .body(Body::empty())
        .expect("request");
    let (status, _) = server.call(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.database().response_count().await.expect("count"), 0);
    assert!(server
        .database()
        .is_withdrawn(response.id)
        .await
        .expect("read"));
}

#[tokio::test]
async fn a_correction_supersedes_the_response_it_corrects() {
    let server = server().await;
    let original = completed_response(31);
    let mut correction = completed_response(32);
    correction.corrects = Some(original.id);
    server
        .push(&push_request(
            TABLET,
            vec![(1, original.clone()), (2, correction)],
        ))
        .await;
    assert_eq!(
        server.database().response_count().await.expect("count"),
        2,
        "both are kept"
    );
    assert_eq!(
        server
            .database()
            .counted_response_count()
            .await
            .expect("count"),
        1,
        "only the correction counts"
    );
    let stored = server
        .database()
        .response(original.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        stored.response, original,
        "the corrected response is never changed"
    );
}

#[tokio::test]
async fn a_server_that_forgot_what_it_acknowledged_asks_the_tablet_to_send_again() {
    let server = server().await;
    let request = push_request(
        TABLET,
        vec![(1, completed_response(1)), (2, completed_response(2))],
    );
    let (status, answer): (_, PushResponse) = server.post("/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer.last_seq, 2);
    let pull = |acknowledged: Option<u64>| PullRequest {
        acknowledged_seq: acknowledged,
        cursor_token: None,
        ..pull_request(0, 10)
    };
    for acknowledged in [None, Some(1), Some(2)] {
        let (status, page): (_, PullResponse) =
            server.post("/api/v1/sync/pull", &pull(acknowledged)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.reset_required, "{acknowledged:?}");
    }
    // The tablet was told 3 were stored, the server holds 2: it was restored
    // from an older backup, and says so.
    let (status, page): (_, PullResponse) = server.post("/api/v1/sync/pull", &pull(Some(3))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.reset_required);
    assert!(page.changes.is_empty());
}

#[tokio::test]
async fn a_cursor_into_another_history_is_sent_back_to_the_start() {
    let server = server().await;
    // The seeded survey is change 1.
    let (status, page): (_, PullResponse) =
        server.post("/api/v1/sync/pull", &pull_request(0, 10)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.next_cursor, 1);
    let token = page
        .next_cursor_token
        .clone()
        .expect("a token for the cursor");
    let with_token = |cursor_token: Option<String>| PullRequest {
        cursor_token,
        ..pull_request(1, 10)
    };
    let (_, page): (_, PullResponse) = server
        .post("/api/v1/sync/pull", &with_token(Some(token.clone())))
        .await;
    assert!(!page.reset_required, "the same history");
    assert_eq!(page.next_cursor_token.as_ref(), Some(&token));
    // A token of another change at that number: the log the tablet saw was
    // rolled back and grew again with other changes.
    let (_, page): (_, PullResponse) = server
        .post(
            "/api/v1/sync/pull",
            &with_token(Some("0123456789abcdef".to_owned())),
        )
        .await;
    assert!(page.reset_required);
    // No token (an older app): no check.
    let (_, page): (_, PullResponse) = server.post("/api/v1/sync/pull", &with_token(None)).await;
    assert!(!page.reset_required);
}
