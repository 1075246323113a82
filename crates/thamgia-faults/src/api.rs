//! A tablet's HTTP to the server's API, as the app's `ApiClient` does it:
//! a session (signing in again after a 401), a bearer token on every
//! request, a fresh connection per request (so each request is one
//! connection through the fault proxy), and a timeout sized to what the
//! request carries ([`Timeouts`]).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{ApiError, PullRequest, PullResponse, PushRequest, PushResponse};

/// Who a tablet signs in as.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// The device label sent at sign-in.
    pub device_label: String,
}

#[derive(Debug, Serialize)]
struct LoginBody<'a> {
    username: &'a str,
    password: &'a str,
    device_label: &'a str,
}

#[derive(Debug, Deserialize)]
struct SessionBody {
    token: String,
}

enum LoginOutcome {
    SignedIn(String),
    /// `POST /session` does not exist: a server from before accounts.
    NoAccounts,
    /// The server refused the credentials (or the request): no retry helps.
    Refused(reqwest::StatusCode, String),
}

/// How long a request may take: `base`, plus `per_kib` for every KiB (begun)
/// of the body it carries. A request that takes longer fails as a transport
/// failure (`Unreachable`), which the sync machine backs off from like any
/// other; a frozen server or a black-holed link costs a round its timeout,
/// never a hang.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// The timeout of a request without a body.
    pub base: Duration,
    /// Added for each KiB of the request's body.
    pub per_kib: Duration,
}

impl Timeouts {
    /// The timeout of a request whose body has `body_bytes` bytes.
    pub fn for_body(&self, body_bytes: usize) -> Duration {
        let kib = u32::try_from(body_bytes.div_ceil(1024)).unwrap_or(u32::MAX);
        self.base.saturating_add(self.per_kib.saturating_mul(kib))
    }
}

/// HTTP to the server's API, with a session.
pub struct Api {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
    timeouts: Timeouts,
    token: Option<String>,
    needs_login: bool,
    /// Successful sign-ins.
    pub sign_ins: u64,
    /// Requests refused with 401.
    pub unauthorized: u64,
    /// Requests (sign-ins included) that gave up at their timeout.
    pub timed_out: u64,
    /// Whether the server has no session endpoint (requests go without a
    /// token).
    pub no_accounts: bool,
}

impl Api {
    /// A client of `base_url` (`http://host:port`): a fresh connection per
    /// request, each request with a timeout sized to its body.
    pub fn new(base_url: &str, credentials: Credentials, timeouts: Timeouts) -> Result<Api> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .connect_timeout(timeouts.base)
            .build()
            .context("building the HTTP client")?;
        Ok(Api {
            http,
            base: format!("{base_url}/api/v1"),
            credentials,
            timeouts,
            token: None,
            needs_login: true,
            sign_ins: 0,
            unauthorized: 0,
            timed_out: 0,
            no_accounts: false,
        })
    }

    /// Notes a request that gave up at its timeout.
    fn note(&mut self, error: &reqwest::Error) {
        if error.is_timeout() {
            self.timed_out += 1;
        }
    }

    async fn login_once(&mut self) -> Result<LoginOutcome> {
        let body = serde_json::to_vec(&LoginBody {
            username: &self.credentials.username,
            password: &self.credentials.password,
            device_label: &self.credentials.device_label,
        })?;
        let timeout = self.timeouts.for_body(body.len());
        let sent = self
            .http
            .post(format!("{}/session", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(timeout)
            .body(body)
            .send()
            .await;
        let response = sent.inspect_err(|error| self.note(error))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .inspect_err(|error| self.note(error))?;
        if status.is_success() {
            let session: SessionBody =
                serde_json::from_slice(&body).context("reading the session")?;
            return Ok(LoginOutcome::SignedIn(session.token));
        }
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(LoginOutcome::NoAccounts);
        }
        if status.is_server_error() {
            bail!("sign-in answered {status}");
        }
        Ok(LoginOutcome::Refused(
            status,
            String::from_utf8_lossy(&body).into_owned(),
        ))
    }

    fn take_login(&mut self, outcome: LoginOutcome) -> Result<()> {
        match outcome {
            LoginOutcome::SignedIn(token) => {
                self.token = Some(token);
                self.needs_login = false;
                self.sign_ins += 1;
                Ok(())
            }
            LoginOutcome::NoAccounts => {
                self.token = None;
                self.needs_login = false;
                self.no_accounts = true;
                Ok(())
            }
            LoginOutcome::Refused(status, body) => bail!(
                "{} cannot sign in: {status} {body}",
                self.credentials.username
            ),
        }
    }

    /// Signs in, retrying through faults until `deadline`.
    pub async fn login(&mut self, deadline: Instant) -> Result<()> {
        let mut delay = Duration::from_millis(10);
        loop {
            match self.login_once().await {
                Ok(outcome) => return self.take_login(outcome),
                Err(error) => {
                    if Instant::now() > deadline {
                        return Err(error.context(format!(
                            "{} could not sign in before the deadline",
                            self.credentials.username
                        )));
                    }
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(500));
        }
    }

    /// `POST /sync/push`.
    pub async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        self.post("/sync/push", request).await
    }

    /// `POST /sync/pull`.
    pub async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, SyncFailure> {
        self.post("/sync/pull", request).await
    }

    /// `GET` of a path under `/api/v1`, returning the body (for the
    /// verifier's reads), within the base timeout.
    pub async fn get_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let mut request = self
            .http
            .get(format!("{}{path}", self.base))
            .timeout(self.timeouts.base);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .with_context(|| format!("GET {path}"))?;
        if !status.is_success() {
            bail!("GET {path}: {status} {}", String::from_utf8_lossy(&body));
        }
        Ok(body.to_vec())
    }

    /// A transport failure (a timeout counted) as the sync machine sees it.
    fn unreachable(&mut self, error: reqwest::Error, timeout: Duration) -> SyncFailure {
        self.note(&error);
        let detail = if error.is_timeout() {
            format!("no answer within {timeout:?}: {error}")
        } else {
            error.to_string()
        };
        SyncFailure::Unreachable { detail }
    }

    /// Like the app's `ApiClient::post`: success is the decoded body; a
    /// transport failure is `Unreachable`; an error status is `Server`. A 401
    /// makes the next request sign in again first, as a worker would.
    async fn post<B: Serialize, T: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncFailure> {
        if self.needs_login {
            let outcome = self
                .login_once()
                .await
                .map_err(|error| SyncFailure::Unreachable {
                    detail: format!("signing in again: {error:#}"),
                })?;
            self.take_login(outcome)
                .map_err(|error| SyncFailure::Server {
                    error: None,
                    detail: format!("{error:#}"),
                })?;
        }
        let body = serde_json::to_vec(body).map_err(|error| SyncFailure::BadAnswer {
            detail: format!("encoding the request: {error}"),
        })?;
        let timeout = self.timeouts.for_body(body.len());
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(timeout)
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Err(self.unreachable(error, timeout)),
        };
        let status = response.status();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => return Err(self.unreachable(error, timeout)),
        };
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|error| SyncFailure::BadAnswer {
                detail: format!("{status}: {error}"),
            });
        }
        if status == reqwest::StatusCode::UNAUTHORIZED {
            self.unauthorized += 1;
            self.needs_login = true;
        }
        Err(SyncFailure::Server {
            error: serde_json::from_slice::<ApiError>(&bytes).ok(),
            detail: status.to_string(),
        })
    }
}
