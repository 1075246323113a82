//! The server's one error type and how each variant becomes an HTTP answer.
//!
//! Every answer carries a [`thamgia_core::ApiError`] body with a message in
//! Vietnamese and English, except a refused XLSForm import, whose body
//! ([`ImportRefusedBody`]) also lists the problems row by row. Details of
//! server faults are logged, never sent.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use thamgia_core::{limits, ApiError, ApiErrorCode, Localized};

use crate::xlsform::ImportProblem;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// 400: the body could not be read as the expected message. The detail
    /// (serde's message) helps the developer of a client and reveals nothing.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 413: the body or the batch is larger than the server accepts.
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// 409: the client speaks another protocol version.
    #[error("schema version {got} is not {expected}")]
    SchemaMismatch {
        /// The version the client sent.
        got: u32,
        /// The version this server speaks.
        expected: u32,
    },
    /// 404: nothing here.
    #[error("not found")]
    NotFound,
    /// 408: the client took longer than the server waits to send its
    /// request.
    #[error("request timeout")]
    RequestTimeout,
    /// 405: the path exists, but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 400: the request was read but its content is refused, with a
    /// message for people (an account without a ward, say).
    #[error("invalid: {}", .0.en)]
    Invalid(Localized),
    /// 401: no session, or an unknown, revoked or deactivated one; or a
    /// wrong password at sign-in.
    #[error("unauthorized: {}", .0.en)]
    Unauthorized(Localized),
    /// 403: a valid session that may not reach this.
    #[error("forbidden: {}", .0.en)]
    Forbidden(Localized),
    /// 409: the request clashes with what exists (a user name taken).
    #[error("conflict: {}", .0.en)]
    Conflict(Localized),
    /// 429: too many failed sign-ins for this user name; try later.
    #[error("too many attempts: {}", .0.en)]
    TooManyAttempts(Localized),
    /// 503: as many heavy town hall reads run as the server keeps room
    /// for beside the tablets' sync; the officer tries again shortly.
    #[error("busy: {}", .0.en)]
    Busy(Localized),
    /// 500: something other than the database failed on the server.
    #[error("internal: {0}")]
    Internal(String),
    /// 422: the uploaded XLSForm was read but cannot become a survey (or
    /// could not be read at all). The body lists every problem with its
    /// sheet and row, so the author fixes them in one pass.
    #[error("XLSForm import refused: {} problems", .0.len())]
    ImportRefused(Vec<ImportProblem>),
    /// 500: the database failed. Logged with its detail; the client only
    /// learns to retry.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// 500: stored data could not be read back (a bug or a damaged row).
    #[error("stored data unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

pub use thamgia_core::api::import::{import_refused_message, ImportRefusedBody};

/// The code of [`ImportRefusedBody`].
pub const IMPORT_REFUSED: ApiErrorCode = ApiErrorCode::ImportRefused;

impl ServerError {
    fn status_and_body(&self) -> (StatusCode, ApiError) {
        let (status, code, message) = match self {
            ServerError::BadRequest(detail) => (
                StatusCode::BAD_REQUEST,
                ApiErrorCode::BadRequest,
                Localized::new(
                    format!("Yêu cầu không hợp lệ: {detail}"),
                    format!("The request is not valid: {detail}"),
                ),
            ),
            ServerError::PayloadTooLarge(detail) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiErrorCode::PayloadTooLarge,
                Localized::new(
                    format!("Yêu cầu quá lớn: {detail}. Hãy gửi thành nhiều phần nhỏ hơn."),
                    format!("The request is too large: {detail}. Send it in smaller parts."),
                ),
            ),
            ServerError::SchemaMismatch { .. } => (
                StatusCode::CONFLICT,
                ApiErrorCode::SchemaMismatch,
                Localized::new(
                    "Ứng dụng trên máy này cần được cập nhật. Hãy tải lại trang khi có mạng; dữ liệu đã lưu không bị mất.",
                    "The app on this tablet needs an update. Reload the page while online; nothing saved is lost.",
                ),
            ),
            ServerError::NotFound => (
                StatusCode::NOT_FOUND,
                ApiErrorCode::NotFound,
                Localized::new("Không tìm thấy.", "Not found."),
            ),
            ServerError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                ApiErrorCode::RequestTimeout,
                Localized::new(
                    "Yêu cầu đến quá chậm nên máy chủ đã dừng chờ. Dữ liệu trên máy tính bảng vẫn an toàn; ứng dụng sẽ gửi lại.",
                    "The request arrived too slowly, so the server stopped waiting. The data on the tablet is safe; the app will send it again.",
                ),
            ),
            ServerError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ApiErrorCode::MethodNotAllowed,
                Localized::new(
                    "Địa chỉ này không nhận phương thức yêu cầu đó.",
                    "This address does not take that request method.",
                ),
            ),
            ServerError::Invalid(message) => (
                StatusCode::BAD_REQUEST,
                ApiErrorCode::Invalid,
                message.clone(),
            ),
            ServerError::Unauthorized(message) => (
                StatusCode::UNAUTHORIZED,
                ApiErrorCode::Unauthorized,
                message.clone(),
            ),
            ServerError::Forbidden(message) => (
                StatusCode::FORBIDDEN,
                ApiErrorCode::Forbidden,
                message.clone(),
            ),
            ServerError::TooManyAttempts(message) => (
                StatusCode::TOO_MANY_REQUESTS,
                ApiErrorCode::TooManyAttempts,
                message.clone(),
            ),
            ServerError::Busy(message) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ApiErrorCode::Busy,
                message.clone(),
            ),
            ServerError::Conflict(message) => (
                StatusCode::CONFLICT,
                ApiErrorCode::Conflict,
                message.clone(),
            ),
            // `into_response` answers with an [`ImportRefusedBody`]; this
            // common shape only serves callers that want an `ApiError`.
            ServerError::ImportRefused(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiErrorCode::ImportRefused,
                import_refused_message(problems.len()),
            ),
            ServerError::Database(error) if waited_too_long(error) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ApiErrorCode::Busy,
                Localized::new(
                    "Máy chủ đang bận. Dữ liệu trên máy tính bảng vẫn an toàn; ứng dụng sẽ tự gửi lại sau.",
                    "The server is busy. The data on the tablet is safe; the app will send it again later.",
                ),
            ),
            ServerError::Database(_) | ServerError::Corrupt(_) | ServerError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ApiErrorCode::Internal,
                Localized::new(
                    "Máy chủ gặp lỗi. Dữ liệu trên máy tính bảng vẫn an toàn; hãy thử lại sau.",
                    "The server failed. The data on the tablet is safe; try again later.",
                ),
            ),
        };
        (status, ApiError { code, message })
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        if let ServerError::ImportRefused(problems) = self {
            tracing::info!(problems = problems.len(), "XLSForm import refused");
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(ImportRefusedBody::new(problems)),
            )
                .into_response();
        }
        let (status, body) = self.status_and_body();
        // An error may quote what the client sent: only a bounded, escaped
        // prefix reaches the log.
        let logged = limits::quoted_prefix(&self.to_string(), MAX_LOGGED_ERROR_CHARS);
        if status.is_server_error() {
            tracing::error!(error = %logged, "request failed");
        } else {
            tracing::info!(error = %logged, "request refused");
        }
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            // RFC 9110, 11.6.1: a 401 names the scheme that would succeed.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"thamgia\""),
            );
        }
        response
    }
}

/// Whether the database gave up waiting: for the write lock (PostgreSQL's
/// `lock_timeout`, 55P03; SQLite's busy timeout, `SQLITE_BUSY` and its
/// extended codes) or for a connection of the pool. Nothing was written;
/// the same request may be sent again.
fn waited_too_long(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(error) => matches!(
            error.code().as_deref(),
            Some("55P03" | "5" | "261" | "517" | "773")
        ),
        _ => false,
    }
}

/// Most characters of an error logged: enough to diagnose, never the
/// whole of what a client sent.
const MAX_LOGGED_ERROR_CHARS: usize = 300;

/// Most characters of a decoder's message sent back: serde quotes parts of
/// the input (an unknown variant, say), so it is cut.
const MAX_DETAIL_CHARS: usize = 200;

/// A rejection's message as a [`ServerError`]: too large, or bad, with its
/// detail bounded.
fn rejected(status: StatusCode, detail: &str) -> ServerError {
    let detail = limits::quoted_prefix(detail, MAX_DETAIL_CHARS);
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ServerError::PayloadTooLarge(detail)
    } else {
        ServerError::BadRequest(detail)
    }
}

impl From<JsonRejection> for ServerError {
    fn from(rejection: JsonRejection) -> ServerError {
        rejected(rejection.status(), &rejection.body_text())
    }
}

impl From<BytesRejection> for ServerError {
    fn from(rejection: BytesRejection) -> ServerError {
        rejected(rejection.status(), &rejection.body_text())
    }
}

impl From<QueryRejection> for ServerError {
    fn from(rejection: QueryRejection) -> ServerError {
        rejected(rejection.status(), &rejection.body_text())
    }
}

impl From<PathRejection> for ServerError {
    fn from(rejection: PathRejection) -> ServerError {
        rejected(rejection.status(), &rejection.body_text())
    }
}
