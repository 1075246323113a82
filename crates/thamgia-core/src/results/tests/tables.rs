//! Filters that combine, cross-tables and their totals, and category keys
//! against the fixture.

use super::*;

/// The cells of a table, its row totals, its column totals and its total.
fn totals(table: &CrossTable) -> (Vec<Vec<u64>>, Vec<u64>, Vec<u64>, u64) {
    (
        table.cells.clone(),
        table.row_totals.clone(),
        table.column_totals.clone(),
        table.total,
    )
}

fn keys(categories: &[Category]) -> Vec<&str> {
    categories
        .iter()
        .map(|category| category.key.as_str())
        .collect()
}

#[test]
fn filters_combine() {
    let ba_dinh = ResultsFilter {
        wards: vec!["00004".to_owned()],
        ..ResultsFilter::default()
    };
    assert_eq!(results(&ba_dinh).respondents, 3, "responses 1, 2 and 4");
    let ba_dinh_girls = ResultsFilter {
        sexes: vec![Sex::Female],
        ..ba_dinh.clone()
    };
    assert_eq!(results(&ba_dinh_girls).respondents, 2, "responses 1 and 4");
    let early_may = ResultsFilter {
        from: Some(at(2)),
        until: Some(at(4)),
        ..ResultsFilter::default()
    };
    assert_eq!(results(&early_may).respondents, 2, "responses 2 and 3");
    let young_or_teen = ResultsFilter {
        age_bands: vec![AgeBand::From7To9, AgeBand::From13To15],
        ..ResultsFilter::default()
    };
    assert_eq!(
        results(&young_or_teen).respondents,
        3,
        "responses 1, 3 and 7"
    );
    let disabled = ResultsFilter {
        disability: vec![crate::response::Disclosure::Yes],
        ..ResultsFilter::default()
    };
    assert_eq!(results(&disabled).respondents, 0, "nobody said");
}

#[test]
fn children_are_counted_by_sex_and_age_band_with_totals() {
    let table = participants_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        Dimension::Sex,
        Some(Dimension::AgeBand),
    );
    assert_eq!(
        keys(&table.rows),
        vec!["female", "male", "not_stated", "unknown"]
    );
    assert_eq!(
        keys(&table.columns),
        vec!["0-6", "7-9", "10-12", "13-15", "unknown"]
    );
    assert_eq!(
        totals(&table),
        (
            vec![
                vec![0, 1, 1, 1, 0],
                vec![0, 1, 1, 0, 0],
                vec![0; 5],
                vec![0; 5],
            ],
            vec![3, 2, 0, 0],
            vec![0, 2, 2, 1, 0],
            5
        )
    );
    let by_ward = participants_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        Dimension::Ward,
        None,
    );
    assert_eq!(keys(&by_ward.rows), vec!["00004", "00070"]);
    assert_eq!(by_ward.row_totals, vec![3, 2]);
}

#[test]
fn a_question_is_split_by_one_or_two_dimensions() {
    let by_sex = question_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        "safe",
        &[Dimension::Sex],
    )
    .expect("a single choice splits");
    assert_eq!(
        keys(&by_sex.rows),
        vec!["always", "sometimes", "never", "unsure"]
    );
    assert_eq!(by_sex.rows[0].label.vi, "always (vi)");
    assert_eq!(
        totals(&by_sex),
        (
            vec![
                vec![1, 0, 0, 0],
                vec![0, 1, 0, 0],
                vec![2, 1, 0, 0],
                vec![0, 0, 0, 0],
            ],
            vec![1, 1, 3, 0],
            vec![3, 2, 0, 0],
            5
        )
    );
    let by_ward_and_month = question_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        "likes_school",
        &[Dimension::Sex, Dimension::Disability],
    )
    .expect("yes/no splits");
    assert_eq!(by_ward_and_month.columns.len(), 4 * 4);
    assert_eq!(by_ward_and_month.columns[3].key, "female|unknown");
    assert_eq!(
        by_ward_and_month.row_totals,
        vec![3, 1],
        "the skip is not in the table"
    );
    assert_eq!(by_ward_and_month.column_totals[3], 2);
    assert_eq!(by_ward_and_month.total, 4);
    let first_ranked = question_table(
        &definitions(),
        &responses(),
        &ResultsFilter::default(),
        "priorities",
        &[Dimension::AgeBand],
    )
    .expect("a ranking splits by its first place");
    assert_eq!(first_ranked.row_totals, vec![1, 1, 2]);
    for refused in ["worries", "hours", "why", "changed", "intro", "nothing"] {
        assert!(
            question_table(
                &definitions(),
                &responses(),
                &ResultsFilter::default(),
                refused,
                &[Dimension::Sex],
            )
            .is_none(),
            "{refused}"
        );
    }
}

#[test]
fn category_keys_are_the_serialised_names() {
    for dimension in [
        Dimension::AgeBand,
        Dimension::Sex,
        Dimension::Disability,
        Dimension::EthnicGroup,
        Dimension::SpecialCircumstances,
    ] {
        let categories = dimension.fixed_categories().expect("a fixed list");
        for category in &categories {
            assert!(!category.label.vi.is_empty() && !category.label.en.is_empty());
        }
    }
    let participant = Participant {
        age_band: Some(AgeBand::From10To12),
        sex: Some(Sex::NotStated),
        ethnic_group: Some(crate::response::EthnicGroup::Hmong),
        disability: Some(crate::response::Disclosure::NotStated),
        special_circumstances: vec![crate::response::SpecialCircumstance::AffectedByHiv],
        heard_before: Some(crate::response::HeardBefore::Again),
    };
    let json = serde_json::to_value(&participant).expect("serialises");
    let mut response = responses().remove(0);
    response.participant = participant;
    let key = |dimension: Dimension| dimension.category(&response).key;
    assert_eq!(json["age_band"], key(Dimension::AgeBand));
    assert_eq!(json["sex"], key(Dimension::Sex));
    assert_eq!(json["ethnic_group"], key(Dimension::EthnicGroup));
    assert_eq!(json["disability"], key(Dimension::Disability));
    assert_eq!(
        json["special_circumstances"][0],
        key(Dimension::SpecialCircumstances)
    );
    assert_eq!(key(Dimension::Month), "2026-05");
}

#[test]
fn months_and_wards_are_listed_in_order_whatever_the_order_of_responses() {
    let mut reversed = responses();
    reversed.reverse();
    let trips = question_table(
        &definitions(),
        &reversed,
        &ResultsFilter::default(),
        "last_trip",
        &[Dimension::Ward],
    )
    .expect("a date splits by month");
    assert_eq!(keys(&trips.rows), vec!["2026-03", "2026-04"]);
    assert_eq!(keys(&trips.columns), vec!["00004", "00070"]);
    // March: responses 1 and 2 (Ba Đình); April: 3 and 7 (Hoàn Kiếm).
    assert_eq!(trips.cells, vec![vec![2, 0], vec![0, 2]]);
    assert_eq!(trips.column_totals, vec![2, 2]);
}
