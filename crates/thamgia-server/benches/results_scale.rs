//! `cargo xtask bench` (its results part): the survey results at city
//! scale. Figures only; nothing here passes or fails on time.
//!
//! For each backend (SQLite, and PostgreSQL when `THAMGIA_BENCH_POSTGRES_URL`
//! names a server where a database may be created), at 10,000, 100,000 and
//! 1,000,000 responses (loaded in turn, each size measured before the next
//! is loaded): responses
//! to the demo survey (14 questions, two of them free text), spread over
//! the 126 wards and communes and over 2026's four quarters, are stored
//! through the push path (`Database::push`, in batches of 500, by the
//! bench itself) while the server runs on loopback as its own process (the
//! `thamgia-server` binary over the same database, started once per
//! backend), after every ward's reports of 2026-Q1 and 2026-Q2 (a value
//! for each indicator of the catalogue, a narrative, one in two sent for
//! review) and its children's forum of each quarter (5 recommendations
//! each) were stored the same way, with one response refused and kept
//! aside for every 100 stored (each answers a question the survey does
//! not have), and
//!
//! 1. the first read after the load (every cell's counted responses read and
//!    summarised), then
//! 2. 5 officers at once each ask every view 20 times: p50 and p95 per view
//!    over the 100 requests, measured at the client over HTTP, and
//! 3. after a push of 500 more responses, the next answer (the changed
//!    cells read again, the suppression pattern of every scope made
//!    again), and the first and second read of each table beside the
//!    results (its own pattern made at the first).
//!
//! 4. the town hall's other reads (overview, trend, forums, refused
//!    records of the city and of one ward, the reports export) with 5 officers at once, 20 requests
//!    each (a p95 over 100 requests, not the second slowest of 25), the responses
//!    export's first byte and whole length, and meanwhile a tablet's push
//!    and pull (p50, p95, and any server error).
//!
//! 5. the server's resident memory, its process alone (issue 14's goal is
//!    under 300 MiB at a million responses under that load): the highest
//!    `VmRSS` read every 100 ms while 1–4 run, what it holds after them,
//!    and the kernel's high-water mark `VmHWM` since it started.
//!
//! On PostgreSQL, a figure read while its autovacuum worked on the
//! bench's database says so beside it (`common/autovacuum.rs`).
//!
//! `THAMGIA_BENCH_RESPONSES` sets the largest count (for a quick look);
//! `THAMGIA_BENCH_BACKENDS=postgres` (or `sqlite`) runs one backend only.

use std::path::PathBuf;
use std::time::{Duration as Elapsed, Instant};

use anyhow::{bail, Context, Result};
use chrono::{Duration, TimeZone, Utc};
use thamgia_core::forum::Recommendation;
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportId, ReportStatus, ReportStatusChange,
    Stamp,
};
use thamgia_core::{
    AnswerValue, Mutation, MutationChange, MutationOutcome, PushRequest, SurveyDefinition,
    SCHEMA_VERSION,
};
use thamgia_server::database::Database;
use thamgia_server::{seed, ServerConfig};
use uuid::Uuid;

#[path = "common/autovacuum.rs"]
mod autovacuum;
#[path = "common/server_process.rs"]
mod server_process;
#[path = "common/throwaway_postgres.rs"]
mod throwaway_postgres;

use autovacuum::AutovacuumWatch;
use server_process::{resident, MemorySampler, Resident, ServerProcess, SAMPLE_EVERY};
use throwaway_postgres::ThrowawayDatabase;

const DEFAULT_RESPONSES: usize = 1_000_000;
const BATCH: usize = 500;
const OFFICERS: usize = 5;
const REQUESTS_EACH: usize = 20;
/// The periods every ward has filed its report for: the overview reads
/// the second.
const REPORTED: [&str; 2] = ["2026-Q1", "2026-Q2"];
/// The recommendations of each forum the bench stores.
const RECOMMENDATIONS: usize = 5;
/// One response refused for every this many stored.
const REFUSED_EVERY: usize = 100;

/// The views a results page asks for, as paths after the survey.
const VIEWS: [(&str, &str); 6] = [
    ("city, all time", "/api/v1/results?survey={s}"),
    ("one ward", "/api/v1/results?survey={s}&ward=00004"),
    ("city, 2026-Q2", "/api/v1/results?survey={s}&period=2026-Q2"),
    ("who took part", "/api/v1/results/participants?survey={s}"),
    (
        "split by age·sex",
        "/api/v1/results/table?survey={s}&question=feel_safe_at_school&split=age_band,sex",
    ),
    (
        "split by ward",
        "/api/v1/results/table?survey={s}&question=deep_water_nearby&split=ward",
    ),
];

#[tokio::main]
async fn main() -> Result<()> {
    let responses = std::env::var("THAMGIA_BENCH_RESPONSES")
        .ok()
        .and_then(|text| text.replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_RESPONSES);
    println!("\nSurvey results at city scale ({responses} responses, 126 units, 4 quarters):");
    let directory = tempfile::tempdir()?;
    // `THAMGIA_BENCH_BACKENDS=postgres` (or `sqlite`) runs one backend only.
    let backends = std::env::var("THAMGIA_BENCH_BACKENDS").unwrap_or_default();
    let wanted = |backend: &str| backends.is_empty() || backends.contains(backend);
    if wanted("sqlite") {
        run(
            "SQLite",
            ServerConfig {
                database_path: directory.path().join("results.sqlite3"),
                database_url: None,
                static_dir: directory.path().to_path_buf(),
                seed_demo: true,
                metrics: Default::default(),
            },
            directory.path().join("server-sqlite.log"),
            responses,
        )
        .await?;
    }
    match throwaway_postgres::admin_url().filter(|_| wanted("postgres")) {
        Some(admin_url) => {
            let fresh = ThrowawayDatabase::create(&admin_url, "thamgia_bench").await?;
            let url = fresh.url.clone();
            let outcome = run(
                "PostgreSQL",
                ServerConfig {
                    database_path: directory.path().join("unused.sqlite3"),
                    database_url: Some(url),
                    static_dir: directory.path().to_path_buf(),
                    seed_demo: true,
                    metrics: Default::default(),
                },
                directory.path().join("server-postgres.log"),
                responses,
            )
            .await;
            fresh.drop_database().await?;
            outcome?;
        }
        None => println!(
            "\n  PostgreSQL: not run (THAMGIA_BENCH_POSTGRES_URL is unset; `cargo xtask bench` sets it)"
        ),
    }
    Ok(())
}

/// The sizes measured, up to `largest`: 10,000, 100,000 and 1,000,000
/// responses (the three), and `largest` itself when it is none of them.
fn sizes(largest: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = [10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|size| *size <= largest)
        .collect();
    if sizes.last() != Some(&largest) {
        sizes.push(largest);
    }
    sizes
}

/// One backend: the bench's own handle on the database migrates it,
/// seeds the demo survey and accounts, and stores the responses; the
/// server binary, started once over the same database (without seeding
/// again), answers every request. It keeps no copy of the store (its
/// results are read again when the cells' revisions move, whoever wrote
/// them), so what the bench stores is what it serves. The bench's handle
/// holds no lock between its writes: SQLite's WAL lets both processes in,
/// one writer at a time.
async fn run(backend: &str, config: ServerConfig, log: PathBuf, responses: usize) -> Result<()> {
    println!("\n  {backend}:");
    // What PostgreSQL's autovacuum does while the figures are read.
    let autovacuum = match &config.database_url {
        Some(url) => Some(AutovacuumWatch::start(url).await?),
        None => None,
    };
    let (database, wards, indicators) = {
        let state = thamgia_server::prepare(&config).await?;
        let wards: Vec<String> = state
            .units
            .units
            .iter()
            .map(|unit| unit.code.clone())
            .collect();
        let indicators: Vec<String> = state
            .catalogue
            .indicators
            .iter()
            .map(|indicator| indicator.code.clone())
            .collect();
        (state.database, wards, indicators)
    };
    let survey = seed::demo_survey()?;
    let reports = load_reports(&database, &wards, &indicators).await?;
    println!(
        "    every ward's reports of {}, each with a value for each of the {} indicators: {reports} field edits through the push path",
        REPORTED.join(" and "),
        indicators.len()
    );
    let forums = load_forums(&database, &wards).await?;
    println!(
        "    every ward's children's forum of each quarter of 2026, {RECOMMENDATIONS} recommendations each: {forums} forums through the push path"
    );

    // Dropped on any error below, which kills it.
    let server = ServerProcess::start(
        &ServerConfig {
            seed_demo: false,
            ..config
        },
        &log,
    )
    .await?;
    let base = server.base().to_owned();
    println!(
        "    the server: the thamgia-server binary, its own process (pid {}), on {base}",
        server.pid()
    );
    let client = reqwest::Client::builder()
        .timeout(Elapsed::from_secs(600))
        .build()?;
    let city = sign_in(&client, &base, "thanhpho").await?;
    let ward_officer = sign_in(&client, &base, "badinh.canbo").await?;

    // Responses stored so far by the load (the pushes measured below add a
    // few hundred more, which the sizes do not count).
    let mut stored = 0;
    for size in sizes(responses) {
        let started = Instant::now();
        load(&database, &survey, &wards, stored, size - stored).await?;
        let loaded = started.elapsed();
        let refused = load_refused(
            &database,
            &survey,
            &wards,
            stored,
            (size - stored) / REFUSED_EVERY,
        )
        .await?;
        println!(
            "\n    {size} responses: stored {} more through the push path in {:.0} s ({:.0} responses/s), and {refused} more refused and kept aside (one for every {REFUSED_EVERY})",
            size - stored,
            loaded.as_secs_f64(),
            (size - stored) as f64 / loaded.as_secs_f64()
        );
        stored = size;
        let sampler = MemorySampler::start(server.pid());
        measure(
            &client,
            &base,
            &city,
            &ward_officer,
            &database,
            &survey,
            &wards,
            stored,
            autovacuum.as_ref(),
        )
        .await
        .with_context(|| {
            format!(
                "{backend} at {size} responses; the server's log ends with:\n{}",
                server.log_tail()
            )
        })?;
        let highest = sampler.finish()?;
        stored += BATCH;
        print_server_memory(highest, resident(server.pid()));
    }
    server.stop()?;
    database.close().await;
    Ok(())
}

/// The server process's resident memory (never the bench's: its loader and
/// client are not the server's): the highest of the samples read while the
/// officers read, what it holds once they are done, and the kernel's
/// high-water mark since the server started, which catches a peak between
/// two samples.
fn print_server_memory(highest_kib: Option<u64>, after: Option<Resident>) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    match (highest_kib, after) {
        (Some(highest), Some(after)) => println!(
            "      server resident memory (its own process, read every {} ms while the officers read): peak {:.0} MiB, {:.0} MiB after, {:.0} MiB at most since it started (goal < 300 MiB)",
            SAMPLE_EVERY.as_millis(),
            mib(highest),
            mib(after.now_kib),
            mib(after.peak_kib)
        ),
        _ => println!(
            "      server resident memory: not measured (no /proc/<pid>/status: Linux only)"
        ),
    }
}

/// Every read at the size just loaded: the results' views with 5 officers,
/// a push of [`BATCH`] more and the reads it changes, then the town hall's
/// other reads under load.
#[allow(clippy::too_many_arguments)]
async fn measure(
    client: &reqwest::Client,
    base: &str,
    city: &str,
    ward_officer: &str,
    database: &Database,
    survey: &SurveyDefinition,
    wards: &[String],
    stored: usize,
    autovacuum: Option<&AutovacuumWatch>,
) -> Result<()> {
    let note = |from: Instant| {
        autovacuum
            .map(|watch| watch.note_since(from))
            .unwrap_or_default()
    };
    let view = |path: &str| format!("{base}{}", path.replace("{s}", &survey.id));
    let first = Instant::now();
    get(client, city, &view(VIEWS[0].1)).await?;
    println!(
        "      first read after the load (every changed cell summarised): {:.1} s{}",
        first.elapsed().as_secs_f64(),
        note(first)
    );
    println!("      {OFFICERS} officers at once, {REQUESTS_EACH} requests each per view:");
    for (name, path) in VIEWS {
        let url = view(path);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for officer in 0..OFFICERS {
            let client = client.clone();
            // One ward officer among city officers, as in a town hall.
            let token = if officer == 0 && path.contains("ward=00004") {
                ward_officer.to_owned()
            } else {
                city.to_owned()
            };
            let url = url.clone();
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::new();
                for _ in 0..REQUESTS_EACH {
                    let at = Instant::now();
                    get(&client, &token, &url).await?;
                    times.push(at.elapsed());
                }
                Ok::<_, anyhow::Error>(times)
            }));
        }
        let mut times = Vec::new();
        for task in tasks {
            times.extend(task.await??);
        }
        times.sort();
        println!(
            "        {name:<18} p50 {:>7.1} ms   p95 {:>7.1} ms   (goal: p95 < 100 ms){}",
            millis(percentile(&times, 50)),
            millis(percentile(&times, 95)),
            note(started)
        );
    }
    load(database, survey, wards, stored, BATCH).await?;
    let after = Instant::now();
    get(client, city, &view(VIEWS[0].1)).await?;
    println!(
        "      after a push of {BATCH} more, the next answer (changed cells read again, the pattern of every scope made again): {:.0} ms",
        millis(after.elapsed())
    );
    // Each split's pattern over every scope is made at its first read
    // after a change, then kept.
    for (name, url) in &VIEWS[3..] {
        let first = Instant::now();
        get(client, city, &view(url)).await?;
        let first = first.elapsed();
        let again = Instant::now();
        get(client, city, &view(url)).await?;
        println!(
            "      then {name}: first read {:.0} ms (its pattern made), the next {:.1} ms",
            millis(first),
            millis(again.elapsed())
        );
    }
    townhall_under_load(client, base, city, survey, &note).await
}

/// The town hall's reads beside the results: 5 officers at once on each,
/// the responses export (first byte, whole), and a tablet's push and pull
/// while officers load the overview and export.
async fn townhall_under_load(
    client: &reqwest::Client,
    base: &str,
    city: &str,
    survey: &SurveyDefinition,
    note: &dyn Fn(Instant) -> String,
) -> Result<()> {
    let reads: [(&str, String); 7] = [
        (
            "overview 2026-Q2",
            format!("{base}/api/v1/townhall/overview?period=2026-Q2"),
        ),
        (
            "trend",
            format!("{base}/api/v1/townhall/trend?ward=00004&indicator=4.1"),
        ),
        ("forums", format!("{base}/api/v1/forums")),
        ("refused records", format!("{base}/api/v1/quarantine")),
        // A ward officer's list: one ward's among the city's.
        (
            "refused, one ward",
            format!("{base}/api/v1/quarantine?ward=00004"),
        ),
        (
            "reports export",
            format!("{base}/api/v1/export/reports.csv?period=2026-Q2"),
        ),
        ("indicators", format!("{base}/api/v1/indicators")),
    ];
    println!("      town hall, {OFFICERS} officers at once, {REQUESTS_EACH} requests each:");
    for (name, url) in &reads {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..OFFICERS {
            let (client, url, token) = (client.clone(), url.clone(), city.to_owned());
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::new();
                for _ in 0..REQUESTS_EACH {
                    let at = Instant::now();
                    get(&client, &token, &url).await?;
                    times.push(at.elapsed());
                }
                Ok::<_, anyhow::Error>(times)
            }));
        }
        let mut times = Vec::new();
        for task in tasks {
            times.extend(task.await??);
        }
        times.sort();
        println!(
            "        {name:<18} p50 {:>7.1} ms   p95 {:>7.1} ms   (goal: p95 < 100 ms){}",
            millis(percentile(&times, 50)),
            millis(percentile(&times, 95)),
            note(started)
        );
    }
    let export = format!("{base}/api/v1/export/responses.csv?survey={}", survey.id);
    let at = Instant::now();
    let mut response = client.get(&export).bearer_auth(city).send().await?;
    let mut first_byte = None;
    let mut bytes = 0_usize;
    while let Some(chunk) = response.chunk().await? {
        first_byte.get_or_insert_with(|| at.elapsed());
        bytes += chunk.len();
    }
    println!(
        "      responses export: first byte {:.0} ms (goal < 200 ms), whole {:.1} s, {:.0} MiB{}",
        millis(first_byte.unwrap_or_default()),
        at.elapsed().as_secs_f64(),
        bytes as f64 / 1_048_576.0,
        note(at)
    );

    // A tablet syncs while officers load the overview and export.
    let busy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut officers = Vec::new();
    for officer in 0..OFFICERS {
        let (client, token, busy) = (client.clone(), city.to_owned(), busy.clone());
        let url = if officer % 2 == 0 {
            reads[0].1.clone()
        } else {
            export.clone()
        };
        officers.push(tokio::spawn(async move {
            while busy.load(std::sync::atomic::Ordering::SeqCst) {
                get(&client, &token, &url).await?;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    let tablet = sign_in(client, base, "badinh").await?;
    let syncing = Instant::now();
    let client_id = Uuid::new_v4();
    let (mut pushes, mut pulls, mut errors) = (Vec::new(), Vec::new(), 0_usize);
    for seq in 1..=40_u64 {
        let mut response = seed::sample_response(survey, Uuid::new_v4(), seq as usize, Utc::now());
        response.ward_code = "00004".to_owned();
        let push = PushRequest {
            client_id,
            schema_version: SCHEMA_VERSION,
            mutations: vec![Mutation {
                seq,
                change: MutationChange::SubmitResponse { response },
            }],
        };
        let at = Instant::now();
        let answer = client
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&tablet)
            .json(&push)
            .send()
            .await?;
        errors += usize::from(answer.status().is_server_error());
        answer.bytes().await?;
        pushes.push(at.elapsed());
        let at = Instant::now();
        let pull = client
            .post(format!("{base}/api/v1/sync/pull"))
            .bearer_auth(&tablet)
            .json(&serde_json::json!({
                "client_id": client_id,
                "schema_version": SCHEMA_VERSION,
                "cursor": 0,
                "limit": 200,
                "ward_code": "00004",
            }))
            .send()
            .await?;
        errors += usize::from(pull.status().is_server_error());
        pull.bytes().await?;
        pulls.push(at.elapsed());
    }
    busy.store(false, std::sync::atomic::Ordering::SeqCst);
    for officer in officers {
        officer.await??;
    }
    pushes.sort();
    pulls.sort();
    println!(
        "      a tablet while {OFFICERS} officers load the overview and the export: push p50 {:.1} ms p95 {:.1} ms, pull p50 {:.1} ms p95 {:.1} ms, {errors} server errors (goal: p95 < 100 ms, none){}",
        millis(percentile(&pushes, 50)),
        millis(percentile(&pushes, 95)),
        millis(percentile(&pulls, 50)),
        millis(percentile(&pulls, 95)),
        note(syncing)
    );
    Ok(())
}

/// Stores a report of each of [`REPORTED`] for every ward, with a value
/// for every indicator and a narrative, through the push path, as ward
/// officers file them (what the overview, the trend and the reports export
/// read); one ward in two has sent its report for review. How many field
/// edits were stored.
async fn load_reports(
    database: &Database,
    wards: &[String],
    indicators: &[String],
) -> Result<usize> {
    let client_id = Uuid::new_v4();
    let wall_ms = Utc::now().timestamp_millis() - 60_000;
    let mut changes = Vec::new();
    for period in REPORTED {
        let period: Period = period.parse()?;
        for (index, ward) in wards.iter().enumerate() {
            let report_id = ReportId::new(ward, period)?;
            let edit = |field: FieldKey, content: FieldContent, counter: u32| {
                MutationChange::EditReportField {
                    edit: FieldEdit {
                        report_id: report_id.clone(),
                        field,
                        content,
                        stamp: Stamp {
                            hlc: Hlc::new(wall_ms, counter),
                            client_id,
                        },
                        author: "Nguyễn Thị Lan".to_owned(),
                        sent_as: None,
                    },
                }
            };
            for (number, code) in indicators.iter().enumerate() {
                let value = ((index * 37 + number * 11) % 1000) as f64 / 10.0;
                changes.push(edit(
                    FieldKey::value(code),
                    FieldContent::Number(value),
                    number as u32,
                ));
            }
            changes.push(edit(
                FieldKey::narrative(),
                FieldContent::Text("Báo cáo quý của phường.".to_owned()),
                indicators.len() as u32,
            ));
            if index % 2 == 0 {
                changes.push(MutationChange::ChangeReportStatus {
                    change: ReportStatusChange {
                        report_id,
                        from: ReportStatus::Draft,
                        to: ReportStatus::Submitted,
                    },
                });
            }
        }
    }
    let outcomes = push_all(database, client_id, &changes).await?;
    if outcomes
        .iter()
        .any(|outcome| *outcome != MutationOutcome::Applied)
    {
        bail!("a report's edit or status change was not applied");
    }
    let edits = changes
        .iter()
        .filter(|change| matches!(change, MutationChange::EditReportField { .. }))
        .count();
    Ok(edits)
}

/// Stores a children's forum of each quarter of 2026 for every ward, each
/// with [`RECOMMENDATIONS`] recommendations, through the push path (what
/// the forums list reads). How many forums were stored.
async fn load_forums(database: &Database, wards: &[String]) -> Result<usize> {
    let client_id = Uuid::new_v4();
    let now = Utc::now();
    let mut changes = Vec::new();
    for (index, ward) in wards.iter().enumerate() {
        for month in [2, 5, 8, 11] {
            let held_on = chrono::NaiveDate::from_ymd_opt(2026, month, 10 + (index % 15) as u32)
                .context("a valid day")?;
            let recommendations = (0..RECOMMENDATIONS)
                .map(|number| Recommendation {
                    id: Uuid::new_v4(),
                    text: format!(
                        "Kiến nghị số {}: lắp đèn chiếu sáng ở ngõ đến trường",
                        number + 1
                    ),
                    authority: "UBND phường".to_owned(),
                    votes: 20 + number as u32,
                })
                .collect();
            let forum = seed::sample_forum(Uuid::new_v4(), ward, held_on, now, recommendations);
            changes.push(MutationChange::SubmitForum { forum });
        }
    }
    push_all(database, client_id, &changes).await?;
    Ok(changes.len())
}

/// Stores `count` responses numbered from `first` that the server refuses
/// (each answers a question the survey does not have), so the refused
/// records the town hall lists grow with the responses. How many were
/// refused.
async fn load_refused(
    database: &Database,
    survey: &SurveyDefinition,
    wards: &[String],
    first: usize,
    count: usize,
) -> Result<usize> {
    let at = Utc
        .with_ymd_and_hms(2026, 6, 1, 8, 0, 0)
        .single()
        .context("a valid time")?;
    let changes: Vec<MutationChange> = (first..first + count)
        .map(|n| {
            let mut response = seed::sample_response(survey, Uuid::new_v4(), n, at);
            response.ward_code = wards[n % wards.len()].clone();
            response
                .answers
                .insert("not_in_the_survey".to_owned(), AnswerValue::YesNo(true));
            MutationChange::SubmitResponse { response }
        })
        .collect();
    let outcomes = push_all(database, Uuid::new_v4(), &changes).await?;
    let refused = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, MutationOutcome::Rejected { .. }))
        .count();
    if refused != count {
        bail!("{refused} of {count} responses made to be refused were refused");
    }
    Ok(refused)
}

/// Pushes `changes` from one tablet, [`BATCH`] at a time: every outcome.
async fn push_all(
    database: &Database,
    client_id: Uuid,
    changes: &[MutationChange],
) -> Result<Vec<MutationOutcome>> {
    let mut outcomes = Vec::with_capacity(changes.len());
    let mut seq = 0;
    for chunk in changes.chunks(BATCH) {
        let mutations: Vec<Mutation> = chunk
            .iter()
            .map(|change| {
                seq += 1;
                Mutation {
                    seq,
                    change: change.clone(),
                }
            })
            .collect();
        outcomes.extend(push_batch(database, client_id, mutations).await?);
    }
    Ok(outcomes)
}

/// Pushes `mutations` from `client_id` in one push: each outcome, every
/// mutation answered.
async fn push_batch(
    database: &Database,
    client_id: Uuid,
    mutations: Vec<Mutation>,
) -> Result<Vec<MutationOutcome>> {
    let count = mutations.len();
    let request = PushRequest {
        client_id,
        schema_version: SCHEMA_VERSION,
        mutations,
    };
    let answer = database.push(&request, Utc::now()).await?;
    if answer.results.len() != count {
        bail!("a batch was not fully taken: {:?}", answer.status);
    }
    Ok(answer
        .results
        .into_iter()
        .map(|result| result.outcome)
        .collect())
}

/// Stores `count` responses numbered from `first` through the push path,
/// two pushes at a time (the store takes one writer at a time anyway).
async fn load(
    database: &Database,
    survey: &SurveyDefinition,
    wards: &[String],
    first: usize,
    count: usize,
) -> Result<()> {
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 1, 0, 0)
        .single()
        .context("a valid start")?;
    let year = 330 * 24 * 3600;
    let batches: Vec<(usize, usize)> = (first..first + count)
        .step_by(BATCH)
        .map(|from| (from, (from + BATCH).min(first + count)))
        .collect();
    let mut chunks = batches.chunks(batches.len().div_ceil(2).max(1));
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let Some(chunk) = chunks.next() else { break };
        let chunk = chunk.to_vec();
        let (database, survey, wards) = (database.clone(), survey.clone(), wards.to_vec());
        tasks.push(tokio::spawn(async move {
            let client_id = Uuid::new_v4();
            let mut seq = 0;
            for (from, to) in chunk {
                let mutations = (from..to)
                    .map(|n| {
                        seq += 1;
                        // Spread over the year and the wards, unevenly.
                        let at = start + Duration::seconds(((n as i64) * 7_919) % year);
                        let mut response = seed::sample_response(&survey, Uuid::new_v4(), n, at);
                        response.ward_code = wards[(n * 31 + n / 7) % wards.len()].clone();
                        Mutation {
                            seq,
                            change: MutationChange::SubmitResponse { response },
                        }
                    })
                    .collect();
                push_batch(&database, client_id, mutations).await?;
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

async fn sign_in(client: &reqwest::Client, base: &str, username: &str) -> Result<String> {
    let session: thamgia_core::account::Session = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({
            "username": username,
            "password": thamgia_server::auth::DEMO_PASSWORD,
            "device_label": "results bench",
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(session.token)
}

async fn get(client: &reqwest::Client, token: &str, url: &str) -> Result<()> {
    let response = client.get(url).bearer_auth(token).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() {
        bail!("{url}: {status}: {}", String::from_utf8_lossy(&body));
    }
    Ok(())
}

fn percentile(sorted: &[Elapsed], percent: usize) -> Elapsed {
    if sorted.is_empty() {
        return Elapsed::ZERO;
    }
    let rank = (sorted.len() * percent).div_ceil(100).max(1) - 1;
    sorted[rank.min(sorted.len() - 1)]
}

fn millis(elapsed: Elapsed) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}
