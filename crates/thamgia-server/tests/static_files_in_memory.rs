//! The apps served from a build held in memory (as a binary built with the
//! feature `embedded-app` carries them), through the whole router: the
//! same answers as from the folder (`static_files.rs`), with the security
//! headers made from the pages held, and an `ETag` that turns a repeated
//! request into a 304. Needs no build: the files are made up here.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use thamgia_server::embedded::{BuiltFiles, IMMUTABLE, REVALIDATE};
use thamgia_server::{AppFiles, ClientTimeouts};
use tower::ServiceExt;

mod support;

const WASM: &str = "thamgia-0123456789abcdef_bg.wasm";
const TABLET_PAGE: &str = "<!doctype html><title>Tham Gia</title>\
    <script type=\"module\">import init from '/thamgia-0123456789abcdef.js';</script>";
const TOWNHALL_PAGE: &str = "<!doctype html><title>Tham Gia, town hall</title>\
    <script type=\"module\">import init from '/townhall/townhall-0123456789abcdef.js';</script>";

fn build() -> BuiltFiles {
    BuiltFiles::from_list([
        ("index.html".to_owned(), TABLET_PAGE.as_bytes().to_vec()),
        (WASM.to_owned(), b"\0asm the tablet app".to_vec()),
        (format!("{WASM}.br"), b"brotli bytes".to_vec()),
        (format!("{WASM}.gz"), b"gzip bytes".to_vec()),
        (
            "sw.js".to_owned(),
            b"self.addEventListener('fetch', () => {});".to_vec(),
        ),
        (
            "townhall/index.html".to_owned(),
            TOWNHALL_PAGE.as_bytes().to_vec(),
        ),
    ])
}

async fn get(
    router: axum::Router,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = router
        .oneshot(request.body(Body::empty()).expect("a request"))
        .await
        .expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body")
        .to_vec();
    (status, headers, body)
}

fn header_of(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

#[tokio::test]
async fn a_build_in_memory_is_served_as_the_folder_is() {
    let server = support::server().await;
    let router = thamgia_server::app_serving(
        server.state.clone(),
        &AppFiles::InMemory(build()),
        ClientTimeouts::default(),
    );

    // A hashed file: its brotli copy, kept a year, tagged.
    let path = format!("/{WASM}");
    let accept = (header::ACCEPT_ENCODING, "gzip, deflate, br");
    let (status, headers, body) = get(router.clone(), &path, std::slice::from_ref(&accept)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"brotli bytes");
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(
        header_of(&headers, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(header_of(&headers, header::CACHE_CONTROL), Some(IMMUTABLE));
    assert!(header_of(&headers, header::VARY)
        .is_some_and(|vary| vary.to_ascii_lowercase().contains("accept-encoding")));
    // The security headers, the policy allowing the page's inline script.
    assert_eq!(header_of(&headers, header::X_FRAME_OPTIONS), Some("DENY"));
    let policy = header_of(&headers, header::CONTENT_SECURITY_POLICY).expect("a policy");
    assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
    let etag = header_of(&headers, header::ETAG)
        .expect("an ETag")
        .to_owned();

    // Asked again with its tag: not sent again, still kept a year.
    let again = (header::IF_NONE_MATCH, etag.as_str());
    let (status, headers, body) = get(router.clone(), &path, &[accept.clone(), again]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(header_of(&headers, header::ETAG), Some(etag.as_str()));
    assert_eq!(header_of(&headers, header::CACHE_CONTROL), Some(IMMUTABLE));

    let (_, headers, body) = get(router.clone(), &path, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(body, b"gzip bytes");
    let (_, headers, body) = get(router.clone(), &path, &[]).await;
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), None);
    assert_eq!(body, b"\0asm the tablet app");

    // Each app's page, for its own routes too, revalidated on each load.
    for (page_path, page) in [
        ("/", TABLET_PAGE),
        ("/fill/x", TABLET_PAGE),
        ("/missing-0123456789abcdef.js", TABLET_PAGE),
        ("/townhall/", TOWNHALL_PAGE),
        ("/townhall/accounts", TOWNHALL_PAGE),
    ] {
        let (status, headers, body) = get(router.clone(), page_path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page_path}");
        assert_eq!(body, page.as_bytes(), "{page_path}");
        assert_eq!(
            header_of(&headers, header::CACHE_CONTROL),
            Some(REVALIDATE),
            "{page_path}"
        );
        assert!(
            header_of(&headers, header::CONTENT_TYPE)
                .is_some_and(|kind| kind.starts_with("text/html")),
            "{page_path}"
        );
        let etag = header_of(&headers, header::ETAG).expect("an ETag");
        let (status, _, _) = get(router.clone(), page_path, &[(header::IF_NONE_MATCH, etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{page_path}");
    }

    // A page has no precompressed copy: compressed on the way out, its tag
    // weak (the same page in another coding).
    let (status, headers, _) = get(router.clone(), "/", &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), Some("gzip"));
    assert!(header_of(&headers, header::ETAG).is_some_and(|etag| etag.starts_with("W/\"")));

    // The API is still the API.
    let (status, headers, _) = get(router.clone(), "/api/v1/health", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(header_of(&headers, header::CONTENT_TYPE).is_some_and(|kind| kind.contains("json")));
}
