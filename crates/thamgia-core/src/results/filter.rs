//! Who a result is about: filters that combine, and the dimensions a
//! result is split by.
//!
//! Every filter field narrows (AND across fields); a field with several
//! values keeps a response matching any of them (OR within a field); an
//! empty field does not filter. A participant whose attribute is unknown
//! matches no non-empty filter on that attribute.
//!
//! Every dimension puts each response in exactly one category, so a
//! cross-table's cells add up to its totals — which complementary
//! suppression relies on. Special circumstances are a list (a child may be
//! in several), so their dimension has one category per circumstance for a
//! child in exactly one, "several" for a child in more, and "none".

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::CITY_UTC_OFFSET_HOURS;
use crate::localized::Localized;
use crate::response::{AgeBand, Disclosure, EthnicGroup, Response, Sex, SpecialCircumstance};

/// The responses a result is about. `Default` keeps every response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResultsFilter {
    /// Ward or commune codes (empty: the whole city).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wards: Vec<String>,
    /// Responses started at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Responses started before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Age bands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub age_bands: Vec<AgeBand>,
    /// Sexes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sexes: Vec<Sex>,
    /// Ethnic groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ethnic_groups: Vec<EthnicGroup>,
    /// Disability answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disability: Vec<Disclosure>,
    /// Special circumstances: a child in any of them matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_circumstances: Vec<SpecialCircumstance>,
}

impl ResultsFilter {
    /// Whether `response` is among the responses the filter keeps.
    pub fn matches(&self, response: &Response) -> bool {
        let participant = &response.participant;
        // An empty list keeps everyone; an unknown attribute matches no list.
        fn within<T: PartialEq>(wanted: &[T], value: Option<&T>) -> bool {
            wanted.is_empty() || value.is_some_and(|value| wanted.contains(value))
        }
        within(&self.wards, Some(&response.ward_code))
            && self.from.is_none_or(|from| response.created_at >= from)
            && self.until.is_none_or(|until| response.created_at < until)
            && within(&self.age_bands, participant.age_band.as_ref())
            && within(&self.sexes, participant.sex.as_ref())
            && within(&self.ethnic_groups, participant.ethnic_group.as_ref())
            && within(&self.disability, participant.disability.as_ref())
            && (self.special_circumstances.is_empty()
                || participant
                    .special_circumstances
                    .iter()
                    .any(|circumstance| self.special_circumstances.contains(circumstance)))
    }
}

/// What a result can be split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The participant's age band.
    AgeBand,
    /// The participant's sex.
    Sex,
    /// Whether the participant has a disability.
    Disability,
    /// The participant's ethnic group.
    EthnicGroup,
    /// The participant's special circumstances (see the module comment).
    SpecialCircumstances,
    /// The ward or commune the answers were collected in.
    Ward,
    /// The month (in Hanoi's time) the response was started.
    Month,
}

/// One category of a dimension or of an answer: a stable key (what the
/// server and the app compare) and its label in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Category {
    /// Stable key, e.g. `"7-9"`, `"female"`, a ward code, `"2026-05"`.
    pub key: String,
    /// The category as shown.
    pub label: Localized,
}

impl Category {
    /// A category whose label is its key in both languages (ward codes,
    /// months, numbers: the app names them).
    pub fn plain(key: impl Into<String>) -> Category {
        let key = key.into();
        Category {
            label: Localized::new(key.clone(), key.clone()),
            key,
        }
    }

    fn new(key: &str, label: Localized) -> Category {
        Category {
            key: key.to_owned(),
            label,
        }
    }
}

/// The key of an attribute the participant did not give.
pub const UNKNOWN_KEY: &str = "unknown";

fn unknown() -> Category {
    Category::new(UNKNOWN_KEY, Localized::new("Không rõ", "Unknown"))
}

/// The stable key of an attribute's value: its serialised name, so the
/// key the app sends in a filter and the key of a category agree.
trait CategoryKey {
    fn category_key(&self) -> &'static str;
}

impl CategoryKey for AgeBand {
    fn category_key(&self) -> &'static str {
        match self {
            AgeBand::Under7 => "0-6",
            AgeBand::From7To9 => "7-9",
            AgeBand::From10To12 => "10-12",
            AgeBand::From13To15 => "13-15",
        }
    }
}

impl CategoryKey for Sex {
    fn category_key(&self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::NotStated => "not_stated",
        }
    }
}

impl CategoryKey for Disclosure {
    fn category_key(&self) -> &'static str {
        match self {
            Disclosure::Yes => "yes",
            Disclosure::No => "no",
            Disclosure::NotStated => "not_stated",
        }
    }
}

impl CategoryKey for EthnicGroup {
    fn category_key(&self) -> &'static str {
        match self {
            EthnicGroup::Kinh => "kinh",
            EthnicGroup::Muong => "muong",
            EthnicGroup::Tay => "tay",
            EthnicGroup::Thai => "thai",
            EthnicGroup::Dao => "dao",
            EthnicGroup::Hmong => "hmong",
            EthnicGroup::Nung => "nung",
            EthnicGroup::Other => "other",
            EthnicGroup::NotStated => "not_stated",
        }
    }
}

impl CategoryKey for SpecialCircumstance {
    fn category_key(&self) -> &'static str {
        match self {
            SpecialCircumstance::Orphaned => "orphaned",
            SpecialCircumstance::WithoutFamilyCare => "without_family_care",
            SpecialCircumstance::AffectedByHiv => "affected_by_hiv",
            SpecialCircumstance::ChildLabour => "child_labour",
            SpecialCircumstance::Migrant => "migrant",
            SpecialCircumstance::PoorHousehold => "poor_household",
            SpecialCircumstance::Other => "other",
        }
    }
}

/// The key of an age band's category ("7-9").
pub fn age_band_key(band: AgeBand) -> &'static str {
    band.category_key()
}

/// The key of a sex's category ("female").
pub fn sex_key(sex: Sex) -> &'static str {
    sex.category_key()
}

/// The key of an ethnic group's category ("muong").
pub fn ethnic_group_key(group: EthnicGroup) -> &'static str {
    group.category_key()
}

fn key_of<T: CategoryKey>(value: &T) -> String {
    value.category_key().to_owned()
}

impl Dimension {
    /// The category of this dimension whose key is `key`, labelled as the
    /// dimension labels it (a plain one for a key it does not list).
    pub fn category_of_key(self, key: &str) -> Category {
        self.fixed_categories()
            .and_then(|categories| categories.into_iter().find(|category| category.key == key))
            .unwrap_or_else(|| Category::plain(key))
    }

    /// The categories every response can fall in, in display order, for
    /// dimensions with a fixed list; `None` for wards and months, whose
    /// categories are the ones the responses show.
    pub fn fixed_categories(self) -> Option<Vec<Category>> {
        let mut categories: Vec<Category> = match self {
            Dimension::AgeBand => AgeBand::ALL
                .iter()
                .map(|band| Category::new(&key_of(band), band.label()))
                .collect(),
            Dimension::Sex => Sex::ALL
                .iter()
                .map(|sex| Category::new(&key_of(sex), sex.label()))
                .collect(),
            Dimension::Disability => Disclosure::ALL
                .iter()
                .map(|answer| Category::new(&key_of(answer), answer.label()))
                .collect(),
            Dimension::EthnicGroup => EthnicGroup::ALL
                .iter()
                .map(|group| Category::new(&key_of(group), group.label()))
                .collect(),
            Dimension::SpecialCircumstances => {
                let mut categories: Vec<Category> = SpecialCircumstance::ALL
                    .iter()
                    .map(|circumstance| Category::new(&key_of(circumstance), circumstance.label()))
                    .collect();
                categories.push(Category::new(
                    SEVERAL_KEY,
                    Localized::new("Nhiều hoàn cảnh", "Several circumstances"),
                ));
                categories.push(Category::new(NONE_KEY, Localized::new("Không có", "None")));
                return Some(categories);
            }
            Dimension::Ward | Dimension::Month => return None,
        };
        categories.push(unknown());
        Some(categories)
    }

    /// The category of `response` in this dimension.
    pub fn category(self, response: &Response) -> Category {
        let participant = &response.participant;
        let known = |key: Option<String>, label: Option<Localized>| match (key, label) {
            (Some(key), Some(label)) => Category { key, label },
            _ => unknown(),
        };
        match self {
            Dimension::AgeBand => known(
                participant.age_band.map(|band| key_of(&band)),
                participant.age_band.map(AgeBand::label),
            ),
            Dimension::Sex => known(
                participant.sex.map(|sex| key_of(&sex)),
                participant.sex.map(Sex::label),
            ),
            Dimension::Disability => known(
                participant.disability.map(|answer| key_of(&answer)),
                participant.disability.map(Disclosure::label),
            ),
            Dimension::EthnicGroup => known(
                participant.ethnic_group.map(|group| key_of(&group)),
                participant.ethnic_group.map(EthnicGroup::label),
            ),
            Dimension::SpecialCircumstances => match participant.special_circumstances.as_slice() {
                [] => Category::new(NONE_KEY, Localized::new("Không có", "None")),
                [one] => Category::new(&key_of(one), one.label()),
                _ => Category::new(
                    SEVERAL_KEY,
                    Localized::new("Nhiều hoàn cảnh", "Several circumstances"),
                ),
            },
            Dimension::Ward => Category::plain(response.ward_code.clone()),
            Dimension::Month => Category::plain(month_key(response.created_at)),
        }
    }
}

/// The key of "in several special circumstances".
pub const SEVERAL_KEY: &str = "several";
/// The key of "in no special circumstance".
pub const NONE_KEY: &str = "none";

/// The month an instant falls in, in Hanoi's time, as `"YYYY-MM"`.
pub fn month_key(time: DateTime<Utc>) -> String {
    let offset =
        FixedOffset::east_opt(CITY_UTC_OFFSET_HOURS * 3600).expect("a whole-hour offset is valid");
    let local = time.with_timezone(&offset);
    format!("{:04}-{:02}", local.year(), local.month())
}
