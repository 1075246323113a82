//! The server's one error type and how each variant becomes an HTTP answer.
//!
//! Every answer carries a [`thamgia_core::ApiError`] body with a message in
//! Vietnamese and English. Details of server faults are logged, never sent.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use thamgia_core::{ApiError, ApiErrorCode, Localized};

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
    /// 500: the database failed. Logged with its detail; the client only
    /// learns to retry.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// 500: stored data could not be read back (a bug or a damaged row).
    #[error("stored data unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

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
            ServerError::Database(_) | ServerError::Corrupt(_) => (
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
        let (status, body) = self.status_and_body();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
        (status, Json(body)).into_response()
    }
}

impl From<JsonRejection> for ServerError {
    fn from(rejection: JsonRejection) -> ServerError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ServerError::PayloadTooLarge(rejection.body_text())
        } else {
            ServerError::BadRequest(rejection.body_text())
        }
    }
}
