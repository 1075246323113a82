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
//!   tablet, then the connection is closed;
//! - **black hole** (a link that swallows everything, or a server that
//!   froze): the request is read whole and nothing ever comes back; the
//!   connection stays open until the tablet gives up (its request timeout).
//!   Half of the black holes (drawn) forward the request first, so the
//!   server did the work and committed while the tablet waits for an answer
//!   that never comes; the other half never reach the server;
//! - **slow drip** (a congested link): the request is forwarded and the
//!   server's whole answer read, then sent back [`Drip::bytes`] at a time
//!   with a pause of [`Drip::pause`] between two pieces. At the suite's
//!   default (16 bytes every 25 ms, 640 bytes a second) a short answer
//!   (a sign-in, a pull with nothing new, a push of a few records) arrives
//!   whole in under a second or two, within the tablet's timeout, while a
//!   push answer for a full batch or a pull page of edits (several KiB)
//!   takes longer than the timeout: the tablet gives up half-way, after the
//!   server committed. Both happen in every run.
//!
//! To know where a message ends the proxy reads just enough HTTP/1.1 (see
//! `framing`). While the server is down (killed, restarting) the connect
//! fails and the tablet's connection is simply closed; those are counted
//! apart.
//!
//! With several servers (`--servers`) the proxy is also their load
//! balancer, and a plain one: each connection accepted goes to the next
//! server in turn (round-robin over the upstream addresses, whatever its
//! fate), with no health check and no retry. A connection given to a
//! server that is down fails as it would with one server (counted broken),
//! and the tablet retries as it always does; its next connection goes to
//! the next server.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::framing::{read_message, Kind};
use crate::rng::Rng;

/// How long the proxy waits for a tablet's request.
const REQUEST_WAIT: Duration = Duration::from_secs(30);
/// How long the proxy waits for the server's response.
const RESPONSE_WAIT: Duration = Duration::from_secs(120);
/// The longest a black hole holds a connection the tablet never closes.
const BLACK_HOLE_HOLD: Duration = Duration::from_secs(600);

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
    /// The request read (and forwarded half of the time), never answered.
    pub black_hole: f64,
    /// The answer sent back a few bytes at a time.
    pub slow_drip: f64,
}

impl FaultShares {
    /// Every share, in the order they are drawn.
    pub fn each(&self) -> [f64; 6] {
        [
            self.drop_request,
            self.drop_response,
            self.cut_request,
            self.cut_response,
            self.black_hole,
            self.slow_drip,
        ]
    }

    /// The share of connections that meet a fault.
    pub fn total(&self) -> f64 {
        self.each().iter().sum()
    }

    fn draw(&self, rng: &mut Rng) -> Fate {
        let x = rng.unit();
        let fates = [
            Fate::DropRequest,
            Fate::DropResponse,
            Fate::CutRequest,
            Fate::CutResponse,
            Fate::BlackHole,
            Fate::SlowDrip,
        ];
        let mut edge = 0.0;
        for (fate, share) in fates.into_iter().zip(self.each()) {
            edge += share;
            if x < edge {
                return fate;
            }
        }
        Fate::Pass
    }
}

/// How a slow drip sends an answer back.
#[derive(Debug, Clone, Copy)]
pub struct Drip {
    /// Bytes per piece (at least 1).
    pub bytes: usize,
    /// The pause after each piece.
    pub pause: Duration,
}

/// What the proxy does with one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fate {
    Pass,
    DropRequest,
    DropResponse,
    CutRequest,
    CutResponse,
    BlackHole,
    SlowDrip,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    /// Connections given to each upstream, in the order of the addresses.
    by_upstream: Vec<AtomicU64>,
    pass: AtomicU64,
    drop_request: AtomicU64,
    drop_response: AtomicU64,
    cut_request: AtomicU64,
    cut_response: AtomicU64,
    black_hole: AtomicU64,
    black_hole_forwarded: AtomicU64,
    slow_drip: AtomicU64,
    drip_delivered: AtomicU64,
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
    /// Connections black-holed.
    pub black_hole: u64,
    /// Black holes whose request the server received and answered.
    pub black_hole_forwarded: u64,
    /// Connections whose answer was dripped.
    pub slow_drip: u64,
    /// Dripped answers the tablet waited for to the last byte (the others
    /// it gave up on half-way).
    pub drip_delivered: u64,
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
    /// Listens on a free loopback port and forwards each connection to the
    /// next of `upstreams` in turn (one address: every connection to it).
    pub async fn start(
        upstreams: Vec<SocketAddr>,
        shares: FaultShares,
        drip: Drip,
        seed: u64,
    ) -> Result<FaultProxy> {
        if upstreams.is_empty() {
            bail!("the fault proxy needs at least one server to forward to");
        }
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the fault proxy")?;
        let address = listener.local_addr()?;
        let counters = Arc::new(Counters {
            by_upstream: upstreams.iter().map(|_| AtomicU64::new(0)).collect(),
            ..Counters::default()
        });
        let task = tokio::spawn(accept_loop(
            listener,
            Plan {
                upstreams,
                shares,
                drip: Drip {
                    bytes: drip.bytes.max(1),
                    pause: drip.pause,
                },
            },
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
        let counters = &self.counters;
        ProxyCounts {
            connections: load(&counters.connections),
            pass: load(&counters.pass),
            drop_request: load(&counters.drop_request),
            drop_response: load(&counters.drop_response),
            cut_request: load(&counters.cut_request),
            cut_response: load(&counters.cut_response),
            black_hole: load(&counters.black_hole),
            black_hole_forwarded: load(&counters.black_hole_forwarded),
            slow_drip: load(&counters.slow_drip),
            drip_delivered: load(&counters.drip_delivered),
            broken: load(&counters.broken),
        }
    }

    /// Connections given to each server so far, in the order of the
    /// addresses given to [`FaultProxy::start`].
    pub fn connections_by_upstream(&self) -> Vec<u64> {
        self.counters
            .by_upstream
            .iter()
            .map(|counter| counter.load(Ordering::Relaxed))
            .collect()
    }

    /// Stops accepting (connections in flight are left to finish).
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Where the proxy forwards and what it does to the traffic.
#[derive(Debug, Clone)]
struct Plan {
    /// The servers, taken in turn (never empty).
    upstreams: Vec<SocketAddr>,
    shares: FaultShares,
    drip: Drip,
}

async fn accept_loop(listener: TcpListener, plan: Plan, mut rng: Rng, counters: Arc<Counters>) {
    // Which server the next connection goes to.
    let mut turn: usize = 0;
    loop {
        let client = match listener.accept().await {
            Ok((client, _)) => client,
            Err(error) => {
                eprintln!("fault proxy: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let fate = plan.shares.draw(&mut rng);
        let fraction = rng.unit();
        let chosen = turn % plan.upstreams.len();
        turn = turn.wrapping_add(1);
        let Some(&upstream) = plan.upstreams.get(chosen) else {
            // Unreachable: `start` refuses an empty list.
            continue;
        };
        counters.connections.fetch_add(1, Ordering::Relaxed);
        if let Some(counter) = counters.by_upstream.get(chosen) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let counter = match fate {
            Fate::Pass => &counters.pass,
            Fate::DropRequest => &counters.drop_request,
            Fate::DropResponse => &counters.drop_response,
            Fate::CutRequest => &counters.cut_request,
            Fate::CutResponse => &counters.cut_response,
            Fate::BlackHole => &counters.black_hole,
            Fate::SlowDrip => &counters.slow_drip,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let counters = Arc::clone(&counters);
        let drip = plan.drip;
        tokio::spawn(async move {
            let outcome = match fate {
                Fate::BlackHole => black_hole(client, upstream, fraction < 0.5).await,
                Fate::SlowDrip => slow_drip(client, upstream, drip).await,
                _ => handle(client, upstream, fate, fraction).await,
            };
            match outcome {
                Ok(Done::Plain) => {}
                Ok(Done::Forwarded) => {
                    counters
                        .black_hole_forwarded
                        .fetch_add(1, Ordering::Relaxed);
                }
                Ok(Done::Delivered) => {
                    counters.drip_delivered.fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => {
                    counters.broken.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
}

/// How a connection's fate was carried out, beyond plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Plain,
    /// A black hole whose request the server answered.
    Forwarded,
    /// A slow drip that reached its last byte.
    Delivered,
}

/// Reads one request from the tablet.
async fn read_request(client: &mut TcpStream) -> io::Result<Vec<u8>> {
    client.set_nodelay(true).unwrap_or(());
    tokio::time::timeout(REQUEST_WAIT, read_message(client, Kind::Request))
        .await
        .map_err(|_| timed_out("the request"))?
}

/// Sends `request` to the server and reads its whole answer.
async fn exchange(upstream: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.set_nodelay(true).unwrap_or(());
    server.write_all(request).await?;
    tokio::time::timeout(RESPONSE_WAIT, read_message(&mut server, Kind::Response))
        .await
        .map_err(|_| timed_out("the response"))?
}

/// Carries out a pass, a drop or a cut on one connection. An error means the
/// exchange broke for another reason than the fate (the server was down,
/// say).
async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    fate: Fate,
    fraction: f64,
) -> io::Result<Done> {
    if fate == Fate::DropRequest {
        // Read a part (whatever the first read brings), then hang up.
        let mut scrap = [0_u8; 2048];
        let read = tokio::time::timeout(REQUEST_WAIT, client.read(&mut scrap)).await;
        drop(read);
        return Ok(Done::Plain);
    }
    let request = read_request(&mut client).await?;
    if fate == Fate::CutRequest {
        let mut server = TcpStream::connect(upstream).await?;
        server.set_nodelay(true).unwrap_or(());
        let keep = cut_point(request.len(), fraction);
        let written = server.write_all(&request[..keep]).await;
        server.shutdown().await.unwrap_or(());
        drop(server);
        drop(client);
        return written.map(|()| Done::Plain);
    }
    let response = exchange(upstream, &request).await?;
    match fate {
        // The server did the work; the tablet never hears of it.
        Fate::DropResponse => {}
        Fate::CutResponse => {
            let keep = cut_point(response.len(), fraction);
            client.write_all(&response[..keep]).await?;
        }
        _ => client.write_all(&response).await?,
    }
    client.shutdown().await.unwrap_or(());
    Ok(Done::Plain)
}

/// A black hole: the request is read (and forwarded when `forward`, its
/// answer thrown away), then the connection is held, unanswered, until the
/// tablet closes it. A server that is down does not make the tablet's wait
/// any shorter: the black hole holds the connection all the same.
async fn black_hole(
    mut client: TcpStream,
    upstream: SocketAddr,
    forward: bool,
) -> io::Result<Done> {
    let request = read_request(&mut client).await?;
    let done = if forward && exchange(upstream, &request).await.is_ok() {
        Done::Forwarded
    } else {
        Done::Plain
    };
    let hold = async {
        let mut scrap = [0_u8; 2048];
        // Anything more the tablet sends is swallowed; 0 (or an error) is
        // the tablet hanging up.
        while matches!(client.read(&mut scrap).await, Ok(read) if read > 0) {}
    };
    tokio::time::timeout(BLACK_HOLE_HOLD, hold)
        .await
        .unwrap_or(());
    Ok(done)
}

/// A slow drip: the request is forwarded, the whole answer read, then sent
/// back `drip.bytes` at a time with `drip.pause` after each piece. A tablet
/// that gives up half-way is the fault working, not a broken exchange.
async fn slow_drip(mut client: TcpStream, upstream: SocketAddr, drip: Drip) -> io::Result<Done> {
    let request = read_request(&mut client).await?;
    let response = exchange(upstream, &request).await?;
    for piece in response.chunks(drip.bytes) {
        if client.write_all(piece).await.is_err() {
            return Ok(Done::Plain);
        }
        tokio::time::sleep(drip.pause).await;
    }
    client.shutdown().await.unwrap_or(());
    Ok(Done::Delivered)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_is_strictly_inside_the_message() {
        for fraction in [0.0, 0.5, 0.999_999] {
            let cut = cut_point(10, fraction);
            assert!((1..10).contains(&cut), "{cut}");
        }
    }

    /// Shares with one fault at 100 %.
    fn only(black_hole: f64, slow_drip: f64) -> FaultShares {
        FaultShares {
            drop_request: 0.0,
            drop_response: 0.0,
            cut_request: 0.0,
            cut_response: 0.0,
            black_hole,
            slow_drip,
        }
    }

    const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 96\r\n\r\n\
        0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// A server that answers every request with [`ANSWER`] and counts them.
    async fn upstream() -> (SocketAddr, Arc<AtomicU64>) {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let address = listener.local_addr().expect("address");
        let requests = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let counted = Arc::clone(&counted);
                tokio::spawn(async move {
                    if read_message(&mut stream, Kind::Request).await.is_ok() {
                        counted.fetch_add(1, Ordering::SeqCst);
                        stream.write_all(ANSWER).await.unwrap_or(());
                    }
                });
            }
        });
        (address, requests)
    }

    const REQUEST: &[u8] = b"POST /api/v1/sync/push HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";

    #[tokio::test]
    async fn a_black_hole_never_answers_and_holds_the_connection_until_the_tablet_gives_up() {
        let (server, requests) = upstream().await;
        let drip = Drip {
            bytes: 16,
            pause: Duration::from_millis(1),
        };
        let proxy = FaultProxy::start(vec![server], only(1.0, 0.0), drip, 3)
            .await
            .expect("the proxy");
        let tries = 12;
        for _ in 0..tries {
            let mut tablet = TcpStream::connect(proxy.address).await.expect("connect");
            tablet.write_all(REQUEST).await.expect("the request");
            let mut byte = [0_u8; 1];
            let waited =
                tokio::time::timeout(Duration::from_millis(300), tablet.read(&mut byte)).await;
            assert!(
                waited.is_err(),
                "a black hole answered or hung up: {waited:?}"
            );
        }
        // The tablets hung up (dropped); each black hole then lets go.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let counts = proxy.counts();
        assert_eq!(counts.black_hole, tries);
        assert_eq!(counts.broken, 0);
        assert!(counts.black_hole_forwarded > 0 && counts.black_hole_forwarded < tries);
        assert_eq!(counts.black_hole_forwarded, requests.load(Ordering::SeqCst));
        proxy.stop();
    }

    #[tokio::test]
    async fn a_slow_drip_delivers_the_whole_answer_late_or_loses_a_tablet_that_gives_up() {
        let (server, _) = upstream().await;
        let drip = Drip {
            bytes: 16,
            pause: Duration::from_millis(20),
        };
        let proxy = FaultProxy::start(vec![server], only(0.0, 1.0), drip, 5)
            .await
            .expect("the proxy");
        let pieces = ANSWER.len().div_ceil(drip.bytes) as u32;

        // A patient tablet gets every byte, no sooner than the pauses allow.
        let started = std::time::Instant::now();
        let mut tablet = TcpStream::connect(proxy.address).await.expect("connect");
        tablet.write_all(REQUEST).await.expect("the request");
        let mut answer = Vec::new();
        tablet.read_to_end(&mut answer).await.expect("the answer");
        assert_eq!(answer, ANSWER);
        assert!(started.elapsed() >= drip.pause * (pieces - 1));

        // An impatient one hangs up after the first pieces.
        let mut tablet = TcpStream::connect(proxy.address).await.expect("connect");
        tablet.write_all(REQUEST).await.expect("the request");
        let mut first = [0_u8; 8];
        tablet
            .read_exact(&mut first)
            .await
            .expect("the first bytes");
        drop(tablet);
        tokio::time::sleep(drip.pause * (pieces + 2)).await;

        let counts = proxy.counts();
        assert_eq!(counts.slow_drip, 2);
        assert_eq!(counts.drip_delivered, 1);
        assert_eq!(counts.broken, 0);
        proxy.stop();
    }

    #[tokio::test]
    async fn connections_go_to_the_servers_in_turn_and_a_stopped_one_breaks_its_share() {
        let (first, first_requests) = upstream().await;
        let (second, second_requests) = upstream().await;
        // An address nothing listens on any more: a killed server.
        let stopped = {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
            listener.local_addr().expect("address")
        };
        let drip = Drip {
            bytes: 16,
            pause: Duration::from_millis(1),
        };
        let proxy = FaultProxy::start(vec![first, second, stopped], only(0.0, 0.0), drip, 11)
            .await
            .expect("the proxy");
        let rounds = 3;
        for connection in 0..3 * rounds {
            let mut tablet = TcpStream::connect(proxy.address).await.expect("connect");
            tablet.write_all(REQUEST).await.expect("the request");
            let mut answer = Vec::new();
            // A reset is as good as a close here: no answer.
            tablet.read_to_end(&mut answer).await.unwrap_or(0);
            if connection % 3 == 2 {
                assert!(answer.is_empty(), "connection {connection}: {answer:?}");
            } else {
                assert_eq!(answer, ANSWER, "connection {connection}");
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(first_requests.load(Ordering::SeqCst), rounds);
        assert_eq!(second_requests.load(Ordering::SeqCst), rounds);
        assert_eq!(
            proxy.connections_by_upstream(),
            vec![rounds, rounds, rounds]
        );
        let counts = proxy.counts();
        assert_eq!(counts.pass, 3 * rounds);
        assert_eq!(counts.broken, rounds);
        proxy.stop();
    }

    #[test]
    fn every_fate_is_drawn_in_its_share() {
        let shares = FaultShares {
            drop_request: 0.1,
            drop_response: 0.1,
            cut_request: 0.1,
            cut_response: 0.1,
            black_hole: 0.1,
            slow_drip: 0.1,
        };
        let mut rng = Rng::new(7);
        let draws = 20_000;
        let mut counts: std::collections::HashMap<Fate, usize> = std::collections::HashMap::new();
        for _ in 0..draws {
            *counts.entry(shares.draw(&mut rng)).or_default() += 1;
        }
        for fate in [
            Fate::DropRequest,
            Fate::DropResponse,
            Fate::CutRequest,
            Fate::CutResponse,
            Fate::BlackHole,
            Fate::SlowDrip,
        ] {
            let share = counts.get(&fate).copied().unwrap_or(0) as f64 / draws as f64;
            assert!((0.08..0.12).contains(&share), "{fate:?}: {share}");
        }
        let pass = counts.get(&Fate::Pass).copied().unwrap_or(0) as f64 / draws as f64;
        assert!((0.37..0.43).contains(&pass), "pass: {pass}");
    }
}
