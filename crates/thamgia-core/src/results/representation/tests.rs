//! Who was heard against the population: hand-worked shares, withheld
//! figures left unknown, the city's population added up.

use super::*;

fn category(key: &str) -> Category {
    Category::plain(key)
}

/// Who took part by age band (rows) and sex (columns), as published.
fn table(cells: Vec<Vec<Shown>>, row_totals: Vec<Shown>, total: Shown) -> PublishedTable {
    PublishedTable {
        rows: ["0-6", "7-9", "10-12", "13-15"]
            .into_iter()
            .map(category)
            .collect(),
        columns: ["female", "male", "not_stated"]
            .into_iter()
            .map(category)
            .collect(),
        column_totals: vec![Shown::Hidden; 3],
        cells,
        row_totals,
        total,
    }
}

fn population(groups: &[(AgeBand, Sex, u64)], with_disability: Option<u64>) -> ChildPopulation {
    ChildPopulation {
        groups: groups
            .iter()
            .map(|(age_band, sex, children)| PopulationGroup {
                age_band: *age_band,
                sex: *sex,
                children: *children,
            })
            .collect(),
        with_disability,
        ..ChildPopulation::default()
    }
}

fn close(left: Option<f64>, right: f64) -> bool {
    left.is_some_and(|left| (left - right).abs() < 1e-9)
}

/// 7–15 year olds, 100 of each band and sex (600), 60 with a disability.
fn even_population() -> ChildPopulation {
    let mut groups = Vec::new();
    for band in [AgeBand::From7To9, AgeBand::From10To12, AgeBand::From13To15] {
        for sex in [Sex::Female, Sex::Male] {
            groups.push((band, sex, 100));
        }
    }
    population(&groups, Some(60))
}

#[test]
fn a_group_heard_from_far_less_than_its_share_is_named() {
    use Shown::Count;
    // 40 children 7–15 heard: 30 aged 13–15, 5 and 5 in the younger bands;
    // 25 girls, 15 boys; 3 children 0–6 are outside the comparison.
    let heard = table(
        vec![
            vec![Count(2), Count(1), Count(0)],
            vec![Count(3), Count(2), Count(0)],
            vec![Count(3), Count(2), Count(0)],
            vec![Count(19), Count(11), Count(0)],
        ],
        vec![Count(3), Count(5), Count(5), Count(30)],
        Count(43),
    );
    let groups = who_was_heard(&heard, Some(Count(1)), Count(43), &even_population());
    let find = |key: &str| {
        groups
            .iter()
            .find(|group| group.group.key == key)
            .unwrap_or_else(|| panic!("no group {key}"))
    };
    // Each band is a third of the population; 7–9 is 5 of 40 heard.
    let young = find("7-9");
    assert!(close(young.heard_share, 5.0 / 40.0));
    assert!(close(Some(young.population_share), 1.0 / 3.0));
    assert_eq!(young.hearing, Hearing::Under);
    assert_eq!(find("13-15").hearing, Hearing::Fair);
    // Boys are half the population; 15 of 40 heard is 0.375 ≥ 0.7 × 0.5.
    let boys = find("male");
    assert!(close(boys.heard_share, 15.0 / 40.0));
    assert_eq!(boys.hearing, Hearing::Fair);
    assert_eq!(boys.heard, Count(15));
    // 1 of 43 heard has a disability against 10 % of the children.
    let disabled = groups
        .iter()
        .find(|group| group.dimension == Dimension::Disability)
        .expect("the disability group");
    assert!(close(disabled.heard_share, 1.0 / 43.0));
    assert_eq!(disabled.hearing, Hearing::Under);
}

#[test]
fn a_withheld_figure_leaves_its_group_unknown_never_estimated() {
    use Shown::{Count, Hidden, Under};
    let heard = table(
        vec![
            vec![Count(0), Count(0), Count(0)],
            vec![Under(5), Hidden, Count(0)],
            vec![Count(10), Count(9), Count(0)],
            vec![Count(8), Count(7), Count(0)],
        ],
        vec![Count(0), Count(6), Count(19), Count(15)],
        Count(40),
    );
    let groups = who_was_heard(&heard, Some(Under(5)), Count(40), &even_population());
    // Every band total is shown, so the bands are worked out.
    assert!(groups
        .iter()
        .filter(|group| group.dimension == Dimension::AgeBand)
        .all(|group| group.hearing != Hearing::Unknown));
    // The sexes need the 7–9 cells, which are withheld.
    for group in groups
        .iter()
        .filter(|group| group.dimension == Dimension::Sex)
    {
        assert_eq!(group.hearing, Hearing::Unknown, "{:?}", group.group);
        assert_eq!(group.heard_share, None);
    }
    let disabled = groups
        .iter()
        .find(|group| group.dimension == Dimension::Disability)
        .expect("the disability group");
    assert_eq!(disabled.hearing, Hearing::Unknown);
}

#[test]
fn without_a_population_nothing_is_compared() {
    let heard = table(
        vec![vec![Shown::Count(0); 3]; 4],
        vec![Shown::Count(0); 4],
        Shown::Count(0),
    );
    assert!(who_was_heard(&heard, None, Shown::Count(0), &ChildPopulation::default()).is_empty());
    // Nobody heard: every share is unknown.
    let groups = who_was_heard(&heard, None, Shown::Count(0), &even_population());
    assert!(groups.iter().all(|group| group.hearing == Hearing::Unknown));
}

#[test]
fn the_city_adds_its_wards_up() {
    let one = population(&[(AgeBand::From7To9, Sex::Female, 10)], Some(2));
    let two = population(
        &[
            (AgeBand::From7To9, Sex::Female, 5),
            (AgeBand::From7To9, Sex::Male, 7),
        ],
        None,
    );
    let city = ChildPopulation::sum([&one, &two]);
    assert_eq!(city.total(), 22);
    assert_eq!(city.groups.len(), 2);
    // One ward does not know its children with a disability: neither does
    // the city.
    assert_eq!(city.with_disability, None);
    assert_eq!(ChildPopulation::sum([&one, &one]).with_disability, Some(4));
}

#[test]
fn a_population_with_a_typing_error_is_refused() {
    assert!(even_population().problem().is_none());
    let twice = population(
        &[
            (AgeBand::From7To9, Sex::Female, 1),
            (AgeBand::From7To9, Sex::Female, 2),
        ],
        None,
    );
    assert!(twice.problem().is_some());
    let unstated = population(&[(AgeBand::From7To9, Sex::NotStated, 1)], None);
    assert!(unstated.problem().is_some());
    let huge = population(
        &[(AgeBand::From7To9, Sex::Male, MAX_GROUP_CHILDREN + 1)],
        None,
    );
    assert!(huge.problem().is_some());
    let more_disabled = population(&[(AgeBand::From7To9, Sex::Male, 3)], Some(4));
    assert!(more_disabled.problem().is_some());
}

#[test]
fn each_ward_is_compared_with_the_year_nearest_the_one_asked_for() {
    let entered = |ward: &str, year: i32, children: u64| EnteredPopulation {
        ward_code: ward.to_owned(),
        year,
        population: population(&[(AgeBand::From7To9, Sex::Female, children)], None),
    };
    let records = vec![
        entered("00004", 2024, 10),
        entered("00004", 2026, 20),
        entered("00008", 2027, 7),
        EnteredPopulation {
            ward_code: "00001".to_owned(),
            year: 2026,
            population: ChildPopulation::default(),
        },
    ];
    let (total, used) = population_for(&records, Some(2025));
    // Ba Đình: 2024 (the latest before 2025); Ngọc Hà: 2027 (only one);
    // a ward with nothing entered is left out.
    assert_eq!(
        used,
        vec![("00004".to_owned(), 2024), ("00008".to_owned(), 2027)]
    );
    assert_eq!(total.total(), 17);
    let (latest, used) = population_for(&records, None);
    assert_eq!(used[0], ("00004".to_owned(), 2026));
    assert_eq!(latest.total(), 27);
}
