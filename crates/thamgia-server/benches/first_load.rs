//! `cargo xtask bench`, first part: what each app costs to load the first
//! time, and which crates its wasm is made of. Figures only; nothing here
//! passes or fails.
//!
//! 1. First load: index.html and every asset it references, fetched from the
//!    real server over loopback with `Accept-Encoding: gzip` (as a browser
//!    over plain HTTP asks) and `br, gzip` (as one over HTTPS asks); bytes
//!    on the wire against bytes on disk.
//! 2. Contributors: the function bodies of cargo's own wasm, before
//!    wasm-bindgen and wasm-opt strip the names (`THAMGIA_WASM_NAMES_DIR`,
//!    by default `<target dir>/wasm32-unknown-unknown/wasm-release`), summed
//!    by crate and by kind of code; every crate over 20 KB with why it is
//!    there. Only when that wasm is the one dist's was made from (their data
//!    lay out the same memory).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use thamgia_server::ServerConfig;

#[path = "first_load/contributors.rs"]
mod contributors;
#[path = "common/in_process.rs"]
mod in_process;

use in_process::InProcessServer;

/// Crates at or above this many bytes of function bodies are listed.
const LISTED: u64 = 20_000;

/// The goal printed beside the tablet app's gzip total.
const TABLET_GOAL: &str = "goal ≤ 450 KB gzip (issue bar), 258 KB (a fifth of ODK Web Forms)";

#[tokio::main]
async fn main() -> Result<()> {
    let dist = std::env::var_os("THAMGIA_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist"));
    if !dist.join("index.html").exists() {
        bail!(
            "{} has no index.html: run `cargo xtask bench`, which builds the app first",
            dist.display()
        );
    }
    let names_dir = std::env::var_os("THAMGIA_WASM_NAMES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
                .join("wasm32-unknown-unknown")
                .join("wasm-release")
        });
    let directory = tempfile::tempdir()?;
    let config = ServerConfig {
        database_path: directory.path().join("bench.sqlite3"),
        database_url: None,
        static_dir: dist.clone(),
        seed_demo: false,
        metrics: Default::default(),
    };
    let server = InProcessServer::start(&config).await?;
    let base = server.base.clone();
    let client = reqwest::Client::new();

    println!(
        "Tham Gia bench, first load, {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    for (path, title, goal, named) in [
        (
            "/",
            "Tablet app, first load (what a tablet downloads before its first page works):",
            Some(TABLET_GOAL),
            "thamgia.wasm",
        ),
        (
            "/townhall/",
            "Town hall app, first load (a city officer's desk, online; never on a tablet unless opened):",
            None,
            "townhall.wasm",
        ),
    ] {
        let shipped = first_load(&client, &base, &dist, path, title, goal).await?;
        match shipped {
            Some(shipped) => print_contributors(&names_dir.join(named), &shipped),
            None => println!("  (index.html names no .wasm: no contributors to show)"),
        }
    }

    server.stop().await
}

/// Fetches the app at `path` as a browser does (its `index.html`, then
/// every asset it names) and prints each file's raw, gzip and brotli bytes,
/// and the totals (with `goal` beside the gzip one). Returns the path in
/// `dist` of the app's wasm, if index.html names one.
async fn first_load(
    client: &reqwest::Client,
    base: &str,
    dist: &Path,
    path: &str,
    title: &str,
    goal: Option<&str>,
) -> Result<Option<PathBuf>> {
    /// Bytes on the wire for `url` with `accept-encoding`, and the encoding
    /// the server chose.
    async fn wire(client: &reqwest::Client, url: &str, accept: &str) -> Result<(usize, String)> {
        let response = client
            .get(url)
            .header("accept-encoding", accept)
            .send()
            .await?
            .error_for_status()
            .with_context(|| format!("fetching {url}"))?;
        let encoding = response
            .headers()
            .get("content-encoding")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("identity")
            .to_owned();
        Ok((response.bytes().await?.len(), encoding))
    }
    let index_text =
        std::fs::read_to_string(dist.join(path.trim_start_matches('/')).join("index.html"))?;
    let mut files = vec![(path.to_owned(), index_text.len())];
    let mut wasm = None;
    let rest = rest_of(&index_text);
    for asset in referenced_assets(&index_text) {
        if rest.as_deref() == Some(asset.as_str()) {
            continue;
        }
        let on_disk = dist.join(asset.trim_start_matches('/'));
        let disk = std::fs::metadata(&on_disk)?.len() as usize;
        if asset.ends_with(".wasm") {
            wasm = Some(on_disk);
        }
        files.push((asset, disk));
    }
    println!("\n{title}");
    println!(
        "  {:<50} {:>10} {:>10} {:>10}",
        "file", "raw bytes", "gzip wire", "br wire"
    );
    let (mut raw, mut gzip, mut brotli) = (0, 0, 0);
    for (file, disk) in &files {
        let url = format!("{base}{file}");
        let (gzip_wire, gzip_encoding) = wire(client, &url, "gzip").await?;
        let (br_wire, br_encoding) = wire(client, &url, "br, gzip").await?;
        let name = if file.ends_with('/') {
            "index.html"
        } else {
            file.as_str()
        };
        println!(
            "  {name:<50} {disk:>10} {gzip_wire:>10} {br_wire:>10}  ({gzip_encoding}, {br_encoding})"
        );
        raw += disk;
        gzip += gzip_wire;
        brotli += br_wire;
    }
    println!("  {:<50} {raw:>10} {gzip:>10} {brotli:>10}", "total");
    let goal = goal.map(|goal| format!("; {goal}")).unwrap_or_default();
    println!(
        "  gzip:   {:.1} KB on the wire (a browser over plain HTTP){goal}",
        gzip as f64 / 1000.0
    );
    println!(
        "  brotli: {:.1} KB on the wire (a browser over HTTPS)   (KB = 1000 bytes)",
        brotli as f64 / 1000.0
    );
    if let Some(rest) = rest {
        let url = format!("{base}{rest}");
        let disk = std::fs::metadata(dist.join(rest.trim_start_matches('/')))?.len() as usize;
        let (gzip_wire, _) = wire(client, &url, "gzip").await?;
        let (br_wire, _) = wire(client, &url, "br, gzip").await?;
        println!(
            "  the rest of the app, fetched once the first part runs (needed past sign-in and \
             to work offline):"
        );
        println!("  {rest:<50} {disk:>10} {gzip_wire:>10} {br_wire:>10}");
        println!(
            "  the whole app: {:.1} KB gzip, {:.1} KB brotli",
            (gzip + gzip_wire) as f64 / 1000.0,
            (brotli + br_wire) as f64 / 1000.0
        );
    }
    Ok(wasm)
}

/// The rest of a split app: the wasm `index.html` names in its
/// `<meta name="thamgia-rest">` (see `xtask/src/split.rs`).
fn rest_of(index: &str) -> Option<String> {
    let after = index
        .split("<meta name=\"thamgia-rest\" content=\"")
        .nth(1)?;
    after.split('"').next().map(str::to_owned)
}

/// Absolute asset paths (js, wasm, css) quoted in index.html, without repeats.
fn referenced_assets(index: &str) -> Vec<String> {
    let mut assets = Vec::new();
    for piece in index.split(['"', '\'']) {
        let is_asset = piece.starts_with('/')
            && !piece.starts_with("//")
            && [".js", ".wasm", ".css"]
                .iter()
                .any(|ending| piece.ends_with(ending));
        if is_asset && !assets.iter().any(|known| known == piece) {
            assets.push(piece.to_owned());
        }
    }
    assets
}

/// Prints the largest contributors to the wasm `named` (cargo's output, with
/// function names), after checking it is the one `shipped` (in dist) was
/// made from; prints why not instead of figures when it is missing or not.
fn print_contributors(named: &Path, shipped: &Path) {
    let how = "run `cargo xtask build` (cargo's wasm with names is its first step, \
               before wasm-bindgen and wasm-opt), or point THAMGIA_WASM_NAMES_DIR at the \
               folder holding it";
    let file_name = named.file_name().unwrap_or_default().to_string_lossy();
    let read = |path: &Path| {
        std::fs::read(path)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| contributors::parse(&bytes))
            .with_context(|| format!("reading {}", path.display()))
    };
    println!("\n  Largest contributors to {file_name}:");
    if !named.is_file() {
        println!("  no {}: {how}. No contributors shown.", named.display());
        return;
    }
    let (module, dist_module) = match (read(named), read(shipped)) {
        (Ok(module), Ok(dist_module)) => (module, dist_module),
        (Err(error), _) | (_, Err(error)) => {
            println!("  could not read the wasm ({error:#}). No contributors shown.");
            return;
        }
    };
    match (&module.memory, &dist_module.memory) {
        (Some(ours), Some(theirs)) if ours != theirs => {
            println!(
                "  {} is not the wasm {} was made from (their data differ: built from other \
                 code since): {how}. No contributors shown.",
                named.display(),
                shipped.display()
            );
            return;
        }
        (Some(_), Some(_)) => {}
        _ => println!(
            "  (could not check that {} is the wasm {} was made from: a data segment is not \
             at a constant place)",
            named.display(),
            shipped.display()
        ),
    }
    if module.functions.iter().all(|(name, _)| name.is_none()) {
        println!(
            "  {} has no function names (no `name` section): {how}. No contributors shown.",
            named.display()
        );
        return;
    }
    let code: u64 = module.functions.iter().map(|(_, bytes)| bytes).sum();
    let mut by_crate: HashMap<String, u64> = HashMap::new();
    let mut by_kind = [0u64; contributors::KINDS.len()];
    for (name, bytes) in &module.functions {
        let name = name.as_deref().unwrap_or("");
        let krate = if name.is_empty() {
            "(unnamed)".to_owned()
        } else {
            contributors::crate_of(name)
        };
        *by_crate.entry(krate).or_default() += bytes;
        by_kind[contributors::kind_of(name)] += bytes;
    }
    let mut crates: Vec<(String, u64)> = by_crate.into_iter().collect();
    crates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!(
        "  (cargo's wasm before wasm-bindgen and wasm-opt, uncompressed: these figures rank \
         the contributors, they do not add up to the download above)"
    );
    println!(
        "  code {:.1} KB in {} functions; data {:.1} KB",
        code as f64 / 1000.0,
        module.functions.len(),
        module.data_bytes as f64 / 1000.0
    );
    println!("  by crate, each of {} KB or more:", LISTED / 1000);
    let (listed, rest): (Vec<_>, Vec<_>) = crates.iter().partition(|(_, bytes)| *bytes >= LISTED);
    for (krate, bytes) in &listed {
        println!(
            "  {:>9.1} KB  {krate:<28} {}",
            *bytes as f64 / 1000.0,
            reason(krate)
        );
    }
    println!(
        "  {:>9.1} KB  {} other crates and buckets, each under {} KB",
        rest.iter().map(|(_, bytes)| bytes).sum::<u64>() as f64 / 1000.0,
        rest.len(),
        LISTED / 1000
    );
    println!("  by kind, across crates:");
    for (kind, bytes) in contributors::KINDS.iter().zip(by_kind) {
        println!("  {:>9.1} KB  {kind}", bytes as f64 / 1000.0);
    }
}

/// Why a crate is in the app, for the crates found there.
fn reason(krate: &str) -> &'static str {
    match krate {
        "reactive_graph" | "tachys" | "leptos" | "leptos_router" | "leptos_dom" | "either_of"
        | "oco_ref" | "any_spawner" => "Leptos: reactive system and DOM rendering",
        "thamgia" | "thamgia_core" | "townhall" => {
            "the app's pages and the domain rules (form engine, validation, sync)"
        }
        "serde" => "decoding: the buffering behind tagged and untagged enums (Content)",
        "serde_core" => "decoding and encoding: serde's traits and its impls for std types",
        "serde_json" => "JSON decoding and encoding (the API's messages)",
        "serde_wasm_bindgen" => "decoding and encoding JS values (the IndexedDB records)",
        "core" | "alloc" | "std" | "compiler_builtins" | "dlmalloc" => {
            "Rust's standard library, used by everything"
        }
        "http" | "url" | "idna" | "reqwest" => "HTTP client (reqwest)",
        "chrono" => "dates and times (chrono): formatting and parsing timestamps",
        "regex_lite" => "regular expressions of form constraints (regex-lite)",
        "js_sys" | "web_sys" | "wasm_bindgen_futures" => {
            "bindings to JavaScript and the browser (wasm-bindgen); js_sys includes the \
             app's futures run as promises"
        }
        "wasm_bindgen" => {
            "wasm-bindgen's runtime; its `WasmDescribe` code is removed by wasm-bindgen, \
             never shipped"
        }
        "hashbrown" => "hash maps (hashbrown, under std's HashMap)",
        "send_wrapper" => {
            "Leptos's wrapper of the app's futures: their code is inlined into its `poll`"
        }
        "indexed_db_futures" => "the tablet's local store (IndexedDB), with its serde glue",
        "(wasm-bindgen descriptions)" => {
            "wasm-bindgen's type descriptions: removed by wasm-bindgen, never shipped"
        }
        _ => "(no reason on record)",
    }
}
