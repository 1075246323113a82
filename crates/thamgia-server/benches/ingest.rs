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
//!    the CPU time each response cost, and bytes stored per response (the
//!    store's size after the pushes less its size before: SQLite's pages
//!    once the WAL is checkpointed, PostgreSQL's `pg_database_size`), each
//!    beside its goal. Each backend is run [`ROUNDS`] times, each into a
//!    fresh store, and the figures are the rounds' medians, every round's
//!    rate printed: on a shared machine one round can be a fifth slower or
//!    faster than the next, the CPU time with it.
//!    Beside each backend: the floor (`common/ingest_floor.rs`, the same
//!    responses' JSON written straight into a table of its own), taken just
//!    before each round, and how the machine's CPU time was spent over
//!    the rounds (busy, idle, waiting on the disk, stolen by the host).
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

#[path = "common/cpu_time.rs"]
mod cpu_time;
#[path = "common/in_process.rs"]
mod in_process;
#[path = "common/ingest_floor.rs"]
mod ingest_floor;
#[path = "common/throwaway_postgres.rs"]
mod throwaway_postgres;

use cpu_time::{process_cpu_seconds, MachineShares, MachineTicks};
use in_process::InProcessServer;
use throwaway_postgres::ThrowawayDatabase;

const RESPONSES: usize = 40_000;
const BATCH: usize = 500;
const TABLETS: usize = 4;
/// How many times each backend's ingest is run, each into a fresh store.
const ROUNDS: usize = 3;

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
    let client = reqwest::Client::new();
    println!(
        "Tham Gia bench, {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    let survey = seed::demo_survey()?;
    println!(
        "\nIngest over HTTP on loopback ({RESPONSES} responses of {} answers, batches of {BATCH}, \
         {TABLETS} tablets at once; {ROUNDS} rounds, each into a fresh store, and their median):",
        survey.questions().len()
    );

    // The floor's rows: the same kind of responses, as JSON.
    let floor_rows: Vec<(String, String)> = (0..RESPONSES)
        .map(|n| {
            let response = valid_response(&survey, n);
            Ok((response.id.to_string(), serde_json::to_string(&response)?))
        })
        .collect::<Result<_>>()?;

    // SQLite: the last round's server stays up for the results below.
    // Each round's floor is taken just before it, in a directory of its own.
    let mut rounds = Vec::new();
    let mut kept = None;
    for round in 1..=ROUNDS {
        let floor_directory = tempfile::tempdir()?;
        let floor_rate =
            ingest_floor::sqlite_rate(floor_directory.path(), &floor_rows, BATCH).await?;
        drop(floor_directory);
        let directory = tempfile::tempdir()?;
        let config = ServerConfig {
            database_path: directory.path().join("bench.sqlite3"),
            database_url: None,
            static_dir: dist.clone(),
            seed_demo: true,
            metrics: Default::default(),
        };
        let server = InProcessServer::start(&config).await?;
        let mut measured = ingest_into(&client, &server.base, &server.database).await?;
        measured.floor_rate = floor_rate;
        rounds.push(measured);
        let stored = server.database.response_count().await?;
        if stored != RESPONSES as u64 {
            bail!("the bench stored {stored} responses instead of {RESPONSES}");
        }
        if round == ROUNDS {
            kept = Some((server, directory));
        } else {
            let database = server.database.clone();
            server.stop().await?;
            database.close().await;
        }
    }
    report("SQLite (WAL, synchronous=FULL)", &rounds, SQLITE_RATE_GOAL);
    ingest_postgres_rounds(&client, &floor_rows).await?;

    let Some((server, _directory)) = kept else {
        bail!("no round of the SQLite ingest ran");
    };
    results(&client, &server.base).await?;
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

/// The PostgreSQL rounds, when `THAMGIA_BENCH_POSTGRES_URL` names a
/// server: each on a fresh database behind a server of its own.
async fn ingest_postgres_rounds(
    client: &reqwest::Client,
    floor_rows: &[(String, String)],
) -> Result<()> {
    let Some(admin_url) = throwaway_postgres::admin_url() else {
        println!(
            "  PostgreSQL: not run (THAMGIA_BENCH_POSTGRES_URL is unset; `cargo xtask bench` sets it)"
        );
        return Ok(());
    };
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let floor = ThrowawayDatabase::create(&admin_url, "thamgia_bench_floor").await?;
        let floor_rate = ingest_floor::postgres_rate(&floor.url, floor_rows, BATCH).await;
        floor.drop_database().await?;
        let fresh = ThrowawayDatabase::create(&admin_url, "thamgia_bench_ingest").await?;
        let outcome = ingest_postgres(client, &fresh.url).await;
        fresh.drop_database().await?;
        let mut measured = outcome?;
        measured.floor_rate = floor_rate?;
        rounds.push(measured);
    }
    report("PostgreSQL", &rounds, POSTGRES_RATE_GOAL);
    Ok(())
}

/// One round on a server of its own over the fresh PostgreSQL database at
/// `url`.
async fn ingest_postgres(client: &reqwest::Client, url: &str) -> Result<Round> {
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
    let measured = ingest_into(client, &server.base, &database).await;
    server.stop().await?;
    let stored = database.response_count().await;
    database.close().await;
    let measured = measured?;
    let stored = stored?;
    if stored != RESPONSES as u64 {
        bail!("the bench stored {stored} responses on PostgreSQL instead of {RESPONSES}");
    }
    Ok(measured)
}

/// What one round of ingest measured.
struct Round {
    /// The request bodies' bytes.
    body_bytes: usize,
    /// From the first push sent to the last answer read.
    seconds: f64,
    /// The process's user and system time over those seconds.
    cpu_seconds: f64,
    /// What the store grew by.
    stored_bytes: u64,
    /// How the whole machine's CPU time was spent over those seconds.
    machine: MachineShares,
    /// The floor's rate ([`ingest_floor`]), taken just before this round.
    floor_rate: f64,
}

impl Round {
    fn rate(&self) -> f64 {
        RESPONSES as f64 / self.seconds
    }
}

/// The middle of `values` (the upper one of two).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Prints a backend's rounds: the median rate beside its goal with every
/// round's, and the medians of the CPU time and the bytes stored.
fn report(backend: &str, rounds: &[Round], rate_goal: &str) {
    let rate = median(rounds.iter().map(Round::rate).collect());
    let cpu = median(rounds.iter().map(|round| round.cpu_seconds).collect());
    let stored = median(
        rounds
            .iter()
            .map(|round| round.stored_bytes as f64)
            .collect(),
    );
    let each: Vec<String> = rounds
        .iter()
        .map(|round| format!("{:.0}", round.rate()))
        .collect();
    let per_response = stored / RESPONSES as f64;
    println!("  {backend}:");
    if let Some(round) = rounds.first() {
        println!(
            "    request bodies: {:.1} MiB",
            round.body_bytes as f64 / (1024.0 * 1024.0)
        );
    }
    println!(
        "    ingest rate: {rate:.0} responses/s ({rate_goal}; the rounds: {} /s)",
        each.join(", ")
    );
    // A database server's own processes are not this one's.
    let beside = if backend.starts_with("SQLite") {
        ""
    } else {
        "; PostgreSQL's own processes not counted"
    };
    println!(
        "    CPU: {:.0} µs per response ({cpu:.2} s of this process's user and system time for \
         {RESPONSES}: the server and this bench's tablets{beside})",
        cpu * 1e6 / RESPONSES as f64
    );
    let machine =
        MachineShares::median(&rounds.iter().map(|round| round.machine).collect::<Vec<_>>());
    println!(
        "    the machine's {} cores over the rounds: {}",
        std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get),
        machine.describe()
    );
    let floor = median(rounds.iter().map(|round| round.floor_rate).collect());
    let share = median(
        rounds
            .iter()
            .map(|round| round.rate() / round.floor_rate)
            .collect(),
    );
    let floors: Vec<String> = rounds
        .iter()
        .map(|round| format!("{:.0}", round.floor_rate))
        .collect();
    println!(
        "    floor, the same responses' JSON straight into a table of its own ({BATCH} rows a \
         transaction, no HTTP, rules, compression or log), each taken just before a round: \
         {floor:.0} rows/s (the rounds: {} /s); the ingest at {share:.2}× its floor",
        floors.join(", ")
    );
    println!(
        "    stored: {:.2} KB per response, {per_response:.0} bytes ({STORED_GOAL}; {:.1} MiB \
         over {RESPONSES} responses, the store's size before left out)",
        per_response / 1024.0,
        stored / (1024.0 * 1024.0)
    );
}

/// [`TABLETS`] tablets, each signed in as the demo collector, push
/// [`RESPONSES`] between them in batches of [`BATCH`] at once to the server
/// at `base`, whose store is `database`: what it took.
async fn ingest_into(client: &reqwest::Client, base: &str, database: &Database) -> Result<Round> {
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
    let cpu_before = process_cpu_seconds();
    let machine_before = MachineTicks::now();
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
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = process_cpu_seconds() - cpu_before;
    let machine = MachineTicks::now().since(&machine_before);
    let stored_bytes = database.stored_bytes().await?.saturating_sub(empty);
    Ok(Round {
        body_bytes,
        seconds,
        cpu_seconds,
        stored_bytes,
        machine,
        floor_rate: f64::NAN,
    })
}
