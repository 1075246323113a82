//! What children wrote in their own words: one free-text question's
//! answers, searched and paged, with their themes and the question's
//! counts by theme (`GET /results/answers`); a survey's codebook of themes
//! (`/themes`); answers tagged and untagged (`/tags`). Officers only, each
//! in the wards they reach; every change is in the audit log. The rules
//! are core's (`thamgia_core::results::themes`); this file reads, calls
//! core and answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use thamgia_core::api::results::{parse_split, split_refusal, MAX_QUERY_TEXT_CHARS};
use thamgia_core::api::themes::{
    AnswerThemes, AnswersQuery, AnswersView, NewTheme, TagBody, ThemeLabel, ThemeTableQuery,
    ThemesQuery,
};
use thamgia_core::audit::AuditAction;
use thamgia_core::results::release::answered_as_it_stands;
use thamgia_core::results::suppression::{publish_free_text, PublishedTable};
use thamgia_core::results::themes::{
    answer_page, publish_theme_counts, publish_theme_table, question_answers, theme_counts,
    theme_table, AnswerTag, PublishedThemeCounts, Theme, MAX_SEARCH_CHARS,
};
use thamgia_core::results::{FreeTextAnswer, PublishedDistribution};
use thamgia_core::Localized;
use uuid::Uuid;

use super::results::Inputs;
use crate::auth::Caller;
use crate::database::{TagChange, ThemeChange};
use crate::error::ServerError;
use crate::extract::{ApiPath, ApiQuery};
use crate::AppState;

/// Refuses an account that reads no results (collectors).
fn require_reader(caller: &Caller) -> Result<(), ServerError> {
    if caller.info.may_read_results() {
        Ok(())
    } else {
        Err(ServerError::Forbidden(Localized::new(
            "Ý kiến của trẻ em và các chủ đề dành cho cán bộ phường/xã và cán bộ thành phố.",
            "Children's words and their themes are for ward officers and city officers.",
        )))
    }
}

fn too_long() -> ServerError {
    ServerError::Invalid(Localized::new(
        format!(
            "Từ tìm kiếm dài tối đa {MAX_SEARCH_CHARS} ký tự, mỗi phần khác của yêu cầu tối đa {MAX_QUERY_TEXT_CHARS} ký tự."
        ),
        format!(
            "A search is at most {MAX_SEARCH_CHARS} characters, each other part of the request at most {MAX_QUERY_TEXT_CHARS}."
        ),
    ))
}

fn not_allowed() -> ServerError {
    ServerError::Forbidden(Localized::new(
        "Chỉ cán bộ thành phố, hoặc người tạo chủ đề khi chưa phường/xã nào khác dùng nó, mới được đổi tên hay xoá chủ đề này.",
        "Only a city officer, or the officer who created this theme while no other ward uses it, may rename or delete it.",
    ))
}

/// The answer of a change to a theme.
fn theme_answer(change: ThemeChange) -> Result<Json<Theme>, ServerError> {
    match change {
        ThemeChange::Done(theme) => Ok(Json(theme)),
        ThemeChange::Refused(refusal) => Err(ServerError::Invalid(refusal.message())),
        ThemeChange::NotFound => Err(ServerError::NotFound),
        ThemeChange::NotAllowed => Err(not_allowed()),
    }
}

/// `GET /results/answers?survey=…&question=…[&ward=…][&period=…][&q=…]
/// [&theme=…][&offset=…]`: a page of a free-text question's answers (as
/// published: attributes only for a group of at least k), with the
/// question's counts by theme, published like a multiple-choice question.
pub(super) async fn answers(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AnswersQuery>,
) -> Result<Json<AnswersView>, ServerError> {
    if !query.is_bounded() {
        return Err(too_long());
    }
    let search = query.search().ok_or_else(|| {
        ServerError::Invalid(Localized::new(
            "Chủ đề cần lọc không có trong khảo sát này.",
            "The theme to filter by is not one of this survey's.",
        ))
    })?;
    let inputs = Inputs::read(
        &caller,
        &state,
        &query.survey,
        query.ward.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    let coded = Coded::read(&state, &inputs, &query.survey, &query.question).await?;
    Ok(Json(AnswersView {
        page: answer_page(
            &coded.answers,
            &coded.themes,
            &coded.tags,
            &query.question,
            &search,
        ),
        counts: coded.counts,
        themes: coded.themes,
    }))
}

/// A free-text question's answers as they may be shown, the survey's
/// codebook, the question's tags, and its counts by theme as they may be
/// published beside the results.
pub(super) struct Coded {
    answers: Vec<FreeTextAnswer>,
    themes: Vec<Theme>,
    tags: Vec<AnswerTag>,
    pub(super) counts: PublishedThemeCounts,
}

impl Coded {
    pub(super) async fn read(
        state: &AppState,
        inputs: &Inputs,
        survey: &str,
        question: &str,
    ) -> Result<Coded, ServerError> {
        let recount = inputs.recount(state, survey).await?;
        let listed = question_answers(
            &recount.definitions,
            &recount.responses,
            &recount.filter,
            question,
        )
        .ok_or(ServerError::NotFound)?;
        // "Answered" as the results publish it while their release holds
        // the same children, so that the counts beside it withhold what it
        // withholds; the words are listed as the store stands.
        let results = inputs.results();
        let released = results
            .questions
            .iter()
            .find(|result| result.question_id == question)
            .map_or(0, |result| result.answered);
        let published = inputs
            .published_with(state, &results)
            .questions
            .into_iter()
            .find(|result| {
                result.question_id == question
                    && matches!(result.distribution, PublishedDistribution::FreeText { .. })
            })
            .map(|result| result.answered)
            .ok_or(ServerError::NotFound)?;
        let answered = answered_as_it_stands(
            listed.answers.len() as u64,
            released,
            published,
            state.results_threshold,
        );
        let themes = state.database.themes(survey).await?;
        let tags = state.database.answer_tags(survey, question).await?;
        let counts = publish_theme_counts(
            &theme_counts(&listed.answers, &themes, &tags, question),
            answered,
            state.results_threshold,
        );
        Ok(Coded {
            answers: publish_free_text(
                &listed.answers,
                listed.respondents,
                state.results_threshold,
            ),
            themes,
            tags,
            counts,
        })
    }
}

/// `GET /results/themes/table?survey=…&question=…&theme=…&split=…[&ward=…]
/// [&period=…]`: the children who answered, those whose answer speaks of
/// the theme and the others, split by one or two dimensions, published
/// against the theme's count (see `publish_theme_table`).
pub(super) async fn table(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ThemeTableQuery>,
) -> Result<Json<PublishedTable>, ServerError> {
    if !query.is_bounded() {
        return Err(too_long());
    }
    let split = parse_split(&query.split).ok_or_else(|| ServerError::Invalid(split_refusal()))?;
    let inputs = Inputs::read(
        &caller,
        &state,
        &query.survey,
        query.ward.as_deref(),
        query.period.as_deref(),
    )
    .await?;
    let coded = Coded::read(&state, &inputs, &query.survey, &query.question).await?;
    let theme = coded
        .themes
        .iter()
        .find(|theme| theme.id == query.theme)
        .ok_or(ServerError::NotFound)?;
    let count = coded
        .counts
        .themes
        .iter()
        .find(|count| count.theme_id == theme.id)
        .map(|count| count.count)
        .ok_or(ServerError::NotFound)?;
    let tagged = coded
        .tags
        .iter()
        .filter(|tag| tag.theme_id == theme.id && tag.question_id == query.question)
        .map(|tag| tag.response_id)
        .collect();
    let recount = inputs.recount(&state, &query.survey).await?;
    let table = theme_table(
        &recount.definitions,
        &recount.responses,
        &recount.filter,
        &query.question,
        theme,
        &tagged,
        &split,
    )
    .ok_or(ServerError::NotFound)?;
    publish_theme_table(&table, count, coded.counts.answered, state.results_threshold)
        .map(Json)
        .ok_or_else(|| {
            ServerError::Invalid(Localized::new(
                "Quá ít trẻ em trong nhóm này để chia như vậy mà không lộ ra một em nào. Hãy chọn cách chia khác hoặc phạm vi rộng hơn.",
                "Too few children in this group to split it so without singling one out. Choose another split or a wider scope.",
            ))
        })
}

/// `GET /themes?survey=…`: a survey's codebook, oldest theme first.
pub(super) async fn list(
    caller: Caller,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ThemesQuery>,
) -> Result<Json<Vec<Theme>>, ServerError> {
    require_reader(&caller)?;
    if query.survey.chars().count() > MAX_QUERY_TEXT_CHARS {
        return Err(too_long());
    }
    Ok(Json(state.database.themes(&query.survey).await?))
}

/// `POST /themes`: a new theme in a survey's codebook, by an officer.
pub(super) async fn create(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<NewTheme>, JsonRejection>,
) -> Result<(StatusCode, Json<Theme>), ServerError> {
    require_reader(&caller)?;
    let Json(body) = body?;
    if body.survey.chars().count() > MAX_QUERY_TEXT_CHARS {
        return Err(too_long());
    }
    if state
        .database
        .survey_versions(&body.survey)
        .await?
        .is_empty()
    {
        return Err(ServerError::NotFound);
    }
    let event = caller.event(AuditAction::ThemeCreated).ward(None);
    let change = state
        .database
        .create_theme(&caller.info, &body.survey, &body.label, event, Utc::now())
        .await?;
    theme_answer(change).map(|theme| (StatusCode::CREATED, theme))
}

/// `PUT /themes/{id}`: a theme renamed, by a city officer or its creator.
pub(super) async fn rename(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    body: Result<Json<ThemeLabel>, JsonRejection>,
) -> Result<Json<Theme>, ServerError> {
    require_reader(&caller)?;
    let Json(body) = body?;
    let event = caller.event(AuditAction::ThemeRenamed).ward(None);
    let change = state
        .database
        .rename_theme(&caller.info, id, &body.label, event, Utc::now())
        .await?;
    theme_answer(change)
}

/// `DELETE /themes/{id}`: a theme and its tags deleted, by a city officer
/// or its creator.
pub(super) async fn delete(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ServerError> {
    require_reader(&caller)?;
    let event = caller.event(AuditAction::ThemeDeleted).ward(None);
    let change = state
        .database
        .delete_theme(&caller.info, id, event, Utc::now())
        .await?;
    theme_answer(change).map(|_| StatusCode::NO_CONTENT)
}

/// Tags (`tagged`) or untags an answer.
async fn change_tag(
    caller: Caller,
    state: AppState,
    body: Result<Json<TagBody>, JsonRejection>,
    tagged: bool,
) -> Result<Json<AnswerThemes>, ServerError> {
    require_reader(&caller)?;
    let Json(body) = body?;
    if body.question.chars().count() > MAX_QUERY_TEXT_CHARS {
        return Err(too_long());
    }
    let action = if tagged {
        AuditAction::AnswerTagged
    } else {
        AuditAction::AnswerUntagged
    };
    let change = state
        .database
        .change_tag(
            &caller.info,
            &body,
            tagged,
            caller.event(action),
            Utc::now(),
        )
        .await?;
    match change {
        TagChange::Done(themes) => Ok(Json(AnswerThemes {
            response: body.response,
            question: body.question,
            themes,
        })),
        TagChange::NotFound => Err(ServerError::NotFound),
        // The caller's refusal for that ward (403, bilingual).
        TagChange::OtherWard(ward) => Err(caller
            .require_officer_of(&ward)
            .err()
            .unwrap_or(ServerError::NotFound)),
    }
}

/// `POST /tags`: an answer tagged with a theme, by an officer of its ward
/// or a city officer. Tagging again changes nothing.
pub(super) async fn tag(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<TagBody>, JsonRejection>,
) -> Result<Json<AnswerThemes>, ServerError> {
    change_tag(caller, state, body, true).await
}

/// `DELETE /tags`: a theme taken off an answer.
pub(super) async fn untag(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<TagBody>, JsonRejection>,
) -> Result<Json<AnswerThemes>, ServerError> {
    change_tag(caller, state, body, false).await
}
