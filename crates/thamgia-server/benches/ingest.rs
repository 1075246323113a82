//! `cargo xtask bench`: prints the server's ingest rate (the apps' first
//! load is `first_load.rs`). Figures only; nothing here passes or fails on
//! time.
//!
//! 1. Ingest: 40,000 valid responses to the demo survey pushed over HTTP on
//!    loopback in batches of 500 by 4 simulated tablets at once, into a
//!    fresh SQLite file (WAL, synchronous=FULL), then, when
//!    `THAMGIA_BENCH_POSTGRES_URL` names a PostgreSQL server where a
//!    database may be created (`cargo xtask bench` starts one), into a
//!    fresh database there behind a second server: responses per second,
//!    and bytes stored per response (the store's size after the pushes
//!    less its size before: SQLite's pages once the WAL is checkpointed,
//!    PostgreSQL's `pg_database_size`), each beside its goal.
//! 2. Results: the time `GET /results` takes over those responses (the
//!    whole city, and one ward), as a ward officer's and a city officer's
//!    page asks it: p50 and p95 of 20 requests each. The results are
//!    computed from every response at each request for now.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Result};
use chrono::{Duration, TimeZone, Utc};
use thamgia_core::{
    Mutation, MutationChange, MutationOutcome, PushRequest, PushResponse, Response,
    SurveyDefinition, SCHEMA_VERSION,
};
use thamgia_server::{seed, Database, ServerConfig};
use uuid::Uuid;

/// The server binary's allocator (`src/main.rs`), so the server in this
/// process allocates as a town hall's does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common/in_process.rs"]
mod in_process;
#[path = "common/throwaway_postgres.rs"]
mod throwaway_postgres;

use in_process::InProcessServer;
use throwaway_postgres::ThrowawayDatabase;

const RESPONSES: usize = 40_000;
const BATCH: usize = 500;
const TABLETS: usize = 4;

/// The goals, printed beside the figures.
const SQLITE_RATE_GOAL: &str = "goal ≥ 30,000/s";
const POSTGRES_RATE_GOAL: &str = "goal ≥ 10,000/s";
const STORED_GOAL: &str = "goal ≤ 1.5 KB";

#[tokio::main]
async fn main() -> Result<()> {
    let dist = std::env::var_os("THAMGIA_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist"));
    if !dist.join("index.html").exists() {
        bail!(
            "{} has no index.html: run `cargo xtask bench`, which builds the app first",
            dist.display()
        );
    }
    let directory = tempfile::tempdir()?;
    let config = ServerConfig {
        database_path: directory.path().join("bench.sqlite3"),
        database_url: None,
        static_dir: dist.clone(),
        seed_demo: true,
        metrics: Default::default(),
    };
    let server = InProcessServer::start(&config).await?;
    let (base, database) = (server.base.clone(), server.database.clone());
    let client = reqwest::Client::new();

    println!(
        "Tham Gia bench, {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    ingest(&client, &base, &database).await?;
    let stored = database.response_count().await?;
    println!("  stored afterwards: {stored} responses (expected {RESPONSES})");
    if stored != RESPONSES as u64 {
        bail!("the bench stored {stored} responses instead of {RESPONSES}");
    }
    results(&client, &base).await?;

    server.stop().await
}

/// Times `GET /results` for the whole city and for one ward, as a city
/// officer: p50 and p95 of 20 requests each.
async fn results(client: &reqwest::Client, base: &str) -> Result<()> {
    let session: thamgia_core::account::Session = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({
            "username": "thanhpho",
            "password": thamgia_server::auth::DEMO_PASSWORD,
            "device_label": "bench desk",
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let survey = seed::demo_survey()?;
    println!("\nResults over {RESPONSES} responses (GET /results, 20 requests each):");
    for (what, query) in [
        ("whole city", String::new()),
        ("one ward", "&ward=00004".to_owned()),
    ] {
        let mut times = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            client
                .get(format!("{base}/api/v1/results?survey={}{query}", survey.id))
                .bearer_auth(&session.token)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let at = |share: f64| times[((times.len() - 1) as f64 * share).round() as usize];
        println!(
            "  {what:<12} p50 {:>8.1} ms   p95 {:>8.1} ms",
            at(0.5),
            at(0.95)
        );
    }
    Ok(())
}

fn valid_response(survey: &SurveyDefinition, n: usize) -> Response {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 1, 8, 0, 0)
        .single()
        .unwrap_or_default();
    seed::sample_response(
        survey,
        Uuid::new_v4(),
        n,
        start + Duration::seconds(n as i64),
    )
}

/// The ingest figures: on the bench's server (SQLite), then on a server of
/// its own over a fresh PostgreSQL database when
/// `THAMGIA_BENCH_POSTGRES_URL` names a server.
async fn ingest(client: &reqwest::Client, base: &str, database: &Database) -> Result<()> {
    let survey = seed::demo_survey()?;
    println!(
        "\nIngest over HTTP on loopback ({RESPONSES} responses of {} answers, batches of {BATCH}, \
         {TABLETS} tablets at once):",
        survey.questions().len()
    );
    ingest_into(
        "SQLite (WAL, synchronous=FULL)",
        client,
        base,
        database,
        SQLITE_RATE_GOAL,
    )
    .await?;
    let Some(admin_url) = throwaway_postgres::admin_url() else {
        println!(
            "  PostgreSQL: not run (THAMGIA_BENCH_POSTGRES_URL is unset; `cargo xtask bench` sets it)"
        );
        return Ok(());
    };
    let fresh = ThrowawayDatabase::create(&admin_url, "thamgia_bench_ingest").await?;
    let outcome = ingest_postgres(client, &fresh.url).await;
    fresh.drop_database().await?;
    outcome
}

/// A second server over the fresh PostgreSQL database at `url`, ingested
/// into as the first.
async fn ingest_postgres(client: &reqwest::Client, url: &str) -> Result<()> {
    let directory = tempfile::tempdir()?;
    let config = ServerConfig {
        database_path: directory.path().join("unused.sqlite3"),
        database_url: Some(url.to_owned()),
        static_dir: directory.path().to_path_buf(),
        seed_demo: true,
        metrics: Default::default(),
    };
    let server = InProcessServer::start(&config).await?;
    let database = server.database.clone();
    let measured = ingest_into(
        "PostgreSQL",
        client,
        &server.base,
        &database,
        POSTGRES_RATE_GOAL,
    )
    .await;
    server.stop().await?;
    let stored = database.response_count().await;
    database.close().await;
    measured?;
    let stored = stored?;
    if stored != RESPONSES as u64 {
        bail!("the bench stored {stored} responses on PostgreSQL instead of {RESPONSES}");
    }
    Ok(())
}

/// [`TABLETS`] tablets, each signed in as the demo collector, push
/// [`RESPONSES`] between them in batches of [`BATCH`] at once to the server
/// at `base`, whose store is `database`; prints the rate and the bytes
/// stored per response.
async fn ingest_into(
    backend: &str,
    client: &reqwest::Client,
    base: &str,
    database: &Database,
    rate_goal: &str,
) -> Result<()> {
    let survey = seed::demo_survey()?;
    let per_tablet = RESPONSES / TABLETS;
    // Requests are prepared before the clock starts: the figure is the server's.
    let mut tablets = Vec::new();
    for tablet in 0..TABLETS {
        let client_id = Uuid::new_v4();
        let mut batches = Vec::new();
        for (batch_index, chunk) in (0..per_tablet)
            .collect::<Vec<_>>()
            .chunks(BATCH)
            .enumerate()
        {
            let mutations: Vec<Mutation> = chunk
                .iter()
                .enumerate()
                .map(|(offset, local)| Mutation {
                    seq: (batch_index * BATCH + offset + 1) as u64,
                    change: MutationChange::SubmitResponse {
                        response: valid_response(&survey, tablet * per_tablet + local),
                    },
                })
                .collect();
            let count = mutations.len();
            let request = PushRequest {
                client_id,
                schema_version: SCHEMA_VERSION,
                mutations,
            };
            batches.push((count, serde_json::to_vec(&request)?));
        }
        // Each tablet signs in as the demo collector, as a real one would.
        let session: thamgia_core::account::Session = client
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({
                "username": "badinh",
                "password": thamgia_server::auth::DEMO_PASSWORD,
                "device_label": format!("bench tablet {tablet}"),
            }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tablets.push((session.token, batches));
    }
    let body_bytes: usize = tablets
        .iter()
        .flat_map(|(_, batches)| batches)
        .map(|(_, body)| body.len())
        .sum();
    let empty = database.stored_bytes().await?;

    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, batches) in tablets {
        let client = client.clone();
        let url = format!("{base}/api/v1/sync/push");
        tasks.push(tokio::spawn(async move {
            for (count, body) in batches {
                let answer: PushResponse = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let applied = answer
                    .results
                    .iter()
                    .filter(|result| result.outcome == MutationOutcome::Applied)
                    .count();
                if applied != count {
                    bail!(
                        "{applied} of a batch of {count} applied: {:?}",
                        answer.status
                    );
                }
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed();
    let stored = database.stored_bytes().await?.saturating_sub(empty);
    let per_response = stored as f64 / RESPONSES as f64;
    println!("  {backend}:");
    println!(
        "    request bodies: {:.1} MiB",
        body_bytes as f64 / (1024.0 * 1024.0)
    );
    println!("    elapsed: {:.2} s", elapsed.as_secs_f64());
    println!(
        "    ingest rate: {:.0} responses/s ({rate_goal})",
        RESPONSES as f64 / elapsed.as_secs_f64()
    );
    println!(
        "    stored: {:.2} KB per response, {per_response:.0} bytes ({STORED_GOAL}; {:.1} MiB \
         over {RESPONSES} responses, the store's size before left out)",
        per_response / 1024.0,
        stored as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}
