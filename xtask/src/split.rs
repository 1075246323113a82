//! The tablet app in two parts: what its first page runs, and the rest,
//! fetched right after in the background.
//!
//! Trunk builds the app into one wasm (kept with its function names: the
//! `data-wasm-opt-params="-g"` of `index.html`). [`split_tablet_app`] then
//! reads the names of the functions the first page ran, from
//! `xtask/first-load-functions.txt`, and cuts the wasm in two
//! ([`wasm::split`]): the first part, which `index.html` loads, and the
//! rest, which the first part's JavaScript fetches as soon as it runs
//! (`split/loader.js`). Both lose their names. The JavaScript and both
//! wasm files get names from their content's hash, and `index.html` names
//! the rest in a `<meta>` so the service worker keeps it with the app.
//!
//! The list is only a guess at speed, never at correctness: a function of
//! the rest called before the rest arrived fetches it at once. The app also
//! waits for the rest before any page but sign-in and before its sync
//! rounds (`src/rest.rs`). `cargo xtask first-load-profile` makes the list
//! again: it runs the app in headless Chromium with every function marking
//! itself when it runs, through a tablet's first visit up to signing in
//! and through its opening once signed in, and keeps the names of those
//! that ran (without their hashes, so the list holds across builds).

mod profile;
mod wasm;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

use profile::Profile;

use crate::workspace::Workspace;
use crate::Result;

/// The names of the functions the first page runs, one a line.
const PROFILE: &str = "xtask/first-load-functions.txt";
/// The app whose wasm is split (the tablet's, `dist/index.html`).
const APP: &str = "thamgia";

/// What the split made, for the build's line.
pub struct Report {
    pub first_bytes: usize,
    pub rest_bytes: usize,
    pub kept: usize,
    pub moved: usize,
}

/// The app's files as Trunk wrote them.
struct Built {
    dist: PathBuf,
    index: String,
    js_name: String,
    wasm_name: String,
}

impl Built {
    fn read(dist: &Path) -> Result<Self> {
        let index_path = dist.join("index.html");
        let index = fs::read_to_string(&index_path)
            .map_err(|error| format!("cannot read {}: {error}", index_path.display()))?;
        let named = |suffix: &str| -> Result<String> {
            let found: BTreeSet<String> = quoted_paths(&index)
                .into_iter()
                .filter_map(|path| {
                    let name = path.rsplit('/').next()?.to_owned();
                    (name.starts_with(&format!("{APP}-")) && name.ends_with(suffix)).then_some(name)
                })
                .collect();
            match found.len() {
                1 => Ok(found.into_iter().next().unwrap_or_default()),
                n => {
                    Err(format!("{} names {n} files {APP}-…{suffix}", index_path.display()).into())
                }
            }
        };
        let wasm_name = named("_bg.wasm")?;
        let js_name = named(".js")?;
        Ok(Built {
            dist: dist.to_owned(),
            index,
            js_name,
            wasm_name,
        })
    }

    fn file(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.dist.join(name);
        fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()).into())
    }
}

/// Every quoted absolute path in an HTML text.
pub(crate) fn quoted_paths(html: &str) -> Vec<String> {
    html.split(['"', '\''])
        .filter(|part| part.starts_with('/') && !part.contains([' ', '<', '>']))
        .map(str::to_owned)
        .collect()
}

fn read_profile(workspace: &Workspace) -> Result<Profile> {
    let path = workspace.root.join(PROFILE);
    let text = fs::read_to_string(&path).map_err(|error| {
        format!(
            "cannot read {}: {error} (`cargo xtask first-load-profile` makes it)",
            path.display()
        )
    })?;
    Ok(Profile::parse(&text))
}

fn content_name(bytes: &[u8], suffix: &str) -> String {
    format!("{APP}-{}{suffix}", content_hash(bytes))
}

/// The hash a built file is named by, as Trunk names its files: the first
/// 8 bytes of the content's SHA-256 in hex (16 characters).
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The `integrity` attribute's value Trunk writes in `index.html` (SHA-384).
pub(crate) fn integrity(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

/// Replaces `from` by `to` in `text`, failing when `from` is not there
/// exactly `times` times (the glue or the page changed shape).
fn replace_checked(text: &str, from: &str, to: &str, times: usize, what: &str) -> Result<String> {
    let found = text.matches(from).count();
    if found != times {
        return Err(format!(
            "{what}: `{from}` found {found} times where {times} were expected \
             (wasm-bindgen's or Trunk's output changed shape: see xtask/src/split.rs)"
        )
        .into());
    }
    Ok(text.replace(from, to))
}

/// What the glue needs beside the first part: how stubs reach the loader,
/// and `before_start`, run once the first part is instantiated and before
/// the app starts.
fn patched_glue(glue: &str, tail: &str, before_start: &str) -> Result<String> {
    let glue = replace_checked(
        glue,
        "\"./thamgia_bg.js\": import0,",
        "\"./thamgia_bg.js\": import0,\n        \"__split\": { load: __restLoadNow },",
        1,
        "the app's JavaScript",
    )?;
    let loaded = "const { instance, module } = await __wbg_load(await module_or_path, imports);";
    let glue = replace_checked(
        &glue,
        loaded,
        &format!("{loaded}\n    {before_start}"),
        1,
        "the app's JavaScript",
    )?;
    Ok(format!("{glue}{tail}"))
}

/// Splits the tablet app Trunk built into `dist`, in place.
pub fn split_tablet_app(workspace: &Workspace, dist: &Path) -> Result<Report> {
    let built = Built::read(dist)?;
    let profile = read_profile(workspace)?;
    let bytes = built.file(&built.wasm_name)?;
    let parsed = wasm::Parsed::new(&bytes)?;
    if parsed.names.is_empty() {
        return Err(format!(
            "{} has no function names: index.html's wasm-opt must keep them (`-g`)",
            built.wasm_name
        )
        .into());
    }
    // A function without a name (one wasm-opt made) cannot be found in
    // the list: it stays.
    let split = wasm::split(&parsed, |index| {
        parsed
            .names
            .get(&index)
            .is_none_or(|name| profile.keeps(name))
    })?;
    for (part, what) in [(&split.first, "first part"), (&split.rest, "rest")] {
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(part)
            .map_err(|error| format!("the split made an invalid {what}: {error}"))?;
    }

    let rest_name = content_name(&split.rest, "_bg.wasm");
    let first_name = content_name(&split.first, "_bg.wasm");
    let glue = String::from_utf8(built.file(&built.js_name)?)?;
    let tail = include_str!("split/loader.js").replace("__REST_URL__", &format!("/{rest_name}"));
    let patched = patched_glue(&glue, &tail, "await __restBeforeStart(instance.exports);")?;
    let js_name = content_name(patched.as_bytes(), ".js");

    let old_js = glue.as_bytes();
    let mut index = built.index.clone();
    index = replace_checked(
        &index,
        &integrity(&bytes),
        &integrity(&split.first),
        1,
        "index.html",
    )?;
    index = replace_checked(
        &index,
        &integrity(old_js),
        &integrity(patched.as_bytes()),
        1,
        "index.html",
    )?;
    index = replace_checked(
        &index,
        &format!("/{}", built.wasm_name),
        &format!("/{first_name}"),
        2,
        "index.html",
    )?;
    index = replace_checked(
        &index,
        &format!("/{}", built.js_name),
        &format!("/{js_name}"),
        2,
        "index.html",
    )?;
    // The service worker keeps every file `index.html` names.
    index = replace_checked(
        &index,
        "</head>",
        &format!("<meta name=\"thamgia-rest\" content=\"/{rest_name}\"></head>"),
        1,
        "index.html",
    )?;

    write(dist, &rest_name, &split.rest)?;
    write(dist, &first_name, &split.first)?;
    write(dist, &js_name, patched.as_bytes())?;
    for old in [&built.wasm_name, &built.js_name] {
        fs::remove_file(dist.join(old)).map_err(|error| format!("cannot remove {old}: {error}"))?;
    }
    write(dist, "index.html", index.as_bytes())?;
    Ok(Report {
        first_bytes: split.first.len(),
        rest_bytes: split.rest.len(),
        kept: split.kept,
        moved: split.moved,
    })
}

fn write(dist: &Path, name: &str, bytes: &[u8]) -> Result {
    let path = dist.join(name);
    fs::write(&path, bytes)
        .map_err(|error| format!("cannot write {}: {error}", path.display()).into())
}

/// A copy of the tablet app in `into` whose wasm marks each function it
/// runs (the `$profile` memory), whose rest never arrives (the app stops
/// where it would wait for it), and which tells the page its marks:
/// `globalThis.__thamgiaProfile()`, the indices of the functions run.
pub fn instrumented_copy(dist: &Path, into: &Path) -> Result {
    if into.exists() {
        fs::remove_dir_all(into)
            .map_err(|error| format!("cannot empty {}: {error}", into.display()))?;
    }
    copy_dir(dist, into)?;
    let built = Built::read(into)?;
    let bytes = built.file(&built.wasm_name)?;
    let parsed = wasm::Parsed::new(&bytes)?;
    let instrumented = wasm::instrument(&parsed)?;
    let glue = String::from_utf8(built.file(&built.js_name)?)?;
    let tail = "\nglobalThis.__thamgiaRest = new Promise(() => {});\n\
                function __restLoadNow() { throw new Error('the rest is never loaded while profiling'); }\n\
                globalThis.__thamgiaProfile = () => { const marks = new Uint8Array(wasm['$profile'].buffer); \
                const run = []; for (let i = 0; i < marks.length; i++) if (marks[i]) run.push(i); return run; };\n";
    let patched = patched_glue(&glue, tail, "")?;
    let mut index = built.index.clone();
    // The copy is served from loopback to the profiling browser only.
    index = index
        .split(" integrity=\"")
        .enumerate()
        .map(|(n, part)| {
            if n == 0 {
                part.to_owned()
            } else {
                part.split_once('"')
                    .map(|(_, after)| after.to_owned())
                    .unwrap_or_default()
            }
        })
        .collect();
    write(into, &built.wasm_name, &instrumented)?;
    write(into, &built.js_name, patched.as_bytes())?;
    write(into, "index.html", index.as_bytes())?;
    Ok(())
}

/// Writes the list from the indices the profiling run saw run, with the
/// names of the functions of `dist`'s wasm (the one instrumented).
pub fn write_profile(workspace: &Workspace, dist: &Path, run: &[u32]) -> Result<usize> {
    let built = Built::read(dist)?;
    let bytes = built.file(&built.wasm_name)?;
    let parsed = wasm::Parsed::new(&bytes)?;
    let run: HashSet<u32> = run.iter().copied().collect();
    let text = Profile::write(
        parsed
            .names
            .iter()
            .map(|(index, name)| (name.as_str(), run.contains(index))),
    );
    let names = text.lines().filter(|line| !line.starts_with('#')).count();
    write(&workspace.root, PROFILE, text.as_bytes())?;
    Ok(names)
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|error| format!("cannot make {}: {error}", to.display()))?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .map_err(|error| format!("cannot copy {}: {error}", entry.path().display()))?;
        }
    }
    Ok(())
}
