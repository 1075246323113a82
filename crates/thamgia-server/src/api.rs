//! `/api/v1`: health, reference data, surveys, and the sync protocol.

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Serialize;
use thamgia_core::{
    PullRequest, PullResponse, PushRequest, PushResponse, SurveyDefinition, SCHEMA_VERSION,
};

use crate::error::ServerError;
use crate::seed::UnitList;
use crate::AppState;

/// Largest request body accepted: 500 responses of a long survey fit well.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The API routes, to be nested under `/api/v1`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/units", get(units))
        .route("/surveys", get(surveys))
        .route("/surveys/{id}/{version}", get(survey))
        .route("/sync/push", post(push))
        .route("/sync/pull", post(pull))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// The answer of `GET /health`.
#[derive(Debug, Serialize)]
pub struct Health {
    /// "ok" when the database answers.
    pub status: &'static str,
    /// The sync protocol version served.
    pub schema_version: u32,
    /// The server's version.
    pub version: &'static str,
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ServerError> {
    state.database.health().await?;
    Ok(Json(Health {
        status: "ok",
        schema_version: SCHEMA_VERSION,
        version: env!("CARGO_PKG_VERSION"),
    }))
}

async fn units(State(state): State<AppState>) -> Json<UnitList> {
    Json(state.units.as_ref().clone())
}

async fn surveys(
    State(state): State<AppState>,
) -> Result<Json<Vec<SurveyDefinition>>, ServerError> {
    Ok(Json(state.database.latest_surveys().await?))
}

async fn survey(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, u32)>,
) -> Result<Json<SurveyDefinition>, ServerError> {
    state
        .database
        .survey(&id, version)
        .await?
        .map(Json)
        .ok_or(ServerError::NotFound)
}

async fn push(
    State(state): State<AppState>,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ServerError> {
    let Json(request) = body?;
    let answer = state.database.push(&request, Utc::now()).await?;
    tracing::info!(
        client_id = %request.client_id,
        mutations = request.mutations.len(),
        last_seq = answer.last_seq,
        status = ?answer.status,
        "push applied"
    );
    Ok(Json(answer))
}

async fn pull(
    State(state): State<AppState>,
    body: Result<Json<PullRequest>, JsonRejection>,
) -> Result<Json<PullResponse>, ServerError> {
    let Json(request) = body?;
    Ok(Json(state.database.pull(&request).await?))
}

async fn not_found() -> ServerError {
    ServerError::NotFound
}
