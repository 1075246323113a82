//! A path for a disclosure: when a child's answer may mean they are being
//! harmed, the worker is told — discreetly, on their side of the tablet —
//! what to do now, and can record that a referral was made, with no
//! identifying detail. The ward officer sees how many referrals are still
//! open and marks each one followed up.
//!
//! A survey marks the answers that may be a disclosure on the question
//! (`disclosure`: choice values, `"yes"`/`"no"`, or face points); which
//! answers given are such is decided here, for the tablet and the server
//! alike.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::localized::Localized;
use crate::response::{AnswerValue, Answers};
pub use crate::response::{Referral, ReferredTo};
use crate::survey::{Item, Question, QuestionKind, SurveyDefinition};

/// The national child protection hotline: free, every hour of every day.
pub const HOTLINE: &str = "111";

/// What the worker should do now, step by step, in both languages.
pub fn guidance() -> Vec<Localized> {
    vec![
        Localized::new(
            "Bình tĩnh lắng nghe. Cảm ơn em đã kể. Không hỏi dồn, không hỏi chi tiết, không trách em.",
            "Stay calm and listen. Thank the child for telling you. Do not press for details, and do not blame.",
        ),
        Localized::new(
            "Không hứa giữ bí mật. Nói với em rằng anh/chị sẽ báo cho người có thể giúp em an toàn.",
            "Do not promise to keep it secret. Tell the child you will tell someone who can help keep them safe.",
        ),
        Localized::new(
            "Nếu em đang gặp nguy hiểm ngay lúc này, gọi ngay Tổng đài quốc gia bảo vệ trẻ em 111 (miễn phí, 24/7).",
            "If the child is in danger now, call the national child protection hotline 111 at once (free, 24/7).",
        ),
        Localized::new(
            "Báo cán bộ bảo vệ trẻ em của phường/xã trong ngày hôm nay, trực tiếp hoặc qua điện thoại.",
            "Tell the ward's child protection officer today, in person or by phone.",
        ),
        Localized::new(
            "Ghi lại dưới đây rằng đã chuyển tiếp. Không ghi tên, lời kể hay chi tiết nào về em vào máy.",
            "Record below that a referral was made. Write no name, no account and no detail about the child on the tablet.",
        ),
    ]
}

/// The discreet heading of the worker's note: nothing in it alarms a child
/// reading over the worker's shoulder.
pub fn note_heading() -> Localized {
    Localized::new("Ghi chú cho người phỏng vấn", "Note for the worker")
}

/// The answers of `question` that `answer` gives and the survey marks as
/// possible disclosures.
fn marked(question: &Question, answer: &AnswerValue) -> bool {
    let marked = |value: &str| question.disclosure.iter().any(|mark| mark == value);
    match answer {
        AnswerValue::Choice(value) => marked(value),
        AnswerValue::Choices(values) => values.iter().any(|value| marked(value)),
        AnswerValue::YesNo(yes) => marked(if *yes { "yes" } else { "no" }),
        AnswerValue::Smiley(point) | AnswerValue::Rating(point) => marked(&point.to_string()),
        _ => false,
    }
}

/// The names of the questions whose answer in `answers` may be a
/// disclosure, in the survey's order (inside repeats too).
pub fn possible_disclosures(survey: &SurveyDefinition, answers: &Answers) -> Vec<String> {
    let mut found = Vec::new();
    walk(&survey.items, answers, &mut found);
    found
}

fn walk(items: &[Item], answers: &Answers, found: &mut Vec<String>) {
    for item in items {
        match item {
            Item::Question(question) if !question.disclosure.is_empty() => {
                let given = answers
                    .get(&question.id)
                    .is_some_and(|answer| marked(question, answer));
                if given && !found.contains(&question.id) {
                    found.push(question.id.clone());
                }
            }
            Item::Question(_) => {}
            Item::Group(group) => walk(&group.items, answers, found),
            Item::Repeat(group) => {
                if let Some(AnswerValue::Repeat(instances)) = answers.get(&group.id) {
                    for instance in instances {
                        walk(&group.items, instance, found);
                    }
                }
            }
        }
    }
}

/// Why a question's `disclosure` list cannot be used: a value no answer
/// can take, or a kind of question whose answers cannot be marked.
pub fn check_disclosure(question: &Question) -> Vec<Localized> {
    if question.disclosure.is_empty() {
        return Vec::new();
    }
    let possible: Vec<String> = match &question.kind {
        QuestionKind::SingleChoice { choices } | QuestionKind::MultipleChoice { choices } => {
            choices.iter().map(|choice| choice.value.clone()).collect()
        }
        QuestionKind::YesNo => vec!["yes".to_owned(), "no".to_owned()],
        QuestionKind::Smiley { points, .. } | QuestionKind::Rating { points, .. } => {
            (1..=*points).map(|point| point.to_string()).collect()
        }
        _ => {
            return vec![Localized::new(
                "chỉ đánh dấu được câu trả lời có lựa chọn, có/không hoặc thang điểm là dấu hiệu cần bảo vệ",
                "only choice, yes/no and scale answers can be marked as possible disclosures",
            )]
        }
    };
    question
        .disclosure
        .iter()
        .filter(|value| !possible.contains(value))
        .map(|value| {
            Localized::new(
                format!("dấu hiệu cần bảo vệ \"{value}\" không phải là câu trả lời của câu hỏi"),
                format!("the possible disclosure \"{value}\" is not an answer of the question"),
            )
        })
        .collect()
}

/// The referrals of a ward as its officer sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralSummary {
    /// Referrals not yet marked followed up.
    pub open: u64,
    /// Referrals followed up.
    pub followed_up: u64,
    /// The open ones, oldest first (at most [`OPEN_LISTED`]).
    pub open_referrals: Vec<OpenReferral>,
}

/// How many open referrals are listed at most.
pub const OPEN_LISTED: usize = 200;

/// One open referral: no child, no answer, only what the officer needs to
/// find it with the worker who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenReferral {
    /// The response's id (the officer's handle to mark it followed up).
    pub response_id: uuid::Uuid,
    /// The ward.
    pub ward_code: String,
    /// The survey's title.
    pub survey_title: Localized,
    /// To whom it was made.
    pub to: Vec<ReferredTo>,
    /// When it was recorded.
    pub made_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests;
