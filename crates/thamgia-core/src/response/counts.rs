//! What storing responses adds to the counts the server keeps beside
//! them, so that the town hall reads counts instead of counting responses
//! (the server's migrations 0020, 0022, 0025 and 0029): each day, ward and
//! survey's responses that count and those of children aged 7 and over
//! (`participation_by_day`; by survey too, so the town hall can tell the
//! most children one survey heard from the consultations of them all),
//! and each survey's responses (`survey_response_counts`).
//!
//! The server adds these when it stores responses, one statement per
//! table for a whole batch; the database's triggers move a response's
//! counts when it is later superseded, changed or withdrawn, by the same
//! rule written in SQL: its day is the day of Hanoi's calendar it was
//! started on ([`city_day`], stored beside it as `city_day`, which the
//! triggers read), and it is "older" when its age band is one of `7-9`,
//! `10-12` or `13-15`. Of the older children's, those whose child said it
//! was their first consultation this year and those who said it was not
//! are counted too (migration 0026, `heard_before`).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};

use crate::audit::{city_date, stored_time};
use crate::{AgeBand, HeardBefore};

/// A day, ward and survey's counts gained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// Responses that count.
    pub responses: i64,
    /// Those of children aged 7 and over.
    pub older: i64,
    /// Of those, the ones whose child was consulted for the first time
    /// this year ([`HeardBefore::FirstTime`]).
    pub first_time: i64,
    /// Of those, the ones whose child had already been consulted this
    /// year ([`HeardBefore::Again`]).
    pub again: i64,
}

/// The counts a set of newly stored responses adds, each key once (in key
/// order, so the statements that add them are the same for the same set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountsAdded {
    /// By day ([`city_day`]), ward and survey.
    pub by_day: BTreeMap<(String, String, String), DayCounts>,
    /// By survey id.
    pub by_survey: BTreeMap<String, i64>,
}

impl CountsAdded {
    /// Adds one response stored as the current version of its child's
    /// answers (a new response never starts superseded), started at
    /// `created_at`, `age_band` and `heard_before` as the child gave them
    /// (or not).
    pub fn add(
        &mut self,
        survey_id: &str,
        ward_code: &str,
        created_at: DateTime<Utc>,
        age_band: Option<AgeBand>,
        heard_before: Option<HeardBefore>,
    ) {
        let counts = self
            .by_day
            .entry((
                city_day(created_at),
                ward_code.to_owned(),
                survey_id.to_owned(),
            ))
            .or_default();
        counts.responses += 1;
        if older(age_band) {
            counts.older += 1;
            counts.first_time += i64::from(heard_before == Some(HeardBefore::FirstTime));
            counts.again += i64::from(heard_before == Some(HeardBefore::Again));
        }
        *self.by_survey.entry(survey_id.to_owned()).or_default() += 1;
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.by_survey.is_empty()
    }
}

/// The day a response started at `created_at` counts on, as the server
/// stores it beside the response (`city_day`, migration 0029) and keys its
/// counts by: the date in Hanoi's calendar (UTC+7), so a response made
/// between midnight and 07:00 there counts on that day, in the same
/// quarter as the survey results put it. A year outside 1000-9998 (a
/// tablet clock gone wild) keeps the first ten characters of the stored
/// time, as the migration's SQL does for the responses it found: such a
/// day falls in no period anyone reads.
pub fn city_day(created_at: DateTime<Utc>) -> String {
    if (1000..=9998).contains(&created_at.year()) {
        city_date(created_at).format("%Y-%m-%d").to_string()
    } else {
        stored_time(created_at).chars().take(10).collect()
    }
}

/// Whether a response of `age_band` counts among the children aged 7 and
/// over: the bands `7-9`, `10-12` and `13-15` of the triggers' rule (not
/// a child under 7, nor one whose age was not given).
pub fn older(age_band: Option<AgeBand>) -> bool {
    match age_band {
        None | Some(AgeBand::Under7) => false,
        Some(AgeBand::From7To9 | AgeBand::From10To12 | AgeBand::From13To15) => true,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    #[test]
    fn each_day_ward_and_survey_is_counted_once_with_its_older_children() {
        // Two surveys on the same day and ward are two counts.
        let mut two = CountsAdded::default();
        two.add("s1", "00004", at("2026-04-01T09:30:00.000Z"), None, None);
        two.add("s2", "00004", at("2026-04-01T10:30:00.000Z"), None, None);
        assert_eq!(two.by_day.len(), 2);
        let mut counts = CountsAdded::default();
        assert!(counts.is_empty());
        let first = Some(HeardBefore::FirstTime);
        let again = Some(HeardBefore::Again);
        // A child under 7 is not among the older ones, whatever they said.
        counts.add(
            "s1",
            "00004",
            at("2026-04-01T09:30:00.000Z"),
            Some(AgeBand::Under7),
            first,
        );
        counts.add(
            "s1",
            "00004",
            at("2026-04-01T16:59:59.999Z"),
            Some(AgeBand::From7To9),
            first,
        );
        counts.add(
            "s2",
            "00004",
            at("2026-04-01T17:00:00.000Z"),
            Some(AgeBand::From13To15),
            again,
        );
        counts.add(
            "s1",
            "00007",
            at("2026-04-01T10:00:00.000Z"),
            Some(AgeBand::From10To12),
            Some(HeardBefore::Unsure),
        );
        counts.add(
            "s1",
            "00007",
            at("2026-04-01T11:00:00.000Z"),
            Some(AgeBand::From10To12),
            None,
        );
        assert!(!counts.is_empty());
        let day = |day: &str, ward: &str, survey: &str| {
            (day.to_owned(), ward.to_owned(), survey.to_owned())
        };
        let counted = |responses, older, first_time, again| DayCounts {
            responses,
            older,
            first_time,
            again,
        };
        assert_eq!(
            counts.by_day,
            BTreeMap::from([
                (day("2026-04-01", "00004", "s1"), counted(2, 1, 1, 0)),
                (day("2026-04-01", "00007", "s1"), counted(2, 2, 0, 0)),
                (day("2026-04-02", "00004", "s2"), counted(1, 1, 0, 1)),
            ])
        );
        assert_eq!(
            counts.by_survey,
            BTreeMap::from([("s1".to_owned(), 4), ("s2".to_owned(), 1)])
        );
    }

    #[test]
    fn the_day_is_hanoi_s() {
        // Before 17:00 UTC, the same date; from 17:00, Hanoi's next day.
        assert_eq!(city_day(at("2026-04-01T09:30:00.000Z")), "2026-04-01");
        assert_eq!(city_day(at("2026-03-31T16:59:59.999Z")), "2026-03-31");
        assert_eq!(city_day(at("2026-03-31T17:00:00.000Z")), "2026-04-01");
        assert_eq!(city_day(at("2026-12-31T23:00:00.000Z")), "2027-01-01");
        assert_eq!(city_day(at("9998-12-31T20:00:00.000Z")), "9999-01-01");
        // Outside the years the SQL converts, the stored time's first ten
        // characters, as the migration wrote them.
        let far = Utc
            .with_ymd_and_hms(10_000, 1, 1, 20, 0, 0)
            .single()
            .expect("a time");
        assert_eq!(city_day(far), "+10000-01-");
        let early = Utc
            .with_ymd_and_hms(999, 12, 31, 20, 0, 0)
            .single()
            .expect("a time");
        assert_eq!(city_day(early), "0999-12-31");
    }

    #[test]
    fn children_from_seven_are_older() {
        let marks: Vec<bool> = AgeBand::ALL.iter().map(|band| older(Some(*band))).collect();
        assert_eq!(marks, [false, true, true, true]);
        assert!(!older(None));
    }
}
