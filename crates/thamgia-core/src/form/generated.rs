//! Generated forms for tests and benches, and the timing of edits on one
//! (what the native bench and `cargo xtask bench` in the browser report).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::localized::Localized;
use crate::response::{AnswerValue, Answers};
use crate::survey::{Item, QuestionKind, SurveyDefinition};

use super::{FormEngine, NodeKey};

/// A map from question name to answers, for building test and bench data.
pub fn answers<const N: usize>(entries: [(&str, AnswerValue); N]) -> Answers {
    entries
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect::<BTreeMap<_, _>>()
}

/// A generated form for benches and tests: `questions` numeric questions in
/// chains of ten linked by relevance and constraints, the second half inside
/// a repeat `people` with `instances` instances, every question answered,
/// then totals over the repeat (`sum(${r0})`, `count(${people})`).
pub fn generated_form(questions: usize, instances: usize) -> (SurveyDefinition, Answers) {
    use crate::survey::{Group, Layout, Question};
    let number = |id: String, relevant: Option<String>, constraint: Option<String>| {
        Item::Question(Question {
            id: id.clone(),
            label: Localized::new(id.clone(), id),
            kind: QuestionKind::Number {
                min: None,
                max: None,
                integer: false,
            },
            relevant,
            constraint,
            ..Question::default()
        })
    };
    let half = questions / 2;
    let mut outside: Vec<Item> = (0..half)
        .map(|index| {
            let linked = index % 10 != 0;
            number(
                format!("q{index}"),
                linked.then(|| format!("${{q{}}} != 1", index.saturating_sub(1))),
                linked.then(|| ". >= 0".to_owned()),
            )
        })
        .collect();
    let inside: Vec<Item> = (0..(questions - half))
        .map(|index| {
            let linked = index % 10 != 0;
            number(
                format!("r{index}"),
                linked.then(|| format!("${{r{}}} != 1 and ${{q0}} != 99", index.saturating_sub(1))),
                None,
            )
        })
        .collect();
    outside.push(Item::Repeat(Group {
        id: "people".to_owned(),
        label: Localized::new("Người", "Person"),
        relevant: None,
        repeat_count: None,
        field_list: false,
        items: inside,
    }));
    let calculate = |id: &str, calculation: &str| match number(id.to_owned(), None, None) {
        Item::Question(question) => Item::Question(Question {
            kind: QuestionKind::Calculate {
                calculation: calculation.to_owned(),
            },
            ..question
        }),
        other => other,
    };
    outside.push(calculate("total_r0", "sum(${r0})"));
    outside.push(calculate("people_count", "count(${people})"));
    let survey = SurveyDefinition {
        id: "generated".to_owned(),
        version: 1,
        title: Localized::new("Biểu mẫu sinh tự động", "Generated form"),
        description: Localized::default(),
        age_bands: Vec::new(),
        layout: Layout::PagePerGroup,
        form_version: None,
        languages: Vec::new(),
        instance_name: None,
        items: outside,
    };
    let instance: Answers = (0..(questions - half))
        .map(|index| (format!("r{index}"), AnswerValue::Number(2.0)))
        .collect();
    let mut all: Answers = (0..half)
        .map(|index| (format!("q{index}"), AnswerValue::Number(2.0)))
        .collect();
    all.insert(
        "people".to_owned(),
        AnswerValue::Repeat(vec![instance; instances]),
    );
    (survey, all)
}

/// Times edits of a generated form: each edit changes one answer inside a
/// different repeat instance (alternating 1 and 2, so relevance flips) and
/// recomputes. `now_ms` is the caller's clock (core has none). Returns
/// (compile ms, full evaluation ms, mean ms per edit, node instances
/// recomputed per edit).
pub fn time_edits(
    questions: usize,
    instances: usize,
    edits: usize,
    now_ms: &dyn Fn() -> f64,
) -> (f64, f64, f64, f64) {
    let (survey, mut all) = generated_form(questions, instances);
    let started = now_ms();
    let Ok(engine) = FormEngine::compile(&survey) else {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    };
    let compiled = now_ms();
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let mut state = engine.evaluate_all(&all, today);
    let evaluated = now_ms();
    let node = engine.node("r0").unwrap_or(0);
    let mut recomputed = 0;
    for edit in 0..edits {
        let key = NodeKey {
            node,
            instance: vec![edit % instances.max(1)],
        };
        let value = if edit % 2 == 0 { 1.0 } else { 2.0 };
        engine.set_answer(&mut all, &key, Some(AnswerValue::Number(value)));
        recomputed += engine.update(&mut state, &all, &key, today);
    }
    let finished = now_ms();
    let edits = edits.max(1) as f64;
    (
        compiled - started,
        evaluated - compiled,
        (finished - evaluated) / edits,
        recomputed as f64 / edits,
    )
}
