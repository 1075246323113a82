//! Survey results: what children answered, question by question, for the
//! city or a ward, in a period, split by who they are — computed from the
//! responses themselves, with no I/O.
//!
//! The server feeds these functions every response of one form (every
//! version, tombstones included) and the form's definitions; the app reads
//! the results as JSON. Counts are plain numbers: shares are the app's to
//! derive, and what may be shown at all is decided by [`suppression`]
//! before anything leaves the server.
//!
//! The parts: `counting` which responses count (withdrawals, corrections);
//! `filter` filters and split dimensions; `questions` questions matched
//! across versions and whether each was asked; `distribution` and
//! `statistics` the summary of each kind of question; `table` cross-tables;
//! `suppression` what may be published, `published` the results as they
//! may leave the server, `release` when a cell's published figures
//! change (in steps, never one response at a time), and `linked` the tables published beside them (a
//! question split, who took part), linked to the figures they share;
//! `themes` the codebook officers tag children's words with, and its
//! counts.

use serde::{Deserialize, Serialize};

use crate::localized::Localized;
use crate::response::Response;
use crate::survey::SurveyDefinition;

mod counting;
mod distribution;
pub mod figures;
mod filter;
pub mod joint;
mod linked;
pub mod maintained;
mod published;
mod questions;
pub mod release;
pub mod representation;
mod statistics;
mod summary;
pub mod suppression;
mod table;
mod tally;
pub mod themes;

#[cfg(test)]
mod tests;

pub use counting::{counted, counted_excluding};
pub use distribution::{
    AnswerAttributes, CategoryCount, Distribution, FreeTextAnswer, RankedOption,
};
pub use filter::{
    age_band_key, ethnic_group_key, month_key, sex_key, Category, Dimension, ResultsFilter,
    NONE_KEY, SEVERAL_KEY, UNKNOWN_KEY,
};
pub use linked::publish_marked_table;
pub use published::{
    publish_marked_results, publish_results, PublishedBin, PublishedCount, PublishedDistribution,
    PublishedQuestion, PublishedRankedOption, PublishedResults,
};
pub use statistics::{
    histogram, histogram_of_counts, median, quantile, quantile_of_counts, quartiles, Bin, MAX_BINS,
};
pub use table::CrossTable;

use questions::MatchedQuestion;
use summary::Shape;
pub use summary::{Interned, Summary};
pub use tally::FREE_TEXT_SHOWN;
use tally::{date_month, yes_no_categories, Tally};

/// The results of one survey (every version of one form id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    /// The form id.
    pub survey_id: String,
    /// The newest version's title.
    pub title: Localized,
    /// The versions the results cover, oldest first.
    pub versions: Vec<u32>,
    /// How many children's responses count after the filter.
    pub respondents: u64,
    /// Counted responses of a version no definition was given for (in
    /// every question's `not_in_version`).
    pub unknown_version: u64,
    /// One result per question (per version for a question whose kind
    /// changed), in the newest version's order.
    pub questions: Vec<QuestionResult>,
    /// Questions inside repeats, not summarised here (answered once per
    /// instance, not once per child).
    pub not_summarised: Vec<String>,
}

/// What children answered to one question.
///
/// `answered + skipped + not_asked + unreadable + not_in_version` is the
/// number of respondents of the survey's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    /// The question's name.
    pub question_id: String,
    /// The question as asked in the newest version covered.
    pub label: Localized,
    /// The versions this result covers, newest first.
    pub versions: Vec<u32>,
    /// Children who were asked and answered.
    pub answered: u64,
    /// Children who were asked and gave no answer.
    pub skipped: u64,
    /// Children who were not asked (the question's relevance was false).
    pub not_asked: u64,
    /// Answers that do not fit the question's kind (none in valid data).
    pub unreadable: u64,
    /// Children who answered a version this result does not cover (or a
    /// version no definition was given for).
    pub not_in_version: u64,
    /// The answers, summarised by the question's kind.
    pub distribution: Distribution,
}

/// The responses of the form that count and that `filter` keeps.
fn counted_and_kept<'a>(
    survey_id: &str,
    responses: &'a [Response],
    filter: &ResultsFilter,
) -> Vec<&'a Response> {
    counted(
        responses
            .iter()
            .filter(|response| response.survey_id == survey_id),
    )
    .into_iter()
    .filter(|response| filter.matches(response))
    .collect()
}

/// The summary of what counts of `responses` and `filter` keeps.
fn recount<'a>(
    shape: &Shape<'a>,
    responses: &[Response],
    filter: &ResultsFilter,
) -> (Summary, Interned) {
    let mut interned = Interned::default();
    let summary = shape.summarise(
        counted_and_kept(shape.survey_id(), responses, filter),
        &mut interned,
    );
    (summary, interned)
}

/// The results of the survey whose versions are `definitions` (all of one
/// form id; others are ignored), from `responses` (any, tombstones and
/// drafts included: only what [`counted`] keeps counts), for the responses
/// `filter` keeps.
pub fn survey_results(
    definitions: &[SurveyDefinition],
    responses: &[Response],
    filter: &ResultsFilter,
) -> SurveyResults {
    let shape = Shape::new(definitions);
    let (summary, _) = recount(&shape, responses, filter);
    shape.results([&summary])
}

/// The children the filter keeps, counted by `rows` and, if given, by
/// `columns` (otherwise in one column, "all"). Categories a dimension
/// lists come in its order, others by key.
pub fn participants_table(
    definitions: &[SurveyDefinition],
    responses: &[Response],
    filter: &ResultsFilter,
    rows: Dimension,
    columns: Option<Dimension>,
) -> CrossTable {
    let shape = Shape::new(definitions);
    let (summary, interned) = recount(&shape, responses, filter);
    shape.participants([&summary], &interned, rows, columns)
}

/// The answers to question `question_id` split by one or two dimensions:
/// one row per answer, one column per category of the split (per pair of
/// categories for two dimensions, "A · B"). Only children who answered are
/// counted. For questions with one answer per child: single choice, yes/no,
/// smiley, rating, date (by month) and ranking (the option ranked first).
/// `None` for another kind, an unknown question, a question whose kind
/// changed between versions, or a split of more than two dimensions.
pub fn question_table(
    definitions: &[SurveyDefinition],
    responses: &[Response],
    filter: &ResultsFilter,
    question_id: &str,
    split: &[Dimension],
) -> Option<CrossTable> {
    let shape = Shape::new(definitions);
    let (summary, interned) = recount(&shape, responses, filter);
    shape.question_table([&summary], &interned, question_id, split)
}

/// The rows of a question's table: its answers, known beforehand where the
/// kind lists them.
fn answer_rows(question: &MatchedQuestion<'_>) -> Option<Vec<Category>> {
    let tally = Tally::new(&question.kinds())?;
    Some(match tally.finish() {
        Distribution::Categories { categories } => {
            categories.into_iter().map(|count| count.category).collect()
        }
        Distribution::Scale {
            points,
            labels,
            declined,
            ..
        } => (0..usize::from(points))
            .map(|index| published::scale_point(index, &labels))
            .chain(declined.map(|_| published::dont_know()))
            .collect(),
        Distribution::Ranking { options } => {
            options.into_iter().map(|option| option.category).collect()
        }
        Distribution::Months { .. } => Vec::new(),
        Distribution::Choices { .. }
        | Distribution::Numbers { .. }
        | Distribution::FreeText { .. } => return None,
    })
}

/// The row of one answer in a question's table.
fn answer_row(answer: &crate::response::AnswerValue) -> Option<Category> {
    use crate::response::AnswerValue;
    match answer {
        AnswerValue::Choice(value) => Some(Category::plain(value.clone())),
        AnswerValue::YesNo(yes) => {
            let [yes_category, no_category] =
                <[Category; 2]>::try_from(yes_no_categories()).ok()?;
            Some(if *yes { yes_category } else { no_category })
        }
        AnswerValue::Smiley(0) | AnswerValue::Rating(0) => Some(published::dont_know()),
        AnswerValue::Smiley(point) | AnswerValue::Rating(point) => {
            Some(Category::plain(point.to_string()))
        }
        AnswerValue::Date(date) => Some(Category::plain(date_month(*date))),
        AnswerValue::Ranking(values) => values.first().map(|first| Category::plain(first.clone())),
        _ => None,
    }
}

fn split_columns(split: &[Dimension]) -> Vec<Category> {
    match split {
        [one] => one.fixed_categories().unwrap_or_default(),
        [first, second] => {
            let (Some(firsts), Some(seconds)) =
                (first.fixed_categories(), second.fixed_categories())
            else {
                return Vec::new();
            };
            firsts
                .iter()
                .flat_map(|a| seconds.iter().map(move |b| pair(a, b)))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The column of two categories together.
fn pair(first: &Category, second: &Category) -> Category {
    Category {
        key: format!("{}|{}", first.key, second.key),
        label: Localized::new(
            format!("{} · {}", first.label.vi, second.label.vi),
            format!("{} · {}", first.label.en, second.label.en),
        ),
    }
}

/// The one column of a table split by nothing.
fn everyone() -> Category {
    Category {
        key: "all".to_owned(),
        label: Localized::new("Tất cả", "All"),
    }
}
