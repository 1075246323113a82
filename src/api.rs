//! HTTP calls to the town hall's server.
//!
//! Failures are classified into [`SyncFailure`] so the sync client can tell
//! the worker what happened; nothing here retries, the sync client does.

use serde::de::DeserializeOwned;
use serde::Serialize;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{ApiError, PullRequest, PullResponse, PushRequest, PushResponse};

use crate::platform;

/// A client of the server the app was loaded from.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
}

impl ApiClient {
    /// A client for the page's own origin (reqwest on wasm needs absolute URLs).
    pub fn for_this_origin() -> ApiClient {
        ApiClient {
            http: reqwest::Client::new(),
            base: format!("{}/api/v1", platform::origin()),
        }
    }

    /// Sends a push.
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        self.post("/sync/push", request).await
    }

    /// Sends a pull.
    pub async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncFailure> {
        self.post("/sync/pull", request).await
    }

    /// Fetches any JSON document of the API.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, SyncFailure> {
        if !platform::is_online() {
            return Err(SyncFailure::Offline);
        }
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(unreachable)?;
        decode(response).await
    }

    /// Uploads `body` as is (a file, say) and reads the answer: `T` on
    /// success; on failure the server's own refusal `R` when the body has that
    /// shape, otherwise the failure as the sync client would see it.
    ///
    /// The app tells success from failure and reads bodies; it never looks at
    /// status codes, which only the server knows.
    pub async fn post_bytes<T: DeserializeOwned, R: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<T, UploadFailure<R>> {
        if !platform::is_online() {
            return Err(UploadFailure::Failed(SyncFailure::Offline));
        }
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|error| UploadFailure::Failed(unreachable(error)))?;
        if response.status().is_success() {
            return decode(response).await.map_err(UploadFailure::Failed);
        }
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|error| UploadFailure::Failed(unreachable(error)))?;
        match serde_json::from_slice::<R>(&body) {
            Ok(refusal) => Err(UploadFailure::Refused(refusal)),
            Err(_) => Err(UploadFailure::Failed(SyncFailure::Server {
                error: serde_json::from_slice::<ApiError>(&body).ok(),
                detail: status.to_string(),
            })),
        }
    }

    /// Sends `body` as JSON with POST to a path that answers with no body of
    /// interest (a `204`, say): only success or the failure matters.
    pub async fn post_json<B: Serialize>(&self, path: &str, body: &B) -> Result<(), SyncFailure> {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// Sends `body` as JSON with PUT; like [`ApiClient::post_json`].
    pub async fn put_json<B: Serialize>(&self, path: &str, body: &B) -> Result<(), SyncFailure> {
        self.send_json(reqwest::Method::PUT, path, body).await
    }

    async fn send_json<B: Serialize>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &B,
    ) -> Result<(), SyncFailure> {
        if !platform::is_online() {
            return Err(SyncFailure::Offline);
        }
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.bytes().await.map_err(unreachable)?;
        Err(SyncFailure::Server {
            error: serde_json::from_slice::<ApiError>(&body).ok(),
            detail: status.to_string(),
        })
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncFailure> {
        if !platform::is_online() {
            return Err(SyncFailure::Offline);
        }
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .map_err(unreachable)?;
        decode(response).await
    }
}

/// Why an upload failed.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadFailure<R> {
    /// The server read the upload and refused it, with a body of its own shape.
    Refused(R),
    /// No usable answer, or an ordinary API error.
    Failed(SyncFailure),
}

fn unreachable(error: reqwest::Error) -> SyncFailure {
    if platform::is_online() {
        SyncFailure::Unreachable {
            detail: error.to_string(),
        }
    } else {
        SyncFailure::Offline
    }
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, SyncFailure> {
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if status.is_success() {
        serde_json::from_slice(&body).map_err(|error| SyncFailure::BadAnswer {
            detail: format!("{status}: {error}"),
        })
    } else {
        Err(SyncFailure::Server {
            error: serde_json::from_slice::<ApiError>(&body).ok(),
            detail: status.to_string(),
        })
    }
}
