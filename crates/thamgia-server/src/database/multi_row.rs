//! Multi-row statements: how many rows one holds on each backend, its
//! `VALUES` (or `IN`) list, and how a batch is cut into statements of a
//! few shapes.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

/// Most values one statement binds on PostgreSQL: under its limit of
/// 65,535. Multi-row statements are cut to stay under.
const MAX_BINDS: usize = 32_766;

/// Most values one statement binds on SQLite, far under its limit (32,766):
/// sqlx binds each value by asking SQLite the name of its parameter
/// (`sqlite3_bind_parameter_name`, to map `$n` to the n-th value), and
/// SQLite finds a name by walking the statement's list of names, so a
/// statement of n values costs n²/2 steps to bind. At 32,766 binding took
/// a quarter of the ingest's CPU; 128 values (8 rows of a response) keep it
/// small while each statement still carries several rows (`cargo bench -p
/// thamgia-server --bench ingest`: 12,300 responses/s, 15,200 at 500
/// values, 19,000–20,000 at 64 and 128, 15,000 at 32).
const SQLITE_MAX_BINDS: usize = 128;

/// Most values one statement whose every value is its rows' own binds on
/// SQLite ([`own_values_list`]): its placeholders have no names, so
/// binding one is one step and the statement may be longer (4 tablets:
/// about 28,000 responses/s with 128 named values a statement,
/// 34,000–36,000 with 256, 1,024 or 4,096 own ones, alike within the runs'
/// noise). 16,384 lets a push of 500 responses be one statement written
/// for 512 rows ([`padded_chunks`]) where it was 17 of at most 32: what
/// each statement costs beside its rows (a round trip to the connection's
/// thread, the statement found in the cache, its bindings reset) is paid
/// under the write lock (`cargo bench -p thamgia-server --bench ingest`,
/// each push's stages timed in a build instrumented for it: the writes of
/// a push of 500 went from 6.2–7.8 ms to 5.8–5.9, reading what is held
/// from 1.8–2.2 ms to 1.3–1.4). The largest statement a connection then
/// caches, a push's 512 rows of responses, takes about 2 MB.
const SQLITE_MAX_OWN_BINDS: usize = 16_384;

fn on_sqlite(connection: &AnyConnection) -> bool {
    connection.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME
}

/// A multi-row `VALUES` (or `IN`) list of a statement whose every value
/// is its rows' own (no value shared by every row, none bound before the
/// list): `rows` copies of `tuple`, its `?` bound in turn. On SQLite they
/// stay `?`, which SQLite numbers in order and sqlx binds in order
/// without asking their names (binding a named one walks the statement's
/// list of names: see [`SQLITE_MAX_BINDS`]); on PostgreSQL they are
/// numbered from `$1`. Cut with [`own_rows_per_statement`].
pub(super) fn own_values_list(connection: &AnyConnection, tuple: &str, rows: usize) -> String {
    if on_sqlite(connection) {
        let mut sql = String::with_capacity(rows * (tuple.len() + 2));
        for row in 0..rows {
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push_str(tuple);
        }
        sql
    } else {
        values_list(tuple, rows, 1)
    }
}

/// [`own_values_list`] for a list that follows `bound` values of its own
/// statement bound before it (on PostgreSQL numbered from `$bound + 1`).
pub(super) fn own_values_list_after(
    connection: &AnyConnection,
    tuple: &str,
    rows: usize,
    bound: usize,
) -> String {
    if on_sqlite(connection) {
        own_values_list(connection, tuple, rows)
    } else {
        values_list(tuple, rows, bound + 1)
    }
}

/// How many rows of `tuple` one statement built with [`own_values_list`]
/// holds: under [`MAX_BINDS`] on PostgreSQL, [`SQLITE_MAX_OWN_BINDS`] on
/// SQLite.
pub(super) fn own_rows_per_statement(connection: &AnyConnection, tuple: &str) -> usize {
    let most = if on_sqlite(connection) {
        SQLITE_MAX_OWN_BINDS
    } else {
        MAX_BINDS
    };
    (most / tuple.matches('?').count().max(1)).max(1)
}

/// A multi-row `VALUES` list (or an `IN` list, with `tuple` `?`): `rows`
/// copies of `tuple` joined by commas, each `?` in them numbered in turn
/// from `$first` (the row's own values, bound in that order), the rest
/// kept as written (`$1` for a value every row shares, `NULL`, `0`).
/// The placeholders are written out because `QueryBuilder` writes `?` for
/// the `Any` driver, which PostgreSQL does not read.
pub(super) fn values_list(tuple: &str, rows: usize, first: usize) -> String {
    let mut sql = String::with_capacity(rows * (tuple.len() + 16));
    let mut next = first;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        for character in tuple.chars() {
            if character == '?' {
                sql.push('$');
                sql.push_str(&next.to_string());
                next += 1;
            } else {
                sql.push(character);
            }
        }
    }
    sql
}

/// The start of a multi-row insert whose every failure rolls its whole
/// transaction back: `INSERT OR FAIL INTO` on SQLite, where a statement
/// that writes several rows and may abort (a NOT NULL or UNIQUE
/// constraint) otherwise keeps a statement journal, a copy of every page
/// it changes, to undo itself alone: at 128 responses a statement, more
/// page copies than the pages themselves. FAIL stops at the failing row
/// without undoing the rows before it, which the rollback then undoes. On
/// PostgreSQL a plain `INSERT INTO`.
pub(super) fn insert_failing_whole(connection: &AnyConnection) -> &'static str {
    if on_sqlite(connection) {
        "INSERT OR FAIL INTO"
    } else {
        "INSERT INTO"
    }
}

/// How many rows of `tuple` one statement on `connection` holds beside
/// `shared` values every row refers to, under [`MAX_BINDS`] (or
/// [`SQLITE_MAX_BINDS`] on SQLite).
pub(super) fn rows_per_statement(connection: &AnyConnection, tuple: &str, shared: usize) -> usize {
    let most = if on_sqlite(connection) {
        SQLITE_MAX_BINDS
    } else {
        MAX_BINDS
    };
    let own = tuple.matches('?').count().max(1);
    (most.saturating_sub(shared) / own).max(1)
}

/// The largest power of two at most `max_rows` (1 for none): the largest
/// statement [`statement_chunks`] and [`padded_chunks`] write.
fn largest_shape(max_rows: usize) -> usize {
    match max_rows.checked_ilog2() {
        Some(bits) => 1 << bits,
        None => 1,
    }
}

/// `items` cut for multi-row statements of at most `max_rows` rows: runs
/// of the largest power of two under `max_rows` while they fit, then the
/// rest by powers of two, largest first (500 rows: 256, 128, 64, 32, 16,
/// 4). A statement then has one of a dozen shapes whatever the batch, so
/// the prepared statements a connection caches (a hundred, each of a
/// multi-row insert a few hundred KB on SQLite) are reused rather than
/// one made per batch size.
pub(super) fn statement_chunks<T>(items: &[T], max_rows: usize) -> Vec<&[T]> {
    let largest = largest_shape(max_rows);
    let mut chunks = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let mut size = largest;
        while size > rest.len() {
            size /= 2;
        }
        let (chunk, tail) = rest.split_at(size);
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

/// A run of a batch's items for one statement, and the number of rows (or
/// `IN` list entries) the statement is written for: its `shape`, at least
/// as many as the run holds; the rest is padding ([`padded_chunks`]).
pub(super) struct Padded<'a, T> {
    pub(super) items: &'a [T],
    pub(super) shape: usize,
}

impl<T> Padded<'_, T> {
    /// How many padding rows (or entries) follow the run's own.
    pub(super) fn padding(&self) -> usize {
        self.shape.saturating_sub(self.items.len())
    }
}

/// `items` cut for statements of at most `max_rows` rows, each written for
/// a power of two: runs of the largest power of two under `max_rows` while
/// they fit, then the rest in one statement padded up to the next power of
/// two (500 rows, 1,024 at most: one statement written for 512). A batch
/// of any size is then as few statements as it can be (one for a push on
/// SQLite), each of one of a dozen shapes, so the statements a connection
/// caches are reused. The padding is the caller's to make harmless: an
/// `IN` list repeats its last entry, an insert's rows are filtered
/// ([`insert_rows`]).
pub(super) fn padded_chunks<T>(items: &[T], max_rows: usize) -> Vec<Padded<'_, T>> {
    let largest = largest_shape(max_rows);
    let mut chunks = Vec::new();
    let mut rest = items;
    while rest.len() >= largest {
        let (chunk, tail) = rest.split_at(largest);
        chunks.push(Padded {
            items: chunk,
            shape: largest,
        });
        rest = tail;
    }
    if !rest.is_empty() {
        chunks.push(Padded {
            items: rest,
            shape: rest.len().next_power_of_two(),
        });
    }
    chunks
}

/// A multi-row insert's rows of `tuple` cut for its statements: on SQLite
/// padded ([`padded_chunks`], at most [`own_rows_per_statement`] rows a
/// statement), the padding rows bound NULL ([`bind_padding`]) and left out
/// by [`insert_rows`]; on PostgreSQL, which would need each padding value
/// typed, as [`statement_chunks`] cuts them, unpadded.
pub(super) fn insert_chunks<'a, T>(
    connection: &AnyConnection,
    items: &'a [T],
    tuple: &str,
) -> Vec<Padded<'a, T>> {
    let most = own_rows_per_statement(connection, tuple);
    if on_sqlite(connection) {
        padded_chunks(items, most)
    } else {
        statement_chunks(items, most)
            .into_iter()
            .map(|chunk| Padded {
                items: chunk,
                shape: chunk.len(),
            })
            .collect()
    }
}

/// The rows of a multi-row insert of `chunk` ([`insert_chunks`]), each a
/// copy of `tuple` whose values are its own: on SQLite `SELECT * FROM
/// (VALUES …) WHERE column1 IS NOT NULL`, which leaves the padding rows
/// out (a row's first value must never be NULL); on PostgreSQL `VALUES …`.
/// An `ON CONFLICT` clause may follow either (SQLite reads one after a
/// `SELECT` only once it has a `WHERE`).
pub(super) fn insert_rows<T>(
    connection: &AnyConnection,
    tuple: &str,
    chunk: &Padded<'_, T>,
) -> String {
    let values = own_values_list(connection, tuple, chunk.shape);
    if on_sqlite(connection) {
        format!("SELECT * FROM (VALUES {values}) WHERE column1 IS NOT NULL")
    } else {
        format!("VALUES {values}")
    }
}

/// `query` with the padding rows of `chunk` bound after its own: NULL for
/// each value of `tuple`.
pub(super) fn bind_padding<'q, T>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    tuple: &str,
    chunk: &Padded<'_, T>,
) -> Query<'q, Any, AnyArguments<'q>> {
    let values = tuple.matches('?').count();
    for _ in 0..chunk.padding() * values {
        query = query.bind(None::<&str>);
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each chunk's length and shape.
    fn cut(count: usize, max_rows: usize) -> Vec<(usize, usize)> {
        let items: Vec<usize> = (0..count).collect();
        let chunks = padded_chunks(&items, max_rows);
        // Every item once, in order.
        let joined: Vec<usize> = chunks
            .iter()
            .flat_map(|chunk| chunk.items.iter().copied())
            .collect();
        assert_eq!(joined, items);
        chunks
            .iter()
            .map(|chunk| (chunk.items.len(), chunk.shape))
            .collect()
    }

    #[test]
    fn a_push_is_one_statement_padded_up_to_a_power_of_two() {
        assert_eq!(cut(500, 963), vec![(500, 512)]);
        assert_eq!(cut(512, 963), vec![(512, 512)]);
        assert_eq!(cut(3, 963), vec![(3, 4)]);
        assert_eq!(cut(1, 963), vec![(1, 1)]);
        assert_eq!(cut(0, 963), vec![]);
    }

    #[test]
    fn more_rows_than_a_statement_holds_are_runs_of_its_largest_shape() {
        assert_eq!(cut(1100, 512), vec![(512, 512), (512, 512), (76, 128)]);
        assert_eq!(cut(1024, 600), vec![(512, 512), (512, 512)]);
        // Whatever the most, a shape is a power of two no larger than it.
        for count in 0..300 {
            for max_rows in [1, 2, 3, 5, 64, 100] {
                for (length, shape) in cut(count, max_rows) {
                    assert!(shape.is_power_of_two() && shape <= max_rows && length <= shape);
                    assert!(length > 0);
                }
            }
        }
    }

    #[test]
    fn the_largest_shape_is_the_largest_power_of_two_under_the_most() {
        assert_eq!(largest_shape(0), 1);
        assert_eq!(largest_shape(1), 1);
        assert_eq!(largest_shape(963), 512);
        assert_eq!(largest_shape(1024), 1024);
        assert_eq!(largest_shape(1025), 1024);
    }

    #[test]
    fn padding_is_what_the_shape_holds_beyond_the_items() {
        let items = [1, 2, 3];
        let chunk = Padded {
            items: &items,
            shape: 4,
        };
        assert_eq!(chunk.padding(), 1);
    }
}
