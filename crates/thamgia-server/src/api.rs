//! `/api/v1`: health, sessions and accounts, reference data, surveys (and
//! their XLSForm import), the town hall's views, and the sync protocol.
//!
//! Every route but `GET /health` and `POST /session` takes a [`Caller`]:
//! no valid token, no answer (401). Each handler then applies the role and
//! ward rules before touching data (403).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Serialize;
use thamgia_core::account::{
    AccountChange, AccountInfo, AccountRecord, LoginRequest, NewAccount, Session,
};
use thamgia_core::audit::AuditAction;
use thamgia_core::{
    Localized, PullRequest, PullResponse, PushRequest, PushResponse, SurveyDefinition,
    SCHEMA_VERSION,
};

use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::{ApiPath, ApiQuery};
use crate::seed::UnitList;
use crate::xlsform::{import_xlsform, ImportProblem};
use crate::AppState;

/// Largest request body accepted: 500 responses of a long survey fit well.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Largest sign-in body: a user name, a password and a device name.
pub const MAX_SIGN_IN_BODY_BYTES: usize = 16 * 1024;

/// The API routes, to be nested under `/api/v1`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route(
            "/session",
            post(sign_in)
                .layer(DefaultBodyLimit::max(MAX_SIGN_IN_BODY_BYTES))
                .get(session_info)
                .delete(sign_out),
        )
        .route("/accounts", get(accounts).post(create_account))
        .route("/accounts/{username}", axum::routing::put(update_account))
        .route("/devices/{id}/revoke", post(revoke_device))
        .route("/quarantine", get(quarantine))
        .route("/units", get(units))
        .route("/surveys", get(surveys))
        .route("/surveys/{id}/{version}", get(survey))
        .route("/surveys/import", post(import_survey))
        .route("/responses/{id}/withdraw", post(withdraw))
        .route("/reports/{id}", get(report))
        .route("/indicators", get(indicators))
        .route(
            "/indicators/{code}/targets",
            axum::routing::put(set_targets),
        )
        .route("/forums", get(forums))
        .route("/recommendations/{id}/answer", post(answer_recommendation))
        .route("/export/forums.csv", get(export_forums))
        .route("/townhall/overview", get(overview))
        .route("/townhall/trend", get(trend))
        .route(
            "/wards/{code}/population/{year}",
            axum::routing::put(set_population),
        )
        .route("/export/responses.csv", get(export_responses))
        .route("/export/reports.csv", get(export_reports))
        .route("/audit", get(crate::audit::list))
        .route("/export/audit.csv", get(crate::audit::export))
        .route("/sync/push", post(push))
        .route("/sync/pull", post(pull))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
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

async fn units(_caller: Caller, State(state): State<AppState>) -> Json<UnitList> {
    Json(state.units.as_ref().clone())
}

async fn surveys(
    _caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Vec<SurveyDefinition>>, ServerError> {
    Ok(Json(state.database.latest_surveys().await?))
}

async fn survey(
    _caller: Caller,
    State(state): State<AppState>,
    ApiPath((id, version)): ApiPath<(String, u32)>,
) -> Result<Json<SurveyDefinition>, ServerError> {
    state
        .database
        .survey(&id, version)
        .await?
        .map(Json)
        .ok_or(ServerError::NotFound)
}

async fn push(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ServerError> {
    let Json(request) = body?;
    let answer = state
        .database
        .push_as(
            &request,
            &caller.info,
            &|ward: &str| state.units.has(ward),
            Utc::now(),
        )
        .await?;
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
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<PullRequest>, JsonRejection>,
) -> Result<Json<PullResponse>, ServerError> {
    let Json(mut request) = body?;
    // A tablet of a ward pulls that ward; only a city officer may pull all.
    request.ward_code = caller.ward_scope(request.ward_code.as_deref())?;
    Ok(Json(state.database.pull(&request).await?))
}

/// A guardian withdrew consent through the ward: the answers are deleted
/// here and on every tablet at its next sync. For the response's ward
/// officer and city officers.
async fn withdraw(
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

/// `POST /surveys/import`: the body is an XLSForm (.xlsx, whatever the
/// content type says). A form Tham Gia can run is published as the next
/// version of its `form_id` and answered with 201 and the survey; otherwise
/// 422 lists every problem with its sheet and row.
///
/// City officers only.
async fn import_survey(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SurveyDefinition>), ServerError> {
    caller.require_city()?;
    let body = body?;
    // Unzipping and parsing a workbook is CPU work: off the async threads.
    // A panic inside the reader (a malformed file it did not expect) is the
    // file's fault as far as the author can tell: it is refused, not a 500.
    let imported = tokio::task::spawn_blocking(move || import_xlsform(&body))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "the XLSForm reader panicked");
            Err(vec![ImportProblem {
                sheet: String::new(),
                row: None,
                message: Localized::new(
                    "Không đọc được tệp này. Hãy mở nó bằng Excel, lưu lại dưới dạng .xlsx rồi tải lên lại.",
                    "This file cannot be read. Open it in Excel, save it again as .xlsx and upload it again.",
                ),
            }])
        })
        .map_err(ServerError::ImportRefused)?;
    let survey = state
        .database
        .publish_next_version(imported.survey, Utc::now())
        .await?;
    tracing::info!(
        survey = %thamgia_core::limits::quoted(&survey.key()),
        form_version = %thamgia_core::limits::quoted(imported.form_version.as_deref().unwrap_or("")),
        "XLSForm imported and published"
    );
    let event = caller
        .event(AuditAction::SurveyImported)
        .target(survey.key());
    state.database.record_after(event, Utc::now()).await;
    Ok((StatusCode::CREATED, Json(survey)))
}

/// A ward report as the town hall sees it.
#[derive(Debug, Serialize)]
pub struct ReportView {
    /// Its status; an approved report is locked.
    pub status: thamgia_core::report::ReportStatus,
    /// Every field, merged from all edits, losing edits kept.
    pub fields: thamgia_core::report::ReportFields,
}

/// `GET /reports/{ward}:{period}`, e.g. `/reports/00004:2026-Q3`.
async fn report(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ReportView>, ServerError> {
    let report_id: thamgia_core::report::ReportId =
        id.parse()
            .map_err(|error: thamgia_core::report::ReportError| {
                ServerError::BadRequest(error.to_string())
            })?;
    caller.require_ward(report_id.ward_code())?;
    let (status, fields) = state.database.report(&report_id).await?;
    Ok(Json(ReportView { status, fields }))
}

async fn indicators(
    _caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<thamgia_core::indicator::Catalogue>, ServerError> {
    Ok(Json(state.database.catalogue(&state.catalogue).await?))
}

/// A city officer replaces an indicator's targets.
async fn set_targets(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    body: Result<Json<Vec<thamgia_core::indicator::Target>>, JsonRejection>,
) -> Result<axum::http::StatusCode, ServerError> {
    caller.require_city()?;
    let Json(targets) = body?;
    if state.catalogue.indicator(&code).is_none() {
        return Err(ServerError::NotFound);
    }
    if targets.iter().any(|target| !target.value.is_finite()) {
        return Err(ServerError::BadRequest(
            "a target must be a number".to_owned(),
        ));
    }
    state
        .database
        .set_targets(&code, &targets, Utc::now())
        .await?;
    let event = caller.event(AuditAction::TargetsChanged).target(&code);
    state
        .database
        .record_after(
            event.detail(format!("targets={}", targets.len())),
            Utc::now(),
        )
        .await;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `?period=2026-Q3`.
#[derive(Debug, serde::Deserialize)]
pub struct PeriodQuery {
    period: String,
}

fn parse_period(text: &str) -> Result<thamgia_core::report::Period, ServerError> {
    text.parse()
        .map_err(|error: thamgia_core::report::ReportError| {
            ServerError::BadRequest(error.to_string())
        })
}

async fn overview(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<crate::townhall::Overview>, ServerError> {
    caller.require_city()?;
    let period = parse_period(&query.period)?;
    let catalogue = state.database.catalogue(&state.catalogue).await?;
    Ok(Json(
        state
            .database
            .overview(period, &state.units, &catalogue)
            .await?,
    ))
}

/// `?ward=00004&indicator=4.1`.
#[derive(Debug, serde::Deserialize)]
pub struct TrendQuery {
    ward: String,
    indicator: String,
}

async fn trend(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TrendQuery>,
) -> Result<Json<Vec<crate::townhall::TrendPoint>>, ServerError> {
    caller.require_ward(&query.ward)?;
    let catalogue = state.database.catalogue(&state.catalogue).await?;
    Ok(Json(
        state
            .database
            .trend(&query.ward, &query.indicator, &catalogue)
            .await?,
    ))
}

/// The body of `PUT /wards/{code}/population/{year}`.
#[derive(Debug, serde::Deserialize)]
pub struct PopulationBody {
    children_7_15: u64,
}

async fn set_population(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath((code, year)): ApiPath<(String, i32)>,
    body: Result<Json<PopulationBody>, JsonRejection>,
) -> Result<axum::http::StatusCode, ServerError> {
    caller.require_city()?;
    let Json(body) = body?;
    if !state.units.units.iter().any(|unit| unit.code == code) {
        return Err(ServerError::NotFound);
    }
    state
        .database
        .set_child_population(&code, year, body.children_7_15, Utc::now())
        .await?;
    let event = caller
        .event(AuditAction::PopulationChanged)
        .ward(Some(&code));
    let detail = format!("year={year} children_7_15={}", body.children_7_15);
    state
        .database
        .record_after(event.target(&code).detail(detail), Utc::now())
        .await;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `?survey=<id>`.
#[derive(Debug, serde::Deserialize)]
pub struct SurveyQuery {
    survey: String,
}

async fn export_responses(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SurveyQuery>,
) -> Result<axum::response::Response, ServerError> {
    caller.require_city()?;
    let survey = state
        .database
        .latest_surveys()
        .await?
        .into_iter()
        .find(|survey| survey.id == query.survey)
        .ok_or(ServerError::NotFound)?;
    let rows = state.database.responses_of_survey(&survey.id).await?;
    let body = crate::townhall::responses_csv(&survey, &rows)?;
    let event = caller
        .event(AuditAction::ExportResponses)
        .target(&survey.id);
    state
        .database
        .record(event.detail(format!("rows={}", rows.len())), Utc::now())
        .await?;
    Ok(crate::csv_export::csv_response(
        &format!("{}-responses.csv", survey.id),
        body,
    ))
}

async fn export_reports(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<axum::response::Response, ServerError> {
    caller.require_city()?;
    let period = parse_period(&query.period)?;
    let reports = state.database.reports_of_period(period).await?;
    let catalogue = state.database.catalogue(&state.catalogue).await?;
    let body = crate::townhall::reports_csv(period, &reports, &catalogue)?;
    let event = caller.event(AuditAction::ExportReports).target(period);
    state
        .database
        .record(event.detail(format!("rows={}", reports.len())), Utc::now())
        .await?;
    Ok(crate::csv_export::csv_response(
        &format!("reports-{period}.csv"),
        body,
    ))
}

/// `?ward=00004` (optional).
#[derive(Debug, serde::Deserialize)]
pub struct WardQuery {
    ward: Option<String>,
}

async fn forums(
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
async fn answer_recommendation(
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

async fn export_forums(
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

async fn not_found() -> ServerError {
    ServerError::NotFound
}

async fn method_not_allowed() -> ServerError {
    ServerError::MethodNotAllowed
}

/// `GET /quarantine?ward=…`: the records the server refused, with why:
/// every ward's for a city officer, the ward's own for its ward officer.
async fn quarantine(
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

/// `POST /session`: signs in and issues a device token.
async fn sign_in(
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
            state.sign_in_guard.failed(&request.username, now);
            crate::audit::sign_in_refused(&state, &request.username, now).await;
            Err(error)
        }
        Err(error) => Err(error),
    }
}

/// `GET /session`: who the token belongs to.
async fn session_info(caller: Caller) -> Json<AccountInfo> {
    Json(caller.info)
}

/// `DELETE /session`: signs this device out; its token stops working.
async fn sign_out(
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

async fn accounts(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Vec<AccountRecord>>, ServerError> {
    caller.require_city()?;
    Ok(Json(state.database.accounts().await?))
}

async fn create_account(
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

async fn update_account(
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

async fn revoke_device(
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
