//! Sessions, accounts and devices: signing in and out, the accounts city
//! officers create and change, and devices revoked.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use thamgia_core::account::{
    AccountChange, AccountInfo, AccountRecord, LoginRequest, NewAccount, Session,
};
use thamgia_core::audit::AuditAction;
use thamgia_core::Localized;

use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::ApiPath;
use crate::AppState;

/// `POST /session`: signs in and issues a device token.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<Session>, ServerError> {
    let Json(request) = body?;
    if let Some(refusal) = crate::auth::oversized_sign_in(&request) {
        return Err(refusal);
    }
    let now = Utc::now();
    state.sign_in_guard.check(&request.username, now)?;
    match state.database.sign_in(&request, now).await {
        Ok(session) => {
            state.sign_in_guard.clear(&request.username);
            crate::audit::signed_in(&state, &session, &request.device_label, now).await;
            Ok(Json(session))
        }
        Err(error @ ServerError::Unauthorized(_)) => {
            state.metrics.sign_in_failed();
            if state.sign_in_guard.failed(&request.username, now) {
                state.metrics.locked_out();
            }
            crate::audit::sign_in_refused(&state, &request.username, now).await;
            Err(error)
        }
        Err(error) => Err(error),
    }
}

/// `GET /session`: who the token belongs to.
pub(super) async fn session_info(caller: Caller) -> Json<AccountInfo> {
    Json(caller.info)
}

/// `DELETE /session`: signs this device out; its token stops working.
pub(super) async fn sign_out(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<StatusCode, ServerError> {
    state
        .database
        .revoke_device(caller.device_id, Utc::now())
        .await?;
    tracing::info!(username = %caller.info.username, device_id = %caller.device_id, "signed out");
    let event = caller.event(AuditAction::SignOut).target(caller.device_id);
    state.database.record_after(event, Utc::now()).await;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn accounts(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Vec<AccountRecord>>, ServerError> {
    caller.require_city()?;
    Ok(Json(state.database.accounts().await?))
}

pub(super) async fn create_account(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<NewAccount>, JsonRejection>,
) -> Result<(StatusCode, Json<AccountRecord>), ServerError> {
    caller.require_city()?;
    let Json(account) = body?;
    if let Some(ward) = &account.info.ward_code {
        known_unit(&state, ward)?;
    }
    let record = state.database.create_account(&account, Utc::now()).await?;
    tracing::info!(by = %caller.info.username, username = %record.info.username, role = record.info.role.as_str(), "account created");
    let event = caller
        .event(AuditAction::AccountCreated)
        .ward(record.info.ward_code.as_deref());
    let detail = format!("role={}", record.info.role.as_str());
    state
        .database
        .record_after(
            event.target(&record.info.username).detail(detail),
            Utc::now(),
        )
        .await;
    Ok((StatusCode::CREATED, Json(record)))
}

pub(super) async fn update_account(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(username): ApiPath<String>,
    body: Result<Json<AccountChange>, JsonRejection>,
) -> Result<Json<AccountRecord>, ServerError> {
    caller.require_city()?;
    let Json(change) = body?;
    if let Some(ward) = &change.ward_code {
        known_unit(&state, ward)?;
    }
    if username == caller.info.username && change.active == Some(false) {
        return Err(ServerError::Invalid(Localized::new(
            "Không thể tự khoá tài khoản của mình.",
            "You cannot deactivate your own account.",
        )));
    }
    let record = state
        .database
        .update_account(&username, &change, Utc::now())
        .await?;
    if change.password.is_some() {
        // A new password ends a lock-out.
        state.sign_in_guard.clear(&username);
    }
    tracing::info!(by = %caller.info.username, username = %thamgia_core::limits::quoted(&username), "account changed");
    crate::audit::account_changed(&state, &caller, &record, &change, Utc::now()).await;
    Ok(Json(record))
}

pub(super) async fn revoke_device(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<uuid::Uuid>,
) -> Result<StatusCode, ServerError> {
    caller.require_city()?;
    if state.database.revoke_device(id, Utc::now()).await? {
        tracing::info!(by = %caller.info.username, device_id = %id, "device revoked");
        crate::audit::device_revoked(&state, &caller, id, Utc::now()).await;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ServerError::NotFound)
    }
}

fn known_unit(state: &AppState, ward: &str) -> Result<(), ServerError> {
    if state.units.has(ward) {
        Ok(())
    } else {
        let ward = thamgia_core::limits::quoted(ward);
        Err(ServerError::Invalid(Localized::new(
            format!("Không có phường/xã mã {ward} trong danh sách của Hà Nội."),
            format!("There is no ward with code {ward} in Hanoi's list."),
        )))
    }
}
