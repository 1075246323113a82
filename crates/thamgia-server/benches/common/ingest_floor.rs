//! The ingest's floor: the same responses' JSON written straight into a
//! store of one table, with none of the server around it (no HTTP, no
//! decoding, no rules, no compression, no change log). What the storage
//! engine alone does with these rows on this machine at this moment, so a
//! round of the server's ingest can be read beside it: a slower stretch
//! of a shared machine slows both.
//!
//! Each batch of rows (as many as a push sends) is one multi-row `INSERT` in a
//! transaction of its own, committed as a push is: on SQLite in WAL mode
//! with `synchronous = FULL` and 8 KiB pages (the server's settings), on
//! PostgreSQL with the server's defaults (`fsync` and `synchronous_commit`
//! on).

use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

use anyhow::Result;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, Postgres, QueryBuilder, Sqlite};

/// The floor's one table: a response's id and its JSON.
const TABLE: &str = "CREATE TABLE floor (id TEXT PRIMARY KEY, content TEXT NOT NULL)";
const INSERT: &str = "INSERT INTO floor (id, content) ";

/// Creates the table in `$pool` (of database `$db`), writes `$rows` into
/// it `$batch` a transaction, closes the pool, and gives rows per second.
/// A macro, not a function generic over the database: sqlx's executor
/// bounds for a transaction of any database do not hold for both.
macro_rules! rows_per_second {
    ($pool:expr, $db:ty, $rows:expr, $batch:expr) => {{
        let pool = $pool;
        pool.execute(TABLE).await?;
        let started = Instant::now();
        for chunk in $rows.chunks($batch) {
            let mut transaction = pool.begin().await?;
            let mut insert = QueryBuilder::<$db>::new(INSERT);
            insert.push_values(chunk, |mut row, (id, json)| {
                row.push_bind(id.as_str()).push_bind(json.as_str());
            });
            insert.build().execute(&mut *transaction).await?;
            transaction.commit().await?;
        }
        let seconds = started.elapsed().as_secs_f64();
        pool.close().await;
        Ok($rows.len() as f64 / seconds)
    }};
}

/// Rows per second writing `rows` (id, JSON) into a fresh SQLite file in
/// `directory`, `batch` a transaction.
pub async fn sqlite_rate(directory: &Path, rows: &[(String, String)], batch: usize) -> Result<f64> {
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(directory.join("floor.sqlite3"))
        .create_if_missing(true)
        .page_size(8192)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    rows_per_second!(pool, Sqlite, rows, batch)
}

/// Rows per second writing `rows` into the fresh PostgreSQL database at
/// `url`, `batch` a transaction.
pub async fn postgres_rate(url: &str, rows: &[(String, String)], batch: usize) -> Result<f64> {
    let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
    rows_per_second!(pool, Postgres, rows, batch)
}
