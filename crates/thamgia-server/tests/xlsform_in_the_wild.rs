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
fn a_vietnamese_form_keeps_its_languages_and_names_a_row_without_vietnamese() {
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
    // French is kept for the worker to pick, so nothing is said of it.
    assert!(
        !messages.iter().any(|message| message.contains("Français")),
        "{messages:?}"
    );
    assert_eq!(imported.survey.languages, ["Français (fr)"]);
    assert_eq!(dream.label.others["Français (fr)"], "Quel est ton rêve ?");
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

/// A ward → school cascade as ODK users write it: the choices sheet has a
/// `ward` column, the school question a `choice_filter`, and one school
/// value (`other`) in two wards' lists under `allow_choice_duplicates`.
fn cascade(filter: &str, allow_duplicates: &str) -> Vec<u8> {
    workbook(&[
        (
            "survey",
            &[
                &["type", "name", "label", "choice_filter"],
                /* 2 */ &["select_one wards", "ward", "Phường"],
                /* 3 */ &["select_one schools", "school", "Trường", filter],
            ],
        ),
        (
            "choices",
            &[
                &["list_name", "name", "label", "ward", "note"],
                &["wards", "hoan_kiem", "Hoàn Kiếm"],
                &["wards", "ba_dinh", "Ba Đình"],
                &[
                    "schools",
                    "le_loi",
                    "Lê Lợi",
                    "hoan_kiem",
                    "an author's note",
                ],
                &["schools", "nguyen_du", "Nguyễn Du", "ba_dinh"],
                &["schools", "other", "Trường khác", "hoan_kiem"],
                &["schools", "other", "Trường khác", "ba_dinh"],
            ],
        ),
        (
            "settings",
            &[
                &["form_id", "form_title", "allow_choice_duplicates"],
                &["truong", "Trường học", allow_duplicates],
            ],
        ),
    ])
}

#[test]
fn a_cascading_list_imports_with_the_columns_its_filter_reads() {
    let imported = import_xlsform_with(&cascade("${ward} = ward", "yes"), named("t.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let school = question(&imported.survey, "school");
    assert_eq!(school.choice_filter.as_deref(), Some("${ward} = ward"));
    let choices = school.kind.choices();
    assert_eq!(choices.len(), 4, "both copies of `other` kept");
    assert_eq!(choices[0].column("ward"), Some("hoan_kiem"));
    assert!(
        choices
            .iter()
            .all(|choice| !choice.columns.contains_key("note")),
        "a column no filter reads is not kept"
    );
    assert!(question(&imported.survey, "ward").kind.choices()[0]
        .columns
        .is_empty());

    // The tablet's engine offers a ward's schools.
    let engine = thamgia_core::FormEngine::compile(&imported.survey).expect("compiles");
    let answers = thamgia_core::form::answers([(
        "ward",
        thamgia_core::AnswerValue::Choice("ba_dinh".to_owned()),
    )]);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).expect("a day");
    let state = engine.evaluate_all(&answers, day);
    let key = thamgia_core::NodeKey {
        node: engine.node("school").expect("school"),
        instance: Vec::new(),
    };
    assert_eq!(engine.offered(&state, &key), Some(&[1, 3][..]));

    // Without allow_choice_duplicates the second `other` is refused at its
    // row; a filter naming no question is refused at the question's.
    let problems = import_xlsform_with(&cascade("${ward} = ward", ""), named("t.xlsx", false))
        .expect_err("a duplicate value");
    assert_eq!(rows(&problems), BTreeSet::from([7]), "{problems:#?}");
    let problems = import_xlsform_with(
        &cascade("${district} = ward", "yes"),
        named("t.xlsx", false),
    )
    .expect_err("no such question");
    assert_eq!(rows(&problems), BTreeSet::from([3]), "{problems:#?}");
}

#[test]
fn acknowledge_time_and_date_time_are_asked_and_their_answers_checked() {
    let form = workbook(&[(
        "survey",
        &[
            &["type", "name", "label", "required"],
            /* 2 */ &["time", "woke_up", "Em dậy lúc mấy giờ?"],
            /* 3 */ &["dateTime", "last_visit", "Lần cuối em đến sân chơi?"],
            /* 4 */ &["acknowledge", "thanks", "Cảm ơn em đã trả lời.", "yes"],
            /* 5 */ &["trigger", "read_back", "Đã đọc lại câu trả lời cho em."],
        ],
    )]);
    let imported = import_xlsform_with(&form, named("gio.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(question(survey, "woke_up").kind, QuestionKind::Time);
    assert_eq!(question(survey, "last_visit").kind, QuestionKind::DateTime);
    assert_eq!(question(survey, "thanks").kind, QuestionKind::Acknowledge);
    assert!(question(survey, "thanks").required);
    assert_eq!(
        question(survey, "read_back").kind,
        QuestionKind::Acknowledge
    );

    use thamgia_core::validation::check_answer;
    use thamgia_core::AnswerValue::{Choice, Text};
    let fits = |id: &str, answer: thamgia_core::AnswerValue| {
        check_answer(question(survey, id), &answer).is_none()
    };
    assert!(fits("woke_up", Text("06:45".to_owned())));
    assert!(!fits("woke_up", Text("25:00".to_owned())));
    assert!(fits("last_visit", Text("2026-11-30T16:05".to_owned())));
    assert!(!fits("last_visit", Text("2026-11-30".to_owned())));
    assert!(fits("thanks", Choice("OK".to_owned())));
    assert!(!fits("thanks", Choice("yes".to_owned())));
}

#[test]
fn a_household_roster_counts_its_members_and_totals_over_them() {
    let form = workbook(&[(
        "survey",
        &[
            &["type", "name", "label", "repeat_count", "calculation"],
            /* 2 */ &["integer", "how_many", "Nhà em có mấy người?"],
            /* 3 */ &["begin_repeat", "members", "Thành viên", "${how_many}"],
            /* 4 */ &["integer", "age", "Tuổi"],
            /* 5 */ &["calculate", "number", "", "", "position(..)"],
            /* 6 */ &["end_repeat"],
            /* 7 */ &["calculate", "total_age", "", "", "sum(${age})"],
            /* 8 */
            &[
                "calculate",
                "first_age",
                "",
                "",
                "indexed-repeat(${age}, ${members}, 1)",
            ],
            /* 9 */
            &[
                "note",
                "summary",
                "${how_many} người, tổng ${total_age} tuổi.",
            ],
        ],
    )]);
    let imported = import_xlsform_with(&form, named("nha.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let Some(Item::Repeat(members)) = imported.survey.items.get(1) else {
        panic!("a repeat second: {:#?}", imported.survey.items);
    };
    assert_eq!(members.repeat_count.as_deref(), Some("${how_many}"));

    let engine = thamgia_core::FormEngine::compile(&imported.survey).expect("compiles");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).expect("a day");
    let mut answers =
        thamgia_core::form::answers([("how_many", thamgia_core::AnswerValue::Number(2.0))]);
    let mut state = engine.evaluate_all(&answers, day);
    assert!(engine.fit_instances(&mut answers, &mut state, day));
    for (instance, age) in [(0, 35.0), (1, 9.0)] {
        let key = thamgia_core::NodeKey {
            node: engine.node("age").expect("age"),
            instance: vec![instance],
        };
        engine.set_answer(
            &mut answers,
            &key,
            Some(thamgia_core::AnswerValue::Number(age)),
        );
        engine.update(&mut state, &answers, &key, day);
    }
    let total = engine.calculated(
        &state,
        &thamgia_core::NodeKey {
            node: engine.node("total_age").expect("total"),
            instance: Vec::new(),
        },
    );
    assert_eq!(total, Some(&thamgia_core::expression::Value::Number(44.0)));

    // A count on a group (not a repeat) is refused at its row.
    let problems = import_xlsform_with(
        &workbook(&[(
            "survey",
            &[
                &["type", "name", "label", "repeat_count"],
                &["begin_group", "g", "Nhóm", "3"],
                &["text", "t", "Chữ"],
                &["end_group"],
            ],
        )]),
        named("g.xlsx", false),
    )
    .expect_err("a group has no count");
    assert_eq!(rows(&problems), BTreeSet::from([2]), "{problems:#?}");
}

#[test]
fn a_range_of_any_start_end_and_step_is_a_scale_of_its_points() {
    let form = workbook(&[(
        "survey",
        &[
            &["type", "name", "label", "parameters"],
            /* 2 */
            &[
                "range",
                "safe",
                "Em thấy an toàn đến mức nào (0–10)?",
                "start=0 end=10 step=1",
            ],
            /* 3 */ &["range", "share", "Tỉ lệ", "start=0 end=1 step=0.1"],
            /* 4 */ &["range", "stars", "Mấy sao?", "start=1 end=5 step=1"],
            /* 5 */ &["range", "down", "Đếm ngược", "start=10 end=0 step=2"],
        ],
    )]);
    let imported = import_xlsform_with(&form, named("thang.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(
        question(survey, "safe").kind,
        QuestionKind::Range {
            start: 0.0,
            end: 10.0,
            step: 1.0,
            dont_know: true
        }
    );
    assert_eq!(
        question(survey, "stars").kind,
        QuestionKind::Rating {
            points: 5,
            dont_know: true
        }
    );
    assert_eq!(
        thamgia_core::survey::range_points(0.0, 1.0, 0.1).map(|points| points[3]),
        Some(0.3)
    );
    assert_eq!(
        thamgia_core::survey::range_points(10.0, 0.0, 2.0),
        Some(vec![10.0, 8.0, 6.0, 4.0, 2.0, 0.0])
    );

    use thamgia_core::validation::check_answer;
    use thamgia_core::AnswerValue::Number;
    let fits =
        |id: &str, number: f64| check_answer(question(survey, id), &Number(number)).is_none();
    assert!(fits("safe", 0.0) && fits("safe", 10.0));
    assert!(!fits("safe", 11.0) && !fits("safe", 2.5));
    assert!(fits("share", 0.3) && !fits("share", 0.35));
    assert!(fits("down", 4.0) && !fits("down", 5.0));

    // A scale with no points, or more than a child could answer, is refused.
    for parameters in ["start=0 end=10 step=0", "start=0 end=100000 step=1"] {
        let form = workbook(&[(
            "survey",
            &[
                &["type", "name", "label", "parameters"],
                &["range", "r", "Thang", parameters],
            ],
        )]);
        let problems = import_xlsform_with(&form, named("r.xlsx", false)).expect_err(parameters);
        assert_eq!(rows(&problems), BTreeSet::from([2]), "{problems:#?}");
    }
}

#[test]
fn true_and_false_cells_read_as_excel_shows_them() {
    use support::workbook::BOOL_CELL;
    let yes = format!("{BOOL_CELL}1");
    let no = format!("{BOOL_CELL}0");
    let form = workbook(&[(
        "survey",
        &[
            &["type", "name", "label", "required"],
            // A name typed as FALSE (or made by `=FALSE()`) is the name
            // FALSE, as pyxform reads it; TRUE in `required` is yes.
            &["text", &no, "Tên là FALSE", &yes],
            &["text", "other", "Câu khác", &no],
        ],
    )]);
    let imported = import_xlsform_with(&form, named("bool.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert!(question(&imported.survey, "FALSE").required);
    assert!(!question(&imported.survey, "other").required);
}

#[test]
fn a_field_list_group_is_one_page_and_drawn_appearances_are_kept() {
    let form = workbook(&[
        (
            "survey",
            &[
                &["type", "name", "label", "appearance"],
                /* 2 */ &["begin_group", "feelings", "Cảm nghĩ", "field-list"],
                /* 3 */
                &[
                    "select_one agree",
                    "heard",
                    "Thầy cô lắng nghe em.",
                    "likert",
                ],
                /* 4 */
                &[
                    "select_one agree",
                    "safe",
                    "Em thấy an toàn.",
                    "likert quick",
                ],
                /* 5 */ &["end_group"],
                /* 6 */ &["select_one agree", "long_list", "Danh sách dài", "minimal"],
            ],
        ),
        (
            "choices",
            &[
                &["list_name", "name", "label"],
                &["agree", "no", "Không"],
                &["agree", "yes", "Có"],
            ],
        ),
    ]);
    let imported = import_xlsform_with(&form, named("trang.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let Some(Item::Group(feelings)) = imported.survey.items.first() else {
        panic!("a group first: {:#?}", imported.survey.items);
    };
    assert!(feelings.field_list);
    assert_eq!(question(&imported.survey, "heard").appearance, ["likert"]);
    assert_eq!(
        question(&imported.survey, "long_list").appearance,
        ["minimal"]
    );
    // What the tablet does not draw is said, with its row.
    assert!(imported
        .warnings
        .iter()
        .any(|warning| warning.row == Some(4) && warning.message.en.contains("quick")));
}

#[test]
fn randomize_and_its_seed_are_read_from_parameters() {
    let form = workbook(&[
        (
            "survey",
            &[
                &["type", "name", "label", "parameters"],
                /* 2 */ &["integer", "code", "Mã hộ"],
                /* 3 */
                &[
                    "select_one foods",
                    "food",
                    "Món em thích?",
                    "randomize=true seed=${code}",
                ],
                /* 4 */ &["select_one foods", "plain", "Món khác?", "seed=${code}"],
                /* 5 */
                &[
                    "select_one foods",
                    "odd",
                    "Món lạ?",
                    "randomize=true max-pixels=9",
                ],
            ],
        ),
        (
            "choices",
            &[
                &["list_name", "name", "label"],
                &["foods", "rice", "Cơm"],
                &["foods", "pho", "Phở"],
            ],
        ),
    ]);
    let imported = import_xlsform_with(&form, named("mon.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(
        question(survey, "food").randomize,
        Some(thamgia_core::survey::Randomize {
            seed: Some("${code}".to_owned())
        })
    );
    assert_eq!(question(survey, "plain").randomize, None);
    assert!(question(survey, "odd").randomize.is_some());
    let warned: BTreeSet<u32> = imported
        .warnings
        .iter()
        .filter_map(|warning| warning.row)
        .collect();
    assert!(
        warned.contains(&4) && warned.contains(&5),
        "{:#?}",
        imported.warnings
    );
}

#[test]
fn guidance_read_only_and_the_form_version_are_kept() {
    let form = |read_only: &str| {
        workbook(&[
            (
                "survey",
                &[
                    &[
                        "type",
                        "name",
                        "label",
                        "guidance_hint",
                        "read_only",
                        "default",
                    ],
                    /* 2 */
                    &[
                        "integer",
                        "age",
                        "Tuổi",
                        "Hỏi tuổi tròn, không hỏi ngày sinh.",
                    ],
                    /* 3 */ &["text", "year", "Năm học", "", read_only, "2026-2027"],
                ],
            ),
            (
                "settings",
                &[&["form_id", "version"], &["khao-sat", "2026120501"]],
            ),
        ])
    };
    let imported = import_xlsform_with(&form("yes"), named("k.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(survey.form_version.as_deref(), Some("2026120501"));
    assert_eq!(
        question(survey, "age")
            .guidance
            .as_ref()
            .map(|text| text.vi.as_str()),
        Some("Hỏi tuổi tròn, không hỏi ngày sinh.")
    );
    assert!(question(survey, "year").read_only);
    assert!(!question(survey, "age").read_only);
    // Read-only as an expression holds while it is true; one that names
    // nothing is refused at its row.
    let imported = import_xlsform_with(&form("${age} > 12"), named("k.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let year = question(&imported.survey, "year");
    assert!(!year.read_only);
    assert_eq!(year.read_only_if.as_deref(), Some("${age} > 12"));
    let problems = import_xlsform_with(&form("${nobody} > 12"), named("k.xlsx", false))
        .expect_err("names nothing");
    assert_eq!(rows(&problems), BTreeSet::from([3]), "{problems:#?}");
}

#[test]
fn the_same_name_in_two_groups_is_kept_apart_and_said() {
    let form = |second_group: &str| {
        workbook(&[(
            "survey",
            &[
                &["type", "name", "label", "relevant"],
                /* 2 */ &["begin_group", "home", "Ở nhà"],
                /* 3 */ &["integer", "hours", "Mấy giờ ở nhà?"],
                /* 4 */ &["end_group"],
                /* 5 */ &["begin_group", second_group, "Ở trường"],
                /* 6 */ &["integer", "hours", "Mấy giờ ở trường?"],
                /* 7 */ &["note", "said", "Em ở nhà ${hours} giờ.", "${hours} > 0"],
                /* 8 */ &["end_group"],
            ],
        )])
    };
    let imported = import_xlsform_with(&form("school"), named("gio.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(
        question(&imported.survey, "hours").label.vi,
        "Mấy giờ ở nhà?"
    );
    assert_eq!(
        question(&imported.survey, "school_hours").label.vi,
        "Mấy giờ ở trường?"
    );
    assert!(imported
        .warnings
        .iter()
        .any(|warning| warning.row == Some(6) && warning.message.en.contains("school_hours")));

    // Twice in one group is refused, as pyxform refuses it.
    let twice = workbook(&[(
        "survey",
        &[
            &["type", "name", "label"],
            &["begin_group", "home", "Ở nhà"],
            &["integer", "hours", "Mấy giờ?"],
            &["integer", "hours", "Mấy giờ nữa?"],
            &["end_group"],
        ],
    )]);
    let problems = import_xlsform_with(&twice, named("hai.xlsx", false)).expect_err("twice");
    assert_eq!(rows(&problems), BTreeSet::from([4]), "{problems:#?}");
}

#[test]
fn a_loop_over_a_list_asks_its_rows_once_per_option() {
    let form = workbook(&[
        (
            "survey",
            &[
                &["type", "name", "label"],
                /* 2 */ &["begin loop over places", "each_place", "Từng nơi"],
                /* 3 */ &["integer", "hours", "Mấy giờ em ở %(label)s?"],
                /* 4 */ &["end loop"],
            ],
        ),
        (
            "choices",
            &[
                &["list_name", "name", "label"],
                &["places", "home", "nhà"],
                &["places", "school", "trường"],
            ],
        ),
    ]);
    let imported = import_xlsform_with(&form, named("vong.xlsx", false))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let Some(Item::Group(each)) = imported.survey.items.first() else {
        panic!("a group: {:#?}", imported.survey.items);
    };
    let places: Vec<&str> = each.items.iter().map(Item::id).collect();
    assert_eq!(places, ["home", "school"]);
    assert_eq!(
        question(&imported.survey, "hours").label.vi,
        "Mấy giờ em ở nhà?"
    );
    assert_eq!(
        question(&imported.survey, "school_hours").label.vi,
        "Mấy giờ em ở trường?"
    );
    assert!(imported
        .warnings
        .iter()
        .any(|warning| warning.row == Some(3)
            && warning.message.en.contains("asked again for each option")
            && warning.message.en.contains("school_hours")));

    // A loop never closed, or over a list that is not there, is refused.
    let open = workbook(&[(
        "survey",
        &[
            &["type", "name", "label"],
            &["begin loop over nowhere", "each", "Từng"],
            &["integer", "n", "Số"],
        ],
    )]);
    let problems = import_xlsform_with(&open, named("mo.xlsx", false)).expect_err("open");
    assert_eq!(rows(&problems), BTreeSet::from([2]), "{problems:#?}");
}
