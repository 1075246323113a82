//! The server's library on a loopback socket inside the bench's own
//! process: what the first-load and ingest benches measure against (the
//! town hall bench runs the binary instead, `server_process.rs`).

#![allow(dead_code)] // the first-load bench reads no database

use anyhow::Result;
use thamgia_server::{Database, ServerConfig};

/// A server answering on `base` until [`InProcessServer::stop`].
pub struct InProcessServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's database, for what the bench reads directly.
    pub database: Database,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl InProcessServer {
    /// Prepares `config`'s database (migrations, and the demo when
    /// `config.seed_demo`) and serves the app on a free loopback port.
    pub async fn start(config: &ServerConfig) -> Result<InProcessServer> {
        let state = thamgia_server::prepare(config).await?;
        let database = state.database.clone();
        let router = thamgia_server::app(state, &config.static_dir);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(thamgia_server::serve(listener, router, async {
            stopped.await.ok();
        }));
        Ok(InProcessServer {
            base,
            database,
            stop,
            server,
        })
    }

    /// Stops serving and waits until the server has.
    pub async fn stop(self) -> Result<()> {
        self.stop.send(()).ok();
        self.server.await??;
        Ok(())
    }
}
