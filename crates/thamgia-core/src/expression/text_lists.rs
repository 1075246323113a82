//! ODK's text and checklist functions beyond XPath's common ones:
//! `substring-before`, `substring-after`, `translate` and the checklists.

use super::value::Value;

/// What comes before the first `part` of `text` ("" when it has none).
pub(super) fn before<'a>(text: &'a str, part: &str) -> &'a str {
    text.find(part).map_or("", |at| &text[..at])
}

/// What comes after the first `part` of `text` ("" when it has none; all
/// of `text` when `part` is empty, as XPath has it).
pub(super) fn after<'a>(text: &'a str, part: &str) -> &'a str {
    text.find(part).map_or("", |at| &text[at + part.len()..])
}

/// Each character of `text` found in `from` replaced by the character at
/// the same place in `to`, or removed when `to` is shorter; the first
/// place of a character repeated in `from` counts.
pub(super) fn translate(text: &str, from: &str, to: &str) -> String {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    text.chars()
        .filter_map(|c| match from.iter().position(|f| *f == c) {
            Some(place) => to.get(place).copied(),
            None => Some(c),
        })
        .collect()
}

/// Whether the true answers among `values` (or, `weighted`, the sum of the
/// weights following each true answer) are at least `min` and at most
/// `max`, where -1 leaves that side open.
pub(super) fn checklist(min: f64, max: f64, values: &[Value], weighted: bool) -> bool {
    let total: f64 = if weighted {
        values
            .chunks(2)
            .filter(|pair| pair[0].to_bool())
            .map(|pair| pair.get(1).map_or(0.0, Value::to_number))
            .sum()
    } else {
        values.iter().filter(|value| value.to_bool()).count() as f64
    };
    (min == -1.0 || total >= min) && (max == -1.0 || total <= max)
}
