//! What children answered to one question, by kind of question: plain
//! counts (shares are the app's to derive), and the few statistics a kind
//! needs (medians, quartiles, mean rank).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::filter::Category;
use super::statistics::Bin;
use crate::response::Participant;

/// The answers to one question, summarised by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    /// Single choice and yes/no: how many children gave each answer. The
    /// question's options first, in its order, then any value no version
    /// offers (kept, never dropped silently).
    Categories {
        /// One count per answer.
        categories: Vec<CategoryCount>,
    },
    /// Smiley and rating scales: how many children chose each point.
    Scale {
        /// Highest point of the scale (the largest of the versions).
        points: u8,
        /// `counts[i]` children chose point `i + 1`.
        counts: Vec<u64>,
        /// Median point (a half point when the middle falls between two).
        median: Option<f64>,
        /// What each point means, most negative first, when the newest
        /// version words them (a face scale's labels).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        labels: Vec<crate::localized::Localized>,
        /// Children who answered "I don't know / I'd rather not say", when
        /// the scale offers it (not in `counts`, nor in the median).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        declined: Option<u64>,
    },
    /// Multiple choice: how many children chose each option (a child may
    /// choose several, so the counts add up to more than `answered`).
    Choices {
        /// One count per option.
        options: Vec<CategoryCount>,
    },
    /// Ranking: for each option, how many children put it at each place.
    Ranking {
        /// One entry per option.
        options: Vec<RankedOption>,
    },
    /// Numbers: a histogram, the median and the quartiles.
    Numbers {
        /// Consecutive bins covering every answer.
        bins: Vec<Bin>,
        /// Median.
        median: Option<f64>,
        /// First quartile.
        lower_quartile: Option<f64>,
        /// Third quartile.
        upper_quartile: Option<f64>,
        /// Children who answered "I don't know / I'd rather not say", when
        /// the range offers it (in no bin, nor in the statistics).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        declined: Option<u64>,
    },
    /// Dates: how many answers fall in each month, oldest first.
    Months {
        /// One count per month with answers (`"YYYY-MM"`).
        months: Vec<CategoryCount>,
    },
    /// Free text: the answers as written, the newest
    /// [`FREE_TEXT_SHOWN`](super::FREE_TEXT_SHOWN) of them (every one is
    /// counted in `answered`).
    FreeText {
        /// The answers, newest first.
        answers: Vec<FreeTextAnswer>,
    },
}

/// How many children gave one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// The answer.
    pub category: Category,
    /// How many children gave it.
    pub count: u64,
}

/// Where children ranked one option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedOption {
    /// The option.
    pub category: Category,
    /// `positions[i]` children put it at place `i + 1` (1 is most important).
    pub positions: Vec<u64>,
}

impl RankedOption {
    /// How many children ranked the option at all.
    pub fn ranked(&self) -> u64 {
        self.positions.iter().sum()
    }

    /// How many children put it first.
    pub fn ranked_first(&self) -> u64 {
        self.positions.first().copied().unwrap_or(0)
    }

    /// The mean place among the children who ranked it (1 is first).
    pub fn mean_rank(&self) -> Option<f64> {
        let ranked = self.ranked();
        (ranked > 0).then(|| {
            let sum: u64 = self
                .positions
                .iter()
                .enumerate()
                .map(|(index, count)| (index as u64 + 1) * count)
                .sum();
            sum as f64 / ranked as f64
        })
    }
}

/// One free-text answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreeTextAnswer {
    /// The response it belongs to (for tagging themes).
    pub response_id: Uuid,
    /// The answer as written.
    pub text: String,
    /// Who wrote it, when the group is large enough to show it (see
    /// `suppression::publish_free_text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<AnswerAttributes>,
}

/// The attributes shown beside a free-text answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerAttributes {
    /// The ward or commune.
    pub ward_code: String,
    /// The participant's anonymous attributes.
    pub participant: Participant,
}
