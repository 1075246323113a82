//! The server's store, with the sync protocol's rules, on SQLite or
//! PostgreSQL through sqlx's `Any` driver: one set of queries for both.
//!
//! The URL chooses the backend ([`Backend`]): a `sqlite:` file for one town
//! hall or a developer, a `postgres://` server for the whole city. Every
//! query is written once, with `$1, $2, …` placeholders and only the types
//! both drivers share; the few statements that differ (taking the write
//! lock, the migrations) branch on the backend.
//!
//! Writers are serialised on both backends ([`Database::begin_write`]): a
//! push is applied in one write transaction and its answer is built only
//! from what was committed. SQLite runs in WAL mode with
//! `synchronous = FULL`, so a committed push survives a power cut, not only
//! a crash of the process; PostgreSQL gives the same guarantee with its
//! defaults (`fsync` and `synchronous_commit` on).
//!
//! This file holds the pool, the backend, the write lock and the
//! migrations; the queries are grouped by aggregate in `database/`: the
//! sync protocol (`sync`), `responses`, `reports`, `surveys`, `forums`,
//! refused records (`quarantine`), `accounts` and device tokens, the
//! `audit` log, survey `themes` and the answers tagged with them, the
//! town hall's reads (`townhall`), and when each ward last pushed
//! (`activity`, for `/metrics`). No other module of the server writes SQL.

mod accounts;
mod activity;
mod audit;
mod chains;
mod forums;
mod multi_row;
mod quarantine;
mod referrals;
mod reports;
mod responses;
mod results;
mod results_token;
mod surveys;
mod sync;
mod themes;
mod townhall;

use multi_row::{
    bind_padding, insert_chunks, insert_failing_whole, insert_rows, own_rows_per_statement,
    own_values_list, own_values_list_after, padded_chunks, rows_per_statement, statement_chunks,
    values_list,
};

use std::path::Path;
use std::str::FromStr;
use std::sync::Once;

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Row, Transaction};
use thamgia_core::ChangeEntity;

use crate::error::ServerError;

pub(crate) use forums::recommendation_ward;
pub use forums::{AnswerBody, ForumView, RecommendationView};
pub use quarantine::{Release, WaitingRecord};
pub use referrals::FollowUp;
pub(crate) use responses::response_ward;
pub use responses::StoredResponse;
pub use results_token::ResultsToken;
pub use sync::KnownWard;
pub use themes::{TagChange, ThemeChange};
pub use townhall::{
    milestone, period_dates, Overview, Participation, TrendPoint, WardOverview,
    PARTICIPATION_INDICATOR,
};

/// Which database engine holds the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (`sqlite:` URLs).
    Sqlite,
    /// A PostgreSQL server (`postgres://` or `postgresql://` URLs).
    Postgres,
}

impl Backend {
    /// The backend a database URL names, or a configuration error for any
    /// other scheme.
    pub fn of_url(url: &str) -> Result<Backend, sqlx::Error> {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(sqlx::Error::Configuration(
                format!("unsupported database URL scheme `{scheme}:`: use sqlite: or postgres://")
                    .into(),
            )),
        }
    }

    /// The engine's name, for logs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// The SQLite settings every connection gets, run when it is opened. The
/// busy timeout comes first so that switching to WAL waits for a lock
/// instead of failing; `journal_mode = WAL` is then recorded in the file.
///
/// The page size only counts for a new file (before WAL writes its first
/// page; an existing file keeps its own): 8 KiB pages hold five rows of a
/// response (about 1.5 KiB with its answers) where 4 KiB pages held two
/// and left a quarter of each page empty.
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA busy_timeout = 10000",
    "PRAGMA page_size = 8192",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
];

/// The PostgreSQL advisory lock every write transaction takes (the bytes of
/// "thamgia"); advisory locks are per database, so two databases on one
/// server do not wait for each other.
const POSTGRES_WRITE_LOCK: i64 = 0x0074_6861_6d67_6961;

/// How long a PostgreSQL writer waits for [`POSTGRES_WRITE_LOCK`], as long
/// as SQLite's `busy_timeout` (10 s), for this transaction only.
const POSTGRES_WRITE_LOCK_WAIT: &str = "SET LOCAL lock_timeout = '10s'";

/// A pool of at most `connections` to the SQLite file `url` names, each
/// connection given [`SQLITE_PRAGMAS`] when it is opened.
async fn sqlite_pool(url: &str, connections: u32) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(|connection, _| {
            Box::pin(async move {
                for pragma in SQLITE_PRAGMAS {
                    sqlx::query(pragma).execute(&mut *connection).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
}

/// Registers sqlx's drivers for the `Any` pool, once per process.
fn install_drivers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(sqlx::any::install_default_drivers);
}

/// The URL with its password and query removed, safe to log.
pub fn redacted_url(url: &str) -> String {
    match AnyConnectOptions::from_str(url) {
        Ok(options) => {
            let mut url = options.database_url;
            // Only a URL that cannot hold a password refuses to drop one:
            // then there is nothing to hide.
            if url.set_password(None).is_err() {
                tracing::trace!("the database URL cannot hold a password");
            }
            url.set_query(None);
            url.to_string()
        }
        Err(_) => "(an unreadable database URL)".to_owned(),
    }
}

/// The store. Cheap to clone: it holds a connection pool.
#[derive(Clone, Debug)]
pub struct Database {
    pool: AnyPool,
    /// Where write transactions start ([`Database::begin_write`]): on
    /// SQLite a pool of one connection of its own, so this process's
    /// writers queue for it in order instead of polling SQLite's lock
    /// (its busy handler sleeps up to 100 ms between tries), keep no
    /// reader's connection while they wait, and find the pages the last
    /// write read still in that connection's cache; on PostgreSQL `pool`
    /// itself (the advisory lock queues writers across processes).
    writer: AnyPool,
    backend: Backend,
    /// Permits for the town hall's heavy reads (a page of an export, a
    /// view that scans): fewer than the pool's connections, so however
    /// many officers read at once, the tablets' push and pull always find
    /// a connection (see [`Database::heavy_read`]).
    heavy_reads: std::sync::Arc<tokio::sync::Semaphore>,
    /// The reports of the periods last read, merged, with the count of
    /// edits they were merged from (`reports::KeptReports`).
    kept_reports: reports::KeptReports,
}

/// Connections of the pool never given to heavy town hall reads: the
/// tablets' sync and every light request share them.
const KEPT_FOR_SYNC: u32 = 2;

/// How many heavy town hall reads run at once: the pool's connections less
/// those kept for sync, and no more than the machine's cores (at least 2).
/// A connection kept free is not enough when the reads take every core: at
/// a million responses on PostgreSQL, 5 officers exporting and loading the
/// overview with 8 reads at once on 2 cores put a tablet's push at p95
/// 141 ms; reads beyond the cores only wait in the run queue anyway.
fn heavy_read_permits(connections: u32) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    ((connections - KEPT_FOR_SYNC) as usize).min(cores.max(2))
}

/// How long a heavy read waits for room before the officer is told the
/// server is busy (well under the request timeout).
const HEAVY_READ_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The SHA-256 of `text`, in lowercase hex.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn enum_text<T: serde::Serialize>(value: &T) -> Result<String, ServerError> {
    Ok(serde_json::to_value(value)?
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default())
}

impl Database {
    /// Opens (creating if needed) the SQLite file at `path`, creating its
    /// directory too, and migrates it.
    pub async fn open(path: &Path) -> Result<Database, sqlx::Error> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        // sqlx builds the URL (`mode=rwc`), percent-encoding what a path may
        // hold; an absolute path keeps a relative one from reading as a host.
        let url = SqliteConnectOptions::new()
            .filename(std::path::absolute(path)?)
            .create_if_missing(true)
            .to_url_lossy();
        Database::connect(url.as_str()).await
    }

    /// Connects to the database `url` names and migrates it: `sqlite:` or
    /// `sqlite://` for a SQLite file (add `?mode=rwc` to create it), or
    /// `postgres://` / `postgresql://` for a PostgreSQL database that exists.
    pub async fn connect(url: &str) -> Result<Database, sqlx::Error> {
        install_drivers();
        let backend = Backend::of_url(url)?;
        let connections = match backend {
            // SQLite lets one writer in at a time anyway: a few connections
            // serve the readers.
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        };
        let pool = match backend {
            Backend::Sqlite => sqlite_pool(url, connections).await?,
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(connections)
                    .connect(url)
                    .await?
            }
        };
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let writer = match backend {
            Backend::Sqlite => sqlite_pool(url, 1).await?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Database {
            pool,
            writer,
            backend,
            heavy_reads: std::sync::Arc::new(tokio::sync::Semaphore::new(heavy_read_permits(
                connections,
            ))),
            kept_reports: reports::KeptReports::default(),
        })
    }

    /// Room for one heavy town hall read (a page of an export, a scan):
    /// held while its query runs, so at most the pool's connections less
    /// [`KEPT_FOR_SYNC`], and no more than the cores
    /// ([`heavy_read_permits`]), serve such reads at once and the tablets
    /// never wait behind them. Waits up to [`HEAVY_READ_WAIT`], then answers
    /// that the server is busy.
    pub async fn heavy_read(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ServerError> {
        let waited = tokio::time::timeout(
            HEAVY_READ_WAIT,
            std::sync::Arc::clone(&self.heavy_reads).acquire_owned(),
        )
        .await;
        match waited {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_closed)) => Err(ServerError::Internal("the store is closing".to_owned())),
            Err(_elapsed) => Err(ServerError::Busy(thamgia_core::Localized::new(
                "Máy chủ đang bận phục vụ các yêu cầu lớn khác của thành phố. Hãy thử lại sau ít phút.",
                "The server is busy with other large requests of the city. Try again in a few minutes.",
            ))),
        }
    }

    /// Which engine holds the store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for the other query modules of this crate.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. Every writer goes through here, and
    /// writers run one at a time on both backends: on SQLite the writer's
    /// one connection is taken in turn, then `BEGIN IMMEDIATE` takes the
    /// database's write lock at once; on PostgreSQL
    /// the transaction first takes one advisory lock, held until it commits
    /// or rolls back. This matters beyond avoiding lost updates: the pull
    /// cursor is `changes.seq`, and a tablet that pulled up to seq N never
    /// asks for anything at or below N again. Two writers at once could
    /// commit seq N+1 after N+2 was already pulled, and N+1 would be missed
    /// forever; serialised writers commit their changes in seq order.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => {
                let mut transaction = self.writer.begin().await?;
                // Every wait has a bound, as SQLite's busy timeout bounds
                // its writers: past it the lock is not granted (55P03),
                // and the request is answered 503, to be sent again.
                sqlx::query(POSTGRES_WRITE_LOCK_WAIT)
                    .execute(&mut *transaction)
                    .await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(POSTGRES_WRITE_LOCK)
                    .execute(&mut *transaction)
                    .await?;
                Ok(transaction)
            }
        }
    }

    /// Closes every connection; called on shutdown. Returns once every
    /// connection is closed (on SQLite the last one checkpoints the WAL into
    /// the file), or after 10 s.
    ///
    /// sqlx hands a released connection back to its pool from a task of its
    /// own: one released just before `close` can land in the closed pool's
    /// idle queue after `close` emptied it, and would then stay open. So
    /// the pools are closed again until none holds a connection.
    pub async fn close(&self) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            self.writer.close().await;
            self.pool.close().await;
            if self.writer.size() == 0 && self.pool.size() == 0 {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(
                    open = self.writer.size() + self.pool.size(),
                    "database connections still open 10 s after closing"
                );
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// How many bytes the store takes: on SQLite its pages once a
    /// checkpoint has folded the WAL into the file (`page_count ×
    /// page_size`), on PostgreSQL `pg_database_size` of its database. For
    /// the bench's bytes stored per response.
    pub async fn stored_bytes(&self) -> Result<u64, ServerError> {
        match self.backend {
            Backend::Sqlite => {
                // On the writer's connection: no write of this process is
                // under way while it checkpoints.
                let mut connection = self.writer.acquire().await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut *connection)
                    .await?;
                let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                    .fetch_one(&mut *connection)
                    .await?;
                let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
                    .fetch_one(&mut *connection)
                    .await?;
                Ok((pages.max(0) as u64) * (page_size.max(0) as u64))
            }
            Backend::Postgres => {
                let bytes: i64 = sqlx::query_scalar(
                    "SELECT CAST(pg_database_size(current_database()) AS BIGINT)",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok(bytes.max(0) as u64)
            }
        }
    }

    /// Checks that the database answers, and returns the newest migration
    /// applied to it and the newest this server carries (equal once the
    /// server has started: it migrates before it serves).
    pub async fn health(&self) -> Result<(i64, i64), ServerError> {
        let applied: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&self.pool)
        .await?;
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        let carried = migrator
            .iter()
            .map(|migration| migration.version)
            .max()
            .unwrap_or(0);
        Ok((applied, carried))
    }

    /// The settings a durable commit rests on, as the engine reports them:
    /// on SQLite `journal_mode`, `synchronous`, `foreign_keys` and
    /// `busy_timeout` (every pooled connection gets the same); on PostgreSQL
    /// `fsync` and `synchronous_commit`.
    pub async fn durability(&self) -> Result<Vec<(&'static str, String)>, ServerError> {
        let (names, statement): (&[&'static str], fn(&str) -> String) = match self.backend {
            Backend::Sqlite => (
                &[
                    "journal_mode",
                    "synchronous",
                    "foreign_keys",
                    "busy_timeout",
                ],
                |name| format!("PRAGMA {name}"),
            ),
            Backend::Postgres => (&["fsync", "synchronous_commit"], |name| {
                format!("SHOW {name}")
            }),
        };
        let mut connection = self.pool.acquire().await?;
        let mut settings = Vec::with_capacity(names.len());
        for name in names {
            let row = sqlx::query(&statement(name))
                .fetch_one(&mut *connection)
                .await?;
            let value = match row.try_get::<String, _>(0) {
                Ok(text) => text,
                Err(_) => row.try_get::<i64, _>(0)?.to_string(),
            };
            settings.push((*name, value));
        }
        Ok(settings)
    }
}

/// Logs a change for the tablets to pull: the one writer of the `changes`
/// table. `kind` and `entity_id` name what changed, `entity` is what a
/// tablet receives, `at` when the server took it, and `ward_code` the ward
/// it belongs to (`None`: every ward's tablets pull it).
async fn log_change(
    connection: &mut AnyConnection,
    kind: &str,
    entity_id: &str,
    entity: &ChangeEntity,
    at: &str,
    ward_code: Option<&str>,
) -> Result<(), ServerError> {
    sqlx::query(
        "INSERT INTO changes (kind, entity_id, payload, created_at, ward_code)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kind)
    .bind(entity_id)
    .bind(serde_json::to_string(entity)?)
    .bind(at)
    .bind(ward_code)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_chooses_the_backend() {
        for (url, backend) in [
            ("sqlite:data/thamgia.sqlite3", Backend::Sqlite),
            ("sqlite:///srv/thamgia.sqlite3?mode=rwc", Backend::Sqlite),
            ("postgres://thamgia@localhost/thamgia", Backend::Postgres),
            ("postgresql://thamgia@db:5432/thamgia", Backend::Postgres),
        ] {
            assert_eq!(Backend::of_url(url).expect(url), backend);
        }
        assert!(Backend::of_url("mysql://localhost/thamgia").is_err());
        assert!(Backend::of_url("data/thamgia.sqlite3").is_err());
    }

    #[test]
    fn a_logged_url_has_no_password() {
        let shown = redacted_url("postgres://thamgia:s3cret@db:5432/thamgia?password=other");
        assert!(
            !shown.contains("s3cret") && !shown.contains("other"),
            "{shown}"
        );
        assert!(shown.contains("thamgia@db:5432/thamgia"), "{shown}");
        assert!(!redacted_url("not a url").contains("not a url"));
    }
}
