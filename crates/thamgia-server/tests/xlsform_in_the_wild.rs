//! XLSForms as organisations write them for ODK and KoboToolbox: in one
//! language (often English, a plain `label` or `label:English`), without a
//! settings sheet, with `or_other`, `phone number`, metadata rows, media
//! columns and appearances Tham Gia does not show, and with questions it
//! never asks (a location, a photo). Each imports, saying what it read but
//! does not use; what is never asked is left out only when the officer
//! agrees. Through the importer and through the HTTP endpoint.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use thamgia_core::api::import::{ImportQuery, ImportedSurvey};
use thamgia_core::{Item, Question, QuestionKind, SurveyDefinition};
use thamgia_server::error::ImportRefusedBody;
use thamgia_server::xlsform::{import_xlsform_with, ImportOptions, ImportProblem};

mod support;

use support::workbook::workbook;
use support::{server, TestServer};

/// An English-only household form of the kind a partner organisation
/// keeps: no settings sheet, `label:English` headers.
fn household() -> Vec<u8> {
    workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label:English",
                    "hint:English",
                    "appearance",
                    "image",
                ],
                /* 2 */ &["start", "start"],
                /* 3 */ &["deviceid", "device"],
                /* 4 */ &["text", "child_name_initials", "Initials of the child"],
                /* 5 */ &["phone number", "caregiver_phone", "Caregiver's phone"],
                /* 6 */
                &[
                    "select_one places or_other",
                    "play_place",
                    "Where do you play?",
                    "",
                    "quick",
                ],
                /* 7 */
                &[
                    "integer",
                    "age",
                    "How old are you?",
                    "In years",
                    "",
                    "age.png",
                ],
                /* 8 */ &["geopoint", "home", "Where is your home?"],
                /* 9 */ &["note", "home_note", "Your home is at ${home}."],
                /* 10 */ &["text", "felt_safe", "Where do you feel safe?"],
            ],
        ),
        (
            "choices",
            &[
                &["list_name", "name", "label:English"],
                &["places", "yard", "The yard"],
                &["places", "street", "The street"],
                &["places", "park", "A park"],
            ],
        ),
    ])
}

fn question<'a>(survey: &'a SurveyDefinition, id: &str) -> &'a Question {
    survey
        .question(id)
        .unwrap_or_else(|| panic!("no question {id}: {survey:#?}"))
}

fn named(file_name: &str, trim: bool) -> ImportOptions<'_> {
    ImportOptions {
        file_name: Some(file_name),
        trim,
    }
}

fn rows(problems: &[ImportProblem]) -> BTreeSet<u32> {
    problems.iter().filter_map(|problem| problem.row).collect()
}

#[test]
fn a_form_in_one_language_without_settings_imports_once_what_is_never_asked_is_left_out() {
    // Asked plainly, the location (and the note showing it) refuse the
    // form, each offered to be left out.
    let problems = import_xlsform_with(&household(), named("Household 2026.xlsx", false))
        .expect_err("a location is never asked");
    assert_eq!(rows(&problems), BTreeSet::from([8, 9]), "{problems:#?}");
    assert!(problems.iter().all(|problem| problem.trimmable));
    assert!(problems[1].message.en.contains("depends on \"home\""));

    let imported = import_xlsform_with(&household(), named("Household 2026.xlsx", true))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(survey.id, "household_2026");
    assert_eq!(survey.title.vi, "Household 2026");
    // The form's one language is shown, whichever language the app is in.
    let initials = question(survey, "child_name_initials");
    assert_eq!(initials.label.vi, "Initials of the child");
    assert_eq!(
        question(survey, "age")
            .hint
            .as_ref()
            .map(|hint| hint.vi.as_str()),
        Some("In years")
    );
    // A phone number is text of digits, as pyxform reads it.
    let phone = question(survey, "caregiver_phone");
    assert!(matches!(phone.kind, QuestionKind::ShortText { .. }));
    assert_eq!(phone.constraint.as_deref(), Some("regex(., '^\\d*$')"));
    // `or_other`: an "Other" choice, and "specify" asked when it is chosen.
    let QuestionKind::SingleChoice { choices } = &question(survey, "play_place").kind else {
        panic!("a single choice");
    };
    let values: Vec<&str> = choices.iter().map(|choice| choice.value.as_str()).collect();
    assert_eq!(values, ["yard", "street", "park", "other"]);
    let other = question(survey, "play_place_other");
    assert_eq!(
        other.relevant.as_deref(),
        Some("selected(${play_place}, 'other')")
    );
    // What is never asked is gone, and so is what showed it.
    assert!(survey.question("home").is_none() && survey.question("home_note").is_none());
    let ids: Vec<&str> = survey
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Question(question) => Some(question.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        ids,
        [
            "child_name_initials",
            "caregiver_phone",
            "play_place",
            "play_place_other",
            "age",
            "felt_safe"
        ]
    );
    // Nothing was dropped without a line: metadata, the appearance, the
    // picture, the rows left out, and the id taken from the file name.
    let warned = rows(&imported.warnings);
    for row in [2, 3, 6, 7, 8, 9] {
        assert!(warned.contains(&row), "row {row}: {:#?}", imported.warnings);
    }
    assert!(imported
        .warnings
        .iter()
        .any(|warning| warning.sheet == "settings" && warning.row.is_none()));
    for warning in &imported.warnings {
        assert!(!warning.message.vi.is_empty() && !warning.message.en.is_empty());
        assert_ne!(warning.message.vi, warning.message.en);
    }
}

#[test]
fn a_vietnamese_form_keeps_both_languages_and_names_a_row_without_vietnamese() {
    let bytes = workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label::Vietnamese (vi)",
                    "label::English (en)",
                    "label::Français (fr)",
                    "required",
                    "required_message::Vietnamese (vi)",
                    "jr:requiredMsg::English (en)",
                ],
                &[
                    "text",
                    "dream",
                    "Ước mơ của em là gì?",
                    "What is your dream?",
                    "Quel est ton rêve ?",
                    "yes",
                    "Em hãy kể một ước mơ nhé.",
                    "Tell us one dream.",
                ],
                &[
                    "text",
                    "friend",
                    "",
                    "Who is your friend?",
                    "Qui est ton ami ?",
                ],
            ],
        ),
        (
            "settings",
            &[&["form_id", "form_title"], &["dreams", "Ước mơ / Dreams"]],
        ),
    ]);
    let imported = import_xlsform_with(&bytes, ImportOptions::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let dream = question(&imported.survey, "dream");
    assert_eq!(
        (dream.label.vi.as_str(), dream.label.en.as_str()),
        ("Ước mơ của em là gì?", "What is your dream?")
    );
    let asked_again = dream.required_message.as_ref().expect("a required message");
    assert_eq!(
        (asked_again.vi.as_str(), asked_again.en.as_str()),
        ("Em hãy kể một ước mơ nhé.", "Tell us one dream.")
    );
    let friend = question(&imported.survey, "friend");
    assert_eq!(friend.label.vi, "Who is your friend?", "English stands in");
    let messages: Vec<&str> = imported
        .warnings
        .iter()
        .map(|warning| warning.message.en.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|message| message.contains("no Vietnamese")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|message| message.contains("Français")),
        "{messages:?}"
    );
}

#[test]
fn a_workbook_of_one_sheet_is_its_survey() {
    let bytes = workbook(&[(
        "Sheet1",
        &[
            &["type", "name", "label"],
            &["text", "name_of_school", "Tên trường"],
        ],
    )]);
    let imported = import_xlsform_with(&bytes, named("truong.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(imported.survey.id, "truong");
    assert!(imported
        .warnings
        .iter()
        .any(|warning| warning.message.en.contains("Sheet1")));
}

#[test]
fn a_form_that_only_asks_what_is_never_asked_is_refused_even_trimmed() {
    let bytes = workbook(&[(
        "survey",
        &[&["type", "name", "label"], &["image", "photo", "Ảnh"]],
    )]);
    let problems = import_xlsform_with(&bytes, named("anh.xlsx", true)).expect_err("nothing left");
    assert!(problems
        .iter()
        .any(|problem| problem.message.en.contains("no question left")));
}

async fn post(server: &TestServer, query: &ImportQuery, bytes: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let request = Request::post(format!("/api/v1/surveys/import?{}", query.query_string()))
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(Body::from(bytes))
        .expect("request");
    server.call(request).await
}

#[tokio::test]
async fn the_officer_sees_what_is_left_out_and_agrees_before_it_is_published() {
    let server = server().await;
    let mut query = ImportQuery {
        file_name: Some("Hộ gia đình.xlsx".to_owned()),
        trim: false,
    };
    let (status, body) = post(&server, &query, household()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused: ImportRefusedBody = serde_json::from_slice(&body).expect("a refusal");
    assert!(refused.problems.iter().all(|problem| problem.trimmable));
    let (_, listed): (_, Vec<SurveyDefinition>) = server.get("/api/v1/surveys").await;
    assert!(
        listed.iter().all(|survey| survey.id != "ho_gia_dinh"),
        "nothing published yet"
    );

    query.trim = true;
    let (status, body) = post(&server, &query, household()).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let imported: ImportedSurvey = serde_json::from_slice(&body).expect("the survey and warnings");
    assert_eq!(
        (imported.survey.id.as_str(), imported.survey.version),
        ("ho_gia_dinh", 1)
    );
    assert!(imported
        .warnings
        .iter()
        .any(|warning| warning.row == Some(8)));

    // A name longer than any file system's is refused before the workbook is read.
    let long = ImportQuery {
        file_name: Some("a".repeat(300)),
        trim: false,
    };
    let (status, _) = post(&server, &long, household()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn defaults_are_kept_checked_and_named_where_they_are_not_used() {
    let form = |default_of_age: &str| {
        workbook(&[
            (
                "survey",
                &[
                    &["type", "name", "label", "default"],
                    /* 2 */ &["integer", "age", "Tuổi", default_of_age],
                    /* 3 */ &["date", "visit_day", "Ngày thăm", "today()"],
                    /* 4 */ &["date", "first_day", "Ngày đầu", "=date:46023"],
                    /* 5 */ &["select_one places", "place", "Nơi chơi", "park"],
                    /* 6 */ &["begin_repeat", "children", "Các em"],
                    /* 7 */ &["text", "child", "Tên gọi", "Bé"],
                    /* 8 */ &["end_repeat"],
                ],
            ),
            (
                "choices",
                &[
                    &["list_name", "name", "label"],
                    &["places", "yard", "Sân"],
                    &["places", "park", "Công viên"],
                ],
            ),
        ])
    };
    let imported = import_xlsform_with(&form("10"), named("tham.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(question(survey, "age").default.as_deref(), Some("10"));
    assert_eq!(
        question(survey, "visit_day").default.as_deref(),
        Some("today()")
    );
    // What a new response starts with, as the tablet makes it.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).expect("a day");
    let answers = thamgia_core::response::defaults::starting_answers(survey, day);
    assert_eq!(
        answers.get("age"),
        Some(&thamgia_core::AnswerValue::Number(10.0))
    );
    assert_eq!(
        answers.get("visit_day"),
        Some(&thamgia_core::AnswerValue::Date(day))
    );
    assert_eq!(
        answers.get("place"),
        Some(&thamgia_core::AnswerValue::Choice("park".to_owned()))
    );
    assert!(!answers.contains_key("child"), "a repeat starts empty");
    assert!(imported
        .warnings
        .iter()
        .any(|warning| warning.row == Some(7) && warning.message.en.contains("repeat")));

    // A default the question cannot take is refused at its row.
    let problems =
        import_xlsform_with(&form("ten"), named("tham.xlsx", false)).expect_err("not a number");
    assert_eq!(rows(&problems), BTreeSet::from([2]), "{problems:#?}");
}
