//! The real `thamgia-server` binary as a child process of a bench, and its
//! resident memory read from `/proc`.
//!
//! A server run inside the bench's own process shares its memory with the
//! loader and the HTTP client, so the process's resident memory says little
//! about the server's. Run as its own process, on the database the bench
//! prepared, the server's memory is its own, and it is the binary a town
//! hall runs: the same start-up, the same defaults.
//!
//! Every wait here has a deadline, and the child never outlives its
//! [`ServerProcess`]: dropping it (an error, a panic) kills the child and
//! reaps it. Ctrl+C reaches the child too, as it stays in the bench's
//! process group.

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use thamgia_server::ServerConfig;

/// The server binary cargo built beside the bench.
const SERVER_BINARY: &str = env!("CARGO_BIN_EXE_thamgia-server");

/// How long a server just started may take to answer its health check: it
/// migrates the database first, which is quick on one already migrated.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// How long a killed server may take to be gone.
const STOP_WITHIN: Duration = Duration::from_secs(10);

/// How many of the log's last lines an error shows.
const TAIL_LINES: usize = 40;

/// How often [`MemorySampler`] reads the server's resident memory.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// The server binary running as a child process on a loopback port.
pub struct ServerProcess {
    /// `None` once [`ServerProcess::stop`] has reaped it.
    child: Option<Child>,
    pid: u32,
    base: String,
    /// Where the child's stdout and stderr go (its log is on stdout).
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the binary on a free loopback port over the database `config`
    /// names (its SQLite file, or its URL), serving `config.static_dir`,
    /// seeding the demo only if `config.seed_demo`, and waits until
    /// `GET /api/v1/health` answers. The child's output goes to `log`.
    ///
    /// The bench's own environment is not passed on where it would change
    /// the server (`THAMGIA_*`, `DATABASE_URL`, `RUST_LOG`): the server
    /// runs with the binary's defaults, as a deployment would.
    pub async fn start(config: &ServerConfig, log: &Path) -> Result<ServerProcess> {
        if config.metrics.token.is_some() || config.metrics.bind.is_some() {
            bail!("the bench's server child serves no /metrics: leave `metrics` at its default");
        }
        let port = free_port()?;
        let port_text = port.to_string();
        let mut command = Command::new(SERVER_BINARY);
        for (name, _) in std::env::vars_os() {
            let inherited = name.to_string_lossy();
            if inherited.starts_with("THAMGIA_")
                || inherited == "DATABASE_URL"
                || inherited == "RUST_LOG"
            {
                command.env_remove(&name);
            }
        }
        command
            .args(["--bind", "127.0.0.1", "--port", &port_text])
            .arg("--static-dir")
            .arg(&config.static_dir)
            // A log read in a file, not a terminal.
            .env("NO_COLOR", "1");
        match &config.database_url {
            // From the environment, so the password is not on the command
            // line that every user of the machine can read.
            Some(url) => {
                command.env("DATABASE_URL", url);
            }
            None => {
                command.arg("--database").arg(&config.database_path);
            }
        }
        if !config.seed_demo {
            command.arg("--no-seed");
        }
        let output =
            File::create(log).with_context(|| format!("creating the log {}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::from(
                output.try_clone().context("sharing the server's log")?,
            ))
            .stderr(Stdio::from(output))
            .spawn()
            .with_context(|| format!("starting {SERVER_BINARY}"))?;
        let mut server = ServerProcess {
            pid: child.id(),
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            log: log.to_path_buf(),
        };
        // On an error the server is dropped here, which kills it.
        server.wait_until_ready().await?;
        Ok(server)
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The child's process id, for `/proc/<pid>/status`.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The last lines of the child's log, to explain a failure.
    pub fn log_tail(&self) -> String {
        match std::fs::read(&self.log) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let lines: Vec<&str> = text.lines().collect();
                lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
            }
            Err(error) => format!("(cannot read {}: {error})", self.log.display()),
        }
    }

    /// Kills the server and waits until it is gone. Fails if it had
    /// already stopped by itself (a crash the figures would hide).
    pub fn stop(mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if let Some(status) = child
            .try_wait()
            .context("asking whether the server still runs")?
        {
            bail!(
                "the server had stopped by itself ({status}); its log ends with:\n{}",
                self.log_tail()
            );
        }
        kill_and_reap(&mut child)
    }

    /// Polls the health check until it answers 200, the child exits, or
    /// [`READY_WITHIN`] passes.
    async fn wait_until_ready(&mut self) -> Result<()> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let health = format!("{}/api/v1/health", self.base);
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child
                    .try_wait()
                    .context("asking whether the server still runs")?
                {
                    bail!(
                        "the server exited before it answered ({status}); its log ends with:\n{}",
                        self.log_tail()
                    );
                }
            }
            let last = match client.get(&health).send().await {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) => format!("it answered {}", response.status()),
                Err(error) => error.to_string(),
            };
            if started.elapsed() >= READY_WITHIN {
                bail!(
                    "the server did not answer {health} within {} s ({last}); its log ends with:\n{}",
                    READY_WITHIN.as_secs(),
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for ServerProcess {
    /// No server is left running after the bench, whichever way it ends.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Err(error) = kill_and_reap(&mut child) {
                eprintln!(
                    "could not stop the bench's server (pid {}): {error:#}",
                    self.pid
                );
            }
        }
    }
}

/// Kills `child` (SIGKILL) and reaps it, waiting at most [`STOP_WITHIN`].
/// Killing one that has exited but is not reaped yet is harmless.
fn kill_and_reap(child: &mut Child) -> Result<()> {
    child.kill().context("killing the server")?;
    let started = Instant::now();
    loop {
        if child
            .try_wait()
            .context("waiting for the server to stop")?
            .is_some()
        {
            return Ok(());
        }
        if started.elapsed() >= STOP_WITHIN {
            bail!(
                "the server (pid {}) was still there {} s after it was killed",
                child.id(),
                STOP_WITHIN.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A loopback port free right now. The server binds it a moment later
/// (it prints the port it was given, not one the system chose); should
/// another process take it first, the server exits and
/// [`ServerProcess::start`] says so with its log.
fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// A process's resident memory as `/proc/<pid>/status` has it, in KiB.
#[derive(Debug, Clone, Copy)]
pub struct Resident {
    /// `VmRSS`: resident now.
    pub now_kib: u64,
    /// `VmHWM`: the most it has been resident since it started.
    pub peak_kib: u64,
}

/// The resident memory of process `pid`; `None` where there is no `/proc`
/// (not Linux) or the process is gone.
pub fn resident(pid: u32) -> Option<Resident> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    // Lines such as `VmRSS:     123456 kB`.
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some(Resident {
        now_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
    })
}

/// Reads a process's resident memory every [`SAMPLE_EVERY`] on a thread
/// of its own (not a task: the bench's runtime is busy with the officers'
/// requests, and a late sample would miss the moment it measures), and
/// keeps the highest. The kernel's `VmHWM` catches peaks between samples;
/// the samples say the peak came during the phase measured.
pub struct MemorySampler {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Option<u64>>>,
}

impl MemorySampler {
    /// Starts sampling process `pid`.
    pub fn start(pid: u32) -> MemorySampler {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut highest: Option<u64> = None;
            loop {
                if let Some(sample) = resident(pid) {
                    highest = Some(highest.map_or(sample.now_kib, |kib| kib.max(sample.now_kib)));
                }
                // One last sample after being told to stop.
                if stopping.load(Ordering::SeqCst) {
                    return highest;
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
        });
        MemorySampler {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops sampling: the highest `VmRSS` read, in KiB (`None` without
    /// `/proc`).
    pub fn finish(mut self) -> Result<Option<u64>> {
        self.stop.store(true, Ordering::SeqCst);
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow!("the memory sampler's thread panicked")),
            None => Ok(None),
        }
    }
}

impl Drop for MemorySampler {
    /// A sampler dropped on an error path stops at its next sample.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}
