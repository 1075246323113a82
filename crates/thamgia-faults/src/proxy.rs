//! The loopback fault proxy between the tablets and the server.
//!
//! The tablets open a fresh TCP connection for every request (their HTTP
//! client keeps no idle connection), so each connection the proxy accepts
//! carries exactly one HTTP/1.1 exchange. For each connection the proxy draws
//! one fate from its seeded generator, before reading anything:
//!
//! - **pass**: the request is read whole, forwarded, the response read whole
//!   and returned;
//! - **request dropped**: part of the request is read, then the connection is
//!   closed; the server never hears of it;
//! - **response dropped**: the request is forwarded, the server's whole
//!   response is read (so the server did all its work and committed) and
//!   thrown away, and the tablet's connection is closed;
//! - **request cut**: only a prefix of the request's bytes (somewhere in its
//!   head or body) reaches the server, then both sides are closed;
//! - **response cut**: only a prefix of the response's bytes reaches the
//!   tablet, then the connection is closed.
//!
//! To know where a message ends the proxy reads just enough HTTP/1.1: the
//! head up to the empty line, then `Content-Length` bytes, or chunks, or (a
//! response with neither) everything until the server closes. While the
//! server is down (killed, restarting) the connect fails and the tablet's
//! connection is simply closed; those are counted apart.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::rng::Rng;

/// How long the proxy waits for a tablet's request.
const REQUEST_WAIT: Duration = Duration::from_secs(30);
/// How long the proxy waits for the server's response.
const RESPONSE_WAIT: Duration = Duration::from_secs(120);
/// The largest head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// The largest message accepted.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// The share of connections given each fault; the rest pass.
#[derive(Debug, Clone, Copy)]
pub struct FaultShares {
    /// Part of the request read, nothing forwarded.
    pub drop_request: f64,
    /// Request forwarded and answered, the answer thrown away.
    pub drop_response: f64,
    /// Only a prefix of the request forwarded.
    pub cut_request: f64,
    /// Only a prefix of the response returned.
    pub cut_response: f64,
}

impl FaultShares {
    /// The share of connections that meet a fault.
    pub fn total(&self) -> f64 {
        self.drop_request + self.drop_response + self.cut_request + self.cut_response
    }

    fn draw(&self, rng: &mut Rng) -> Fate {
        let x = rng.unit();
        let mut edge = self.drop_request;
        if x < edge {
            return Fate::DropRequest;
        }
        edge += self.drop_response;
        if x < edge {
            return Fate::DropResponse;
        }
        edge += self.cut_request;
        if x < edge {
            return Fate::CutRequest;
        }
        edge += self.cut_response;
        if x < edge {
            return Fate::CutResponse;
        }
        Fate::Pass
    }
}

/// What the proxy does with one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Pass,
    DropRequest,
    DropResponse,
    CutRequest,
    CutResponse,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    pass: AtomicU64,
    drop_request: AtomicU64,
    drop_response: AtomicU64,
    cut_request: AtomicU64,
    cut_response: AtomicU64,
    broken: AtomicU64,
}

/// What the proxy did so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProxyCounts {
    /// Connections accepted.
    pub connections: u64,
    /// Connections meant to pass.
    pub pass: u64,
    /// Requests dropped.
    pub drop_request: u64,
    /// Responses dropped.
    pub drop_response: u64,
    /// Requests cut.
    pub cut_request: u64,
    /// Responses cut.
    pub cut_response: u64,
    /// Connections that could not complete their fate because the server was
    /// down or died mid-exchange (or the tablet gave up first).
    pub broken: u64,
}

/// The running proxy.
pub struct FaultProxy {
    /// Where the tablets connect.
    pub address: SocketAddr,
    counters: Arc<Counters>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr, shares: FaultShares, seed: u64) -> Result<FaultProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the fault proxy")?;
        let address = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let task = tokio::spawn(accept_loop(
            listener,
            upstream,
            shares,
            Rng::new(seed),
            Arc::clone(&counters),
        ));
        Ok(FaultProxy {
            address,
            counters,
            task,
        })
    }

    /// The counts so far.
    pub fn counts(&self) -> ProxyCounts {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ProxyCounts {
            connections: load(&self.counters.connections),
            pass: load(&self.counters.pass),
            drop_request: load(&self.counters.drop_request),
            drop_response: load(&self.counters.drop_response),
            cut_request: load(&self.counters.cut_request),
            cut_response: load(&self.counters.cut_response),
            broken: load(&self.counters.broken),
        }
    }

    /// Stops accepting (connections in flight are left to finish).
    pub fn stop(self) {
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    shares: FaultShares,
    mut rng: Rng,
    counters: Arc<Counters>,
) {
    loop {
        let client = match listener.accept().await {
            Ok((client, _)) => client,
            Err(error) => {
                eprintln!("fault proxy: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let fate = shares.draw(&mut rng);
        let fraction = rng.unit();
        counters.connections.fetch_add(1, Ordering::Relaxed);
        let counter = match fate {
            Fate::Pass => &counters.pass,
            Fate::DropRequest => &counters.drop_request,
            Fate::DropResponse => &counters.drop_response,
            Fate::CutRequest => &counters.cut_request,
            Fate::CutResponse => &counters.cut_response,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let counters = Arc::clone(&counters);
        tokio::spawn(async move {
            if handle(client, upstream, fate, fraction).await.is_err() {
                counters.broken.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

/// Carries out `fate` on one connection. An error means the exchange broke
/// for another reason than the fate (the server was down, say).
async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    fate: Fate,
    fraction: f64,
) -> io::Result<()> {
    client.set_nodelay(true).unwrap_or(());
    if fate == Fate::DropRequest {
        // Read a part (whatever the first read brings), then hang up.
        let mut scrap = [0_u8; 2048];
        let read = tokio::time::timeout(REQUEST_WAIT, client.read(&mut scrap)).await;
        drop(read);
        return Ok(());
    }
    let request = tokio::time::timeout(REQUEST_WAIT, read_message(&mut client, Kind::Request))
        .await
        .map_err(|_| timed_out("the request"))??;
    let mut server = TcpStream::connect(upstream).await?;
    server.set_nodelay(true).unwrap_or(());
    if fate == Fate::CutRequest {
        let keep = cut_point(request.len(), fraction);
        let written = server.write_all(&request[..keep]).await;
        server.shutdown().await.unwrap_or(());
        drop(server);
        drop(client);
        return written;
    }
    server.write_all(&request).await?;
    let response = tokio::time::timeout(RESPONSE_WAIT, read_message(&mut server, Kind::Response))
        .await
        .map_err(|_| timed_out("the response"))??;
    drop(server);
    match fate {
        // The server did the work; the tablet never hears of it.
        Fate::DropResponse => {}
        Fate::CutResponse => {
            let keep = cut_point(response.len(), fraction);
            client.write_all(&response[..keep]).await?;
        }
        Fate::Pass | Fate::DropRequest | Fate::CutRequest => client.write_all(&response).await?,
    }
    client.shutdown().await.unwrap_or(());
    Ok(())
}

/// A cut somewhere strictly inside a message of `length` bytes.
fn cut_point(length: usize, fraction: f64) -> usize {
    if length <= 1 {
        return 0;
    }
    (1 + ((length - 1) as f64 * fraction) as usize).min(length - 1)
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("timed out reading {what}"))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    Response,
}

/// How the body of a message is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
    UntilClose,
}

/// Reads exactly one HTTP/1.1 message (head and body) and returns its bytes.
async fn read_message<S: AsyncRead + Unpin>(stream: &mut S, kind: Kind) -> io::Result<Vec<u8>> {
    let mut buffer = Vec::with_capacity(16 * 1024);
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n", 0) {
            break at + 4;
        }
        if buffer.len() > MAX_HEAD {
            return Err(invalid("head too long"));
        }
        read_more(stream, &mut buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    match framing(&head, kind)? {
        Framing::Empty => buffer.truncate(head_end),
        Framing::Length(length) => {
            let total = head_end
                .checked_add(length)
                .filter(|total| *total <= MAX_MESSAGE)
                .ok_or_else(|| invalid("body too long"))?;
            while buffer.len() < total {
                read_more(stream, &mut buffer).await?;
            }
            buffer.truncate(total);
        }
        Framing::Chunked => {
            let mut at = head_end;
            loop {
                let size_end = line_end(stream, &mut buffer, at).await?;
                let size_line = String::from_utf8_lossy(&buffer[at..size_end]).into_owned();
                let size_hex = size_line.split(';').next().unwrap_or_default().trim();
                let size =
                    usize::from_str_radix(size_hex, 16).map_err(|_| invalid("bad chunk size"))?;
                at = size_end + 2;
                if size == 0 {
                    // Trailer lines, then the empty line.
                    loop {
                        let end = line_end(stream, &mut buffer, at).await?;
                        let empty = end == at;
                        at = end + 2;
                        if empty {
                            break;
                        }
                    }
                    buffer.truncate(at);
                    break;
                }
                let next = at
                    .checked_add(size)
                    .and_then(|end| end.checked_add(2))
                    .filter(|end| *end <= MAX_MESSAGE)
                    .ok_or_else(|| invalid("chunk too long"))?;
                while buffer.len() < next {
                    read_more(stream, &mut buffer).await?;
                }
                at = next;
            }
        }
        Framing::UntilClose => loop {
            if read_some(stream, &mut buffer).await? == 0 {
                break;
            }
            if buffer.len() > MAX_MESSAGE {
                return Err(invalid("body too long"));
            }
        },
    }
    Ok(buffer)
}

/// The index of the next "\r\n" at or after `from`, reading more as needed.
async fn line_end<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    from: usize,
) -> io::Result<usize> {
    loop {
        if let Some(at) = find(buffer, b"\r\n", from) {
            return Ok(at);
        }
        if buffer.len().saturating_sub(from) > MAX_HEAD {
            return Err(invalid("line too long"));
        }
        read_more(stream, buffer).await?;
    }
}

fn framing(head: &str, kind: Kind) -> io::Result<Framing> {
    let mut lines = head.split("\r\n");
    let start = lines.next().unwrap_or_default();
    if kind == Kind::Response {
        let status: u16 = start
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| invalid("bad status line"))?;
        if (100..200).contains(&status) || status == 204 || status == 304 {
            return Ok(Framing::Empty);
        }
    }
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| invalid("bad content-length"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            chunked = true;
        }
    }
    Ok(if chunked {
        Framing::Chunked
    } else if let Some(length) = length {
        Framing::Length(length)
    } else if kind == Kind::Request {
        Framing::Empty
    } else {
        Framing::UntilClose
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// Reads at least one byte more, or fails if the peer closed.
async fn read_more<S: AsyncRead + Unpin>(stream: &mut S, buffer: &mut Vec<u8>) -> io::Result<()> {
    if read_some(stream, buffer).await? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "closed in the middle of a message",
        ));
    }
    Ok(())
}

/// One read appended to `buffer`; 0 when the peer closed.
async fn read_some<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
) -> io::Result<usize> {
    let mut chunk = [0_u8; 8192];
    let read = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_one_message_of_each_framing() {
        let request = b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcEXTRA".to_vec();
        let mut reader = request.as_slice();
        let message = read_message(&mut reader, Kind::Request)
            .await
            .expect("one message");
        assert_eq!(message, b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");

        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".to_vec();
        let mut reader = chunked.as_slice();
        let message = read_message(&mut reader, Kind::Response)
            .await
            .expect("one message");
        assert_eq!(message, chunked);

        let empty = b"HTTP/1.1 204 No Content\r\n\r\n".to_vec();
        let mut reader = empty.as_slice();
        assert_eq!(
            read_message(&mut reader, Kind::Response)
                .await
                .expect("one message"),
            empty
        );
    }

    #[test]
    fn a_cut_is_strictly_inside_the_message() {
        for fraction in [0.0, 0.5, 0.999_999] {
            let cut = cut_point(10, fraction);
            assert!((1..10).contains(&cut), "{cut}");
        }
    }
}
