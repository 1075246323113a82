//! What children said: one survey's results (`GET /results`), who took
//! part (`/results/participants`), who was heard against the child
//! population (`/results/heard`), one question split by one or two
//! dimensions (`/results/table`), for a ward officer's ward or, for a city
//! officer, any ward or the whole city (the downloads of the same figures
//! are `results_downloads.rs`).
//! Every figure leaves as core publishes it (`thamgia_core::results`):
//! counts under k shown as "< k", complements hidden, a table sharing
//! figures with the results linked to them. This file reads, calls core
//! and answers.

use axum::extract::State;
use axum::Json;
use chrono::Datelike;
use thamgia_core::api::results::{
    filter_for, parse_split, split_refusal, ResultsQuery, ResultsTableQuery, WhoWasHeard,
    MAX_QUERY_TEXT_CHARS,
};
use thamgia_core::report::Period;
use thamgia_core::results::maintained::{quarters_of, SurveyIndex};
use thamgia_core::results::representation::{
    ethnic_groups_heard, population_for, special_circumstances_heard, who_was_heard,
    UNDER_REPRESENTED_RATIO,
};
use thamgia_core::results::suppression::PublishedTable;
use thamgia_core::results::{Dimension, PublishedResults, ResultsFilter, SurveyResults};
use thamgia_core::{Localized, Response, SurveyDefinition};
use tokio::sync::OwnedRwLockReadGuard;

use crate::auth::Caller;
use crate::error::ServerError;
use crate::extract::ApiQuery;
use crate::results_export::Scope;
use crate::results_index::Held;
use crate::AppState;

/// The refusal of a query part longer than any code.
pub(super) fn unbounded() -> ServerError {
    ServerError::Invalid(Localized::new(
        format!("Mỗi phần của yêu cầu dài tối đa {MAX_QUERY_TEXT_CHARS} ký tự."),
        format!("Each part of the request is at most {MAX_QUERY_TEXT_CHARS} characters long."),
    ))
}

/// The refusal of a table that would give a child away.
pub(super) fn too_few() -> ServerError {
    ServerError::Invalid(Localized::new(
        "Quá ít trẻ em trong nhóm này để chia như vậy mà không lộ ra một em nào. Hãy chọn cách chia khác hoặc phạm vi rộng hơn.",
        "Too few children in this group to split it so without singling one out. Choose another split or a wider scope.",
    ))
}

/// Every response held in a query's scope, with what counting them needs.
pub(super) struct Recount {
    pub(super) definitions: Vec<SurveyDefinition>,
    pub(super) responses: Vec<Response>,
    pub(super) filter: ResultsFilter,
}

/// What a query's figures are computed from (`themes` reads them too).
pub(super) struct Inputs {
    /// The ward asked for or the caller's own; `None`: every ward.
    ward: Option<String>,
    /// The period asked for; `None`: all time.
    period: Option<Period>,
    /// The survey's results, each cell at its release.
    index: OwnedRwLockReadGuard<Held, SurveyIndex>,
    /// The changes in the scope the releases do not show yet.
    changes_waiting: u64,
}

impl Inputs {
    /// Reads what `survey`'s results for `ward` and `period` need, once
    /// the caller may read them (officers, in the wards they reach).
    pub(super) async fn read(
        caller: &Caller,
        state: &AppState,
        survey: &str,
        ward: Option<&str>,
        period: Option<&str>,
    ) -> Result<Inputs, ServerError> {
        if !caller.info.may_read_results() {
            return Err(ServerError::Forbidden(Localized::new(
                "Kết quả khảo sát dành cho cán bộ phường/xã và cán bộ thành phố.",
                "Survey results are for ward officers and city officers.",
            )));
        }
        let ward = caller.ward_scope(ward)?;
        let period = period
            .map(|text| {
                text.parse()
                    .map_err(|error: thamgia_core::report::ReportError| {
                        ServerError::Invalid(error.message())
                    })
            })
            .transpose()?;
        let current = state
            .results
            .current(&state.database, survey, state.results_step)
            .await?;
        let changes_waiting = current.waiting(ward.as_deref(), period);
        Ok(Inputs {
            ward,
            period,
            index: current.index,
            changes_waiting,
        })
    }

    /// The results as they may be published: with the one pattern of
    /// every scope's page (core's `results::joint`).
    pub(super) fn published(&self, state: &AppState) -> PublishedResults {
        self.published_with(state, &self.results())
    }

    /// The results of the release, before they are published.
    pub(super) fn results(&self) -> SurveyResults {
        self.index.results(self.ward.as_deref(), self.period)
    }

    /// `results` (of [`Inputs::results`]) as they may be published.
    pub(super) fn published_with(
        &self,
        state: &AppState,
        results: &SurveyResults,
    ) -> PublishedResults {
        PublishedResults {
            changes_waiting: self.changes_waiting,
            ..self.index.publish(
                results,
                self.ward.as_deref(),
                self.period,
                state.results_threshold,
            )
        }
    }

    /// Every response of `survey` held in the scope, for what is counted
    /// from the children's words themselves (themes, the answer list): a
    /// recount through core's `counted`, not the maintained results.
    ///
    /// Only the scope's ward and quarters are read, and at most
    /// `state.recount_limit` responses: past it, the officer is asked for a
    /// narrower scope rather than the server holding them all.
    pub(super) async fn recount(
        &self,
        state: &AppState,
        survey: &str,
    ) -> Result<Recount, ServerError> {
        let quarters: Option<Vec<String>> = self.period.map(|period| {
            quarters_of(period)
                .into_iter()
                .map(|quarter| quarter.to_string())
                .collect()
        });
        let (ward, quarters) = (self.ward.as_deref(), quarters.as_deref());
        // Up to `recount_limit` responses are read: a heavy read.
        let _room = state.database.heavy_read().await?;
        let held = state
            .database
            .scope_response_count(survey, ward, quarters)
            .await?;
        let limit = state.recount_limit;
        if held > limit {
            return Err(ServerError::Invalid(Localized::new(
                format!(
                    "Phạm vi này có {held} phiếu, quá nhiều để đọc ý kiến cùng lúc (tối đa {limit}). Hãy chọn một phường/xã hoặc một kỳ ngắn hơn."
                ),
                format!(
                    "This scope holds {held} responses, too many to read the children's words at once (at most {limit}). Choose a ward or commune, or a shorter period."
                ),
            )));
        }
        Ok(Recount {
            definitions: self.index.definitions().to_vec(),
            responses: state
                .database
                .scope_responses(survey, ward, quarters)
                .await?,
            filter: filter_for(self.ward.clone(), self.period),
        })
    }

    /// What the figures are of, as a download names it.
    pub(super) fn scope(&self, state: &AppState) -> Scope {
        let place = match &self.ward {
            Some(code) => state
                .units
                .units
                .iter()
                .find(|unit| &unit.code == code)
                .map(|unit| Localized::new(unit.name_vi.clone(), unit.name_en.clone()))
                .unwrap_or_else(|| Localized::new(code.clone(), code.clone())),
            None => Localized::new("Toàn thành phố", "Whole city"),
        };
        let period = self.period.map_or_else(
            || Localized::new("Mọi thời gian", "All time"),
            |period| period.label(),
        );
        Scope { place, period }
    }
}

/// The inputs of a bounded [`ResultsQuery`].
pub(super) async fn read(
    caller: &Caller,
    state: &AppState,
    query: &ResultsQuery,
) -> Result<Inputs, ServerError> {
    if !query.is_bounded() {
        return Err(unbounded());
    }
    Inputs::read(
        caller,
        state,
        &query.survey,
        query.ward.as_deref(),
        query.period.as_deref(),
    )
    .await
}

/// `GET /results?survey=…[&ward=…][&period=…]`.
pub(super) async fn results(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<Json<PublishedResults>, ServerError> {
    let inputs = read(&caller, &state, &query).await?;
    Ok(Json(inputs.published(&state)))
}

/// `GET /results/participants?survey=…[&ward=…][&period=…]`: who took
/// part, by age band and sex, its total linked to the children the
/// results count.
pub(super) async fn participants(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<Json<PublishedTable>, ServerError> {
    let inputs = read(&caller, &state, &query).await?;
    who_took_part(&inputs, &state).map(Json).ok_or_else(too_few)
}

/// `GET /results/heard?survey=…[&ward=…][&period=…]`: who was heard
/// against the child population the town hall entered (core's
/// `who_was_heard`), from the same published tables of who took part as
/// the page shows: a withheld figure leaves its group unknown.
pub(super) async fn heard(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> Result<Json<WhoWasHeard>, ServerError> {
    let inputs = read(&caller, &state, &query).await?;
    let respondents = inputs.published(&state).respondents;
    let threshold = state.results_threshold;
    let by_age_and_sex = who_took_part(&inputs, &state);
    let disability = inputs
        .index
        .published_participants_table(
            inputs.ward.as_deref(),
            inputs.period,
            Dimension::Disability,
            None,
            threshold,
        )
        .and_then(|table| {
            let row = table.rows.iter().position(|row| row.key == "yes")?;
            table.row_totals.get(row).copied()
        });
    let entered = state
        .database
        .entered_populations(inputs.ward.as_deref())
        .await?;
    let (population, populations) =
        population_for(&entered, inputs.period.map(|period| period.year()));
    let mut groups = match by_age_and_sex {
        Some(table) => who_was_heard(&table, disability, respondents, &population),
        None => Vec::new(),
    };
    // The other groups, each from its own table of who took part, read
    // only when the population gives them.
    let by = |dimension| {
        inputs.index.published_participants_table(
            inputs.ward.as_deref(),
            inputs.period,
            dimension,
            None,
            threshold,
        )
    };
    if !population.ethnic_groups.is_empty() {
        if let Some(table) = by(Dimension::EthnicGroup) {
            groups.extend(ethnic_groups_heard(&table, &population));
        }
    }
    if population.in_special_circumstances.is_some() {
        if let Some(table) = by(Dimension::SpecialCircumstances) {
            groups.extend(special_circumstances_heard(&table, &population, threshold));
        }
    }
    let year = inputs
        .period
        .map_or_else(|| chrono::Utc::now().year(), |period| period.year());
    let entered = inputs.ward.as_ref().and_then(|ward| {
        entered
            .into_iter()
            .find(|record| &record.ward_code == ward && record.year == year)
            .map(|record| record.population)
    });
    Ok(Json(WhoWasHeard {
        groups,
        populations,
        under_ratio: UNDER_REPRESENTED_RATIO,
        entered,
        entered_year: year,
    }))
}

/// `GET /results/table?survey=…&question=…&split=…[&ward=…][&period=…]`:
/// its row totals are the question's counts and its total the number who
/// answered, linked to the results (core's `SurveyIndex::published_question_table`).
pub(super) async fn table(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResultsTableQuery>,
) -> Result<Json<PublishedTable>, ServerError> {
    let (table, _) = split_table(&caller, &state, &query).await?;
    Ok(Json(table))
}

/// The published split of `query`, and what it was read from.
pub(super) async fn split_table(
    caller: &Caller,
    state: &AppState,
    query: &ResultsTableQuery,
) -> Result<(PublishedTable, Inputs), ServerError> {
    if !query.is_bounded() {
        return Err(unbounded());
    }
    let split = parse_split(&query.split).ok_or_else(|| ServerError::Invalid(split_refusal()))?;
    let inputs = Inputs::read(
        caller,
        state,
        &query.survey,
        query.ward.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    let table = inputs
        .index
        .published_question_table(
            inputs.ward.as_deref(),
            inputs.period,
            &query.question,
            &split,
            state.results_threshold,
        )
        .ok_or(ServerError::NotFound)?
        .ok_or_else(too_few)?;
    Ok((table, inputs))
}

/// Who took part by age band and sex, published beside the results (one
/// pattern over every scope, its total linked to the respondents).
pub(super) fn who_took_part(inputs: &Inputs, state: &AppState) -> Option<PublishedTable> {
    inputs.index.published_participants_table(
        inputs.ward.as_deref(),
        inputs.period,
        Dimension::AgeBand,
        Some(Dimension::Sex),
        state.results_threshold,
    )
}
