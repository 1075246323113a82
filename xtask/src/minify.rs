//! The apps' JavaScript and CSS made smaller before they are
//! precompressed: esbuild (npm, package.json) removes the comments and
//! the white space and shortens local names, about a third of what a
//! tablet downloads of them. Trunk's own minifier is left off:
//! `minify-js` drops wasm-bindgen's getters (trunk-rs/trunk#761).
//!
//! In an app's folder of `dist`, with its `index.html`:
//!
//! - each `.js` and `.css` file `index.html` names is minified and named
//!   again by its new content's hash (a cached copy of the old one can
//!   never be taken for it), and `index.html`'s links and integrity hashes
//!   follow;
//! - `sw.js` is minified under its name, which is fixed;
//! - `index.html`'s own inline `<script>` (without a type) and `<style>`
//!   blocks are minified where they stand.
//!
//! The targets: the browsers of tablets from 2020 on (ES2020; Chrome 80,
//! Firefox 78, Safari 14). esbuild lowers to them whatever newer syntax it
//! would write, and fails the build on syntax it cannot lower.

use std::fs;
use std::path::{Path, PathBuf};

use crate::split::{content_hash, integrity, quoted_paths};
use crate::workspace::Workspace;
use crate::Result;

/// The JavaScript esbuild writes.
const JS_TARGET: &str = "--target=es2020";

/// The CSS esbuild writes.
const CSS_TARGET: &str = "--target=chrome80,firefox78,safari14";

/// Bytes before and after, for the build's line.
#[derive(Debug, Default)]
pub struct Report {
    pub files: usize,
    pub before: usize,
    pub after: usize,
}

/// Minifies the app in `dir` (see the module's documentation).
pub fn minify_app(workspace: &Workspace, dir: &Path) -> Result<Report> {
    let esbuild = workspace
        .root
        .join("node_modules")
        .join(".bin")
        .join("esbuild");
    if !esbuild.is_file() {
        return Err(format!(
            "{} is missing: `cargo xtask setup` installs it (npm ci)",
            esbuild.display()
        )
        .into());
    }
    let scratch = workspace.target_dir().join("minify");
    fs::create_dir_all(&scratch)
        .map_err(|error| format!("cannot make {}: {error}", scratch.display()))?;
    let tool = Esbuild {
        workspace,
        program: esbuild,
        scratch,
    };
    let index_path = dir.join("index.html");
    let mut index = fs::read_to_string(&index_path)
        .map_err(|error| format!("cannot read {}: {error}", index_path.display()))?;
    let mut report = Report::default();

    for name in named_assets(&index, dir) {
        let path = dir.join(&name);
        let bytes = fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        let target = if name.ends_with(".css") {
            CSS_TARGET
        } else {
            JS_TARGET
        };
        let minified = tool.minify(&bytes, extension(&name), target)?;
        let renamed = renamed(&name, &minified)?;
        index = replaced_all(&index, &format!("/{name}"), &format!("/{renamed}"))?;
        index = replaced_all(&index, &integrity(&bytes), &integrity(&minified))?;
        fs::write(dir.join(&renamed), &minified)
            .map_err(|error| format!("cannot write {renamed}: {error}"))?;
        fs::remove_file(&path).map_err(|error| format!("cannot remove {name}: {error}"))?;
        report.files += 1;
        report.before += bytes.len();
        report.after += minified.len();
    }

    let worker = dir.join("sw.js");
    if worker.is_file() {
        let bytes = fs::read(&worker).map_err(|error| format!("{}: {error}", worker.display()))?;
        let minified = tool.minify(&bytes, "js", JS_TARGET)?;
        fs::write(&worker, &minified)
            .map_err(|error| format!("cannot write {}: {error}", worker.display()))?;
        report.files += 1;
        report.before += bytes.len();
        report.after += minified.len();
    }

    let before = index.len();
    let index = inline_minified(&index, &tool)?;
    report.files += 1;
    report.before += before;
    report.after += index.len();
    fs::write(&index_path, &index)
        .map_err(|error| format!("cannot write {}: {error}", index_path.display()))?;
    Ok(report)
}

/// esbuild, run on a file at a time through `scratch`.
struct Esbuild<'a> {
    workspace: &'a Workspace,
    program: PathBuf,
    scratch: PathBuf,
}

impl Esbuild<'_> {
    /// `bytes` minified as a file of `extension` (`js` or `css`).
    fn minify(&self, bytes: &[u8], extension: &str, target: &str) -> Result<Vec<u8>> {
        let input = self.scratch.join(format!("in.{extension}"));
        let output = self.scratch.join(format!("out.{extension}"));
        fs::write(&input, bytes).map_err(|error| format!("{}: {error}", input.display()))?;
        let mut command = self.workspace.command(&self.program);
        command
            .arg(&input)
            .args(["--minify", "--charset=utf8", "--log-level=warning", target])
            .arg(format!("--outfile={}", output.display()));
        self.workspace.output(command)?;
        let minified =
            fs::read(&output).map_err(|error| format!("{}: {error}", output.display()))?;
        if minified.is_empty() && !bytes.is_empty() {
            return Err(format!("esbuild wrote nothing for a {extension} file").into());
        }
        Ok(minified)
    }
}

/// The `.js` and `.css` files of `dir` that `index` names by an absolute
/// path, each once, in order.
fn named_assets(index: &str, dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for path in quoted_paths(index) {
        let Some(name) = path.rsplit('/').next() else {
            continue;
        };
        let ours = name.ends_with(".js") || name.ends_with(".css");
        if ours && name != "sw.js" && dir.join(name).is_file() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

fn extension(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or_default()
}

/// `name` (`<stem>-<16 hex>.<ext>`, as Trunk names a file) with the hash
/// of `bytes` in place of its own.
fn renamed(name: &str, bytes: &[u8]) -> Result<String> {
    let (stem, ext) = name
        .rsplit_once('.')
        .ok_or_else(|| format!("{name} has no extension"))?;
    let (base, hash) = stem
        .rsplit_once('-')
        .ok_or_else(|| format!("{name} is not named by its content's hash"))?;
    if hash.len() != 16 || !hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(format!("{name} is not named by its content's hash").into());
    }
    Ok(format!("{base}-{}.{ext}", content_hash(bytes)))
}

/// `text` with every `from` replaced, failing when there is none.
fn replaced_all(text: &str, from: &str, to: &str) -> Result<String> {
    if !text.contains(from) {
        return Err(format!("index.html does not hold {from}").into());
    }
    Ok(text.replace(from, to))
}

/// `index` with the content of each `<script>` without attributes and
/// each `<style>` minified.
fn inline_minified(index: &str, tool: &Esbuild<'_>) -> Result<String> {
    let mut out = String::with_capacity(index.len());
    let mut rest = index;
    loop {
        let script = rest
            .find("<script>")
            .map(|at| (at, "<script>", "</script>", "js"));
        let style = rest
            .find("<style>")
            .map(|at| (at, "<style>", "</style>", "css"));
        let next = match (script, style) {
            (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        let Some((at, open, close, extension)) = next else {
            out.push_str(rest);
            return Ok(out);
        };
        let body_start = at + open.len();
        let body_end = rest[body_start..]
            .find(close)
            .map(|end| body_start + end)
            .ok_or_else(|| format!("index.html has {open} without {close}"))?;
        let target = if extension == "css" {
            CSS_TARGET
        } else {
            JS_TARGET
        };
        let minified = tool.minify(&rest.as_bytes()[body_start..body_end], extension, target)?;
        let minified = String::from_utf8(minified)?;
        out.push_str(&rest[..body_start]);
        out.push_str(minified.trim_end());
        out.push_str(close);
        rest = &rest[body_end + close.len()..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_named_again_by_its_new_content() {
        let name = renamed("main-135a502ce2307e37.css", b"a{color:red}").expect("a hashed name");
        assert!(name.starts_with("main-") && name.ends_with(".css"));
        assert_ne!(name, "main-135a502ce2307e37.css");
        assert_eq!(name.len(), "main-135a502ce2307e37.css".len());
        let glue = renamed("thamgia-914d35c7773e4000.js", b"x").expect("a hashed name");
        assert!(glue.starts_with("thamgia-") && glue.ends_with(".js"));
        assert!(renamed("sw.js", b"x").is_err());
        assert!(renamed("main-notahash.css", b"x").is_err());
    }

    #[test]
    fn only_the_hashed_scripts_and_styles_index_html_names_are_taken() {
        let dir = tempfile::tempdir().expect("a scratch directory");
        for file in [
            "app-0123456789abcdef.js",
            "main-0123456789abcdef.css",
            "sw.js",
        ] {
            fs::write(dir.path().join(file), "x").expect("a file");
        }
        let index = r#"<link rel="modulepreload" href="/app-0123456789abcdef.js">
            <script type="module">import init from '/app-0123456789abcdef.js';</script>
            <link rel="stylesheet" href="/main-0123456789abcdef.css">
            <script>navigator.serviceWorker.register("/sw.js")</script>
            <link rel="icon" href="/icon.svg"><a href="/missing-0123456789abcdef.js">"#;
        assert_eq!(
            named_assets(index, dir.path()),
            ["app-0123456789abcdef.js", "main-0123456789abcdef.css"]
        );
    }

    #[test]
    fn a_name_index_html_does_not_hold_fails_the_build() {
        assert!(replaced_all("<a href=\"/x.js\">", "/y.js", "/z.js").is_err());
        assert_eq!(
            replaced_all("/x.js /x.js", "/x.js", "/y.js").expect("two to replace"),
            "/y.js /y.js"
        );
    }
}
