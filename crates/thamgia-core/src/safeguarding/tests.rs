use super::*;
use crate::survey::{Choice, Group, Layout};

fn survey(items: Vec<Item>) -> SurveyDefinition {
    SurveyDefinition {
        id: "s".to_owned(),
        version: 1,
        title: Localized::new("s", "s"),
        description: Localized::new("", ""),
        age_bands: Vec::new(),
        layout: Layout::default(),
        form_version: None,
        languages: Vec::new(),
        instance_name: None,
        items,
    }
}

fn question(id: &str, kind: QuestionKind, disclosure: &[&str]) -> Question {
    Question {
        id: id.to_owned(),
        label: Localized::new(id, id),
        kind,
        disclosure: disclosure.iter().map(|value| (*value).to_owned()).collect(),
        ..Question::default()
    }
}

fn choices(values: &[&str]) -> Vec<Choice> {
    values
        .iter()
        .map(|value| Choice::new(*value, Localized::new(*value, *value)))
        .collect()
}

fn bullied() -> Question {
    question(
        "bullied",
        QuestionKind::SingleChoice {
            choices: choices(&["no", "a_few_times", "many_times"]),
        },
        &["many_times"],
    )
}

#[test]
fn the_demo_survey_marks_being_bullied_many_times() {
    let survey: SurveyDefinition = serde_json::from_str(include_str!(
        "../../../thamgia-server/seed/survey-school-safety-play.json"
    ))
    .expect("the demo survey reads");
    let mut answers = Answers::new();
    answers.insert(
        "teased_or_bullied".to_owned(),
        AnswerValue::Choice("a_few_times".to_owned()),
    );
    assert!(possible_disclosures(&survey, &answers).is_empty());
    answers.insert(
        "teased_or_bullied".to_owned(),
        AnswerValue::Choice("many_times".to_owned()),
    );
    assert_eq!(
        possible_disclosures(&survey, &answers),
        vec!["teased_or_bullied".to_owned()]
    );
    assert!(crate::FormEngine::compile(&survey).is_ok());
}

#[test]
fn every_kind_of_marked_answer_is_found_in_groups_and_repeats() {
    let survey = survey(vec![
        Item::Question(bullied()),
        Item::Group(Group {
            id: "home".to_owned(),
            label: Localized::new("home", "home"),
            relevant: None,
            repeat_count: None,
            field_list: false,
            items: vec![
                Item::Question(question("hurt", QuestionKind::YesNo, &["yes"])),
                Item::Question(question(
                    "safe",
                    QuestionKind::Smiley {
                        points: 5,
                        labels: Vec::new(),
                        words_from: None,
                        dont_know: true,
                    },
                    &["1"],
                )),
            ],
        }),
        Item::Repeat(Group {
            id: "places".to_owned(),
            label: Localized::new("places", "places"),
            relevant: None,
            repeat_count: None,
            field_list: false,
            items: vec![Item::Question(question(
                "afraid_of",
                QuestionKind::MultipleChoice {
                    choices: choices(&["dark", "adult", "dog"]),
                },
                &["adult"],
            ))],
        }),
    ]);
    let mut answers = Answers::new();
    answers.insert("bullied".to_owned(), AnswerValue::Choice("no".to_owned()));
    answers.insert("hurt".to_owned(), AnswerValue::YesNo(false));
    answers.insert("safe".to_owned(), AnswerValue::Smiley(0));
    let mut place = Answers::new();
    place.insert(
        "afraid_of".to_owned(),
        AnswerValue::Choices(vec!["dark".to_owned()]),
    );
    answers.insert(
        "places".to_owned(),
        AnswerValue::Repeat(vec![place.clone()]),
    );
    assert!(
        possible_disclosures(&survey, &answers).is_empty(),
        "\"I don't know\" and unmarked answers are no disclosure"
    );

    answers.insert("hurt".to_owned(), AnswerValue::YesNo(true));
    answers.insert("safe".to_owned(), AnswerValue::Smiley(1));
    let mut frightened = place.clone();
    frightened.insert(
        "afraid_of".to_owned(),
        AnswerValue::Choices(vec!["dog".to_owned(), "adult".to_owned()]),
    );
    answers.insert(
        "places".to_owned(),
        AnswerValue::Repeat(vec![place, frightened.clone(), frightened]),
    );
    assert_eq!(
        possible_disclosures(&survey, &answers),
        vec!["hurt".to_owned(), "safe".to_owned(), "afraid_of".to_owned()]
    );
}

#[test]
fn a_mark_no_answer_can_take_is_refused_when_the_survey_compiles() {
    let mut wrong = bullied();
    wrong.disclosure = vec!["many_times".to_owned(), "often".to_owned()];
    let errors = check_disclosure(&wrong);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].en.contains("\"often\""), "{errors:?}");
    let text = question(
        "story",
        QuestionKind::LongText { max_length: 500 },
        &["anything"],
    );
    assert_eq!(check_disclosure(&text).len(), 1);
    let survey = survey(vec![Item::Question(wrong)]);
    assert!(crate::FormEngine::compile(&survey).is_err());
    assert!(check_disclosure(&bullied()).is_empty());
}

#[test]
fn a_referral_names_whom_it_was_made_to_once_each() {
    let made = |to: Vec<ReferredTo>| Referral {
        to,
        made_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time"),
    };
    assert!(made(Vec::new()).problem().is_some());
    assert!(made(vec![ReferredTo::Hotline, ReferredTo::Hotline])
        .problem()
        .is_some());
    assert!(made(vec![ReferredTo::WardOfficer, ReferredTo::Hotline])
        .problem()
        .is_none());
}

#[test]
fn the_guidance_is_written_in_both_languages_and_names_the_hotline() {
    let steps = guidance();
    assert!(steps.len() >= 4);
    for step in &steps {
        assert!(!step.vi.is_empty() && !step.en.is_empty());
    }
    assert!(steps
        .iter()
        .any(|step| step.vi.contains(HOTLINE) && step.en.contains(HOTLINE)));
    assert!(steps.iter().any(|step| step.en.contains("Do not promise")));
    // A referral serialises without anything about the child.
    let referral = Referral {
        to: vec![ReferredTo::WardOfficer],
        made_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time"),
    };
    let json = serde_json::to_value(&referral).expect("serialises");
    let keys: Vec<&String> = json.as_object().expect("an object").keys().collect();
    assert_eq!(keys, vec!["made_at", "to"]);
}
