//! The workspace root, the environment given to child processes, and running them.

use std::borrow::BorrowMut;
use std::env;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Result;

/// How many of a failed logged command's last lines its error quotes.
const LOG_LINES_QUOTED: usize = 30;
/// How much of a failed logged command's log is read to find them.
const LOG_TAIL_BYTES: u64 = 64 * 1024;

/// Where tasks run and what their child processes see.
pub struct Workspace {
    /// The workspace root (the directory holding the root `Cargo.toml`).
    pub root: PathBuf,
    /// `PATH` for children: `<root>/node_modules/.bin` (npm's wasm-opt, which
    /// trunk finds on `PATH`), then `~/.cargo/bin` (where `cargo install` puts
    /// trunk and wasm-bindgen, and which CI shells may lack), then the inherited `PATH`.
    path: OsString,
    /// `CARGO_TARGET_DIR` to set for children, and why.
    target_dir: TargetDir,
}

/// The last [`LOG_TAIL_BYTES`] of a log at most (an apt log can run to
/// megabytes), as text; empty if it cannot be read.
fn log_tail(log: &Path) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let mut tail = Vec::new();
    if let Ok(mut file) = fs::File::open(log) {
        let length = file.metadata().map_or(0, |meta| meta.len());
        let start = length.saturating_sub(LOG_TAIL_BYTES);
        if file.seek(SeekFrom::Start(start)).is_ok() {
            file.take(LOG_TAIL_BYTES).read_to_end(&mut tail).ok();
        }
    }
    String::from_utf8_lossy(&tail).into_owned()
}

/// Runs `first` on this thread and `second` on another at the same time,
/// both to their end; fails with every error (a thread's errors travel as
/// text, since [`Result`]'s are not `Send`).
pub fn side_by_side(
    first: impl FnOnce() -> Result,
    second: impl FnOnce() -> Result + Send,
) -> Result {
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| second().map_err(|error| error.to_string()));
        let first = first().map_err(|error| error.to_string());
        let second = second
            .join()
            .unwrap_or_else(|_| Err("a task on the second thread panicked".to_owned()));
        (first, second)
    });
    match (first, second) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error.into()),
        (Err(first), Err(second)) => Err(format!("{first}; and {second}").into()),
    }
}

/// Which cargo target directory child processes use.
enum TargetDir {
    /// `CARGO_TARGET_DIR` was already set: children inherit it unchanged.
    FromEnvironment(PathBuf),
    /// CI (`CI=true`) without `CARGO_TARGET_DIR`: set it to
    /// `$HOME/.cache/thamgia/target` for every child process. CI checks out a
    /// fresh clone each run, and a target directory inside the clone would
    /// rebuild everything (~15 min on 2 cores); one outside it stays warm.
    CiCache(PathBuf),
    /// Locally: cargo's default, `<root>/target`.
    Default(PathBuf),
}

impl Workspace {
    /// Finds the root from this crate's manifest directory (`<root>/xtask`).
    pub fn new() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask's manifest directory has no parent")?
            .to_path_buf();
        let home = env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);

        let mut dirs = vec![root.join("node_modules").join(".bin")];
        let cargo_home = env::var_os("CARGO_HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".cargo")));
        if let Some(cargo_home) = cargo_home {
            dirs.push(cargo_home.join("bin"));
        }
        if let Some(inherited) = env::var_os("PATH") {
            dirs.extend(env::split_paths(&inherited));
        }
        let path = env::join_paths(dirs)?;

        let target_dir = match env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => TargetDir::FromEnvironment(PathBuf::from(dir)),
            None if env::var("CI").is_ok_and(|ci| ci == "true") => {
                let home =
                    home.ok_or("CI=true but HOME is not set: cannot place the target dir")?;
                TargetDir::CiCache(home.join(".cache").join("thamgia").join("target"))
            }
            None => TargetDir::Default(root.join("target")),
        };
        Ok(Self {
            root,
            path,
            target_dir,
        })
    }

    /// Prints which cargo target directory child processes use.
    pub fn announce_target_dir(&self) {
        match &self.target_dir {
            TargetDir::FromEnvironment(dir) => {
                println!("target dir: {} (from CARGO_TARGET_DIR)", dir.display());
            }
            TargetDir::CiCache(dir) => println!(
                "target dir: {} (CI=true: a cache kept outside the clone)",
                dir.display()
            ),
            TargetDir::Default(dir) => println!("target dir: {} (cargo's default)", dir.display()),
        }
    }

    /// The cargo target directory child processes build into.
    pub fn target_dir(&self) -> &Path {
        match &self.target_dir {
            TargetDir::FromEnvironment(dir) | TargetDir::CiCache(dir) | TargetDir::Default(dir) => {
                dir
            }
        }
    }

    /// Whether the target directory is the CI cache this workspace chose (and
    /// may therefore remove when the disk is short).
    pub fn target_dir_is_ci_cache(&self) -> bool {
        matches!(self.target_dir, TargetDir::CiCache(_))
    }

    /// `<root>/dist`, trunk's output.
    pub fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    /// `<root>/dist-bench`, the tablet app built with its bench exports
    /// (cargo feature `bench`) for the browser bench, apart from `dist`.
    pub fn bench_dist(&self) -> PathBuf {
        self.root.join("dist-bench")
    }

    /// A command to run from the root, with the children's `PATH` and target dir.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("PATH", &self.path);
        if let TargetDir::CiCache(dir) = &self.target_dir {
            // Incremental state would add gigabytes to a cache whose sources
            // are a fresh clone every run.
            command
                .env("CARGO_TARGET_DIR", dir)
                .env("CARGO_INCREMENTAL", "0");
        }
        command
    }

    /// `cargo <arguments>` from the root.
    pub fn cargo(&self, arguments: &[&str]) -> Command {
        let mut command = self.command("cargo");
        command.args(arguments);
        command
    }

    /// Runs a command, echoing it first; fails naming the command if it cannot
    /// start or exits unsuccessfully.
    pub fn run(&self, mut command: impl BorrowMut<Command>) -> Result {
        let command = command.borrow_mut();
        let line = describe(command);
        println!("$ {line}");
        let status = command
            .status()
            .map_err(|error| format!("could not start `{line}`: {error}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{line}` failed ({status})").into())
        }
    }

    /// Runs a command, echoing it first, with its output appended to `log`
    /// instead of the terminal (for a command on a second thread, whose
    /// lines would otherwise mix with the first's); a failure quotes the
    /// log's last lines.
    pub fn run_logged(&self, mut command: impl BorrowMut<Command>, log: &Path) -> Result {
        let command = command.borrow_mut();
        let line = describe(command);
        println!("$ {line}  (output in {})", log.display());
        let open = || {
            fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(|error| format!("cannot open {}: {error}", log.display()))
        };
        let status = command
            .stdin(Stdio::null())
            .stdout(open()?)
            .stderr(open()?)
            .status()
            .map_err(|error| format!("could not start `{line}`: {error}"))?;
        if status.success() {
            return Ok(());
        }
        let text = log_tail(log);
        let lines: Vec<&str> = text.lines().collect();
        let last = lines[lines.len().saturating_sub(LOG_LINES_QUOTED)..].join("\n");
        Err(format!(
            "`{line}` failed ({status}); the end of {}:\n{last}",
            log.display()
        )
        .into())
    }

    /// Runs a command, echoing it first, with its standard error shown and its
    /// standard output captured and returned (trimmed); fails like [`Self::run`].
    pub fn output(&self, mut command: impl BorrowMut<Command>) -> Result<String> {
        let command = command.borrow_mut();
        let line = describe(command);
        println!("$ {line}");
        let output = command
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|error| format!("could not start `{line}`: {error}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(format!("`{line}` failed ({})", output.status).into())
        }
    }

    /// Runs a quick command quietly and returns its standard output, or `None`
    /// if it is missing or fails (used for version checks).
    pub fn probe(&self, program: impl AsRef<OsStr>, arguments: &[&str]) -> Option<String> {
        let output = self
            .command(program)
            .args(arguments)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Whether `program` is an executable file in a directory of the children's `PATH`.
    pub fn on_path(&self, program: &str) -> bool {
        env::split_paths(&self.path).any(|dir| dir.join(program).is_file())
    }
}

/// The command as a shell line: explicitly set variables (other than `PATH`,
/// `CARGO_TARGET_DIR` and `CARGO_INCREMENTAL`, which every child gets), the
/// program, its arguments.
fn describe(command: &Command) -> String {
    let mut words: Vec<String> = command
        .get_envs()
        .filter(|(key, _)| {
            !["PATH", "CARGO_TARGET_DIR", "CARGO_INCREMENTAL"]
                .contains(&key.to_str().unwrap_or_default())
        })
        .filter_map(|(key, value)| {
            value.map(|v| {
                let shown = without_password(&v.to_string_lossy());
                format!("{}={}", key.to_string_lossy(), quote(OsStr::new(&shown)))
            })
        })
        .collect();
    words.push(quote(command.get_program()));
    words.extend(command.get_args().map(quote));
    words.join(" ")
}

/// `value` with the password of a URL in it (`scheme://user:password@host`)
/// replaced by `***`, so an echoed command never shows one.
fn without_password(value: &str) -> String {
    let Some(scheme_end) = value.find("://") else {
        return value.to_owned();
    };
    let rest = &value[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return value.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &value[..scheme_end + 3],
            &rest[..colon],
            &rest[at..]
        ),
        None => value.to_owned(),
    }
}

fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    if word.is_empty() || word.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
        format!("'{}'", word.replace('\'', r"'\''"))
    } else {
        word.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_url_never_shows_its_password() {
        assert_eq!(
            without_password("postgres://thamgia:s3cret@db.example:5432/thamgia"),
            "postgres://thamgia:***@db.example:5432/thamgia"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres"
        );
        assert_eq!(without_password("/usr/bin:/bin"), "/usr/bin:/bin");
    }

    #[test]
    fn side_by_side_runs_both_to_their_end_and_reports_every_failure() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let ran = AtomicUsize::new(0);
        let run = |outcome: Result| {
            ran.fetch_add(1, Ordering::SeqCst);
            outcome
        };
        assert!(side_by_side(|| run(Ok(())), || run(Ok(()))).is_ok());
        let second_only = side_by_side(|| run(Ok(())), || run(Err("apt broke".into())))
            .map_err(|error| error.to_string());
        assert_eq!(second_only, Err("apt broke".to_owned()));
        let both = side_by_side(
            || run(Err("trunk broke".into())),
            || run(Err("apt broke".into())),
        )
        .map_err(|error| error.to_string());
        assert_eq!(both, Err("trunk broke; and apt broke".to_owned()));
        assert_eq!(ran.load(Ordering::SeqCst), 6);
    }

    #[test]
    fn a_logged_command_keeps_both_outputs_and_a_failure_quotes_its_end() {
        let workspace = Workspace::new().expect("the workspace");
        let log = env::temp_dir().join(format!("xtask-logged-{}.log", std::process::id()));
        let shell = |script: &str| {
            let mut command = workspace.command("sh");
            command.args(["-c", script]);
            command
        };
        workspace
            .run_logged(shell("echo first; echo warning >&2"), &log)
            .expect("a command that succeeds");
        let error = workspace
            .run_logged(
                shell("printf 'line %02d\\n' $(seq 1 50); echo broken >&2; exit 3"),
                &log,
            )
            .expect_err("a command that fails")
            .to_string();
        let text = fs::read_to_string(&log).expect("the log");
        fs::remove_file(&log).expect("the log removed");
        assert!(
            error.contains("line 50") && error.contains("broken"),
            "{error}"
        );
        assert!(!error.contains("line 05"), "only the last lines: {error}");
        for line in ["first", "warning", "line 01", "broken"] {
            assert!(text.contains(line), "{line} missing from the log: {text}");
        }
    }
}
