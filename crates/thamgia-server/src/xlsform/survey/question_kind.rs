//! The kind of question a survey row asks: its `type` (and for text its
//! appearance) made into a [`QuestionKind`], with the choice list a choice
//! question names and the scale a `range` row describes checked.

use thamgia_core::{Choice, QuestionKind};

use super::SurveyReader;
use crate::xlsform::row_type::RowType;
use crate::xlsform::sheet::{Table, TableRow};

/// Longest answer to a one-line text question.
pub(super) const SHORT_TEXT_MAX_LENGTH: u32 = 2000;
/// The value of the choice `or_other` adds, as pyxform names it.
pub(super) const OTHER: &str = "other";

/// Longest answer to a `multiline` text question.
const LONG_TEXT_MAX_LENGTH: u32 = 4000;

impl SurveyReader<'_> {
    /// The kind of a question row, or `None` (problem reported) when Tham
    /// Gia cannot ask it.
    pub(super) fn question_kind(
        &mut self,
        table: &Table,
        row: &TableRow,
        row_type: &RowType<'_>,
        appearance: &str,
    ) -> Option<QuestionKind> {
        let number = row.number;
        let kind = match row_type {
            RowType::Text if appearance.split_whitespace().any(|a| a == "multiline") => {
                QuestionKind::LongText {
                    max_length: LONG_TEXT_MAX_LENGTH,
                }
            }
            RowType::Text | RowType::Phone => QuestionKind::ShortText {
                max_length: SHORT_TEXT_MAX_LENGTH,
            },
            RowType::Integer => QuestionKind::Number {
                min: None,
                max: None,
                integer: true,
            },
            RowType::Decimal => QuestionKind::Number {
                min: None,
                max: None,
                integer: false,
            },
            RowType::Date => QuestionKind::Date,
            RowType::Note => QuestionKind::Note,
            RowType::Calculate => {
                let calculation = table.text(row, &["calculation", "calculate"]);
                if calculation.is_empty() {
                    self.problem(
                        number,
                        "Dòng calculate thiếu công thức (cột calculation).",
                        "A calculate row needs a formula (calculation column).",
                    );
                    return None;
                }
                QuestionKind::Calculate {
                    calculation: calculation.to_owned(),
                }
            }
            RowType::Range => QuestionKind::Rating {
                points: self.range_points(number, table.text(row, &["parameters"]))?,
            },
            RowType::SelectOne(list) => QuestionKind::SingleChoice {
                choices: self.choices(number, list)?,
            },
            RowType::SelectMultiple(list) => QuestionKind::MultipleChoice {
                choices: self.choices(number, list)?,
            },
            RowType::Rank(list) => QuestionKind::Ranking {
                choices: self.choices(number, list)?,
            },
            RowType::Unsupported(_)
            | RowType::Skipped
            | RowType::Begin { .. }
            | RowType::End { .. } => return None,
        };
        Some(kind)
    }

    /// The options of a choice question: the list must exist and hold at least one.
    fn choices(&mut self, number: u32, written: &str) -> Option<Vec<Choice>> {
        let mut words = written.split_whitespace();
        let list = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        // `or_other` (and pyxform's older `or specify other`): an "Other"
        // choice, and a text question asked when it is chosen.
        let or_other = matches!(rest.as_slice(), ["or_other"] | ["or", "specify", "other"]);
        if or_other {
            self.other_wanted = true;
        } else if let Some(extra) = rest.first() {
            self.problem(
                number,
                format!("\"{extra}\" sau tên danh sách không hiểu được. Chỉ có thể ghi \"or_other\" ở đó."),
                format!("\"{extra}\" after the list name is not understood. Only \"or_other\" may follow it."),
            );
        }
        if list.is_empty() {
            self.problem(
                number,
                "Thiếu tên danh sách lựa chọn sau loại câu hỏi, ví dụ \"select_one yes_no\".",
                "The choice list's name is missing after the type, for example \"select_one yes_no\".",
            );
            return None;
        }
        match self.lists.get(list) {
            None => {
                self.problem(
                    number,
                    format!("Không có danh sách lựa chọn \"{list}\" trong trang choices."),
                    format!("There is no choice list \"{list}\" on the choices sheet."),
                );
                None
            }
            Some(choices) if choices.is_empty() => {
                self.problem(
                    number,
                    format!("Danh sách lựa chọn \"{list}\" không có lựa chọn dùng được nào."),
                    format!("The choice list \"{list}\" has no usable choice."),
                );
                None
            }
            Some(choices) => {
                let mut choices = choices.clone();
                if or_other && !choices.iter().any(|choice| choice.value == OTHER) {
                    choices.push(Choice {
                        value: OTHER.to_owned(),
                        label: thamgia_core::Localized::new("Khác", "Other"),
                    });
                }
                Some(choices)
            }
        }
    }

    /// A `range` row: Tham Gia shows a rating from 1 to N, N from 3 to 10.
    fn range_points(&mut self, number: u32, parameters: &str) -> Option<u8> {
        // XLSForm's defaults for a range without parameters.
        let (mut start, mut end, mut step) = (1.0, 10.0, 1.0);
        let mut understood = true;
        for pair in parameters
            .split([' ', ';', ','])
            .filter(|pair| !pair.is_empty())
        {
            let parsed = pair.split_once('=').and_then(|(key, value)| {
                Some((
                    key.trim().to_ascii_lowercase(),
                    value.trim().parse::<f64>().ok()?,
                ))
            });
            match parsed {
                Some((key, value)) if key == "start" => start = value,
                Some((key, value)) if key == "end" => end = value,
                Some((key, value)) if key == "step" => step = value,
                _ => understood = false,
            }
        }
        let points = (understood
            && start == 1.0
            && step == 1.0
            && end.fract() == 0.0
            && (3.0..=10.0).contains(&end))
        .then_some(end as u8);
        if points.is_none() {
            self.problem(
                number,
                format!("Thang điểm \"{parameters}\" chưa được hỗ trợ: Tham Gia chỉ có thang từ 1 đến 3…10, bước 1. Hãy ghi ví dụ \"start=1 end=5 step=1\"."),
                format!("The range \"{parameters}\" is not supported: Tham Gia only has scales from 1 to 3…10 in steps of 1. Write for example \"start=1 end=5 step=1\"."),
            );
        }
        points
    }
}
