//! Searching Vietnamese text the way people type it on a tablet: without
//! diacritics and without caring about case.
//!
//! The ward pickers search names with it today; the search of free-text
//! answers on the server will use the same folding, so a query finds the
//! same things on both sides.

/// Removes Vietnamese diacritics and case, so "hoa" finds "Hoà" and "Hòa",
/// and "ba dinh" finds "Ba Đình".
///
/// Both precomposed letters ("ồ") and letters followed by combining marks
/// ("o" + U+0302 + U+0300, as some keyboards send them) fold to the base
/// letter. "đ" and "Đ" fold to "d". Other characters are only lowercased.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter(|character| !is_combining_mark(*character))
        .map(base_letter)
        .collect()
}

/// Whether `text`, folded, contains `folded_query`, which the caller folded
/// once with [`fold`]. An empty query is contained in every text.
pub fn contains_folded(text: &str, folded_query: &str) -> bool {
    fold(text).contains(folded_query)
}

/// The Latin letter a lowercase Vietnamese letter is written on.
fn base_letter(character: char) -> char {
    const ACCENTED: &str = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ";
    const BASE: &str = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";
    ACCENTED
        .chars()
        .position(|accented| accented == character)
        .and_then(|index| BASE.chars().nth(index))
        .unwrap_or(character)
}

/// Combining diacritical marks (U+0300–U+036F): the tones and hats of
/// Vietnamese written in decomposed form.
fn is_combining_mark(character: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&character)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_diacritics_and_case() {
        assert_eq!(fold("Ba Đình"), "ba dinh");
        assert_eq!(fold("Phường Yên Hoà"), "phuong yen hoa");
        assert_eq!(fold("Đống Đa"), "dong da");
        assert_eq!(fold("HOÀN KIẾM"), "hoan kiem");
    }

    #[test]
    fn d_with_stroke_folds_to_d_in_both_cases() {
        assert_eq!(fold("đ"), "d");
        assert_eq!(fold("Đ"), "d");
    }

    #[test]
    fn both_tone_placements_fold_alike() {
        assert_eq!(fold("Hòa"), fold("Hoà"));
        assert_eq!(fold("Thủy"), fold("Thuỷ"));
    }

    #[test]
    fn decomposed_letters_fold_like_precomposed_ones() {
        // "Hồ" as o + circumflex + grave.
        assert_eq!(fold("Ho\u{0302}\u{0300}"), "ho");
        assert_eq!(fold("Ho\u{0302}\u{0300}"), fold("Hồ"));
    }

    #[test]
    fn every_vietnamese_vowel_folds_to_its_base() {
        let checks = [
            ("aàáạảãâầấậẩẫăằắặẳẵ", 'a'),
            ("eèéẹẻẽêềếệểễ", 'e'),
            ("iìíịỉĩ", 'i'),
            ("oòóọỏõôồốộổỗơờớợởỡ", 'o'),
            ("uùúụủũưừứựửữ", 'u'),
            ("yỳýỵỷỹ", 'y'),
        ];
        for (letters, base) in checks {
            let expected: String = letters.chars().map(|_| base).collect();
            assert_eq!(fold(letters), expected, "lowercase {letters}");
            assert_eq!(
                fold(&letters.to_uppercase()),
                expected,
                "uppercase {letters}"
            );
        }
    }

    #[test]
    fn other_characters_are_only_lowercased() {
        assert_eq!(fold("Phường 12 — Quận 3"), "phuong 12 — quan 3");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn a_search_without_diacritics_finds_the_name() {
        let query = fold("ba dinh");
        assert!(contains_folded("Phường Ba Đình", &query));
        assert!(contains_folded("Ba Dinh Ward", &query));
        assert!(!contains_folded("Phường Đống Đa", &query));
        assert!(contains_folded("Phường Đống Đa", &fold("")));
    }
}
