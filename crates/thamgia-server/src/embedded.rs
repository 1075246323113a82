//! The two apps served from memory: with the cargo feature `embedded-app`,
//! the build `cargo xtask build` left in the workspace's `dist/` is carried
//! inside the binary (rust-embed), so installing the server is copying one
//! file; `--static-dir` still serves a folder instead.
//!
//! They are served as the folder is (`lib.rs`, tower-http's `ServeDir`):
//! the same content types; the brotli or gzip copy the build made beside a
//! hashed file when the browser accepts it (with `Vary: Accept-Encoding`);
//! each app's `index.html` for the paths it does not hold (its own routes);
//! a year's caching for files named by their content's hash and
//! revalidation for the rest. The files cannot change while the process
//! runs, so each response also carries an `ETag` (the SHA-256 of what is
//! sent, computed when the binary was built) and a repeated request that
//! names it gets a 304. The router's layers add the security headers as
//! they do for the folder (the policy made from the pages held here,
//! [`BuiltFiles::pages`]).
//!
//! What to send is decided by plain functions ([`accepted_codings`],
//! [`choose`], [`cache_control`], [`entity_tag`], [`none_match`]), put
//! together by [`respond`] over a [`BuiltFiles`], which tests fill from a
//! list: nothing here needs the embedded build to be tested.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::MethodRouter;
use sha2::{Digest, Sha256};

/// `Cache-Control` of a file named by its content's hash: a new build has
/// new names, so browsers keep it a year without asking.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of everything else (the pages, `sw.js`, the manifest):
/// asked again on each load, so a page never points at another build's
/// files.
pub const REVALIDATE: &str = "no-cache";

/// The content type of a name `mime_guess` does not know (as `ServeDir`).
const UNKNOWN_TYPE: &str = "application/octet-stream";

/// The build carried inside the binary: the workspace's `dist/` when the
/// binary was compiled (both apps, with the brotli and gzip copies). A
/// missing `dist/` stops the compilation: build the apps first.
#[cfg(feature = "embedded-app")]
#[derive(rust_embed::Embed)]
#[folder = "../../dist/"]
pub struct Dist;

/// One file of a build, as held in memory.
#[derive(Clone)]
pub struct BuiltFile {
    /// Its bytes.
    pub bytes: Cow<'static, [u8]>,
    /// The SHA-256 of its bytes.
    pub sha256: [u8; 32],
}

/// A build of both apps held in memory, each file by its path in the build
/// folder (`index.html`, `townhall/index.html`, `app-<hash>_bg.wasm.br`).
#[derive(Clone)]
pub struct BuiltFiles {
    source: Source,
}

#[derive(Clone)]
enum Source {
    /// [`Dist`], compiled in.
    #[cfg(feature = "embedded-app")]
    Embedded,
    /// Files given one by one (tests).
    Listed(Arc<BTreeMap<String, BuiltFile>>),
}

impl std::fmt::Debug for BuiltFiles {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            #[cfg(feature = "embedded-app")]
            Source::Embedded => write!(formatter, "BuiltFiles(embedded, {} files)", self.count()),
            Source::Listed(files) => write!(formatter, "BuiltFiles({} files)", files.len()),
        }
    }
}

impl BuiltFiles {
    /// The build carried inside the binary.
    #[cfg(feature = "embedded-app")]
    pub fn embedded() -> BuiltFiles {
        BuiltFiles {
            source: Source::Embedded,
        }
    }

    /// A build made of `files`: (path in the build folder, bytes).
    pub fn from_list<Name, Content>(files: impl IntoIterator<Item = (Name, Content)>) -> BuiltFiles
    where
        Name: Into<String>,
        Content: Into<Vec<u8>>,
    {
        let files = files
            .into_iter()
            .map(|(name, bytes)| {
                let bytes: Vec<u8> = bytes.into();
                let sha256: [u8; 32] = Sha256::digest(&bytes).into();
                (
                    name.into(),
                    BuiltFile {
                        bytes: Cow::Owned(bytes),
                        sha256,
                    },
                )
            })
            .collect();
        BuiltFiles {
            source: Source::Listed(Arc::new(files)),
        }
    }

    /// The file at `name` (a path in the build folder, `/`-separated).
    pub fn get(&self, name: &str) -> Option<BuiltFile> {
        match &self.source {
            #[cfg(feature = "embedded-app")]
            Source::Embedded => Dist::get(name).map(|file| BuiltFile {
                bytes: file.data,
                sha256: file.metadata.sha256_hash(),
            }),
            Source::Listed(files) => files.get(name).cloned(),
        }
    }

    /// Whether the build holds `name`.
    pub fn contains(&self, name: &str) -> bool {
        match &self.source {
            #[cfg(feature = "embedded-app")]
            Source::Embedded => Dist::get(name).is_some(),
            Source::Listed(files) => files.contains_key(name),
        }
    }

    /// How many files the build holds (compressed copies included).
    pub fn count(&self) -> usize {
        match &self.source {
            #[cfg(feature = "embedded-app")]
            Source::Embedded => Dist::iter().count(),
            Source::Listed(files) => files.len(),
        }
    }

    /// The names of both apps' pages in the build folder.
    pub fn page_names() -> [String; 2] {
        [
            "index.html".to_owned(),
            format!("{}/index.html", crate::TOWNHALL_DIR),
        ]
    }

    /// Both apps' `index.html` as text, for the Content-Security-Policy
    /// (a missing page is empty).
    pub fn pages(&self) -> Vec<String> {
        Self::page_names()
            .iter()
            .map(|name| {
                self.get(name)
                    .map(|page| String::from_utf8_lossy(&page.bytes).into_owned())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The apps' pages this build lacks: empty when both apps are there.
    pub fn missing_pages(&self) -> Vec<String> {
        Self::page_names()
            .into_iter()
            .filter(|name| !self.contains(name))
            .collect()
    }
}

/// The tablet app (the build folder's top) as a service for the router's
/// fallback.
pub fn tablet_app(files: BuiltFiles) -> MethodRouter {
    app_service(files, String::new())
}

/// The town hall app (the build's `townhall/`) as a service to nest under
/// [`crate::TOWNHALL_PATH`].
pub fn townhall_app(files: BuiltFiles) -> MethodRouter {
    app_service(files, format!("{}/", crate::TOWNHALL_DIR))
}

/// Answers every request with [`respond`] over the app in `app_folder`.
fn app_service(files: BuiltFiles, app_folder: String) -> MethodRouter {
    let app_folder: Arc<str> = app_folder.into();
    axum::routing::any(move |request: Request| async move {
        respond(
            &files,
            &app_folder,
            request.method(),
            request.uri().path(),
            request.headers(),
        )
    })
}

/// A precompressed copy's coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `FILE.br`, `Content-Encoding: br`.
    Brotli,
    /// `FILE.gz`, `Content-Encoding: gzip`.
    Gzip,
}

impl Coding {
    /// Every coding a build makes copies in, the preferred first.
    pub const ALL: [Coding; 2] = [Coding::Brotli, Coding::Gzip];

    /// Its name in `Accept-Encoding` and `Content-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }

    /// What the build adds to a file's name for a copy in this coding.
    pub fn suffix(self) -> &'static str {
        match self {
            Coding::Brotli => ".br",
            Coding::Gzip => ".gz",
        }
    }

    /// The coding `Accept-Encoding` names `name`, if a build makes it.
    fn named(name: &str) -> Option<Coding> {
        if name.eq_ignore_ascii_case("br") {
            Some(Coding::Brotli)
        } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            Some(Coding::Gzip)
        } else {
            None
        }
    }
}

/// The precompressed codings the `Accept-Encoding` values accept, best
/// first: by quality, brotli before gzip at the same quality (as
/// `ServeDir`). `q=0` refuses a coding; an entry whose quality cannot be
/// read, other codings and `*` are ignored (as `ServeDir` does).
pub fn accepted_codings<'a>(accept_encoding: impl IntoIterator<Item = &'a str>) -> Vec<Coding> {
    let mut qualities: [Option<u16>; 2] = [None, None];
    for entry in accept_encoding
        .into_iter()
        .flat_map(|value| value.split(','))
    {
        let mut parts = entry.split(';').map(str::trim);
        let Some(coding) = parts.next().and_then(Coding::named) else {
            continue;
        };
        let quality = match parts
            .find_map(|part| part.strip_prefix("q=").or_else(|| part.strip_prefix("Q=")))
        {
            None => Some(1000),
            Some(text) => quality_in_thousandths(text),
        };
        let Some(quality) = quality else {
            continue;
        };
        let slot = &mut qualities[coding as usize];
        *slot = Some(slot.map_or(quality, |known| known.max(quality)));
    }
    let mut accepted: Vec<(Coding, u16)> = Coding::ALL
        .into_iter()
        .filter_map(|coding| qualities[coding as usize].map(|quality| (coding, quality)))
        .filter(|&(_, quality)| quality > 0)
        .collect();
    // A stable sort: at the same quality brotli stays first.
    accepted.sort_by_key(|&(_, quality)| std::cmp::Reverse(quality));
    accepted.into_iter().map(|(coding, _)| coding).collect()
}

/// A quality value (RFC 9110 §12.4.2: `0` to `1` with at most three
/// decimals) in thousandths.
fn quality_in_thousandths(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let mut value: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut factor = 100;
    for digit in fraction.bytes() {
        value += factor * u16::from(digit - b'0');
        factor /= 10;
    }
    (value <= 1000).then_some(value)
}

/// The file a request path names in an app whose files are under
/// `app_folder` (`""` or `"townhall/"`): `/` and a folder's path name its
/// `index.html`. `None` for a path that climbs out (`..`).
pub fn requested_file(app_folder: &str, request_path: &str) -> Option<String> {
    let relative = request_path.trim_start_matches('/');
    if relative
        .split(['/', '\\'])
        .any(|segment| segment == ".." || segment == ".")
    {
        return None;
    }
    if relative.is_empty() || relative.ends_with('/') {
        Some(format!("{app_folder}{relative}index.html"))
    } else {
        Some(format!("{app_folder}{relative}"))
    }
}

/// What to send for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The file the response is: the one asked for, or the app's
    /// `index.html` when the build does not hold it.
    pub file: String,
    /// The precompressed copy sent instead of `file`, if any.
    pub coding: Option<Coding>,
    /// Whether the build holds a precompressed copy of `file`.
    pub precompressed: bool,
}

impl Choice {
    /// The name of what is sent: `file`, or its copy.
    pub fn stored_name(&self) -> String {
        match self.coding {
            Some(coding) => format!("{}{}", self.file, coding.suffix()),
            None => self.file.clone(),
        }
    }

    /// Whether the router's compression layer may still compress what is
    /// sent (a file without precompressed copies, such as `index.html`):
    /// then its `ETag` is weak, since a strong one must differ between
    /// codings (RFC 9110 §8.8.1) and the layer keeps it as it is.
    pub fn may_be_compressed_on_the_way(&self) -> bool {
        self.coding.is_none() && !self.precompressed
    }
}

/// What to send for `request_path` in the app under `app_folder`, to a
/// browser accepting `accepted` (best first), when the build holds the
/// files for which `holds` is true. `None` when the app has no `index.html`
/// either (a 404).
pub fn choose(
    app_folder: &str,
    request_path: &str,
    accepted: &[Coding],
    holds: impl Fn(&str) -> bool,
) -> Option<Choice> {
    let index = format!("{app_folder}index.html");
    let file = requested_file(app_folder, request_path)
        .filter(|name| holds(name))
        .or_else(|| holds(&index).then_some(index))?;
    let coding = accepted
        .iter()
        .copied()
        .find(|coding| holds(&format!("{file}{}", coding.suffix())));
    let precompressed = Coding::ALL
        .iter()
        .any(|coding| holds(&format!("{file}{}", coding.suffix())));
    Some(Choice {
        file,
        coding,
        precompressed,
    })
}

/// The content type of `file`, guessed from its name as `ServeDir` does.
pub fn content_type(file: &str) -> &'static str {
    mime_guess::from_path(file)
        .first_raw()
        .unwrap_or(UNKNOWN_TYPE)
}

/// `Cache-Control` for `file`: [`IMMUTABLE`] for a file named by its
/// content's hash, never a page; [`REVALIDATE`] for the rest.
pub fn cache_control(file: &str) -> &'static str {
    let is_page = content_type(file).starts_with("text/html");
    if thamgia_core::asset_names::is_hashed_asset(file) && !is_page {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// The `ETag` of bytes whose SHA-256 is `sha256`: the hash in hex, quoted;
/// weak (`W/"…"`) when the bytes may still be compressed on the way out.
pub fn entity_tag(sha256: &[u8; 32], weak: bool) -> String {
    let hex = hex::encode(sha256);
    if weak {
        format!("W/\"{hex}\"")
    } else {
        format!("\"{hex}\"")
    }
}

/// Whether `If-None-Match` (its values) names `etag`, or is `*`: the
/// browser holds this response already. Compared weakly, as RFC 9110
/// §13.1.2 asks (`W/` is ignored on both sides).
pub fn none_match<'a>(if_none_match: impl IntoIterator<Item = &'a str>, etag: &str) -> bool {
    let ours = etag.strip_prefix("W/").unwrap_or(etag);
    if_none_match
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

/// The response to a request for `path` (the path inside the app) in the
/// app under `app_folder`: the file or its precompressed copy, a 304, the
/// app's `index.html` for a path the build does not hold, a 405 for a
/// method other than GET and HEAD, a 404 when the app is missing.
pub fn respond(
    files: &BuiltFiles,
    app_folder: &str,
    method: &Method,
    path: &str,
    request_headers: &HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = empty_response(StatusCode::METHOD_NOT_ALLOWED);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
        return response;
    }
    let accepted = accepted_codings(header_texts(request_headers, &header::ACCEPT_ENCODING));
    let Some(choice) = choose(app_folder, path, &accepted, |name| files.contains(name)) else {
        return empty_response(StatusCode::NOT_FOUND);
    };
    let Some(stored) = files.get(&choice.stored_name()) else {
        return empty_response(StatusCode::NOT_FOUND);
    };
    let etag = entity_tag(&stored.sha256, choice.may_be_compressed_on_the_way());
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control(&choice.file)),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if none_match(header_texts(request_headers, &header::IF_NONE_MATCH), &etag) {
        let mut response = empty_response(StatusCode::NOT_MODIFIED);
        response.headers_mut().extend(headers);
        return response;
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&choice.file)),
    );
    if let Some(coding) = choice.coding {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(coding.name()),
        );
    }
    let body = if method == Method::HEAD {
        headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(stored.bytes.len()),
        );
        Body::empty()
    } else {
        Body::from(match stored.bytes {
            Cow::Borrowed(bytes) => Bytes::from_static(bytes),
            Cow::Owned(bytes) => Bytes::from(bytes),
        })
    };
    let mut response = Response::new(body);
    *response.headers_mut() = headers;
    response
}

/// The values of `name` that are text.
fn header_texts<'a>(
    headers: &'a HeaderMap,
    name: &header::HeaderName,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
}

fn empty_response(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const WASM: &str = "app-0123456789abcdef_bg.wasm";

    /// A small build of both apps, the wasm with its two copies.
    fn build() -> BuiltFiles {
        BuiltFiles::from_list([
            (
                "index.html".to_owned(),
                b"<!doctype html><script>start()</script>".to_vec(),
            ),
            (
                "sw.js".to_owned(),
                b"self.addEventListener('fetch', () => {});".to_vec(),
            ),
            (WASM.to_owned(), b"\0asm raw".to_vec()),
            (format!("{WASM}.br"), b"brotli".to_vec()),
            (format!("{WASM}.gz"), b"gzip".to_vec()),
            (
                "townhall/index.html".to_owned(),
                b"<!doctype html><title>town hall</title>".to_vec(),
            ),
            (
                "townhall/townhall-0123456789abcdef.js".to_owned(),
                b"export default 1;".to_vec(),
            ),
        ])
    }

    #[test]
    fn codings_are_accepted_by_quality_then_brotli_first() {
        let check = |accept: &[&str], expected: &[Coding]| {
            assert_eq!(
                accepted_codings(accept.iter().copied()),
                expected,
                "{accept:?}"
            );
        };
        use Coding::{Brotli, Gzip};
        check(&[], &[]);
        check(&["gzip, deflate, br"], &[Brotli, Gzip]);
        check(&["gzip", "br"], &[Brotli, Gzip]);
        check(&["br;q=0.5, gzip"], &[Gzip, Brotli]);
        check(&["br;q=0, gzip;q=0.001"], &[Gzip]);
        check(&["BR; Q=1.000"], &[Brotli]);
        check(&["x-gzip"], &[Gzip]);
        check(&["identity, *"], &[]);
        check(&["br;q=2, gzip;q=0.1234, deflate"], &[]);
        check(&["br;q=0.2, br;q=0.9, gzip;q=0.5"], &[Brotli, Gzip]);
    }

    #[test]
    fn a_path_names_a_file_of_its_app_and_folders_their_index() {
        let check = |folder: &str, path: &str, expected: Option<&str>| {
            assert_eq!(
                requested_file(folder, path).as_deref(),
                expected,
                "{folder} {path}"
            );
        };
        check("", "/", Some("index.html"));
        check("", "", Some("index.html"));
        check("", "/sw.js", Some("sw.js"));
        check("", "/fill/x", Some("fill/x"));
        check("", "/fill/", Some("fill/index.html"));
        check("townhall/", "/", Some("townhall/index.html"));
        check("townhall/", "/main.css", Some("townhall/main.css"));
        check("townhall/", "/../index.html", None);
        check("", "/a/./b", None);
        check("", "/a\\..\\b", None);
    }

    #[test]
    fn the_choice_is_the_file_or_the_apps_index_in_the_best_coding_held() {
        let files = build();
        let holds = |name: &str| files.contains(name);
        let check = |folder: &str, path: &str, accepted: &[Coding], expected: Option<Choice>| {
            assert_eq!(
                choose(folder, path, accepted, holds),
                expected,
                "{folder} {path} {accepted:?}"
            );
        };
        let wasm = |coding| Choice {
            file: WASM.to_owned(),
            coding,
            precompressed: true,
        };
        let page = |file: &str| Choice {
            file: file.to_owned(),
            coding: None,
            precompressed: false,
        };
        let path = format!("/{WASM}");
        use Coding::{Brotli, Gzip};
        check("", &path, &[Brotli, Gzip], Some(wasm(Some(Brotli))));
        check("", &path, &[Gzip, Brotli], Some(wasm(Some(Gzip))));
        check("", &path, &[], Some(wasm(None)));
        // No copy of the page: sent as it is, whatever is accepted.
        check("", "/", &[Brotli], Some(page("index.html")));
        check("", "/fill/x", &[Brotli], Some(page("index.html")));
        check(
            "",
            "/missing-0123456789abcdef.js",
            &[],
            Some(page("index.html")),
        );
        check("townhall/", "/", &[], Some(page("townhall/index.html")));
        check(
            "townhall/",
            "/accounts",
            &[],
            Some(page("townhall/index.html")),
        );
        check(
            "townhall/",
            "/townhall-0123456789abcdef.js",
            &[Brotli],
            Some(page("townhall/townhall-0123456789abcdef.js")),
        );
        let empty = BuiltFiles::from_list(Vec::<(String, Vec<u8>)>::new());
        assert_eq!(choose("", "/", &[], |name| empty.contains(name)), None);
        assert_eq!(wasm(Some(Brotli)).stored_name(), format!("{WASM}.br"));
        assert!(!wasm(None).may_be_compressed_on_the_way());
        assert!(page("index.html").may_be_compressed_on_the_way());
    }

    #[test]
    fn hashed_files_are_kept_a_year_and_the_rest_revalidated() {
        for (file, expected) in [
            (WASM, IMMUTABLE),
            ("townhall/townhall-0123456789abcdef.js", IMMUTABLE),
            ("main-0123456789abcdef.css", IMMUTABLE),
            ("index.html", REVALIDATE),
            ("townhall/index.html", REVALIDATE),
            ("sw.js", REVALIDATE),
            ("manifest.webmanifest", REVALIDATE),
            // A page is never kept, whatever its name.
            ("page-0123456789abcdef.html", REVALIDATE),
        ] {
            assert_eq!(cache_control(file), expected, "{file}");
        }
        assert_eq!(content_type(WASM), "application/wasm");
        assert_eq!(content_type("index.html"), "text/html");
        assert!(content_type("sw.js").contains("javascript"));
        assert_eq!(content_type("no-ending"), UNKNOWN_TYPE);
    }

    #[test]
    fn entity_tags_are_the_quoted_hash_and_compared_weakly() {
        let mut hash = [0u8; 32];
        hash[0] = 0xab;
        hash[31] = 0x01;
        let strong = entity_tag(&hash, false);
        assert_eq!(strong.len(), 66);
        assert!(strong.starts_with("\"ab00"), "{strong}");
        assert!(strong.ends_with("01\""), "{strong}");
        let weak = entity_tag(&hash, true);
        assert_eq!(weak, format!("W/{strong}"));

        assert!(none_match([strong.as_str()], &strong));
        assert!(none_match([weak.as_str()], &strong));
        assert!(none_match([strong.as_str()], &weak));
        assert!(none_match(["\"other\", ", strong.as_str()], &strong));
        assert!(none_match(
            [format!("\"other\", {strong}").as_str()],
            &strong
        ));
        assert!(none_match(["*"], &strong));
        assert!(!none_match(["\"other\""], &strong));
        assert!(!none_match([], &strong));
        assert!(!none_match([""], &strong));
    }

    async fn send(
        files: &BuiltFiles,
        folder: &str,
        method: Method,
        path: &str,
        request_headers: &[(header::HeaderName, &str)],
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut headers = HeaderMap::new();
        for (name, value) in request_headers {
            headers.append(name, HeaderValue::from_str(value).expect("a header value"));
        }
        let response = respond(files, folder, &method, path, &headers);
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("a body")
            .to_vec();
        (status, headers, body)
    }

    fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
        headers.get(name).and_then(|value| value.to_str().ok())
    }

    #[tokio::test]
    async fn a_hashed_file_is_sent_compressed_with_its_tag_then_not_again() {
        let files = build();
        let path = format!("/{WASM}");
        let accept = [(header::ACCEPT_ENCODING, "gzip, br")];
        let (status, headers, body) = send(&files, "", Method::GET, &path, &accept).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"brotli");
        assert_eq!(text(&headers, header::CONTENT_ENCODING), Some("br"));
        assert_eq!(
            text(&headers, header::CONTENT_TYPE),
            Some("application/wasm")
        );
        assert_eq!(text(&headers, header::CACHE_CONTROL), Some(IMMUTABLE));
        assert_eq!(text(&headers, header::VARY), Some("accept-encoding"));
        let etag = text(&headers, header::ETAG).expect("an ETag").to_owned();
        let brotli_hash: [u8; 32] = Sha256::digest(b"brotli").into();
        assert_eq!(etag, entity_tag(&brotli_hash, false));

        let again = [
            (header::ACCEPT_ENCODING, "gzip, br"),
            (header::IF_NONE_MATCH, etag.as_str()),
        ];
        let (status, headers, body) = send(&files, "", Method::GET, &path, &again).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        assert_eq!(text(&headers, header::ETAG), Some(etag.as_str()));
        assert_eq!(text(&headers, header::CACHE_CONTROL), Some(IMMUTABLE));

        // Another coding is another representation, with its own tag.
        let gzip = [
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, etag.as_str()),
        ];
        let (status, headers, body) = send(&files, "", Method::GET, &path, &gzip).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"gzip");
        assert_eq!(text(&headers, header::CONTENT_ENCODING), Some("gzip"));
        assert_ne!(text(&headers, header::ETAG), Some(etag.as_str()));

        let (status, headers, body) = send(&files, "", Method::GET, &path, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"\0asm raw");
        assert_eq!(text(&headers, header::CONTENT_ENCODING), None);

        let (status, headers, body) = send(&files, "", Method::HEAD, &path, &accept).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_empty());
        assert_eq!(text(&headers, header::CONTENT_LENGTH), Some("6"));
        assert_eq!(text(&headers, header::CONTENT_ENCODING), Some("br"));
    }

    #[tokio::test]
    async fn each_apps_routes_get_its_page_revalidated() {
        let files = build();
        for (folder, path, page) in [
            ("", "/", "<!doctype html><script>start()</script>"),
            ("", "/fill/x", "<!doctype html><script>start()</script>"),
            (
                "",
                "/missing-0123456789abcdef.js",
                "<!doctype html><script>start()</script>",
            ),
            ("townhall/", "/", "<!doctype html><title>town hall</title>"),
            (
                "townhall/",
                "/results/1",
                "<!doctype html><title>town hall</title>",
            ),
        ] {
            let accept = [(header::ACCEPT_ENCODING, "br")];
            let (status, headers, body) = send(&files, folder, Method::GET, path, &accept).await;
            assert_eq!(status, StatusCode::OK, "{folder} {path}");
            assert_eq!(body, page.as_bytes(), "{folder} {path}");
            assert_eq!(text(&headers, header::CONTENT_TYPE), Some("text/html"));
            assert_eq!(text(&headers, header::CACHE_CONTROL), Some(REVALIDATE));
            assert_eq!(text(&headers, header::CONTENT_ENCODING), None);
            let etag = text(&headers, header::ETAG).expect("an ETag");
            assert!(etag.starts_with("W/\""), "{etag}");
        }
    }

    #[tokio::test]
    async fn other_methods_and_a_missing_app_are_refused() {
        let files = build();
        let (status, headers, _) = send(&files, "", Method::POST, "/", &[]).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(text(&headers, header::ALLOW), Some("GET,HEAD"));
        let (status, _, _) = send(&files, "elsewhere/", Method::GET, "/", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn the_pages_are_read_for_the_policy_and_missing_ones_named() {
        let files = build();
        assert_eq!(
            files.pages(),
            vec![
                "<!doctype html><script>start()</script>".to_owned(),
                "<!doctype html><title>town hall</title>".to_owned(),
            ]
        );
        assert!(files.missing_pages().is_empty());
        assert_eq!(files.count(), 7);
        let only_tablet = BuiltFiles::from_list([("index.html", "<p>tablet</p>")]);
        assert_eq!(
            only_tablet.missing_pages(),
            vec!["townhall/index.html".to_owned()]
        );
    }
}
