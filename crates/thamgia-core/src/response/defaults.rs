//! The answers a new response starts with: each question's XLSForm
//! `default`, a value written out (`5`, `2026-01-01`, a choice's name,
//! `a b` for several choices) or an expression evaluated once when the
//! response starts (`today()`, anything with a call or a `${name}`, which
//! reads as empty since nothing is answered yet). A worker changes a
//! default like any answer. Questions inside repeats start empty.

use chrono::NaiveDate;

use crate::expression::{EvaluationContext, Expression, Value};
use crate::localized::Localized;
use crate::response::{AnswerValue, Answers};
use crate::survey::{Item, Question, QuestionKind, SurveyDefinition};
use crate::validation::check_answer;

/// Whether a `default` is an expression rather than a value written out.
pub fn is_dynamic(default: &str) -> bool {
    default.contains('(') || default.contains("${")
}

/// Nothing answered yet, on `today`.
struct Starting(NaiveDate);

impl EvaluationContext for Starting {
    fn value_of(&self, _name: &str) -> Value {
        Value::Empty
    }

    fn current_value(&self) -> Value {
        Value::Empty
    }

    fn today(&self) -> NaiveDate {
        self.0
    }
}

/// A value written out, read as an answer of `kind`.
fn written(kind: &QuestionKind, text: &str) -> Option<AnswerValue> {
    let text = text.trim();
    let whole = |text: &str| text.parse::<u8>().ok();
    Some(match kind {
        QuestionKind::ShortText { .. } | QuestionKind::LongText { .. } => {
            AnswerValue::Text(text.to_owned())
        }
        QuestionKind::Number { .. } | QuestionKind::Range { .. } => {
            AnswerValue::Number(text.parse().ok()?)
        }
        // A spreadsheet's date cell reads as "2026-01-01 00:00:00".
        QuestionKind::Date => AnswerValue::Date(
            NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()?,
        ),
        QuestionKind::Time if crate::survey::is_time(text) => AnswerValue::Text(text.to_owned()),
        QuestionKind::DateTime if crate::survey::is_date_time(text) => {
            AnswerValue::Text(text.to_owned())
        }
        QuestionKind::Time | QuestionKind::DateTime => return None,
        QuestionKind::SingleChoice { .. } | QuestionKind::Acknowledge => {
            AnswerValue::Choice(text.to_owned())
        }
        QuestionKind::MultipleChoice { .. } => {
            AnswerValue::Choices(text.split_whitespace().map(str::to_owned).collect())
        }
        QuestionKind::Ranking { .. } => {
            AnswerValue::Ranking(text.split_whitespace().map(str::to_owned).collect())
        }
        QuestionKind::YesNo => match text.to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => AnswerValue::YesNo(true),
            "no" | "false" | "0" => AnswerValue::YesNo(false),
            _ => return None,
        },
        QuestionKind::Smiley { .. } => AnswerValue::Smiley(whole(text)?),
        QuestionKind::Rating { .. } => AnswerValue::Rating(whole(text)?),
        QuestionKind::Note | QuestionKind::Calculate { .. } => return None,
    })
}

/// The answer `question` starts with on `today`: `Ok(None)` without a
/// default (or when an expression gives nothing), an error saying why when
/// the default is not an answer the question takes.
pub fn default_answer(
    question: &Question,
    today: NaiveDate,
) -> Result<Option<AnswerValue>, Localized> {
    let Some(default) = question
        .default
        .as_deref()
        .filter(|text| !text.trim().is_empty())
    else {
        return Ok(None);
    };
    let not_an_answer = || {
        Localized::new(
            format!("Giá trị mặc định \"{default}\" không phải một câu trả lời của câu hỏi này."),
            format!("The default \"{default}\" is not an answer this question takes."),
        )
    };
    let answer = if is_dynamic(default) {
        let expression = Expression::parse(default).map_err(|error| error.message)?;
        match expression.evaluate(&Starting(today)) {
            Value::Empty => return Ok(None),
            Value::Date(date) if question.kind == QuestionKind::Date => AnswerValue::Date(date),
            Value::Number(number)
                if matches!(
                    question.kind,
                    QuestionKind::Number { .. } | QuestionKind::Range { .. }
                ) =>
            {
                AnswerValue::Number(number)
            }
            value => written(&question.kind, &value.to_text()).ok_or_else(not_an_answer)?,
        }
    } else {
        written(&question.kind, default).ok_or_else(not_an_answer)?
    };
    match check_answer(question, &answer) {
        None => Ok(Some(answer)),
        Some(_) => Err(not_an_answer()),
    }
}

/// The answers a new response to `survey` starts with on `today`: every
/// question's default that is an answer it takes (questions in repeats
/// start empty).
pub fn starting_answers(survey: &SurveyDefinition, today: NaiveDate) -> Answers {
    fn walk(items: &[Item], today: NaiveDate, into: &mut Answers) {
        for item in items {
            match item {
                Item::Question(question) => {
                    if let Ok(Some(answer)) = default_answer(question, today) {
                        into.insert(question.id.clone(), answer);
                    }
                }
                Item::Group(group) => walk(&group.items, today, into),
                Item::Repeat(_) => {}
            }
        }
    }
    let mut answers = Answers::new();
    walk(&survey.items, today, &mut answers);
    answers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::Choice;

    fn question(kind: QuestionKind, default: &str) -> Question {
        Question {
            id: "q".to_owned(),
            label: Localized::new("Câu hỏi", "Question"),
            kind,
            default: Some(default.to_owned()),
            ..Question::default()
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn defaults_written_out_are_read_by_kind() {
        let today = day("2026-12-05");
        let number = QuestionKind::Number {
            min: None,
            max: None,
            integer: true,
        };
        assert_eq!(
            default_answer(&question(number.clone(), "10"), today),
            Ok(Some(AnswerValue::Number(10.0)))
        );
        assert!(default_answer(&question(number, "ten"), today).is_err());
        assert_eq!(
            default_answer(&question(QuestionKind::Date, "1900-01-01 00:00:00"), today),
            Ok(Some(AnswerValue::Date(day("1900-01-01"))))
        );
        let choices = vec![
            Choice::new("yard", Localized::new("Sân", "Yard")),
            Choice::new("park", Localized::new("Công viên", "Park")),
        ];
        let single = QuestionKind::SingleChoice {
            choices: choices.clone(),
        };
        assert_eq!(
            default_answer(&question(single.clone(), "park"), today),
            Ok(Some(AnswerValue::Choice("park".to_owned())))
        );
        assert!(
            default_answer(&question(single, "street"), today).is_err(),
            "not a choice"
        );
        assert!(default_answer(
            &question(
                QuestionKind::Rating {
                    points: 10,
                    dont_know: false
                },
                "11"
            ),
            today
        )
        .is_err());
    }

    #[test]
    fn an_expression_is_evaluated_when_the_response_starts() {
        let today = day("2026-12-05");
        assert_eq!(
            default_answer(&question(QuestionKind::Date, "today()"), today),
            Ok(Some(AnswerValue::Date(today)))
        );
        let text = QuestionKind::ShortText { max_length: 100 };
        // Nothing is answered yet: a reference reads as empty.
        assert_eq!(
            default_answer(&question(text.clone(), "${name}"), today),
            Ok(None)
        );
        assert!(default_answer(&question(text, "concat("), today).is_err());
    }

    #[test]
    fn a_survey_starts_with_its_defaults_outside_repeats() {
        let mut survey = SurveyDefinition {
            id: "visits".to_owned(),
            version: 1,
            title: Localized::new("Thăm hộ", "Visits"),
            description: Localized::default(),
            age_bands: crate::response::AgeBand::ALL.to_vec(),
            layout: crate::survey::Layout::OneQuestionPerScreen,
            form_version: None,
            languages: Vec::new(),
            instance_name: None,
            items: Vec::new(),
        };
        let date = question(QuestionKind::Date, "today()");
        survey.items.push(Item::Question(Question {
            id: "visit_day".to_owned(),
            ..date.clone()
        }));
        survey.items.push(Item::Repeat(crate::survey::Group {
            id: "children".to_owned(),
            label: Localized::new("Trẻ", "Children"),
            relevant: None,
            repeat_count: None,
            field_list: false,
            items: vec![Item::Question(Question {
                id: "born".to_owned(),
                ..date
            })],
        }));
        let answers = starting_answers(&survey, day("2026-12-05"));
        assert_eq!(
            answers.get("visit_day"),
            Some(&AnswerValue::Date(day("2026-12-05")))
        );
        assert!(!answers.contains_key("born"));
    }
}
