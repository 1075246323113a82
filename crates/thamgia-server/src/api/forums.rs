//! Children's forums at the town hall: the forums of a ward (or all), an
//! authority's answer to a recommendation, and the forums' CSV export.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use thamgia_core::audit::AuditAction;

use super::WardQuery;
use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::{ApiPath, ApiQuery};
use crate::AppState;

pub(super) async fn forums(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WardQuery>,
) -> Result<Json<Vec<crate::forums::ForumView>>, ServerError> {
    let ward = caller.ward_scope(query.ward.as_deref())?;
    Ok(Json(
        state
            .database
            .forums(ward.as_deref(), Utc::now().date_naive())
            .await?,
    ))
}

/// The town hall records an authority's answer: the ward officer of the
/// forum's ward, or a city officer.
pub(super) async fn answer_recommendation(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<uuid::Uuid>,
    body: Result<Json<crate::forums::AnswerBody>, JsonRejection>,
) -> Result<axum::http::StatusCode, ServerError> {
    let ward = match state.database.recommendation_ward_of(id).await? {
        Some(ward) => caller.require_officer_of(&ward).map(|()| ward)?,
        None => return Err(ServerError::NotFound),
    };
    let Json(body) = body?;
    for (what, text) in [
        (("Lý do", "The reasons"), &body.reasons),
        (("Việc sẽ làm", "The actions"), &body.actions),
    ] {
        if let Some(problem) =
            thamgia_core::limits::too_long(what, text, thamgia_core::limits::MAX_TEXT_CHARS)
        {
            return Err(ServerError::Invalid(problem));
        }
    }
    if state
        .database
        .answer_recommendation(id, &body, Utc::now())
        .await?
    {
        let event = caller
            .event(AuditAction::RecommendationAnswered)
            .ward(Some(&ward));
        state
            .database
            .record_after(event.target(id), Utc::now())
            .await;
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ServerError::NotFound)
    }
}

pub(super) async fn export_forums(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<axum::response::Response, ServerError> {
    caller.require_city()?;
    let forums = state.database.forums(None, Utc::now().date_naive()).await?;
    let body = crate::forums::forums_csv(&forums, true)?;
    let event = caller.event(AuditAction::ExportForums).target("forums.csv");
    state
        .database
        .record(event.detail(format!("rows={}", forums.len())), Utc::now())
        .await?;
    Ok(crate::csv_export::csv_response("forums.csv", body))
}
