//! The values expressions compute with, and XPath 1.0's conversions between
//! them.

use chrono::{Datelike, NaiveDate};

/// `NaiveDate::num_days_from_ce()` of 1970-01-01: dates count as days since
/// then, as in ODK.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A value an expression reads or computes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No answer (unanswered, not relevant or unknown question). Behaves as
    /// the empty string: `""` as text, NaN as a number, `false` as a boolean.
    Empty,
    /// Text, including the space-separated choice names of a multiple choice.
    Text(String),
    /// A number; integers are numbers too.
    Number(f64),
    /// A boolean, from a comparison, `and`, `or` or a function like `not()`.
    Bool(bool),
    /// A date; as a number it counts the days since 1970-01-01.
    Date(NaiveDate),
    /// The values of a question in every instance of a repeat, read from
    /// outside it (XPath's node-set; for a repeat itself, one empty value
    /// per instance). `sum()`, `count()`, `min()` and `max()` read them
    /// all, a comparison holds if it holds for one of them, and anything
    /// else reads the first, as XPath 1.0 does.
    Nodeset(Vec<Value>),
}

impl Value {
    /// XPath's `string()`: numbers without a trailing `.0` and never in
    /// exponent notation, booleans as `true`/`false`, dates as `YYYY-MM-DD`.
    pub fn to_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(text) => text.clone(),
            Value::Number(number) => number_to_text(*number),
            Value::Bool(true) => "true".to_owned(),
            Value::Bool(false) => "false".to_owned(),
            Value::Date(date) => date.format("%Y-%m-%d").to_string(),
            Value::Nodeset(values) => values.first().map(Value::to_text).unwrap_or_default(),
        }
    }

    /// XPath's `number()`: text must be a plain decimal number (optional
    /// minus sign, no exponent, surrounding whitespace allowed) or it is NaN;
    /// `true` is 1; a date is its count of days since 1970-01-01.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Empty => f64::NAN,
            Value::Text(text) => text_to_number(text),
            Value::Number(number) => *number,
            Value::Bool(true) => 1.0,
            Value::Bool(false) => 0.0,
            Value::Date(date) => f64::from(days_since_epoch(*date)),
            Value::Nodeset(values) => values.first().map_or(f64::NAN, Value::to_number),
        }
    }

    /// XPath's `boolean()`: text is true when not empty (even `"false"`), a
    /// number when neither 0 nor NaN; a date is always true.
    pub fn to_bool(&self) -> bool {
        match self {
            Value::Empty => false,
            Value::Text(text) => !text.is_empty(),
            Value::Number(number) => *number != 0.0 && !number.is_nan(),
            Value::Bool(value) => *value,
            Value::Date(_) => true,
            Value::Nodeset(values) => !values.is_empty(),
        }
    }

    /// The value as a date: a date stays one, text of the form `YYYY-MM-DD`
    /// (optionally followed by a time, `T…`) is read as one, a number counts
    /// days since 1970-01-01. `None` for anything else.
    pub fn to_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(date) => Some(*date),
            Value::Text(text) => text_to_date(text),
            Value::Number(days) => days_to_date(*days),
            Value::Nodeset(values) => values.first().and_then(Value::to_date),
            Value::Empty | Value::Bool(_) => None,
        }
    }

    /// The number used when this value is compared with a date: like
    /// [`Value::to_number`], except that a text date counts as its days.
    pub(super) fn to_number_beside_date(&self) -> f64 {
        match self {
            Value::Text(text) => match text_to_date(text) {
                Some(date) => f64::from(days_since_epoch(date)),
                None => text_to_number(text),
            },
            Value::Nodeset(values) => values
                .first()
                .map_or(f64::NAN, Value::to_number_beside_date),
            other => other.to_number(),
        }
    }
}

/// Formats a number as XPath's `string()` does.
fn number_to_text(number: f64) -> String {
    if number.is_nan() {
        "NaN".to_owned()
    } else if number.is_infinite() {
        if number > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_owned()
    } else if number == 0.0 {
        // Also turns -0 into "0", as XPath asks.
        "0".to_owned()
    } else {
        // Rust's `Display` for f64 prints the shortest text that reads back
        // as the same number, never with an exponent and without ".0" for
        // integers: what XPath asks for.
        format!("{number}")
    }
}

/// Reads a number as XPath's `number()` does: `-?(digits(.digits?)?|.digits)`
/// between optional whitespace. Rust's own parser accepts more (`1e5`,
/// `inf`, `+3`), which XPath treats as NaN.
fn text_to_number(text: &str) -> f64 {
    let trimmed =
        text.trim_matches(|character: char| matches!(character, ' ' | '\t' | '\n' | '\r'));
    let unsigned = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let mut digits = 0;
    let mut points = 0;
    for character in unsigned.chars() {
        match character {
            '0'..='9' => digits += 1,
            '.' => points += 1,
            _ => return f64::NAN,
        }
    }
    if digits == 0 || points > 1 {
        return f64::NAN;
    }
    trimmed.parse::<f64>().unwrap_or(f64::NAN)
}

/// Reads `YYYY-MM-DD`, optionally followed by `T` and a time that is ignored.
fn text_to_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10)?;
    if !(rest.is_empty() || rest.starts_with('T')) {
        return None;
    }
    let bytes = date.as_bytes();
    let shape_is_right = bytes.iter().enumerate().all(|(index, byte)| match index {
        4 | 7 => *byte == b'-',
        _ => byte.is_ascii_digit(),
    });
    if !shape_is_right {
        return None;
    }
    let year = date.get(0..4)?.parse().ok()?;
    let month = date.get(5..7)?.parse().ok()?;
    let day = date.get(8..10)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Days since 1970-01-01 (negative before).
pub(super) fn days_since_epoch(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// The date `days` after 1970-01-01, counting whole days (a fraction is
/// dropped toward the past, as a time of day would be); `None` when out of
/// the calendar's range or not a number.
fn days_to_date(days: f64) -> Option<NaiveDate> {
    if !days.is_finite() {
        return None;
    }
    let days = days.floor() + f64::from(UNIX_EPOCH_DAYS_FROM_CE);
    if days < f64::from(i32::MIN) || days > f64::from(i32::MAX) {
        return None;
    }
    // In range and whole, checked just above, so the cast is exact.
    NaiveDate::from_num_days_from_ce_opt(days as i32)
}
