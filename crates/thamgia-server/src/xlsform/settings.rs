//! The `settings` sheet (the survey's id, title and options) and the
//! `choices` sheet (the option lists of choice questions).

use std::collections::BTreeMap;

use thamgia_core::{AgeBand, Choice, Language, Layout, Localized};

use super::sheet::{language_named, Table};
use super::Problems;

/// What the `settings` sheet says.
#[derive(Debug)]
pub(super) struct Settings {
    pub id: String,
    pub title: Localized,
    pub description: Localized,
    pub form_version: Option<String>,
    /// The language of untranslated `label`, `hint`, … columns.
    pub default_language: Language,
    pub layout: Layout,
    pub age_bands: Vec<AgeBand>,
}

/// Reads the settings sheet's first row, reporting what Tham Gia cannot use.
pub(super) fn read_settings(table: Option<&Table>, problems: &mut Problems) -> Settings {
    let mut settings = Settings {
        id: String::new(),
        title: Localized::default(),
        description: Localized::default(),
        form_version: None,
        default_language: Language::Vi,
        layout: Layout::OneQuestionPerScreen,
        age_bands: AgeBand::ALL.to_vec(),
    };
    let Some(row) = table.and_then(|table| table.rows.first().map(|row| (table, row))) else {
        problems.add(
            "settings",
            table.map(|table| table.header_row + 1),
            "Thiếu trang \"settings\" có form_id và form_title. Hãy thêm trang đó: dòng 1 là tên cột, dòng 2 là giá trị.",
            "The \"settings\" sheet with form_id and form_title is missing. Add it: row 1 holds the column names, row 2 the values.",
        );
        return settings;
    };
    let (table, row) = row;
    let at = Some(row.number);

    let default_language = table.text(row, &["default_language"]);
    if !default_language.is_empty() && !default_language.eq_ignore_ascii_case("default") {
        match language_named(default_language) {
            Some(language) => settings.default_language = language,
            None => problems.add(
                "settings",
                at,
                format!("Ngôn ngữ mặc định \"{default_language}\" không phải tiếng Việt hay tiếng Anh. Hãy ghi \"Vietnamese (vi)\" hoặc để trống."),
                format!("The default language \"{default_language}\" is neither Vietnamese nor English. Write \"Vietnamese (vi)\" or leave it empty."),
            ),
        }
    }

    let form_id = table.text(row, &["form_id", "set_form_id"]);
    settings.id = form_id
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-");
    if form_id.is_empty() {
        problems.add(
            "settings",
            at,
            "Thiếu form_id: mã của khảo sát, ví dụ an_toan_truong_hoc.",
            "form_id is missing: the survey's code, for example school_safety.",
        );
    } else if !settings
        .id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        problems.add(
            "settings",
            at,
            format!("form_id \"{form_id}\" chỉ được có chữ cái không dấu, chữ số, \"-\" và \"_\"."),
            format!("form_id \"{form_id}\" may only hold letters without accents, digits, \"-\" and \"_\"."),
        );
    }

    let title = table.text(row, &["form_title", "set_form_title"]);
    settings.title = match title.split_once(" / ") {
        Some((vi, en)) => Localized::new(vi.trim(), en.trim()),
        None => Localized::new(title, ""),
    };
    if settings.title.vi.is_empty() {
        problems.add(
            "settings",
            at,
            "Thiếu form_title: tên khảo sát bằng tiếng Việt, có thể thêm \" / \" và tên tiếng Anh.",
            "form_title is missing: the survey's name in Vietnamese, optionally followed by \" / \" and the English name.",
        );
    }

    settings.description = table.translated(row, "description", settings.default_language);
    if settings.description.vi.is_empty() && !settings.description.en.is_empty() {
        problems.add(
            "settings",
            at,
            "Phần mô tả thiếu bản tiếng Việt. Hãy thêm cột description::Vietnamese (vi).",
            "The description has no Vietnamese text. Add a description::Vietnamese (vi) column.",
        );
    }

    let version = table.text(row, &["version"]);
    settings.form_version = (!version.is_empty()).then(|| version.to_owned());

    if table.text(row, &["style"]).eq_ignore_ascii_case("pages") {
        settings.layout = Layout::PagePerGroup;
    }

    let age_bands = table.text(row, &["age_bands"]);
    if !age_bands.is_empty() {
        let mut bands = Vec::new();
        for band in age_bands
            .split([',', ';', ' '])
            .filter(|band| !band.is_empty())
        {
            match band.replace('–', "-").as_str() {
                "0-6" => bands.push(AgeBand::Under7),
                "7-9" => bands.push(AgeBand::From7To9),
                "10-12" => bands.push(AgeBand::From10To12),
                "13-15" => bands.push(AgeBand::From13To15),
                _ => problems.add(
                    "settings",
                    at,
                    format!("Nhóm tuổi \"{band}\" không có. Hãy dùng 0-6, 7-9, 10-12, 13-15, cách nhau bằng dấu phẩy."),
                    format!("There is no age band \"{band}\". Use 0-6, 7-9, 10-12, 13-15, separated by commas."),
                ),
            }
        }
        bands.sort_by_key(|band| AgeBand::ALL.iter().position(|known| known == band));
        bands.dedup();
        settings.age_bands = bands;
    }
    settings
}

/// The option lists by name. A list is present (possibly empty) as soon as
/// one row names it, so a question can tell a missing list from an empty one.
pub(super) fn read_choices(
    table: Option<&Table>,
    default_language: Language,
    problems: &mut Problems,
) -> BTreeMap<String, Vec<Choice>> {
    let mut lists: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
    let Some(table) = table else {
        return lists;
    };
    for row in &table.rows {
        let at = Some(row.number);
        let list = table.text(row, &["list_name", "list name"]);
        if list.is_empty() {
            problems.add(
                "choices",
                at,
                "Thiếu tên danh sách (cột list_name).",
                "The list name (list_name column) is missing.",
            );
            continue;
        }
        let choices = lists.entry(list.to_owned()).or_default();
        let value = table.text(row, &["name", "value"]);
        let label = table.translated(row, "label", default_language);
        let mut usable = true;
        if value.is_empty() {
            problems.add(
                "choices",
                at,
                format!("Lựa chọn trong danh sách \"{list}\" thiếu giá trị (cột name)."),
                format!("A choice of the \"{list}\" list has no value (name column)."),
            );
            usable = false;
        } else if value.chars().any(char::is_whitespace) {
            // Chosen values are stored space-separated, as XLSForm does.
            problems.add(
                "choices",
                at,
                format!(
                    "Giá trị lựa chọn \"{value}\" có dấu cách. Hãy dùng \"_\" thay cho dấu cách."
                ),
                format!(
                    "The choice value \"{value}\" contains a space. Use \"_\" instead of spaces."
                ),
            );
            usable = false;
        } else if choices.iter().any(|choice| choice.value == value) {
            problems.add(
                "choices",
                at,
                format!("Giá trị \"{value}\" xuất hiện hai lần trong danh sách \"{list}\"."),
                format!("The value \"{value}\" appears twice in the \"{list}\" list."),
            );
            usable = false;
        }
        if label.vi.is_empty() {
            problems.add(
                "choices",
                at,
                format!("Lựa chọn \"{value}\" thiếu nhãn tiếng Việt. Hãy điền cột label::Vietnamese (vi)."),
                format!("The choice \"{value}\" has no Vietnamese label. Fill in the label::Vietnamese (vi) column."),
            );
            usable = false;
        }
        if usable {
            choices.push(Choice {
                value: value.to_owned(),
                label,
            });
        }
    }
    lists
}
