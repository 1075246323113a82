//! A response's reference: what a family keeps so that consent can be
//! withdrawn through the ward later, without naming the child.
//!
//! It is eight random hexadecimal digits of the response's id, shown to
//! the worker when the response is completed ("3F2A-91C0") and beside it in
//! the tablet's list: the last eight of a time-ordered id (version 7, what
//! the app makes since `response::ids`, whose first digits are the time),
//! the first eight of a random one (version 4, what earlier versions made,
//! and what families of that time were given). A ward officer types it on
//! the town hall's withdrawal page, which lists the responses of the
//! officer's wards whose id starts with it (a random id) or ends with it
//! (a time-ordered one) (one, nearly always: two of a million responses
//! share a reference about once in four thousand lookups), each with its
//! survey, ward, day, age band and sex, so the officer withdraws the right
//! one.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::localized::Localized;
use crate::response::{AgeBand, Sex};

/// Hexadecimal digits in a reference.
pub const REFERENCE_DIGITS: usize = 8;

/// The reference of the response with id `id`, as shown and printed:
/// "3F2A-91C0" (see the module's documentation for which digits).
pub fn reference(id: Uuid) -> String {
    let digits = id.simple().to_string().to_ascii_uppercase();
    let digits = if reference_at_end(id) {
        &digits[digits.len() - REFERENCE_DIGITS..]
    } else {
        &digits[..REFERENCE_DIGITS]
    };
    format!("{}-{}", &digits[..4], &digits[4..])
}

/// Whether `id`'s reference is its last digits (a time-ordered id,
/// version 7) rather than its first.
pub fn reference_at_end(id: Uuid) -> bool {
    id.get_version_num() == 7
}

/// The digits a typed reference names, as ids are written (lowercase:
/// "3f2a91c0"), which a random id starts with and a time-ordered one ends
/// with ([`reference`]): its eight hexadecimal digits in either case,
/// with spaces or dashes (any of `-`, `–`, `—`) anywhere between them. `None` for anything else,
/// with nothing kept of it.
pub fn reference_prefix(typed: &str) -> Option<String> {
    // A reference is short: longer text is refused before it is read.
    if typed.len() > 4 * REFERENCE_DIGITS {
        return None;
    }
    let digits: String = typed
        .chars()
        .filter(|character| !matches!(character, ' ' | '-' | '–' | '—'))
        .collect();
    (digits.len() == REFERENCE_DIGITS && digits.chars().all(|digit| digit.is_ascii_hexdigit()))
        .then(|| digits.to_ascii_lowercase())
}

/// Why a typed reference is refused.
pub fn reference_problem() -> Localized {
    Localized::new(
        "Mã phiếu gồm 8 chữ số và chữ cái từ A đến F, ví dụ 3F2A-91C0.",
        "A reference is 8 digits and letters A to F, such as 3F2A-91C0.",
    )
}

/// A response the town hall holds under a reference
/// (`GET /responses/by-reference/{reference}`): enough for an officer to
/// tell it is the family's, nothing of the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferencedResponse {
    /// Its id, to withdraw it by.
    pub id: Uuid,
    /// The survey's title.
    pub survey_title: Localized,
    /// The ward or commune where it was collected.
    pub ward_code: String,
    /// The day it was started, in Hanoi (`YYYY-MM-DD`).
    pub day: String,
    /// The child's age band.
    pub age_band: Option<AgeBand>,
    /// The child's sex.
    pub sex: Option<Sex>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_the_ids_first_eight_digits_and_reads_back_however_typed() {
        let id: Uuid = "3f2a91c0-5b7d-4e1f-8a2b-1c3d5e7f9a0b"
            .parse()
            .expect("an id");
        assert_eq!(reference(id), "3F2A-91C0");
        for typed in ["3F2A-91C0", "3f2a91c0", " 3F2A 91C0 ", "3-f-2-a-9-1-c-0"] {
            assert_eq!(
                reference_prefix(typed).as_deref(),
                Some("3f2a91c0"),
                "{typed}"
            );
        }
        assert!(id.to_string().starts_with("3f2a91c0"));
        let long = "3".repeat(10_000);
        for typed in [
            "",
            "3F2A-91C",
            "3F2A-91C0A",
            "3G2A-91C0",
            "3F2A_91C0",
            &long,
        ] {
            assert_eq!(reference_prefix(typed), None, "{typed}");
        }
        assert_eq!(reference(Uuid::nil()), "0000-0000");
    }

    #[test]
    fn a_time_ordered_id_s_reference_is_its_last_eight_digits_not_its_time() {
        let at = chrono::DateTime::from_timestamp_millis(1_796_000_000_000).expect("an instant");
        let id = crate::response::ids::time_ordered_id(
            at,
            &[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0d, 0xef],
        );
        let text = id.to_string();
        assert!(text.ends_with("def00def"), "{text}");
        assert_eq!(reference(id), "DEF0-0DEF");
        assert!(reference_at_end(id));
        assert_eq!(reference_prefix("DEF0-0DEF").as_deref(), Some("def00def"));
        // Two responses started in the same minute have different
        // references, and neither says when.
        let other = crate::response::ids::time_ordered_id(at, &[0x99; 10]);
        assert_eq!(text[..8], other.to_string()[..8], "the same time digits");
        assert_ne!(reference(id), reference(other));
        assert!(!reference(id)
            .replace('-', "")
            .eq_ignore_ascii_case(&text[..8]));
    }
}
