//! A loopback TCP proxy between the browser and the server that can be
//! frozen: what a black-holed mobile link or an overloaded server looks like
//! to a tablet.
//!
//! While it passes, bytes go both ways untouched. Frozen, it still accepts
//! connections and reads everything the browser sends, but forwards nothing
//! and answers nothing, and keeps every socket open: the browser sees a
//! server that took its request and stays silent, never a refused or a
//! closed connection. A connection that carried bytes while frozen stays
//! frozen after a thaw (its HTTP exchange was cut somewhere in the middle);
//! idle connections and new ones pass again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// What the proxy's connections share.
#[derive(Debug, Default)]
struct Shared {
    frozen: AtomicBool,
    swallowed_bytes: AtomicU64,
}

/// A running proxy on a loopback port; it stops when dropped.
#[derive(Debug)]
pub struct FreezableProxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FreezableProxy {
    /// Starts a proxy on a free loopback port that passes to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Result<FreezableProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the proxy")?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(accept(listener, upstream, Arc::clone(&shared)));
        Ok(FreezableProxy {
            address,
            shared,
            task,
        })
    }

    /// Where the browser connects.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// From now on nothing passes and nothing is answered.
    pub fn freeze(&self) {
        self.shared.frozen.store(true, Ordering::SeqCst);
    }

    /// New and idle connections pass again.
    pub fn thaw(&self) {
        self.shared.frozen.store(false, Ordering::SeqCst);
    }

    /// Bytes read while frozen and never forwarded, in either direction.
    pub fn swallowed_bytes(&self) -> u64 {
        self.shared.swallowed_bytes.load(Ordering::SeqCst)
    }
}

impl Drop for FreezableProxy {
    fn drop(&mut self) {
        // The accept loop owns every connection's task: aborting it drops
        // them all, closing their sockets.
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, upstream: SocketAddr, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    connections.spawn(relay(client, upstream, Arc::clone(&shared)));
                }
                Err(error) => eprintln!("proxy: accept failed: {error}"),
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One connection: relayed both ways until both sides closed it.
async fn relay(client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    let (client_read, client_write) = client.into_split();
    let connection_frozen = AtomicBool::new(false);
    if shared.frozen.load(Ordering::SeqCst) {
        connection_frozen.store(true, Ordering::SeqCst);
        // Accept and read, never answer: the write half stays open until
        // the browser gives up.
        pump(client_read, None, &shared, &connection_frozen).await;
        drop(client_write);
        return;
    }
    let server = match TcpStream::connect(upstream).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("proxy: the server refused a connection: {error}");
            return;
        }
    };
    let (server_read, server_write) = server.into_split();
    let to_server = pump(client_read, Some(server_write), &shared, &connection_frozen);
    let to_client = pump(server_read, Some(client_write), &shared, &connection_frozen);
    tokio::pin!(to_server, to_client);
    tokio::select! {
        _ = &mut to_server => {
            // The browser closed its side. Frozen, it gave up: nothing is
            // left to relay. Otherwise let the server finish its answer.
            if !connection_frozen.load(Ordering::SeqCst) {
                to_client.await;
            }
        }
        writer = &mut to_client => {
            // The server closed its side first. Frozen, the browser's
            // socket is held open (by `writer`) until the browser gives up.
            let _held_open = writer;
            to_server.await;
        }
    }
}

/// Copies `from` into `to` until `from` ends. Once the proxy or this
/// connection is frozen, what is read is swallowed, and `to` is kept open
/// (not closed when `from` ends), so its reader keeps waiting.
async fn pump(
    mut from: OwnedReadHalf,
    to: Option<OwnedWriteHalf>,
    shared: &Shared,
    connection_frozen: &AtomicBool,
) -> Option<OwnedWriteHalf> {
    let mut to = to;
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if shared.frozen.load(Ordering::SeqCst) {
            connection_frozen.store(true, Ordering::SeqCst);
        }
        if connection_frozen.load(Ordering::SeqCst) {
            shared
                .swallowed_bytes
                .fetch_add(read as u64, Ordering::SeqCst);
            continue;
        }
        let Some(writer) = to.as_mut() else {
            continue;
        };
        if writer.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    if connection_frozen.load(Ordering::SeqCst) {
        // The other side must not see an end: hand the writer back to be
        // dropped with the connection, once both directions are over.
        return to;
    }
    if let Some(writer) = to.as_mut() {
        // Pass the end on (a half close), as the peer did.
        if let Err(error) = writer.shutdown().await {
            eprintln!("proxy: shutdown not passed on: {error}");
        }
    }
    to
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// An upstream that answers every chunk it reads with the same bytes.
    async fn echo_server() -> Result<SocketAddr> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buffer = [0_u8; 1024];
                    while let Ok(read) = socket.read(&mut buffer).await {
                        if read == 0 || socket.write_all(&buffer[..read]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Ok(address)
    }

    async fn ask(socket: &mut TcpStream, question: &[u8]) -> Result<Option<Vec<u8>>> {
        socket.write_all(question).await?;
        let mut answer = vec![0_u8; question.len()];
        match tokio::time::timeout(Duration::from_millis(500), socket.read_exact(&mut answer)).await
        {
            Ok(read) => {
                read?;
                Ok(Some(answer))
            }
            Err(_) => Ok(None),
        }
    }

    #[tokio::test]
    async fn frozen_it_reads_keeps_the_socket_open_and_never_answers() -> Result<()> {
        let proxy = FreezableProxy::start(echo_server().await?).await?;
        let mut idle = TcpStream::connect(proxy.address()).await?;
        assert_eq!(ask(&mut idle, b"one").await?, Some(b"one".to_vec()));

        proxy.freeze();
        let mut busy = TcpStream::connect(proxy.address()).await?;
        assert_eq!(ask(&mut busy, b"two").await?, None, "no answer");
        assert_eq!(ask(&mut idle, b"three").await?, None, "none on an old one");
        assert_eq!(proxy.swallowed_bytes(), 8);
        let mut byte = [0_u8; 1];
        let still_open =
            tokio::time::timeout(Duration::from_millis(300), busy.read(&mut byte)).await;
        assert!(
            still_open.is_err(),
            "the socket is neither answered nor closed"
        );

        proxy.thaw();
        let mut fresh = TcpStream::connect(proxy.address()).await?;
        assert_eq!(ask(&mut fresh, b"four").await?, Some(b"four".to_vec()));
        assert_eq!(
            ask(&mut busy, b"five").await?,
            None,
            "a cut exchange stays cut"
        );
        Ok(())
    }
}
