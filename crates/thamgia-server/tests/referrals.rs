//! Referrals after a possible disclosure: a response carrying one reaches
//! its ward's officer as an open referral (a correction carries it on, it
//! is not counted twice); the officer marks it followed up, once, in the
//! audit log; another ward's officer cannot, a collector reads nothing; a
//! referral that names nobody is refused with the response. Consent
//! withdrawn deletes the answers, never the referral: it stays open (or
//! followed up) for the ward's officer.

use chrono::{TimeZone, Utc};
use thamgia_core::safeguarding::{Referral, ReferralSummary, ReferredTo};
use thamgia_core::{MutationChange, MutationOutcome, Response};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const BA_DINH: &str = "00004";
const OTHER_WARD: &str = "00008";

fn response(n: u128, ward: &str, referral: Option<Vec<ReferredTo>>) -> Response {
    let at = Utc
        .with_ymd_and_hms(2026, 9, 2, 9, 0, 0)
        .single()
        .expect("valid time");
    let survey = seed::demo_survey().expect("demo survey parses");
    let mut response = seed::sample_response(&survey, Uuid::from_u128(n), n as usize, at);
    response.ward_code = ward.to_owned();
    response.referral = referral.map(|to| Referral { to, made_at: at });
    response
}

async fn push(server: &TestServer, responses: Vec<Response>) -> Vec<MutationOutcome> {
    let token = server.city_token.clone();
    server
        .push_changes(
            &token,
            responses
                .into_iter()
                .map(|response| MutationChange::SubmitResponse { response })
                .collect(),
        )
        .await
        .results
        .into_iter()
        .map(|result| result.outcome)
        .collect()
}

async fn summary(server: &TestServer, token: &str) -> ReferralSummary {
    let (status, summary) = server.get_as(token, "/api/v1/referrals").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    summary
}

async fn follow_up(server: &TestServer, token: &str, id: Uuid) -> axum::http::StatusCode {
    server
        .post_raw_as(
            Some(token),
            &format!("/api/v1/referrals/{id}/follow-up"),
            Vec::new(),
        )
        .await
        .0
}

#[tokio::test]
async fn an_open_referral_reaches_its_ward_officer_once_and_is_followed_up_once() {
    let server = server().await;
    let first = response(1, BA_DINH, Some(vec![ReferredTo::WardOfficer]));
    let mut correction = response(
        2,
        BA_DINH,
        Some(vec![ReferredTo::WardOfficer, ReferredTo::Hotline]),
    );
    correction.corrects = Some(first.id);
    let outcomes = push(
        &server,
        vec![
            first,
            correction.clone(),
            response(3, BA_DINH, None),
            response(4, OTHER_WARD, Some(vec![ReferredTo::Hotline])),
        ],
    )
    .await;
    assert!(
        outcomes
            .iter()
            .all(|outcome| *outcome == MutationOutcome::Applied),
        "{outcomes:?}"
    );

    let officer = server.sign_in("badinh.canbo").await;
    let seen = summary(&server, &officer).await;
    assert_eq!(
        (seen.open, seen.followed_up),
        (1, 0),
        "the correction carries the referral on"
    );
    assert_eq!(seen.open_referrals.len(), 1);
    let open = &seen.open_referrals[0];
    assert_eq!(open.response_id, correction.id);
    assert_eq!(open.ward_code, BA_DINH);
    assert_eq!(open.to, vec![ReferredTo::WardOfficer, ReferredTo::Hotline]);
    assert!(
        open.survey_title.vi.contains("trường học"),
        "{:?}",
        open.survey_title
    );
    // The list carries nothing about the child.
    let json = serde_json::to_string(&seen).expect("serialises");
    for field in ["age_band", "sex", "answers", "participant"] {
        assert!(!json.contains(field), "{field} in {json}");
    }

    let city = server.city_token.clone();
    assert_eq!(
        summary(&server, &city).await.open,
        2,
        "the city sees every ward"
    );

    // Another ward's referral is not the Ba Đình officer's to close; an
    // unknown id is not found.
    let other = Uuid::from_u128(4);
    assert_eq!(
        follow_up(&server, &officer, other).await,
        axum::http::StatusCode::FORBIDDEN
    );
    assert_eq!(
        follow_up(&server, &officer, Uuid::from_u128(99)).await,
        axum::http::StatusCode::NOT_FOUND
    );
    let collector = server.sign_in("badinh").await;
    let (status, _) = server.get_raw_as(&collector, "/api/v1/referrals").await;
    assert_eq!(status, axum::http::StatusCode::FORBIDDEN);
    assert_eq!(
        follow_up(&server, &collector, correction.id).await,
        axum::http::StatusCode::FORBIDDEN
    );

    // Followed up, once; the second tap changes nothing.
    assert_eq!(
        follow_up(&server, &officer, correction.id).await,
        axum::http::StatusCode::NO_CONTENT
    );
    assert_eq!(
        follow_up(&server, &officer, correction.id).await,
        axum::http::StatusCode::NO_CONTENT
    );
    let after = summary(&server, &officer).await;
    assert_eq!((after.open, after.followed_up), (0, 1));
    assert!(after.open_referrals.is_empty());
    let logged = server
        .database()
        .audit_page(
            &thamgia_core::audit::AuditQuery {
                action: Some(thamgia_core::audit::AuditAction::ReferralFollowedUp),
                ..Default::default()
            },
            50,
        )
        .await
        .expect("audit read");
    assert_eq!(logged.entries.len(), 1, "{logged:?}");
}

#[tokio::test]
async fn a_referral_naming_nobody_is_refused_with_its_response() {
    let server = server().await;
    let outcomes = push(&server, vec![response(7, BA_DINH, Some(Vec::new()))]).await;
    match &outcomes[..] {
        [MutationOutcome::Rejected { message, .. }] => {
            assert!(message.en.contains("to whom"), "{message:?}");
        }
        other => panic!("not refused: {other:?}"),
    }
}

async fn withdraw(server: &TestServer, token: &str, id: Uuid) {
    let (status, _) = server
        .post_raw_as(
            Some(token),
            &format!("/api/v1/responses/{id}/withdraw"),
            Vec::new(),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_referral_outlives_its_responses_consent() {
    let server = server().await;
    let first = response(11, BA_DINH, Some(vec![ReferredTo::WardOfficer]));
    let mut correction = response(12, BA_DINH, Some(vec![ReferredTo::Hotline]));
    correction.corrects = Some(first.id);
    let followed = response(13, BA_DINH, Some(vec![ReferredTo::WardOfficer]));
    let outcomes = push(
        &server,
        vec![first.clone(), correction.clone(), followed.clone()],
    )
    .await;
    assert!(outcomes
        .iter()
        .all(|outcome| *outcome == MutationOutcome::Applied));
    let officer = server.sign_in("badinh.canbo").await;
    assert_eq!(
        follow_up(&server, &officer, followed.id).await,
        axum::http::StatusCode::NO_CONTENT
    );
    let before = summary(&server, &officer).await;
    assert_eq!((before.open, before.followed_up), (1, 1));

    // The family withdraws consent for both: the answers go, the
    // referrals stay, once each.
    withdraw(&server, &officer, first.id).await;
    withdraw(&server, &officer, followed.id).await;
    for id in [first.id, correction.id, followed.id] {
        assert!(server
            .database()
            .response(id)
            .await
            .expect("read")
            .is_none());
    }
    let after = summary(&server, &officer).await;
    assert_eq!((after.open, after.followed_up), (1, 1));
    assert_eq!(after.open_referrals.len(), 1);
    let open = &after.open_referrals[0];
    assert_eq!(open.response_id, correction.id, "the version counted");
    assert_eq!(open.ward_code, BA_DINH);
    assert_eq!(open.to, vec![ReferredTo::Hotline]);
    assert_eq!(
        open.made_at,
        correction.referral.as_ref().expect("made").made_at
    );
    assert!(open.survey_title.vi.contains("trường học"));
    assert_eq!(summary(&server, &server.city_token.clone()).await.open, 1);

    // Still the ward officer's to follow up, and only theirs.
    server
        .create_account(
            "khac.canbo",
            thamgia_core::account::Role::WardOfficer,
            Some(OTHER_WARD),
        )
        .await;
    let other_officer = server.sign_in("khac.canbo").await;
    assert_eq!(
        follow_up(&server, &other_officer, correction.id).await,
        axum::http::StatusCode::FORBIDDEN
    );
    assert_eq!(
        follow_up(&server, &officer, correction.id).await,
        axum::http::StatusCode::NO_CONTENT
    );
    let done = summary(&server, &officer).await;
    assert_eq!((done.open, done.followed_up), (0, 2));
}
