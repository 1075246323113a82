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

pub mod limits;
mod package;
mod settings;
mod sheet;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use thamgia_core::{
    Choice, FormEngine, FormError, Group, Item, Language, Localized, Question, QuestionKind,
    SurveyDefinition,
};

use sheet::{Table, TableRow};

/// Longest answer to a one-line text question.
const SHORT_TEXT_MAX_LENGTH: u32 = 2000;
/// Longest answer to a `multiline` text question.
const LONG_TEXT_MAX_LENGTH: u32 = 4000;

/// Appearances Tham Gia shows as the author meant (or where ignoring them
/// loses nothing a child or worker would notice).
const SUPPORTED_APPEARANCES: &[&str] = &[
    "field-list",
    "multiline",
    "likert",
    "minimal",
    "horizontal",
    "horizontal-compact",
    "compact",
];

/// Metadata types the tablet does not collect; a form that has them loses
/// nothing a child says, so they are skipped without a word.
const SKIPPED_METADATA: &[&str] = &["start", "end", "today", "deviceid", "username", "audit"];

/// A survey read from an XLSForm.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedForm {
    /// The survey, with `version` 0: the caller assigns the version.
    pub survey: SurveyDefinition,
    /// The settings sheet's `version`, as written.
    pub form_version: Option<String>,
}

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
    fn new(sheet: &str, row: Option<u32>, vi: impl Into<String>, en: impl Into<String>) -> Self {
        ImportProblem {
            sheet: sheet.to_owned(),
            row,
            message: Localized::new(vi, en),
        }
    }
}

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

/// Whether `name` is an XML name pyxform accepts for a question: a letter
/// or `_`, then letters, digits, `_`, `-` and `.`.
fn is_xml_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && characters.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// What a row's `type` cell asks for.
#[derive(Debug, PartialEq)]
enum RowType<'a> {
    /// Metadata the tablet does not collect.
    Skipped,
    Begin {
        repeat: bool,
    },
    End {
        repeat: bool,
    },
    Text,
    Integer,
    Decimal,
    Date,
    Note,
    Calculate,
    Range,
    SelectOne(&'a str),
    SelectMultiple(&'a str),
    Rank(&'a str),
    /// Any other type, named as the author wrote it.
    Unsupported(&'a str),
}

/// Reads a `type` cell, whitespace already collapsed to single spaces.
fn row_type<'a>(written: &'a str) -> RowType<'a> {
    let lower = written.to_ascii_lowercase();
    // Choices from a file or an external source: refused before the plain
    // `select_one` prefixes below could take them.
    for refused in [
        "select_one_from_file",
        "select_multiple_from_file",
        "select one from file",
        "select multiple from file",
        "select_one_external",
    ] {
        if lower == refused || lower.starts_with(&format!("{refused} ")) {
            return RowType::Unsupported(&written[..refused.len()]);
        }
    }
    /// A choice row type, made from its list name.
    type WithList<'l> = fn(&'l str) -> RowType<'l>;
    let selects: [(&str, WithList<'a>); 8] = [
        ("select_one", RowType::SelectOne),
        ("select one from", RowType::SelectOne),
        ("select one", RowType::SelectOne),
        ("select1", RowType::SelectOne),
        ("select_multiple", RowType::SelectMultiple),
        ("select all that apply from", RowType::SelectMultiple),
        ("select all that apply", RowType::SelectMultiple),
        ("rank", RowType::Rank),
    ];
    for (keyword, make) in selects {
        if lower == keyword {
            return make("");
        }
        if lower.starts_with(&format!("{keyword} ")) {
            return make(written[keyword.len() + 1..].trim());
        }
    }
    match lower.as_str() {
        "begin_group" | "begin group" => RowType::Begin { repeat: false },
        "end_group" | "end group" => RowType::End { repeat: false },
        "begin_repeat" | "begin repeat" => RowType::Begin { repeat: true },
        "end_repeat" | "end repeat" => RowType::End { repeat: true },
        "text" => RowType::Text,
        "integer" | "int" => RowType::Integer,
        "decimal" => RowType::Decimal,
        "date" => RowType::Date,
        "note" => RowType::Note,
        "calculate" => RowType::Calculate,
        "range" => RowType::Range,
        other if SKIPPED_METADATA.contains(&other) => RowType::Skipped,
        _ => RowType::Unsupported(written.split(' ').next().unwrap_or(written)),
    }
}

/// Survey-sheet columns that change how a form behaves in ways Tham Gia
/// does not: a form that uses them is refused rather than run differently.
fn is_refused_column(base: &str) -> bool {
    matches!(
        base,
        "choice_filter"
            | "repeat_count"
            | "count"
            | "jr:count"
            | "default"
            | "read_only"
            | "readonly"
            | "trigger"
            | "image"
            | "big-image"
            | "audio"
            | "video"
            | "media"
            | "body"
    ) || base.starts_with("bind::")
        || base.starts_with("instance::")
        || base.starts_with("body::")
}

/// A group or repeat whose `end_…` row has not come yet.
#[derive(Debug)]
struct OpenGroup {
    repeat: bool,
    row: u32,
    group: Group,
}

/// Reads the survey sheet into items, keeping where each name came from.
struct SurveyReader<'a> {
    lists: &'a BTreeMap<String, Vec<Choice>>,
    default_language: Language,
    problems: &'a mut Problems,
    /// Names as written, with the row that first used each.
    names: HashMap<String, u32>,
    /// Names as given to the form engine, with their row.
    engine_names: HashMap<String, RowOfName>,
    open: Vec<OpenGroup>,
    items: Vec<Item>,
}

impl SurveyReader<'_> {
    fn problem(&mut self, row: u32, vi: impl Into<String>, en: impl Into<String>) {
        self.problems.add("survey", Some(row), vi, en);
    }

    fn read(&mut self, table: &Table) {
        for (column, why_vi, why_en) in [
            ("type", "loại câu hỏi", "the question type"),
            ("name", "tên câu hỏi", "the question name"),
        ] {
            if !table.has_column(&[column]) {
                self.problem(
                    table.header_row,
                    format!("Trang survey thiếu cột \"{column}\" ({why_vi})."),
                    format!("The survey sheet has no \"{column}\" column ({why_en})."),
                );
            }
        }
        for row in &table.rows {
            self.read_row(table, row);
        }
        while let Some(open) = self.open.pop() {
            let (begin, end) = if open.repeat {
                ("begin_repeat", "end_repeat")
            } else {
                ("begin_group", "end_group")
            };
            self.problem(
                open.row,
                format!(
                    "\"{begin}\" {} không có dòng \"{end}\" tương ứng. Hãy thêm dòng {end}.",
                    open.group.id
                ),
                format!(
                    "\"{begin}\" {} has no matching \"{end}\" row. Add an {end} row.",
                    open.group.id
                ),
            );
            self.close(open);
        }
    }

    fn read_row(&mut self, table: &Table, row: &TableRow) {
        let number = row.number;
        let written_type = table
            .text(row, &["type", "command"])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if written_type.is_empty() {
            // Like pyxform: a row with neither name nor label is a comment.
            let label = table.translated(row, "label", self.default_language);
            if table.text(row, &["name"]).is_empty() && label.vi.is_empty() && label.en.is_empty() {
                return;
            }
            self.problem(
                number,
                "Dòng này có tên hoặc nhãn nhưng thiếu loại câu hỏi (cột type).",
                "This row has a name or a label but no question type (type column).",
            );
            return;
        }
        let row_type = row_type(&written_type);
        if row_type == RowType::Skipped {
            return;
        }
        let refused: Vec<&str> = table.refused_cells(row, is_refused_column).collect();
        for column in refused {
            self.problem(
                number,
                format!("Cột \"{column}\" chưa được hỗ trợ. Hãy để trống cột này."),
                format!("The \"{column}\" column is not supported. Leave it empty."),
            );
        }
        let appearance = table.text(row, &["appearance"]);
        if appearance
            .split_whitespace()
            .any(|word| !SUPPORTED_APPEARANCES.contains(&word))
        {
            self.problem(
                number,
                format!("Kiểu hiển thị \"{appearance}\" chưa được hỗ trợ. Hãy xoá nó khỏi cột appearance."),
                format!("The appearance \"{appearance}\" is not supported. Remove it from the appearance column."),
            );
        }
        match row_type {
            RowType::Skipped => {}
            RowType::Begin { repeat } => self.begin(table, row, repeat),
            RowType::End { repeat } => self.end(number, repeat),
            RowType::Unsupported(type_name) => {
                self.problem(
                    number,
                    format!("Loại câu hỏi \"{type_name}\" chưa được hỗ trợ. Hãy xoá dòng này hoặc dùng một loại khác."),
                    format!("Question type \"{type_name}\" is not supported. Remove the row or use another type."),
                );
                // A stand-in keeps the name known, so that an expression
                // naming this row is not reported as naming nothing.
                let id = self.register_name(number, table.text(row, &["name"]));
                self.push(Item::Question(Question {
                    id,
                    label: Localized::default(),
                    hint: None,
                    required: false,
                    kind: QuestionKind::Note,
                    relevant: None,
                    constraint: None,
                    constraint_message: None,
                }));
            }
            _ => {
                let kind = self.question_kind(table, row, &row_type, appearance);
                self.question(table, row, kind);
            }
        }
    }

    /// The kind of a question row, or `None` (problem reported) when Tham
    /// Gia cannot ask it.
    fn question_kind(
        &mut self,
        table: &Table,
        row: &TableRow,
        row_type: &RowType<'_>,
        appearance: &str,
    ) -> Option<QuestionKind> {
        let number = row.number;
        let kind = match row_type {
            RowType::Text if appearance.split_whitespace().any(|a| a == "multiline") => {
                QuestionKind::LongText {
                    max_length: LONG_TEXT_MAX_LENGTH,
                }
            }
            RowType::Text => QuestionKind::ShortText {
                max_length: SHORT_TEXT_MAX_LENGTH,
            },
            RowType::Integer => QuestionKind::Number {
                min: None,
                max: None,
                integer: true,
            },
            RowType::Decimal => QuestionKind::Number {
                min: None,
                max: None,
                integer: false,
            },
            RowType::Date => QuestionKind::Date,
            RowType::Note => QuestionKind::Note,
            RowType::Calculate => {
                let calculation = table.text(row, &["calculation", "calculate"]);
                if calculation.is_empty() {
                    self.problem(
                        number,
                        "Dòng calculate thiếu công thức (cột calculation).",
                        "A calculate row needs a formula (calculation column).",
                    );
                    return None;
                }
                QuestionKind::Calculate {
                    calculation: calculation.to_owned(),
                }
            }
            RowType::Range => QuestionKind::Rating {
                points: self.range_points(number, table.text(row, &["parameters"]))?,
            },
            RowType::SelectOne(list) => QuestionKind::SingleChoice {
                choices: self.choices(number, list)?,
            },
            RowType::SelectMultiple(list) => QuestionKind::MultipleChoice {
                choices: self.choices(number, list)?,
            },
            RowType::Rank(list) => QuestionKind::Ranking {
                choices: self.choices(number, list)?,
            },
            RowType::Unsupported(_)
            | RowType::Skipped
            | RowType::Begin { .. }
            | RowType::End { .. } => return None,
        };
        Some(kind)
    }

    /// The options of a choice question: the list must exist and hold at least one.
    fn choices(&mut self, number: u32, written: &str) -> Option<Vec<Choice>> {
        let mut words = written.split_whitespace();
        let list = words.next().unwrap_or("");
        if let Some(extra) = words.next() {
            self.problem(
                number,
                format!("\"{extra}\" sau tên danh sách chưa được hỗ trợ. Hãy thêm lựa chọn \"Khác\" vào danh sách và một câu hỏi văn bản riêng."),
                format!("\"{extra}\" after the list name is not supported. Add an \"Other\" choice to the list and a separate text question."),
            );
        }
        if list.is_empty() {
            self.problem(
                number,
                "Thiếu tên danh sách lựa chọn sau loại câu hỏi, ví dụ \"select_one yes_no\".",
                "The choice list's name is missing after the type, for example \"select_one yes_no\".",
            );
            return None;
        }
        match self.lists.get(list) {
            None => {
                self.problem(
                    number,
                    format!("Không có danh sách lựa chọn \"{list}\" trong trang choices."),
                    format!("There is no choice list \"{list}\" on the choices sheet."),
                );
                None
            }
            Some(choices) if choices.is_empty() => {
                self.problem(
                    number,
                    format!("Danh sách lựa chọn \"{list}\" không có lựa chọn dùng được nào."),
                    format!("The choice list \"{list}\" has no usable choice."),
                );
                None
            }
            Some(choices) => Some(choices.clone()),
        }
    }

    /// A `range` row: Tham Gia shows a rating from 1 to N, N from 3 to 10.
    fn range_points(&mut self, number: u32, parameters: &str) -> Option<u8> {
        // XLSForm's defaults for a range without parameters.
        let (mut start, mut end, mut step) = (1.0, 10.0, 1.0);
        let mut understood = true;
        for pair in parameters
            .split([' ', ';', ','])
            .filter(|pair| !pair.is_empty())
        {
            let parsed = pair.split_once('=').and_then(|(key, value)| {
                Some((
                    key.trim().to_ascii_lowercase(),
                    value.trim().parse::<f64>().ok()?,
                ))
            });
            match parsed {
                Some((key, value)) if key == "start" => start = value,
                Some((key, value)) if key == "end" => end = value,
                Some((key, value)) if key == "step" => step = value,
                _ => understood = false,
            }
        }
        let points = (understood
            && start == 1.0
            && step == 1.0
            && end.fract() == 0.0
            && (3.0..=10.0).contains(&end))
        .then_some(end as u8);
        if points.is_none() {
            self.problem(
                number,
                format!("Thang điểm \"{parameters}\" chưa được hỗ trợ: Tham Gia chỉ có thang từ 1 đến 3…10, bước 1. Hãy ghi ví dụ \"start=1 end=5 step=1\"."),
                format!("The range \"{parameters}\" is not supported: Tham Gia only has scales from 1 to 3…10 in steps of 1. Write for example \"start=1 end=5 step=1\"."),
            );
        }
        points
    }

    /// Records a row's name and returns the name the form engine knows it
    /// by: the name itself, or a stand-in (which no expression can name)
    /// when it is missing or already used, so that one mistake is reported
    /// once and does not hide the row's other problems.
    fn register_name(&mut self, number: u32, name: &str) -> String {
        let stand_in = format!("#row{number}");
        let engine_name = if name.is_empty() {
            self.problem(
                number,
                "Thiếu tên (cột name). Hãy đặt một tên ngắn, không dấu, ví dụ tuoi.",
                "The name (name column) is missing. Give a short name without accents, for example age.",
            );
            stand_in
        } else if let Some(first) = self.names.get(name).copied() {
            self.problem(
                number,
                format!("Tên \"{name}\" đã được dùng ở dòng {first}. Mỗi tên chỉ được dùng một lần."),
                format!("The name \"{name}\" is already used on row {first}. Each name may be used once."),
            );
            stand_in
        } else {
            if !is_xml_name(name) {
                self.problem(
                    number,
                    format!("Tên \"{name}\" không hợp lệ: hãy bắt đầu bằng một chữ cái hoặc \"_\", và chỉ dùng chữ cái, chữ số, \"_\", \"-\" và \".\"."),
                    format!("The name \"{name}\" is not valid: start with a letter or \"_\", and use only letters, digits, \"_\", \"-\" and \".\"."),
                );
            }
            self.names.insert(name.to_owned(), number);
            name.to_owned()
        };
        self.engine_names.insert(
            engine_name.clone(),
            RowOfName {
                row: number,
                written: name.to_owned(),
            },
        );
        engine_name
    }

    /// A translatable text; `None` when empty in both languages. English
    /// alone is a problem: the Vietnamese text is the one always shown.
    fn translated(&mut self, table: &Table, row: &TableRow, column: &str) -> Option<Localized> {
        let text = table.translated(row, column, self.default_language);
        if text.vi.is_empty() && !text.en.is_empty() {
            self.problem(
                row.number,
                format!("Cột {column} chỉ có tiếng Anh. Hãy thêm bản tiếng Việt (cột {column}::Vietnamese (vi))."),
                format!("The {column} is only in English. Add the Vietnamese text ({column}::Vietnamese (vi) column)."),
            );
        }
        (!text.vi.is_empty() || !text.en.is_empty()).then_some(text)
    }

    /// The `required` cell: yes/true/1 or no/false/empty, in any case.
    fn required(&mut self, table: &Table, row: &TableRow) -> bool {
        let written = table.text(row, &["required"]);
        match written.to_ascii_lowercase().as_str() {
            "yes" | "true" | "true()" | "1" => true,
            "" | "no" | "false" | "false()" | "0" => false,
            _ => {
                self.problem(
                    row.number,
                    format!("Giá trị \"{written}\" ở cột required không hiểu được. Hãy ghi yes hoặc để trống."),
                    format!("The required value \"{written}\" is not understood. Write yes or leave it empty."),
                );
                false
            }
        }
    }

    fn question(&mut self, table: &Table, row: &TableRow, kind: Option<QuestionKind>) {
        let number = row.number;
        let name = table.text(row, &["name"]);
        let id = self.register_name(number, name);
        let label = self.translated(table, row, "label").unwrap_or_default();
        let is_calculate = matches!(kind, Some(QuestionKind::Calculate { .. }));
        if label.vi.is_empty() && label.en.is_empty() && !is_calculate {
            self.problem(
                number,
                "Thiếu nhãn tiếng Việt (cột label::Vietnamese (vi)): câu hỏi cần có lời để đọc cho trẻ.",
                "The Vietnamese label (label::Vietnamese (vi) column) is missing: a question needs words to read to the child.",
            );
        }
        let calculation = table.text(row, &["calculation", "calculate"]);
        if !calculation.is_empty() && !is_calculate && kind.is_some() {
            self.problem(
                number,
                "Chỉ dòng calculate mới dùng được cột calculation. Hãy thêm một dòng calculate riêng.",
                "Only a calculate row can use the calculation column. Add a separate calculate row.",
            );
        }
        let question = Question {
            id,
            label,
            hint: self.translated(table, row, "hint"),
            required: self.required(table, row),
            // A question whose kind failed (a missing list, say) still gets
            // a stand-in kind, so its expressions are checked like any other.
            kind: kind.unwrap_or(QuestionKind::ShortText {
                max_length: SHORT_TEXT_MAX_LENGTH,
            }),
            relevant: non_empty(table.text(row, &["relevant", "relevance"])),
            constraint: non_empty(table.text(row, &["constraint"])),
            constraint_message: self.translated(table, row, "constraint_message"),
        };
        self.push(Item::Question(question));
    }

    fn begin(&mut self, table: &Table, row: &TableRow, repeat: bool) {
        let number = row.number;
        let name = table.text(row, &["name"]);
        let id = self.register_name(number, name);
        for column in ["constraint", "calculation"] {
            if !table.text(row, &[column]).is_empty() {
                self.problem(
                    number,
                    format!("Nhóm không dùng được cột {column}. Hãy đặt nó vào từng câu hỏi."),
                    format!(
                        "A group cannot use the {column} column. Put it on the questions instead."
                    ),
                );
            }
        }
        let label = self.translated(table, row, "label").unwrap_or_default();
        let group = Group {
            id,
            label,
            relevant: non_empty(table.text(row, &["relevant", "relevance"])),
            items: Vec::new(),
        };
        self.open.push(OpenGroup {
            repeat,
            row: number,
            group,
        });
    }

    fn end(&mut self, number: u32, repeat: bool) {
        let (end, begin) = if repeat {
            ("end_repeat", "begin_repeat")
        } else {
            ("end_group", "begin_group")
        };
        match self.open.pop() {
            None => self.problem(
                number,
                format!("\"{end}\" không có dòng \"{begin}\" nào trước nó. Hãy xoá dòng này hoặc thêm {begin}."),
                format!("\"{end}\" has no \"{begin}\" before it. Remove the row or add a {begin}."),
            ),
            Some(open) => {
                if open.repeat != repeat {
                    self.problem(
                        number,
                        format!("\"{end}\" đóng nhầm nhóm mở ở dòng {}. Hãy kiểm tra các cặp begin/end.", open.row),
                        format!("\"{end}\" closes the group opened on row {}, which is not a {begin}. Check the begin/end pairs.", open.row),
                    );
                }
                self.close(open);
            }
        }
    }

    fn close(&mut self, open: OpenGroup) {
        let item = if open.repeat {
            Item::Repeat(open.group)
        } else {
            Item::Group(open.group)
        };
        self.push(item);
    }

    fn push(&mut self, item: Item) {
        match self.open.last_mut() {
            Some(open) => open.group.items.push(item),
            None => self.items.push(item),
        }
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}
