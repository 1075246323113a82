//! Texts and lists have bounds: a record over one is refused with a message
//! that names the text, kept aside with the reason, and the rest of the
//! batch goes on; an answer typed at the town hall gets a 400.

mod support;

use axum::http::StatusCode;
use chrono::Utc;
use thamgia_core::forum::{ChildFeedback, FeedbackChannel, Forum, ParticipantCount};
use thamgia_core::limits::{MAX_LINE_CHARS, MAX_TEXT_CHARS};
use thamgia_core::report::{FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportId, Stamp};
use thamgia_core::{
    AgeBand, ApiError, ApiErrorCode, Mutation, MutationChange, MutationOutcome, PushRequest,
    PushResponse, Sex, SCHEMA_VERSION,
};
use uuid::Uuid;

use support::server;

fn forum(id: u128, place: String) -> Forum {
    let mut forum = Forum::new(
        Uuid::from_u128(id),
        "00004",
        Utc::now().date_naive(),
        Utc::now(),
    );
    forum.place = place;
    forum.facilitators = "Cô Hoa".to_owned();
    forum.adult_supporters = 7;
    forum.consents_collected = 30;
    forum.participants = vec![ParticipantCount {
        age_band: AgeBand::From10To12,
        sex: Sex::Male,
        count: 30,
    }];
    forum.submitted = true;
    forum
}

fn rejected_message(outcome: &MutationOutcome) -> &thamgia_core::Localized {
    match outcome {
        MutationOutcome::Rejected { message, .. } => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn records_over_a_bound_are_refused_kept_aside_and_the_batch_goes_on() {
    let server = server().await;
    let report_id = ReportId::new("00004", Period::quarter(2026, 3).expect("period")).expect("id");
    let client = Uuid::new_v4();
    let long_text = "Trẻ em nói rằng ".repeat(MAX_TEXT_CHARS / 10);
    let edit = FieldEdit {
        report_id: report_id.clone(),
        field: FieldKey::narrative(),
        content: FieldContent::Text(long_text.clone()),
        stamp: Stamp {
            hlc: Hlc::new(Utc::now().timestamp_millis(), 0),
            client_id: client,
        },
        author: "Lan".to_owned(),
        sent_as: None,
    };
    let feedback = ChildFeedback {
        recommendation_id: Uuid::from_u128(0x5EC),
        given_on: Utc::now().date_naive(),
        channel: FeedbackChannel::Meeting,
        note: long_text.clone(),
    };
    let request = PushRequest {
        client_id: client,
        schema_version: SCHEMA_VERSION,
        mutations: vec![
            Mutation {
                seq: 1,
                change: MutationChange::SubmitForum {
                    forum: forum(0xF1, "Nhà văn hóa ".repeat(MAX_LINE_CHARS)),
                },
            },
            Mutation {
                seq: 2,
                change: MutationChange::EditReportField { edit },
            },
            Mutation {
                seq: 3,
                change: MutationChange::RecordFeedback { feedback },
            },
            Mutation {
                seq: 4,
                change: MutationChange::SubmitForum {
                    forum: forum(0xF2, "Nhà văn hóa tổ 5".to_owned()),
                },
            },
        ],
    };
    let (status, answer): (_, PushResponse) = server.post("/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer.last_seq, 4, "the batch went on");
    let place = rejected_message(&answer.results[0].outcome);
    assert!(
        place.vi.contains("Địa điểm quá dài") && place.en.contains("The place is too long"),
        "{place:?}"
    );
    let narrative = rejected_message(&answer.results[1].outcome);
    assert!(
        narrative.vi.contains("quá dài") && narrative.en.contains("too long"),
        "{narrative:?}"
    );
    let note = rejected_message(&answer.results[2].outcome);
    assert!(note.en.contains("feedback note is too long"), "{note:?}");
    assert!(
        !matches!(answer.results[3].outcome, MutationOutcome::Rejected { .. }),
        "{:?}",
        answer.results[3].outcome
    );
    assert_eq!(
        server.database().rejected_count().await.expect("count"),
        3,
        "every refused record is kept aside with its reason"
    );

    // A town hall officer sees them, each with its kind, ward and reason.
    let (status, kept): (_, Vec<thamgia_core::QuarantinedRecord>) =
        server.get("/api/v1/quarantine").await;
    assert_eq!(status, StatusCode::OK);
    let mut kinds: Vec<&str> = kept.iter().map(|record| record.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["edit_report_field", "record_feedback", "submit_forum"]
    );
    for record in &kept {
        assert_eq!(record.client_id, client);
        assert!(
            !record.reasons.is_empty() && record.reasons[0].en.contains("too long"),
            "{record:?}"
        );
    }
    let forum = kept
        .iter()
        .find(|record| record.kind == "submit_forum")
        .expect("the forum");
    assert_eq!(forum.ward_code.as_deref(), Some("00004"));
    assert_eq!(forum.seq, 1);
    // Its ward officer sees the ward's; a collector sees none.
    let officer = server.sign_in("badinh.canbo").await;
    let (status, of_ward): (_, Vec<thamgia_core::QuarantinedRecord>) =
        server.get_as(&officer, "/api/v1/quarantine").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(of_ward.len(), 2, "the feedback names no ward: {of_ward:?}");
    let collector = server.sign_in("badinh").await;
    let (status, _) = server.get_raw_as(&collector, "/api/v1/quarantine").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_town_hall_answer_over_the_bound_gets_a_clear_400() {
    let server = server().await;
    let body = serde_json::json!({
        "decision": "accepted",
        "reasons": "Có kinh phí. ".repeat(MAX_TEXT_CHARS),
        "actions": "Lắp đèn",
        "answered_on": "2026-11-20"
    });
    let (status, error): (_, ApiError) = server
        .post(
            &format!("/api/v1/recommendations/{}/answer", Uuid::from_u128(0x5EC)),
            &body,
        )
        .await;
    // Unknown recommendation first: 404, before the body is judged.
    assert_eq!(status, StatusCode::NOT_FOUND, "{error:?}");

    let client = Uuid::new_v4();
    let mut with_recommendation = forum(0xF3, "Nhà văn hóa tổ 5".to_owned());
    with_recommendation.recommendations = vec![thamgia_core::forum::Recommendation {
        id: Uuid::from_u128(0x5EC),
        text: "Lắp đèn ở ngõ 12".to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 20,
    }];
    let request = PushRequest {
        client_id: client,
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation {
            seq: 1,
            change: MutationChange::SubmitForum {
                forum: with_recommendation,
            },
        }],
    };
    let (status, _): (_, PushResponse) = server.post("/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    let (status, error): (_, ApiError) = server
        .post(
            &format!("/api/v1/recommendations/{}/answer", Uuid::from_u128(0x5EC)),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error.code, ApiErrorCode::Invalid);
    assert!(error.message.vi.contains("Lý do quá dài"), "{error:?}");
    assert!(
        error.message.en.contains("The reasons is too long")
            || error.message.en.contains("too long"),
        "{error:?}"
    );
}
