//! Bilingual text: Vietnamese first, English beside it.

use serde::{Deserialize, Serialize};

/// A language the user interface and survey labels can be shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Language {
    /// The BCP 47 tag, for the `lang` attribute of the page.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }

    /// Parses a stored tag; anything unknown falls back to Vietnamese.
    pub fn from_tag(tag: &str) -> Language {
        match tag {
            "en" => Language::En,
            _ => Language::Vi,
        }
    }
}

/// A text in Vietnamese and in English.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Localized {
    /// Vietnamese text, always present.
    pub vi: String,
    /// English text; when empty, the Vietnamese text is shown instead.
    pub en: String,
}

impl Localized {
    /// Builds a text from both languages.
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Localized {
        Localized {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// The text in `language`, falling back to Vietnamese when the English is missing.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::En if !self.en.is_empty() => &self.en,
            _ => &self.vi,
        }
    }
}

impl std::fmt::Display for Localized {
    /// Both languages, for logs and error chains: "vi / en".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.vi, self.en)
    }
}

/// The English form of a noun for `count` things: `one` for exactly one,
/// `other` for every other count, zero included ("0 records", "1 record",
/// "2 records"). Vietnamese nouns have no plural form, so Vietnamese texts
/// need no such choice.
pub fn english_plural<'a, N>(count: N, one: &'a str, other: &'a str) -> &'a str
where
    N: PartialEq + From<u8>,
{
    if count == N::from(1) {
        one
    } else {
        other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_plural_is_singular_for_one_only() {
        assert_eq!(english_plural(1_usize, "record", "records"), "record");
        assert_eq!(english_plural(0_usize, "record", "records"), "records");
        assert_eq!(english_plural(2_u32, "child", "children"), "children");
        assert_eq!(english_plural(1_u64, "vote", "votes"), "vote");
        assert_eq!(english_plural(-1_i64, "day", "days"), "days");
        assert_eq!(english_plural(21_i64, "day", "days"), "days");
    }
}
