//! Whether a child was already consulted earlier in the year: asked on the
//! start screen, so that the town hall can count the children consulted
//! and not only the consultations (answers are anonymous, so nothing else
//! tells a child consulted by two surveys from two children).

use serde::{Deserialize, Serialize};

use crate::Localized;

/// The child's (or the worker's) answer to "has the child already been
/// consulted by a survey this year?". Not asked (a response from before
/// the question, or left unanswered) is no value at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeardBefore {
    /// No: the child's first consultation this year.
    FirstTime,
    /// Yes: the child was already consulted this year.
    Again,
    /// The child does not remember.
    Unsure,
}

impl HeardBefore {
    /// Every option, in display order.
    pub const ALL: [HeardBefore; 3] = [
        HeardBefore::FirstTime,
        HeardBefore::Again,
        HeardBefore::Unsure,
    ];

    /// The option as shown.
    pub fn label(self) -> Localized {
        match self {
            HeardBefore::FirstTime => Localized::new("Chưa, đây là lần đầu", "No, the first time"),
            HeardBefore::Again => Localized::new("Rồi", "Yes, already"),
            HeardBefore::Unsure => Localized::new("Em không nhớ", "Doesn't remember"),
        }
    }

    /// The answer as the review reads it back: "Đã được hỏi ý kiến năm nay:
    /// rồi".
    pub fn described(self) -> Localized {
        let label = self.label();
        Localized::new(
            format!("Đã được hỏi ý kiến năm nay: {}", label.vi.to_lowercase()),
            format!("Consulted before this year: {}", label.en.to_lowercase()),
        )
    }

    /// The text the server's store and its exports hold: its serde name.
    pub fn key(self) -> &'static str {
        match self {
            HeardBefore::FirstTime => "first_time",
            HeardBefore::Again => "again",
            HeardBefore::Unsure => "unsure",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_is_stored_under_its_serde_name() {
        for answer in HeardBefore::ALL {
            let written = serde_json::to_value(answer).expect("serialise");
            assert_eq!(written, answer.key(), "{answer:?}");
            let label = answer.label();
            assert!(!label.vi.is_empty() && !label.en.is_empty());
        }
    }

    #[test]
    fn the_review_reads_the_answer_back() {
        let again = HeardBefore::Again.described();
        assert_eq!(again.vi, "Đã được hỏi ý kiến năm nay: rồi");
        assert_eq!(again.en, "Consulted before this year: yes, already");
        assert_eq!(
            HeardBefore::FirstTime.described().vi,
            "Đã được hỏi ý kiến năm nay: chưa, đây là lần đầu"
        );
    }
}
