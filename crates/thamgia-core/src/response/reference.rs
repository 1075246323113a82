//! A response's reference: what a family keeps so that consent can be
//! withdrawn through the ward later, without naming the child.
//!
//! It is the first eight hexadecimal digits of the response's id, shown to
//! the worker when the response is completed ("3F2A-91C0") and beside it in
//! the tablet's list. A ward officer types it on the town hall's
//! withdrawal page, which lists the responses of the officer's wards whose
//! id starts with it (one, nearly always: two of a million responses share
//! a reference about once in four thousand lookups), each with its survey,
//! ward, day, age band and sex, so the officer withdraws the right one.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::localized::Localized;
use crate::response::{AgeBand, Sex};

/// Hexadecimal digits in a reference.
pub const REFERENCE_DIGITS: usize = 8;

/// The reference of the response with id `id`, as shown and printed:
/// "3F2A-91C0".
pub fn reference(id: Uuid) -> String {
    let digits = id.simple().to_string().to_ascii_uppercase();
    format!("{}-{}", &digits[..4], &digits[4..REFERENCE_DIGITS])
}

/// The start of the ids a typed reference names, as ids are written
/// (lowercase: "3f2a91c0"): its eight hexadecimal digits in either case,
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
}
