//! Referrals after a possible disclosure (`thamgia_core::safeguarding`):
//! `GET /referrals[?ward=…]` counts the open and followed-up ones of the
//! wards the officer reaches and lists the open ones (no child, no
//! answer); `POST /referrals/{id}/follow-up` marks one followed up, by the
//! ward's officer or a city officer, in the audit log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use thamgia_core::api::results::MAX_QUERY_TEXT_CHARS;
use thamgia_core::audit::AuditAction;
use thamgia_core::safeguarding::ReferralSummary;
use thamgia_core::Localized;
use uuid::Uuid;

use crate::auth::Caller;
use crate::database::FollowUp;
use crate::error::ServerError;
use crate::extract::{ApiPath, ApiQuery};
use crate::AppState;

/// `?ward=…`: one ward; none: the caller's own ward, or every ward for a
/// city officer.
#[derive(Debug, Deserialize)]
pub(super) struct ReferralsQuery {
    ward: Option<String>,
}

fn require_officer(caller: &Caller) -> Result<(), ServerError> {
    if caller.info.may_read_results() {
        Ok(())
    } else {
        Err(ServerError::Forbidden(Localized::new(
            "Các trường hợp chuyển tiếp dành cho cán bộ phường/xã và cán bộ thành phố.",
            "Referrals are for ward officers and city officers.",
        )))
    }
}

/// `GET /referrals[?ward=…]`.
pub(super) async fn summary(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ReferralsQuery>,
) -> Result<Json<ReferralSummary>, ServerError> {
    require_officer(&caller)?;
    if query
        .ward
        .as_deref()
        .is_some_and(|ward| ward.chars().count() > MAX_QUERY_TEXT_CHARS)
    {
        return Err(ServerError::Invalid(Localized::new(
            "Mã phường/xã quá dài.",
            "The ward code is too long.",
        )));
    }
    let ward = caller.ward_scope(query.ward.as_deref())?;
    let titles = state.database.survey_titles().await?;
    let title_of = |id: &str| titles.of(id);
    Ok(Json(
        state
            .database
            .referral_summary(ward.as_deref(), title_of)
            .await?,
    ))
}

/// `POST /referrals/{id}/follow-up`: 204 when marked (or marked before).
pub(super) async fn follow_up(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ServerError> {
    require_officer(&caller)?;
    let Some(ward) = state.database.referral_ward(id).await? else {
        return Err(ServerError::NotFound);
    };
    caller.require_officer_of(&ward)?;
    let event = caller.event(AuditAction::ReferralFollowedUp);
    match state
        .database
        .follow_up_referral(id, &caller.info.username, event, Utc::now())
        .await?
    {
        FollowUp::Done | FollowUp::AlreadyDone => Ok(StatusCode::NO_CONTENT),
        FollowUp::NotFound => Err(ServerError::NotFound),
    }
}
