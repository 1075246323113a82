//! The sync protocol's routes: a tablet's push and pull, and the records
//! the server refused and kept aside.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use thamgia_core::{PullRequest, PullResponse, PushRequest, PushResponse};

use super::WardQuery;
use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::{ApiQuery, FastJson};
use crate::AppState;

pub(super) async fn push(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<FastJson<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ServerError> {
    let FastJson(request) = body?;
    let answer = state
        .database
        .push_as(
            &request,
            &caller.info,
            &|ward: &str| state.units.has(ward),
            Utc::now(),
        )
        .await?;
    state.metrics.mutations_answered(&answer.results);
    tracing::info!(
        client_id = %request.client_id,
        mutations = request.mutations.len(),
        last_seq = answer.last_seq,
        status = ?answer.status,
        "push applied"
    );
    Ok(Json(answer))
}

pub(super) async fn pull(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<PullRequest>, JsonRejection>,
) -> Result<Json<PullResponse>, ServerError> {
    let Json(mut request) = body?;
    // A tablet of a ward pulls that ward; only a city officer may pull all.
    request.ward_code = caller.ward_scope(request.ward_code.as_deref())?;
    let page = state.database.pull(&request).await?;
    state.metrics.pull_page_served();
    Ok(Json(page))
}

/// `GET /quarantine?ward=…`: the records the server refused, with why:
/// every ward's for a city officer, the ward's own for its ward officer.
pub(super) async fn quarantine(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WardQuery>,
) -> Result<Json<Vec<thamgia_core::QuarantinedRecord>>, ServerError> {
    let ward = match query.ward.as_deref() {
        Some(ward) => {
            caller.require_officer_of(ward)?;
            Some(ward.to_owned())
        }
        None if caller.info.is_city_officer() => None,
        None => {
            let ward = caller.info.ward_code.clone().unwrap_or_default();
            caller.require_officer_of(&ward)?;
            Some(ward)
        }
    };
    Ok(Json(
        state.database.quarantined(ward.as_deref(), 500).await?,
    ))
}
