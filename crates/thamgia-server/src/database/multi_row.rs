//! Multi-row statements: how many rows one holds on each backend, its
//! `VALUES` (or `IN`) list, and how a batch is cut into statements of a
//! few shapes.

use sqlx::AnyConnection;

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
/// binding one is one step and the statement may be longer. A push of
/// 500 responses is then 10 statements where it was 63 (`cargo bench -p
/// thamgia-server --bench ingest`, 4 tablets: about 28,000 responses/s
/// with 128 named values a statement, 34,000–36,000 with 256, 1,024 or
/// 4,096 own ones, alike within the runs' noise).
const SQLITE_MAX_OWN_BINDS: usize = 1024;

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

/// `items` cut for multi-row statements of at most `max_rows` rows: runs
/// of the largest power of two under `max_rows` while they fit, then the
/// rest by powers of two, largest first (500 rows: 256, 128, 64, 32, 16,
/// 4). A statement then has one of a dozen shapes whatever the batch, so
/// the prepared statements a connection caches (a hundred, each of a
/// multi-row insert a few hundred KB on SQLite) are reused rather than
/// one made per batch size.
pub(super) fn statement_chunks<T>(items: &[T], max_rows: usize) -> Vec<&[T]> {
    let mut largest = 1;
    while largest * 2 <= max_rows {
        largest *= 2;
    }
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
