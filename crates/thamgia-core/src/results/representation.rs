//! Who was heard, and who was not: the children who took part against the
//! children who live there, group by group (age bands, sexes, children
//! with a disability, ethnic groups, children in special circumstances),
//! so the next consultation can reach the groups heard from less than
//! their share: the groups Circular 36/2018 asks a consultation to
//! represent.
//!
//! The children heard are read from the published "who took part" tables
//! (as the page shows them, small counts withheld): a share is worked out
//! only from figures that are shown, and a group whose figure is withheld
//! is reported as unknown, never estimated. The population is what the
//! town hall enters per ward and year ([`ChildPopulation`]).

use serde::{Deserialize, Serialize};

use super::filter::{age_band_key as band_key, sex_key, Category, Dimension};
use super::suppression::{PublishedTable, Shown};
use crate::localized::Localized;
use crate::response::{AgeBand, EthnicGroup, Sex};

mod other_groups;

pub use other_groups::{ethnic_groups_heard, special_circumstances_heard};

/// A group is heard from less than its share when its share of the
/// children heard is under this fraction of its share of the population.
pub const UNDER_REPRESENTED_RATIO: f64 = 0.7;

/// Most children a group of a ward may hold (Hanoi's largest commune has
/// far fewer): a larger figure is a typing error.
pub const MAX_GROUP_CHILDREN: u64 = 1_000_000;

/// A ward's children by group, entered by the town hall for a year.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChildPopulation {
    /// Children by age band and sex (each pair at most once).
    #[serde(default)]
    pub groups: Vec<PopulationGroup>,
    /// Children with a disability, when the ward knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_disability: Option<u64>,
    /// Children by ethnic group, the groups the ward knows (each at most
    /// once; never "not stated").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ethnic_groups: Vec<EthnicPopulation>,
    /// Children in special circumstances (Law on Children 2016, article
    /// 10), when the ward knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_special_circumstances: Option<u64>,
}

/// The children of one ethnic group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EthnicPopulation {
    /// The group.
    pub group: EthnicGroup,
    /// How many children.
    pub children: u64,
}

/// The children of one age band and sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationGroup {
    /// The age band.
    pub age_band: AgeBand,
    /// The sex (female or male: a census does not count "not stated").
    pub sex: Sex,
    /// How many children.
    pub children: u64,
}

impl ChildPopulation {
    /// Every child of the groups.
    pub fn total(&self) -> u64 {
        self.groups.iter().map(|group| group.children).sum()
    }

    /// Whether it says anything.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && self.with_disability.is_none()
            && self.ethnic_groups.is_empty()
            && self.in_special_circumstances.is_none()
    }

    /// Why it cannot be kept, if it cannot: a pair or an ethnic group given
    /// twice, "not stated" as a sex or a group, a figure over
    /// [`MAX_GROUP_CHILDREN`], more children with a disability, in special
    /// circumstances or in the ethnic groups than children, or any of those
    /// without the children by age band and sex they are shares of.
    pub fn problem(&self) -> Option<Localized> {
        if let Some(problem) = self.ethnic_problem() {
            return Some(problem);
        }
        for (index, group) in self.groups.iter().enumerate() {
            if self.groups[..index]
                .iter()
                .any(|other| other.age_band == group.age_band && other.sex == group.sex)
            {
                return Some(Localized::new(
                    "Mỗi nhóm tuổi và giới tính chỉ nhập một lần.",
                    "Each age band and sex is entered once.",
                ));
            }
            if group.sex == Sex::NotStated {
                return Some(Localized::new(
                    "Số trẻ em theo giới tính chỉ gồm nữ và nam.",
                    "Children by sex are counted as girls and boys only.",
                ));
            }
        }
        let too_large = self
            .groups
            .iter()
            .map(|group| group.children)
            .chain(self.with_disability)
            .chain(self.in_special_circumstances)
            .chain(self.ethnic_groups.iter().map(|group| group.children))
            .any(|children| children > MAX_GROUP_CHILDREN);
        if too_large {
            return Some(Localized::new(
                format!("Mỗi số trẻ em tối đa {MAX_GROUP_CHILDREN}."),
                format!("Each number of children is at most {MAX_GROUP_CHILDREN}."),
            ));
        }
        if self.groups.is_empty() && !self.is_empty() {
            return Some(Localized::new(
                "Hãy nhập số trẻ em theo độ tuổi và giới tính: các số khác được so với tổng của chúng.",
                "Enter the children by age band and sex: the other figures are shares of their total.",
            ));
        }
        if self
            .with_disability
            .is_some_and(|disabled| disabled > self.total())
        {
            return Some(Localized::new(
                "Số trẻ em khuyết tật không thể lớn hơn tổng số trẻ em.",
                "Children with a disability cannot outnumber all children.",
            ));
        }
        if self
            .in_special_circumstances
            .is_some_and(|children| children > self.total())
        {
            return Some(Localized::new(
                "Số trẻ em có hoàn cảnh đặc biệt không thể lớn hơn tổng số trẻ em.",
                "Children in special circumstances cannot outnumber all children.",
            ));
        }
        let ethnic: u64 = self.ethnic_groups.iter().map(|group| group.children).sum();
        if ethnic > self.total() {
            return Some(Localized::new(
                format!(
                    "Số trẻ em theo dân tộc cộng lại là {ethnic}, lớn hơn tổng {}.",
                    self.total()
                ),
                format!(
                    "The children by ethnic group add up to {ethnic}, more than the total of {}.",
                    self.total()
                ),
            ));
        }
        None
    }

    /// An ethnic group given twice, or "not stated" given as a group.
    fn ethnic_problem(&self) -> Option<Localized> {
        for (index, entry) in self.ethnic_groups.iter().enumerate() {
            if self.ethnic_groups[..index]
                .iter()
                .any(|other| other.group == entry.group)
            {
                return Some(Localized::new(
                    "Mỗi dân tộc chỉ nhập một lần.",
                    "Each ethnic group is entered once.",
                ));
            }
            if entry.group == EthnicGroup::NotStated {
                return Some(Localized::new(
                    "Số trẻ em theo dân tộc không gồm \"không muốn nói\".",
                    "Children by ethnic group do not include \"prefer not to say\".",
                ));
            }
        }
        None
    }

    /// The city's (or several wards') population: the groups added up;
    /// children with a disability, or in special circumstances, only when
    /// every part knows them, and an ethnic group only when every part
    /// gives it.
    pub fn sum<'a>(parts: impl IntoIterator<Item = &'a ChildPopulation>) -> ChildPopulation {
        let mut total = ChildPopulation::default();
        let mut disability = Some(0u64);
        let mut circumstances = Some(0u64);
        let mut ethnic: Option<Vec<EthnicPopulation>> = None;
        let mut any = false;
        for part in parts {
            any = true;
            ethnic = Some(match ethnic {
                None => part.ethnic_groups.clone(),
                Some(known) => known
                    .into_iter()
                    .filter_map(|known| {
                        let same = part
                            .ethnic_groups
                            .iter()
                            .find(|entry| entry.group == known.group)?;
                        Some(EthnicPopulation {
                            group: known.group,
                            children: known.children + same.children,
                        })
                    })
                    .collect(),
            });
            circumstances = circumstances
                .zip(part.in_special_circumstances)
                .map(|(a, b)| a + b);
            for group in &part.groups {
                match total
                    .groups
                    .iter_mut()
                    .find(|known| known.age_band == group.age_band && known.sex == group.sex)
                {
                    Some(known) => known.children += group.children,
                    None => total.groups.push(*group),
                }
            }
            disability = disability.zip(part.with_disability).map(|(a, b)| a + b);
        }
        total.with_disability = disability.filter(|_| any);
        total.in_special_circumstances = circumstances.filter(|_| any);
        total.ethnic_groups = ethnic.unwrap_or_default();
        total
    }
}

/// One ward's population as the town hall entered it for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnteredPopulation {
    /// The ward or commune.
    pub ward_code: String,
    /// The year it is of.
    pub year: i32,
    /// Its children by group.
    pub population: ChildPopulation,
}

/// The population a scope is compared with, added up over its wards: for
/// each ward, `year` if entered, else the latest year before it, else the
/// earliest after it; all time (`None`): the latest entered. Also the
/// wards and years taken, by ward code.
pub fn population_for(
    entered: &[EnteredPopulation],
    year: Option<i32>,
) -> (ChildPopulation, Vec<(String, i32)>) {
    let mut chosen: std::collections::BTreeMap<&str, &EnteredPopulation> =
        std::collections::BTreeMap::new();
    // How near a year is to the one asked for: the same, then earlier
    // ones (nearest first), then later ones (nearest first).
    let rank = |candidate: i32| -> (u8, i64) {
        match year {
            None => (0, -i64::from(candidate)),
            Some(year) if candidate == year => (0, 0),
            Some(year) if candidate < year => (1, i64::from(year - candidate)),
            Some(year) => (2, i64::from(candidate - year)),
        }
    };
    for record in entered
        .iter()
        .filter(|record| !record.population.is_empty())
    {
        let entry = chosen.entry(record.ward_code.as_str()).or_insert(record);
        if rank(record.year) < rank(entry.year) {
            *entry = record;
        }
    }
    let population = ChildPopulation::sum(chosen.values().map(|record| &record.population));
    let used = chosen
        .values()
        .map(|record| (record.ward_code.clone(), record.year))
        .collect();
    (population, used)
}

/// How a group was heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hearing {
    /// At least [`UNDER_REPRESENTED_RATIO`] of its share.
    Fair,
    /// Heard from less than that: a group to reach next time.
    Under,
    /// Its figure is withheld (or nobody took part): not worked out.
    Unknown,
}

/// One group: its share of the children heard and of the population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupHearing {
    /// What the group is of (age band, sex, disability).
    pub dimension: Dimension,
    /// The group.
    pub group: Category,
    /// Children heard, as published.
    pub heard: Shown,
    /// Their share of the children heard (0 to 1), when shown figures
    /// give it.
    pub heard_share: Option<f64>,
    /// The group's share of the population (0 to 1).
    pub population_share: f64,
    /// How the group was heard.
    pub hearing: Hearing,
}

fn hearing(heard_share: Option<f64>, population_share: f64) -> Hearing {
    match heard_share {
        None => Hearing::Unknown,
        Some(share) if share < UNDER_REPRESENTED_RATIO * population_share => Hearing::Under,
        Some(_) => Hearing::Fair,
    }
}

fn index_of(categories: &[Category], key: &str) -> Option<usize> {
    categories.iter().position(|category| category.key == key)
}

/// The groups heard against `population`, from the published table of
/// who took part by age band (rows) and sex (columns), and the published
/// count of children who said they have a disability among `respondents`.
///
/// Only the age bands the population gives are compared (a ward enters
/// the children it counts, often 7 to 15): their children heard are the
/// denominator, and a sex's children heard are its cells in those bands.
/// Children with a disability are compared among every child heard.
pub fn who_was_heard(
    participants: &PublishedTable,
    disability_heard: Option<Shown>,
    respondents: Shown,
    population: &ChildPopulation,
) -> Vec<GroupHearing> {
    let population_total = population.total();
    let mut hearings = Vec::new();
    if population_total > 0 {
        let mut bands: Vec<AgeBand> = Vec::new();
        for group in &population.groups {
            if !bands.contains(&group.age_band) {
                bands.push(group.age_band);
            }
        }
        bands.sort_by_key(|band| AgeBand::ALL.iter().position(|known| known == band));
        let rows: Vec<Option<usize>> = bands
            .iter()
            .map(|band| index_of(&participants.rows, band_key(*band)))
            .collect();
        // Children heard in the bands compared, if every figure is shown.
        let band_heard: Vec<Option<u64>> = rows
            .iter()
            .map(|row| match row {
                Some(row) => participants
                    .row_totals
                    .get(*row)
                    .and_then(|shown| shown.count()),
                None => Some(0),
            })
            .collect();
        let heard_total: Option<u64> = band_heard.iter().copied().sum();
        let share = |heard: Option<u64>| -> Option<f64> {
            let total = heard_total.filter(|total| *total > 0)?;
            Some(heard? as f64 / total as f64)
        };
        for ((band, row), heard) in bands.iter().zip(&rows).zip(&band_heard) {
            let children: u64 = population
                .groups
                .iter()
                .filter(|group| group.age_band == *band)
                .map(|group| group.children)
                .sum();
            let population_share = children as f64 / population_total as f64;
            let heard_share = share(*heard);
            hearings.push(GroupHearing {
                dimension: Dimension::AgeBand,
                group: row
                    .and_then(|row| participants.rows.get(row).cloned())
                    .unwrap_or_else(|| Dimension::AgeBand.category_of_key(band_key(*band))),
                heard: row
                    .and_then(|row| participants.row_totals.get(row).copied())
                    .unwrap_or(Shown::Count(0)),
                heard_share,
                population_share,
                hearing: hearing(heard_share, population_share),
            });
        }
        for sex in [Sex::Female, Sex::Male] {
            let children: u64 = population
                .groups
                .iter()
                .filter(|group| group.sex == sex)
                .map(|group| group.children)
                .sum();
            let column = index_of(&participants.columns, sex_key(sex));
            let heard: Option<u64> = match column {
                Some(column) => rows
                    .iter()
                    .map(|row| match row {
                        Some(row) => participants
                            .cells
                            .get(*row)
                            .and_then(|cells| cells.get(column))
                            .and_then(|shown| shown.count()),
                        None => Some(0),
                    })
                    .sum(),
                None => Some(0),
            };
            let population_share = children as f64 / population_total as f64;
            let heard_share = share(heard);
            hearings.push(GroupHearing {
                dimension: Dimension::Sex,
                group: column
                    .and_then(|column| participants.columns.get(column).cloned())
                    .unwrap_or_else(|| Dimension::Sex.category_of_key(sex_key(sex))),
                heard: heard.map_or(Shown::Hidden, Shown::Count),
                heard_share,
                population_share,
                hearing: hearing(heard_share, population_share),
            });
        }
    }
    if let (Some(disabled), Some(heard)) = (population.with_disability, disability_heard) {
        if population_total > 0 {
            let population_share = disabled as f64 / population_total as f64;
            let heard_share = heard
                .count()
                .zip(respondents.count().filter(|total| *total > 0))
                .map(|(heard, total)| heard as f64 / total as f64);
            hearings.push(GroupHearing {
                dimension: Dimension::Disability,
                group: Category {
                    key: "yes".to_owned(),
                    label: Localized::new("Trẻ em khuyết tật", "Children with a disability"),
                },
                heard,
                heard_share,
                population_share,
                hearing: hearing(heard_share, population_share),
            });
        }
    }
    hearings
}

#[cfg(test)]
mod tests;
