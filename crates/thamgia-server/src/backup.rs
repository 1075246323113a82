//! Backups that restore, for a server on SQLite: `thamgia-server backup`
//! and `thamgia-server restore` (PostgreSQL has `pg_dump` and
//! `pg_restore`; README, "Backups").
//!
//! [`backup`] copies the live database with SQLite's `VACUUM INTO` while
//! the server keeps writing: in WAL mode the copy reads one snapshot, as
//! any reader does, and writers are never held up. The copy is written
//! under a temporary name beside the backup, checked (integrity, the
//! migrations applied) and only then given its name, never over a file.
//!
//! [`restore`] takes a copy of the backup in beside the database, checks
//! that it is a Tham Gia database this server can run (SQLite's integrity
//! check; the migrations applied are the server's own, none newer) and
//! brings it up to the server's migrations; only then does it move the
//! database it replaces aside (with its `-wal` and `-shm` files, to
//! `<database>.replaced-<time>`: nothing is deleted) and put the backup in
//! its place. Whether a server is running on the file cannot be told
//! reliably, so an existing database is replaced only with `force`, and
//! the refusal says to stop the server first.
//!
//! Tablets send again what a restored server forgot (see ARCHITECTURE.md,
//! "The sync protocol"); what the town hall entered at the server after
//! the backup no tablet holds. So the restore compares the database set
//! aside with the one restored and lists that data kind by kind
//! ([`Kind`]): what was added, changed, or deleted and is back. The
//! comparison is pure (`compare`), and so are the checks of a file
//! (`checks`) and the report (`report`); the SQL (`reads`) only reads; the
//! file moves are in `files`.

mod checks;
mod compare;
mod files;
mod reads;
mod report;

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::Utc;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

pub use compare::{compare, kind_lines, Difference, Entry, KeyedRow, Kind, MAX_LINES_PER_KIND};
pub use report::{BackupSummary, Comparison, KindComparison, RestoreReport, TableCount};

/// How long a statement waits for a lock the server holds (a checkpoint,
/// say) before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The tables a backup's summary counts, with their names for people.
const SUMMARY_TABLES: [(&str, &str); 8] = [
    ("responses", "responses"),
    ("withdrawals", "withdrawals"),
    ("forums", "forums"),
    ("reports", "ward reports"),
    ("surveys", "survey versions"),
    ("accounts", "accounts"),
    ("themes", "themes"),
    ("audit_log", "audit log entries"),
];

/// What the tablets sent, counted in both databases after a restore, with
/// what becomes of the difference.
const TABLET_TABLES: [(&str, &str, &str); 5] = [
    ("responses", "responses", SENT_AGAIN),
    ("forums", "forums", SENT_AGAIN),
    ("report_edits", "report edits", SENT_AGAIN),
    ("child_feedback", "feedback to children", SENT_AGAIN),
    (
        "audit_log",
        "audit log entries",
        "those written after the backup stay in the set-aside file",
    ),
];

const SENT_AGAIN: &str = "tablets send again what they still hold at their next sync";

/// Copies the live SQLite database at `database` to a new file `to`, while
/// the server may keep writing, and reports what the copy holds. Refuses
/// to write over anything at `to`.
pub async fn backup(database: &Path, to: &Path) -> anyhow::Result<BackupSummary> {
    if !database.is_file() {
        bail!(
            "there is no database at {}: name the server's file with --database (or THAMGIA_DATABASE)",
            database.display()
        );
    }
    if files::present(to) {
        bail!(
            "{} already exists: a backup never writes over a file, so give a new name",
            to.display()
        );
    }
    if let Some(folder) = to.parent().filter(|folder| !folder.as_os_str().is_empty()) {
        if !folder.is_dir() {
            bail!(
                "there is no folder {} to write the backup in",
                folder.display()
            );
        }
    }
    let partial = files::temporary_beside(to, "partial", Utc::now());
    let written = write_backup(database, &partial).await.and_then(|checked| {
        files::publish(&partial, to)
            .with_context(|| format!("naming the backup {}", to.display()))
            .map(|()| checked)
    });
    let (newest_migration, counts) = match written {
        Ok(checked) => checked,
        Err(error) => {
            files::discard(&partial);
            return Err(error);
        }
    };
    let bytes = std::fs::metadata(to)
        .with_context(|| format!("reading the size of {}", to.display()))?
        .len();
    Ok(BackupSummary {
        file: to.to_owned(),
        bytes,
        newest_migration,
        counts,
    })
}

/// Writes the copy to `partial` and checks it; returns its newest
/// migration and its counts.
async fn write_backup(
    database: &Path,
    partial: &Path,
) -> anyhow::Result<(i64, Vec<(&'static str, i64)>)> {
    // SQLite opens the name it is given as it is: absolute, so that it
    // cannot be read against another folder (nor as a `file:` URI).
    let target =
        std::path::absolute(partial).with_context(|| format!("resolving {}", partial.display()))?;
    let target_text = target
        .to_str()
        .context("the backup's path is not valid UTF-8: choose another name")?;
    let mut live = open(database)
        .await
        .with_context(|| format!("opening the database {}", database.display()))?;
    let vacuumed = sqlx::query("VACUUM INTO ?1")
        .bind(target_text)
        .execute(&mut live)
        .await;
    close(live, database).await;
    vacuumed
        .with_context(|| format!("copying {} into {}", database.display(), partial.display()))?;
    let mut copy = open(partial)
        .await
        .with_context(|| format!("opening the copy {}", partial.display()))?;
    let checked = check_copy(&mut copy).await;
    close(copy, partial).await;
    let checked =
        checked.with_context(|| format!("the copy {} does not read back", partial.display()))?;
    files::sync_file(partial).with_context(|| format!("flushing {}", partial.display()))?;
    Ok(checked)
}

/// A backup made one file (no write-ahead log beside it), checked, with
/// its newest migration and counts.
async fn check_copy(
    copy: &mut SqliteConnection,
) -> anyhow::Result<(i64, Vec<(&'static str, i64)>)> {
    sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&mut *copy)
        .await?;
    let applied = read_checked(copy).await?;
    let newest = applied
        .iter()
        .map(|migration| migration.version)
        .max()
        .context("no migration was ever applied to it")?;
    let mut counts = Vec::with_capacity(SUMMARY_TABLES.len());
    for (table, what) in SUMMARY_TABLES {
        if let Some(count) = reads::count(copy, table).await? {
            counts.push((what, count));
        }
    }
    Ok((newest, counts))
}

/// Puts the backup `from` in place of the SQLite database at `database`.
/// An existing database is replaced only with `force`, and then moved
/// aside, never deleted; the report lists what the town hall entered there
/// that the backup lacks.
pub async fn restore(database: &Path, from: &Path, force: bool) -> anyhow::Result<RestoreReport> {
    if !from.is_file() {
        bail!("there is no backup at {}", from.display());
    }
    let log = files::with_suffix(from, "-wal");
    if files::holds_data(&log) {
        bail!(
            "{} lies beside the backup and may hold part of it: restore a backup made by \
             `thamgia-server backup`, or open this one once with sqlite3 to fold the log in",
            log.display()
        );
    }
    if let Some(folder) = database
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating the folder {}", folder.display()))?;
    }
    let incoming = files::temporary_beside(database, "restoring", Utc::now());
    let newest_migration = match take_in(from, &incoming).await {
        Ok(newest) => newest,
        Err(error) => {
            files::discard(&incoming);
            return Err(error);
        }
    };
    let replaced = if files::database_present(database) {
        if !force {
            files::discard(&incoming);
            bail!(
                "{database} exists and the restore would replace it. Whether the server is running \
                 on it cannot be told reliably from here: stop the server first, then run the \
                 restore again with --force, which moves the database (and its -wal and -shm \
                 files) aside to {database}.replaced-<time> and puts the backup in its place; \
                 nothing is deleted",
                database = database.display()
            );
        }
        match files::set_aside(database, Utc::now()) {
            Ok(aside) => Some(aside),
            Err(error) => {
                files::discard(&incoming);
                return Err(error);
            }
        }
    } else {
        None
    };
    let kept = match &replaced {
        Some(aside) => format!("; the replaced database is at {}", aside.display()),
        None => String::new(),
    };
    // A log or journal left beside the name would be read as the backup's.
    if let Some(companion) = files::companion_present(database) {
        bail!(
            "{} appeared beside the database, so the backup was not put in place: it is at {}{kept}",
            companion.display(),
            incoming.display()
        );
    }
    files::publish(&incoming, database).with_context(|| {
        format!(
            "putting the backup in place: it is at {}{kept}",
            incoming.display()
        )
    })?;
    let comparison = match &replaced {
        Some(aside) => compare_databases(aside, database).await,
        None => Comparison::NothingReplaced,
    };
    Ok(RestoreReport {
        database: database.to_owned(),
        from: from.to_owned(),
        newest_migration,
        replaced,
        comparison,
    })
}

/// Copies the backup to `incoming`, checks it and migrates it; returns its
/// newest migration before that.
async fn take_in(from: &Path, incoming: &Path) -> anyhow::Result<i64> {
    files::copy_into_new(from, incoming)
        .with_context(|| format!("copying {} to {}", from.display(), incoming.display()))?;
    let newest = check_and_migrate(incoming).await.with_context(|| {
        format!(
            "{} is not a Tham Gia database this server can restore",
            from.display()
        )
    })?;
    files::sync_file(incoming).with_context(|| format!("flushing {}", incoming.display()))?;
    Ok(newest)
}

/// Checks the copy at `incoming` (integrity, migrations that are this
/// server's and none newer), then applies the server's newer migrations,
/// as the server would at start: a migration that fails fails here, before
/// anything is replaced.
async fn check_and_migrate(incoming: &Path) -> anyhow::Result<i64> {
    let mut connection = open(incoming)
        .await
        .context("it cannot be read as a SQLite database")?;
    let checked = fit_and_migrate(&mut connection).await;
    close(connection, incoming).await;
    checked
}

async fn fit_and_migrate(connection: &mut SqliteConnection) -> anyhow::Result<i64> {
    let applied = read_checked(connection).await?;
    let migrator = sqlx::migrate!("./migrations/sqlite");
    let carried: Vec<(i64, &[u8])> = migrator
        .iter()
        .map(|migration| (migration.version, &migration.checksum[..]))
        .collect();
    let newest = checks::migrations_fit(&applied, &carried).map_err(anyhow::Error::msg)?;
    migrator
        .run(&mut *connection)
        .await
        .context("bringing it up to this server's migrations")?;
    // One file, no write-ahead log beside it, until the server opens it.
    sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&mut *connection)
        .await?;
    Ok(newest)
}

/// SQLite's integrity check, then the migrations applied: a file that is
/// not a SQLite database, or not one sqlx migrated, fails here.
async fn read_checked(
    connection: &mut SqliteConnection,
) -> anyhow::Result<Vec<checks::AppliedMigration>> {
    let lines = reads::integrity_check(connection)
        .await
        .context("it cannot be read as a SQLite database")?;
    if let Some(problem) = checks::integrity_problem(&lines) {
        bail!(problem);
    }
    match reads::applied_migrations(connection)
        .await
        .context("its migrations cannot be read")?
    {
        Some(applied) => Ok(applied),
        None => bail!("it has no table of migrations (_sqlx_migrations)"),
    }
}

/// The set-aside database against the restored one, kind by kind; a kind
/// that cannot be read (a database from before its table changed) says so
/// and the others are still compared.
async fn compare_databases(set_aside: &Path, restored: &Path) -> Comparison {
    match read_both(set_aside, restored).await {
        Ok((kinds, counts)) => Comparison::Compared { kinds, counts },
        Err(error) => Comparison::Failed(format!("{error:#}")),
    }
}

async fn read_both(
    set_aside: &Path,
    restored: &Path,
) -> anyhow::Result<(Vec<KindComparison>, Vec<TableCount>)> {
    let mut old = open(set_aside)
        .await
        .with_context(|| format!("opening {}", set_aside.display()))?;
    let mut new = match open(restored).await {
        Ok(connection) => connection,
        Err(error) => {
            close(old, set_aside).await;
            return Err(
                anyhow::Error::new(error).context(format!("opening {}", restored.display()))
            );
        }
    };
    let mut kinds = Vec::with_capacity(Kind::ALL.len());
    for kind in Kind::ALL {
        let then = reads::rows(&mut old, kind).await;
        let now = reads::rows(&mut new, kind).await;
        let outcome = match (then, now) {
            (Ok(then), Ok(now)) => Ok(compare(then, now)),
            (Err(error), _) => Err(format!("reading the replaced database: {error}")),
            (_, Err(error)) => Err(format!("reading the restored database: {error}")),
        };
        kinds.push(KindComparison { kind, outcome });
    }
    let mut counts = Vec::with_capacity(TABLET_TABLES.len());
    for (table, what, note) in TABLET_TABLES {
        counts.push(TableCount {
            what,
            set_aside: reads::count(&mut old, table).await.ok().flatten(),
            restored: reads::count(&mut new, table).await.ok().flatten(),
            note,
        });
    }
    close(old, set_aside).await;
    close(new, restored).await;
    Ok((kinds, counts))
}

/// One connection to an existing SQLite file, with the file's own journal
/// mode (a live database stays in WAL mode).
async fn open(path: &Path) -> Result<SqliteConnection, sqlx::Error> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(BUSY_TIMEOUT)
        .connect()
        .await
}

/// Closes a connection, waiting until SQLite has let go of the file; a
/// failure is logged, as the file is done with either way.
async fn close(connection: SqliteConnection, path: &Path) {
    if let Err(error) = connection.close().await {
        tracing::warn!(file = %path.display(), %error, "closing the database did not finish cleanly");
    }
}
