//! `cargo xtask bench`: prints the first-load transfer of the app and the
//! server's ingest rate. Figures only; nothing here passes or fails on time.
//!
//! 1. First load: index.html and every asset it references, fetched from the
//!    real server over loopback with `Accept-Encoding: gzip` (as a browser
//!    over plain HTTP asks) and `br, gzip` (as one over HTTPS asks); bytes
//!    on the wire against bytes on disk.
//! 2. Ingest: 10,000 valid responses to the demo survey pushed over HTTP on
//!    loopback in batches of 100 by 4 simulated tablets at once, into a
//!    fresh SQLite file (WAL, synchronous=FULL).
//! 3. Results: the time `GET /results` takes over those responses (the
//!    whole city, and one ward), as a ward officer's and a city officer's
//!    page asks it: p50 and p95 of 20 requests each. The results are
//!    computed from every response at each request for now.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chrono::{Duration, TimeZone, Utc};
use thamgia_core::{
    Mutation, MutationChange, PushRequest, PushResponse, Response, SurveyDefinition, SCHEMA_VERSION,
};
use thamgia_server::{seed, ServerConfig};
use uuid::Uuid;

const RESPONSES: usize = 10_000;
const BATCH: usize = 100;
const TABLETS: usize = 4;

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
    let directory = tempfile::tempdir()?;
    let config = ServerConfig {
        database_path: directory.path().join("bench.sqlite3"),
        database_url: None,
        static_dir: dist.clone(),
        seed_demo: true,
        metrics: Default::default(),
    };
    let state = thamgia_server::prepare(&config).await?;
    let database = state.database.clone();
    let router = thamgia_server::app(state, &config.static_dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(thamgia_server::serve(listener, router, async {
        stopped.await.ok();
    }));
    let base = format!("http://{address}");
    let client = reqwest::Client::new();

    println!(
        "Tham Gia bench, {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    first_load(
        &client,
        &base,
        &dist,
        "/",
        "Tablet app, first load (what a tablet downloads before the first question):",
    )
    .await?;
    first_load(
        &client,
        &base,
        &dist,
        "/townhall/",
        "Town hall app, first load (a city officer's desk, online; never on a tablet unless opened):",
    )
    .await?;
    ingest(&client, &base).await?;
    let stored = database.response_count().await?;
    println!("  stored afterwards: {stored} responses (expected {RESPONSES})");
    if stored != RESPONSES as u64 {
        bail!("the bench stored {stored} responses instead of {RESPONSES}");
    }
    results(&client, &base).await?;

    stop.send(()).ok();
    server.await??;
    Ok(())
}

/// Fetches the app at `path` as a browser does (its `index.html`, then
/// every asset it names) and prints each file's raw and gzip bytes.
/// Times `GET /results` for the whole city and for one ward, as a city
/// officer: p50 and p95 of 20 requests each.
async fn results(client: &reqwest::Client, base: &str) -> Result<()> {
    let session: thamgia_core::account::Session = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({
            "username": "thanhpho",
            "password": thamgia_server::auth::DEMO_PASSWORD,
            "device_label": "bench desk",
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let survey = seed::demo_survey()?;
    println!("\nResults over {RESPONSES} responses (GET /results, 20 requests each):");
    for (what, query) in [
        ("whole city", String::new()),
        ("one ward", "&ward=00004".to_owned()),
    ] {
        let mut times = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            client
                .get(format!("{base}/api/v1/results?survey={}{query}", survey.id))
                .bearer_auth(&session.token)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let at = |share: f64| times[((times.len() - 1) as f64 * share).round() as usize];
        println!(
            "  {what:<12} p50 {:>8.1} ms   p95 {:>8.1} ms",
            at(0.5),
            at(0.95)
        );
    }
    Ok(())
}

async fn first_load(
    client: &reqwest::Client,
    base: &str,
    dist: &Path,
    path: &str,
    title: &str,
) -> Result<()> {
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
    for asset in referenced_assets(&index_text) {
        let disk = std::fs::metadata(dist.join(asset.trim_start_matches('/')))?.len() as usize;
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
    println!(
        "  total transfer: {:.1} KiB with gzip (a browser over plain HTTP), {:.1} KiB with brotli \
         (over HTTPS); goal of issue 14: at most 450 KB",
        gzip as f64 / 1024.0,
        brotli as f64 / 1024.0
    );
    Ok(())
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

fn valid_response(survey: &SurveyDefinition, n: usize) -> Response {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 1, 8, 0, 0)
        .single()
        .unwrap_or_default();
    seed::sample_response(
        survey,
        Uuid::new_v4(),
        n,
        start + Duration::seconds(n as i64),
    )
}

async fn ingest(client: &reqwest::Client, base: &str) -> Result<()> {
    let survey = seed::demo_survey()?;
    let per_tablet = RESPONSES / TABLETS;
    // Requests are prepared before the clock starts: the figure is the server's.
    let mut tablets = Vec::new();
    for tablet in 0..TABLETS {
        let client_id = Uuid::new_v4();
        let mut batches = Vec::new();
        for (batch_index, chunk) in (0..per_tablet)
            .collect::<Vec<_>>()
            .chunks(BATCH)
            .enumerate()
        {
            let mutations = chunk
                .iter()
                .enumerate()
                .map(|(offset, local)| Mutation {
                    seq: (batch_index * BATCH + offset + 1) as u64,
                    change: MutationChange::SubmitResponse {
                        response: valid_response(&survey, tablet * per_tablet + local),
                    },
                })
                .collect();
            let request = PushRequest {
                client_id,
                schema_version: SCHEMA_VERSION,
                mutations,
            };
            batches.push(serde_json::to_vec(&request)?);
        }
        // Each tablet signs in as the demo collector, as a real one would.
        let session: thamgia_core::account::Session = client
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({
                "username": "badinh",
                "password": thamgia_server::auth::DEMO_PASSWORD,
                "device_label": format!("bench tablet {tablet}"),
            }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tablets.push((session.token, batches));
    }
    let body_bytes: usize = tablets
        .iter()
        .flat_map(|(_, batches)| batches)
        .map(Vec::len)
        .sum();

    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, batches) in tablets {
        let client = client.clone();
        let url = format!("{base}/api/v1/sync/push");
        tasks.push(tokio::spawn(async move {
            for body in batches {
                let answer: PushResponse = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                if answer.results.len() != BATCH {
                    bail!("a batch was not fully applied: {:?}", answer.status);
                }
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed();
    println!("\nIngest over HTTP on loopback ({RESPONSES} responses of {} answers, batches of {BATCH}, {TABLETS} tablets at once):", survey.questions().len());
    println!(
        "  request bodies: {:.1} MiB",
        body_bytes as f64 / (1024.0 * 1024.0)
    );
    println!("  elapsed: {:.2} s", elapsed.as_secs_f64());
    println!(
        "  ingest rate: {:.0} responses/s",
        RESPONSES as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
