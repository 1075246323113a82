//! The `settings` sheet (the survey's id, title and options) and the
//! `choices` sheet (the option lists of choice questions).

use std::collections::BTreeMap;

use thamgia_core::{AgeBand, Choice, Language, Layout, Localized};

use super::sheet::{language_named, DefaultLanguage, Table};
use super::Problems;

/// Settings Tham Gia reads; any other filled setting is listed as read but
/// not used.
const READ_SETTINGS: &[&str] = &[
    "form_id",
    "set_form_id",
    "form_title",
    "set_form_title",
    "default_language",
    "description",
    "version",
    "style",
    "age_bands",
    "allow_choice_duplicates",
    "instance_name",
];

/// A form id made from a file name, as pyxform takes it: the name without
/// its extension, here also without diacritics, lowercased, anything but
/// letters, digits, `-` and `_` made `_`.
fn id_from_file_name(file_name: &str) -> Option<(String, String)> {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
    .trim();
    let id: String = thamgia_core::search::fold(stem)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let id = id.trim_matches('_').to_owned();
    (!id.is_empty()).then(|| (id, stem.to_owned()))
}

/// What the `settings` sheet says.
#[derive(Debug)]
pub(super) struct Settings {
    pub id: String,
    pub title: Localized,
    pub description: Localized,
    pub form_version: Option<String>,
    /// The language of untranslated `label`, `hint`, … columns.
    pub default_language: DefaultLanguage,
    /// The form's languages beside Vietnamese and English, which the
    /// worker may pick (see [`super::form_languages`]).
    pub languages: Vec<String>,
    /// What each response is called (an expression over its answers).
    pub instance_name: Option<String>,
    pub layout: Layout,
    pub age_bands: Vec<AgeBand>,
    /// `allow_choice_duplicates`: one value may stand for several options
    /// of a list (usual in cascading lists, where the filter shows one).
    pub allow_choice_duplicates: bool,
}

/// The form's id and title from its file name alone, as pyxform makes
/// them when there are no settings.
fn from_file_name(settings: &mut Settings, file_name: Option<&str>, problems: &mut Problems) {
    match file_name.and_then(id_from_file_name) {
        Some((id, stem)) => {
            settings.title = Localized::new(stem.clone(), "");
            problems.warn(
                "settings",
                None,
                format!("Không có form_id: mã khảo sát lấy từ tên tệp (\"{id}\"), tên khảo sát là \"{stem}\"."),
                format!("No form_id: the survey's code comes from the file name (\"{id}\"), its name is \"{stem}\"."),
            );
            settings.id = id;
        }
        None => problems.add(
            "settings",
            None,
            "Thiếu form_id: hãy thêm trang \"settings\" có cột form_id (mã khảo sát, ví dụ an_toan_truong_hoc), hoặc tải lên tệp có tên.",
            "form_id is missing: add a \"settings\" sheet with a form_id column (the survey's code, for example school_safety), or upload a file with a name.",
        ),
    }
}

/// Reads the settings sheet's first row, reporting what Tham Gia cannot
/// use; without settings (or without a form_id) the id comes from the file
/// name, as pyxform takes it.
pub(super) fn read_settings(
    table: Option<&Table>,
    file_name: Option<&str>,
    languages: Vec<String>,
    problems: &mut Problems,
) -> Settings {
    let mut settings = Settings {
        id: String::new(),
        title: Localized::default(),
        description: Localized::default(),
        form_version: None,
        languages,
        instance_name: None,
        default_language: default_language(table),
        layout: Layout::OneQuestionPerScreen,
        age_bands: AgeBand::ALL.to_vec(),
        allow_choice_duplicates: false,
    };
    let Some(row) = table.and_then(|table| table.rows.first().map(|row| (table, row))) else {
        from_file_name(&mut settings, file_name, problems);
        return settings;
    };
    let (table, row) = row;
    let at = Some(row.number);
    for (header, base, value) in table.filled(row) {
        if !READ_SETTINGS.contains(&base) {
            problems.warn(
                "settings",
                at,
                format!("Thiết lập \"{header}\" (\"{value}\") không được dùng trong Tham Gia."),
                format!("The setting \"{header}\" (\"{value}\") is not used in Tham Gia."),
            );
        }
    }

    settings.allow_choice_duplicates = matches!(
        table
            .text(row, &["allow_choice_duplicates"])
            .to_ascii_lowercase()
            .as_str(),
        "yes" | "true" | "true()"
    );

    let form_id = table.text(row, &["form_id", "set_form_id"]);
    settings.id = form_id
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-");
    if form_id.is_empty() {
        from_file_name(&mut settings, file_name, problems);
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
    if title.is_empty() {
        // pyxform names a form after its id.
        if settings.title.vi.is_empty() {
            settings.title = Localized::new(form_id, "");
        }
    } else {
        settings.title = match title.split_once(" / ") {
            Some((vi, en)) => Localized::new(vi.trim(), en.trim()),
            None => Localized::new(title, ""),
        };
    }

    settings.description = table
        .translated(
            row,
            "description",
            &settings.default_language,
            &settings.languages,
        )
        .text;

    let instance_name = table.text(row, &["instance_name"]).trim();
    settings.instance_name = (!instance_name.is_empty()).then(|| {
        super::survey::straightened(instance_name).unwrap_or_else(|| instance_name.to_owned())
    });

    let version = table.text(row, &["version"]);
    settings.form_version = (!version.is_empty()).then(|| version.to_owned());

    let style = table.text(row, &["style"]);
    if style.eq_ignore_ascii_case("pages") {
        settings.layout = Layout::PagePerGroup;
    } else if !style.is_empty() {
        problems.warn(
            "settings",
            at,
            format!("Kiểu trình bày \"{style}\" không được dùng: mỗi màn hình một câu hỏi (hoặc ghi \"pages\" để mỗi nhóm một màn hình)."),
            format!("The style \"{style}\" is not used: one question per screen (or write \"pages\" for one screen per group)."),
        );
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

/// The language of untranslated `label`, `hint`, … columns: the settings'
/// `default_language`, Vietnamese when it names none.
pub(super) fn default_language(table: Option<&Table>) -> DefaultLanguage {
    let written = table
        .and_then(|table| {
            table
                .rows
                .first()
                .map(|row| table.text(row, &["default_language"]))
        })
        .unwrap_or("")
        .trim();
    if written.is_empty() || written.eq_ignore_ascii_case("default") {
        return DefaultLanguage::Known(Language::Vi);
    }
    match language_named(written) {
        Some(language) => DefaultLanguage::Known(language),
        None => DefaultLanguage::Other(written.to_owned()),
    }
}

/// The option lists by name. A list is present (possibly empty) as soon as
/// one row names it, so a question can tell a missing list from an empty one.
///
/// Each choice keeps its other filled cells (extra columns, labels in every
/// language) by lower-cased header, for `choice_filter`; a question keeps
/// only the ones its filter reads.
pub(super) fn read_choices(
    table: Option<&Table>,
    settings: &Settings,
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
        let translated = table.translated(
            row,
            "label",
            &settings.default_language,
            &settings.languages,
        );
        let mut label = translated.text;
        if translated.no_vietnamese {
            problems.warn(
                "choices",
                at,
                format!("Lựa chọn \"{value}\" không có nhãn tiếng Việt: nhãn tiếng khác được hiện."),
                format!("The choice \"{value}\" has no Vietnamese label: its label in another language is shown."),
            );
        }
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
        } else if !settings.allow_choice_duplicates
            && choices.iter().any(|choice| choice.value == value)
        {
            problems.add(
                "choices",
                at,
                format!("Giá trị \"{value}\" xuất hiện hai lần trong danh sách \"{list}\". Nếu đúng là vậy, hãy đặt allow_choice_duplicates là yes trong trang settings."),
                format!("The value \"{value}\" appears twice in the \"{list}\" list. If it should, set allow_choice_duplicates to yes in the settings sheet."),
            );
            usable = false;
        }
        if label.vi.is_empty() && usable {
            // A choice shown by a picture in ODK, or a list no question
            // uses: its value stands for its label.
            problems.warn(
                "choices",
                at,
                format!("Lựa chọn \"{value}\" không có nhãn: giá trị của nó được hiện thay nhãn."),
                format!("The choice \"{value}\" has no label: its value is shown instead."),
            );
            label = Localized::new(value, "");
        }
        if usable {
            let columns = table
                .filled(row)
                .filter(|(_, base, _)| {
                    !matches!(*base, "list_name" | "list name" | "name" | "value")
                })
                .map(|(header, _, text)| (header.to_lowercase(), text.to_owned()))
                .collect();
            choices.push(Choice {
                value: value.to_owned(),
                label,
                columns,
            });
        }
    }
    lists
}
