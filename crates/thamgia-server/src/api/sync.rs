//! The sync protocol's routes: a tablet's push and pull, and the records
//! the server refused and kept aside.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use thamgia_core::{
    Localized, MutationOutcome, PullRequest, PullResponse, PushRequest, PushResponse,
};

use super::WardQuery;
use crate::auth::Caller;
use crate::database::Release;
use crate::error::ServerError;
use crate::extract::{ApiPath, ApiQuery, FastJson};
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
    // Read once the page is made: between the tablet's sending and its
    // reading the answer, which is what it compares its clock with.
    Ok(Json(PullResponse {
        server_time_ms: Some(chrono::Utc::now().timestamp_millis()),
        ..page
    }))
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

/// `POST /quarantine/{client_id}/{seq}/release`: an officer who may act
/// for a refused response's ward accepts it (see
/// `database::quarantine::release`): the outcome of keeping it, or 400 with
/// what still refuses it.
pub(super) async fn release(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath((client_id, seq)): ApiPath<(uuid::Uuid, u64)>,
) -> Result<Json<MutationOutcome>, ServerError> {
    let waiting = state
        .database
        .waiting_record(client_id, seq)
        .await?
        .ok_or(ServerError::NotFound)?;
    match waiting.ward_code.as_deref() {
        Some(ward) => caller.require_officer_of(ward)?,
        None => caller.require_city()?,
    }
    let known_ward = |ward: &str| state.units.has(ward);
    let released = state
        .database
        .release_record(client_id, seq, &caller.info, &known_ward, Utc::now())
        .await?
        .ok_or(ServerError::NotFound)?;
    match released {
        Release::Done(outcome) => {
            tracing::info!(%client_id, seq, "refused record released");
            Ok(Json(outcome))
        }
        Release::Refused(reasons) => {
            let joined = thamgia_core::limits::joined_reasons(&reasons);
            Err(ServerError::Invalid(Localized::new(
                format!("Vẫn bị từ chối: {}", joined.vi),
                format!("Still refused: {}", joined.en),
            )))
        }
        Release::NotReleasable(message) => Err(ServerError::Invalid(message)),
        Release::NotAllowed => Err(ServerError::Forbidden(Localized::new(
            "Chỉ cán bộ của phường/xã của phiếu, hoặc cán bộ thành phố, mới nhận lại được phiếu này.",
            "Only an officer of the response's ward, or a city officer, may accept it.",
        ))),
    }
}
