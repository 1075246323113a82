//! What may be published: no child can be singled out.
//!
//! **Primary suppression.** Every count from 1 to k − 1 (k is
//! [`Threshold`], 5 unless a deployment sets another) is shown as "< k".
//! Zero is published: it says that no child of a group gave an answer,
//! which points at nobody, and hiding zeros would hide most of a sparse
//! table (the usual practice of statistical offices). Totals are counts
//! like any other: a total under k is suppressed too.
//!
//! **Complementary suppression.** A suppressed cell could be recovered by
//! subtracting the published cells of its row (or column) from the row's
//! total. So the table is read with its totals as one grid of
//! `(rows + 1) × (columns + 1)` entries, whose every row and column is a
//! *line* in which the last entry is the sum of the others; and until every
//! line holding a suppressed entry holds at least two, one more entry of a
//! line holding only one is hidden. The complement chosen is, in order of
//! preference: a cell rather than a total; a non-zero count (a hidden zero
//! protects little: the attacker's interval for its partner starts at the
//! partner's value); an entry whose other line already holds exactly one
//! suppressed entry (it completes two lines at once), then one whose other
//! line holds more, and last one that starts a new line; the smallest
//! count (the least information lost). An attacker who solves any line
//! with one unknown entry, as long as one remains, then never starts: every
//! line has zero or at least two unknowns (the property tests play that
//! attacker on generated tables).
//!
//! Complements are hidden, not shown as "< k": they are not small.
//!
//! **Totals printed elsewhere.** Other tables print the same totals under
//! their own names: the girls who answered a question split by sex are the
//! girls who answered another question everyone answered, and the girls
//! who took part; each table is suppressed on its own, so one may show a
//! total another hides. So each row's and each column's cells are also a
//! line of their own, without the total: a withheld cell always has
//! another withheld cell in its row and in its column, and no total shown
//! elsewhere gives it away. A small total itself (how many of a group
//! answered) can still be worked out across tables: a count of children,
//! not what any of them said.
//!
//! **Statistics.** A median, quartile or mean of fewer than k answers can
//! be one child's own answer; it is withheld then.
//!
//! **Free text.** A child's words are always shown (they are what the
//! consultation is for), but without the ward and the participant's
//! attributes when the group the filters leave is under k.
//!
//! Pages of overlapping scopes (a ward and the city, a quarter and its
//! year) are suppressed together by [`joint`](super::joint), on the lines
//! of [`lines`]. What this does not cover: differences between two tables
//! published for overlapping filters (e.g. a ward with and without one age
//! band) can still isolate a group; the server should publish tables only
//! for the filters the results page offers, each suppressed as a whole.

use serde::{Deserialize, Serialize};

use super::distribution::FreeTextAnswer;
use super::filter::Category;
use super::table::CrossTable;

mod grid;
pub mod lines;
#[cfg(test)]
pub(super) mod tests;

use grid::Grid;
use lines::Mark;

/// The smallest count published: k. Every count from 1 to k − 1 is shown
/// as "< k". Set per deployment; 5 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Threshold(u64);

impl Threshold {
    /// The default k.
    pub const DEFAULT: Threshold = Threshold(5);

    /// A threshold of `k`; k below 2 would suppress nothing, so it is
    /// raised to 2 (suppression cannot be switched off by configuration).
    pub fn new(k: u64) -> Threshold {
        Threshold(k.max(2))
    }

    /// The value of k.
    pub fn k(self) -> u64 {
        self.0
    }

    /// Whether a count may single a child out (1 to k − 1).
    pub fn is_small(self, count: u64) -> bool {
        (1..self.0).contains(&count)
    }
}

impl Default for Threshold {
    fn default() -> Threshold {
        Threshold::DEFAULT
    }
}

/// A count as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "shown", content = "count", rename_all = "snake_case")]
pub enum Shown {
    /// The count itself.
    Count(u64),
    /// A count from 1 to k − 1: shown as "< k" (k is carried).
    Under(u64),
    /// Hidden so that a suppressed count cannot be recovered from totals.
    Hidden,
}

impl Shown {
    /// The count, when it is published.
    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(count) => Some(count),
            Shown::Under(_) | Shown::Hidden => None,
        }
    }

    /// Whether the count is withheld.
    pub fn is_suppressed(self) -> bool {
        !matches!(self, Shown::Count(_))
    }
}

/// A cross-table as it may be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedTable {
    /// What the rows are.
    pub rows: Vec<Category>,
    /// What the columns are.
    pub columns: Vec<Category>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Shown>>,
    /// The total of each row.
    pub row_totals: Vec<Shown>,
    /// The total of each column.
    pub column_totals: Vec<Shown>,
    /// Every child counted.
    pub total: Shown,
}

/// One entry of a table with its totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableEntry {
    /// A cell.
    Cell {
        /// Its row.
        row: usize,
        /// Its column.
        column: usize,
    },
    /// The total of a row.
    RowTotal(usize),
    /// The total of a column.
    ColumnTotal(usize),
    /// The table's total.
    Total,
}

/// What another publication already says about a table's entries, so that
/// two publications sharing a figure stay safe together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Linked {
    /// Entries another publication withholds: withheld here too.
    pub hidden: Vec<TableEntry>,
    /// Entries another publication shows (or gives away, as a list of
    /// answers gives away its length): chosen as complements only when no
    /// other entry is left (then check the returned table and withhold
    /// them in the other publication too).
    pub known: Vec<TableEntry>,
}

/// `table` with its small counts suppressed and enough complements hidden
/// that none can be recovered from the others (see the module comment).
pub fn publish_table(table: &CrossTable, threshold: Threshold) -> PublishedTable {
    publish_linked_table(table, threshold, &Linked::default())
}

/// [`publish_table`] for a table that shares figures with another
/// publication (see [`Linked`]).
pub fn publish_linked_table(
    table: &CrossTable,
    threshold: Threshold,
    linked: &Linked,
) -> PublishedTable {
    let grid = Grid::of(table);
    let marks = grid.suppress(threshold, linked);
    let shown = |row: usize, column: usize| {
        let value = grid.values[row][column];
        match marks[row][column] {
            Mark::Published => Shown::Count(value),
            Mark::Primary => Shown::Under(threshold.k()),
            Mark::Complement => Shown::Hidden,
        }
    };
    let (rows, columns) = (table.rows.len(), table.columns.len());
    PublishedTable {
        rows: table.rows.clone(),
        columns: table.columns.clone(),
        cells: (0..rows)
            .map(|row| (0..columns).map(|column| shown(row, column)).collect())
            .collect(),
        row_totals: (0..rows).map(|row| shown(row, columns)).collect(),
        column_totals: (0..columns).map(|column| shown(rows, column)).collect(),
        total: shown(rows, columns),
    }
}

/// Counts that add up to `total` (the answers to a choice question, or
/// answered, skipped and not asked), as they may be published: the table
/// of one column.
pub fn publish_counts(counts: &[u64], total: u64, threshold: Threshold) -> (Vec<Shown>, Shown) {
    publish_linked_counts(counts, total, threshold, &Linked::default())
}

/// [`publish_counts`] for counts sharing figures with another publication:
/// `linked` names entries of the one-column table (`Cell { row: i, column:
/// 0 }` for count `i`, `Total` for the total).
pub fn publish_linked_counts(
    counts: &[u64],
    total: u64,
    threshold: Threshold,
    linked: &Linked,
) -> (Vec<Shown>, Shown) {
    debug_assert_eq!(counts.iter().sum::<u64>(), total, "counts add up to total");
    let rows = counts
        .iter()
        .enumerate()
        .map(|(index, _)| Category::plain(index.to_string()))
        .collect();
    let cells = counts.iter().map(|count| vec![*count]).collect();
    let table = CrossTable::from_cells(rows, vec![Category::plain("all")], cells);
    let published = publish_linked_table(&table, threshold, linked);
    (
        published.cells.into_iter().map(|row| row[0]).collect(),
        published.total,
    )
}

/// How many of `answered` children chose an option, as it may be published
/// (a multiple-choice option, a ranking's first place): the children who
/// did not choose it (`answered − chose`) are a count too, so the figure is
/// shown only when both it and its remainder are publishable.
pub fn publish_share(chose: u64, answered: u64, threshold: Threshold) -> Shown {
    let remainder = answered.saturating_sub(chose);
    let (counts, total) = publish_counts(&[chose, remainder], chose + remainder, threshold);
    match (counts[0], total) {
        (Shown::Count(count), Shown::Count(_)) => Shown::Count(count),
        (Shown::Count(_), _) => Shown::Hidden,
        (shown, _) => shown,
    }
}

/// A statistic (median, quartile, mean) of `answers` answers, as it may be
/// published: withheld when fewer than k children gave them.
pub fn publish_statistic(value: Option<f64>, answers: u64, threshold: Threshold) -> Option<f64> {
    value.filter(|_| answers >= threshold.k())
}

/// Free-text answers of a group of `group_size` children as they may be
/// published: the words always, the ward and the participant's attributes
/// only when the group holds at least k children.
pub fn publish_free_text(
    answers: &[FreeTextAnswer],
    group_size: u64,
    threshold: Threshold,
) -> Vec<FreeTextAnswer> {
    let attributed = group_size >= threshold.k();
    answers
        .iter()
        .map(|answer| FreeTextAnswer {
            attributes: if attributed {
                answer.attributes.clone()
            } else {
                None
            },
            ..answer.clone()
        })
        .collect()
}
