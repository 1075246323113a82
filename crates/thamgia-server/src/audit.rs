//! The audit log at the server (see `thamgia_core::audit`): appending
//! events, reading them a page at a time, and the CSV export.
//!
//! The table is append-only: this module only inserts into `audit_log` and
//! reads it, nothing in the server updates or deletes a row (a test reads
//! the sources to check), and on both backends a trigger refuses it.
//!
//! When an action is itself a write in a transaction — a withdrawal, a
//! report status change applied by a push — its entry is appended in that
//! transaction ([`append`]), so both happen or neither. Otherwise the entry
//! follows the action: before an export's bytes leave the server
//! ([`Database::record`], whose failure refuses the export), or after an
//! action that committed on its own ([`Database::record_after`], whose
//! failure is logged but does not turn a done action into an error the
//! client would retry).

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::account::{AccountChange, AccountInfo, AccountRecord, Role, Session};
use thamgia_core::audit::{
    account_change_events, bound_text, stored_time, AuditAction, AuditEntry, AuditEvent, AuditPage,
    AuditQuery, MAX_DETAIL_CHARS,
};
use thamgia_core::report::ReportStatusChange;
use thamgia_core::MutationOutcome;
use uuid::Uuid;

use crate::auth::{Caller, MAX_FAILED_SIGN_INS};
use crate::csv_export::CsvExport;
use crate::error::ServerError;
use crate::extract::ApiQuery;
use crate::{AppState, Database};

/// The name of the audit log's CSV export.
pub const AUDIT_CSV_NAME: &str = "audit.csv";

/// Appends `event`, bounded, at `at`, on `connection` (a transaction of
/// the action it records, or a write transaction of its own).
pub(crate) async fn append(
    connection: &mut AnyConnection,
    event: AuditEvent,
    at: DateTime<Utc>,
) -> Result<(), ServerError> {
    let event = event.bounded();
    sqlx::query(
        "INSERT INTO audit_log (at, actor, actor_role, action, ward_code, target, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(stored_time(at))
    .bind(event.actor)
    .bind(event.actor_role.map(Role::as_str))
    .bind(event.action.as_str())
    .bind(event.ward_code)
    .bind(event.target)
    .bind(event.detail)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

impl Database {
    /// Appends one event in a write transaction of its own.
    pub async fn record(&self, event: AuditEvent, at: DateTime<Utc>) -> Result<(), ServerError> {
        let mut transaction = self.begin_write().await?;
        append(&mut transaction, event, at).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Appends the event of an action that already committed. A failure is
    /// logged, not returned: the action is done, and an error would make
    /// the client do it again.
    pub async fn record_after(&self, event: AuditEvent, at: DateTime<Utc>) {
        let action = event.action;
        if let Err(error) = self.record(event, at).await {
            tracing::error!(%action, %error, "audit entry not written");
        }
    }

    /// The entries `query` selects, newest first, at most `limit` of them.
    pub async fn audit_page(
        &self,
        query: &AuditQuery,
        limit: u32,
    ) -> Result<AuditPage, ServerError> {
        enum Value {
            Text(String),
            Number(i64),
        }
        let mut sql = String::from(
            "SELECT id, at, actor, actor_role, action, ward_code, target, detail
             FROM audit_log WHERE id < $1",
        );
        let mut values = vec![Value::Number(query.before.unwrap_or(i64::MAX))];
        let mut filter = |condition: &str, value: Value| {
            values.push(value);
            sql.push_str(" AND ");
            sql.push_str(&condition.replace('?', &format!("${}", values.len())));
        };
        if let Some(since) = query.since() {
            filter("at >= ?", Value::Text(since));
        }
        if let Some(until) = query.until() {
            filter("at < ?", Value::Text(until));
        }
        if let Some(action) = query.action {
            filter("action = ?", Value::Text(action.as_str().to_owned()));
        }
        if let Some(actor) = query.actor.as_deref() {
            filter(
                "LOWER(actor) LIKE ? ESCAPE '!'",
                Value::Text(contains(actor)),
            );
        }
        if let Some(ward) = query.ward.as_deref() {
            filter("ward_code = ?", Value::Text(ward.to_owned()));
        }
        // One row more than the page tells whether older entries match.
        values.push(Value::Number(i64::from(limit) + 1));
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", values.len()));
        let mut statement = sqlx::query(&sql);
        for value in values {
            statement = match value {
                Value::Text(text) => statement.bind(text),
                Value::Number(number) => statement.bind(number),
            };
        }
        let rows = statement.fetch_all(self.pool()).await?;
        let has_more = rows.len() > limit as usize;
        let entries = rows
            .iter()
            .take(limit as usize)
            .map(entry_of)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AuditPage { entries, has_more })
    }

    /// The user name and ward of the account a device token belongs to.
    async fn device_owner(
        &self,
        device_id: Uuid,
    ) -> Result<Option<(String, Option<String>)>, ServerError> {
        let row = sqlx::query(
            "SELECT a.username, a.ward_code FROM device_tokens d
             JOIN accounts a ON a.id = d.account_id WHERE d.id = $1",
        )
        .bind(device_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| Ok((row.try_get("username")?, row.try_get("ward_code")?)))
            .transpose()
    }
}

/// A `LIKE` pattern matching texts that contain `text`, in lower case
/// (ASCII, as SQLite's `LOWER` folds), with `!` escaping the wildcards.
fn contains(text: &str) -> String {
    let mut pattern = String::from("%");
    for character in text.to_ascii_lowercase().chars() {
        if matches!(character, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

fn entry_of(row: &sqlx::any::AnyRow) -> Result<AuditEntry, ServerError> {
    let action: String = row.try_get("action")?;
    let role: Option<String> = row.try_get("actor_role")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        actor_role: role.as_deref().and_then(Role::parse),
        action: AuditAction::parse(&action)
            .ok_or_else(|| ServerError::Internal(format!("unknown audit action {action}")))?,
        ward_code: row.try_get("ward_code")?,
        target: row.try_get("target")?,
        detail: row.try_get("detail")?,
    })
}

impl Caller {
    /// An event by this caller, about the caller's own ward until
    /// [`AuditEvent::ward`] says otherwise.
    pub fn event(&self, action: AuditAction) -> AuditEvent {
        AuditEvent::by(&self.info, action)
    }
}

/// Logs a sign-in: the device is the target, its label the detail.
pub(crate) async fn signed_in(
    state: &AppState,
    session: &Session,
    device_label: &str,
    now: DateTime<Utc>,
) {
    let event = AuditEvent::by(&session.account, AuditAction::SignIn)
        .target(session.device_id)
        .detail(device_label.trim());
    state.database.record_after(event, now).await;
}

/// Logs a refused sign-in under the name typed (its prefix only), and the
/// lock when this failure locks the name. The attempts refused while the
/// name is locked cost the server nothing and are not logged one by one,
/// so a guesser cannot grow the log at will.
pub(crate) async fn sign_in_refused(state: &AppState, username: &str, now: DateTime<Utc>) {
    state
        .database
        .record_after(
            AuditEvent::attempted(username, AuditAction::SignInFailed),
            now,
        )
        .await;
    if state.sign_in_guard.check(username, now).is_err() {
        let locked = AuditEvent::attempted(username, AuditAction::SignInLocked)
            .detail(format!("failures={MAX_FAILED_SIGN_INS}"));
        state.database.record_after(locked, now).await;
    }
}

/// Logs a change to an account: one entry per kind of change.
pub(crate) async fn account_changed(
    state: &AppState,
    caller: &Caller,
    record: &AccountRecord,
    change: &AccountChange,
    now: DateTime<Utc>,
) {
    for event in account_change_events(&caller.info, &record.info, change) {
        state.database.record_after(event, now).await;
    }
}

/// Logs a revoked device, with the account and ward it belonged to.
pub(crate) async fn device_revoked(
    state: &AppState,
    caller: &Caller,
    device_id: Uuid,
    now: DateTime<Utc>,
) {
    let mut event = caller.event(AuditAction::DeviceRevoked).target(device_id);
    match state.database.device_owner(device_id).await {
        Ok(Some((username, ward))) => {
            event = event
                .ward(ward.as_deref())
                .detail(format!("account={username}"));
        }
        Ok(None) => {}
        Err(error) => tracing::error!(%error, "the revoked device's account not read"),
    }
    state.database.record_after(event, now).await;
}

/// Logs, in the withdrawal's transaction, a response withdrawn by
/// `account` (`None`: a push without an account): the response id is the
/// target, the ward its tombstone's.
pub(crate) async fn withdrawn(
    connection: &mut AnyConnection,
    account: Option<&AccountInfo>,
    action: AuditAction,
    response_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), ServerError> {
    let ward = crate::database::response_ward(connection, response_id).await?;
    let event = AuditEvent::by_account(account, action)
        .ward(ward.as_deref())
        .target(response_id);
    append(connection, event, at).await
}

/// Logs, in the push's transaction, a report status change the push
/// applied (a submission, a sending back, an approval).
pub(crate) async fn report_status(
    connection: &mut AnyConnection,
    account: Option<&AccountInfo>,
    change: &ReportStatusChange,
    outcome: &MutationOutcome,
    at: DateTime<Utc>,
) -> Result<(), ServerError> {
    if *outcome != MutationOutcome::Applied {
        return Ok(());
    }
    let code = |status| -> Result<String, ServerError> {
        Ok(serde_json::to_value(status)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    };
    let event = AuditEvent::by_account(account, AuditAction::ReportStatusChanged)
        .ward(Some(change.report_id.ward_code()))
        .target(&change.report_id)
        .detail(format!(
            "from={} to={}",
            code(change.from)?,
            code(change.to)?
        ));
    append(connection, event, at).await
}

/// The query of a request, read and checked: a malformed one is a 400 with
/// a short reason.
fn read_query(query: Result<ApiQuery<AuditQuery>, ServerError>) -> Result<AuditQuery, ServerError> {
    let ApiQuery(query) = query?;
    query.check().map_err(ServerError::Invalid)?;
    Ok(query)
}

/// `GET /audit?from=&to=&action=&actor=&ward=&before=&limit=`: a page of
/// the log, newest first. City officers only.
pub(crate) async fn list(
    caller: Caller,
    State(state): State<AppState>,
    query: Result<ApiQuery<AuditQuery>, ServerError>,
) -> Result<Json<AuditPage>, ServerError> {
    caller.require_city()?;
    let query = read_query(query)?;
    Ok(Json(
        state.database.audit_page(&query, query.page_size()).await?,
    ))
}

/// `GET /export/audit.csv` with the filters of [`list`]: the selection as
/// CSV (at most `MAX_AUDIT_EXPORT_ROWS` rows). The export is itself
/// logged before the file leaves the server. City officers only.
pub(crate) async fn export(
    caller: Caller,
    State(state): State<AppState>,
    query: Result<ApiQuery<AuditQuery>, ServerError>,
) -> Result<axum::response::Response, ServerError> {
    caller.require_city()?;
    let query = read_query(query)?;
    let page = state
        .database
        .audit_page(&query, query.export_size())
        .await?;
    let body = audit_csv(&page.entries)?;
    let filters = query.filter_string();
    let mut detail = format!("rows={}", page.entries.len());
    if !filters.is_empty() {
        detail.push(' ');
        detail.push_str(&filters);
    }
    let event = caller
        .event(AuditAction::ExportAudit)
        .target(AUDIT_CSV_NAME)
        .detail(bound_text(&detail, MAX_DETAIL_CHARS));
    state.database.record(event, Utc::now()).await?;
    Ok(crate::csv_export::csv_response(AUDIT_CSV_NAME, body))
}

/// Entries as CSV (through [`CsvExport`]: a byte-order mark, formulas
/// neutralised): the time in Hanoi and in UTC, the actor and role, the
/// action's code and labels, the ward, the target and the detail.
pub fn audit_csv(entries: &[AuditEntry]) -> Result<String, ServerError> {
    let mut writer = CsvExport::new();
    writer.row([
        "id",
        "time_hanoi",
        "at_utc",
        "actor",
        "actor_role",
        "action",
        "action_vi",
        "action_en",
        "ward_code",
        "target",
        "detail",
    ])?;
    for entry in entries {
        let label = entry.action.label();
        writer.row([
            entry.id.to_string(),
            entry.local_time(),
            entry.at.clone(),
            entry.actor.clone().unwrap_or_default(),
            entry
                .actor_role
                .map(Role::as_str)
                .unwrap_or_default()
                .to_owned(),
            entry.action.as_str().to_owned(),
            label.vi,
            label.en,
            entry.ward_code.clone().unwrap_or_default(),
            entry.target.clone(),
            entry.detail.clone(),
        ])?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_patterns_escape_the_wildcards() {
        assert_eq!(contains("Lan"), "%lan%");
        assert_eq!(contains("a_b%c!"), "%a!_b!%c!!%");
    }
}
