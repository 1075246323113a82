//! `/api/v1`: health, sessions and accounts, reference data, surveys (and
//! their XLSForm import), the town hall's views, and the sync protocol.
//!
//! Every route but `GET /health` and `POST /session` takes a [`Caller`]:
//! no valid token, no answer (401). Each handler then applies the role and
//! ward rules before touching data (403).
//!
//! The routes are declared here, with the health check; the handlers live
//! by feature: `accounts` (sessions, accounts, devices), `surveys` (survey
//! versions, the XLSForm import), `withdrawals` (a response found by its
//! reference, and withdrawn at the ward), `townhall`
//! (reports, indicators and targets, overview, trends, population, CSV
//! exports of responses and reports), `forums` (forums, answers to their
//! recommendations, CSV), `referrals` (referrals after a possible
//! disclosure, and their follow-up), `results` (what children said, published with
//! small counts suppressed), `themes` (children's words listed and
//! searched, the codebook of themes officers tag them with) and `sync`
//! (push, pull, and the records refused).

mod accounts;
mod forums;
mod referrals;
mod results;
mod results_downloads;
mod surveys;
mod sync;
mod themes;
mod townhall;
mod withdrawals;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use thamgia_core::SCHEMA_VERSION;

use crate::auth::Caller;
use crate::error::ServerError;
use crate::seed::UnitList;
use crate::AppState;

pub use townhall::{PeriodQuery, PopulationBody, ReportView, SurveyQuery, TrendQuery};

/// Largest request body accepted: 500 responses of a long survey fit well.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Largest sign-in body: a user name, a password and a device name.
pub const MAX_SIGN_IN_BODY_BYTES: usize = 16 * 1024;

/// The API routes, to be nested under `/api/v1`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route(
            "/session",
            post(accounts::sign_in)
                .layer(DefaultBodyLimit::max(MAX_SIGN_IN_BODY_BYTES))
                .get(accounts::session_info)
                .delete(accounts::sign_out),
        )
        .route(
            "/accounts",
            get(accounts::accounts).post(accounts::create_account),
        )
        .route(
            "/accounts/{username}",
            axum::routing::put(accounts::update_account),
        )
        .route("/devices/{id}/revoke", post(accounts::revoke_device))
        .route("/quarantine", get(sync::quarantine))
        .route("/quarantine/{client_id}/{seq}/release", post(sync::release))
        .route("/units", get(units))
        .route("/surveys", get(surveys::surveys))
        .route("/surveys/{id}/{version}", get(surveys::survey))
        .route("/surveys/import", post(surveys::import_survey))
        .route(
            "/responses/by-reference/{reference}",
            get(withdrawals::by_reference),
        )
        .route("/responses/{id}/withdraw", post(withdrawals::withdraw))
        .route("/reports/{id}", get(townhall::report))
        .route("/indicators", get(townhall::indicators))
        .route(
            "/indicators/{code}/targets",
            axum::routing::put(townhall::set_targets),
        )
        .route("/forums", get(forums::forums))
        .route(
            "/recommendations/{id}/answer",
            post(forums::answer_recommendation),
        )
        .route("/export/forums.csv", get(forums::export_forums))
        .route("/results", get(results::results))
        .route("/results/table", get(results::table))
        .route("/results/participants", get(results::participants))
        .route("/results/heard", get(results::heard))
        .route("/referrals", get(referrals::summary))
        .route("/referrals/{id}/follow-up", post(referrals::follow_up))
        .route("/results/answers", get(themes::answers))
        .route("/results/themes/table", get(themes::table))
        .route("/themes", get(themes::list).post(themes::create))
        .route(
            "/themes/{id}",
            axum::routing::put(themes::rename).delete(themes::delete),
        )
        .route("/tags", post(themes::tag).delete(themes::untag))
        .route("/export/results.xlsx", get(results_downloads::export_xlsx))
        .route("/export/results.csv", get(results_downloads::export_csv))
        .route(
            "/export/results/table.xlsx",
            get(results_downloads::export_table_xlsx),
        )
        .route(
            "/export/results/table.csv",
            get(results_downloads::export_table_csv),
        )
        .route("/townhall/overview", get(townhall::overview))
        .route("/townhall/trend", get(townhall::trend))
        .route(
            "/wards/{code}/population/{year}",
            axum::routing::put(townhall::set_population),
        )
        .route(
            "/wards/{code}/participation",
            get(townhall::ward_participation),
        )
        .route("/export/responses.csv", get(townhall::export_responses))
        .route("/export/reports.csv", get(townhall::export_reports))
        .route(
            "/export/participation.csv",
            get(townhall::export_participation),
        )
        .route("/audit", get(crate::audit::list))
        .route("/export/audit.csv", get(crate::audit::export))
        .route("/sync/push", post(sync::push))
        .route("/sync/pull", post(sync::pull))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// The answer of `GET /health`.
#[derive(Debug, Serialize)]
pub struct Health {
    /// "ok" when the database answers.
    pub status: &'static str,
    /// The sync protocol version served.
    pub schema_version: u32,
    /// The server's version.
    pub version: &'static str,
    /// The database engine: "sqlite" or "postgres".
    pub backend: &'static str,
    /// The newest migration applied to the database.
    pub database_schema: i64,
    /// The newest migration this server carries: equal to
    /// `database_schema` on a healthy server.
    pub expected_database_schema: i64,
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ServerError> {
    let (applied, carried) = state.database.health().await?;
    Ok(Json(Health {
        status: if applied == carried {
            "ok"
        } else {
            "schema_mismatch"
        },
        schema_version: SCHEMA_VERSION,
        version: env!("CARGO_PKG_VERSION"),
        backend: match state.database.backend() {
            crate::database::Backend::Sqlite => "sqlite",
            crate::database::Backend::Postgres => "postgres",
        },
        database_schema: applied,
        expected_database_schema: carried,
    }))
}

async fn units(_caller: Caller, State(state): State<AppState>) -> Json<UnitList> {
    Json(state.units.as_ref().clone())
}

/// `?ward=00004` (optional).
#[derive(Debug, serde::Deserialize)]
pub struct WardQuery {
    ward: Option<String>,
}

async fn not_found() -> ServerError {
    ServerError::NotFound
}

async fn method_not_allowed() -> ServerError {
    ServerError::MethodNotAllowed
}
