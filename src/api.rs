//! HTTP calls to the town hall's server.
//!
//! Failures are classified into [`SyncFailure`] so the sync client can tell
//! the worker what happened; nothing here retries, the sync client does.
//! Every request has deadlines sized to what it carries (see [`exchange`]):
//! a server that accepts the connection and stays silent is a
//! [`SyncFailure::TimedOut`], never a wait without end.
//!
//! Every request carries the device token of the session signed in on this
//! tablet (`Authorization: Bearer …`), set once with [`set_token`] at start
//! and at each sign-in or sign-out: the sync driver's pushes and pulls, the
//! town hall's reads, the import, the accounts page and the CSV downloads
//! ([`download_on_click`]) all go through [`ApiClient`].

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use serde::Serialize;
use thamgia_core::account::{LoginRequest, Session};
use thamgia_core::sync_client::{deadline, SyncFailure};
use thamgia_core::{ApiError, PullRequest, PullResponse, PushRequest, PushResponse};
use wasm_bindgen::JsCast;

use crate::platform;
use fetch::{FetchError, Method};

mod endpoints;
mod fetch;

pub use endpoints::encode;

thread_local! {
    /// The device token of the signed-in session; `None` when signed out.
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Sets (or, with `None`, forgets) the token every request carries from now on.
pub fn set_token(token: Option<String>) {
    TOKEN.with(|cell| *cell.borrow_mut() = token);
}

/// The token requests carry now, if any.
pub fn token() -> Option<String> {
    TOKEN.with(|cell| cell.borrow().clone())
}

/// Whether a session is signed in (requests carry a token).
pub fn has_token() -> bool {
    TOKEN.with(|cell| cell.borrow().is_some())
}

/// A client of the server the app was loaded from.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
}

/// An answer read whole, within its deadlines: its status and its body.
struct Answer {
    /// The HTTP status, `404` say.
    status: u16,
    /// The status with its reason, `404 Not Found` say, for the log.
    status_line: String,
    body: Vec<u8>,
}

impl Answer {
    /// Whether the status is a success (`2xx`).
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl ApiClient {
    /// A client for the page's own origin (its URLs are absolute, built
    /// from the origin; `fetch` would take relative ones as well).
    pub fn for_this_origin() -> ApiClient {
        ApiClient {
            base: format!("{}/api/v1", platform::origin()),
        }
    }

    /// A request to `path` under `/api/v1`, with the session's token when
    /// there is one.
    fn request(&self, method: Method, path: &str) -> fetch::Request {
        let request = fetch::Request::new(method, format!("{}{path}", self.base));
        match token() {
            Some(token) => request.header("Authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    /// Signs in on this device: `POST /session`. The token comes back once,
    /// in the [`Session`]; the caller keeps it.
    pub async fn sign_in(&self, request: &LoginRequest) -> Result<Session, SyncFailure> {
        self.post("/session", request).await
    }

    /// Who the session's account is now: `GET /session` (its role and ward
    /// may have changed since it signed in).
    pub async fn session_account(&self) -> Result<thamgia_core::account::AccountInfo, SyncFailure> {
        self.get("/session").await
    }

    /// Signs out: `DELETE /session` revokes this device's token.
    pub async fn sign_out(&self) -> Result<(), SyncFailure> {
        self.send_empty(Method::Delete, "/session").await
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
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, SyncFailure> {
        let answer = exchange(self.request(Method::Get, path), None).await?;
        decode(answer)
    }

    /// Uploads `body` as is (a file, say) and reads the answer: `T` on
    /// success; on failure the server's own refusal `R` when the body has that
    /// shape, otherwise the failure as the sync client would see it.
    ///
    /// The app tells success from failure and reads bodies; it never looks at
    /// status codes, which only the server knows.
    async fn post_bytes<T: DeserializeOwned, R: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<T, UploadFailure<R>> {
        let request = self
            .request(Method::Post, path)
            .header("Content-Type", content_type);
        let answer = exchange(request, Some(body))
            .await
            .map_err(UploadFailure::Failed)?;
        if answer.is_success() {
            return decode(answer).map_err(UploadFailure::Failed);
        }
        match serde_json::from_slice::<R>(&answer.body) {
            Ok(refusal) => Err(UploadFailure::Refused(refusal)),
            Err(_) => Err(UploadFailure::Failed(refusal(&answer))),
        }
    }

    /// Sends `body` as JSON with POST to a path that answers with no body of
    /// interest (a `204`, say): only success or the failure matters.
    async fn post_json<B: Serialize>(&self, path: &str, body: &B) -> Result<(), SyncFailure> {
        self.send_json(Method::Post, path, body).await
    }

    /// Sends `body` as JSON with PUT; like [`ApiClient::post_json`].
    async fn put_json<B: Serialize>(&self, path: &str, body: &B) -> Result<(), SyncFailure> {
        self.send_json(Method::Put, path, body).await
    }

    async fn send_json<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<(), SyncFailure> {
        let (request, body) = json_request(self.request(method, path), body)?;
        succeeded(exchange(request, Some(body)).await?)
    }

    /// Sends a request with no body to a path that answers with no body of
    /// interest (`POST /devices/{id}/revoke`, `DELETE /session`).
    async fn send_empty(&self, method: Method, path: &str) -> Result<(), SyncFailure> {
        succeeded(exchange(self.request(method, path), None).await?)
    }

    /// Sends `body` as JSON with `method` and reads the JSON answer (the
    /// account created or changed, say).
    async fn send_json_for<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, SyncFailure> {
        let (request, body) = json_request(self.request(method, path), body)?;
        decode(exchange(request, Some(body)).await?)
    }

    /// Fetches a file of the API (a CSV export) as bytes.
    pub async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, SyncFailure> {
        let answer = exchange(self.request(Method::Get, path), None).await?;
        if answer.is_success() {
            Ok(answer.body)
        } else {
            Err(refusal(&answer))
        }
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncFailure> {
        self.send_json_for(Method::Post, path, body).await
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

/// `request` with `body` encoded as JSON, and the encoded bytes (their
/// length sizes the request's deadline).
fn json_request<B: Serialize>(
    request: fetch::Request,
    body: &B,
) -> Result<(fetch::Request, Vec<u8>), SyncFailure> {
    let bytes = serde_json::to_vec(body).map_err(|error| SyncFailure::Unreachable {
        detail: format!("request not encoded: {error}"),
    })?;
    let request = request.header("Content-Type", "application/json");
    Ok((request, bytes))
}

/// Sends `request` with `body` and reads the whole answer, each within the
/// deadline the core sizes to what it carries ([`deadline`]): the answer
/// must start within [`deadline::answer_deadline`] of the bytes sent, and
/// its body arrive within [`deadline::body_deadline`] of the length the
/// server announced. A server that stays silent past either ends the
/// exchange as [`SyncFailure::TimedOut`], and the fetch is aborted.
///
/// One deadline for the whole exchange would cut an answer that started in
/// time but is long at the deadline meant for a silent server. So each
/// phase races its own timer (gloo-timers, cleared when dropped); the
/// timer that wins drops the phase's future, and with it the fetch's
/// `AbortController` aborts the fetch (see [`fetch`]), so no request runs
/// on in the browser after its deadline.
async fn exchange(request: fetch::Request, body: Option<Vec<u8>>) -> Result<Answer, SyncFailure> {
    if !platform::is_online() {
        return Err(SyncFailure::Offline);
    }
    let sent_bytes = body.as_ref().map_or(0, |body| body.len() as u64);
    let request = match body {
        Some(body) => request.body(body),
        None => request,
    };
    let started_ms = platform::now_ms();
    let response = within(
        deadline::answer_deadline(sent_bytes),
        started_ms,
        request.send(),
    )
    .await?
    .map_err(unreachable)?;
    let status = response.status();
    let status_line = response.status_line();
    let body_deadline = deadline::body_deadline(response.content_length());
    let body = within(body_deadline, started_ms, response.bytes())
        .await?
        .map_err(unreachable)?;
    Ok(Answer {
        status,
        status_line,
        body,
    })
}

/// Runs `work`, or gives it up (drops it) once `deadline` has passed: then
/// the failure is [`SyncFailure::TimedOut`], with the time waited since
/// `started_ms`, or [`SyncFailure::Offline`] if the browser went offline
/// meanwhile.
async fn within<T>(
    deadline: std::time::Duration,
    started_ms: i64,
    work: impl std::future::Future<Output = T>,
) -> Result<T, SyncFailure> {
    let timer = gloo_timers::future::sleep(deadline);
    match futures::future::select(std::pin::pin!(work), std::pin::pin!(timer)).await {
        futures::future::Either::Left((done, _)) => Ok(done),
        futures::future::Either::Right(((), _)) if platform::is_online() => {
            Err(SyncFailure::TimedOut {
                waited_ms: u64::try_from(platform::now_ms() - started_ms).unwrap_or(0),
            })
        }
        futures::future::Either::Right(((), _)) => Err(SyncFailure::Offline),
    }
}

fn unreachable(error: FetchError) -> SyncFailure {
    if platform::is_online() {
        SyncFailure::Unreachable {
            detail: error.to_string(),
        }
    } else {
        SyncFailure::Offline
    }
}

/// The server's refusal, as an answer that is not a success.
fn refusal(answer: &Answer) -> SyncFailure {
    SyncFailure::Server {
        error: serde_json::from_slice::<ApiError>(&answer.body).ok(),
        detail: answer.status_line.clone(),
    }
}

/// Success, or the server's refusal.
fn succeeded(answer: Answer) -> Result<(), SyncFailure> {
    if answer.is_success() {
        Ok(())
    } else {
        Err(refusal(&answer))
    }
}

/// Makes a link to an API file (a CSV export, `href="/api/v1/…"` with a
/// `download` attribute) download with the session's token: a plain link
/// cannot carry the `Authorization` header, so the click is taken over,
/// the file fetched, and handed to the browser as a blob. The link's
/// `download` attribute, when it names a file, names the download;
/// otherwise the last part of the path does.
pub fn download_on_click(event: web_sys::MouseEvent) {
    let Some(link) = event
        .current_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Some(href) = link.get_attribute("href") else {
        return;
    };
    let Some(path) = href.strip_prefix("/api/v1") else {
        return;
    };
    event.prevent_default();
    let path = path.to_owned();
    let file_name = link
        .get_attribute("download")
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| {
            let without_query = path.split('?').next().unwrap_or_default();
            without_query
                .rsplit('/')
                .next()
                .unwrap_or("export.csv")
                .to_owned()
        });
    wasm_bindgen_futures::spawn_local(async move {
        match ApiClient::for_this_origin().get_bytes(&path).await {
            Ok(bytes) => {
                if let Err(error) = save_bytes(&bytes, &file_name) {
                    leptos::logging::warn!("download of {path} not saved: {error:?}");
                }
            }
            Err(failure) => {
                leptos::logging::warn!("download of {path} failed: {failure:?}");
                if let Some(window) = web_sys::window() {
                    let message = failure.message();
                    if let Err(error) =
                        window.alert_with_message(&format!("{}\n\n{}", message.vi, message.en))
                    {
                        leptos::logging::warn!("alert not shown: {error:?}");
                    }
                }
            }
        }
    });
}

/// Hands `bytes` to the browser as a downloaded file named `file_name`,
/// through an object URL (`URL.createObjectURL`, reached through `js_sys`).
fn save_bytes(bytes: &[u8], file_name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)?;
    let url_class = js_sys::Reflect::get(&js_sys::global(), &"URL".into())?;
    let create = js_sys::Reflect::get(&url_class, &"createObjectURL".into())?
        .dyn_into::<js_sys::Function>()?;
    let revoke = js_sys::Reflect::get(&url_class, &"revokeObjectURL".into())?
        .dyn_into::<js_sys::Function>()?;
    let url = create.call1(&url_class, &blob)?;
    let url_text = url.as_string().unwrap_or_default();
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let anchor = document
        .create_element("a")?
        .dyn_into::<web_sys::HtmlElement>()?;
    anchor.set_attribute("href", &url_text)?;
    anchor.set_attribute("download", file_name)?;
    anchor.set_attribute("hidden", "")?;
    if let Some(body) = document.body() {
        body.append_child(&anchor)?;
        anchor.click();
        anchor.remove();
    }
    // Some browsers read the blob after the click returns: free it later.
    leptos::prelude::set_timeout(
        move || {
            if let Err(error) = revoke.call1(&url_class, &url) {
                leptos::logging::warn!("object URL not revoked: {error:?}");
            }
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// The JSON of a successful answer, or the server's refusal.
fn decode<T: DeserializeOwned>(answer: Answer) -> Result<T, SyncFailure> {
    if answer.is_success() {
        serde_json::from_slice(&answer.body).map_err(|error| SyncFailure::BadAnswer {
            detail: format!("{}: {error}", answer.status_line),
        })
    } else {
        Err(refusal(&answer))
    }
}
