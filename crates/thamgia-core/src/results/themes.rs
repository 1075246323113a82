//! Themes: what children wrote in their own words, coded by officers.
//!
//! A survey has one codebook: a list of [`Theme`]s that officers build as
//! they read the free-text answers, and tag answers with (an
//! [`AnswerTag`]: this child's answer to this question speaks of this
//! theme). A theme is an officer's data, never a child's: its label is
//! bounded ([`MAX_THEME_LABEL_CHARS`]), a survey holds at most
//! [`MAX_THEMES_PER_SURVEY`], and two labels that differ only in case,
//! spacing or diacritics are one label ("Trường học" and "truong hoc").
//!
//! Themes are counted like a multiple-choice question: an answer may be
//! tagged with several themes, so each theme's count is "how many of the
//! children who answered speak of it", published through the same
//! suppression as a multiple-choice option ([`publish_share`]): a count
//! under k is "< k", and a count whose remainder is under k is hidden.
//! Answers with no theme yet are counted beside them.
//!
//! A tag counts only while its answer counts: the tags are matched against
//! the answers [`survey_results`](super::survey_results) keeps (withdrawn
//! responses gone, a corrected response as its newest version). A tag on a
//! version since corrected is not carried to the correction: the child's
//! words changed, so an officer reads them again.
//!
//! A theme is split like a yes/no question ([`theme_table`]): the children
//! who answered, those whose answer speaks of the theme and the others, by
//! one or two dimensions, published against the theme's count
//! ([`publish_theme_table`]) as a question's split is against its results.
//!
//! The list of answers an officer reads ([`answer_page`]) is searched
//! without diacritics or case ([`crate::search::fold`]), optionally
//! narrowed to one theme or to the answers not yet tagged, newest first, a
//! page of [`ANSWERS_PAGE`] at a time.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::distribution::{AnswerAttributes, FreeTextAnswer};
use super::filter::{Category, Dimension, ResultsFilter};
use super::linked::publish_against;
use super::questions::Versions;
use super::questions::{MatchedQuestion, Standing};
use super::suppression::{publish_share, PublishedTable, Shown, Threshold};
use super::table::CrossTable;
use super::{counted_and_kept, everyone, pair, split_columns};
use crate::account::{AccountInfo, Role};
use crate::localized::Localized;
use crate::response::{AnswerValue, Response};
use crate::search::fold;
use crate::survey::{QuestionKind, SurveyDefinition};

#[cfg(test)]
mod tests;

/// Longest theme label, in characters.
pub const MAX_THEME_LABEL_CHARS: usize = 80;
/// Most themes in one survey's codebook.
pub const MAX_THEMES_PER_SURVEY: usize = 100;
/// Answers in one page of the list.
pub const ANSWERS_PAGE: usize = 50;
/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// One theme of a survey's codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    /// Made by the server when the theme is created.
    pub id: Uuid,
    /// The survey's form id.
    pub survey_id: String,
    /// The label, as the officer wrote it (trimmed).
    pub label: String,
    /// The user name of the officer who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// One answer tagged with one theme.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AnswerTag {
    /// The response the answer belongs to.
    pub response_id: Uuid,
    /// The question answered.
    pub question_id: String,
    /// The theme.
    pub theme_id: Uuid,
}

/// Why a theme is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeRefusal {
    /// The label is empty once trimmed.
    #[error("empty theme label")]
    EmptyLabel,
    /// The label is longer than [`MAX_THEME_LABEL_CHARS`].
    #[error("theme label too long")]
    LabelTooLong,
    /// Another theme of the survey has the same label (ignoring case,
    /// spacing and diacritics); its label is carried.
    #[error("a theme with this label exists")]
    DuplicateLabel(String),
    /// The codebook already holds [`MAX_THEMES_PER_SURVEY`] themes.
    #[error("too many themes")]
    TooManyThemes,
}

impl ThemeRefusal {
    /// What to tell the officer.
    pub fn message(&self) -> Localized {
        match self {
            ThemeRefusal::EmptyLabel => Localized::new(
                "Hãy đặt tên cho chủ đề.",
                "Give the theme a name.",
            ),
            ThemeRefusal::LabelTooLong => Localized::new(
                format!("Tên chủ đề dài tối đa {MAX_THEME_LABEL_CHARS} ký tự. Hãy viết ngắn hơn."),
                format!("A theme's name is at most {MAX_THEME_LABEL_CHARS} characters. Write a shorter one."),
            ),
            ThemeRefusal::DuplicateLabel(existing) => {
                let quoted = crate::limits::quoted(existing);
                Localized::new(
                    format!("Khảo sát này đã có chủ đề {quoted}. Hãy gắn chủ đề đó hoặc đặt tên khác."),
                    format!("This survey already has the theme {quoted}. Tag with it or choose another name."),
                )
            }
            ThemeRefusal::TooManyThemes => Localized::new(
                format!("Một khảo sát có tối đa {MAX_THEMES_PER_SURVEY} chủ đề. Hãy gộp hoặc xoá bớt chủ đề."),
                format!("A survey has at most {MAX_THEMES_PER_SURVEY} themes. Merge or delete some."),
            ),
        }
    }
}

/// The key two labels share when they are one label: folded (no case, no
/// diacritics) and with runs of spaces as one space.
pub fn label_key(label: &str) -> String {
    fold(label).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `label` as it is kept (trimmed), once it is a valid label for a theme
/// of a survey whose codebook is `themes`; `renamed` is the theme being
/// renamed (its own label is no duplicate), `None` for a new theme.
pub fn check_theme_label(
    label: &str,
    themes: &[Theme],
    renamed: Option<Uuid>,
) -> Result<String, ThemeRefusal> {
    let label = label.trim();
    if label.is_empty() {
        return Err(ThemeRefusal::EmptyLabel);
    }
    if label.chars().count() > MAX_THEME_LABEL_CHARS {
        return Err(ThemeRefusal::LabelTooLong);
    }
    let key = label_key(label);
    if let Some(existing) = themes
        .iter()
        .filter(|theme| Some(theme.id) != renamed)
        .find(|theme| label_key(&theme.label) == key)
    {
        return Err(ThemeRefusal::DuplicateLabel(existing.label.clone()));
    }
    if renamed.is_none() && themes.len() >= MAX_THEMES_PER_SURVEY {
        return Err(ThemeRefusal::TooManyThemes);
    }
    Ok(label.to_owned())
}

/// Whether `account` may rename or delete `theme`, which answers of
/// another ward than the account's carry when `tagged_elsewhere`: the
/// city's officers, or the ward officer who created it while no other
/// ward's answers carry it (renaming or deleting it then would change
/// another ward's tags).
pub fn may_change_theme(account: &AccountInfo, theme: &Theme, tagged_elsewhere: bool) -> bool {
    match account.role {
        Role::CityOfficer => true,
        Role::WardOfficer => account.username == theme.created_by && !tagged_elsewhere,
        Role::Collector => false,
    }
}

/// Whether `response` holds a written answer to `question_id`: the only
/// answers a theme tags.
pub fn has_text_answer(response: &Response, question_id: &str) -> bool {
    matches!(
        response.answers.get(question_id),
        Some(AnswerValue::Text(text)) if !text.trim().is_empty()
    )
}

/// How many children's answers speak of one theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeCount {
    /// The theme.
    pub theme_id: Uuid,
    /// Its label.
    pub label: String,
    /// Answers tagged with it.
    pub count: u64,
}

/// One question's answers counted by theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeCounts {
    /// Children who answered (every answer listed).
    pub answered: u64,
    /// One count per theme of the codebook, in the codebook's order.
    pub themes: Vec<ThemeCount>,
    /// Answers with no theme yet.
    pub untagged: u64,
}

/// The themes of each answer of `question_id` among `answers`: only tags of
/// that question, of a listed answer, with a theme of `themes` count.
fn themes_by_answer(
    answers: &[FreeTextAnswer],
    themes: &[Theme],
    tags: &[AnswerTag],
    question_id: &str,
) -> BTreeMap<Uuid, BTreeSet<Uuid>> {
    let listed: BTreeSet<Uuid> = answers.iter().map(|answer| answer.response_id).collect();
    let known: BTreeSet<Uuid> = themes.iter().map(|theme| theme.id).collect();
    let mut by_answer: BTreeMap<Uuid, BTreeSet<Uuid>> = BTreeMap::new();
    for tag in tags {
        if tag.question_id == question_id
            && listed.contains(&tag.response_id)
            && known.contains(&tag.theme_id)
        {
            by_answer
                .entry(tag.response_id)
                .or_default()
                .insert(tag.theme_id);
        }
    }
    by_answer
}

/// The answers to `question_id` (a free-text question's counted answers)
/// counted by theme: each answer once per theme it is tagged with, however
/// often the tag was sent.
pub fn theme_counts(
    answers: &[FreeTextAnswer],
    themes: &[Theme],
    tags: &[AnswerTag],
    question_id: &str,
) -> ThemeCounts {
    let by_answer = themes_by_answer(answers, themes, tags, question_id);
    let mut counts: BTreeMap<Uuid, u64> = BTreeMap::new();
    for theme_ids in by_answer.values() {
        for theme_id in theme_ids {
            *counts.entry(*theme_id).or_default() += 1;
        }
    }
    let answered = answers.len() as u64;
    ThemeCounts {
        answered,
        themes: themes
            .iter()
            .map(|theme| ThemeCount {
                theme_id: theme.id,
                label: theme.label.clone(),
                count: counts.get(&theme.id).copied().unwrap_or(0),
            })
            .collect(),
        untagged: answered - by_answer.len() as u64,
    }
}

/// A theme's count as it may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedThemeCount {
    /// The theme.
    pub theme_id: Uuid,
    /// Its label.
    pub label: String,
    /// Answers tagged with it.
    pub count: Shown,
}

/// [`ThemeCounts`] as they may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedThemeCounts {
    /// Children who answered.
    pub answered: Shown,
    /// One count per theme, in the codebook's order.
    pub themes: Vec<PublishedThemeCount>,
    /// Answers with no theme yet.
    pub untagged: Shown,
}

/// `counts` as they may be published with k = `threshold` beside the
/// question's results, which show `answered` (the children who answered,
/// as published): like a multiple-choice question's options, beside a
/// shown "answered" each count is shown only when it and the children who
/// did not speak of the theme are both publishable; beside a withheld one,
/// a count under k is "< k".
pub fn publish_theme_counts(
    counts: &ThemeCounts,
    answered: Shown,
    threshold: Threshold,
) -> PublishedThemeCounts {
    let share = |count: u64| match answered {
        Shown::Count(answered) => publish_share(count, answered, threshold),
        Shown::Under(_) | Shown::Hidden if threshold.is_small(count) => Shown::Under(threshold.k()),
        Shown::Under(_) | Shown::Hidden => Shown::Count(count),
    };
    PublishedThemeCounts {
        answered,
        themes: counts
            .themes
            .iter()
            .map(|theme| PublishedThemeCount {
                theme_id: theme.theme_id,
                label: theme.label.clone(),
                count: share(theme.count),
            })
            .collect(),
        untagged: share(counts.untagged),
    }
}

/// Which answers a list keeps, by theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "theme", rename_all = "snake_case")]
pub enum ThemeFilter {
    /// The answers tagged with this theme.
    Theme(Uuid),
    /// The answers with no theme yet.
    Untagged,
}

impl ThemeFilter {
    /// The filter a query's `theme=` names: a theme's id, or `untagged`.
    pub fn parse(text: &str) -> Option<ThemeFilter> {
        if text == "untagged" {
            Some(ThemeFilter::Untagged)
        } else {
            text.parse().ok().map(ThemeFilter::Theme)
        }
    }

    /// The filter as a query names it.
    pub fn key(self) -> String {
        match self {
            ThemeFilter::Theme(id) => id.to_string(),
            ThemeFilter::Untagged => "untagged".to_owned(),
        }
    }
}

/// What a list of answers is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerSearch {
    /// Words the answer contains, compared without diacritics or case
    /// (cut to [`MAX_SEARCH_CHARS`]); empty: every answer.
    pub text: String,
    /// One theme, or the answers not yet tagged; `None`: every answer.
    pub theme: Option<ThemeFilter>,
    /// How many matching answers to skip (a multiple of the page).
    pub offset: usize,
}

/// One answer of the list, with its themes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedAnswer {
    /// The answer (attributes only when the group is large enough, as
    /// published).
    #[serde(flatten)]
    pub answer: FreeTextAnswer,
    /// The themes it is tagged with, in the codebook's order.
    pub themes: Vec<Uuid>,
}

/// A page of a question's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerPage {
    /// How many answers match the search.
    pub matching: u64,
    /// The answers skipped before this page.
    pub offset: u64,
    /// At most [`ANSWERS_PAGE`] answers, newest first.
    pub answers: Vec<ListedAnswer>,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<u64>,
}

/// The page of `answers` (a question's answers as they may be shown,
/// newest first: [`question_answers`]) that `search` asks for, in their
/// order, each with its themes.
pub fn answer_page(
    answers: &[FreeTextAnswer],
    themes: &[Theme],
    tags: &[AnswerTag],
    question_id: &str,
    search: &AnswerSearch,
) -> AnswerPage {
    let by_answer = themes_by_answer(answers, themes, tags, question_id);
    let query: String = fold(search.text.trim())
        .chars()
        .take(MAX_SEARCH_CHARS)
        .collect();
    let no_themes = BTreeSet::new();
    let matching: Vec<(&FreeTextAnswer, &BTreeSet<Uuid>)> = answers
        .iter()
        .map(|answer| {
            let tagged = by_answer.get(&answer.response_id).unwrap_or(&no_themes);
            (answer, tagged)
        })
        .filter(|(answer, tagged)| {
            let theme_kept = match search.theme {
                None => true,
                Some(ThemeFilter::Theme(theme_id)) => tagged.contains(&theme_id),
                Some(ThemeFilter::Untagged) => tagged.is_empty(),
            };
            theme_kept && fold(&answer.text).contains(&query)
        })
        .collect();
    let total = matching.len();
    let offset = search.offset.min(total);
    let end = (offset + ANSWERS_PAGE).min(total);
    let in_codebook_order = |tagged: &BTreeSet<Uuid>| {
        themes
            .iter()
            .map(|theme| theme.id)
            .filter(|id| tagged.contains(id))
            .collect()
    };
    AnswerPage {
        matching: total as u64,
        offset: offset as u64,
        answers: matching[offset..end]
            .iter()
            .map(|(answer, tagged)| ListedAnswer {
                answer: (*answer).clone(),
                themes: in_codebook_order(tagged),
            })
            .collect(),
        next_offset: (end < total).then_some(end as u64),
    }
}

/// Every counted written answer to one free-text question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionAnswers {
    /// The children the filter keeps: the group whose size decides whether
    /// an answer's attributes are shown
    /// ([`publish_free_text`](super::suppression::publish_free_text)).
    pub respondents: u64,
    /// Every answer, with its attributes, newest first (by when the
    /// response was started, then by id).
    pub answers: Vec<FreeTextAnswer>,
}

/// The free-text question named `question_id` among `versions`: one
/// question of that name, written (short or long text) in every version.
fn free_text_question<'v, 'a>(
    matched: &'v [MatchedQuestion<'a>],
    question_id: &str,
) -> Option<&'v MatchedQuestion<'a>> {
    let mut same_name = matched
        .iter()
        .filter(|question| question.name == question_id);
    let question = same_name.next()?;
    let written = question.kinds().iter().all(|kind| {
        matches!(
            kind,
            QuestionKind::ShortText { .. } | QuestionKind::LongText { .. }
        )
    });
    (same_name.next().is_none() && written).then_some(question)
}

/// Every counted response `filter` keeps that holds a written answer to
/// `question`, with that answer.
fn written_answers<'r>(
    versions: &Versions<'_>,
    question: &MatchedQuestion<'_>,
    survey_id: &str,
    responses: &'r [Response],
    filter: &ResultsFilter,
) -> (u64, Vec<(&'r Response, &'r str)>) {
    let kept = counted_and_kept(survey_id, responses, filter);
    let respondents = kept.len() as u64;
    let answers = kept
        .into_iter()
        .filter(|response| versions.knows(response.survey_version))
        .filter_map(
            |response| match versions.asked(response, &[question]).first() {
                Some(Standing::Answered(AnswerValue::Text(_))) => {
                    match response.answers.get(&question.name) {
                        Some(AnswerValue::Text(text)) => Some((response, text.as_str())),
                        _ => None,
                    }
                }
                _ => None,
            },
        )
        .collect();
    (respondents, answers)
}

/// Every counted written answer to free-text question `question_id` of
/// the responses `filter` keeps, newest first, with their attributes (to
/// publish with [`publish_free_text`](super::suppression::publish_free_text));
/// `None` for an unknown question or one that is not free text in every
/// version. Unlike the results, which list the newest
/// [`FREE_TEXT_SHOWN`](super::FREE_TEXT_SHOWN), every answer is here: the
/// list is searched, paged and counted by theme.
pub fn question_answers(
    definitions: &[SurveyDefinition],
    responses: &[Response],
    filter: &ResultsFilter,
    question_id: &str,
) -> Option<QuestionAnswers> {
    let versions = Versions::new(definitions);
    let survey_id = versions.newest()?.id.clone();
    let (matched, _) = versions.matched();
    let question = free_text_question(&matched, question_id)?;
    let (respondents, mut written) =
        written_answers(&versions, question, &survey_id, responses, filter);
    written.sort_by(|(a, _), (b, _)| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Some(QuestionAnswers {
        respondents,
        answers: written
            .into_iter()
            .map(|(response, text)| FreeTextAnswer {
                response_id: response.id,
                text: text.to_owned(),
                attributes: Some(AnswerAttributes {
                    ward_code: response.ward_code.clone(),
                    participant: response.participant.clone(),
                }),
            })
            .collect(),
    })
}

/// The key of a theme table's second row: the answers not tagged with the
/// theme.
pub const OTHER_ANSWERS_KEY: &str = "other";

/// The children who answered free-text question `question_id` (counted,
/// kept by `filter`), split by one or two dimensions: one row for those
/// whose answer is tagged with `theme` (`tagged`: the ids of their
/// responses), one for the others. `None` for an unknown question, one
/// that is not free text in every version, or a split of none or more
/// than two dimensions.
pub fn theme_table(
    definitions: &[SurveyDefinition],
    responses: &[Response],
    filter: &ResultsFilter,
    question_id: &str,
    theme: &Theme,
    tagged: &BTreeSet<Uuid>,
    split: &[Dimension],
) -> Option<CrossTable> {
    if split.is_empty() || split.len() > 2 {
        return None;
    }
    let versions = Versions::new(definitions);
    let survey_id = versions.newest()?.id.clone();
    let (matched, _) = versions.matched();
    let question = free_text_question(&matched, question_id)?;
    let theme_row = Category {
        key: theme.id.to_string(),
        label: Localized::new(theme.label.clone(), theme.label.clone()),
    };
    let other_row = Category {
        key: OTHER_ANSWERS_KEY.to_owned(),
        label: Localized::new("Ý kiến khác", "Other answers"),
    };
    let mut table = CrossTable::empty(
        vec![theme_row.clone(), other_row.clone()],
        split_columns(split),
    );
    let (_, written) = written_answers(&versions, question, &survey_id, responses, filter);
    for (response, _) in written {
        let row = if tagged.contains(&response.id) {
            theme_row.clone()
        } else {
            other_row.clone()
        };
        table.add(row, split_column(split, response));
    }
    if split
        .iter()
        .any(|dimension| dimension.fixed_categories().is_none())
    {
        table.sort_columns();
    }
    Some(table)
}

/// The column of `response` in a table split by `split`.
fn split_column(split: &[Dimension], response: &Response) -> Category {
    match split {
        [first, second] => pair(&first.category(response), &second.category(response)),
        [one, ..] => one.category(response),
        [] => everyone(),
    }
}

/// A [`theme_table`] as it may be published beside the theme's count
/// (`count`, of `answered` children, as [`publish_theme_counts`] shows
/// them): a figure withheld there is withheld here; `None` when the split
/// would have to hide a figure shown there (the two would give a child
/// away).
pub fn publish_theme_table(
    table: &CrossTable,
    count: Shown,
    answered: Shown,
    threshold: Threshold,
) -> Option<PublishedTable> {
    // The others are shown exactly when the theme's count and the number
    // who answered both are.
    let others = match (count, answered) {
        (Shown::Count(count), Shown::Count(answered)) => {
            Shown::Count(answered.saturating_sub(count))
        }
        _ => Shown::Hidden,
    };
    publish_against(
        table,
        &[Some(count), Some(others)],
        Some(answered),
        threshold,
    )
}
