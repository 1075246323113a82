//! Tests of the form engine: compile-time refusals, relevance, repeats,
//! calculations, and the cost of an edit.

use chrono::NaiveDate;

use super::*;
use crate::survey::{Choice, Group, Item, Layout, Question, SurveyDefinition};

fn question(id: &str, kind: QuestionKind) -> Question {
    Question {
        id: id.to_owned(),
        label: Localized::new(id, id),
        hint: None,
        required: false,
        kind,
        relevant: None,
        constraint: None,
        constraint_message: None,
        disclosure: Vec::new(),
        default: None,
        required_message: None,
    }
}

fn text(id: &str) -> Question {
    question(id, QuestionKind::ShortText { max_length: 100 })
}

fn number(id: &str) -> Question {
    question(
        id,
        QuestionKind::Number {
            min: None,
            max: None,
            integer: false,
        },
    )
}

fn relevant(mut question: Question, expression: &str) -> Question {
    question.relevant = Some(expression.to_owned());
    question
}

fn survey(items: Vec<Item>) -> SurveyDefinition {
    SurveyDefinition {
        id: "t".to_owned(),
        version: 1,
        title: Localized::new("t", "t"),
        description: Localized::default(),
        age_bands: Vec::new(),
        layout: Layout::PagePerGroup,
        items,
    }
}

fn repeat(id: &str, items: Vec<Item>) -> Item {
    Item::Repeat(Group {
        id: id.to_owned(),
        label: Localized::new(id, id),
        relevant: None,
        items,
    })
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid date")
}

fn key(engine: &FormEngine, name: &str, instance: &[usize]) -> NodeKey {
    NodeKey {
        node: engine.node(name).expect("known name"),
        instance: instance.to_vec(),
    }
}

fn compile_errors(items: Vec<Item>) -> Vec<String> {
    match FormEngine::compile(&survey(items)) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|error| format!("{}: {}", error.item, error.message.en))
            .collect(),
    }
}

#[test]
fn bad_forms_are_refused_at_compile_time_with_every_reason() {
    let errors = compile_errors(vec![
        Item::Question(relevant(text("a"), "${missing} = 1")),
        Item::Question(relevant(text("b"), "${a} = = 1")),
        Item::Question(text("a")),
        Item::Question(relevant(text("c"), "${d} = 1")),
        Item::Question(relevant(text("d"), "${c} = 1")),
        repeat("r", vec![Item::Question(text("inside"))]),
        Item::Question(relevant(text("outside"), "${inside} = 'x'")),
    ]);
    assert_eq!(errors.len(), 5, "{errors:#?}");
    assert!(
        errors[0].starts_with("b: the relevant expression \"${a} = = 1\" is wrong"),
        "{errors:#?}"
    );
    assert_eq!(errors[1], "a: the name is used twice");
    assert_eq!(errors[2], "a: there is no question named \"missing\"");
    assert_eq!(
        errors[3],
        "outside: cannot use \"inside\": it is inside a repeat this item is not in"
    );
    assert_eq!(
        errors[4],
        "c, d: these expressions depend on each other in a circle"
    );
}

#[test]
fn relevance_follows_answers_and_groups() {
    let engine = FormEngine::compile(&survey(vec![
        Item::Question(question("play", QuestionKind::YesNo)),
        Item::Group(Group {
            id: "details".to_owned(),
            label: Localized::default(),
            relevant: Some("${play} = 'yes'".to_owned()),
            items: vec![
                Item::Question(number("hours")),
                Item::Question(relevant(text("why"), "${hours} > 3")),
            ],
        }),
    ]))
    .expect("compiles");
    let mut answers = answers([("hours", AnswerValue::Number(5.0))]);
    let mut state = engine.evaluate_all(&answers, today());
    assert!(
        !engine.is_relevant(&state, &key(&engine, "hours", &[])),
        "the group is not asked yet"
    );
    assert!(
        !engine.is_relevant(&state, &key(&engine, "why", &[])),
        "nor what depends on it"
    );

    answers.insert("play".to_owned(), AnswerValue::YesNo(true));
    let recomputed = engine.update(&mut state, &answers, &key(&engine, "play", &[]), today());
    assert_eq!(recomputed, 4, "play, details, hours, why");
    assert!(engine.is_relevant(&state, &key(&engine, "why", &[])));
    assert_eq!(
        state,
        engine.evaluate_all(&answers, today()),
        "an update equals a full evaluation"
    );
}

#[test]
fn repeats_resolve_names_in_their_own_instance() {
    let engine = FormEngine::compile(&survey(vec![
        Item::Question(number("threshold")),
        repeat(
            "activity",
            vec![
                Item::Question(number("days")),
                Item::Question(relevant(text("why_often"), "${days} > ${threshold}")),
            ],
        ),
    ]))
    .expect("compiles");
    let instance = |days: f64| answers([("days", AnswerValue::Number(days))]);
    let mut all = answers([
        ("threshold", AnswerValue::Number(3.0)),
        (
            "activity",
            AnswerValue::Repeat(vec![instance(1.0), instance(5.0)]),
        ),
    ]);
    let mut state = engine.evaluate_all(&all, today());
    assert!(!engine.is_relevant(&state, &key(&engine, "why_often", &[0])));
    assert!(engine.is_relevant(&state, &key(&engine, "why_often", &[1])));

    // An edit inside one instance touches that instance only.
    if let Some(AnswerValue::Repeat(instances)) = all.get_mut("activity") {
        instances[0].insert("days".to_owned(), AnswerValue::Number(6.0));
    }
    let recomputed = engine.update(&mut state, &all, &key(&engine, "days", &[0]), today());
    assert_eq!(recomputed, 2);
    assert!(engine.is_relevant(&state, &key(&engine, "why_often", &[0])));
    assert_eq!(state, engine.evaluate_all(&all, today()));

    // An edit of a value used inside the repeat reaches every instance.
    all.insert("threshold".to_owned(), AnswerValue::Number(10.0));
    let recomputed = engine.update(&mut state, &all, &key(&engine, "threshold", &[]), today());
    assert_eq!(recomputed, 3, "threshold, and why_often in both instances");
    assert!(!engine.is_relevant(&state, &key(&engine, "why_often", &[1])));
}

#[test]
fn calculations_and_constraints() {
    let mut age = number("age");
    age.constraint = Some(". >= 7 and . < 16".to_owned());
    let engine = FormEngine::compile(&survey(vec![
        Item::Question(age),
        Item::Question(question(
            "group",
            QuestionKind::Calculate {
                calculation: "if(${age} < 12, 'young', 'older')".to_owned(),
            },
        )),
        Item::Question(relevant(text("young_only"), "${group} = 'young'")),
    ]))
    .expect("compiles");
    let all = answers([
        ("age", AnswerValue::Number(17.0)),
        ("young_only", AnswerValue::Text("x".to_owned())),
    ]);
    let state = engine.evaluate_all(&all, today());
    assert!(engine.breaks_constraint(&state, &key(&engine, "age", &[])));
    assert_eq!(
        engine.calculated(&state, &key(&engine, "group", &[])),
        Some(&Value::Text("older".to_owned()))
    );

    // A completed response keeps calculated values and loses answers to
    // questions that are not asked.
    let finalized = engine.finalize(&all, today());
    assert_eq!(
        finalized.get("group"),
        Some(&AnswerValue::Text("older".to_owned()))
    );
    assert_eq!(finalized.get("young_only"), None);
    assert_eq!(finalized.get("age"), Some(&AnswerValue::Number(17.0)));
    assert_eq!(
        engine.interpolate(&state, &all, "Nhóm ${group}, ${age} tuổi, ${nothing}", &[]),
        "Nhóm older, 17 tuổi, "
    );
}

#[test]
fn choices_reach_expressions_as_xlsform_expects() {
    let choices = vec![
        Choice {
            value: "football".to_owned(),
            label: Localized::new("Bóng đá", "Football"),
        },
        Choice {
            value: "other".to_owned(),
            label: Localized::new("Khác", "Other"),
        },
    ];
    let engine = FormEngine::compile(&survey(vec![
        Item::Question(question("sports", QuestionKind::MultipleChoice { choices })),
        Item::Question(relevant(
            text("other_sport"),
            "selected(${sports}, 'other') and count-selected(${sports}) >= 2",
        )),
    ]))
    .expect("compiles");
    let all = answers([(
        "sports",
        AnswerValue::Choices(vec!["football".to_owned(), "other".to_owned()]),
    )]);
    let state = engine.evaluate_all(&all, today());
    assert!(engine.is_relevant(&state, &key(&engine, "other_sport", &[])));
}

#[test]
fn the_cost_of_an_edit_does_not_grow_with_repeat_instances() {
    let mut costs = Vec::new();
    for instances in [5, 50] {
        let (survey, mut all) = super::generated_form(200, instances);
        let engine = FormEngine::compile(&survey).expect("compiles");
        let mut state = engine.evaluate_all(&all, today());
        if let Some(AnswerValue::Repeat(people)) = all.get_mut("people") {
            people[3].insert("r0".to_owned(), AnswerValue::Number(1.0));
        }
        let recomputed = engine.update(&mut state, &all, &key(&engine, "r0", &[3]), today());
        assert_eq!(state, engine.evaluate_all(&all, today()));
        costs.push(recomputed);
    }
    assert_eq!(costs[0], costs[1], "same work with 5 or 50 instances");
    assert_eq!(costs[0], 10, "r0 and the chain of nine that depends on it");
}
