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

use sheet::DefaultLanguage;
use survey::SurveyReader;

/// A survey read from an XLSForm.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedForm {
    /// The survey, with `version` 0: the caller assigns the version.
    pub survey: SurveyDefinition,
    /// The settings sheet's `version`, as written.
    pub form_version: Option<String>,
    /// What was read but is not used, at its sheet and row.
    pub warnings: Vec<ImportProblem>,
}

/// What the upload says beside the workbook.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions<'a> {
    /// The workbook's file name: a form without settings takes its id
    /// from it (pyxform's default).
    pub file_name: Option<&'a str>,
    /// Leave out the questions Tham Gia does not run, and what depends on
    /// them, instead of refusing the form.
    pub trim: bool,
}

pub use thamgia_core::api::import::ImportProblem;

/// The problems found so far, and what was read but is not used.
#[derive(Debug, Default)]
struct Problems(Vec<ImportProblem>, Vec<ImportProblem>);

impl Problems {
    fn add(&mut self, sheet: &str, row: Option<u32>, vi: impl Into<String>, en: impl Into<String>) {
        self.0.push(ImportProblem::new(sheet, row, vi, en));
    }

    /// A problem the officer may settle by importing the form without the
    /// row (see `survey::trim`).
    fn add_trimmable(
        &mut self,
        sheet: &str,
        row: Option<u32>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) {
        let mut problem = ImportProblem::new(sheet, row, vi, en);
        problem.trimmable = true;
        self.0.push(problem);
    }

    /// Something the form says that Tham Gia reads but does not use.
    fn warn(
        &mut self,
        sheet: &str,
        row: Option<u32>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.1.push(ImportProblem::new(sheet, row, vi, en));
    }

    /// The problems and the warnings, each sorted as [`sorted`].
    fn into_sorted(self) -> (Vec<ImportProblem>, Vec<ImportProblem>) {
        (sorted(self.0), sorted(self.1))
    }
}

/// Every problem once, the whole file first, then sheet by sheet, row by row.
fn sorted(mut problems: Vec<ImportProblem>) -> Vec<ImportProblem> {
    let sheet_rank = |sheet: &str| match sheet {
        "" => 0,
        "survey" => 1,
        "choices" => 2,
        "settings" => 3,
        _ => 4,
    };
    problems.sort_by_key(|problem| (sheet_rank(&problem.sheet), problem.row));
    let mut seen = HashSet::new();
    problems.retain(|problem| seen.insert(problem.clone()));
    problems
}

/// The form's languages beside Vietnamese and English, which the worker
/// may pick while filling: every other language of the shown texts on the
/// three sheets, in the order first met. A form in one language has none
/// (that language stands in for Vietnamese). At most
/// [`MAX_FORM_LANGUAGES`]; the rest are named in a warning.
fn form_languages(
    workbook: &sheet::Workbook,
    default_language: &DefaultLanguage,
    problems: &mut Problems,
) -> Vec<String> {
    let tables = [&workbook.survey, &workbook.choices, &workbook.settings];
    let mut languages: Vec<String> = Vec::new();
    let mut known = false;
    for table in tables.into_iter().flatten() {
        known |= table.has_known_language(default_language);
        for language in table.other_languages(default_language) {
            if !languages.contains(&language) {
                languages.push(language);
            }
        }
    }
    if !known && languages.len() <= 1 {
        return Vec::new();
    }
    if languages.len() > MAX_FORM_LANGUAGES {
        let left_out = languages.split_off(MAX_FORM_LANGUAGES).join(", ");
        problems.warn(
            "survey",
            None,
            format!("Biểu mẫu có hơn {MAX_FORM_LANGUAGES} ngôn ngữ khác: {left_out} không được hiện."),
            format!("The form has more than {MAX_FORM_LANGUAGES} other languages: {left_out} are not shown."),
        );
    }
    languages
}

/// The most languages beside Vietnamese and English a form keeps for the
/// worker to pick from.
pub const MAX_FORM_LANGUAGES: usize = 8;

/// Reads an XLSForm (.xlsx) into a survey, or lists every problem found.
pub fn import_xlsform(bytes: &[u8]) -> Result<ImportedForm, Vec<ImportProblem>> {
    import_xlsform_with(bytes, ImportOptions::default())
}

/// [`import_xlsform`] with what the upload says beside the workbook.
pub fn import_xlsform_with(
    bytes: &[u8],
    options: ImportOptions<'_>,
) -> Result<ImportedForm, Vec<ImportProblem>> {
    let workbook = sheet::read_workbook(bytes).map_err(|problem| vec![problem])?;
    let mut problems = Problems::default();
    if let Some(name) = &workbook.survey_named {
        problems.warn(
            "survey",
            None,
            format!("Trang duy nhất \"{name}\" được đọc là trang survey."),
            format!("The only sheet, \"{name}\", is read as the survey sheet."),
        );
    }
    let default_language = settings::default_language(workbook.settings.as_ref());
    let languages = form_languages(&workbook, &default_language, &mut problems);
    let settings = settings::read_settings(
        workbook.settings.as_ref(),
        options.file_name,
        languages,
        &mut problems,
    );
    let lists = settings::read_choices(workbook.choices.as_ref(), &settings, &mut problems);
    let mut reader = SurveyReader {
        lists: &lists,
        default_language: settings.default_language.clone(),
        languages: &settings.languages,
        problems: &mut problems,
        names: HashMap::new(),
        name_paths: HashMap::new(),
        engine_names: HashMap::new(),
        open: Vec::new(),
        items: Vec::new(),
        other_wanted: false,
        untaken: Vec::new(),
        not_collected: Vec::new(),
    };
    match &workbook.survey {
        Some(table) => {
            reader.read(table);
            reader.settle_untaken(options.trim);
        }
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
    let mut survey = SurveyDefinition {
        id: settings.id,
        version: 0,
        title: settings.title,
        description: settings.description,
        age_bands: settings.age_bands,
        layout: settings.layout,
        form_version: settings.form_version.clone(),
        languages: settings.languages.clone(),
        instance_name: settings.instance_name.clone(),
        items,
    };
    // Compiled even when other problems were found: the author gets the
    // expression problems in the same answer.
    if let Err(errors) = FormEngine::compile(&survey) {
        for error in errors {
            if error.item == "instance_name" {
                // A response's name is presentation: it never blocks a form.
                problems.warn(
                    "settings",
                    None,
                    format!("instance_name không được dùng: {}.", error.message.vi),
                    format!("instance_name is not used: {}.", error.message.en),
                );
                survey.instance_name = None;
                continue;
            }
            report_form_error(&error, &engine_names, &mut problems);
        }
    }
    let (problems, warnings) = problems.into_sorted();
    if problems.is_empty() {
        Ok(ImportedForm {
            survey,
            form_version: settings.form_version,
            warnings,
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
