//! Children's forums reach the town hall once; the authority's answer and
//! the feedback to children are tracked; overdue answers are flagged; the
//! CSV export reads back.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Days, NaiveDate, TimeZone, Utc};
use thamgia_core::forum::{
    ChildFeedback, FeedbackChannel, Forum, ParticipantCount, Recommendation, RecommendationStatus,
};
use thamgia_core::{
    AgeBand, ChangeEntity, Mutation, MutationChange, MutationOutcome, PullRequest, PullResponse,
    PushRequest, PushResponse, Sex, SCHEMA_VERSION,
};
use thamgia_server::forums::ForumView;
use thamgia_server::seed;
use thamgia_server::townhall::UTF8_BOM;
use uuid::Uuid;

use support::{server, TestServer};

const FACILITATOR: Uuid = Uuid::from_u128(0xF0);
const RECOMMENDATION: Uuid = Uuid::from_u128(0x5EC);

fn forum(held_on: NaiveDate) -> Forum {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 1, 8, 0, 0)
        .single()
        .expect("valid time");
    seed::sample_forum(
        Uuid::from_u128(0xF1),
        "00004",
        held_on,
        now,
        vec![Recommendation {
            id: RECOMMENDATION,
            text: "Lắp đèn chiếu sáng ở ngõ 12 đường đến trường".to_owned(),
            authority: "UBND phường Ba Đình".to_owned(),
            votes: 28,
        }],
    )
}

async fn push(server: &TestServer, client: Uuid, seq: u64, change: MutationChange) -> PushResponse {
    let request = PushRequest {
        client_id: client,
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation { seq, change }],
    };
    let (status, answer) = server.post("/api/v1/sync/push", &request).await;
    assert_eq!(status, StatusCode::OK);
    answer
}

async fn views(server: &TestServer) -> Vec<ForumView> {
    let (status, views) = server.get("/api/v1/forums?ward=00004").await;
    assert_eq!(status, StatusCode::OK);
    views
}

#[tokio::test]
async fn a_forum_goes_from_the_children_to_an_answer_and_back() {
    let server = server().await;
    let held_on = Utc::now().date_naive();
    let submitted = forum(held_on);
    let answer = push(
        &server,
        FACILITATOR,
        1,
        MutationChange::SubmitForum {
            forum: submitted.clone(),
        },
    )
    .await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::Applied);
    // Replayed, and sent by another tablet: stored once.
    push(
        &server,
        FACILITATOR,
        1,
        MutationChange::SubmitForum {
            forum: submitted.clone(),
        },
    )
    .await;
    let other = push(
        &server,
        Uuid::from_u128(0xF9),
        1,
        MutationChange::SubmitForum {
            forum: submitted.clone(),
        },
    )
    .await;
    assert_eq!(other.results[0].outcome, MutationOutcome::AlreadyStored);
    // The same id with other content is a conflict and changes nothing.
    let mut altered = submitted.clone();
    altered.place = "Trường THCS".to_owned();
    let conflict = push(
        &server,
        Uuid::from_u128(0xFA),
        1,
        MutationChange::SubmitForum { forum: altered },
    )
    .await;
    assert!(matches!(
        conflict.results[0].outcome,
        MutationOutcome::Conflict { .. }
    ));

    let listed = views(&server).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].forum, submitted,
        "the original is never overwritten"
    );
    assert_eq!(listed[0].report_due, held_on + Days::new(15));
    assert_eq!(
        listed[0].recommendations[0].status,
        RecommendationStatus::AwaitingAnswer
    );
    assert!(!listed[0].recommendations[0].answer_overdue);

    // The town hall records the authority's answer.
    let request = Request::post(format!("/api/v1/recommendations/{RECOMMENDATION}/answer"))
        .header("content-type", "application/json")
        .body(Body::from(format!(
            r#"{{"decision": "partly", "reasons": "Ngân sách có hạn", "actions": "Lắp 3 đèn trong quý 1", "answered_on": "{held_on}"}}"#
        )))
        .expect("request");
    let (status, _) = server.call(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        views(&server).await[0].recommendations[0].status,
        RecommendationStatus::AwaitingFeedback
    );

    // Tablets hear of the forum and of the answer.
    let pull = PullRequest {
        client_id: FACILITATOR,
        schema_version: SCHEMA_VERSION,
        cursor: 0,
        limit: 100,
        ward_code: None,
        acknowledged_seq: None,
        cursor_token: None,
        understands: Vec::new(),
    };
    let (_, page): (_, PullResponse) = server.post("/api/v1/sync/pull", &pull).await;
    assert!(page.changes.iter().any(|change| matches!(&change.entity, ChangeEntity::ForumStored { forum } if forum.id == submitted.id)));
    assert!(page.changes.iter().any(|change| matches!(&change.entity, ChangeEntity::RecommendationAnswered { answer } if answer.recommendation_id == RECOMMENDATION)));

    // The facilitator tells the children.
    let feedback = ChildFeedback {
        recommendation_id: RECOMMENDATION,
        given_on: held_on,
        channel: FeedbackChannel::School,
        note: "Đọc ở buổi chào cờ".to_owned(),
    };
    let told = push(
        &server,
        FACILITATOR,
        2,
        MutationChange::RecordFeedback {
            feedback: feedback.clone(),
        },
    )
    .await;
    assert_eq!(told.results[0].outcome, MutationOutcome::Applied);
    let listed = views(&server).await;
    assert_eq!(
        listed[0].recommendations[0].status,
        RecommendationStatus::Closed
    );
    assert_eq!(
        listed[0].recommendations[0].feedback.as_ref(),
        Some(&feedback)
    );

    // The CSV reads back, Vietnamese intact.
    let (status, body) = server
        .call(
            Request::get("/api/v1/export/forums.csv")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("UTF-8");
    assert!(text.starts_with(UTF8_BOM));
    let mut reader = csv::Reader::from_reader(text.trim_start_matches(UTF8_BOM).as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][6], "Lắp đèn chiếu sáng ở ngõ 12 đường đến trường");
    assert_eq!(&rows[0][7], "UBND phường Ba Đình");
    assert_eq!(&rows[0][10], "Chấp nhận một phần");
    assert_eq!(&rows[0][16], "Qua nhà trường");
}

#[tokio::test]
async fn incomplete_forums_are_refused_and_late_answers_flagged() {
    let server = server().await;
    let mut incomplete = forum(Utc::now().date_naive());
    incomplete.place.clear();
    let answer = push(
        &server,
        FACILITATOR,
        1,
        MutationChange::SubmitForum { forum: incomplete },
    )
    .await;
    match &answer.results[0].outcome {
        MutationOutcome::Rejected { code, message } => {
            assert_eq!(*code, thamgia_core::RefusalCode::InvalidRecord);
            assert!(message.en.contains("place"), "{}", message.en)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Feedback for a recommendation the town hall does not have is refused.
    let orphan = ChildFeedback {
        recommendation_id: Uuid::from_u128(0xDEAD),
        given_on: Utc::now().date_naive(),
        channel: FeedbackChannel::Meeting,
        note: String::new(),
    };
    let refused = push(
        &server,
        FACILITATOR,
        2,
        MutationChange::RecordFeedback { feedback: orphan },
    )
    .await;
    assert!(matches!(
        refused.results[0].outcome,
        MutationOutcome::Rejected { .. }
    ));

    // A forum held 40 days ago without an answer is overdue.
    let old = forum(Utc::now().date_naive() - Days::new(40));
    push(
        &server,
        FACILITATOR,
        3,
        MutationChange::SubmitForum { forum: old },
    )
    .await;
    assert!(views(&server).await[0].recommendations[0].answer_overdue);
    // Answering an unknown recommendation is a 404.
    let request = Request::post(format!(
        "/api/v1/recommendations/{}/answer",
        Uuid::from_u128(0xBEEF)
    ))
    .header("content-type", "application/json")
    .body(Body::from(
        r#"{"decision": "accepted", "answered_on": "2026-11-01"}"#,
    ))
    .expect("request");
    assert_eq!(server.call(request).await.0, StatusCode::NOT_FOUND);
}

/// The children aged 7 and over at Ba Đình's forums of a period, as the
/// town hall's participation reads them.
async fn forum_children(server: &TestServer, period: &str) -> u64 {
    let (status, overview): (_, thamgia_server::townhall::Overview) = server
        .get(&format!("/api/v1/townhall/overview?period={period}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let ward = overview
        .wards
        .iter()
        .find(|ward| ward.code == "00004")
        .expect("Ba Đình");
    assert_eq!(
        ward.participation.consulted_7_plus, 0,
        "a forum is no consultation by a survey"
    );
    ward.participation.forum_children_7_plus
}

#[tokio::test]
async fn the_town_hall_counts_the_children_at_a_wards_forums_of_the_period() {
    let server = server().await;
    let day = |month, day| NaiveDate::from_ymd_opt(2026, month, day).expect("a date");
    // A forum in August: 32 children aged 10 to 15, and 6 under 7.
    let mut august = forum(day(8, 10));
    august.participants.push(ParticipantCount {
        age_band: AgeBand::Under7,
        sex: Sex::Female,
        count: 6,
    });
    // Another in May, its own.
    let mut may = forum(day(5, 10));
    may.id = Uuid::from_u128(0xF2);
    may.recommendations.clear();
    for (seq, forum) in [(1, &august), (2, &may)] {
        let answer = push(
            &server,
            FACILITATOR,
            seq,
            MutationChange::SubmitForum {
                forum: forum.clone(),
            },
        )
        .await;
        assert_eq!(answer.results[0].outcome, MutationOutcome::Applied);
    }
    assert_eq!(forum_children(&server, "2026-Q3").await, 32);
    assert_eq!(forum_children(&server, "2026-Q2").await, 32);
    assert_eq!(forum_children(&server, "2026").await, 64);
    assert_eq!(forum_children(&server, "2026-Q4").await, 0);

    // August's forum corrected: 3 more girls were there. Only the
    // correction counts.
    let mut corrected = august.clone();
    corrected.id = Uuid::from_u128(0xF3);
    corrected.corrects = Some(august.id);
    corrected.recommendations.clear();
    corrected.participants[0].count += 3;
    corrected.consents_collected += 3;
    let answer = push(
        &server,
        FACILITATOR,
        3,
        MutationChange::SubmitForum { forum: corrected },
    )
    .await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::Applied);
    assert_eq!(forum_children(&server, "2026-Q3").await, 35);

    // A forum whose counts add up past what any forum holds is refused
    // with the reason, and counts nothing.
    let mut swollen = forum(day(9, 1));
    swollen.id = Uuid::from_u128(0xF4);
    swollen.recommendations.clear();
    swollen.participants[1].count = u32::MAX;
    let answer = push(
        &server,
        FACILITATOR,
        4,
        MutationChange::SubmitForum { forum: swollen },
    )
    .await;
    match &answer.results[0].outcome {
        MutationOutcome::Rejected { message, .. } => {
            assert!(message.en.contains("check the counts"), "{message:?}")
        }
        other => panic!("a swollen forum was {other:?}"),
    }
    assert_eq!(forum_children(&server, "2026-Q3").await, 35);
}
