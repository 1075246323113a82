//! Ward reports: field edits merged by their stamps (bounded on receipt),
//! status changes along the report's workflow, and a report read back.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::report::{
    bound, FieldEdit, Period, ReportError, ReportFields, ReportId, ReportStatus,
    ReportStatusChange, Stamp, MAX_CLOCK_AHEAD_MS,
};
use thamgia_core::{ChangeEntity, MutationOutcome};

use super::{log_change, Database};
use crate::error::ServerError;

impl Database {
    /// A ward report as the town hall sees it: its status and every field
    /// merged from all the edits received.
    pub async fn report(
        &self,
        report_id: &ReportId,
    ) -> Result<(ReportStatus, ReportFields), ServerError> {
        let mut connection = self.pool.acquire().await?;
        let status = report_status(&mut connection, report_id).await?;
        let edits: Vec<String> =
            sqlx::query_scalar("SELECT edit FROM report_edits WHERE report_id = $1")
                .bind(report_id.to_string())
                .fetch_all(&mut *connection)
                .await?;
        Ok((status, merged(report_id, &edits)?))
    }

    /// Every report of `period`, merged, by report id: each report's
    /// status as it stands, and its fields merged from every edit of the
    /// period's reports, read at once (two statements a report before: the
    /// overview at 126 wards made 253) and kept, with how many edits they
    /// were merged from, until that count changes.
    ///
    /// The count names the edits: a report's edits are only ever added
    /// (an edit sent again is stored once) and a period's reports never
    /// change period, so as long as the period holds as many edits, it
    /// holds the same ones. Only a restore takes edits away, and it is
    /// made with every server stopped (README's drill), so no process
    /// keeps a merge across it. The count is read before the edits: one
    /// committed in between raises the next count, and the next read
    /// merges again.
    pub async fn reports_of_period(
        &self,
        period: Period,
    ) -> Result<BTreeMap<ReportId, (ReportStatus, ReportFields)>, ServerError> {
        let period = period.to_string();
        let mut connection = self.pool.acquire().await?;
        let statuses = sqlx::query("SELECT id, status FROM reports WHERE period = $1")
            .bind(&period)
            .fetch_all(&mut *connection)
            .await?;
        let edit_count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM report_edits JOIN reports ON reports.id = report_edits.report_id
             WHERE reports.period = $1",
        )
        .bind(&period)
        .fetch_one(&mut *connection)
        .await?;
        let merged_fields = match self.kept_reports.get(&period, edit_count) {
            Some(kept) => {
                drop(connection);
                kept
            }
            None => {
                let rows = sqlx::query(
                    "SELECT report_edits.report_id, report_edits.edit
                     FROM report_edits JOIN reports ON reports.id = report_edits.report_id
                     WHERE reports.period = $1",
                )
                .bind(&period)
                .fetch_all(&mut *connection)
                .await?;
                drop(connection);
                let mut edits: HashMap<String, Vec<String>> = HashMap::new();
                for row in rows {
                    edits
                        .entry(row.try_get("report_id")?)
                        .or_default()
                        .push(row.try_get("edit")?);
                }
                let mut merged_fields = HashMap::with_capacity(edits.len());
                for (id, edits) in edits {
                    let report_id = parsed_id(&id)?;
                    merged_fields.insert(id, merged(&report_id, &edits)?);
                }
                let merged_fields = Arc::new(merged_fields);
                self.kept_reports
                    .keep(period, edit_count, Arc::clone(&merged_fields));
                merged_fields
            }
        };
        let mut reports = BTreeMap::new();
        for row in statuses {
            let id: String = row.try_get("id")?;
            let report_id = parsed_id(&id)?;
            let status = parsed_status(row.try_get("status")?)?;
            let fields = match merged_fields.get(&id) {
                Some(fields) => fields.clone(),
                None => ReportFields::new(report_id.clone()),
            };
            reports.insert(report_id, (status, fields));
        }
        Ok(reports)
    }
}

/// A period's reports' fields, merged, by report id.
type MergedFields = Arc<HashMap<String, ReportFields>>;

/// The merged reports of the last [`KEPT_PERIODS`] periods read, each
/// with the count of edits it was merged from (see
/// [`Database::reports_of_period`]). Shared by the database's clones.
#[derive(Clone, Debug, Default)]
pub(super) struct KeptReports {
    periods: Arc<Mutex<VecDeque<(String, i64, MergedFields)>>>,
}

/// How many periods' merged reports are kept: the overview and the
/// reports export read one period at a time, mostly the current one.
const KEPT_PERIODS: usize = 8;

impl KeptReports {
    /// `period`'s merged reports, if kept from exactly `edit_count` edits.
    fn get(&self, period: &str, edit_count: i64) -> Option<MergedFields> {
        let periods = self.periods.lock().unwrap_or_else(PoisonError::into_inner);
        periods
            .iter()
            .find(|(kept, count, _)| kept == period && *count == edit_count)
            .map(|(_, _, fields)| Arc::clone(fields))
    }

    /// Keeps `period`'s reports merged from `edit_count` edits, in place
    /// of any kept before, dropping the oldest period beyond
    /// [`KEPT_PERIODS`].
    fn keep(&self, period: String, edit_count: i64, fields: MergedFields) {
        let mut periods = self.periods.lock().unwrap_or_else(PoisonError::into_inner);
        periods.retain(|(kept, _, _)| *kept != period);
        periods.push_back((period, edit_count, fields));
        while periods.len() > KEPT_PERIODS {
            periods.pop_front();
        }
    }
}

/// A report id as stored.
fn parsed_id(id: &str) -> Result<ReportId, ServerError> {
    id.parse()
        .map_err(|error: ReportError| ServerError::BadRequest(error.to_string()))
}

/// A report's fields: its stored `edits` (each a [`FieldEdit`]'s JSON)
/// merged by their stamps.
fn merged(report_id: &ReportId, edits: &[String]) -> Result<ReportFields, ServerError> {
    let edits = edits
        .iter()
        .map(|edit| serde_json::from_str::<FieldEdit>(edit))
        .collect::<Result<Vec<_>, _>>()?;
    let mut fields = ReportFields::new(report_id.clone());
    fields
        .apply_all(edits)
        .map_err(|error| ServerError::BadRequest(error.to_string()))?;
    Ok(fields)
}

/// A status as `reports.status` stores it.
fn parsed_status(text: String) -> Result<ReportStatus, ServerError> {
    Ok(serde_json::from_value(serde_json::Value::String(text))?)
}

/// Bounds an edit's stamp on receipt (see `thamgia_core::report::bound`),
/// keeping the stamps this push lowered strictly increasing, so a far-ahead
/// tablet's later edit still beats its earlier one.
///
/// Only edits lowered now take part: an edit within the bound (or one
/// bounded on an earlier receipt and sent again) is stored exactly as it
/// came, so sending it again stores nothing new.
pub(super) fn bound_in_push(
    edit: &FieldEdit,
    now: DateTime<Utc>,
    last: &mut Option<Stamp>,
) -> FieldEdit {
    let mut bounded = bound(edit.clone(), now.timestamp_millis(), MAX_CLOCK_AHEAD_MS);
    if bounded.stamp == edit.stamp {
        return bounded;
    }
    if let Some(previous) = last {
        if previous.client_id == bounded.stamp.client_id && bounded.stamp.hlc <= previous.hlc {
            bounded.stamp.hlc = previous.hlc;
            bounded.stamp.hlc.counter = bounded.stamp.hlc.counter.saturating_add(1);
        }
    }
    *last = Some(bounded.stamp);
    bounded
}

async fn report_status(
    connection: &mut AnyConnection,
    report_id: &ReportId,
) -> Result<ReportStatus, ServerError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM reports WHERE id = $1")
        .bind(report_id.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    match status {
        Some(text) => parsed_status(text),
        None => Ok(ReportStatus::Draft),
    }
}

async fn ensure_report(
    connection: &mut AnyConnection,
    report_id: &ReportId,
    received_at: &str,
) -> Result<(), ServerError> {
    sqlx::query(
        "INSERT INTO reports (id, ward_code, period, status, status_changed_at)
         VALUES ($1, $2, $3, 'draft', $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(report_id.to_string())
    .bind(report_id.ward_code())
    .bind(report_id.period().to_string())
    .bind(received_at)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

fn report_rejection(error: &thamgia_core::report::ReportError) -> MutationOutcome {
    MutationOutcome::rejected(error.code(), error.message())
}

/// Stores one (bounded) field edit unless the report is locked, and logs it
/// for every tablet. Replays are harmless: an edit is stored once.
pub(super) async fn edit_report_field(
    connection: &mut AnyConnection,
    edit: &FieldEdit,
    received_at: &str,
) -> Result<MutationOutcome, ServerError> {
    if let Err(error) = edit.validate() {
        return Ok(report_rejection(&error));
    }
    if let Err(error) = report_status(connection, &edit.report_id)
        .await?
        .ensure_editable()
    {
        return Ok(report_rejection(&error));
    }
    ensure_report(connection, &edit.report_id, received_at).await?;
    let stored = serde_json::to_string(edit)?;
    let inserted = sqlx::query(
        "INSERT INTO report_edits (report_id, field, wall_ms, counter, client_id, edit, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(edit.report_id.to_string())
    .bind(edit.field.as_str())
    .bind(edit.stamp.hlc.wall_ms)
    .bind(i64::from(edit.stamp.hlc.counter))
    .bind(edit.stamp.client_id.to_string())
    .bind(&stored)
    .bind(received_at)
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        let entity = ChangeEntity::ReportFieldEdited { edit: edit.clone() };
        log_change(
            connection,
            "report_field",
            &edit.report_id.to_string(),
            &entity,
            received_at,
            Some(edit.report_id.ward_code()),
        )
        .await?;
    }
    Ok(MutationOutcome::Applied)
}

/// Applies a status change if it is allowed from the status the server holds.
pub(super) async fn change_report_status(
    connection: &mut AnyConnection,
    change: &ReportStatusChange,
    received_at: &str,
) -> Result<MutationOutcome, ServerError> {
    let current = report_status(connection, &change.report_id).await?;
    let next = match change.apply_to(current) {
        Ok(next) => next,
        Err(error) => return Ok(report_rejection(&error)),
    };
    if next == current {
        return Ok(MutationOutcome::AlreadyStored);
    }
    ensure_report(connection, &change.report_id, received_at).await?;
    let status_text = serde_json::to_value(next)?
        .as_str()
        .unwrap_or("draft")
        .to_owned();
    sqlx::query("UPDATE reports SET status = $1, status_changed_at = $2 WHERE id = $3")
        .bind(status_text)
        .bind(received_at)
        .bind(change.report_id.to_string())
        .execute(&mut *connection)
        .await?;
    let entity = ChangeEntity::ReportStatusChanged {
        report_id: change.report_id.clone(),
        status: next,
    };
    log_change(
        connection,
        "report_status",
        &change.report_id.to_string(),
        &entity,
        received_at,
        Some(change.report_id.ward_code()),
    )
    .await?;
    Ok(MutationOutcome::Applied)
}
