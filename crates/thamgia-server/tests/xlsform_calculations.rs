//! Answers the form sets, as ODK forms write them: `calculation` on an
//! asked question (kept computed, or set by a `trigger`), `read_only` as an
//! expression, and the settings' `instance_name`; imported, and run by the
//! same form engine the tablet runs.

use thamgia_core::{AnswerValue, Answers, FormEngine, NodeKey, Question, SurveyDefinition};
use thamgia_server::xlsform::{import_xlsform_with, ImportOptions};

mod support;

use support::workbook::workbook;

fn question<'a>(survey: &'a SurveyDefinition, id: &str) -> &'a Question {
    survey
        .questions()
        .into_iter()
        .find(|question| question.id == id)
        .unwrap_or_else(|| panic!("no question {id}"))
}

fn household(trigger: &str) -> Vec<u8> {
    workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label",
                    "calculation",
                    "trigger",
                    "read_only",
                ],
                /* 2 */ &["integer", "members", "Nhà em có mấy người?"],
                /* 3 */ &["integer", "children", "Mấy người là trẻ em?"],
                /* 4 */
                &[
                    "integer",
                    "adults",
                    "Số người lớn",
                    "${members} - ${children}",
                    "",
                    "yes",
                ],
                /* 5 */ &["integer", "age", "Em bao nhiêu tuổi?"],
                /* 6 */ &["integer", "grade", "Em học lớp mấy?", "${age} - 5", trigger],
                /* 7 */ &["text", "why", "Vì sao?", "", "", "${members} > 8"],
            ],
        ),
        (
            "settings",
            &[
                &["form_id", "form_title", "instance_name"],
                &[
                    "household",
                    "Hộ gia đình",
                    "concat('Hộ ', ${members}, ' người')",
                ],
            ],
        ),
    ])
}

#[test]
fn calculations_triggers_read_only_expressions_and_the_instance_name_import_and_run() {
    let imported = import_xlsform_with(&household("${age}"), ImportOptions::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert!(
        imported
            .warnings
            .iter()
            .all(|warning| !warning.message.en.contains("trigger")
                && !warning.message.en.contains("instance_name")
                && !warning.message.en.contains("calculation")),
        "{:#?}",
        imported.warnings
    );
    let adults = question(survey, "adults");
    assert_eq!(
        adults.calculation.as_deref(),
        Some("${members} - ${children}")
    );
    assert!(adults.trigger.is_empty() && adults.read_only);
    let grade = question(survey, "grade");
    assert_eq!(grade.trigger, ["age"]);
    assert_eq!(
        question(survey, "why").read_only_if.as_deref(),
        Some("${members} > 8")
    );
    assert_eq!(
        survey.instance_name.as_deref(),
        Some("concat('Hộ ', ${members}, ' người')")
    );

    // The tablet's engine runs what was imported.
    let engine = FormEngine::compile(survey).expect("compiles");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).expect("a day");
    let mut answers = Answers::new();
    let mut state = engine.evaluate_all(&answers, today);
    let at = |name: &str| NodeKey {
        node: engine.node(name).expect("a node"),
        instance: Vec::new(),
    };
    for (name, value) in [("members", 9.0), ("children", 3.0), ("age", 11.0)] {
        engine.edit(
            &mut answers,
            &mut state,
            &at(name),
            Some(AnswerValue::Number(value)),
            today,
        );
    }
    assert_eq!(answers.get("adults"), Some(&AnswerValue::Number(6.0)));
    assert_eq!(answers.get("grade"), Some(&AnswerValue::Number(6.0)));
    assert!(engine.is_read_only(&state, &at("why")));
    assert!(!engine.is_read_only(&state, &at("grade")));
    assert_eq!(
        engine.instance_name(&state, &answers).as_deref(),
        Some("Hộ 9 người")
    );
}

#[test]
fn a_trigger_not_written_as_a_name_is_refused_at_its_row() {
    let problems =
        import_xlsform_with(&household("age"), ImportOptions::default()).expect_err("refused");
    assert!(
        problems
            .iter()
            .any(|problem| problem.row == Some(6) && problem.message.en.contains("${name}")),
        "{problems:#?}"
    );
    let problems = import_xlsform_with(&household("${nobody}"), ImportOptions::default())
        .expect_err("refused");
    assert!(
        problems
            .iter()
            .any(|problem| problem.row == Some(6) && problem.message.en.contains("nobody")),
        "{problems:#?}"
    );
}

#[test]
fn curly_quotes_typed_by_excel_are_read_as_straight_and_said() {
    let bytes = workbook(&[
        (
            "survey",
            &[
                &["type", "name", "label", "relevant", "constraint"],
                /* 2 */ &["select_one places", "place", "Em chơi ở đâu?"],
                /* 3 */ &["text", "place_other", "Ở đâu khác?", "${place} = ‘other’"],
                /* 4 */
                &[
                    "text",
                    "said",
                    "Lời em",
                    "",
                    "not(contains(., 'Children’s'))",
                ],
            ],
        ),
        (
            "choices",
            &[
                &["list_name", "name", "label"],
                &["places", "yard", "Sân"],
                &["places", "other", "Chỗ khác"],
            ],
        ),
        (
            "settings",
            &[
                &["form_id", "instance_name"],
                // Not an expression at all: presentation, never a refusal.
                &["cho-choi", "Places-v1"],
            ],
        ),
    ]);
    let imported = import_xlsform_with(&bytes, ImportOptions::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(
        question(survey, "place_other").relevant.as_deref(),
        Some("${place} = 'other'")
    );
    // An apostrophe inside straight-quoted text is text: left alone.
    assert_eq!(
        question(survey, "said").constraint.as_deref(),
        Some("not(contains(., 'Children’s'))")
    );
    let said: Vec<(Option<u32>, &str)> = imported
        .warnings
        .iter()
        .map(|warning| (warning.row, warning.message.en.as_str()))
        .collect();
    assert!(
        said.iter()
            .any(|(row, message)| *row == Some(3) && message.contains("Curly quotes")),
        "{said:#?}"
    );
    assert!(!said.iter().any(|(row, _)| *row == Some(4)), "{said:#?}");
    assert_eq!(survey.instance_name, None);
    assert!(
        said.iter()
            .any(|(_, message)| message.contains("instance_name is not used")),
        "{said:#?}"
    );
}
