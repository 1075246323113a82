//! Ward reports: field edits merged by their stamps (bounded on receipt),
//! status changes along the report's workflow, and a report read back.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use thamgia_core::report::{
    bound, FieldEdit, ReportFields, ReportId, ReportStatus, ReportStatusChange, Stamp,
    MAX_CLOCK_AHEAD_MS,
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
        let edits = edits
            .iter()
            .map(|edit| serde_json::from_str::<FieldEdit>(edit))
            .collect::<Result<Vec<_>, _>>()?;
        let mut fields = ReportFields::new(report_id.clone());
        fields
            .apply_all(edits)
            .map_err(|error| ServerError::BadRequest(error.to_string()))?;
        Ok((status, fields))
    }
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
    Ok(match status {
        Some(text) => serde_json::from_value(serde_json::Value::String(text))?,
        None => ReportStatus::Draft,
    })
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
