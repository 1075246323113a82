//! Tham Gia's central endpoint: the town hall's server.
//!
//! It serves the built app and the `/api/v1` sync API over one database,
//! SQLite or PostgreSQL (see [`database`]).
//! [`app`] builds the router (tests call it without a socket); [`serve`]
//! runs it on a listener until a shutdown signal.

pub mod api;
pub mod audit;
pub mod auth;
pub mod database;
pub mod error;
pub mod forums;
pub mod seed;
pub mod townhall;
pub mod xlsform;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
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
}

/// Builds the whole router: the API, and the app's files from `static_dir`.
pub fn app(state: AppState, static_dir: &Path) -> Router {
    let index = static_dir.join("index.html");
    // Unknown paths get index.html, so the app's own routes survive a reload.
    let files = ServeDir::new(static_dir).fallback(ServeFile::new(index));
    Router::new()
        .nest("/api/v1", api::router(state))
        .fallback_service(files)
        // Assets are revalidated on each load; the service worker keeps the
        // offline copy, so the browser's HTTP cache must never serve a stale
        // index.html that points at assets of another build.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
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
    })
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
