//! The responses export streams page by page: a survey of several pages
//! comes out whole, in the order received, each response once, with no
//! page boundary losing or repeating a row; and while officers export at
//! once, a tablet's push and pull keep being answered (heavy reads take
//! at most the pool's connections less those kept for the sync).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use thamgia_core::{MutationChange, PullRequest, SCHEMA_VERSION};
use thamgia_server::seed;
use thamgia_server::townhall::UTF8_BOM;
use uuid::Uuid;

mod support;

use support::{server, TestServer};

/// More than two pages of the export (a page is 1,000 responses).
const RESPONSES: u32 = 2_345;

async fn fill(server: &TestServer, token: &str) {
    let survey = seed::demo_survey().expect("demo survey");
    let start = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("a time");
    let mut next = 0_u32;
    while next < RESPONSES {
        let batch: Vec<MutationChange> = (next..(next + 500).min(RESPONSES))
            .map(|n| MutationChange::SubmitResponse {
                response: seed::sample_response(
                    &survey,
                    Uuid::from_u128(0xE000_0000 + u128::from(n)),
                    n as usize,
                    start + chrono::Duration::seconds(i64::from(n)),
                ),
            })
            .collect();
        next += batch.len() as u32;
        let answer = server.push_changes(token, batch).await;
        assert!(answer
            .results
            .iter()
            .all(|result| result.outcome == thamgia_core::MutationOutcome::Applied));
    }
}

async fn export(server: &TestServer, survey: &str) -> (StatusCode, String) {
    let request = Request::get(format!("/api/v1/export/responses.csv?survey={survey}"))
        .body(Body::empty())
        .expect("request");
    let (status, body) = server.call(request).await;
    (status, String::from_utf8(body).expect("UTF-8"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_export_of_several_pages_is_whole_and_tablets_are_served_meanwhile() {
    let server = std::sync::Arc::new(server().await);
    // The city officer's token pushes for every ward the sample spans.
    let tablet = server.city_token.clone();
    fill(&server, &tablet).await;
    let survey = seed::demo_survey().expect("demo survey").id;

    let (status, csv_text) = export(&server, &survey).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv_text.starts_with(UTF8_BOM));
    assert_eq!(
        csv_text.matches(UTF8_BOM).count(),
        1,
        "one mark, at the start"
    );
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches(UTF8_BOM).as_bytes());
    let header = reader.headers().expect("a header").clone();
    let id = header.iter().position(|name| name == "id").expect("id");
    let received = header
        .iter()
        .position(|name| name == "received_at")
        .expect("received_at");
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("rows read");
    assert_eq!(rows.len(), RESPONSES as usize, "every response");
    let ids: HashSet<&str> = rows.iter().map(|row| &row[id]).collect();
    assert_eq!(ids.len(), rows.len(), "each once");
    let order: Vec<(&str, &str)> = rows.iter().map(|row| (&row[received], &row[id])).collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted, "in the order received");

    // Six officers export at once while a tablet pushes and pulls: every
    // sync request is answered, none with a server error.
    let exports: Vec<_> = (0..6)
        .map(|_| {
            let server = std::sync::Arc::clone(&server);
            let survey = survey.clone();
            tokio::spawn(async move { export(&server, &survey).await })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for round in 0..10_u32 {
        let started = Instant::now();
        let survey_definition = seed::demo_survey().expect("demo survey");
        let answer = server
            .push_changes(
                &tablet,
                vec![MutationChange::SubmitResponse {
                    response: seed::sample_response(
                        &survey_definition,
                        Uuid::from_u128(0xF000_0000 + u128::from(round)),
                        round as usize,
                        Utc::now(),
                    ),
                }],
            )
            .await;
        assert_eq!(
            answer.results[0].outcome,
            thamgia_core::MutationOutcome::Applied
        );
        let pull = PullRequest {
            client_id: Uuid::from_u128(0xB),
            schema_version: SCHEMA_VERSION,
            cursor: 0,
            limit: 50,
            ward_code: Some("00004".to_owned()),
            acknowledged_seq: None,
            cursor_token: None,
            understands: Vec::new(),
        };
        let (status, _): (_, serde_json::Value) =
            server.post_as(&tablet, "/api/v1/sync/pull", &pull).await;
        assert_eq!(status, StatusCode::OK, "a pull while officers export");
        slowest = slowest.max(started.elapsed());
    }
    for export in exports {
        let (status, text) = export.await.expect("an export ran");
        assert_eq!(status, StatusCode::OK);
        assert!(text.lines().count() > RESPONSES as usize);
    }
    println!("slowest push and pull while six officers exported: {slowest:?}");
}

/// The export asked for compressed, as a browser asks: the compression
/// layer reads the stream to its end (and once more), and the whole file
/// comes out.
#[tokio::test]
async fn a_compressed_export_reads_to_its_end() {
    let server = server().await;
    let token = server.city_token.clone();
    let survey = seed::demo_survey().expect("demo survey");
    let answer = server
        .push_changes(
            &token,
            (0..3)
                .map(|n| MutationChange::SubmitResponse {
                    response: seed::sample_response(
                        &survey,
                        Uuid::from_u128(0xD000 + n),
                        n as usize,
                        Utc::now(),
                    ),
                })
                .collect(),
        )
        .await;
    assert_eq!(answer.results.len(), 3);
    let request = Request::get(format!("/api/v1/export/responses.csv?survey={}", survey.id))
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .expect("request");
    let (status, body) = server.call(request).await;
    assert_eq!(status, StatusCode::OK);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut text)
        .expect("a whole gzip stream");
    assert!(text.starts_with(UTF8_BOM));
    assert_eq!(
        text.lines().count(),
        4,
        "the header and three rows:\n{text}"
    );
}
