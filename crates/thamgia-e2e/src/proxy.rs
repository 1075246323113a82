//! A loopback TCP proxy between the browser and the server that can be
//! frozen: what a black-holed mobile link or an overloaded server looks like
//! to a tablet.
//!
//! While it passes, bytes go both ways untouched. [`FreezableProxy::freeze`]:
//! it still accepts connections and reads everything the browser sends, but
//! forwards nothing and answers nothing, and keeps every socket open: the
//! browser sees a server that took its request and stays silent, never a
//! refused or a closed connection. [`FreezableProxy::lose_answers`]: requests
//! reach the server, which does its work, but its answers are swallowed the
//! same way (a link that broke after the server committed). A connection
//! that carried bytes it did not pass stays that way after a thaw (its HTTP
//! exchange was cut somewhere in the middle); idle connections and new ones
//! pass again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Bytes pass both ways.
const PASSING: u8 = 0;
/// Nothing passes either way.
const FROZEN: u8 = 1;
/// Requests pass; answers do not.
const ANSWERS_LOST: u8 = 2;

/// Which way bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    ToServer,
    ToBrowser,
}

/// What the proxy's connections share.
#[derive(Debug, Default)]
struct Shared {
    mode: AtomicU8,
    swallowed_bytes: AtomicU64,
}

impl Shared {
    /// Whether bytes going `direction` are swallowed now.
    fn blocks(&self, direction: Direction) -> bool {
        match self.mode.load(Ordering::SeqCst) {
            PASSING => false,
            ANSWERS_LOST => direction == Direction::ToBrowser,
            _ => true,
        }
    }
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
        self.shared.mode.store(FROZEN, Ordering::SeqCst);
    }

    /// From now on requests reach the server but no answer comes back.
    pub fn lose_answers(&self) {
        self.shared.mode.store(ANSWERS_LOST, Ordering::SeqCst);
    }

    /// New and idle connections pass again.
    pub fn thaw(&self) {
        self.shared.mode.store(PASSING, Ordering::SeqCst);
    }

    /// Bytes read and never passed on, in either direction.
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
    let connection_cut = AtomicBool::new(false);
    if shared.blocks(Direction::ToServer) {
        connection_cut.store(true, Ordering::SeqCst);
        // Accept and read, never answer: the write half stays open until
        // the browser gives up.
        pump(
            client_read,
            None,
            Direction::ToServer,
            &shared,
            &connection_cut,
        )
        .await;
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
    let to_server = pump(
        client_read,
        Some(server_write),
        Direction::ToServer,
        &shared,
        &connection_cut,
    );
    let to_browser = pump(
        server_read,
        Some(client_write),
        Direction::ToBrowser,
        &shared,
        &connection_cut,
    );
    tokio::pin!(to_server, to_browser);
    tokio::select! {
        _ = &mut to_server => {
            // The browser closed its side. Cut, it gave up: nothing is left
            // to relay. Otherwise let the server finish its answer.
            if !connection_cut.load(Ordering::SeqCst) {
                to_browser.await;
            }
        }
        writer = &mut to_browser => {
            // The server closed its side first. Cut, the browser's socket
            // is held open (by `writer`) until the browser gives up.
            let _held_open = writer;
            to_server.await;
        }
    }
}

/// Copies `from` into `to` until `from` ends. Once the proxy blocks this
/// `direction`, or the connection was cut, what is read is swallowed (and
/// the connection is cut for good), and `to` is kept open (not closed when
/// `from` ends), so its reader keeps waiting.
async fn pump(
    mut from: OwnedReadHalf,
    to: Option<OwnedWriteHalf>,
    direction: Direction,
    shared: &Shared,
    connection_cut: &AtomicBool,
) -> Option<OwnedWriteHalf> {
    let mut to = to;
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if shared.blocks(direction) {
            connection_cut.store(true, Ordering::SeqCst);
        }
        if connection_cut.load(Ordering::SeqCst) {
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
    if connection_cut.load(Ordering::SeqCst) {
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

    #[tokio::test]
    async fn losing_answers_it_passes_requests_and_swallows_what_comes_back() -> Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let proxy = FreezableProxy::start(listener.local_addr()?).await?;
        proxy.lose_answers();
        let mut browser = TcpStream::connect(proxy.address()).await?;
        let (mut server, _) = listener.accept().await?;
        browser.write_all(b"push").await?;
        let mut request = [0_u8; 4];
        server.read_exact(&mut request).await?;
        assert_eq!(&request, b"push", "the request reached the server");
        server.write_all(b"done").await?;
        drop(server);
        let mut byte = [0_u8; 1];
        let answered =
            tokio::time::timeout(Duration::from_millis(300), browser.read(&mut byte)).await;
        assert!(
            answered.is_err(),
            "no answer, and no end, reaches the browser"
        );
        assert_eq!(proxy.swallowed_bytes(), 4);
        Ok(())
    }
}
