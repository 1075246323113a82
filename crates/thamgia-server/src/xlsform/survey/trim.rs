//! Questions Tham Gia never asks, and the import without them.
//!
//! A child's location, photo, voice or video could identify them; a
//! question fed from a file or an external source cannot travel in one
//! workbook. Such a row is not asked. Without the officer's agreement the
//! form is refused, each such row (and each row whose relevance,
//! constraint, calculation or words depend on one) listed as a problem the
//! import page offers to leave out; with it (`trim`), those rows are left
//! out and each is listed as a warning. Nothing is left out silently.

use std::collections::BTreeSet;

use thamgia_core::expression::{names_in_text, Expression};
use thamgia_core::{Item, QuestionKind};

use super::SurveyReader;
use crate::xlsform::row_type::RowType;

/// Why a row is not asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::xlsform) enum NotRun {
    /// Where a child is.
    Location,
    /// A picture, a sound, a video, a file or a code of the child.
    Media,
    /// Choices or values from a file or source outside the workbook.
    External,
}

impl NotRun {
    fn why(self) -> (&'static str, &'static str) {
        match self {
            NotRun::Location => (
                "vị trí của trẻ không được thu thập, để trẻ luôn ẩn danh",
                "a child's location is not collected, so children stay anonymous",
            ),
            NotRun::Media => (
                "ảnh, âm thanh, video, tệp và mã của trẻ có thể làm lộ trẻ nên không được thu thập",
                "photos, sound, video, files and codes could identify a child, so they are not collected",
            ),
            NotRun::External => (
                "câu hỏi này cần một tệp dữ liệu bên ngoài mà một bảng tính không mang theo được",
                "this question needs a data file from outside, which a single workbook cannot carry",
            ),
        }
    }
}

/// Why a row of this type, appearance and expressions is never asked, if
/// it is not.
pub(in crate::xlsform) fn not_run(
    row_type: &RowType<'_>,
    appearance: &str,
    expressions: &[&str],
) -> Option<NotRun> {
    if let RowType::Unsupported(name) = row_type {
        let name = name.to_ascii_lowercase();
        let location = [
            "geopoint",
            "geotrace",
            "geoshape",
            "start-geopoint",
            "background-geopoint",
            "osm",
        ];
        let media = [
            "image",
            "audio",
            "video",
            "file",
            "barcode",
            "background-audio",
        ];
        let external = [
            "select_one_from_file",
            "select_multiple_from_file",
            "select one from file",
            "select multiple from file",
            "select_one_external",
            "select_multiple_external",
            "csv-external",
            "xml-external",
        ];
        if location.contains(&name.as_str()) {
            return Some(NotRun::Location);
        }
        if media.contains(&name.as_str()) {
            return Some(NotRun::Media);
        }
        if external.contains(&name.as_str()) {
            return Some(NotRun::External);
        }
    }
    let looks_up = |text: &str| {
        let text = text.replace(' ', "");
        text.contains("pulldata(") || text.contains("instance(")
    };
    if appearance.contains("search(") || expressions.iter().any(|text| looks_up(text)) {
        return Some(NotRun::External);
    }
    None
}

/// A row not asked, as the reader met it.
#[derive(Debug, Clone)]
pub(in crate::xlsform) struct Untaken {
    pub row: u32,
    pub name: String,
    pub written_type: String,
    /// Why; `None` for a row that depends on another not asked.
    pub why: Option<NotRun>,
    /// The name it depends on, for a row left out with another.
    pub because_of: Option<String>,
}

/// Every name `item` refers to in its relevance, constraint, choice
/// filter, calculation and words.
fn references(item: &Item) -> Vec<String> {
    let expression = |source: &Option<String>| -> Vec<String> {
        source
            .as_deref()
            .and_then(|source| Expression::parse(source).ok())
            .map(|parsed| parsed.references().to_vec())
            .unwrap_or_default()
    };
    let mut names = Vec::new();
    match item {
        Item::Question(question) => {
            names.extend(expression(&question.relevant));
            names.extend(expression(&question.constraint));
            names.extend(expression(&question.required_if));
            if let Some(filter) = &question.choice_filter {
                if let Ok(parsed) = Expression::parse_choice_filter(filter) {
                    names.extend(parsed.references().iter().cloned());
                }
            }
            if let QuestionKind::Calculate { calculation } = &question.kind {
                names.extend(expression(&Some(calculation.clone())));
            }
            names.extend(names_in_text(&question.label.vi));
            names.extend(names_in_text(&question.label.en));
            if let Some(hint) = &question.hint {
                names.extend(names_in_text(&hint.vi));
                names.extend(names_in_text(&hint.en));
            }
        }
        Item::Group(group) | Item::Repeat(group) => {
            names.extend(expression(&group.relevant));
            names.extend(expression(&group.repeat_count));
            names.extend(names_in_text(&group.label.vi));
            names.extend(names_in_text(&group.label.en));
        }
    }
    names
}

fn id_of(item: &Item) -> &str {
    match item {
        Item::Question(question) => &question.id,
        Item::Group(group) | Item::Repeat(group) => &group.id,
    }
}

/// Adds to `untaken` every item of `items` that depends on a name left out
/// (or sits in a group left out), until none is added.
fn spread(items: &[Item], left_out: &mut BTreeSet<String>, found: &mut Vec<(String, String)>) {
    fn walk(
        items: &[Item],
        inside: Option<&str>,
        left_out: &mut BTreeSet<String>,
        found: &mut Vec<(String, String)>,
    ) -> bool {
        let mut added = false;
        for item in items {
            let id = id_of(item).to_owned();
            if !left_out.contains(&id) {
                let cause = inside.map(str::to_owned).or_else(|| {
                    references(item)
                        .into_iter()
                        .find(|name| left_out.contains(name))
                });
                if let Some(cause) = cause {
                    left_out.insert(id.clone());
                    found.push((id.clone(), cause));
                    added = true;
                }
            }
            if let Item::Group(group) | Item::Repeat(group) = item {
                let inside = left_out.contains(&id).then_some(id.as_str());
                added |= walk(&group.items, inside, left_out, found);
            }
        }
        added
    }
    while walk(items, None, left_out, found) {}
}

/// `items` without those named in `left_out`.
fn without(items: Vec<Item>, left_out: &BTreeSet<String>) -> Vec<Item> {
    items
        .into_iter()
        .filter(|item| !left_out.contains(id_of(item)))
        .map(|item| match item {
            Item::Group(mut group) => {
                group.items = without(group.items, left_out);
                Item::Group(group)
            }
            Item::Repeat(mut group) => {
                group.items = without(group.items, left_out);
                Item::Repeat(group)
            }
            question => question,
        })
        .collect()
}

impl SurveyReader<'_> {
    /// Settles the rows not asked once every row is read: with `trim`,
    /// they and every row depending on them are left out, each listed as a
    /// warning; without, each is a problem the import page offers to leave
    /// out.
    ///
    /// Metadata rows (not collected, already named in a warning) leave
    /// the form whatever `trim` says; a row that depends on one is settled
    /// like a row that depends on a question not asked.
    pub(in crate::xlsform) fn settle_untaken(&mut self, trim: bool) {
        if self.untaken.is_empty() && self.not_collected.is_empty() {
            return;
        }
        let not_collected: BTreeSet<String> = std::mem::take(&mut self.not_collected)
            .into_iter()
            .collect();
        let mut left_out: BTreeSet<String> = self
            .untaken
            .iter()
            .map(|untaken| untaken.name.clone())
            .chain(not_collected.iter().cloned())
            .collect();
        let mut found = Vec::new();
        spread(&self.items, &mut left_out, &mut found);
        for (name, cause) in found {
            let row = self.engine_names.get(&name).map_or(0, |origin| origin.row);
            self.untaken.push(Untaken {
                row,
                name,
                written_type: String::new(),
                why: None,
                because_of: Some(cause),
            });
        }
        for untaken in std::mem::take(&mut self.untaken) {
            let (vi, en) = describe(&untaken, trim);
            if trim {
                self.problems.warn("survey", Some(untaken.row), vi, en);
            } else {
                self.problems
                    .add_trimmable("survey", Some(untaken.row), vi, en);
            }
        }
        let items = std::mem::take(&mut self.items);
        self.items = without(items, if trim { &left_out } else { &not_collected });
        if trim && !super::asks_something(&self.items) {
            self.problems.add(
                "survey",
                None,
                "Bỏ các câu hỏi trên thì biểu mẫu không còn câu hỏi nào để hỏi trẻ.",
                "Without the questions above, the form has no question left to ask a child.",
            );
        }
    }
}

/// What a row not asked says, left out (`trim`) or offered to be.
fn describe(untaken: &Untaken, trim: bool) -> (String, String) {
    let name = &untaken.name;
    let (vi_end, en_end) = if trim {
        ("Đã bỏ khỏi biểu mẫu.", "Left out of the form.")
    } else {
        (
            "Có thể nhập biểu mẫu mà bỏ câu hỏi này.",
            "The form can be imported without it.",
        )
    };
    match (&untaken.why, &untaken.because_of) {
        (Some(why), _) => {
            let (vi, en) = why.why();
            let kind = &untaken.written_type;
            (
                format!("\"{name}\" ({kind}) không được hỏi: {vi}. {vi_end}"),
                format!("\"{name}\" ({kind}) is not asked: {en}. {en_end}"),
            )
        }
        (None, Some(cause)) => (
            format!(
                "\"{name}\" phụ thuộc vào \"{cause}\", điều không được hỏi hay thu thập. {vi_end}"
            ),
            format!("\"{name}\" depends on \"{cause}\", which is not asked or collected. {en_end}"),
        ),
        (None, None) => (
            format!("\"{name}\" không được hỏi. {vi_end}"),
            format!("\"{name}\" is not asked. {en_end}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_row_needs_says_why_it_is_not_run() {
        let geo = RowType::Unsupported("geopoint");
        assert_eq!(not_run(&geo, "", &[]), Some(NotRun::Location));
        let photo = RowType::Unsupported("image");
        assert_eq!(not_run(&photo, "", &[]), Some(NotRun::Media));
        assert_eq!(
            not_run(&RowType::Calculate, "", &["pulldata('a', 'b', 'c', ${d})"]),
            Some(NotRun::External)
        );
        assert_eq!(
            not_run(&RowType::SelectOne("s"), "search('schools')", &[]),
            Some(NotRun::External)
        );
        assert_eq!(not_run(&RowType::Text, "", &["${a} > 1"]), None);
        assert_eq!(not_run(&RowType::Unsupported("acknowledge"), "", &[]), None);
    }
}
