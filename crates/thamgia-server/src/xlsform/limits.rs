//! How big an XLSForm workbook may be, and the problem an author gets when
//! it is bigger.
//!
//! An .xlsx file is a zip archive of XML parts. A few kilobytes of it can
//! claim a sheet a million rows tall, a part that unpacks to gigabytes, or
//! a table of a billion texts; a reader that believes the file allocates
//! that much and the process dies (an allocation failure aborts, whatever
//! catches panics). So every dimension is checked before the memory it
//! would size is taken:
//!
//! - the package (parts, unpacked bytes of each part and of all, shared
//!   texts, styles, sheets) by [`super::package`], before the spreadsheet
//!   reader opens the file;
//! - the three sheets read (rows, columns, cells, text) by `super::sheet`,
//!   cell by cell as the reader streams them, so no table is ever sized
//!   from what a sheet declares.
//!
//! The figures leave room for any form a town hall would write: a
//! 320-question survey with labels, hints and messages in two languages and
//! a few thousand choices uses a tenth of them.

use super::ImportProblem;

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

/// Most parts (files inside the zip archive) a workbook may have. Excel
/// writes about five per sheet plus a dozen for the workbook.
pub const MAX_PARTS: usize = 500;
/// Most bytes one part may unpack to.
pub const MAX_PART_BYTES: u64 = 8 * MIB;
/// Most bytes all parts together may unpack to.
pub const MAX_PACKAGE_BYTES: u64 = 32 * MIB;
/// Most sheets a workbook may have (an XLSForm needs three).
pub const MAX_SHEETS: usize = 20;
/// Most distinct texts in the workbook's shared text table, counted and as
/// the table declares it.
pub const MAX_SHARED_STRINGS: usize = 50_000;
/// Most style records (fonts, fills, borders, number formats and cell
/// formats together): the reader copies a font and a number format into
/// every cell format. Excel's own ceiling is 64,000 cell formats; a form
/// uses a few dozen.
pub const MAX_STYLE_RECORDS: usize = 10_000;
/// Longest attributes of a font's name or of a number format, in bytes
/// (Excel allows 31 and 255 characters).
pub const MAX_STYLE_TEXT_BYTES: usize = 2_048;
/// The last spreadsheet row on which the survey, choices or settings
/// sheet may hold anything.
pub const MAX_ROWS: u32 = 5_000;
/// The last spreadsheet column (GR) in which those sheets may hold anything.
pub const MAX_COLUMNS: u32 = 200;
/// Most cells holding something in those three sheets together.
pub const MAX_CELLS: usize = 200_000;
/// Most bytes of text in those cells together (a text used by many cells
/// counts each time).
pub const MAX_TEXT_BYTES: usize = 8 * MIB as usize;

/// Longest part name quoted in a problem: the name comes from the file.
const QUOTED_NAME_CHARS: usize = 60;

/// A limit a workbook went past.
#[derive(Debug)]
pub(super) enum Exceeded<'a> {
    /// More than [`MAX_PARTS`] parts.
    Parts,
    /// A part unpacks to more than [`MAX_PART_BYTES`].
    PartBytes { part: &'a str },
    /// The parts unpack to more than [`MAX_PACKAGE_BYTES`] together.
    PackageBytes,
    /// More than [`MAX_SHEETS`] sheets.
    Sheets,
    /// More than [`MAX_SHARED_STRINGS`] shared texts.
    SharedStrings,
    /// More than [`MAX_STYLE_RECORDS`] style records.
    StyleRecords,
    /// A font name or number format longer than [`MAX_STYLE_TEXT_BYTES`].
    StyleText,
    /// A cell below row [`MAX_ROWS`]; `cell` is 0-based (row, column).
    Rows { sheet: &'a str, cell: (u32, u32) },
    /// A cell right of column [`MAX_COLUMNS`]; `cell` is 0-based.
    Columns { sheet: &'a str, cell: (u32, u32) },
    /// More than [`MAX_CELLS`] cells; `sheet` is where the count went past.
    Cells { sheet: &'a str },
    /// More than [`MAX_TEXT_BYTES`] of text; `sheet` as above.
    Text { sheet: &'a str },
}

impl Exceeded<'_> {
    /// The problem reported to the author, naming the limit in both languages.
    pub(super) fn problem(&self) -> ImportProblem {
        let (vi_parts, en_parts) = (grouped(MAX_PARTS, '.'), grouped(MAX_PARTS, ','));
        let (vi_rows, en_rows) = (
            grouped(MAX_ROWS as usize, '.'),
            grouped(MAX_ROWS as usize, ','),
        );
        let (vi_cells, en_cells) = (grouped(MAX_CELLS, '.'), grouped(MAX_CELLS, ','));
        let (vi_strings, en_strings) = (
            grouped(MAX_SHARED_STRINGS, '.'),
            grouped(MAX_SHARED_STRINGS, ','),
        );
        let (vi_styles, en_styles) = (
            grouped(MAX_STYLE_RECORDS, '.'),
            grouped(MAX_STYLE_RECORDS, ','),
        );
        let (vi_style_text, en_style_text) = (
            grouped(MAX_STYLE_TEXT_BYTES, '.'),
            grouped(MAX_STYLE_TEXT_BYTES, ','),
        );
        let part_mib = MAX_PART_BYTES / MIB;
        let package_mib = MAX_PACKAGE_BYTES / MIB;
        let text_mib = MAX_TEXT_BYTES as u64 / MIB;
        match self {
            Exceeded::Parts => ImportProblem::new(
                "",
                None,
                format!(
                    "Tệp có quá nhiều phần bên trong: tối đa {vi_parts}. Hãy chép các trang \
                     survey, choices và settings sang một bảng tính mới rồi lưu thành .xlsx."
                ),
                format!(
                    "The file holds too many parts: at most {en_parts}. Copy the survey, choices \
                     and settings sheets into a new workbook and save it as .xlsx."
                ),
            ),
            Exceeded::PartBytes { part } => {
                let part = quoted(part);
                ImportProblem::new(
                    "",
                    None,
                    format!(
                        "Phần \"{part}\" của tệp quá lớn khi giải nén: tối đa {part_mib} MiB. \
                         Hãy xoá hình ảnh hoặc dữ liệu mà biểu mẫu không cần rồi lưu lại."
                    ),
                    format!(
                        "The part \"{part}\" of the file is too large once unpacked: at most \
                         {part_mib} MiB. Remove pictures or data the form does not need and save again."
                    ),
                )
            }
            Exceeded::PackageBytes => ImportProblem::new(
                "",
                None,
                format!(
                    "Tệp quá lớn khi giải nén: tối đa {package_mib} MiB tất cả. Hãy xoá hình ảnh \
                     hoặc các trang mà biểu mẫu không cần rồi lưu lại."
                ),
                format!(
                    "The file is too large once unpacked: at most {package_mib} MiB in all. \
                     Remove pictures or sheets the form does not need and save again."
                ),
            ),
            Exceeded::Sheets => ImportProblem::new(
                "",
                None,
                format!(
                    "Tệp có quá nhiều trang tính: tối đa {MAX_SHEETS}. Hãy xoá các trang mà biểu mẫu không dùng."
                ),
                format!(
                    "The file has too many sheets: at most {MAX_SHEETS}. Delete the sheets the form does not use."
                ),
            ),
            Exceeded::SharedStrings => ImportProblem::new(
                "",
                None,
                format!("Tệp có quá nhiều đoạn văn bản khác nhau: tối đa {vi_strings}."),
                format!("The file has too many distinct texts: at most {en_strings}."),
            ),
            Exceeded::StyleRecords => ImportProblem::new(
                "",
                None,
                format!(
                    "Tệp có quá nhiều kiểu định dạng: tối đa {vi_styles}. Hãy chép các trang \
                     survey, choices và settings sang một bảng tính mới rồi lưu thành .xlsx."
                ),
                format!(
                    "The file has too many styles: at most {en_styles}. Copy the survey, choices \
                     and settings sheets into a new workbook and save it as .xlsx."
                ),
            ),
            Exceeded::StyleText => ImportProblem::new(
                "",
                None,
                format!(
                    "Tệp có một tên phông chữ hoặc định dạng số quá dài: tối đa {vi_style_text} byte. \
                     Hãy dùng phông chữ và định dạng số có sẵn của Excel."
                ),
                format!(
                    "The file has a font name or number format that is too long: at most \
                     {en_style_text} bytes. Use Excel's own fonts and number formats."
                ),
            ),
            Exceeded::Rows { sheet, cell } => {
                let cell = cell_name(*cell);
                ImportProblem::new(
                    sheet,
                    None,
                    format!(
                        "Trang tính {sheet} có quá nhiều hàng: tối đa {vi_rows} (ô {cell} có dữ liệu). \
                         Hãy xoá các hàng thừa ở cuối trang."
                    ),
                    format!(
                        "The sheet {sheet} has too many rows: at most {en_rows} (cell {cell} holds \
                         something). Delete the extra rows at the end of the sheet."
                    ),
                )
            }
            Exceeded::Columns { sheet, cell } => {
                let cell = cell_name(*cell);
                ImportProblem::new(
                    sheet,
                    None,
                    format!(
                        "Trang tính {sheet} có quá nhiều cột: tối đa {MAX_COLUMNS} (ô {cell} có dữ liệu). \
                         Hãy xoá các cột thừa ở bên phải."
                    ),
                    format!(
                        "The sheet {sheet} has too many columns: at most {MAX_COLUMNS} (cell {cell} \
                         holds something). Delete the extra columns on the right."
                    ),
                )
            }
            Exceeded::Cells { sheet } => ImportProblem::new(
                sheet,
                None,
                format!(
                    "Các trang survey, choices và settings có quá nhiều ô có dữ liệu: tối đa \
                     {vi_cells} ô tất cả."
                ),
                format!(
                    "The survey, choices and settings sheets have too many filled cells: at most \
                     {en_cells} in all."
                ),
            ),
            Exceeded::Text { sheet } => ImportProblem::new(
                sheet,
                None,
                format!(
                    "Các trang survey, choices và settings có quá nhiều chữ: tối đa {text_mib} MiB tất cả."
                ),
                format!(
                    "The survey, choices and settings sheets hold too much text: at most \
                     {text_mib} MiB in all."
                ),
            ),
        }
    }
}

/// `number` with its thousands grouped: `5.000` in Vietnamese, `5,000` in English.
fn grouped(number: usize, separator: char) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// A cell's name as a spreadsheet shows it (`XFD1048576`), from its 0-based
/// (row, column).
pub(super) fn cell_name((row, column): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut rest = u64::from(column) + 1;
    while rest > 0 {
        let digit = u8::try_from((rest - 1) % 26).expect("below 26");
        letters.push(char::from(b'A' + digit));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// A name from the file, cut short for a message.
fn quoted(name: &str) -> String {
    let mut characters = name.chars();
    let mut short: String = characters.by_ref().take(QUOTED_NAME_CHARS).collect();
    if characters.next().is_some() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(grouped(5_000, '.'), "5.000");
        assert_eq!(grouped(200_000, ','), "200,000");
        assert_eq!(grouped(1_048_576, '.'), "1.048.576");
        assert_eq!(grouped(200, ','), "200");
        assert_eq!(grouped(0, ','), "0");
    }

    #[test]
    fn cells_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(cell_name((0, 0)), "A1");
        assert_eq!(cell_name((9, 25)), "Z10");
        assert_eq!(cell_name((0, 26)), "AA1");
        assert_eq!(cell_name((4_999, 199)), "GR5000");
        assert_eq!(cell_name((1_048_575, 16_383)), "XFD1048576");
    }

    #[test]
    fn long_names_are_cut() {
        let long = "x".repeat(QUOTED_NAME_CHARS * 3);
        assert_eq!(quoted(&long).chars().count(), QUOTED_NAME_CHARS + 1);
        assert_eq!(quoted("xl/workbook.xml"), "xl/workbook.xml");
    }
}
