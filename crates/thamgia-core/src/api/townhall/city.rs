//! The whole city's participation in a period, as the town hall's card
//! totals it under the wards: the figure Hanoi reports against its target.

use super::{participation_percent, WardOverview};

/// Every ward's participation added up (saturating: the figures come from
/// JSON). The shares are of the wards whose
/// children aged 7–15 were entered: their consultations (and the children
/// heard for the first time this year) against their children; a ward
/// without a population adds to the counts, never to a share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CityParticipation {
    /// Wards in the overview.
    pub wards: usize,
    /// Of those, the wards whose children aged 7–15 were entered.
    pub wards_with_population: usize,
    /// Responses collected in the period.
    pub responses: u64,
    /// Consultations of children aged 7 and over.
    pub consulted_7_plus: u64,
    /// Of those, the children heard for the first time this year.
    pub first_time_7_plus: u64,
    /// Of those, the children already heard this year.
    pub again_7_plus: u64,
    /// Children aged 7 and over at the wards' forums (beside the
    /// consultations, never added to them).
    pub forum_children_7_plus: u64,
    /// Children aged 7–15 of the wards with a population.
    pub child_population_7_15: u64,
    /// Consultations in the wards with a population, as a share of their
    /// children, in percent.
    pub percent: Option<f64>,
    /// The children heard for the first time this year in the wards with a
    /// population, as a share of their children, in percent; none when no
    /// child of those wards was asked.
    pub first_time_percent: Option<f64>,
}

impl CityParticipation {
    /// The city's participation from each ward's line and its population
    /// (as the page holds it: the one saved last, else the overview's).
    pub fn of_wards<'a>(
        wards: impl IntoIterator<Item = (&'a WardOverview, Option<u64>)>,
    ) -> CityParticipation {
        let mut city = CityParticipation::default();
        let (mut consulted_counted, mut first_time_counted, mut asked) = (0, 0, false);
        for (ward, population) in wards {
            let participation = &ward.participation;
            city.wards += 1;
            city.responses = city.responses.saturating_add(ward.responses);
            city.consulted_7_plus = city
                .consulted_7_plus
                .saturating_add(participation.consulted_7_plus);
            city.first_time_7_plus = city
                .first_time_7_plus
                .saturating_add(participation.first_time_7_plus);
            city.again_7_plus = city.again_7_plus.saturating_add(participation.again_7_plus);
            city.forum_children_7_plus = city
                .forum_children_7_plus
                .saturating_add(participation.forum_children_7_plus);
            if let Some(population) = population.filter(|population| *population > 0) {
                city.wards_with_population += 1;
                city.child_population_7_15 = city.child_population_7_15.saturating_add(population);
                consulted_counted = participation
                    .consulted_7_plus
                    .saturating_add(consulted_counted);
                first_time_counted = participation
                    .first_time_7_plus
                    .saturating_add(first_time_counted);
                asked |= participation.asked_heard_before();
            }
        }
        let population = Some(city.child_population_7_15);
        city.percent = participation_percent(consulted_counted, population);
        city.first_time_percent =
            participation_percent(first_time_counted, population).filter(|_| asked);
        city
    }

    /// Whether any child in the city was asked whether another survey had
    /// already heard them this year.
    pub fn asked_heard_before(&self) -> bool {
        self.first_time_7_plus.saturating_add(self.again_7_plus) > 0
    }

    /// The consultations whose child was not asked, or did not remember.
    pub fn heard_before_unknown(&self) -> u64 {
        self.consulted_7_plus
            .saturating_sub(self.first_time_7_plus.saturating_add(self.again_7_plus))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::Participation;
    use super::*;

    fn ward(code: &str, responses: u64, participation: Participation) -> WardOverview {
        WardOverview {
            code: code.to_owned(),
            name_vi: code.to_owned(),
            name_en: code.to_owned(),
            responses,
            participation,
            report_status: None,
            values: BTreeMap::new(),
        }
    }

    #[test]
    fn the_city_adds_up_its_wards_and_shares_only_over_wards_with_children_entered() {
        // Ba Đình: 30 consultations of 200 children, 20 of them for the
        // first time this year, 5 again; 40 children at its forum.
        // Hoàn Kiếm: 10 consultations of 300 children, none asked.
        // Tây Hồ: 50 consultations, no population entered.
        let wards = [
            ward(
                "00004",
                35,
                Participation::new(30, Some(200))
                    .heard_before(20, 5)
                    .with_forum_children(40),
            ),
            ward("00070", 12, Participation::new(10, Some(300))),
            ward("00091", 50, Participation::new(50, None)),
        ];
        let city = CityParticipation::of_wards(
            wards
                .iter()
                .map(|ward| (ward, ward.participation.child_population_7_15)),
        );
        assert_eq!((city.wards, city.wards_with_population), (3, 2));
        assert_eq!(city.responses, 97);
        assert_eq!(city.consulted_7_plus, 90);
        assert_eq!((city.first_time_7_plus, city.again_7_plus), (20, 5));
        assert_eq!(city.heard_before_unknown(), 65);
        assert_eq!(city.forum_children_7_plus, 40);
        assert_eq!(city.child_population_7_15, 500);
        // (30 + 10) of 500, and 20 of 500: Tây Hồ's 50 are in no share.
        assert_eq!(city.percent, Some(8.0));
        assert_eq!(city.first_time_percent, Some(4.0));
        assert!(city.asked_heard_before());

        // A population typed on the page counts at once; without any, no
        // share at all.
        let typed = CityParticipation::of_wards(wards.iter().map(|ward| {
            let population = if ward.code == "00091" {
                Some(500)
            } else {
                ward.participation.child_population_7_15
            };
            (ward, population)
        }));
        assert_eq!(typed.percent, Some(9.0));
        let none = CityParticipation::of_wards(wards.iter().map(|ward| (ward, None)));
        assert_eq!((none.percent, none.first_time_percent), (None, None));
        assert_eq!(none.wards_with_population, 0);
    }
}
