//! Consent withdrawn through the ward, by the reference the worker gave the
//! family: an officer finds the responses of the wards they reach under
//! it (nothing of the answers), a collector finds nothing, a reference
//! that is not one is refused with a message, and the response withdrawn
//! is gone from the lookup and from the town hall.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use thamgia_core::response::{reference, ReferencedResponse};
use thamgia_core::{ApiError, MutationChange, MutationOutcome, Response};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const BA_DINH: &str = "00004";
const OTHER_WARD: &str = "00008";

fn response(id: &str, ward: &str) -> Response {
    // 23:30 UTC on 1 September is 2 September in Hanoi.
    let at = Utc
        .with_ymd_and_hms(2026, 9, 1, 23, 30, 0)
        .single()
        .expect("valid time");
    let survey = seed::demo_survey().expect("demo survey parses");
    let mut response = seed::sample_response(&survey, id.parse().expect("an id"), 3, at);
    response.ward_code = ward.to_owned();
    response
}

async fn look_up(server: &TestServer, token: &str, typed: &str) -> (StatusCode, Vec<u8>) {
    server
        .get_raw_as(token, &format!("/api/v1/responses/by-reference/{typed}"))
        .await
}

async fn found(server: &TestServer, token: &str, typed: &str) -> Vec<ReferencedResponse> {
    let (status, body) = look_up(server, token, typed).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("a list")
}

#[tokio::test]
async fn an_officer_finds_a_response_by_its_reference_and_withdraws_it() {
    let server = server().await;
    let ours = response("3f2a91c0-5b7d-4e1f-8a2b-1c3d5e7f9a0b", BA_DINH);
    let theirs = response("3f2a91c0-0000-4e1f-8a2b-1c3d5e7f9a0b", OTHER_WARD);
    let unrelated = response("3f2a91c1-5b7d-4e1f-8a2b-1c3d5e7f9a0b", BA_DINH);
    let city = server.city_token.clone();
    let outcomes = server
        .push_changes(
            &city,
            [&ours, &theirs, &unrelated]
                .into_iter()
                .map(|response| MutationChange::SubmitResponse {
                    response: response.clone(),
                })
                .collect(),
        )
        .await;
    assert!(outcomes
        .results
        .iter()
        .all(|result| result.outcome == MutationOutcome::Applied));
    let typed = reference(ours.id);
    assert_eq!(typed, "3F2A-91C0");

    // The city sees both wards' responses under it, nothing of the answers.
    let listed = found(&server, &city, &typed).await;
    let ids: Vec<Uuid> = listed.iter().map(|found| found.id).collect();
    assert_eq!(ids, [theirs.id, ours.id]);
    let ours_listed = &listed[1];
    assert_eq!(ours_listed.ward_code, BA_DINH);
    assert_eq!(ours_listed.day, "2026-09-02");
    assert_eq!(ours_listed.age_band, ours.participant.age_band);
    assert!(ours_listed.age_band.is_some());
    assert_eq!(ours_listed.sex, ours.participant.sex);
    assert_eq!(
        ours_listed.survey_title.vi,
        seed::demo_survey().expect("survey").title.vi
    );
    let body = look_up(&server, &city, "3f2a-91c0").await.1;
    assert!(
        !String::from_utf8_lossy(&body).contains("answers"),
        "no answer is sent"
    );

    // The ward's officer sees their ward's only; a collector nothing.
    let officer = server.sign_in("badinh.canbo").await;
    let listed = found(&server, &officer, "3f2a91c0").await;
    assert_eq!(
        listed.iter().map(|found| found.id).collect::<Vec<_>>(),
        [ours.id]
    );
    let collector = server.sign_in("badinh").await;
    assert_eq!(
        look_up(&server, &collector, &typed).await.0,
        StatusCode::FORBIDDEN
    );

    // Not a reference: a message says what one is.
    let long = "A".repeat(5_000);
    for typed in ["3F2A-91C", "XYZW-1234", long.as_str()] {
        let (status, body) = look_up(&server, &officer, typed).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{typed}");
        let error: ApiError = serde_json::from_slice(&body).expect("an error");
        assert!(
            error.message.en.contains("8 digits"),
            "{}",
            error.message.en
        );
        assert!(body.len() < 1024);
    }

    // Withdrawn by the ward's officer: gone from the lookup and the counts.
    let (status, _) = server
        .post_raw_as(
            Some(&officer),
            &format!("/api/v1/responses/{}/withdraw", ours.id),
            Vec::new(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(found(&server, &officer, &typed).await.is_empty());
    assert!(server.database().is_withdrawn(ours.id).await.expect("read"));
    assert_eq!(found(&server, &city, &typed).await.len(), 1);
    assert_eq!(server.database().response_count().await.expect("count"), 2);
}
