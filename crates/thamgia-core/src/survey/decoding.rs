//! How a survey's internally tagged enums are read: tag first, straight
//! from the object they arrive in (see [`crate::tag_first`]), from these
//! lists of their variants. Their `Serialize` stays derived in
//! `survey.rs`, so what is written is unchanged.
//!
//! A variant or a field added to an enum there and not here (or the other
//! way round) does not compile.

use super::{Choice, Group, Item, Question, QuestionKind};
use crate::localized::Localized;
use crate::response::AgeBand;

crate::deserialize_tag_first! {
    Item, tag = "item";
    Question(Question) = "question",
    Group(Group) = "group",
    Repeat(Group) = "repeat",
}

crate::deserialize_tag_first! {
    QuestionKind, tag = "type";
    ShortText { max_length: u32 } = "short_text",
    LongText { max_length: u32 } = "long_text",
    Number {
        #[serde(default)] min: Option<f64>,
        #[serde(default)] max: Option<f64>,
        #[serde(default)] integer: bool,
    } = "number",
    Date = "date",
    Time = "time",
    DateTime = "date_time",
    Acknowledge = "acknowledge",
    SingleChoice { choices: Vec<Choice> } = "single_choice",
    MultipleChoice { choices: Vec<Choice> } = "multiple_choice",
    YesNo = "yes_no",
    Smiley {
        points: u8,
        #[serde(default)] labels: Vec<Localized>,
        #[serde(default)] words_from: Option<AgeBand>,
        #[serde(default)] dont_know: bool,
    } = "smiley",
    Range {
        start: f64,
        end: f64,
        step: f64,
        #[serde(default)] dont_know: bool,
    } = "range",
    Rating {
        points: u8,
        #[serde(default)] dont_know: bool,
    } = "rating",
    Ranking { choices: Vec<Choice> } = "ranking",
    Note = "note",
    Calculate { calculation: String } = "calculate",
}
