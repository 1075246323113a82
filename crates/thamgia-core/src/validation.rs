//! Checks a response against its survey, with messages in both languages.
//!
//! The same rules run on the tablet (to guide the worker) and on the server
//! (which refuses what breaks them), so the two can never disagree.

use serde::{Deserialize, Serialize};

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
    /// What is wrong and what to do, in both languages.
    pub message: Localized,
}

impl ValidationIssue {
    fn general(vi: &str, en: &str) -> ValidationIssue {
        ValidationIssue {
            question_id: None,
            message: Localized::new(vi, en),
        }
    }

    fn for_question(question: &Question, vi: String, en: String) -> ValidationIssue {
        ValidationIssue {
            question_id: Some(question.id.clone()),
            message: Localized::new(vi, en),
        }
    }
}

/// Checks `response` against `survey`. An empty list means the response is valid.
///
/// In [`ValidationMode::Complete`] the response's own status is ignored: the
/// check says whether it *may* be completed. A response whose status is
/// `Completed` is always checked in complete mode.
pub fn validate_response(
    survey: &SurveyDefinition,
    response: &Response,
    mode: ValidationMode,
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
    if response.ward_code.trim().is_empty() {
        issues.push(ValidationIssue::general(
            "Chưa chọn phường/xã. Hãy chọn phường/xã ở trang chủ.",
            "No ward or commune is chosen. Choose one on the home page.",
        ));
    }

    check_participant_and_consent(survey, response, mode, &mut issues);

    for (question_id, answer) in &response.answers {
        match survey.question(question_id) {
            None => issues.push(ValidationIssue {
                question_id: Some(question_id.clone()),
                message: Localized::new(
                    format!("Câu hỏi \"{question_id}\" không có trong khảo sát."),
                    format!("Question \"{question_id}\" is not in the survey."),
                ),
            }),
            Some(question) => {
                if let Some(issue) = check_answer(question, answer) {
                    issues.push(issue);
                }
            }
        }
    }

    if mode == ValidationMode::Complete {
        for question in survey.questions.iter().filter(|question| question.required) {
            if !response.answers.contains_key(&question.id) {
                issues.push(ValidationIssue::for_question(
                    question,
                    "Câu hỏi này bắt buộc trả lời.".to_owned(),
                    "This question needs an answer.".to_owned(),
                ));
            }
        }
    }
    issues
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

/// Checks one answer against its question; `None` when it fits.
pub fn check_answer(question: &Question, answer: &AnswerValue) -> Option<ValidationIssue> {
    let wrong_type = || {
        Some(ValidationIssue::for_question(
            question,
            "Kiểu câu trả lời không đúng với câu hỏi.".to_owned(),
            "The answer is not of the kind this question takes.".to_owned(),
        ))
    };
    match (&question.kind, answer) {
        (QuestionKind::ShortText { max_length }, AnswerValue::Text(text)) => {
            let length = text.chars().count();
            if length > *max_length as usize {
                Some(ValidationIssue::for_question(
                    question,
                    format!("Tối đa {max_length} ký tự (hiện có {length})."),
                    format!("At most {max_length} characters (now {length})."),
                ))
            } else if text.trim().is_empty() {
                Some(ValidationIssue::for_question(
                    question,
                    "Câu trả lời đang trống.".to_owned(),
                    "The answer is empty.".to_owned(),
                ))
            } else {
                None
            }
        }
        (QuestionKind::Number { min, max, integer }, AnswerValue::Number(number)) => {
            if !number.is_finite() {
                return Some(ValidationIssue::for_question(
                    question,
                    "Hãy nhập một số.".to_owned(),
                    "Enter a number.".to_owned(),
                ));
            }
            if *integer && number.fract() != 0.0 {
                return Some(ValidationIssue::for_question(
                    question,
                    "Hãy nhập một số nguyên.".to_owned(),
                    "Enter a whole number.".to_owned(),
                ));
            }
            let below = min.is_some_and(|min| *number < min);
            let above = max.is_some_and(|max| *number > max);
            if below || above {
                let range_vi = range_text(*min, *max, "từ", "đến");
                let range_en = range_text(*min, *max, "from", "to");
                Some(ValidationIssue::for_question(
                    question,
                    format!("Hãy nhập một số {range_vi}."),
                    format!("Enter a number {range_en}."),
                ))
            } else {
                None
            }
        }
        (QuestionKind::SingleChoice { choices }, AnswerValue::Choice(value)) => {
            if choices.iter().any(|choice| &choice.value == value) {
                None
            } else {
                Some(ValidationIssue::for_question(
                    question,
                    "Lựa chọn không có trong danh sách.".to_owned(),
                    "That option is not in the list.".to_owned(),
                ))
            }
        }
        (QuestionKind::YesNo, AnswerValue::YesNo(_)) => None,
        (QuestionKind::Smiley { points }, AnswerValue::Smiley(face)) => {
            if (1..=*points).contains(face) {
                None
            } else {
                Some(ValidationIssue::for_question(
                    question,
                    format!("Hãy chọn một khuôn mặt từ 1 đến {points}."),
                    format!("Choose a face from 1 to {points}."),
                ))
            }
        }
        _ => wrong_type(),
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
    use crate::response::{AgeBand, Consent, Sex};
    use crate::survey::Choice;

    fn survey() -> SurveyDefinition {
        SurveyDefinition {
            id: "play".to_owned(),
            version: 2,
            title: Localized::new("Vui chơi", "Play"),
            description: Localized::default(),
            age_bands: vec![AgeBand::From7To9, AgeBand::From10To12],
            questions: vec![
                Question {
                    id: "where".to_owned(),
                    label: Localized::new("Em chơi ở đâu?", "Where do you play?"),
                    hint: None,
                    required: true,
                    kind: QuestionKind::SingleChoice {
                        choices: vec![Choice {
                            value: "yard".to_owned(),
                            label: Localized::new("Sân", "Yard"),
                        }],
                    },
                },
                Question {
                    id: "hours".to_owned(),
                    label: Localized::new("Mấy giờ?", "How many hours?"),
                    hint: None,
                    required: false,
                    kind: QuestionKind::Number {
                        min: Some(0.0),
                        max: Some(24.0),
                        integer: true,
                    },
                },
                Question {
                    id: "feel".to_owned(),
                    label: Localized::new("Em thấy thế nào?", "How do you feel?"),
                    hint: None,
                    required: false,
                    kind: QuestionKind::Smiley { points: 5 },
                },
                Question {
                    id: "say".to_owned(),
                    label: Localized::new("Em muốn nói gì?", "What would you say?"),
                    hint: None,
                    required: false,
                    kind: QuestionKind::ShortText { max_length: 5 },
                },
            ],
        }
    }

    fn response() -> Response {
        let now = Utc
            .timestamp_opt(1_700_000_000, 0)
            .single()
            .expect("valid time");
        Response::new_draft(Uuid::from_u128(7), "play", 2, "00004", now)
    }

    fn consented() -> Response {
        let mut response = response();
        response.participant.age_band = Some(AgeBand::From7To9);
        response.participant.sex = Some(Sex::Female);
        response.consent = Consent {
            child_assent: true,
            guardian_consent: true,
        };
        response
    }

    fn check(response: &Response, mode: ValidationMode, expected: &[(Option<&str>, &str)]) {
        let issues = validate_response(&survey(), response, mode);
        let got: Vec<(Option<&str>, &str)> = issues
            .iter()
            .map(|issue| (issue.question_id.as_deref(), issue.message.en.as_str()))
            .collect();
        assert_eq!(got, expected);
        for issue in &issues {
            assert!(!issue.message.vi.is_empty(), "every message has Vietnamese");
        }
    }

    #[test]
    fn an_empty_draft_is_fine() {
        check(&response(), ValidationMode::Draft, &[]);
    }

    #[test]
    fn no_answer_before_consent() {
        let mut draft = response();
        draft
            .answers
            .insert("where".to_owned(), AnswerValue::Choice("yard".to_owned()));
        check(
            &draft,
            ValidationMode::Draft,
            &[(
                None,
                "Choose the child's age band before asking any question.",
            )],
        );
        draft.participant.age_band = Some(AgeBand::From10To12);
        draft.consent.guardian_consent = true;
        check(
            &draft,
            ValidationMode::Draft,
            &[(None, "The child's assent and a parent's or guardian's consent are needed before any question.")],
        );
        draft.consent.child_assent = true;
        check(&draft, ValidationMode::Draft, &[]);
    }

    #[test]
    fn under_seven_needs_only_the_guardian() {
        assert!(Consent {
            child_assent: false,
            guardian_consent: true
        }
        .is_sufficient_for(AgeBand::Under7));
        assert!(!Consent {
            child_assent: true,
            guardian_consent: false
        }
        .is_sufficient_for(AgeBand::Under7));
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
                    "Choose the child's sex (\"Prefer not to say\" is an option).",
                ),
                (Some("where"), "This question needs an answer."),
            ],
        );
        complete.participant.sex = Some(Sex::NotStated);
        complete
            .answers
            .insert("where".to_owned(), AnswerValue::Choice("yard".to_owned()));
        check(&complete, ValidationMode::Complete, &[]);
    }

    #[test]
    fn completed_status_is_always_checked_strictly() {
        let mut completed = consented();
        completed.status = ResponseStatus::Completed;
        check(
            &completed,
            ValidationMode::Draft,
            &[(Some("where"), "This question needs an answer.")],
        );
    }

    #[test]
    fn answers_must_fit_their_questions() {
        let mut draft = consented();
        draft
            .answers
            .insert("hours".to_owned(), AnswerValue::Number(25.0));
        draft
            .answers
            .insert("feel".to_owned(), AnswerValue::Smiley(6));
        draft
            .answers
            .insert("say".to_owned(), AnswerValue::Text("quá dài".to_owned()));
        draft
            .answers
            .insert("where".to_owned(), AnswerValue::Choice("moon".to_owned()));
        draft
            .answers
            .insert("ghost".to_owned(), AnswerValue::YesNo(true));
        check(
            &draft,
            ValidationMode::Draft,
            &[
                (Some("feel"), "Choose a face from 1 to 5."),
                (Some("ghost"), "Question \"ghost\" is not in the survey."),
                (Some("hours"), "Enter a number from 0 to 24."),
                (Some("say"), "At most 5 characters (now 7)."),
                (Some("where"), "That option is not in the list."),
            ],
        );
        draft.answers.clear();
        draft
            .answers
            .insert("hours".to_owned(), AnswerValue::Number(1.5));
        draft
            .answers
            .insert("feel".to_owned(), AnswerValue::YesNo(true));
        check(
            &draft,
            ValidationMode::Draft,
            &[
                (
                    Some("feel"),
                    "The answer is not of the kind this question takes.",
                ),
                (Some("hours"), "Enter a whole number."),
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
            &[(None, "This survey is not meant for the chosen age band.")],
        );
    }

    #[test]
    fn responses_serialise_canonically() {
        let mut a = consented();
        a.answers
            .insert("say".to_owned(), AnswerValue::Text("a".to_owned()));
        a.answers
            .insert("hours".to_owned(), AnswerValue::Number(3.0));
        let mut b = consented();
        b.answers
            .insert("hours".to_owned(), AnswerValue::Number(3.0));
        b.answers
            .insert("say".to_owned(), AnswerValue::Text("a".to_owned()));
        let a_json = serde_json::to_string(&a).expect("serialises");
        assert_eq!(a_json, serde_json::to_string(&b).expect("serialises"));
        let back: Response = serde_json::from_str(&a_json).expect("parses");
        assert_eq!(back, a);
    }
}
