//! `thamgia-faults`: the fault-tolerance suite.
//!
//! It runs the real server binary as a child process on a loopback port over
//! a fresh SQLite file (demo data seeded), puts a fault proxy in front of it
//! (each connection passes, or loses its request or its response, or has one
//! of them cut short), and lets several simulated tablets — each the app's
//! own `SyncClient` driven as `src/sync.rs` drives it, with its clock skewed
//! by −1 day, 0 or +1 day — create responses and edits of one shared ward
//! report while they sync. Mid-push the server is killed with SIGKILL and
//! started again on the same port and file. Among the records are twins
//! (the same response id with other content: a conflict) and records the
//! server must refuse (an unknown survey version, no consent).
//!
//! **Restore from an older backup** (on by default, at every size;
//! `--no-restore` turns it off): at the first kill, while the server is
//! down, its file and `-wal`/`-shm` are copied aside as a backup; at the
//! second kill (the run does at least two when restoring) they are copied
//! back over the live ones before the restart. The server has then
//! forgotten every record it acknowledged between the two kills, and its
//! change log is shorter than the tablets' cursors. The tablets learn it
//! from a push answered `Gap` (the server forgot their numbers) or a pull
//! answered `reset_required`, renumber, queue again every acknowledged
//! record they hold, and pull from 0; the verdict is the same as without a
//! restore (nothing lost, nothing twice, the planted conflicts and refused
//! records, every replica converged). The summary says how many stored
//! responses the server forgot (counted in its file just before the restore
//! and in the backup) and how many renumberings and re-queued records
//! followed.
//!
//! When every outbox is empty and each tablet has done a final round, the
//! suite reads the server's truth (see `verify`) and prints a summary. The
//! exit status is 0 when nothing was lost or duplicated, the conflicts and
//! refused records are exactly those planted, the server's report equals the
//! core's merge of every edit made, every tablet's replica shows the
//! server's winners and, when asked for, the restore took place; 1 when a
//! check fails; 2 when the run itself could not be carried out.
//!
//! Modules: `proxy` (the faults), `server` (the child process), `restore`
//! (the backup and its restore), `tablet` (store, HTTP, driver, producer),
//! `plan` (what each tablet makes), `verify` (truth and verdict), `rng` (the
//! seeded generator).

mod plan;
mod proxy;
mod restore;
mod rng;
mod server;
mod tablet;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use thamgia_core::protocol::MAX_PUSH_BATCH;
use thamgia_core::report::ReportId;
use thamgia_core::sync_client::SyncConfig;
use tokio::sync::watch;

use crate::proxy::{FaultProxy, FaultShares, ProxyCounts};
use crate::rng::Rng;
use crate::server::ServerProcess;
use crate::tablet::{Api, Credentials, RunningTablet, TabletSetup, TabletStats};

/// The ward whose report the tablets share (Phường Ba Đình).
const WARD: &str = "00004";

/// Whether a run without `--restore`/`--no-restore` (the CI size included)
/// restores the server from a backup. The CI size with a restore does two
/// kills and sends the acknowledged half of its records a second time: a
/// few seconds more.
const RESTORE_BY_DEFAULT: bool = true;

/// The kill at which the backup is taken, and the later one at which it is
/// restored.
const BACKUP_AT_KILL: u32 = 1;
const RESTORE_AT_KILL: u32 = 2;

/// Tham Gia's fault-tolerance suite: tablets sync through a lossy proxy to
/// a server that is killed and restarted; nothing may be lost or doubled.
#[derive(Debug, Parser)]
#[command(version)]
struct Arguments {
    /// The server binary (default: THAMGIA_SERVER_BIN, or thamgia-server
    /// next to this executable).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// The full size: 10,000 responses, 2,000 edits, 2 kills, a restore
    /// (each can still be set on its own).
    #[arg(long)]
    full: bool,
    /// Restore the server from an older backup: a copy of its database
    /// taken at the first kill replaces it at the second (the run does at
    /// least 2 kills). On by default.
    #[arg(long, conflicts_with = "no_restore")]
    restore: bool,
    /// No restore from a backup: kills only.
    #[arg(long)]
    no_restore: bool,
    /// Valid responses to create, over all tablets [default: 600, full 10000].
    #[arg(long)]
    responses: Option<usize>,
    /// Report field edits to make, over all tablets [default: 120, full 2000].
    #[arg(long)]
    edits: Option<usize>,
    /// Simulated tablets.
    #[arg(long, default_value_t = 4)]
    tablets: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Times the server is killed mid-push [default: 1, full 2; at least 2
    /// with a restore].
    #[arg(long)]
    kills: Option<u32>,
    /// Response ids sent twice with other content (expected conflicts).
    #[arg(long, default_value_t = 5)]
    conflicts: usize,
    /// Records the server must refuse and quarantine.
    #[arg(long, default_value_t = 3)]
    rejects: usize,
    /// Share of connections whose request is dropped.
    #[arg(long, default_value_t = 0.10)]
    drop_request: f64,
    /// Share of connections whose response is dropped.
    #[arg(long, default_value_t = 0.10)]
    drop_response: f64,
    /// Share of connections whose request is cut short.
    #[arg(long, default_value_t = 0.10)]
    cut_request: f64,
    /// Share of connections whose response is cut short.
    #[arg(long, default_value_t = 0.10)]
    cut_response: f64,
    /// Clock skew of the tablets, in hours: they run at −skew, 0, +skew, …
    #[arg(long, default_value_t = 24)]
    skew_hours: i64,
    /// Mutations per push.
    #[arg(long, default_value_t = 50)]
    batch: usize,
    /// Most entries a tablet's outbox holds before its worker waits.
    #[arg(long, default_value_t = 300)]
    backlog: usize,
    /// How long the server stays down after each kill, in milliseconds.
    #[arg(long, default_value_t = 500)]
    down_ms: u64,
    /// Give up after this many seconds [default: 300, full 1800].
    #[arg(long)]
    deadline_secs: Option<u64>,
    /// Total timeout of one tablet request, in milliseconds.
    #[arg(long, default_value_t = 20_000)]
    request_timeout_ms: u64,
    /// The account the tablets sign in with (a ward officer of 00004 may
    /// both submit responses and edit the ward's report).
    #[arg(long, default_value = "badinh.canbo")]
    tablet_user: String,
    /// The account that reads the exports (a city officer).
    #[arg(long, default_value = "thanhpho")]
    city_user: String,
    /// The demo accounts' password.
    #[arg(long, default_value = "thamgia-demo")]
    password: String,
    /// The report period edited (the report is 00004:<period>).
    #[arg(long, default_value = "2026-Q3")]
    period: String,
    /// Keep the temporary directory (database, server log) even on success.
    #[arg(long)]
    keep_dir: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let arguments = Arguments::parse();
    match run(arguments).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("fault suite: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// The sizes of one run, defaults resolved.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    responses: usize,
    edits: usize,
    tablets: usize,
    kills: u32,
    restore: bool,
    conflicts: usize,
    rejects: usize,
    deadline: Duration,
}

impl Sizes {
    fn of(arguments: &Arguments) -> Sizes {
        let full = arguments.full;
        let restore = !arguments.no_restore && (arguments.restore || full || RESTORE_BY_DEFAULT);
        let kills = arguments.kills.unwrap_or(if full { 2 } else { 1 });
        Sizes {
            responses: arguments
                .responses
                .unwrap_or(if full { 10_000 } else { 600 }),
            edits: arguments.edits.unwrap_or(if full { 2_000 } else { 120 }),
            tablets: arguments.tablets.max(1),
            kills: if restore {
                kills.max(RESTORE_AT_KILL)
            } else {
                kills
            },
            restore,
            conflicts: arguments
                .conflicts
                .min(arguments.responses.unwrap_or(usize::MAX)),
            rejects: arguments.rejects,
            deadline: Duration::from_secs(arguments.deadline_secs.unwrap_or(if full {
                1_800
            } else {
                300
            })),
        }
    }
}

async fn run(arguments: Arguments) -> Result<bool> {
    let mut sizes = Sizes::of(&arguments);
    sizes.conflicts = sizes.conflicts.min(sizes.responses);
    let shares = FaultShares {
        drop_request: arguments.drop_request,
        drop_response: arguments.drop_response,
        cut_request: arguments.cut_request,
        cut_response: arguments.cut_response,
    };
    let each = [
        shares.drop_request,
        shares.drop_response,
        shares.cut_request,
        shares.cut_response,
    ];
    if each.iter().any(|share| !(0.0..=1.0).contains(share)) || shares.total() > 1.0 {
        bail!("fault shares must be between 0 and 1 and add up to at most 1");
    }
    let survey = Arc::new(thamgia_server::seed::demo_survey().context("reading the demo survey")?);
    let report_id: ReportId = format!("{WARD}:{}", arguments.period)
        .parse()
        .map_err(|error| anyhow!("--period {}: {error}", arguments.period))?;

    // The server, on a fresh file, behind the proxy.
    // Kept on any failure (the database and the server log tell why); removed
    // only after a pass.
    let directory = tempfile::TempDir::with_prefix("thamgia-faults-")
        .context("making a temporary directory")?
        .keep();
    let static_dir = directory.as_path().join("static");
    std::fs::create_dir_all(&static_dir)?;
    std::fs::write(
        static_dir.join("index.html"),
        "<!doctype html><title>Tham Gia fault suite</title>\n",
    )?;
    let database_path = directory.as_path().join("faults.sqlite3");
    let log_path = directory.as_path().join("server.log");
    let binary = server::locate(arguments.server_bin.as_deref())?;
    let port = server::free_port()?;
    let mut server = ServerProcess::new(
        binary,
        database_path.clone(),
        static_dir,
        log_path.clone(),
        port,
    )?;
    server.start().await?;
    let proxy =
        FaultProxy::start(server.address(), shares, arguments.seed ^ 0x0050_5258_5946).await?;
    let proxy_url = format!("http://{}", proxy.address);

    // The tablets.
    let mut rng = Rng::new(arguments.seed);
    let plans = plan::make(
        sizes.responses,
        sizes.edits,
        sizes.tablets,
        sizes.conflicts,
        sizes.rejects,
        &mut rng,
    );
    let response_records = (sizes.responses + sizes.conflicts + sizes.rejects) as u64;
    let skew_ms = arguments.skew_hours.saturating_mul(3_600_000);
    let offsets: Vec<i64> = (0..sizes.tablets)
        .map(|index| match index % 3 {
            0 => -skew_ms,
            1 => 0,
            _ => skew_ms,
        })
        .collect();
    let config = SyncConfig {
        push_batch_size: arguments.batch.clamp(1, MAX_PUSH_BATCH),
        pull_page_size: 200,
        base_backoff_ms: 10,
        max_backoff_ms: 200,
        idle_interval_ms: 250,
    };
    let acknowledged = Arc::new(AtomicU64::new(0));
    let (finish, finish_receiver) = watch::channel(false);
    let started = Instant::now();
    let deadline = started + sizes.deadline;
    let mut tablets: Vec<RunningTablet> = Vec::new();
    for (index, plan) in plans.into_iter().enumerate() {
        let api = Api::new(
            &proxy_url,
            Credentials {
                username: arguments.tablet_user.clone(),
                password: arguments.password.clone(),
                device_label: format!("Fault-suite tablet {index}"),
            },
            Duration::from_millis(arguments.request_timeout_ms),
        )?;
        tablets.push(tablet::spawn(TabletSetup {
            index,
            offset_ms: offsets.get(index).copied().unwrap_or(0),
            plan,
            survey: Arc::clone(&survey),
            report_id: report_id.clone(),
            ward_code: WARD.to_owned(),
            config: config.clone(),
            api,
            rng: rng.derive(),
            backlog: arguments.backlog,
            deadline,
            acknowledged: Arc::clone(&acknowledged),
            finish: finish_receiver.clone(),
        }));
    }

    // Kill the server mid-push (taking a backup at one kill and restoring it
    // at a later one); wait until every outbox is empty.
    let backup_path = directory.as_path().join("backup").join("faults.sqlite3");
    let mut backup: Option<Backup> = None;
    let mut restored: Option<Restored> = None;
    let mut kills_done: u32 = 0;
    let drained: Result<()> = loop {
        if tablets.iter().all(RunningTablet::drained) {
            break Ok(());
        }
        if let Some(index) = tablets.iter().position(|tablet| tablet.task.is_finished()) {
            break Err(anyhow!(
                "tablet {index} stopped before its outbox was empty"
            ));
        }
        if Instant::now() > deadline {
            let pending: Vec<usize> = tablets.iter().map(RunningTablet::pending).collect();
            break Err(anyhow!(
                "the outboxes did not drain before the deadline (still pending: {pending:?})"
            ));
        }
        if kills_done < sizes.kills {
            let threshold =
                response_records * u64::from(kills_done + 1) / u64::from(sizes.kills + 2);
            let so_far = acknowledged.load(Ordering::SeqCst);
            if so_far >= threshold {
                server.kill().await?;
                kills_done += 1;
                println!(
                    "  kill {kills_done}: SIGKILL after {so_far} of {response_records} responses were acknowledged"
                );
                if sizes.restore && kills_done == BACKUP_AT_KILL {
                    // The server is down: its file and WAL hold what it
                    // committed. Copy them, then count what the copy holds
                    // (read from the live file, which is the same state).
                    restore::copy_database(&database_path, &backup_path)
                        .context("taking the backup")?;
                    let counts = verify::read_database(&database_path)
                        .await
                        .context("counting the backup")?;
                    println!(
                        "  backup at kill {kills_done}: {} responses stored",
                        counts.responses
                    );
                    backup = Some(Backup {
                        kill: kills_done,
                        responses: counts.responses,
                    });
                } else if sizes.restore && kills_done == RESTORE_AT_KILL {
                    if let Some(taken) = backup {
                        let counts = verify::read_database(&database_path)
                            .await
                            .context("counting before the restore")?;
                        restore::copy_database(&backup_path, &database_path)
                            .context("restoring the backup")?;
                        let (renumberings, requeued) = renumbering_totals(&tablets);
                        println!(
                            "  restore at kill {kills_done}: the backup of kill {} replaces the database ({} responses stored now, {} in the backup)",
                            taken.kill, counts.responses, taken.responses
                        );
                        restored = Some(Restored {
                            backup_kill: taken.kill,
                            kill: kills_done,
                            responses_before: counts.responses,
                            responses_in_backup: taken.responses,
                            renumberings_before: renumberings,
                            requeued_before: requeued,
                        });
                    }
                }
                tokio::time::sleep(Duration::from_millis(arguments.down_ms)).await;
                server.start().await?;
                continue;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    // The final round: every tablet pulls everything the others sent.
    finish.send(true).unwrap_or(());
    let mut stats: Vec<TabletStats> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    if let Err(error) = drained {
        errors.push(format!("{error:#}"));
    }
    for (index, tablet) in tablets.iter_mut().enumerate() {
        let wait = deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(30);
        match tokio::time::timeout(wait, &mut tablet.task).await {
            Ok(Ok(Ok(tablet_stats))) => stats.push(tablet_stats),
            Ok(Ok(Err(error))) => errors.push(format!("tablet {index}: {error:#}")),
            Ok(Err(error)) => errors.push(format!("tablet {index} panicked: {error}")),
            Err(_) => {
                tablet.task.abort();
                errors.push(format!(
                    "tablet {index}: no final round before the deadline"
                ));
            }
        }
    }
    let elapsed = started.elapsed();
    let counts = proxy.counts();
    proxy.stop();
    if !errors.is_empty() {
        server.kill_quietly().await;
        let kept = directory.clone();
        print_connections(&counts);
        bail!(
            "the run could not finish:\n  {}\n(database and server log kept in {})",
            errors.join("\n  "),
            kept.display()
        );
    }

    // The server's truth: over HTTP as the city officer, then its file.
    let mut city = Api::new(
        &server.base_url(),
        Credentials {
            username: arguments.city_user.clone(),
            password: arguments.password.clone(),
            device_label: "Fault-suite verifier".to_owned(),
        },
        Duration::from_secs(120),
    )?;
    city.login(Instant::now() + Duration::from_secs(30)).await?;
    let (rows, report) = verify::read_over_http(&city, &survey.id, &report_id).await?;
    server.kill().await?;
    let database = verify::read_database(&database_path).await?;
    let records: Vec<tablet::TabletRecords> = tablets.iter().map(RunningTablet::records).collect();
    let verdict = verify::judge(
        &records,
        &rows,
        &report,
        database,
        sizes.conflicts as u64,
        sizes.rejects as u64,
    );

    // The summary.
    let restore_missing = sizes.restore && restored.is_none();
    let passed = verdict.passed() && !restore_missing;
    println!(
        "fault suite: {} tablets, {} responses, {} report edits, proxy faults {:.0}%, {kills_done} server kill{}, clocks {}..{}",
        sizes.tablets,
        sizes.responses,
        sizes.edits,
        shares.total() * 100.0,
        if kills_done == 1 { "" } else { "s" },
        offset_label(offsets.iter().copied().min().unwrap_or(0)),
        offset_label(offsets.iter().copied().max().unwrap_or(0)),
    );
    print_connections(&counts);
    println!(
        "  lost: {}   duplicated: {}   conflicts: {} (expected {})   quarantined: {} records (expected {}; {} rows)",
        verdict.lost,
        verdict.duplicated,
        verdict.conflicts_server,
        verdict.conflicts_expected,
        verdict.quarantined_server,
        verdict.quarantined_expected,
        verdict.quarantined_rows,
    );
    if let Some(restored) = &restored {
        let (renumberings, requeued) = renumbering_totals(&tablets);
        println!(
            "  restore: backup at kill {}, restored at kill {}: the server forgot {} stored responses ({} in its file before the restore, {} in the backup); tablets re-sent them: {} renumberings, {} acknowledged records queued again",
            restored.backup_kill,
            restored.kill,
            restored
                .responses_before
                .saturating_sub(restored.responses_in_backup),
            restored.responses_before,
            restored.responses_in_backup,
            renumberings.saturating_sub(restored.renumberings_before),
            requeued.saturating_sub(restored.requeued_before),
        );
    } else if restore_missing {
        println!(
            "  restore: NOT DONE (asked for at kill {RESTORE_AT_KILL}, the run did {kills_done} kills)"
        );
    }
    println!(
        "  report: {} fields, server equals the merge of every edit: {}",
        verdict.report.fields,
        if verdict.report.passed() { "yes" } else { "NO" },
    );
    let seconds = elapsed.as_secs_f64();
    println!(
        "  time: {seconds:.1} s, {:.0} responses/s",
        sizes.responses as f64 / seconds.max(0.001)
    );
    println!(
        "  responses: {} rows for {} ids ({} in the server's table), {} altered, {} valid ones refused, {} refused ones stored",
        verdict.rows,
        verdict.expected_ids,
        verdict.database_rows,
        verdict.altered,
        verdict.refused_valid,
        verdict.stored_rejects,
    );
    println!(
        "  conflicts: tablets told {}, twins with the first copy kept and the other answered Conflict: {} of {}",
        verdict.conflicts_tablets, verdict.conflict_pairs_ok, verdict.conflicts_expected,
    );
    println!(
        "  quarantine: {} answered Rejected with the right reason, {} of {} followed by later records that arrived",
        verdict.quarantined_tablets, verdict.quarantine_followed, verdict.quarantine_followable,
    );
    println!(
        "  report edits: {} made, {} missing, {} stored twice, {} unknown, {} bounded by the server on receipt, {} bad stamps",
        verdict.report.edits_made,
        verdict.report.missing,
        verdict.report.duplicated,
        verdict.report.unexpected,
        verdict.report.bounded,
        verdict.report.bad_stamps,
    );
    let replicas: Vec<String> = verdict
        .replica_differences
        .iter()
        .enumerate()
        .map(|(index, differing)| {
            let offset = offset_label(offsets.get(index).copied().unwrap_or(0));
            if *differing == 0 {
                format!("tablet {index} ({offset}) converged")
            } else {
                format!("tablet {index} ({offset}) shows another winner in {differing} fields")
            }
        })
        .collect();
    println!(
        "  replicas (each must show the server's winners): {}",
        replicas.join(", ")
    );
    let sum = |field: fn(&TabletStats) -> u64| stats.iter().map(field).sum::<u64>();
    println!(
        "  sync: {} rounds, {} failed requests, {} changes pulled, {} renumberings, {} sign-ins, {} requests refused 401; {} records without an answer recorded",
        sum(|stats| stats.rounds),
        sum(|stats| stats.failures),
        records.iter().map(|tablet| tablet.pulled_changes).sum::<u64>(),
        sum(|stats| stats.renumberings),
        sum(|stats| stats.sign_ins),
        sum(|stats| stats.unauthorized),
        verdict.no_outcome,
    );
    if stats.iter().any(|stats| stats.no_accounts) || city.no_accounts {
        println!(
            "  note: the server has no POST /api/v1/session; requests were sent without a token"
        );
    }
    println!(
        "  server: started {} times, killed {} times",
        server.starts, server.kills
    );
    if passed && !arguments.keep_dir {
        if let Err(error) = std::fs::remove_dir_all(&directory) {
            eprintln!("could not remove {}: {error}", directory.display());
        }
    } else {
        let kept = directory.clone();
        println!("  database and server log kept in {}", kept.display());
    }
    println!("  verdict: {}", if passed { "pass" } else { "FAIL" });
    Ok(passed)
}

/// The backup taken at a kill.
#[derive(Debug, Clone, Copy)]
struct Backup {
    /// The kill it was taken at.
    kill: u32,
    /// Responses its file holds.
    responses: u64,
}

/// What the restore did, for the summary.
#[derive(Debug, Clone, Copy)]
struct Restored {
    /// The kill the backup was taken at.
    backup_kill: u32,
    /// The kill it was restored at.
    kill: u32,
    /// Responses in the server's file just before the restore.
    responses_before: u64,
    /// Responses in the backup.
    responses_in_backup: u64,
    /// Renumberings over every tablet before the restore.
    renumberings_before: u64,
    /// Records queued again over every tablet before the restore.
    requeued_before: u64,
}

/// Renumberings and records queued again, summed over the tablets.
fn renumbering_totals(tablets: &[RunningTablet]) -> (u64, u64) {
    tablets
        .iter()
        .map(RunningTablet::renumberings)
        .fold((0, 0), |(renumberings, requeued), (more, again)| {
            (renumberings + more, requeued + again)
        })
}

fn print_connections(counts: &ProxyCounts) {
    println!(
        "  connections: {} (pass {}, request dropped {}, response dropped {}, request cut {}, response cut {}; {} broken by a stopped server)",
        counts.connections,
        counts.pass,
        counts.drop_request,
        counts.drop_response,
        counts.cut_request,
        counts.cut_response,
        counts.broken,
    );
}

/// "−1d", "0", "+8h", "+90m".
fn offset_label(offset_ms: i64) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    if offset_ms == 0 {
        return "0".to_owned();
    }
    let sign = if offset_ms < 0 { "-" } else { "+" };
    let size = offset_ms.abs();
    if size % DAY == 0 {
        format!("{sign}{}d", size / DAY)
    } else if size % HOUR == 0 {
        format!("{sign}{}h", size / HOUR)
    } else {
        format!("{sign}{}m", size / MINUTE)
    }
}
