//! The columns of a survey row that are more than their text: a label or
//! hint in the form's languages, `required` (yes or an expression),
//! `required_message`, `read_only`, and a choice row's `parameters`
//! (`randomize`, `seed`).

use thamgia_core::survey::Randomize;
use thamgia_core::Localized;

use super::{non_empty, SurveyReader};
use crate::xlsform::sheet::{Table, TableRow};

impl SurveyReader<'_> {
    /// A translatable text; `None` when empty in every language. A form
    /// in one language shows that language; a row of a Vietnamese form
    /// without its Vietnamese text shows another, and says so.
    pub(super) fn translated(
        &mut self,
        table: &Table,
        row: &TableRow,
        column: &str,
    ) -> Option<Localized> {
        let translated = table.translated(row, column, &self.default_language, self.languages);
        if translated.no_vietnamese {
            self.problems.warn(
                "survey",
                Some(row.number),
                format!("Cột {column} của dòng này không có tiếng Việt: bản tiếng khác được hiện."),
                format!(
                    "This row's {column} has no Vietnamese: its text in another language is shown."
                ),
            );
        }
        let text = translated.text;
        (!text.vi.is_empty() || !text.en.is_empty()).then_some(text)
    }

    /// The `required_message` in both languages, each from the column
    /// that has it: pyxform also reads ODK's older `requiredMsg` and
    /// `jr:requiredMsg`.
    pub(super) fn required_message(&mut self, table: &Table, row: &TableRow) -> Option<Localized> {
        let found: Vec<Localized> = ["required_message", "requiredmsg", "jr:requiredmsg"]
            .into_iter()
            .filter_map(|column| self.translated(table, row, column))
            .collect();
        let pick = |language: fn(&Localized) -> &String| {
            found
                .iter()
                .map(language)
                .find(|text| !text.is_empty())
                .cloned()
                .unwrap_or_default()
        };
        let mut message = Localized::new(pick(|text| &text.vi), pick(|text| &text.en));
        for text in &found {
            for (language, words) in &text.others {
                message
                    .others
                    .entry(language.clone())
                    .or_insert_with(|| words.clone());
            }
        }
        (!found.is_empty()).then_some(message)
    }

    /// A choice row's `parameters`: `randomize=true`, with an optional
    /// `seed=…` (an expression); any other parameter is named as not used.
    pub(super) fn randomize(&mut self, number: u32, parameters: &str) -> Option<Randomize> {
        let mut randomize = false;
        let mut seed = None;
        let mut unused = Vec::new();
        for pair in parameters
            .split([' ', ';', ','])
            .filter(|pair| !pair.is_empty())
        {
            match pair.split_once('=') {
                Some((key, value)) if key.trim().eq_ignore_ascii_case("randomize") => {
                    randomize = matches!(
                        value.trim().to_ascii_lowercase().as_str(),
                        "true" | "yes" | "true()"
                    );
                }
                Some((key, value)) if key.trim().eq_ignore_ascii_case("seed") => {
                    seed = non_empty(value.trim());
                }
                // A range's own parameters are read with its kind.
                Some((key, _)) if ["start", "end", "step"].contains(&key.trim()) => {}
                _ => unused.push(pair),
            }
        }
        if !unused.is_empty() {
            let unused = unused.join(" ");
            self.problems.warn(
                "survey",
                Some(number),
                format!("Tham số \"{unused}\" không được dùng."),
                format!("The parameters \"{unused}\" are not used."),
            );
        }
        if seed.is_some() && !randomize {
            self.problems.warn(
                "survey",
                Some(number),
                "Có seed nhưng không có randomize=true: thứ tự lựa chọn không đổi.",
                "A seed without randomize=true: the options keep their order.",
            );
        }
        randomize.then_some(Randomize { seed })
    }

    /// The `read_only` cell: yes or no, in any case, or an expression
    /// (read-only while it holds), as `required` is read.
    pub(super) fn read_only(&mut self, table: &Table, row: &TableRow) -> (bool, Option<String>) {
        let written = table.text(row, &["read_only", "readonly"]);
        match written.to_ascii_lowercase().as_str() {
            "yes" | "true" | "true()" | "1" => (true, None),
            "" | "no" | "false" | "false()" | "0" => (false, None),
            _ => (false, Some(written.to_owned())),
        }
    }

    /// The `trigger` cell: the questions whose change sets this one's
    /// answer, each written `${name}`, separated by spaces or commas.
    pub(super) fn trigger(&mut self, number: u32, written: &str) -> Vec<String> {
        let mut names = Vec::new();
        for part in written
            .split([',', ' '])
            .filter(|part| !part.trim().is_empty())
        {
            let part = part.trim();
            match part
                .strip_prefix("${")
                .and_then(|rest| rest.strip_suffix('}'))
                .map(str::trim)
            {
                Some(name) if !name.is_empty() => names.push(name.to_owned()),
                _ => self.problem(
                    number,
                    format!("Cột trigger ghi \"{part}\": hãy ghi tên câu hỏi dạng ${{tên}}."),
                    format!(
                        "The trigger column says \"{part}\": write a question's name as ${{name}}."
                    ),
                ),
            }
        }
        names
    }

    /// The `required` cell: yes/true/1 or no/false/empty, in any case, or
    /// an expression (required while it holds; checked with the form's
    /// other expressions).
    pub(super) fn required(table: &Table, row: &TableRow) -> (bool, Option<String>) {
        let written = table.text(row, &["required"]);
        match written.to_ascii_lowercase().as_str() {
            "yes" | "true" | "true()" | "1" => (true, None),
            "" | "no" | "false" | "false()" | "0" => (false, None),
            _ => (false, Some(written.to_owned())),
        }
    }
}
