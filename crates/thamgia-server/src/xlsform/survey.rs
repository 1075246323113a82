//! The survey sheet read row by row into the survey's items: groups and
//! repeats opened and closed, each name checked and remembered with its row
//! (so that the form engine's problems are reported at the right row), and
//! each question's label, hint, `required`, relevance and constraint read.
//! What kind of question a row is, `question_kind` decides.

mod columns;
mod loops;
mod question_kind;
mod quotes;
pub(super) use quotes::straightened;
mod trim;

use std::collections::{BTreeMap, HashMap};

use thamgia_core::{Choice, Group, Item, Localized, Question, QuestionKind};

use super::row_type::{
    is_read_column, row_type, RowType, DRAWN_APPEARANCES, SUPPORTED_APPEARANCES,
};
use super::sheet::{DefaultLanguage, Table, TableRow};
use super::{Problems, RowOfName};
use question_kind::{OTHER, SHORT_TEXT_MAX_LENGTH};

/// Whether `name` is an XML name pyxform accepts for a question: a letter
/// or `_`, then letters, digits, `_`, `-` and `.`.
fn is_xml_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && characters.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A group or repeat whose `end_…` row has not come yet.
#[derive(Debug)]
pub(super) struct OpenGroup {
    repeat: bool,
    row: u32,
    group: Group,
}

/// Reads the survey sheet into items, keeping where each name came from.
pub(super) struct SurveyReader<'a> {
    pub(super) lists: &'a BTreeMap<String, Vec<Choice>>,
    pub(super) default_language: DefaultLanguage,
    /// The form's languages beside Vietnamese and English.
    pub(super) languages: &'a [String],
    pub(super) problems: &'a mut Problems,
    /// Names as written, with the row that first used each.
    pub(super) names: HashMap<String, u32>,
    /// The groups (ids joined by `/`) each name was first used in.
    pub(super) name_paths: HashMap<String, String>,
    /// Names as given to the form engine, with their row.
    pub(super) engine_names: HashMap<String, RowOfName>,
    pub(super) open: Vec<OpenGroup>,
    pub(super) items: Vec<Item>,
    /// The row being read ends with `or_other`: its "specify" question
    /// follows it.
    pub(super) other_wanted: bool,
    /// Rows never asked (see `trim`), settled once every row is read.
    pub(super) untaken: Vec<trim::Untaken>,
    /// Names of metadata rows (`start`, `deviceid`, …): not collected, kept
    /// as stand-ins until the import settles, so a row that quotes one is
    /// left out with it (or offered to be) rather than refused as naming
    /// nothing.
    pub(super) not_collected: Vec<String>,
}

impl SurveyReader<'_> {
    fn problem(&mut self, row: u32, vi: impl Into<String>, en: impl Into<String>) {
        self.problems.add("survey", Some(row), vi, en);
    }

    pub(super) fn read(&mut self, table: &Table) {
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
        let mut rows = table.rows.iter();
        while let Some(row) = rows.next() {
            match loops::loop_over(table, row) {
                Some(list) => self.read_loop(table, row, list, &mut rows),
                None => self.read_row(table, row),
            }
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
        let row = self.straighten_quotes(table, row);
        let row = row.as_ref();
        let number = row.number;
        let written_type = table
            .text(row, &["type", "command"])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if written_type.is_empty() {
            // Like pyxform: a row with neither name nor label is a comment.
            let label = table
                .translated(row, "label", &self.default_language, self.languages)
                .text;
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
            let name = table.text(row, &["name"]);
            if !name.is_empty() {
                let id = self.register_name(number, name);
                self.not_collected.push(id.clone());
                self.push(stand_in(id));
            }
            self.problems.warn(
                "survey",
                Some(number),
                format!("\"{written_type}\" không được thu thập: Tham Gia không ghi thông tin về máy, người thu thập hay thời điểm theo cách này."),
                format!("\"{written_type}\" is not collected: Tham Gia does not record the device, the worker or the timing this way."),
            );
            return;
        }
        let appearance = table.text(row, &["appearance"]);
        let expressions = [
            table.text(row, &["calculation", "calculate"]),
            table.text(row, &["relevant", "relevance"]),
            table.text(row, &["constraint"]),
            table.text(row, &["choice_filter"]),
            table.text(row, &["default"]),
        ];
        if let Some(why) = trim::not_run(&row_type, appearance, &expressions) {
            // A stand-in keeps the name known until the import settles
            // what to do with it and with the rows that depend on it.
            let name = table.text(row, &["name"]);
            let id = self.register_name(number, name);
            self.untaken.push(trim::Untaken {
                row: number,
                name: id.clone(),
                written_type: written_type.clone(),
                why: Some(why),
                because_of: None,
            });
            if matches!(row_type, RowType::Begin { .. }) {
                self.begin(
                    table,
                    row,
                    matches!(row_type, RowType::Begin { repeat: true }),
                );
                return;
            }
            self.push(stand_in(id));
            return;
        }
        let ignored: Vec<&str> = table
            .filled(row)
            .filter(|(_, base, _)| !is_read_column(base))
            .map(|(header, _, _)| header)
            .collect();
        if !ignored.is_empty() {
            let columns = ignored.join(", ");
            self.problems.warn(
                "survey",
                Some(number),
                format!("Không dùng: {columns} (Tham Gia không hiện hình ảnh, âm thanh hay thuộc tính XForm riêng)."),
                format!("Not used: {columns} (Tham Gia shows no pictures, sounds or XForm attributes of its own)."),
            );
        }
        let parameters = table.text(row, &["parameters"]);
        let is_select = matches!(
            row_type,
            RowType::SelectOne(_) | RowType::SelectMultiple(_) | RowType::Rank(_)
        );
        if !parameters.is_empty() && row_type != RowType::Range && !is_select {
            self.problems.warn(
                "survey",
                Some(number),
                format!("Tham số \"{parameters}\" không được dùng cho loại câu hỏi này."),
                format!("The parameters \"{parameters}\" are not used for this type of question."),
            );
        }
        // Presentation never blocks a form: what is not shown is said.
        let unknown: Vec<&str> = appearance
            .split_whitespace()
            .filter(|word| !SUPPORTED_APPEARANCES.contains(word))
            .collect();
        if !unknown.is_empty() {
            let unknown = unknown.join(" ");
            self.problems.warn(
                "survey",
                Some(number),
                format!("Kiểu hiển thị \"{unknown}\" không được dùng: câu hỏi được hiện như bình thường."),
                format!("The appearance \"{unknown}\" is not used: the question is shown as usual."),
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
                self.push(stand_in(id));
            }
            _ => {
                self.other_wanted = false;
                let kind = self.question_kind(table, row, &row_type, appearance);
                self.question(table, row, kind);
                if std::mem::take(&mut self.other_wanted) {
                    self.specify_other(number, table.text(row, &["name"]));
                }
            }
        }
    }

    /// Records a row's name and returns the name the form engine knows it
    /// by: the name itself, or a stand-in (which no expression can name)
    /// when it is missing or already used, so that one mistake is reported
    /// once and does not hide the row's other problems.
    fn register_name(&mut self, number: u32, name: &str) -> String {
        let stand_in = format!("#row{number}");
        // The groups the row sits in, outermost first.
        let here: Vec<String> = self.open.iter().map(|open| open.group.id.clone()).collect();
        let engine_name = if name.is_empty() {
            self.problem(
                number,
                "Thiếu tên (cột name). Hãy đặt một tên ngắn, không dấu, ví dụ tuoi.",
                "The name (name column) is missing. Give a short name without accents, for example age.",
            );
            stand_in
        } else if let Some(first) = self.names.get(name).copied() {
            let same_group = self
                .name_paths
                .get(name)
                .is_some_and(|path| *path == here.join("/"));
            if same_group {
                self.problem(
                    number,
                    format!("Tên \"{name}\" đã được dùng ở dòng {first} trong cùng nhóm. Mỗi tên chỉ được dùng một lần trong một nhóm."),
                    format!("The name \"{name}\" is already used on row {first} in the same group. A name may be used once in a group."),
                );
                stand_in
            } else {
                // The same name in another group, as pyxform allows (paths
                // keep them apart there): kept apart here by the group's name.
                let mut kept = match here.last() {
                    Some(group) => format!("{group}_{name}"),
                    None => format!("{name}_{number}"),
                };
                if self.names.contains_key(&kept) {
                    kept = format!("{kept}_{number}");
                }
                if first == number {
                    // A loop's row, asked again for another option.
                    self.problems.warn(
                        "survey",
                        Some(number),
                        format!("Dòng {number} được hỏi lại cho mỗi lựa chọn của vòng lặp: câu trả lời cho \"{}\" được lưu với tên \"{kept}\".", here.last().map_or("", String::as_str)),
                        format!("Row {number} is asked again for each option of its loop: the answers for \"{}\" are stored as \"{kept}\".", here.last().map_or("", String::as_str)),
                    );
                } else {
                    self.problems.warn(
                        "survey",
                        Some(number),
                        format!("Tên \"{name}\" cũng được dùng ở dòng {first} trong nhóm khác: câu trả lời ở dòng này được lưu với tên \"{kept}\", và ${{{name}}} chỉ câu hỏi ở dòng {first}."),
                        format!("The name \"{name}\" is also used on row {first} in another group: this row's answers are stored as \"{kept}\", and ${{{name}}} means the question of row {first}."),
                    );
                }
                self.names.insert(kept.clone(), number);
                self.name_paths.insert(kept.clone(), here.join("/"));
                kept
            }
        } else {
            if !is_xml_name(name) {
                self.problem(
                    number,
                    format!("Tên \"{name}\" không hợp lệ: hãy bắt đầu bằng một chữ cái hoặc \"_\", và chỉ dùng chữ cái, chữ số, \"_\", \"-\" và \".\"."),
                    format!("The name \"{name}\" is not valid: start with a letter or \"_\", and use only letters, digits, \"_\", \"-\" and \".\"."),
                );
            }
            self.names.insert(name.to_owned(), number);
            self.name_paths.insert(name.to_owned(), here.join("/"));
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

    fn question(&mut self, table: &Table, row: &TableRow, kind: Option<QuestionKind>) {
        let number = row.number;
        let name = table.text(row, &["name"]);
        let mut label = self.translated(table, row, "label").unwrap_or_default();
        let is_calculate = matches!(kind, Some(QuestionKind::Calculate { .. }));
        if label.vi.is_empty() && label.en.is_empty() && !is_calculate {
            if matches!(kind, Some(QuestionKind::Note)) {
                // A note of a picture or a sound alone shows nothing here.
                self.problems.warn(
                    "survey",
                    Some(number),
                    format!("Ghi chú \"{name}\" không có lời (chỉ có hình ảnh hay âm thanh) nên không được hiện."),
                    format!("The note \"{name}\" has no words (only a picture or a sound), so it is not shown."),
                );
                self.register_name(number, name);
                return;
            }
            if name.is_empty() {
                self.problem(
                    number,
                    "Thiếu nhãn (cột label): câu hỏi cần có lời để đọc cho trẻ.",
                    "The label (label column) is missing: a question needs words to read to the child.",
                );
            } else {
                self.problems.warn(
                    "survey",
                    Some(number),
                    format!("Câu hỏi \"{name}\" không có lời: tên của nó được hiện. Hãy thêm nhãn để đọc cho trẻ."),
                    format!("The question \"{name}\" has no words: its name is shown. Add a label to read to the child."),
                );
                label = Localized::new(name, "");
            }
        }
        let id = self.register_name(number, name);
        let calculation = (!is_calculate)
            .then(|| non_empty(table.text(row, &["calculation", "calculate"])))
            .flatten();
        let trigger = self.trigger(number, table.text(row, &["trigger"]));
        let mut constraint = non_empty(table.text(row, &["constraint"]));
        let mut constraint_message = self.translated(table, row, "constraint_message");
        if row_type_is_phone(table, row) {
            // As pyxform reads `phone number`: digits only.
            let digits = "regex(., '^\\d*$')".to_owned();
            constraint = Some(match constraint {
                Some(written) => format!("({written}) and {digits}"),
                None => digits,
            });
            constraint_message = constraint_message.or_else(|| {
                Some(Localized::new(
                    "Số điện thoại chỉ gồm chữ số.",
                    "A phone number is digits only.",
                ))
            });
        }
        let (required, required_if) = Self::required(table, row);
        let (read_only, read_only_if) = self.read_only(table, row);
        let chooses = kind.as_ref().is_some_and(|kind| !kind.choices().is_empty());
        let randomize = chooses
            .then(|| self.randomize(number, table.text(row, &["parameters"])))
            .flatten();
        let appearance = table
            .text(row, &["appearance"])
            .split_whitespace()
            .filter(|word| DRAWN_APPEARANCES.contains(word))
            .map(str::to_owned)
            .collect();
        let question = Question {
            id,
            label,
            hint: self.translated(table, row, "hint"),
            required,
            required_if,
            // A question whose kind failed (a missing list, say) still gets
            // a stand-in kind, so its expressions are checked like any other.
            kind: kind.unwrap_or(QuestionKind::ShortText {
                max_length: SHORT_TEXT_MAX_LENGTH,
            }),
            relevant: non_empty(table.text(row, &["relevant", "relevance"])),
            constraint,
            constraint_message,
            // Tham Gia's own column: the answers that may be a disclosure,
            // separated by spaces (as a `select_multiple` answer is).
            disclosure: non_empty(table.text(row, &["disclosure"]))
                .map(|values| values.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            default: non_empty(table.text(row, &["default"])),
            required_message: self.required_message(table, row),
            choice_filter: non_empty(table.text(row, &["choice_filter"])),
            appearance,
            randomize,
            guidance: self.translated(table, row, "guidance_hint"),
            read_only,
            read_only_if,
            calculation,
            trigger,
        };
        self.check_default(number, &question);
        self.push(Item::Question(question));
    }

    /// A question's `default` must be an answer it takes (checked as the
    /// tablet reads it when a response starts); inside a repeat it is not
    /// used, and the import says so.
    fn check_default(&mut self, number: u32, question: &Question) {
        let Some(default) = &question.default else {
            return;
        };
        if self.open.iter().any(|open| open.repeat) {
            self.problems.warn(
                "survey",
                Some(number),
                format!("Giá trị mặc định \"{default}\" không được dùng trong nhóm lặp: mỗi lần lặp bắt đầu trống."),
                format!("The default \"{default}\" is not used inside a repeat: each instance starts empty."),
            );
            return;
        }
        // Any day will do to check: the value's kind, not the day, matters.
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        if let Err(message) = thamgia_core::response::defaults::default_answer(question, day) {
            self.problems
                .add("survey", Some(number), message.vi, message.en);
        }
    }

    /// The question `or_other` adds after `name`: "specify", asked when
    /// "Other" is chosen, named as pyxform names it.
    fn specify_other(&mut self, number: u32, name: &str) {
        if name.is_empty() {
            return;
        }
        let id = self.register_name(number, &format!("{name}_{OTHER}"));
        self.push(Item::Question(Question {
            id,
            label: Localized::new("Hãy ghi rõ.", "Specify other."),
            kind: QuestionKind::ShortText {
                max_length: SHORT_TEXT_MAX_LENGTH,
            },
            relevant: Some(format!("selected(${{{name}}}, '{OTHER}')")),
            ..Question::default()
        }));
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
        let repeat_count = non_empty(table.text(row, &["repeat_count", "count", "jr:count"]));
        if repeat_count.is_some() && !repeat {
            self.problem(
                number,
                "Chỉ nhóm lặp (begin_repeat) mới dùng được cột repeat_count.",
                "Only a repeat (begin_repeat) can use the repeat_count column.",
            );
        }
        let group = Group {
            id,
            label,
            relevant: non_empty(table.text(row, &["relevant", "relevance"])),
            repeat_count: repeat_count.filter(|_| repeat),
            field_list: table
                .text(row, &["appearance"])
                .split_whitespace()
                .any(|word| word == "field-list"),
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

/// A note that keeps a row's name known (so that an expression naming it
/// is not reported as naming nothing) where the row itself is not asked.
fn stand_in(id: String) -> Item {
    Item::Question(Question {
        id,
        label: Localized::default(),
        kind: QuestionKind::Note,
        ..Question::default()
    })
}

/// Whether `items` hold a question a child answers (not only notes and
/// calculations).
pub(super) fn asks_something(items: &[Item]) -> bool {
    items.iter().any(|item| match item {
        Item::Question(question) => !matches!(
            question.kind,
            QuestionKind::Note | QuestionKind::Calculate { .. }
        ),
        Item::Group(group) | Item::Repeat(group) => asks_something(&group.items),
    })
}

/// Whether a row's type is `phone number`.
fn row_type_is_phone(table: &Table, row: &TableRow) -> bool {
    let written = table
        .text(row, &["type", "command"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    row_type(&written) == RowType::Phone
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}
