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
