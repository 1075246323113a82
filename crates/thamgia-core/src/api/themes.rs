//! A survey's codebook of themes and the answers tagged with it
//! (`/themes`, `/tags`), and one free-text question's answers as an
//! officer reads them (`GET /results/answers`). The rules are core's
//! [`crate::results::themes`]; the messages are these.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::results::MAX_QUERY_TEXT_CHARS;
use crate::results::themes::{
    AnswerPage, AnswerSearch, PublishedThemeCounts, Theme, ThemeFilter, MAX_SEARCH_CHARS,
};

/// `?survey=…&question=…[&ward=…][&period=…][&q=…][&theme=…][&offset=…]`:
/// a page of one free-text question's answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswersQuery {
    /// The survey's form id.
    pub survey: String,
    /// The question's name.
    pub question: String,
    /// One ward's code; none: every ward the caller may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    /// A period key; none: all time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Words the answers contain (without diacritics or case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// A theme's id, or `untagged` ([`ThemeFilter::key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Answers to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl AnswersQuery {
    /// Whether every part is within its bound: the search within
    /// [`MAX_SEARCH_CHARS`], the others within [`MAX_QUERY_TEXT_CHARS`].
    pub fn is_bounded(&self) -> bool {
        [
            Some(self.survey.as_str()),
            Some(self.question.as_str()),
            self.ward.as_deref(),
            self.period.as_deref(),
            self.theme.as_deref(),
        ]
        .iter()
        .flatten()
        .all(|part| part.chars().count() <= MAX_QUERY_TEXT_CHARS)
            && self
                .q
                .as_deref()
                .is_none_or(|text| text.chars().count() <= MAX_SEARCH_CHARS)
    }

    /// The search the query asks for; `None` when its theme names no theme
    /// filter.
    pub fn search(&self) -> Option<AnswerSearch> {
        let theme = match self.theme.as_deref().filter(|text| !text.is_empty()) {
            Some(text) => Some(ThemeFilter::parse(text)?),
            None => None,
        };
        Some(AnswerSearch {
            text: self.q.clone().unwrap_or_default(),
            theme,
            offset: usize::try_from(self.offset.unwrap_or(0)).unwrap_or(usize::MAX),
        })
    }
}

/// The answer of `GET /results/answers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswersView {
    /// The survey's codebook, oldest theme first.
    pub themes: Vec<Theme>,
    /// The question's answers counted by theme (every answer of the ward
    /// and period, whatever the search), as they may be published.
    pub counts: PublishedThemeCounts,
    /// The page of answers the search asks for.
    pub page: AnswerPage,
}

/// `?survey=…&question=…&theme=…&split=sex[,age_band][&ward=…][&period=…]`:
/// the children who answered a free-text question, those whose answer
/// speaks of a theme and the others, split by one or two dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeTableQuery {
    /// The survey's form id.
    pub survey: String,
    /// The question's name.
    pub question: String,
    /// The theme.
    pub theme: Uuid,
    /// One or two dimensions, comma-separated, by their keys
    /// ([`split_key`](super::results::split_key)).
    pub split: String,
    /// One ward's code; none: every ward the caller may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    /// A period key; none: all time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

impl ThemeTableQuery {
    /// Whether every part is within
    /// [`MAX_QUERY_TEXT_CHARS`](super::results::MAX_QUERY_TEXT_CHARS).
    pub fn is_bounded(&self) -> bool {
        [
            Some(self.survey.as_str()),
            Some(self.question.as_str()),
            Some(self.split.as_str()),
            self.ward.as_deref(),
            self.period.as_deref(),
        ]
        .iter()
        .flatten()
        .all(|part| part.chars().count() <= MAX_QUERY_TEXT_CHARS)
    }
}

/// `?survey=…`: a survey's codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemesQuery {
    /// The survey's form id.
    pub survey: String,
}

/// The body of `POST /themes`: a new theme in a survey's codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTheme {
    /// The survey's form id.
    pub survey: String,
    /// The label (at most
    /// [`MAX_THEME_LABEL_CHARS`](crate::results::themes::MAX_THEME_LABEL_CHARS)
    /// characters).
    pub label: String,
}

/// The body of `PUT /themes/{id}`: a theme renamed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeLabel {
    /// The new label.
    pub label: String,
}

/// The body of `POST /tags` (an answer tagged with a theme) and
/// `DELETE /tags` (the tag taken off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagBody {
    /// The theme.
    pub theme: Uuid,
    /// The response the answer belongs to.
    pub response: Uuid,
    /// The question answered.
    pub question: String,
}

/// The answer of `POST /tags` and `DELETE /tags`: the answer's themes now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerThemes {
    /// The response the answer belongs to.
    pub response: Uuid,
    /// The question answered.
    pub question: String,
    /// Its themes, in the codebook's order.
    pub themes: Vec<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_bounded_and_names_a_theme_filter() {
        let query = AnswersQuery {
            survey: "s".to_owned(),
            question: "q".to_owned(),
            q: Some("ư".repeat(MAX_SEARCH_CHARS)),
            ..AnswersQuery::default()
        };
        assert!(query.is_bounded());
        let search = query.search().expect("a search");
        assert_eq!(search.theme, None);
        assert_eq!(search.offset, 0);
        let long = AnswersQuery {
            q: Some("a".repeat(MAX_SEARCH_CHARS + 1)),
            ..query.clone()
        };
        assert!(!long.is_bounded());
        let untagged = AnswersQuery {
            theme: Some("untagged".to_owned()),
            offset: Some(50),
            ..query.clone()
        };
        let search = untagged.search().expect("a search");
        assert_eq!(search.theme, Some(ThemeFilter::Untagged));
        assert_eq!(search.offset, 50);
        let unknown = AnswersQuery {
            theme: Some("school".to_owned()),
            ..query
        };
        assert_eq!(unknown.search(), None);
    }
}
