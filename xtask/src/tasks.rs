//! `build`, `release`, `run`, `test` and `bench`.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use crate::disk::{make_room, Scratch};
use crate::postgres::{self, TestPostgres};
use crate::setup::setup;
use crate::workspace::{side_by_side, Workspace};
use crate::Result;

/// `cargo xtask build`: setup, then the release build of the app into `<root>/dist`.
pub fn build(workspace: &Workspace) -> Result {
    setup(workspace, false)?;
    trunk_build(workspace)
}

/// `trunk build --release` (Trunk.toml: release, offline), finding wasm-opt,
/// wasm-bindgen and trunk itself on the children's `PATH`.
///
/// Two bundles: the tablet app (`index.html`) into `dist`, and beside it
/// the town hall app (`townhall/index.html`) into `dist-townhall`, moved to
/// `dist/townhall` (served under `/townhall/`) once both are done: Trunk
/// empties its own `dist` first, so the town hall's cannot be inside the
/// tablet's while it builds.
fn trunk_build(workspace: &Workspace) -> Result {
    trunk_apps(workspace)?;
    finish_apps(workspace)
}

/// Both apps as Trunk makes them, into `dist` and `dist/townhall`.
fn trunk_apps(workspace: &Workspace) -> Result {
    // Both apps' wasm in one cargo run first, as Trunk asks for each
    // (`index.html` and `Cargo.toml`'s `wasm-release` profile): their two
    // link-time optimisations, one core each, then run side by side, and
    // each `trunk build` finds its wasm built.
    workspace.run(workspace.cargo(&[
        "build",
        "--target=wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
        "--bin",
        "thamgia",
        "--bin",
        "townhall",
    ]))?;
    // Each trunk then runs wasm-bindgen and wasm-opt (one core each) on its
    // app; the town hall's output goes to a log so the two do not mix.
    let townhall_stage = workspace.root.join("dist-townhall");
    let townhall_log = workspace.target_dir().join("townhall-trunk.log");
    side_by_side(
        || workspace.run(workspace.command("trunk").args(["build", "--release"])),
        || {
            let mut townhall = workspace.command("trunk");
            townhall
                .args([
                    "build",
                    "townhall/index.html",
                    "--release",
                    "--public-url",
                    "/townhall/",
                ])
                .arg("--dist")
                .arg(&townhall_stage);
            workspace.run_logged(townhall, &townhall_log)
        },
    )?;
    let townhall_dist = workspace.dist().join("townhall");
    if townhall_dist.exists() {
        // Trunk replaced `dist` whole, so only a `townhall` folder kept in
        // the tablet app's sources could be here.
        fs::remove_dir_all(&townhall_dist)
            .map_err(|error| format!("cannot remove {}: {error}", townhall_dist.display()))?;
    }
    fs::rename(&townhall_stage, &townhall_dist).map_err(|error| {
        format!(
            "cannot move {} to {}: {error}",
            townhall_stage.display(),
            townhall_dist.display()
        )
    })?;
    for index in [
        workspace.dist().join("index.html"),
        townhall_dist.join("index.html"),
    ] {
        if !index.is_file() {
            return Err(format!("trunk build succeeded but {} is missing", index.display()).into());
        }
    }
    Ok(())
}

/// The tablet app split in two (`split`), both apps' scripts and styles
/// minified (`minify`), then every file precompressed.
fn finish_apps(workspace: &Workspace) -> Result {
    let split = crate::split::split_tablet_app(workspace, &workspace.dist())?;
    println!(
        "✓ tablet app split: the first part {} bytes ({} functions), the rest {} bytes ({} functions)",
        split.first_bytes, split.kept, split.rest_bytes, split.moved
    );
    for (app, dir) in [
        ("tablet app", workspace.dist()),
        ("town hall app", workspace.dist().join("townhall")),
    ] {
        let minified = crate::minify::minify_app(workspace, &dir)?;
        println!(
            "✓ {app}'s scripts and styles minified: {} files, {} bytes to {}",
            minified.files, minified.before, minified.after
        );
    }
    let (files, raw, brotli, gzip) = crate::precompress::precompress(&workspace.dist())?;
    println!(
        "✓ apps built in {}; {files} files precompressed: \
         {raw} bytes, {brotli} in brotli, {gzip} in gzip",
        workspace.dist().display(),
    );
    Ok(())
}

/// `cargo xtask first-load-profile`: builds the apps, runs a copy of the
/// tablet app whose functions mark themselves in headless Chromium through
/// a first visit up to sign-in and an opening signed in
/// (`crates/thamgia-e2e/examples/first_load_profile.rs`), writes the names
/// of those that ran (`split`), then splits and precompresses as `build`.
pub fn first_load_profile(workspace: &Workspace) -> Result {
    setup(workspace, true)?;
    trunk_apps(workspace)?;
    let profiled = workspace.root.join("dist-profile");
    crate::split::instrumented_copy(&workspace.dist(), &profiled)?;
    let marks = workspace.target_dir().join("first-load-marks.txt");
    let mut example = workspace.cargo(&[
        "run",
        "-p",
        "thamgia-e2e",
        "--example",
        "first_load_profile",
    ]);
    example
        .env("THAMGIA_DIST", &profiled)
        .env("THAMGIA_FIRST_LOAD_MARKS", &marks);
    workspace.run(example)?;
    let text = fs::read_to_string(&marks)
        .map_err(|error| format!("cannot read {}: {error}", marks.display()))?;
    let run: Vec<u32> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<std::result::Result<_, _>>()?;
    let names = crate::split::write_profile(workspace, &workspace.dist(), &run)?;
    println!("✓ {} functions ran; {names} names kept", run.len());
    fs::remove_dir_all(&profiled)
        .map_err(|error| format!("cannot remove {}: {error}", profiled.display()))?;
    finish_apps(workspace)
}

/// The cargo feature of the app that adds the exports the browser bench
/// calls in the page (`src/bench.rs`); the app tablets get is built without it.
const BENCH_FEATURE: &str = "bench";

/// The tablet app with its bench exports (`trunk build --release --features
/// bench`) into `<root>/dist-bench`, for the browser bench only: `dist`
/// stays the app tablets get, which the other benches measure. Neither the
/// town hall app nor compressed copies: the browser bench opens the tablet
/// app alone, over loopback, and times nothing of its download.
///
/// Cargo's own `thamgia.wasm` (in `<target dir>/wasm32-unknown-unknown/
/// wasm-release`, where the first-load bench reads the names of the
/// product's) is then this build's until the next `cargo xtask build`.
fn trunk_build_bench(workspace: &Workspace) -> Result {
    let dist = workspace.bench_dist();
    workspace.run(
        workspace
            .command("trunk")
            .args(["build", "--release", "--features", BENCH_FEATURE])
            .arg("--dist")
            .arg(&dist),
    )?;
    let index = dist.join("index.html");
    if !index.is_file() {
        return Err(format!("trunk build succeeded but {} is missing", index.display()).into());
    }
    // Split and minified as tablets get it, so the browser bench times
    // that shape.
    let split = crate::split::split_tablet_app(workspace, &dist)?;
    crate::minify::minify_app(workspace, &dist)?;
    println!(
        "✓ tablet app with its bench exports built in {} (split: the first part {} bytes, \
         the rest {} bytes)",
        dist.display(),
        split.first_bytes,
        split.rest_bytes
    );
    Ok(())
}

/// `cargo clippy --target wasm32-unknown-unknown <what> -- -D warnings`:
/// what the test command lints for the browser (`what` names the package,
/// its targets and features).
fn clippy_wasm32(workspace: &Workspace, what: &[&str]) -> Result {
    let mut clippy = workspace.cargo(&["clippy", "--target", "wasm32-unknown-unknown"]);
    clippy.args(what).args(["--", "-D", "warnings"]);
    workspace.run(clippy)
}

/// The cargo feature of thamgia-server that carries the built apps inside
/// the binary (`crates/thamgia-server/src/embedded.rs`).
const EMBEDDED_APP: &str = "embedded-app";

/// `cargo xtask release`: the apps built (as `build`), then the server in
/// release with both apps inside it: the one file to copy to the town
/// hall's machine (README, "Deploying: one file"). Prints its path and size.
pub fn release(workspace: &Workspace) -> Result {
    build(workspace)?;
    workspace.run(workspace.cargo(&[
        "build",
        "--release",
        "-p",
        "thamgia-server",
        "--features",
        EMBEDDED_APP,
    ]))?;
    let binary = absolute_target_dir(workspace)
        .join("release")
        .join(format!("thamgia-server{}", std::env::consts::EXE_SUFFIX));
    let bytes = std::fs::metadata(&binary)
        .map_err(|error| format!("the release build left no {}: {error}", binary.display()))?
        .len();
    println!(
        "✓ one file to deploy: {} ({:.1} MiB, both apps inside); \
         copy it to the server (README, \"Deploying: one file\")",
        binary.display(),
        bytes as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// The cargo target directory children build into, as an absolute path
/// (a relative `CARGO_TARGET_DIR` is relative to the root, where they run).
fn absolute_target_dir(workspace: &Workspace) -> PathBuf {
    let target_dir = workspace.target_dir();
    if target_dir.is_absolute() {
        target_dir.to_path_buf()
    } else {
        workspace.root.join(target_dir)
    }
}

/// Options of `cargo xtask run`.
#[derive(Debug)]
pub struct RunOptions {
    port: u16,
    database: PathBuf,
}

impl RunOptions {
    /// Parses `[--port N] [--database PATH]` (also `--port=N`, `--database=PATH`).
    pub fn parse(arguments: &[String]) -> Result<Self> {
        let mut options = Self {
            port: 8080,
            database: PathBuf::from("data/thamgia.sqlite3"),
        };
        let mut arguments = arguments.iter();
        while let Some(argument) = arguments.next() {
            let (flag, inline) = match argument.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (argument.as_str(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| arguments.next().cloned())
                    .ok_or_else(|| format!("`{flag}` needs a value (see `cargo xtask help`)"))
            };
            match flag {
                "--port" => {
                    let port = value()?;
                    options.port = port
                        .parse()
                        .map_err(|_| format!("`--port {port}`: not a port number (1-65535)"))?;
                    if options.port == 0 {
                        return Err("`--port 0`: not a port number (1-65535)".into());
                    }
                }
                "--database" => {
                    // A relative path given here is relative to where the
                    // command was typed; the server runs from the root.
                    options.database = std::env::current_dir()?.join(value()?);
                }
                _ => {
                    return Err(format!(
                        "unexpected argument `{argument}` for `run` (see `cargo xtask help`)"
                    )
                    .into())
                }
            }
        }
        Ok(options)
    }
}

/// `cargo xtask run`: build, then the server with the app, seeded with the demo survey.
pub fn run(workspace: &Workspace, options: &RunOptions) -> Result {
    build(workspace)?;
    let port = options.port.to_string();
    println!("Tham Gia will be at http://localhost:{port}");
    let mut server = workspace.cargo(&["run", "--release", "-p", "thamgia-server", "--"]);
    server
        .args(["--port", &port, "--database"])
        .arg(&options.database)
        .args(["--static-dir", "dist"]);
    workspace.run(server)
}

/// `cargo xtask bench`: build (the benches serve dist), then the first-load
/// bench (with each app's largest contributors), the ingest bench (SQLite
/// and PostgreSQL, with bytes per response), the town hall at 10,000,
/// 100,000 and 1,000,000 responses (SQLite and PostgreSQL), the form engine
/// natively, the suppression pattern of every scope, and in headless
/// Chromium, on the tablet app built with its bench exports into
/// dist-bench, the form engine, a tablet's lists, saving and reading beside
/// raw IndexedDB and PouchDB, and sending. Each prints its figures; none
/// fails on a timing.
pub fn bench(workspace: &Workspace) -> Result {
    setup(workspace, true)?;
    build(workspace)?;
    // Both apps' first-load transfer, and the crates their wasm is made of:
    // read from cargo's wasm before wasm-bindgen and wasm-opt strip the
    // names (Trunk builds it with the profile of index.html).
    let mut first_load =
        workspace.cargo(&["bench", "-p", "thamgia-server", "--bench", "first_load"]);
    first_load.env("THAMGIA_DIST", workspace.dist()).env(
        "THAMGIA_WASM_NAMES_DIR",
        absolute_target_dir(workspace)
            .join("wasm32-unknown-unknown")
            .join("wasm-release"),
    );
    workspace.run(first_load)?;
    // The ingest rate and the survey results at city scale, each on SQLite
    // and on one throwaway PostgreSQL cluster (stopped and removed
    // afterwards, passed or failed).
    let postgres = TestPostgres::start(workspace)?;
    let mut ingest = workspace.cargo(&["bench", "-p", "thamgia-server", "--bench", "ingest"]);
    ingest
        .env("THAMGIA_DIST", workspace.dist())
        .env("THAMGIA_BENCH_POSTGRES_URL", &postgres.url);
    let outcome = workspace.run(ingest).and_then(|()| {
        let mut results =
            workspace.cargo(&["bench", "-p", "thamgia-server", "--bench", "results_scale"]);
        results.env("THAMGIA_BENCH_POSTGRES_URL", &postgres.url);
        workspace.run(results)
    });
    postgres.stop()?;
    outcome?;
    workspace.run(workspace.cargo(&["bench", "-p", "thamgia-core", "--bench", "form_edit"]))?;
    workspace.run(workspace.cargo(&["bench", "-p", "thamgia-core", "--bench", "joint_pattern"]))?;
    // Built last: it replaces the product's wasm in cargo's target
    // directory, whose names the first-load bench has read by now.
    trunk_build_bench(workspace)?;
    let mut browser =
        workspace.cargo(&["bench", "-p", "thamgia-e2e", "--bench", "form_in_browser"]);
    browser
        .env("THAMGIA_DIST", workspace.bench_dist())
        .env("THAMGIA_CHROMIUM", "/usr/bin/chromium");
    workspace.run(browser)
}

/// The variable the fault suite reads its PostgreSQL server's URL from
/// (its `--database-url`).
const FAULTS_URL_VARIABLE: &str = "THAMGIA_FAULTS_DATABASE_URL";

/// `cargo xtask faults [--postgres] [ARGS]`: the fault-tolerance suite
/// (simulated tablets through a lossy proxy to a server killed with SIGKILL
/// and restarted). `--full` runs 10,000 responses and 2,000 report edits;
/// `--postgres` runs the server on PostgreSQL (the server of
/// `THAMGIA_TEST_POSTGRES_URL`, or a throwaway cluster, stopped and removed
/// afterwards, passed or failed), else on SQLite; other arguments go to the
/// suite as they are (`--help` lists them; `--postgres --servers 2` runs two
/// server processes on the one database behind the suite's proxy). The
/// server binary is built beside the suite's, where the suite looks for it.
pub fn faults(workspace: &Workspace, arguments: &[String]) -> Result {
    let on_postgres = arguments.iter().any(|argument| argument == "--postgres");
    let passed_on: Vec<&String> = arguments
        .iter()
        .filter(|argument| *argument != "--postgres")
        .collect();
    workspace.run(workspace.cargo(&["build", "-p", "thamgia-server", "-p", "thamgia-faults"]))?;
    let mut suite = workspace.cargo(&["run", "--quiet", "-p", "thamgia-faults", "--"]);
    suite.args(passed_on);
    if !on_postgres {
        // SQLite unless asked: a URL left in the shell does not switch it.
        suite.env_remove(FAULTS_URL_VARIABLE);
        return workspace.run(suite);
    }
    let server = TestPostgres::start(workspace)?;
    println!("PostgreSQL: {}", server.description);
    // In the child's environment, never on a command line (the echo hides a
    // password). The suite makes (and drops) a database of its own there.
    suite.env(FAULTS_URL_VARIABLE, &server.url);
    let result = workspace.run(suite);
    let stopped = server.stop();
    result.and(stopped)
}

/// One step of `cargo xtask test`.
struct Step {
    name: &'static str,
    action: fn(&Workspace) -> Result,
}

/// What CI runs, in order; the first failure stops the run.
const STEPS: &[Step] = &[
    Step {
        name: "setup --for-tests",
        action: |ws| setup(ws, true),
    },
    Step {
        name: "fmt",
        action: |ws| ws.run(ws.cargo(&["fmt", "--all", "--", "--check"])),
    },
    Step {
        name: "clippy native crates",
        action: |ws| {
            ws.run(ws.cargo(&[
                "clippy",
                "--workspace",
                "--exclude",
                "thamgia",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        },
    },
    Step {
        name: "module cycles",
        action: crate::cycles::check,
    },
    Step {
        name: "clippy app (wasm32)",
        action: |ws| clippy_wasm32(ws, &["-p", "thamgia", "--all-targets"]),
    },
    Step {
        // The bench exports, compiled only with their feature, which the
        // step above and the app's build leave off.
        name: "clippy app's bench exports (wasm32)",
        action: |ws| clippy_wasm32(ws, &["-p", "thamgia", "--features", BENCH_FEATURE, "--lib"]),
    },
    Step {
        name: "clippy core (wasm32)",
        action: |ws| clippy_wasm32(ws, &["-p", "thamgia-core"]),
    },
    Step {
        name: "test core + server + xtask (SQLite)",
        action: |ws| {
            let python = pyxform_python(ws)?;
            let mut test = ws.cargo(&[
                "test",
                "-p",
                "thamgia-core",
                "-p",
                "thamgia-server",
                "-p",
                "xtask",
            ]);
            // The XLSForm import test then also runs pyxform live.
            test.env("THAMGIA_PYXFORM_PYTHON", python)
                // Without it the server's tests run on SQLite files.
                .env_remove(postgres::TEST_URL_VARIABLE);
            ws.run(test)
        },
    },
    Step {
        name: "test server (PostgreSQL)",
        action: test_server_on_postgres,
    },
    Step {
        name: "fault suite (CI size, SQLite)",
        action: |ws| faults(ws, &[]),
    },
    Step {
        name: "fault suite (CI size, PostgreSQL)",
        action: |ws| faults(ws, &["--postgres".to_owned()]),
    },
    Step {
        // Two server processes on one PostgreSQL database behind the
        // suite's proxy (round-robin), each killed once mid-push while the
        // other serves: what a city running several servers relies on.
        name: "fault suite (CI size, PostgreSQL, two servers)",
        action: |ws| {
            faults(
                ws,
                &[
                    "--postgres".to_owned(),
                    "--servers".to_owned(),
                    "2".to_owned(),
                ],
            )
        },
    },
    Step {
        name: "build (trunk)",
        action: trunk_build,
    },
    Step {
        // Right after the apps are built: the server binary that carries
        // them (debug, sharing the target dir) runs from an empty folder.
        name: "one file (apps inside the server binary)",
        action: |ws| {
            // The feature's code is linted here, where the apps it carries
            // exist (the clippy step runs before the build).
            ws.run(ws.cargo(&[
                "clippy",
                "-p",
                "thamgia-server",
                "--features",
                EMBEDDED_APP,
                "--lib",
                "--bins",
                "--",
                "-D",
                "warnings",
            ]))?;
            ws.run(ws.cargo(&[
                "test",
                "-p",
                "thamgia-server",
                "--features",
                EMBEDDED_APP,
                "--test",
                "one_file",
            ]))
        },
    },
    Step {
        name: "test app in browser",
        action: |ws| {
            let mut test = ws.cargo(&[
                "test",
                "-p",
                "thamgia",
                "--target",
                "wasm32-unknown-unknown",
            ]);
            // ChromeDriver's profiles stay in TMPDIR when the runner stops it.
            let scratch = Scratch::new("browser-tests")?;
            test.env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env("TMPDIR", scratch.path());
            ws.run(test)
        },
    },
    Step {
        name: "test e2e",
        action: |ws| {
            let mut test = ws.cargo(&["test", "-p", "thamgia-e2e", "--", "--test-threads=1"]);
            let scratch = Scratch::new("e2e")?;
            test.env("THAMGIA_DIST", ws.dist())
                .env("THAMGIA_CHROMIUM", "/usr/bin/chromium")
                .env("TMPDIR", scratch.path());
            ws.run(test)
        },
    },
];

/// The server's tests again, on PostgreSQL: the server of
/// `THAMGIA_TEST_POSTGRES_URL`, or a throwaway cluster stopped and removed
/// afterwards, also when the tests fail. Each test makes its own database.
fn test_server_on_postgres(workspace: &Workspace) -> Result {
    let server = TestPostgres::start(workspace)?;
    println!("PostgreSQL: {}", server.description);
    let mut test = workspace.cargo(&["test", "-p", "thamgia-server"]);
    // pyxform was compared in the SQLite run; the URL of a server given in
    // the environment is inherited (never echoed: it may hold a password).
    test.env_remove("THAMGIA_PYXFORM_PYTHON");
    if postgres::url_from_environment().is_none() {
        test.env(postgres::TEST_URL_VARIABLE, &server.url);
    }
    let started = Instant::now();
    let result = workspace.run(test);
    println!(
        "server tests on PostgreSQL {} in {:.1} s",
        if result.is_ok() { "passed" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    let stopped = server.stop();
    result.and(stopped)
}

/// `tools/xlsform/setup_venv.sh`: makes (once) the venv holding pyxform, the
/// reference converter the XLSForm import is compared with, and returns the
/// venv's python (the script prints only that on stdout).
fn pyxform_python(workspace: &Workspace) -> Result<String> {
    let script = workspace
        .root
        .join("tools")
        .join("xlsform")
        .join("setup_venv.sh");
    let mut command = workspace.command("bash");
    command.arg(&script);
    let python = workspace.output(command).map_err(|error| {
        format!(
            "{error}: the pyxform venv could not be made. If it says \"No module named pip\", \
             an earlier attempt left a venv without pip: delete target/pyxform-venv and retry"
        )
    })?;
    if python.is_empty() || !std::path::Path::new(&python).is_file() {
        return Err(format!(
            "{} printed `{python}`, which is not a python executable",
            script.display()
        )
        .into());
    }
    Ok(python)
}

/// `cargo xtask test`: every step, timed, then a summary table.
pub fn test(workspace: &Workspace) -> Result {
    let started = Instant::now();
    make_room(workspace)?;
    let mut outcomes: Vec<(&str, f64, bool)> = Vec::new();
    let mut failure = None;
    for step in STEPS {
        println!("\n== step: {}", step.name);
        let step_started = Instant::now();
        let result = (step.action)(workspace);
        let seconds = step_started.elapsed().as_secs_f64();
        let ok = result.is_ok();
        println!(
            "== step: {} {} in {seconds:.1} s",
            step.name,
            if ok { "passed" } else { "FAILED" }
        );
        outcomes.push((step.name, seconds, ok));
        if let Err(error) = result {
            failure = Some(format!("step `{}` failed: {error}", step.name));
            break;
        }
    }

    let width = STEPS.iter().map(|s| s.name.len()).max().unwrap_or(0).max(5);
    println!("\n== summary");
    println!("{:<width$}  {:>8}  result", "step", "seconds");
    for step in STEPS {
        match outcomes.iter().find(|(name, _, _)| *name == step.name) {
            Some((name, seconds, ok)) => println!(
                "{name:<width$}  {seconds:>8.1}  {}",
                if *ok { "ok" } else { "FAILED" }
            ),
            None => println!("{:<width$}  {:>8}  not run", step.name, "-"),
        }
    }
    println!(
        "{:<width$}  {:>8.1}",
        "total",
        started.elapsed().as_secs_f64()
    );
    match failure {
        Some(message) => Err(message.into()),
        None => {
            println!("all {} steps passed", STEPS.len());
            Ok(())
        }
    }
}
