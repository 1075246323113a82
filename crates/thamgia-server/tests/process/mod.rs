//! The real server binary as a child process on a free loopback port,
//! for tests where the process itself matters: that it stays up, how much
//! memory it holds, how large its database and log grow.

#![allow(dead_code)] // each test file uses a different part of it

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, killed when this is dropped (a failed test too).
pub struct RunningServer {
    pub child: Child,
    pub base: String,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        // The process may have died already; then there is nothing to do.
        if self.child.kill().is_ok() {
            self.child.wait().ok();
        }
    }
}

impl RunningServer {
    /// Starts the binary on a free port with the demo seed, and waits
    /// until it answers.
    pub async fn start(directory: &Path, extra_arguments: &[&str]) -> RunningServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log = std::fs::File::create(directory.join("server.log")).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_thamgia-server"))
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .arg("--database")
            .arg(directory.join("db.sqlite3"))
            .arg("--static-dir")
            .arg(directory)
            .args(extra_arguments)
            .env("RUST_LOG", "info")
            .env_remove("THAMGIA_NO_SEED")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("log file")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("the server starts");
        let mut server = RunningServer {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while !server.healthy().await {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not answer; its log: {}",
                log_of(directory)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// Signs `username` in with the demo password over the socket.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
    ) -> thamgia_core::account::Session {
        client
            .post(format!("{}/api/v1/session", self.base))
            .json(&thamgia_core::account::LoginRequest {
                username: username.to_owned(),
                password: "thamgia-demo".to_owned(),
                device_label: "process test".to_owned(),
            })
            .send()
            .await
            .expect("sign in")
            .error_for_status()
            .expect("signed in")
            .json()
            .await
            .expect("a session")
    }

    /// Whether the process runs and `GET /api/v1/health` answers 200.
    pub async fn healthy(&mut self) -> bool {
        if let Some(status) = self.child.try_wait().expect("try_wait") {
            panic!("the server exited with {status}");
        }
        reqwest::get(format!("{}/api/v1/health", self.base))
            .await
            .is_ok_and(|response| response.status().is_success())
    }

    /// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
    pub fn memory_kib(&self, field: &str) -> u64 {
        let mut status = String::new();
        std::fs::File::open(format!("/proc/{}/status", self.child.id()))
            .and_then(|mut file| file.read_to_string(&mut status))
            .expect("the server's status");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }
}

pub fn log_of(directory: &Path) -> String {
    std::fs::read_to_string(directory.join("server.log")).unwrap_or_default()
}
