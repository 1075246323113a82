//! Two apps, two bundles: the tablet app's first load carries none of the
//! town hall's pages nor their texts, and the town hall app carries them.
//! Read from the built files (`cargo xtask build`), the WebAssembly each
//! `index.html` loads.

use std::path::Path;

use anyhow::{bail, Context, Result};
use thamgia_e2e::dist_dir;

/// Markers only a town hall page renders (its `data-test` attributes).
const TOWNHALL_ONLY: [&str; 4] = ["account-row", "audit-row", "import-file", "result-question"];

/// Texts only town hall pages show (from `i18n::townhall`, in English): the
/// tablet app reads nothing of their table, so its bundle leaves it out.
const TOWNHALL_TEXTS: [&str; 2] = ["revoke lost devices", "Entries are only ever added"];

/// A marker only the tablet's home page renders.
const TABLET_ONLY: &str = "start-survey";

/// The bytes of every `.wasm` file `index` (in `folder`) names, one after
/// the other: the tablet app's first part and its rest (`xtask/src/split.rs`).
fn wasm_of(folder: &Path, public_prefix: &str) -> Result<Vec<u8>> {
    let index = std::fs::read_to_string(folder.join("index.html"))
        .with_context(|| format!("{}/index.html", folder.display()))?;
    let mut names: Vec<&str> = index
        .split(['"', '\''])
        .filter(|piece| piece.starts_with(public_prefix) && piece.ends_with(".wasm"))
        .collect();
    names.dedup();
    if names.is_empty() {
        bail!("{}/index.html names no .wasm file", folder.display());
    }
    let mut bytes = Vec::new();
    for name in names {
        let file = folder.join(name.trim_start_matches(public_prefix));
        bytes.extend(std::fs::read(&file).with_context(|| format!("{}", file.display()))?);
    }
    Ok(bytes)
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes
        .windows(text.len())
        .any(|window| window == text.as_bytes())
}

#[test]
fn the_tablet_app_carries_no_town_hall_page_and_the_town_hall_app_does() -> Result<()> {
    let dist = dist_dir()?;
    let tablet = wasm_of(&dist, "/")?;
    let townhall = wasm_of(&dist.join("townhall"), "/townhall/")?;
    assert!(
        holds(&tablet, TABLET_ONLY),
        "the tablet app has its home page"
    );
    for marker in TOWNHALL_ONLY {
        assert!(
            !holds(&tablet, marker),
            "the tablet app's bundle holds the town hall page of `{marker}`"
        );
        assert!(
            holds(&townhall, marker),
            "the town hall app lacks its page of `{marker}`"
        );
    }
    for text in TOWNHALL_TEXTS {
        assert!(
            !holds(&tablet, text),
            "the tablet app's bundle holds the town hall's text `{text}`"
        );
        assert!(
            holds(&townhall, text),
            "the town hall app lacks its text `{text}`"
        );
    }
    println!(
        "tablet app: {} KiB of wasm, town hall app: {} KiB",
        tablet.len() / 1024,
        townhall.len() / 1024
    );
    Ok(())
}

/// The exports `cargo xtask bench` calls in the page (the app's `bench`
/// module), compiled only with the cargo feature `bench`.
const BENCH_EXPORTS: [&str; 4] = [
    "bench_form_edit",
    "bench_tablet_lists",
    "bench_fill_waiting",
    "bench_save_read",
];

#[test]
fn the_apps_served_carry_no_bench_export() -> Result<()> {
    let dist = dist_dir()?;
    let tablet = wasm_of(&dist, "/")?;
    let townhall = wasm_of(&dist.join("townhall"), "/townhall/")?;
    for export in BENCH_EXPORTS {
        assert!(
            !holds(&tablet, export) && !holds(&townhall, export),
            "an app served carries the bench export `{export}`"
        );
    }
    Ok(())
}
