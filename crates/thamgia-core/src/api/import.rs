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
