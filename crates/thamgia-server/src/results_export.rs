//! A survey's published results as a spreadsheet (XLSX, what town halls
//! open; CSV beside it): one sheet of figures, question by question, and one
//! of the children's words. Only published figures leave: a count under k
//! is written "< k", a hidden one "—", exactly as the results page shows
//! them (`thamgia_core::results::suppression`).

use rust_xlsxwriter::{Format, Workbook};
use thamgia_core::results::suppression::Shown;
use thamgia_core::results::{PublishedDistribution, PublishedResults};
use thamgia_core::Localized;

use crate::csv_export::CsvExport;
use crate::error::ServerError;

/// One cell of the export.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Words.
    Text(String),
    /// A count of children.
    Count(u64),
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    fn shown(shown: Shown) -> Cell {
        match shown {
            Shown::Count(count) => Cell::Count(count),
            Shown::Under(k) => Cell::Text(format!("< {k}")),
            Shown::Hidden => Cell::text("—"),
        }
    }

    fn as_text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Count(count) => count.to_string(),
        }
    }
}

/// What the figures are of, as written above them.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// The ward's name, or the whole city.
    pub place: Localized,
    /// The period, or all time.
    pub period: Localized,
}

/// The figures sheet: a heading, then per question its answered, skipped
/// and not-asked counts and one row per answer.
pub fn figure_rows(results: &PublishedResults, scope: &Scope) -> Vec<Vec<Cell>> {
    let k = results.threshold.k();
    let mut rows = vec![
        vec![
            Cell::text(results.title.vi.clone()),
            Cell::text(results.title.en.clone()),
        ],
        vec![
            Cell::text(format!("{} · {}", scope.place.vi, scope.period.vi)),
            Cell::text(format!("{} · {}", scope.place.en, scope.period.en)),
        ],
        vec![
            Cell::text(format!(
                "Số dưới {k} trẻ em ghi “< {k}”; “—” là số được ẩn để không suy ra được."
            )),
            Cell::text(format!(
                "Counts of fewer than {k} children read “< {k}”; “—” is hidden so that none can be worked out."
            )),
        ],
        vec![
            Cell::text("Số trẻ em tham gia / Children who took part"),
            Cell::shown(results.respondents),
        ],
        Vec::new(),
        vec![
            Cell::text("Mã câu hỏi / Question id"),
            Cell::text("Câu hỏi"),
            Cell::text("Question"),
            Cell::text("Câu trả lời"),
            Cell::text("Answer"),
            Cell::text("Số trẻ em / Children"),
        ],
    ];
    for question in &results.questions {
        let row = |vi: &str, en: &str, count: Cell| {
            vec![
                Cell::text(question.question_id.clone()),
                Cell::text(question.label.vi.clone()),
                Cell::text(question.label.en.clone()),
                Cell::text(vi),
                Cell::text(en),
                count,
            ]
        };
        rows.push(row(
            "(đã trả lời)",
            "(answered)",
            Cell::shown(question.answered),
        ));
        rows.push(row("(bỏ qua)", "(skipped)", Cell::shown(question.skipped)));
        rows.push(row(
            "(không được hỏi)",
            "(not asked)",
            Cell::shown(question.not_asked),
        ));
        for (label, count) in answers(&question.distribution) {
            rows.push(row(&label.vi, &label.en, Cell::shown(count)));
        }
    }
    rows
}

/// Each answer's label and published count, in the order shown (a
/// ranking's option counts the children who ranked it first).
fn answers(distribution: &PublishedDistribution) -> Vec<(Localized, Shown)> {
    let ranking = matches!(distribution, PublishedDistribution::Ranking { .. });
    distribution
        .answer_counts()
        .into_iter()
        .map(|(category, shown)| {
            let label = if ranking {
                Localized::new(
                    format!("{} (xếp thứ nhất)", category.label.vi),
                    format!("{} (ranked first)", category.label.en),
                )
            } else {
                category.label
            };
            (label, shown)
        })
        .collect()
}

/// The words sheet: every free-text answer with its question.
pub fn word_rows(results: &PublishedResults) -> Vec<Vec<Cell>> {
    let mut rows = vec![vec![
        Cell::text("Mã câu hỏi / Question id"),
        Cell::text("Câu hỏi"),
        Cell::text("Question"),
        Cell::text("Ý kiến của trẻ em / The child's words"),
    ]];
    for question in &results.questions {
        if let PublishedDistribution::FreeText { answers } = &question.distribution {
            for answer in answers {
                rows.push(vec![
                    Cell::text(question.question_id.clone()),
                    Cell::text(question.label.vi.clone()),
                    Cell::text(question.label.en.clone()),
                    Cell::text(answer.text.clone()),
                ]);
            }
        }
    }
    rows
}

/// The results as an .xlsx workbook: "Kết quả" (figures) and "Ý kiến"
/// (words). Cells are written as strings or numbers, never formulas.
pub fn results_xlsx(results: &PublishedResults, scope: &Scope) -> Result<Vec<u8>, ServerError> {
    let failed = |error: rust_xlsxwriter::XlsxError| ServerError::Internal(error.to_string());
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, rows) in [
        ("Kết quả", figure_rows(results, scope)),
        ("Ý kiến", word_rows(results)),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(failed)?;
        for (row_index, row) in rows.iter().enumerate() {
            let row_number = u32::try_from(row_index)
                .map_err(|error| ServerError::Internal(error.to_string()))?;
            for (column_index, cell) in row.iter().enumerate() {
                let column = u16::try_from(column_index)
                    .map_err(|error| ServerError::Internal(error.to_string()))?;
                match cell {
                    Cell::Text(text) if row_index == 0 => {
                        sheet
                            .write_string_with_format(row_number, column, text, &bold)
                            .map_err(failed)?;
                    }
                    Cell::Text(text) => {
                        sheet
                            .write_string(row_number, column, text)
                            .map_err(failed)?;
                    }
                    Cell::Count(count) => {
                        sheet
                            .write_number(row_number, column, *count as f64)
                            .map_err(failed)?;
                    }
                }
            }
        }
        sheet.autofit();
    }
    workbook.save_to_buffer().map_err(failed)
}

/// The figures as CSV (the words are in the XLSX).
pub fn results_csv(results: &PublishedResults, scope: &Scope) -> Result<String, ServerError> {
    let mut export = CsvExport::new();
    let rows = figure_rows(results, scope);
    // Every record of a CSV file has the same number of fields.
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in rows {
        let mut cells: Vec<String> = row.iter().map(Cell::as_text).collect();
        cells.resize(width, String::new());
        export.row(cells)?;
    }
    export.finish()
}

#[cfg(test)]
mod tests {
    use thamgia_core::results::suppression::Threshold;
    use thamgia_core::results::{publish_results, survey_results, ResultsFilter};

    use super::*;

    #[test]
    fn the_demo_survey_s_results_make_a_workbook() {
        let survey = crate::seed::demo_survey().expect("the demo survey");
        let at = chrono::Utc::now();
        let responses: Vec<_> = (0..12)
            .map(|n| {
                crate::seed::sample_response(&survey, uuid::Uuid::from_u128(n), n as usize, at)
            })
            .collect();
        let results = publish_results(
            &survey_results(&[survey], &responses, &ResultsFilter::default()),
            Threshold::default(),
        );
        let scope = Scope {
            place: Localized::new("Toàn thành phố", "Whole city"),
            period: Localized::new("Mọi thời gian", "All time"),
        };
        let bytes = results_xlsx(&results, &scope).unwrap_or_else(|error| panic!("{error}"));
        assert!(bytes.starts_with(b"PK"), "a zip package");
        let csv = results_csv(&results, &scope).unwrap_or_else(|error| panic!("{error}"));
        assert!(csv.lines().count() > 10);
    }
}
