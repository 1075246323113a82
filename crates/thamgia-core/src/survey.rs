//! Survey definitions: versioned, bilingual questionnaires.

use serde::{Deserialize, Serialize};

use crate::localized::{Language, Localized};
use crate::response::AgeBand;

/// One published version of a survey. A survey is identified by `id`; each
/// change publishes a new `version`, and a response keeps the version it was
/// made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyDefinition {
    /// Stable identifier, lowercase letters, digits and dashes.
    pub id: String,
    /// Version number, from 1 up.
    pub version: u32,
    /// Title shown in the list of surveys.
    pub title: Localized,
    /// What the survey is about, read to the child before the questions.
    pub description: Localized,
    /// The age bands this survey is written for.
    pub age_bands: Vec<AgeBand>,
    /// The questions, in the order they are asked.
    pub questions: Vec<Question>,
}

impl SurveyDefinition {
    /// The key the survey version is stored under: `id@version`.
    pub fn key(&self) -> String {
        survey_key(&self.id, self.version)
    }

    /// Looks a question up by its id.
    pub fn question(&self, question_id: &str) -> Option<&Question> {
        self.questions
            .iter()
            .find(|question| question.id == question_id)
    }
}

/// The key of a survey version: `id@version`.
pub fn survey_key(id: &str, version: u32) -> String {
    format!("{id}@{version}")
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Identifier, unique within the survey; answers are keyed by it.
    pub id: String,
    /// The question as asked.
    pub label: Localized,
    /// An optional help text shown under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Localized>,
    /// Whether a completed response must answer it.
    #[serde(default)]
    pub required: bool,
    /// The kind of answer expected and its constraints.
    pub kind: QuestionKind,
}

/// The kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free text, at most `max_length` characters.
    ShortText {
        /// Longest accepted answer, in characters.
        max_length: u32,
    },
    /// A number, optionally whole and bounded.
    Number {
        /// Smallest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Largest accepted value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        /// Whether only whole numbers are accepted.
        #[serde(default)]
        integer: bool,
    },
    /// One option out of a list.
    SingleChoice {
        /// The options, in display order.
        choices: Vec<Choice>,
    },
    /// Yes or no.
    YesNo,
    /// A positive-only scale of faces, from 1 (least happy) to `points`.
    Smiley {
        /// Number of faces, 3 to 5.
        points: u8,
    },
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The value stored in the answer.
    pub value: String,
    /// The option as shown.
    pub label: Localized,
}

impl Question {
    /// The label of the choice `value`, if the question has such a choice.
    pub fn choice_label(&self, value: &str, language: Language) -> Option<&str> {
        match &self.kind {
            QuestionKind::SingleChoice { choices } => choices
                .iter()
                .find(|choice| choice.value == value)
                .map(|choice| choice.label.get(language)),
            _ => None,
        }
    }
}
