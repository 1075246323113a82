//! A table with its totals as one grid, and the search for complements
//! (the rule is described in the parent module).

use super::lines::{Cost, Entry, Lines, Mark};
use super::{Linked, TableEntry, Threshold};
use crate::results::table::CrossTable;

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
    /// and complements until no line (row or column) holds exactly one
    /// withheld entry; `marks[row][column]`.
    pub(super) fn suppress(&self, threshold: Threshold, linked: &Linked) -> Vec<Vec<Mark>> {
        let (height, width) = (self.height(), self.width());
        let index = |(row, column): (usize, usize)| row * width + column;
        let known: Vec<usize> = linked
            .known
            .iter()
            .filter_map(|entry| self.position(*entry).map(index))
            .collect();
        let mut lines = Lines::new();
        for (row, values) in self.values.iter().enumerate() {
            for (column, value) in values.iter().enumerate() {
                lines.entry(Entry {
                    value: *value,
                    cost: Cost {
                        known: known.contains(&index((row, column))),
                        printed: true,
                        breadth: 0,
                        total: self.is_total((row, column)),
                    },
                    fixed: false,
                });
            }
        }
        for row in 0..height {
            lines.line((0..width).map(|column| index((row, column))).collect());
        }
        for column in 0..width {
            lines.line((0..height).map(|row| index((row, column))).collect());
        }
        // Each row's and column's cells without their total, as if it were
        // known: other tables print the same totals (core's
        // `figures::cell_lines`).
        let (rows, columns) = (height - 1, width.saturating_sub(1));
        for row in 0..rows {
            lines.line((0..columns).map(|column| index((row, column))).collect());
        }
        for column in 0..columns {
            lines.line((0..rows).map(|row| index((row, column))).collect());
        }
        let hidden: Vec<usize> = linked
            .hidden
            .iter()
            .filter_map(|entry| self.position(*entry).map(index))
            .collect();
        let marks = lines.suppress(threshold, &hidden);
        marks.chunks(width.max(1)).map(<[Mark]>::to_vec).collect()
    }
}
