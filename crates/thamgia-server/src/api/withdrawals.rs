//! Consent withdrawn through the ward: a guardian names the response by
//! the reference the worker gave the family (`thamgia_core::response::
//! reference`). `GET /responses/by-reference/{reference}` lists the
//! responses of the officer's wards it may be, with nothing of the
//! answers; `POST /responses/{id}/withdraw` deletes one's answers here and
//! on every tablet.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use thamgia_core::response::{reference_prefix, reference_problem, ReferencedResponse};
use thamgia_core::Localized;

use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::ApiPath;
use crate::AppState;

/// `GET /responses/by-reference/{reference}`: for ward officers (their
/// ward's responses) and city officers (every ward's).
pub(super) async fn by_reference(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<Vec<ReferencedResponse>>, ServerError> {
    if !caller.info.may_read_results() {
        return Err(ServerError::Forbidden(Localized::new(
            "Rút lại sự đồng ý dành cho cán bộ phường/xã và cán bộ thành phố.",
            "Withdrawing consent is for ward officers and city officers.",
        )));
    }
    let prefix =
        reference_prefix(&reference).ok_or_else(|| ServerError::Invalid(reference_problem()))?;
    let ward = caller.ward_scope(None)?;
    let titles = state.database.survey_titles().await?;
    let title_of = |id: &str| titles.of(id);
    Ok(Json(
        state
            .database
            .responses_by_reference(&prefix, ward.as_deref(), title_of)
            .await?,
    ))
}

/// A guardian withdrew consent through the ward: the answers are deleted
/// here and on every tablet at its next sync. For the response's ward
/// officer and city officers.
pub(super) async fn withdraw(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<uuid::Uuid>,
) -> Result<axum::http::StatusCode, ServerError> {
    match state.database.response_ward(id).await? {
        Some(ward) => caller.require_officer_of(&ward)?,
        None => caller.require_city()?,
    }
    state
        .database
        .withdraw_response(id, &caller.info, Utc::now())
        .await?;
    tracing::info!(response_id = %id, "consent withdrawn at the town hall");
    Ok(axum::http::StatusCode::NO_CONTENT)
}
