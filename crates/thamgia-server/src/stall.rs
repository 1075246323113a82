//! A connection whose client stops reading is closed.
//!
//! The request's timeouts cover reading it and the handler's work; an
//! answer's body is written after both, as fast as the client reads it. A
//! client that asks for a large file or export and never reads would hold
//! its connection, and one of the server's [`max_connections`] slots, for
//! ever: enough of them and no tablet is served. [`StallGuard`] wraps a
//! connection's socket so that a write (or a flush, or the closing) that
//! makes no progress for its `stall` time fails with `TimedOut`, which ends
//! the connection. A slow client that keeps reading, however slowly, is
//! never cut: the clock starts again at each write that goes through.
//!
//! [`max_connections`]: crate::ClientTimeouts::max_connections

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// A socket whose writes give up after `stall` without progress.
#[derive(Debug)]
pub struct StallGuard<S> {
    inner: S,
    stall: Duration,
    /// When the write waiting now gives up: set when a write first has to
    /// wait, cleared when one goes through.
    deadline: Option<Pin<Box<Sleep>>>,
}

impl<S> StallGuard<S> {
    /// `inner`, whose writes give up after `stall` without progress.
    pub fn new(inner: S, stall: Duration) -> StallGuard<S> {
        StallGuard {
            inner,
            stall,
            deadline: None,
        }
    }

    /// What a write that went through or failed leaves: no deadline.
    fn done<T>(&mut self, result: io::Result<T>) -> Poll<io::Result<T>> {
        self.deadline = None;
        Poll::Ready(result)
    }

    /// A write that has to wait: waits on, until the deadline, which then
    /// fails it.
    fn waiting<T>(&mut self, context: &mut Context<'_>) -> Poll<io::Result<T>> {
        let stall = self.stall;
        let deadline = self
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
        match deadline.as_mut().poll(context) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client read nothing for {} s", stall.as_secs()),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(context, buffer)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write(context, bytes) {
            Poll::Ready(result) => this.done(result),
            Poll::Pending => this.waiting(context),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write_vectored(context, buffers) {
            Poll::Ready(result) => this.done(result),
            Poll::Pending => this.waiting(context),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_flush(context) {
            Poll::Ready(result) => this.done(result),
            Poll::Pending => this.waiting(context),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_shutdown(context) {
            Poll::Ready(result) => this.done(result),
            Poll::Pending => this.waiting(context),
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_write_nobody_reads_gives_up_and_one_read_slowly_does_not() {
        // A pipe that holds 1 KiB: the writer waits once it is full.
        let (client, server) = tokio::io::duplex(1024);
        let mut guarded = StallGuard::new(server, Duration::from_secs(5));
        let mut client = client;

        // Read slowly, 256 bytes a second: every write goes through.
        let reader = tokio::spawn(async move {
            let mut buffer = [0u8; 256];
            let mut total = 0;
            while total < 8 * 1024 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                total += client.read(&mut buffer).await.expect("read");
            }
            client
        });
        guarded
            .write_all(&[1u8; 8 * 1024])
            .await
            .expect("a slow reader is never cut");
        let client = reader.await.expect("the reader");

        // Nobody reads: the write fails after its 5 s.
        let started = tokio::time::Instant::now();
        let error = guarded
            .write_all(&[2u8; 4 * 1024])
            .await
            .expect_err("nobody reads");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
            "{waited:?}"
        );
        drop(client);
    }
}
