//! pyxform's `begin loop over LIST … end loop`: the rows between asked
//! once per option of the list, as pyxform writes the loop out in its
//! XForm (a group per option inside a group named after the loop).

use thamgia_core::Group;

use super::{OpenGroup, SurveyReader};
use crate::xlsform::sheet::{Table, TableRow};

impl SurveyReader<'_> {
    /// `begin loop over LIST` (pyxform's loop): the rows up to its `end
    /// loop` asked once per option of the list, each time in a group named
    /// after the option, `%(label)s` and `%(name)s` in them made the
    /// option's label and name; all of it in a group named after the loop.
    pub(super) fn read_loop<'t>(
        &mut self,
        table: &Table,
        begin: &TableRow,
        list: &str,
        rows: &mut impl Iterator<Item = &'t TableRow>,
    ) {
        let mut body = Vec::new();
        let mut depth = 1;
        let mut closed = false;
        for row in rows.by_ref() {
            if loop_over(table, row).is_some() {
                depth += 1;
            } else if is_end_loop(table, row) {
                depth -= 1;
                if depth == 0 {
                    closed = true;
                    break;
                }
            }
            body.push(row);
        }
        if !closed {
            self.problem(
                begin.number,
                "\"begin loop\" không có dòng \"end loop\" tương ứng. Hãy thêm dòng end loop.",
                "\"begin loop\" has no matching \"end loop\" row. Add an end loop row.",
            );
        }
        let Some(choices) = self.lists.get(list).cloned() else {
            self.problem(
                begin.number,
                format!("Không có danh sách lựa chọn \"{list}\" trong trang choices."),
                format!("There is no choice list \"{list}\" on the choices sheet."),
            );
            return;
        };
        self.begin(table, begin, false);
        for choice in &choices {
            let label = if choice.label.vi.is_empty() {
                &choice.label.en
            } else {
                &choice.label.vi
            };
            let replacements = [
                ("%(label)s", label.as_str()),
                ("%(name)s", choice.value.as_str()),
            ];
            let id = self.register_name(begin.number, &choice.value);
            self.open.push(OpenGroup {
                repeat: false,
                row: begin.number,
                group: Group {
                    id,
                    label: choice.label.clone(),
                    relevant: None,
                    repeat_count: None,
                    field_list: false,
                    items: Vec::new(),
                },
            });
            for row in &body {
                self.read_row(table, &row.replaced(&replacements));
            }
            if let Some(open) = self.open.pop() {
                self.close(open);
            }
        }
        if let Some(open) = self.open.pop() {
            self.close(open);
        }
    }
}

/// The list a `begin loop over LIST` row loops over.
pub(super) fn loop_over<'t>(table: &'t Table, row: &'t TableRow) -> Option<&'t str> {
    let written = table.text(row, &["type", "command"]);
    let words: Vec<&str> = written.split_whitespace().collect();
    match words.as_slice() {
        [begin, "loop", over, list, ..]
            if begin.eq_ignore_ascii_case("begin") && over.eq_ignore_ascii_case("over") =>
        {
            Some(list)
        }
        [begin_loop, over, list, ..]
            if begin_loop.eq_ignore_ascii_case("begin_loop")
                && over.eq_ignore_ascii_case("over") =>
        {
            Some(list)
        }
        _ => None,
    }
}

/// Whether a row closes a loop (`end loop`, `end_loop`).
fn is_end_loop(table: &Table, row: &TableRow) -> bool {
    let written = table
        .text(row, &["type", "command"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    written == "end loop" || written == "end_loop"
}
