//! Forms in more languages than Vietnamese and English: every language the
//! form's texts have is kept, for the worker to pick on the tablet (the
//! app's own texts stay Vietnamese and English); a form in one language
//! has nothing to pick; a form in too many says which are left out.

use thamgia_core::{Item, Language, Question, SurveyDefinition};
use thamgia_server::xlsform::{import_xlsform_with, ImportOptions, MAX_FORM_LANGUAGES};

mod support;

use support::workbook::workbook;

fn question<'a>(survey: &'a SurveyDefinition, id: &str) -> &'a Question {
    survey
        .questions()
        .into_iter()
        .find(|question| question.id == id)
        .unwrap_or_else(|| panic!("no question {id}"))
}

fn named(file_name: &str) -> ImportOptions<'_> {
    ImportOptions {
        file_name: Some(file_name),
        ..ImportOptions::default()
    }
}

/// A consultation written in English, Hmong and Thai (no Vietnamese), as a
/// partner working with ethnic-minority children might keep it.
fn three_languages() -> Vec<u8> {
    workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label::English (en)",
                    "label::Hmoob (hmn)",
                    "label::ภาษาไทย (th)",
                    "hint::English (en)",
                    "hint::Hmoob (hmn)",
                    "constraint",
                    "constraint_message::English (en)",
                    "constraint_message::Hmoob (hmn)",
                ],
                &[
                    "begin_group",
                    "school",
                    "At school",
                    "Hauv tsev kawm ntawv",
                    "ที่โรงเรียน",
                ],
                &[
                    "select_one feeling",
                    "feel",
                    "How do you feel at school?",
                    "Koj xav li cas hauv tsev kawm ntawv?",
                    "",
                    "Pick one.",
                    "Xaiv ib qho.",
                ],
                &[
                    "integer",
                    "friends",
                    "How many friends do you have?",
                    "Koj muaj pes tsawg tus phooj ywg?",
                    "คุณมีเพื่อนกี่คน",
                    "",
                    "",
                    ". < 100",
                    "Fewer than 100.",
                    "Tsawg dua 100.",
                ],
                &["end_group"],
            ],
        ),
        (
            "choices",
            &[
                &[
                    "list_name",
                    "name",
                    "label::English (en)",
                    "label::Hmoob (hmn)",
                    "label::ภาษาไทย (th)",
                ],
                &["feeling", "good", "Good", "Zoo", "ดี"],
                &["feeling", "bad", "Bad", "Tsis zoo", ""],
            ],
        ),
        (
            "settings",
            &[
                &["form_id", "form_title", "description::Hmoob (hmn)"],
                &["school-voices", "School voices", "Peb mloog cov menyuam"],
            ],
        ),
    ])
}

#[test]
fn every_language_of_the_form_is_kept_for_the_worker_to_pick() {
    let imported = import_xlsform_with(&three_languages(), ImportOptions::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let survey = &imported.survey;
    assert_eq!(survey.languages, ["Hmoob (hmn)", "ภาษาไทย (th)"]);
    // Without Vietnamese, English stands in as the tablet's Vietnamese.
    let feel = question(survey, "feel");
    assert_eq!(feel.label.vi, "How do you feel at school?");
    assert_eq!(
        feel.label.in_form(Some("Hmoob (hmn)"), Language::Vi),
        "Koj xav li cas hauv tsev kawm ntawv?"
    );
    // A text the picked language lacks shows the app's language.
    assert_eq!(
        feel.label.in_form(Some("ภาษาไทย (th)"), Language::En),
        "How do you feel at school?"
    );
    let hint = feel.hint.as_ref().expect("a hint");
    assert_eq!(hint.others["Hmoob (hmn)"], "Xaiv ib qho.");
    let friends = question(survey, "friends");
    assert_eq!(friends.label.others["ภาษาไทย (th)"], "คุณมีเพื่อนกี่คน");
    let message = friends.constraint_message.as_ref().expect("a message");
    assert_eq!(message.others["Hmoob (hmn)"], "Tsawg dua 100.");
    // Choices, groups and the description carry theirs too.
    let thamgia_core::QuestionKind::SingleChoice { choices, .. } = &feel.kind else {
        panic!("a single choice: {:?}", feel.kind);
    };
    assert_eq!(choices[0].label.others["ภาษาไทย (th)"], "ดี");
    assert!(!choices[1].label.others.contains_key("ภาษาไทย (th)"));
    let Item::Group(group) = &survey.items[0] else {
        panic!("a group first");
    };
    assert_eq!(group.label.others["Hmoob (hmn)"], "Hauv tsev kawm ntawv");
    assert_eq!(
        survey.description.others["Hmoob (hmn)"],
        "Peb mloog cov menyuam"
    );
    // The survey as the server stores and the tablet reads it keeps them.
    let json = serde_json::to_string(survey).expect("serialises");
    let back: SurveyDefinition = serde_json::from_str(&json).expect("reads back");
    assert_eq!(&back, survey);
}

#[test]
fn a_form_in_one_language_has_nothing_to_pick() {
    let bytes = workbook(&[(
        "survey",
        &[
            &["type", "name", "label::Hmoob (hmn)"],
            &["text", "dream", "Koj npau suav dab tsi?"],
        ],
    )]);
    let imported = import_xlsform_with(&bytes, named("dreams.xlsx"))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert!(imported.survey.languages.is_empty());
    assert_eq!(
        question(&imported.survey, "dream").label.vi,
        "Koj npau suav dab tsi?"
    );
}

#[test]
fn the_default_language_named_in_settings_is_one_to_pick() {
    let bytes = workbook(&[
        (
            "survey",
            &[
                &["type", "name", "label", "label::Vietnamese (vi)"],
                &[
                    "text",
                    "dream",
                    "Quel est ton rêve ?",
                    "Ước mơ của em là gì?",
                ],
            ],
        ),
        (
            "settings",
            &[
                &["form_id", "default_language"],
                &["dreams", "Français (fr)"],
            ],
        ),
    ]);
    let imported = import_xlsform_with(&bytes, ImportOptions::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(imported.survey.languages, ["Français (fr)"]);
    let dream = question(&imported.survey, "dream");
    assert_eq!(dream.label.vi, "Ước mơ của em là gì?");
    assert_eq!(dream.label.others["Français (fr)"], "Quel est ton rêve ?");
}

#[test]
fn a_form_in_too_many_languages_names_those_left_out() {
    let names: Vec<String> = (0..MAX_FORM_LANGUAGES + 2)
        .map(|n| format!("Language {n} (x{n})"))
        .collect();
    let mut header = vec![
        "type".to_owned(),
        "name".to_owned(),
        "label::Vietnamese (vi)".to_owned(),
    ];
    header.extend(names.iter().map(|name| format!("label::{name}")));
    let mut row = vec!["text".to_owned(), "dream".to_owned(), "Ước mơ".to_owned()];
    row.extend(names.iter().map(|name| format!("dream in {name}")));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let row: Vec<&str> = row.iter().map(String::as_str).collect();
    let bytes = workbook(&[("survey", &[&header, &row])]);
    let imported = import_xlsform_with(&bytes, named("babel.xlsx"))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(imported.survey.languages, names[..MAX_FORM_LANGUAGES]);
    let dream = question(&imported.survey, "dream");
    assert_eq!(dream.label.others.len(), MAX_FORM_LANGUAGES);
    let left_out = imported
        .warnings
        .iter()
        .find(|warning| warning.message.en.contains("not shown"))
        .expect("a warning names the languages left out");
    for name in &names[MAX_FORM_LANGUAGES..] {
        assert!(left_out.message.en.contains(name.as_str()), "{left_out:?}");
        assert!(left_out.message.vi.contains(name.as_str()), "{left_out:?}");
    }
}
