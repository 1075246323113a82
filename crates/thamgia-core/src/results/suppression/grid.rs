//! A table with its totals as one grid, and the search for complements
//! (the rule is described in the parent module).

use super::{Linked, TableEntry, Threshold};
use crate::results::table::CrossTable;

/// Which entries of a table with its totals are withheld, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// Shown.
    Published,
    /// A count from 1 to k − 1.
    Primary,
    /// Hidden so that a withheld count cannot be recovered.
    Complement,
}

/// A table with its totals as one grid: `values[row][column]`, the last
/// column the row totals, the last row the column totals and the total.
pub(super) struct Grid {
    pub(super) values: Vec<Vec<u64>>,
}

impl Grid {
    pub(super) fn of(table: &CrossTable) -> Grid {
        let mut values: Vec<Vec<u64>> = table
            .cells
            .iter()
            .zip(&table.row_totals)
            .map(|(cells, total)| {
                let mut line = cells.clone();
                line.push(*total);
                line
            })
            .collect();
        let mut last = table.column_totals.clone();
        last.push(table.total);
        values.push(last);
        Grid { values }
    }

    fn height(&self) -> usize {
        self.values.len()
    }

    fn width(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// The entries of row `row`.
    fn row(&self, row: usize) -> Vec<(usize, usize)> {
        (0..self.width()).map(|column| (row, column)).collect()
    }

    /// The entries of column `column`.
    fn column(&self, column: usize) -> Vec<(usize, usize)> {
        (0..self.height()).map(|row| (row, column)).collect()
    }

    /// Every line, each row then each column, with whether it is a row.
    fn lines(&self) -> Vec<(bool, Vec<(usize, usize)>)> {
        let rows = (0..self.height()).map(|row| (true, self.row(row)));
        let columns = (0..self.width()).map(|column| (false, self.column(column)));
        rows.chain(columns).collect()
    }

    fn is_total(&self, (row, column): (usize, usize)) -> bool {
        row + 1 == self.height() || column + 1 == self.width()
    }

    /// The position of an entry in the grid.
    fn position(&self, entry: TableEntry) -> Option<(usize, usize)> {
        let (rows, columns) = (self.height() - 1, self.width() - 1);
        let position = match entry {
            TableEntry::Cell { row, column } => (row, column),
            TableEntry::RowTotal(row) => (row, columns),
            TableEntry::ColumnTotal(column) => (rows, column),
            TableEntry::Total => (rows, columns),
        };
        (position.0 <= rows && position.1 <= columns).then_some(position)
    }

    /// Which entries are withheld: the small ones, those `linked` hides,
    /// and complements until no line holds exactly one withheld entry.
    pub(super) fn suppress(&self, threshold: Threshold, linked: &Linked) -> Vec<Vec<Mark>> {
        let mut marks: Vec<Vec<Mark>> = self
            .values
            .iter()
            .map(|line| {
                line.iter()
                    .map(|value| {
                        if threshold.is_small(*value) {
                            Mark::Primary
                        } else {
                            Mark::Published
                        }
                    })
                    .collect()
            })
            .collect();
        for entry in &linked.hidden {
            if let Some((row, column)) = self.position(*entry) {
                if marks[row][column] == Mark::Published {
                    marks[row][column] = Mark::Complement;
                }
            }
        }
        let known: Vec<(usize, usize)> = linked
            .known
            .iter()
            .filter_map(|entry| self.position(*entry))
            .collect();
        let lines = self.lines();
        let suppressed_in = |marks: &Vec<Vec<Mark>>, line: &[(usize, usize)]| {
            line.iter()
                .filter(|(row, column)| marks[*row][*column] != Mark::Published)
                .count()
        };
        // Each pass hides one entry, so this ends within the grid's size.
        while let Some((is_row, line)) = lines.iter().find(|(_, line)| {
            suppressed_in(&marks, line) == 1
                && line
                    .iter()
                    .any(|(row, column)| marks[*row][*column] == Mark::Published)
        }) {
            let complement = line
                .iter()
                .filter(|(row, column)| marks[*row][*column] == Mark::Published)
                .min_by_key(|(row, column)| {
                    let value = self.values[*row][*column];
                    // The entry's other line: its column if `line` is a row.
                    let other = if *is_row {
                        self.column(*column)
                    } else {
                        self.row(*row)
                    };
                    let other_rank = match suppressed_in(&marks, &other) {
                        1 => 0,
                        0 => 2,
                        _ => 1,
                    };
                    (
                        known.contains(&(*row, *column)),
                        self.is_total((*row, *column)),
                        value == 0,
                        other_rank,
                        value,
                        *row,
                        *column,
                    )
                })
                .copied();
            match complement {
                Some((row, column)) => marks[row][column] = Mark::Complement,
                None => break,
            }
        }
        marks
    }
}
