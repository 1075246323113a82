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
