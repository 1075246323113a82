//! Tests of the response checks: consent first, required answers and
//! constraints only where a question is asked, per repeat instance, answers
//! that fit their questions, and the survey version and age band.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::response::{AgeBand, Consent, ConsentMethod, ConsentRecord, Sex};
use crate::survey::{Choice, Group, Item, Layout};

fn question(id: &str, required: bool, kind: QuestionKind) -> Question {
    Question {
        id: id.to_owned(),
        label: Localized::new(format!("{id} (vi)"), format!("{id} (en)")),
        required,
        kind,
        ..Question::default()
    }
}

fn choices(values: &[&str]) -> Vec<Choice> {
    values
        .iter()
        .map(|value| Choice::new(*value, Localized::new(*value, *value)))
        .collect()
}

fn survey() -> SurveyDefinition {
    let mut other = question("other", true, QuestionKind::ShortText { max_length: 50 });
    other.relevant = Some("selected(${where}, 'other')".to_owned());
    let mut days = question(
        "days",
        true,
        QuestionKind::Number {
            min: None,
            max: None,
            integer: true,
        },
    );
    days.constraint = Some(". >= 1 and . <= 7".to_owned());
    days.constraint_message = Some(Localized::new("Từ 1 đến 7 ngày.", "From 1 to 7 days."));
    SurveyDefinition {
        id: "play".to_owned(),
        version: 2,
        title: Localized::new("Vui chơi", "Play"),
        description: Localized::default(),
        age_bands: vec![AgeBand::From7To9, AgeBand::From10To12],
        layout: Layout::OneQuestionPerScreen,
        form_version: None,
        languages: Vec::new(),
        instance_name: None,
        items: vec![
            Item::Question(question(
                "where",
                true,
                QuestionKind::MultipleChoice {
                    choices: choices(&["yard", "park", "other"]),
                },
            )),
            Item::Question(other),
            Item::Question(question(
                "hours",
                false,
                QuestionKind::Number {
                    min: Some(0.0),
                    max: Some(24.0),
                    integer: true,
                },
            )),
            Item::Question(question(
                "feel",
                false,
                QuestionKind::Smiley {
                    points: 5,
                    labels: Vec::new(),
                    words_from: None,
                    dont_know: false,
                },
            )),
            Item::Question(question(
                "say",
                false,
                QuestionKind::ShortText { max_length: 5 },
            )),
            Item::Repeat(Group {
                id: "activity".to_owned(),
                label: Localized::new("Hoạt động", "Activity"),
                relevant: None,
                repeat_count: None,
                field_list: false,
                items: vec![
                    Item::Question(question(
                        "name",
                        true,
                        QuestionKind::ShortText { max_length: 50 },
                    )),
                    Item::Question(days),
                ],
            }),
        ],
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid date")
}

fn response() -> Response {
    let now = Utc
        .timestamp_opt(1_700_000_000, 0)
        .single()
        .expect("valid time");
    Response::new_draft(Uuid::from_u128(7), "play", 2, "00004", now)
}

fn record() -> Option<ConsentRecord> {
    Some(ConsentRecord {
        method: ConsentMethod::Verbal,
        given_at: Utc
            .timestamp_opt(1_700_000_000, 0)
            .single()
            .expect("valid time"),
    })
}

fn consented() -> Response {
    let mut response = response();
    response.participant.age_band = Some(AgeBand::From7To9);
    response.participant.sex = Some(Sex::Female);
    response.consent = Consent {
        child_assent: record(),
        guardian_consent: record(),
    };
    response
}

fn check(response: &Response, mode: ValidationMode, expected: &[(Option<&str>, &[usize], &str)]) {
    let issues = validate_response(&survey(), response, mode, today());
    let got: Vec<(Option<&str>, &[usize], &str)> = issues
        .iter()
        .map(|issue| {
            (
                issue.question_id.as_deref(),
                issue.instance.as_slice(),
                issue.message.en.as_str(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    for issue in &issues {
        assert!(!issue.message.vi.is_empty(), "every message has Vietnamese");
    }
}

fn answer(response: &mut Response, name: &str, value: AnswerValue) {
    response.answers.insert(name.to_owned(), value);
}

#[test]
fn an_empty_draft_is_fine() {
    check(&response(), ValidationMode::Draft, &[]);
}

#[test]
fn no_answer_before_consent() {
    let mut draft = response();
    answer(
        &mut draft,
        "where",
        AnswerValue::Choices(vec!["yard".to_owned()]),
    );
    check(
        &draft,
        ValidationMode::Draft,
        &[(
            None,
            &[],
            "Choose the child's age band before asking any question.",
        )],
    );
    draft.participant.age_band = Some(AgeBand::From10To12);
    draft.consent.guardian_consent = record();
    check(
        &draft,
        ValidationMode::Draft,
        &[(None, &[], "The child's assent and a parent's or guardian's consent are needed before any question.")],
    );
    draft.consent.child_assent = record();
    check(&draft, ValidationMode::Draft, &[]);
}

#[test]
fn under_seven_needs_only_the_guardian() {
    let guardian_only = Consent {
        child_assent: None,
        guardian_consent: record(),
    };
    assert!(guardian_only.is_sufficient_for(AgeBand::Under7));
    assert!(!guardian_only.is_sufficient_for(AgeBand::From7To9));
    let child_only = Consent {
        child_assent: record(),
        guardian_consent: None,
    };
    assert!(!child_only.is_sufficient_for(AgeBand::Under7));
}

#[test]
fn completing_needs_required_answers_and_sex() {
    let mut complete = consented();
    complete.participant.sex = None;
    check(
        &complete,
        ValidationMode::Complete,
        &[
            (
                None,
                &[],
                "Choose the child's sex (\"Prefer not to say\" is an option).",
            ),
            (Some("where"), &[], "This question needs an answer."),
        ],
    );
    complete.participant.sex = Some(Sex::NotStated);
    answer(
        &mut complete,
        "where",
        AnswerValue::Choices(vec!["yard".to_owned()]),
    );
    check(&complete, ValidationMode::Complete, &[]);
}

#[test]
fn relevance_decides_what_is_required_and_what_may_be_answered() {
    let mut complete = consented();
    answer(
        &mut complete,
        "where",
        AnswerValue::Choices(vec!["park".to_owned(), "other".to_owned()]),
    );
    check(
        &complete,
        ValidationMode::Complete,
        &[(Some("other"), &[], "This question needs an answer.")],
    );
    answer(
        &mut complete,
        "other",
        AnswerValue::Text("Sân đình".to_owned()),
    );
    check(&complete, ValidationMode::Complete, &[]);
    // "other" no longer chosen: its answer must go before completing.
    answer(
        &mut complete,
        "where",
        AnswerValue::Choices(vec!["park".to_owned()]),
    );
    check(&complete, ValidationMode::Draft, &[]);
    check(
        &complete,
        ValidationMode::Complete,
        &[(
            Some("other"),
            &[],
            "This question is not asked, so it cannot have an answer.",
        )],
    );
}

#[test]
fn repeats_are_checked_per_instance_with_constraint_messages() {
    let mut complete = consented();
    answer(
        &mut complete,
        "where",
        AnswerValue::Choices(vec!["yard".to_owned()]),
    );
    let first = crate::form::answers([
        ("name", AnswerValue::Text("Đá bóng".to_owned())),
        ("days", AnswerValue::Number(3.0)),
    ]);
    let second = crate::form::answers([("days", AnswerValue::Number(9.0))]);
    answer(
        &mut complete,
        "activity",
        AnswerValue::Repeat(vec![first, second]),
    );
    check(
        &complete,
        ValidationMode::Complete,
        &[
            (Some("name"), &[1], "This question needs an answer."),
            (Some("days"), &[1], "From 1 to 7 days."),
        ],
    );
}

#[test]
fn completed_status_is_always_checked_strictly() {
    let mut completed = consented();
    completed.status = ResponseStatus::Completed;
    check(
        &completed,
        ValidationMode::Draft,
        &[(Some("where"), &[], "This question needs an answer.")],
    );
}

#[test]
fn answers_must_fit_their_questions() {
    let mut draft = consented();
    answer(&mut draft, "hours", AnswerValue::Number(25.0));
    answer(&mut draft, "feel", AnswerValue::Smiley(6));
    answer(&mut draft, "say", AnswerValue::Text("quá dài".to_owned()));
    answer(
        &mut draft,
        "where",
        AnswerValue::Choices(vec!["moon".to_owned()]),
    );
    answer(&mut draft, "ghost", AnswerValue::YesNo(true));
    check(
        &draft,
        ValidationMode::Draft,
        &[
            (
                Some("ghost"),
                &[],
                "Question \"ghost\" is not in the survey.",
            ),
            (Some("where"), &[], "That option is not in the list."),
            (Some("hours"), &[], "Enter a number from 0 to 24."),
            (Some("feel"), &[], "Choose a face from 1 to 5."),
            (Some("say"), &[], "At most 5 characters (now 7)."),
        ],
    );
    draft.answers.clear();
    answer(&mut draft, "hours", AnswerValue::Number(1.5));
    answer(&mut draft, "feel", AnswerValue::YesNo(true));
    check(
        &draft,
        ValidationMode::Draft,
        &[
            (Some("hours"), &[], "Enter a whole number."),
            (
                Some("feel"),
                &[],
                "The answer is not of the kind this question takes.",
            ),
        ],
    );
}

#[test]
fn a_response_for_another_version_is_refused() {
    let mut other = consented();
    other.survey_version = 1;
    check(
        &other,
        ValidationMode::Draft,
        &[(
            None,
            &[],
            "This response does not belong to this survey version.",
        )],
    );
}

#[test]
fn the_age_band_must_be_one_the_survey_is_for() {
    let mut draft = consented();
    draft.participant.age_band = Some(AgeBand::From13To15);
    check(
        &draft,
        ValidationMode::Draft,
        &[(
            None,
            &[],
            "This survey is not meant for the chosen age band.",
        )],
    );
}

#[test]
fn a_withdrawn_response_keeps_no_answers() {
    let mut withdrawn = consented();
    withdrawn.status = ResponseStatus::Withdrawn;
    check(&withdrawn, ValidationMode::Complete, &[]);
    answer(&mut withdrawn, "say", AnswerValue::Text("a".to_owned()));
    check(
        &withdrawn,
        ValidationMode::Complete,
        &[(
            None,
            &[],
            "A response whose consent was withdrawn cannot keep answers.",
        )],
    );
}

#[test]
fn responses_serialise_canonically() {
    let mut a = consented();
    answer(&mut a, "say", AnswerValue::Text("a".to_owned()));
    answer(&mut a, "hours", AnswerValue::Number(3.0));
    let mut b = consented();
    answer(&mut b, "hours", AnswerValue::Number(3.0));
    answer(&mut b, "say", AnswerValue::Text("a".to_owned()));
    let a_json = serde_json::to_string(&a).expect("serialises");
    assert_eq!(a_json, serde_json::to_string(&b).expect("serialises"));
    let back: Response = serde_json::from_str(&a_json).expect("parses");
    assert_eq!(back, a);
}

fn face_scale(dont_know: bool) -> Question {
    Question {
        id: "safe".to_owned(),
        label: Localized::new("An toàn?", "Safe?"),
        required: true,
        kind: QuestionKind::Smiley {
            points: 5,
            labels: Vec::new(),
            words_from: None,
            dont_know,
        },
        ..Question::default()
    }
}

#[test]
fn i_dont_know_is_an_answer_only_where_the_scale_offers_it() {
    assert!(check_answer(&face_scale(true), &AnswerValue::Smiley(0)).is_none());
    assert!(check_answer(&face_scale(false), &AnswerValue::Smiley(0)).is_some());
    assert!(check_answer(&face_scale(false), &AnswerValue::Smiley(1)).is_none());
    assert!(check_answer(&face_scale(true), &AnswerValue::Smiley(6)).is_some());
    // In an expression it is no point of the scale.
    assert_eq!(
        crate::form::answer_to_value(&AnswerValue::Smiley(0)),
        crate::expression::Value::Empty
    );
}

fn rating(dont_know: bool) -> Question {
    Question {
        id: "safe".to_owned(),
        label: Localized::new("An toàn?", "Safe?"),
        required: true,
        kind: QuestionKind::Rating {
            points: 5,
            dont_know,
        },
        ..Question::default()
    }
}

#[test]
fn a_rating_takes_i_dont_know_only_where_it_offers_it() {
    assert!(check_answer(&rating(true), &AnswerValue::Rating(0)).is_none());
    assert!(check_answer(&rating(false), &AnswerValue::Rating(0)).is_some());
    assert!(check_answer(&rating(false), &AnswerValue::Rating(5)).is_none());
    assert!(check_answer(&rating(true), &AnswerValue::Rating(6)).is_some());
    assert_eq!(
        crate::form::answer_to_value(&AnswerValue::Rating(0)),
        crate::expression::Value::Empty
    );
    assert_eq!(
        crate::form::answer_to_value(&AnswerValue::Rating(4)),
        crate::expression::Value::Number(4.0)
    );
}

#[test]
fn a_range_takes_i_dont_know_only_where_it_offers_it() {
    let range = |dont_know: bool| Question {
        id: "safe".to_owned(),
        label: Localized::new("An toàn?", "Safe?"),
        required: true,
        kind: QuestionKind::Range {
            start: 0.0,
            end: 10.0,
            step: 1.0,
            dont_know,
        },
        ..Question::default()
    };
    assert!(check_answer(&range(true), &AnswerValue::DontKnow).is_none());
    assert!(check_answer(&range(false), &AnswerValue::DontKnow).is_some());
    assert!(check_answer(&range(true), &AnswerValue::Number(0.0)).is_none());
    // Nowhere else is it an answer.
    assert!(check_answer(&rating(true), &AnswerValue::DontKnow).is_some());
    assert_eq!(
        crate::form::answer_to_value(&AnswerValue::DontKnow),
        crate::expression::Value::Empty
    );
    // It reads back as it was written.
    let written = serde_json::to_string(&AnswerValue::DontKnow).expect("serialises");
    assert_eq!(written, r#"{"type":"dont_know"}"#);
    let back: AnswerValue = serde_json::from_str(&written).expect("reads");
    assert_eq!(back, AnswerValue::DontKnow);
}

#[test]
fn a_required_question_left_unanswered_says_what_the_form_says() {
    let mut survey = survey();
    let mut asked = false;
    for item in &mut survey.items {
        if let crate::survey::Item::Question(question) = item {
            if question.id == "where" {
                question.required_message = Some(Localized::new(
                    "Hãy chọn ít nhất một nơi em chơi.",
                    "Choose at least one place where you play.",
                ));
                asked = true;
            }
        }
    }
    assert!(asked, "the test survey asks where");
    let issues = validate_response(&survey, &consented(), ValidationMode::Complete, today());
    let messages: Vec<&str> = issues
        .iter()
        .filter(|issue| issue.question_id.as_deref() == Some("where"))
        .map(|issue| issue.message.vi.as_str())
        .collect();
    assert_eq!(messages, ["Hãy chọn ít nhất một nơi em chơi."]);
}

#[test]
fn an_option_a_cascading_list_no_longer_offers_is_refused() {
    let mut survey = survey();
    // Where the child plays decides which days are offered… as a list.
    let mut day = question(
        "weekday",
        false,
        QuestionKind::SingleChoice {
            choices: choices(&["sat", "mon"]),
        },
    );
    day.choice_filter = Some("selected(${where}, 'park') or name = 'sat'".to_owned());
    survey.items.push(Item::Question(day));
    let mut response = consented();
    answer(
        &mut response,
        "where",
        AnswerValue::Choices(vec!["yard".to_owned()]),
    );
    answer(
        &mut response,
        "weekday",
        AnswerValue::Choice("mon".to_owned()),
    );
    let issues = validate_response(&survey, &response, ValidationMode::Draft, today());
    let refused: Vec<&str> = issues
        .iter()
        .filter(|issue| issue.question_id.as_deref() == Some("weekday"))
        .map(|issue| issue.message.en.as_str())
        .collect();
    assert_eq!(
        refused,
        ["This option no longer fits an earlier answer. Choose again."]
    );

    answer(
        &mut response,
        "where",
        AnswerValue::Choices(vec!["park".to_owned()]),
    );
    let issues = validate_response(&survey, &response, ValidationMode::Draft, today());
    assert!(issues
        .iter()
        .all(|issue| issue.question_id.as_deref() != Some("weekday")));
}

#[test]
fn a_question_required_by_an_expression_is_asked_for_only_while_it_holds() {
    let mut survey = survey();
    let mut why = question("why", false, QuestionKind::ShortText { max_length: 50 });
    why.required_if = Some("${hours} > 10".to_owned());
    survey.items.push(Item::Question(why));
    let missing = |hours: f64| {
        let mut response = consented();
        answer(
            &mut response,
            "where",
            AnswerValue::Choices(vec!["yard".to_owned()]),
        );
        answer(&mut response, "hours", AnswerValue::Number(hours));
        validate_response(&survey, &response, ValidationMode::Complete, today())
            .iter()
            .any(|issue| issue.question_id.as_deref() == Some("why"))
    };
    assert!(missing(12.0));
    assert!(!missing(3.0));
}

#[test]
fn a_completed_response_has_the_instances_its_repeat_count_asks_for() {
    let mut survey = survey();
    survey.items.push(Item::Question(question(
        "siblings",
        false,
        QuestionKind::Number {
            min: None,
            max: None,
            integer: true,
        },
    )));
    survey.items.push(Item::Repeat(Group {
        id: "sibling".to_owned(),
        label: Localized::new("Anh chị em", "Sibling"),
        relevant: None,
        repeat_count: Some("${siblings}".to_owned()),
        field_list: false,
        items: vec![Item::Question(question(
            "sibling_age",
            false,
            QuestionKind::Number {
                min: None,
                max: None,
                integer: true,
            },
        ))],
    }));
    let issues_with = |instances: usize| {
        let mut response = consented();
        answer(
            &mut response,
            "where",
            AnswerValue::Choices(vec!["yard".to_owned()]),
        );
        answer(&mut response, "siblings", AnswerValue::Number(2.0));
        answer(
            &mut response,
            "sibling",
            AnswerValue::Repeat(vec![crate::response::Answers::new(); instances]),
        );
        validate_response(&survey, &response, ValidationMode::Complete, today())
            .into_iter()
            .filter(|issue| issue.question_id.as_deref() == Some("sibling"))
            .map(|issue| issue.message.en)
            .collect::<Vec<_>>()
    };
    assert!(issues_with(2).is_empty());
    assert_eq!(
        issues_with(3),
        ["An earlier answer says there are 2 instances; there are 3. Remove the extra ones."]
    );
    assert_eq!(issues_with(1).len(), 1);
}

#[test]
fn a_shuffled_order_is_kept_and_must_be_the_questions_own() {
    let mut survey = survey();
    let mut food = question(
        "food",
        false,
        QuestionKind::SingleChoice {
            choices: choices(&["rice", "noodles", "bread", "fruit", "fish"]),
        },
    );
    food.randomize = Some(crate::survey::Randomize {
        seed: Some("${hours}".to_owned()),
    });
    survey.items.push(Item::Question(food.clone()));

    // The same seed, the same order; every option once; another seed,
    // another order (for these five options and these seeds).
    let first = crate::survey::shuffled(food.kind.choices(), 7);
    assert_eq!(first, crate::survey::shuffled(food.kind.choices(), 7));
    assert!(crate::survey::is_order_of(&first, food.kind.choices()));
    assert_ne!(first, crate::survey::shuffled(food.kind.choices(), 8));
    let shown = food.with_order(&first);
    let values: Vec<&str> = shown
        .kind
        .choices()
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(values, first.iter().map(String::as_str).collect::<Vec<_>>());

    // The seed is an answer: the engine gives the same number for it.
    let engine = crate::form::FormEngine::compile(&survey).expect("compiles");
    let mut answers = crate::response::Answers::new();
    answers.insert("hours".to_owned(), AnswerValue::Number(3.0));
    let state = engine.evaluate_all(&answers, today());
    let key = crate::form::NodeKey {
        node: engine.node("food").expect("food"),
        instance: Vec::new(),
    };
    assert_eq!(
        engine.seed(&state, &answers, &key, today()),
        Some(3.0_f64.to_bits())
    );

    // Stored with the response; an order that is not the question's is refused.
    let mut response = consented();
    response
        .shown_orders
        .insert(crate::response::order_key("food", &[]), first);
    let issues = validate_response(&survey, &response, ValidationMode::Draft, today());
    assert!(issues
        .iter()
        .all(|issue| issue.question_id.as_deref() != Some("food")));
    response.shown_orders.insert(
        "food".to_owned(),
        vec!["rice".to_owned(), "rice".to_owned()],
    );
    response
        .shown_orders
        .insert("where".to_owned(), vec!["yard".to_owned()]);
    let refused = validate_response(&survey, &response, ValidationMode::Draft, today())
        .iter()
        .filter(|issue| issue.message.en.contains("were shown in"))
        .count();
    assert_eq!(refused, 2, "a repeated option, and a question not shuffled");
    assert_eq!(crate::response::order_key("age", &[1, 0]), "age@1.0");
}
