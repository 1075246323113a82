//! The audit log: every event it lists leaves one row naming who did what,
//! where and to what; no row holds a child's answers; the filters and
//! pages select what they say; only city officers read or export it; the
//! CSV reads back; and nothing can change or delete a row, on either
//! backend.

mod support;

#[path = "audit/events.rs"]
mod events;
#[path = "audit/queries.rs"]
mod queries;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use thamgia_core::account::{Role, Session};
use thamgia_core::audit::{AuditAction, AuditEntry, AuditEvent, AuditPage};
use thamgia_core::forum::{Forum, ParticipantCount, Recommendation};
use thamgia_core::report::{Period, ReportId, ReportStatus, ReportStatusChange};
use thamgia_core::{
    AgeBand, AnswerValue, ApiError, Mutation, MutationChange, PushRequest, PushResponse, Sex,
    SCHEMA_VERSION,
};
use thamgia_server::auth::{DEMO_PASSWORD, MAX_FAILED_SIGN_INS};
use thamgia_server::townhall::UTF8_BOM;
use thamgia_server::{seed, Database};
use uuid::Uuid;

use support::{server, TestServer};

const COLLECTOR_TABLET: Uuid = Uuid::from_u128(0xA0D1);
const OFFICER_TABLET: Uuid = Uuid::from_u128(0xA0D2);
const CITY_TABLET: Uuid = Uuid::from_u128(0xA0D3);
/// What a child wrote, which the log must never hold.
const CHILD_WROTE: &str = "Bí mật của em: ngõ 12 tối lắm, em sợ 7319";

/// One row as the log shows it: action, actor, role, ward, target.
type Row = (
    AuditAction,
    Option<String>,
    Option<Role>,
    Option<String>,
    String,
);

fn row(
    action: AuditAction,
    actor: &str,
    role: Option<Role>,
    ward: Option<&str>,
    target: impl ToString,
) -> Row {
    (
        action,
        Some(actor.to_owned()),
        role,
        ward.map(str::to_owned),
        target.to_string(),
    )
}

fn shown(entry: &AuditEntry) -> Row {
    (
        entry.action,
        entry.actor.clone(),
        entry.actor_role,
        entry.ward_code.clone(),
        entry.target.clone(),
    )
}

/// A page of the log as the demo city officer reads it.
async fn log(server: &TestServer, query: &str) -> AuditPage {
    let (status, page) = server
        .get_as(&server.city_token, &format!("/api/v1/audit?{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}");
    page
}

/// The whole log, oldest first.
async fn whole_log(server: &TestServer) -> Vec<AuditEntry> {
    let page = log(server, "limit=500").await;
    assert!(!page.has_more);
    page.entries.into_iter().rev().collect()
}

async fn push(
    server: &TestServer,
    token: &str,
    client_id: Uuid,
    seq: u64,
    change: MutationChange,
) -> PushResponse {
    let request = PushRequest {
        client_id,
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation { seq, change }],
    };
    let (status, answer) = server.post_as(token, "/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    answer
}

/// A completed response of the demo survey whose every text answer is what
/// a child wrote.
fn response_with_text(id: u128) -> thamgia_core::Response {
    let survey = seed::demo_survey().expect("demo survey");
    let mut response = seed::sample_response(&survey, Uuid::from_u128(id), 1, Utc::now());
    let mut texts = 0;
    for value in response.answers.values_mut() {
        if let AnswerValue::Text(text) = value {
            *text = CHILD_WROTE.to_owned();
            texts += 1;
        }
    }
    assert!(texts > 0, "the demo survey has a text question");
    response
}

async fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> StatusCode {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_owned()))
        .expect("request");
    server.call_raw(request).await.0
}

async fn failed_sign_in(server: &TestServer, username: &str) -> StatusCode {
    let body = serde_json::json!({"username": username, "password": "not the password", "device_label": "test"});
    server
        .post_raw_as(None, "/api/v1/session", body.to_string())
        .await
        .0
}

#[tokio::test]
async fn no_row_holds_a_childs_answers() {
    let server = server().await;
    let collector = server.sign_in("badinh").await;
    let officer = server.sign_in("badinh.canbo").await;
    let (by_tablet, at_town_hall) = (response_with_text(11), response_with_text(12));
    for (seq, response) in [(1, &by_tablet), (2, &at_town_hall)] {
        let change = MutationChange::SubmitResponse {
            response: response.clone(),
        };
        push(&server, &collector, COLLECTOR_TABLET, seq, change).await;
    }
    let survey = seed::demo_survey().expect("demo survey");
    let path = format!("/api/v1/export/responses.csv?survey={}", survey.id);
    let (_, exported) = server.get_raw_as(&server.city_token, &path).await;
    assert!(
        String::from_utf8_lossy(&exported).contains(CHILD_WROTE),
        "the export holds the answers"
    );
    let withdrawal = MutationChange::WithdrawResponse {
        response_id: by_tablet.id,
        withdrawn_at: Utc::now(),
    };
    push(&server, &collector, COLLECTOR_TABLET, 3, withdrawal).await;
    let withdraw = format!("/api/v1/responses/{}/withdraw", at_town_hall.id);
    assert_eq!(
        call(&server, "POST", &withdraw, &officer, "").await,
        StatusCode::NO_CONTENT
    );

    let (status, page) = server
        .get_raw_as(&server.city_token, "/api/v1/audit?limit=500")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, csv) = server
        .get_raw_as(&server.city_token, "/api/v1/export/audit.csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).expect("UTF-8");
    let csv = String::from_utf8(csv).expect("UTF-8");
    for withdrawn in [by_tablet.id, at_town_hall.id] {
        assert!(page.contains(&withdrawn.to_string()) && csv.contains(&withdrawn.to_string()));
    }
    for text in [&page, &csv] {
        assert!(
            !text.contains(CHILD_WROTE) && !text.contains("7319"),
            "{text}"
        );
    }
}
