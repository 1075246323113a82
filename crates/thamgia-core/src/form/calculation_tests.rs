//! Answers set by the form (XLSForm's `calculation` on an asked question,
//! with and without `trigger`) and `read_only` as an expression.

use chrono::NaiveDate;

use super::*;
use crate::survey::{Choice, Item, Layout, Question, SurveyDefinition};

const TODAY: fn() -> NaiveDate = || NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();

fn question(id: &str, kind: QuestionKind) -> Question {
    Question {
        id: id.to_owned(),
        label: Localized::new(id, id),
        kind,
        ..Question::default()
    }
}

fn number(id: &str) -> Question {
    question(
        id,
        QuestionKind::Number {
            min: None,
            max: None,
            integer: true,
        },
    )
}

fn survey(items: Vec<Question>) -> SurveyDefinition {
    SurveyDefinition {
        id: "t".to_owned(),
        version: 1,
        title: Localized::new("t", "t"),
        description: Localized::default(),
        age_bands: Vec::new(),
        layout: Layout::PagePerGroup,
        form_version: None,
        languages: Vec::new(),
        instance_name: None,
        items: items.into_iter().map(Item::Question).collect(),
    }
}

fn key(engine: &FormEngine, name: &str) -> NodeKey {
    NodeKey {
        node: engine.node(name).expect("a node"),
        instance: Vec::new(),
    }
}

/// A household's members and its children, the adults worked out and
/// kept computed; the child's pocket money proposed from the age when the
/// age is given, and changeable afterwards.
fn household() -> (FormEngine, Answers, FormState) {
    let mut adults = number("adults");
    adults.calculation = Some("${members} - ${children}".to_owned());
    let mut allowance = number("allowance");
    allowance.calculation = Some("${age} * 1000".to_owned());
    allowance.trigger = vec!["age".to_owned()];
    let mut school = question(
        "school",
        QuestionKind::SingleChoice {
            choices: vec![
                Choice::new("primary", Localized::new("Tiểu học", "Primary")),
                Choice::new("lower", Localized::new("THCS", "Lower secondary")),
            ],
        },
    );
    school.calculation = Some("if(${age} < 11, 'primary', 'lower')".to_owned());
    school.trigger = vec!["age".to_owned()];
    let mut note = number("note_on_age");
    note.trigger = vec!["age".to_owned()];
    let mut locked = question("reason", QuestionKind::ShortText { max_length: 100 });
    locked.read_only_if = Some("${members} > 8".to_owned());
    let survey = survey(vec![
        number("members"),
        number("children"),
        adults,
        number("age"),
        allowance,
        school,
        note,
        locked,
    ]);
    let engine = FormEngine::compile(&survey).expect("compiles");
    let answers = Answers::new();
    let state = engine.evaluate_all(&answers, TODAY());
    (engine, answers, state)
}

#[test]
fn a_calculation_without_trigger_keeps_the_answer_computed_and_read_only() {
    let (engine, mut answers, mut state) = household();
    for (name, value) in [("members", 6.0), ("children", 4.0)] {
        let at = key(&engine, name);
        engine.edit(
            &mut answers,
            &mut state,
            &at,
            Some(AnswerValue::Number(value)),
            TODAY(),
        );
    }
    let adults = key(&engine, "adults");
    assert_eq!(
        engine.answer(&answers, &adults),
        Some(&AnswerValue::Number(2.0))
    );
    assert!(engine.is_read_only(&state, &adults));
    // An earlier answer changes: so does the computed one.
    let children = key(&engine, "children");
    engine.edit(
        &mut answers,
        &mut state,
        &children,
        Some(AnswerValue::Number(1.0)),
        TODAY(),
    );
    assert_eq!(
        engine.answer(&answers, &adults),
        Some(&AnswerValue::Number(5.0))
    );
    // Cleared when what it reads is gone.
    engine.edit(&mut answers, &mut state, &children, None, TODAY());
    assert_eq!(engine.answer(&answers, &adults), None);
    // And stored as the question's kind at completion.
    engine.edit(
        &mut answers,
        &mut state,
        &children,
        Some(AnswerValue::Number(3.0)),
        TODAY(),
    );
    let finished = engine.finalize(&answers, TODAY());
    assert_eq!(finished.get("adults"), Some(&AnswerValue::Number(3.0)));
}

#[test]
fn a_trigger_sets_the_answer_when_it_changes_and_the_worker_may_change_it() {
    let (engine, mut answers, mut state) = household();
    let (age, allowance, school, note) = (
        key(&engine, "age"),
        key(&engine, "allowance"),
        key(&engine, "school"),
        key(&engine, "note_on_age"),
    );
    assert!(!engine.is_read_only(&state, &allowance));
    engine.edit(
        &mut answers,
        &mut state,
        &note,
        Some(AnswerValue::Number(7.0)),
        TODAY(),
    );
    engine.edit(
        &mut answers,
        &mut state,
        &age,
        Some(AnswerValue::Number(9.0)),
        TODAY(),
    );
    assert_eq!(
        engine.answer(&answers, &allowance),
        Some(&AnswerValue::Number(9000.0))
    );
    assert_eq!(
        engine.answer(&answers, &school),
        Some(&AnswerValue::Choice("primary".to_owned()))
    );
    // A trigger without a calculation clears the answer.
    assert_eq!(engine.answer(&answers, &note), None);
    // The worker changes the proposal: it stays until the age changes.
    engine.edit(
        &mut answers,
        &mut state,
        &allowance,
        Some(AnswerValue::Number(5000.0)),
        TODAY(),
    );
    let members = key(&engine, "members");
    engine.edit(
        &mut answers,
        &mut state,
        &members,
        Some(AnswerValue::Number(3.0)),
        TODAY(),
    );
    assert_eq!(
        engine.answer(&answers, &allowance),
        Some(&AnswerValue::Number(5000.0))
    );
    engine.edit(
        &mut answers,
        &mut state,
        &age,
        Some(AnswerValue::Number(12.0)),
        TODAY(),
    );
    assert_eq!(
        engine.answer(&answers, &allowance),
        Some(&AnswerValue::Number(12000.0))
    );
    assert_eq!(
        engine.answer(&answers, &school),
        Some(&AnswerValue::Choice("lower".to_owned()))
    );
    // Kept as the worker left it at completion (not recomputed).
    engine.edit(
        &mut answers,
        &mut state,
        &allowance,
        Some(AnswerValue::Number(1.0)),
        TODAY(),
    );
    let finished = engine.finalize(&answers, TODAY());
    assert_eq!(finished.get("allowance"), Some(&AnswerValue::Number(1.0)));
}

#[test]
fn read_only_as_an_expression_holds_while_it_is_true() {
    let (engine, mut answers, mut state) = household();
    let (members, reason) = (key(&engine, "members"), key(&engine, "reason"));
    assert!(!engine.is_read_only(&state, &reason));
    engine.edit(
        &mut answers,
        &mut state,
        &members,
        Some(AnswerValue::Number(9.0)),
        TODAY(),
    );
    assert!(engine.is_read_only(&state, &reason));
    engine.edit(
        &mut answers,
        &mut state,
        &members,
        Some(AnswerValue::Number(4.0)),
        TODAY(),
    );
    assert!(!engine.is_read_only(&state, &reason));
}

#[test]
fn a_trigger_or_calculation_that_names_nothing_is_refused() {
    let mut proposal = number("proposal");
    proposal.calculation = Some("${nowhere} + 1".to_owned());
    proposal.trigger = vec!["age".to_owned()];
    let mut pulled = number("pulled");
    pulled.trigger = vec!["missing".to_owned()];
    let errors =
        FormEngine::compile(&survey(vec![number("age"), proposal, pulled])).expect_err("refused");
    let said: Vec<(&str, &str)> = errors
        .iter()
        .map(|error| (error.item.as_str(), error.message.en.as_str()))
        .collect();
    assert!(
        said.contains(&("proposal", "there is no question named \"nowhere\"")),
        "{said:?}"
    );
    assert!(
        said.contains(&("pulled", "there is no question named \"missing\"")),
        "{said:?}"
    );
}

#[test]
fn a_response_is_called_by_its_instance_name() {
    let mut named = survey(vec![number("members"), number("age")]);
    named.instance_name = Some("concat('Hộ ', ${members}, ' – ', ${age}, ' tuổi')".to_owned());
    let engine = FormEngine::compile(&named).expect("compiles");
    let mut answers = Answers::new();
    let mut state = engine.evaluate_all(&answers, TODAY());
    for (name, value) in [("members", 5.0), ("age", 11.0)] {
        let at = key(&engine, name);
        engine.edit(
            &mut answers,
            &mut state,
            &at,
            Some(AnswerValue::Number(value)),
            TODAY(),
        );
    }
    assert_eq!(
        engine.instance_name(&state, &answers).as_deref(),
        Some("Hộ 5 – 11 tuổi")
    );
    // Without one, or naming nothing: none, and a name that is not there
    // is refused when the form is compiled.
    let plain = FormEngine::compile(&survey(vec![number("age")])).expect("compiles");
    assert_eq!(
        plain.instance_name(&plain.evaluate_all(&answers, TODAY()), &answers),
        None
    );
    named.instance_name = Some("${nobody}".to_owned());
    let errors = FormEngine::compile(&named).expect_err("refused");
    assert_eq!(errors[0].item, "instance_name");
}

#[test]
fn a_computed_value_becomes_the_answer_its_kind_takes() {
    use super::editing::answer_for;
    use crate::expression::Value;
    let choices = QuestionKind::MultipleChoice {
        choices: Vec::new(),
    };
    assert_eq!(
        answer_for(&choices, &Value::Text("a b".into())),
        Some(AnswerValue::Choices(vec!["a".into(), "b".into()]))
    );
    assert_eq!(
        answer_for(&QuestionKind::Date, &Value::Text("2026-12-05".into())),
        Some(AnswerValue::Date(TODAY()))
    );
    assert_eq!(
        answer_for(&QuestionKind::Date, &Value::Text("soon".into())),
        None
    );
    assert_eq!(
        answer_for(&QuestionKind::YesNo, &Value::Bool(true)),
        Some(AnswerValue::YesNo(true))
    );
    assert_eq!(
        answer_for(
            &QuestionKind::ShortText { max_length: 5 },
            &Value::Number(2.5)
        ),
        Some(AnswerValue::Text("2.5".into()))
    );
    assert_eq!(
        answer_for(
            &QuestionKind::Number {
                min: None,
                max: None,
                integer: false
            },
            &Value::Text("many".into())
        ),
        None
    );
    assert_eq!(answer_for(&QuestionKind::Date, &Value::Empty), None);
}
