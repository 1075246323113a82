//! An XLSForm workbook read as tables of trimmed text, with the column
//! headers understood: `label::English (en)` is the `label` column in
//! English, plain `label` is the form's default language.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use thamgia_core::{Language, Localized};

use super::ImportProblem;

/// The sheets an XLSForm is made of; any other sheet is ignored.
#[derive(Debug)]
pub(super) struct Workbook {
    pub survey: Option<Table>,
    pub choices: Option<Table>,
    pub settings: Option<Table>,
}

/// One sheet: its header row understood, its other rows as text.
#[derive(Debug)]
pub(super) struct Table {
    /// The 1-based spreadsheet row of the header.
    pub header_row: u32,
    columns: Vec<Column>,
    /// The rows after the header that hold anything, in sheet order.
    pub rows: Vec<TableRow>,
}

/// One row of a sheet.
#[derive(Debug)]
pub(super) struct TableRow {
    /// The 1-based spreadsheet row, as a spreadsheet program shows it.
    pub number: u32,
    cells: Vec<String>,
}

#[derive(Debug)]
struct Column {
    /// The header as written, trimmed.
    header: String,
    /// The part before `::`, lowercased: `label`, `type`, ….
    base: String,
    language: ColumnLanguage,
}

/// Which language a column is written in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnLanguage {
    /// No `::language` suffix: the form's default language.
    Default,
    /// A language Tham Gia shows.
    Known(Language),
    /// Another language, which Tham Gia ignores.
    Other,
}

/// Opens the workbook and reads the three XLSForm sheets (their names
/// compared without regard to case).
pub(super) fn read_workbook(bytes: &[u8]) -> Result<Workbook, ImportProblem> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|error| {
        ImportProblem::new(
            "",
            None,
            format!(
                "Không đọc được tệp như một bảng tính Excel (.xlsx): {error}. \
                 Hãy lưu biểu mẫu dưới dạng Excel Workbook (.xlsx) rồi tải lên lại."
            ),
            format!(
                "The file cannot be read as an Excel spreadsheet (.xlsx): {error}. \
                 Save the form as an Excel Workbook (.xlsx) and upload it again."
            ),
        )
    })?;
    let sheet_names = workbook.sheet_names();
    let mut read = |wanted: &'static str| -> Result<Option<Table>, ImportProblem> {
        let Some(actual) = sheet_names
            .iter()
            .find(|name| name.trim().eq_ignore_ascii_case(wanted))
        else {
            return Ok(None);
        };
        let range = workbook.worksheet_range(actual).map_err(|error| {
            ImportProblem::new(
                wanted,
                None,
                format!("Không đọc được trang \"{wanted}\": {error}. Hãy lưu lại tệp bằng Excel rồi thử lại."),
                format!("The \"{wanted}\" sheet cannot be read: {error}. Save the file again with Excel and retry."),
            )
        })?;
        Ok(Some(Table::from_range(&range)))
    };
    Ok(Workbook {
        survey: read("survey")?,
        choices: read("choices")?,
        settings: read("settings")?,
    })
}

/// A cell as the text an author typed: numbers without a trailing `.0`,
/// booleans as `true`/`false`, surrounding spaces removed.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        // f64's Display never uses an exponent and drops a zero fraction,
        // so a version typed as 2025070101 reads back as "2025070101".
        other => other.to_string().trim().to_owned(),
    }
}

/// The language a `::` suffix names: `Vietnamese (vi)`, `vi`, `English`, ….
pub(super) fn language_named(name: &str) -> Option<Language> {
    let name = name.trim();
    let code = match (name.rfind('('), name.strip_suffix(')')) {
        (Some(open), Some(without_close)) => &without_close[open + 1..],
        _ => name,
    };
    match code.trim().to_lowercase().as_str() {
        "vi" | "vie" | "vi-vn" | "vietnamese" | "tiếng việt" => Some(Language::Vi),
        "en" | "eng" | "en-gb" | "en-us" | "english" => Some(Language::En),
        _ => None,
    }
}

impl Table {
    fn from_range(range: &Range<Data>) -> Table {
        let first_row = range.start().map_or(0, |(row, _)| row);
        let mut rows = range.rows().enumerate();
        let columns = rows
            .next()
            .map(|(_, header)| {
                header
                    .iter()
                    .map(|cell| {
                        let header = cell_text(cell);
                        let (base, language) = match header.split_once("::") {
                            Some((base, language)) => (
                                base,
                                language_named(language)
                                    .map_or(ColumnLanguage::Other, ColumnLanguage::Known),
                            ),
                            None => (header.as_str(), ColumnLanguage::Default),
                        };
                        Column {
                            base: base.trim().to_lowercase(),
                            header: header.clone(),
                            language,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rows = rows
            .map(|(index, cells)| TableRow {
                number: first_row + index as u32 + 1,
                cells: cells.iter().map(cell_text).collect(),
            })
            .filter(|row| row.cells.iter().any(|cell| !cell.is_empty()))
            .collect();
        Table {
            header_row: first_row + 1,
            columns,
            rows,
        }
    }

    /// Whether one of `bases` is a column of the sheet.
    pub fn has_column(&self, bases: &[&str]) -> bool {
        self.columns
            .iter()
            .any(|column| bases.contains(&column.base.as_str()))
    }

    /// The cell of the first untranslated column named one of `bases`
    /// (aliases, preferred first) that is not empty, or "".
    pub fn text<'a>(&self, row: &'a TableRow, bases: &[&str]) -> &'a str {
        bases
            .iter()
            .flat_map(|base| {
                self.columns.iter().enumerate().filter(move |(_, column)| {
                    column.base == *base && column.language == ColumnLanguage::Default
                })
            })
            .map(|(index, _)| row.cells.get(index).map_or("", String::as_str))
            .find(|text| !text.is_empty())
            .unwrap_or("")
    }

    /// A translatable column (`label`, `hint`, …) in Vietnamese and English.
    /// An untranslated column counts as `default_language`; a column in a
    /// named language wins over it.
    pub fn translated(&self, row: &TableRow, base: &str, default_language: Language) -> Localized {
        let mut found = Localized::default();
        for named_first in [true, false] {
            for (index, column) in self.columns.iter().enumerate() {
                if column.base != base {
                    continue;
                }
                let language = match (column.language, named_first) {
                    (ColumnLanguage::Known(language), true) => language,
                    (ColumnLanguage::Default, false) => default_language,
                    _ => continue,
                };
                let text = row.cells.get(index).map_or("", String::as_str);
                let slot = match language {
                    Language::Vi => &mut found.vi,
                    Language::En => &mut found.en,
                };
                if slot.is_empty() {
                    *slot = text.to_owned();
                }
            }
        }
        found
    }

    /// Every non-empty cell of `row` whose column `is_refused`, with the
    /// column's header as written.
    pub fn refused_cells<'a>(
        &'a self,
        row: &'a TableRow,
        is_refused: impl Fn(&str) -> bool + 'a,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.columns
            .iter()
            .enumerate()
            .filter(move |(index, column)| {
                is_refused(&column.base)
                    && row.cells.get(*index).is_some_and(|cell| !cell.is_empty())
            })
            .map(|(_, column)| column.header.as_str())
    }
}
