//! `/metrics`: what the server counts, for the operator's Prometheus, in the
//! Prometheus text format (`prometheus-client`).
//!
//! - `thamgia_http_requests_total{method, route, status}` and
//!   `thamgia_http_request_duration_seconds{method, route, status}` (a
//!   histogram from 1 ms to 10 s): every request, by the route's template as
//!   the router matched it (`/api/v1/surveys/{id}/{version}`, never the path
//!   sent, which may carry ids), `unmatched` for the app's files and unknown
//!   paths; the time runs from the request's arrival to its answer's start;
//! - `thamgia_sync_mutations_total{outcome}`: each mutation a push was
//!   answered for, by outcome (`applied`, `already_stored`, `conflict`,
//!   `rejected`, `withdrawn`; a replayed batch is answered, and counted,
//!   again);
//! - `thamgia_sync_pull_pages_total`: pull pages served;
//! - `thamgia_sign_in_failures_total` (a wrong user name or password) and
//!   `thamgia_sign_in_lockouts_total` (a user name locked for a while);
//! - `thamgia_ward_seconds_since_last_push{ward}`: for each of the units in
//!   force, the seconds since the newest record its tablets sent was
//!   received, read from the database at each scrape (so every server on
//!   one database agrees, and a restart forgets nothing); `+Inf` for a ward
//!   never heard from.
//!
//! Labels are route templates, methods, status codes, outcomes and ward
//! codes (public administrative codes): never a child's data, a user name
//! or a token. Who may scrape is [`MetricsAccess`]'s business.

mod access;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use thamgia_core::{Localized, MutationOutcome, MutationResult};

pub use access::{MetricsAccess, MetricsToken, UnfitMetricsToken, MIN_METRICS_TOKEN_CHARS};

use crate::error::ServerError;
use crate::AppState;

/// The route of a request the router matched to no route of its own: the
/// app's files (served by the fallback) and unknown paths.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The upper bounds of the latency histogram's buckets, in seconds: 1 ms
/// (a health check) to 10 s (a large push on a slow link); slower requests
/// land in `+Inf`.
pub const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How axum names the rest of a path under a nested service (the town hall
/// app's files): shown as `{*path}` instead.
const NEST_TAIL: &str = "{*__private__axum_nest_tail_param}";

/// The counters, histograms and gauges, and who may read them. Cheap to
/// clone: one `Arc`.
#[derive(Clone, Debug)]
pub struct Metrics {
    inner: Arc<Families>,
}

#[derive(Debug)]
struct Families {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram, fn() -> Histogram>,
    mutations: Family<OutcomeLabels, Counter>,
    pull_pages: Counter,
    sign_in_failures: Counter,
    lockouts: Counter,
    ward_silence: Family<WardLabels, Gauge<f64, AtomicU64>>,
    access: MetricsAccess,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WardLabels {
    ward: String,
}

/// Every outcome label, so each series is there (at 0) from the start.
const OUTCOMES: [&str; 5] = [
    "applied",
    "already_stored",
    "conflict",
    "rejected",
    "withdrawn",
];

fn outcome_label(outcome: &MutationOutcome) -> &'static str {
    match outcome {
        MutationOutcome::Applied => "applied",
        MutationOutcome::AlreadyStored => "already_stored",
        MutationOutcome::Conflict { .. } => "conflict",
        MutationOutcome::Rejected { .. } => "rejected",
        MutationOutcome::Withdrawn => "withdrawn",
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(MetricsAccess::default())
    }
}

impl Metrics {
    /// Fresh metrics (every counter at 0), readable as `access` says.
    pub fn new(access: MetricsAccess) -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "thamgia_http_requests",
            "Requests answered, by method, route template (\"unmatched\": the app's files and unknown paths) and status",
            requests.clone(),
        );
        let durations = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register_with_unit(
            "thamgia_http_request_duration",
            "Time from a request's arrival to the start of its answer, by method, route template and status",
            Unit::Seconds,
            durations.clone(),
        );
        let mutations = Family::<OutcomeLabels, Counter>::default();
        for outcome in OUTCOMES {
            mutations.get_or_create_owned(&OutcomeLabels { outcome });
        }
        registry.register(
            "thamgia_sync_mutations",
            "Mutations answered in pushes, by outcome (a replayed batch is counted again)",
            mutations.clone(),
        );
        let pull_pages = Counter::default();
        registry.register(
            "thamgia_sync_pull_pages",
            "Pull pages served",
            pull_pages.clone(),
        );
        let sign_in_failures = Counter::default();
        registry.register(
            "thamgia_sign_in_failures",
            "Sign-ins refused for a wrong user name or password",
            sign_in_failures.clone(),
        );
        let lockouts = Counter::default();
        registry.register(
            "thamgia_sign_in_lockouts",
            "User names locked after repeated failed sign-ins",
            lockouts.clone(),
        );
        let ward_silence = Family::<WardLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "thamgia_ward_seconds_since_last_push",
            "Seconds since the newest record a ward's tablets sent (a response, a refused record, a report edit, a forum, children's feedback) was received; +Inf if none ever was",
            ward_silence.clone(),
        );
        Metrics {
            inner: Arc::new(Families {
                registry,
                requests,
                durations,
                mutations,
                pull_pages,
                sign_in_failures,
                lockouts,
                ward_silence,
                access,
            }),
        }
    }

    /// Who may read the metrics, and where.
    pub fn access(&self) -> &MetricsAccess {
        &self.inner.access
    }

    /// Counts the outcomes a push was answered with.
    pub fn mutations_answered(&self, results: &[MutationResult]) {
        for result in results {
            let outcome = outcome_label(&result.outcome);
            self.inner
                .mutations
                .get_or_create(&OutcomeLabels { outcome })
                .inc();
        }
    }

    /// Counts a pull page served.
    pub fn pull_page_served(&self) {
        self.inner.pull_pages.inc();
    }

    /// Counts a sign-in refused for a wrong user name or password.
    pub fn sign_in_failed(&self) {
        self.inner.sign_in_failures.inc();
    }

    /// Counts a user name locked after repeated failures.
    pub fn locked_out(&self) {
        self.inner.lockouts.inc();
    }

    fn request_answered(&self, labels: RequestLabels, took: Duration) {
        self.inner
            .durations
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
        self.inner.requests.get_or_create(&labels).inc();
    }

    /// Sets each unit's seconds since its last push from the database; if
    /// it cannot be read, the series are left out of this scrape rather
    /// than shown stale.
    async fn read_ward_activity(&self, state: &AppState, now: DateTime<Utc>) {
        let wards: Vec<&str> = state
            .units
            .units
            .iter()
            .map(|unit| unit.code.as_str())
            .collect();
        let silence = &self.inner.ward_silence;
        match state.database.last_push_by_ward(&wards).await {
            Ok(last_push) => {
                for &ward in &wards {
                    let seconds = last_push.get(ward).map_or(f64::INFINITY, |received| {
                        // Another server's clock may run a little ahead.
                        (now - *received).num_milliseconds().max(0) as f64 / 1000.0
                    });
                    silence
                        .get_or_create(&WardLabels {
                            ward: ward.to_owned(),
                        })
                        .set(seconds);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read when each ward last pushed");
                silence.clear();
            }
        }
    }

    /// The metrics in the Prometheus text format.
    fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.inner.registry)?;
        Ok(text)
    }
}

/// Middleware: counts and times every request by its route template. Added
/// with `Router::layer`, so it runs after routing, when the template is
/// known.
pub async fn record_request(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => match matched.as_str().strip_suffix(NEST_TAIL) {
            Some(prefix) => format!("{prefix}{{*path}}"),
            None => matched.as_str().to_owned(),
        },
        None => UNMATCHED_ROUTE.to_owned(),
    };
    let method = method_label(request.method());
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    metrics.request_answered(labels, started.elapsed());
    response
}

/// The methods the API uses by name; any other is "other", so a client
/// cannot make up new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics` on the main listener: the metrics behind their token when
/// [`MetricsAccess::on_main_listener`], otherwise a 404 (the app's
/// fallback would answer its index.html).
pub fn main_listener_route(state: &AppState) -> Router {
    if state.metrics.access().on_main_listener() {
        Router::new()
            .route("/metrics", get(scrape))
            .with_state(state.clone())
    } else {
        Router::new().route("/metrics", get(not_served))
    }
}

/// The router of the metrics' own listener (`--metrics-bind`): `/metrics`,
/// behind the token if one is set, and nothing else.
pub fn own_listener_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .fallback(not_served)
        .with_state(state)
}

async fn not_served() -> ServerError {
    ServerError::NotFound
}

async fn scrape(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ServerError> {
    let metrics = &state.metrics;
    if !metrics.access().admits(&headers) {
        return Err(ServerError::Unauthorized(Localized::new(
            "Cần mã đọc số liệu giám sát (THAMGIA_METRICS_TOKEN) trong Authorization: Bearer.",
            "The metrics token (THAMGIA_METRICS_TOKEN) is needed, as Authorization: Bearer.",
        )));
    }
    metrics.read_ward_activity(&state, Utc::now()).await;
    let text = metrics
        .encode()
        .map_err(|error| ServerError::Internal(format!("encoding the metrics: {error}")))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_its_series_from_the_start() {
        let metrics = Metrics::default();
        let text = metrics.encode().expect("encodes");
        for outcome in OUTCOMES {
            assert!(
                text.contains(&format!(
                    "thamgia_sync_mutations_total{{outcome=\"{outcome}\"}} 0\n"
                )),
                "{text}"
            );
        }
        metrics.mutations_answered(&[MutationResult {
            seq: 1,
            outcome: MutationOutcome::AlreadyStored,
        }]);
        let text = metrics.encode().expect("encodes");
        assert!(
            text.contains("thamgia_sync_mutations_total{outcome=\"already_stored\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("thamgia_sign_in_lockouts_total 0\n"),
            "{text}"
        );
    }

    #[test]
    fn a_made_up_method_is_not_a_new_series() {
        let method = Method::from_bytes(b"PROPFIND").expect("a method");
        assert_eq!(method_label(&method), "other");
        assert_eq!(method_label(&Method::POST), "POST");
    }
}
