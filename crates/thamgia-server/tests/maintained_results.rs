//! The results the server keeps by cell equal a full recount of what it
//! stores, after any history of pushes from several tablets: new
//! responses, replays, conflicting copies, corrections (some in a later
//! quarter) and withdrawals — on SQLite and, in the PostgreSQL run, on
//! PostgreSQL. The recount is core's `survey_results` over every stored
//! response, the figures the server gave before results were maintained,
//! published with the pattern of every scope made from a recount of each
//! cell (a ward in a quarter). The server here publishes every change at
//! once; the releases in steps are `results_releases.rs`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use thamgia_core::api::results::filter_for;
use thamgia_core::report::Period;
use thamgia_core::results::figures::figures_of;
use thamgia_core::results::joint::JointPattern;
use thamgia_core::results::maintained::CellKey;
use thamgia_core::results::release::ReleaseStep;
use thamgia_core::results::{
    counted, participants_table, publish_marked_results, question_table, survey_results, Dimension,
    PublishedResults,
};
use thamgia_core::SurveyDefinition;
use thamgia_core::{MutationChange, Response};
use thamgia_server::seed;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

const SURVEY: &str = "an-toan-truong-hoc-va-vui-choi";
const WARDS: [&str; 2] = ["00004", "00008"];

/// A small deterministic generator (xorshift), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

/// An instant in 2026's first three quarters; some on Hanoi's side of a
/// quarter's edge (17:00 UTC on 31 March is 1 April there).
fn instant(rng: &mut Rng) -> DateTime<Utc> {
    if rng.next(5) == 0 {
        return Utc
            .with_ymd_and_hms(2026, 3, 31, 17, rng.next(2) as u32 * 30, 0)
            .single()
            .expect("valid")
            - Duration::minutes(15);
    }
    Utc.with_ymd_and_hms(2026, 1, 1, 1, 0, 0)
        .single()
        .expect("valid")
        + Duration::minutes(rng.next(250 * 24 * 60) as i64)
}

fn fresh(rng: &mut Rng, id: Uuid) -> Response {
    let survey = seed::demo_survey().expect("demo survey parses");
    let at = instant(rng);
    let mut response = seed::sample_response(&survey, id, rng.next(1_000) as usize, at);
    response.ward_code = WARDS[rng.next(2) as usize].to_owned();
    response
}

/// A server publishing every change at once (the results are released
/// in steps otherwise, `results_releases.rs`): the figures themselves are
/// what these tests compare.
async fn every_change() -> TestServer {
    server()
        .await
        .with_state(|state| state.results_step = ReleaseStep::EVERY_CHANGE)
}

async fn push(server: &TestServer, change: MutationChange) {
    let token = server.city_token.clone();
    server.push_changes(&token, vec![change]).await;
}

/// The pattern every scope is published with, from a recount of each
/// cell that holds a counted response.
fn recounted_pattern(
    definitions: &[SurveyDefinition],
    stored: &[Response],
    threshold: thamgia_core::results::suppression::Threshold,
) -> JointPattern {
    let cells: std::collections::BTreeSet<CellKey> = counted(stored.iter())
        .into_iter()
        .filter(|response| response.survey_id == SURVEY)
        .filter_map(CellKey::of)
        .collect();
    let figures: Vec<(CellKey, _)> = cells
        .into_iter()
        .map(|cell| {
            let filter = filter_for(Some(cell.ward.clone()), Some(cell.quarter));
            let figures = figures_of(&survey_results(definitions, stored, &filter));
            (cell, figures)
        })
        .collect();
    JointPattern::compute(
        figures
            .iter()
            .map(|(cell, figures)| (Some(cell.ward.as_str()), Some(cell.quarter), figures)),
        threshold,
    )
}

/// Compares every figure the server gives with a recount of its store.
async fn assert_recount(server: &TestServer, round: usize) {
    let database = server.database();
    let definitions = database.survey_versions(SURVEY).await.expect("versions");
    let stored = database
        .survey_responses(SURVEY, None)
        .await
        .expect("responses");
    let threshold = server.state.results_threshold;
    let pattern = recounted_pattern(&definitions, &stored, threshold);
    let periods: [Option<Period>; 4] = [
        None,
        "2026-Q1".parse().ok(),
        "2026-H1".parse().ok(),
        "2026-Q3".parse().ok(),
    ];
    let city = server.city_token.clone();
    for ward in [None, Some(WARDS[0]), Some(WARDS[1])] {
        for period in periods {
            let context = format!("round {round}, ward {ward:?}, period {period:?}");
            let filter = filter_for(ward.map(str::to_owned), period);
            let recount = survey_results(&definitions, &stored, &filter);
            let mut query = format!("/api/v1/results?survey={SURVEY}");
            if let Some(ward) = ward {
                query.push_str(&format!("&ward={ward}"));
            }
            if let Some(period) = period {
                query.push_str(&format!("&period={period}"));
            }
            let (status, served) = server.get_as::<PublishedResults>(&city, &query).await;
            assert_eq!(status, axum::http::StatusCode::OK, "{context}");
            assert_eq!(
                served,
                publish_marked_results(&recount, threshold, &pattern.marks(ward, period)),
                "{context}"
            );
            let index = server
                .state
                .results
                .current(database, SURVEY, server.state.results_step)
                .await
                .expect("index")
                .index;
            assert_eq!(
                index.participants_table(ward, period, Dimension::AgeBand, Some(Dimension::Sex)),
                participants_table(
                    &definitions,
                    &stored,
                    &filter,
                    Dimension::AgeBand,
                    Some(Dimension::Sex)
                ),
                "{context}"
            );
            for (question, split) in [
                ("feel_safe_at_school", vec![Dimension::Sex]),
                ("deep_water_nearby", vec![Dimension::Ward, Dimension::Month]),
            ] {
                assert_eq!(
                    index.question_table(ward, period, question, &split),
                    question_table(&definitions, &stored, &filter, question, &split),
                    "{context}, {question}"
                );
            }
        }
    }
}

#[tokio::test]
async fn maintained_results_equal_a_recount_after_any_history() {
    let server = every_change().await;
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut held: Vec<Response> = Vec::new();
    let mut next = 1u128;
    for round in 0..36 {
        let choice = if held.is_empty() { 0 } else { rng.next(10) };
        match choice {
            // New responses, a few at once.
            0..=3 => {
                for _ in 0..1 + rng.next(4) {
                    next += 1;
                    let response = fresh(&mut rng, Uuid::from_u128(next));
                    push(
                        &server,
                        MutationChange::SubmitResponse {
                            response: response.clone(),
                        },
                    )
                    .await;
                    held.push(response);
                }
            }
            // A replay from another install.
            4 => {
                let response = held[rng.next(held.len() as u64) as usize].clone();
                push(&server, MutationChange::SubmitResponse { response }).await;
            }
            // Another copy under a held id: kept aside as a conflict.
            5 => {
                let id = held[rng.next(held.len() as u64) as usize].id;
                let copy = fresh(&mut rng, id);
                push(&server, MutationChange::SubmitResponse { response: copy }).await;
            }
            // A correction, sometimes a quarter later.
            6..=7 => {
                let original = held[rng.next(held.len() as u64) as usize].clone();
                next += 1;
                let mut correction = fresh(&mut rng, Uuid::from_u128(next));
                correction.ward_code = original.ward_code.clone();
                correction.corrects = Some(original.id);
                correction.created_at =
                    original.created_at + Duration::minutes(1 + rng.next(100 * 24 * 60) as i64);
                correction.updated_at = correction.created_at;
                push(
                    &server,
                    MutationChange::SubmitResponse {
                        response: correction.clone(),
                    },
                )
                .await;
                held.push(correction);
            }
            // A withdrawal: the child's chain leaves.
            _ => {
                let id = held[rng.next(held.len() as u64) as usize].id;
                push(
                    &server,
                    MutationChange::WithdrawResponse {
                        response_id: id,
                        withdrawn_at: Utc::now(),
                    },
                )
                .await;
            }
        }
        if rng.next(3) == 0 || round == 35 {
            assert_recount(&server, round).await;
        }
    }
    let counted = server
        .database()
        .counted_response_count()
        .await
        .expect("count");
    assert!(counted > 10, "the history counted {counted} responses");
}

#[tokio::test]
async fn responses_stored_before_cells_existed_are_placed_at_start() {
    let server = every_change().await;
    let mut rng = Rng(99);
    for n in 0..8u128 {
        let response = fresh(&mut rng, Uuid::from_u128(1_000 + n));
        push(&server, MutationChange::SubmitResponse { response }).await;
    }
    // Read once, so the server holds every cell.
    assert_recount(&server, 0).await;
    // As a database migrated from before: no response has a quarter.
    let database = server.database();
    database.reset_results_cells().await.expect("forgotten");
    assert_eq!(database.backfill_results_cells().await.expect("placed"), 8);
    assert_recount(&server, 1).await;
    // A withdrawal after: the placed cells keep counting right.
    push(
        &server,
        MutationChange::WithdrawResponse {
            response_id: Uuid::from_u128(1_003),
            withdrawn_at: Utc::now(),
        },
    )
    .await;
    assert_recount(&server, 2).await;
}
