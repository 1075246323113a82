//! Why an exchange with the server or the local store failed, and what the
//! worker is told about it.

use serde::{Deserialize, Serialize};

use crate::localized::Localized;
use crate::protocol::{ApiError, ApiErrorCode};

/// Why an exchange with the server or the local store failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SyncFailure {
    /// The browser is offline.
    Offline,
    /// The server could not be reached or the connection broke.
    Unreachable {
        /// Technical detail for the log.
        detail: String,
    },
    /// The server did not answer within the request's deadline (see
    /// [`deadline`](super::deadline)): it accepted the connection, then
    /// stayed silent. The request may have reached it; sending it again is
    /// harmless.
    TimedOut {
        /// How long the tablet waited, in milliseconds.
        waited_ms: u64,
    },
    /// The server answered with an error.
    Server {
        /// The error body, when the server sent one.
        error: Option<ApiError>,
        /// Technical detail (status line) for the log.
        detail: String,
    },
    /// The server's answer could not be understood or broke the protocol.
    BadAnswer {
        /// Technical detail for the log.
        detail: String,
    },
    /// The tablet's own storage failed.
    Storage {
        /// What happened, for people.
        message: Localized,
    },
}

impl SyncFailure {
    /// Whether the server refused the session (missing, unknown or revoked
    /// token): the worker must sign in again before anything is sent.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, SyncFailure::Server { error: Some(error), .. } if error.code == ApiErrorCode::Unauthorized)
    }

    /// Whether the server refused what the session asked for (403): the
    /// account may have changed since the tablet signed in (a collector
    /// moved to another ward), so the app asks the server who it is now.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, SyncFailure::Server { error: Some(error), .. } if error.code == ApiErrorCode::Forbidden)
    }

    /// Whether the server refused the request as larger than it accepts
    /// (413): a push of fewer records may pass.
    pub fn is_too_large(&self) -> bool {
        matches!(self, SyncFailure::Server { error: Some(error), .. } if error.code == ApiErrorCode::PayloadTooLarge)
    }
}

impl SyncFailure {
    /// What the worker is told: what happened and what to do.
    pub fn message(&self) -> Localized {
        match self {
            SyncFailure::Offline => Localized::new(
                "Không có mạng. Dữ liệu đã được lưu trên máy và sẽ tự gửi khi có mạng.",
                "The tablet is offline. Everything is saved on it and will be sent when a connection is back.",
            ),
            SyncFailure::Unreachable { .. } => Localized::new(
                "Không kết nối được máy chủ. Dữ liệu vẫn an toàn trên máy; ứng dụng sẽ tự thử lại.",
                "The server cannot be reached. Your data is safe on this tablet; the app will retry by itself.",
            ),
            SyncFailure::TimedOut { waited_ms } => {
                let seconds = waited_ms.div_ceil(1_000);
                Localized::new(
                    format!("Máy chủ không trả lời (đã chờ {seconds} giây). Dữ liệu vẫn an toàn trên máy."),
                    format!("The server did not answer (waited {seconds} seconds). Your data is safe on this tablet."),
                )
            }
            SyncFailure::Server { error: Some(error), .. }
                if error.code == ApiErrorCode::SchemaMismatch =>
            {
                error.message.clone()
            }
            SyncFailure::Server { error: Some(error), .. }
                if error.code == ApiErrorCode::Unauthorized =>
            {
                Localized::new(
                    "Phiên đăng nhập trên máy này đã hết hiệu lực hoặc đã bị thu hồi. Hãy đăng nhập lại; dữ liệu đã lưu trên máy không bị mất và sẽ được gửi sau khi đăng nhập.",
                    "The session on this tablet has ended or was revoked. Sign in again; everything saved on the tablet is kept and will be sent once you are signed in.",
                )
            }
            SyncFailure::Server { error: Some(error), .. }
                if error.code == ApiErrorCode::PayloadTooLarge =>
            {
                Localized::new(
                    "Máy chủ không nhận một bản ghi vì quá lớn. Bản ghi vẫn được lưu trên máy và không bị mất; hãy báo cho quản trị viên.",
                    "The server refused a record as too large. It stays saved on this tablet and is not lost; tell the administrator.",
                )
            }
            SyncFailure::Server { error: Some(error), .. } => Localized::new(
                format!(
                    "Máy chủ báo lỗi: {}. Ứng dụng sẽ tự thử lại.",
                    error.message.vi.trim_end_matches('.')
                ),
                format!(
                    "The server reported an error: {}. The app will retry by itself.",
                    error.message.en.trim_end_matches('.')
                ),
            ),
            SyncFailure::Server { error: None, .. } => Localized::new(
                "Máy chủ đang gặp sự cố. Dữ liệu vẫn an toàn trên máy; ứng dụng sẽ tự thử lại.",
                "The server is having trouble. Your data is safe on this tablet; the app will retry by itself.",
            ),
            SyncFailure::BadAnswer { .. } => Localized::new(
                "Máy chủ trả lời không hợp lệ. Ứng dụng sẽ tự thử lại; nếu lỗi kéo dài, hãy báo cho quản trị viên.",
                "The server's answer was not understood. The app will retry; if this persists, tell the administrator.",
            ),
            SyncFailure::Storage { message } => message.clone(),
        }
    }
}
