//! Checks a response against its survey, with messages in both languages.
//!
//! The same rules run on the tablet (to guide the worker) and on the server
//! (which refuses what breaks them), so the two can never disagree. Answers
//! are checked through the [`FormEngine`]: required and constraint apply only
//! to questions that are asked (relevant), in every repeat instance.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::form::FormEngine;
use crate::localized::Localized;
use crate::response::{AnswerValue, Response, ResponseStatus};
use crate::survey::{Question, QuestionKind, SurveyDefinition};

/// How strict to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationMode {
    /// A draft: answers must fit their questions, but missing ones are fine.
    Draft,
    /// A completed response: consent and every required answer must be there.
    Complete,
}

/// One problem found, attached to a question when it concerns one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationIssue {
    /// The question concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_id: Option<String>,
    /// For a question inside repeats: the instance indexes, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance: Vec<usize>,
    /// What is wrong and what to do, in both languages.
    pub message: Localized,
}

impl ValidationIssue {
    fn general(vi: &str, en: &str) -> ValidationIssue {
        ValidationIssue {
            question_id: None,
            instance: Vec::new(),
            message: Localized::new(vi, en),
        }
    }

    fn at(question_id: &str, instance: &[usize], message: Localized) -> ValidationIssue {
        ValidationIssue {
            question_id: Some(question_id.to_owned()),
            instance: instance.to_vec(),
            message,
        }
    }
}

/// Checks `response` against `survey`. An empty list means the response is
/// valid. `today` is the date expressions see as `today()`.
///
/// In [`ValidationMode::Complete`] the response's own status is ignored: the
/// check says whether it *may* be completed. A response whose status is
/// `Completed` is always checked in complete mode.
pub fn validate_response(
    survey: &SurveyDefinition,
    response: &Response,
    mode: ValidationMode,
    today: NaiveDate,
) -> Vec<ValidationIssue> {
    match FormEngine::compile(survey) {
        Ok(engine) => validate_with(&engine, survey, response, mode, today),
        Err(errors) => errors
            .into_iter()
            .map(|error| ValidationIssue {
                question_id: Some(error.item),
                instance: Vec::new(),
                message: error.message,
            })
            .collect(),
    }
}

/// [`validate_response`] with a survey already compiled.
pub fn validate_with(
    engine: &FormEngine,
    survey: &SurveyDefinition,
    response: &Response,
    mode: ValidationMode,
    today: NaiveDate,
) -> Vec<ValidationIssue> {
    let mode = if response.status == ResponseStatus::Completed {
        ValidationMode::Complete
    } else {
        mode
    };
    let mut issues = Vec::new();

    if response.survey_id != survey.id || response.survey_version != survey.version {
        issues.push(ValidationIssue::general(
            "Phiếu trả lời không thuộc phiên bản khảo sát này.",
            "This response does not belong to this survey version.",
        ));
        return issues;
    }
    if response.status == ResponseStatus::Withdrawn {
        if !response.answers.is_empty() {
            issues.push(ValidationIssue::general(
                "Phiếu đã rút lại sự đồng ý không được giữ câu trả lời.",
                "A response whose consent was withdrawn cannot keep answers.",
            ));
        }
        return issues;
    }
    if response.ward_code.trim().is_empty() {
        issues.push(ValidationIssue::general(
            "Chưa chọn phường/xã. Hãy chọn phường/xã ở trang chủ.",
            "No ward or commune is chosen. Choose one on the home page.",
        ));
    }

    check_participant_and_consent(survey, response, mode, &mut issues);

    for (name, instance) in engine.unknown_answers(&response.answers) {
        // The name is the client's: only a short prefix is quoted back.
        let name = crate::limits::quoted(&name);
        issues.push(ValidationIssue::at(
            &name,
            &instance,
            Localized::new(
                format!("Câu hỏi \"{name}\" không có trong khảo sát."),
                format!("Question \"{name}\" is not in the survey."),
            ),
        ));
    }

    let state = engine.evaluate_all(&response.answers, today);
    for (key, _, required) in engine.question_instances(&response.answers) {
        let name = engine.name(key.node);
        let Some(question) = survey.question(name) else {
            continue;
        };
        let relevant = engine.is_relevant(&state, &key);
        match engine.answer(&response.answers, &key) {
            Some(answer) => {
                if !relevant {
                    if mode == ValidationMode::Complete && question.kind.takes_answer() {
                        issues.push(ValidationIssue::at(
                            name,
                            &key.instance,
                            Localized::new(
                                "Câu hỏi này không được hỏi nên không được có câu trả lời.",
                                "This question is not asked, so it cannot have an answer.",
                            ),
                        ));
                    }
                    continue;
                }
                if let Some(message) = check_answer(question, answer) {
                    issues.push(ValidationIssue::at(name, &key.instance, message));
                } else if engine.breaks_constraint(&state, &key) {
                    issues.push(ValidationIssue::at(
                        name,
                        &key.instance,
                        constraint_message(question),
                    ));
                }
            }
            None => {
                if mode == ValidationMode::Complete
                    && required
                    && relevant
                    && question.kind.takes_answer()
                {
                    issues.push(ValidationIssue::at(
                        name,
                        &key.instance,
                        Localized::new(
                            "Câu hỏi này bắt buộc trả lời.",
                            "This question needs an answer.",
                        ),
                    ));
                }
            }
        }
    }
    issues
}

/// The message shown when an answer breaks its question's constraint.
pub fn constraint_message(question: &Question) -> Localized {
    question.constraint_message.clone().unwrap_or_else(|| {
        Localized::new(
            "Câu trả lời này không hợp lệ. Hãy kiểm tra lại.",
            "This answer is not accepted. Check it again.",
        )
    })
}

fn check_participant_and_consent(
    survey: &SurveyDefinition,
    response: &Response,
    mode: ValidationMode,
    issues: &mut Vec<ValidationIssue>,
) {
    let has_answers = !response.answers.is_empty();
    let must_have_consent = has_answers || mode == ValidationMode::Complete;
    match response.participant.age_band {
        None if must_have_consent => issues.push(ValidationIssue::general(
            "Hãy chọn độ tuổi của trẻ trước khi hỏi.",
            "Choose the child's age band before asking any question.",
        )),
        None => {}
        Some(age_band) => {
            if !survey.age_bands.is_empty() && !survey.age_bands.contains(&age_band) {
                issues.push(ValidationIssue::general(
                    "Khảo sát này không dành cho độ tuổi đã chọn.",
                    "This survey is not meant for the chosen age band.",
                ));
            }
            if must_have_consent && !response.consent.is_sufficient_for(age_band) {
                issues.push(if age_band.needs_child_assent() {
                    ValidationIssue::general(
                        "Cần có sự đồng ý của trẻ và của cha mẹ hoặc người giám hộ trước khi hỏi.",
                        "The child's assent and a parent's or guardian's consent are needed before any question.",
                    )
                } else {
                    ValidationIssue::general(
                        "Cần có sự đồng ý của cha mẹ hoặc người giám hộ trước khi hỏi.",
                        "A parent's or guardian's consent is needed before any question.",
                    )
                });
            }
        }
    }
    if mode == ValidationMode::Complete && response.participant.sex.is_none() {
        issues.push(ValidationIssue::general(
            "Hãy chọn giới tính (có thể chọn \"Không muốn nói\").",
            "Choose the child's sex (\"Prefer not to say\" is an option).",
        ));
    }
}

fn localized(vi: impl Into<String>, en: impl Into<String>) -> Option<Localized> {
    Some(Localized::new(vi, en))
}

/// Checks one answer against its question's kind; `None` when it fits.
pub fn check_answer(question: &Question, answer: &AnswerValue) -> Option<Localized> {
    let in_choices = |value: &String| {
        question
            .kind
            .choices()
            .iter()
            .any(|choice| &choice.value == value)
    };
    match (&question.kind, answer) {
        (
            QuestionKind::ShortText { max_length } | QuestionKind::LongText { max_length },
            AnswerValue::Text(text),
        ) => {
            let length = text.chars().count();
            if length > *max_length as usize {
                localized(
                    format!("Tối đa {max_length} ký tự (hiện có {length})."),
                    format!("At most {max_length} characters (now {length})."),
                )
            } else if text.trim().is_empty() {
                localized("Câu trả lời đang trống.", "The answer is empty.")
            } else {
                None
            }
        }
        (QuestionKind::Number { min, max, integer }, AnswerValue::Number(number)) => {
            if !number.is_finite() {
                return localized("Hãy nhập một số.", "Enter a number.");
            }
            if *integer && number.fract() != 0.0 {
                return localized("Hãy nhập một số nguyên.", "Enter a whole number.");
            }
            let below = min.is_some_and(|min| *number < min);
            let above = max.is_some_and(|max| *number > max);
            if below || above {
                localized(
                    format!("Hãy nhập một số {}.", range_text(*min, *max, "từ", "đến")),
                    format!("Enter a number {}.", range_text(*min, *max, "from", "to")),
                )
            } else {
                None
            }
        }
        (QuestionKind::Date, AnswerValue::Date(_)) => None,
        (QuestionKind::SingleChoice { .. }, AnswerValue::Choice(value)) => {
            if in_choices(value) {
                None
            } else {
                localized(
                    "Lựa chọn không có trong danh sách.",
                    "That option is not in the list.",
                )
            }
        }
        (QuestionKind::MultipleChoice { .. }, AnswerValue::Choices(values)) => {
            let mut seen = std::collections::HashSet::new();
            if values.is_empty() {
                localized(
                    "Hãy chọn ít nhất một lựa chọn.",
                    "Choose at least one option.",
                )
            } else if !values
                .iter()
                .all(|value| in_choices(value) && seen.insert(value))
            {
                localized(
                    "Lựa chọn không có trong danh sách.",
                    "That option is not in the list.",
                )
            } else {
                None
            }
        }
        (QuestionKind::Ranking { choices }, AnswerValue::Ranking(values)) => {
            let mut expected: Vec<&String> = choices.iter().map(|choice| &choice.value).collect();
            let mut given: Vec<&String> = values.iter().collect();
            expected.sort();
            given.sort();
            if expected == given {
                None
            } else {
                localized(
                    "Hãy xếp hạng tất cả các lựa chọn, mỗi lựa chọn một lần.",
                    "Rank every option, each once.",
                )
            }
        }
        (QuestionKind::YesNo, AnswerValue::YesNo(_)) => None,
        (QuestionKind::Smiley { points }, AnswerValue::Smiley(face)) => {
            if (1..=*points).contains(face) {
                None
            } else {
                localized(
                    format!("Hãy chọn một khuôn mặt từ 1 đến {points}."),
                    format!("Choose a face from 1 to {points}."),
                )
            }
        }
        (QuestionKind::Rating { points }, AnswerValue::Rating(rating)) => {
            if (1..=*points).contains(rating) {
                None
            } else {
                localized(
                    format!("Hãy chọn từ 1 đến {points}."),
                    format!("Choose from 1 to {points}."),
                )
            }
        }
        (
            QuestionKind::Calculate { .. },
            AnswerValue::Text(_) | AnswerValue::Number(_) | AnswerValue::Date(_),
        ) => None,
        _ => localized(
            "Kiểu câu trả lời không đúng với câu hỏi.",
            "The answer is not of the kind this question takes.",
        ),
    }
}

fn range_text(min: Option<f64>, max: Option<f64>, from: &str, to: &str) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{from} {min} {to} {max}"),
        (Some(min), None) => format!("{from} {min}"),
        (None, Some(max)) => format!("{to} {max}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::response::{AgeBand, Consent, ConsentMethod, ConsentRecord, Sex};
    use crate::survey::{Choice, Group, Item, Layout};

    fn question(id: &str, required: bool, kind: QuestionKind) -> Question {
        Question {
            id: id.to_owned(),
            label: Localized::new(format!("{id} (vi)"), format!("{id} (en)")),
            hint: None,
            required,
            kind,
            relevant: None,
            constraint: None,
            constraint_message: None,
        }
    }

    fn choices(values: &[&str]) -> Vec<Choice> {
        values
            .iter()
            .map(|value| Choice {
                value: (*value).to_owned(),
                label: Localized::new(*value, *value),
            })
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
                Item::Question(question("feel", false, QuestionKind::Smiley { points: 5 })),
                Item::Question(question(
                    "say",
                    false,
                    QuestionKind::ShortText { max_length: 5 },
                )),
                Item::Repeat(Group {
                    id: "activity".to_owned(),
                    label: Localized::new("Hoạt động", "Activity"),
                    relevant: None,
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

    fn check(
        response: &Response,
        mode: ValidationMode,
        expected: &[(Option<&str>, &[usize], &str)],
    ) {
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
}
