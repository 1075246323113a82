//! What children said: one survey's results (`GET /results`) and one
//! question split by one or two dimensions (`GET /results/table`), for a
//! ward officer's ward or, for a city officer, any ward or the whole city.
//! Every figure leaves as core publishes it: counts under k shown as
//! "< k", complements hidden (`thamgia_core::results::suppression`).

use axum::extract::State;
use axum::Json;
use thamgia_core::account::Role;
use thamgia_core::api::results::{
    filter_for, parse_split, ResultsQuery, ResultsTableQuery, MAX_QUERY_TEXT_CHARS,
};
use thamgia_core::report::Period;
use thamgia_core::results::suppression::{
    publish_linked_table, Linked, PublishedTable, Shown, TableEntry,
};
use thamgia_core::results::{
    participants_table, publish_results, question_table, survey_results, Dimension,
    PublishedDistribution, PublishedResults, ResultsFilter,
};
use thamgia_core::{Localized, Response, SurveyDefinition};

use chrono::Utc;
use thamgia_core::audit::AuditAction;

use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::ApiQuery;
use crate::results_export::{results_csv, results_xlsx, Scope};
use crate::AppState;

/// The refusal of a query part longer than any code.
fn unbounded() -> ServerError {
    ServerError::Invalid(Localized::new(
        format!("Mỗi phần của yêu cầu dài tối đa {MAX_QUERY_TEXT_CHARS} ký tự."),
        format!("Each part of the request is at most {MAX_QUERY_TEXT_CHARS} characters long."),
    ))
}

/// The ward the results are about (see [`Caller::ward_scope`]); collectors
/// see none (the results are the officers').
fn scope(caller: &Caller, asked: Option<&str>) -> Result<Option<String>, ServerError> {
    if caller.info.role == Role::Collector {
        return Err(ServerError::Forbidden(Localized::new(
            "Kết quả khảo sát dành cho cán bộ phường/xã và cán bộ thành phố.",
            "Survey results are for ward officers and city officers.",
        )));
    }
    caller.ward_scope(asked)
}

fn parse_period(text: Option<&str>) -> Result<Option<Period>, ServerError> {
    text.map(|text| {
        text.parse()
            .map_err(|error: thamgia_core::report::ReportError| {
                ServerError::Invalid(error.message())
            })
    })
    .transpose()
}

/// The survey's versions and responses, and the filter, for a query.
async fn inputs(
    caller: &Caller,
    state: &AppState,
    survey: &str,
    ward: Option<&str>,
    period: Option<&str>,
) -> Result<(Vec<SurveyDefinition>, Vec<Response>, ResultsFilter), ServerError> {
    let ward = scope(caller, ward)?;
    let filter = filter_for(ward.clone(), parse_period(period)?);
    let definitions = state.database.survey_versions(survey).await?;
    if definitions.is_empty() {
        return Err(ServerError::NotFound);
    }
    let responses = state
        .database
        .survey_responses(survey, ward.as_deref())
        .await?;
    Ok((definitions, responses, filter))
}

/// The counts a published distribution shows per answer, by the keys of a
/// question table's rows; `None` for a kind that no table splits.
fn published_counts(distribution: &PublishedDistribution) -> Option<Vec<(String, Shown)>> {
    distribution.one_answer_each().then(|| {
        distribution
            .answer_counts()
            .into_iter()
            .map(|(category, shown)| (category.key, shown))
            .collect()
    })
}

/// The published results of a query, and what they are of.
async fn published(
    caller: &Caller,
    state: &AppState,
    query: &ResultsQuery,
) -> Result<(PublishedResults, Scope), ServerError> {
    let ward = scope(caller, query.ward.as_deref())?;
    let period = parse_period(query.period.as_deref())?;
    let (definitions, responses, filter) = inputs(
        caller,
        state,
        &query.survey,
        ward.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    let results = publish_results(
        &survey_results(&definitions, &responses, &filter),
        state.results_threshold,
    );
    let place = match &ward {
        Some(code) => state
            .units
            .units
            .iter()
            .find(|unit| &unit.code == code)
            .map(|unit| Localized::new(unit.name_vi.clone(), unit.name_en.clone()))
            .unwrap_or_else(|| Localized::new(code.clone(), code.clone())),
        None => Localized::new("Toàn thành phố", "Whole city"),
    };
    let period = period.map_or_else(
        || Localized::new("Mọi thời gian", "All time"),
        |period| period.label(),
    );
    Ok((results, Scope { place, period }))
}

/// Logs an export of `query`'s results in the audit log.
async fn log_export(
    caller: &Caller,
    state: &AppState,
    query: &ResultsQuery,
    format: &str,
) -> Result<(), ServerError> {
    let event = caller
        .event(AuditAction::ExportResults)
        .target(&query.survey);
    let detail = format!(
        "format={format} ward={} period={}",
        query.ward.as_deref().unwrap_or("all"),
        query.period.as_deref().unwrap_or("all")
    );
    state
        .database
        .record(event.detail(detail), Utc::now())
        .await
}

/// `GET /export/results.xlsx?survey=…[&ward=…][&period=…]`: the figures
/// and the children's words, as the page shows them.
pub(super) async fn export_xlsx(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<axum::response::Response, ServerError> {
    if !query.is_bounded() {
        return Err(unbounded());
    }
    use axum::response::IntoResponse;
    let (results, scope) = published(&caller, &state, &query).await?;
    let body = results_xlsx(&results, &scope)?;
    log_export(&caller, &state, &query, "xlsx").await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-results.xlsx\"",
                    file_stem(&query.survey)
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /export/results.csv?survey=…[&ward=…][&period=…]`: the figures.
pub(super) async fn export_csv(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<axum::response::Response, ServerError> {
    if !query.is_bounded() {
        return Err(unbounded());
    }
    let (results, scope) = published(&caller, &state, &query).await?;
    let body = results_csv(&results, &scope)?;
    log_export(&caller, &state, &query, "csv").await?;
    Ok(crate::csv_export::csv_response(
        &format!("{}-results.csv", file_stem(&query.survey)),
        body,
    ))
}

/// A survey id as a file name: letters, digits, `-` and `_` only.
fn file_stem(survey: &str) -> String {
    survey
        .chars()
        .filter(|character| character.is_ascii_alphanumeric() || matches!(character, '-' | '_'))
        .take(80)
        .collect()
}

/// `GET /results?survey=…[&ward=…][&period=…]`.
pub(super) async fn results(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<Json<PublishedResults>, ServerError> {
    if !query.is_bounded() {
        return Err(unbounded());
    }
    let (definitions, responses, filter) = inputs(
        &caller,
        &state,
        &query.survey,
        query.ward.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    let results = survey_results(&definitions, &responses, &filter);
    Ok(Json(publish_results(&results, state.results_threshold)))
}

/// `GET /results/participants?survey=…[&ward=…][&period=…]`: who took
/// part, by age band and sex. The table's total is the number of children
/// `/results` publishes: withheld here when it is withheld there.
pub(super) async fn participants(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<Json<PublishedTable>, ServerError> {
    if !query.is_bounded() {
        return Err(unbounded());
    }
    let (definitions, responses, filter) = inputs(
        &caller,
        &state,
        &query.survey,
        query.ward.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    let threshold = state.results_threshold;
    let table = participants_table(
        &definitions,
        &responses,
        &filter,
        Dimension::AgeBand,
        Some(Dimension::Sex),
    );
    let mut linked = Linked::default();
    if (1..threshold.k()).contains(&table.total) {
        linked.hidden.push(TableEntry::Total);
    } else {
        linked.known.push(TableEntry::Total);
    }
    let shown = publish_linked_table(&table, threshold, &linked);
    if linked.known.contains(&TableEntry::Total) && shown.total.is_suppressed() {
        return Err(too_few());
    }
    Ok(Json(shown))
}

/// The refusal of a table that would give a child away.
fn too_few() -> ServerError {
    ServerError::Invalid(Localized::new(
        "Quá ít trẻ em trong nhóm này để chia như vậy mà không lộ ra một em nào. Hãy chọn cách chia khác hoặc phạm vi rộng hơn.",
        "Too few children in this group to split it so without singling one out. Choose another split or a wider scope.",
    ))
}

/// `GET /results/table?survey=…&question=…&split=…[&ward=…][&period=…]`.
///
/// The table's row totals are the question's counts, which `/results`
/// publishes too: the counts it withholds are withheld here, and should the
/// table need to hide one it shows, the split is refused as too small
/// rather than published (together the two would give it away).
pub(super) async fn table(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsTableQuery>,
) -> Result<Json<PublishedTable>, ServerError> {
    if !query.is_bounded() {
        return Err(unbounded());
    }
    let split = parse_split(&query.split).ok_or_else(|| {
        ServerError::Invalid(Localized::new(
            "Hãy chọn một hoặc hai cách chia (độ tuổi, giới tính, …).",
            "Choose one or two ways to split (age band, sex, …).",
        ))
    })?;
    let (definitions, responses, filter) = inputs(
        &caller,
        &state,
        &query.survey,
        query.ward.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    let threshold = state.results_threshold;
    let table = question_table(&definitions, &responses, &filter, &query.question, &split)
        .ok_or(ServerError::NotFound)?;
    // What the survey's results publish of the same counts.
    let published = publish_results(
        &survey_results(&definitions, &responses, &filter),
        threshold,
    );
    let question = published
        .questions
        .iter()
        .find(|question| question.question_id == query.question);
    let counts = question.and_then(|question| published_counts(&question.distribution));
    let mut linked = Linked::default();
    for (row, category) in table.rows.iter().enumerate() {
        let shown = counts
            .as_ref()
            .and_then(|counts| counts.iter().find(|(key, _)| *key == category.key))
            .map(|(_, shown)| *shown);
        if shown.is_some_and(Shown::is_suppressed) {
            linked.hidden.push(TableEntry::RowTotal(row));
        } else {
            linked.known.push(TableEntry::RowTotal(row));
        }
    }
    // The table's total is the number who answered.
    if question.is_some_and(|question| question.answered.is_suppressed()) {
        linked.hidden.push(TableEntry::Total);
    } else {
        linked.known.push(TableEntry::Total);
    }
    let shown = publish_linked_table(&table, threshold, &linked);
    let gives_away = linked.known.iter().any(|entry| match entry {
        TableEntry::RowTotal(row) => shown
            .row_totals
            .get(*row)
            .is_some_and(|total| total.is_suppressed()),
        TableEntry::Total => shown.total.is_suppressed(),
        TableEntry::Cell { .. } | TableEntry::ColumnTotal(_) => false,
    });
    if gives_away {
        return Err(too_few());
    }
    Ok(Json(shown))
}
