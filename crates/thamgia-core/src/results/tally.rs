//! Answers counted one by one into the summary their question's kind asks
//! for ([`Distribution`]), options of every version merged.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::distribution::{
    AnswerAttributes, CategoryCount, Distribution, FreeTextAnswer, RankedOption,
};
use super::filter::Category;
use super::statistics::{histogram, median, quartiles};
use crate::localized::Localized;
use crate::response::AnswerValue;
use crate::survey::{Choice, QuestionKind};

/// The summary a question's kind asks for, filled answer by answer.
#[derive(Debug, Clone)]
pub(super) enum Tally {
    Categories {
        options: Vec<Category>,
        counts: Vec<u64>,
    },
    Scale {
        points: u8,
        counts: Vec<u64>,
    },
    Choices {
        options: Vec<Category>,
        counts: Vec<u64>,
    },
    Ranking {
        options: Vec<Category>,
        positions: Vec<Vec<u64>>,
    },
    Numbers {
        bounds: (Option<f64>, Option<f64>),
        integer: bool,
        values: Vec<f64>,
    },
    Months {
        months: std::collections::BTreeMap<String, u64>,
    },
    FreeText {
        answers: Vec<FreeTextAnswer>,
    },
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
                    options,
                }
            }
            QuestionKind::YesNo => Tally::Categories {
                options: yes_no_categories(),
                counts: vec![0; 2],
            },
            QuestionKind::Smiley { .. } | QuestionKind::Rating { .. } => {
                let points = kinds
                    .iter()
                    .map(|kind| match kind {
                        QuestionKind::Smiley { points } | QuestionKind::Rating { points } => {
                            *points
                        }
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                Tally::Scale {
                    points,
                    counts: vec![0; usize::from(points)],
                }
            }
            QuestionKind::MultipleChoice { .. } => {
                let options = merged();
                Tally::Choices {
                    counts: vec![0; options.len()],
                    options,
                }
            }
            QuestionKind::Ranking { .. } => {
                let options = merged();
                let places = options.len();
                Tally::Ranking {
                    positions: vec![vec![0; places]; places],
                    options,
                }
            }
            QuestionKind::Number { min, max, integer } => Tally::Numbers {
                bounds: (*min, *max),
                integer: *integer,
                values: Vec::new(),
            },
            QuestionKind::Date => Tally::Months {
                months: Default::default(),
            },
            QuestionKind::ShortText { .. } | QuestionKind::LongText { .. } => Tally::FreeText {
                answers: Vec::new(),
            },
            QuestionKind::Note | QuestionKind::Calculate { .. } => return None,
        })
    }

    /// Counts one child's answer; `false` when the answer does not fit the
    /// question's kind (the caller counts it as unreadable).
    pub(super) fn add(
        &mut self,
        answer: &AnswerValue,
        response_id: Uuid,
        attributes: AnswerAttributes,
    ) -> bool {
        match (self, answer) {
            (Tally::Categories { options, counts }, AnswerValue::Choice(value)) => {
                count_category(options, counts, value);
            }
            (Tally::Categories { options, counts }, AnswerValue::YesNo(yes)) => {
                count_category(options, counts, if *yes { "yes" } else { "no" });
            }
            (Tally::Scale { points, counts }, AnswerValue::Smiley(point))
            | (Tally::Scale { points, counts }, AnswerValue::Rating(point)) => {
                if *point == 0 {
                    return false;
                }
                if *point > *points {
                    *points = *point;
                    counts.resize(usize::from(*point), 0);
                }
                counts[usize::from(*point) - 1] += 1;
            }
            (Tally::Choices { options, counts }, AnswerValue::Choices(values)) => {
                let mut seen: Vec<&String> = Vec::new();
                for value in values {
                    if !seen.contains(&value) {
                        seen.push(value);
                        count_category(options, counts, value);
                    }
                }
            }
            (Tally::Ranking { options, positions }, AnswerValue::Ranking(values)) => {
                for (place, value) in values.iter().enumerate() {
                    let index = index_of(options, value);
                    if index == positions.len() {
                        positions.push(Vec::new());
                    }
                    let places = &mut positions[index];
                    if places.len() <= place {
                        places.resize(place + 1, 0);
                    }
                    places[place] += 1;
                }
            }
            (Tally::Numbers { values, .. }, AnswerValue::Number(value)) => {
                if !value.is_finite() {
                    return false;
                }
                values.push(*value);
            }
            (Tally::Months { months }, AnswerValue::Date(date)) => {
                *months.entry(date_month(*date)).or_default() += 1;
            }
            (Tally::FreeText { answers }, AnswerValue::Text(text)) => {
                answers.push(FreeTextAnswer {
                    response_id,
                    text: text.clone(),
                    attributes: Some(attributes),
                });
            }
            _ => return false,
        }
        true
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
            Tally::Categories { options, counts } => Distribution::Categories {
                categories: paired(options, counts),
            },
            Tally::Scale { points, counts } => Distribution::Scale {
                points,
                median: scale_median(&counts),
                counts,
            },
            Tally::Choices { options, counts } => Distribution::Choices {
                options: paired(options, counts),
            },
            Tally::Ranking { options, positions } => {
                let places = positions.iter().map(Vec::len).max().unwrap_or(0);
                Distribution::Ranking {
                    options: options
                        .into_iter()
                        .zip(positions)
                        .map(|(category, mut positions)| {
                            positions.resize(places, 0);
                            RankedOption {
                                category,
                                positions,
                            }
                        })
                        .collect(),
                }
            }
            Tally::Numbers {
                bounds,
                integer,
                mut values,
            } => {
                values.sort_by(f64::total_cmp);
                let (lower_quartile, upper_quartile) = quartiles(&values);
                Distribution::Numbers {
                    bins: histogram(&values, bounds, integer),
                    median: median(&values),
                    lower_quartile,
                    upper_quartile,
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
            Tally::FreeText { answers } => Distribution::FreeText { answers },
        }
    }
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

fn count_category(options: &mut Vec<Category>, counts: &mut Vec<u64>, value: &str) {
    let index = index_of(options, value);
    if index == counts.len() {
        counts.push(0);
    }
    counts[index] += 1;
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
