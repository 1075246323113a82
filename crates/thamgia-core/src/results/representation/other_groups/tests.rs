//! Ethnic groups and special circumstances against the population:
//! hand-worked shares, withheld figures left unknown or worked out only
//! from shown ones, the city's population added up, typing errors refused.

use super::*;
use crate::response::{AgeBand, Sex};
use crate::results::representation::{EthnicPopulation, Hearing, PopulationGroup};

/// Who took part by one dimension, as published: a row per `(key, shown)`.
fn table(rows: &[(&str, Shown)], total: Shown) -> PublishedTable {
    PublishedTable {
        rows: rows.iter().map(|(key, _)| Category::plain(*key)).collect(),
        columns: vec![Category::plain("all")],
        cells: rows.iter().map(|(_, shown)| vec![*shown]).collect(),
        row_totals: rows.iter().map(|(_, shown)| *shown).collect(),
        column_totals: vec![total],
        total,
    }
}

/// 600 children 7–15 (100 of each band and sex), with these ethnic groups
/// and children in special circumstances.
fn population(ethnic: &[(EthnicGroup, u64)], special: Option<u64>) -> ChildPopulation {
    let mut groups = Vec::new();
    for age_band in [AgeBand::From7To9, AgeBand::From10To12, AgeBand::From13To15] {
        for sex in [Sex::Female, Sex::Male] {
            groups.push(PopulationGroup {
                age_band,
                sex,
                children: 100,
            });
        }
    }
    ChildPopulation {
        groups,
        with_disability: None,
        ethnic_groups: ethnic
            .iter()
            .map(|(group, children)| EthnicPopulation {
                group: *group,
                children: *children,
            })
            .collect(),
        in_special_circumstances: special,
    }
}

fn close(left: Option<f64>, right: f64) -> bool {
    left.is_some_and(|left| (left - right).abs() < 1e-9)
}

/// Kinh 480, Mường 90, Dao 30 (80 %, 15 %, 5 %).
fn three_groups() -> ChildPopulation {
    population(
        &[
            (EthnicGroup::Dao, 30),
            (EthnicGroup::Kinh, 480),
            (EthnicGroup::Muong, 90),
        ],
        None,
    )
}

/// Who took part by `dimension` as published: a row per category it
/// lists, `shown` for the keys given, zero for the others.
fn published(dimension: Dimension, shown: &[(&str, Shown)], total: Shown) -> PublishedTable {
    let categories = dimension.fixed_categories().expect("fixed categories");
    let rows: Vec<(&str, Shown)> = categories
        .iter()
        .map(|category| {
            let value = shown
                .iter()
                .find(|(key, _)| *key == category.key)
                .map_or(Shown::Count(0), |(_, value)| *value);
            (category.key.as_str(), value)
        })
        .collect();
    table(&rows, total)
}

fn find<'a>(groups: &'a [GroupHearing], key: &str) -> &'a GroupHearing {
    groups
        .iter()
        .find(|group| group.group.key == key)
        .unwrap_or_else(|| panic!("no group {key}"))
}

#[test]
fn the_ethnic_groups_entered_are_compared_among_the_children_who_said_theirs() {
    use Shown::Count;
    // 55 heard: 45 Kinh, 5 Mường, no Dao; 5 whose group is unknown: the
    // 50 of the groups entered are the denominator.
    let heard = published(
        Dimension::EthnicGroup,
        &[
            ("kinh", Count(45)),
            ("muong", Count(5)),
            ("not_stated", Count(0)),
            ("unknown", Count(5)),
        ],
        Count(55),
    );
    let groups = ethnic_groups_heard(&heard, &three_groups());
    // In the order groups are listed, whatever order they were entered in.
    let keys: Vec<&str> = groups
        .iter()
        .map(|group| group.group.key.as_str())
        .collect();
    assert_eq!(keys, ["kinh", "muong", "dao"]);
    let kinh = find(&groups, "kinh");
    assert!(close(kinh.heard_share, 0.9));
    assert!(close(Some(kinh.population_share), 0.8));
    assert_eq!(kinh.hearing, Hearing::Fair);
    // Mường: 10 % heard against 15 % (under 0.7 × 15 % = 10.5 %).
    let muong = find(&groups, "muong");
    assert!(close(muong.heard_share, 0.1));
    assert_eq!(muong.hearing, Hearing::Under);
    let dao = find(&groups, "dao");
    assert_eq!(dao.heard, Count(0));
    assert_eq!(dao.hearing, Hearing::Under);
    assert!(groups
        .iter()
        .all(|group| group.dimension == Dimension::EthnicGroup));
}

#[test]
fn a_withheld_ethnic_group_is_unknown_and_the_others_are_worked_out_from_shown_figures() {
    use Shown::{Count, Hidden, Under};
    // Dao "< 5": the denominator is the total less the rows not entered,
    // all shown.
    let heard = published(
        Dimension::EthnicGroup,
        &[("kinh", Count(45)), ("muong", Count(5)), ("dao", Under(5))],
        Count(53),
    );
    let groups = ethnic_groups_heard(&heard, &three_groups());
    assert!(close(find(&groups, "kinh").heard_share, 45.0 / 53.0));
    let dao = find(&groups, "dao");
    assert_eq!((dao.heard_share, dao.hearing), (None, Hearing::Unknown));
    // With a row not entered hidden as well, no share is known.
    let heard = published(
        Dimension::EthnicGroup,
        &[
            ("kinh", Count(45)),
            ("muong", Count(5)),
            ("dao", Under(5)),
            ("not_stated", Hidden),
        ],
        Count(60),
    );
    let groups = ethnic_groups_heard(&heard, &three_groups());
    assert!(groups
        .iter()
        .all(|group| group.hearing == Hearing::Unknown && group.heard_share.is_none()));
    // Nothing entered: nothing compared.
    assert!(ethnic_groups_heard(&heard, &population(&[], None)).is_empty());
}

#[test]
fn children_in_special_circumstances_are_counted_from_every_circumstance_or_from_none() {
    use Shown::{Count, Hidden, Under};
    let k = Threshold::DEFAULT;
    // 60 of 600 children (10 %); 50 heard.
    let entered = population(&[], Some(60));
    let heard = |orphaned: Shown, poor: Shown, none: Shown| {
        let table = published(
            Dimension::SpecialCircumstances,
            &[
                ("orphaned", orphaned),
                ("poor_household", poor),
                ("none", none),
            ],
            Count(50),
        );
        special_circumstances_heard(&table, &entered, k).expect("compared")
    };
    // Every row shown: 5 orphaned + 6 poor + 0 … = 11 of 50 (22 %).
    let group = heard(Count(5), Count(6), Count(39));
    assert_eq!(group.heard, Count(11));
    assert!(close(group.heard_share, 0.22));
    assert!(close(Some(group.population_share), 0.1));
    assert_eq!(group.hearing, Hearing::Fair);
    assert_eq!(group.dimension, Dimension::SpecialCircumstances);
    // Rows withheld, "none" shown: 50 − 44 = 6 heard (12 %, at least
    // 0.7 × 10 %).
    let group = heard(Under(5), Hidden, Count(44));
    assert_eq!((group.heard, group.hearing), (Count(6), Hearing::Fair));
    // Worked out as 3: under k, withheld as "< 5", its share unknown.
    let group = heard(Under(5), Hidden, Count(47));
    assert_eq!(group.heard, Under(5));
    assert_eq!((group.heard_share, group.hearing), (None, Hearing::Unknown));
    // "None" withheld too: not known at all.
    assert_eq!(heard(Under(5), Hidden, Hidden).heard, Hidden);
    // Not entered: not compared.
    let shown = published(Dimension::SpecialCircumstances, &[], Count(50));
    assert!(special_circumstances_heard(&shown, &population(&[], None), k).is_none());
}

#[test]
fn the_city_keeps_an_ethnic_group_or_its_special_circumstances_only_if_every_ward_gives_them() {
    let one = population(
        &[(EthnicGroup::Kinh, 500), (EthnicGroup::Muong, 100)],
        Some(20),
    );
    let two = population(&[(EthnicGroup::Kinh, 550), (EthnicGroup::Dao, 50)], None);
    let city = ChildPopulation::sum([&one, &two]);
    assert_eq!(
        city.ethnic_groups,
        [EthnicPopulation {
            group: EthnicGroup::Kinh,
            children: 1_050
        }]
    );
    assert_eq!(city.in_special_circumstances, None);
    let both = ChildPopulation::sum([&one, &one]);
    assert_eq!(both.in_special_circumstances, Some(40));
    assert_eq!(both.ethnic_groups.len(), 2);
}

#[test]
fn an_ethnic_or_special_circumstances_figure_with_a_typing_error_is_refused() {
    assert!(three_groups().problem().is_none());
    let twice = population(&[(EthnicGroup::Kinh, 1), (EthnicGroup::Kinh, 2)], None);
    assert!(twice.problem().is_some());
    let unstated = population(&[(EthnicGroup::NotStated, 1)], None);
    assert!(unstated.problem().is_some());
    // 600 children in all.
    let more = population(&[(EthnicGroup::Kinh, 590), (EthnicGroup::Tay, 20)], None);
    assert!(more.problem().is_some());
    assert!(population(&[], Some(601)).problem().is_some());
    assert!(population(&[], Some(600)).problem().is_none());
    // Shares need the children by age band and sex.
    let alone = ChildPopulation {
        in_special_circumstances: Some(3),
        ..ChildPopulation::default()
    };
    assert!(alone.problem().is_some());
}
