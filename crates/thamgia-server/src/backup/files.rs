//! The files of a backup and a restore: names beside a file for what is
//! being written, a file given its final name only once complete and
//! never over another, a database moved aside with the files SQLite keeps
//! beside it, and writes flushed to disk.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};

/// The files SQLite keeps beside a database: the write-ahead log and its
/// index while it is open, a rollback journal after a crash. They belong
/// to the database: moved with it, never paired with another.
pub const COMPANION_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// `path` with `suffix` added to its file name (`db.sqlite3` → `db.sqlite3-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A UTC time as it appears in file names: `20260301T101500Z`.
pub fn stamp(now: DateTime<Utc>) -> String {
    now.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A name beside `path` for a file being written, not yet what it will be:
/// `<path>.<word>-<time>-<process id>`.
pub fn temporary_beside(path: &Path, word: &str, now: DateTime<Utc>) -> PathBuf {
    with_suffix(
        path,
        &format!(".{word}-{}-{}", stamp(now), std::process::id()),
    )
}

/// Whether anything is at `path`; a path that cannot be looked at counts
/// as taken, so nothing is ever written over it.
pub fn present(path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(_) => true,
        Err(error) => error.kind() != io::ErrorKind::NotFound,
    }
}

/// Whether a file with content is at `path`.
pub fn holds_data(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|metadata| metadata.len() > 0)
}

/// Whether a database, or any file SQLite keeps beside one, is at `database`.
pub fn database_present(database: &Path) -> bool {
    present(database) || companion_present(database).is_some()
}

/// The first file SQLite keeps beside a database found at `database`.
pub fn companion_present(database: &Path) -> Option<PathBuf> {
    COMPANION_SUFFIXES
        .iter()
        .map(|suffix| with_suffix(database, suffix))
        .find(|companion| present(companion))
}

/// Flushes a file's content to the disk.
pub fn sync_file(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Flushes the folder holding `path`, so that a file created or renamed in
/// it survives a power cut (on Unix; elsewhere the system sees to it).
pub fn sync_folder_of(path: &Path) -> io::Result<()> {
    if cfg!(unix) {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(folder)?.sync_all()?;
    }
    Ok(())
}

/// Copies `from` into a new file `to` (refusing one that exists) and
/// flushes it; returns the bytes copied.
pub fn copy_into_new(from: &Path, to: &Path) -> io::Result<u64> {
    let mut source = File::open(from)?;
    let mut target = OpenOptions::new().write(true).create_new(true).open(to)?;
    let bytes = io::copy(&mut source, &mut target)?;
    target.sync_all()?;
    Ok(bytes)
}

/// Gives the complete file `finished` the name `to`, unless something is
/// at `to` by now: a hard link fails rather than replace a file, where a
/// rename would replace it silently. On a file system without hard links,
/// `to` is looked at just before the rename.
pub fn publish(finished: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(finished, to) {
        Ok(()) => {
            if let Err(error) = std::fs::remove_file(finished) {
                tracing::warn!(
                    file = %finished.display(),
                    %error,
                    "the file is complete under its final name; its temporary name is left too"
                );
            }
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists || present(to) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} appeared meanwhile: nothing was written over it",
                    to.display()
                ),
            ));
        }
        Err(_) => std::fs::rename(finished, to)?,
    }
    sync_folder_of(to)
}

/// Removes a file this command made and no longer needs, with the files
/// SQLite may have left beside it. A failure is logged: the error that led
/// here is the one to report.
pub fn discard(path: &Path) {
    let companions = COMPANION_SUFFIXES
        .iter()
        .map(|suffix| with_suffix(path, suffix));
    for file in std::iter::once(path.to_owned()).chain(companions) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(file = %file.display(), %error, "cannot remove a temporary file");
            }
        }
    }
}

/// Moves the database at `database`, with the files SQLite keeps beside
/// it, to `<database>.replaced-<time>` (with `-2`, `-3`, … when that is
/// taken), and returns that name. Nothing is deleted.
pub fn set_aside(database: &Path, now: DateTime<Utc>) -> anyhow::Result<PathBuf> {
    let base = with_suffix(database, &format!(".replaced-{}", stamp(now)));
    let aside = free_name(&base)?;
    let mut moved: Vec<String> = Vec::new();
    for suffix in std::iter::once("").chain(COMPANION_SUFFIXES) {
        let from = with_suffix(database, suffix);
        if !present(&from) {
            continue;
        }
        let to = with_suffix(&aside, suffix);
        std::fs::rename(&from, &to).with_context(|| {
            let already = if moved.is_empty() {
                String::new()
            } else {
                format!(" (already moved: {})", moved.join(", "))
            };
            format!(
                "moving {} aside to {}{already}",
                from.display(),
                to.display()
            )
        })?;
        moved.push(format!("{} → {}", from.display(), to.display()));
    }
    sync_folder_of(database)
        .with_context(|| format!("flushing the folder of {}", database.display()))?;
    Ok(aside)
}

/// `base`, or `base-2`, `base-3`, … : the first name at which neither a
/// file nor one of its companions exists.
fn free_name(base: &Path) -> io::Result<PathBuf> {
    for attempt in 1..1000u32 {
        let candidate = if attempt == 1 {
            base.to_owned()
        } else {
            with_suffix(base, &format!("-{attempt}"))
        };
        if !database_present(&candidate) {
            return Ok(candidate);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free name beside {}", base.display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 10, 15, 0)
            .single()
            .expect("a time")
    }

    #[test]
    fn names_are_made_beside_the_file() {
        let path = Path::new("data/thamgia.sqlite3");
        assert_eq!(
            with_suffix(path, "-wal"),
            Path::new("data/thamgia.sqlite3-wal")
        );
        let temporary = temporary_beside(path, "partial", noon());
        assert_eq!(temporary.parent(), path.parent());
        assert!(temporary
            .to_string_lossy()
            .starts_with("data/thamgia.sqlite3.partial-20260301T101500Z-"));
    }

    #[test]
    fn a_database_is_set_aside_with_its_companions_under_a_free_name() {
        let folder = tempfile::tempdir().expect("a folder");
        let database = folder.path().join("thamgia.sqlite3");
        std::fs::write(&database, b"database").expect("written");
        std::fs::write(with_suffix(&database, "-wal"), b"log").expect("written");
        // An earlier restore in the same second took the first name.
        let taken = with_suffix(&database, ".replaced-20260301T101500Z");
        std::fs::write(&taken, b"older").expect("written");

        let aside = set_aside(&database, noon()).expect("set aside");
        assert_eq!(aside, with_suffix(&taken, "-2"));
        assert!(!database_present(&database));
        assert_eq!(std::fs::read(&aside).expect("read"), b"database");
        assert_eq!(
            std::fs::read(with_suffix(&aside, "-wal")).expect("read"),
            b"log"
        );
        assert_eq!(std::fs::read(taken).expect("read"), b"older");
    }

    #[test]
    fn publishing_never_writes_over_a_file() {
        let folder = tempfile::tempdir().expect("a folder");
        let finished = folder.path().join("backup.partial");
        let to = folder.path().join("backup.sqlite3");
        std::fs::write(&finished, b"new").expect("written");
        std::fs::write(&to, b"precious").expect("written");
        assert!(publish(&finished, &to).is_err());
        assert_eq!(std::fs::read(&to).expect("read"), b"precious");

        std::fs::remove_file(&to).expect("removed");
        publish(&finished, &to).expect("published");
        assert_eq!(std::fs::read(to).expect("read"), b"new");
        assert!(!present(&finished));
    }
}
