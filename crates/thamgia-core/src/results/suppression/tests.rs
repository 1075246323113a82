//! Suppression: worked examples, and property tests over generated tables
//! against an attacker who subtracts published counts from totals.

use super::*;

fn table(cells: &[&[u64]]) -> CrossTable {
    let rows = (0..cells.len())
        .map(|row| Category::plain(format!("r{row}")))
        .collect();
    let columns = (0..cells.first().map_or(0, |line| line.len()))
        .map(|column| Category::plain(format!("c{column}")))
        .collect();
    CrossTable::from_cells(
        rows,
        columns,
        cells.iter().map(|line| line.to_vec()).collect(),
    )
}

/// The published table as text: a count, `<` for "< k", `x` for hidden;
/// the row total after `|`, the column totals on the last line.
fn shape(published: &PublishedTable) -> Vec<String> {
    let text = |shown: &Shown| match shown {
        Shown::Count(count) => count.to_string(),
        Shown::Under(_) => "<".to_owned(),
        Shown::Hidden => "x".to_owned(),
    };
    let mut lines: Vec<String> = published
        .cells
        .iter()
        .zip(&published.row_totals)
        .map(|(cells, total)| {
            let cells: Vec<String> = cells.iter().map(text).collect();
            format!("{} | {}", cells.join(" "), text(total))
        })
        .collect();
    let totals: Vec<String> = published.column_totals.iter().map(text).collect();
    lines.push(format!("{} | {}", totals.join(" "), text(&published.total)));
    lines
}

fn check(cells: &[&[u64]], expected: &[&str]) {
    let published = publish_table(&table(cells), Threshold::DEFAULT);
    assert_eq!(shape(&published), expected, "{cells:?}");
}

#[test]
fn a_small_cell_and_its_complements_are_hidden() {
    // 3 is primary; its row's smallest other cell (10) and its column's
    // (8) are complements; the cell where they cross (20) completes the
    // rectangle so no row or column is left with one unknown.
    check(
        &[&[3, 10, 12], &[8, 20, 30], &[9, 25, 40]],
        &[
            "< x 12 | 25",
            "x x 30 | 58",
            "9 25 40 | 74",
            "20 55 82 | 157",
        ],
    );
}

#[test]
fn nothing_is_hidden_when_no_count_is_small() {
    check(
        &[&[5, 0, 12], &[8, 20, 0]],
        &["5 0 12 | 17", "8 20 0 | 28", "13 20 12 | 45"],
    );
}

#[test]
fn a_small_total_is_suppressed_with_its_cells() {
    // Row 0 totals 4: the total is "< 5", and so is each non-zero cell;
    // the columns then need complements from row 1.
    let published = publish_table(&table(&[&[2, 2], &[10, 12]]), Threshold::DEFAULT);
    assert_eq!(published.row_totals[0], Shown::Under(5));
    assert_eq!(published.cells[0], vec![Shown::Under(5), Shown::Under(5)]);
    assert!(published.cells[1].iter().all(|shown| shown.is_suppressed()));
    assert_eq!(published.total, Shown::Count(26));
    assert_attacker_fails(&table(&[&[2, 2], &[10, 12]]), &published);
}

#[test]
fn a_list_of_counts_hides_a_second_one() {
    let (counts, total) = publish_counts(&[2, 10, 30], 42, Threshold::DEFAULT);
    assert_eq!(
        counts,
        vec![Shown::Under(5), Shown::Hidden, Shown::Count(30)]
    );
    assert_eq!(total, Shown::Count(42));
    let (counts, total) = publish_counts(&[2, 1], 3, Threshold::DEFAULT);
    assert_eq!(counts, vec![Shown::Under(5), Shown::Under(5)]);
    assert_eq!(total, Shown::Under(5));
}

#[test]
fn a_share_is_shown_only_when_its_remainder_is_safe() {
    let k = Threshold::DEFAULT;
    assert_eq!(publish_share(20, 30, k), Shown::Count(20));
    assert_eq!(publish_share(3, 30, k), Shown::Under(5));
    // 28 of 30 chose it: the two who did not would be known.
    assert_eq!(publish_share(28, 30, k), Shown::Hidden);
    assert_eq!(publish_share(30, 30, k), Shown::Count(30));
    assert_eq!(publish_share(0, 30, k), Shown::Count(0));
}

#[test]
fn the_threshold_is_configurable_but_never_off() {
    assert_eq!(Threshold::new(10).k(), 10);
    assert_eq!(Threshold::new(0).k(), 2);
    assert!(Threshold::new(10).is_small(9));
    assert!(!Threshold::DEFAULT.is_small(0));
    let published = publish_table(&table(&[&[7, 20], &[30, 40]]), Threshold::new(10));
    assert_eq!(published.cells[0][0], Shown::Under(10));
    assert_eq!(
        serde_json::to_string(&Threshold::DEFAULT).expect("serialises"),
        "5"
    );
}

#[test]
fn statistics_of_few_children_are_withheld() {
    let k = Threshold::DEFAULT;
    assert_eq!(publish_statistic(Some(3.5), 4, k), None);
    assert_eq!(publish_statistic(Some(3.5), 5, k), Some(3.5));
}

/// A small deterministic generator (the one `outbox::tests` uses).
pub(in crate::results) struct Rng(pub(in crate::results) u64);

impl Rng {
    /// A number below `below`.
    pub(in crate::results) fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// A table of 1 to 6 rows and columns whose counts are small, zero or
/// large in proportions that vary from table to table.
fn generated_table(rng: &mut Rng) -> CrossTable {
    let rows = 1 + rng.next(6) as usize;
    let columns = 1 + rng.next(6) as usize;
    let small_percent = rng.next(60);
    let zero_percent = rng.next(30);
    let cells: Vec<Vec<u64>> = (0..rows)
        .map(|_| {
            (0..columns)
                .map(|_| {
                    let roll = rng.next(100);
                    if roll < zero_percent {
                        0
                    } else if roll < zero_percent + small_percent {
                        1 + rng.next(4)
                    } else {
                        5 + rng.next(60)
                    }
                })
                .collect()
        })
        .collect();
    let lines: Vec<&[u64]> = cells.iter().map(Vec::as_slice).collect();
    table(&lines)
}

/// The table with its totals as one grid, each entry with its value and
/// whether it is published.
fn grid(table: &CrossTable, published: &PublishedTable) -> Vec<Vec<(u64, bool)>> {
    let mut grid: Vec<Vec<(u64, bool)>> = table
        .cells
        .iter()
        .zip(&published.cells)
        .zip(table.row_totals.iter().zip(&published.row_totals))
        .map(|((cells, shown), (total, total_shown))| {
            let mut line: Vec<(u64, bool)> = cells
                .iter()
                .zip(shown)
                .map(|(value, shown)| (*value, !shown.is_suppressed()))
                .collect();
            line.push((*total, !total_shown.is_suppressed()));
            line
        })
        .collect();
    let mut last: Vec<(u64, bool)> = table
        .column_totals
        .iter()
        .zip(&published.column_totals)
        .map(|(value, shown)| (*value, !shown.is_suppressed()))
        .collect();
    last.push((table.total, !published.total.is_suppressed()));
    grid.push(last);
    grid
}

/// The attacker: as long as some row or column (totals included) has
/// exactly one entry it does not know, that entry is the line's total minus
/// the others (or, for the total, their sum), and the attacker learns it,
/// which may open other lines. No suppressed entry may ever be learnt.
fn assert_attacker_fails(table: &CrossTable, published: &PublishedTable) {
    assert_eq!(
        attack(table, published, false),
        [],
        "{:?}",
        shape(published)
    );
}

/// [`assert_attacker_fails`]'s attacker, returning what it learnt; with
/// `totals_elsewhere` it also holds every total not under k, as other
/// tables may print them.
fn attack(
    table: &CrossTable,
    published: &PublishedTable,
    totals_elsewhere: bool,
) -> Vec<(usize, usize, u64)> {
    let grid = grid(table, published);
    let (height, width) = (grid.len(), grid[0].len());
    let is_total = |row: usize, column: usize| row + 1 == height || column + 1 == width;
    let mut known: Vec<Vec<Option<u64>>> = grid
        .iter()
        .enumerate()
        .map(|(row, line)| {
            line.iter()
                .enumerate()
                .map(|(column, (value, shown))| {
                    let elsewhere = totals_elsewhere
                        && is_total(row, column)
                        && !Threshold::DEFAULT.is_small(*value);
                    (*shown || elsewhere).then_some(*value)
                })
                .collect()
        })
        .collect();
    let mut lines: Vec<Vec<(usize, usize)>> = (0..height)
        .map(|row| (0..width).map(|column| (row, column)).collect())
        .collect();
    lines.extend((0..width).map(|column| (0..height).map(|row| (row, column)).collect()));
    let mut learnt = Vec::new();
    loop {
        let mut progress = false;
        for line in &lines {
            let unknown: Vec<(usize, usize)> = line
                .iter()
                .copied()
                .filter(|(row, column)| known[*row][*column].is_none())
                .collect();
            let [(row, column)] = unknown.as_slice() else {
                continue;
            };
            let (row, column) = (*row, *column);
            let (total_row, total_column) = line[line.len() - 1];
            let others: u64 = line[..line.len() - 1]
                .iter()
                .filter(|entry| **entry != (row, column))
                .map(|(r, c)| known[*r][*c].expect("known"))
                .sum();
            let derived = if (row, column) == (total_row, total_column) {
                others
            } else {
                known[total_row][total_column].expect("known") - others
            };
            assert_eq!(derived, grid[row][column].0, "the attacker's sums hold");
            known[row][column] = Some(derived);
            learnt.push((row, column, derived));
            progress = true;
        }
        if !progress {
            break;
        }
    }
    learnt
}

#[test]
fn generated_tables_never_publish_a_small_count() {
    let mut rng = Rng(11);
    for _ in 0..2_000 {
        let table = generated_table(&mut rng);
        let k = Threshold::new(2 + rng.next(8));
        let published = publish_table(&table, k);
        let shown = grid(&table, &published);
        for line in &shown {
            for (value, is_shown) in line {
                assert!(
                    !(*is_shown && k.is_small(*value)),
                    "{value} shown under {k:?}"
                );
            }
        }
    }
}

#[test]
fn generated_tables_never_give_a_suppressed_count_away_by_subtraction() {
    let mut rng = Rng(29);
    for _ in 0..2_000 {
        let table = generated_table(&mut rng);
        let published = publish_table(&table, Threshold::DEFAULT);
        assert_attacker_fails(&table, &published);
    }
}

/// Other tables print the same totals under their own patterns (see the
/// module's "Totals printed elsewhere"): an attacker holding every total
/// shown anywhere still learns no cell of a table of two rows and two
/// columns or more.
#[test]
fn generated_tables_keep_their_cells_when_every_total_is_known() {
    let mut rng = Rng(31);
    let mut attacked = 0;
    while attacked < 2_000 {
        let table = generated_table(&mut rng);
        if table.rows.len() < 2 || table.columns.len() < 2 {
            continue;
        }
        attacked += 1;
        let published = publish_table(&table, Threshold::DEFAULT);
        let grid = grid(&table, &published);
        let cells: Vec<(usize, usize, u64)> = attack(&table, &published, true)
            .into_iter()
            .filter(|(row, column, _)| *row + 1 < grid.len() && *column + 1 < grid[0].len())
            .collect();
        assert_eq!(cells, [], "cells recovered from {:?}", shape(&published));
    }
}

#[test]
fn generated_tables_without_small_counts_are_published_whole() {
    let mut rng = Rng(47);
    for _ in 0..2_000 {
        let mut table = generated_table(&mut rng);
        for cells in &mut table.cells {
            for cell in cells.iter_mut() {
                if Threshold::DEFAULT.is_small(*cell) {
                    *cell += 5;
                }
            }
        }
        let table = CrossTable::from_cells(table.rows, table.columns, table.cells);
        let published = publish_table(&table, Threshold::DEFAULT);
        let shown = grid(&table, &published);
        assert!(
            shown.iter().flatten().all(|(_, is_shown)| *is_shown),
            "{:?}",
            shape(&published)
        );
    }
}
