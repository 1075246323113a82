//! Curly quotes in expressions. Excel and Word turn a typed `'` into `‘`
//! or `’` as the author writes, so `${place} = ‘other’` is common in forms
//! made by hand; no expression language reads curly quotes. An expression
//! that cannot be read with them, and can be read with straight quotes in
//! their place, is read so, and the import says so on its row. One whose
//! curly quotes sit inside straight-quoted text (`'Children’s'`) reads as
//! it is and is left alone.

use std::borrow::Cow;

use thamgia_core::expression::Expression;

use super::SurveyReader;
use crate::xlsform::sheet::{Table, TableRow};

/// The columns of a survey row that hold expressions.
const EXPRESSION_COLUMNS: &[&str] = &[
    "relevant",
    "relevance",
    "constraint",
    "calculation",
    "calculate",
    "choice_filter",
    "repeat_count",
    "count",
    "jr:count",
    "required",
    "read_only",
    "readonly",
    "default",
];

const CURLY: [char; 4] = ['‘', '’', '“', '”'];

/// `written` with straight quotes in place of curly ones, when it cannot
/// be read as it is and can be read so.
pub(in crate::xlsform) fn straightened(written: &str) -> Option<String> {
    if !written.contains(CURLY) || Expression::parse(written).is_ok() {
        return None;
    }
    let straight = written.replace(['‘', '’'], "'").replace(['“', '”'], "\"");
    Expression::parse(&straight).is_ok().then_some(straight)
}

impl SurveyReader<'_> {
    /// The row with its expressions' curly quotes made straight where that
    /// makes them readable, each change said on the row.
    pub(super) fn straighten_quotes<'r>(
        &mut self,
        table: &Table,
        row: &'r TableRow,
    ) -> Cow<'r, TableRow> {
        let mut changed = Vec::new();
        let straight = row.changed(table, |base, text| {
            let straight = EXPRESSION_COLUMNS
                .contains(&base)
                .then(|| straightened(text))
                .flatten()?;
            changed.push(format!("{base}: {straight}"));
            Some(straight)
        });
        if changed.is_empty() {
            return Cow::Borrowed(row);
        }
        let read_as = changed.join("; ");
        self.problems.warn(
            "survey",
            Some(row.number),
            format!(
                "Dấu nháy cong (‘ ’ “ ”) trong biểu thức được đọc là dấu nháy thẳng: {read_as}."
            ),
            format!(
                "Curly quotes (‘ ’ “ ”) in an expression are read as straight quotes: {read_as}."
            ),
        );
        Cow::Owned(straight)
    }
}

#[cfg(test)]
mod tests {
    use super::straightened;

    #[test]
    fn curly_quotes_are_made_straight_only_where_that_makes_the_expression_readable() {
        assert_eq!(
            straightened("${leader} = ‘other’").as_deref(),
            Some("${leader} = 'other'")
        );
        assert_eq!(
            straightened("${tree} = “oak”").as_deref(),
            Some("${tree} = \"oak\"")
        );
        // Readable as it is: an apostrophe inside text stays.
        assert_eq!(straightened("concat('Children’s ', ${name})"), None);
        assert_eq!(straightened("${age} > 5"), None);
        // Unreadable either way: left for the error to name.
        assert_eq!(straightened("${a} = ‘x"), None);
    }
}
