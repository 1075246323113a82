//! An XLSForm workbook read as tables of trimmed text, with the column
//! headers understood: `label::English (en)` is the `label` column in
//! English, plain `label` is the form's default language.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use thamgia_core::{Language, Localized};

use super::limits::{Exceeded, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES};
use super::{package, ImportProblem};

/// The sheets an XLSForm is made of; any other sheet is ignored.
#[derive(Debug)]
pub(super) struct Workbook {
    pub survey: Option<Table>,
    pub choices: Option<Table>,
    pub settings: Option<Table>,
    /// The name of a workbook's only sheet, read as its survey sheet (as
    /// pyxform reads it) though it is not named so.
    pub survey_named: Option<String>,
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
#[derive(Debug, Clone)]
pub(super) struct TableRow {
    /// The 1-based spreadsheet row, as a spreadsheet program shows it.
    pub number: u32,
    /// The cells holding text, by column index, in column order.
    cells: Vec<(usize, String)>,
}

impl TableRow {
    /// The same row with every `from` in its cells replaced by `to` (a
    /// `begin loop` row's `%(label)s` made each option's label).
    pub(super) fn replaced(&self, replacements: &[(&str, &str)]) -> TableRow {
        TableRow {
            number: self.number,
            cells: self
                .cells
                .iter()
                .map(|(column, text)| {
                    let mut text = text.clone();
                    for (from, to) in replacements {
                        text = text.replace(from, to);
                    }
                    (*column, text)
                })
                .collect(),
        }
    }

    /// The row with each cell that `change` gives a new text for (by its
    /// column's base name and its text) changed.
    pub(super) fn changed(
        &self,
        table: &Table,
        mut change: impl FnMut(&str, &str) -> Option<String>,
    ) -> TableRow {
        TableRow {
            number: self.number,
            cells: self
                .cells
                .iter()
                .map(|(column, text)| {
                    let base = table
                        .columns
                        .get(*column)
                        .map_or("", |column| column.base.as_str());
                    (*column, change(base, text).unwrap_or_else(|| text.clone()))
                })
                .collect(),
        }
    }

    /// The text of the cell in column `index` of the table, or "".
    fn cell(&self, index: usize) -> &str {
        self.cells
            .binary_search_by_key(&index, |(column, _)| *column)
            .map_or("", |found| self.cells[found].1.as_str())
    }
}

#[derive(Debug)]
struct Column {
    /// The header as written, trimmed.
    header: String,
    /// The part before `::`, lowercased: `label`, `type`, ….
    base: String,
    language: ColumnLanguage,
    /// The language's name as the header writes it after `::`, trimmed
    /// (`Français (fr)`); empty for an untranslated column.
    language_name: String,
}

/// Which language a column is written in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnLanguage {
    /// No `::language` suffix: the form's default language.
    Default,
    /// A language Tham Gia shows.
    Known(Language),
    /// Another language: the worker may pick it for the form, and it
    /// stands in when the text has no Vietnamese (a form in one language
    /// shows that language).
    Other,
}

/// The language of a form's untranslated columns (`label`, `hint`, …), as
/// its settings name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DefaultLanguage {
    /// Vietnamese or English.
    Known(Language),
    /// Another language, by the name the settings give it.
    Other(String),
}

/// Columns whose text is in a language: the only ones pyxform also reads
/// with a single colon (`label:English`).
const TRANSLATABLE: &[&str] = &[
    "label",
    "hint",
    "guidance_hint",
    "constraint_message",
    "required_message",
    "description",
    "image",
    "audio",
    "video",
    "media",
];

/// The translatable columns a worker reads on the tablet.
const SHOWN: &[&str] = &[
    "label",
    "hint",
    "guidance_hint",
    "constraint_message",
    "required_message",
    "description",
];

/// A translatable text as read: both languages (Vietnamese standing in
/// from another language when it has none), and whether the sheet has a
/// Vietnamese column for it that this row leaves empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Translated {
    pub text: Localized,
    /// The sheet has Vietnamese for this column, but not on this row:
    /// another language stands in.
    pub no_vietnamese: bool,
}

/// Opens the workbook and reads the three XLSForm sheets (their names
/// compared without regard to case), within the limits of
/// [`super::limits`]: the package is checked before the reader opens it,
/// and each sheet is read cell by cell, never as a table sized from the
/// sheet's own claims.
pub(super) fn read_workbook(bytes: &[u8]) -> Result<Workbook, ImportProblem> {
    package::check(bytes)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|error| {
        let error = package::short(&error.to_string());
        package::unreadable_file(&error, &error)
    })?;
    let sheet_names = workbook.sheet_names();
    let mut budget = Budget::default();
    // A workbook of one sheet is its survey, whatever its name.
    let only_sheet = match sheet_names.as_slice() {
        [only] if !only.trim().eq_ignore_ascii_case("survey") => Some(only.clone()),
        _ => None,
    };
    let mut read = |wanted: &'static str| -> Result<Option<Table>, ImportProblem> {
        let named = sheet_names
            .iter()
            .find(|name| name.trim().eq_ignore_ascii_case(wanted));
        let Some(actual) = named.or(only_sheet.as_ref().filter(|_| wanted == "survey")) else {
            return Ok(None);
        };
        let unreadable = |error: XlsxError| {
            let error = package::short(&error.to_string());
            ImportProblem::new(
                wanted,
                None,
                format!("Không đọc được trang \"{wanted}\": {error}. Hãy lưu lại tệp bằng Excel rồi thử lại."),
                format!("The \"{wanted}\" sheet cannot be read: {error}. Save the file again with Excel and retry."),
            )
        };
        let mut cells = match workbook.worksheet_cells_reader(actual) {
            Ok(cells) => cells,
            // A chart sheet, say: nothing to read, as the reader's own range.
            Err(XlsxError::NotAWorksheet(_)) => return Ok(Some(Table::from_cells(Vec::new()))),
            Err(error) => return Err(unreadable(error)),
        };
        let mut placed = Vec::new();
        while let Some(cell) = cells.next_cell().map_err(unreadable)? {
            if let Some(cell) = budget.take(wanted, cell.get_position(), cell.get_value())? {
                placed.push(cell);
            }
        }
        Ok(Some(Table::from_cells(placed)))
    };
    Ok(Workbook {
        survey: read("survey")?,
        choices: read("choices")?,
        settings: read("settings")?,
        survey_named: only_sheet,
    })
}

/// What the sheets read so far have used of [`MAX_CELLS`] and [`MAX_TEXT_BYTES`].
#[derive(Debug, Default)]
struct Budget {
    cells: usize,
    text_bytes: usize,
}

/// A cell that holds something, as read: 0-based position and trimmed text.
#[derive(Debug)]
struct PlacedCell {
    row: u32,
    column: u32,
    text: String,
}

impl Budget {
    /// The cell at `position` of `sheet` as text, or `None` when it holds
    /// nothing; refused when it lies beyond the last row or column, or goes
    /// past the cells or text left. Checked before its text is copied.
    fn take(
        &mut self,
        sheet: &str,
        (row, column): (u32, u32),
        value: &DataRef<'_>,
    ) -> Result<Option<PlacedCell>, ImportProblem> {
        // The reader's own range leaves out cells without a value (a
        // formatted empty cell), so they cost nothing here either.
        if matches!(value, DataRef::Empty) {
            return Ok(None);
        }
        let cell = (row, column);
        if row >= MAX_ROWS {
            return Err(Exceeded::Rows { sheet, cell }.problem());
        }
        if column >= MAX_COLUMNS {
            return Err(Exceeded::Columns { sheet, cell }.problem());
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(Exceeded::Cells { sheet }.problem());
        }
        let text = match value {
            DataRef::String(text) => Cow::Borrowed(text.trim()),
            DataRef::SharedString(text) => Cow::Borrowed(text.trim()),
            // A date cell reads as pyxform reads it ("1900-01-01 00:00:00"),
            // not as the day count Excel keeps.
            DataRef::DateTime(date) if date.is_datetime() => {
                let (year, month, day, hour, minute, second, _) = date.to_ymd_hms_milli();
                Cow::Owned(format!(
                    "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
                ))
            }
            // A TRUE or FALSE cell (typed, or a formula's value) reads as
            // Excel shows it, as pyxform reads it.
            DataRef::Bool(true) => Cow::Borrowed("TRUE"),
            DataRef::Bool(false) => Cow::Borrowed("FALSE"),
            // f64's Display never uses an exponent and drops a zero fraction,
            // so a version typed as 2025070101 reads back as "2025070101".
            other => Cow::Owned(Data::from(other.clone()).to_string().trim().to_owned()),
        };
        self.text_bytes = self.text_bytes.saturating_add(text.len());
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(Exceeded::Text { sheet }.problem());
        }
        Ok(Some(PlacedCell {
            row,
            column,
            text: text.into_owned(),
        }))
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
    /// The table the cells make, read as the reader's own range reads: the
    /// header is the first row holding anything, columns run from the first
    /// to the last column holding anything, and a later cell at the same
    /// place wins. Only cells with text are kept, so what is allocated
    /// grows with the cells, never with the sheet's span.
    fn from_cells(mut cells: Vec<PlacedCell>) -> Table {
        let (Some(first_row), Some(first_column), Some(last_column)) = (
            cells.iter().map(|cell| cell.row).min(),
            cells.iter().map(|cell| cell.column).min(),
            cells.iter().map(|cell| cell.column).max(),
        ) else {
            return Table {
                header_row: 1,
                columns: Vec::new(),
                rows: Vec::new(),
            };
        };
        // Stable: cells at the same place stay in sheet order, the last wins.
        cells.sort_by_key(|cell| (cell.row, cell.column));
        let mut rows: Vec<TableRow> = Vec::new();
        let mut header = vec![String::new(); (last_column - first_column) as usize + 1];
        let mut cells = cells.into_iter().peekable();
        while let Some(cell) = cells.next() {
            if cells
                .peek()
                .is_some_and(|next| (next.row, next.column) == (cell.row, cell.column))
            {
                continue;
            }
            let index = (cell.column - first_column) as usize;
            if cell.row == first_row {
                header[index] = cell.text;
                continue;
            }
            if cell.text.is_empty() {
                continue;
            }
            let number = cell.row + 1;
            match rows.last_mut() {
                Some(row) if row.number == number => row.cells.push((index, cell.text)),
                _ => rows.push(TableRow {
                    number,
                    cells: vec![(index, cell.text)],
                }),
            }
        }
        let columns = header
            .into_iter()
            .map(|header| {
                let named = |language: &str| {
                    language_named(language).map_or(ColumnLanguage::Other, ColumnLanguage::Known)
                };
                let (base, language, language_name) = match header.split_once("::") {
                    Some((base, language)) => (base, named(language), language.trim()),
                    // pyxform also reads `label:English`.
                    None => match header.split_once(':') {
                        Some((base, language))
                            if TRANSLATABLE.contains(&base.trim().to_lowercase().as_str()) =>
                        {
                            (base, named(language), language.trim())
                        }
                        _ => (header.as_str(), ColumnLanguage::Default, ""),
                    },
                };
                Column {
                    base: base.trim().to_lowercase(),
                    language_name: language_name.to_owned(),
                    header: header.clone(),
                    language,
                }
            })
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
            .map(|(index, _)| row.cell(index))
            .find(|text| !text.is_empty())
            .unwrap_or("")
    }

    /// A translatable column (`label`, `hint`, …) in Vietnamese and English,
    /// and in each of the form's `languages` the worker may pick.
    /// An untranslated column counts as `default_language`; a column in a
    /// named language wins over it. A text with no Vietnamese shows its
    /// other language instead (the form's default, then English, then any
    /// other), as a form in one language is shown in that language.
    pub fn translated(
        &self,
        row: &TableRow,
        base: &str,
        default_language: &DefaultLanguage,
        languages: &[String],
    ) -> Translated {
        let mut found = Localized::default();
        let mut default_other = "";
        let mut other = "";
        let mut has_vietnamese = false;
        for named_first in [true, false] {
            for (index, column) in self.columns.iter().enumerate() {
                if column.base != base {
                    continue;
                }
                let text = row.cell(index);
                let mut pickable = |name: &str| {
                    if !text.is_empty() && languages.iter().any(|language| language == name) {
                        found
                            .others
                            .entry(name.to_owned())
                            .or_insert_with(|| text.to_owned());
                    }
                };
                let language = match (column.language, named_first, default_language) {
                    (ColumnLanguage::Known(language), true, _) => language,
                    (ColumnLanguage::Default, false, DefaultLanguage::Known(language)) => *language,
                    (ColumnLanguage::Default, false, DefaultLanguage::Other(name)) => {
                        pickable(name);
                        if default_other.is_empty() {
                            default_other = text;
                        }
                        continue;
                    }
                    (ColumnLanguage::Other, true, _) => {
                        pickable(&column.language_name);
                        if other.is_empty() {
                            other = text;
                        }
                        continue;
                    }
                    _ => continue,
                };
                has_vietnamese |= language == Language::Vi;
                let slot = match language {
                    Language::Vi => &mut found.vi,
                    Language::En => &mut found.en,
                };
                if slot.is_empty() {
                    *slot = text.to_owned();
                }
            }
        }
        let mut no_vietnamese = false;
        if found.vi.is_empty() {
            let stand_in = [default_other, found.en.as_str(), other]
                .into_iter()
                .find(|text| !text.is_empty())
                .unwrap_or("")
                .to_owned();
            no_vietnamese = has_vietnamese && !stand_in.is_empty();
            found.vi = stand_in;
        }
        Translated {
            text: found,
            no_vietnamese,
        }
    }

    /// Every filled cell of `row` with its column's header and base name.
    pub fn filled<'a>(
        &'a self,
        row: &'a TableRow,
    ) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> + 'a {
        self.columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                (
                    column.header.as_str(),
                    column.base.as_str(),
                    row.cell(index),
                )
            })
            .filter(|(_, _, text)| !text.is_empty())
    }

    /// The languages of the sheet's shown texts (labels, hints, messages)
    /// beside Vietnamese and English, by name, in column order: the
    /// untranslated columns' when the settings name another language, then
    /// every `::language` that is neither.
    pub fn other_languages(&self, default_language: &DefaultLanguage) -> Vec<String> {
        let mut languages: Vec<String> = Vec::new();
        for column in self
            .columns
            .iter()
            .filter(|column| SHOWN.contains(&column.base.as_str()))
        {
            let name = match (column.language, default_language) {
                (ColumnLanguage::Other, _) => column.language_name.as_str(),
                (ColumnLanguage::Default, DefaultLanguage::Other(name)) => name.as_str(),
                _ => continue,
            };
            if !name.is_empty() && !languages.iter().any(|known| known == name) {
                languages.push(name.to_owned());
            }
        }
        languages
    }

    /// Whether a shown text of the sheet is in Vietnamese or English.
    pub fn has_known_language(&self, default_language: &DefaultLanguage) -> bool {
        self.columns.iter().any(|column| {
            SHOWN.contains(&column.base.as_str())
                && match column.language {
                    ColumnLanguage::Known(_) => true,
                    ColumnLanguage::Default => {
                        matches!(default_language, DefaultLanguage::Known(_))
                    }
                    ColumnLanguage::Other => false,
                }
        })
    }
}
