//! Tham Gia's central endpoint: the town hall's server.
//!
//! It serves the built app and the `/api/v1` sync API over one database,
//! SQLite or PostgreSQL (see [`database`]).
//! [`app`] builds the router (tests call it without a socket); [`serve`]
//! runs it on a listener until a shutdown signal. The apps' files come from
//! a folder or, in a binary built with the feature `embedded-app`, from
//! inside the binary ([`embedded`], [`AppFiles`]).
//! [`backup`] copies a SQLite database while the server runs and restores
//! one (the `backup` and `restore` subcommands).
//! [`metrics`] counts requests, pushes, pulls and sign-ins for `/metrics`,
//! served behind a token or on an address of its own ([`metrics_app`]).

pub mod api;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod body_room;
pub mod csv_export;
pub mod database;
pub mod embedded;
pub mod error;
pub mod extract;
pub mod forums;
pub mod headers;
pub mod metrics;
pub mod results_export;
pub mod results_index;
pub mod seed;
pub mod stall;
pub mod townhall;
pub mod units;
pub mod xlsform;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

pub use database::{Backend, Database};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub database: Database,
    /// Hanoi's wards and communes, as served to the app.
    pub units: Arc<seed::UnitList>,
    /// The indicator catalogue with its targets.
    pub catalogue: Arc<thamgia_core::indicator::Catalogue>,
    /// Failed sign-ins, to lock a user name that is being guessed.
    pub sign_in_guard: auth::SignInGuard,
    /// The smallest count the survey results publish (k: smaller ones are
    /// shown as "< k"); `--min-count`, 5 by default.
    pub results_threshold: thamgia_core::results::suppression::Threshold,
    /// How many changes a cell of the survey results gathers before its
    /// published figures change (core's `results::release`): the
    /// threshold's k, set with it.
    pub results_step: thamgia_core::results::release::ReleaseStep,
    /// The survey results, kept current with the store.
    pub results: results_index::ResultsIndexes,
    /// Most responses a recount of the children's words (the answer list,
    /// theme counts) reads at once; past it the officer is asked for a
    /// narrower scope ([`DEFAULT_RECOUNT_LIMIT`]).
    pub recount_limit: u64,
    /// What `/metrics` reports, and who may read it.
    pub metrics: metrics::Metrics,
}

/// The default [`AppState::recount_limit`]: a response held in memory is a
/// few KiB, so a few hundred MiB at most.
pub const DEFAULT_RECOUNT_LIMIT: u64 = 100_000;

/// How long the server waits on a client before it gives up on it, so a
/// slow or stalled client (a slow-drip attack, a dead mobile link) holds a
/// connection for a bounded time.
#[derive(Debug, Clone, Copy)]
pub struct ClientTimeouts {
    /// From a connection's first byte (or the end of its last answer) to
    /// the end of a request's headers.
    pub header_read: Duration,
    /// Between two pieces of a request's body.
    pub body_idle: Duration,
    /// A whole request, from its headers to the handler's answer: enough
    /// for the largest push (16 MiB) at about 0.5 Mbit/s.
    pub whole_request: Duration,
    /// Most connections served at once; beyond, the next is accepted only
    /// when one ends (the kernel's backlog holds the rest), so a flood of
    /// idle sockets cannot exhaust the process's file descriptors.
    pub max_connections: usize,
    /// How long an answer may wait for its client to read any of it before
    /// the connection is closed ([`stall::StallGuard`]).
    pub write_stall: Duration,
    /// The memory, in bytes, that the request bodies read and decoded at
    /// once may take together ([`body_room`]).
    pub body_memory: usize,
}

impl Default for ClientTimeouts {
    fn default() -> Self {
        ClientTimeouts {
            header_read: Duration::from_secs(30),
            body_idle: Duration::from_secs(30),
            whole_request: Duration::from_secs(300),
            max_connections: 2048,
            write_stall: Duration::from_secs(60),
            body_memory: DEFAULT_BODY_MEMORY,
        }
    }
}

/// The default [`ClientTimeouts::body_memory`]: 256 MiB.
pub const DEFAULT_BODY_MEMORY: usize = 256 * 1024 * 1024;

/// Where the town hall app is served: its own bundle, built into
/// [`TOWNHALL_DIR`] of the app's folder.
pub const TOWNHALL_PATH: &str = "/townhall";

/// The town hall app's folder inside the app's folder.
pub const TOWNHALL_DIR: &str = "townhall";

/// Where the apps' files come from.
#[derive(Debug, Clone)]
pub enum AppFiles {
    /// A folder holding the build (`dist/`, `--static-dir`), read at each
    /// request: a new build is served without a restart.
    Folder(PathBuf),
    /// A build held in memory: the one carried inside the binary (feature
    /// `embedded-app`), or a list in tests.
    InMemory(embedded::BuiltFiles),
}

/// Builds the whole router: the API, and the apps' files from `static_dir`
/// (the tablet app at the root, the town hall app under [`TOWNHALL_PATH`]).
pub fn app(state: AppState, static_dir: &Path) -> Router {
    app_with(state, static_dir, ClientTimeouts::default())
}

/// [`app`] with the given timeouts on reading requests.
pub fn app_with(state: AppState, static_dir: &Path, timeouts: ClientTimeouts) -> Router {
    app_serving(state, &AppFiles::Folder(static_dir.to_path_buf()), timeouts)
}

/// [`app_with`] serving the apps from `files`: a folder, or a build in
/// memory, answered alike (the same types, compressed copies, fallbacks,
/// caching and security headers; see [`embedded`]).
pub fn app_serving(state: AppState, files: &AppFiles, timeouts: ClientTimeouts) -> Router {
    let request_metrics = state.metrics.clone();
    let metrics_route = metrics::main_listener_route(&state);
    let router = Router::new()
        .nest(
            "/api/v1",
            api::router(state).layer(axum::middleware::from_fn_with_state(
                body_room::BodyRoom::new(timeouts.body_memory, body_room::ROOM_WAIT),
                body_room::bounded,
            )),
        )
        .merge(metrics_route);
    let (router, security) = match files {
        AppFiles::Folder(static_dir) => (
            router
                .nest_service(TOWNHALL_PATH, folder_app(&static_dir.join(TOWNHALL_DIR)))
                .fallback_service(folder_app(static_dir)),
            headers::SecurityHeaders::new(static_dir),
        ),
        AppFiles::InMemory(built) => (
            router
                .nest_service(TOWNHALL_PATH, embedded::townhall_app(built.clone()))
                .fallback_service(embedded::tablet_app(built.clone())),
            headers::SecurityHeaders::for_pages(&built.pages()),
        ),
    };
    router
        .layer(axum::middleware::from_fn_with_state(
            timeouts.whole_request,
            whole_request_timeout,
        ))
        .layer(RequestBodyTimeoutLayer::new(timeouts.body_idle))
        .layer(axum::middleware::from_fn_with_state(
            security,
            headers::add_security_headers,
        ))
        // A file named by its content's hash never changes: kept a year.
        .layer(axum::middleware::from_fn(headers::long_lived_assets))
        // Everything else is revalidated on each load; the service worker
        // keeps the offline copy, so the browser's HTTP cache must never
        // serve a stale index.html that points at assets of another build.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(
            |request: &axum::http::Request<axum::body::Body>| {
                // The path is the client's: a bounded, escaped prefix only.
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %thamgia_core::limits::quoted_prefix(request.uri().path(), 120),
                )
            },
        ))
        // Outermost: every answer is counted, a timeout's 408 included.
        .layer(axum::middleware::from_fn_with_state(
            request_metrics,
            metrics::record_request,
        ))
}

/// The router of `/metrics`' own listener (`--metrics-bind`): the metrics,
/// behind the token if one is set, and nothing else. Serve it only on the
/// address the operator chose.
pub fn metrics_app(state: AppState) -> Router {
    metrics::own_listener_router(state)
}

/// One app's files in `folder` (the tablet app's, or the town hall app's
/// under [`TOWNHALL_PATH`]). Unknown paths get its index.html, so the app's
/// own routes survive a reload. A file's brotli or gzip copy made at build
/// time (`cargo xtask build`) is sent as it is to a browser that accepts it.
fn folder_app(folder: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(folder)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(folder.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        )
}

/// Where the server keeps its data and finds the app.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The SQLite database file, used when `database_url` is `None`.
    pub database_path: PathBuf,
    /// A database URL (`postgres://…` or `sqlite:…`); when set it wins over
    /// `database_path`.
    pub database_url: Option<String>,
    /// The built app (Trunk's `dist/`).
    pub static_dir: PathBuf,
    /// Whether to load the demo survey and the demo accounts (see
    /// [`auth::demo_accounts`]) into the database.
    pub seed_demo: bool,
    /// Whether and how `/metrics` is served: behind a token, on an address
    /// of its own, or (the default) not at all.
    pub metrics: metrics::MetricsAccess,
}

impl ServerConfig {
    /// Where the data is, for logs and error messages: the SQLite file, or
    /// the database URL without its password.
    pub fn database_location(&self) -> String {
        match &self.database_url {
            Some(url) => database::redacted_url(url),
            None => self.database_path.display().to_string(),
        }
    }
}

/// Opens the database, seeds it if asked, and builds the state.
pub async fn prepare(config: &ServerConfig) -> anyhow::Result<AppState> {
    let database = match &config.database_url {
        Some(url) => Database::connect(url).await?,
        None => Database::open(&config.database_path).await?,
    };
    // Responses stored before results were kept by cell get their cell.
    database.backfill_results_cells().await?;
    if config.seed_demo {
        seed::seed_demo(&database).await?;
        for account in auth::demo_accounts() {
            database
                .ensure_account(&account, chrono::Utc::now())
                .await?;
        }
    }

    Ok(AppState {
        database,
        units: Arc::new(seed::hanoi_units()?),
        catalogue: Arc::new(seed::indicator_catalogue()?),
        sign_in_guard: auth::SignInGuard::default(),
        results_threshold: thamgia_core::results::suppression::Threshold::default(),
        results_step: thamgia_core::results::release::ReleaseStep::default(),
        results: results_index::ResultsIndexes::default(),
        recount_limit: DEFAULT_RECOUNT_LIMIT,
        metrics: metrics::Metrics::new(config.metrics.clone()),
    })
}

/// Answers 408 with the API's bilingual body when a request (reading its
/// body included) takes longer than `limit`.
async fn whole_request_timeout(
    State(limit): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error::ServerError::RequestTimeout.into_response(),
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// requests in flight finish (for at most 30 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ClientTimeouts::default()).await
}

/// [`serve`] with the given header read timeout, write stall and most
/// connections (the other timeouts are the router's, see [`app_with`]).
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: ClientTimeouts,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let slots = Arc::new(tokio::sync::Semaphore::new(timeouts.max_connections.max(1)));
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment, go on.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.header_read);
        let stream = stall::StallGuard::new(stream, timeouts.write_stall);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("requests still running after 30 s were cut at shutdown");
        }
    }
    Ok(())
}
