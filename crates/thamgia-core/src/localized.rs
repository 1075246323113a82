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
