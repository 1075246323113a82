//! How long a text and how many items a record may hold.
//!
//! A worker never meets these: they are far above what a forum, a report or
//! an answer needs. They bound what a broken or hostile client can make the
//! server store and every tablet pull; the server refuses a record that
//! exceeds one with a message saying which text is too long. Survey answers
//! have their own bound, the question's `max_length`.

use crate::localized::Localized;

/// Longest one-line text: a place, names, a title, an authority, an author.
pub const MAX_LINE_CHARS: usize = 500;
/// Longest free text: an opinion, a recommendation, a note, a narrative.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Most items in one list of a record: topics, opinions of a topic,
/// recommendations, participant counts.
pub const MAX_ITEMS: usize = 500;

/// Most instances a repeat's `repeat_count` asks for: a household roster
/// or a list of activities stays far below it; a count above it (a typo,
/// or a hostile form) is cut to it rather than making thousands of
/// instances.
pub const MAX_REPEAT_COUNT: usize = 100;

/// Most characters of a client's text quoted back in a message, a log line
/// or a stored refusal: enough to recognise it, never enough to make an
/// answer or a row grow with what was sent.
pub const MAX_QUOTED_CHARS: usize = 40;

/// Longest message kept with a refused record or sent back about one, in
/// each language; longer ones (many quoted inputs) are cut with "…".
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// Most reasons listed for one refused record; the rest are counted.
pub const MAX_REASONS: usize = 10;

/// A client's `text` as it may be quoted back: at most [`MAX_QUOTED_CHARS`]
/// characters, control characters and quotes escaped (so a quoted text
/// cannot forge a log line or break out of its quotes), and "…" with the
/// full length when it was longer.
pub fn quoted(text: &str) -> String {
    quoted_prefix(text, MAX_QUOTED_CHARS)
}

/// As [`quoted`], with at most `max` characters kept (for log lines, which
/// may carry more of a message than a user needs).
pub fn quoted_prefix(text: &str, max: usize) -> String {
    let mut quoted = String::new();
    let mut characters = text.chars();
    for character in characters.by_ref().take(max) {
        quoted.extend(character.escape_debug());
    }
    if characters.next().is_some() {
        let length = text.chars().count();
        quoted.push_str(&format!("… ({length})"));
    }
    quoted
}

/// `text` cut to at most `max` characters, ending in "…" when cut.
pub fn truncated(text: &str, max: usize) -> String {
    if text.chars().nth(max).is_none() {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A message bounded in both languages (see [`MAX_MESSAGE_CHARS`]).
pub fn bounded_message(message: &Localized) -> Localized {
    Localized::new(
        truncated(&message.vi, MAX_MESSAGE_CHARS),
        truncated(&message.en, MAX_MESSAGE_CHARS),
    )
}

/// Reasons joined into one bounded message: at most [`MAX_REASONS`] listed,
/// the number of the others said, and the whole bounded.
pub fn joined_reasons(reasons: &[Localized]) -> Localized {
    let listed = &reasons[..reasons.len().min(MAX_REASONS)];
    let mut vi: Vec<String> = listed.iter().map(|reason| reason.vi.clone()).collect();
    let mut en: Vec<String> = listed.iter().map(|reason| reason.en.clone()).collect();
    let others = reasons.len() - listed.len();
    if others > 0 {
        vi.push(format!("và {others} lỗi khác."));
        en.push(format!("and {others} more problem(s)."));
    }
    bounded_message(&Localized::new(vi.join(" "), en.join(" ")))
}

/// A problem when `text` is longer than `max` characters; `what` names it
/// for people, in Vietnamese and English.
pub fn too_long(what: (&str, &str), text: &str, max: usize) -> Option<Localized> {
    let length = text.chars().count();
    (length > max).then(|| {
        Localized::new(
            format!(
                "{} quá dài: {length} ký tự, tối đa {max}. Hãy rút gọn rồi lưu lại.",
                what.0
            ),
            format!(
                "{} is too long: {length} characters, at most {max}. Shorten it and save again.",
                what.1
            ),
        )
    })
}

/// A problem when a list holds more than [`MAX_ITEMS`] items.
pub fn too_many(what: (&str, &str), count: usize) -> Option<Localized> {
    (count > MAX_ITEMS).then(|| {
        Localized::new(
            format!("{} quá nhiều: {count}, tối đa {MAX_ITEMS}.", what.0),
            format!("Too many {}: {count}, at most {MAX_ITEMS}.", what.1),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_text_is_short_escaped_and_says_how_long_it_was() {
        assert_eq!(quoted("phường 7"), "phường 7");
        assert_eq!(quoted("a\"b\nc"), "a\\\"b\\nc");
        let long = "x".repeat(8 * 1024 * 1024);
        let short = quoted(&long);
        assert!(short.chars().count() < MAX_QUOTED_CHARS + 20, "{short}");
        assert!(short.ends_with("… (8388608)"), "{short}");
    }

    #[test]
    fn messages_and_reasons_are_bounded() {
        assert_eq!(truncated("abc", 3), "abc");
        assert_eq!(truncated("abcd", 3), "ab…");
        assert_eq!(truncated("ừừừừ", 2), "ừ…");
        let reason = Localized::new("ư".repeat(400), "e".repeat(400));
        let many = vec![reason; 50];
        let joined = joined_reasons(&many);
        assert!(joined.vi.chars().count() <= MAX_MESSAGE_CHARS);
        assert!(joined.en.chars().count() <= MAX_MESSAGE_CHARS);
        let few = joined_reasons(&vec![Localized::new("một", "one"); 12]);
        assert!(few.en.ends_with("and 2 more problem(s)."), "{}", few.en);
        assert!(few.vi.ends_with("và 2 lỗi khác."), "{}", few.vi);
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let vietnamese = "ư".repeat(MAX_LINE_CHARS);
        assert!(too_long(("Địa điểm", "The place"), &vietnamese, MAX_LINE_CHARS).is_none());
        let longer = format!("{vietnamese}a");
        let problem =
            too_long(("Địa điểm", "The place"), &longer, MAX_LINE_CHARS).expect("too long");
        assert!(problem.vi.starts_with("Địa điểm quá dài: 501"));
        assert!(problem.en.contains("at most 500"));
        assert!(too_many(("Chủ đề", "topics"), MAX_ITEMS + 1).is_some());
        assert!(too_many(("Chủ đề", "topics"), MAX_ITEMS).is_none());
    }
}
