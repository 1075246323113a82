//! `GET /townhall/overview`, `GET /townhall/trend` and
//! `PUT /wards/{code}/population/{year}`, and the rules their figures follow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::localized::{Language, Localized};
use crate::report::{Period, ReportStatus};

mod city;

pub use city::CityParticipation;

/// The indicator code of "children aged 7+ consulted on children's issues".
pub const PARTICIPATION_INDICATOR: &str = "4.1";

/// The plan's milestone a year is measured against: its 2025 targets until
/// 2025, its 2030 targets after.
pub fn milestone(year: i32) -> i32 {
    if year <= 2025 {
        2025
    } else {
        2030
    }
}

/// `consulted` as a share of `population`, in percent; none without a
/// population (or with a population of 0).
pub fn participation_percent(consulted: u64, population: Option<u64>) -> Option<f64> {
    population
        .filter(|population| *population > 0)
        .map(|population| 100.0 * consulted as f64 / population as f64)
}

/// Participation of one ward in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participation {
    /// Responses of children aged 7 and over collected in the period (a
    /// corrected response counts once, a withdrawn one not at all).
    pub consulted_7_plus: u64,
    /// The ward's children aged 7 to 15 that year, if entered.
    pub child_population_7_15: Option<u64>,
    /// `consulted_7_plus` as a share of the population, in percent
    /// ([`participation_percent`]).
    pub percent: Option<f64>,
    /// The most of them one survey heard from: at least this many
    /// different children took part. `consulted_7_plus` counts
    /// consultations, and a child consulted by two surveys counts twice
    /// there (answers are anonymous: nothing tells the two apart).
    #[serde(default)]
    pub largest_survey_7_plus: u64,
    /// `largest_survey_7_plus` as a share of the population, in percent.
    #[serde(default)]
    pub at_least_percent: Option<f64>,
    /// Of `consulted_7_plus`, the consultations whose child said it was
    /// their first this year ([`crate::HeardBefore::FirstTime`]): each a
    /// different child, and over the periods of a year they add up to the
    /// children consulted that year.
    #[serde(default)]
    pub first_time_7_plus: u64,
    /// Of `consulted_7_plus`, those whose child said they had already been
    /// consulted this year ([`crate::HeardBefore::Again`]).
    #[serde(default)]
    pub again_7_plus: u64,
    /// `first_time_7_plus` as a share of the population, in percent.
    #[serde(default)]
    pub first_time_percent: Option<f64>,
    /// Children aged 7 and over at the ward's children's forums held in
    /// the period ([`crate::forum::Forum::children_7_plus`]), as the
    /// forums recorded them: a child at a forum and in a survey is in
    /// both figures, so they are shown side by side, never added.
    #[serde(default)]
    pub forum_children_7_plus: u64,
}

/// What one survey heard from children aged 7 and over in a ward and
/// period: its consultations, and how many of those children said it was
/// their first this year, or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SurveyHeard {
    /// Consultations of children aged 7 and over.
    pub older: u64,
    /// Of those, the children consulted for the first time this year.
    pub first_time: u64,
    /// Of those, the children already consulted this year.
    pub again: u64,
}

impl Participation {
    /// The participation of `consulted` children out of `population`, all
    /// of them consulted by one survey.
    pub fn new(consulted: u64, population: Option<u64>) -> Participation {
        Participation::by_surveys(consulted, consulted, population)
    }

    /// The participation of a ward whose surveys each heard `by_survey`
    /// from children aged 7 and over, out of `population`: their
    /// consultations added up the ward's, the largest the floor, and the
    /// first consultations this year, and the repeated ones, added up.
    pub fn of_surveys(
        by_survey: impl IntoIterator<Item = SurveyHeard>,
        population: Option<u64>,
    ) -> Participation {
        let (mut all, mut largest) = (SurveyHeard::default(), 0);
        for heard in by_survey {
            all.older += heard.older;
            all.first_time += heard.first_time;
            all.again += heard.again;
            largest = largest.max(heard.older);
        }
        Participation::by_surveys(all.older, largest, population)
            .heard_before(all.first_time, all.again)
    }

    /// The participation of `consulted` consultations out of
    /// `population`, `largest_survey` of them by the survey that heard
    /// from the most children (at most `consulted`), none of their
    /// children asked whether they were consulted before.
    pub fn by_surveys(
        consulted: u64,
        largest_survey: u64,
        population: Option<u64>,
    ) -> Participation {
        let largest_survey = largest_survey.min(consulted);
        Participation {
            consulted_7_plus: consulted,
            child_population_7_15: population,
            percent: participation_percent(consulted, population),
            largest_survey_7_plus: largest_survey,
            at_least_percent: participation_percent(largest_survey, population),
            first_time_7_plus: 0,
            again_7_plus: 0,
            first_time_percent: participation_percent(0, population),
            forum_children_7_plus: 0,
        }
    }

    /// This participation with `children` aged 7 and over at the ward's
    /// forums of the period.
    pub fn with_forum_children(mut self, children: u64) -> Participation {
        self.forum_children_7_plus = children;
        self
    }

    /// This participation with `first_time` of its consultations the
    /// child's first this year and `again` of them not (together at most
    /// the consultations: what is over is left out, first the repeats).
    pub fn heard_before(mut self, first_time: u64, again: u64) -> Participation {
        self.first_time_7_plus = first_time.min(self.consulted_7_plus);
        self.again_7_plus = again.min(self.consulted_7_plus - self.first_time_7_plus);
        self.first_time_percent =
            participation_percent(self.first_time_7_plus, self.child_population_7_15);
        self
    }

    /// Whether any child of these consultations was asked whether they
    /// had been consulted before this year and answered yes or no.
    pub fn asked_heard_before(&self) -> bool {
        self.first_time_7_plus.saturating_add(self.again_7_plus) > 0
    }

    /// The ward's figures in one sentence, as a ward officer reads them
    /// beside indicator 4.1 of the report: "30 lượt lấy ý kiến trẻ em từ 7
    /// tuổi, 20 em lần đầu trong năm; 15 % của 200 trẻ em 7–15 tuổi."
    pub fn summary(&self) -> Localized {
        let percent = |value: f64, separator: &str| format!("{:.1}", value).replace('.', separator);
        let mut vi = format!("{} lượt lấy ý kiến trẻ em từ 7 tuổi", self.consulted_7_plus);
        let mut en = format!("{} consultations of children 7+", self.consulted_7_plus);
        if self.asked_heard_before() {
            vi.push_str(&format!(
                ", {} em lần đầu trong năm",
                self.first_time_7_plus
            ));
            en.push_str(&format!(
                ", {} children for the first time this year",
                self.first_time_7_plus
            ));
        }
        if self.forum_children_7_plus > 0 {
            vi.push_str(&format!(
                ", {} em từ 7 tuổi ở diễn đàn",
                self.forum_children_7_plus
            ));
            en.push_str(&format!(
                ", {} children 7+ at forums",
                self.forum_children_7_plus
            ));
        }
        match (self.percent, self.child_population_7_15) {
            (Some(value), Some(population)) => {
                vi.push_str(&format!(
                    "; {} % của {population} trẻ em 7–15 tuổi.",
                    percent(value, ",")
                ));
                en.push_str(&format!(
                    "; {} % of {population} children aged 7–15.",
                    percent(value, ".")
                ));
            }
            _ => {
                vi.push_str("; chưa có số trẻ em 7–15 tuổi của phường/xã.");
                en.push_str("; the ward's children aged 7–15 are not entered yet.");
            }
        }
        Localized::new(vi, en)
    }

    /// Whether the most one survey heard from says more than the other
    /// figures: under the consultations (a child may be counted twice
    /// there), and over the children who said it was their first
    /// consultation this year (each a different child who took part in the
    /// period, so at least that many did as well).
    pub fn largest_survey_tells_more(&self) -> bool {
        self.largest_survey_7_plus < self.consulted_7_plus
            && self.largest_survey_7_plus > self.first_time_7_plus
    }

    /// The consultations whose child was not asked whether it was their
    /// first this year, or did not remember: each may be a new child or
    /// one already counted.
    pub fn heard_before_unknown(&self) -> u64 {
        // Saturating: a `Participation` read from JSON need not hold the
        // bounds `heard_before` keeps.
        self.consulted_7_plus
            .saturating_sub(self.first_time_7_plus.saturating_add(self.again_7_plus))
    }
}

/// One ward's line in the overview of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WardOverview {
    /// Official code.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Responses collected in the period (counted ones).
    pub responses: u64,
    /// Participation from the responses.
    pub participation: Participation,
    /// The period's report status, if a report exists.
    pub report_status: Option<ReportStatus>,
    /// Indicator values entered in the period's report, by code.
    pub values: BTreeMap<String, f64>,
}

impl WardOverview {
    /// The ward's name in `language`.
    pub fn name(&self, language: Language) -> &str {
        match language {
            Language::Vi => &self.name_vi,
            Language::En => &self.name_en,
        }
    }
}

/// Every ward in one period, with the targets that apply
/// (`GET /townhall/overview?period=…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// The period key, e.g. "2026-Q3".
    pub period: String,
    /// The participation target for the period's milestone year (Hanoi's,
    /// else national).
    pub participation_target: Option<f64>,
    /// One line per ward or commune.
    pub wards: Vec<WardOverview>,
}

impl Overview {
    /// The period the figures are for, as the server says; `fallback` when
    /// the key cannot be read (it always can: the server writes it).
    pub fn period_or(&self, fallback: Period) -> Period {
        self.period.parse().unwrap_or(fallback)
    }
}

/// One point of an indicator's trend (`GET /townhall/trend`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The period key.
    pub period: String,
    /// The value entered.
    pub value: f64,
    /// The target for that period's year, if any.
    pub target: Option<f64>,
}

/// The body of `PUT /wards/{code}/population/{year}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationBody {
    /// The ward's children aged 7 to 15 that year.
    pub children_7_15: u64,
    /// Its children by group, if known; absent: the groups already
    /// entered are kept. When given, its 7-15 groups add up to
    /// `children_7_15`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<crate::results::representation::ChildPopulation>,
}

impl PopulationBody {
    /// Why the body cannot be kept, if it cannot: a total over
    /// [`MAX_GROUP_CHILDREN`](crate::results::representation::MAX_GROUP_CHILDREN)
    /// (a typing error, and more than the server's integers hold), a
    /// group's problem, or groups that do not add up to the total.
    pub fn problem(&self) -> Option<crate::localized::Localized> {
        use crate::response::AgeBand;
        use crate::results::representation::MAX_GROUP_CHILDREN;
        if self.children_7_15 > MAX_GROUP_CHILDREN {
            return Some(crate::localized::Localized::new(
                format!("Số trẻ em tối đa {MAX_GROUP_CHILDREN}."),
                format!("The number of children is at most {MAX_GROUP_CHILDREN}."),
            ));
        }
        let groups = self.groups.as_ref()?;
        if let Some(problem) = groups.problem() {
            return Some(problem);
        }
        let from_seven: u64 = groups
            .groups
            .iter()
            .filter(|group| group.age_band != AgeBand::Under7)
            .map(|group| group.children)
            .sum();
        (!groups.groups.is_empty() && from_seven != self.children_7_15).then(|| {
            crate::localized::Localized::new(
                format!(
                    "Số trẻ em 7–15 tuổi theo nhóm cộng lại là {from_seven}, khác tổng {}.",
                    self.children_7_15
                ),
                format!(
                    "The children aged 7–15 by group add up to {from_seven}, not the total of {}.",
                    self.children_7_15
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_measured_against_their_milestone() {
        assert_eq!(milestone(2021), 2025);
        assert_eq!(milestone(2025), 2025);
        assert_eq!(milestone(2026), 2030);
        assert_eq!(milestone(2030), 2030);
    }

    #[test]
    fn participation_needs_a_population() {
        assert_eq!(participation_percent(30, Some(120)), Some(25.0));
        assert_eq!(participation_percent(30, None), None);
        assert_eq!(participation_percent(30, Some(0)), None);
        assert_eq!(Participation::new(0, Some(10)).percent, Some(0.0));
        // Two surveys heard from 6 and 4: 10 consultations, at least 6.
        let heard = |older| SurveyHeard {
            older,
            ..SurveyHeard::default()
        };
        let two = Participation::of_surveys([heard(6), heard(4)], Some(100));
        assert_eq!((two.consulted_7_plus, two.largest_survey_7_plus), (10, 6));
        assert_eq!((two.percent, two.at_least_percent), (Some(10.0), Some(6.0)));
        assert!(!two.asked_heard_before());
        assert_eq!(two.heard_before_unknown(), 10);
    }

    #[test]
    fn children_consulted_for_the_first_time_add_up_over_surveys() {
        // Survey 1 heard 6 children, 5 of them for the first time this
        // year; survey 2 heard 4, 1 of them for the first time and 2 again
        // (the third did not remember).
        let surveys = [
            SurveyHeard {
                older: 6,
                first_time: 5,
                again: 0,
            },
            SurveyHeard {
                older: 4,
                first_time: 1,
                again: 2,
            },
        ];
        let ward = Participation::of_surveys(surveys, Some(200));
        assert_eq!(ward.consulted_7_plus, 10);
        assert_eq!((ward.first_time_7_plus, ward.again_7_plus), (6, 2));
        assert_eq!(ward.first_time_percent, Some(3.0));
        assert!(ward.asked_heard_before());
        // 6 children said it was their first time: the most one survey
        // heard from, 6, says nothing more.
        assert!(!ward.largest_survey_tells_more());
        assert!(Participation::of_surveys(
            surveys.map(|heard| SurveyHeard {
                first_time: 0,
                ..heard
            }),
            None
        )
        .largest_survey_tells_more());
        // One not asked in survey 1, one who did not remember in survey 2.
        assert_eq!(ward.heard_before_unknown(), 2);
        assert_eq!(
            Participation::new(4, None)
                .heard_before(3, 0)
                .first_time_percent,
            None
        );
    }

    #[test]
    fn a_ward_officer_reads_the_figures_in_one_sentence() {
        let ward = Participation::new(30, Some(200))
            .heard_before(20, 5)
            .with_forum_children(40);
        let summary = ward.summary();
        assert_eq!(
            summary.vi,
            "30 lượt lấy ý kiến trẻ em từ 7 tuổi, 20 em lần đầu trong năm, 40 em từ 7 tuổi ở diễn đàn; 15,0 % của 200 trẻ em 7–15 tuổi."
        );
        assert_eq!(
            summary.en,
            "30 consultations of children 7+, 20 children for the first time this year, 40 children 7+ at forums; 15.0 % of 200 children aged 7–15."
        );
        let bare = Participation::new(3, None).summary();
        assert_eq!(
            bare.en,
            "3 consultations of children 7+; the ward's children aged 7–15 are not entered yet."
        );
    }

    #[test]
    fn figures_read_from_json_out_of_bounds_leave_nothing_unknown() {
        let read: Participation = serde_json::from_str(
            r#"{"consulted_7_plus": 3, "child_population_7_15": null, "percent": null,
                "first_time_7_plus": 5, "again_7_plus": 18446744073709551615}"#,
        )
        .expect("read");
        assert!(read.asked_heard_before());
        assert_eq!(read.heard_before_unknown(), 0);
    }

    #[test]
    fn answers_about_earlier_consultations_never_exceed_the_consultations() {
        let over = Participation::new(3, Some(10)).heard_before(2, 5);
        assert_eq!((over.first_time_7_plus, over.again_7_plus), (2, 1));
        assert_eq!(over.heard_before_unknown(), 0);
        let all_first = Participation::new(3, Some(10)).heard_before(9, 0);
        assert_eq!(
            (all_first.first_time_7_plus, all_first.again_7_plus),
            (3, 0)
        );
        assert_eq!(all_first.first_time_percent, Some(30.0));
    }
}
