//! The server's database for one run, on SQLite or PostgreSQL, and the
//! "restore from an older backup" scenario's work on each.
//!
//! - **SQLite**: a fresh file in the run's temporary directory. A backup is
//!   the file with its `-wal`, copied while the server is down (just after a
//!   SIGKILL: what SQLite committed is in the file and its WAL, which the
//!   next open replays; the `-shm` is only an index of the WAL, rebuilt from
//!   it, so it is never copied and is deleted beside a copy). Restoring
//!   copies them back over the live ones, and deletes a live `-wal` the
//!   backup does not have. The suite never opens the live file itself while
//!   the server is down: it counts a copy. sqlx's pool `close` does not wait
//!   for every SQLite connection to be closed, and a connection closing late
//!   checkpoints its WAL into whatever file is then at its path: after a
//!   restore, into the restored file, silently undoing the restore (or
//!   mixing pages of both states). Found by this suite, in itself.
//! - **PostgreSQL**: a fresh database `thamgia_faults_<random>` made through
//!   the URL given (whose user may `CREATE DATABASE`), from `template0` in
//!   the C locale. A backup is `CREATE DATABASE <name>_backup TEMPLATE
//!   <name>`, made while the server is down: PostgreSQL copies what it
//!   committed. The server's connections, which may outlive the SIGKILL for
//!   a moment on the PostgreSQL side, are ended first (a copy needs its
//!   template unused); a transaction they had not committed is rolled back,
//!   as a crash would. Restoring drops the live database (`WITH (FORCE)`)
//!   and makes it again from the backup (`TEMPLATE`), under the same name,
//!   so the server restarts on the same URL.
//!
//! Either way the server then starts on exactly the state of the backup and
//! has forgotten everything it acknowledged since. Both databases are
//! dropped at the end of a run that passed, and kept (named in the summary)
//! after one that failed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use sqlx::any::AnyConnectOptions;
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};

use crate::server::ServerDatabase;
use crate::verify::{self, DatabaseCounts};

/// The database file itself (empty suffix) and its write-ahead log: what a
/// copy holds.
const COPIED: [&str; 2] = ["", "-wal"];
/// The WAL's index, rebuilt from the WAL by the next open: deleted beside a
/// copy, never copied.
const INDEX: &str = "-shm";

/// How many times a `CREATE DATABASE … TEMPLATE` is tried while the
/// template's last connections go away (PostgreSQL itself waits up to 5 s
/// each time).
const COPY_ATTEMPTS: u32 = 4;

/// The server's database for one run.
pub enum RunDatabase {
    /// A SQLite file.
    Sqlite {
        /// The live file.
        path: PathBuf,
        /// Where the backup is copied.
        backup: PathBuf,
    },
    /// A database of its own on a PostgreSQL server.
    Postgres(Postgres),
}

/// The run's databases on a PostgreSQL server.
pub struct Postgres {
    /// The URL given, used for `CREATE` and `DROP DATABASE`.
    admin_url: String,
    /// The live database's name.
    name: String,
    /// The live database's URL (what the server runs on).
    url: String,
    /// The backup's name.
    backup_name: String,
    /// Where the server is, without a password, for the summary.
    host: String,
}

impl RunDatabase {
    /// A fresh SQLite file in `directory`.
    pub fn sqlite(directory: &Path) -> RunDatabase {
        RunDatabase::Sqlite {
            path: directory.join("faults.sqlite3"),
            backup: directory.join("backup").join("faults.sqlite3"),
        }
    }

    /// A fresh database on the PostgreSQL server of `admin_url`.
    pub async fn postgres(admin_url: &str) -> Result<RunDatabase> {
        let options = AnyConnectOptions::from_str(admin_url)
            .map_err(|error| anyhow!("the PostgreSQL URL is unreadable: {error}"))?;
        let mut url = options.database_url;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            bail!("--database-url must be a postgres:// URL");
        }
        let name = format!("thamgia_faults_{}", uuid::Uuid::new_v4().simple());
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or("localhost"),
            url.port().unwrap_or(5432)
        );
        url.set_path(&format!("/{name}"));
        let database = Postgres {
            admin_url: admin_url.to_owned(),
            backup_name: format!("{name}_backup"),
            name,
            url: url.to_string(),
            host,
        };
        database
            .admin(&[format!(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' \
                 LC_COLLATE 'C' LC_CTYPE 'C'",
                database.name
            )])
            .await
            .context("making the run's database")?;
        Ok(RunDatabase::Postgres(database))
    }

    /// The engine's name.
    pub fn backend(&self) -> &'static str {
        match self {
            RunDatabase::Sqlite { .. } => "SQLite",
            RunDatabase::Postgres(_) => "PostgreSQL",
        }
    }

    /// What the server is started on.
    pub fn for_server(&self) -> ServerDatabase {
        match self {
            RunDatabase::Sqlite { path, .. } => ServerDatabase::File(path.clone()),
            RunDatabase::Postgres(database) => ServerDatabase::Url(database.url.clone()),
        }
    }

    /// Where the data is, for people (no password).
    pub fn describe(&self) -> String {
        match self {
            RunDatabase::Sqlite { path, .. } => path.display().to_string(),
            RunDatabase::Postgres(database) => format!(
                "databases {} and {} on the PostgreSQL server at {}",
                database.name, database.backup_name, database.host
            ),
        }
    }

    /// Counts what the database holds (the server must be down): on SQLite
    /// in a copy of its file (see the module's notes), on PostgreSQL in the
    /// database itself.
    pub async fn counts(&self) -> Result<DatabaseCounts> {
        match self {
            RunDatabase::Sqlite { path, .. } => {
                let parent = path.parent().unwrap_or(Path::new("."));
                let scratch = tempfile::Builder::new()
                    .prefix("counted-")
                    .tempdir_in(parent)
                    .context("making a directory for a copy of the database")?;
                let copy = scratch.path().join("copy.sqlite3");
                copy_files(path, &copy)?;
                count(thamgia_server::Database::open(&copy).await).await
            }
            RunDatabase::Postgres(database) => {
                count(thamgia_server::Database::connect(&database.url).await).await
            }
        }
    }

    /// Takes the backup. The server must be down.
    pub async fn back_up(&self) -> Result<()> {
        match self {
            RunDatabase::Sqlite { path, backup } => copy_files(path, backup).map(drop),
            RunDatabase::Postgres(database) => {
                database.end_connections(&database.name).await?;
                database.copy(&database.name, &database.backup_name).await
            }
        }
    }

    /// Puts the backup in place of the live database. The server must be
    /// down.
    pub async fn restore(&self) -> Result<()> {
        match self {
            RunDatabase::Sqlite { path, backup } => copy_files(backup, path).map(drop),
            RunDatabase::Postgres(database) => {
                database
                    .admin(&[format!("DROP DATABASE {} WITH (FORCE)", database.name)])
                    .await?;
                database.copy(&database.backup_name, &database.name).await
            }
        }
    }

    /// Drops the run's PostgreSQL databases (a SQLite file goes with the
    /// run's directory).
    pub async fn remove(&self) -> Result<()> {
        match self {
            RunDatabase::Sqlite { .. } => Ok(()),
            RunDatabase::Postgres(database) => {
                database
                    .admin(&[
                        format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database.name),
                        format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            database.backup_name
                        ),
                    ])
                    .await
            }
        }
    }
}

/// Counts in a database just opened, then closes it.
async fn count(opened: Result<thamgia_server::Database, sqlx::Error>) -> Result<DatabaseCounts> {
    let database = opened.map_err(|error| anyhow!("opening the server's database: {error}"))?;
    let counted = verify::count(&database).await;
    database.close().await;
    counted
}

impl Postgres {
    /// Runs `statements` one by one on the server's own connection (the
    /// database of the URL given).
    async fn admin(&self, statements: &[String]) -> Result<()> {
        let mut connection = PgConnection::connect(&self.admin_url)
            .await
            .context("connecting to the PostgreSQL server")?;
        for statement in statements {
            connection
                .execute(statement.as_str())
                .await
                .with_context(|| format!("PostgreSQL: {statement}"))?;
        }
        connection.close().await.unwrap_or(());
        Ok(())
    }

    /// Ends every connection to `name` (the killed server's, which
    /// PostgreSQL may not have noticed yet, and the suite's own).
    async fn end_connections(&self, name: &str) -> Result<()> {
        let mut connection = PgConnection::connect(&self.admin_url)
            .await
            .context("connecting to the PostgreSQL server")?;
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(name)
        .execute(&mut connection)
        .await
        .with_context(|| format!("ending the connections to {name}"))?;
        connection.close().await.unwrap_or(());
        Ok(())
    }

    /// `CREATE DATABASE to TEMPLATE from`, tried again while `from` still
    /// has a connection going away.
    async fn copy(&self, from: &str, to: &str) -> Result<()> {
        let statement = format!("CREATE DATABASE {to} TEMPLATE {from}");
        let mut attempt = 1;
        loop {
            match self.admin(std::slice::from_ref(&statement)).await {
                Ok(()) => return Ok(()),
                Err(error) if attempt < COPY_ATTEMPTS => {
                    eprintln!("fault suite: {error:#}; trying again");
                    self.end_connections(from).await?;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// `path` with `suffix` appended to its file name (`x.sqlite3-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Copies the SQLite database `from` (and its `-wal`) to `to`, deleting a
/// `-wal` of `to` that `from` does not have, and the `-shm` of `to`. Nothing
/// may have either open. Returns the bytes copied.
fn copy_files(from: &Path, to: &Path) -> Result<u64> {
    let exists = |path: &Path| {
        path.try_exists()
            .with_context(|| format!("looking for {}", path.display()))
    };
    if !exists(from)? {
        bail!("no database file at {}", from.display());
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("making {}", parent.display()))?;
    }
    let mut bytes = 0;
    let index = with_suffix(to, INDEX);
    if exists(&index)? {
        std::fs::remove_file(&index).with_context(|| format!("deleting {}", index.display()))?;
    }
    for suffix in COPIED {
        let source = with_suffix(from, suffix);
        let target = with_suffix(to, suffix);
        if exists(&source)? {
            bytes += std::fs::copy(&source, &target)
                .with_context(|| format!("copying {} to {}", source.display(), target.display()))?;
        } else if exists(&target)? {
            std::fs::remove_file(&target)
                .with_context(|| format!("deleting {}", target.display()))?;
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_brings_back_the_files_and_removes_a_companion_the_backup_lacks() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let live = directory.path().join("live.sqlite3");
        let backup = directory.path().join("backup").join("live.sqlite3");
        std::fs::write(&live, b"old").expect("write");
        std::fs::write(with_suffix(&live, "-shm"), b"index").expect("write");
        copy_files(&live, &backup).expect("the backup");
        assert!(!with_suffix(&backup, "-shm").exists());
        std::fs::write(&live, b"new").expect("write");
        std::fs::write(with_suffix(&live, "-wal"), b"wal").expect("write");
        copy_files(&backup, &live).expect("the restore");
        assert_eq!(std::fs::read(&live).expect("read"), b"old");
        assert!(!with_suffix(&live, "-wal").exists());
        assert!(!with_suffix(&live, "-shm").exists());
    }

    #[tokio::test]
    async fn counting_leaves_the_live_file_and_its_wal_as_the_crash_left_them() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let database = RunDatabase::sqlite(directory.path());
        let RunDatabase::Sqlite { path, .. } = &database else {
            unreachable!("a SQLite run database");
        };
        // A crash's leftovers: the file and a WAL not yet checkpointed (a
        // database still open holds its schema in its WAL).
        let origin = directory.path().join("origin.sqlite3");
        let open = thamgia_server::Database::open(&origin)
            .await
            .expect("a database");
        for suffix in COPIED {
            std::fs::copy(with_suffix(&origin, suffix), with_suffix(path, suffix))
                .expect("a crash snapshot");
        }
        open.close().await;
        let before: Vec<Vec<u8>> = COPIED
            .iter()
            .map(|suffix| std::fs::read(with_suffix(path, suffix)).expect("read"))
            .collect();
        assert!(!before[1].is_empty(), "the WAL holds the schema");

        let counted = database.counts().await.expect("counted");
        assert_eq!(counted.responses, 0);
        // Opening the live file would replay and checkpoint its WAL into it.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let after: Vec<Vec<u8>> = COPIED
            .iter()
            .map(|suffix| std::fs::read(with_suffix(path, suffix)).expect("read"))
            .collect();
        assert!(after == before, "the live file or its WAL changed");
        let names: Vec<_> = std::fs::read_dir(directory.path())
            .expect("list")
            .flatten()
            .map(|entry| entry.file_name())
            .collect();
        assert!(
            names
                .iter()
                .all(|name| !name.to_string_lossy().starts_with("counted-")),
            "{names:?}"
        );
    }
}
