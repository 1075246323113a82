//! Survey definitions: versioned, bilingual questionnaires made of
//! questions, groups (shown as pages) and repeat groups.
//!
//! Expressions (`relevant`, `constraint`, `calculation`) are kept as the
//! XLSForm text they were written in; [`crate::form::FormEngine`] parses them
//! once and refuses a survey whose expressions do not parse.

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
    /// The age bands this survey is written for (empty: every band).
    pub age_bands: Vec<AgeBand>,
    /// How the questions are laid out on the tablet.
    #[serde(default)]
    pub layout: Layout,
    /// The questions, groups and repeats, in the order they are asked.
    pub items: Vec<Item>,
}

/// How a survey is laid out while filling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One question per screen: best for young children.
    #[default]
    OneQuestionPerScreen,
    /// One screen per top-level group (questions outside groups get a screen each).
    PagePerGroup,
}

/// A part of a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum Item {
    /// A question.
    Question(Question),
    /// Questions shown together, relevant together.
    Group(Group),
    /// Questions asked once per instance (e.g. once per activity).
    Repeat(Group),
}

impl Item {
    /// The item's name, unique in the survey.
    pub fn id(&self) -> &str {
        match self {
            Item::Question(question) => &question.id,
            Item::Group(group) | Item::Repeat(group) => &group.id,
        }
    }
}

/// A group or a repeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Name, unique in the survey; a repeat's answers are kept under it.
    pub id: String,
    /// Title shown above the group's questions.
    #[serde(default)]
    pub label: Localized,
    /// When the whole group is asked (an XLSForm expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// The group's items.
    pub items: Vec<Item>,
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Name, unique within the survey; answers are keyed by it.
    pub id: String,
    /// The question as asked.
    pub label: Localized,
    /// An optional help text shown under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Localized>,
    /// Whether a completed response must answer it (when it is relevant).
    #[serde(default)]
    pub required: bool,
    /// The kind of answer expected.
    pub kind: QuestionKind,
    /// When the question is asked (an XLSForm expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// What an answer must satisfy (an XLSForm expression, `.` is the answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Shown when the constraint is not met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<Localized>,
}

/// The kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free text on one line, at most `max_length` characters.
    ShortText {
        /// Longest accepted answer, in characters.
        max_length: u32,
    },
    /// Free text over several lines.
    LongText {
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
    /// A calendar date.
    Date,
    /// One option out of a list.
    SingleChoice {
        /// The options, in display order.
        choices: Vec<Choice>,
    },
    /// Any number of options out of a list.
    MultipleChoice {
        /// The options, in display order.
        choices: Vec<Choice>,
    },
    /// Yes or no.
    YesNo,
    /// A positive-only scale of faces, from 1 (okay) to `points` (great):
    /// made for children aged 7 to 11, who answer better with faces than
    /// with numbers.
    Smiley {
        /// Number of faces, 3 to 5.
        points: u8,
    },
    /// A rating from 1 to `points`, shown as numbered stars.
    Rating {
        /// Highest rating, 3 to 10.
        points: u8,
    },
    /// The options put in order, most important first.
    Ranking {
        /// The options to order.
        choices: Vec<Choice>,
    },
    /// Text shown to the worker or child; takes no answer.
    Note,
    /// A value computed from other answers (an XLSForm expression), stored
    /// with the response; never shown as a question.
    Calculate {
        /// The expression.
        calculation: String,
    },
}

impl QuestionKind {
    /// Whether the question takes an answer typed or chosen by someone.
    pub fn takes_answer(&self) -> bool {
        !matches!(self, QuestionKind::Note | QuestionKind::Calculate { .. })
    }

    /// The options of a choice, multiple-choice or ranking question.
    pub fn choices(&self) -> &[Choice] {
        match self {
            QuestionKind::SingleChoice { choices }
            | QuestionKind::MultipleChoice { choices }
            | QuestionKind::Ranking { choices } => choices,
            _ => &[],
        }
    }
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
        self.kind
            .choices()
            .iter()
            .find(|choice| choice.value == value)
            .map(|choice| choice.label.get(language))
    }
}

impl SurveyDefinition {
    /// The key the survey version is stored under: `id@version`.
    pub fn key(&self) -> String {
        survey_key(&self.id, self.version)
    }

    /// Looks a question up by its id, anywhere in the survey.
    pub fn question(&self, question_id: &str) -> Option<&Question> {
        fn find<'a>(items: &'a [Item], id: &str) -> Option<&'a Question> {
            items.iter().find_map(|item| match item {
                Item::Question(question) if question.id == id => Some(question),
                Item::Question(_) => None,
                Item::Group(group) | Item::Repeat(group) => find(&group.items, id),
            })
        }
        find(&self.items, question_id)
    }

    /// Every question, in document order, at any depth.
    pub fn questions(&self) -> Vec<&Question> {
        fn collect<'a>(items: &'a [Item], into: &mut Vec<&'a Question>) {
            for item in items {
                match item {
                    Item::Question(question) => into.push(question),
                    Item::Group(group) | Item::Repeat(group) => collect(&group.items, into),
                }
            }
        }
        let mut questions = Vec::new();
        collect(&self.items, &mut questions);
        questions
    }
}

/// The key of a survey version: `id@version`.
pub fn survey_key(id: &str, version: u32) -> String {
    format!("{id}@{version}")
}
