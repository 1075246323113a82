//! What a run prints: one line per part of the verdict, for people and for
//! README.

use std::time::Duration;

use crate::proxy::{FaultShares, ProxyCounts};
use crate::tablet::{TabletRecords, TabletStats};
use crate::verify::Verdict;

/// The backup taken at a kill.
#[derive(Debug, Clone, Copy)]
pub struct Backup {
    /// The kill it was taken at.
    pub kill: u32,
    /// Responses it holds.
    pub responses: u64,
}

/// What the restore did.
#[derive(Debug, Clone, Copy)]
pub struct Restored {
    /// The kill the backup was taken at.
    pub backup_kill: u32,
    /// The kill it was restored at.
    pub kill: u32,
    /// Responses in the server's database just before the restore.
    pub responses_before: u64,
    /// Responses in the backup.
    pub responses_in_backup: u64,
    /// Renumberings over every tablet before the restore.
    pub renumberings_before: u64,
    /// Records queued again over every tablet before the restore.
    pub requeued_before: u64,
}

/// One server process of the run.
#[derive(Debug, Clone, Copy)]
pub struct ServerTally {
    /// How many times it was started.
    pub starts: u32,
    /// How many times it was killed (the kills mid-push, and the last one
    /// before the database is counted).
    pub kills: u32,
    /// Connections the proxy gave it.
    pub connections: u64,
}

/// Everything the summary shows.
pub struct Summary<'a> {
    /// "SQLite" or "PostgreSQL".
    pub backend: &'static str,
    /// Tablets.
    pub tablets: usize,
    /// Valid responses planned.
    pub responses: usize,
    /// Report edits planned.
    pub edits: usize,
    /// The proxy's shares.
    pub shares: FaultShares,
    /// What the proxy did.
    pub counts: ProxyCounts,
    /// Kills done.
    pub kills: u32,
    /// Each tablet's clock offset, in milliseconds.
    pub offsets: &'a [i64],
    /// The restore, when one was asked for and done.
    pub restored: Option<Restored>,
    /// Whether a restore was asked for and not done.
    pub restore_missing: bool,
    /// The restore's kill.
    pub restore_at_kill: u32,
    /// Renumberings and records queued again by the end.
    pub renumbering_totals: (u64, u64),
    /// The verdict.
    pub verdict: &'a Verdict,
    /// From the first tablet to the last final round.
    pub elapsed: Duration,
    /// What each tablet holds.
    pub records: &'a [TabletRecords],
    /// What each tablet counted.
    pub stats: &'a [TabletStats],
    /// Final rounds asked for (more than one when a tablet had to send
    /// again during one).
    pub final_rounds: u64,
    /// Whether the server has no session endpoint.
    pub no_accounts: bool,
    /// Each server process, in order (one unless `--servers`).
    pub servers: Vec<ServerTally>,
}

/// The line of what the proxy did.
pub fn print_connections(counts: &ProxyCounts) {
    println!(
        "  connections: {} (pass {}, request dropped {}, response dropped {}, request cut {}, response cut {}, black hole {} ({} reached the server), slow drip {} ({} waited for to the end); {} broken by a stopped server)",
        counts.connections,
        counts.pass,
        counts.drop_request,
        counts.drop_response,
        counts.cut_request,
        counts.cut_response,
        counts.black_hole,
        counts.black_hole_forwarded,
        counts.slow_drip,
        counts.drip_delivered,
        counts.broken,
    );
}

/// Prints the summary, up to (not including) the verdict line.
pub fn print(summary: &Summary<'_>) {
    let verdict = summary.verdict;
    let offsets = summary.offsets;
    let several = summary.servers.len() > 1;
    println!(
        "fault suite on {}{}: {} tablets, {} responses, {} report edits, proxy faults {:.0}%, {} server kill{}, clocks {}..{}",
        summary.backend,
        if several {
            format!(
                ", {} servers behind the proxy (round-robin)",
                summary.servers.len()
            )
        } else {
            String::new()
        },
        summary.tablets,
        summary.responses,
        summary.edits,
        summary.shares.total() * 100.0,
        summary.kills,
        if summary.kills == 1 { "" } else { "s" },
        offset_label(offsets.iter().copied().min().unwrap_or(0)),
        offset_label(offsets.iter().copied().max().unwrap_or(0)),
    );
    print_connections(&summary.counts);
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
    if let Some(restored) = &summary.restored {
        let (renumberings, requeued) = summary.renumbering_totals;
        println!(
            "  restore: backup at kill {}, restored at kill {}: the server forgot {} stored responses ({} in its database before the restore, {} in the backup); tablets re-sent them: {} renumberings, {} acknowledged records queued again",
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
    } else if summary.restore_missing {
        println!(
            "  restore: NOT DONE (asked for at kill {}, the run did {} kills)",
            summary.restore_at_kill, summary.kills
        );
    } else if several {
        println!(
            "  restore: off with several servers (it needs every server down at once; the one-server runs restore)"
        );
    }
    println!(
        "  report: {} fields, server equals the merge of every edit: {}",
        verdict.report.fields,
        if verdict.report.passed() { "yes" } else { "NO" },
    );
    let seconds = summary.elapsed.as_secs_f64();
    println!(
        "  time: {seconds:.1} s, {:.0} responses/s",
        summary.responses as f64 / seconds.max(0.001)
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
    let sum = |field: fn(&TabletStats) -> u64| summary.stats.iter().map(field).sum::<u64>();
    println!(
        "  sync: {} rounds ({} final), {} failed pushes and pulls, {} requests timed out, {} changes pulled, {} renumberings, {} sign-ins, {} requests refused 401; {} records without an answer recorded",
        sum(|stats| stats.rounds),
        summary.final_rounds,
        sum(|stats| stats.failures),
        sum(|stats| stats.timed_out),
        summary
            .records
            .iter()
            .map(|tablet| tablet.pulled_changes)
            .sum::<u64>(),
        sum(|stats| stats.renumberings),
        sum(|stats| stats.sign_ins),
        sum(|stats| stats.unauthorized),
        verdict.no_outcome,
    );
    if summary.no_accounts {
        println!(
            "  note: the server has no POST /api/v1/session; requests were sent without a token"
        );
    }
    match summary.servers.as_slice() {
        [server] => println!(
            "  server: started {} times, killed {} times",
            server.starts, server.kills
        ),
        servers => {
            let each: Vec<String> = servers
                .iter()
                .enumerate()
                .map(|(index, server)| {
                    format!(
                        "server {index} started {} times, killed {} times, {} connections",
                        server.starts, server.kills, server.connections
                    )
                })
                .collect();
            println!(
                "  servers: {} on one database: {}",
                servers.len(),
                each.join("; ")
            );
        }
    }
}

/// "−1d", "0", "+8h", "+90m".
pub fn offset_label(offset_ms: i64) -> String {
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
