//! Who was heard among the ethnic groups and the children in special
//! circumstances, each read from its own published table of who took part
//! (one row per group, small counts withheld), as the age bands and sexes
//! are read from theirs.

use super::{hearing, index_of, ChildPopulation, GroupHearing};
use crate::localized::Localized;
use crate::response::EthnicGroup;
use crate::results::filter::{ethnic_group_key, Category, Dimension, NONE_KEY};
use crate::results::suppression::{PublishedTable, Shown, Threshold};

/// The children a published table's rows `keys` count together, from
/// shown figures only: their totals added when each is shown (a row the
/// table lacks counts none); else the table's total less every other row,
/// when those are shown; else not known.
fn children_in(table: &PublishedTable, keys: &[&str]) -> Option<u64> {
    let rows = |wanted: bool| {
        table
            .rows
            .iter()
            .zip(&table.row_totals)
            .filter(move |(row, _)| keys.contains(&row.key.as_str()) == wanted)
            .map(|(_, shown)| shown.count())
    };
    rows(true).sum::<Option<u64>>().or_else(|| {
        let others = rows(false).sum::<Option<u64>>()?;
        table.total.count()?.checked_sub(others)
    })
}

/// The ethnic groups the population gives, heard against it, from the
/// published table of who took part by ethnic group. Only the groups the
/// ward entered are compared: their children heard are the denominator
/// (children who did not say, or of a group not entered, are left out on
/// both sides), and the population's shares are of the groups entered.
pub fn ethnic_groups_heard(
    participants: &PublishedTable,
    population: &ChildPopulation,
) -> Vec<GroupHearing> {
    let mut entered = population.ethnic_groups.clone();
    entered.sort_by_key(|entry| {
        EthnicGroup::ALL
            .iter()
            .position(|group| *group == entry.group)
    });
    let population_total: u64 = entered.iter().map(|entry| entry.children).sum();
    if population_total == 0 {
        return Vec::new();
    }
    let keys: Vec<&str> = entered
        .iter()
        .map(|entry| ethnic_group_key(entry.group))
        .collect();
    let heard_total = children_in(participants, &keys).filter(|total| *total > 0);
    entered
        .iter()
        .zip(&keys)
        .map(|(entry, key)| {
            let row = index_of(&participants.rows, key);
            let heard = row
                .and_then(|row| participants.row_totals.get(row).copied())
                .unwrap_or(Shown::Count(0));
            let heard_share = heard
                .count()
                .zip(heard_total)
                .map(|(heard, total)| heard as f64 / total as f64);
            let population_share = entry.children as f64 / population_total as f64;
            GroupHearing {
                dimension: Dimension::EthnicGroup,
                group: row
                    .and_then(|row| participants.rows.get(row).cloned())
                    .unwrap_or_else(|| Dimension::EthnicGroup.category_of_key(key)),
                heard,
                heard_share,
                population_share,
                hearing: hearing(heard_share, population_share),
            }
        })
        .collect()
}

/// The key of the group of children in any special circumstance.
pub const SPECIAL_CIRCUMSTANCES_KEY: &str = "any";

/// Children in special circumstances (in one or several), heard against
/// the population, from the published table of who took part by special
/// circumstances: every row but "none", or every child heard less those in
/// none. A count worked out so that is under `threshold` is withheld as
/// any small count is. Compared among every child heard, as children with
/// a disability are.
pub fn special_circumstances_heard(
    participants: &PublishedTable,
    population: &ChildPopulation,
    threshold: Threshold,
) -> Option<GroupHearing> {
    let children = population.in_special_circumstances?;
    let population_total = population.total();
    if population_total == 0 {
        return None;
    }
    let keys: Vec<&str> = participants
        .rows
        .iter()
        .map(|row| row.key.as_str())
        .filter(|key| *key != NONE_KEY)
        .collect();
    let heard = match children_in(participants, &keys) {
        Some(count) if threshold.is_small(count) => Shown::Under(threshold.k()),
        Some(count) => Shown::Count(count),
        None => Shown::Hidden,
    };
    let heard_share = heard
        .count()
        .zip(participants.total.count().filter(|total| *total > 0))
        .map(|(heard, total)| heard as f64 / total as f64);
    let population_share = children as f64 / population_total as f64;
    Some(GroupHearing {
        dimension: Dimension::SpecialCircumstances,
        group: Category {
            key: SPECIAL_CIRCUMSTANCES_KEY.to_owned(),
            label: Localized::new(
                "Trẻ em có hoàn cảnh đặc biệt",
                "Children in special circumstances",
            ),
        },
        heard,
        heard_share,
        population_share,
        hearing: hearing(heard_share, population_share),
    })
}

#[cfg(test)]
mod tests;
