//! `thamgia-server`: runs the central endpoint, or backs up or restores
//! its SQLite database (`backup`, `restore`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use thamgia_server::{AppFiles, Backend};
use tracing_subscriber::EnvFilter;

/// Tham Gia's central endpoint: serves the app and the sync API.
#[derive(Debug, Parser)]
#[command(version)]
struct Arguments {
    // Without a command, the server runs.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, env = "THAMGIA_BIND", default_value = "0.0.0.0")]
    bind: std::net::IpAddr,
    /// Port to listen on.
    #[arg(long, env = "THAMGIA_PORT", default_value_t = 8080)]
    port: u16,
    /// SQLite database file (created if missing); ignored when a database
    /// URL is given.
    #[arg(
        long,
        env = "THAMGIA_DATABASE",
        default_value = "data/thamgia.sqlite3",
        global = true
    )]
    database: PathBuf,
    /// Database URL, e.g. postgres://thamgia:PASSWORD@localhost/thamgia for
    /// the city-wide server (sqlite: URLs work too); wins over --database.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    database_url: Option<String>,
    /// The folder holding the built apps (`cargo xtask build` makes `dist`).
    /// A binary built with the feature `embedded-app` carries both apps and
    /// serves them unless this is given; without it, `dist` is the default.
    #[arg(long, env = "THAMGIA_STATIC_DIR", value_name = "FOLDER")]
    static_dir: Option<PathBuf>,
    /// Do not load the demo survey and the demo accounts into the database.
    /// A deployment sets this, with the first city officer below.
    #[arg(long, env = "THAMGIA_NO_SEED")]
    no_seed: bool,
    /// User name of the first city officer, created at start-up if missing
    /// (with THAMGIA_ADMIN_PASSWORD). Further accounts are made in the app.
    #[arg(long, env = "THAMGIA_ADMIN_USERNAME")]
    admin_username: Option<String>,
    /// Password of that first city officer (read from the environment only).
    #[arg(skip = std::env::var("THAMGIA_ADMIN_PASSWORD").ok())]
    admin_password: Option<String>,
    /// Seconds a client may take to send a request's headers.
    #[arg(long, env = "THAMGIA_HEADER_TIMEOUT", default_value_t = 30)]
    header_timeout: u64,
    /// Seconds a client may pause between two pieces of a request's body.
    #[arg(long, env = "THAMGIA_BODY_TIMEOUT", default_value_t = 30)]
    body_timeout: u64,
    /// Seconds a whole request may take, its body included (the largest
    /// push is 16 MiB).
    #[arg(long, env = "THAMGIA_REQUEST_TIMEOUT", default_value_t = 300)]
    request_timeout: u64,
    /// Seconds an answer may wait for its client to read any of it before
    /// the connection is closed.
    #[arg(long, env = "THAMGIA_WRITE_TIMEOUT", default_value_t = 60)]
    write_timeout: u64,
    /// Most connections served at once (the rest wait in the kernel's
    /// backlog until one ends).
    #[arg(long, env = "THAMGIA_MAX_CONNECTIONS", default_value_t = 2048)]
    max_connections: usize,
    /// MiB of memory the request bodies being read and decoded may take
    /// together; a request that finds no room within 10 s gets 503.
    #[arg(long, env = "THAMGIA_BODY_MEMORY", default_value_t = 256)]
    body_memory: usize,
    /// The smallest count the survey results publish: counts of fewer
    /// children are shown as "< N", and enough others hidden that none can
    /// be worked out (at least 2); a ward's figures for a quarter change
    /// only once N responses came, were withdrawn or were corrected since
    /// they last changed.
    #[arg(long, env = "THAMGIA_MIN_COUNT", default_value_t = 5)]
    min_count: u64,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "THAMGIA_LOG_JSON")]
    log_json: bool,
    /// Serve /metrics (Prometheus) only to a scrape that sends this token as
    /// `Authorization: Bearer …`: 16 to 128 visible ASCII characters
    /// (`openssl rand -hex 32`). Prefer the environment to the command line,
    /// which other users of the machine can read. Without it and without
    /// --metrics-bind, /metrics is not served.
    #[arg(long, env = "THAMGIA_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Serve /metrics on this address only (e.g. 127.0.0.1:9464), never on
    /// the main one; with --metrics-token too, the token is required there.
    #[arg(long, env = "THAMGIA_METRICS_BIND")]
    metrics_bind: Option<SocketAddr>,
}

/// What to do instead of serving: SQLite's backups (for PostgreSQL,
/// pg_dump and pg_restore: README, "Backups").
#[derive(Debug, Subcommand)]
enum Command {
    /// Copies the SQLite database to a new file while the server keeps
    /// running and writing, checks the copy, and prints what it holds.
    Backup {
        /// The backup file to write; never written over if it exists.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Puts a backup in place of the SQLite database (stop the server
    /// first). The database replaced is moved aside, never deleted, and
    /// what the town hall entered there that the backup lacks is printed.
    Restore {
        /// The backup to restore.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace an existing database (it is moved aside to
        /// <database>.replaced-<time>).
        #[arg(long)]
        force: bool,
    },
}

/// The server's allocator: mimalloc rather than glibc's malloc. glibc gives
/// each thread that allocates an arena of its own (up to eight per core)
/// and keeps what is freed in it, so a server whose requests run on any
/// of its worker and database threads held 290 MiB after serving 10,000
/// responses' town hall views, 357 MiB at a million (six arenas of about
/// 60 MiB each, mostly free). mimalloc returns freed pages to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let arguments = Arguments::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    // A command prints its report on stdout: its log goes to stderr.
    match (arguments.log_json, arguments.command.is_some()) {
        (true, false) => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
        (false, false) => tracing_subscriber::fmt().with_env_filter(filter).init(),
        (true, true) => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
        (false, true) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
    }
    if let Some(command) = &arguments.command {
        return run_command(command, &arguments).await;
    }
    serve(arguments).await
}

/// Runs a backup or a restore of the SQLite database and prints its report.
async fn run_command(command: &Command, arguments: &Arguments) -> anyhow::Result<()> {
    let database = sqlite_file(arguments)?;
    match command {
        Command::Backup { to } => {
            let summary = thamgia_server::backup::backup(&database, to).await?;
            println!("{summary}");
        }
        Command::Restore { from, force } => {
            let report = thamgia_server::backup::restore(&database, from, *force).await?;
            println!("{report}");
        }
    }
    Ok(())
}

/// The SQLite file the options name: `--database`, or the file of a
/// `sqlite:` URL. A PostgreSQL URL is refused: its backups are pg_dump's.
fn sqlite_file(arguments: &Arguments) -> anyhow::Result<PathBuf> {
    let Some(url) = arguments
        .database_url
        .as_deref()
        .filter(|url| !url.is_empty())
    else {
        return Ok(arguments.database.clone());
    };
    match Backend::of_url(url)? {
        Backend::Postgres => bail!(
            "the database URL names a PostgreSQL database: back it up with `pg_dump -Fc` and \
             restore it with `pg_restore --clean --if-exists`, as README's \"Backups\" section shows"
        ),
        Backend::Sqlite => Ok(sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .context("reading the database URL")?
            .get_filename()
            .to_owned()),
    }
}

/// The folder the apps are served from when no `--static-dir` is given
/// and the binary carries none.
const DEFAULT_STATIC_DIR: &str = "dist";

/// Where the apps are served from: `--static-dir` when given; else the
/// apps built into the binary (feature `embedded-app`), or
/// [`DEFAULT_STATIC_DIR`].
fn app_files(static_dir: Option<&Path>) -> AppFiles {
    match static_dir.filter(|folder| !folder.as_os_str().is_empty()) {
        Some(folder) => AppFiles::Folder(folder.to_path_buf()),
        #[cfg(feature = "embedded-app")]
        None => AppFiles::InMemory(thamgia_server::embedded::BuiltFiles::embedded()),
        #[cfg(not(feature = "embedded-app"))]
        None => AppFiles::Folder(PathBuf::from(DEFAULT_STATIC_DIR)),
    }
}

/// Says where the apps come from, and warns when one is missing.
fn announce_app_files(files: &AppFiles) {
    match files {
        AppFiles::Folder(folder) => {
            if folder.join("index.html").exists() {
                tracing::info!(static_dir = %folder.display(), "serving the apps from a folder");
            } else {
                tracing::warn!(
                    static_dir = %folder.display(),
                    "the built app is missing: run `cargo xtask run` to build and start everything"
                );
            }
        }
        AppFiles::InMemory(built) => {
            let missing = built.missing_pages();
            if missing.is_empty() {
                tracing::info!(
                    files = built.count(),
                    "serving the apps built into this binary (--static-dir serves a folder instead)"
                );
            } else {
                tracing::warn!(
                    missing = %missing.join(", "),
                    "this binary was built without the apps: run `cargo xtask release`, or give --static-dir"
                );
            }
        }
    }
}

/// Runs the server until Ctrl+C or SIGTERM.
async fn serve(arguments: Arguments) -> anyhow::Result<()> {
    let apps = app_files(arguments.static_dir.as_deref());
    let metrics_token = arguments
        .metrics_token
        .as_deref()
        .filter(|token| !token.is_empty())
        .map(thamgia_server::metrics::MetricsToken::new)
        .transpose()
        .context("THAMGIA_METRICS_TOKEN (--metrics-token)")?;
    let config = thamgia_server::ServerConfig {
        database_path: arguments.database.clone(),
        database_url: arguments.database_url.clone().filter(|url| !url.is_empty()),
        static_dir: match &apps {
            AppFiles::Folder(folder) => folder.clone(),
            AppFiles::InMemory(_) => PathBuf::from(DEFAULT_STATIC_DIR),
        },
        seed_demo: !arguments.no_seed,
        metrics: thamgia_server::metrics::MetricsAccess {
            token: metrics_token,
            bind: arguments.metrics_bind,
        },
    };
    announce_app_files(&apps);
    let mut state = thamgia_server::prepare(&config)
        .await
        .with_context(|| format!("opening the database {}", config.database_location()))?;
    state.results_threshold =
        thamgia_core::results::suppression::Threshold::new(arguments.min_count);
    state.results_step = thamgia_core::results::release::ReleaseStep::of(state.results_threshold);
    let database = state.database.clone();
    if let Some(username) = &arguments.admin_username {
        let password = arguments
            .admin_password
            .clone()
            .context("THAMGIA_ADMIN_USERNAME needs THAMGIA_ADMIN_PASSWORD in the environment")?;
        let admin = thamgia_core::account::NewAccount {
            info: thamgia_core::account::AccountInfo {
                username: username.clone(),
                display_name: username.clone(),
                role: thamgia_core::account::Role::CityOfficer,
                ward_code: None,
            },
            password,
        };
        if database
            .ensure_account(&admin, chrono::Utc::now())
            .await
            .map_err(|error| anyhow::anyhow!("creating the first city officer: {error}"))?
        {
            tracing::info!(%username, "first city officer created");
        }
    }
    let backend = database.backend();
    let timeouts = thamgia_server::ClientTimeouts {
        header_read: std::time::Duration::from_secs(arguments.header_timeout.max(1)),
        body_idle: std::time::Duration::from_secs(arguments.body_timeout.max(1)),
        whole_request: std::time::Duration::from_secs(arguments.request_timeout.max(1)),
        max_connections: arguments.max_connections.max(1),
        write_stall: std::time::Duration::from_secs(arguments.write_timeout.max(1)),
        body_memory: arguments.body_memory.saturating_mul(1024 * 1024),
    };
    // The survey results are read while the server already answers.
    let (indexes, warm_database, step) =
        (state.results.clone(), database.clone(), state.results_step);
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match indexes.warm(&warm_database, step).await {
            Ok(()) => tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "survey results ready"
            ),
            Err(error) => tracing::warn!(%error, "survey results will be read when asked"),
        }
    });
    let metrics_router = thamgia_server::metrics_app(state.clone());
    let router = thamgia_server::app_serving(state, &apps, timeouts);
    let address = SocketAddr::new(arguments.bind, arguments.port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    // One signal stops both listeners.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        stop.send_modify(|stopping| *stopping = true);
    });
    let metrics_server = match config.metrics.bind {
        Some(metrics_address) => {
            let metrics_listener = tokio::net::TcpListener::bind(metrics_address)
                .await
                .with_context(|| format!("listening for /metrics on {metrics_address}"))?;
            tracing::info!(address = %metrics_address, "/metrics is served on its own address");
            Some(tokio::spawn(thamgia_server::serve(
                metrics_listener,
                metrics_router,
                until_stopped(stopped.clone()),
            )))
        }
        None if config.metrics.on_main_listener() => {
            tracing::info!("/metrics is served behind its token");
            None
        }
        None => {
            tracing::info!(
                "/metrics is not served: set THAMGIA_METRICS_TOKEN or THAMGIA_METRICS_BIND"
            );
            None
        }
    };
    tracing::info!(
        %address,
        backend = backend.name(),
        database = %config.database_location(),
        "Tham Gia is running: open http://localhost:{}", arguments.port
    );
    match database.durability().await {
        Ok(settings) => tracing::info!(?settings, "{} durability settings", backend.name()),
        Err(error) => tracing::warn!(%error, "cannot read the durability settings"),
    }
    thamgia_server::serve_with(listener, router, until_stopped(stopped), timeouts).await?;
    if let Some(metrics_server) = metrics_server {
        metrics_server
            .await
            .context("the /metrics listener")?
            .context("serving /metrics")?;
    }
    database.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Completes once `stopped` says to stop (or its sender is gone, when
/// nothing could say so any more).
async fn until_stopped(mut stopped: tokio::sync::watch::Receiver<bool>) {
    if stopped.wait_for(|stopping| *stopping).await.is_err() {
        tracing::debug!("the shutdown signal's sender is gone");
    }
}

/// Completes on Ctrl+C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl+C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
