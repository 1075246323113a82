//! A survey's published results as a spreadsheet (XLSX, what town halls
//! open; CSV beside it): one sheet of figures, question by question, one of
//! who took part and one of the children's words; and any table the page
//! shows (a question split, who took part) on its own. Only published figures leave: a count under k
//! is written "< k", a hidden one "—", exactly as the results page shows
//! them (`thamgia_core::results::suppression`).

use rust_xlsxwriter::{Format, Workbook};
use thamgia_core::results::suppression::{PublishedTable, Shown};
use thamgia_core::results::themes::PublishedThemeCounts;
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
    ];
    if results.changes_waiting > 0 {
        // The figures change in steps (core's `results::release`): say
        // what they do not show yet, as the page does.
        rows.push(vec![
            Cell::text(format!(
                "Phiếu mới hoặc thay đổi chưa được tính (số liệu thay đổi theo từng đợt ít nhất {k} phiếu) / New or changed responses not counted yet (the figures change in steps of at least {k})"
            )),
            Cell::Count(results.changes_waiting),
        ]);
    }
    rows.extend([
        Vec::new(),
        vec![
            Cell::text("Mã câu hỏi / Question id"),
            Cell::text("Câu hỏi"),
            Cell::text("Question"),
            Cell::text("Câu trả lời"),
            Cell::text("Answer"),
            Cell::text("Số trẻ em / Children"),
        ],
    ]);
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

/// A published table (a question split, who took part) as rows: what it
/// is of, the scope and the rule, then the answers down and the split
/// across, with their totals.
pub fn table_rows(
    title: &Localized,
    table: &PublishedTable,
    scope: &Scope,
    k: u64,
) -> Vec<Vec<Cell>> {
    let both = |label: &Localized| {
        if label.vi == label.en {
            label.vi.clone()
        } else {
            format!("{} / {}", label.vi, label.en)
        }
    };
    let mut rows = vec![
        vec![Cell::text(title.vi.clone()), Cell::text(title.en.clone())],
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
        Vec::new(),
    ];
    let mut head = vec![Cell::text("")];
    head.extend(
        table
            .columns
            .iter()
            .map(|column| Cell::text(both(&column.label))),
    );
    head.push(Cell::text("Tổng / Total"));
    rows.push(head);
    for ((row, cells), total) in table.rows.iter().zip(&table.cells).zip(&table.row_totals) {
        let mut line = vec![Cell::text(both(&row.label))];
        line.extend(cells.iter().map(|shown| Cell::shown(*shown)));
        line.push(Cell::shown(*total));
        rows.push(line);
    }
    let mut foot = vec![Cell::text("Tổng / Total")];
    foot.extend(table.column_totals.iter().map(|shown| Cell::shown(*shown)));
    foot.push(Cell::shown(table.total));
    rows.push(foot);
    rows
}

/// Sheets of rows as an .xlsx workbook; cells are written as strings or
/// numbers, never formulas, the first row in bold.
pub fn workbook(sheets: &[(&str, Vec<Vec<Cell>>)]) -> Result<Vec<u8>, ServerError> {
    let failed = |error: rust_xlsxwriter::XlsxError| ServerError::Internal(error.to_string());
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, rows) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).map_err(failed)?;
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

/// The themes sheet: per free-text question, each theme the children's
/// words were tagged with and its published count, then the answers not
/// yet tagged.
pub fn theme_rows(themes: &[(PublishedQuestionLabel, PublishedThemeCounts)]) -> Vec<Vec<Cell>> {
    let mut rows = vec![vec![
        Cell::text("Mã câu hỏi / Question id"),
        Cell::text("Câu hỏi"),
        Cell::text("Question"),
        Cell::text("Chủ đề / Theme"),
        Cell::text("Số ý kiến / Answers"),
    ]];
    for ((id, label), counts) in themes {
        let row = |theme: String, count: Shown| {
            vec![
                Cell::text(id.clone()),
                Cell::text(label.vi.clone()),
                Cell::text(label.en.clone()),
                Cell::text(theme),
                Cell::shown(count),
            ]
        };
        for theme in &counts.themes {
            rows.push(row(theme.label.clone(), theme.count));
        }
        rows.push(row(
            "(chưa gắn chủ đề / not yet tagged)".to_owned(),
            counts.untagged,
        ));
    }
    rows
}

/// A question as the themes sheet names it: its id and its label.
pub type PublishedQuestionLabel = (String, Localized);

/// The results as an .xlsx workbook: "Kết quả" (figures), "Ai đã tham
/// gia" (who took part, when it may be published), "Chủ đề" (the themes
/// of the children's words, when any) and "Ý kiến" (words).
pub fn results_xlsx(
    results: &PublishedResults,
    who_took_part: Option<&PublishedTable>,
    themes: &[(PublishedQuestionLabel, PublishedThemeCounts)],
    scope: &Scope,
) -> Result<Vec<u8>, ServerError> {
    let mut sheets = vec![("Kết quả", figure_rows(results, scope))];
    if let Some(table) = who_took_part {
        sheets.push((
            "Ai đã tham gia",
            table_rows(
                &Localized::new(
                    "Ai đã tham gia (độ tuổi × giới tính)",
                    "Who took part (age band × sex)",
                ),
                table,
                scope,
                results.threshold.k(),
            ),
        ));
    }
    if !themes.is_empty() {
        sheets.push(("Chủ đề", theme_rows(themes)));
    }
    sheets.push(("Ý kiến", word_rows(results)));
    workbook(&sheets)
}

/// Rows as CSV, every record as wide as the widest.
pub fn rows_csv(rows: Vec<Vec<Cell>>) -> Result<String, ServerError> {
    let mut export = CsvExport::new();
    // Every record of a CSV file has the same number of fields.
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in rows {
        let mut cells: Vec<String> = row.iter().map(Cell::as_text).collect();
        cells.resize(width, String::new());
        export.row(cells)?;
    }
    export.finish()
}

/// The figures as CSV (the words are in the XLSX).
pub fn results_csv(results: &PublishedResults, scope: &Scope) -> Result<String, ServerError> {
    rows_csv(figure_rows(results, scope))
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
        let bytes =
            results_xlsx(&results, None, &[], &scope).unwrap_or_else(|error| panic!("{error}"));
        assert!(bytes.starts_with(b"PK"), "a zip package");
        let csv = results_csv(&results, &scope).unwrap_or_else(|error| panic!("{error}"));
        assert!(csv.lines().count() > 10);
        assert!(!csv.contains("not counted yet"));
        // Changes waiting for their step are said, in both languages.
        let waiting = PublishedResults {
            changes_waiting: 3,
            ..results
        };
        let csv = results_csv(&waiting, &scope).unwrap_or_else(|error| panic!("{error}"));
        let line = csv
            .lines()
            .find(|line| line.contains("not counted yet"))
            .unwrap_or_else(|| panic!("no line of changes waiting in {csv}"));
        assert!(
            line.contains("chưa được tính") && line.contains(",3,"),
            "{line}"
        );
    }
}
