//! The apps' files as browsers get them: the brotli or gzip copy made at
//! build time when the browser accepts it, hashed files kept for a year,
//! everything else revalidated on each load.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use tower::ServiceExt;

mod support;

async fn get(
    router: axum::Router,
    path: &str,
    accept_encoding: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(encodings) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encodings);
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
async fn precompressed_copies_are_sent_and_hashed_files_kept() {
    let server = support::server().await;
    let dist = server.static_dir();
    let script = "app-0123456789abcdef.js";
    std::fs::write(dist.join(script), "console.log('tham gia');").expect("a script");
    std::fs::write(dist.join(format!("{script}.br")), b"brotli bytes").expect("its brotli");
    std::fs::write(dist.join(format!("{script}.gz")), b"gzip bytes").expect("its gzip");
    let router = server.router();

    let path = format!("/{script}");
    let (status, headers, body) = get(router.clone(), &path, Some("gzip, deflate, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(body, b"brotli bytes");
    assert!(
        header_of(&headers, header::CONTENT_TYPE).is_some_and(|kind| kind.contains("javascript"))
    );
    assert_eq!(
        header_of(&headers, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );

    let (_, headers, body) = get(router.clone(), &path, Some("gzip")).await;
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(body, b"gzip bytes");

    let (_, headers, body) = get(router.clone(), &path, None).await;
    assert_eq!(header_of(&headers, header::CONTENT_ENCODING), None);
    assert_eq!(body, b"console.log('tham gia');");

    // The page is revalidated on each load; so is a hashed-looking path
    // that names nothing (it gets the page).
    for page in ["/", "/responses", "/missing-0123456789abcdef.js"] {
        let (status, headers, _) = get(router.clone(), page, Some("br")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            header_of(&headers, header::CACHE_CONTROL),
            Some("no-cache"),
            "{page}"
        );
    }
}
