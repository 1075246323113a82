//! A thin wrapper over the browser's `fetch`, the only HTTP the app needs.
//!
//! It replaces reqwest, whose wasm backend is itself a wrapper over
//! `fetch` but brings the `http` and `url` crates, and with `url` the
//! Unicode tables of `idna`, into the app's wasm: about 60 KB before
//! wasm-opt, paid on the first load of every tablet (issue 14). The app
//! only ever sends a method, a URL, a few headers and a body of bytes, and
//! reads a status, one header and a body of bytes: this is all of it.
//!
//! Requests are sent as reqwest sent them: `fetch(url, init)` with the
//! method, the headers and the body (left out when empty), the browser's
//! default mode (`cors`) and credentials (`same-origin`).
//!
//! Every fetch has its own `AbortController`, held by the future that
//! sends the request and then by the [`Response`] and the future that
//! reads its body. Dropping any of them aborts the fetch: when
//! `api::within`'s timer wins the race it drops the future it raced, so a
//! request whose answer or body is late stops there instead of running on
//! in the browser, and a request given up by its caller (a page left, a
//! sync round dropped) stops too. Aborting a fetch whose body has been
//! read whole does nothing.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The methods of the town hall's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: a read.
    Get,
    /// `POST`: a creation or an action.
    Post,
    /// `PUT`: a change of a known resource.
    Put,
    /// `DELETE`: a removal.
    Delete,
}

impl Method {
    /// The method as `fetch` takes it.
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Why a fetch gave no answer. The texts are reqwest's, which the log
/// showed before this wrapper: the details of a failure go to the log
/// only, the worker reads [`SyncFailure`](thamgia_core::sync_client::SyncFailure)'s
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The request could not be made: a header the browser refuses, say.
    #[error("builder error")]
    Build,
    /// `fetch` failed: the network, the server's connection, or an abort.
    #[error("error sending request")]
    Send,
    /// The answer's body could not be read whole.
    #[error("error decoding response body")]
    Body,
}

/// A request to send: method, absolute URL, headers and body.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl Request {
    /// A request with `method` to `url`, with no header and no body yet.
    pub fn new(method: Method, url: String) -> Request {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    /// The request with the header `name: value` added.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.headers.push((name, value.into()));
        self
    }

    /// The request with `body` as its body.
    pub fn body(mut self, body: Vec<u8>) -> Request {
        self.body = Some(body);
        self
    }

    /// Sends the request and waits for the answer's status and headers;
    /// the body is read by [`Response::bytes`]. Dropping this future before
    /// it ends aborts the fetch.
    pub async fn send(self) -> Result<Response, FetchError> {
        let window = web_sys::window().ok_or(FetchError::Send)?;
        let headers = web_sys::Headers::new().map_err(|_| FetchError::Build)?;
        for (name, value) in &self.headers {
            headers.append(name, value).map_err(|_| FetchError::Build)?;
        }
        let abort = AbortOnDrop(web_sys::AbortController::new().map_err(|_| FetchError::Build)?);
        let init = web_sys::RequestInit::new();
        init.set_method(self.method.as_str());
        init.set_headers(&JsValue::from(headers));
        init.set_signal(Some(&abort.0.signal()));
        // As reqwest did: an empty body is no body at all.
        if let Some(body) = self.body.filter(|body| !body.is_empty()) {
            init.set_body(&JsValue::from(js_sys::Uint8Array::from(body.as_slice())));
        }
        let answer = JsFuture::from(window.fetch_with_str_and_init(&self.url, &init))
            .await
            .map_err(|_| FetchError::Send)?;
        let response = answer
            .dyn_into::<web_sys::Response>()
            .map_err(|_| FetchError::Send)?;
        Ok(Response {
            response,
            _abort: abort,
        })
    }
}

/// An answer whose status and headers have arrived; its body has not been
/// read. Dropping it, or the future of [`Response::bytes`], aborts the
/// fetch.
pub struct Response {
    response: web_sys::Response,
    /// Only held: its `Drop` is what aborts.
    _abort: AbortOnDrop,
}

impl Response {
    /// The HTTP status, `404` say.
    pub fn status(&self) -> u16 {
        self.response.status()
    }

    /// The status line for the log, `404 Not Found` say: the code and the
    /// reason the server sent (none over HTTP/2, where the code stands
    /// alone).
    pub fn status_line(&self) -> String {
        let reason = self.response.status_text();
        if reason.is_empty() {
            self.status().to_string()
        } else {
            format!("{} {reason}", self.status())
        }
    }

    /// The length the server announced for the body (`Content-Length`),
    /// if it announced one that reads as a number.
    pub fn content_length(&self) -> Option<u64> {
        self.response
            .headers()
            .get("content-length")
            .ok()
            .flatten()?
            .trim()
            .parse()
            .ok()
    }

    /// Reads the whole body. The fetch stays abortable until the body is
    /// in: dropping this future aborts it.
    pub async fn bytes(self) -> Result<Vec<u8>, FetchError> {
        let buffer = self.response.array_buffer().map_err(|_| FetchError::Body)?;
        let buffer = JsFuture::from(buffer).await.map_err(|_| FetchError::Body)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

/// Aborts its fetch when dropped: see the module's documentation.
struct AbortOnDrop(web_sys::AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
