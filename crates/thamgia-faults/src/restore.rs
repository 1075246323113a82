//! The "restore from an older backup" scenario's file work.
//!
//! A backup is the server's SQLite file with its `-wal` and `-shm`
//! companions, copied while the server is down (just after a SIGKILL: what
//! SQLite committed is in the file and its WAL, which the next open
//! replays). Restoring copies them back over the live ones, and deletes a
//! live companion the backup does not have, so the server starts on exactly
//! the state of the backup and has forgotten everything it acknowledged
//! since.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The database file itself (empty suffix) and its SQLite companions.
const SUFFIXES: [&str; 3] = ["", "-wal", "-shm"];

/// `path` with `suffix` appended to its file name (`x.sqlite3-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Copies the database `from` (and its `-wal`/`-shm`) to `to`, deleting
/// any companion of `to` that `from` does not have. The server must be
/// stopped. Returns the bytes copied.
pub fn copy_database(from: &Path, to: &Path) -> Result<u64> {
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
    for suffix in SUFFIXES {
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
