//! A refused response accepted afterwards by an officer of its ward: a
//! collector of another ward sent Ba Đình's answers, the server kept them
//! aside; Ba Đình's officer accepts them and they count, once, however
//! often they are sent again; another ward's officer and a collector
//! cannot; a response a rule still refuses stays aside, with the reason.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use thamgia_core::account::Role;
use thamgia_core::audit::{AuditAction, AuditQuery};
use thamgia_core::{
    ApiError, ChangeEntity, MutationChange, MutationOutcome, PullRequest, PullResponse,
    QuarantinedRecord, Response, SCHEMA_VERSION,
};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const BA_DINH: &str = "00004";
const OTHER_WARD: &str = "00008";

/// Response `n` of `ward`, answering a question the survey does not
/// have: refused and kept aside.
fn refused(n: u128, ward: &str) -> Response {
    let mut response = response(n);
    response.ward_code = ward.to_owned();
    response.answers.insert(
        "not_in_the_survey".to_owned(),
        thamgia_core::AnswerValue::YesNo(true),
    );
    response
}

fn response(n: u128) -> Response {
    let at = Utc
        .with_ymd_and_hms(2026, 9, 3, 9, 0, 0)
        .single()
        .expect("valid time");
    let survey = seed::demo_survey().expect("demo survey parses");
    let mut response = seed::sample_response(&survey, Uuid::from_u128(n), n as usize, at);
    response.ward_code = BA_DINH.to_owned();
    response
}

async fn listed(server: &TestServer) -> Vec<QuarantinedRecord> {
    let (status, records) = server
        .get_as(&server.city_token.clone(), "/api/v1/quarantine")
        .await;
    assert_eq!(status, StatusCode::OK);
    records
}

async fn release(
    server: &TestServer,
    token: &str,
    record: &QuarantinedRecord,
) -> (StatusCode, Vec<u8>) {
    server
        .post_raw_as(
            Some(token),
            &format!(
                "/api/v1/quarantine/{}/{}/release",
                record.client_id, record.seq
            ),
            Vec::new(),
        )
        .await
}

#[tokio::test]
async fn an_officer_of_its_ward_accepts_a_refused_response_and_it_counts_once() {
    let server = server().await;
    server
        .create_account("khac.thuthap", Role::Collector, Some(OTHER_WARD))
        .await;
    server
        .create_account("khac.canbo", Role::WardOfficer, Some(OTHER_WARD))
        .await;
    let moved = server.sign_in("khac.thuthap").await;
    let child = response(1);
    let mut no_consent = response(2);
    no_consent.consent.guardian_consent = None;
    let answer = server
        .push_changes(
            &moved,
            vec![
                MutationChange::SubmitResponse {
                    response: child.clone(),
                },
                MutationChange::SubmitResponse {
                    response: no_consent.clone(),
                },
            ],
        )
        .await;
    assert!(answer
        .results
        .iter()
        .all(|result| matches!(result.outcome, MutationOutcome::Rejected { .. })));
    assert_eq!(server.database().response_count().await.expect("count"), 0);
    let records = listed(&server).await;
    assert_eq!(records.len(), 2);
    let find = |records: &[QuarantinedRecord], id: Uuid| {
        records
            .iter()
            .find(|record| record.record_id == id.to_string())
            .cloned()
            .expect("listed")
    };
    let refused = find(&records, child.id);

    // Not another ward's officer's, nor a collector's, to accept.
    let other_officer = server.sign_in("khac.canbo").await;
    assert_eq!(
        release(&server, &other_officer, &refused).await.0,
        StatusCode::FORBIDDEN
    );
    let collector = server.sign_in("badinh").await;
    assert_eq!(
        release(&server, &collector, &refused).await.0,
        StatusCode::FORBIDDEN
    );

    // Ba Đình's officer accepts it: kept, counted, off the list, logged.
    let officer = server.sign_in("badinh.canbo").await;
    let (status, body) = release(&server, &officer, &refused).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let outcome: MutationOutcome = serde_json::from_slice(&body).expect("an outcome");
    assert_eq!(outcome, MutationOutcome::Applied);
    let stored = server
        .database()
        .response(child.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(stored.response, child);
    assert_eq!(
        server
            .database()
            .counted_response_count()
            .await
            .expect("count"),
        1
    );
    let left = listed(&server).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].record_id, no_consent.id.to_string());
    let logged = server
        .database()
        .audit_page(
            &AuditQuery {
                action: Some(AuditAction::RecordReleased),
                ..Default::default()
            },
            50,
        )
        .await
        .expect("audit read");
    assert_eq!(logged.entries.len(), 1);
    let entry = &logged.entries[0];
    assert_eq!(entry.actor.as_deref(), Some("badinh.canbo"));
    assert_eq!(entry.ward_code.as_deref(), Some(BA_DINH));
    assert_eq!(entry.target, child.id.to_string());
    assert_eq!(entry.detail, "outcome=kept");
    assert_eq!(
        release(&server, &officer, &refused).await.0,
        StatusCode::NOT_FOUND,
        "accepted once"
    );

    // A rule still refuses the one without the guardian's consent.
    let (status, body) = release(&server, &officer, &find(&left, no_consent.id)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: ApiError = serde_json::from_slice(&body).expect("an error");
    assert!(
        error.message.en.starts_with("Still refused: "),
        "{}",
        error.message.en
    );
    assert_eq!(listed(&server).await.len(), 1);

    // The tablet sends it again under a new numbering: refused again for
    // its sender, accepted again, still counted once.
    let again = server
        .push_changes(
            &moved,
            vec![MutationChange::SubmitResponse {
                response: child.clone(),
            }],
        )
        .await;
    assert!(matches!(
        again.results[0].outcome,
        MutationOutcome::Rejected { .. }
    ));
    let records = listed(&server).await;
    let sent_again = find(&records, child.id);
    let (status, body) = release(&server, &officer, &sent_again).await;
    assert_eq!(status, StatusCode::OK);
    let outcome: MutationOutcome = serde_json::from_slice(&body).expect("an outcome");
    assert_eq!(outcome, MutationOutcome::AlreadyStored);
    assert_eq!(
        server
            .database()
            .counted_response_count()
            .await
            .expect("count"),
        1
    );
    assert_eq!(listed(&server).await.len(), 1);
}

/// The changes a tablet of the other ward pulls from the start, naming
/// the later kinds it understands.
async fn pulled(server: &TestServer, token: &str, understands: Vec<String>) -> Vec<ChangeEntity> {
    let request = PullRequest {
        client_id: Uuid::from_u128(77),
        schema_version: SCHEMA_VERSION,
        cursor: 0,
        limit: 500,
        ward_code: Some(OTHER_WARD.to_owned()),
        acknowledged_seq: None,
        cursor_token: None,
        understands,
    };
    let (status, page): (_, PullResponse) =
        server.post_as(token, "/api/v1/sync/pull", &request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.has_more && !page.reset_required);
    page.changes
        .into_iter()
        .map(|change| change.entity)
        .collect()
}

#[tokio::test]
async fn the_tablet_that_sent_an_accepted_response_pulls_that_it_was_accepted() {
    let server = server().await;
    server
        .create_account("khac.thuthap", Role::Collector, Some(OTHER_WARD))
        .await;
    let moved = server.sign_in("khac.thuthap").await;
    let child = response(3);
    server
        .push_changes(
            &moved,
            vec![MutationChange::SubmitResponse {
                response: child.clone(),
            }],
        )
        .await;
    let accepted = ChangeEntity::ResponseAccepted {
        response_id: child.id,
    };
    let understood = thamgia_core::protocol::understood_change_kinds();
    assert!(!pulled(&server, &moved, understood.clone())
        .await
        .contains(&accepted));

    let officer = server.sign_in("badinh.canbo").await;
    let refused = listed(&server).await.remove(0);
    assert_eq!(release(&server, &officer, &refused).await.0, StatusCode::OK);

    // The sender's tablet, of another ward, is told; once.
    let changes = pulled(&server, &moved, understood).await;
    assert_eq!(
        changes.iter().filter(|change| **change == accepted).count(),
        1
    );
    // An app from before the kind existed is not sent it (it would refuse
    // the page), and its pulls go on.
    let old_app = pulled(&server, &moved, Vec::new()).await;
    assert!(!old_app.contains(&accepted));
    assert_eq!(old_app.len() + 1, changes.len());
}

/// The refused records list reads page by page, newest first: a record
/// sent again is listed once (so a page of duplicates leads to the next
/// page), a ward's officer gets that ward's, and never more than asked.
#[tokio::test]
async fn the_refused_records_list_reads_newest_first_page_by_page() {
    let server = server().await;
    let database = &server.state.database;
    let start = Utc
        .with_ymd_and_hms(2026, 9, 3, 9, 0, 0)
        .single()
        .expect("valid time");
    let push = |client: u128, seq: u64, response: Response, minutes: i64| {
        let request = thamgia_core::PushRequest {
            client_id: Uuid::from_u128(client),
            schema_version: SCHEMA_VERSION,
            mutations: vec![thamgia_core::Mutation {
                seq,
                change: MutationChange::SubmitResponse { response },
            }],
        };
        async move {
            let answer = database
                .push(&request, start + chrono::Duration::minutes(minutes))
                .await
                .expect("push");
            assert!(
                matches!(answer.results[0].outcome, MutationOutcome::Rejected { .. }),
                "{answer:?}"
            );
        }
    };
    for n in 1..=5 {
        push(0xA, n as u64, refused(n, BA_DINH), n as i64).await;
    }
    push(0xB, 1, refused(6, OTHER_WARD), 3).await;
    // The newest, sent again by another tablet.
    push(0xC, 1, refused(5, BA_DINH), 10).await;

    let ids = |records: Vec<QuarantinedRecord>| -> Vec<String> {
        records.into_iter().map(|record| record.record_id).collect()
    };
    let id = |n: u128| Uuid::from_u128(n).to_string();
    assert_eq!(
        ids(database.quarantined(None, 2).await.expect("list")),
        [id(5), id(4)]
    );
    assert_eq!(
        ids(database.quarantined(None, 10).await.expect("list")),
        [id(5), id(4), id(3), id(6), id(2), id(1)]
    );
    assert_eq!(
        ids(database.quarantined(Some(BA_DINH), 10).await.expect("list")),
        [id(5), id(4), id(3), id(2), id(1)]
    );
    assert_eq!(
        ids(database
            .quarantined(Some(OTHER_WARD), 10)
            .await
            .expect("list")),
        [id(6)]
    );
    assert_eq!(
        ids(database
            .quarantined(Some(OTHER_WARD), 1)
            .await
            .expect("list")),
        [id(6)]
    );
}

/// Rows kept aside before refused records had a kind and a ward of their
/// own (migration 0011) say their ward only in the record. A ward's list
/// reads them beside its own rows, newest first among them, and another
/// ward's list leaves them out.
#[tokio::test]
async fn a_wards_refused_records_include_those_kept_before_wards_had_columns() {
    use sqlx::{AnyConnection, Connection};

    let server = server().await;
    let database = server.database();
    let start = Utc
        .with_ymd_and_hms(2026, 9, 3, 9, 0, 0)
        .single()
        .expect("valid time");
    let at = |minutes: i64| start + chrono::Duration::minutes(minutes);
    // Refused through the push path, as today.
    for (client, n, ward, minutes) in [(0xA, 1, BA_DINH, 1), (0xB, 2, OTHER_WARD, 2)] {
        let request = thamgia_core::PushRequest {
            client_id: Uuid::from_u128(client),
            schema_version: SCHEMA_VERSION,
            mutations: vec![thamgia_core::Mutation {
                seq: 1,
                change: MutationChange::SubmitResponse {
                    response: refused(n, ward),
                },
            }],
        };
        let answer = database.push(&request, at(minutes)).await.expect("push");
        assert!(
            matches!(answer.results[0].outcome, MutationOutcome::Rejected { .. }),
            "{answer:?}"
        );
    }
    // Kept by earlier releases, as migration 0011 left them (no kind, no
    // ward): a bare response of Ba Đình, then a mutation of the other ward.
    let reasons = serde_json::to_string(&[thamgia_core::Localized::new(
        "Câu hỏi không có trong khảo sát.",
        "A question is not in the survey.",
    )])
    .expect("reasons");
    let kept_before = [
        (
            1,
            serde_json::to_string(&refused(3, BA_DINH)).expect("a response"),
            3,
            3,
        ),
        (
            2,
            serde_json::to_string(&MutationChange::SubmitResponse {
                response: refused(4, OTHER_WARD),
            })
            .expect("a mutation"),
            4,
            4,
        ),
    ];
    let mut raw = AnyConnection::connect(&server.store_url())
        .await
        .expect("a connection of its own");
    for (seq, payload, n, minutes) in kept_before {
        sqlx::query(
            "INSERT INTO rejected_mutations (client_id, seq, payload, reasons, received_at,
                 record_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::from_u128(0xD).to_string())
        .bind(seq)
        .bind(payload)
        .bind(reasons.as_str())
        .bind(at(minutes).to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .bind(Uuid::from_u128(n).to_string())
        .execute(&mut raw)
        .await
        .expect("kept as before");
    }

    let listed = |records: Vec<QuarantinedRecord>| -> Vec<(String, Option<String>)> {
        records
            .into_iter()
            .map(|record| (record.record_id, record.ward_code))
            .collect()
    };
    let id = |n: u128| Uuid::from_u128(n).to_string();
    let ba_dinh = Some(BA_DINH.to_owned());
    let other = Some(OTHER_WARD.to_owned());
    assert_eq!(
        listed(database.quarantined(Some(BA_DINH), 10).await.expect("list")),
        [(id(3), ba_dinh.clone()), (id(1), ba_dinh.clone())]
    );
    assert_eq!(
        listed(database.quarantined(Some(BA_DINH), 1).await.expect("list")),
        [(id(3), ba_dinh.clone())]
    );
    assert_eq!(
        listed(
            database
                .quarantined(Some(OTHER_WARD), 10)
                .await
                .expect("list")
        ),
        [(id(4), other.clone()), (id(2), other.clone())]
    );
    assert_eq!(
        listed(database.quarantined(None, 10).await.expect("list")),
        [
            (id(4), other.clone()),
            (id(3), ba_dinh.clone()),
            (id(2), other),
            (id(1), ba_dinh),
        ]
    );
}
