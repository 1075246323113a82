//! The fields of a report and one officer's edit of one field.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{ReportError, ReportId, Stamp};

const INDICATOR_PREFIX: &str = "indicator/";
const NARRATIVE: &str = "narrative";

/// Which field of a report: "indicator/<code>/value", "indicator/<code>/note",
/// "indicator/<code>/evidence" or "narrative". Each field merges on its own.
///
/// The indicator code is the catalogue's code and is taken as it is (the
/// catalogue checks that it exists); everything between "indicator/" and the
/// last "/" is the code, so every key the constructors make parses back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldKey(String);

/// The part of an indicator a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IndicatorPart {
    Value,
    Note,
    Evidence,
}

impl IndicatorPart {
    fn name(self) -> &'static str {
        match self {
            IndicatorPart::Value => "value",
            IndicatorPart::Note => "note",
            IndicatorPart::Evidence => "evidence",
        }
    }

    fn from_name(name: &str) -> Option<IndicatorPart> {
        match name {
            "value" => Some(IndicatorPart::Value),
            "note" => Some(IndicatorPart::Note),
            "evidence" => Some(IndicatorPart::Evidence),
            _ => None,
        }
    }
}

impl FieldKey {
    fn indicator(code: &str, part: IndicatorPart) -> FieldKey {
        FieldKey(format!("{INDICATOR_PREFIX}{code}/{}", part.name()))
    }

    /// The value of indicator `code`: a number.
    pub fn value(code: &str) -> FieldKey {
        FieldKey::indicator(code, IndicatorPart::Value)
    }

    /// The note on indicator `code`: text.
    pub fn note(code: &str) -> FieldKey {
        FieldKey::indicator(code, IndicatorPart::Note)
    }

    /// The evidence for indicator `code` (a document reference or link): text.
    pub fn evidence(code: &str) -> FieldKey {
        FieldKey::indicator(code, IndicatorPart::Evidence)
    }

    /// The report's narrative: text.
    pub fn narrative() -> FieldKey {
        FieldKey(NARRATIVE.to_owned())
    }

    /// The key as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The indicator code, or `None` for the narrative.
    pub fn indicator_code(&self) -> Option<&str> {
        self.indicator_parts().map(|(code, _)| code)
    }

    /// Whether the field holds a number (an indicator value) rather than text.
    pub fn holds_number(&self) -> bool {
        matches!(self.indicator_parts(), Some((_, IndicatorPart::Value)))
    }

    fn indicator_parts(&self) -> Option<(&str, IndicatorPart)> {
        let rest = self.0.strip_prefix(INDICATOR_PREFIX)?;
        let (code, part) = rest.rsplit_once('/')?;
        Some((code, IndicatorPart::from_name(part)?))
    }
}

impl fmt::Display for FieldKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl FromStr for FieldKey {
    type Err = ReportError;

    /// Accepts exactly the keys the constructors make.
    fn from_str(key: &str) -> Result<FieldKey, ReportError> {
        let candidate = FieldKey(key.to_owned());
        if key == NARRATIVE || candidate.indicator_parts().is_some() {
            Ok(candidate)
        } else {
            Err(ReportError::InvalidFieldKey {
                key: crate::limits::quoted(key),
            })
        }
    }
}

impl TryFrom<String> for FieldKey {
    type Error = ReportError;

    fn try_from(key: String) -> Result<FieldKey, ReportError> {
        key.parse()
    }
}

impl From<FieldKey> for String {
    fn from(key: FieldKey) -> String {
        key.0
    }
}

/// What an edit puts in a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldContent {
    /// A number, for an indicator value.
    Number(f64),
    /// Text, for a note, evidence or the narrative.
    Text(String),
    /// The field was deliberately emptied. A removal is an edit like any
    /// other: it wins or loses by its stamp, so an older value cannot come
    /// back once a newer removal has been seen.
    Cleared,
}

impl FieldContent {
    /// A total order on contents, used only to keep the merge deterministic
    /// when two edits carry the same stamp (see the module documentation).
    /// Numbers compare with `f64::total_cmp`, so every value, NaN included,
    /// equals itself.
    pub(super) fn total_cmp(&self, other: &FieldContent) -> Ordering {
        fn rank(content: &FieldContent) -> u8 {
            match content {
                FieldContent::Cleared => 0,
                FieldContent::Number(_) => 1,
                FieldContent::Text(_) => 2,
            }
        }
        match (self, other) {
            (FieldContent::Number(left), FieldContent::Number(right)) => left.total_cmp(right),
            (FieldContent::Text(left), FieldContent::Text(right)) => left.cmp(right),
            _ => rank(self).cmp(&rank(other)),
        }
    }

    /// Whether two contents are the same, under the same rule the merge uses.
    pub fn same_as(&self, other: &FieldContent) -> bool {
        self.total_cmp(other) == Ordering::Equal
    }
}

/// One officer's edit of one field of one report, made on their tablet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEdit {
    /// The report edited.
    pub report_id: ReportId,
    /// The field edited.
    pub field: FieldKey,
    /// What the field now holds.
    pub content: FieldContent,
    /// When, in hybrid logical time, and on which install.
    pub stamp: Stamp,
    /// The officer's display name or the device's label, shown beside the
    /// value; may be empty.
    pub author: String,
    /// The stamp the editing tablet gave, when a server lowered it on
    /// receipt (see [`super::bound`]). With the client id it names the edit
    /// whatever its bounded stamp, so the editing tablet's own copy and the
    /// server's bounded copy are known as one edit and merge to the bounded
    /// one on every replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_as: Option<super::Hlc>,
}

impl FieldEdit {
    /// Checks that the content fits the field: a finite number (or a removal)
    /// for an indicator value, text (or a removal) for the others. The app
    /// checks before making an edit; the server checks again on receipt.
    pub fn validate(&self) -> Result<(), ReportError> {
        let fits = match &self.content {
            FieldContent::Cleared => true,
            FieldContent::Number(number) => self.field.holds_number() && number.is_finite(),
            FieldContent::Text(_) => !self.field.holds_number(),
        };
        let too_long = match &self.content {
            FieldContent::Text(text) => text.chars().count() > crate::limits::MAX_TEXT_CHARS,
            FieldContent::Cleared | FieldContent::Number(_) => false,
        } || self.author.chars().count() > crate::limits::MAX_LINE_CHARS;
        if too_long {
            Err(ReportError::TooLong {
                field: self.field.clone(),
            })
        } else if fits {
            Ok(())
        } else if self.field.holds_number() {
            Err(ReportError::NumberExpected {
                field: self.field.clone(),
            })
        } else {
            Err(ReportError::TextExpected {
                field: self.field.clone(),
            })
        }
    }

    /// What names the edit across replicas: its install and the stamp that
    /// install gave it. An install never gives two edits one stamp.
    pub fn identity(&self) -> (uuid::Uuid, super::Hlc) {
        (self.stamp.client_id, self.sent_as.unwrap_or(self.stamp.hlc))
    }

    /// Whether `other` is this very edit, perhaps under another stamp: the
    /// same install and original stamp, field, content and author.
    pub(super) fn is_copy_of(&self, other: &FieldEdit) -> bool {
        self.identity() == other.identity()
            && self.report_id == other.report_id
            && self.field == other.field
            && self.author == other.author
            && self.content.total_cmp(&other.content) == Ordering::Equal
    }

    /// The total order the merge keeps: by stamp first, and, only for the
    /// anomaly of two different edits under one stamp, by content, author,
    /// report and field, so that every replica picks the same winner.
    pub(super) fn total_cmp(&self, other: &FieldEdit) -> Ordering {
        self.stamp
            .cmp(&other.stamp)
            .then_with(|| self.content.total_cmp(&other.content))
            .then_with(|| self.author.cmp(&other.author))
            .then_with(|| self.report_id.cmp(&other.report_id))
            .then_with(|| self.field.cmp(&other.field))
    }
}
