//! Answers counted one by one into the summary their question's kind asks
//! for ([`Distribution`]), options of every version merged.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::distribution::{
    AnswerAttributes, CategoryCount, Distribution, FreeTextAnswer, RankedOption,
};
use super::filter::Category;
use super::statistics::{histogram_of_counts, quantile_of_counts};
use crate::localized::Localized;
use crate::response::{AnswerValue, Response};
use crate::survey::{Choice, QuestionKind};
use uuid::Uuid;

/// How many free-text answers a question's results carry, newest first:
/// every answer is counted in `answered`; the words beyond these are
/// listed page by page, not all at once (a city holds a million).
pub const FREE_TEXT_SHOWN: usize = 200;

/// The summary a question's kind asks for, filled answer by answer. Two
/// tallies of one question over disjoint sets of responses merge into the
/// tally of their union ([`Tally::merge`]), whatever the order: what the
/// maintained results rely on.
#[derive(Debug, Clone)]
pub(super) enum Tally {
    Categories {
        options: Vec<Category>,
        /// How many options the question's versions offer (the rest are
        /// values no version offers, listed after them by key).
        known: usize,
        counts: Vec<u64>,
    },
    Scale {
        points: u8,
        counts: Vec<u64>,
        /// The newest version's words for its points, one per point.
        labels: Vec<Localized>,
        /// Whether a version offers "I don't know", and how many chose it.
        declined: Option<u64>,
    },
    Choices {
        options: Vec<Category>,
        known: usize,
        counts: Vec<u64>,
    },
    Ranking {
        options: Vec<Category>,
        known: usize,
        positions: Vec<Vec<u64>>,
    },
    Numbers {
        bounds: (Option<f64>, Option<f64>),
        integer: bool,
        /// How many children gave each value, keyed in `f64::total_cmp`
        /// order (see [`ordered`]).
        values: BTreeMap<i64, u64>,
        /// Whether a version offers "I don't know", and how many chose it.
        declined: Option<u64>,
    },
    Months {
        months: BTreeMap<String, u64>,
    },
    FreeText {
        /// At most [`FREE_TEXT_SHOWN`] of the newest answers once finished;
        /// up to twice as many while counting.
        answers: Vec<(DateTime<Utc>, FreeTextAnswer)>,
    },
}

/// A number's key in `f64::total_cmp` order; its own inverse.
fn ordered(value: i64) -> i64 {
    value ^ (((value >> 63) as u64) >> 1) as i64
}

fn number_key(value: f64) -> i64 {
    ordered(value.to_bits() as i64)
}

fn number_of(key: i64) -> f64 {
    f64::from_bits(ordered(key) as u64)
}

fn choice_categories(choices: &[Choice]) -> Vec<Category> {
    choices
        .iter()
        .map(|choice| Category {
            key: choice.value.clone(),
            label: choice.label.clone(),
        })
        .collect()
}

/// The categories of a yes/no question.
pub(super) fn yes_no_categories() -> Vec<Category> {
    vec![
        Category {
            key: "yes".to_owned(),
            label: Localized::new("Có", "Yes"),
        },
        Category {
            key: "no".to_owned(),
            label: Localized::new("Không", "No"),
        },
    ]
}

impl Tally {
    /// An empty tally for a question asked with `kinds` (one per version,
    /// newest first, all of one kind); `None` for notes and calculations.
    pub(super) fn new(kinds: &[&QuestionKind]) -> Option<Tally> {
        let newest = kinds.first()?;
        // Options of every version, the newest version's labels and order first.
        let merged = || {
            let mut options: Vec<Category> = Vec::new();
            for kind in kinds {
                for category in choice_categories(kind.choices()) {
                    if !options.iter().any(|known| known.key == category.key) {
                        options.push(category);
                    }
                }
            }
            options
        };
        Some(match newest {
            QuestionKind::SingleChoice { .. } => {
                let options = merged();
                Tally::Categories {
                    counts: vec![0; options.len()],
                    known: options.len(),
                    options,
                }
            }
            QuestionKind::YesNo => Tally::Categories {
                options: yes_no_categories(),
                known: 2,
                counts: vec![0; 2],
            },
            QuestionKind::Smiley { .. } | QuestionKind::Rating { .. } => {
                let points = kinds
                    .iter()
                    .map(|kind| match kind {
                        QuestionKind::Smiley { points, .. }
                        | QuestionKind::Rating { points, .. } => *points,
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                // The newest version's words, when they name every point.
                let labels = match newest {
                    QuestionKind::Smiley {
                        points: newest_points,
                        labels,
                        ..
                    } if *newest_points == points && labels.len() == usize::from(points) => {
                        labels.clone()
                    }
                    _ => Vec::new(),
                };
                let offers = kinds.iter().any(|kind| {
                    matches!(
                        kind,
                        QuestionKind::Smiley {
                            dont_know: true,
                            ..
                        } | QuestionKind::Rating {
                            dont_know: true,
                            ..
                        }
                    )
                });
                Tally::Scale {
                    points,
                    counts: vec![0; usize::from(points)],
                    labels,
                    declined: offers.then_some(0),
                }
            }
            QuestionKind::MultipleChoice { .. } => {
                let options = merged();
                Tally::Choices {
                    counts: vec![0; options.len()],
                    known: options.len(),
                    options,
                }
            }
            QuestionKind::Ranking { .. } => {
                let options = merged();
                let places = options.len();
                Tally::Ranking {
                    positions: vec![vec![0; places]; places],
                    known: places,
                    options,
                }
            }
            QuestionKind::Number { min, max, integer } => Tally::Numbers {
                bounds: (*min, *max),
                integer: *integer,
                values: BTreeMap::new(),
                declined: None,
            },
            QuestionKind::Range {
                start, end, step, ..
            } => {
                let offers = kinds.iter().any(|kind| {
                    matches!(
                        kind,
                        QuestionKind::Range {
                            dont_know: true,
                            ..
                        }
                    )
                });
                Tally::Numbers {
                    bounds: (Some(start.min(*end)), Some(start.max(*end))),
                    integer: step.fract() == 0.0 && start.fract() == 0.0,
                    values: BTreeMap::new(),
                    declined: offers.then_some(0),
                }
            }
            QuestionKind::Date => Tally::Months {
                months: Default::default(),
            },
            QuestionKind::ShortText { .. } | QuestionKind::LongText { .. } => Tally::FreeText {
                answers: Vec::new(),
            },
            QuestionKind::Acknowledge => {
                let options = choice_categories(&[Choice::new(
                    crate::survey::ACKNOWLEDGED,
                    Localized::new("Đã xác nhận", "Acknowledged"),
                )]);
                Tally::Categories {
                    counts: vec![0; options.len()],
                    known: options.len(),
                    options,
                }
            }
            // A time of day says little about what children think; it is
            // in the responses export, not in the results.
            QuestionKind::Time
            | QuestionKind::DateTime
            | QuestionKind::Note
            | QuestionKind::Calculate { .. } => return None,
        })
    }

    /// Counts `response`'s answer; `false` when the answer does not fit
    /// the question's kind (the caller counts it as unreadable).
    pub(super) fn add(&mut self, answer: &AnswerValue, response: &Response) -> bool {
        match (self, answer) {
            (
                Tally::Categories {
                    options, counts, ..
                },
                AnswerValue::Choice(value),
            ) => {
                count_category(options, counts, value, 1);
            }
            (
                Tally::Categories {
                    options, counts, ..
                },
                AnswerValue::YesNo(yes),
            ) => {
                count_category(options, counts, if *yes { "yes" } else { "no" }, 1);
            }
            (
                Tally::Scale {
                    declined: Some(declined),
                    ..
                },
                AnswerValue::Smiley(0) | AnswerValue::Rating(0),
            ) => {
                // "I don't know", on a scale that offers it: answered,
                // apart from the scale.
                *declined += 1;
            }
            (Tally::Scale { points, counts, .. }, AnswerValue::Smiley(point))
            | (Tally::Scale { points, counts, .. }, AnswerValue::Rating(point)) => {
                if *point == 0 {
                    return false;
                }
                if *point > *points {
                    *points = *point;
                    counts.resize(usize::from(*point), 0);
                }
                counts[usize::from(*point) - 1] += 1;
            }
            (
                Tally::Choices {
                    options, counts, ..
                },
                AnswerValue::Choices(values),
            ) => {
                let mut seen: Vec<&String> = Vec::new();
                for value in values {
                    if !seen.contains(&value) {
                        seen.push(value);
                        count_category(options, counts, value, 1);
                    }
                }
            }
            (
                Tally::Ranking {
                    options, positions, ..
                },
                AnswerValue::Ranking(values),
            ) => {
                for (place, value) in values.iter().enumerate() {
                    count_place(options, positions, value, place, 1);
                }
            }
            (
                Tally::Numbers {
                    declined: Some(declined),
                    ..
                },
                AnswerValue::DontKnow,
            ) => {
                // "I don't know", on a range that offers it: answered,
                // apart from the numbers.
                *declined += 1;
            }
            (Tally::Numbers { values, .. }, AnswerValue::Number(value)) => {
                if !value.is_finite() {
                    return false;
                }
                *values.entry(number_key(*value)).or_default() += 1;
            }
            (Tally::Months { months }, AnswerValue::Date(date)) => {
                *months.entry(date_month(*date)).or_default() += 1;
            }
            (Tally::FreeText { answers }, AnswerValue::Text(text)) => {
                answers.push((
                    response.created_at,
                    FreeTextAnswer {
                        response_id: response.id,
                        text: text.clone(),
                        attributes: Some(AnswerAttributes {
                            ward_code: response.ward_code.clone(),
                            participant: response.participant.clone(),
                        }),
                    },
                ));
                if answers.len() >= 2 * FREE_TEXT_SHOWN {
                    keep_newest(answers);
                }
            }
            _ => return false,
        }
        true
    }

    /// Adds what `other`, a tally of the same question over other
    /// responses, counted. A tally of another kind is left out.
    pub(super) fn merge(&mut self, other: &Tally) {
        match (self, other) {
            (
                Tally::Categories {
                    options, counts, ..
                },
                Tally::Categories {
                    options: theirs,
                    counts: their_counts,
                    ..
                },
            )
            | (
                Tally::Choices {
                    options, counts, ..
                },
                Tally::Choices {
                    options: theirs,
                    counts: their_counts,
                    ..
                },
            ) => {
                for (category, count) in theirs.iter().zip(their_counts) {
                    if *count > 0 {
                        count_category(options, counts, &category.key, *count);
                    }
                }
            }
            (
                Tally::Scale {
                    points,
                    counts,
                    declined,
                    ..
                },
                Tally::Scale {
                    points: their_points,
                    counts: their_counts,
                    declined: their_declined,
                    ..
                },
            ) => {
                if let Some(theirs) = their_declined {
                    *declined.get_or_insert(0) += theirs;
                }
                if *their_points > *points {
                    *points = *their_points;
                    counts.resize(usize::from(*points), 0);
                }
                for (count, theirs) in counts.iter_mut().zip(their_counts) {
                    *count += theirs;
                }
            }
            (
                Tally::Ranking {
                    options, positions, ..
                },
                Tally::Ranking {
                    options: theirs,
                    positions: their_positions,
                    ..
                },
            ) => {
                for (category, places) in theirs.iter().zip(their_positions) {
                    for (place, count) in places.iter().enumerate() {
                        if *count > 0 {
                            count_place(options, positions, &category.key, place, *count);
                        }
                    }
                }
            }
            (
                Tally::Numbers {
                    values, declined, ..
                },
                Tally::Numbers {
                    values: theirs,
                    declined: their_declined,
                    ..
                },
            ) => {
                if let Some(theirs) = their_declined {
                    *declined.get_or_insert(0) += theirs;
                }
                for (key, count) in theirs {
                    *values.entry(*key).or_default() += count;
                }
            }
            (Tally::Months { months }, Tally::Months { months: theirs }) => {
                for (month, count) in theirs {
                    *months.entry(month.clone()).or_default() += count;
                }
            }
            (Tally::FreeText { answers }, Tally::FreeText { answers: theirs }) => {
                // Both lists are newest first (see `settle`): only what is
                // newer than the oldest answer kept here can be kept.
                keep_newest(answers);
                for (at, answer) in theirs {
                    if answers.len() >= FREE_TEXT_SHOWN {
                        let newer = answers.last().is_some_and(|(oldest_at, oldest)| {
                            (at, answer.response_id) > (oldest_at, oldest.response_id)
                        });
                        if !newer {
                            break;
                        }
                    }
                    answers.push((*at, answer.clone()));
                }
                keep_newest(answers);
            }
            _ => {}
        }
    }

    /// The responses whose own words the tally keeps (free text alone).
    pub(super) fn word_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        let answers = match self {
            Tally::FreeText { answers } => answers.as_slice(),
            _ => &[],
        };
        answers.iter().map(|(_, answer)| answer.response_id)
    }

    /// Forgets the words of the responses in `gone`, whatever was counted
    /// of them elsewhere; whether any went.
    pub(super) fn forget_words(&mut self, gone: &HashSet<Uuid>) -> bool {
        let Tally::FreeText { answers } = self else {
            return false;
        };
        let before = answers.len();
        answers.retain(|(_, answer)| !gone.contains(&answer.response_id));
        answers.len() != before
    }

    /// Puts what was counted in the order merging relies on (free text
    /// newest first, only as many as are shown).
    pub(super) fn settle(&mut self) {
        if let Tally::FreeText { answers } = self {
            keep_newest(answers);
            // Counting let the list grow to twice what is kept; a settled
            // tally is kept for long (one per cell), so its spare room goes.
            answers.shrink_to_fit();
        }
    }

    /// The summary of everything counted.
    pub(super) fn finish(self) -> Distribution {
        let paired = |options: Vec<Category>, counts: Vec<u64>| {
            options
                .into_iter()
                .zip(counts)
                .map(|(category, count)| CategoryCount { category, count })
                .collect()
        };
        match self {
            Tally::Categories {
                options,
                known,
                counts,
            } => Distribution::Categories {
                categories: extras_by_key(paired(options, counts), known),
            },
            Tally::Scale {
                points,
                counts,
                labels,
                declined,
            } => Distribution::Scale {
                labels,
                declined,
                points,
                median: scale_median(&counts),
                counts,
            },
            Tally::Choices {
                options,
                known,
                counts,
            } => Distribution::Choices {
                options: extras_by_key(paired(options, counts), known),
            },
            Tally::Ranking {
                options,
                known,
                positions,
            } => {
                let places = positions.iter().map(Vec::len).max().unwrap_or(0);
                let options: Vec<RankedOption> = options
                    .into_iter()
                    .zip(positions)
                    .map(|(category, mut positions)| {
                        positions.resize(places, 0);
                        RankedOption {
                            category,
                            positions,
                        }
                    })
                    .collect();
                Distribution::Ranking {
                    options: sorted_after(options, known, |option| option.category.key.clone()),
                }
            }
            Tally::Numbers {
                bounds,
                integer,
                values,
                declined,
            } => {
                // Each value once with its count, already in order (never
                // listed one by one: a city holds a million answers).
                let counted: Vec<(f64, u64)> = values
                    .into_iter()
                    .map(|(key, count)| (number_of(key), count))
                    .collect();
                Distribution::Numbers {
                    bins: histogram_of_counts(&counted, bounds, integer),
                    median: quantile_of_counts(&counted, 0.5),
                    lower_quartile: quantile_of_counts(&counted, 0.25),
                    upper_quartile: quantile_of_counts(&counted, 0.75),
                    declined,
                }
            }
            Tally::Months { months } => Distribution::Months {
                months: months
                    .into_iter()
                    .map(|(month, count)| CategoryCount {
                        category: Category::plain(month),
                        count,
                    })
                    .collect(),
            },
            Tally::FreeText { mut answers } => {
                keep_newest(&mut answers);
                Distribution::FreeText {
                    answers: answers.into_iter().map(|(_, answer)| answer).collect(),
                }
            }
        }
    }
}

/// Keeps the [`FREE_TEXT_SHOWN`] newest answers, newest first (the larger
/// response id first among answers of one instant).
fn keep_newest(answers: &mut Vec<(DateTime<Utc>, FreeTextAnswer)>) {
    answers.sort_by(|(at, answer), (other_at, other)| {
        other_at
            .cmp(at)
            .then_with(|| other.response_id.cmp(&answer.response_id))
    });
    answers.dedup_by(|a, b| a.1.response_id == b.1.response_id);
    answers.truncate(FREE_TEXT_SHOWN);
}

/// The first `known` entries as they are, the rest (values no version
/// offers) in the order of their keys: the same order whatever order the
/// responses were counted or merged in.
fn sorted_after<T>(mut entries: Vec<T>, known: usize, key: impl Fn(&T) -> String) -> Vec<T> {
    if entries.len() > known {
        entries[known..].sort_by_key(|entry| key(entry));
    }
    entries
}

fn extras_by_key(entries: Vec<CategoryCount>, known: usize) -> Vec<CategoryCount> {
    sorted_after(entries, known, |entry| entry.category.key.clone())
}

/// Counts `count` children who put `value` at 0-based `place`.
fn count_place(
    options: &mut Vec<Category>,
    positions: &mut Vec<Vec<u64>>,
    value: &str,
    place: usize,
    count: u64,
) {
    let index = index_of(options, value);
    if index == positions.len() {
        positions.push(Vec::new());
    }
    let places = &mut positions[index];
    if places.len() <= place {
        places.resize(place + 1, 0);
    }
    places[place] += count;
}

/// The index of `value` among `options`, added at the end (labelled by its
/// value) when no version offers it.
fn index_of(options: &mut Vec<Category>, value: &str) -> usize {
    match options.iter().position(|option| option.key == value) {
        Some(index) => index,
        None => {
            options.push(Category::plain(value));
            options.len() - 1
        }
    }
}

fn count_category(options: &mut Vec<Category>, counts: &mut Vec<u64>, value: &str, count: u64) {
    let index = index_of(options, value);
    if index == counts.len() {
        counts.push(0);
    }
    counts[index] += count;
}

/// The month of a date, `"YYYY-MM"`.
pub(super) fn date_month(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The median point of a scale given the count at each point (the same
/// median as [`median`] of the points listed one by one).
fn scale_median(counts: &[u64]) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    // The point at 0-based position `position` of the sorted answers.
    let point_at = |position: u64| {
        let mut seen = 0;
        for (index, count) in counts.iter().enumerate() {
            seen += count;
            if position < seen {
                return index as f64 + 1.0;
            }
        }
        counts.len() as f64
    };
    Some((point_at((total - 1) / 2) + point_at(total / 2)) / 2.0)
}
