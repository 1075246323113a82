//! The audit log's table (see `thamgia_core::audit`): appending events,
//! reading them a page at a time, and the facts an entry names.
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

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::account::{AccountInfo, Role};
use thamgia_core::audit::{
    stored_time, AuditAction, AuditEntry, AuditEvent, AuditPage, AuditQuery,
};
use thamgia_core::report::ReportStatusChange;
use thamgia_core::MutationOutcome;
use uuid::Uuid;

use super::Database;
use crate::error::ServerError;

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
    pub(crate) async fn device_owner(
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

/// Logs, in the withdrawal's transaction, a response withdrawn by
/// `account` (`None`: a push without an account): the response id is the
/// target, `ward` its tombstone's.
pub(crate) async fn withdrawn(
    connection: &mut AnyConnection,
    account: Option<&AccountInfo>,
    action: AuditAction,
    response_id: Uuid,
    ward: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), ServerError> {
    let event = AuditEvent::by_account(account, action)
        .ward(ward)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_patterns_escape_the_wildcards() {
        assert_eq!(contains("Lan"), "%lan%");
        assert_eq!(contains("a_b%c!"), "%a!_b!%c!!%");
    }
}
