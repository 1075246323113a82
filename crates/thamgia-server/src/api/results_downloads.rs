//! The results as downloads: the figures, who took part, the themes of
//! the children's words and the words themselves as XLSX (and the figures
//! as CSV), and any split the
//! page shows as XLSX or CSV of its own — exactly as published, each
//! download written to the audit log.

use axum::extract::State;
use axum::response::IntoResponse;
use chrono::Utc;
use thamgia_core::api::results::{ResultsQuery, ResultsTableQuery};
use thamgia_core::audit::AuditAction;
use thamgia_core::results::themes::PublishedThemeCounts;
use thamgia_core::results::PublishedResults;
use thamgia_core::Localized;

use super::results::{read, split_table, who_took_part};
use super::themes::Coded;
use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::ApiQuery;
use crate::results_export::{
    results_csv, results_xlsx, rows_csv, table_rows, workbook, PublishedQuestionLabel, Scope,
};
use crate::AppState;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Writes the export of `survey` to the audit log.
async fn audited(
    caller: &Caller,
    state: &AppState,
    survey: &str,
    detail: String,
) -> Result<(), ServerError> {
    let event = caller.event(AuditAction::ExportResults).target(survey);
    state
        .database
        .record(event.detail(detail), Utc::now())
        .await
}

/// The results of `query` as published, who took part, and what they
/// are of, once the export is in the audit log.
async fn exported(
    caller: &Caller,
    state: &AppState,
    query: &ResultsQuery,
    format: &str,
) -> Result<
    (
        PublishedResults,
        Option<thamgia_core::results::suppression::PublishedTable>,
        Scope,
    ),
    ServerError,
> {
    let inputs = read(caller, state, query).await?;
    let detail = format!(
        "format={format} ward={} period={}",
        query.ward.as_deref().unwrap_or("all"),
        query.period.as_deref().unwrap_or("all")
    );
    audited(caller, state, &query.survey, detail).await?;
    Ok((
        inputs.published(state),
        who_took_part(&inputs, state),
        inputs.scope(state),
    ))
}

/// A download named `name`.
fn download(content_type: &str, name: String, body: Vec<u8>) -> axum::response::Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /export/results.xlsx?survey=…[&ward=…][&period=…]`: the figures,
/// who took part and the children's words, as the page shows them.
pub(super) async fn export_xlsx(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<axum::response::Response, ServerError> {
    let (results, who, scope) = exported(&caller, &state, &query, "xlsx").await?;
    let themes = themes_of(&caller, &state, &query, &results).await?;
    let body = results_xlsx(&results, who.as_ref(), &themes, &scope)?;
    Ok(download(
        XLSX,
        format!("{}-results.xlsx", file_stem(&query.survey)),
        body,
    ))
}

/// Each free-text question's counts by theme, when the survey has themes
/// and the scope is small enough to recount (otherwise none: the sheet is
/// left out rather than the download refused).
async fn themes_of(
    caller: &Caller,
    state: &AppState,
    query: &ResultsQuery,
    results: &PublishedResults,
) -> Result<Vec<(PublishedQuestionLabel, PublishedThemeCounts)>, ServerError> {
    if state.database.themes(&query.survey).await?.is_empty() {
        return Ok(Vec::new());
    }
    let inputs = read(caller, state, query).await?;
    let mut themes = Vec::new();
    for question in &results.questions {
        if !matches!(
            question.distribution,
            thamgia_core::results::PublishedDistribution::FreeText { .. }
        ) {
            continue;
        }
        match Coded::read(state, &inputs, &query.survey, &question.question_id).await {
            Ok(coded) => themes.push((
                (question.question_id.clone(), question.label.clone()),
                coded.counts,
            )),
            Err(ServerError::Invalid(_)) => return Ok(Vec::new()),
            Err(error) => return Err(error),
        }
    }
    Ok(themes)
}

/// `GET /export/results.csv?survey=…[&ward=…][&period=…]`: the figures.
pub(super) async fn export_csv(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<axum::response::Response, ServerError> {
    let (results, _, scope) = exported(&caller, &state, &query, "csv").await?;
    let body = results_csv(&results, &scope)?;
    Ok(crate::csv_export::csv_response(
        &format!("{}-results.csv", file_stem(&query.survey)),
        body,
    ))
}

/// A split's rows for a download, once it is in the audit log.
async fn table_export(
    caller: &Caller,
    state: &AppState,
    query: &ResultsTableQuery,
    format: &str,
) -> Result<Vec<Vec<crate::results_export::Cell>>, ServerError> {
    let (table, inputs) = split_table(caller, state, query).await?;
    let detail = format!(
        "format={format} question={} split={} ward={} period={}",
        query.question,
        query.split,
        query.ward.as_deref().unwrap_or("all"),
        query.period.as_deref().unwrap_or("all")
    );
    audited(caller, state, &query.survey, detail).await?;
    let question = inputs
        .published(state)
        .questions
        .into_iter()
        .find(|question| question.question_id == query.question)
        .map(|question| question.label)
        .unwrap_or_else(|| Localized::new(query.question.clone(), query.question.clone()));
    Ok(table_rows(
        &question,
        &table,
        &inputs.scope(state),
        state.results_threshold.k(),
    ))
}

/// `GET /export/results/table.xlsx?survey=…&question=…&split=…[&ward=…]
/// [&period=…]`: one question's split, as the page shows it.
pub(super) async fn export_table_xlsx(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsTableQuery>,
) -> Result<axum::response::Response, ServerError> {
    let rows = table_export(&caller, &state, &query, "xlsx").await?;
    let body = workbook(&[("Bảng", rows)])?;
    Ok(download(
        XLSX,
        format!(
            "{}-{}-{}.xlsx",
            file_stem(&query.survey),
            file_stem(&query.question),
            file_stem(&query.split)
        ),
        body,
    ))
}

/// `GET /export/results/table.csv?…`: the same split as CSV.
pub(super) async fn export_table_csv(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsTableQuery>,
) -> Result<axum::response::Response, ServerError> {
    let rows = table_export(&caller, &state, &query, "csv").await?;
    Ok(crate::csv_export::csv_response(
        &format!(
            "{}-{}-{}.csv",
            file_stem(&query.survey),
            file_stem(&query.question),
            file_stem(&query.split)
        ),
        rows_csv(rows)?,
    ))
}

/// A name as part of a file name: letters, digits, `-` and `_` only.
fn file_stem(name: &str) -> String {
    name.chars()
        .filter(|character| character.is_ascii_alphanumeric() || matches!(character, '-' | '_'))
        .take(80)
        .collect()
}
