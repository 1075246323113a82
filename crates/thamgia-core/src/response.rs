//! Responses: one child's answers to one survey version.
//!
//! A participant is described only by anonymous attributes; there is no field
//! for a name, by construction.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::localized::Localized;

pub mod counts;
pub mod defaults;
mod heard_before;
mod reference;
mod referral;
mod rfc3339;
mod start;
pub use heard_before::HeardBefore;
pub use reference::{
    reference, reference_prefix, reference_problem, ReferencedResponse, REFERENCE_DIGITS,
};
pub use referral::{Referral, ReferredTo};
pub use start::{start_missing_message, StartField};

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
    /// Answers keyed by question id; a repeat's instances are kept under the
    /// repeat's id. A `BTreeMap` keeps the serialised form canonical, so two
    /// copies of the same response serialise identically.
    pub answers: Answers,
    /// Draft while being filled; completed responses are immutable and synced.
    pub status: ResponseStatus,
    /// The response this one corrects, if it is a correction. A completed
    /// response is never changed: a correction is a new response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<Uuid>,
    /// That the worker made a referral after a possible disclosure (see
    /// the `safeguarding` module); nothing about the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// The order in which the options of each question with `randomize`
    /// were shown (values, first shown first), by [`order_key`]: kept so
    /// that an answer can be read with the order the child saw.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub shown_orders: BTreeMap<String, Vec<String>>,
    /// When the response was started, by the tablet's clock.
    #[serde(deserialize_with = "rfc3339::deserialize")]
    pub created_at: DateTime<Utc>,
    /// When the response was last changed, by the tablet's clock.
    #[serde(deserialize_with = "rfc3339::deserialize")]
    pub updated_at: DateTime<Utc>,
}

impl Response {
    /// The day its rules see as `today()` when it is completed: the day in
    /// Hanoi when it was last changed, by the tablet's clock. The tablet
    /// that completes it and the town hall that receives it, however many
    /// days later, judge it on this same day.
    pub fn completed_on(&self) -> NaiveDate {
        crate::audit::city_date(self.updated_at)
    }

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
            answers: Answers::new(),
            status: ResponseStatus::Draft,
            corrects: None,
            referral: None,
            shown_orders: BTreeMap::new(),
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

/// Answers keyed by question id.
pub type Answers = BTreeMap<String, AnswerValue>;

/// The key of a question instance in [`Response::shown_orders`]: its name,
/// then `@` and its repeat instances (from 0, dot-separated) inside a
/// repeat: `school`, `sibling_choice@1`.
pub fn order_key(question: &str, instance: &[usize]) -> String {
    if instance.is_empty() {
        question.to_owned()
    } else {
        let instances: Vec<String> = instance.iter().map(usize::to_string).collect();
        format!("{question}@{}", instances.join("."))
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
    /// Consent was withdrawn: the answers are deleted everywhere and only
    /// this tombstone (ids, survey, ward, times) remains.
    Withdrawn,
}

/// Anonymous attributes of a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Participant {
    /// Age band; required before any question.
    pub age_band: Option<AgeBand>,
    /// Sex; required before any question (a "prefer not to say" option exists).
    pub sex: Option<Sex>,
    /// Ethnic group, if the child says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnic_group: Option<EthnicGroup>,
    /// Whether the child has a disability, if the child says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability: Option<Disclosure>,
    /// Special circumstances (Law on Children 2016, article 10), if known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_circumstances: Vec<SpecialCircumstance>,
    /// Whether the child was already consulted by a survey this year, if
    /// asked: what lets the town hall count children, not consultations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heard_before: Option<HeardBefore>,
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
    /// The child's own agreement (needed from age 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_assent: Option<ConsentRecord>,
    /// A parent's or guardian's agreement (always needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_consent: Option<ConsentRecord>,
}

impl Consent {
    /// Whether the consent recorded is what the law asks for a child in `age_band`.
    pub fn is_sufficient_for(self, age_band: AgeBand) -> bool {
        self.guardian_consent.is_some()
            && (self.child_assent.is_some() || !age_band.needs_child_assent())
    }
}

/// How and when one consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// How it was given.
    pub method: ConsentMethod,
    /// When it was recorded, by the tablet's clock.
    #[serde(deserialize_with = "rfc3339::deserialize")]
    pub given_at: DateTime<Utc>,
}

/// How a consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// Signed on paper (kept by the ward).
    Written,
    /// Said aloud, in front of the worker.
    Verbal,
}

impl ConsentMethod {
    /// Both methods, in display order.
    pub const ALL: [ConsentMethod; 2] = [ConsentMethod::Verbal, ConsentMethod::Written];

    /// The method as shown.
    pub fn label(self) -> Localized {
        match self {
            ConsentMethod::Written => Localized::new("Bằng văn bản", "In writing"),
            ConsentMethod::Verbal => Localized::new("Bằng lời nói", "Verbally"),
        }
    }
}

/// Ethnic group, as the child states it. Hanoi's largest groups are listed;
/// the others are "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EthnicGroup {
    /// Kinh.
    Kinh,
    /// Mường.
    Muong,
    /// Tày.
    Tay,
    /// Thái.
    Thai,
    /// Dao.
    Dao,
    /// H'Mông.
    Hmong,
    /// Nùng.
    Nung,
    /// Another group.
    Other,
    /// The child prefers not to say.
    NotStated,
}

impl EthnicGroup {
    /// Every option, in display order.
    pub const ALL: [EthnicGroup; 9] = [
        EthnicGroup::Kinh,
        EthnicGroup::Muong,
        EthnicGroup::Tay,
        EthnicGroup::Thai,
        EthnicGroup::Dao,
        EthnicGroup::Hmong,
        EthnicGroup::Nung,
        EthnicGroup::Other,
        EthnicGroup::NotStated,
    ];

    /// The option as shown.
    pub fn label(self) -> Localized {
        match self {
            EthnicGroup::Kinh => Localized::new("Kinh", "Kinh"),
            EthnicGroup::Muong => Localized::new("Mường", "Muong"),
            EthnicGroup::Tay => Localized::new("Tày", "Tay"),
            EthnicGroup::Thai => Localized::new("Thái", "Thai"),
            EthnicGroup::Dao => Localized::new("Dao", "Dao"),
            EthnicGroup::Hmong => Localized::new("H'Mông", "Hmong"),
            EthnicGroup::Nung => Localized::new("Nùng", "Nung"),
            EthnicGroup::Other => Localized::new("Dân tộc khác", "Another group"),
            EthnicGroup::NotStated => Localized::new("Không muốn nói", "Prefer not to say"),
        }
    }
}

/// An answer the child may decline to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Yes.
    Yes,
    /// No.
    No,
    /// The child prefers not to say.
    NotStated,
}

impl Disclosure {
    /// Every option, in display order.
    pub const ALL: [Disclosure; 3] = [Disclosure::Yes, Disclosure::No, Disclosure::NotStated];

    /// The option as shown.
    pub fn label(self) -> Localized {
        match self {
            Disclosure::Yes => Localized::new("Có", "Yes"),
            Disclosure::No => Localized::new("Không", "No"),
            Disclosure::NotStated => Localized::new("Không muốn nói", "Prefer not to say"),
        }
    }
}

/// Children in special circumstances (Law on Children 2016, article 10),
/// the groups a consultation sample must not leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCircumstance {
    /// Orphaned or abandoned.
    Orphaned,
    /// Living without family care.
    WithoutFamilyCare,
    /// Affected by HIV/AIDS.
    AffectedByHiv,
    /// Working, or exploited for labour.
    ChildLabour,
    /// Moved with migrant parents.
    Migrant,
    /// From a poor household.
    PoorHousehold,
    /// Another special circumstance.
    Other,
}

impl SpecialCircumstance {
    /// Every option, in display order.
    pub const ALL: [SpecialCircumstance; 7] = [
        SpecialCircumstance::Orphaned,
        SpecialCircumstance::WithoutFamilyCare,
        SpecialCircumstance::AffectedByHiv,
        SpecialCircumstance::ChildLabour,
        SpecialCircumstance::Migrant,
        SpecialCircumstance::PoorHousehold,
        SpecialCircumstance::Other,
    ];

    /// The option as shown.
    pub fn label(self) -> Localized {
        match self {
            SpecialCircumstance::Orphaned => {
                Localized::new("Mồ côi, bị bỏ rơi", "Orphaned or abandoned")
            }
            SpecialCircumstance::WithoutFamilyCare => {
                Localized::new("Không nơi nương tựa", "Without family care")
            }
            SpecialCircumstance::AffectedByHiv => {
                Localized::new("Bị ảnh hưởng bởi HIV/AIDS", "Affected by HIV/AIDS")
            }
            SpecialCircumstance::ChildLabour => {
                Localized::new("Phải lao động sớm", "Working too young")
            }
            SpecialCircumstance::Migrant => Localized::new("Theo gia đình di cư", "Migrant family"),
            SpecialCircumstance::PoorHousehold => Localized::new("Hộ nghèo", "Poor household"),
            SpecialCircumstance::Other => {
                Localized::new("Hoàn cảnh đặc biệt khác", "Other special circumstance")
            }
        }
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
    /// A calendar date.
    Date(NaiveDate),
    /// The `value` of the chosen option.
    Choice(String),
    /// The `value`s of the chosen options, in the order of the list.
    Choices(Vec<String>),
    /// Yes (`true`) or no.
    YesNo(bool),
    /// A face on the face scale, from 1 (the most negative); 0 when the
    /// child did not know or would rather not say (on a scale that offers
    /// it).
    Smiley(u8),
    /// A rating, from 1; 0 when the child did not know or would rather
    /// not say (on a rating that offers it).
    Rating(u8),
    /// "I don't know / I'd rather not say", to a scale answered with a
    /// number (a range that offers it): no number, counted apart.
    DontKnow,
    /// The options' values, most important first.
    Ranking(Vec<String>),
    /// The instances of a repeat, each with its own answers.
    Repeat(Vec<Answers>),
}
