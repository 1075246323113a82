//! Results as they may leave the server: every count of [`SurveyResults`]
//! through [`suppression`](super::suppression), the figures two tables
//! share kept consistent between them.
//!
//! Every count is a [`Figure`]: who answered, skipped, was not asked or
//! answered another version (adding up to the respondents), and the
//! answers (adding up to those who answered), each choice with its
//! remainder, a ranking's places. Which are withheld comes from one
//! pattern over the lines tying them ([`PageMarks`]): of this page alone
//! ([`publish_results`]), or of every scope's page together
//! ([`publish_marked_results`], see [`joint`](super::joint)). A free-text
//! question's list of answers shows how many there are, so there
//! "answered" is never chosen as a complement.

use serde::{Deserialize, Serialize};

use super::distribution::{CategoryCount, Distribution, FreeTextAnswer, RankedOption};
use super::figures::{bar_key, figures_of, Figure, Standing, DONT_KNOW_BAR};
use super::filter::Category;
use super::joint::PageMarks;
use super::statistics::Bin;
use super::suppression::lines::Mark;
use super::suppression::{
    publish_free_text, publish_linked_counts, publish_statistic, Linked, Shown, TableEntry,
    Threshold,
};
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
    /// Changes to the scope's responses (arrivals, withdrawals,
    /// corrections) these figures do not show yet: the figures change in
    /// steps (`release.rs`). The server sets it; 0 from core's publishing.
    #[serde(default)]
    pub changes_waiting: u64,
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
        /// "I don't know / I'd rather not say", when the range offers it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        declined: Option<Shown>,
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
            PublishedDistribution::Numbers { bins, declined, .. } => bins
                .iter()
                .map(|bin| {
                    let range = format!("{} – {}", bin.from, bin.to);
                    (Category::plain(range), bin.count)
                })
                .chain(declined.map(|declined| (dont_know(), declined)))
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

/// `results` as they may be shown and exported, with k = `threshold`, as
/// the only page published (its figures suppressed among themselves).
pub fn publish_results(results: &SurveyResults, threshold: Threshold) -> PublishedResults {
    let marks = PageMarks::alone(&figures_of(results), threshold);
    publish_marked_results(results, threshold, &marks)
}

/// `results` as they may be shown with the marks of their page in a
/// pattern of several pages ([`JointPattern`](super::joint::JointPattern)).
/// A count the marks do not name that is under k is still shown as "< k"
/// (the marks come from the same cells, so this is a safety net only).
pub fn publish_marked_results(
    results: &SurveyResults,
    threshold: Threshold,
    marks: &PageMarks,
) -> PublishedResults {
    let page = Page { marks, threshold };
    PublishedResults {
        survey_id: results.survey_id.clone(),
        title: results.title.clone(),
        versions: results.versions.clone(),
        threshold,
        respondents: page.shown(Figure::Respondents, results.respondents),
        unknown_version: page.shown(Figure::UnknownVersion, results.unknown_version),
        questions: results
            .questions
            .iter()
            .enumerate()
            .map(|(index, question)| {
                let q = u32::try_from(index).unwrap_or(u32::MAX);
                page.question(q, question, results.respondents)
            })
            .collect(),
        not_summarised: results.not_summarised.clone(),
        changes_waiting: 0,
    }
}

/// One page's figures as its marks say.
struct Page<'m> {
    marks: &'m PageMarks,
    threshold: Threshold,
}

impl Page<'_> {
    fn shown(&self, figure: Figure, count: u64) -> Shown {
        if self.threshold.is_small(count) {
            return Shown::Under(self.threshold.k());
        }
        match self.marks.of(&figure) {
            Mark::Published => Shown::Count(count),
            Mark::Primary => Shown::Under(self.threshold.k()),
            Mark::Complement => Shown::Hidden,
        }
    }

    fn question(&self, q: u32, question: &QuestionResult, respondents: u64) -> PublishedQuestion {
        let standing =
            |standing: Standing, count: u64| self.shown(Figure::Standing(q, standing), count);
        let answered = standing(Standing::Answered, question.answered);
        PublishedQuestion {
            question_id: question.question_id.clone(),
            label: question.label.clone(),
            versions: question.versions.clone(),
            answered,
            skipped: standing(Standing::Skipped, question.skipped),
            not_asked: standing(Standing::NotAsked, question.not_asked),
            unreadable: standing(Standing::Unreadable, question.unreadable),
            not_in_version: standing(Standing::NotInVersion, question.not_in_version),
            distribution: self.distribution(q, question, answered, respondents),
        }
    }

    fn answer(&self, q: u32, key: &str, count: u64) -> Shown {
        self.shown(Figure::Answer(q, key.to_owned()), count)
    }

    fn categories(&self, q: u32, counts: &[CategoryCount]) -> Vec<PublishedCount> {
        counts
            .iter()
            .map(|count| PublishedCount {
                category: count.category.clone(),
                count: self.answer(q, &count.category.key, count.count),
            })
            .collect()
    }

    /// A median, quartile or mean of `answered` answers.
    fn statistic(&self, value: Option<f64>, answered: u64) -> Option<f64> {
        publish_statistic(value, answered, self.threshold)
    }

    fn distribution(
        &self,
        q: u32,
        question: &QuestionResult,
        answered: Shown,
        respondents: u64,
    ) -> PublishedDistribution {
        match &question.distribution {
            Distribution::Categories { categories } => PublishedDistribution::Categories {
                categories: self.categories(q, categories),
            },
            Distribution::Months { months } => PublishedDistribution::Months {
                months: self.categories(q, months),
            },
            Distribution::Scale {
                points,
                counts,
                median,
                labels,
                declined,
            } => PublishedDistribution::Scale {
                points: *points,
                counts: counts
                    .iter()
                    .enumerate()
                    .map(|(point, count)| self.answer(q, &(point + 1).to_string(), *count))
                    .collect(),
                // Of the points given: "I don't know" is none.
                median: self.statistic(
                    *median,
                    question.answered.saturating_sub(declined.unwrap_or(0)),
                ),
                labels: labels.clone(),
                declined: declined.map(|declined| self.answer(q, "0", declined)),
            },
            Distribution::Choices { options } => PublishedDistribution::Choices {
                options: options
                    .iter()
                    .map(|option| PublishedCount {
                        category: option.category.clone(),
                        count: self
                            .shown(Figure::Chose(q, option.category.key.clone()), option.count),
                    })
                    .collect(),
            },
            Distribution::Ranking { options } => PublishedDistribution::Ranking {
                options: self.ranking(q, options),
            },
            Distribution::Numbers {
                bins,
                median,
                lower_quartile,
                upper_quartile,
                declined,
            } => {
                // Of the numbers given: "I don't know" is none.
                let numbers = question.answered.saturating_sub(declined.unwrap_or(0));
                let (bins, declined) = if self.marks.holds_bars(q) {
                    let bars = bins
                        .iter()
                        .map(|bin| PublishedBin {
                            from: bin.from,
                            to: bin.to,
                            count: self.shown(Figure::Bar(q, bar_key(bin.from, bin.to)), bin.count),
                        })
                        .collect();
                    let declined = declined.map(|declined| {
                        self.shown(Figure::Bar(q, DONT_KNOW_BAR.to_owned()), declined)
                    });
                    (bars, declined)
                } else {
                    self.bins(bins, *declined, question.answered, answered)
                };
                PublishedDistribution::Numbers {
                    bins,
                    median: self.statistic(*median, numbers),
                    lower_quartile: self.statistic(*lower_quartile, numbers),
                    upper_quartile: self.statistic(*upper_quartile, numbers),
                    declined,
                }
            }
            Distribution::FreeText { answers } => PublishedDistribution::FreeText {
                answers: publish_free_text(answers, respondents, self.threshold),
            },
        }
    }

    /// A histogram's bars the pattern does not hold (their edges differ
    /// between cells, so no other page's bars add up to them), suppressed
    /// within the page: they add up to "answered", withheld here when the
    /// page withholds it, else known.
    /// A histogram's bars and its "I don't know" (when the range offers
    /// it) published on their own page, as one line under `answered`.
    fn bins(
        &self,
        bins: &[Bin],
        declined: Option<u64>,
        answered: u64,
        shown: Shown,
    ) -> (Vec<PublishedBin>, Option<Shown>) {
        let counts: Vec<u64> = bins.iter().map(|bin| bin.count).chain(declined).collect();
        let total = TableEntry::Total;
        let links = if shown.is_suppressed() {
            Linked {
                hidden: vec![total],
                known: Vec::new(),
            }
        } else {
            Linked {
                hidden: Vec::new(),
                known: vec![total],
            }
        };
        debug_assert_eq!(
            counts.iter().sum::<u64>(),
            answered,
            "bars add up to answered"
        );
        let total_count = counts.iter().sum();
        let (mut shown, _) = publish_linked_counts(&counts, total_count, self.threshold, &links);
        let declined = declined.and(shown.pop());
        let bars = bins
            .iter()
            .zip(shown)
            .map(|(bin, count)| PublishedBin {
                from: bin.from,
                to: bin.to,
                count,
            })
            .collect();
        (bars, declined)
    }

    /// A ranking: where children put each option, with the mean place
    /// only when every count it comes from is shown.
    fn ranking(&self, q: u32, options: &[RankedOption]) -> Vec<PublishedRankedOption> {
        let places = options
            .iter()
            .map(|option| option.positions.len())
            .max()
            .unwrap_or(0);
        options
            .iter()
            .map(|option| {
                let key = &option.category.key;
                let positions: Vec<Shown> = (0..places)
                    .map(|place| {
                        let count = option.positions.get(place).copied().unwrap_or(0);
                        let number = u32::try_from(place + 1).unwrap_or(u32::MAX);
                        self.shown(Figure::Position(q, key.clone(), number), count)
                    })
                    .collect();
                let ranked = self.shown(Figure::Ranked(q, key.clone()), option.ranked());
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
