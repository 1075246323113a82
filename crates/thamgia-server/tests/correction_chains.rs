//! A child's response and its corrections are one chain: it counts once, as
//! its newest version, and a withdrawal of consent takes every version.

use chrono::{Duration, TimeZone, Utc};
use thamgia_core::{ChangeEntity, MutationChange, MutationOutcome, PullResponse, Response};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

/// A valid completed response to the demo survey, made `minutes` after a
/// fixed time.
fn response(n: u128, minutes: i64) -> Response {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .expect("valid time")
        + Duration::minutes(minutes);
    let survey = seed::demo_survey().expect("demo survey parses");
    seed::sample_response(&survey, Uuid::from_u128(n), 1, at)
}

fn correction_of(original: &Response, n: u128, minutes: i64) -> Response {
    let mut correction = response(n, minutes);
    correction.corrects = Some(original.id);
    correction
}

fn submit(response: &Response) -> MutationChange {
    MutationChange::SubmitResponse {
        response: response.clone(),
    }
}

async fn counted(server: &TestServer) -> u64 {
    server
        .database()
        .counted_response_count()
        .await
        .expect("count")
}

#[tokio::test]
async fn a_response_corrected_twice_counts_once_as_its_newest_version() {
    let server = server().await;
    let token = server.city_token.clone();
    let original = response(1, 0);
    // Two tablets each corrected the original (both were offline).
    let first = correction_of(&original, 2, 10);
    let second = correction_of(&original, 3, 20);
    let answer = server
        .push_changes(
            &token,
            vec![submit(&original), submit(&second), submit(&first)],
        )
        .await;
    assert!(answer
        .results
        .iter()
        .all(|result| result.outcome == MutationOutcome::Applied));
    assert_eq!(server.database().response_count().await.expect("count"), 3);
    assert_eq!(counted(&server).await, 1, "the child is counted once");
    // The one counted is the newest: the export marks the others.
    let newest = server.database().counted_ids().await.expect("ids");
    assert_eq!(newest, vec![second.id]);
}

#[tokio::test]
async fn a_correction_of_a_correction_counts_once() {
    let server = server().await;
    let token = server.city_token.clone();
    let original = response(11, 0);
    let first = correction_of(&original, 12, 10);
    let second = correction_of(&first, 13, 20);
    server
        .push_changes(&token, vec![submit(&original), submit(&first)])
        .await;
    server.push_changes(&token, vec![submit(&second)]).await;
    assert_eq!(counted(&server).await, 1);
    assert_eq!(
        server.database().counted_ids().await.expect("ids"),
        vec![second.id]
    );
}

#[tokio::test]
async fn withdrawing_any_version_takes_every_version_of_the_child() {
    let server = server().await;
    let token = server.city_token.clone();
    let original = response(21, 0);
    let correction = correction_of(&original, 22, 10);
    let other_child = response(23, 5);
    server
        .push_changes(
            &token,
            vec![submit(&original), submit(&correction), submit(&other_child)],
        )
        .await;
    assert_eq!(counted(&server).await, 2);

    // The guardian withdraws consent for the response as first recorded.
    let answer = server
        .push_changes(
            &token,
            vec![MutationChange::WithdrawResponse {
                response_id: original.id,
                withdrawn_at: Utc::now(),
            }],
        )
        .await;
    assert_eq!(answer.results[0].outcome, MutationOutcome::Withdrawn);
    assert_eq!(counted(&server).await, 1, "only the other child counts");
    assert_eq!(
        server.database().response_count().await.expect("count"),
        1,
        "no version of the child's answers is kept"
    );
    for id in [original.id, correction.id] {
        assert!(server.database().is_withdrawn(id).await.expect("read"));
    }
    // Every tablet is told to delete both versions.
    let (_, page): (_, PullResponse) = server
        .post_as(
            &token,
            "/api/v1/sync/pull",
            &thamgia_core::PullRequest {
                client_id: Uuid::from_u128(0xF),
                schema_version: thamgia_core::SCHEMA_VERSION,
                cursor: 0,
                limit: 200,
                ward_code: None,
                acknowledged_seq: None,
                cursor_token: None,
                understands: Vec::new(),
            },
        )
        .await;
    for id in [original.id, correction.id] {
        assert!(
            page.changes
                .iter()
                .any(|change| change.entity == ChangeEntity::ResponseWithdrawn { response_id: id }),
            "{id} withdrawn for every tablet"
        );
    }
    // A copy of the correction sent again later is not stored.
    let again = server.push_changes(&token, vec![submit(&correction)]).await;
    assert_eq!(again.results[0].outcome, MutationOutcome::Withdrawn);
    assert_eq!(counted(&server).await, 1);
}

#[tokio::test]
async fn withdrawing_the_newest_version_takes_the_original_too() {
    let server = server().await;
    let token = server.city_token.clone();
    let original = response(31, 0);
    let correction = correction_of(&original, 32, 10);
    server
        .push_changes(&token, vec![submit(&original), submit(&correction)])
        .await;
    server
        .push_changes(
            &token,
            vec![MutationChange::WithdrawResponse {
                response_id: correction.id,
                withdrawn_at: Utc::now(),
            }],
        )
        .await;
    assert_eq!(server.database().response_count().await.expect("count"), 0);
    assert!(server
        .database()
        .is_withdrawn(original.id)
        .await
        .expect("read"));
}
