//! XLSForm import: a survey written in a spreadsheet, the format of ODK,
//! KoboToolbox and SurveyCTO, becomes a [`SurveyDefinition`].
//!
//! The import is faithful or it is refused. Anything Tham Gia cannot honour
//! on a tablet (a question type, an appearance, an XPath function, a column
//! that changes behaviour) is a problem at its spreadsheet row, and every
//! problem is reported at once, so an author fixes the sheet in one pass.
//! Expressions are checked by compiling the whole survey with
//! [`FormEngine::compile`], the same code that runs them on the tablet.
//!
//! The reading of the sheets is checked against pyxform, the reference
//! converter, by `tests/xlsform.rs` (see `tools/xlsform/README.md`).
//!
//! A workbook is a zip archive that can claim any size; [`limits`] bounds
//! every dimension before anything is allocated from it, so a hostile file
//! is refused like any other unreadable one (`tests/hostile_workbooks.rs`).
//!
//! The parts, in the order a workbook is read: `package` checks the zip
//! archive, `sheet` reads the sheets into tables, `settings` reads the
//! settings and choices sheets, `row_type` says what a survey row's `type`
//! cell asks for and which columns are refused, and `survey` reads the
//! survey sheet into items. This file runs them in turn and reports every
//! problem found, sorted by sheet and row.

pub mod limits;
mod package;
mod row_type;
mod settings;
mod sheet;
mod survey;

use std::collections::{HashMap, HashSet};

use thamgia_core::{FormEngine, FormError, SurveyDefinition};

use survey::SurveyReader;

/// A survey read from an XLSForm.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedForm {
    /// The survey, with `version` 0: the caller assigns the version.
    pub survey: SurveyDefinition,
    /// The settings sheet's `version`, as written.
    pub form_version: Option<String>,
}

pub use thamgia_core::api::import::ImportProblem;

/// The problems found so far.
#[derive(Debug, Default)]
struct Problems(Vec<ImportProblem>);

impl Problems {
    fn add(&mut self, sheet: &str, row: Option<u32>, vi: impl Into<String>, en: impl Into<String>) {
        self.0.push(ImportProblem::new(sheet, row, vi, en));
    }

    /// Every problem once, the whole file first, then sheet by sheet, row by row.
    fn into_sorted(self) -> Vec<ImportProblem> {
        let sheet_rank = |sheet: &str| match sheet {
            "" => 0,
            "survey" => 1,
            "choices" => 2,
            "settings" => 3,
            _ => 4,
        };
        let mut problems = self.0;
        problems.sort_by_key(|problem| (sheet_rank(&problem.sheet), problem.row));
        let mut seen = HashSet::new();
        problems.retain(|problem| seen.insert(problem.clone()));
        problems
    }
}

/// Reads an XLSForm (.xlsx) into a survey, or lists every problem found.
pub fn import_xlsform(bytes: &[u8]) -> Result<ImportedForm, Vec<ImportProblem>> {
    let workbook = sheet::read_workbook(bytes).map_err(|problem| vec![problem])?;
    let mut problems = Problems::default();
    let settings = settings::read_settings(workbook.settings.as_ref(), &mut problems);
    let lists = settings::read_choices(
        workbook.choices.as_ref(),
        settings.default_language,
        &mut problems,
    );
    let mut reader = SurveyReader {
        lists: &lists,
        default_language: settings.default_language,
        problems: &mut problems,
        names: HashMap::new(),
        engine_names: HashMap::new(),
        open: Vec::new(),
        items: Vec::new(),
    };
    match &workbook.survey {
        Some(table) => reader.read(table),
        None => reader.problems.add(
            "survey",
            None,
            "Tệp không có trang \"survey\". Hãy đặt các câu hỏi vào một trang tên là survey.",
            "The file has no \"survey\" sheet. Put the questions on a sheet named survey.",
        ),
    }
    let SurveyReader {
        items,
        engine_names,
        ..
    } = reader;
    let survey = SurveyDefinition {
        id: settings.id,
        version: 0,
        title: settings.title,
        description: settings.description,
        age_bands: settings.age_bands,
        layout: settings.layout,
        items,
    };
    // Compiled even when other problems were found: the author gets the
    // expression problems in the same answer.
    if let Err(errors) = FormEngine::compile(&survey) {
        for error in errors {
            report_form_error(&error, &engine_names, &mut problems);
        }
    }
    let problems = problems.into_sorted();
    if problems.is_empty() {
        Ok(ImportedForm {
            survey,
            form_version: settings.form_version,
        })
    } else {
        Err(problems)
    }
}

/// Where a name given to the form engine came from.
#[derive(Debug)]
struct RowOfName {
    row: u32,
    /// The name as the author wrote it (the engine may know it under a
    /// stand-in name when it was missing or a duplicate).
    written: String,
}

/// Maps a form engine error back to the row of the item it names. A cycle
/// names several items, "a, b, c": each of their rows gets the problem.
fn report_form_error(
    error: &FormError,
    engine_names: &HashMap<String, RowOfName>,
    problems: &mut Problems,
) {
    let named: Vec<&RowOfName> = match engine_names.get(&error.item) {
        Some(origin) => vec![origin],
        None => error
            .item
            .split(", ")
            .filter_map(|name| engine_names.get(name))
            .collect(),
    };
    if named.is_empty() {
        problems.add(
            "survey",
            None,
            format!("{}: {}", error.item, error.message.vi),
            format!("{}: {}", error.item, error.message.en),
        );
    }
    for origin in named {
        problems.add(
            "survey",
            Some(origin.row),
            format!("{}: {}", origin.written, error.message.vi),
            format!("{}: {}", origin.written, error.message.en),
        );
    }
}
