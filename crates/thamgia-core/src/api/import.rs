//! `POST /surveys/import`'s refusal: an XLSForm read but not importable,
//! with every problem, sheet by sheet, row by row (422).

use serde::{Deserialize, Serialize};

use crate::localized::Localized;
use crate::protocol::ApiErrorCode;

/// One reason an XLSForm cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImportProblem {
    /// The sheet: "survey", "choices" or "settings"; empty when the problem
    /// concerns the whole file.
    pub sheet: String,
    /// The 1-based spreadsheet row (the header is row 1), as pyxform and
    /// spreadsheet programs number them.
    pub row: Option<u32>,
    /// What is wrong and what to do.
    pub message: Localized,
    /// A row Tham Gia never asks (a location, a photo, data from a file):
    /// the form imports without it when the officer agrees
    /// (`ImportQuery::trim`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trimmable: bool,
}

impl ImportProblem {
    /// A problem of `sheet` (at `row`), in Vietnamese and English.
    pub fn new(
        sheet: &str,
        row: Option<u32>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> ImportProblem {
        ImportProblem {
            sheet: sheet.to_owned(),
            row,
            message: Localized::new(vi, en),
            trimmable: false,
        }
    }
}

/// The body of a refused XLSForm import (422). It has the shape of an
/// [`ApiError`](crate::ApiError) plus the problems; its code is
/// [`ApiErrorCode::ImportRefused`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRefusedBody {
    /// [`ApiErrorCode::ImportRefused`].
    pub code: ApiErrorCode,
    /// What happened and what to do, for people.
    pub message: Localized,
    /// Every problem found, sheet by sheet, row by row.
    pub problems: Vec<ImportProblem>,
}

impl ImportRefusedBody {
    /// The refusal listing `problems`.
    pub fn new(problems: Vec<ImportProblem>) -> ImportRefusedBody {
        ImportRefusedBody {
            code: ApiErrorCode::ImportRefused,
            message: import_refused_message(problems.len()),
            problems,
        }
    }
}

/// What a refusal of `count` problems says.
pub fn import_refused_message(count: usize) -> Localized {
    Localized::new(
        format!("Không nhập được biểu mẫu: có {count} lỗi. Hãy sửa các dòng được liệt kê rồi tải tệp lên lại."),
        format!("The form was not imported: {count} problem(s). Fix the rows listed and upload the file again."),
    )
}

/// The longest file name an import takes (a file system's own limit).
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// `POST /surveys/import`'s query: what the upload cannot carry itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportQuery {
    /// The workbook's file name: a form without a `settings` sheet takes
    /// its id from it, as pyxform does.
    #[serde(default)]
    pub file_name: Option<String>,
    /// Import the form without the questions Tham Gia does not run (and
    /// what depends on them), once the officer has seen the list.
    #[serde(default)]
    pub trim: bool,
}

impl ImportQuery {
    /// Whether every part is within its bound.
    pub fn is_bounded(&self) -> bool {
        self.file_name
            .as_ref()
            .is_none_or(|name| name.chars().count() <= MAX_FILE_NAME_CHARS)
    }

    /// The query string (without `?`), empty when there is nothing to say.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(name) = &self.file_name {
            parts.push(format!("file_name={}", encode(name)));
        }
        if self.trim {
            parts.push("trim=true".to_owned());
        }
        parts.join("&")
    }
}

/// Percent-encodes `text` for a query string (everything but unreserved
/// ASCII).
fn encode(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// `POST /surveys/import`'s answer when the form is published (201).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedSurvey {
    /// The survey as stored, with its version.
    pub survey: crate::SurveyDefinition,
    /// What the workbook says that Tham Gia read but does not use (a
    /// column, an appearance, a setting, a language, a question left out
    /// with the officer's agreement), each at its sheet and row: nothing is
    /// dropped without a line saying so.
    pub warnings: Vec<ImportProblem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_travels_encoded() {
        let query = ImportQuery {
            file_name: Some("Khảo sát an toàn (2026).xlsx".to_owned()),
            trim: true,
        };
        assert_eq!(
            query.query_string(),
            "file_name=Kh%E1%BA%A3o%20s%C3%A1t%20an%20to%C3%A0n%20%282026%29.xlsx&trim=true"
        );
        assert!(query.is_bounded());
        let long = ImportQuery {
            file_name: Some("a".repeat(MAX_FILE_NAME_CHARS + 1)),
            trim: false,
        };
        assert!(!long.is_bounded());
    }
}
