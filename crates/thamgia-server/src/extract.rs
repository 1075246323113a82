//! Extractors whose refusals are the API's bilingual JSON errors.
//!
//! axum's own `Query` and `Path` answer a bad query string or path part
//! with `text/plain`; these wrap them and turn the rejection into a
//! [`ServerError`] (400 with a bounded detail), like every other refusal.
//!
//! [`FastJson`] reads a JSON body as axum's `Json` does, without tracking
//! where in the body the decoder is unless the body is refused.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, MissingJsonContentType};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::ServerError;

/// `Query<T>` with a JSON refusal.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(value) = Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(value))
    }
}

/// `Path<T>` with a JSON refusal.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(value) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(value))
    }
}

/// A JSON body, as axum's `Json<T>` reads it (the same content type, body
/// limit and refusals), decoded straight by `serde_json`.
///
/// axum's `Json` decodes through `serde_path_to_error`, which follows the
/// path to every value and copies every key of every object as it goes, so
/// that a refusal can say where the body went wrong. For a push of 500
/// responses that was most of decoding it. Here a body is decoded without
/// it, and only a refused one is decoded again by axum's `Json`, whose
/// refusal names the path.
#[derive(Debug, Clone, Copy, Default)]
pub struct FastJson<T>(pub T);

impl<S, T> FromRequest<S> for FastJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = JsonRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(request.headers()) {
            return Err(MissingJsonContentType::default().into());
        }
        let bytes = Bytes::from_request(request, state).await?;
        // The body's UTF-8 checked at once, then decoded as text: decoded
        // as bytes, each string was checked on its own, a seventh of
        // decoding a push. A body that is not UTF-8 is not JSON either.
        let decoded = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|text| serde_json::from_str(text).ok());
        match decoded {
            Some(value) => Ok(FastJson(value)),
            None => Json::<T>::from_bytes(&bytes).map(|Json(value)| FastJson(value)),
        }
    }
}

/// Whether `headers` say the body is JSON, as axum's `Json` decides it
/// (through the same `mime` parser): `application/json` or
/// `application/<anything>+json`, with any parameters.
pub(crate) fn json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok())
        .is_some_and(|mime| {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|name| name == "json"))
        })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with_content_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_str(value).expect("a header value"),
        );
        headers
    }

    #[test]
    fn json_is_recognised_as_axum_recognises_it() {
        for json in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/vnd.api+json",
        ] {
            assert!(json_content_type(&with_content_type(json)), "{json}");
        }
        for other in [
            "text/plain",
            "application/xml",
            "json",
            "application/jsonx",
            "",
        ] {
            assert!(!json_content_type(&with_content_type(other)), "{other}");
        }
        assert!(!json_content_type(&HeaderMap::new()));
    }

    /// What `FastJson` makes of `body`: the value, or the status of its
    /// refusal.
    async fn fast(body: &'static [u8]) -> Result<serde_json::Value, axum::http::StatusCode> {
        let request = Request::builder()
            .header(CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(body))
            .expect("a request");
        FastJson::<serde_json::Value>::from_request(request, &())
            .await
            .map(|FastJson(value)| value)
            .map_err(|rejection| axum::response::IntoResponse::into_response(rejection).status())
    }

    /// What axum's own `Json` makes of `body`.
    fn axum_json(body: &[u8]) -> Result<serde_json::Value, axum::http::StatusCode> {
        Json::<serde_json::Value>::from_bytes(body)
            .map(|Json(value)| value)
            .map_err(|rejection| axum::response::IntoResponse::into_response(rejection).status())
    }

    #[tokio::test]
    async fn a_body_decodes_and_is_refused_as_axums_json_decodes_and_refuses_it() {
        let bodies: [&'static [u8]; 6] = [
            r#"{"text":"Em muốn có sân chơi 🚸","n":[1,2.5]}"#.as_bytes(),
            b"{\"text\":\"\xff\xfe\"}",
            b"{\"text\":\"cut \xe1\xba\"}",
            b"\xef\xbb\xbf{}",
            b"{\"n\":1",
            b"",
        ];
        for body in bodies {
            assert_eq!(fast(body).await, axum_json(body), "{body:?}");
        }
        assert!(fast(bodies[0]).await.is_ok());
        assert!(fast(bodies[1]).await.is_err());
    }
}
