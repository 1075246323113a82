//! Responses: one child's answers to one survey version.
//!
//! A participant is described only by anonymous attributes; there is no field
//! for a name, by construction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::localized::Localized;

/// One child's answers to one survey version.
///
/// The id is made by the tablet when the response is started, so a response
/// pushed twice is recognised as the same response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Made on the tablet; the key of the response everywhere.
    pub id: Uuid,
    /// The survey answered.
    pub survey_id: String,
    /// The survey version answered.
    pub survey_version: u32,
    /// Official code of the ward or commune where the answers were collected.
    pub ward_code: String,
    /// Anonymous attributes of the child.
    pub participant: Participant,
    /// Consent recorded before any question.
    pub consent: Consent,
    /// Answers keyed by question id. A `BTreeMap` keeps the serialised form
    /// canonical, so two copies of the same response serialise identically.
    pub answers: BTreeMap<String, AnswerValue>,
    /// Draft while being filled; completed responses are immutable and synced.
    pub status: ResponseStatus,
    /// When the response was started, by the tablet's clock.
    pub created_at: DateTime<Utc>,
    /// When the response was last changed, by the tablet's clock.
    pub updated_at: DateTime<Utc>,
}

impl Response {
    /// Starts an empty draft.
    pub fn new_draft(
        id: Uuid,
        survey_id: impl Into<String>,
        survey_version: u32,
        ward_code: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Response {
        Response {
            id,
            survey_id: survey_id.into(),
            survey_version,
            ward_code: ward_code.into(),
            participant: Participant::default(),
            consent: Consent::default(),
            answers: BTreeMap::new(),
            status: ResponseStatus::Draft,
            created_at: now,
            updated_at: now,
        }
    }

    /// Sets or clears one answer and stamps the change time.
    pub fn set_answer(
        &mut self,
        question_id: &str,
        value: Option<AnswerValue>,
        now: DateTime<Utc>,
    ) {
        match value {
            Some(value) => {
                self.answers.insert(question_id.to_owned(), value);
            }
            None => {
                self.answers.remove(question_id);
            }
        }
        self.updated_at = now;
    }
}

/// Where a response is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Being filled; kept on the tablet only.
    Draft,
    /// Finished; immutable, queued for the town hall.
    Completed,
}

/// Anonymous attributes of a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Participant {
    /// Age band; required before any question.
    pub age_band: Option<AgeBand>,
    /// Sex; required before any question (a "prefer not to say" option exists).
    pub sex: Option<Sex>,
}

/// Age bands used for sampling and consent rules. A child is anyone under 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    /// Under 7: the guardian's consent is enough.
    #[serde(rename = "0-6")]
    Under7,
    /// 7 to 9 years.
    #[serde(rename = "7-9")]
    From7To9,
    /// 10 to 12 years.
    #[serde(rename = "10-12")]
    From10To12,
    /// 13 to 15 years.
    #[serde(rename = "13-15")]
    From13To15,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 4] = [
        AgeBand::Under7,
        AgeBand::From7To9,
        AgeBand::From10To12,
        AgeBand::From13To15,
    ];

    /// The band as shown, e.g. "7–9 tuổi".
    pub fn label(self) -> Localized {
        match self {
            AgeBand::Under7 => Localized::new("Dưới 7 tuổi", "Under 7"),
            AgeBand::From7To9 => Localized::new("7–9 tuổi", "7–9 years"),
            AgeBand::From10To12 => Localized::new("10–12 tuổi", "10–12 years"),
            AgeBand::From13To15 => Localized::new("13–15 tuổi", "13–15 years"),
        }
    }

    /// Whether the law asks for the child's own assent (children aged 7 and over).
    pub fn needs_child_assent(self) -> bool {
        !matches!(self, AgeBand::Under7)
    }
}

/// Sex of a participant, as the participant chooses to state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Girl.
    Female,
    /// Boy.
    Male,
    /// The child prefers not to say.
    NotStated,
}

impl Sex {
    /// Every option, in display order.
    pub const ALL: [Sex; 3] = [Sex::Female, Sex::Male, Sex::NotStated];

    /// The option as shown.
    pub fn label(self) -> Localized {
        match self {
            Sex::Female => Localized::new("Nữ", "Girl"),
            Sex::Male => Localized::new("Nam", "Boy"),
            Sex::NotStated => Localized::new("Không muốn nói", "Prefer not to say"),
        }
    }
}

/// Consent recorded before any question (Law on Children 2016; Decree 13/2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Consent {
    /// The child (aged 7 and over) agreed to take part.
    pub child_assent: bool,
    /// A parent or guardian agreed.
    pub guardian_consent: bool,
}

impl Consent {
    /// Whether the consent recorded is what the law asks for a child in `age_band`.
    pub fn is_sufficient_for(self, age_band: AgeBand) -> bool {
        self.guardian_consent && (self.child_assent || !age_band.needs_child_assent())
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    /// Free text.
    Text(String),
    /// A number.
    Number(f64),
    /// The `value` of the chosen option.
    Choice(String),
    /// Yes (`true`) or no.
    YesNo(bool),
    /// A face on the smiley scale, from 1.
    Smiley(u8),
}
