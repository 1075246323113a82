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
    if let Some(problem) = response
        .referral
        .as_ref()
        .and_then(crate::response::Referral::problem)
    {
        issues.push(ValidationIssue::general(&problem.vi, &problem.en));
    }

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

    for (key, order) in &response.shown_orders {
        let name = key.split('@').next().unwrap_or(key);
        let fits = survey.question(name).is_some_and(|question| {
            question.randomize.is_some()
                && crate::survey::is_order_of(order, question.kind.choices())
        });
        if !fits {
            let name = crate::limits::quoted(name);
            issues.push(ValidationIssue::at(
                &name,
                &[],
                Localized::new(
                    format!("Thứ tự hiện các lựa chọn của \"{name}\" không khớp với câu hỏi."),
                    format!("The order the options of \"{name}\" were shown in does not fit the question."),
                ),
            ));
        }
    }
    let state = engine.evaluate_all(&response.answers, today);
    if mode == ValidationMode::Complete {
        let mut counted: Vec<(&crate::form::NodeKey, usize)> = engine
            .repeat_counts(&state)
            .filter(|(key, _)| engine.is_relevant(&state, key))
            .collect();
        crate::sorting::sort(&mut counted);
        for (key, count) in counted {
            let made = engine.instance_count(&response.answers, key.node, &key.instance);
            if made != count {
                issues.push(ValidationIssue::at(
                    engine.name(key.node),
                    &key.instance,
                    if made > count {
                        Localized::new(
                            format!("Câu trả lời trước cho biết có {count} lần lặp, đang có {made}. Hãy xoá những lần thừa."),
                            format!("An earlier answer says there are {count} instances; there are {made}. Remove the extra ones."),
                        )
                    } else {
                        Localized::new(
                            format!("Câu trả lời trước cho biết có {count} lần lặp, mới có {made}."),
                            format!("An earlier answer says there are {count} instances; there are only {made}."),
                        )
                    },
                ));
            }
        }
    }
    for (key, _, _) in engine.question_instances(&response.answers) {
        let required = engine.is_required(&state, &key);
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
                } else if engine.answer_not_offered(&state, &key) {
                    issues.push(ValidationIssue::at(
                        name,
                        &key.instance,
                        not_offered_message(),
                    ));
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
                        required_message(question),
                    ));
                }
            }
        }
    }
    issues
}

/// The message shown when an answer is an option that a cascading list
/// (`choice_filter`) no longer offers, because an earlier answer changed.
pub fn not_offered_message() -> Localized {
    Localized::new(
        "Lựa chọn này không còn phù hợp với câu trả lời trước đó. Hãy chọn lại.",
        "This option no longer fits an earlier answer. Choose again.",
    )
}

/// The message shown when a required question is left unanswered: the
/// form's own (`required_message`), else the app's.
pub fn required_message(question: &Question) -> Localized {
    question.required_message.clone().unwrap_or_else(|| {
        Localized::new(
            "Câu hỏi này bắt buộc trả lời.",
            "This question needs an answer.",
        )
    })
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
        (
            QuestionKind::Range {
                dont_know: true, ..
            },
            AnswerValue::DontKnow,
        ) => None,
        (
            QuestionKind::Range {
                start, end, step, ..
            },
            AnswerValue::Number(number),
        ) => {
            let points = crate::survey::range_points(*start, *end, *step).unwrap_or_default();
            let on_scale = points
                .iter()
                .any(|point| (point - number).abs() <= step * 1e-6);
            (!on_scale).then(|| {
                Localized::new(
                    format!("Hãy chọn một điểm của thang từ {start} đến {end}, bước {step}."),
                    format!(
                        "Choose a point of the scale from {start} to {end} in steps of {step}."
                    ),
                )
            })
        }
        (QuestionKind::Time, AnswerValue::Text(text)) => (!crate::survey::is_time(text))
            .then(|| Localized::new("Hãy nhập giờ, ví dụ 14:30.", "Enter a time, such as 14:30.")),
        (QuestionKind::DateTime, AnswerValue::Text(text)) => (!crate::survey::is_date_time(text))
            .then(|| {
                Localized::new(
                    "Hãy nhập ngày và giờ, ví dụ 2026-12-05T14:30.",
                    "Enter a date and a time, such as 2026-12-05T14:30.",
                )
            }),
        (QuestionKind::Acknowledge, AnswerValue::Choice(value)) => {
            (value != crate::survey::ACKNOWLEDGED).then(|| {
                Localized::new(
                    format!("Câu này chỉ nhận \"{}\".", crate::survey::ACKNOWLEDGED),
                    format!(
                        "This question only takes \"{}\".",
                        crate::survey::ACKNOWLEDGED
                    ),
                )
            })
        }
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
            crate::sorting::sort(&mut expected);
            crate::sorting::sort(&mut given);
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
        (
            QuestionKind::Smiley {
                points, dont_know, ..
            },
            AnswerValue::Smiley(face),
        ) => {
            if (1..=*points).contains(face) || (*dont_know && *face == 0) {
                None
            } else {
                localized(
                    format!("Hãy chọn một khuôn mặt từ 1 đến {points}."),
                    format!("Choose a face from 1 to {points}."),
                )
            }
        }
        (QuestionKind::Rating { points, dont_know }, AnswerValue::Rating(rating)) => {
            if (1..=*points).contains(rating) || (*dont_know && *rating == 0) {
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
mod tests;
