//! The indicator catalogue: what wards report on, and the targets their values
//! are measured against.
//!
//! Hanoi's Plan 138/KH-UBND (2021) carries out the National Action Programme
//! for Children 2021-2030 (Decision 23/QĐ-TTg). The programme has 24
//! indicators in four groups (7 + 7 + 7 + 3); each indicator has a stable code
//! `"g.n"`, its group and its place in the group.
//!
//! Targets are data, never code: each is set by one jurisdiction for one year.
//! The nation (`"VN"`) sets targets for everyone, and a province (Hanoi is
//! `"01"`) may set its own, which then take precedence for that province.
//!
//! The catalogue is shipped with this crate as `data/indicators.json`
//! ([`SHIPPED_CATALOGUE`]), so the server seeds it and the tablet app reads
//! it from the same file; the server's `seed/README.md` says where every
//! wording and every number comes from.

use serde::{Deserialize, Serialize};

use crate::localized::Localized;

/// The catalogue as shipped (JSON of a [`Catalogue`]).
pub const SHIPPED_CATALOGUE: &str = include_str!("../data/indicators.json");

/// The shipped catalogue, read. From bytes, as every other JSON the app
/// reads: `from_str` would link a second copy of serde_json's parser, its
/// reader type being another (14 KB of the tablet's wasm).
pub fn shipped_catalogue() -> Result<Catalogue, serde_json::Error> {
    serde_json::from_slice(SHIPPED_CATALOGUE.as_bytes())
}

/// Jurisdiction code of national targets.
pub const NATIONAL: &str = "VN";

/// Jurisdiction code of Hanoi's own targets (Hanoi is province `01`).
pub const HANOI: &str = "01";

/// The versioned list of indicators wards report on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Raised whenever an indicator, its wording or a target changes.
    pub version: u32,
    /// The indicators, in code order.
    pub indicators: Vec<Indicator>,
}

impl Catalogue {
    /// The indicator with this code, e.g. `"4.1"`.
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators
            .iter()
            .find(|indicator| indicator.code == code)
    }

    /// The indicators of one group, in catalogue order.
    pub fn in_group(&self, group: IndicatorGroup) -> impl Iterator<Item = &Indicator> {
        self.indicators
            .iter()
            .filter(move |indicator| indicator.group == group.number())
    }

    /// The target of indicator `code` for `jurisdiction` in `year`: the
    /// jurisdiction's own target if it set one, else the national target.
    ///
    /// `None` when the code is unknown or no target is set for that year (the
    /// year must match exactly: targets are milestones such as 2025 and 2030,
    /// and nothing is interpolated between them).
    pub fn target_for(&self, code: &str, jurisdiction: &str, year: i32) -> Option<f64> {
        self.indicator(code)?.target_for(jurisdiction, year)
    }

    /// Whether `value` of indicator `code` reaches the target that applies to
    /// `jurisdiction` in `year` (see [`Catalogue::target_for`]), in the
    /// indicator's direction; a value equal to the target reaches it.
    ///
    /// `None` when there is no target to compare with.
    pub fn meets(&self, code: &str, value: f64, jurisdiction: &str, year: i32) -> Option<bool> {
        self.indicator(code)?.meets(value, jurisdiction, year)
    }
}

/// One indicator of the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable code `"g.n"`: group `g`, `n`-th indicator of the group, from
    /// `"1.1"` to `"4.3"`.
    pub code: String,
    /// The group, 1 to 4; see [`IndicatorGroup`].
    pub group: u8,
    /// What is measured, Vietnamese first.
    pub name: Localized,
    /// The unit values and targets are expressed in.
    pub unit: Unit,
    /// Whether a higher or a lower value is better.
    pub better: Direction,
    /// Targets, per jurisdiction and year.
    pub targets: Vec<Target>,
    /// Where the wording comes from, what the official text says beyond the
    /// values kept here, and which targets it does not state.
    #[serde(default)]
    pub note: Option<Localized>,
}

impl Indicator {
    /// The group as an enum; `None` if `group` is out of range.
    pub fn indicator_group(&self) -> Option<IndicatorGroup> {
        IndicatorGroup::from_number(self.group)
    }

    /// The target set by exactly this jurisdiction for this year, without
    /// falling back to the national one.
    pub fn own_target(&self, jurisdiction: &str, year: i32) -> Option<f64> {
        self.targets
            .iter()
            .find(|target| target.jurisdiction == jurisdiction && target.year == year)
            .map(|target| target.value)
    }

    /// The jurisdiction's own target for `year` if set, else the national one.
    pub fn target_for(&self, jurisdiction: &str, year: i32) -> Option<f64> {
        self.own_target(jurisdiction, year)
            .or_else(|| self.own_target(NATIONAL, year))
    }

    /// Whether `value` reaches the target that applies to `jurisdiction` in
    /// `year`; `None` when there is none. A value equal to the target reaches
    /// it, and a NaN reaches nothing.
    pub fn meets(&self, value: f64, jurisdiction: &str, year: i32) -> Option<bool> {
        let target = self.target_for(jurisdiction, year)?;
        Some(self.better.reaches(value, target))
    }
}

/// The unit of an indicator's values and targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Per cent, 0 to 100.
    Percent,
    /// Per thousand (‰), e.g. deaths per 1,000 live births.
    PerThousand,
    /// A plain number of people, places or events.
    Count,
    /// Any other unit, named in the indicator's note (e.g. per 100,000).
    Other,
}

impl Unit {
    /// How the unit is shown beside a value or in a column heading.
    pub fn label(self) -> Localized {
        match self {
            Unit::Percent => Localized::new("phần trăm (%)", "per cent (%)"),
            Unit::PerThousand => Localized::new("phần nghìn (‰)", "per thousand (‰)"),
            Unit::Count => Localized::new("số lượng", "count"),
            Unit::Other => Localized::new("đơn vị khác (xem ghi chú)", "other unit (see the note)"),
        }
    }
}

/// Which way an indicator improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better, e.g. the share of children consulted.
    Higher,
    /// Less is better, e.g. the share of children underweight.
    Lower,
}

impl Direction {
    /// Whether `value` is at `target` or on its better side.
    pub fn reaches(self, value: f64, target: f64) -> bool {
        match self {
            Direction::Higher => value >= target,
            Direction::Lower => value <= target,
        }
    }
}

/// A value an indicator should reach in one jurisdiction by one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// `"VN"` for a national target, else the official code of the province
    /// that set it (`"01"` for Hanoi).
    pub jurisdiction: String,
    /// The year the value should be reached by.
    pub year: i32,
    /// The value, in the indicator's unit.
    pub value: f64,
}

/// The programme's four groups of objectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorGroup {
    /// 1: comprehensive development, health care and nutrition.
    Development,
    /// 2: child protection.
    Protection,
    /// 3: education, culture, play and recreation.
    Education,
    /// 4: children's participation in children's issues.
    Participation,
}

impl IndicatorGroup {
    /// The four groups, in order.
    pub const ALL: [IndicatorGroup; 4] = [
        IndicatorGroup::Development,
        IndicatorGroup::Protection,
        IndicatorGroup::Education,
        IndicatorGroup::Participation,
    ];

    /// The group's number, 1 to 4, as in [`Indicator::group`].
    pub fn number(self) -> u8 {
        match self {
            IndicatorGroup::Development => 1,
            IndicatorGroup::Protection => 2,
            IndicatorGroup::Education => 3,
            IndicatorGroup::Participation => 4,
        }
    }

    /// The group numbered `number`; `None` outside 1 to 4.
    pub fn from_number(number: u8) -> Option<IndicatorGroup> {
        IndicatorGroup::ALL
            .into_iter()
            .find(|group| group.number() == number)
    }

    /// The group's title, as the programme words it.
    pub fn label(self) -> Localized {
        match self {
            IndicatorGroup::Development => Localized::new(
                "Phát triển toàn diện trẻ em, chăm sóc sức khoẻ, dinh dưỡng cho trẻ em",
                "Comprehensive development, health care and nutrition for children",
            ),
            IndicatorGroup::Protection => Localized::new("Bảo vệ trẻ em", "Child protection"),
            IndicatorGroup::Education => Localized::new(
                "Giáo dục, văn hoá, vui chơi, giải trí cho trẻ em",
                "Education, culture, play and recreation for children",
            ),
            IndicatorGroup::Participation => Localized::new(
                "Sự tham gia của trẻ em vào các vấn đề về trẻ em",
                "Children's participation in children's issues",
            ),
        }
    }
}

/// Most targets one indicator may hold: a jurisdiction's target for each
/// year of a century is far fewer.
pub const MAX_TARGETS: usize = 200;
/// Longest jurisdiction code: `"VN"` or a province's code.
pub const MAX_JURISDICTION_CHARS: usize = 8;
/// The years a target may be set for.
pub const TARGET_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Why a city officer's targets for an indicator cannot replace the ones
/// it holds, if they cannot: too many, a jurisdiction that is not a short
/// code of capitals and digits, a year out of [`TARGET_YEARS`], a value
/// that is not a number, or one jurisdiction's year given twice.
pub fn targets_problem(targets: &[Target]) -> Option<Localized> {
    if targets.len() > MAX_TARGETS {
        return Some(Localized::new(
            format!("Một chỉ tiêu có tối đa {MAX_TARGETS} mục tiêu."),
            format!("An indicator holds at most {MAX_TARGETS} targets."),
        ));
    }
    for (index, target) in targets.iter().enumerate() {
        let jurisdiction = &target.jurisdiction;
        let code_like = !jurisdiction.is_empty()
            && jurisdiction.len() <= MAX_JURISDICTION_CHARS
            && jurisdiction
                .chars()
                .all(|character| character.is_ascii_uppercase() || character.is_ascii_digit());
        if !code_like {
            let quoted = crate::limits::quoted(jurisdiction);
            return Some(Localized::new(
                format!("\"{quoted}\" không phải mã cả nước (VN) hay mã tỉnh/thành phố."),
                format!("\"{quoted}\" is not the national code (VN) or a province's code."),
            ));
        }
        if !TARGET_YEARS.contains(&target.year) {
            return Some(Localized::new(
                format!(
                    "Năm {} nằm ngoài {}–{}.",
                    target.year,
                    TARGET_YEARS.start(),
                    TARGET_YEARS.end()
                ),
                format!(
                    "The year {} is outside {}–{}.",
                    target.year,
                    TARGET_YEARS.start(),
                    TARGET_YEARS.end()
                ),
            ));
        }
        if !target.value.is_finite() {
            return Some(Localized::new(
                "Mục tiêu phải là một số.",
                "A target must be a number.",
            ));
        }
        let again = targets[..index].iter().any(|earlier| {
            earlier.jurisdiction == target.jurisdiction && earlier.year == target.year
        });
        if again {
            return Some(Localized::new(
                format!(
                    "Mục tiêu của {jurisdiction} năm {} có hai lần.",
                    target.year
                ),
                format!(
                    "The target of {jurisdiction} for {} is given twice.",
                    target.year
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn shipped() -> Catalogue {
        match shipped_catalogue() {
            Ok(catalogue) => catalogue,
            Err(error) => panic!("indicators.json does not parse: {error}"),
        }
    }

    fn target(jurisdiction: &str, year: i32, value: f64) -> Target {
        Target {
            jurisdiction: jurisdiction.to_owned(),
            year,
            value,
        }
    }

    fn indicator(code: &str, better: Direction, targets: Vec<Target>) -> Indicator {
        Indicator {
            code: code.to_owned(),
            group: 1,
            name: Localized::new("tên", "name"),
            unit: Unit::Percent,
            better,
            targets,
            note: None,
        }
    }

    #[test]
    fn shipped_catalogue_has_24_indicators_in_groups_of_7_7_7_3() {
        let catalogue = shipped();
        assert_eq!(catalogue.indicators.len(), 24);
        let counts: Vec<usize> = IndicatorGroup::ALL
            .iter()
            .map(|group| catalogue.in_group(*group).count())
            .collect();
        assert_eq!(counts, vec![7, 7, 7, 3]);
        for indicator in &catalogue.indicators {
            assert!(
                indicator.indicator_group().is_some(),
                "{} has group {}",
                indicator.code,
                indicator.group
            );
        }
    }

    #[test]
    fn shipped_codes_are_unique_and_name_their_group_and_place() {
        let catalogue = shipped();
        let codes: BTreeSet<&str> = catalogue
            .indicators
            .iter()
            .map(|i| i.code.as_str())
            .collect();
        assert_eq!(codes.len(), catalogue.indicators.len(), "duplicate codes");
        for group in IndicatorGroup::ALL {
            for (place, indicator) in catalogue.in_group(group).enumerate() {
                assert_eq!(indicator.code, format!("{}.{}", group.number(), place + 1));
            }
        }
    }

    #[test]
    fn shipped_texts_are_bilingual() {
        for indicator in &shipped().indicators {
            let code = &indicator.code;
            assert!(
                !indicator.name.vi.trim().is_empty(),
                "{code}: no Vietnamese name"
            );
            assert!(
                !indicator.name.en.trim().is_empty(),
                "{code}: no English name"
            );
            if let Some(note) = &indicator.note {
                assert!(!note.vi.trim().is_empty(), "{code}: no Vietnamese note");
                assert!(!note.en.trim().is_empty(), "{code}: no English note");
            }
        }
    }

    #[test]
    fn shipped_targets_are_well_formed_and_gaps_are_explained() {
        for indicator in &shipped().indicators {
            let code = &indicator.code;
            let mut seen = BTreeMap::new();
            for t in &indicator.targets {
                assert!(
                    t.jurisdiction == NATIONAL || t.jurisdiction == HANOI,
                    "{code}: jurisdiction {}",
                    t.jurisdiction
                );
                assert!((2021..=2030).contains(&t.year), "{code}: year {}", t.year);
                assert!(
                    t.value.is_finite() && t.value >= 0.0,
                    "{code}: value {}",
                    t.value
                );
                if indicator.unit == Unit::Percent {
                    assert!(t.value <= 100.0, "{code}: {} %", t.value);
                }
                assert!(
                    seen.insert((t.jurisdiction.clone(), t.year), t.value)
                        .is_none(),
                    "{code}: two targets for {} {}",
                    t.jurisdiction,
                    t.year
                );
            }
            let national_complete = indicator.own_target(NATIONAL, 2025).is_some()
                && indicator.own_target(NATIONAL, 2030).is_some();
            assert!(
                national_complete || indicator.note.is_some(),
                "{code}: a national target is missing and no note says why"
            );
            if indicator.unit == Unit::Other {
                assert!(
                    indicator.note.is_some(),
                    "{code}: unit 'other' must be named in the note"
                );
            }
        }
    }

    #[test]
    fn shipped_targets_match_the_plan() {
        let catalogue = shipped();
        // Group 4's headline: 30 % by 2025, 35 % by 2030, nationally.
        assert_eq!(catalogue.target_for("4.1", NATIONAL, 2025), Some(30.0));
        assert_eq!(catalogue.target_for("4.1", NATIONAL, 2030), Some(35.0));
        // Hanoi's own underweight targets.
        assert_eq!(catalogue.target_for("1.4", HANOI, 2025), Some(7.3));
        assert_eq!(catalogue.target_for("1.4", HANOI, 2030), Some(6.8));
        assert_eq!(
            catalogue.indicator("1.4").map(|i| i.better),
            Some(Direction::Lower)
        );
        assert_eq!(
            catalogue.indicator("4.1").map(|i| i.better),
            Some(Direction::Higher)
        );
    }

    #[test]
    fn target_lookup_prefers_the_jurisdiction_then_the_nation() {
        let catalogue = shipped();
        // Hanoi set its own underweight target: it wins over the national one.
        assert_eq!(catalogue.target_for("1.4", NATIONAL, 2025), Some(9.0));
        assert_eq!(catalogue.target_for("1.4", HANOI, 2025), Some(7.3));
        // Hanoi set none for consultation: the national one applies.
        assert_eq!(catalogue.target_for("4.1", HANOI, 2025), Some(30.0));
        // Another province without targets of its own falls back to the nation.
        assert_eq!(catalogue.target_for("1.4", "79", 2030), Some(6.0));
        // No interpolation between milestones, no unknown codes.
        assert_eq!(catalogue.target_for("4.1", HANOI, 2027), None);
        assert_eq!(catalogue.target_for("9.9", HANOI, 2025), None);

        let synthetic = indicator(
            "1.1",
            Direction::Higher,
            vec![target(HANOI, 2030, 80.0), target(NATIONAL, 2030, 70.0)],
        );
        assert_eq!(synthetic.target_for(HANOI, 2030), Some(80.0));
        assert_eq!(synthetic.target_for(NATIONAL, 2030), Some(70.0));
        assert_eq!(synthetic.own_target("79", 2030), None);
    }

    #[test]
    fn meets_respects_the_direction() {
        let catalogue = shipped();
        // Lower is better: Hanoi's 7.3 % applies, not the national 9 %.
        assert_eq!(catalogue.meets("1.4", 7.0, HANOI, 2025), Some(true));
        assert_eq!(catalogue.meets("1.4", 7.3, HANOI, 2025), Some(true));
        assert_eq!(catalogue.meets("1.4", 8.0, HANOI, 2025), Some(false));
        assert_eq!(catalogue.meets("1.4", 8.0, NATIONAL, 2025), Some(true));
        // Higher is better.
        assert_eq!(catalogue.meets("4.1", 31.0, HANOI, 2025), Some(true));
        assert_eq!(catalogue.meets("4.1", 30.0, HANOI, 2025), Some(true));
        assert_eq!(catalogue.meets("4.1", 29.9, HANOI, 2025), Some(false));
        // Nothing to compare with.
        assert_eq!(catalogue.meets("4.1", 50.0, HANOI, 2027), None);
        assert_eq!(catalogue.meets("9.9", 50.0, HANOI, 2025), None);

        let lower = indicator("1.1", Direction::Lower, vec![target(NATIONAL, 2025, 5.0)]);
        assert_eq!(lower.meets(4.0, NATIONAL, 2025), Some(true));
        assert_eq!(lower.meets(6.0, NATIONAL, 2025), Some(false));
        assert_eq!(lower.meets(f64::NAN, NATIONAL, 2025), Some(false));
        let higher = indicator("1.1", Direction::Higher, vec![target(NATIONAL, 2025, 5.0)]);
        assert_eq!(higher.meets(4.0, NATIONAL, 2025), Some(false));
        assert_eq!(higher.meets(6.0, NATIONAL, 2025), Some(true));
        assert_eq!(higher.meets(f64::NAN, NATIONAL, 2025), Some(false));
    }

    #[test]
    fn groups_are_numbered_1_to_4_with_bilingual_labels() {
        for (index, group) in IndicatorGroup::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(group.number()), index + 1);
            assert_eq!(IndicatorGroup::from_number(group.number()), Some(group));
            assert!(!group.label().vi.is_empty() && !group.label().en.is_empty());
        }
        assert_eq!(IndicatorGroup::from_number(0), None);
        assert_eq!(IndicatorGroup::from_number(5), None);
    }

    #[test]
    fn units_have_labels_and_serialise_in_snake_case() {
        for unit in [Unit::Percent, Unit::PerThousand, Unit::Count, Unit::Other] {
            assert!(!unit.label().vi.is_empty() && !unit.label().en.is_empty());
        }
        assert_eq!(
            serde_json::to_string(&Unit::PerThousand).ok().as_deref(),
            Some("\"per_thousand\"")
        );
        assert_eq!(
            serde_json::to_string(&Direction::Lower).ok().as_deref(),
            Some("\"lower\"")
        );
    }

    #[test]
    fn note_may_be_absent() {
        let json = r#"{"version":1,"indicators":[{"code":"1.1","group":1,
            "name":{"vi":"tên","en":"name"},"unit":"count","better":"higher","targets":[]}]}"#;
        let catalogue: Result<Catalogue, _> = serde_json::from_str(json);
        assert!(matches!(catalogue, Ok(c) if c.indicators[0].note.is_none()));
    }

    #[test]
    fn targets_are_bounded_codes_years_and_numbers_each_given_once() {
        let target = |jurisdiction: &str, year: i32, value: f64| Target {
            jurisdiction: jurisdiction.to_owned(),
            year,
            value,
        };
        assert_eq!(
            targets_problem(&[target(NATIONAL, 2030, 35.0), target(HANOI, 2030, 40.0)]),
            None
        );
        let refused = |targets: &[Target]| targets_problem(targets).map(|problem| problem.en);
        assert_eq!(
            refused(&vec![target(HANOI, 2030, 1.0); MAX_TARGETS + 1]).as_deref(),
            Some("An indicator holds at most 200 targets.")
        );
        let huge = "0".repeat(1 << 20);
        for jurisdiction in ["", "vn", "01 ", huge.as_str()] {
            let problem = refused(&[target(jurisdiction, 2030, 1.0)]).expect("refused");
            assert!(problem.len() < 200, "{problem}");
        }
        assert!(refused(&[target(HANOI, 1999, 1.0)]).is_some());
        assert!(refused(&[target(HANOI, 2101, 1.0)]).is_some());
        assert!(refused(&[target(HANOI, 2030, f64::NAN)]).is_some());
        assert_eq!(
            refused(&[target(HANOI, 2030, 1.0), target(HANOI, 2030, 2.0)]).as_deref(),
            Some("The target of 01 for 2030 is given twice.")
        );
    }
}
