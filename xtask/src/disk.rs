//! Disk room for a test run, and scratch directories that do not outlive it.
//!
//! A run that fills the disk fails mid-build with "No space left on device",
//! far from the cause. `cargo xtask test` therefore says up front how much
//! room the target directory's disk has, and in CI (where the target
//! directory is a cache kept between runs, see `workspace.rs`) it drops that
//! cache when the disk is short rather than fail: a cold build is slower, not
//! wrong.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::workspace::Workspace;
use crate::Result;

/// About what a cold `cargo xtask test` writes, in bytes: the target
/// directory (native test binaries, the wasm32 builds, the release server),
/// `dist`, throwaway databases and browser profiles. Measured on a cold run
/// with the debug settings of the root `Cargo.toml` (README, "Measured"),
/// with room to spare.
pub const ROOM_FOR_A_COLD_RUN: u64 = 10 * GB;

const GB: u64 = 1 << 30;

/// Prints the room on the target directory's disk; in CI, drops the build
/// cache if that room is short of [`ROOM_FOR_A_COLD_RUN`]. Never fails the
/// run: a machine that cannot say how much room it has is told so and goes on.
pub fn make_room(workspace: &Workspace) -> Result {
    let target = workspace.target_dir();
    let Some(free) = available_bytes(target) else {
        println!(
            "disk: could not read the free space under {} (df); going on",
            target.display()
        );
        return Ok(());
    };
    println!(
        "disk: {} free under {} (a cold run needs about {})",
        gigabytes(free),
        target.display(),
        gigabytes(ROOM_FOR_A_COLD_RUN)
    );
    if free >= ROOM_FOR_A_COLD_RUN {
        return Ok(());
    }
    if workspace.target_dir_is_ci_cache() && target.is_dir() {
        println!(
            "disk: short of room; removing the CI build cache {} (everything is built again)",
            target.display()
        );
        fs::remove_dir_all(target)
            .map_err(|error| format!("could not remove {}: {error}", target.display()))?;
        if let Some(free) = available_bytes(target) {
            println!("disk: {} free now", gigabytes(free));
            if free >= ROOM_FOR_A_COLD_RUN {
                return Ok(());
            }
        }
    }
    println!(
        "disk: WARNING: less room than a cold run needs; a build may fail with \
         \"No space left on device\". Free some space (an old `target/`, say) and run again"
    );
    Ok(())
}

/// Bytes available to this user on the disk holding `path` (or its nearest
/// existing ancestor), from POSIX `df -Pk`.
fn available_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let output = Command::new("df")
        .arg("-Pk")
        .arg(existing)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    parse_df_available(&String::from_utf8_lossy(&output.stdout))
}

/// The "Available" column (1024-byte blocks) of the one line `df -Pk` prints
/// for a path, in bytes.
fn parse_df_available(printed: &str) -> Option<u64> {
    let line = printed.lines().nth(1)?;
    let kilobytes: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    kilobytes.checked_mul(1024)
}

fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / GB as f64)
}

/// A directory for one step's temporary files, removed when dropped (passed
/// or failed). Browsers started by test runners leave their profiles in
/// `TMPDIR` when they are killed (ChromeDriver's are ~150 MB each); a step
/// given one of these as `TMPDIR` leaves nothing behind.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// A new, empty `thamgia-<name>-<pid>` in the system's temporary directory.
    pub fn new(name: &str) -> Result<Self> {
        let path = std::env::temp_dir().join(format!("thamgia-{name}-{}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path)
                .map_err(|error| format!("could not empty {}: {error}", path.display()))?;
        }
        fs::create_dir_all(&path)
            .map_err(|error| format!("could not create {}: {error}", path.display()))?;
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(error) = fs::remove_dir_all(&self.path) {
            println!("could not remove {}: {error}", self.path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_available_column_of_df() {
        let printed = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                       /dev/vda        264140800 50331648  46137344      53% /\n";
        assert_eq!(parse_df_available(printed), Some(46_137_344 * 1024));
        assert_eq!(parse_df_available("Filesystem\n"), None);
        assert_eq!(parse_df_available(""), None);
    }

    #[test]
    fn a_scratch_directory_is_gone_once_dropped() {
        let scratch = Scratch::new("disk-test").expect("a scratch directory");
        let path = scratch.path().to_path_buf();
        fs::write(path.join("left-behind"), b"profile").expect("a file in it");
        drop(scratch);
        assert!(!path.exists());
    }
}
