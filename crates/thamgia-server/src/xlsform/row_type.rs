//! What a survey row asks for: its `type` cell read into a [`RowType`], and
//! the appearances and columns a row may use (the others change how a form
//! behaves in ways Tham Gia does not, so a row that uses them is refused).

/// Appearances Tham Gia shows as the author meant (or where ignoring them
/// loses nothing a child or worker would notice).
pub(super) const SUPPORTED_APPEARANCES: &[&str] = &[
    "field-list",
    "multiline",
    "likert",
    "minimal",
    "horizontal",
    "horizontal-compact",
    "compact",
    "columns",
    "columns-pack",
];

/// Appearances the tablet draws on a question (kept on it); the others of
/// [`SUPPORTED_APPEARANCES`] lose nothing when the question is drawn as
/// usual, and `field-list` is a group's.
pub(super) const DRAWN_APPEARANCES: &[&str] = &[
    "likert",
    "minimal",
    "horizontal",
    "horizontal-compact",
    "compact",
    "columns",
    "columns-pack",
];

/// Metadata types the tablet does not collect (about the device, the
/// worker or the timing, never what a child says): skipped, and listed.
const SKIPPED_METADATA: &[&str] = &[
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "audit",
    "simserial",
    "subscriberid",
    "phonenumber",
    "email",
    "uri:deviceid",
    "uri:simserial",
    "uri:subscriberid",
    "uri:phonenumber",
    "uri:username",
    "uri:email",
];

/// What a row's `type` cell asks for.
#[derive(Debug, PartialEq)]
pub(super) enum RowType<'a> {
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
    Time,
    DateTime,
    /// `acknowledge` (ODK's older name: `trigger`).
    Acknowledge,
    Note,
    Calculate,
    Range,
    /// A phone number: text of digits only.
    Phone,
    SelectOne(&'a str),
    SelectMultiple(&'a str),
    Rank(&'a str),
    /// Any other type, named as the author wrote it.
    Unsupported(&'a str),
}

/// Reads a `type` cell, whitespace already collapsed to single spaces.
pub(super) fn row_type<'a>(written: &'a str) -> RowType<'a> {
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
        "time" => RowType::Time,
        "datetime" => RowType::DateTime,
        "acknowledge" | "trigger" => RowType::Acknowledge,
        "note" => RowType::Note,
        "calculate" => RowType::Calculate,
        "range" => RowType::Range,
        "phone number" | "phone_number" => RowType::Phone,
        other if SKIPPED_METADATA.contains(&other) => RowType::Skipped,
        _ => RowType::Unsupported(written.split(' ').next().unwrap_or(written)),
    }
}

/// Survey-sheet columns Tham Gia reads. Any other filled cell (media,
/// `body::…`, `bind::…` and `instance::…` attributes, ODK's own settings of
/// a row, an author's notes) is read, not used, and listed as such.
pub(super) fn is_read_column(base: &str) -> bool {
    matches!(
        base,
        "type"
            | "command"
            | "name"
            | "label"
            | "hint"
            | "required"
            | "relevant"
            | "relevance"
            | "constraint"
            | "constraint_message"
            | "choice_filter"
            | "guidance_hint"
            | "read_only"
            | "readonly"
            | "repeat_count"
            | "count"
            | "jr:count"
            | "calculation"
            | "trigger"
            | "calculate"
            | "appearance"
            | "disclosure"
            | "parameters"
            | "default"
            | "required_message"
            | "requiredmsg"
            | "jr:requiredmsg"
    )
}
