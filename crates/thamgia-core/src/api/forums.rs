//! `GET /forums` and `POST /recommendations/{id}/answer`: children's forums
//! and their recommendations as the town hall follows them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::forum::{
    AuthorityAnswer, ChildFeedback, Decision, Forum, Recommendation, RecommendationStatus,
};

/// A recommendation as the town hall follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationView {
    /// The recommendation.
    pub recommendation: Recommendation,
    /// The authority's answer, once recorded.
    pub answer: Option<AuthorityAnswer>,
    /// The feedback to the children, once given.
    pub feedback: Option<ChildFeedback>,
    /// Where it is.
    pub status: RecommendationStatus,
    /// The day after which an unanswered recommendation is overdue.
    pub answer_due: NaiveDate,
    /// Whether it is unanswered past that day, by the server's clock.
    pub answer_overdue: bool,
}

/// A forum as the town hall follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForumView {
    /// The forum as submitted.
    pub forum: Forum,
    /// The last day to report it to the city.
    pub report_due: NaiveDate,
    /// When it reached the town hall.
    pub received_at: String,
    /// Its recommendations.
    pub recommendations: Vec<RecommendationView>,
}

/// The body of `POST /recommendations/{id}/answer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerBody {
    /// The decision.
    pub decision: Decision,
    /// Why.
    #[serde(default)]
    pub reasons: String,
    /// What will be done.
    #[serde(default)]
    pub actions: String,
    /// When the authority answered.
    pub answered_on: NaiveDate,
}
