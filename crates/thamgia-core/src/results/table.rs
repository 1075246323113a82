//! Cross-tables: counts of children per pair of categories, with row and
//! column totals. Every child falls in exactly one row and one column, so
//! the cells add up to the totals; complementary suppression relies on it.

use serde::{Deserialize, Serialize};

use super::filter::Category;

/// Counts of children by row and column, with their totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossTable {
    /// What the rows are, in display order.
    pub rows: Vec<Category>,
    /// What the columns are, in display order.
    pub columns: Vec<Category>,
    /// `cells[row][column]`: how many children fall in both.
    pub cells: Vec<Vec<u64>>,
    /// The total of each row.
    pub row_totals: Vec<u64>,
    /// The total of each column.
    pub column_totals: Vec<u64>,
    /// Every child counted.
    pub total: u64,
}

impl CrossTable {
    /// A table of zeros with these rows and columns.
    pub fn empty(rows: Vec<Category>, columns: Vec<Category>) -> CrossTable {
        CrossTable {
            cells: vec![vec![0; columns.len()]; rows.len()],
            row_totals: vec![0; rows.len()],
            column_totals: vec![0; columns.len()],
            total: 0,
            rows,
            columns,
        }
    }

    /// A table with these cells, its totals computed.
    pub fn from_cells(
        rows: Vec<Category>,
        columns: Vec<Category>,
        cells: Vec<Vec<u64>>,
    ) -> CrossTable {
        let mut table = CrossTable::empty(rows, columns);
        for (row, values) in cells.iter().enumerate().take(table.rows.len()) {
            for (column, value) in values.iter().enumerate().take(table.columns.len()) {
                table.add_at(row, column, *value);
            }
        }
        table
    }

    /// Counts one child in the row and column with these categories,
    /// adding a row or column for a category not yet listed.
    pub fn add(&mut self, row: Category, column: Category) {
        let row = position_or_push(&mut self.rows, row, || {
            self.cells.push(vec![0; self.columns.len()]);
            self.row_totals.push(0);
        });
        let columns_before = self.columns.len();
        let column = position_or_push(&mut self.columns, column, || {});
        if self.columns.len() > columns_before {
            for cells in &mut self.cells {
                cells.push(0);
            }
            self.column_totals.push(0);
        }
        self.add_at(row, column, 1);
    }

    /// Puts the rows in the order of their keys (ward codes, months).
    pub fn sort_rows(&mut self) {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by(|a, b| self.rows[*a].key.cmp(&self.rows[*b].key));
        self.rows = order
            .iter()
            .map(|index| self.rows[*index].clone())
            .collect();
        self.cells = order
            .iter()
            .map(|index| self.cells[*index].clone())
            .collect();
        self.row_totals = order.iter().map(|index| self.row_totals[*index]).collect();
    }

    /// Puts the columns in the order of their keys (ward codes, months).
    pub fn sort_columns(&mut self) {
        let mut order: Vec<usize> = (0..self.columns.len()).collect();
        order.sort_by(|a, b| self.columns[*a].key.cmp(&self.columns[*b].key));
        self.columns = order
            .iter()
            .map(|index| self.columns[*index].clone())
            .collect();
        self.column_totals = order
            .iter()
            .map(|index| self.column_totals[*index])
            .collect();
        for cells in &mut self.cells {
            *cells = order.iter().map(|index| cells[*index]).collect();
        }
    }

    fn add_at(&mut self, row: usize, column: usize, count: u64) {
        self.cells[row][column] += count;
        self.row_totals[row] += count;
        self.column_totals[column] += count;
        self.total += count;
    }
}

fn position_or_push(
    categories: &mut Vec<Category>,
    category: Category,
    on_push: impl FnOnce(),
) -> usize {
    match categories
        .iter()
        .position(|known| known.key == category.key)
    {
        Some(index) => index,
        None => {
            categories.push(category);
            on_push();
            categories.len() - 1
        }
    }
}
