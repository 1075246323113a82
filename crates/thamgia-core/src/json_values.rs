//! How many values a JSON text holds, counted before it is decoded.
//!
//! Decoding a JSON body can take far more memory than the body: a list of
//! a million empty strings is 3 MB of text and, decoded, a million
//! `String`s (24 bytes each and their room), and where serde has to hold a
//! value before it knows its type (an adjacently tagged answer whose
//! `value` comes before its `type`, an internally tagged object whose tag
//! is not first) it keeps every item in its own tree of about 32 bytes
//! each. A 16 MiB body of tiny items held about half a gigabyte while it
//! was decoded. What decoding holds grows with the number of values, not
//! the bytes, so the server counts them first ([`count_values`]) and
//! refuses a body with more than [`MAX_BODY_VALUES`]; it also sets aside
//! [`BYTES_PER_VALUE`] of its memory per value while the body is decoded
//! (`body_room.rs` in the server).
//!
//! The count is an upper bound read from the text's punctuation alone:
//! every value but the outermost follows a `[`, a `,` or a `:`, and every
//! key of an object follows a `{` or a `,`; so the count is one more than
//! those outside strings. It is exact but for an empty `[]` or `{}`, which
//! counts one more. A text that is not JSON gets a count too, which is
//! harmless: the decoder refuses it afterwards.

/// Most values (and object keys) a request body may hold. A push of 500
/// responses of 40 answers, each choosing three options, holds under
/// 200,000 (an answer is its key, its object, `type` and `value` with
/// theirs, and each option chosen), and one response comes near
/// the bound only with some 150,000 answers, several megabytes of them: a
/// form of thousands of questions, repeated. A push over it is refused
/// with 413, and the sync client halves its pushes until they pass.
pub const MAX_BODY_VALUES: usize = 1_000_000;

/// The memory decoding a value may take at most, as the server sets it
/// aside: serde's held tree is 32 bytes a value, its lists grow by
/// doubling, and a string's text has room of its own.
pub const BYTES_PER_VALUE: usize = 64;

/// The values (and object keys) in `text`, or `None` as soon as there are
/// more than `max`.
pub fn count_values(text: &[u8], max: usize) -> Option<usize> {
    let mut count = 1usize;
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        at += 1;
        match byte {
            b'"' => at = after_string(text, at),
            b'[' | b'{' | b',' | b':' => {
                count += 1;
                if count > max {
                    return None;
                }
            }
            _ => {}
        }
    }
    (count <= max).then_some(count)
}

/// Where the string whose text starts at `at` ends (past its closing
/// quote), its text skipped with `memchr`; the end of `text` when the
/// string is not closed.
fn after_string(text: &[u8], mut at: usize) -> usize {
    while let Some(rest) = text.get(at..) {
        match memchr::memchr2(b'"', b'\\', rest) {
            None => break,
            Some(offset) if rest[offset] == b'"' => return at + offset + 1,
            // A backslash: the next byte is escaped, whatever it is.
            Some(offset) => at += offset + 2,
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::test_random::Xorshift;

    /// The values and keys `value` holds, and its empty lists and objects.
    fn nodes(value: &Value) -> (usize, usize) {
        match value {
            Value::Array(items) => items.iter().map(nodes).fold(
                (1, usize::from(items.is_empty())),
                |(all, empty), (n, e)| (all + n, empty + e),
            ),
            Value::Object(entries) => entries.values().map(nodes).fold(
                (1 + entries.len(), usize::from(entries.is_empty())),
                |(all, empty), (n, e)| (all + n, empty + e),
            ),
            _ => (1, 0),
        }
    }

    /// A text with the characters a count could trip on.
    fn text(random: &mut Xorshift) -> String {
        const PIECES: [&str; 9] = ["a", ",", ":", "[", "{", "\\", "\"", "ệ", "}"];
        (0..random.below(6))
            .map(|_| *random.pick(&PIECES))
            .collect()
    }

    /// A JSON value nested at most `depth` deep.
    fn value(random: &mut Xorshift, depth: u32) -> Value {
        match random.below(if depth == 0 { 4 } else { 6 }) {
            0 => Value::Null,
            1 => json!(random.below(1000)),
            2 => Value::String(text(random)),
            3 => Value::Bool(random.chance(50)),
            4 => Value::Array(
                (0..random.below(5))
                    .map(|_| value(random, depth - 1))
                    .collect(),
            ),
            _ => {
                let mut entries = Map::new();
                for _ in 0..random.below(5) {
                    let key = text(random);
                    let value = value(random, depth - 1);
                    entries.insert(key, value);
                }
                Value::Object(entries)
            }
        }
    }

    #[test]
    fn counts_every_value_and_key_and_one_more_per_empty_list_or_object() {
        let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2_000 {
            let value = value(&mut random, 4);
            let (all, empty) = nodes(&value);
            for text in [
                serde_json::to_string(&value).expect("json"),
                serde_json::to_string_pretty(&value).expect("json"),
            ] {
                assert_eq!(
                    count_values(text.as_bytes(), usize::MAX),
                    Some(all + empty),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn punctuation_inside_strings_and_escaped_quotes_is_not_counted() {
        let text = br#"{"a,b:[{":"x\",[{:y\\","c":[1,2]}"#;
        // The object, two keys, "x\",[{:y\\", the list and its two items.
        assert_eq!(count_values(text, usize::MAX), Some(7));
        // A string left open, or ending in a backslash, runs to the end.
        assert_eq!(count_values(br#"[1,"open, [ {"#, usize::MAX), Some(3));
        assert_eq!(count_values(br#"["a"#, usize::MAX), Some(2));
        assert_eq!(count_values(br#"["a\"]"#, usize::MAX), Some(2));
    }

    #[test]
    fn stops_as_soon_as_the_bound_is_passed() {
        let mut text = b"[".to_vec();
        text.extend(std::iter::repeat_n(&b"0,"[..], 999).flatten());
        text.extend(b"0]");
        // The list and its thousand items.
        assert_eq!(count_values(&text, 1_001), Some(1_001));
        assert_eq!(count_values(&text, 1_000), None);
        assert_eq!(count_values(b"7", 1), Some(1));
        assert_eq!(count_values(b"[]", 1), None);
    }

    #[test]
    fn a_push_of_500_responses_of_40_answers_is_far_under_the_bound() {
        let answer = json!({"type": "choices", "value": ["a", "b", "c"]});
        let answers: Map<String, Value> = (0..40)
            .map(|index| (format!("q{index}"), answer.clone()))
            .collect();
        let mutation = json!({"seq": 1, "change": {"type": "submit_response", "response": {
            "id": "00000000-0000-0000-0000-000000000000", "answers": answers}}});
        let push = json!({"mutations": vec![mutation; 500]});
        let text = serde_json::to_vec(&push).expect("json");
        let count = count_values(&text, MAX_BODY_VALUES).expect("under the bound");
        assert!(count < MAX_BODY_VALUES / 5, "{count}");
    }
}
