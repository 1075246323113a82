//! The audit log over HTTP: the events of sign-ins, accounts and devices,
//! the page and CSV export endpoints. The table and its queries are in
//! `database::audit`.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use thamgia_core::account::{AccountChange, AccountRecord, Role, Session};
use thamgia_core::audit::{
    account_change_events, bound_text, AuditAction, AuditEntry, AuditEvent, AuditPage, AuditQuery,
    MAX_DETAIL_CHARS,
};
use uuid::Uuid;

use crate::auth::{Caller, MAX_FAILED_SIGN_INS};
use crate::csv_export::CsvExport;
use crate::error::ServerError;
use crate::extract::ApiQuery;
use crate::AppState;

/// The name of the audit log's CSV export.
pub const AUDIT_CSV_NAME: &str = "audit.csv";

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
