//! Tables published beside a survey's results that share figures with
//! them: a question's answers split by a dimension (its row totals are the
//! question's counts, its total the number who answered) and who took
//! part (its total is the number of children), each as its page's marks in
//! the pattern of every scope say ([`publish_marked_table`]); and a table
//! published against one other publication alone ([`publish_against`], a
//! theme's split). A figure the results withhold is withheld in the table
//! too; should the table have to hide a figure the results show, it is not
//! published at all (the two together would give a child away).

use super::figures::Figure;
use super::joint::PageMarks;
use super::suppression::lines::Mark;
use super::suppression::{
    publish_linked_table, Linked, PublishedTable, Shown, TableEntry, Threshold,
};
use super::table::CrossTable;

/// `table` as the marks of its page in a pattern of every scope say (see
/// [`JointPattern::compute_linked`](super::joint::JointPattern::compute_linked));
/// a count the marks do not name that is under k is still "< k" (a safety
/// net: the marks come from the same cells).
pub fn publish_marked_table(
    table: &CrossTable,
    threshold: Threshold,
    marks: &PageMarks,
) -> PublishedTable {
    let shown = |figure: Figure, count: u64| {
        if threshold.is_small(count) {
            return Shown::Under(threshold.k());
        }
        match marks.of(&figure) {
            Mark::Published => Shown::Count(count),
            Mark::Primary => Shown::Under(threshold.k()),
            Mark::Complement => Shown::Hidden,
        }
    };
    PublishedTable {
        rows: table.rows.clone(),
        columns: table.columns.clone(),
        cells: table
            .rows
            .iter()
            .zip(&table.cells)
            .map(|(row, cells)| {
                table
                    .columns
                    .iter()
                    .zip(cells)
                    .map(|(column, count)| {
                        shown(Figure::Cell(row.key.clone(), column.key.clone()), *count)
                    })
                    .collect()
            })
            .collect(),
        row_totals: table
            .rows
            .iter()
            .zip(&table.row_totals)
            .map(|(row, count)| shown(Figure::RowTotal(row.key.clone()), *count))
            .collect(),
        column_totals: table
            .columns
            .iter()
            .zip(&table.column_totals)
            .map(|(column, count)| shown(Figure::ColumnTotal(column.key.clone()), *count))
            .collect(),
        total: shown(Figure::TableTotal, table.total),
    }
}

/// `table` published against what another publication shows of its row
/// totals (`rows[i]`: `None` when it shows nothing of row `i`) and its
/// total; `None` when publishing it would hide a figure shown there.
pub(super) fn publish_against(
    table: &CrossTable,
    rows: &[Option<Shown>],
    total: Option<Shown>,
    threshold: Threshold,
) -> Option<PublishedTable> {
    let mut linked = Linked::default();
    let mut link = |entry: TableEntry, shown: Option<Shown>| match shown {
        Some(shown) if shown.is_suppressed() => linked.hidden.push(entry),
        Some(_) => linked.known.push(entry),
        None => {}
    };
    for (row, shown) in rows.iter().enumerate() {
        link(TableEntry::RowTotal(row), *shown);
    }
    link(TableEntry::Total, total);
    let published = publish_linked_table(table, threshold, &linked);
    let gives_away = linked.known.iter().any(|entry| match entry {
        TableEntry::RowTotal(row) => published
            .row_totals
            .get(*row)
            .is_some_and(|total| total.is_suppressed()),
        TableEntry::Total => published.total.is_suppressed(),
        TableEntry::Cell { .. } | TableEntry::ColumnTotal(_) => false,
    });
    (!gives_away).then_some(published)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Category;

    fn table(cells: Vec<Vec<u64>>) -> CrossTable {
        let rows = (0..cells.len())
            .map(|row| Category::plain(format!("r{row}")))
            .collect();
        let columns = (0..cells[0].len())
            .map(|column| Category::plain(format!("c{column}")))
            .collect();
        CrossTable::from_cells(rows, columns, cells)
    }

    #[test]
    fn a_total_withheld_beside_is_withheld_here() {
        let big = table(vec![vec![10, 12], vec![11, 13]]);
        let alone = publish_against(&big, &[], Some(Shown::Count(46)), Threshold::default())
            .expect("published");
        assert_eq!(alone.total, Shown::Count(46));
        let hidden = publish_against(&big, &[], Some(Shown::Hidden), Threshold::default())
            .expect("published");
        assert!(hidden.total.is_suppressed(), "{hidden:?}");
    }

    #[test]
    fn a_table_that_would_hide_a_figure_shown_beside_is_not_published() {
        // One row total is 3: it must be hidden, and its only partner is a
        // row total the results show (no cell complement can protect it, as
        // the small row has one cell). Publishing the table would need to
        // hide the shown one.
        let small = table(vec![vec![3], vec![20]]);
        let shown_rows = [Some(Shown::Count(3)), Some(Shown::Count(20))];
        assert_eq!(
            publish_against(
                &small,
                &shown_rows,
                Some(Shown::Count(23)),
                Threshold::default()
            ),
            None
        );
        // With no figure shown beside, it publishes with its complements.
        assert!(publish_against(&small, &[None, None], None, Threshold::default()).is_some());
    }
}
