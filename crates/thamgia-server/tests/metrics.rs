//! `/metrics`: who may scrape it, where it is served, and every series
//! moving by exactly what happened, with no child's words or user name in
//! it.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Utc;
use thamgia_core::{
    AnswerValue, MutationChange, MutationOutcome, PullRequest, RefusalCode, SCHEMA_VERSION,
};
use thamgia_server::auth::{DEMO_PASSWORD, MAX_FAILED_SIGN_INS};
use thamgia_server::metrics::{Metrics, MetricsAccess, MetricsToken};
use thamgia_server::{seed, AppState};
use tower::ServiceExt;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const METRICS_TOKEN: &str = "metrics-0123456789abcdef";

/// What children wrote: never in a scrape.
const CHILD_WORDS: &str = "Em sợ con chó ở ngõ 7 khi đi học về";
const OTHER_WORDS: &str = "Em muốn có thêm đèn ở công viên gần nhà";

/// A user name that does not exist, and the demo ward officer, whose name
/// is guessed until it locks.
const STRANGER: &str = "nguoi.la.4821";
const OFFICER: &str = "badinh.canbo";

const DEMO_SURVEY_ID: &str = "an-toan-truong-hoc-va-vui-choi";
const UNKNOWN_SURVEY_ID: &str = "khong-co-khao-sat-nay";

fn with_token(state: &mut AppState) {
    state.metrics = Metrics::new(MetricsAccess {
        token: Some(MetricsToken::new(METRICS_TOKEN).expect("a fit token")),
        bind: None,
    });
}

async fn scrape(server: &TestServer) -> String {
    let (status, body) = server.get_raw_as(METRICS_TOKEN, "/metrics").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    String::from_utf8(body).expect("a UTF-8 scrape")
}

/// The value of `series` (its name and labels as written) in a scrape; 0
/// when it is not there yet (a labelled counter never moved).
fn value(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |number| {
            number
                .parse()
                .unwrap_or_else(|error| panic!("{series}: {number}: {error}"))
        })
}

/// Asserts that `series` grew by exactly `by` from one scrape to the next.
fn assert_moved(before: &str, after: &str, series: &str, by: f64) {
    let moved = value(after, series) - value(before, series);
    assert_eq!(moved, by, "{series} moved by {moved}, not {by}:\n{after}");
}

fn requests(method: &str, route: &str, status: u16) -> String {
    format!(
        "thamgia_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}}"
    )
}

fn ward_silence(ward: &str) -> String {
    format!("thamgia_ward_seconds_since_last_push{{ward=\"{ward}\"}}")
}

fn submit(response: &thamgia_core::Response) -> MutationChange {
    MutationChange::SubmitResponse {
        response: response.clone(),
    }
}

/// Signs in through the API and returns the answer's status.
async fn sign_in_status(server: &TestServer, username: &str, password: &str) -> StatusCode {
    let body =
        serde_json::json!({"username": username, "password": password, "device_label": "test"});
    server
        .post_raw_as(None, "/api/v1/session", body.to_string())
        .await
        .0
}

#[tokio::test]
async fn a_scrape_needs_the_token_and_every_series_moves_with_its_event() {
    let server = server().await.with_state(with_token);

    // Only the metrics token opens /metrics; a session's token does not.
    let anonymous = Request::get("/metrics")
        .body(Body::empty())
        .expect("request");
    assert_eq!(server.call_raw(anonymous).await.0, StatusCode::UNAUTHORIZED);
    let wrong = server
        .get_raw_as("metrics-0123456789abcdeX", "/metrics")
        .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    let session = server.get_raw_as(&server.city_token, "/metrics").await;
    assert_eq!(session.0, StatusCode::UNAUTHORIZED);
    let answer = server
        .router()
        .oneshot(
            Request::get("/metrics")
                .header("authorization", format!("Bearer {METRICS_TOKEN}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        answer.headers()[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let collector = server.sign_in("badinh").await;

    // Requests, by the route the router matched.
    let before = scrape(&server).await;
    let health = Request::get("/api/v1/health")
        .body(Body::empty())
        .expect("request");
    assert_eq!(server.call_raw(health).await.0, StatusCode::OK);
    let survey = Request::get(format!("/api/v1/surveys/{DEMO_SURVEY_ID}/1"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(server.call(survey).await.0, StatusCode::OK);
    let app_page = Request::get("/responses")
        .body(Body::empty())
        .expect("request");
    assert_eq!(server.call_raw(app_page).await.0, StatusCode::OK);
    let after = scrape(&server).await;
    assert_moved(
        &before,
        &after,
        &requests("GET", "/api/v1/health", 200),
        1.0,
    );
    let labels = r#"method="GET",route="/api/v1/health",status="200""#;
    for series in [
        format!("thamgia_http_request_duration_seconds_count{{{labels}}}"),
        format!("thamgia_http_request_duration_seconds_bucket{{{labels},le=\"10\"}}"),
        format!("thamgia_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}}"),
    ] {
        assert_moved(&before, &after, &series, 1.0);
    }
    let survey_route = "/api/v1/surveys/{id}/{version}";
    assert_moved(&before, &after, &requests("GET", survey_route, 200), 1.0);
    assert_moved(&before, &after, &requests("GET", "unmatched", 200), 1.0);
    assert!(!after.contains(DEMO_SURVEY_ID), "a path as sent:\n{after}");
    assert!(!after.contains("route=\"/responses\""), "{after}");

    // A push: one record applied, the same again, the same id with other
    // words, and one of a survey the server does not have.
    let demo = seed::demo_survey().expect("the demo survey");
    let mut response = seed::sample_response(&demo, Uuid::new_v4(), 1, Utc::now());
    response.answers.insert(
        "idea_to_be_safer".to_owned(),
        AnswerValue::Text(CHILD_WORDS.to_owned()),
    );
    let mut conflicting = response.clone();
    conflicting.answers.insert(
        "idea_to_be_safer".to_owned(),
        AnswerValue::Text(OTHER_WORDS.to_owned()),
    );
    let mut unknown_survey = seed::sample_response(&demo, Uuid::new_v4(), 2, Utc::now());
    unknown_survey.survey_id = UNKNOWN_SURVEY_ID.to_owned();
    let before = scrape(&server).await;
    assert_eq!(value(&before, &ward_silence("00004")), f64::INFINITY);
    let answer = server
        .push_changes(
            &collector,
            vec![
                submit(&response),
                submit(&response),
                submit(&conflicting),
                submit(&unknown_survey),
            ],
        )
        .await;
    let outcomes: Vec<&MutationOutcome> = answer
        .results
        .iter()
        .map(|result| &result.outcome)
        .collect();
    assert!(
        matches!(
            outcomes.as_slice(),
            [
                MutationOutcome::Applied,
                MutationOutcome::AlreadyStored,
                MutationOutcome::Conflict { .. },
                MutationOutcome::Rejected {
                    code: RefusalCode::UnknownSurvey,
                    ..
                },
            ]
        ),
        "{outcomes:?}"
    );
    let after = scrape(&server).await;
    for (outcome, by) in [
        ("applied", 1.0),
        ("already_stored", 1.0),
        ("conflict", 1.0),
        ("rejected", 1.0),
        ("withdrawn", 0.0),
    ] {
        let series = format!("thamgia_sync_mutations_total{{outcome=\"{outcome}\"}}");
        assert_moved(&before, &after, &series, by);
    }
    assert_moved(
        &before,
        &after,
        &requests("POST", "/api/v1/sync/push", 200),
        1.0,
    );
    // The ward pushed to was heard from just now; the others never.
    let since = value(&after, &ward_silence("00004"));
    assert!((0.0..60.0).contains(&since), "{since}");
    let quiet = server
        .state
        .units
        .units
        .iter()
        .find(|unit| unit.code != "00004")
        .expect("another unit");
    assert_eq!(value(&after, &ward_silence(&quiet.code)), f64::INFINITY);
    let wards = after
        .lines()
        .filter(|line| line.starts_with("thamgia_ward_seconds_since_last_push{"))
        .count();
    assert_eq!(wards, server.state.units.units.len());
    assert_eq!(wards, 126);

    // A pull page.
    let before = after;
    let pull = PullRequest {
        client_id: Uuid::new_v4(),
        schema_version: SCHEMA_VERSION,
        cursor: 0,
        limit: 100,
        ward_code: None,
        acknowledged_seq: None,
        cursor_token: None,
        understands: Vec::new(),
    };
    let (status, _) = server
        .post_raw_as(
            Some(collector.as_str()),
            "/api/v1/sync/pull",
            serde_json::to_vec(&pull).expect("serialises"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let after = scrape(&server).await;
    assert_moved(&before, &after, "thamgia_sync_pull_pages_total", 1.0);
    assert_moved(&before, &after, "thamgia_sign_in_failures_total", 0.0);

    // A failed sign-in, then a name guessed until it locks.
    let failures = "thamgia_sign_in_failures_total";
    let lockouts = "thamgia_sign_in_lockouts_total";
    let before = after;
    let status = sign_in_status(&server, STRANGER, "doan-bua").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let after = scrape(&server).await;
    assert_moved(&before, &after, failures, 1.0);
    assert_moved(&before, &after, lockouts, 0.0);
    let before = after;
    for attempt in 0..MAX_FAILED_SIGN_INS {
        let status = sign_in_status(&server, OFFICER, &format!("doan-bua-{attempt}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Locked: even the right password is refused, and that is no failure.
    let status = sign_in_status(&server, OFFICER, DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let after = scrape(&server).await;
    assert_moved(&before, &after, failures, f64::from(MAX_FAILED_SIGN_INS));
    assert_moved(&before, &after, lockouts, 1.0);
    let session = "/api/v1/session";
    let guesses = f64::from(MAX_FAILED_SIGN_INS);
    assert_moved(&before, &after, &requests("POST", session, 401), guesses);
    assert_moved(&before, &after, &requests("POST", session, 429), 1.0);

    // Nothing a child wrote, no user name, no token.
    let response_id = response.id.to_string();
    for secret in [
        CHILD_WORDS,
        OTHER_WORDS,
        "Ý kiến số",
        UNKNOWN_SURVEY_ID,
        "badinh",
        STRANGER,
        "Nguyễn Thị Lan",
        METRICS_TOKEN,
        collector.as_str(),
        server.city_token.as_str(),
        response_id.as_str(),
    ] {
        assert!(!after.contains(secret), "{secret} in the scrape:\n{after}");
    }
}

#[tokio::test]
async fn without_a_token_or_an_address_metrics_are_not_served() {
    let server = server().await;
    // A 404, not the app's index.html that unknown paths get.
    let (status, body) = server.get_raw_as(METRICS_TOKEN, "/metrics").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let request = Request::get("/metrics")
        .body(Body::empty())
        .expect("request");
    assert_eq!(server.call(request).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn on_an_address_of_its_own_metrics_are_served_there_only() {
    let own_address: std::net::SocketAddr = "127.0.0.1:9464".parse().expect("an address");
    let server = server().await.with_state(|state| {
        state.metrics = Metrics::new(MetricsAccess {
            token: None,
            bind: Some(own_address),
        });
    });
    // Never on the main listener, token or not.
    let (status, _) = server.get_raw_as(METRICS_TOKEN, "/metrics").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // On a listener of its own (a real socket), /metrics and nothing else.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let metrics_app = thamgia_server::metrics_app(server.state.clone());
    let handle = tokio::spawn(thamgia_server::serve(listener, metrics_app, async {
        stopped.await.ok();
    }));
    let client = reqwest::Client::new();
    let scrape = client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(scrape.status(), StatusCode::OK);
    let text = scrape.text().await.expect("a body");
    assert!(text.contains("thamgia_sync_pull_pages_total 0\n"), "{text}");
    assert!(
        text.contains(&format!("{} +Inf\n", ward_silence("00004"))),
        "{text}"
    );
    let health = client
        .get(format!("http://{address}/api/v1/health"))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status(), StatusCode::NOT_FOUND);
    stop.send(()).expect("still serving");
    handle.await.expect("joined").expect("a clean stop");

    // With a token as well, the token is needed there too.
    let server = server.with_state(|state| {
        state.metrics = Metrics::new(MetricsAccess {
            token: Some(MetricsToken::new(METRICS_TOKEN).expect("a fit token")),
            bind: Some(own_address),
        });
    });
    let (status, _) = server.get_raw_as(METRICS_TOKEN, "/metrics").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "still not on the main listener"
    );
    let metrics_app = thamgia_server::metrics_app(server.state.clone());
    let anonymous = Request::get("/metrics")
        .body(Body::empty())
        .expect("request");
    let answer = metrics_app
        .clone()
        .oneshot(anonymous)
        .await
        .expect("answer");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let scrape = Request::get("/metrics")
        .header("authorization", format!("Bearer {METRICS_TOKEN}"))
        .body(Body::empty())
        .expect("request");
    let answer = metrics_app.oneshot(scrape).await.expect("answer");
    assert_eq!(answer.status(), StatusCode::OK);
}
