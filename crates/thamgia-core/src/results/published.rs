//! Results as they may leave the server: every count of [`SurveyResults`]
//! through [`suppression`](super::suppression), the figures two tables
//! share kept consistent between them.
//!
//! Each question publishes two tables that share one figure: who answered,
//! skipped, was not asked or answered another version (adding up to the
//! respondents), and the answers (adding up to those who answered). When
//! the first table hides "answered" as a complement, the second hides its
//! total too, so neither gives it back. A free-text question's list of
//! answers shows how many there are, so there "answered" is never chosen
//! as a complement.

use serde::{Deserialize, Serialize};

use super::distribution::{CategoryCount, Distribution, FreeTextAnswer, RankedOption};
use super::filter::Category;
use super::statistics::Bin;
use super::suppression::{
    publish_free_text, publish_linked_counts, publish_linked_table, publish_share,
    publish_statistic, Linked, Shown, TableEntry, Threshold,
};
use super::table::CrossTable;
use super::{QuestionResult, SurveyResults};
use crate::localized::Localized;

/// [`SurveyResults`] as they may be shown and exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedResults {
    /// The form id.
    pub survey_id: String,
    /// The newest version's title.
    pub title: Localized,
    /// The versions covered, oldest first.
    pub versions: Vec<u32>,
    /// The k applied: every "under" count is shown as "< k".
    pub threshold: Threshold,
    /// How many children's responses count after the filter.
    pub respondents: Shown,
    /// Counted responses of a version no definition was given for.
    pub unknown_version: Shown,
    /// One entry per question result.
    pub questions: Vec<PublishedQuestion>,
    /// Questions inside repeats, not summarised.
    pub not_summarised: Vec<String>,
}

/// A [`QuestionResult`] as it may be shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedQuestion {
    /// The question's name.
    pub question_id: String,
    /// The question as asked in the newest version covered.
    pub label: Localized,
    /// The versions covered, newest first.
    pub versions: Vec<u32>,
    /// Children who were asked and answered.
    pub answered: Shown,
    /// Children who were asked and gave no answer.
    pub skipped: Shown,
    /// Children who were not asked.
    pub not_asked: Shown,
    /// Answers that do not fit the question's kind.
    pub unreadable: Shown,
    /// Children who answered a version this result does not cover.
    pub not_in_version: Shown,
    /// The answers.
    pub distribution: PublishedDistribution,
}

/// A [`Distribution`] as it may be shown; statistics of fewer than k
/// children, or that would give a withheld count back, are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PublishedDistribution {
    /// Single choice and yes/no.
    Categories {
        /// One count per answer.
        categories: Vec<PublishedCount>,
    },
    /// Smiley and rating scales.
    Scale {
        /// Highest point.
        points: u8,
        /// `counts[i]`: point `i + 1`.
        counts: Vec<Shown>,
        /// Median point.
        median: Option<f64>,
        /// What each point means, when the survey words them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        labels: Vec<Localized>,
        /// "I don't know / I'd rather not say", when the scale offers it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        declined: Option<Shown>,
    },
    /// Multiple choice: children choosing each option.
    Choices {
        /// One count per option.
        options: Vec<PublishedCount>,
    },
    /// Ranking.
    Ranking {
        /// One entry per option.
        options: Vec<PublishedRankedOption>,
    },
    /// Numbers.
    Numbers {
        /// The histogram.
        bins: Vec<PublishedBin>,
        /// Median.
        median: Option<f64>,
        /// First quartile.
        lower_quartile: Option<f64>,
        /// Third quartile.
        upper_quartile: Option<f64>,
    },
    /// Dates by month.
    Months {
        /// One count per month.
        months: Vec<PublishedCount>,
    },
    /// Free text: the words, attributes only for a group of at least k.
    FreeText {
        /// The answers.
        answers: Vec<FreeTextAnswer>,
    },
}

/// The answer "I don't know / I'd rather not say" of a scale (face 0).
pub(super) fn dont_know() -> Category {
    Category {
        key: "0".to_owned(),
        label: Localized::new("Không biết / Không muốn nói", "Don't know / Rather not say"),
    }
}

/// Point `index + 1` of a scale: its number as key, its words as label
/// when the survey gives them.
pub(super) fn scale_point(index: usize, labels: &[Localized]) -> Category {
    let key = (index + 1).to_string();
    match labels.get(index) {
        Some(label) => Category {
            key,
            label: label.clone(),
        },
        None => Category::plain(key),
    }
}

impl PublishedDistribution {
    /// Each answer's category and published count, in the order shown:
    /// single choices and yes/no, months, multiple-choice options (the
    /// children choosing each), scale points ("1" to the highest), ranking
    /// options (the children ranking each first), histogram bins ("from –
    /// to"); none for free text. The keys are those of a question table's
    /// rows.
    pub fn answer_counts(&self) -> Vec<(Category, Shown)> {
        match self {
            PublishedDistribution::Categories { categories: counts }
            | PublishedDistribution::Months { months: counts }
            | PublishedDistribution::Choices { options: counts } => counts
                .iter()
                .map(|count| (count.category.clone(), count.count))
                .collect(),
            PublishedDistribution::Scale {
                counts,
                labels,
                declined,
                ..
            } => counts
                .iter()
                .enumerate()
                .map(|(index, count)| (scale_point(index, labels), *count))
                .chain(declined.map(|declined| (dont_know(), declined)))
                .collect(),
            PublishedDistribution::Ranking { options } => options
                .iter()
                .map(|option| {
                    let first = option.positions.first().copied().unwrap_or(Shown::Hidden);
                    (option.category.clone(), first)
                })
                .collect(),
            PublishedDistribution::Numbers { bins, .. } => bins
                .iter()
                .map(|bin| {
                    let range = format!("{} – {}", bin.from, bin.to);
                    (Category::plain(range), bin.count)
                })
                .collect(),
            PublishedDistribution::FreeText { .. } => Vec::new(),
        }
    }

    /// Whether each child gives one answer, so that the answers split into
    /// a table that adds up (`question_table`): not multiple choice,
    /// numbers or free text.
    pub fn one_answer_each(&self) -> bool {
        matches!(
            self,
            PublishedDistribution::Categories { .. }
                | PublishedDistribution::Months { .. }
                | PublishedDistribution::Scale { .. }
                | PublishedDistribution::Ranking { .. }
        )
    }
}

/// A count of children giving one answer, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCount {
    /// The answer.
    pub category: Category,
    /// How many children gave it.
    pub count: Shown,
}

/// A bar of a histogram, as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedBin {
    /// Lower edge, included.
    pub from: f64,
    /// Upper edge, excluded (included for the last bin).
    pub to: f64,
    /// How many answers fall in it.
    pub count: Shown,
}

/// Where children ranked one option, as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedRankedOption {
    /// The option.
    pub category: Category,
    /// `positions[i]`: children who put it at place `i + 1`.
    pub positions: Vec<Shown>,
    /// Children who ranked it at all.
    pub ranked: Shown,
    /// The mean place, when every count it comes from is shown (a mean
    /// beside a withheld count would give that count back).
    pub mean_rank: Option<f64>,
}

/// `results` as they may be shown and exported, with k = `threshold`.
pub fn publish_results(results: &SurveyResults, threshold: Threshold) -> PublishedResults {
    let known = results.respondents.saturating_sub(results.unknown_version);
    let (counts, respondents) = publish_linked_counts(
        &[known, results.unknown_version],
        results.respondents,
        threshold,
        &Linked::default(),
    );
    PublishedResults {
        survey_id: results.survey_id.clone(),
        title: results.title.clone(),
        versions: results.versions.clone(),
        threshold,
        respondents,
        unknown_version: counts[1],
        questions: results
            .questions
            .iter()
            .map(|question| publish_question(question, results.respondents, threshold))
            .collect(),
        not_summarised: results.not_summarised.clone(),
    }
}

fn publish_question(
    question: &QuestionResult,
    respondents: u64,
    threshold: Threshold,
) -> PublishedQuestion {
    let is_free_text = matches!(question.distribution, Distribution::FreeText { .. });
    let answered_entries = vec![
        TableEntry::Cell { row: 0, column: 0 },
        TableEntry::RowTotal(0),
    ];
    let standing_links = Linked {
        hidden: Vec::new(),
        known: if is_free_text {
            answered_entries
        } else {
            Vec::new()
        },
    };
    let standing_counts = [
        question.answered,
        question.skipped,
        question.not_asked,
        question.unreadable,
        question.not_in_version,
    ];
    let total: u64 = standing_counts.iter().sum();
    let (standing, _) = publish_linked_counts(&standing_counts, total, threshold, &standing_links);
    let answered_hidden = standing[0].is_suppressed();
    let answers = Answers {
        answered: question.answered,
        answered_hidden,
        respondents,
        threshold,
    };
    PublishedQuestion {
        question_id: question.question_id.clone(),
        label: question.label.clone(),
        versions: question.versions.clone(),
        answered: standing[0],
        skipped: standing[1],
        not_asked: standing[2],
        unreadable: standing[3],
        not_in_version: standing[4],
        distribution: answers.publish(&question.distribution),
    }
}

/// What a question's distribution is published against.
struct Answers {
    answered: u64,
    answered_hidden: bool,
    respondents: u64,
    threshold: Threshold,
}

impl Answers {
    /// How the answers' table is linked to the question's other table
    /// through its entry `total` ("answered"): withheld there, it is
    /// withheld here; shown there, it is known here.
    fn links(&self, total: TableEntry) -> Linked {
        if self.answered_hidden {
            Linked {
                hidden: vec![total],
                known: Vec::new(),
            }
        } else {
            Linked {
                hidden: Vec::new(),
                known: vec![total],
            }
        }
    }

    /// Counts adding up to "answered", as shown.
    fn counts(&self, counts: &[u64]) -> Vec<Shown> {
        let total = counts.iter().sum();
        publish_linked_counts(
            counts,
            total,
            self.threshold,
            &self.links(TableEntry::Total),
        )
        .0
    }

    fn categories(&self, counts: &[CategoryCount]) -> Vec<PublishedCount> {
        let values: Vec<u64> = counts.iter().map(|count| count.count).collect();
        counts
            .iter()
            .zip(self.counts(&values))
            .map(|(count, shown)| PublishedCount {
                category: count.category.clone(),
                count: shown,
            })
            .collect()
    }

    fn statistic(&self, value: Option<f64>) -> Option<f64> {
        publish_statistic(value, self.answered, self.threshold)
    }

    fn publish(&self, distribution: &Distribution) -> PublishedDistribution {
        match distribution {
            Distribution::Categories { categories } => PublishedDistribution::Categories {
                categories: self.categories(categories),
            },
            Distribution::Scale {
                points,
                counts,
                median,
                labels,
                declined,
            } => {
                // "I don't know" is one more answer among the points: the
                // counts add up to those who answered, suppressed as one.
                let mut all = counts.clone();
                all.extend(*declined);
                let mut shown = self.counts(&all);
                let declined = declined.and_then(|_| shown.pop());
                PublishedDistribution::Scale {
                    points: *points,
                    counts: shown,
                    median: self.statistic(*median),
                    labels: labels.clone(),
                    declined,
                }
            }
            Distribution::Choices { options } => PublishedDistribution::Choices {
                options: options
                    .iter()
                    .map(|option| PublishedCount {
                        category: option.category.clone(),
                        count: self.share(option.count),
                    })
                    .collect(),
            },
            Distribution::Ranking { options } => PublishedDistribution::Ranking {
                options: self.ranking(options),
            },
            Distribution::Numbers {
                bins,
                median,
                lower_quartile,
                upper_quartile,
            } => {
                let counts: Vec<u64> = bins.iter().map(|bin| bin.count).collect();
                PublishedDistribution::Numbers {
                    bins: bins
                        .iter()
                        .zip(self.counts(&counts))
                        .map(|(bin, count): (&Bin, Shown)| PublishedBin {
                            from: bin.from,
                            to: bin.to,
                            count,
                        })
                        .collect(),
                    median: self.statistic(*median),
                    lower_quartile: self.statistic(*lower_quartile),
                    upper_quartile: self.statistic(*upper_quartile),
                }
            }
            Distribution::Months { months } => PublishedDistribution::Months {
                months: self.categories(months),
            },
            Distribution::FreeText { answers } => PublishedDistribution::FreeText {
                answers: publish_free_text(answers, self.respondents, self.threshold),
            },
        }
    }

    /// A multiple-choice option's count: beside a shown "answered", its
    /// remainder must be safe too; beside a withheld one, it cannot be
    /// subtracted from anything.
    fn share(&self, chose: u64) -> Shown {
        if !self.answered_hidden {
            publish_share(chose, self.answered, self.threshold)
        } else if self.threshold.is_small(chose) {
            Shown::Under(self.threshold.k())
        } else {
            Shown::Count(chose)
        }
    }

    /// A ranking as the table options × places, whose first column adds up
    /// to the children who ranked anything.
    fn ranking(&self, options: &[RankedOption]) -> Vec<PublishedRankedOption> {
        let places = options
            .iter()
            .map(|option| option.positions.len())
            .max()
            .unwrap_or(0);
        let table = CrossTable::from_cells(
            options
                .iter()
                .map(|option| option.category.clone())
                .collect(),
            (1..=places)
                .map(|place| Category::plain(place.to_string()))
                .collect(),
            options
                .iter()
                .map(|option| option.positions.clone())
                .collect(),
        );
        let published = publish_linked_table(
            &table,
            self.threshold,
            &self.links(TableEntry::ColumnTotal(0)),
        );
        options
            .iter()
            .zip(published.cells.into_iter().zip(published.row_totals))
            .map(|(option, (positions, ranked))| {
                let every_count_shown =
                    !ranked.is_suppressed() && positions.iter().all(|shown| !shown.is_suppressed());
                PublishedRankedOption {
                    category: option.category.clone(),
                    mean_rank: if every_count_shown {
                        option.mean_rank()
                    } else {
                        None
                    },
                    positions,
                    ranked,
                }
            })
            .collect()
    }
}
