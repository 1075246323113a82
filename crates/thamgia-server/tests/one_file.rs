//! One file to deploy: the binary built with the feature `embedded-app`
//! serves both apps from inside itself. It runs here from an empty folder,
//! without `--static-dir`, and is asked for what a tablet's and a town hall
//! officer's browsers load. Needs the apps built into `dist/` when it
//! compiles (`cargo xtask build`); `cargo xtask test` runs it right after.
//!
//! `cargo test -p thamgia-server --features embedded-app --test one_file`

#![cfg(feature = "embedded-app")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap};
use reqwest::StatusCode;

/// The server process, killed when this is dropped (a failed test too).
struct RunningBinary {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        // The process may have died already; then there is nothing to do.
        if self.child.kill().is_ok() {
            self.child.wait().ok();
        }
    }
}

impl RunningBinary {
    /// Starts the binary in `working_folder` with its database in
    /// `data_folder`, on a free port, and waits until it answers.
    async fn start(working_folder: &Path, data_folder: &Path) -> RunningBinary {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log = data_folder.join("server.log");
        let log_file = std::fs::File::create(&log).expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_thamgia-server"))
            .current_dir(working_folder)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .arg("--database")
            .arg(data_folder.join("thamgia.sqlite3"))
            .arg("--no-seed")
            .env_remove("THAMGIA_STATIC_DIR")
            .env_remove("THAMGIA_DATABASE")
            .env_remove("DATABASE_URL")
            .env_remove("THAMGIA_ADMIN_USERNAME")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file.try_clone().expect("a log file")))
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("the server starts");
        let mut server = RunningBinary {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let started = Instant::now();
        while !server.healthy().await {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not answer; its log: {}",
                server.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// Whether the process runs and `GET /api/v1/health` answers 200.
    async fn healthy(&mut self) -> bool {
        if let Some(status) = self.child.try_wait().expect("try_wait") {
            panic!(
                "the server exited with {status}; its log: {}",
                self.log_text()
            );
        }
        reqwest::get(format!("{}/api/v1/health", self.base))
            .await
            .is_ok_and(|response| response.status() == StatusCode::OK)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// GETs `path` with `headers`: the status, the headers, the body as
    /// sent (this client decompresses nothing).
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = reqwest::Client::new().get(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("an answer");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a body").to_vec();
        (status, headers, body)
    }
}

fn header_of(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The path of the hashed wasm file a page loads (`/…-<hash>_bg.wasm`).
fn wasm_path(page: &str) -> String {
    let end = page.find("_bg.wasm").expect("the page loads a wasm file") + "_bg.wasm".len();
    let start = page[..end]
        .rfind(['\'', '"', '('])
        .map_or(0, |quote| quote + 1);
    let path = &page[start..end];
    assert!(path.starts_with('/'), "not an absolute path: {path}");
    assert!(
        thamgia_core::asset_names::is_hashed_asset(path),
        "not a hashed name: {path}"
    );
    path.to_owned()
}

#[tokio::test]
async fn the_binary_serves_both_apps_from_inside_itself() {
    let empty = tempfile::tempdir().expect("an empty folder");
    let data = tempfile::tempdir().expect("a data folder");
    let server = RunningBinary::start(empty.path(), data.path()).await;

    // The tablet app's page, at the root, revalidated on each load, its
    // inline scripts allowed by the policy.
    let (status, headers, tablet_page) = server.get("/", &[]).await;
    assert_eq!(status, StatusCode::OK, "{}", server.log_text());
    assert!(
        header_of(&headers, header::CONTENT_TYPE).is_some_and(|kind| kind.starts_with("text/html"))
    );
    assert_eq!(header_of(&headers, header::CACHE_CONTROL), Some("no-cache"));
    assert!(header_of(&headers, header::CONTENT_SECURITY_POLICY)
        .is_some_and(|policy| policy.contains("'sha256-")));
    let tablet_page = String::from_utf8(tablet_page).expect("an HTML page");
    let tablet_wasm = wasm_path(&tablet_page);
    assert!(!tablet_wasm.starts_with("/townhall/"), "{tablet_wasm}");

    // The town hall app's page, under /townhall/: another bundle.
    let (status, _, townhall_page) = server.get("/townhall/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let townhall_page = String::from_utf8(townhall_page).expect("an HTML page");
    let townhall_wasm = wasm_path(&townhall_page);
    assert!(townhall_wasm.starts_with("/townhall/"), "{townhall_wasm}");

    // The tablet's wasm in brotli, kept a year, tagged; then not again.
    let (status, headers, body) = server.get(&tablet_wasm, &[("accept-encoding", "br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(
        header_of(&headers, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(
        header_of(&headers, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );
    assert!(!body.starts_with(b"\0asm"), "the brotli copy is sent");
    let etag = header_of(&headers, header::ETAG)
        .expect("an ETag")
        .to_owned();
    let (status, _, body) = server
        .get(
            &tablet_wasm,
            &[("accept-encoding", "br"), ("if-none-match", etag.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    // Without compression, the module itself.
    let (status, headers, body) = server.get(&tablet_wasm, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), None);
    assert!(body.starts_with(b"\0asm"), "a WebAssembly module");

    // The town hall's wasm in gzip.
    let (status, headers, _) = server
        .get(&townhall_wasm, &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), Some("gzip"));

    // Each app's own routes get its page.
    let (status, _, body) = server.get("/fill/x", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, tablet_page.as_bytes());
    let (status, _, body) = server.get("/townhall/accounts", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, townhall_page.as_bytes());

    // The service worker, at the root, revalidated.
    let (status, headers, _) = server.get("/sw.js", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        header_of(&headers, header::CONTENT_TYPE).is_some_and(|kind| kind.contains("javascript"))
    );
    assert_eq!(header_of(&headers, header::CACHE_CONTROL), Some("no-cache"));

    let (status, _, _) = server.get("/api/v1/health", &[]).await;
    assert_eq!(status, StatusCode::OK);
    // The folder it ran in is still empty: nothing was read or written there.
    assert_eq!(
        std::fs::read_dir(empty.path())
            .expect("the empty folder")
            .count(),
        0
    );
}
