//! Every endpoint checks the session and the ward: no token, a bad token, a
//! revoked token and a deactivated account are refused with 401; another
//! ward's data and another role's tasks with 403; each with a bilingual
//! body. The same calls made by the right account succeed, so a refusal
//! here is the rule at work, not a broken endpoint.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use thamgia_core::account::{AccountChange, AccountInfo, AccountRecord, NewAccount, Role, Session};
use thamgia_core::forum::{Forum, ParticipantCount, Recommendation};
use thamgia_core::report::{Period, ReportId};
use thamgia_core::{
    AgeBand, ApiError, ApiErrorCode, Mutation, MutationChange, MutationOutcome, PushRequest,
    PushResponse, Sex, SCHEMA_VERSION,
};
use uuid::Uuid;

use support::{server, TestServer};

const RECOMMENDATION: Uuid = Uuid::from_u128(0x5EC);
const FORUM: Uuid = Uuid::from_u128(0xF1);
const RESPONSE: Uuid = Uuid::from_u128(0xA1);

/// One API call: method, path, body.
#[derive(Debug, Clone)]
struct Call {
    method: &'static str,
    path: String,
    body: Option<String>,
}

impl Call {
    fn new(method: &'static str, path: impl Into<String>, body: Option<serde_json::Value>) -> Call {
        Call {
            method,
            path: path.into(),
            body: body.map(|body| body.to_string()),
        }
    }

    fn request(&self, authorization: Option<&str>) -> Request<Body> {
        let mut builder = Request::builder().method(self.method).uri(&self.path);
        if let Some(value) = authorization {
            builder = builder.header("authorization", value);
        }
        let body = match &self.body {
            Some(body) => {
                builder = builder.header("content-type", "application/json");
                Body::from(body.clone())
            }
            None => Body::empty(),
        };
        builder.body(body).expect("request")
    }
}

fn ba_dinh_forum() -> Forum {
    let mut forum = Forum::new(FORUM, "00004", Utc::now().date_naive(), Utc::now());
    forum.place = "Nhà văn hóa tổ dân phố 5".to_owned();
    forum.facilitators = "Cô Hoa".to_owned();
    forum.adult_supporters = 7;
    forum.consents_collected = 32;
    forum.participants = vec![ParticipantCount {
        age_band: AgeBand::From10To12,
        sex: Sex::Female,
        count: 32,
    }];
    forum.recommendations = vec![Recommendation {
        id: RECOMMENDATION,
        text: "Lắp đèn ở ngõ 12".to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 28,
    }];
    forum.submitted = true;
    forum
}

/// A Ba Đình response and a Ba Đình forum with a recommendation, pushed by
/// the Ba Đình collector.
async fn ba_dinh_data(server: &TestServer, collector: &str) {
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    let response = thamgia_server::seed::sample_response(&survey, RESPONSE, 1, Utc::now());
    assert_eq!(response.ward_code, "00004");
    let request = PushRequest {
        client_id: Uuid::new_v4(),
        schema_version: SCHEMA_VERSION,
        mutations: vec![
            Mutation {
                seq: 1,
                change: MutationChange::SubmitResponse { response },
            },
            Mutation {
                seq: 2,
                change: MutationChange::SubmitForum {
                    forum: ba_dinh_forum(),
                },
            },
        ],
    };
    let (status, answer): (_, PushResponse) = server
        .post_as(collector, "/api/v1/sync/push", &request)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer
        .results
        .iter()
        .all(|result| !matches!(result.outcome, MutationOutcome::Rejected { .. })));
}

fn report_id() -> ReportId {
    ReportId::new("00004", Period::quarter(2026, 3).expect("period")).expect("report id")
}

/// Every protected endpoint, with a body it would accept from a city
/// officer. `/health` and `POST /session` are the only open ones.
fn every_protected_call(survey_id: &str) -> Vec<Call> {
    let account = serde_json::json!({
        "username": "hoa.tran", "display_name": "Trần Thị Hoa", "role": "collector",
        "ward_code": "00004", "password": "một mật khẩu dài"
    });
    vec![
        Call::new("GET", "/api/v1/session", None),
        Call::new("GET", "/api/v1/units", None),
        Call::new("GET", "/api/v1/surveys", None),
        Call::new("GET", format!("/api/v1/surveys/{survey_id}/1"), None),
        Call::new("GET", format!("/api/v1/reports/{}", report_id()), None),
        Call::new("GET", "/api/v1/indicators", None),
        Call::new(
            "PUT",
            "/api/v1/indicators/4.1/targets",
            Some(serde_json::json!([])),
        ),
        Call::new("GET", "/api/v1/forums?ward=00004", None),
        Call::new(
            "POST",
            format!("/api/v1/recommendations/{RECOMMENDATION}/answer"),
            Some(serde_json::json!({
                "decision": "accepted", "reasons": "Có kinh phí", "actions": "Lắp đèn",
                "answered_on": "2026-11-20"
            })),
        ),
        Call::new("GET", "/api/v1/export/forums.csv", None),
        Call::new("GET", "/api/v1/townhall/overview?period=2026-Q3", None),
        Call::new(
            "GET",
            "/api/v1/townhall/trend?ward=00004&indicator=4.1",
            None,
        ),
        Call::new(
            "PUT",
            "/api/v1/wards/00004/population/2026",
            Some(serde_json::json!({"children_7_15": 4200})),
        ),
        Call::new(
            "GET",
            format!("/api/v1/export/responses.csv?survey={survey_id}"),
            None,
        ),
        Call::new("GET", "/api/v1/export/reports.csv?period=2026-Q3", None),
        Call::new(
            "GET",
            "/api/v1/export/participation.csv?period=2026-Q3",
            None,
        ),
        Call::new(
            "GET",
            "/api/v1/wards/00004/participation?period=2026-Q3",
            None,
        ),
        Call::new(
            "POST",
            "/api/v1/sync/push",
            Some(serde_json::json!({
                "client_id": Uuid::new_v4(), "schema_version": SCHEMA_VERSION, "mutations": []
            })),
        ),
        Call::new(
            "POST",
            "/api/v1/sync/pull",
            Some(serde_json::json!({
                "client_id": Uuid::new_v4(), "schema_version": SCHEMA_VERSION, "cursor": 0,
                "limit": 10, "ward_code": "00004"
            })),
        ),
        Call::new("GET", "/api/v1/accounts", None),
        Call::new("GET", "/api/v1/quarantine", None),
        Call::new("GET", "/api/v1/audit?action=sign_in", None),
        Call::new("GET", "/api/v1/export/audit.csv", None),
        Call::new("POST", "/api/v1/accounts", Some(account)),
        Call::new(
            "PUT",
            "/api/v1/accounts/badinh",
            Some(serde_json::json!({"display_name": "Nguyễn Thị Lan"})),
        ),
        Call::new(
            "POST",
            format!("/api/v1/devices/{}/revoke", Uuid::new_v4()),
            None,
        ),
        // Last: it withdraws the sample response for good.
        Call::new(
            "POST",
            format!("/api/v1/responses/{RESPONSE}/withdraw"),
            None,
        ),
    ]
}

/// The import takes a workbook, not JSON; it is checked apart.
fn import_call() -> Call {
    Call {
        method: "POST",
        path: "/api/v1/surveys/import".to_owned(),
        body: Some("not a workbook".to_owned()),
    }
}

fn assert_refusal(call: &Call, status: StatusCode, body: &[u8], expected: StatusCode) {
    assert_eq!(
        status,
        expected,
        "{} {}: {}",
        call.method,
        call.path,
        String::from_utf8_lossy(body)
    );
    let error: ApiError = serde_json::from_slice(body)
        .unwrap_or_else(|error| panic!("{} {}: {error}", call.method, call.path));
    let code = if expected == StatusCode::UNAUTHORIZED {
        ApiErrorCode::Unauthorized
    } else {
        ApiErrorCode::Forbidden
    };
    assert_eq!(error.code, code, "{} {}", call.method, call.path);
    assert!(
        !error.message.vi.is_empty()
            && !error.message.en.is_empty()
            && error.message.vi != error.message.en,
        "{} {}: a message in both languages",
        call.method,
        call.path
    );
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_bad_revoked_or_deactivated_session() {
    let server = server().await;
    let revoked = server.sign_in("badinh.canbo").await;
    let (status, _) = server
        .call_raw(
            Request::delete("/api/v1/session")
                .header("authorization", format!("Bearer {revoked}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "sign-out revokes the token");
    let deactivated = server.sign_in("badinh").await;
    let (status, _): (_, AccountRecord) = server
        .put_as(
            &server.city_token,
            "/api/v1/accounts/badinh",
            &AccountChange {
                active: Some(false),
                ..AccountChange::default()
            },
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    let mut calls = every_protected_call(&survey.id);
    calls.push(import_call());
    let bearer = |token: &str| format!("Bearer {token}");
    let headers: Vec<Option<String>> = vec![
        None,
        Some("Bearer".to_owned()),
        Some("Bearer 0123456789abcdef".to_owned()),
        Some(format!("Basic {}", "dGhhbmhwaG86dGhhbWdpYS1kZW1v")),
        Some(bearer(&revoked)),
        Some(bearer(&deactivated)),
    ];
    for call in &calls {
        for header in &headers {
            let (status, body) = server.call_raw(call.request(header.as_deref())).await;
            assert_refusal(call, status, &body, StatusCode::UNAUTHORIZED);
        }
    }
}

#[tokio::test]
async fn the_right_account_reaches_every_endpoint() {
    let server = server().await;
    let collector = server.sign_in("badinh").await;
    ba_dinh_data(&server, &collector).await;
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    for call in every_protected_call(&survey.id) {
        let (status, body) = server
            .call_raw(call.request(Some(&format!("Bearer {}", server.city_token))))
            .await;
        assert!(
            status.is_success()
                || status == StatusCode::NOT_FOUND && call.path.contains("/devices/"),
            "{} {}: {status} {}",
            call.method,
            call.path,
            String::from_utf8_lossy(&body)
        );
    }
}

#[tokio::test]
async fn another_wards_account_is_refused_ba_dinh_data() {
    let server = server().await;
    let collector = server.sign_in("badinh").await;
    ba_dinh_data(&server, &collector).await;
    let other_ward = server
        .state
        .units
        .units
        .iter()
        .find(|unit| unit.code != "00004")
        .expect("another ward")
        .code
        .clone();
    for (username, role) in [
        ("khac.thuthap", Role::Collector),
        ("khac.canbo", Role::WardOfficer),
    ] {
        server
            .create_account(username, role, Some(&other_ward))
            .await;
    }
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    let ward_scoped = [
        format!("/api/v1/reports/{}", report_id()),
        "/api/v1/forums?ward=00004".to_owned(),
        "/api/v1/sync/pull".to_owned(),
        format!("/api/v1/recommendations/{RECOMMENDATION}/answer"),
        format!("/api/v1/responses/{RESPONSE}/withdraw"),
        "/api/v1/townhall/trend?ward=00004&indicator=4.1".to_owned(),
        "/api/v1/wards/00004/participation?period=2026-Q3".to_owned(),
    ];
    for username in ["khac.thuthap", "khac.canbo"] {
        let token = server.sign_in(username).await;
        for call in every_protected_call(&survey.id)
            .into_iter()
            .filter(|call| ward_scoped.contains(&call.path))
        {
            let (status, body) = server
                .call_raw(call.request(Some(&format!("Bearer {token}"))))
                .await;
            assert_refusal(&call, status, &body, StatusCode::FORBIDDEN);
        }
    }

    // A push of Ba Đình records by another ward's collector: each record is
    // quarantined with its reason, the batch goes on, nothing is counted.
    let token = server.sign_in("khac.thuthap").await;
    let mut response =
        thamgia_server::seed::sample_response(&survey, Uuid::from_u128(0xB2), 2, Utc::now());
    response.ward_code = "00004".to_owned();
    let mut own =
        thamgia_server::seed::sample_response(&survey, Uuid::from_u128(0xB3), 3, Utc::now());
    own.ward_code = other_ward.clone();
    let request = PushRequest {
        client_id: Uuid::new_v4(),
        schema_version: SCHEMA_VERSION,
        mutations: vec![
            Mutation {
                seq: 1,
                change: MutationChange::SubmitResponse { response },
            },
            Mutation {
                seq: 2,
                change: MutationChange::SubmitResponse { response: own },
            },
        ],
    };
    let counted_before = server
        .database()
        .counted_response_count()
        .await
        .expect("count");
    let (status, answer): (_, PushResponse) =
        server.post_as(&token, "/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer.last_seq, 2,
        "the batch went on past the refused record"
    );
    match &answer.results[0].outcome {
        MutationOutcome::Rejected { code, message } => {
            assert_eq!(*code, thamgia_core::RefusalCode::OtherWard);
            assert!(
                message.en.contains("00004") && message.vi.contains("00004"),
                "{message:?}"
            )
        }
        other => panic!("another ward's response was not refused: {other:?}"),
    }
    assert!(!matches!(
        answer.results[1].outcome,
        MutationOutcome::Rejected { .. }
    ));
    assert_eq!(
        server
            .database()
            .counted_response_count()
            .await
            .expect("count"),
        counted_before + 1,
        "only the collector's own ward's response is counted"
    );
    assert_eq!(server.database().rejected_count().await.expect("count"), 1);
}

#[tokio::test]
async fn town_hall_tasks_are_refused_to_collectors_and_ward_officers() {
    let server = server().await;
    let collector = server.sign_in("badinh").await;
    ba_dinh_data(&server, &collector).await;
    let officer = server.sign_in("badinh.canbo").await;
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    let city_only = |path: &str| {
        [
            "/api/v1/indicators/",
            "/api/v1/export/",
            "/api/v1/townhall/overview",
            "/api/v1/wards/",
            "/api/v1/accounts",
            "/api/v1/devices/",
            "/api/v1/surveys/import",
            "/api/v1/audit",
        ]
        .iter()
        .any(|prefix| path.starts_with(prefix))
            && path != "/api/v1/indicators"
            && !path.contains("/participation?")
    };
    let mut calls: Vec<Call> = every_protected_call(&survey.id)
        .into_iter()
        .filter(|call| city_only(&call.path))
        .collect();
    calls.push(import_call());
    assert!(calls.len() >= 10, "{calls:?}");
    for token in [&collector, &officer] {
        for call in &calls {
            let (status, body) = server
                .call_raw(call.request(Some(&format!("Bearer {token}"))))
                .await;
            assert_refusal(call, status, &body, StatusCode::FORBIDDEN);
        }
    }
    // Officer-only tasks in the collector's own ward.
    for call in every_protected_call(&survey.id).into_iter().filter(|call| {
        call.path.contains("/answer")
            || call.path.contains("/withdraw")
            || call.path.contains("/quarantine")
            || call.path.contains("/participation?")
    }) {
        let (status, body) = server
            .call_raw(call.request(Some(&format!("Bearer {collector}"))))
            .await;
        assert_refusal(&call, status, &body, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn sign_in_out_and_account_management() {
    let server = server().await;
    // Wrong password and unknown user: the same refusal.
    for (username, password) in [("badinh", "wrong password"), ("nobody", "thamgia-demo")] {
        let (status, body) = server
            .post_raw_as(
                None,
                "/api/v1/session",
                serde_json::json!({"username": username, "password": password, "device_label": "Máy 1"})
                    .to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let error: ApiError = serde_json::from_slice(&body).expect("ApiError");
        assert_eq!(error.code, ApiErrorCode::Unauthorized);
        assert!(error.message.vi.contains("mật khẩu"), "{error:?}");
    }
    let token = server.sign_in("badinh").await;
    let (status, me): (_, AccountInfo) = server.get_as(&token, "/api/v1/session").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me.role, Role::Collector);
    assert_eq!(me.ward_code.as_deref(), Some("00004"));

    // A city officer creates an account; the name cannot be taken twice;
    // an account without a ward is refused with a reason.
    let new = NewAccount {
        info: AccountInfo {
            username: "hoa.tran".to_owned(),
            display_name: "Trần Thị Hoa".to_owned(),
            role: Role::Collector,
            ward_code: Some("00004".to_owned()),
        },
        password: "một mật khẩu dài".to_owned(),
    };
    let (status, record): (_, AccountRecord) = server
        .post_as(&server.city_token, "/api/v1/accounts", &new)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(record.active && record.devices.is_empty());
    let (status, error): (_, ApiError) = server
        .post_as(&server.city_token, "/api/v1/accounts", &new)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error.code, ApiErrorCode::Conflict);
    let mut no_ward = new.clone();
    no_ward.info.username = "khong.phuong".to_owned();
    no_ward.info.ward_code = None;
    let (status, error): (_, ApiError) = server
        .post_as(&server.city_token, "/api/v1/accounts", &no_ward)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error.code, ApiErrorCode::Invalid);
    assert!(error.message.en.contains("ward"), "{error:?}");

    // The new account signs in on two devices; one is revoked, the other
    // keeps working; deactivating the account stops both.
    let first = server.sign_in_with("hoa.tran", "một mật khẩu dài").await;
    let second = server.sign_in_with("hoa.tran", "một mật khẩu dài").await;
    let (_, accounts): (_, Vec<AccountRecord>) =
        server.get_as(&server.city_token, "/api/v1/accounts").await;
    let hoa = accounts
        .iter()
        .find(|account| account.info.username == "hoa.tran")
        .expect("listed");
    assert_eq!(hoa.devices.len(), 2);
    let (_, first_me): (_, AccountInfo) = server.get_as(&first, "/api/v1/session").await;
    assert_eq!(first_me.username, "hoa.tran");
    let first_device = server
        .database()
        .caller(&first, Utc::now())
        .await
        .expect("lookup")
        .expect("valid")
        .device_id;
    let (status, _) = server
        .post_raw_as(
            Some(&server.city_token),
            &format!("/api/v1/devices/{first_device}/revoke"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.get_raw_as(&first, "/api/v1/surveys").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the revoked device is refused at once"
    );
    let (status, _) = server.get_raw_as(&second, "/api/v1/surveys").await;
    assert_eq!(status, StatusCode::OK, "the other device keeps working");
    let (status, _): (_, AccountRecord) = server
        .put_as(
            &server.city_token,
            "/api/v1/accounts/hoa.tran",
            &AccountChange {
                active: Some(false),
                ..AccountChange::default()
            },
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.get_raw_as(&second, "/api/v1/surveys").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = server
        .post_raw_as(
            None,
            "/api/v1/session",
            serde_json::json!({"username": "hoa.tran", "password": "một mật khẩu dài", "device_label": "Máy 3"})
                .to_string(),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a deactivated account cannot sign in"
    );

    // Passwords are stored as argon2 hashes, tokens only as digests.
    let session: Session = server.session("badinh", "thamgia-demo").await;
    assert_eq!(session.token.len(), 64);
    let (password_hash, token_digests) = server
        .database()
        .stored_credentials("badinh")
        .await
        .expect("credentials");
    assert!(password_hash.starts_with("$argon2id$"), "{password_hash}");
    assert!(!token_digests.is_empty());
    assert!(!token_digests.contains(&session.token));
    assert!(!password_hash.contains("thamgia-demo"));
}

#[tokio::test]
async fn a_guessed_user_name_is_locked_until_a_new_password() {
    let server = server().await;
    let attempt = |password: &'static str| {
        serde_json::json!({"username": "badinh", "password": password, "device_label": "Máy 1"})
            .to_string()
    };
    for _ in 0..thamgia_server::auth::MAX_FAILED_SIGN_INS {
        let (status, _) = server
            .post_raw_as(None, "/api/v1/session", attempt("đoán mò"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password is refused, with a clear message.
    let (status, body) = server
        .post_raw_as(None, "/api/v1/session", attempt("thamgia-demo"))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let error: ApiError = serde_json::from_slice(&body).expect("ApiError");
    assert_eq!(error.code, ApiErrorCode::TooManyAttempts);
    assert!(error.message.vi.contains("thử lại sau"), "{error:?}");
    assert!(error.message.en.contains("reset the password"), "{error:?}");
    // Another account is not affected.
    server.sign_in("badinh.canbo").await;
    // A city officer sets a new password: the lock ends.
    let (status, _): (_, AccountRecord) = server
        .put_as(
            &server.city_token,
            "/api/v1/accounts/badinh",
            &AccountChange {
                password: Some("một mật khẩu mới".to_owned()),
                ..AccountChange::default()
            },
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    server.sign_in_with("badinh", "một mật khẩu mới").await;
}
