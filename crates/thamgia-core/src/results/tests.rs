//! Results against a hand-computed fixture: two versions of a survey, five
//! counted responses (and a withdrawn one, a corrected one, a draft), each
//! kind of question, relevance, filters and cross-tables.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::response::{AgeBand, AnswerValue, Answers, Participant, ResponseStatus, Sex};
use crate::survey::{Choice, Item, Layout, Question, QuestionKind};

mod fixture_questions;

fn question(id: &str, kind: QuestionKind) -> Item {
    Item::Question(Question {
        id: id.to_owned(),
        label: Localized::new(format!("{id} (vi)"), format!("{id} (en)")),
        hint: None,
        required: false,
        kind,
        relevant: (id == "why").then(|| "${safe} = 'never'".to_owned()),
        constraint: None,
        constraint_message: None,
    })
}

fn choices(values: &[&str]) -> Vec<Choice> {
    values
        .iter()
        .map(|value| Choice {
            value: (*value).to_owned(),
            label: Localized::new(format!("{value} (vi)"), *value),
        })
        .collect()
}

/// Version 1, and version 2 which adds the option "unsure" to `safe` and
/// turns `changed` from a number into a text.
fn definitions() -> Vec<SurveyDefinition> {
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
            items: vec![
                question("intro", QuestionKind::Note),
                question("safe", QuestionKind::SingleChoice { choices: safe }),
                question("likes_school", QuestionKind::YesNo),
                question("mood", QuestionKind::Smiley { points: 5 }),
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

/// The cells of a table, its row totals, its column totals and its total.
fn totals(table: &CrossTable) -> (Vec<Vec<u64>>, Vec<u64>, Vec<u64>, u64) {
    (
        table.cells.clone(),
        table.row_totals.clone(),
        table.column_totals.clone(),
        table.total,
    )
}

fn keys(categories: &[Category]) -> Vec<&str> {
    categories
        .iter()
        .map(|category| category.key.as_str())
        .collect()
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
fn filters_combine() {
    let ba_dinh = ResultsFilter {
        wards: vec!["00004".to_owned()],
        ..ResultsFilter::default()
    };
    assert_eq!(results(&ba_dinh).respondents, 3, "responses 1, 2 and 4");
    let ba_dinh_girls = ResultsFilter {
        sexes: vec![Sex::Female],
        ..ba_dinh.clone()
    };
    assert_eq!(results(&ba_dinh_girls).respondents, 2, "responses 1 and 4");
    let early_may = ResultsFilter {
        from: Some(at(2)),
        until: Some(at(4)),
        ..ResultsFilter::default()
    };
    assert_eq!(results(&early_may).respondents, 2, "responses 2 and 3");
    let young_or_teen = ResultsFilter {
        age_bands: vec![AgeBand::From7To9, AgeBand::From13To15],
        ..ResultsFilter::default()
    };
    assert_eq!(
        results(&young_or_teen).respondents,
        3,
        "responses 1, 3 and 7"
    );
    let disabled = ResultsFilter {
        disability: vec![crate::response::Disclosure::Yes],
        ..ResultsFilter::default()
    };
    assert_eq!(results(&disabled).respondents, 0, "nobody said");
}

#[test]
fn children_are_counted_by_sex_and_age_band_with_totals() {
    let table = participants_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        Dimension::Sex,
        Some(Dimension::AgeBand),
    );
    assert_eq!(
        keys(&table.rows),
        vec!["female", "male", "not_stated", "unknown"]
    );
    assert_eq!(
        keys(&table.columns),
        vec!["0-6", "7-9", "10-12", "13-15", "unknown"]
    );
    assert_eq!(
        totals(&table),
        (
            vec![
                vec![0, 1, 1, 1, 0],
                vec![0, 1, 1, 0, 0],
                vec![0; 5],
                vec![0; 5],
            ],
            vec![3, 2, 0, 0],
            vec![0, 2, 2, 1, 0],
            5
        )
    );
    let by_ward = participants_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        Dimension::Ward,
        None,
    );
    assert_eq!(keys(&by_ward.rows), vec!["00004", "00070"]);
    assert_eq!(by_ward.row_totals, vec![3, 2]);
}

#[test]
fn a_question_is_split_by_one_or_two_dimensions() {
    let by_sex = question_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        "safe",
        &[Dimension::Sex],
    )
    .expect("a single choice splits");
    assert_eq!(
        keys(&by_sex.rows),
        vec!["always", "sometimes", "never", "unsure"]
    );
    assert_eq!(by_sex.rows[0].label.vi, "always (vi)");
    assert_eq!(
        totals(&by_sex),
        (
            vec![
                vec![1, 0, 0, 0],
                vec![0, 1, 0, 0],
                vec![2, 1, 0, 0],
                vec![0, 0, 0, 0],
            ],
            vec![1, 1, 3, 0],
            vec![3, 2, 0, 0],
            5
        )
    );
    let by_ward_and_month = question_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        "likes_school",
        &[Dimension::Sex, Dimension::Disability],
    )
    .expect("yes/no splits");
    assert_eq!(by_ward_and_month.columns.len(), 4 * 4);
    assert_eq!(by_ward_and_month.columns[3].key, "female|unknown");
    assert_eq!(
        by_ward_and_month.row_totals,
        vec![3, 1],
        "the skip is not in the table"
    );
    assert_eq!(by_ward_and_month.column_totals[3], 2);
    assert_eq!(by_ward_and_month.total, 4);
    let first_ranked = question_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        "priorities",
        &[Dimension::AgeBand],
    )
    .expect("a ranking splits by its first place");
    assert_eq!(first_ranked.row_totals, vec![1, 1, 2]);
    for refused in ["worries", "hours", "why", "changed", "intro", "nothing"] {
        assert!(
            question_table(
                &definitions(),
                &responses(),
                &ResultsFilter::default(),
                refused,
                &[Dimension::Sex],
            )
            .is_none(),
            "{refused}"
        );
    }
}

#[test]
fn category_keys_are_the_serialised_names() {
    for dimension in [
        Dimension::AgeBand,
        Dimension::Sex,
        Dimension::Disability,
        Dimension::EthnicGroup,
        Dimension::SpecialCircumstances,
    ] {
        let categories = dimension.fixed_categories().expect("a fixed list");
        for category in &categories {
            assert!(!category.label.vi.is_empty() && !category.label.en.is_empty());
        }
    }
    let participant = Participant {
        age_band: Some(AgeBand::From10To12),
        sex: Some(Sex::NotStated),
        ethnic_group: Some(crate::response::EthnicGroup::Hmong),
        disability: Some(crate::response::Disclosure::NotStated),
        special_circumstances: vec![crate::response::SpecialCircumstance::AffectedByHiv],
    };
    let json = serde_json::to_value(&participant).expect("serialises");
    let mut response = responses().remove(0);
    response.participant = participant;
    let key = |dimension: Dimension| dimension.category(&response).key;
    assert_eq!(json["age_band"], key(Dimension::AgeBand));
    assert_eq!(json["sex"], key(Dimension::Sex));
    assert_eq!(json["ethnic_group"], key(Dimension::EthnicGroup));
    assert_eq!(json["disability"], key(Dimension::Disability));
    assert_eq!(
        json["special_circumstances"][0],
        key(Dimension::SpecialCircumstances)
    );
    assert_eq!(key(Dimension::Month), "2026-05");
}
