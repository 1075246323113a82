//! PostgreSQL for the server's tests: the server `THAMGIA_TEST_POSTGRES_URL`
//! names, or a throwaway cluster started from the distribution's packages
//! and removed when the tests end, whether they pass or fail.
//!
//! The cluster lives in a fresh directory under the system's temporary
//! directory: `initdb -A trust` (no password: it listens only on
//! 127.0.0.1, on a free port, with its own socket directory), fsync left on
//! as in production. initdb refuses to run as root, so as root every
//! PostgreSQL command runs as the `postgres` user (which the Debian package
//! creates) through `runuser`, in a directory that user owns.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::workspace::Workspace;
use crate::Result;

/// The variable the server's test harness reads (`tests/support/mod.rs`).
pub const TEST_URL_VARIABLE: &str = "THAMGIA_TEST_POSTGRES_URL";

/// Where Debian and Ubuntu put each PostgreSQL version's programs.
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// The URL given in `THAMGIA_TEST_POSTGRES_URL`, if set and not empty.
pub fn url_from_environment() -> Option<String> {
    std::env::var(TEST_URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// The directory holding `initdb` and `pg_ctl`, with the version it belongs
/// to: the highest version under `/usr/lib/postgresql/*/bin`, else the
/// children's `PATH` (other distributions), else `None`.
pub fn find_programs(workspace: &Workspace) -> Option<(String, PathBuf)> {
    let mut versions: Vec<(Vec<u32>, String, PathBuf)> = fs::read_dir(DEBIAN_ROOT)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let number: Vec<u32> = name
                .split('.')
                .map(str::parse)
                .collect::<std::result::Result<_, _>>()
                .ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
                .then_some((number, name, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, name, bin)) = versions.pop() {
        return Some((name, bin));
    }
    if workspace.on_path("initdb") && workspace.on_path("pg_ctl") {
        let version = workspace
            .probe("pg_ctl", &["--version"])
            .and_then(|out| out.split_whitespace().last().map(str::to_owned))
            .unwrap_or_else(|| "(unknown version)".to_owned());
        return Some((version, PathBuf::new()));
    }
    None
}

/// A PostgreSQL server for one test run.
pub struct TestPostgres {
    /// The URL the harness creates its test databases from.
    pub url: String,
    /// What it is, for the log.
    pub description: String,
    cluster: Option<Cluster>,
}

impl TestPostgres {
    /// The server of `THAMGIA_TEST_POSTGRES_URL`, or a throwaway cluster.
    pub fn start(workspace: &Workspace) -> Result<TestPostgres> {
        if let Some(url) = url_from_environment() {
            return Ok(TestPostgres {
                url,
                description: format!("the server of {TEST_URL_VARIABLE}"),
                cluster: None,
            });
        }
        let (version, bin) = find_programs(workspace).ok_or(
            "PostgreSQL's initdb and pg_ctl are missing: run `cargo xtask setup --for-tests`, \
             or set THAMGIA_TEST_POSTGRES_URL to a server where the test user may CREATE DATABASE",
        )?;
        let started = Instant::now();
        let cluster = Cluster::start(workspace, &bin)?;
        let url = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
        let description = format!(
            "a throwaway PostgreSQL {version} cluster on 127.0.0.1:{} in {}, started in {:.1} s",
            cluster.port,
            cluster.directory.display(),
            started.elapsed().as_secs_f64()
        );
        Ok(TestPostgres {
            url,
            description,
            cluster: Some(cluster),
        })
    }

    /// Stops the throwaway cluster, if any, and removes its directory
    /// (dropping does the same, reporting problems instead of returning them).
    /// Checked on every run: a directory left behind is an error.
    pub fn stop(mut self) -> Result {
        let Some(cluster) = self.cluster.take() else {
            return Ok(());
        };
        let directory = cluster.directory.clone();
        cluster.stop()?;
        if directory.exists() {
            return Err(format!(
                "the throwaway cluster's directory {} is left behind",
                directory.display()
            )
            .into());
        }
        Ok(())
    }
}

/// A cluster this run started: stopped and deleted when dropped.
struct Cluster {
    directory: PathBuf,
    /// `pg_ctl`, or `runuser -u postgres -- pg_ctl` as root.
    pg_ctl: Vec<String>,
    port: u16,
    stopped: bool,
}

impl Cluster {
    fn start(workspace: &Workspace, bin: &Path) -> Result<Cluster> {
        let as_root = workspace.probe("id", &["-u"]).as_deref() == Some("0");
        if as_root && workspace.probe("id", &["-u", "postgres"]).is_none() {
            return Err(
                "initdb refuses to run as root and there is no `postgres` user to run \
                        it as: install PostgreSQL from the distribution's packages \
                        (`cargo xtask setup --for-tests`) or set THAMGIA_TEST_POSTGRES_URL"
                    .into(),
            );
        }
        let program = |name: &str| bin.join(name).to_string_lossy().into_owned();
        let as_owner = |program: String| -> Vec<String> {
            if as_root {
                vec![
                    "runuser".to_owned(),
                    "-u".to_owned(),
                    "postgres".to_owned(),
                    "--".to_owned(),
                    program,
                ]
            } else {
                vec![program]
            }
        };

        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let directory = std::env::temp_dir().join(format!(
            "thamgia-test-postgres-{}-{nanos}",
            std::process::id()
        ));
        fs::create_dir(&directory)
            .map_err(|error| format!("cannot create {}: {error}", directory.display()))?;
        let mut cluster = Cluster {
            directory: directory.clone(),
            pg_ctl: as_owner(program("pg_ctl")),
            port: 0,
            // Nothing to stop until pg_ctl start succeeds; the directory is
            // removed in any case.
            stopped: true,
        };
        let socket = directory.join("socket");
        fs::create_dir(&socket)
            .map_err(|error| format!("cannot create {}: {error}", socket.display()))?;
        if as_root {
            workspace.run(
                workspace
                    .command("chown")
                    .args(["-R", "postgres:"])
                    .arg(&directory),
            )?;
        }
        let data = directory.join("data");
        let mut initdb = cluster.command(workspace, as_owner(program("initdb")));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8"])
            .args(["--locale=C", "--no-instructions"]);
        workspace.run(initdb)?;

        cluster.port = free_port()?;
        let options = format!("-h 127.0.0.1 -p {} -k {}", cluster.port, socket.display());
        let mut start = cluster.command(workspace, cluster.pg_ctl.clone());
        start
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(directory.join("postgres.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]);
        cluster.stopped = false;
        if let Err(error) = workspace.run(start) {
            let log = fs::read_to_string(directory.join("postgres.log")).unwrap_or_default();
            return Err(format!("{error}\n{log}").into());
        }
        Ok(cluster)
    }

    /// `words` as a command, run from the cluster's directory (which the
    /// `postgres` user can enter, unlike perhaps the workspace).
    fn command(&self, workspace: &Workspace, words: Vec<String>) -> Command {
        let mut words = words.into_iter();
        let mut command = workspace.command(words.next().unwrap_or_default());
        command.args(words).current_dir(&self.directory);
        command
    }

    fn stop(mut self) -> Result {
        self.shut_down()
    }

    /// `pg_ctl stop -m fast`, then the directory is removed.
    fn shut_down(&mut self) -> Result {
        let mut problems = Vec::new();
        if !self.stopped {
            self.stopped = true;
            let stopped = Workspace::new().and_then(|workspace| {
                let mut stop = self.command(&workspace, self.pg_ctl.clone());
                stop.arg("-D")
                    .arg(self.directory.join("data"))
                    .args(["-m", "fast", "-w", "stop"]);
                workspace.run(stop)
            });
            if let Err(error) = stopped {
                problems.push(error.to_string());
            }
        }
        if self.directory.exists() {
            if let Err(error) = fs::remove_dir_all(&self.directory) {
                problems.push(format!(
                    "cannot remove {}: {error}",
                    self.directory.display()
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; ").into())
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(error) = self.shut_down() {
            eprintln!("warning: the throwaway PostgreSQL cluster was not cleaned up: {error}");
        }
    }
}

/// A TCP port nobody listens on at this moment, on 127.0.0.1.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|error| format!("cannot find a free port on 127.0.0.1: {error}"))?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_is_not_zero() {
        assert_ne!(free_port().expect("a port"), 0);
    }
}
