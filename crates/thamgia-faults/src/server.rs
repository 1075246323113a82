//! The real server binary as a child process: started on a fixed loopback
//! port with a SQLite file in the run's temporary directory or a PostgreSQL
//! database of the run's own, killed with SIGKILL (`Child::kill` on Unix)
//! and started again on the same port and database. Nothing of the server
//! runs in this process: a kill is a real crash, and what survives it is
//! what the database committed. A run with several servers makes one
//! [`ServerProcess`] per server, each on a port of its own
//! ([`free_ports`]) and with a log of its own, all on the same database.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::process::{Child, Command};

/// How long a start may take before it counts as failed.
const START_WAIT: Duration = Duration::from_secs(60);

/// Finds the server binary: the path given, `THAMGIA_SERVER_BIN`, or
/// `thamgia-server` next to this executable (cargo puts every binary of the
/// workspace in the same `target/<profile>/`).
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("--server-bin {}: no such file", path.display());
        }
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("THAMGIA_SERVER_BIN") {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!("THAMGIA_SERVER_BIN={}: no such file", path.display());
        }
        return Ok(path);
    }
    let executable = std::env::current_exe().context("finding this executable")?;
    let directory = executable
        .parent()
        .context("this executable has no directory")?;
    let candidate = directory.join(format!("thamgia-server{}", std::env::consts::EXE_SUFFIX));
    if candidate.is_file() {
        return Ok(candidate);
    }
    bail!(
        "no server binary at {}: build it with the same profile as this suite \
         (`cargo build --release -p thamgia-server -p thamgia-faults`) or pass --server-bin",
        candidate.display()
    )
}

/// Where the server's port is chosen: below Linux's ephemeral range
/// (32768–60999), so that while the server is down no outgoing connection
/// (a tablet's to the proxy, say) is given its number as a local port, which
/// would keep the restarted server from binding it.
const SERVER_PORTS: std::ops::Range<u16> = 20_000..30_000;

/// `count` distinct free loopback ports for the servers, outside the
/// ephemeral range. Each is held while the next is looked for (so two
/// servers never get the same one), then all are released; the servers
/// bind them next.
pub fn free_ports(count: usize) -> Result<Vec<u16>> {
    // Start somewhere that depends on this process, so parallel runs differ.
    let span = SERVER_PORTS.end - SERVER_PORTS.start;
    let offset = (std::process::id() % u32::from(span)) as u16;
    let mut held: Vec<TcpListener> = Vec::with_capacity(count);
    let mut ports = Vec::with_capacity(count);
    for step in 0..span {
        if ports.len() == count {
            break;
        }
        let port = SERVER_PORTS.start + (offset + step) % span;
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
            held.push(listener);
            ports.push(port);
        }
    }
    drop(held);
    if ports.len() < count {
        bail!("fewer than {count} free ports in {SERVER_PORTS:?}");
    }
    Ok(ports)
}

/// The database the server is started on.
#[derive(Debug, Clone)]
pub enum ServerDatabase {
    /// A SQLite file (`--database`).
    File(PathBuf),
    /// A database URL, given in the child's environment (`DATABASE_URL`)
    /// so that a password in it is not on a command line.
    Url(String),
}

/// The server as a child process.
pub struct ServerProcess {
    binary: PathBuf,
    database: ServerDatabase,
    static_dir: PathBuf,
    log: PathBuf,
    port: u16,
    child: Option<Child>,
    health: reqwest::Client,
    /// How many times it was started.
    pub starts: u32,
    /// How many times it was killed.
    pub kills: u32,
}

impl ServerProcess {
    /// A server of `binary` on `port` over `database`, serving
    /// `static_dir`, logging (warnings only) to `log`.
    pub fn new(
        binary: PathBuf,
        database: ServerDatabase,
        static_dir: PathBuf,
        log: PathBuf,
        port: u16,
    ) -> Result<ServerProcess> {
        let health = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(2))
            .build()
            .context("building the health-check client")?;
        Ok(ServerProcess {
            binary,
            database,
            static_dir,
            log,
            port,
            child: None,
            health,
            starts: 0,
            kills: 0,
        })
    }

    /// Where the server listens.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `http://127.0.0.1:<port>`, for reads that must not meet the proxy.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address())
    }

    /// Starts the server and waits until `GET /api/v1/health` answers. A
    /// start that fails (the port still held for a moment, say) is tried
    /// again a few times.
    pub async fn start(&mut self) -> Result<()> {
        let mut last_error = None;
        for attempt in 0..5 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            match self.start_once().await {
                Ok(()) => return Ok(()),
                Err(error) => {
                    eprintln!(
                        "fault suite: server start {} failed: {error:#}",
                        attempt + 1
                    );
                    self.kill_quietly().await;
                    last_error = Some(error);
                }
            }
        }
        match last_error {
            Some(error) => Err(error.context(format!(
                "the server would not start; its log is {}",
                self.log.display()
            ))),
            None => bail!("the server would not start"),
        }
    }

    async fn start_once(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let log_errors = log.try_clone()?;
        let mut command = Command::new(&self.binary);
        match &self.database {
            // A DATABASE_URL inherited from the shell would win over the file.
            ServerDatabase::File(path) => command
                .arg("--database")
                .arg(path)
                .env_remove("DATABASE_URL"),
            ServerDatabase::Url(url) => command.env("DATABASE_URL", url),
        };
        let child = command
            .arg("--bind")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--static-dir")
            .arg(&self.static_dir)
            // Every push is logged at info: keep the log to what matters.
            .env("RUST_LOG", "warn")
            .env_remove("THAMGIA_NO_SEED")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_errors))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        self.child = Some(child);
        self.starts += 1;
        self.wait_healthy().await
    }

    async fn wait_healthy(&mut self) -> Result<()> {
        let started = Instant::now();
        let url = format!("{}/api/v1/health", self.base_url());
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    self.child = None;
                    bail!("the server exited at start with {status}");
                }
            }
            if let Ok(response) = self.health.get(&url).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            if started.elapsed() > START_WAIT {
                bail!("the server did not answer {url} within {START_WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the server with SIGKILL and waits until it is gone.
    pub async fn kill(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            bail!("the server is not running");
        };
        child.kill().await.context("killing the server")?;
        self.kills += 1;
        Ok(())
    }

    /// Kills the server if it runs, ignoring errors (it may have died).
    pub async fn kill_quietly(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Err(error) = child.kill().await {
                eprintln!("fault suite: killing the server: {error}");
            }
        }
    }
}
