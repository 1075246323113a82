//! The server's truth after the run, and the verdict.
//!
//! Truth is read two ways, both from the server itself and never from the
//! tablets:
//! - over HTTP, straight to the server (not through the proxy), as the city
//!   officer: `GET /api/v1/export/responses.csv?survey=<id>` (parsed with the
//!   `csv` crate: one row per stored response) and
//!   `GET /api/v1/reports/00004:<period>` (every field merged by the server
//!   from every edit it stored, losing edits kept);
//! - then, once the server is killed, its database (the SQLite file or the
//!   PostgreSQL database) through `thamgia_server::Database`, which speaks
//!   both: how many conflicting copies it kept and which records it
//!   quarantined.
//!
//! The verdict compares that with what the tablets made:
//! - **lost**: a response meant to be stored (normal, or either copy of a
//!   twinned id) whose id has no row;
//! - **duplicated**: rows beyond one per id, plus rows under an id no tablet
//!   made (a child counted twice under another id);
//! - **altered**: a row whose `created_at` matches none of the copies made
//!   under its id (created times are unique per tablet);
//! - **conflicts**: the server's count, the tablets' `Conflict` answers, and
//!   for each twinned id one copy stored (its latest answer `Applied`, or
//!   `AlreadyStored` when it was sent again after a renumbering) and the
//!   other `Conflict`;
//! - **quarantined**: the distinct records the server quarantined (see
//!   [`DatabaseCounts::rejected_records`]), and each refused record answered
//!   `Rejected` with the reason of its kind (unknown version, no consent),
//!   with records made after it on the same tablet answered too;
//! - **report**: every edit made is found once among the server's edits
//!   (by its unique content, author and client), with the same stamp or one
//!   the server lowered on receipt (`bound`: never below the real time the
//!   edit was made); nothing else is there; and merging those edits with the
//!   core's merge, in the tablets' order, gives exactly the server's fields.

use std::collections::{HashMap, HashSet};

use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use thamgia_core::report::{FieldEdit, ReportFields, ReportId};
use thamgia_core::MutationOutcome;
use uuid::Uuid;

use crate::api::Api;
use crate::plan::ResponseRole;
use crate::store::Created;
use crate::tablet::TabletRecords;

/// One row of the responses export.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// The response id.
    pub id: Uuid,
    /// Its `created_at`.
    pub created_at: DateTime<Utc>,
}

/// What the stopped server's database holds beside the responses.
#[derive(Debug, Clone, Copy, Default)]
pub struct DatabaseCounts {
    /// Rows in `responses`.
    pub responses: u64,
    /// Rows in `response_conflicts`.
    pub conflicts: u64,
    /// Rows in `rejected_mutations`.
    pub rejected: u64,
    /// Distinct records (by `record_id`) in `rejected_mutations`. A
    /// renumbering queues again every record held, refused ones included
    /// (the app cannot tell a record the server lost from one it refused and
    /// kept aside); the server refuses it again and keeps another row under
    /// the new `(client_id, seq)`. So rows exceed the planted refusals after
    /// a renumbering, while the records quarantined stay exactly the planted
    /// ones: this is what the verdict compares.
    pub rejected_records: u64,
}

#[derive(Debug, Deserialize)]
struct ReportView {
    fields: ReportFields,
}

/// Reads the responses export and the report over HTTP.
pub async fn read_over_http(
    api: &Api,
    survey_id: &str,
    report_id: &ReportId,
) -> Result<(Vec<CsvRow>, ReportFields)> {
    let csv = api
        .get_bytes(&format!("/export/responses.csv?survey={survey_id}"))
        .await?;
    let rows = parse_csv(&csv)?;
    let body = api.get_bytes(&format!("/reports/{report_id}")).await?;
    let view: ReportView = serde_json::from_slice(&body).context("reading the report")?;
    Ok((rows, view.fields))
}

fn parse_csv(body: &[u8]) -> Result<Vec<CsvRow>> {
    // The exports start with a UTF-8 byte-order mark for spreadsheets.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new().from_reader(body);
    let headers = reader
        .headers()
        .context("reading the export's header")?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header == name)
            .with_context(|| format!("the export has no column {name}"))
    };
    let id_column = column("id")?;
    let created_column = column("created_at")?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.context("reading a row of the export")?;
        let id = record.get(id_column).context("a row without an id")?;
        let created = record
            .get(created_column)
            .context("a row without created_at")?;
        rows.push(CsvRow {
            id: Uuid::parse_str(id).with_context(|| format!("the id {id:?}"))?,
            created_at: DateTime::parse_from_rfc3339(created)
                .with_context(|| format!("the created_at {created:?}"))?
                .with_timezone(&Utc),
        });
    }
    Ok(rows)
}

/// Counts what the server's database holds beside the export (through the
/// server's own `Database`, on SQLite or PostgreSQL alike).
pub async fn count(database: &thamgia_server::Database) -> Result<DatabaseCounts> {
    Ok(DatabaseCounts {
        responses: database
            .response_count()
            .await
            .map_err(|error| anyhow!("counting responses: {error}"))?,
        conflicts: database
            .conflict_count()
            .await
            .map_err(|error| anyhow!("counting conflicts: {error}"))?,
        rejected: database
            .rejected_count()
            .await
            .map_err(|error| anyhow!("counting quarantined mutations: {error}"))?,
        rejected_records: database
            .quarantined(None, u32::MAX)
            .await
            .map_err(|error| anyhow!("listing quarantined mutations: {error}"))?
            .into_iter()
            .map(|record| record.record_id)
            .collect::<HashSet<String>>()
            .len() as u64,
    })
}

/// The report part of the verdict.
#[derive(Debug, Clone, Default)]
pub struct ReportCheck {
    /// Fields the server's report has.
    pub fields: usize,
    /// Edits the tablets made.
    pub edits_made: usize,
    /// Edits made that the server does not hold.
    pub missing: u64,
    /// Extra copies of an edit held by the server.
    pub duplicated: u64,
    /// Edits the server holds that no tablet made.
    pub unexpected: u64,
    /// Edits held with a stamp that is neither the one made nor a legal
    /// bound of it.
    pub bad_stamps: u64,
    /// Edits whose stamp the server lowered on receipt (a clock ahead).
    pub bounded: u64,
    /// Whether merging every edit gives exactly the server's fields.
    pub merge_equal: bool,
}

impl ReportCheck {
    /// Whether the report is right.
    pub fn passed(&self) -> bool {
        self.missing == 0
            && self.duplicated == 0
            && self.unexpected == 0
            && self.bad_stamps == 0
            && self.merge_equal
    }
}

/// Everything the run is judged on.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// Ids meant to be stored.
    pub expected_ids: u64,
    /// Rows in the export.
    pub rows: u64,
    /// Ids meant to be stored without a row.
    pub lost: u64,
    /// Rows beyond one per id, and rows under ids no tablet made.
    pub duplicated: u64,
    /// Rows matching no copy made under their id.
    pub altered: u64,
    /// Valid records the server refused.
    pub refused_valid: u64,
    /// Records meant to be refused that were stored.
    pub stored_rejects: u64,
    /// Conflicting copies the server kept.
    pub conflicts_server: u64,
    /// `Conflict` answers the tablets received.
    pub conflicts_tablets: u64,
    /// Twinned ids answered one `Applied` (the stored copy) and one `Conflict`.
    pub conflict_pairs_ok: u64,
    /// Conflicts expected.
    pub conflicts_expected: u64,
    /// Distinct records the server quarantined.
    pub quarantined_server: u64,
    /// Rows in the server's quarantine (a record refused again after a
    /// renumbering has one row per refusal).
    pub quarantined_rows: u64,
    /// Refused records answered `Rejected` with the reason of their kind.
    pub quarantined_tablets: u64,
    /// Refusals expected.
    pub quarantined_expected: u64,
    /// Refused records after which a later record of the same tablet was
    /// answered.
    pub quarantine_followed: u64,
    /// Refused records that have later records on their tablet.
    pub quarantine_followable: u64,
    /// Records without any answer recorded (their outbox entry was dropped
    /// on an acknowledgement that carried no result for them).
    pub no_outcome: u64,
    /// Rows in the server's `responses` table.
    pub database_rows: u64,
    /// The report.
    pub report: ReportCheck,
    /// Per tablet: how many fields its replica shows with another winner
    /// than the server (0: it converged).
    pub replica_differences: Vec<usize>,
}

impl Verdict {
    /// Whether the run passes.
    pub fn passed(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.altered == 0
            && self.refused_valid == 0
            && self.stored_rejects == 0
            && self.database_rows == self.rows
            && self.conflicts_server == self.conflicts_expected
            && self.conflicts_tablets == self.conflicts_expected
            && self.conflict_pairs_ok == self.conflicts_expected
            && self.quarantined_server == self.quarantined_expected
            && self.quarantined_tablets == self.quarantined_expected
            && self.quarantine_followed == self.quarantine_followable
            && self.report.passed()
            && self
                .replica_differences
                .iter()
                .all(|differing| *differing == 0)
    }
}

#[derive(Debug, Clone, Copy)]
struct MadeCopy {
    tablet: usize,
    local: usize,
    role: ResponseRole,
    created_at: DateTime<Utc>,
}

/// Compares the server's truth with what the tablets made and were told.
pub fn judge(
    tablets: &[TabletRecords],
    rows: &[CsvRow],
    report: &ReportFields,
    database: DatabaseCounts,
    conflicts_expected: u64,
    quarantined_expected: u64,
) -> Verdict {
    let mut verdict = Verdict {
        rows: rows.len() as u64,
        conflicts_server: database.conflicts,
        conflicts_expected,
        quarantined_server: database.rejected_records,
        quarantined_rows: database.rejected,
        quarantined_expected,
        database_rows: database.responses,
        ..Verdict::default()
    };
    let outcome = |tablet: usize, local: usize| {
        tablets
            .get(tablet)
            .and_then(|records| records.outcomes.get(&local))
    };

    // What was made under each id.
    let mut copies: HashMap<Uuid, Vec<MadeCopy>> = HashMap::new();
    for (tablet, records) in tablets.iter().enumerate() {
        for created in &records.created {
            if let Created::Response {
                local,
                id,
                role,
                created_at,
            } = created
            {
                copies.entry(*id).or_default().push(MadeCopy {
                    tablet,
                    local: *local,
                    role: *role,
                    created_at: *created_at,
                });
            }
            let local = match created {
                Created::Response { local, .. } | Created::Edit { local, .. } => *local,
            };
            match outcome(tablet, local) {
                None => verdict.no_outcome += 1,
                Some(MutationOutcome::Conflict { .. }) => verdict.conflicts_tablets += 1,
                Some(_) => {}
            }
        }
    }
    let mut stored: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for row in rows {
        stored.entry(row.id).or_default().push(row.created_at);
    }

    for (id, made) in &copies {
        let held = stored.get(id).map(Vec::as_slice).unwrap_or_default();
        let refused = made
            .iter()
            .all(|copy| matches!(copy.role, ResponseRole::Reject(_)));
        if refused {
            verdict.stored_rejects += held.len() as u64;
            for copy in made {
                let ResponseRole::Reject(kind) = copy.role else {
                    continue;
                };
                if let Some(MutationOutcome::Rejected { code, .. }) =
                    outcome(copy.tablet, copy.local)
                {
                    if *code == kind.code() {
                        verdict.quarantined_tablets += 1;
                    }
                }
                let later: Vec<usize> = tablets[copy.tablet]
                    .created
                    .iter()
                    .filter_map(|created| match created {
                        Created::Response { local, role, .. }
                            if *local > copy.local && !matches!(role, ResponseRole::Reject(_)) =>
                        {
                            Some(*local)
                        }
                        Created::Edit { local, .. } if *local > copy.local => Some(*local),
                        _ => None,
                    })
                    .collect();
                if !later.is_empty() {
                    verdict.quarantine_followable += 1;
                    if later
                        .iter()
                        .any(|local| outcome(copy.tablet, *local).is_some())
                    {
                        verdict.quarantine_followed += 1;
                    }
                }
            }
            continue;
        }
        verdict.expected_ids += 1;
        for copy in made {
            if matches!(
                outcome(copy.tablet, copy.local),
                Some(MutationOutcome::Rejected { .. })
            ) {
                verdict.refused_valid += 1;
            }
        }
        match held.first() {
            None => verdict.lost += 1,
            Some(first) => {
                verdict.duplicated += held.len() as u64 - 1;
                if !made.iter().any(|copy| copy.created_at == *first) {
                    verdict.altered += 1;
                }
            }
        }
        if made.len() > 1 {
            // The stored copy: `Applied`, or `AlreadyStored` when its latest
            // answer came to a copy sent again after a renumbering (the
            // server holds this very content under the id). Which one the
            // server keeps is still checked against its row below.
            let applied: Vec<&MadeCopy> = made
                .iter()
                .filter(|copy| {
                    matches!(
                        outcome(copy.tablet, copy.local),
                        Some(MutationOutcome::Applied | MutationOutcome::AlreadyStored)
                    )
                })
                .collect();
            let conflicted = made
                .iter()
                .filter(|copy| {
                    matches!(
                        outcome(copy.tablet, copy.local),
                        Some(MutationOutcome::Conflict { .. })
                    )
                })
                .count();
            let kept_applied = match (applied.as_slice(), held) {
                ([applied], [held]) => applied.created_at == *held,
                _ => false,
            };
            if kept_applied && conflicted == made.len() - 1 {
                verdict.conflict_pairs_ok += 1;
            }
        }
    }
    for (id, held) in &stored {
        if !copies.contains_key(id) {
            verdict.duplicated += held.len() as u64;
        }
    }

    verdict.report = check_report(tablets, report);
    verdict.replica_differences = tablets
        .iter()
        .map(|records| differing_fields(&records.replica, report))
        .collect();
    verdict
}

fn check_report(tablets: &[TabletRecords], report: &ReportFields) -> ReportCheck {
    let server_edits: Vec<&FieldEdit> = report
        .fields()
        .values()
        .flat_map(|state| state.history())
        .collect();
    let mut used = vec![false; server_edits.len()];
    let mut expected = ReportFields::new(report.report_id().clone());
    let mut check = ReportCheck {
        fields: report.fields().len(),
        ..ReportCheck::default()
    };
    for records in tablets {
        for created in &records.created {
            let Created::Edit { edit, real_ms, .. } = created else {
                continue;
            };
            check.edits_made += 1;
            let matching: Vec<usize> = server_edits
                .iter()
                .enumerate()
                .filter(|(_, held)| {
                    held.report_id == edit.report_id
                        && held.field == edit.field
                        && held.content.same_as(&edit.content)
                        && held.author == edit.author
                        && held.stamp.client_id == edit.stamp.client_id
                })
                .map(|(index, _)| index)
                .collect();
            let Some(first) = matching.first() else {
                check.missing += 1;
                continue;
            };
            check.duplicated += matching.len() as u64 - 1;
            let held = server_edits[*first];
            if held.stamp.hlc == edit.stamp.hlc {
                // Stored as made.
            } else if held.stamp.hlc < edit.stamp.hlc && held.stamp.hlc.wall_ms >= *real_ms {
                check.bounded += 1;
            } else {
                check.bad_stamps += 1;
            }
            for index in matching {
                used[index] = true;
                if expected.apply(server_edits[index].clone()).is_err() {
                    check.bad_stamps += 1;
                }
            }
        }
    }
    check.unexpected = used.iter().filter(|used| !**used).count() as u64;
    check.merge_equal = expected == *report;
    check
}

/// How many fields show another winner in `replica` than in `server`.
fn differing_fields(replica: &ReportFields, server: &ReportFields) -> usize {
    let mut keys: Vec<_> = server.fields().keys().collect();
    keys.extend(replica.fields().keys());
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| {
            let ours = replica.get(key).map(|state| &state.winner);
            let theirs = server.get(key).map(|state| &state.winner);
            if ours != theirs && std::env::var_os("THAMGIA_FAULTS_DEBUG").is_some() {
                let in_ours = theirs.is_some_and(|winner| {
                    replica
                        .get(key)
                        .is_some_and(|state| state.history().any(|edit| edit == winner))
                });
                eprintln!(
                    "DEBUG {key:?}: tablet {:?} / server {:?}; server's winner in tablet's history: {in_ours}; history sizes {} / {}",
                    ours.map(|edit| (edit.stamp, edit.sent_as, &edit.content)),
                    theirs.map(|edit| (edit.stamp, edit.sent_as, &edit.content)),
                    replica.get(key).map_or(0, |state| state.history().count()),
                    server.get(key).map_or(0, |state| state.history().count()),
                );
            }
            ours != theirs
        })
        .count()
}
