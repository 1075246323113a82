//! Room in the server's memory for the request bodies it reads and
//! decodes at once.
//!
//! The body limit (16 MiB) bounds one request, not the many a server
//! reads at once: two thousand connections each sending 16 MiB would hold
//! 32 GiB. And decoding a JSON body can hold far more than its bytes: a
//! body of millions of tiny items, written in an order serde has to hold
//! before it can decode, held about half a gigabyte (see
//! [`thamgia_core::json_values`]). So every API request's body passes
//! through [`bounded`], which
//!
//! - takes room for each piece of the body as it arrives, from one shared
//!   room ([`ClientTimeouts::body_memory`](crate::ClientTimeouts), 256 MiB
//!   by default), so a slow sender holds only what it has sent;
//! - refuses with 413 a JSON body of more than
//!   [`MAX_BODY_VALUES`](thamgia_core::json_values::MAX_BODY_VALUES) values,
//!   counted before anything is decoded, and takes room for what decoding
//!   the rest may hold (64 bytes a value);
//! - answers 503, saying to try again, when room does not come within
//!   [`ROOM_WAIT`]: the tablet keeps its records and retries later;
//! - gives the room back once the answer is made, the decoded request
//!   dropped with the handler.
//!
//! A body over the route's own limit is still refused by its extractor
//! (`DefaultBodyLimit`); this reads no more than the largest limit,
//! [`MAX_BODY_BYTES`](crate::api::MAX_BODY_BYTES).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use thamgia_core::json_values::{count_values, BYTES_PER_VALUE, MAX_BODY_VALUES};
use thamgia_core::Localized;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api::MAX_BODY_BYTES;
use crate::error::ServerError;

/// How long a request waits for room before it is answered 503.
pub const ROOM_WAIT: Duration = Duration::from_secs(10);

/// The room shared by every request's body.
#[derive(Debug, Clone)]
pub struct BodyRoom {
    room: Arc<Semaphore>,
    bytes: usize,
    wait: Duration,
}

impl BodyRoom {
    /// A room of `bytes`, where a request waits at most `wait` for its
    /// share. It is never smaller than the largest body and what its
    /// values may take, so any one request fits when it is alone.
    pub fn new(bytes: usize, wait: Duration) -> BodyRoom {
        let bytes = bytes.max(largest_charge());
        BodyRoom {
            room: Arc::new(Semaphore::new(bytes)),
            bytes,
            wait,
        }
    }

    /// The room's size, in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Takes `bytes` more room into `held`, waiting for it at most the
    /// room's wait.
    async fn take(
        &self,
        bytes: usize,
        held: &mut Option<OwnedSemaphorePermit>,
    ) -> Result<(), ServerError> {
        if bytes == 0 {
            return Ok(());
        }
        let wanted = u32::try_from(bytes).map_err(|_| too_large(bytes))?;
        let permit = tokio::time::timeout(self.wait, self.room.clone().acquire_many_owned(wanted))
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        match held {
            Some(held) => held.merge(permit),
            None => *held = Some(permit),
        }
        Ok(())
    }
}

/// The most one request may take: the largest body and what the most
/// values it may hold take to decode.
fn largest_charge() -> usize {
    MAX_BODY_BYTES + MAX_BODY_VALUES * BYTES_PER_VALUE
}

/// Reads the body of `request` within `room` (see the module's text), then
/// hands the request on with the body read.
pub async fn bounded(State(room): State<BodyRoom>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let announced = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    let mut held = None;
    let read = match read_within(&room, body, announced, &mut held).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    if crate::extract::json_content_type(&parts.headers) {
        let Some(values) = count_values(&read, MAX_BODY_VALUES) else {
            return too_many_values().into_response();
        };
        if let Err(error) = room
            .take(values.saturating_mul(BYTES_PER_VALUE), &mut held)
            .await
        {
            return error.into_response();
        }
    }
    let response = next.run(Request::from_parts(parts, Body::from(read))).await;
    drop(held);
    response
}

/// The whole of `body`, room taken for each piece before it is kept (for
/// the length the headers announce, at once, so it is read into one
/// buffer); stops past [`MAX_BODY_BYTES`].
async fn read_within(
    room: &BodyRoom,
    mut body: Body,
    announced: Option<usize>,
    held: &mut Option<OwnedSemaphorePermit>,
) -> Result<Vec<u8>, ServerError> {
    let announced = announced.unwrap_or(0);
    if announced > MAX_BODY_BYTES {
        return Err(too_large(announced));
    }
    room.take(announced, held).await?;
    let mut taken = announced;
    let mut read = Vec::with_capacity(announced);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| body_failed(&error))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let total = read.len().saturating_add(data.len());
        if total > MAX_BODY_BYTES {
            return Err(too_large(total));
        }
        room.take(total.saturating_sub(taken), held).await?;
        taken = taken.max(total);
        read.extend_from_slice(&data);
    }
    Ok(read)
}

/// A body that could not be read: too slow (the body timeout, 408) or
/// broken off (400).
fn body_failed(error: &axum::Error) -> ServerError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<tower_http::timeout::TimeoutError>() {
            return ServerError::RequestTimeout;
        }
        source = cause.source();
    }
    ServerError::BadRequest(thamgia_core::limits::quoted_prefix(&error.to_string(), 120))
}

fn too_large(bytes: usize) -> ServerError {
    ServerError::PayloadTooLarge(format!("{bytes} bytes, at most {MAX_BODY_BYTES}"))
}

fn too_many_values() -> ServerError {
    ServerError::PayloadTooLarge(format!(
        "more than {MAX_BODY_VALUES} JSON values; send fewer records at once"
    ))
}

fn busy() -> ServerError {
    ServerError::Busy(Localized::new(
        "Máy chủ đang nhận quá nhiều dữ liệu cùng lúc. Dữ liệu vẫn an toàn trên máy; ứng dụng sẽ tự gửi lại sau.",
        "The server is receiving too much at once. Your data is safe on the tablet; the app will send it again later.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn room_is_given_back_when_dropped_and_a_request_waits_no_longer_than_told() {
        let room = BodyRoom::new(0, Duration::from_millis(50));
        assert_eq!(room.bytes(), largest_charge());
        let mut first = None;
        room.take(room.bytes(), &mut first)
            .await
            .expect("all the room");
        let mut second = None;
        let started = std::time::Instant::now();
        let refused = room.take(1, &mut second).await;
        assert!(matches!(refused, Err(ServerError::Busy(_))), "{refused:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(first);
        room.take(room.bytes(), &mut second)
            .await
            .expect("room again");
    }
}
