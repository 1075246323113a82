//! The joint pattern against an attacker who holds every page a results
//! page offers (each ward and the city, each quarter, half, year and all
//! time) and subtracts: any line with one unknown figure, within a page or
//! across pages, gives that figure away.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::*;
use crate::localized::Localized;
use crate::results::distribution::{CategoryCount, Distribution};
use crate::results::figures::{figures_of, figures_of_table, Standing};
use crate::results::filter::Category;
use crate::results::linked::publish_marked_table;
use crate::results::maintained::quarters_of;
use crate::results::published::{publish_marked_results, PublishedDistribution};
use crate::results::suppression::Shown;
use crate::results::table::CrossTable;
use crate::results::{QuestionResult, SurveyResults};

use crate::test_random::Xorshift as Rng;

/// A count, often small.
fn count(rng: &mut Rng) -> u64 {
    match rng.below(3) {
        0 => rng.below(5),
        1 => rng.below(12),
        _ => rng.below(30),
    }
}

fn counts(keys: &[&str], values: &[u64]) -> Vec<CategoryCount> {
    keys.iter()
        .zip(values)
        .map(|(key, count)| CategoryCount {
            category: Category::plain(*key),
            count: *count,
        })
        .collect()
}

fn question(
    answered: u64,
    skipped: u64,
    not_asked: u64,
    distribution: Distribution,
) -> QuestionResult {
    QuestionResult {
        question_id: "q".to_owned(),
        label: Localized::default(),
        versions: vec![1],
        answered,
        skipped,
        not_asked,
        unreadable: 0,
        not_in_version: 0,
        distribution,
    }
}

/// One cell's results: a single-choice question (three answers, some
/// skipped, some not asked) and a multiple-choice one everyone answered.
fn cell_results(rng: &mut Rng) -> SurveyResults {
    let answers = [count(rng), count(rng), count(rng)];
    let (skipped, not_asked) = (rng.below(4), rng.below(3));
    let answered: u64 = answers.iter().sum();
    let respondents = answered + skipped + not_asked;
    let chose = [rng.below(respondents + 1), rng.below(respondents + 1)];
    results(respondents, &answers, skipped, not_asked, &chose)
}

fn results(
    respondents: u64,
    answers: &[u64],
    skipped: u64,
    not_asked: u64,
    chose: &[u64],
) -> SurveyResults {
    SurveyResults {
        survey_id: "s".to_owned(),
        title: Localized::default(),
        versions: vec![1],
        respondents,
        unknown_version: 0,
        questions: vec![
            question(
                answers.iter().sum(),
                skipped,
                not_asked,
                Distribution::Categories {
                    categories: counts(&["a", "b", "c"], answers),
                },
            ),
            question(
                respondents,
                0,
                0,
                Distribution::Choices {
                    options: counts(&["x", "y"], chose),
                },
            ),
        ],
        not_summarised: Vec::new(),
    }
}

/// The results of a page made of `cells`.
fn sum(cells: &[&SurveyResults]) -> SurveyResults {
    let add = |values: &mut Vec<u64>, listed: &[CategoryCount]| {
        values.resize(listed.len(), 0);
        for (value, count) in values.iter_mut().zip(listed) {
            *value += count.count;
        }
    };
    let (mut respondents, mut skipped, mut not_asked) = (0, 0, 0);
    let (mut answers, mut chose) = (Vec::new(), Vec::new());
    for cell in cells {
        respondents += cell.respondents;
        skipped += cell.questions[0].skipped;
        not_asked += cell.questions[0].not_asked;
        if let Distribution::Categories { categories } = &cell.questions[0].distribution {
            add(&mut answers, categories);
        }
        if let Distribution::Choices { options } = &cell.questions[1].distribution {
            add(&mut chose, options);
        }
    }
    answers.resize(3, 0);
    chose.resize(2, 0);
    results(respondents, &answers, skipped, not_asked, &chose)
}

/// The split of a page made of `tables`' cells.
fn sum_tables(tables: &[&CrossTable]) -> CrossTable {
    let mut cells = vec![vec![0_u64; 2]; 3];
    for table in tables {
        for (sum, row) in cells.iter_mut().zip(&table.cells) {
            for (total, count) in sum.iter_mut().zip(row) {
                *total += count;
            }
        }
    }
    CrossTable::from_cells(
        ["a", "b", "c"]
            .iter()
            .map(|key| Category::plain(*key))
            .collect(),
        ["x", "y"].iter().map(|key| Category::plain(*key)).collect(),
        cells,
    )
}

/// What a published page shows exactly, by figure.
fn shown_figures(published: &crate::results::PublishedResults) -> BTreeMap<Figure, u64> {
    let mut shown = BTreeMap::new();
    let mut put = |figure: Figure, value: Shown| {
        if let Shown::Count(count) = value {
            shown.insert(figure, count);
        }
    };
    put(Figure::Respondents, published.respondents);
    put(Figure::UnknownVersion, published.unknown_version);
    for (index, question) in published.questions.iter().enumerate() {
        let q = u32::try_from(index).unwrap_or(0);
        use crate::results::figures::Standing as S;
        put(Figure::Standing(q, S::Answered), question.answered);
        put(Figure::Standing(q, S::Skipped), question.skipped);
        put(Figure::Standing(q, S::NotAsked), question.not_asked);
        put(Figure::Standing(q, S::Unreadable), question.unreadable);
        put(
            Figure::Standing(q, S::NotInVersion),
            question.not_in_version,
        );
        match &question.distribution {
            PublishedDistribution::Categories { categories } => {
                for count in categories {
                    put(Figure::Answer(q, count.category.key.clone()), count.count);
                }
            }
            PublishedDistribution::Choices { options } => {
                for count in options {
                    put(Figure::Chose(q, count.category.key.clone()), count.count);
                }
            }
            other => panic!("not generated: {other:?}"),
        }
    }
    shown
}

type Page = (Option<String>, Option<Period>);

/// Every page a results page offers over `cells`, with the cells it sums.
fn pages_of(
    cells: &BTreeMap<(String, Period), SurveyResults>,
) -> BTreeMap<Page, Vec<(String, Period)>> {
    let mut pages: BTreeMap<Page, Vec<(String, Period)>> = BTreeMap::new();
    for (ward, quarter) in cells.keys() {
        let start = quarter.dates().0;
        let periods = [
            Some(*quarter),
            Period::containing(start, PeriodLength::Half),
            Period::containing(start, PeriodLength::Year),
            None,
        ];
        for period in periods {
            for place in [Some(ward.clone()), None] {
                pages
                    .entry((place, period))
                    .or_default()
                    .push((ward.clone(), *quarter));
            }
        }
    }
    pages
}

/// Every equation between pages: a page whose cells are exactly those of
/// a group of narrower pages (its wards, or its quarters, halves or years)
/// is their sum.
fn equations_between(pages: &BTreeMap<Page, Vec<(String, Period)>>) -> Vec<(Page, Vec<Page>)> {
    let cells_of = |page: &Page| -> BTreeSet<(String, Period)> {
        pages
            .get(page)
            .map(|cells| cells.iter().cloned().collect())
            .unwrap_or_default()
    };
    let mut equations = Vec::new();
    for (whole, _) in pages.iter() {
        let (place, period) = whole;
        let mut groups: Vec<Vec<Page>> = Vec::new();
        if place.is_none() {
            groups.push(
                pages
                    .keys()
                    .filter(|(other, p)| other.is_some() && p == period)
                    .cloned()
                    .collect(),
            );
        }
        for length in [
            PeriodLength::Quarter,
            PeriodLength::Half,
            PeriodLength::Year,
        ] {
            groups.push(
                pages
                    .keys()
                    .filter(|(other, p)| {
                        other == place
                            && p.is_some_and(|p| {
                                p.kind().length() == length
                                    && match period {
                                        None => true,
                                        Some(period) => {
                                            p != *period
                                                && quarters_of(p)
                                                    .iter()
                                                    .all(|q| quarters_of(*period).contains(q))
                                        }
                                    }
                            })
                    })
                    .cloned()
                    .collect(),
            );
        }
        for group in groups {
            let union: BTreeSet<(String, Period)> = group.iter().flat_map(cells_of).collect();
            if !group.is_empty() && union == cells_of(whole) && group.len() > 1 {
                equations.push((whole.clone(), group));
            }
        }
    }
    equations
}

/// Builds the cells, publishes every page with the joint pattern, and
/// plays the attacker; fails if a count under k is printed or worked out.
fn attack(cells: BTreeMap<(String, Period), SurveyResults>) {
    attack_with_tables(cells, BTreeMap::new(), false);
}

/// A split of the single-choice question: rows its answers, columns `x`
/// and `y`.
fn split_of(answers: &[u64], rng: &mut Rng) -> crate::results::table::CrossTable {
    let cells: Vec<Vec<u64>> = answers
        .iter()
        .map(|count| {
            let x = rng.below(count + 1);
            vec![x, count - x]
        })
        .collect();
    crate::results::table::CrossTable::from_cells(
        ["a", "b", "c"]
            .iter()
            .map(|key| Category::plain(*key))
            .collect(),
        ["x", "y"].iter().map(|key| Category::plain(*key)).collect(),
        cells,
    )
}

/// A split's row totals are the single-choice question's counts, its total
/// those who answered it.
fn same_as(figure: &Figure) -> Option<Figure> {
    match figure {
        Figure::RowTotal(key) => Some(Figure::Answer(0, key.clone())),
        Figure::TableTotal => Some(Figure::Standing(0, Standing::Answered)),
        _ => None,
    }
}

/// The results' pattern over `cells`, and the pattern of `tables` beside
/// it (`None`: refused).
fn patterns(
    cells: &BTreeMap<(String, Period), SurveyResults>,
    tables: &BTreeMap<(String, Period), CrossTable>,
) -> (JointPattern, Option<JointPattern>) {
    let threshold = Threshold::DEFAULT;
    let figures: Vec<((String, Period), Figures)> = cells
        .iter()
        .map(|(key, results)| (key.clone(), figures_of(results)))
        .collect();
    let pattern = JointPattern::compute(
        figures
            .iter()
            .map(|((ward, quarter), figures)| (Some(ward.as_str()), Some(*quarter), figures)),
        threshold,
    );
    // Columns `x` and `y` are a participant's attribute's.
    let table_figures: Vec<((String, Period), Figures)> = tables
        .iter()
        .map(|(key, table)| {
            let mut figures = figures_of_table(table);
            figures.shared_totals = true;
            (key.clone(), figures)
        })
        .collect();
    let table_pattern = JointPattern::compute_linked(
        table_figures
            .iter()
            .map(|((ward, quarter), figures)| (Some(ward.as_str()), Some(*quarter), figures)),
        threshold,
        Link {
            pattern: &pattern,
            same_as: &same_as,
        },
    );
    (pattern, table_pattern)
}

/// A split of the single-choice question by two attributes: rows its
/// answers, columns `x|p`, `x|q`, `y|p`, `y|q`.
fn split_by_two(answers: &[u64], rng: &mut Rng) -> CrossTable {
    let cells: Vec<Vec<u64>> = answers
        .iter()
        .map(|count| {
            let mut left = *count;
            let mut row: Vec<u64> = (0..3)
                .map(|_| {
                    let part = rng.below(left + 1);
                    left -= part;
                    part
                })
                .collect();
            row.push(left);
            row
        })
        .collect();
    CrossTable::from_cells(
        ["a", "b", "c"]
            .iter()
            .map(|key| Category::plain(*key))
            .collect(),
        ["x|p", "x|q", "y|p", "y|q"]
            .iter()
            .map(|key| Category::plain(*key))
            .collect(),
        cells,
    )
}

/// A split by two attributes holds, in each row, the cells of the split by
/// one of them (`x` is `x|p` and `x|q`): another table may show one such
/// cell where this one hides it, so each such group of cells holds no
/// withheld cell or at least two, on every page.
#[test]
fn a_split_by_two_attributes_keeps_two_withheld_cells_in_each_part_of_a_row() {
    let mut rng = Rng(0x2D_5EED);
    let mut published = 0;
    for _ in 0..100 {
        let mut cells = BTreeMap::new();
        let mut tables = BTreeMap::new();
        for ward in 0..2 + rng.below(3) {
            for quarter in quarters() {
                if rng.below(3) == 0 {
                    continue;
                }
                let results = cell_results(&mut rng);
                let Distribution::Categories { categories } = &results.questions[0].distribution
                else {
                    unreachable!("generated as categories")
                };
                let answers: Vec<u64> = categories.iter().map(|count| count.count).collect();
                tables.insert(
                    (format!("w{ward}"), quarter),
                    split_by_two(&answers, &mut rng),
                );
                cells.insert((format!("w{ward}"), quarter), results);
            }
        }
        let Some(table_pattern) = patterns(&cells, &tables).1 else {
            continue;
        };
        published += 1;
        for (page, keys) in pages_of(&cells) {
            let first = &tables[&keys[0]];
            let mut sums = vec![vec![0_u64; first.columns.len()]; first.rows.len()];
            for key in &keys {
                for (sum, values) in sums.iter_mut().zip(&tables[key].cells) {
                    for (total, value) in sum.iter_mut().zip(values) {
                        *total += value;
                    }
                }
            }
            let table = CrossTable::from_cells(first.rows.clone(), first.columns.clone(), sums);
            let marks = table_pattern.marks(page.0.as_deref(), page.1);
            let shown = publish_marked_table(&table, Threshold::DEFAULT, &marks);
            for (row, values) in shown.cells.iter().enumerate() {
                for part in ["x|", "y|", "|p", "|q"] {
                    let withheld = values
                        .iter()
                        .zip(&table.columns)
                        .filter(|(shown, column)| {
                            shown.is_suppressed() && column.key.contains(part)
                        })
                        .count();
                    assert_ne!(withheld, 1, "row {row}, {part} on {page:?}: {shown:?}");
                }
            }
        }
    }
    assert!(published > 80, "{published} of 100 published");
}

/// [`attack`] with each cell's split of the single-choice question,
/// published beside the results with its own pattern linked to theirs;
/// says whether the split was published (or refused everywhere). With
/// `totals_elsewhere`, the attacker also holds every column total another
/// table may print (each one not under k: the children of a column who
/// answered are another split's column total too, or who took part), and
/// must still learn no cell under k.
fn attack_with_tables(
    cells: BTreeMap<(String, Period), SurveyResults>,
    tables: BTreeMap<(String, Period), crate::results::table::CrossTable>,
    totals_elsewhere: bool,
) -> bool {
    let threshold = Threshold::DEFAULT;
    let (pattern, table_pattern) = patterns(&cells, &tables);
    // A table refused is not published anywhere.
    let split_published = table_pattern.is_some();
    let tables = if split_published {
        tables
    } else {
        BTreeMap::new()
    };
    let pages = pages_of(&cells);
    let mut truth: HashMap<(Page, Figure), u64> = HashMap::new();
    let mut known: HashMap<(Page, Figure), u64> = HashMap::new();
    let mut layout: BTreeSet<Figure> = BTreeSet::new();
    for (page, keys) in &pages {
        let page_cells: Vec<&SurveyResults> = keys.iter().map(|key| &cells[key]).collect();
        let results = sum(&page_cells);
        let marks = pattern.marks(page.0.as_deref(), page.1);
        let published = publish_marked_results(&results, threshold, &marks);
        for (figure, count) in shown_figures(&published) {
            assert!(
                !threshold.is_small(count),
                "{figure:?} = {count} printed on {page:?}"
            );
            known.insert((page.clone(), figure), count);
        }
        for (figure, count) in figures_of(&results).counts {
            layout.insert(figure.clone());
            truth.insert((page.clone(), figure), count);
        }
        if tables.is_empty() {
            continue;
        }
        let Some(table_pattern) = &table_pattern else {
            continue;
        };
        let page_tables: Vec<&CrossTable> = keys.iter().filter_map(|key| tables.get(key)).collect();
        let table = sum_tables(&page_tables);
        let marks = table_pattern.marks(page.0.as_deref(), page.1);
        let published = publish_marked_table(&table, threshold, &marks);
        let printed = figures_of_table(&table);
        let shown = [
            published.cells.concat(),
            published.row_totals.clone(),
            published.column_totals.clone(),
            vec![published.total],
        ]
        .concat();
        let mut order: Vec<Figure> = Vec::new();
        for row in &table.rows {
            for column in &table.columns {
                order.push(Figure::Cell(row.key.clone(), column.key.clone()));
            }
        }
        order.extend(
            table
                .rows
                .iter()
                .map(|row| Figure::RowTotal(row.key.clone())),
        );
        order.extend(
            table
                .columns
                .iter()
                .map(|column| Figure::ColumnTotal(column.key.clone())),
        );
        order.push(Figure::TableTotal);
        for (figure, value) in order.into_iter().zip(shown) {
            let count = printed.counts[&figure];
            if let Shown::Count(shown) = value {
                assert!(
                    !threshold.is_small(shown),
                    "{figure:?} = {shown} printed on {page:?}"
                );
                known.insert((page.clone(), figure.clone()), count);
            }
            if totals_elsewhere
                && matches!(figure, Figure::ColumnTotal(_))
                && !threshold.is_small(count)
            {
                known.insert((page.clone(), figure.clone()), count);
            }
            layout.insert(figure.clone());
            truth.insert((page.clone(), figure), count);
        }
    }
    // The attacker's equations: within each page, and across pages.
    let mut equations: Vec<Vec<(Page, Figure)>> = Vec::new();
    for page in pages.keys() {
        for line in crate::results::figures::lines_within(&layout) {
            equations.push(
                line.into_iter()
                    .map(|figure| (page.clone(), figure))
                    .collect(),
            );
        }
    }
    for (whole, parts) in equations_between(&pages) {
        for figure in &layout {
            let mut line = vec![(whole.clone(), figure.clone())];
            line.extend(parts.iter().map(|part| (part.clone(), figure.clone())));
            equations.push(line);
        }
    }
    // A split's row totals are the question's counts, its total those who
    // answered: the same figures under two names.
    if !tables.is_empty() {
        for page in pages.keys() {
            for figure in &layout {
                if let Some(same) = same_as(figure) {
                    equations.push(vec![(page.clone(), figure.clone()), (page.clone(), same)]);
                }
            }
        }
    }
    equations.retain(|line| line.iter().all(|entry| truth.contains_key(entry)));
    for line in &equations {
        let parts: u64 = line[1..].iter().map(|entry| truth[entry]).sum();
        assert_eq!(truth[&line[0]], parts, "a true equation: {line:?}");
    }
    loop {
        let mut learnt = false;
        for line in &equations {
            let unknown: Vec<&(Page, Figure)> = line
                .iter()
                .filter(|entry| !known.contains_key(*entry))
                .collect();
            let [entry] = unknown.as_slice() else {
                continue;
            };
            let value = truth[*entry];
            // Holding other tables' column totals (and so, added up, how
            // many answered), the attacker may work out a small count of
            // children, never a cell: what any of them answered.
            let cell = matches!(entry.1, Figure::Cell(..));
            assert!(
                !threshold.is_small(value) || (totals_elsewhere && !cell),
                "{entry:?} = {value} worked out from {line:?}"
            );
            known.insert((*entry).clone(), value);
            learnt = true;
        }
        if !learnt {
            break;
        }
    }
    split_published
}

fn quarters() -> Vec<Period> {
    [(2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
        .iter()
        .filter_map(|(year, quarter)| Period::quarter(*year, *quarter).ok())
        .collect()
}

#[test]
fn a_ward_small_count_cannot_be_found_from_the_city_and_the_other_wards() {
    // Answer "a": 3 children in w1, 20 in w2, 30 in w3, one quarter. Page
    // by page the city's 53 and w2's and w3's counts would be shown, and
    // 53 − 20 − 30 = 3.
    let quarter = quarters()[0];
    let mut cells = BTreeMap::new();
    for (ward, a) in [("w1", 3), ("w2", 20), ("w3", 30)] {
        cells.insert(
            (ward.to_owned(), quarter),
            results(a + 40, &[a, 20, 20], 0, 0, &[a + 40, 0]),
        );
    }
    let figures: Vec<((String, Period), Figures)> = cells
        .iter()
        .map(|(key, results)| (key.clone(), figures_of(results)))
        .collect();
    let pattern = JointPattern::compute(
        figures
            .iter()
            .map(|((ward, quarter), figures)| (Some(ward.as_str()), Some(*quarter), figures)),
        Threshold::DEFAULT,
    );
    let a = Figure::Answer(0, "a".to_owned());
    let hidden_elsewhere = ["w2", "w3"]
        .iter()
        .any(|ward| pattern.marks(Some(ward), Some(quarter)).of(&a) != Mark::Published)
        || pattern.marks(None, Some(quarter)).of(&a) != Mark::Published;
    assert_eq!(
        pattern.marks(Some("w1"), Some(quarter)).of(&a),
        Mark::Primary
    );
    assert!(
        hidden_elsewhere,
        "another ward's or the city's count of a is hidden"
    );
    attack(cells);
}

#[test]
fn a_quarter_small_count_cannot_be_found_from_its_year() {
    let mut cells = BTreeMap::new();
    for (quarter, a) in quarters().into_iter().take(2).zip([2, 25]) {
        cells.insert(
            ("w1".to_owned(), quarter),
            results(a + 30, &[a, 15, 15], 0, 0, &[a + 30, 0]),
        );
    }
    attack(cells);
}

#[test]
fn generated_cities_never_give_a_small_count_away() {
    let mut rng = Rng(0x5EED_1234_ABCD);
    for _ in 0..300 {
        let wards = 2 + rng.below(3);
        let mut cells = BTreeMap::new();
        for ward in 0..wards {
            for quarter in quarters() {
                if rng.below(3) > 0 {
                    cells.insert((format!("w{ward}"), quarter), cell_results(&mut rng));
                }
            }
        }
        if !cells.is_empty() {
            attack(cells);
        }
    }
}

#[test]
fn generated_splits_beside_the_results_never_give_a_small_count_away() {
    attack_generated_splits(false);
}

/// Two splits of questions everyone answered (or one and who took part)
/// print the same column totals under their own patterns: one may show
/// the total the other hides. A split's cells must stay safe whatever
/// column totals are known.
#[test]
fn generated_splits_keep_their_cells_when_other_tables_print_their_column_totals() {
    attack_generated_splits(true);
}

/// 200 generated cities, each with a split of its single-choice question
/// published beside the results, against [`attack_with_tables`].
fn attack_generated_splits(totals_elsewhere: bool) {
    let mut rng = Rng(0xC0FF_EE12_3456);
    let (mut published, mut refused) = (0, 0);
    for _ in 0..200 {
        let wards = 2 + rng.below(3);
        let mut cells = BTreeMap::new();
        let mut tables = BTreeMap::new();
        for ward in 0..wards {
            for quarter in quarters() {
                if rng.below(3) > 0 {
                    let results = cell_results(&mut rng);
                    let Distribution::Categories { categories } =
                        &results.questions[0].distribution
                    else {
                        unreachable!("generated as categories")
                    };
                    let answers: Vec<u64> = categories.iter().map(|count| count.count).collect();
                    tables.insert((format!("w{ward}"), quarter), split_of(&answers, &mut rng));
                    cells.insert((format!("w{ward}"), quarter), results);
                }
            }
        }
        if cells.is_empty() {
            continue;
        }
        if attack_with_tables(cells, tables, totals_elsewhere) {
            published += 1;
        } else {
            refused += 1;
        }
    }
    // Most splits are published; a refusal is the rare safe way out.
    assert!(
        published > refused * 4,
        "{published} published, {refused} refused"
    );
}

/// A cell whose one question is a number question with these bars.
fn numbers(bars: &[(f64, f64, u64)]) -> SurveyResults {
    let answered: u64 = bars.iter().map(|(_, _, count)| count).sum();
    SurveyResults {
        survey_id: "s".to_owned(),
        title: Localized::default(),
        versions: vec![1],
        respondents: answered,
        unknown_version: 0,
        questions: vec![question(
            answered,
            0,
            0,
            Distribution::Numbers {
                bins: bars
                    .iter()
                    .map(|(from, to, count)| crate::results::Bin {
                        from: *from,
                        to: *to,
                        count: *count,
                    })
                    .collect(),
                median: None,
                lower_quartile: None,
                upper_quartile: None,
                declined: None,
            },
        )],
        not_summarised: Vec::new(),
    }
}

#[test]
fn histogram_bars_of_the_same_edges_are_suppressed_across_wards() {
    let quarter = quarters()[0];
    let pattern_of = |cells: &[(&str, SurveyResults)]| {
        let figures: Vec<(String, Figures)> = cells
            .iter()
            .map(|(ward, results)| ((*ward).to_owned(), figures_of(results)))
            .collect();
        JointPattern::compute(
            figures
                .iter()
                .map(|(ward, figures)| (Some(ward.as_str()), Some(quarter), figures)),
            Threshold::DEFAULT,
        )
    };
    // The question bounds the answers (0 to 10): every ward has the same
    // bars, so the city's bar minus the other wards' would give w1's 2.
    let same = [
        ("w1", numbers(&[(0.0, 5.0, 2), (5.0, 10.0, 9)])),
        ("w2", numbers(&[(0.0, 5.0, 20), (5.0, 10.0, 9)])),
        ("w3", numbers(&[(0.0, 5.0, 30), (5.0, 10.0, 12)])),
    ];
    let pattern = pattern_of(&same);
    let low = Figure::Bar(0, crate::results::figures::bar_key(0.0, 5.0));
    assert!(pattern.marks(Some("w1"), Some(quarter)).holds_bars(0));
    assert_eq!(
        pattern.marks(Some("w1"), Some(quarter)).of(&low),
        Mark::Primary
    );
    let hidden_elsewhere = ["w2", "w3"]
        .iter()
        .any(|ward| pattern.marks(Some(ward), Some(quarter)).of(&low) != Mark::Published)
        || pattern.marks(None, Some(quarter)).of(&low) != Mark::Published;
    assert!(
        hidden_elsewhere,
        "another ward's or the city's bar is hidden"
    );
    // Published through the marks: "< 5" in w1, and across the city's and
    // the other wards' pages at least one more bar withheld.
    let bars_of = |ward: Option<&str>, results: &SurveyResults| -> Vec<Shown> {
        let published = publish_marked_results(
            results,
            Threshold::DEFAULT,
            &pattern.marks(ward, Some(quarter)),
        );
        match &published.questions[0].distribution {
            PublishedDistribution::Numbers { bins, .. } => {
                bins.iter().map(|bin| bin.count).collect()
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(bars_of(Some("w1"), &same[0].1)[0], Shown::Under(5));
    let withheld_elsewhere = bars_of(None, &sum_numbers(&same))
        .into_iter()
        .chain(bars_of(Some("w2"), &same[1].1))
        .chain(bars_of(Some("w3"), &same[2].1))
        .filter(|shown| shown.is_suppressed())
        .count();
    assert!(withheld_elsewhere >= 1);

    // Bars of different edges in one ward: not in the pattern (no page's
    // bars add up to another's), published page by page.
    let apart = [
        ("w1", numbers(&[(0.0, 4.0, 2), (4.0, 8.0, 9)])),
        ("w2", numbers(&[(0.0, 5.0, 20), (5.0, 10.0, 9)])),
    ];
    assert!(!pattern_of(&apart)
        .marks(Some("w1"), Some(quarter))
        .holds_bars(0));
}

/// The city of `cells` (same edges).
fn sum_numbers(cells: &[(&str, SurveyResults)]) -> SurveyResults {
    let mut bars: Vec<(f64, f64, u64)> = Vec::new();
    for (_, results) in cells {
        if let Distribution::Numbers { bins, .. } = &results.questions[0].distribution {
            if bars.is_empty() {
                bars = bins.iter().map(|bin| (bin.from, bin.to, 0)).collect();
            }
            for (bar, bin) in bars.iter_mut().zip(bins) {
                bar.2 += bin.count;
            }
        }
    }
    numbers(&bars)
}
