//! Tham Gia's project tasks: `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! Std only, so it compiles in seconds on a fresh clone. Every child process
//! runs from the workspace root, with `<root>/node_modules/.bin` and
//! `~/.cargo/bin` first on its `PATH` (see [`workspace::Workspace`]).
//!
//! Commands:
//!
//! - `setup [--for-tests]`: installs what is missing (wasm32 target, trunk,
//!   wasm-bindgen-cli, npm's wasm-opt; with `--for-tests` also chromium,
//!   chromedriver, Firefox ESR with geckodriver, WebKitGTK's driver with
//!   Xvfb, python3-venv and PostgreSQL), checking each with a cheap
//!   command first.
//! - `build`: setup, then `trunk build --release` into `<root>/dist`.
//! - `release`: build, then the server in release with both apps inside it
//!   (feature `embedded-app`): the one file to deploy; prints its path and size.
//! - `run [--port N] [--database PATH]`: build, then the server on that port.
//! - `test`: setup for tests, then every check CI runs, in order, timed; the
//!   server's tests run twice, on SQLite and on PostgreSQL (see [`postgres`]);
//!   right after the apps are built, the server binary carrying them runs
//!   from an empty folder (`crates/thamgia-server/tests/one_file.rs`).
//! - `bench`: build, then the benchmarks (first load with each wasm's contributors, ingest and bytes
//!   per response, the town hall at 10,000 to 1,000,000 responses, on both backends; the form
//!   engine; in headless Chromium, on the tablet app built with its bench exports (cargo feature
//!   `bench`) into `<root>/dist-bench`, a tablet holding 50,000 responses, saving and reading
//!   beside raw IndexedDB and PouchDB, sending 10,000 queued responses).
//! - `faults [--postgres] [--full | suite options]`: the fault-tolerance
//!   suite, on SQLite or (`--postgres`) on PostgreSQL, with one server or
//!   (`--postgres --servers 2`) two; `test` runs its CI size on both
//!   backends, then with two servers on PostgreSQL.
//! - `cycles`: the module-cycle check (see [`cycles`]).
//! - `help`: usage.

mod cycles;
mod disk;
mod minify;
mod postgres;
mod precompress;
mod setup;
mod split;
mod tasks;
mod workspace;

use std::process::ExitCode;

use workspace::Workspace;

/// What every task returns: errors are messages for the person at the terminal.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "\
Tham Gia project tasks

Usage: cargo xtask <command> [options]

Commands:
  setup [--for-tests]      Install what is missing: the wasm32-unknown-unknown target,
                           trunk 0.21.14, wasm-bindgen-cli (the version in Cargo.lock) and
                           wasm-opt (npm's binaryen, via `npm ci`). With --for-tests, also
                           chromium, chromedriver, firefox-esr, webkit2gtk-driver, xvfb,
                           python3-venv and postgresql from apt, geckodriver from crates.io.
                           Quick when all is installed.
  build                    setup, then `trunk build --release` into dist/
  release                  build, then the server in release with both apps inside it
                           (feature embedded-app): target/release/thamgia-server is the
                           one file to deploy (README, section \"Deploying: one file\")
  run [--port N] [--database PATH]
                           build, then serve the app and the API
                           (defaults: --port 8080 --database data/thamgia.sqlite3)
  test                     setup --for-tests, then fmt, clippy (native and wasm32, the app
                           also with its bench exports),
                           native tests (with pyxform from tools/xlsform/setup_venv.sh),
                           the server's tests again on PostgreSQL (a throwaway cluster
                           unless THAMGIA_TEST_POSTGRES_URL is set), the fault suite at its
                           CI size on SQLite and on PostgreSQL (with one server, then two),
                           build, the server binary with the apps inside it run from an
                           empty folder, browser tests and end-to-end tests, stopping at
                           the first failure
                           (this is what CI runs)
  bench                    build, then every benchmark, each figure beside its goal (the town hall
                           up to 1,000,000 responses on both backends: about 25 minutes); the
                           browser's on the tablet app built with its bench exports (feature
                           bench) into dist-bench/, apart from the dist/ tablets get
  faults [--postgres] [--full] [...]
                           the fault-tolerance suite: 4 simulated tablets push responses and
                           report edits through a proxy that drops, cuts, black-holes and
                           slowly drips requests and responses, to a server killed with
                           SIGKILL, restarted and restored from an older backup, clocks
                           skewed by a day; prints lost / duplicated / conflicting counts.
                           On SQLite, or with --postgres on PostgreSQL (THAMGIA_TEST_POSTGRES_URL
                           or a throwaway cluster). Small by default (CI runs it on both);
                           --full: 10,000 responses, 2,000 edits, 2 kills. With --postgres,
                           --servers 2 (or 3): that many servers on the one database behind
                           the proxy (round-robin), each killed in turn while the other serves.
                           `cargo xtask faults --help` for every option.
  first-load-profile       build, then run the tablet app in headless Chromium through a first
                           visit up to sign-in, and write which functions ran to
                           xtask/first-load-functions.txt: they stay in the first part of the
                           app's wasm, the rest arrives after (xtask/src/split.rs)
  cycles                   fail if two modules of a crate import each other (also run by test)
  help                     Show this text

Environment:
  CI=true                  Without CARGO_TARGET_DIR, cargo builds go to
                           $HOME/.cache/thamgia/target (a warm cache outside the clone).
  CARGO_TARGET_DIR         Used as is when set.
  THAMGIA_TEST_POSTGRES_URL
                           A PostgreSQL server where the test user may CREATE DATABASE
                           (e.g. postgres://postgres@127.0.0.1:5432/postgres): `test` runs
                           the server's PostgreSQL tests (and `faults --postgres`) there
                           instead of starting a throwaway cluster from
                           /usr/lib/postgresql/*/bin.
";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, options)) = arguments.split_first() else {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    if matches!(command.as_str(), "help" | "-h" | "--help")
        || (command != "faults" && options.iter().any(|o| o == "-h" || o == "--help"))
    {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if !matches!(
        command.as_str(),
        "setup"
            | "build"
            | "release"
            | "run"
            | "test"
            | "bench"
            | "faults"
            | "cycles"
            | "first-load-profile"
    ) {
        eprintln!("error: unknown command `{command}`\n");
        eprint!("{USAGE}");
        return ExitCode::from(2);
    }
    match dispatch(command, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: &str, options: &[String]) -> Result {
    let workspace = Workspace::new()?;
    workspace.announce_target_dir();
    match command {
        "setup" => {
            let for_tests = match options {
                [] => false,
                [flag] if flag == "--for-tests" => true,
                _ => return Err(unexpected(command, options)),
            };
            setup::setup(&workspace, for_tests)
        }
        "run" => tasks::run(&workspace, &tasks::RunOptions::parse(options)?),
        "faults" => tasks::faults(&workspace, options),
        _ if !options.is_empty() => Err(unexpected(command, options)),
        "build" => tasks::build(&workspace),
        "release" => tasks::release(&workspace),
        "test" => tasks::test(&workspace),
        "bench" => tasks::bench(&workspace),
        "cycles" => cycles::check(&workspace),
        "first-load-profile" => tasks::first_load_profile(&workspace),
        _ => Err(format!("unknown command `{command}` (see `cargo xtask help`)").into()),
    }
}

fn unexpected(command: &str, options: &[String]) -> Box<dyn std::error::Error> {
    format!(
        "unexpected arguments for `{command}`: {} (see `cargo xtask help`)",
        options.join(" ")
    )
    .into()
}
