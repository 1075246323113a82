//! `cargo xtask setup [--for-tests]`: installs the build tools that are missing.
//!
//! Each tool is checked with a cheap command (a version query or a file
//! check), and installed only when missing or at the wrong version, so a
//! second run takes well under a second. One line is printed per tool.
//!
//! Two threads: this one builds the tools cargo installs (trunk,
//! wasm-bindgen-cli, geckodriver), one after another in one target
//! directory so they share what they have in common, while [`system`]
//! installs the Debian and npm packages beside them.

use crate::workspace::{side_by_side, Workspace};
use crate::Result;
use std::fs;
use std::path::Path;

mod system;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// trunk 0.22 needs a newer rustc than this project's toolchain.
const TRUNK_VERSION: &str = "0.21.14";
/// The geckodriver the Firefox end-to-end test drives Firefox ESR with
/// (crates.io; Debian does not package it).
const GECKODRIVER_VERSION: &str = "0.37.1";

/// Installs what is missing: the wasm32 target, trunk, wasm-bindgen-cli and
/// npm's wasm-opt; with `for_tests`, also chromium, chromedriver, Firefox
/// ESR with geckodriver, WebKitGTK's driver with Xvfb, python3's venv (for
/// the pyxform reference of the XLSForm test) and PostgreSQL (for the
/// server's tests on PostgreSQL). Both threads run to their end; every
/// failure is reported.
pub fn setup(workspace: &Workspace, for_tests: bool) -> Result {
    wasm_target(workspace)?;
    side_by_side(
        || cargo_tools(workspace, for_tests),
        || system::install(workspace, for_tests),
    )
}

/// The tools `cargo install` builds, in the order the build needs them.
fn cargo_tools(workspace: &Workspace, for_tests: bool) -> Result {
    trunk(workspace)?;
    wasm_bindgen(workspace)?;
    if for_tests {
        geckodriver(workspace)?;
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
        "→ installing trunk {TRUNK_VERSION} ({}); this takes ~7 min on 2 cores",
        found_text(found.as_deref())
    );
    // Without the default features, rustls and the update check: Trunk.toml
    // keeps trunk offline (it never downloads, nor serves over TLS), and
    // they were about a minute of the build on a fresh machine.
    workspace.run(workspace.cargo(&[
        "install",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--locked",
        "--no-default-features",
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

/// geckodriver from crates.io, for the Firefox end-to-end path.
fn geckodriver(workspace: &Workspace) -> Result {
    let found = tool_version(workspace, "geckodriver");
    if found.as_deref() == Some(GECKODRIVER_VERSION) {
        println!("✓ geckodriver {GECKODRIVER_VERSION} already installed");
        return Ok(());
    }
    println!(
        "→ installing geckodriver {GECKODRIVER_VERSION} ({}); this takes ~2 min on 2 cores",
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
}
