//! The system's part of `cargo xtask setup`: the Debian packages that are
//! missing (npm; with `--for-tests` the browsers, WebKitGTK's display,
//! python3-venv and PostgreSQL), all in one `apt-get install`, then npm's
//! packages with `npm ci`.
//!
//! It runs on a second thread beside the cargo installs (see
//! [`super::setup`]): apt and npm wait on the network and the disk where
//! cargo keeps both cores busy, so on a fresh machine their minute or two
//! is hidden behind trunk's build. Their output goes to log files in the
//! target directory, so the terminal shows cargo's progress and one line
//! per tool; a failure quotes the end of its log.

use std::fs;
use std::path::{Path, PathBuf};

use crate::postgres;
use crate::workspace::Workspace;
use crate::Result;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The other engines' programs and the Debian packages that hold them.
const OTHER_ENGINES: &[(&str, &str)] = &[
    ("/usr/bin/firefox-esr", "firefox-esr"),
    ("/usr/bin/WebKitWebDriver", "webkit2gtk-driver"),
    ("/usr/bin/Xvfb", "xvfb"),
];

/// What `npm ci` installs besides wasm-opt, by a file of each package
/// (package.json): esbuild, which minifies the apps' scripts and styles
/// (`minify`); axe-core, which the browser tests run on every page, and
/// PouchDB with the modules it requires, which the browser bench loads into
/// the page to compare the app's storage with (a development tool only,
/// never in `dist`).
const NPM_FILES: [&str; 7] = [
    "esbuild/bin/esbuild",
    "axe-core/axe.min.js",
    "pouchdb-browser/lib/index.js",
    "spark-md5/spark-md5.min.js",
    "uuid/dist/umd/uuid.min.js",
    "vuvuzela/index.js",
    "events/events.js",
];

/// Installs what apt and npm must, then checks every program is there.
pub fn install(workspace: &Workspace, for_tests: bool) -> Result {
    let python = python();
    let mut packages: Vec<&str> = Vec::new();
    if workspace.probe("npm", &["--version"]).is_none() {
        packages.extend(["nodejs", "npm"]);
    }
    if for_tests {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")]
            .into_iter()
            .chain(OTHER_ENGINES.iter().copied())
        {
            if !Path::new(path).is_file() {
                packages.push(package);
            }
        }
        if !can_make_venv(workspace, &python) {
            packages.extend(["python3", "python3-venv"]);
        }
        if postgres::url_from_environment().is_none()
            && postgres::find_programs(workspace).is_none()
        {
            packages.push("postgresql");
        }
    }
    if !packages.is_empty() {
        let log = log_file(workspace, "apt.log")?;
        println!(
            "→ installing {} from apt (missing); log: {}",
            packages.join(", "),
            log.display()
        );
        apt_install(workspace, &packages, &log)?;
    }
    npm_packages(workspace)?;
    if for_tests {
        browsers(workspace)?;
        other_engines()?;
        python_venv(workspace, &python)?;
        postgresql(workspace)?;
    }
    Ok(())
}

/// `<target dir>/setup/<name>`, its directory made; a previous log is replaced.
fn log_file(workspace: &Workspace, name: &str) -> Result<PathBuf> {
    let directory = workspace.target_dir().join("setup");
    fs::create_dir_all(&directory)
        .map_err(|error| format!("cannot make {}: {error}", directory.display()))?;
    let log = directory.join(name);
    // Missing the first time; a failure to remove shows when it is opened.
    fs::remove_file(&log).ok();
    Ok(log)
}

/// npm's binaryen (wasm-opt as JS/wasm): Debian's wasm-opt 108 breaks the
/// module; `npm ci` installs [`NPM_FILES`]' packages with it.
fn npm_packages(workspace: &Workspace) -> Result {
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
            "✓ wasm-opt {}, esbuild, axe-core and PouchDB already installed (npm, node_modules)",
            found_major.as_deref().unwrap_or("(unknown version)")
        );
        return Ok(());
    }
    let log = log_file(workspace, "npm.log")?;
    println!(
        "→ installing wasm-opt from npm's binaryen {}, esbuild, axe-core and PouchDB with `npm ci` ({}); log: {}",
        wanted.as_deref().unwrap_or("(version in package.json)"),
        match &found_major {
            Some(major) => format!("found version {major}"),
            None => "not found".to_owned(),
        },
        log.display()
    );
    workspace.run_logged(workspace.command("npm").arg("ci"), &log)?;
    if !wasm_opt.is_file() {
        return Err(format!("`npm ci` did not install {}", wasm_opt.display()).into());
    }
    println!("✓ wasm-opt, esbuild, axe-core and PouchDB installed (npm, node_modules)");
    Ok(())
}

/// chromium and chromedriver at /usr/bin, for the browser and end-to-end tests.
fn browsers(workspace: &Workspace) -> Result {
    for (name, path) in [("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)] {
        if !Path::new(path).is_file() {
            return Err(format!("{path} is missing after installing {name} from apt").into());
        }
        let version = workspace
            .probe(path, &["--version"])
            .and_then(|out| out.split_whitespace().nth(1).map(str::to_owned))
            .unwrap_or_else(|| "(unknown version)".to_owned());
        println!("✓ {name} {version} ({path})");
    }
    Ok(())
}

/// Firefox ESR and WebKitGTK (with Xvfb, its display), for the end-to-end
/// path in the other engine families (`other_engines.rs` of the end-to-end
/// tests); geckodriver comes from crates.io with the cargo installs.
fn other_engines() -> Result {
    for (path, package) in OTHER_ENGINES {
        if !Path::new(path).is_file() {
            return Err(format!("{path} is missing after installing {package} from apt").into());
        }
    }
    println!("✓ firefox-esr, webkit2gtk-driver and xvfb");
    Ok(())
}

/// `$PYTHON`, or `python3`: the Python of the pyxform venv of the XLSForm
/// import test (`tools/xlsform/setup_venv.sh` uses the same).
fn python() -> String {
    std::env::var("PYTHON")
        .ok()
        .filter(|python| !python.is_empty())
        .unwrap_or_else(|| "python3".to_owned())
}

/// Debian keeps `venv` in the standard library but `ensurepip` in
/// python3-venv: without that package `python3 -m venv --help` works and
/// making a venv fails, so the check imports both.
fn can_make_venv(workspace: &Workspace, python: &str) -> bool {
    workspace
        .probe(python, &["-c", "import ensurepip, venv"])
        .is_some()
}

/// Python that can make a venv with pip in it, for the pyxform venv.
fn python_venv(workspace: &Workspace, python: &str) -> Result {
    if !can_make_venv(workspace, python) {
        return Err(format!(
            "`{python} -c \"import ensurepip, venv\"` fails, also after installing python3-venv: \
             is another {python} earlier on PATH? Set PYTHON to a python3 that has venv and ensurepip"
        )
        .into());
    }
    let version = workspace
        .probe(python, &["--version"])
        .unwrap_or_else(|| "(unknown version)".to_owned());
    println!("✓ {version} with venv and ensurepip ({python})");
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
    match postgres::find_programs(workspace) {
        Some((version, bin)) => {
            println!(
                "✓ PostgreSQL {version} ({})",
                if bin.as_os_str().is_empty() {
                    "initdb and pg_ctl on PATH".to_owned()
                } else {
                    bin.display().to_string()
                }
            );
            Ok(())
        }
        None => Err("initdb and pg_ctl are missing after installing postgresql from apt".into()),
    }
}

/// `apt-get update` then `apt-get install -y <packages>`, as root or through
/// sudo, their output in `log`; without either, fails saying what to run.
fn apt_install(workspace: &Workspace, packages: &[&str], log: &Path) -> Result {
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
    workspace.run_logged(apt_get(&["update"]), log)?;
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    workspace.run_logged(apt_get(&install), log)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_binaryen_version() {
        let package = "{\"devDependencies\": {\n  \"binaryen\": \"^132.0.0\"\n}}";
        assert_eq!(binaryen_in(package).as_deref(), Some("132.0.0"));
        assert_eq!(binaryen_in("{}"), None);
    }
}
