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
        let filter = table.text(row, &["choice_filter"]);
        if !filter.is_empty()
            && !matches!(
                row_type,
                RowType::SelectOne(_) | RowType::SelectMultiple(_) | RowType::Rank(_)
            )
        {
            self.problem(
                number,
                "Chỉ câu hỏi chọn từ danh sách mới dùng được cột choice_filter.",
                "Only a question that chooses from a list can use the choice_filter column.",
            );
        }
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
            RowType::Time => QuestionKind::Time,
            RowType::DateTime => QuestionKind::DateTime,
            RowType::Acknowledge => QuestionKind::Acknowledge,
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
            RowType::Range => self.range_kind(number, table.text(row, &["parameters"]))?,
            RowType::SelectOne(list) => QuestionKind::SingleChoice {
                choices: self.choices(number, list, filter)?,
            },
            RowType::SelectMultiple(list) => QuestionKind::MultipleChoice {
                choices: self.choices(number, list, filter)?,
            },
            RowType::Rank(list) => QuestionKind::Ranking {
                choices: self.choices(number, list, filter)?,
            },
            RowType::Unsupported(_)
            | RowType::Skipped
            | RowType::Begin { .. }
            | RowType::End { .. } => return None,
        };
        Some(kind)
    }

    /// The options of a choice question: the list must exist and hold at
    /// least one. Each keeps the extra columns its `filter` reads, no other.
    fn choices(&mut self, number: u32, written: &str, filter: &str) -> Option<Vec<Choice>> {
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
                // A filter that does not parse is reported with the form's
                // other expression problems; its choices keep nothing.
                let read: Vec<String> = (!filter.is_empty())
                    .then(|| thamgia_core::expression::Expression::parse_choice_filter(filter).ok())
                    .flatten()
                    .map(|filter| filter.choice_columns().to_vec())
                    .unwrap_or_default();
                let mut choices = choices.clone();
                for choice in &mut choices {
                    choice.columns.retain(|column, _| read.contains(column));
                }
                if or_other && !choices.iter().any(|choice| choice.value == OTHER) {
                    choices.push(Choice::new(
                        OTHER,
                        thamgia_core::Localized::new("Khác", "Other"),
                    ));
                }
                Some(choices)
            }
        }
    }

    /// A `range` row: a rating of stars for the usual 1…N (N from 3 to
    /// 10, steps of 1), else a scale of any start, end and step; either
    /// offers "I don't know / I'd rather not say" too.
    fn range_kind(&mut self, number: u32, parameters: &str) -> Option<QuestionKind> {
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
        if understood
            && start == 1.0
            && step == 1.0
            && end.fract() == 0.0
            && (3.0..=10.0).contains(&end)
        {
            // A child may always say "I don't know" (or rather not say).
            return Some(QuestionKind::Rating {
                points: end as u8,
                dont_know: true,
            });
        }
        if understood && thamgia_core::survey::range_points(start, end, step).is_some() {
            return Some(QuestionKind::Range {
                start,
                end,
                step,
                dont_know: true,
            });
        }
        self.problem(
            number,
            format!("Thang điểm \"{parameters}\" không đọc được: hãy ghi start, end và step (lớn hơn 0), ví dụ \"start=0 end=10 step=1\", với tối đa {} điểm.", thamgia_core::survey::MAX_RANGE_POINTS),
            format!("The range \"{parameters}\" cannot be read: write start, end and step (above 0), for example \"start=0 end=10 step=1\", with at most {} points.", thamgia_core::survey::MAX_RANGE_POINTS),
        );
        None
    }
}
