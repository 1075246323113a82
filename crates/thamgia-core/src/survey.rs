//! Survey definitions: versioned, bilingual questionnaires made of
//! questions, groups (shown as pages) and repeat groups.
//!
//! Expressions (`relevant`, `constraint`, `calculation`) are kept as the
//! XLSForm text they were written in; [`crate::form::FormEngine`] parses them
//! once and refuses a survey whose expressions do not parse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::localized::{Language, Localized};
use crate::response::AgeBand;

mod decoding;

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
    /// The form's own version as its author wrote it (XLSForm's settings
    /// `version`, such as `2026120501`), beside Tham Gia's `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_version: Option<String>,
    /// The languages the form's texts have beside Vietnamese and English
    /// (names as the form writes them, in its column order), which the
    /// worker may pick for the form while filling; empty for most forms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// What each response is called, worked out from its answers
    /// (XLSForm's settings `instance_name`, such as
    /// `concat(${school}, ' – ', ${class})`): shown while it is filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
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
// Most items are questions, so a question stays inline: boxing it would add
// an allocation per question to save space only on the fewer groups.
// Deserialize: tag first, without serde's buffering (`survey/decoding.rs`).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// For a repeat: how many instances it has (XLSForm's `repeat_count`),
    /// a number or an expression such as `${children}`; the tablet makes
    /// them, and a completed response has exactly that many. `None`: the
    /// worker adds and removes instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_count: Option<String>,
    /// Its questions are shown together on one screen (XLSForm's
    /// `field-list` appearance), even where the survey shows one question
    /// per screen.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub field_list: bool,
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
    /// Required only while this expression holds (XLSForm's `required`
    /// written as an expression, such as `${age} >= 12`); with `required`
    /// set, the question is required whatever it gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<String>,
    /// How the tablet shows the question's options (XLSForm's appearances
    /// it draws: `likert`, a row of points; `minimal`, a drop-down list;
    /// `horizontal` and `columns`, options side by side); empty: as usual.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appearance: Vec<String>,
    /// The options are shown in an order of their own for each child
    /// (XLSForm's `randomize=true`), kept with the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub randomize: Option<Randomize>,
    /// Guidance for the worker (XLSForm's `guidance_hint`): how to ask,
    /// what to watch for; shown to the worker on request, never read out
    /// as part of the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Localized>,
    /// Shown but not answered on the tablet (XLSForm's `read_only`): its
    /// value is its `default`, or nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// Shown but not answered while this holds (`read_only` as an
    /// expression); the answer it has is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_if: Option<String>,
    /// The answer set from an expression (XLSForm's `calculation` on a
    /// question that is asked): without a `trigger`, kept computed and
    /// shown, not typed; with one, set each time a trigger's answer
    /// changes, and then the worker may change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation: Option<String>,
    /// The questions whose change sets this one's answer to its
    /// `calculation` (cleared without one): XLSForm's `trigger`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trigger: Vec<String>,
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
    /// Answers that may be a disclosure of harm (choice values, `"yes"` or
    /// `"no"`, face or rating points): when one is given, the worker is
    /// shown what to do (see the `safeguarding` module).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disclosure: Vec<String>,
    /// The answer a new response starts with (XLSForm's `default`): a
    /// value written out, or an expression evaluated when the response
    /// starts (see `response::defaults`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// What a required question left unanswered says (XLSForm's
    /// `required_message`); `None`: the app's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_message: Option<Localized>,
    /// Which of a choice question's options are offered (XLSForm's
    /// `choice_filter`, for cascading lists): an expression evaluated per
    /// option, where a bare name is a column of that option (see
    /// [`Choice::column`]). An answer no longer offered is refused like a
    /// broken constraint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_filter: Option<String>,
}

/// The kind of answer a question takes.
// Deserialize: tag first, without serde's buffering (`survey/decoding.rs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// A time of day, answered `HH:MM` (XLSForm's `time`).
    Time,
    /// A date and a time of day, answered `YYYY-MM-DDTHH:MM` (XLSForm's
    /// `dateTime`).
    DateTime,
    /// A statement the child or worker confirms with one tap (XLSForm's
    /// `acknowledge`): answered [`ACKNOWLEDGED`], or not at all.
    Acknowledge,
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
    /// A scale of faces from the most negative (1: a clear frown) to the
    /// most positive (`points`: a broad smile), each drawn differently, so
    /// a child can say "I don't feel safe" as easily as "I do". Made for
    /// younger children, who answer better with faces; from `words_from`
    /// the same points are answered with their words.
    Smiley {
        /// Number of faces, 3 to 5.
        points: u8,
        /// What each face means, most negative first, worded for what the
        /// question asks ("Rất không an toàn" … "Rất an toàn"); empty: the
        /// app's words for any scale (very bad … very good).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        labels: Vec<Localized>,
        /// Children of this age band and older answer with the words in
        /// place of faces (`None`: from 13, as child research advises).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words_from: Option<crate::response::AgeBand>,
        /// Offers "I don't know / I'd rather not say" beside the faces
        /// (answered as face 0, counted apart from the scale).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        dont_know: bool,
    },
    /// A number on a scale from `start` to `end` in steps of `step`
    /// (XLSForm's `range`: 0–10 is the usual, decimal steps too), shown as
    /// one button per point when there are few, else as a slider; answered
    /// as a number.
    Range {
        /// The first point of the scale.
        start: f64,
        /// The last point (beyond `start`, or before it for a scale that
        /// counts down).
        end: f64,
        /// The distance between two points, more than 0.
        step: f64,
        /// Offers "I don't know / I'd rather not say" beside the scale
        /// (answered [`AnswerValue::DontKnow`](crate::AnswerValue::DontKnow),
        /// counted apart from the numbers), as every range imported from
        /// XLSForm does.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        dont_know: bool,
    },
    /// A rating from 1 to `points`, shown as numbered stars.
    Rating {
        /// Highest rating, 3 to 10.
        points: u8,
        /// Offers "I don't know / I'd rather not say" beside the points
        /// (answered as rating 0, counted apart from the scale), as every
        /// rating imported from XLSForm does.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        dont_know: bool,
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
    /// The choice's other columns that a `choice_filter` reads (XLSForm's
    /// extra columns on the choices sheet), by lower-cased column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, String>,
}

impl Choice {
    /// A choice with no extra columns.
    pub fn new(value: impl Into<String>, label: Localized) -> Self {
        Self {
            value: value.into(),
            label,
            columns: BTreeMap::new(),
        }
    }

    /// What a `choice_filter` reads as the column `name` of this choice:
    /// the extra column of that name, else the value for `name` and the
    /// label (Vietnamese, else English) for `label`; else empty.
    pub fn column(&self, name: &str) -> Option<&str> {
        if let Some(text) = self.columns.get(name) {
            return Some(text);
        }
        match name {
            "name" => Some(&self.value),
            "label" if !self.label.vi.is_empty() => Some(&self.label.vi),
            "label" => Some(&self.label.en),
            _ => None,
        }
    }
}

impl Default for Question {
    /// A note without a name or words, nothing required, no expression:
    /// what a question built field by field starts from
    /// (`Question { id, label, kind, ..Question::default() }`).
    fn default() -> Self {
        Question {
            id: String::new(),
            label: Localized::default(),
            hint: None,
            required: false,
            required_if: None,
            appearance: Vec::new(),
            randomize: None,
            guidance: None,
            read_only: false,
            read_only_if: None,
            calculation: None,
            trigger: Vec::new(),
            kind: QuestionKind::Note,
            relevant: None,
            constraint: None,
            constraint_message: None,
            disclosure: Vec::new(),
            default: None,
            required_message: None,
            choice_filter: None,
        }
    }
}

impl Question {
    /// The question with only the options at `offered` (indexes into its
    /// choices, as the form engine gives them for a `choice_filter`).
    pub fn with_offered(&self, offered: &[usize]) -> Question {
        let mut question = self.clone();
        if let QuestionKind::SingleChoice { choices }
        | QuestionKind::MultipleChoice { choices }
        | QuestionKind::Ranking { choices } = &mut question.kind
        {
            let all = std::mem::take(choices);
            *choices = all
                .into_iter()
                .enumerate()
                .filter(|(index, _)| offered.contains(index))
                .map(|(_, choice)| choice)
                .collect();
        }
        question
    }

    /// The question with its options in `order` (values); options not in
    /// it keep their place after those that are.
    pub fn with_order(&self, order: &[String]) -> Question {
        let mut question = self.clone();
        if let QuestionKind::SingleChoice { choices }
        | QuestionKind::MultipleChoice { choices }
        | QuestionKind::Ranking { choices } = &mut question.kind
        {
            crate::sorting::sort_by_key(choices, |choice| {
                order
                    .iter()
                    .position(|value| *value == choice.value)
                    .unwrap_or(usize::MAX)
            });
        }
        question
    }

    /// The label of the choice `value`, if the question has such a choice.
    pub fn choice_label(&self, value: &str, language: Language) -> Option<&str> {
        self.kind
            .choices()
            .iter()
            .find(|choice| choice.value == value)
            .map(|choice| choice.label.get(language))
    }
}

/// Most points a range scale may have: more is no scale a child answers.
pub const MAX_RANGE_POINTS: usize = 1_001;

/// The points of a range scale, in order from `start`; `None` when the
/// scale has no points (a step of 0 or less, not finite numbers) or more
/// than [`MAX_RANGE_POINTS`].
pub fn range_points(start: f64, end: f64, step: f64) -> Option<Vec<f64>> {
    if !(start.is_finite() && end.is_finite() && step.is_finite() && step > 0.0) {
        return None;
    }
    let span = (end - start).abs();
    let count = (span / step + 1e-9).floor() + 1.0;
    if count > MAX_RANGE_POINTS as f64 {
        return None;
    }
    let direction = if end >= start { 1.0 } else { -1.0 };
    // Rounded to the step's decimals so 0.1 steps read 0.3, not 0.30000000000000004.
    let decimals = decimals_of(step).max(decimals_of(start));
    let scale = 10_f64.powi(decimals);
    Some(
        (0..count as usize)
            .map(|index| ((start + direction * step * index as f64) * scale).round() / scale)
            .collect(),
    )
}

/// How many decimals a number written in a form has (at most 6).
fn decimals_of(number: f64) -> i32 {
    (0..6)
        .find(|decimals| {
            let scaled = number * 10_f64.powi(*decimals);
            (scaled - scaled.round()).abs() < 1e-9
        })
        .unwrap_or(6)
}

/// How a question's options are shuffled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Randomize {
    /// An expression giving the number the order follows (XLSForm's
    /// `seed`, such as `${household_id}`): the same number, the same order.
    /// `None`: a number drawn when the question is first shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
}

/// The options' values in the order a `seed` gives (a Fisher–Yates shuffle
/// driven by SplitMix64): the same seed always gives the same order.
pub fn shuffled(choices: &[Choice], seed: u64) -> Vec<String> {
    let mut state = seed;
    let mut next = move || {
        let drawn = splitmix64(state);
        state = state.wrapping_add(SPLITMIX_STEP);
        drawn
    };
    let mut values: Vec<String> = choices.iter().map(|choice| choice.value.clone()).collect();
    for last in (1..values.len()).rev() {
        let pick = (next() % (last as u64 + 1)) as usize;
        values.swap(last, pick);
    }
    values
}

/// SplitMix64's increment.
const SPLITMIX_STEP: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's step: a well-spread 64-bit number from another (the
/// shuffle of options, and each question's `uuid()`).
pub(crate) fn splitmix64(value: u64) -> u64 {
    let mut mixed = value.wrapping_add(SPLITMIX_STEP);
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^ (mixed >> 31)
}

/// Whether `order` lists each of the choices' values exactly once.
pub fn is_order_of(order: &[String], choices: &[Choice]) -> bool {
    let mut wanted: Vec<&str> = choices.iter().map(|choice| choice.value.as_str()).collect();
    // Equal values cannot be told apart, so the one shared stable sort
    // gives what an unstable sort would.
    crate::sorting::sort(&mut wanted);
    wanted.dedup();
    let mut given: Vec<&str> = order.iter().map(String::as_str).collect();
    crate::sorting::sort(&mut given);
    given == wanted
}

/// The answer of an [`QuestionKind::Acknowledge`] question, as ODK stores it.
pub const ACKNOWLEDGED: &str = "OK";

/// Whether `text` is a time of day as a `time` question stores it: `HH:MM`
/// or `HH:MM:SS`.
pub fn is_time(text: &str) -> bool {
    ["%H:%M", "%H:%M:%S"]
        .iter()
        .any(|format| chrono::NaiveTime::parse_from_str(text, format).is_ok())
}

/// Whether `text` is a date and time as a `dateTime` question stores it:
/// `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`.
pub fn is_date_time(text: &str) -> bool {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .any(|format| chrono::NaiveDateTime::parse_from_str(text, format).is_ok())
}

/// The age band from which a face scale is answered with words when the
/// survey does not say: 13–15 (children from about 12 answer words and
/// numbers as well as adults, and find faces childish).
pub const WORDS_FROM: crate::response::AgeBand = crate::response::AgeBand::From13To15;

/// Whether a child of `age_band` answers a face scale with words rather
/// than faces, the scale starting words at `words_from` (see
/// [`QuestionKind::Smiley`]); a child whose age band is not known yet sees
/// faces.
pub fn answers_in_words(
    words_from: Option<crate::response::AgeBand>,
    age_band: Option<crate::response::AgeBand>,
) -> bool {
    use crate::response::AgeBand;
    let rank = |band: AgeBand| AgeBand::ALL.iter().position(|known| *known == band);
    match age_band {
        Some(age_band) => rank(age_band) >= rank(words_from.unwrap_or(WORDS_FROM)),
        None => false,
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

/// The survey's words for face `face` (from 1) of a scale of `points`
/// faces, when it gives one per face.
pub fn face_label(labels: &[Localized], face: u8, points: u8) -> Option<&Localized> {
    (labels.len() == usize::from(points))
        .then(|| labels.get(usize::from(face).checked_sub(1)?))
        .flatten()
}

#[cfg(test)]
mod face_scale_tests {
    use super::*;

    #[test]
    fn older_children_answer_a_face_scale_in_words() {
        use AgeBand::*;
        assert!(!answers_in_words(None, Some(From10To12)));
        assert!(answers_in_words(None, Some(From13To15)));
        assert!(answers_in_words(Some(From10To12), Some(From10To12)));
        assert!(!answers_in_words(Some(From10To12), Some(From7To9)));
        // Before the age band is chosen: faces.
        assert!(!answers_in_words(Some(Under7), None));
    }

    #[test]
    fn a_face_scale_of_before_reads_and_its_words_are_one_per_face() {
        let old: QuestionKind =
            serde_json::from_str(r#"{"type":"smiley","points":5}"#).expect("an old scale");
        assert_eq!(
            old,
            QuestionKind::Smiley {
                points: 5,
                labels: Vec::new(),
                words_from: None,
                dont_know: false,
            }
        );
        let labels = vec![
            Localized::new("Không an toàn", "Unsafe"),
            Localized::new("Bình thường", "Neither"),
            Localized::new("An toàn", "Safe"),
        ];
        assert_eq!(
            face_label(&labels, 1, 3).map(|label| label.en.as_str()),
            Some("Unsafe")
        );
        assert_eq!(
            face_label(&labels, 3, 3).map(|label| label.en.as_str()),
            Some("Safe")
        );
        // Words that do not match the faces are not used.
        assert_eq!(face_label(&labels, 1, 5), None);
        assert_eq!(face_label(&labels, 0, 3), None);
    }
}
