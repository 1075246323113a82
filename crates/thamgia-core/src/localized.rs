//! Bilingual text: Vietnamese first, English beside it; a survey's texts
//! may carry more languages, which the worker picks for the form alone.

use std::collections::BTreeMap;

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
    /// A survey's text in further languages, by the language's name as the
    /// form writes it (`Français (fr)`, `Hmong`): shown only when the worker
    /// picks that language for the form. The app's own texts have none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub others: BTreeMap<String, String>,
}

impl Localized {
    /// Builds a text from both languages.
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Localized {
        Localized {
            vi: vi.into(),
            en: en.into(),
            others: BTreeMap::new(),
        }
    }

    /// The text in the form language the worker picked, when it has one,
    /// else in the app's `language`.
    pub fn in_form(&self, form_language: Option<&str>, language: Language) -> &str {
        form_language
            .and_then(|name| self.others.get(name))
            .filter(|text| !text.is_empty())
            .map_or_else(|| self.get(language), String::as_str)
    }

    /// The text with `change` applied in every language it has (the
    /// answers a label quotes, say).
    pub fn map_texts(&self, mut change: impl FnMut(&str) -> String) -> Localized {
        let vi = change(&self.vi);
        let en = change(&self.en);
        // Inserted one by one, not collected: collecting a `BTreeMap` sorts
        // first, with its own copy of the standard sort in the tablet's
        // wasm (see `crate::sorting`), and these come in order anyway.
        let mut others = BTreeMap::new();
        for (language, text) in &self.others {
            others.insert(language.clone(), change(text));
        }
        Localized { vi, en, others }
    }

    /// Whether the text is empty in every language.
    pub fn is_empty(&self) -> bool {
        self.vi.is_empty() && self.en.is_empty() && self.others.values().all(String::is_empty)
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
    fn a_form_language_is_shown_where_the_text_has_it() {
        let mut text = Localized::new("Xin chào", "Hello");
        text.others.insert("Français (fr)".into(), "Bonjour".into());
        text.others.insert("Hmong".into(), String::new());
        assert_eq!(text.in_form(Some("Français (fr)"), Language::Vi), "Bonjour");
        assert_eq!(text.in_form(Some("Français (fr)"), Language::En), "Bonjour");
        // Empty or missing in the picked language: the app's language.
        assert_eq!(text.in_form(Some("Hmong"), Language::En), "Hello");
        assert_eq!(text.in_form(Some("Kiswahili"), Language::Vi), "Xin chào");
        assert_eq!(text.in_form(None, Language::En), "Hello");
        let plain = Localized::new("Có", "");
        assert_eq!(plain.in_form(Some("Français (fr)"), Language::En), "Có");
        assert!(!text.is_empty());
        let shouted = text.map_texts(str::to_uppercase);
        assert_eq!(
            shouted.in_form(Some("Français (fr)"), Language::Vi),
            "BONJOUR"
        );
        assert_eq!(shouted.get(Language::En), "HELLO");
        assert!(Localized::default().is_empty());
    }

    #[test]
    fn texts_without_other_languages_keep_their_stored_shape() {
        let json = serde_json::to_string(&Localized::new("a", "b")).expect("serialises");
        assert_eq!(json, r#"{"vi":"a","en":"b"}"#);
        let back: Localized = serde_json::from_str(&json).expect("reads");
        assert!(back.others.is_empty());
    }

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
