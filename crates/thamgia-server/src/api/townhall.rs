//! The town hall's views: a ward report, the indicators and their targets,
//! the overview of a period and a ward's trend, the child population, and
//! the CSV exports of responses and reports.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use serde::Serialize;
use thamgia_core::audit::AuditAction;
use thamgia_core::report::Period;

use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::{ApiPath, ApiQuery};
use crate::AppState;

/// A ward report as the town hall sees it.
#[derive(Debug, Serialize)]
pub struct ReportView {
    /// Its status; an approved report is locked.
    pub status: thamgia_core::report::ReportStatus,
    /// Every field, merged from all edits, losing edits kept.
    pub fields: thamgia_core::report::ReportFields,
}

/// `GET /reports/{ward}:{period}`, e.g. `/reports/00004:2026-Q3`.
pub(super) async fn report(
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

pub(super) async fn indicators(
    _caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<thamgia_core::indicator::Catalogue>, ServerError> {
    Ok(Json(state.database.catalogue(&state.catalogue).await?))
}

/// A city officer replaces an indicator's targets.
pub(super) async fn set_targets(
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
    if let Some(problem) = thamgia_core::indicator::targets_problem(&targets) {
        return Err(ServerError::Invalid(problem));
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

pub(super) async fn overview(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<crate::townhall::Overview>, ServerError> {
    caller.require_city()?;
    let period = parse_period(&query.period)?;
    Ok(Json(read_overview(&state, period).await?))
}

/// The overview of `period`, read as a heavy read: it reads every report
/// of the period (and the period's counts of responses and forums by day
/// and ward).
async fn read_overview(
    state: &AppState,
    period: Period,
) -> Result<crate::townhall::Overview, ServerError> {
    let _room = state.database.heavy_read().await?;
    let catalogue = state.database.catalogue(&state.catalogue).await?;
    state
        .database
        .overview(period, &state.units, &catalogue)
        .await
}

/// `?ward=00004&indicator=4.1`.
#[derive(Debug, serde::Deserialize)]
pub struct TrendQuery {
    ward: String,
    indicator: String,
}

pub(super) async fn trend(
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

pub use thamgia_core::api::townhall::PopulationBody;

/// `GET /wards/{code}/participation?period=…`: one ward's participation in
/// the period, as the town hall's card shows it, for the ward's officer
/// (beside indicator 4.1 of the ward's report) or a city officer.
pub(super) async fn ward_participation(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<crate::townhall::Participation>, ServerError> {
    caller.require_officer_of(&code)?;
    if !state.units.units.iter().any(|unit| unit.code == code) {
        return Err(ServerError::NotFound);
    }
    let period = parse_period(&query.period)?;
    let participation = {
        let _room = state.database.heavy_read().await?;
        state.database.participation_of(period, Some(&code)).await?
    };
    Ok(Json(
        participation
            .get(&code)
            .map(|(_, participation)| participation.clone())
            .unwrap_or_else(|| crate::townhall::Participation::new(0, None)),
    ))
}

pub(super) async fn set_population(
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
    if let Some(problem) = body.problem() {
        return Err(ServerError::Invalid(problem));
    }
    state
        .database
        .set_child_population(
            &code,
            year,
            body.children_7_15,
            body.groups.as_ref(),
            Utc::now(),
        )
        .await?;
    let event = caller
        .event(AuditAction::PopulationChanged)
        .ward(Some(&code));
    let detail = format!(
        "year={year} children_7_15={} groups={}",
        body.children_7_15,
        if body.groups.is_some() { "set" } else { "kept" }
    );
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

pub(super) async fn export_responses(
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
    let csv =
        crate::townhall::ResponsesCsv::new(&state.database.survey_versions(&survey.id).await?);
    let header = csv.header()?;
    // The first page before the answer starts: a failure to read is still
    // a clear error rather than a cut file.
    let (first, count) = {
        let _room = state.database.heavy_read().await?;
        (
            state
                .database
                .responses_of_survey_after(&survey.id, None, EXPORT_PAGE)
                .await?,
            state.database.response_count_of_survey(&survey.id).await?,
        )
    };
    let event = caller
        .event(AuditAction::ExportResponses)
        .target(&survey.id);
    state
        .database
        .record(event.detail(format!("rows={count}")), Utc::now())
        .await?;
    let pages = export_pages(state.database.clone(), survey.id.clone(), csv, first);
    // Fused: the body may be polled again after its end (the compression
    // layer does), which an unfold alone does not allow.
    let body = futures_util::StreamExt::fuse(futures_util::StreamExt::chain(
        futures_util::stream::once(std::future::ready(Ok(header))),
        pages,
    ));
    Ok(crate::csv_export::csv_stream_response(
        &format!("{}-responses.csv", survey.id),
        axum::body::Body::from_stream(body),
    ))
}

/// Responses read per query of the export: a few megabytes of CSV at
/// most, whatever the survey's size.
const EXPORT_PAGE: u32 = 1_000;

/// The export's rows after its header, a page per query (each taking room
/// for a heavy read only while it runs), until a page comes back short.
/// A read that fails ends the stream with an error, which cuts the
/// download: the officer's browser reports it failed, never a short file
/// that looks whole (the log names the cause).
fn export_pages(
    database: crate::Database,
    survey_id: String,
    csv: crate::townhall::ResponsesCsv,
    first: Vec<ExportRow>,
) -> impl futures_util::Stream<Item = Result<String, ServerError>> + Send {
    let csv = std::sync::Arc::new(csv);
    futures_util::stream::unfold(Some(ExportStep::Rows(first)), move |step| {
        let (database, survey_id, csv) = (database.clone(), survey_id.clone(), csv.clone());
        async move {
            let rows = match step? {
                ExportStep::Rows(rows) => rows,
                ExportStep::After(cursor) => {
                    let page = async {
                        let _room = database.heavy_read().await?;
                        database
                            .responses_of_survey_after(&survey_id, Some(&cursor), EXPORT_PAGE)
                            .await
                    };
                    match page.await {
                        Ok(rows) => rows,
                        Err(error) => {
                            tracing::error!(%error, "the responses export stopped");
                            return Some((Err(error), None));
                        }
                    }
                }
            };
            let next = match rows.last() {
                Some((response, received_at, _)) if rows.len() >= EXPORT_PAGE as usize => Some(
                    ExportStep::After((received_at.clone(), response.id.to_string())),
                ),
                Some(_) => None,
                None => return None,
            };
            Some((csv.rows(&rows), next))
        }
    })
}

/// A response as the export reads it: the response, when it was received,
/// and the correction that supersedes it.
type ExportRow = (thamgia_core::Response, String, Option<String>);

/// Where the export is: rows read and not yet written, or the last row
/// written (its `received_at` and id).
enum ExportStep {
    Rows(Vec<ExportRow>),
    After((String, String)),
}

/// `GET /export/participation.csv?period=…`: every ward's participation
/// in the period, as the town hall's card shows it.
pub(super) async fn export_participation(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<axum::response::Response, ServerError> {
    caller.require_city()?;
    let period = parse_period(&query.period)?;
    let overview = read_overview(&state, period).await?;
    let body = crate::townhall::participation_csv(&overview)?;
    let event = caller
        .event(AuditAction::ExportParticipation)
        .target(period);
    state
        .database
        .record(
            event.detail(format!("rows={}", overview.wards.len())),
            Utc::now(),
        )
        .await?;
    Ok(crate::csv_export::csv_response(
        &format!("participation-{period}.csv"),
        body,
    ))
}

pub(super) async fn export_reports(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<axum::response::Response, ServerError> {
    caller.require_city()?;
    let period = parse_period(&query.period)?;
    let reports = {
        let _room = state.database.heavy_read().await?;
        state.database.reports_of_period(period).await?
    };
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
