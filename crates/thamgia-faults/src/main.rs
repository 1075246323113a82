//! `thamgia-faults`: the fault-tolerance suite.
//!
//! It runs the real server binary as a child process on a loopback port over
//! a fresh database (demo data seeded): a SQLite file, or with
//! `--database-url postgres://…` a PostgreSQL database of the run's own. It
//! puts a fault proxy in front of it (each connection passes, or loses its
//! request or its response, or has one of them cut short, or is
//! black-holed: never answered, held open until the tablet gives up, or has
//! its answer dripped back a few bytes at a time), and lets several
//! simulated tablets — each the app's own `SyncClient` driven as
//! `src/sync.rs` drives it, with its clock skewed by −1 day, 0 or +1 day —
//! create responses and edits of one shared ward report while they sync.
//! Mid-push the server is killed with SIGKILL and started again on the same
//! port and database. Among the records are twins (the same response id
//! with other content: a conflict) and records the server must refuse (an
//! unknown survey version, no consent).
//!
//! Every tablet request has a timeout sized to its body (`--timeout-base-ms`
//! plus `--timeout-per-kib-ms` per KiB): a black hole or a drip too slow
//! costs the round its timeout, and the round fails and backs off like any
//! other; the summary counts the requests that timed out.
//!
//! **Restore from an older backup** (on by default with one server, at
//! every size and on both backends; `--no-restore` turns it off): at the
//! first kill, while the server is down, a backup of its database is taken
//! (see `database`: the SQLite file and its WAL copied aside, or a
//! PostgreSQL `CREATE DATABASE … TEMPLATE` copy); at the second kill (the run does at least two when
//! restoring) the backup replaces the live database before the restart. The
//! server has then forgotten every record it acknowledged between the two
//! kills, and its change log is shorter than the tablets' cursors. The
//! tablets learn it from a push answered `Gap` (the server forgot their
//! numbers) or a pull answered `reset_required`, renumber, queue again every
//! acknowledged record they hold, and pull from 0; the verdict is the same
//! as without a restore (nothing lost, nothing twice, the planted conflicts
//! and refused records, every replica converged). The summary says how many
//! stored responses the server forgot (counted in its database just before
//! the restore and in the backup) and how many renumberings and re-queued
//! records followed.
//!
//! **Several servers** (`--servers 2` or `3`, PostgreSQL only): that many
//! server processes on the one database, as a city runs them behind a load
//! balancer. They are started one after the other, each waited for until
//! its health check answers, so only the first migrates and seeds the fresh
//! database (a restart runs the migrations again while the others serve:
//! sqlx takes PostgreSQL's advisory lock for them, and they find nothing to
//! do). Each has its own port and log (`server-<i>.log`). The proxy is
//! their load balancer (see `proxy`): each connection goes to the next
//! server in turn, with no health check and no retry. Each kill takes the
//! next server down (kill 1 server 0, kill 2 server 1, …; by default as
//! many kills as servers, so each is killed once) with SIGKILL mid-push
//! while the others keep serving, waits `--down-ms` and starts it again on
//! its port. Connections the proxy gives the dead one fail, and the tablets
//! retry as they do against one killed server; a tablet's next request may
//! land on another server than its last, so its session, its pushes and
//! its pulls hold only if everything a request needs is in the database.
//! The restore is off in this mode, and `--restore` is refused: a backup
//! and a restore need every server down at once (a PostgreSQL copy needs
//! its database unused), which would make the run a one-server run with
//! more processes; the one-server runs on both backends cover the restore,
//! and the summary says it is off. On SQLite the mode is refused: several
//! processes on one SQLite file is not a deployment Tham Gia supports. The
//! verdict is the same as with one server, read through the first server;
//! the summary adds each server's starts, kills and connections.
//!
//! When every outbox is empty and each tablet has done a final round in
//! which nothing new was sent (see `finish`), the suite reads the server's truth (see `verify`) and prints a summary. The
//! exit status is 0 when nothing was lost or duplicated, the conflicts and
//! refused records are exactly those planted, the server's report equals the
//! core's merge of every edit made, every tablet's replica shows the
//! server's winners and, when asked for, the restore took place; 1 when a
//! check fails; 2 when the run itself could not be carried out.
//!
//! To find why a run failed: `THAMGIA_FAULTS_DEBUG=1` prints, for every
//! field a replica shows with another winner, both winners;
//! `THAMGIA_FAULTS_TRACE=1` prints every push and pull answered, every
//! renumbering, kill, restart and final round, with the time.
//!
//! Modules: `arguments` (the command line and the sizes), `proxy` (the
//! faults, and the round-robin over several servers) and `framing` (where
//! an HTTP message ends), `server` (the child processes), `database` (the run's database on either
//! backend, the backup and its restore), `tablet` (driver, producer) with
//! `store` (its storage) and `api` (its HTTP, with timeouts), `plan` (what
//! each tablet makes), `finish` (the final rounds), `verify` (truth and
//! verdict), `summary` (what is printed), `rng` (the seeded generator).

/// With `THAMGIA_FAULTS_TRACE` set, prints one line on standard error,
/// after the wall-clock time: every push and pull answered (with the
/// cursors, tokens and seqs), renumbering, kill, restart and final round.
#[macro_export]
macro_rules! trace {
    ($($argument:tt)*) => {
        if std::env::var_os("THAMGIA_FAULTS_TRACE").is_some() {
            eprintln!(
                "TRACE {} {}",
                chrono::Utc::now().format("%H:%M:%S%.3f"),
                format!($($argument)*)
            );
        }
    };
}

mod api;
mod arguments;
mod database;
mod finish;
mod framing;
mod plan;
mod proxy;
mod rng;
mod server;
mod store;
mod summary;
mod tablet;
mod verify;

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

use crate::api::{Api, Credentials, Timeouts};
use crate::arguments::{Arguments, Sizes, BACKUP_AT_KILL, RESTORE_AT_KILL};
use crate::database::RunDatabase;
use crate::proxy::{Drip, FaultProxy, FaultShares};
use crate::rng::Rng;
use crate::server::ServerProcess;
use crate::summary::{Backup, Restored, ServerTally, Summary};
use crate::tablet::{RunningTablet, TabletSetup, TabletStats};

/// The ward whose report the tablets share (Phường Ba Đình).
const WARD: &str = "00004";

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

async fn run(arguments: Arguments) -> Result<bool> {
    let mut sizes = Sizes::of(&arguments);
    sizes.conflicts = sizes.conflicts.min(sizes.responses);
    let shares = FaultShares {
        drop_request: arguments.drop_request,
        drop_response: arguments.drop_response,
        cut_request: arguments.cut_request,
        cut_response: arguments.cut_response,
        black_hole: arguments.black_hole,
        slow_drip: arguments.slow_drip,
    };
    if shares
        .each()
        .iter()
        .any(|share| !(0.0..=1.0).contains(share))
        || shares.total() > 1.0
    {
        bail!("fault shares must be between 0 and 1 and add up to at most 1");
    }
    if arguments.drip_bytes == 0 {
        bail!("--drip-bytes must be at least 1");
    }
    let on_postgres = arguments
        .database_url
        .as_deref()
        .is_some_and(|url| !url.is_empty());
    if sizes.servers > 1 && !on_postgres {
        bail!(
            "--servers {} needs PostgreSQL (--database-url, or `cargo xtask faults --postgres`): \
             several server processes on one SQLite file is not a deployment Tham Gia supports",
            sizes.servers
        );
    }
    if sizes.servers > 1 && arguments.restore {
        bail!(
            "--restore needs every server down at once, so it runs with one server only: \
             drop --restore, or run it without --servers"
        );
    }

    // Kept on any failure (the database and the server log tell why); removed
    // only after a pass.
    let directory = tempfile::TempDir::with_prefix("thamgia-faults-")
        .context("making a temporary directory")?
        .keep();
    let database = match arguments
        .database_url
        .as_deref()
        .filter(|url| !url.is_empty())
    {
        Some(url) => match RunDatabase::postgres(url).await {
            Ok(database) => database,
            Err(error) => {
                // Nothing ran: nothing to keep.
                std::fs::remove_dir_all(&directory).unwrap_or(());
                return Err(error);
            }
        },
        None => RunDatabase::sqlite(&directory),
    };
    let outcome = run_on(&arguments, sizes, shares, &directory, &database).await;
    if matches!(outcome, Ok(true)) && !arguments.keep_dir {
        if let Err(error) = std::fs::remove_dir_all(&directory) {
            eprintln!("could not remove {}: {error}", directory.display());
        }
        if let Err(error) = database.remove().await {
            eprintln!("could not drop the run's database: {error:#}");
        }
    } else {
        match &database {
            RunDatabase::Sqlite { .. } => {
                println!("  database and server log kept in {}", directory.display())
            }
            RunDatabase::Postgres(_) => println!(
                "  {} kept in {}; {} kept",
                if arguments.servers > 1 {
                    "server logs"
                } else {
                    "server log"
                },
                directory.display(),
                database.describe()
            ),
        }
    }
    if let Ok(passed) = outcome {
        println!("  verdict: {}", if passed { "pass" } else { "FAIL" });
    }
    outcome
}

/// One run on `database`: everything up to the summary.
async fn run_on(
    arguments: &Arguments,
    sizes: Sizes,
    shares: FaultShares,
    directory: &std::path::Path,
    database: &RunDatabase,
) -> Result<bool> {
    let survey = Arc::new(thamgia_server::seed::demo_survey().context("reading the demo survey")?);
    let report_id: ReportId = format!("{WARD}:{}", arguments.period)
        .parse()
        .map_err(|error| anyhow!("--period {}: {error}", arguments.period))?;

    // The server, on a fresh database, behind the proxy.
    let static_dir = directory.join("static");
    std::fs::create_dir_all(&static_dir)?;
    std::fs::write(
        static_dir.join("index.html"),
        "<!doctype html><title>Tham Gia fault suite</title>\n",
    )?;
    let binary = server::locate(arguments.server_bin.as_deref())?;
    let count = sizes.servers as usize;
    let mut servers: Vec<ServerProcess> = Vec::with_capacity(count);
    // One after the other, each healthy before the next starts: the first
    // migrates and seeds the fresh database, the others find it ready.
    for (index, port) in server::free_ports(count)?.into_iter().enumerate() {
        let log = if count == 1 {
            "server.log".to_owned()
        } else {
            format!("server-{index}.log")
        };
        let mut server = ServerProcess::new(
            binary.clone(),
            database.for_server(),
            static_dir.clone(),
            directory.join(log),
            port,
        )?;
        server.start().await?;
        servers.push(server);
    }
    let drip = Drip {
        bytes: arguments.drip_bytes,
        pause: Duration::from_millis(arguments.drip_pause_ms),
    };
    let proxy = FaultProxy::start(
        servers.iter().map(ServerProcess::address).collect(),
        shares,
        drip,
        arguments.seed ^ 0x0050_5258_5946,
    )
    .await?;
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
        // As on a tablet: the batch grows on quick answers, up to the
        // server's limit, and starts again from `--batch` after a failure.
        max_push_batch_size: MAX_PUSH_BATCH,
        quick_push_ms: 2_000,
        pull_page_size: 200,
        base_backoff_ms: 10,
        max_backoff_ms: 200,
        idle_interval_ms: 250,
    };
    let timeouts = Timeouts {
        base: Duration::from_millis(arguments.timeout_base_ms),
        per_kib: Duration::from_millis(arguments.timeout_per_kib_ms),
    };
    let acknowledged = Arc::new(AtomicU64::new(0));
    let (finish, finish_receiver) = watch::channel(0_u64);
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
            timeouts,
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

    // Kill a server mid-push, each kill the next server in turn while the
    // others serve (with one server: the server, taking a backup at one
    // kill and restoring it at a later one); wait until every outbox is
    // empty.
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
                let victim = kills_done as usize % servers.len();
                let server = servers
                    .get_mut(victim)
                    .context("the server to kill is missing")?;
                server.kill().await?;
                crate::trace!("kill of server {victim}");
                kills_done += 1;
                if count == 1 {
                    println!(
                        "  kill {kills_done}: SIGKILL after {so_far} of {response_records} responses were acknowledged"
                    );
                } else {
                    println!(
                        "  kill {kills_done}: SIGKILL of server {victim} (the other{} serving) after {so_far} of {response_records} responses were acknowledged",
                        if count == 2 { " keeps" } else { "s keep" }
                    );
                }
                // A backup and a restore need every server down: they are
                // done only with one server (`Sizes::of`), which is then the
                // one just killed.
                if sizes.restore && kills_done == BACKUP_AT_KILL {
                    // The server is down: its database holds what it
                    // committed. Count it, then copy it.
                    let counts = database.counts().await.context("counting the backup")?;
                    database.back_up().await.context("taking the backup")?;
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
                        let counts = database
                            .counts()
                            .await
                            .context("counting before the restore")?;
                        database.restore().await.context("restoring the backup")?;
                        let (renumberings, requeued) = finish::queued_again(&tablets);
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
                crate::trace!("server {victim} restarted");
                continue;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    // The final rounds: every tablet pulls everything the others sent.
    let finished = match drained {
        Ok(()) => finish::final_rounds(&tablets, &finish, deadline).await,
        Err(error) => {
            finish.send_replace(tablet::STOP);
            Err(error)
        }
    };
    let mut stats: Vec<TabletStats> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let final_rounds = match finished {
        Ok(rounds) => rounds,
        Err(error) => {
            errors.push(format!("{error:#}"));
            0
        }
    };
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
    let connections_by_server = proxy.connections_by_upstream();
    proxy.stop();
    if !errors.is_empty() {
        for server in &mut servers {
            server.kill_quietly().await;
        }
        summary::print_connections(&counts);
        bail!("the run could not finish:\n  {}", errors.join("\n  "));
    }

    // The server's truth: over HTTP as the city officer (through the first
    // server: every server reads the one database), then its database.
    let reader = servers.first().context("no server was started")?;
    let mut city = Api::new(
        &reader.base_url(),
        Credentials {
            username: arguments.city_user.clone(),
            password: arguments.password.clone(),
            device_label: "Fault-suite verifier".to_owned(),
        },
        Timeouts {
            base: Duration::from_secs(120),
            per_kib: Duration::ZERO,
        },
    )?;
    city.login(Instant::now() + Duration::from_secs(30)).await?;
    let (rows, report) = verify::read_over_http(&city, &survey.id, &report_id).await?;
    for server in &mut servers {
        server.kill().await?;
    }
    let counted = database.counts().await?;
    let records: Vec<tablet::TabletRecords> = tablets.iter().map(RunningTablet::records).collect();
    let verdict = verify::judge(
        &records,
        &rows,
        &report,
        counted,
        sizes.conflicts as u64,
        sizes.rejects as u64,
    );

    let restore_missing = sizes.restore && restored.is_none();
    summary::print(&Summary {
        backend: database.backend(),
        tablets: sizes.tablets,
        responses: sizes.responses,
        edits: sizes.edits,
        shares,
        counts,
        kills: kills_done,
        offsets: &offsets,
        restored,
        restore_missing,
        restore_at_kill: RESTORE_AT_KILL,
        renumbering_totals: finish::queued_again(&tablets),
        verdict: &verdict,
        elapsed,
        records: &records,
        stats: &stats,
        final_rounds,
        no_accounts: stats.iter().any(|stats| stats.no_accounts) || city.no_accounts,
        servers: servers
            .iter()
            .enumerate()
            .map(|(index, server)| ServerTally {
                starts: server.starts,
                kills: server.kills,
                connections: connections_by_server.get(index).copied().unwrap_or(0),
            })
            .collect(),
    });
    Ok(verdict.passed() && !restore_missing)
}
