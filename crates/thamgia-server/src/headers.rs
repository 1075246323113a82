//! Security headers on every response, and the Content-Security-Policy the
//! app runs under.
//!
//! The policy allows only the server's own origin, WebAssembly compilation
//! (`'wasm-unsafe-eval'`, which the app needs and which allows no `eval` of
//! JavaScript), and the inline scripts of the built apps' `index.html`
//! files (the tablet app's and the town hall app's) by their SHA-256 hashes
//! — Trunk's module loaders and the service worker's registration, the only
//! inline scripts the pages must have. Any other inline script, injected or
//! not, does not run. The hashes are read from the files as served and read
//! again when one changes, so a new build needs no restart; the pages built
//! into the binary (feature `embedded-app`, see [`crate::embedded`]) cannot
//! change, so their policy is made once. Styles allow inline `style`
//! attributes (the charts and progress bars set widths that way); they
//! cannot run code.
//!
//! HSTS is not sent here: the server speaks plain HTTP behind the town
//! hall's TLS reverse proxy, which sets it (see README).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Where the apps' `index.html` files are, and the policy made from them.
#[derive(Clone)]
pub struct SecurityHeaders {
    pages: Pages,
}

/// The pages the policy is made from.
#[derive(Clone)]
enum Pages {
    /// Files in a folder, read again when one changes, with the policy made
    /// from their last read.
    Files {
        indexes: Vec<PathBuf>,
        cached: Arc<Mutex<Option<CachedPolicy>>>,
    },
    /// Pages that never change (built into the binary): the policy made once.
    Fixed(HeaderValue),
}

/// A file's modification time and length, to notice a new build.
type Version = (Option<SystemTime>, u64);

#[derive(Clone)]
struct CachedPolicy {
    versions: Vec<Version>,
    policy: HeaderValue,
}

/// The headers every response carries besides the policy.
const FIXED_HEADERS: [(HeaderName, &str); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        HeaderName::from_static("permissions-policy"),
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()",
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

impl SecurityHeaders {
    /// Headers for the apps built into `static_dir`.
    pub fn new(static_dir: &Path) -> SecurityHeaders {
        SecurityHeaders {
            pages: Pages::Files {
                indexes: vec![
                    static_dir.join("index.html"),
                    static_dir.join(crate::TOWNHALL_DIR).join("index.html"),
                ],
                cached: Arc::new(Mutex::new(None)),
            },
        }
    }

    /// Headers for apps whose `index.html` files are `pages` and never
    /// change (the apps built into the binary).
    pub fn for_pages(pages: &[String]) -> SecurityHeaders {
        SecurityHeaders {
            pages: Pages::Fixed(policy_value(&pages.join("\n"))),
        }
    }

    /// The Content-Security-Policy for the current `index.html` files.
    pub fn policy(&self) -> HeaderValue {
        match &self.pages {
            Pages::Files { indexes, cached } => policy_of_files(indexes, cached),
            Pages::Fixed(policy) => policy.clone(),
        }
    }
}

/// The policy for the `index.html` files at `indexes`, made again only when
/// one of them changed since `cached` was made.
fn policy_of_files(indexes: &[PathBuf], cached: &Mutex<Option<CachedPolicy>>) -> HeaderValue {
    let versions: Vec<Version> = indexes
        .iter()
        .map(|index| {
            let metadata = std::fs::metadata(index).ok();
            let modified = metadata
                .as_ref()
                .and_then(|metadata| metadata.modified().ok());
            (modified, metadata.map_or(0, |metadata| metadata.len()))
        })
        .collect();
    let mut cached = match cached.lock() {
        Ok(cached) => cached,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(policy) = cached.as_ref() {
        if policy.versions == versions {
            return policy.policy.clone();
        }
    }
    // One text holding both pages: their inline scripts are all found.
    let html: String = indexes
        .iter()
        .map(|index| std::fs::read_to_string(index).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let policy = policy_value(&html);
    *cached = Some(CachedPolicy {
        versions,
        policy: policy.clone(),
    });
    policy
}

/// [`content_security_policy`] as a header value.
fn policy_value(html: &str) -> HeaderValue {
    HeaderValue::from_str(&content_security_policy(html))
        .unwrap_or_else(|_| HeaderValue::from_static(BASE_POLICY))
}

/// The policy with no inline script allowed at all.
const BASE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy for a page whose inline scripts are those of `html`.
pub fn content_security_policy(html: &str) -> String {
    let hashes: Vec<String> = inline_scripts(html)
        .into_iter()
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!("'sha256-{}'", STANDARD.encode(digest))
        })
        .collect();
    if hashes.is_empty() {
        return BASE_POLICY.to_owned();
    }
    BASE_POLICY.replacen(
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("script-src 'self' 'wasm-unsafe-eval' {}", hashes.join(" ")),
        1,
    )
}

/// The text of every `<script>` element without a `src` attribute, exactly
/// as the browser hashes it (between `>` and `</script>`).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script") {
        let tag_start = from + start;
        let Some(tag_length) = lower[tag_start..].find('>') else {
            break;
        };
        let tag_end = tag_start + tag_length;
        let Some(close) = lower[tag_end..].find("</script") else {
            break;
        };
        let body_end = tag_end + close;
        let tag = &lower[tag_start..tag_end];
        if !has_src(tag) {
            scripts.push(&html[tag_end + 1..body_end]);
        }
        from = body_end + "</script".len();
    }
    scripts
}

fn has_src(tag: &str) -> bool {
    tag.split(|character: char| character.is_whitespace())
        .any(|attribute| attribute.starts_with("src="))
}

/// Adds the security headers to every response.
pub async fn add_security_headers(
    State(headers): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_SECURITY_POLICY, headers.policy());
    for (name, value) in FIXED_HEADERS {
        response_headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Lets browsers keep a hashed file for a year without asking again
/// (`immutable`); a new build has new names. Never for a page: a path that
/// looks hashed but names nothing gets `index.html`, which must stay
/// revalidated.
pub async fn long_lived_assets(request: Request, next: Next) -> Response {
    let hashed = thamgia_core::asset_names::is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if hashed && response.status().is_success() && !is_page {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_hashed_as_browsers_do() {
        let html = "<head><script type=\"module\">import init from '/a.js';</script>\n\
                    <script src=\"/b.js\"></script><SCRIPT>\n  x()\n</SCRIPT></head>";
        assert_eq!(
            inline_scripts(html),
            vec!["import init from '/a.js';", "\n  x()\n"]
        );
        // The hash of "alert('Hello, world.');" given by the CSP
        // specification's own example.
        let policy = content_security_policy("<script>alert('Hello, world.');</script>");
        assert!(
            policy.contains("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(!content_security_policy("<p>no script</p>").contains("sha256"));
    }

    #[test]
    fn pages_held_in_memory_give_the_policy_of_both() {
        let headers = SecurityHeaders::for_pages(&[
            "<script>alert('Hello, world.');</script>".to_owned(),
            "<script>townhall()</script>".to_owned(),
        ]);
        let policy = headers.policy();
        let policy = policy.to_str().expect("a text policy");
        assert!(
            policy.contains("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"),
            "{policy}"
        );
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        assert_eq!(
            SecurityHeaders::for_pages(&[]).policy(),
            HeaderValue::from_static(BASE_POLICY)
        );
    }
}
