//! Ward report edits reach the server in any order and merge to the same
//! report; a clock running ahead does not win forever; approval locks.

mod support;

use axum::http::StatusCode;
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportFields, ReportId, ReportStatus,
    ReportStatusChange, Stamp,
};
use thamgia_core::{
    Mutation, MutationChange, MutationOutcome, PushRequest, PushResponse, SCHEMA_VERSION,
};
use uuid::Uuid;

use support::{server, TestServer};

const OFFICER_A: Uuid = Uuid::from_u128(0xA1);
const OFFICER_B: Uuid = Uuid::from_u128(0xB2);

fn report_id() -> ReportId {
    ReportId::new("00004", Period::quarter(2026, 3).expect("valid period")).expect("valid id")
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn edit(
    client: Uuid,
    field: FieldKey,
    content: FieldContent,
    wall_ms: i64,
    author: &str,
) -> FieldEdit {
    FieldEdit {
        report_id: report_id(),
        field,
        content,
        stamp: Stamp {
            hlc: Hlc::new(wall_ms, 0),
            client_id: client,
        },
        author: author.to_owned(),
        sent_as: None,
    }
}

async fn push(
    server: &TestServer,
    client: Uuid,
    first_seq: u64,
    changes: Vec<MutationChange>,
) -> PushResponse {
    let request = PushRequest {
        client_id: client,
        schema_version: SCHEMA_VERSION,
        mutations: changes
            .into_iter()
            .enumerate()
            .map(|(offset, change)| Mutation {
                seq: first_seq + offset as u64,
                change,
            })
            .collect(),
    };
    let (status, answer) = server.post("/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    answer
}

fn edits(list: &[FieldEdit]) -> Vec<MutationChange> {
    list.iter()
        .map(|edit| MutationChange::EditReportField { edit: edit.clone() })
        .collect()
}

async fn fields(server: &TestServer) -> (ReportStatus, ReportFields) {
    server
        .database()
        .report(&report_id())
        .await
        .expect("report read")
}

#[tokio::test]
async fn edits_in_any_order_give_the_same_report_with_the_loser_kept() {
    let base = now_ms() - 60_000;
    let a1 = edit(
        OFFICER_A,
        FieldKey::value("4.1"),
        FieldContent::Number(31.5),
        base,
        "Lan",
    );
    let b1 = edit(
        OFFICER_B,
        FieldKey::value("4.1"),
        FieldContent::Number(29.0),
        base + 1_000,
        "Minh",
    );
    let a2 = edit(
        OFFICER_A,
        FieldKey::note("4.1"),
        FieldContent::Text("Theo sổ họp".to_owned()),
        base + 2_000,
        "Lan",
    );

    let first = server().await;
    push(&first, OFFICER_A, 1, edits(&[a1.clone(), a2.clone()])).await;
    push(&first, OFFICER_B, 1, edits(std::slice::from_ref(&b1))).await;
    // Replays change nothing.
    push(&first, OFFICER_A, 1, edits(&[a1.clone(), a2.clone()])).await;

    let second = server().await;
    push(&second, OFFICER_B, 1, edits(std::slice::from_ref(&b1))).await;
    push(&second, OFFICER_A, 1, edits(&[a1.clone(), a2.clone()])).await;

    let (_, one) = fields(&first).await;
    let (_, other) = fields(&second).await;
    assert_eq!(one, other, "the order of arrival does not matter");
    let value = one.get(&FieldKey::value("4.1")).expect("value field");
    assert_eq!(
        value.winner.content,
        FieldContent::Number(29.0),
        "the later edit wins"
    );
    let conflicting: Vec<&FieldEdit> = value.conflicting().collect();
    assert_eq!(conflicting.len(), 1, "the losing value is kept");
    assert_eq!(conflicting[0].author, "Lan");
}

#[tokio::test]
async fn a_tablet_a_day_ahead_does_not_win_forever() {
    let server = server().await;
    let start = chrono::Utc::now();
    let day = 24 * 60 * 60 * 1000;
    // Officer B's clock is a day ahead, and B's client id is the larger one,
    // so nothing but the bound could let A win.
    let ahead = edit(
        OFFICER_B,
        FieldKey::value("1.1"),
        FieldContent::Number(7.0),
        start.timestamp_millis() + day,
        "Minh",
    );
    let request = |client, edit: FieldEdit| PushRequest {
        client_id: client,
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation {
            seq: 1,
            change: MutationChange::EditReportField { edit },
        }],
    };
    server
        .database()
        .push(&request(OFFICER_B, ahead), start)
        .await
        .expect("push");
    // Officer A, with a right clock, edits ten minutes later.
    let later_time = start + chrono::Duration::minutes(10);
    let later = edit(
        OFFICER_A,
        FieldKey::value("1.1"),
        FieldContent::Number(6.5),
        later_time.timestamp_millis(),
        "Lan",
    );
    server
        .database()
        .push(&request(OFFICER_A, later), later_time)
        .await
        .expect("push");
    let (_, merged) = fields(&server).await;
    let value = merged.get(&FieldKey::value("1.1")).expect("value field");
    assert_eq!(
        value.winner.content,
        FieldContent::Number(6.5),
        "the later edit wins"
    );
    assert!(
        value
            .conflicting()
            .any(|edit| edit.content == FieldContent::Number(7.0)),
        "the other is kept"
    );
}

#[tokio::test]
async fn approval_locks_the_report() {
    let server = server().await;
    let base = now_ms();
    push(
        &server,
        OFFICER_A,
        1,
        edits(&[edit(
            OFFICER_A,
            FieldKey::narrative(),
            FieldContent::Text("Tốt".to_owned()),
            base,
            "Lan",
        )]),
    )
    .await;
    let submit = MutationChange::ChangeReportStatus {
        change: ReportStatusChange {
            report_id: report_id(),
            from: ReportStatus::Draft,
            to: ReportStatus::Submitted,
        },
    };
    let approve = MutationChange::ChangeReportStatus {
        change: ReportStatusChange {
            report_id: report_id(),
            from: ReportStatus::Submitted,
            to: ReportStatus::Approved,
        },
    };
    let answer = push(&server, OFFICER_A, 2, vec![submit, approve]).await;
    assert!(
        answer
            .results
            .iter()
            .all(|result| result.outcome == MutationOutcome::Applied),
        "{answer:?}"
    );
    assert_eq!(fields(&server).await.0, ReportStatus::Approved);

    let late = edit(
        OFFICER_B,
        FieldKey::narrative(),
        FieldContent::Text("Sửa muộn".to_owned()),
        base + 1_000,
        "Minh",
    );
    let answer = push(&server, OFFICER_B, 1, edits(&[late])).await;
    assert!(
        matches!(answer.results[0].outcome, MutationOutcome::Rejected { .. }),
        "{answer:?}"
    );
    assert_eq!(
        answer.last_seq, 1,
        "a refused edit does not block the queue"
    );
    let (_, merged) = fields(&server).await;
    assert_eq!(
        merged
            .get(&FieldKey::narrative())
            .expect("narrative")
            .winner
            .content,
        FieldContent::Text("Tốt".to_owned())
    );

    // A stale status change is refused too.
    let back = MutationChange::ChangeReportStatus {
        change: ReportStatusChange {
            report_id: report_id(),
            from: ReportStatus::Draft,
            to: ReportStatus::Submitted,
        },
    };
    let answer = push(&server, OFFICER_B, 2, vec![back]).await;
    assert!(matches!(
        answer.results[0].outcome,
        MutationOutcome::Rejected { .. }
    ));

    // The town hall reads the merged report over HTTP.
    let (status, view): (_, serde_json::Value) = server
        .get(&format!("/api/v1/reports/{}", report_id()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["status"], "approved");
}

#[tokio::test]
async fn a_tablet_pulls_only_its_own_wards_reports() {
    use thamgia_core::{ChangeEntity, PullRequest, PullResponse};
    let server = server().await;
    let other_ward =
        ReportId::new("00008", Period::quarter(2026, 3).expect("valid")).expect("valid id");
    let mut elsewhere = edit(
        OFFICER_B,
        FieldKey::narrative(),
        FieldContent::Text("Phường khác".to_owned()),
        now_ms(),
        "Minh",
    );
    elsewhere.report_id = other_ward.clone();
    let here = edit(
        OFFICER_A,
        FieldKey::narrative(),
        FieldContent::Text("Ba Đình".to_owned()),
        now_ms(),
        "Lan",
    );
    push(&server, OFFICER_A, 1, edits(&[here])).await;
    push(&server, OFFICER_B, 1, edits(&[elsewhere])).await;

    let pull = |ward: Option<&str>| PullRequest {
        client_id: OFFICER_A,
        schema_version: SCHEMA_VERSION,
        cursor: 0,
        limit: 100,
        ward_code: ward.map(str::to_owned),
        acknowledged_seq: None,
        cursor_token: None,
        understands: Vec::new(),
    };
    let reports_in = |page: &PullResponse| -> Vec<String> {
        page.changes
            .iter()
            .filter_map(|change| match &change.entity {
                ChangeEntity::ReportFieldEdited { edit } => {
                    Some(edit.report_id.ward_code().to_owned())
                }
                _ => None,
            })
            .collect()
    };
    let (_, scoped): (_, PullResponse) =
        server.post("/api/v1/sync/pull", &pull(Some("00004"))).await;
    assert_eq!(reports_in(&scoped), ["00004"]);
    assert!(
        scoped
            .changes
            .iter()
            .any(|change| matches!(change.entity, ChangeEntity::Survey { .. })),
        "surveys reach every ward"
    );
    let (_, everything): (_, PullResponse) = server.post("/api/v1/sync/pull", &pull(None)).await;
    assert_eq!(reports_in(&everything), ["00004", "00008"]);
}
