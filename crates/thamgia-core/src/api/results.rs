//! `GET /results` and `GET /results/table`: what children said, survey by
//! survey, as it may be published (see [`crate::results::suppression`]).
//! The answers are core's [`PublishedResults`](crate::results::PublishedResults)
//! and [`PublishedTable`](crate::results::suppression::PublishedTable);
//! the questions are these.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::CITY_UTC_OFFSET_HOURS;
use crate::report::Period;
use crate::results::{Dimension, ResultsFilter};

/// `?survey=…[&ward=…][&period=…]`: one survey's results, for one ward or
/// every ward the caller may see, in one period or all time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsQuery {
    /// The survey's form id (every version together).
    pub survey: String,
    /// One ward's code; none: every ward the caller may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    /// A period key ("2026-Q3", "2026-H2", "2026"); none: all time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// `?survey=…&question=…&split=sex[,age_band][&ward=…][&period=…]`: one
/// question's answers split by one or two dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsTableQuery {
    /// The survey's form id.
    pub survey: String,
    /// The question's name.
    pub question: String,
    /// One or two dimensions, comma-separated, by their keys
    /// ([`split_key`]).
    pub split: String,
    /// One ward's code; none: every ward the caller may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    /// A period key; none: all time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// Most characters of a query's survey id, question name, ward code or
/// period key: each is a short code; anything longer is refused unread.
pub const MAX_QUERY_TEXT_CHARS: usize = 200;

impl ResultsQuery {
    /// Whether every part is within [`MAX_QUERY_TEXT_CHARS`].
    pub fn is_bounded(&self) -> bool {
        bounded(&[
            Some(self.survey.as_str()),
            self.ward.as_deref(),
            self.period.as_deref(),
        ])
    }
}

impl ResultsTableQuery {
    /// Whether every part is within [`MAX_QUERY_TEXT_CHARS`].
    pub fn is_bounded(&self) -> bool {
        bounded(&[
            Some(self.survey.as_str()),
            Some(self.question.as_str()),
            Some(self.split.as_str()),
            self.ward.as_deref(),
            self.period.as_deref(),
        ])
    }
}

fn bounded(parts: &[Option<&str>]) -> bool {
    parts
        .iter()
        .flatten()
        .all(|part| part.chars().count() <= MAX_QUERY_TEXT_CHARS)
}

/// Most dimensions a question is split by at once.
pub const MAX_SPLIT: usize = 2;

/// A dimension's key in a query ("age_band", "sex", …).
pub fn split_key(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::AgeBand => "age_band",
        Dimension::Sex => "sex",
        Dimension::Disability => "disability",
        Dimension::EthnicGroup => "ethnic_group",
        Dimension::SpecialCircumstances => "special_circumstances",
        Dimension::Ward => "ward",
        Dimension::Month => "month",
    }
}

/// `GET /results/heard`: who was heard against the child population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhoWasHeard {
    /// One entry per group compared (none without a population on record).
    pub groups: Vec<crate::results::representation::GroupHearing>,
    /// The wards whose population was compared, each with the year taken.
    pub populations: Vec<(String, i32)>,
    /// A group is heard from less than its share under this fraction.
    pub under_ratio: f64,
    /// For one ward, its children by group as entered for
    /// [`Self::entered_year`], to fill the form with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<crate::results::representation::ChildPopulation>,
    /// The year the form enters: the period's, or this year for all time
    /// (decided once, here, so the form saves the year it was filled from).
    #[serde(default)]
    pub entered_year: i32,
}

/// Every dimension a question may be split by, in the order offered.
pub const SPLITS: [Dimension; 7] = [
    Dimension::AgeBand,
    Dimension::Sex,
    Dimension::Disability,
    Dimension::EthnicGroup,
    Dimension::SpecialCircumstances,
    Dimension::Ward,
    Dimension::Month,
];

/// The dimensions `text` names (comma-separated keys), or `None` when one
/// is unknown, repeated, or there are none or more than [`MAX_SPLIT`], or
/// the ward goes with another: a split by ward and sex holds, cell for
/// cell, each ward's split by sex, and the two tables are suppressed each
/// with its own pattern, so one could show a cell the other hides.
pub fn parse_split(text: &str) -> Option<Vec<Dimension>> {
    let mut dimensions = Vec::new();
    for key in text.split(',') {
        let dimension = SPLITS
            .into_iter()
            .find(|dimension| split_key(*dimension) == key.trim())?;
        if dimensions.contains(&dimension) {
            return None;
        }
        dimensions.push(dimension);
        if dimensions.len() > MAX_SPLIT {
            return None;
        }
    }
    if dimensions.len() > 1 && dimensions.contains(&Dimension::Ward) {
        return None;
    }
    (!dimensions.is_empty()).then_some(dimensions)
}

/// What a split [`parse_split`] refuses says.
pub fn split_refusal() -> crate::Localized {
    crate::Localized::new(
        "Hãy chọn một hoặc hai cách chia (độ tuổi, giới tính, …); chia theo phường thì chỉ một cách.",
        "Choose one or two ways to split (age band, sex, …); a split by ward goes alone.",
    )
}

/// The filter of a query: one ward (or every ward), and the responses
/// started within `period`'s days in Hanoi (or at any time).
pub fn filter_for(ward: Option<String>, period: Option<Period>) -> ResultsFilter {
    let hanoi_midnight = |day: NaiveDate| -> Option<DateTime<Utc>> {
        let offset = chrono::FixedOffset::east_opt(CITY_UTC_OFFSET_HOURS * 3600)?;
        let local = day.and_hms_opt(0, 0, 0)?;
        offset
            .from_local_datetime(&local)
            .single()
            .map(|time| time.with_timezone(&Utc))
    };
    let (from, until) = match period.map(Period::dates) {
        Some((start, end)) => (hanoi_midnight(start), hanoi_midnight(end)),
        None => (None, None),
    };
    ResultsFilter {
        wards: ward.into_iter().collect(),
        from,
        until,
        ..ResultsFilter::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_bounded() {
        let query = ResultsQuery {
            survey: "s".repeat(MAX_QUERY_TEXT_CHARS),
            ward: None,
            period: None,
        };
        assert!(query.is_bounded());
        let long = ResultsQuery {
            ward: Some("0".repeat(MAX_QUERY_TEXT_CHARS + 1)),
            ..query
        };
        assert!(!long.is_bounded());
    }

    #[test]
    fn a_period_is_its_days_in_hanoi() {
        let period: Period = "2026-Q3".parse().expect("a period");
        let filter = filter_for(Some("00004".to_owned()), Some(period));
        assert_eq!(filter.wards, vec!["00004".to_owned()]);
        // 1 July 00:00 in Hanoi is 30 June 17:00 UTC.
        let at = |text: &str| text.parse::<DateTime<Utc>>().expect("a time");
        assert_eq!(filter.from, Some(at("2026-06-30T17:00:00Z")));
        assert_eq!(filter.until, Some(at("2026-09-30T17:00:00Z")));
        assert_eq!(filter_for(None, None), ResultsFilter::default());
    }

    #[test]
    fn a_split_names_one_or_two_known_dimensions() {
        assert_eq!(parse_split("sex"), Some(vec![Dimension::Sex]));
        assert_eq!(
            parse_split("age_band,sex"),
            Some(vec![Dimension::AgeBand, Dimension::Sex])
        );
        assert_eq!(parse_split("ward"), Some(vec![Dimension::Ward]));
        // Each ward's split by age band holds the same cells.
        assert_eq!(parse_split("age_band,ward"), None);
        assert_eq!(parse_split("ward,month"), None);
        assert_eq!(parse_split(""), None);
        assert_eq!(parse_split("sex,sex"), None);
        assert_eq!(parse_split("sex,ward,month"), None);
        assert_eq!(parse_split("height"), None);
        for dimension in SPLITS {
            let json = serde_json::to_value(dimension).expect("serialises");
            assert_eq!(json, split_key(dimension), "the key is the wire name");
        }
    }
}
