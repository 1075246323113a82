//! Tests of the form engine: compile-time refusals, relevance, repeats,
//! calculations, and the cost of an edit.

use chrono::NaiveDate;

use super::*;
use crate::survey::{Choice, Group, Item, Layout, Question, SurveyDefinition};

fn question(id: &str, kind: QuestionKind) -> Question {
    Question {
        id: id.to_owned(),
        label: Localized::new(id, id),
        kind,
        ..Question::default()
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
        form_version: None,
        languages: Vec::new(),
        instance_name: None,
        items,
    }
}

fn repeat(id: &str, items: Vec<Item>) -> Item {
    Item::Repeat(Group {
        id: id.to_owned(),
        label: Localized::new(id, id),
        relevant: None,
        repeat_count: None,
        field_list: false,
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
        // A sibling repeat's question is out of reach (from outside every
        // repeat it would be read as all its values).
        repeat(
            "r2",
            vec![Item::Question(relevant(text("outside"), "${inside} = 'x'"))],
        ),
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
            repeat_count: None,
            field_list: false,
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
        Choice::new("football", Localized::new("Bóng đá", "Football")),
        Choice::new("other", Localized::new("Khác", "Other")),
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
    assert_eq!(
        costs[0], 11,
        "r0, the chain of nine that depends on it, and the total over the repeat"
    );
}

/// A ward → school cascade: each school's `ward` column says where it is.
fn cascade() -> (FormEngine, SurveyDefinition) {
    let ward = |value: &str| Choice::new(value, Localized::new(value, value));
    let school = |value: &str, in_ward: &str| {
        let mut choice = Choice::new(value, Localized::new(value, value));
        choice.columns.insert("ward".to_owned(), in_ward.to_owned());
        choice
    };
    let mut schools = question(
        "school",
        QuestionKind::SingleChoice {
            choices: vec![
                school("le_loi", "hoan_kiem"),
                school("trung_vuong", "hoan_kiem"),
                school("nguyen_du", "ba_dinh"),
                // `name` and `label` read the choice itself.
                school("other", ""),
            ],
        },
    );
    schools.choice_filter = Some("${ward} = ward or name = 'other'".to_owned());
    let survey = survey(vec![
        Item::Question(question(
            "ward",
            QuestionKind::SingleChoice {
                choices: vec![ward("hoan_kiem"), ward("ba_dinh")],
            },
        )),
        Item::Question(schools),
    ]);
    (FormEngine::compile(&survey).expect("compiles"), survey)
}

#[test]
fn a_choice_filter_offers_the_options_of_the_earlier_answer() {
    let (engine, _) = cascade();
    let school = key(&engine, "school", &[]);
    let mut all = answers([("ward", AnswerValue::Choice("hoan_kiem".to_owned()))]);
    let mut state = engine.evaluate_all(&all, today());
    assert_eq!(engine.offered(&state, &school), Some(&[0, 1, 3][..]));

    all.insert(
        "school".to_owned(),
        AnswerValue::Choice("le_loi".to_owned()),
    );
    engine.update(&mut state, &all, &school, today());
    assert!(!engine.answer_not_offered(&state, &school));

    // The ward changes: Lê Lợi is not in Ba Đình, and the engine says so
    // after the one edit, as a full evaluation would.
    all.insert("ward".to_owned(), AnswerValue::Choice("ba_dinh".to_owned()));
    engine.update(&mut state, &all, &key(&engine, "ward", &[]), today());
    assert_eq!(engine.offered(&state, &school), Some(&[2, 3][..]));
    assert!(engine.answer_not_offered(&state, &school));
    assert_eq!(state, engine.evaluate_all(&all, today()));

    // Before a ward is chosen only "other" is offered.
    let state = engine.evaluate_all(&Answers::new(), today());
    assert_eq!(engine.offered(&state, &school), Some(&[3][..]));
}

#[test]
fn an_answer_no_longer_offered_is_refused_with_its_reason() {
    let (_, survey) = cascade();
    let engine = FormEngine::compile(&survey).expect("compiles");
    let all = answers([
        ("ward", AnswerValue::Choice("ba_dinh".to_owned())),
        ("school", AnswerValue::Choice("le_loi".to_owned())),
    ]);
    let state = engine.evaluate_all(&all, today());
    assert!(engine.answer_not_offered(&state, &key(&engine, "school", &[])));
    let offered = engine
        .offered(&state, &key(&engine, "school", &[]))
        .unwrap_or_default();
    let shown = survey
        .question("school")
        .expect("school")
        .with_offered(offered);
    let values: Vec<&str> = shown
        .kind
        .choices()
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(values, ["nguyen_du", "other"]);
}

#[test]
fn a_choice_filter_naming_nothing_is_refused_at_compile() {
    let (_, mut survey) = cascade();
    if let Some(Item::Question(school)) = survey.items.get_mut(1) {
        school.choice_filter = Some("${district} = ward".to_owned());
    }
    let errors = FormEngine::compile(&survey).expect_err("refused");
    assert!(errors
        .iter()
        .any(|error| error.item == "school" && error.message.en.contains("district")));
}

#[test]
fn a_required_expression_decides_per_instance_and_follows_its_answers() {
    let mut why = text("why");
    why.required_if = Some("${age} >= 12".to_owned());
    let engine = FormEngine::compile(&survey(vec![
        Item::Question(number("age")),
        Item::Question(why),
    ]))
    .expect("compiles");
    let why = key(&engine, "why", &[]);
    let mut all = answers([("age", AnswerValue::Number(9.0))]);
    let mut state = engine.evaluate_all(&all, today());
    assert!(!engine.is_required(&state, &why));
    all.insert("age".to_owned(), AnswerValue::Number(13.0));
    engine.update(&mut state, &all, &key(&engine, "age", &[]), today());
    assert!(engine.is_required(&state, &why));
    assert_eq!(state, engine.evaluate_all(&all, today()));
}

#[test]
fn a_repeat_count_makes_the_instances_and_never_removes_answers() {
    let mut children = Group {
        id: "children".to_owned(),
        label: Localized::new("Các em", "Children"),
        relevant: None,
        repeat_count: Some("${how_many}".to_owned()),
        field_list: false,
        items: vec![Item::Question(number("age"))],
    };
    let survey = survey(vec![
        Item::Question(number("how_many")),
        Item::Repeat(children.clone()),
    ]);
    let engine = FormEngine::compile(&survey).expect("compiles");
    assert!(engine.has_repeat_counts());
    let repeat = key(&engine, "children", &[]);

    let mut all = answers([("how_many", AnswerValue::Number(3.0))]);
    let mut state = engine.evaluate_all(&all, today());
    assert_eq!(engine.repeat_count(&state, &repeat), Some(3));
    assert!(engine.lacks_instances(&all, &state));
    assert!(engine.fit_instances(&mut all, &mut state, today()));
    assert!(!engine.lacks_instances(&all, &state));
    assert_eq!(engine.instance_count(&all, repeat.node, &[]), 3);
    assert_eq!(state, engine.evaluate_all(&all, today()));
    assert!(
        !engine.fit_instances(&mut all, &mut state, today()),
        "nothing lacking"
    );

    // One fewer child: the third keeps its answer until the worker removes it.
    engine.set_answer(
        &mut all,
        &key(&engine, "age", &[2]),
        Some(AnswerValue::Number(8.0)),
    );
    all.insert("how_many".to_owned(), AnswerValue::Number(2.0));
    let mut state = engine.evaluate_all(&all, today());
    assert!(!engine.fit_instances(&mut all, &mut state, today()));
    assert_eq!(engine.instance_count(&all, repeat.node, &[]), 3);

    // A count far beyond any household is bounded.
    all.insert("how_many".to_owned(), AnswerValue::Number(1e9));
    let mut state = engine.evaluate_all(&all, today());
    engine.fit_instances(&mut all, &mut state, today());
    assert_eq!(
        engine.instance_count(&all, repeat.node, &[]),
        crate::limits::MAX_REPEAT_COUNT
    );

    // A count naming nothing is refused when the form is compiled.
    children.repeat_count = Some("${nobody}".to_owned());
    let errors = FormEngine::compile(&survey_with(children)).expect_err("refused");
    assert!(errors
        .iter()
        .any(|error| error.message.en.contains("nobody")));
}

fn survey_with(repeat: Group) -> SurveyDefinition {
    survey(vec![
        Item::Question(number("how_many")),
        Item::Repeat(repeat),
    ])
}

fn calculate(id: &str, calculation: &str) -> Question {
    question(
        id,
        QuestionKind::Calculate {
            calculation: calculation.to_owned(),
        },
    )
}

#[test]
fn totals_over_a_repeat_follow_every_edit_and_every_instance() {
    let engine = FormEngine::compile(&survey(vec![
        repeat("members", vec![Item::Question(number("age"))]),
        Item::Question(calculate("total_age", "sum(${age})")),
        Item::Question(calculate("people", "count(${members})")),
        Item::Question(calculate("oldest", "max(${age})")),
        Item::Question(relevant(text("big_family"), "count(${members}) > 2")),
        Item::Question(relevant(text("has_teen"), "${age} >= 13")),
    ]))
    .expect("compiles");
    let value = |state: &FormState, name: &str| {
        engine
            .calculated(state, &key(&engine, name, &[]))
            .cloned()
            .unwrap_or(crate::expression::Value::Empty)
    };
    let member = |age: f64| answers([("age", AnswerValue::Number(age))]);
    let mut all = answers([(
        "members",
        AnswerValue::Repeat(vec![member(9.0), member(14.0)]),
    )]);
    let mut state = engine.evaluate_all(&all, today());
    assert_eq!(
        value(&state, "total_age"),
        crate::expression::Value::Number(23.0)
    );
    assert_eq!(
        value(&state, "people"),
        crate::expression::Value::Number(2.0)
    );
    assert_eq!(
        value(&state, "oldest"),
        crate::expression::Value::Number(14.0)
    );
    assert!(!engine.is_relevant(&state, &key(&engine, "big_family", &[])));
    // A comparison holds when it holds for one instance.
    assert!(engine.is_relevant(&state, &key(&engine, "has_teen", &[])));

    // One instance edited: the totals move after that one edit.
    if let Some(AnswerValue::Repeat(members)) = all.get_mut("members") {
        members[1].insert("age".to_owned(), AnswerValue::Number(11.0));
    }
    engine.update(&mut state, &all, &key(&engine, "age", &[1]), today());
    assert_eq!(
        value(&state, "total_age"),
        crate::expression::Value::Number(20.0)
    );
    assert!(!engine.is_relevant(&state, &key(&engine, "has_teen", &[])));
    assert_eq!(state, engine.evaluate_all(&all, today()));

    // A third member, not yet aged: counted, and the sum is NaN as in ODK.
    engine.add_instance(&mut all, key(&engine, "members", &[]).node, &[]);
    let state = engine.evaluate_all(&all, today());
    assert_eq!(
        value(&state, "people"),
        crate::expression::Value::Number(3.0)
    );
    assert!(engine.is_relevant(&state, &key(&engine, "big_family", &[])));
    assert!(value(&state, "total_age").to_number().is_nan());
}

#[test]
fn a_repeat_is_read_from_outside_only_as_a_whole() {
    // Another repeat's questions are still out of reach.
    let errors = FormEngine::compile(&survey(vec![
        repeat("first", vec![Item::Question(number("a"))]),
        repeat(
            "second",
            vec![Item::Question(relevant(text("b"), "${a} > 1"))],
        ),
    ]))
    .expect_err("refused");
    assert!(errors
        .iter()
        .any(|error| error.item == "b" && error.message.en.contains("inside a repeat")));
}

#[test]
fn position_and_indexed_repeat_read_instances_by_number() {
    let engine = FormEngine::compile(&survey(vec![
        repeat(
            "members",
            vec![
                Item::Question(number("age")),
                Item::Question(calculate("number", "position(..)")),
            ],
        ),
        Item::Question(calculate(
            "second_age",
            "indexed-repeat(${age}, ${members}, 2)",
        )),
        Item::Question(calculate(
            "fifth_age",
            "indexed-repeat(${age}, ${members}, 5)",
        )),
    ]))
    .expect("compiles");
    let member = |age: f64| answers([("age", AnswerValue::Number(age))]);
    let all = answers([(
        "members",
        AnswerValue::Repeat(vec![member(9.0), member(14.0), member(3.0)]),
    )]);
    let state = engine.evaluate_all(&all, today());
    let value = |name: &str, instance: &[usize]| {
        engine
            .calculated(&state, &key(&engine, name, instance))
            .cloned()
            .unwrap_or(crate::expression::Value::Empty)
    };
    assert_eq!(value("number", &[2]), crate::expression::Value::Number(3.0));
    assert_eq!(
        value("second_age", &[]),
        crate::expression::Value::Number(14.0)
    );
    assert_eq!(value("fifth_age", &[]), crate::expression::Value::Empty);
    assert!(crate::expression::Expression::parse("position(.)").is_err());
}

#[test]
fn dates_are_written_and_choices_named_as_odk_does() {
    let place = question(
        "place",
        QuestionKind::SingleChoice {
            choices: vec![Choice::new("park", Localized::new("Công viên", "Park"))],
        },
    );
    let engine = FormEngine::compile(&survey(vec![
        Item::Question(place),
        Item::Question(question("visit", QuestionKind::Date)),
        Item::Question(calculate(
            "place_name",
            "jr:choice-name(${place}, '${place}')",
        )),
        Item::Question(calculate("visit_text", "format-date(${visit}, '%e/%n/%Y')")),
        Item::Question(calculate(
            "stamp",
            "format-date-time('2026-12-05T14:30', '%H:%M %d/%m')",
        )),
    ]))
    .expect("compiles");
    let all = answers([
        ("place", AnswerValue::Choice("park".to_owned())),
        ("visit", AnswerValue::Date(today())),
    ]);
    let state = engine.evaluate_all(&all, today());
    let text = |name: &str| {
        engine
            .calculated(&state, &key(&engine, name, &[]))
            .map(crate::expression::Value::to_text)
            .unwrap_or_default()
    };
    assert_eq!(text("place_name"), "Công viên");
    assert_eq!(text("visit_text"), "29/11/2026");
    assert_eq!(text("stamp"), "14:30 05/12");
}

#[test]
fn now_uuid_and_once_read_the_tablets_clock_and_keep_what_was_stored() {
    let engine = FormEngine::compile(&survey(vec![
        Item::Question(number("age")),
        Item::Question(calculate("started", "once(now())")),
        Item::Question(calculate("id", "once(uuid())")),
        repeat(
            "members",
            vec![Item::Question(calculate("member_id", "uuid()"))],
        ),
    ]))
    .expect("compiles");
    let moment = |minute: u32| today().and_hms_opt(9, minute, 0).expect("a time of day");
    let clock = super::Clock {
        now: moment(5),
        random: 42,
    };
    let text = |state: &FormState, name: &str, instance: &[usize]| {
        engine
            .calculated(state, &key(&engine, name, instance))
            .map(crate::expression::Value::to_text)
            .unwrap_or_default()
    };
    let mut all = answers([(
        "members",
        AnswerValue::Repeat(vec![Answers::new(), Answers::new()]),
    )]);
    let mut state = engine.evaluate_all_at(&all, clock);
    assert_eq!(text(&state, "started", &[]), "2026-11-29T09:05:00");
    let id = text(&state, "id", &[]);
    assert!(
        uuid::Uuid::parse_str(&id).is_ok_and(|id| id.get_version_num() == 4),
        "{id}"
    );
    // The same at every evaluation of this filling, another per instance.
    all.insert("age".to_owned(), AnswerValue::Number(9.0));
    state.set_now(moment(6));
    engine.update(&mut state, &all, &key(&engine, "age", &[]), today());
    assert_eq!(text(&state, "id", &[]), id);
    assert_ne!(
        text(&state, "member_id", &[0]),
        text(&state, "member_id", &[1])
    );

    // Completed: what they gave is stored, and once() keeps it afterwards
    // whatever the clock (or none, on the server).
    let stored = engine.finalize_at(
        &all,
        super::Clock {
            now: moment(7),
            random: 42,
        },
    );
    assert_eq!(
        stored.get("started"),
        Some(&AnswerValue::Text("2026-11-29T09:07:00".to_owned()))
    );
    let later = engine.evaluate_all_at(
        &stored,
        super::Clock {
            now: moment(30),
            random: 7,
        },
    );
    assert_eq!(text(&later, "started", &[]), "2026-11-29T09:07:00");
    assert_eq!(text(&later, "id", &[]), id);
    let on_the_server = engine.evaluate_all(&stored, today());
    assert_eq!(text(&on_the_server, "id", &[]), id);
    // Without a clock (the server), now() gives nothing until stored.
    let unclocked = engine.evaluate_all(&all, today());
    assert_eq!(text(&unclocked, "started", &[]), "");
}
