//! `cargo xtask setup [--for-tests]`: installs the build tools that are missing.
//!
//! Each tool is checked with a cheap command (a version query or a file
//! check), and installed only when missing or at the wrong version, so a
//! second run takes well under a second. One line is printed per tool.

use std::fs;
use std::path::Path;

use crate::postgres;
use crate::workspace::Workspace;
use crate::Result;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// trunk 0.22 needs a newer rustc than this project's toolchain.
const TRUNK_VERSION: &str = "0.21.14";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The geckodriver the Firefox end-to-end test drives Firefox ESR with
/// (crates.io; Debian does not package it).
const GECKODRIVER_VERSION: &str = "0.37.1";
/// The other engines' programs and the Debian packages that hold them.
const OTHER_ENGINES: &[(&str, &str)] = &[
    ("/usr/bin/firefox-esr", "firefox-esr"),
    ("/usr/bin/WebKitWebDriver", "webkit2gtk-driver"),
    ("/usr/bin/Xvfb", "xvfb"),
];

/// Installs what is missing; with `for_tests`, also chromium, chromedriver,
/// Firefox ESR with geckodriver, WebKitGTK's driver with Xvfb, python3's venv (for the pyxform reference of the XLSForm test) and
/// PostgreSQL (for the server's tests on PostgreSQL).
pub fn setup(workspace: &Workspace, for_tests: bool) -> Result {
    wasm_target(workspace)?;
    trunk(workspace)?;
    wasm_bindgen(workspace)?;
    wasm_opt(workspace)?;
    if for_tests {
        browsers(workspace)?;
        other_engines(workspace)?;
        python_venv(workspace)?;
        postgresql(workspace)?;
    }
    Ok(())
}

fn wasm_target(workspace: &Workspace) -> Result {
    let installed = workspace
        .probe("rustup", &["target", "list", "--installed"])
        .ok_or(
            "`rustup target list --installed` failed: is rustup installed? (https://rustup.rs)",
        )?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("✓ {WASM_TARGET} target already installed");
        return Ok(());
    }
    println!("→ installing the {WASM_TARGET} target");
    workspace.run(
        workspace
            .command("rustup")
            .args(["target", "add", WASM_TARGET]),
    )
}

fn trunk(workspace: &Workspace) -> Result {
    let found = tool_version(workspace, "trunk");
    if found.as_deref() == Some(TRUNK_VERSION) {
        println!("✓ trunk {TRUNK_VERSION} already installed");
        return Ok(());
    }
    println!(
        "→ installing trunk {TRUNK_VERSION} ({}); this takes ~15 min on 2 cores",
        found_text(found.as_deref())
    );
    workspace.run(workspace.cargo(&[
        "install",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--locked",
    ]))?;
    check_installed(workspace, "trunk", TRUNK_VERSION)
}

fn wasm_bindgen(workspace: &Workspace) -> Result {
    let wanted = locked_version(&workspace.root.join("Cargo.lock"), "wasm-bindgen")?;
    warn_if_trunk_disagrees(workspace, &wanted);
    let found = tool_version(workspace, "wasm-bindgen");
    if found.as_deref() == Some(wanted.as_str()) {
        println!("✓ wasm-bindgen-cli {wanted} already installed (the version in Cargo.lock)");
        return Ok(());
    }
    println!(
        "→ installing wasm-bindgen-cli {wanted}, the version in Cargo.lock ({}); this takes ~8 min on 2 cores",
        found_text(found.as_deref())
    );
    // Without --locked: its lockfile pins a webpki-roots version the registry lacks.
    workspace.run(workspace.cargo(&[
        "install",
        "wasm-bindgen-cli",
        "--version",
        &wanted,
        "--force",
    ]))?;
    check_installed(workspace, "wasm-bindgen", &wanted)
}

/// What `npm ci` installs besides wasm-opt, by a file of each package
/// (package.json): axe-core, which the browser tests run on every page, and
/// PouchDB with the modules it requires, which the browser bench loads into
/// the page to compare the app's storage with (a development tool only,
/// never in `dist`).
const NPM_FILES: [&str; 6] = [
    "axe-core/axe.min.js",
    "pouchdb-browser/lib/index.js",
    "spark-md5/spark-md5.min.js",
    "uuid/dist/umd/uuid.min.js",
    "vuvuzela/index.js",
    "events/events.js",
];

/// npm's binaryen (wasm-opt as JS/wasm): Debian's wasm-opt 108 breaks the
/// module; `npm ci` installs [`NPM_FILES`]' packages with it.
fn wasm_opt(workspace: &Workspace) -> Result {
    let wasm_opt = workspace
        .root
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt");
    let wanted = binaryen_version(&workspace.root.join("package.json"));
    let wanted_major = wanted.as_deref().and_then(|v| v.split('.').next());
    let found = if wasm_opt.is_file() {
        workspace.probe(&wasm_opt, &["--version"])
    } else {
        None
    };
    // `wasm-opt --version` prints "wasm-opt version 132 (version_132)".
    let found_major = found
        .as_deref()
        .and_then(|out| out.split_whitespace().nth(2).map(str::to_owned));
    // axe-core (the accessibility rules the browser tests run) and
    // PouchDB with what it requires (which the browser bench compares the
    // app's storage with; never shipped) come from the same `npm ci`.
    let node_modules = workspace.root.join("node_modules");
    let others_installed = NPM_FILES
        .iter()
        .all(|file| node_modules.join(file).is_file());
    let up_to_date = others_installed
        && match (found.as_deref(), wanted_major) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(_), Some(major)) => found_major.as_deref() == Some(major),
        };
    if up_to_date {
        println!(
            "✓ wasm-opt {}, axe-core and PouchDB already installed (npm, node_modules)",
            found_major.as_deref().unwrap_or("(unknown version)")
        );
        return Ok(());
    }
    println!(
        "→ installing wasm-opt from npm's binaryen {}, axe-core and PouchDB with `npm ci` ({})",
        wanted.as_deref().unwrap_or("(version in package.json)"),
        match &found_major {
            Some(major) => format!("found version {major}"),
            None => "not found".to_owned(),
        }
    );
    if workspace.probe("npm", &["--version"]).is_none() {
        println!("→ installing nodejs and npm from apt (npm is missing)");
        apt_install(workspace, &["nodejs", "npm"])?;
    }
    workspace.run(workspace.command("npm").arg("ci"))?;
    if !wasm_opt.is_file() {
        return Err(format!("`npm ci` did not install {}", wasm_opt.display()).into());
    }
    Ok(())
}

/// chromium and chromedriver at /usr/bin, for the browser and end-to-end tests.
fn browsers(workspace: &Workspace) -> Result {
    let chromium = Path::new(CHROMIUM).is_file();
    let chromedriver = Path::new(CHROMEDRIVER).is_file();
    if chromium && chromedriver {
        for (name, path) in [("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)] {
            let version = workspace
                .probe(path, &["--version"])
                .and_then(|out| out.split_whitespace().nth(1).map(str::to_owned))
                .unwrap_or_else(|| "(unknown version)".to_owned());
            println!("✓ {name} {version} already installed ({path})");
        }
        return Ok(());
    }
    let missing: Vec<&str> = [(chromium, CHROMIUM), (chromedriver, CHROMEDRIVER)]
        .into_iter()
        .filter(|(present, _)| !present)
        .map(|(_, path)| path)
        .collect();
    println!(
        "→ installing chromium and chromium-driver from apt ({} missing)",
        missing.join(", ")
    );
    apt_install(workspace, &["chromium", "chromium-driver"])?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).is_file() {
            return Err(format!("{path} is still missing after installing from apt").into());
        }
    }
    Ok(())
}

/// Firefox ESR and WebKitGTK (with Xvfb, its display) from apt, and
/// geckodriver from crates.io, for the end-to-end path in the other engine
/// families (`other_engines.rs` of the end-to-end tests).
fn other_engines(workspace: &Workspace) -> Result {
    let missing: Vec<&str> = OTHER_ENGINES
        .iter()
        .filter(|(path, _)| !Path::new(path).is_file())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        println!("✓ firefox-esr, webkit2gtk-driver and xvfb already installed");
    } else {
        println!("→ installing {} from apt (missing)", missing.join(", "));
        apt_install(workspace, &missing)?;
        for (path, _) in OTHER_ENGINES {
            if !Path::new(path).is_file() {
                return Err(format!("{path} is still missing after installing from apt").into());
            }
        }
    }
    let found = tool_version(workspace, "geckodriver");
    if found.as_deref() == Some(GECKODRIVER_VERSION) {
        println!("✓ geckodriver {GECKODRIVER_VERSION} already installed");
        return Ok(());
    }
    println!(
        "→ installing geckodriver {GECKODRIVER_VERSION} ({}); this takes ~4 min on 2 cores",
        found_text(found.as_deref())
    );
    workspace.run(workspace.cargo(&[
        "install",
        "geckodriver",
        "--version",
        GECKODRIVER_VERSION,
        "--locked",
    ]))?;
    check_installed(workspace, "geckodriver", GECKODRIVER_VERSION)
}

/// Python that can make a venv with pip in it, for the pyxform venv of the
/// XLSForm import test (`tools/xlsform/setup_venv.sh`, which uses `$PYTHON`
/// or `python3`). Debian keeps `venv` in the standard library but
/// `ensurepip` in python3-venv: without that package `python3 -m venv
/// --help` works and making a venv fails, so the check imports both.
fn python_venv(workspace: &Workspace) -> Result {
    let python = std::env::var("PYTHON")
        .ok()
        .filter(|python| !python.is_empty())
        .unwrap_or_else(|| "python3".to_owned());
    let can_make_venv = || {
        workspace
            .probe(&python, &["-c", "import ensurepip, venv"])
            .is_some()
    };
    if can_make_venv() {
        let version = workspace
            .probe(&python, &["--version"])
            .unwrap_or_else(|| "(unknown version)".to_owned());
        println!("✓ {version} with venv and ensurepip already installed ({python})");
        return Ok(());
    }
    println!(
        "→ installing python3 and python3-venv from apt (`{python}` cannot make a venv with pip)"
    );
    apt_install(workspace, &["python3", "python3-venv"])?;
    if !can_make_venv() {
        return Err(format!(
            "`{python} -c \"import ensurepip, venv\"` still fails after installing python3-venv: \
             is another {python} earlier on PATH? Set PYTHON to a python3 that has venv and ensurepip"
        )
        .into());
    }
    Ok(())
}

/// PostgreSQL's initdb and pg_ctl, for the throwaway cluster the server's
/// tests run on; not needed when THAMGIA_TEST_POSTGRES_URL names a server.
fn postgresql(workspace: &Workspace) -> Result {
    if postgres::url_from_environment().is_some() {
        println!(
            "✓ PostgreSQL not needed here: the tests use the server of {}",
            postgres::TEST_URL_VARIABLE
        );
        return Ok(());
    }
    if let Some((version, bin)) = postgres::find_programs(workspace) {
        println!(
            "✓ PostgreSQL {version} already installed ({})",
            if bin.as_os_str().is_empty() {
                "initdb and pg_ctl on PATH".to_owned()
            } else {
                bin.display().to_string()
            }
        );
        return Ok(());
    }
    println!("→ installing postgresql from apt (initdb and pg_ctl are missing)");
    apt_install(workspace, &["postgresql"])?;
    match postgres::find_programs(workspace) {
        Some((version, _)) => {
            println!("✓ PostgreSQL {version} installed");
            Ok(())
        }
        None => {
            Err("initdb and pg_ctl are still missing after installing postgresql from apt".into())
        }
    }
}

/// `apt-get update` then `apt-get install -y <packages>`, as root or through
/// sudo; without either, fails saying what to run.
fn apt_install(workspace: &Workspace, packages: &[&str]) -> Result {
    let is_root = workspace.probe("id", &["-u"]).as_deref() == Some("0");
    let use_sudo = if is_root {
        false
    } else if workspace.on_path("sudo") {
        true
    } else {
        return Err(format!(
            "installing {} needs root, and sudo is not available: run \
             `apt-get update && apt-get install -y {}` as root, then this command again",
            packages.join(" "),
            packages.join(" ")
        )
        .into());
    };
    let apt_get = |arguments: &[&str]| {
        let mut command = if use_sudo {
            let mut sudo = workspace.command("sudo");
            sudo.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            sudo
        } else {
            let mut apt = workspace.command("apt-get");
            apt.env("DEBIAN_FRONTEND", "noninteractive");
            apt
        };
        command.args(arguments);
        command
    };
    workspace.run(apt_get(&["update"]))?;
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    workspace.run(apt_get(&install))
}

/// The version a tool reports: `<tool> --version` prints "<tool> <version>".
fn tool_version(workspace: &Workspace, tool: &str) -> Option<String> {
    let output = workspace.probe(tool, &["--version"])?;
    let mut words = output.split_whitespace();
    match (words.next(), words.next()) {
        (Some(name), Some(version)) if name == tool => Some(version.to_owned()),
        _ => Some(output),
    }
}

/// After an install, the tool on the children's `PATH` must report the version.
fn check_installed(workspace: &Workspace, tool: &str, wanted: &str) -> Result {
    match tool_version(workspace, tool) {
        Some(found) if found == wanted => {
            println!("✓ {tool} {wanted} installed");
            Ok(())
        }
        found => Err(format!(
            "installed {tool} {wanted}, but `{tool} --version` now gives {}: \
             is another {tool} earlier on PATH?",
            found_text(found.as_deref())
        )
        .into()),
    }
}

fn found_text(found: Option<&str>) -> String {
    match found {
        Some(version) => format!("found {version}"),
        None => "not found".to_owned(),
    }
}

/// The version of the `[[package]]` named `name` in a Cargo.lock.
fn locked_version(lockfile: &Path, name: &str) -> Result<String> {
    let text = fs::read_to_string(lockfile)
        .map_err(|error| format!("cannot read {}: {error}", lockfile.display()))?;
    let versions = locked_versions(&text, name);
    match versions.as_slice() {
        [version] => Ok(version.clone()),
        [] => Err(format!("no `{name}` package in {}", lockfile.display()).into()),
        several => Err(format!(
            "several `{name}` versions in {} ({}): pin one so the CLI can match it",
            lockfile.display(),
            several.join(", ")
        )
        .into()),
    }
}

/// The distinct versions of the `[[package]]`s named `name` in Cargo.lock's text.
fn locked_versions(text: &str, name: &str) -> Vec<String> {
    let mut versions = Vec::new();
    for block in text.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|line| {
                let (k, v) = line.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
            })
        };
        if field("name").as_deref() == Some(name) {
            if let Some(version) = field("version") {
                versions.push(version);
            }
        }
    }
    versions.sort();
    versions.dedup();
    versions
}

/// The binaryen version pinned in package.json (`"binaryen": "132.0.0"`), if readable.
fn binaryen_version(package_json: &Path) -> Option<String> {
    binaryen_in(&fs::read_to_string(package_json).ok()?)
}

/// The `"binaryen"` dependency's version in package.json's text.
fn binaryen_in(text: &str) -> Option<String> {
    let after = text.split_once("\"binaryen\"")?.1;
    let value = after
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let version = value.split('"').next()?;
    Some(version.trim_start_matches(['^', '~', '=']).to_owned())
}

/// Trunk (offline) refuses to build when Trunk.toml's `[tools] wasm_bindgen`
/// differs from the installed CLI: say so early.
fn warn_if_trunk_disagrees(workspace: &Workspace, locked: &str) {
    let Ok(text) = fs::read_to_string(workspace.root.join("Trunk.toml")) else {
        return;
    };
    let configured = text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "wasm_bindgen").then(|| value.trim().trim_matches('"').to_owned())
    });
    if let Some(configured) = configured {
        if configured != locked {
            println!(
                "⚠ Trunk.toml has wasm_bindgen = \"{configured}\" but Cargo.lock has \
                 wasm-bindgen {locked}: trunk build will fail until they agree"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_locked_version() {
        let lock =
            "version = 4\n\n[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"x\"\n";
        assert_eq!(locked_versions(lock, "wasm-bindgen"), ["0.2.130"]);
        assert!(locked_versions(lock, "trunk").is_empty());
    }

    #[test]
    fn finds_the_binaryen_version() {
        let package = "{\"devDependencies\": {\n  \"binaryen\": \"^132.0.0\"\n}}";
        assert_eq!(binaryen_in(package).as_deref(), Some("132.0.0"));
        assert_eq!(binaryen_in("{}"), None);
    }
}
