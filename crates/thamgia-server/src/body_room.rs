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
//! It reads no more of a body than its route takes ([`largest_body`]): a
//! sign-in's 16 KiB, before anyone is known, and
//! [`MAX_BODY_BYTES`](crate::api::MAX_BODY_BYTES) for the rest; a body
//! announced or sent beyond it is refused with 413 at once. The route's
//! extractor (`DefaultBodyLimit`) checks the same limits again.

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

use crate::api::{MAX_BODY_BYTES, MAX_SIGN_IN_BODY_BYTES};
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
        let wanted = u32::try_from(bytes).map_err(|_| too_large(bytes, MAX_BODY_BYTES))?;
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

/// The most of a body read for `method` to `path` (the path inside the
/// API, `/api/v1` taken off or not): a sign-in, which anyone may send,
/// takes a user name, a password and a device name.
pub fn largest_body(method: &Method, path: &str) -> usize {
    let sign_in = *method == Method::POST
        && matches!(path.trim_end_matches('/'), "/session" | "/api/v1/session");
    if sign_in {
        MAX_SIGN_IN_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
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
    let limit = largest_body(&parts.method, parts.uri.path());
    let read = match read_within(&room, body, announced, limit, &mut held).await {
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
/// buffer); stops past `limit`.
async fn read_within(
    room: &BodyRoom,
    mut body: Body,
    announced: Option<usize>,
    limit: usize,
    held: &mut Option<OwnedSemaphorePermit>,
) -> Result<Vec<u8>, ServerError> {
    let announced = announced.unwrap_or(0);
    if announced > limit {
        return Err(too_large(announced, limit));
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
        if total > limit {
            return Err(too_large(total, limit));
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

fn too_large(bytes: usize, limit: usize) -> ServerError {
    ServerError::PayloadTooLarge(format!("{bytes} bytes, at most {limit}"))
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

    /// A router of two routes behind [`bounded`], each answering the
    /// length of the body it got.
    fn behind_the_room() -> axum::Router {
        let length = |body: axum::body::Bytes| async move { body.len().to_string() };
        axum::Router::new()
            .route("/session", axum::routing::post(length))
            .route("/sync/push", axum::routing::post(length))
            .layer(axum::middleware::from_fn_with_state(
                BodyRoom::new(0, Duration::from_secs(1)),
                bounded,
            ))
    }

    /// A POST to `path` announcing `announced` bytes, of which only the
    /// first 10 come, and then nothing, ever.
    fn stalled(path: &str, announced: usize) -> Request {
        use futures_util::StreamExt as _;
        let first: Result<axum::body::Bytes, std::io::Error> =
            Ok(axum::body::Bytes::from_static(b"{\"username\""));
        let stream = futures_util::stream::iter([first]).chain(futures_util::stream::pending());
        Request::post(path)
            .header(axum::http::header::CONTENT_LENGTH, announced)
            .header(axum::http::header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(stream))
            .expect("a request")
    }

    #[tokio::test]
    async fn a_sign_in_is_read_no_further_than_its_own_limit() {
        use tower::ServiceExt as _;
        // Announced past 16 KiB: refused before a byte more is read (the
        // body never ends, so reading it would never answer).
        let answer = tokio::time::timeout(
            Duration::from_secs(5),
            behind_the_room().oneshot(stalled("/session", 20 * 1024)),
        )
        .await
        .expect("answered at once")
        .expect("an answer");
        assert_eq!(answer.status(), axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        // Sent past 16 KiB without a length: refused as it passes it.
        let big = Request::post("/session")
            .body(Body::from(vec![b' '; 17 * 1024]))
            .expect("a request");
        let answer = behind_the_room().oneshot(big).await.expect("an answer");
        assert_eq!(answer.status(), axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        // Within the limit, and any other route up to 16 MiB, it is read.
        let small = Request::post("/session")
            .body(Body::from(vec![b' '; 1024]))
            .expect("a request");
        let answer = behind_the_room().oneshot(small).await.expect("an answer");
        assert_eq!(answer.status(), axum::http::StatusCode::OK);
        let push = Request::post("/sync/push")
            .body(Body::from(vec![b' '; 1024 * 1024]))
            .expect("a request");
        let answer = behind_the_room().oneshot(push).await.expect("an answer");
        assert_eq!(answer.status(), axum::http::StatusCode::OK);
        assert_eq!(largest_body(&Method::POST, "/api/v1/session/"), 16 * 1024);
        assert_eq!(largest_body(&Method::DELETE, "/session"), MAX_BODY_BYTES);
    }
}
