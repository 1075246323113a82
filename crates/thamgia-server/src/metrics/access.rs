//! Who may read `/metrics`, and where: a bearer token, a listener of its
//! own, or both, as the operator chooses (`--metrics-token`,
//! `--metrics-bind`). With neither, `/metrics` is not served at all.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};

use crate::auth::{bearer_token, MAX_TOKEN_CHARS};

/// How `/metrics` is served.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    /// `THAMGIA_METRICS_TOKEN`: a scrape must send it as
    /// `Authorization: Bearer <token>`, or it gets a 401.
    pub token: Option<MetricsToken>,
    /// `THAMGIA_METRICS_BIND`: `/metrics` is served on this address only,
    /// by [`crate::metrics_app`], and never on the main listener.
    pub bind: Option<SocketAddr>,
}

impl MetricsAccess {
    /// Whether the main listener serves `/metrics`: only behind a token,
    /// and only when no address of its own was given.
    pub fn on_main_listener(&self) -> bool {
        self.bind.is_none() && self.token.is_some()
    }

    /// Whether a scrape with these headers may read the metrics.
    pub(super) fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer_token)
            .is_some_and(|presented| token.matches(presented))
    }
}

/// The shortest metrics token accepted: 16 characters of `openssl rand
/// -hex` are 64 bits, beyond guessing at the rate a server answers.
pub const MIN_METRICS_TOKEN_CHARS: usize = 16;

/// The operator's metrics token. Only its SHA-256 is kept, and it never
/// appears in a log or a `Debug` print.
#[derive(Clone)]
pub struct MetricsToken {
    digest: [u8; 32],
}

/// A metrics token refused at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a metrics token has {MIN_METRICS_TOKEN_CHARS} to {MAX_TOKEN_CHARS} visible ASCII characters \
     and no spaces (`openssl rand -hex 32` makes one)"
)]
pub struct UnfitMetricsToken;

impl MetricsToken {
    /// The token, if it can be sent in a header and is long enough.
    pub fn new(token: &str) -> Result<MetricsToken, UnfitMetricsToken> {
        let fits = (MIN_METRICS_TOKEN_CHARS..=MAX_TOKEN_CHARS).contains(&token.len())
            && token.bytes().all(|byte| byte.is_ascii_graphic());
        if !fits {
            return Err(UnfitMetricsToken);
        }
        Ok(MetricsToken {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    /// Whether `presented` is the token, compared in constant time: the
    /// digests are compared byte by byte without stopping at the first
    /// difference, so the time taken tells nothing about the token.
    pub fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let difference = self
            .digest
            .iter()
            .zip(presented.iter())
            .fold(0u8, |difference, (kept, sent)| difference | (kept ^ sent));
        std::hint::black_box(difference) == 0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("MetricsToken(hidden)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_spaced_or_oversized_token_is_refused() {
        let oversized = "x".repeat(MAX_TOKEN_CHARS + 1);
        for unfit in [
            "",
            "short",
            "sixteen chars ok",
            "dấu-tiếng-việt-0123456789",
            oversized.as_str(),
        ] {
            assert_eq!(
                MetricsToken::new(unfit).err(),
                Some(UnfitMetricsToken),
                "{unfit}"
            );
        }
        assert!(MetricsToken::new("0123456789abcdef").is_ok());
    }

    #[test]
    fn only_the_token_itself_is_admitted() {
        let token = MetricsToken::new("0123456789abcdef0123").expect("fits");
        assert!(token.matches("0123456789abcdef0123"));
        assert!(!token.matches("0123456789abcdef012"));
        assert!(!token.matches(""));
        assert!(!format!("{token:?}").contains("0123"));
        let access = MetricsAccess {
            token: Some(token),
            bind: None,
        };
        let mut headers = HeaderMap::new();
        assert!(!access.admits(&headers));
        headers.insert(
            header::AUTHORIZATION,
            "bearer 0123456789abcdef0123"
                .parse()
                .expect("a header value"),
        );
        assert!(access.admits(&headers));
        headers.insert(
            header::AUTHORIZATION,
            "Bearer 0123456789abcdef0124"
                .parse()
                .expect("a header value"),
        );
        assert!(!access.admits(&headers));
        assert!(access.on_main_listener());
        assert!(!MetricsAccess::default().on_main_listener());
    }
}
