//! Results against a hand-computed fixture: two versions of a survey, five
//! counted responses (and a withdrawn one, a corrected one, a draft), each
//! kind of question, relevance, filters and cross-tables.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::response::{AgeBand, AnswerValue, Answers, Participant, ResponseStatus, Sex};
use crate::survey::{Choice, Item, Layout, Question, QuestionKind};

mod fixture_questions;
mod published;
mod tables;

fn question(id: &str, kind: QuestionKind) -> Item {
    Item::Question(Question {
        id: id.to_owned(),
        label: Localized::new(format!("{id} (vi)"), format!("{id} (en)")),
        kind,
        relevant: (id == "why").then(|| "${safe} = 'never'".to_owned()),
        ..Question::default()
    })
}

fn choices(values: &[&str]) -> Vec<Choice> {
    values
        .iter()
        .map(|value| Choice::new(*value, Localized::new(format!("{value} (vi)"), *value)))
        .collect()
}

/// Version 1, and version 2 which adds the option "unsure" to `safe` and
/// turns `changed` from a number into a text.
pub(super) fn definitions() -> Vec<SurveyDefinition> {
    let version = |version: u32| {
        let safe = if version == 1 {
            choices(&["always", "sometimes", "never"])
        } else {
            choices(&["always", "sometimes", "never", "unsure"])
        };
        let changed = if version == 1 {
            QuestionKind::Number {
                min: None,
                max: None,
                integer: true,
            }
        } else {
            QuestionKind::ShortText { max_length: 50 }
        };
        SurveyDefinition {
            id: "safety".to_owned(),
            version,
            title: Localized::new("An toàn", "Safety"),
            description: Localized::default(),
            age_bands: Vec::new(),
            layout: Layout::OneQuestionPerScreen,
            form_version: None,
            languages: Vec::new(),
            instance_name: None,
            items: vec![
                question("intro", QuestionKind::Note),
                question("safe", QuestionKind::SingleChoice { choices: safe }),
                question("likes_school", QuestionKind::YesNo),
                question(
                    "mood",
                    QuestionKind::Smiley {
                        points: 5,
                        labels: Vec::new(),
                        words_from: None,
                        dont_know: false,
                    },
                ),
                question(
                    "worries",
                    QuestionKind::MultipleChoice {
                        choices: choices(&["traffic", "bullying", "homework"]),
                    },
                ),
                question(
                    "priorities",
                    QuestionKind::Ranking {
                        choices: choices(&["parks", "schools", "safety"]),
                    },
                ),
                question(
                    "hours",
                    QuestionKind::Number {
                        min: Some(0.0),
                        max: Some(10.0),
                        integer: true,
                    },
                ),
                question("last_trip", QuestionKind::Date),
                question("why", QuestionKind::LongText { max_length: 500 }),
                question("changed", changed),
            ],
        }
    };
    vec![version(1), version(2)]
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, day, 3, 0, 0)
        .single()
        .expect("valid time")
}

fn date(month: u32, day: u32) -> AnswerValue {
    AnswerValue::Date(NaiveDate::from_ymd_opt(2026, month, day).expect("valid date"))
}

fn text(value: &str) -> AnswerValue {
    AnswerValue::Text(value.to_owned())
}

fn choice(value: &str) -> AnswerValue {
    AnswerValue::Choice(value.to_owned())
}

fn several(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

#[allow(clippy::too_many_arguments)]
fn response(
    id: u128,
    version: u32,
    ward: &str,
    day: u32,
    age_band: AgeBand,
    sex: Sex,
    answers: Vec<(&str, AnswerValue)>,
) -> Response {
    Response {
        id: Uuid::from_u128(id),
        survey_id: "safety".to_owned(),
        survey_version: version,
        ward_code: ward.to_owned(),
        participant: Participant {
            age_band: Some(age_band),
            sex: Some(sex),
            ..Participant::default()
        },
        consent: Default::default(),
        answers: answers
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect::<Answers>(),
        status: ResponseStatus::Completed,
        corrects: None,
        referral: None,
        shown_orders: std::collections::BTreeMap::new(),
        created_at: at(day),
        updated_at: at(day),
    }
}

/// Five counted responses (1, 2, 3, 4 and 7), a withdrawn one (5), one
/// corrected by 7 (6) and a draft (8).
fn responses() -> Vec<Response> {
    use AnswerValue::{Choices, Number, Ranking, Smiley, YesNo};
    let (ba_dinh, hoan_kiem) = ("00004", "00070");
    let mut withdrawn = response(5, 1, ba_dinh, 5, AgeBand::From7To9, Sex::Male, Vec::new());
    withdrawn.status = ResponseStatus::Withdrawn;
    let original = response(
        6,
        1,
        hoan_kiem,
        6,
        AgeBand::From13To15,
        Sex::Female,
        vec![("safe", choice("always")), ("mood", Smiley(5))],
    );
    let mut correction = response(
        7,
        1,
        hoan_kiem,
        7,
        AgeBand::From13To15,
        Sex::Female,
        vec![
            ("safe", choice("never")),
            ("likes_school", YesNo(true)),
            ("mood", Smiley(1)),
            ("worries", Choices(several(&["traffic"]))),
            (
                "priorities",
                Ranking(several(&["schools", "parks", "safety"])),
            ),
            ("hours", Number(0.0)),
            ("last_trip", date(4, 2)),
            ("why", text("Không có vỉa hè")),
            ("changed", Number(3.0)),
        ],
    );
    correction.corrects = Some(original.id);
    let mut draft = response(8, 2, ba_dinh, 8, AgeBand::From7To9, Sex::Male, Vec::new());
    draft.status = ResponseStatus::Draft;
    draft.answers.insert("safe".to_owned(), choice("always"));
    vec![
        response(
            1,
            1,
            ba_dinh,
            1,
            AgeBand::From7To9,
            Sex::Female,
            vec![
                ("safe", choice("always")),
                ("likes_school", YesNo(true)),
                ("mood", Smiley(5)),
                ("worries", Choices(several(&["traffic", "bullying"]))),
                (
                    "priorities",
                    Ranking(several(&["safety", "parks", "schools"])),
                ),
                ("hours", Number(2.0)),
                ("last_trip", date(3, 14)),
                ("changed", Number(3.0)),
            ],
        ),
        response(
            2,
            1,
            ba_dinh,
            2,
            AgeBand::From10To12,
            Sex::Male,
            vec![
                ("safe", choice("never")),
                ("likes_school", YesNo(false)),
                ("mood", Smiley(3)),
                ("worries", Choices(several(&["bullying"]))),
                (
                    "priorities",
                    Ranking(several(&["parks", "safety", "schools"])),
                ),
                ("hours", Number(4.0)),
                ("last_trip", date(3, 1)),
                ("why", text("Xe máy chạy nhanh quá")),
                ("changed", Number(5.0)),
            ],
        ),
        response(
            3,
            2,
            hoan_kiem,
            3,
            AgeBand::From7To9,
            Sex::Male,
            vec![
                ("safe", choice("sometimes")),
                ("likes_school", YesNo(true)),
                ("mood", Smiley(4)),
                ("worries", Choices(Vec::new())),
                (
                    "priorities",
                    Ranking(several(&["safety", "schools", "parks"])),
                ),
                ("hours", Number(7.0)),
                ("last_trip", date(4, 20)),
                ("changed", text("nhiều")),
            ],
        ),
        response(
            4,
            2,
            ba_dinh,
            4,
            AgeBand::From10To12,
            Sex::Female,
            vec![
                ("safe", choice("never")),
                ("mood", Smiley(5)),
                ("worries", Choices(several(&["homework", "traffic"]))),
                ("hours", Number(10.0)),
            ],
        ),
        withdrawn,
        original,
        correction,
        draft,
    ]
}

fn results(filter: &ResultsFilter) -> SurveyResults {
    survey_results(&definitions(), &responses(), filter)
}

#[test]
fn the_whole_survey_counts_five_children() {
    let results = results(&ResultsFilter::default());
    assert_eq!(results.survey_id, "safety");
    assert_eq!(results.versions, vec![1, 2]);
    assert_eq!(results.respondents, 5);
    assert_eq!(results.unknown_version, 0);
    assert!(results.not_summarised.is_empty());
    let names: Vec<(&str, Vec<u32>)> = results
        .questions
        .iter()
        .map(|question| (question.question_id.as_str(), question.versions.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("safe", vec![2, 1]),
            ("likes_school", vec![2, 1]),
            ("mood", vec![2, 1]),
            ("worries", vec![2, 1]),
            ("priorities", vec![2, 1]),
            ("hours", vec![2, 1]),
            ("last_trip", vec![2, 1]),
            ("why", vec![2, 1]),
            ("changed", vec![2]),
            ("changed", vec![1]),
        ],
        "a note gets no result; a question whose kind changed, one per version"
    );
}

#[test]
fn a_question_in_a_group_not_asked_is_not_asked_even_with_a_stale_answer() {
    let mut definitions = definitions();
    definitions.truncate(1);
    definitions[0].items.push(Item::Group(crate::survey::Group {
        id: "unsafe".to_owned(),
        label: Localized::default(),
        relevant: Some("${safe} = 'never'".to_owned()),
        repeat_count: None,
        field_list: false,
        items: vec![question(
            "where",
            QuestionKind::ShortText { max_length: 50 },
        )],
    }));
    let mut responses = responses();
    responses.retain(|response| response.survey_version == 1);
    // Response 1 ("always") carries an answer the group never asked for.
    responses[0]
        .answers
        .insert("where".to_owned(), text("ở cổng trường"));
    responses[1]
        .answers
        .insert("where".to_owned(), text("ngã tư"));
    let results = survey_results(&definitions, &responses, &ResultsFilter::default());
    let place = results
        .questions
        .iter()
        .find(|question| question.question_id == "where")
        .expect("a question inside a group is summarised");
    // Version 1 counts responses 1, 2 and 7: 2 answered, 7 ("never") skipped.
    assert_eq!((place.answered, place.skipped, place.not_asked), (1, 1, 1));
    let Distribution::FreeText { answers } = &place.distribution else {
        panic!("{:?}", place.distribution);
    };
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].text, "ngã tư");
}
