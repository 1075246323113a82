//! Children's forums at the town hall: the CSV export of the forums and
//! their recommendations (the storage is `database::forums`).

use thamgia_core::Localized;

use crate::error::ServerError;

pub use crate::database::{AnswerBody, ForumView, RecommendationView};

/// The forums as CSV, one row per recommendation, with a byte-order mark.
pub fn forums_csv(
    forums: &[ForumView],
    language_is_vietnamese: bool,
) -> Result<String, ServerError> {
    let mut writer = crate::csv_export::CsvExport::new();
    writer.row([
        "forum_id",
        "ward_code",
        "held_on",
        "place",
        "children",
        "report_due",
        "recommendation",
        "authority",
        "votes",
        "status",
        "decision",
        "reasons",
        "actions",
        "answered_on",
        "answer_overdue",
        "feedback_on",
        "feedback_channel",
    ])?;
    let pick = |text: Localized| {
        if language_is_vietnamese {
            text.vi
        } else {
            text.en
        }
    };
    for view in forums {
        for item in &view.recommendations {
            writer.row([
                view.forum.id.to_string(),
                view.forum.ward_code.clone(),
                view.forum.held_on.to_string(),
                view.forum.place.clone(),
                view.forum.children().to_string(),
                view.report_due.to_string(),
                item.recommendation.text.clone(),
                item.recommendation.authority.clone(),
                item.recommendation.votes.to_string(),
                pick(item.status.label()),
                item.answer
                    .as_ref()
                    .map(|answer| pick(answer.decision.label()))
                    .unwrap_or_default(),
                item.answer
                    .as_ref()
                    .map(|answer| answer.reasons.clone())
                    .unwrap_or_default(),
                item.answer
                    .as_ref()
                    .map(|answer| answer.actions.clone())
                    .unwrap_or_default(),
                item.answer
                    .as_ref()
                    .map(|answer| answer.answered_on.to_string())
                    .unwrap_or_default(),
                item.answer_overdue.to_string(),
                item.feedback
                    .as_ref()
                    .map(|feedback| feedback.given_on.to_string())
                    .unwrap_or_default(),
                item.feedback
                    .as_ref()
                    .map(|feedback| pick(feedback.channel.label()))
                    .unwrap_or_default(),
            ])?;
        }
    }
    writer.finish()
}
