//! The server's store, with the sync protocol's rules, on SQLite or
//! PostgreSQL through sqlx's `Any` driver: one set of queries for both.
//!
//! The URL chooses the backend ([`Backend`]): a `sqlite:` file for one town
//! hall or a developer, a `postgres://` server for the whole city. Every
//! query is written once, with `$1, $2, …` placeholders and only the types
//! both drivers share; the few statements that differ (taking the write
//! lock, the migrations) branch on the backend.
//!
//! Writers are serialised on both backends ([`Database::begin_write`]): a
//! push is applied in one write transaction and its answer is built only
//! from what was committed. SQLite runs in WAL mode with
//! `synchronous = FULL`, so a committed push survives a power cut, not only
//! a crash of the process; PostgreSQL gives the same guarantee with its
//! defaults (`fsync` and `synchronous_commit` on).

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Once;

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Row, Transaction};
use thamgia_core::account::AccountInfo;
use thamgia_core::protocol::{MAX_PULL_PAGE, MAX_PUSH_BATCH, MAX_QUARANTINED_PAYLOAD_BYTES};
use thamgia_core::report::{
    bound, FieldEdit, ReportFields, ReportId, ReportStatus, ReportStatusChange, Stamp,
    MAX_CLOCK_AHEAD_MS,
};
use thamgia_core::{corrections, limits};
use thamgia_core::{
    validate_with, Change, ChangeEntity, FormEngine, Localized, MutationChange, MutationOutcome,
    MutationResult, PullRequest, PullResponse, PushRequest, PushResponse, PushStatus, Response,
    ResponseStatus, SurveyDefinition, ValidationMode, SCHEMA_VERSION,
};
use uuid::Uuid;

use crate::error::ServerError;

/// Which database engine holds the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (`sqlite:` URLs).
    Sqlite,
    /// A PostgreSQL server (`postgres://` or `postgresql://` URLs).
    Postgres,
}

impl Backend {
    /// The backend a database URL names, or a configuration error for any
    /// other scheme.
    pub fn of_url(url: &str) -> Result<Backend, sqlx::Error> {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(sqlx::Error::Configuration(
                format!("unsupported database URL scheme `{scheme}:`: use sqlite: or postgres://")
                    .into(),
            )),
        }
    }

    /// The engine's name, for logs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// The SQLite settings every connection gets, run when it is opened. The
/// busy timeout comes first so that switching to WAL waits for a lock
/// instead of failing; `journal_mode = WAL` is then recorded in the file.
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA busy_timeout = 10000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
];

/// The PostgreSQL advisory lock every write transaction takes (the bytes of
/// "thamgia"); advisory locks are per database, so two databases on one
/// server do not wait for each other.
const POSTGRES_WRITE_LOCK: i64 = 0x0074_6861_6d67_6961;

/// Registers sqlx's drivers for the `Any` pool, once per process.
fn install_drivers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(sqlx::any::install_default_drivers);
}

/// The URL with its password and query removed, safe to log.
pub fn redacted_url(url: &str) -> String {
    match AnyConnectOptions::from_str(url) {
        Ok(options) => {
            let mut url = options.database_url;
            // Only a URL that cannot hold a password refuses to drop one:
            // then there is nothing to hide.
            if url.set_password(None).is_err() {
                tracing::trace!("the database URL cannot hold a password");
            }
            url.set_query(None);
            url.to_string()
        }
        Err(_) => "(an unreadable database URL)".to_owned(),
    }
}

/// The store. Cheap to clone: it holds a connection pool.
#[derive(Clone, Debug)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
}

/// A stored response as the town hall sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    /// The response as received.
    pub response: Response,
    /// The client install that sent it.
    pub client_id: String,
    /// When it arrived.
    pub received_at: String,
}

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn enum_text<T: serde::Serialize>(value: &T) -> Result<String, ServerError> {
    Ok(serde_json::to_value(value)?
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default())
}

impl Database {
    /// Opens (creating if needed) the SQLite file at `path`, creating its
    /// directory too, and migrates it.
    pub async fn open(path: &Path) -> Result<Database, sqlx::Error> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        // sqlx builds the URL (`mode=rwc`), percent-encoding what a path may
        // hold; an absolute path keeps a relative one from reading as a host.
        let url = SqliteConnectOptions::new()
            .filename(std::path::absolute(path)?)
            .create_if_missing(true)
            .to_url_lossy();
        Database::connect(url.as_str()).await
    }

    /// Connects to the database `url` names and migrates it: `sqlite:` or
    /// `sqlite://` for a SQLite file (add `?mode=rwc` to create it), or
    /// `postgres://` / `postgresql://` for a PostgreSQL database that exists.
    pub async fn connect(url: &str) -> Result<Database, sqlx::Error> {
        install_drivers();
        let backend = Backend::of_url(url)?;
        let pool = match backend {
            // SQLite lets one writer in at a time anyway: a few connections
            // serve the readers.
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            for pragma in SQLITE_PRAGMAS {
                                sqlx::query(pragma).execute(&mut *connection).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(10)
                    .connect(url)
                    .await?
            }
        };
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Database { pool, backend })
    }

    /// Which engine holds the store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for the other query modules of this crate.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. Every writer goes through here, and
    /// writers run one at a time on both backends: on SQLite `BEGIN
    /// IMMEDIATE` takes the database's write lock at once; on PostgreSQL
    /// the transaction first takes one advisory lock, held until it commits
    /// or rolls back. This matters beyond avoiding lost updates: the pull
    /// cursor is `changes.seq`, and a tablet that pulled up to seq N never
    /// asks for anything at or below N again. Two writers at once could
    /// commit seq N+1 after N+2 was already pulled, and N+1 would be missed
    /// forever; serialised writers commit their changes in seq order.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => {
                let mut transaction = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(POSTGRES_WRITE_LOCK)
                    .execute(&mut *transaction)
                    .await?;
                Ok(transaction)
            }
        }
    }

    /// Closes every connection; called on shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks that the database answers.
    pub async fn health(&self) -> Result<(), ServerError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The settings a durable commit rests on, as the engine reports them:
    /// on SQLite `journal_mode`, `synchronous`, `foreign_keys` and
    /// `busy_timeout` (every pooled connection gets the same); on PostgreSQL
    /// `fsync` and `synchronous_commit`.
    pub async fn durability(&self) -> Result<Vec<(&'static str, String)>, ServerError> {
        let (names, statement): (&[&'static str], fn(&str) -> String) = match self.backend {
            Backend::Sqlite => (
                &[
                    "journal_mode",
                    "synchronous",
                    "foreign_keys",
                    "busy_timeout",
                ],
                |name| format!("PRAGMA {name}"),
            ),
            Backend::Postgres => (&["fsync", "synchronous_commit"], |name| {
                format!("SHOW {name}")
            }),
        };
        let mut connection = self.pool.acquire().await?;
        let mut settings = Vec::with_capacity(names.len());
        for name in names {
            let row = sqlx::query(&statement(name))
                .fetch_one(&mut *connection)
                .await?;
            let value = match row.try_get::<String, _>(0) {
                Ok(text) => text,
                Err(_) => row.try_get::<i64, _>(0)?.to_string(),
            };
            settings.push((*name, value));
        }
        Ok(settings)
    }

    /// Publishes a survey version and logs it as a change. Publishing the
    /// same version again does nothing; returns whether it was new.
    pub async fn publish_survey(
        &self,
        survey: &SurveyDefinition,
        now: DateTime<Utc>,
    ) -> Result<bool, ServerError> {
        let mut transaction = self.begin_write().await?;
        let inserted = insert_survey(&mut transaction, survey, now).await?;
        transaction.commit().await?;
        Ok(inserted)
    }

    /// The highest published version of survey `id`, 0 when none is.
    pub async fn latest_version(&self, id: &str) -> Result<u32, ServerError> {
        let mut connection = self.pool.acquire().await?;
        latest_version(&mut connection, id).await
    }

    /// Publishes `survey` as the next version of its id (the latest plus
    /// one, or 1) and returns it with that version. The version is read and
    /// the row written in one write transaction, so two imports
    /// of the same id at once get two different versions.
    pub async fn publish_next_version(
        &self,
        mut survey: SurveyDefinition,
        now: DateTime<Utc>,
    ) -> Result<SurveyDefinition, ServerError> {
        let mut transaction = self.begin_write().await?;
        survey.version = latest_version(&mut transaction, &survey.id).await? + 1;
        insert_survey(&mut transaction, &survey, now).await?;
        transaction.commit().await?;
        Ok(survey)
    }

    /// The latest version of every survey, by id.
    pub async fn latest_surveys(&self) -> Result<Vec<SurveyDefinition>, ServerError> {
        let rows = sqlx::query(
            "SELECT definition FROM surveys s
             WHERE version = (SELECT MAX(version) FROM surveys t WHERE t.id = s.id)
             ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok(serde_json::from_str(row.get::<&str, _>("definition"))?))
            .collect()
    }

    /// One survey version.
    pub async fn survey(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Option<SurveyDefinition>, ServerError> {
        let mut connection = self.pool.acquire().await?;
        load_survey(&mut connection, id, version).await
    }

    /// Applies a push in one transaction and answers from what was committed.
    ///
    /// Mutations at or below the client's `last_seq` are replays: they get
    /// the outcome recorded the first time, provided they carry the same
    /// record; otherwise the client reused its numbers and must renumber.
    /// A seq beyond `last_seq + 1` is a gap: nothing from there is applied.
    pub async fn push(
        &self,
        request: &PushRequest,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ServerError> {
        self.push_scoped(request, None, now).await
    }

    /// Applies a push sent by `account`: as [`Database::push`], but a record
    /// outside the account's ward, or a task outside its role (approving a
    /// report, say), is refused and quarantined with the reason, and the
    /// rest of the batch proceeds.
    ///
    /// Every ward code a record names must be one of the units in force
    /// (`known_ward`); a record of any other code is refused the same way.
    pub async fn push_as(
        &self,
        request: &PushRequest,
        account: &AccountInfo,
        known_ward: &KnownWard<'_>,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ServerError> {
        self.push_scoped(request, Some((account, known_ward)), now)
            .await
    }

    async fn push_scoped(
        &self,
        request: &PushRequest,
        scope: Option<(&AccountInfo, &KnownWard<'_>)>,
        now: DateTime<Utc>,
    ) -> Result<PushResponse, ServerError> {
        let account = scope.map(|(account, _)| account);
        if request.schema_version != SCHEMA_VERSION {
            return Err(ServerError::SchemaMismatch {
                got: request.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        if request.mutations.len() > MAX_PUSH_BATCH {
            return Err(ServerError::PayloadTooLarge(format!(
                "{} mutations, at most {MAX_PUSH_BATCH}",
                request.mutations.len()
            )));
        }
        let client_id = request.client_id.to_string();
        let received_at = timestamp(now);
        let mut transaction = self.begin_write().await?;
        let stored_last: Option<i64> =
            sqlx::query_scalar("SELECT last_seq FROM clients WHERE client_id = $1")
                .bind(&client_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let mut last_seq = stored_last.unwrap_or(0).max(0) as u64;
        let mut status = PushStatus::Ok;
        let mut results = Vec::with_capacity(request.mutations.len());
        let mut surveys: HashMap<(String, u32), Option<CompiledSurvey>> = HashMap::new();
        // The last stamp bounded in this push: bounded edits stay strictly
        // increasing, so a far-ahead tablet's later edit still beats its
        // earlier one.
        let mut last_bounded: Option<Stamp> = None;

        for mutation in &request.mutations {
            let record_id = mutation.change.record_id();
            if mutation.seq <= last_seq {
                let logged = sqlx::query(
                    "SELECT record_id, outcome FROM mutation_log WHERE client_id = $1 AND seq = $2",
                )
                .bind(&client_id)
                .bind(mutation.seq as i64)
                .fetch_optional(&mut *transaction)
                .await?;
                match logged {
                    Some(row) if row.get::<&str, _>("record_id") == record_id => {
                        results.push(MutationResult {
                            seq: mutation.seq,
                            outcome: serde_json::from_str(row.get::<&str, _>("outcome"))?,
                        });
                        continue;
                    }
                    _ => {
                        status = PushStatus::SeqReused { seq: mutation.seq };
                        break;
                    }
                }
            }
            if mutation.seq != last_seq + 1 {
                status = PushStatus::Gap {
                    expected_seq: last_seq + 1,
                };
                break;
            }
            let refusal = match scope {
                Some((account, known_ward)) => match unknown_ward(&mutation.change, known_ward) {
                    Some(refusal) => Some(refusal),
                    None => out_of_scope(&mut transaction, account, &mutation.change).await?,
                },
                None => None,
            };
            let outcome = if let Some(message) = refusal {
                MutationOutcome::Rejected { message }
            } else {
                match &mutation.change {
                    MutationChange::SubmitResponse { response } => {
                        let key = (response.survey_id.clone(), response.survey_version);
                        if !surveys.contains_key(&key) {
                            let survey = load_survey(&mut transaction, &key.0, key.1)
                                .await?
                                .and_then(|survey| {
                                    FormEngine::compile(&survey)
                                        .ok()
                                        .map(|engine| (survey, engine))
                                });
                            surveys.insert(key.clone(), survey);
                        }
                        let survey = surveys.get(&key).and_then(Option::as_ref);
                        let submission = Submission {
                            client_id: &client_id,
                            seq: mutation.seq,
                            received_at: &received_at,
                            today: now.date_naive(),
                        };
                        submit_response(&mut transaction, survey, &submission, response).await?
                    }
                    MutationChange::WithdrawResponse {
                        response_id,
                        withdrawn_at,
                    } => {
                        if withdraw(
                            &mut transaction,
                            *response_id,
                            *withdrawn_at,
                            &received_at,
                            "tablet",
                            corrections::tombstone_ward(account),
                        )
                        .await?
                        {
                            let action = thamgia_core::audit::AuditAction::ResponseWithdrawn;
                            crate::audit::withdrawn(
                                &mut transaction,
                                account,
                                action,
                                *response_id,
                                now,
                            )
                            .await?;
                        }
                        MutationOutcome::Withdrawn
                    }
                    MutationChange::EditReportField { edit } => {
                        let bounded = bound_in_push(edit, now, &mut last_bounded);
                        edit_report_field(&mut transaction, &bounded, &received_at).await?
                    }
                    MutationChange::ChangeReportStatus { change } => {
                        let outcome =
                            change_report_status(&mut transaction, change, &received_at).await?;
                        crate::audit::report_status(
                            &mut transaction,
                            account,
                            change,
                            &outcome,
                            now,
                        )
                        .await?;
                        outcome
                    }
                    MutationChange::SubmitForum { forum } => {
                        crate::forums::submit_forum(
                            &mut transaction,
                            forum,
                            &client_id,
                            &received_at,
                        )
                        .await?
                    }
                    MutationChange::RecordFeedback { feedback } => {
                        crate::forums::record_feedback(&mut transaction, feedback, &received_at)
                            .await?
                    }
                }
            };
            // What a refusal says is bounded whatever the record held: it
            // is logged, kept aside and sent back.
            let outcome = match outcome {
                MutationOutcome::Rejected { message } => MutationOutcome::Rejected {
                    message: limits::bounded_message(&message),
                },
                MutationOutcome::Conflict { message } => MutationOutcome::Conflict {
                    message: limits::bounded_message(&message),
                },
                other => other,
            };
            if let MutationOutcome::Rejected { message } = &outcome {
                // Every refused record is kept whole with its reason (a
                // response is already, with each of its reasons).
                let refusal = Refusal {
                    client_id: &client_id,
                    record_id: &record_id,
                    received_at: &received_at,
                    sent_by: account.map(|account| account.username.as_str()),
                };
                quarantine(&mut transaction, &refusal, mutation, message).await?;
            }
            sqlx::query(
                "INSERT INTO mutation_log (client_id, seq, record_id, outcome, received_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&client_id)
            .bind(mutation.seq as i64)
            .bind(&record_id)
            .bind(serde_json::to_string(&outcome)?)
            .bind(&received_at)
            .execute(&mut *transaction)
            .await?;
            last_seq = mutation.seq;
            results.push(MutationResult {
                seq: mutation.seq,
                outcome,
            });
        }

        sqlx::query(
            "INSERT INTO clients (client_id, last_seq, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (client_id) DO UPDATE SET last_seq = excluded.last_seq,
                 updated_at = excluded.updated_at",
        )
        .bind(&client_id)
        .bind(last_seq as i64)
        .bind(&received_at)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(PushResponse {
            last_seq,
            status,
            results,
        })
    }

    /// One page of changes after the request's cursor.
    pub async fn pull(&self, request: &PullRequest) -> Result<PullResponse, ServerError> {
        if request.schema_version != SCHEMA_VERSION {
            return Err(ServerError::SchemaMismatch {
                got: request.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        let limit = request.limit.clamp(1, MAX_PULL_PAGE);
        let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
            .fetch_one(&self.pool)
            .await?;
        // A server that holds less of this client than it acknowledged was
        // restored from an older backup: the tablet must send again.
        let forgot_acknowledged = match request.acknowledged_seq {
            Some(acknowledged) if acknowledged > 0 => {
                let held: Option<i64> =
                    sqlx::query_scalar("SELECT last_seq FROM clients WHERE client_id = $1")
                        .bind(request.client_id.to_string())
                        .fetch_optional(&self.pool)
                        .await?;
                (held.unwrap_or(0).max(0) as u64) < acknowledged
            }
            _ => false,
        };
        // The change at the tablet's cursor is not the one it saw: the log
        // was rolled back and grew again (a restore from an older backup).
        let cursor_token = match &request.cursor_token {
            Some(_) => self.change_token(request.cursor).await?,
            None => None,
        };
        let other_history = request.cursor > 0
            && request.cursor_token.is_some()
            && cursor_token != request.cursor_token;
        if forgot_acknowledged || other_history || request.cursor > newest.max(0) as u64 {
            return Ok(PullResponse {
                changes: Vec::new(),
                next_cursor: 0,
                has_more: false,
                reset_required: true,
                next_cursor_token: None,
            });
        }
        // One row more than the page tells whether another page follows.
        let rows = sqlx::query(
            "SELECT seq, payload FROM changes
             WHERE seq > $1 AND (ward_code IS NULL OR $2 IS NULL OR ward_code = $3)
             ORDER BY seq LIMIT $4",
        )
        .bind(request.cursor as i64)
        .bind(&request.ward_code)
        .bind(&request.ward_code)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let has_more = rows.len() > limit as usize;
        let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
        for row in rows.iter().take(limit as usize) {
            changes.push(Change {
                seq: row.get::<i64, _>("seq") as u64,
                entity: serde_json::from_str(row.get::<&str, _>("payload"))?,
            });
        }
        let next_cursor = changes.last().map_or(request.cursor, |change| change.seq);
        // A page with nothing new leaves the cursor, and its token, as they were.
        let next_cursor_token = if next_cursor == request.cursor && request.cursor_token.is_some() {
            cursor_token
        } else {
            self.change_token(next_cursor).await?
        };
        Ok(PullResponse {
            changes,
            next_cursor,
            has_more,
            reset_required: false,
            next_cursor_token,
        })
    }

    /// The token of change `seq`: a digest of its number and content, so a
    /// tablet sending it back with its cursor shows which history it saw.
    /// `None` for the start of the log, or a change the server does not hold.
    async fn change_token(&self, seq: u64) -> Result<Option<String>, ServerError> {
        if seq == 0 {
            return Ok(None);
        }
        let payload: Option<String> =
            sqlx::query_scalar("SELECT payload FROM changes WHERE seq = $1")
                .bind(seq as i64)
                .fetch_optional(&self.pool)
                .await?;
        Ok(payload.map(|payload| {
            let mut digest = sha256_hex(&format!("{seq}:{payload}"));
            digest.truncate(32);
            digest
        }))
    }

    /// Withdraws consent for a response at the town hall (a guardian asked
    /// the ward), as `by`: deletes its answers, tells every tablet, and logs
    /// the withdrawal in the audit log.
    pub async fn withdraw_response(
        &self,
        response_id: Uuid,
        by: &AccountInfo,
        now: DateTime<Utc>,
    ) -> Result<(), ServerError> {
        let mut transaction = self.begin_write().await?;
        if withdraw(
            &mut transaction,
            response_id,
            now,
            &timestamp(now),
            "town_hall",
            None,
        )
        .await?
        {
            let action = thamgia_core::audit::AuditAction::ConsentWithdrawn;
            crate::audit::withdrawn(&mut transaction, Some(by), action, response_id, now).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Whether a response's consent was withdrawn (its tombstone exists).
    pub async fn is_withdrawn(&self, response_id: Uuid) -> Result<bool, ServerError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT response_id FROM withdrawals WHERE response_id = $1")
                .bind(response_id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// How many stored responses count: neither withdrawn (those are
    /// deleted) nor superseded by a correction.
    pub async fn counted_response_count(&self) -> Result<u64, ServerError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM responses WHERE superseded_by IS NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(count.max(0) as u64)
    }

    /// A ward report as the town hall sees it: its status and every field
    /// merged from all the edits received.
    pub async fn report(
        &self,
        report_id: &ReportId,
    ) -> Result<(ReportStatus, ReportFields), ServerError> {
        let mut connection = self.pool.acquire().await?;
        let status = report_status(&mut connection, report_id).await?;
        let edits: Vec<String> =
            sqlx::query_scalar("SELECT edit FROM report_edits WHERE report_id = $1")
                .bind(report_id.to_string())
                .fetch_all(&mut *connection)
                .await?;
        let mut fields = ReportFields::new(report_id.clone());
        for edit in edits {
            let edit: FieldEdit = serde_json::from_str(&edit)?;
            fields
                .apply(edit)
                .map_err(|error| ServerError::BadRequest(error.to_string()))?;
        }
        Ok((status, fields))
    }

    /// How many responses are stored.
    pub async fn response_count(&self) -> Result<u64, ServerError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.max(0) as u64)
    }

    /// How many conflicting copies are kept.
    pub async fn conflict_count(&self) -> Result<u64, ServerError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM response_conflicts")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.max(0) as u64)
    }

    /// How many mutations were refused and kept aside.
    /// The refused records, newest first (at most `limit`), of one ward or
    /// of all. Each is kept as the mutation it came in (responses refused
    /// by earlier versions were kept as the bare response).
    pub async fn quarantined(
        &self,
        ward_code: Option<&str>,
        limit: u32,
    ) -> Result<Vec<thamgia_core::QuarantinedRecord>, ServerError> {
        let rows = sqlx::query(
            "SELECT client_id, seq, record_id, payload, reasons, received_at, sent_by, kind,
                 ward_code, payload_bytes, payload_sha256, payload_complete
             FROM rejected_mutations ORDER BY received_at DESC, client_id, seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut records = Vec::new();
        // A refused record sent again (after a renumbering) is listed once.
        let mut seen: std::collections::HashSet<(Option<String>, String)> =
            std::collections::HashSet::new();
        for row in rows {
            let payload: String = row.try_get("payload")?;
            let record_id: Option<String> = row.try_get("record_id")?;
            let digest: Option<String> = row.try_get("payload_sha256")?;
            let identity = digest.clone().unwrap_or_else(|| sha256_hex(&payload));
            if !seen.insert((record_id.clone(), identity)) {
                continue;
            }
            let stored_kind: Option<String> = row.try_get("kind")?;
            let stored_ward: Option<String> = row.try_get("ward_code")?;
            // Rows kept before the kind and ward had columns say it in
            // their (then always whole) payload.
            let (kind, ward) = match stored_kind {
                Some(kind) => (kind, stored_ward),
                None => match serde_json::from_str::<MutationChange>(&payload) {
                    Ok(change) => (mutation_kind(&change), mutation_ward(&change)),
                    Err(_) => match serde_json::from_str::<Response>(&payload) {
                        Ok(response) => ("submit_response".to_owned(), Some(response.ward_code)),
                        Err(_) => ("unreadable".to_owned(), None),
                    },
                },
            };
            if ward_code.is_some() && ward.as_deref() != ward_code {
                continue;
            }
            let client_id: String = row.try_get("client_id")?;
            let seq: i64 = row.try_get("seq")?;
            let reasons: String = row.try_get("reasons")?;
            let payload_bytes: Option<i64> = row.try_get("payload_bytes")?;
            let complete: i64 = row.try_get("payload_complete")?;
            records.push(thamgia_core::QuarantinedRecord {
                client_id: Uuid::parse_str(&client_id).unwrap_or_default(),
                seq: seq.max(0) as u64,
                record_id: record_id.unwrap_or_default(),
                kind,
                ward_code: ward,
                reasons: serde_json::from_str(&reasons)?,
                received_at: row.try_get("received_at")?,
                sent_by: row.try_get("sent_by")?,
                payload_bytes: payload_bytes.unwrap_or(payload.len() as i64).max(0) as u64,
                payload_sha256: digest,
                payload_complete: complete != 0,
            });
            if records.len() >= limit as usize {
                break;
            }
        }
        Ok(records)
    }

    /// How many records were refused and kept aside.
    pub async fn rejected_count(&self) -> Result<u64, ServerError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rejected_mutations")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.max(0) as u64)
    }

    /// The ids of every stored response, oldest first.
    pub async fn response_ids(&self) -> Result<Vec<Uuid>, ServerError> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM responses ORDER BY received_at, id")
                .fetch_all(&self.pool)
                .await?;
        ids.iter()
            .map(|id| {
                Uuid::parse_str(id).map_err(|error| ServerError::BadRequest(error.to_string()))
            })
            .collect()
    }

    /// One stored response.
    pub async fn response(&self, id: Uuid) -> Result<Option<StoredResponse>, ServerError> {
        let row =
            sqlx::query("SELECT content, client_id, received_at FROM responses WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some(row) => Ok(Some(StoredResponse {
                response: serde_json::from_str(row.get::<&str, _>("content"))?,
                client_id: row.get("client_id"),
                received_at: row.get("received_at"),
            })),
            None => Ok(None),
        }
    }
}

async fn latest_version(connection: &mut AnyConnection, id: &str) -> Result<u32, ServerError> {
    let latest: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM surveys WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *connection)
            .await?;
    Ok(u32::try_from(latest).unwrap_or(0))
}

/// Inserts a survey version and its change-log entry, unless that version
/// exists; returns whether it was new.
async fn insert_survey(
    connection: &mut AnyConnection,
    survey: &SurveyDefinition,
    now: DateTime<Utc>,
) -> Result<bool, ServerError> {
    let definition = serde_json::to_string(survey)?;
    let inserted = sqlx::query(
        "INSERT INTO surveys (id, version, definition, published_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id, version) DO NOTHING",
    )
    .bind(&survey.id)
    .bind(i64::from(survey.version))
    .bind(&definition)
    .bind(timestamp(now))
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        let payload = serde_json::to_string(&ChangeEntity::Survey {
            survey: survey.clone(),
        })?;
        sqlx::query(
            "INSERT INTO changes (kind, entity_id, payload, created_at) VALUES ('survey', $1, $2, $3)",
        )
        .bind(survey.key())
        .bind(payload)
        .bind(timestamp(now))
        .execute(&mut *connection)
        .await?;
    }
    Ok(inserted)
}

async fn load_survey(
    connection: &mut AnyConnection,
    id: &str,
    version: u32,
) -> Result<Option<SurveyDefinition>, ServerError> {
    let row = sqlx::query("SELECT definition FROM surveys WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(i64::from(version))
        .fetch_optional(&mut *connection)
        .await?;
    match row {
        Some(row) => Ok(Some(serde_json::from_str(
            row.get::<&str, _>("definition"),
        )?)),
        None => Ok(None),
    }
}

/// A survey version with its compiled form.
type CompiledSurvey = (SurveyDefinition, FormEngine);

/// Where a submitted response comes from.
struct Submission<'a> {
    client_id: &'a str,
    seq: u64,
    received_at: &'a str,
    today: chrono::NaiveDate,
}

/// Applies one submitted response: validate, insert if new, recognise a
/// retried copy, keep a different copy as a conflict, and drop anything of a
/// response whose consent was withdrawn.
async fn submit_response(
    connection: &mut AnyConnection,
    survey: Option<&CompiledSurvey>,
    submission: &Submission<'_>,
    response: &Response,
) -> Result<MutationOutcome, ServerError> {
    let Submission {
        client_id,
        seq,
        received_at,
        today,
    } = *submission;
    let tombstone: Option<Option<String>> =
        sqlx::query_scalar("SELECT ward_code FROM withdrawals WHERE response_id = $1")
            .bind(response.id.to_string())
            .fetch_optional(&mut *connection)
            .await?;
    match tombstone {
        Some(ward) if corrections::tombstone_withdraws(ward.as_deref(), &response.ward_code) => {
            return Ok(MutationOutcome::Withdrawn);
        }
        Some(_) => {
            // Another ward's withdrawal of an id it never held: it does not
            // reach this response (see `thamgia_core::corrections`).
            sqlx::query("DELETE FROM withdrawals WHERE response_id = $1")
                .bind(response.id.to_string())
                .execute(&mut *connection)
                .await?;
        }
        None => {}
    }
    if response.status == ResponseStatus::Withdrawn {
        // The tablet withdrew it before it was ever sent: keep the tombstone.
        withdraw(
            connection,
            response.id,
            response.updated_at,
            received_at,
            "tablet",
            Some(response.ward_code.clone()),
        )
        .await?;
        return Ok(MutationOutcome::Withdrawn);
    }
    let reasons: Vec<Localized> = match survey {
        None => vec![Localized::new(
            format!(
                "Máy chủ không có khảo sát \"{}\" phiên bản {}.",
                limits::quoted(&response.survey_id),
                response.survey_version
            ),
            format!(
                "The server has no survey \"{}\" version {}.",
                limits::quoted(&response.survey_id),
                response.survey_version
            ),
        )],
        Some(_) if response.status != ResponseStatus::Completed => vec![Localized::new(
            "Chỉ gửi được phiếu đã hoàn thành.",
            "Only completed responses can be sent.",
        )],
        Some((survey, engine)) => {
            validate_with(engine, survey, response, ValidationMode::Complete, today)
                .into_iter()
                .map(|issue| match issue.question_id {
                    Some(question) => Localized::new(
                        format!("{question}: {}", issue.message.vi),
                        format!("{question}: {}", issue.message.en),
                    ),
                    None => issue.message,
                })
                .collect()
        }
    };
    if !reasons.is_empty() {
        // Kept aside with its reasons by the push, as every refused record.
        return Ok(crate::forums::rejected(reasons));
    }
    if let Some(corrects) = response.corrects {
        if let Some(refusal) = correction_refusal(connection, response, corrects).await? {
            return Ok(crate::forums::rejected(vec![refusal]));
        }
    }

    // Serialised only once it is known to be kept.
    let content = serde_json::to_string(response)?;
    let hash = sha256_hex(&content);
    let age_band = enum_text(&response.participant.age_band)?;
    let sex = enum_text(&response.participant.sex)?;
    let inserted = sqlx::query(
        "INSERT INTO responses (id, survey_id, survey_version, ward_code, age_band, sex, content,
             content_sha256, client_id, client_seq, created_at, received_at, corrects)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING",
    )
    .bind(response.id.to_string())
    .bind(&response.survey_id)
    .bind(i64::from(response.survey_version))
    .bind(&response.ward_code)
    .bind(age_band)
    .bind(sex)
    .bind(&content)
    .bind(&hash)
    .bind(client_id)
    .bind(seq as i64)
    .bind(timestamp(response.created_at))
    .bind(received_at)
    .bind(response.corrects.map(|id| id.to_string()))
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        if let Some(corrected) = response.corrects {
            sqlx::query(
                "UPDATE responses SET superseded_by = $1 WHERE id = $2 AND superseded_by IS NULL",
            )
            .bind(response.id.to_string())
            .bind(corrected.to_string())
            .execute(&mut *connection)
            .await?;
        }
        return Ok(MutationOutcome::Applied);
    }
    let existing: String = sqlx::query_scalar("SELECT content_sha256 FROM responses WHERE id = $1")
        .bind(response.id.to_string())
        .fetch_one(&mut *connection)
        .await?;
    if existing == hash {
        return Ok(MutationOutcome::AlreadyStored);
    }
    sqlx::query(
        "INSERT INTO response_conflicts (response_id, content, content_sha256, client_id,
             client_seq, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (response_id, content_sha256) DO NOTHING",
    )
    .bind(response.id.to_string())
    .bind(&content)
    .bind(&hash)
    .bind(client_id)
    .bind(seq as i64)
    .bind(received_at)
    .execute(&mut *connection)
    .await?;
    Ok(MutationOutcome::Conflict {
        message: Localized::new(
            "Máy chủ đã có một phiếu khác cùng mã. Cả hai đều được giữ lại để cán bộ thành phố xem xét.",
            "The server already holds a different response with the same id. Both are kept for a city officer to review.",
        ),
    })
}

/// Deletes everything held of a response whose consent was withdrawn and
/// keeps a tombstone without content; tablets hear of it through a change.
/// Returns whether the tombstone is new (the withdrawal took effect now).
async fn withdraw(
    connection: &mut AnyConnection,
    response_id: Uuid,
    withdrawn_at: DateTime<Utc>,
    received_at: &str,
    source: &str,
    sender_ward: Option<String>,
) -> Result<bool, ServerError> {
    let id = response_id.to_string();
    let held =
        sqlx::query("SELECT survey_id, survey_version, ward_code FROM responses WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *connection)
            .await?;
    // A response the server does not hold (yet) leaves a tombstone of the
    // ward its refused copies name, or else of the sender's ward (see
    // `thamgia_core::corrections`).
    let (survey_id, survey_version, ward_code): (Option<String>, Option<i64>, Option<String>) =
        match &held {
            Some(row) => (
                row.get("survey_id"),
                row.get("survey_version"),
                row.get("ward_code"),
            ),
            None => (
                None,
                None,
                quarantined_ward(connection, &id).await?.or(sender_ward),
            ),
        };
    let inserted = sqlx::query(
        "INSERT INTO withdrawals (response_id, survey_id, survey_version, ward_code, withdrawn_at,
             received_at, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (response_id) DO NOTHING",
    )
    .bind(&id)
    .bind(survey_id)
    .bind(survey_version)
    .bind(ward_code.clone())
    .bind(timestamp(withdrawn_at))
    .bind(received_at)
    .bind(source)
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    sqlx::query("DELETE FROM responses WHERE id = $1")
        .bind(&id)
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM response_conflicts WHERE response_id = $1")
        .bind(&id)
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM rejected_mutations WHERE record_id = $1")
        .bind(&id)
        .execute(&mut *connection)
        .await?;
    if inserted {
        let payload = serde_json::to_string(&ChangeEntity::ResponseWithdrawn { response_id })?;
        sqlx::query(
            "INSERT INTO changes (kind, entity_id, payload, created_at, ward_code) VALUES ('response_withdrawn', $1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(payload)
        .bind(received_at)
        .bind(&ward_code)
        .execute(&mut *connection)
        .await?;
    }
    Ok(inserted)
}

/// Why a new response may not supersede the one it names in `corrects`
/// (the rule is `thamgia_core::corrections`); a response already stored
/// (a re-send) is not asked again.
async fn correction_refusal(
    connection: &mut AnyConnection,
    response: &Response,
    corrects: Uuid,
) -> Result<Option<Localized>, ServerError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT id FROM responses WHERE id = $1")
        .bind(response.id.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    if stored.is_some() {
        return Ok(None);
    }
    let held = sqlx::query("SELECT survey_id, ward_code FROM responses WHERE id = $1")
        .bind(corrects.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    let withdrawn: Option<String> =
        sqlx::query_scalar("SELECT response_id FROM withdrawals WHERE response_id = $1")
            .bind(corrects.to_string())
            .fetch_optional(&mut *connection)
            .await?;
    let (survey_id, ward_code): (String, String) = match &held {
        Some(row) => (row.try_get("survey_id")?, row.try_get("ward_code")?),
        None => (String::new(), String::new()),
    };
    let corrected = match (&held, withdrawn) {
        (Some(_), _) => corrections::Corrected::Stored {
            survey_id: Some(&survey_id),
            ward_code: &ward_code,
        },
        (None, Some(_)) => corrections::Corrected::Withdrawn,
        (None, None) => corrections::Corrected::Missing,
    };
    let correction = corrections::Correction {
        id: response.id,
        corrects,
        survey_id: Some(&response.survey_id),
        ward_code: &response.ward_code,
    };
    Ok(corrections::correction_refusal(&correction, &corrected))
}

/// The ward the refused copies of a response name, if any.
async fn quarantined_ward(
    connection: &mut AnyConnection,
    record_id: &str,
) -> Result<Option<String>, ServerError> {
    let ward: Option<Option<String>> = sqlx::query_scalar(
        "SELECT ward_code FROM rejected_mutations
         WHERE record_id = $1 AND kind = 'submit_response' AND ward_code IS NOT NULL",
    )
    .bind(record_id)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(ward.flatten())
}

/// Bounds an edit's stamp on receipt (see `thamgia_core::report::bound`),
/// keeping the stamps this push lowered strictly increasing, so a far-ahead
/// tablet's later edit still beats its earlier one.
///
/// Only edits lowered now take part: an edit within the bound (or one
/// bounded on an earlier receipt and sent again) is stored exactly as it
/// came, so sending it again stores nothing new.
fn bound_in_push(edit: &FieldEdit, now: DateTime<Utc>, last: &mut Option<Stamp>) -> FieldEdit {
    let mut bounded = bound(edit.clone(), now.timestamp_millis(), MAX_CLOCK_AHEAD_MS);
    if bounded.stamp == edit.stamp {
        return bounded;
    }
    if let Some(previous) = last {
        if previous.client_id == bounded.stamp.client_id && bounded.stamp.hlc <= previous.hlc {
            bounded.stamp.hlc = previous.hlc;
            bounded.stamp.hlc.counter = bounded.stamp.hlc.counter.saturating_add(1);
        }
    }
    *last = Some(bounded.stamp);
    bounded
}

async fn report_status(
    connection: &mut AnyConnection,
    report_id: &ReportId,
) -> Result<ReportStatus, ServerError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM reports WHERE id = $1")
        .bind(report_id.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    Ok(match status {
        Some(text) => serde_json::from_value(serde_json::Value::String(text))?,
        None => ReportStatus::Draft,
    })
}

async fn ensure_report(
    connection: &mut AnyConnection,
    report_id: &ReportId,
    received_at: &str,
) -> Result<(), ServerError> {
    sqlx::query(
        "INSERT INTO reports (id, ward_code, period, status, status_changed_at)
         VALUES ($1, $2, $3, 'draft', $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(report_id.to_string())
    .bind(report_id.ward_code())
    .bind(report_id.period().to_string())
    .bind(received_at)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Whether a ward code is a unit in force.
pub type KnownWard<'a> = dyn Fn(&str) -> bool + Sync + 'a;

/// A refusal when the record names a ward code that is not a unit in force.
fn unknown_ward(change: &MutationChange, known_ward: &KnownWard<'_>) -> Option<Localized> {
    let ward = mutation_ward(change)?;
    (!known_ward(&ward)).then(|| {
        let ward = limits::quoted(&ward);
        Localized::new(
            format!("Không có phường/xã mã “{ward}” trong danh sách đơn vị hành chính hiện hành của Hà Nội. Hãy chọn lại phường/xã; bản ghi được giữ lại ở máy chủ."),
            format!("There is no ward or commune with code “{ward}” in Hanoi's current list of units. Choose the ward again; the record is kept aside on the server."),
        )
    })
}

/// Why `account` may not send this mutation, if it may not: a record of
/// another ward, or a task of another role.
async fn out_of_scope(
    connection: &mut AnyConnection,
    account: &AccountInfo,
    change: &MutationChange,
) -> Result<Option<Localized>, ServerError> {
    let other_ward = |ward: &str| {
        let ward = limits::quoted(ward);
        Some(Localized::new(
            format!("Tài khoản {} không được gửi dữ liệu của phường/xã {ward}. Bản ghi được giữ lại ở máy chủ để cán bộ thành phố xem xét.", account.username),
            format!("Account {} may not send data of ward {ward}. The record is kept aside on the server for a city officer to review.", account.username),
        ))
    };
    let officers_only = || {
        Some(Localized::new(
            "Chỉ cán bộ phường/xã hoặc cán bộ thành phố được sửa và gửi báo cáo của phường/xã. Bản ghi được giữ lại ở máy chủ.",
            "Only the ward officer or a city officer may edit and submit the ward's report. The record is kept aside on the server.",
        ))
    };
    let refusal = match change {
        MutationChange::SubmitResponse { response } => (!account
            .may_access_ward(&response.ward_code))
        .then(|| other_ward(&response.ward_code))
        .flatten(),
        MutationChange::SubmitForum { forum } => (!account.may_access_ward(&forum.ward_code))
            .then(|| other_ward(&forum.ward_code))
            .flatten(),
        MutationChange::WithdrawResponse { response_id, .. } => {
            match response_ward(connection, *response_id).await? {
                Some(ward) if !account.may_access_ward(&ward) => other_ward(&ward),
                _ => None,
            }
        }
        MutationChange::EditReportField { edit } => {
            let ward = edit.report_id.ward_code();
            if !account.may_access_ward(ward) {
                other_ward(ward)
            } else if !account.may_act_for_ward(ward) {
                officers_only()
            } else {
                None
            }
        }
        MutationChange::ChangeReportStatus { change } => {
            let ward = change.report_id.ward_code();
            if !account.may_access_ward(ward) {
                other_ward(ward)
            } else if !account.may_change_report_status(ward, change.to) {
                if change.to == ReportStatus::Approved {
                    Some(Localized::new(
                        "Chỉ cán bộ thành phố được duyệt báo cáo.",
                        "Only a city officer may approve a report.",
                    ))
                } else {
                    officers_only()
                }
            } else {
                None
            }
        }
        MutationChange::RecordFeedback { feedback } => {
            match crate::forums::recommendation_ward(connection, feedback.recommendation_id).await?
            {
                Some(ward) if !account.may_access_ward(&ward) => other_ward(&ward),
                _ => None,
            }
        }
    };
    Ok(refusal)
}

/// The ward of a stored or withdrawn response, if the server knows it.
pub(crate) async fn response_ward(
    connection: &mut AnyConnection,
    response_id: Uuid,
) -> Result<Option<String>, ServerError> {
    let ward: Option<Option<String>> = sqlx::query_scalar(
        "SELECT ward_code FROM responses WHERE id = $1
         UNION ALL SELECT ward_code FROM withdrawals WHERE response_id = $1
         UNION ALL SELECT ward_code FROM rejected_mutations
             WHERE record_id = $1 AND kind = 'submit_response' AND ward_code IS NOT NULL",
    )
    .bind(response_id.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    Ok(ward.flatten())
}

/// The wire name of a mutation's kind (`submit_forum`, …).
fn mutation_kind(change: &MutationChange) -> String {
    change.kind().to_owned()
}

/// The ward a mutation is about, when it says without a lookup.
fn mutation_ward(change: &MutationChange) -> Option<String> {
    match change {
        MutationChange::SubmitResponse { response } => Some(response.ward_code.clone()),
        MutationChange::SubmitForum { forum } => Some(forum.ward_code.clone()),
        MutationChange::EditReportField { edit } => Some(edit.report_id.ward_code().to_owned()),
        MutationChange::ChangeReportStatus { change } => {
            Some(change.report_id.ward_code().to_owned())
        }
        MutationChange::WithdrawResponse { .. } | MutationChange::RecordFeedback { .. } => None,
    }
}

/// Keeps a refused mutation aside with its reason, for the town hall: who
/// sent it, what and which ward it was, its size and digest, and the record
/// itself up to [`MAX_QUARANTINED_PAYLOAD_BYTES`] (its first bytes beyond).
async fn quarantine(
    connection: &mut AnyConnection,
    refusal: &Refusal<'_>,
    mutation: &thamgia_core::Mutation,
    reason: &Localized,
) -> Result<(), ServerError> {
    let payload = serde_json::to_string(&mutation.change)?;
    let payload_bytes = payload.len();
    let digest = sha256_hex(&payload);
    let complete = payload_bytes <= MAX_QUARANTINED_PAYLOAD_BYTES;
    let kept = if complete {
        payload.as_str()
    } else {
        let mut end = MAX_QUARANTINED_PAYLOAD_BYTES;
        while !payload.is_char_boundary(end) {
            end -= 1;
        }
        &payload[..end]
    };
    let ward = match mutation_ward(&mutation.change) {
        Some(ward) => Some(ward),
        None => match &mutation.change {
            MutationChange::WithdrawResponse { response_id, .. } => {
                response_ward(connection, *response_id).await?
            }
            MutationChange::RecordFeedback { feedback } => {
                crate::forums::recommendation_ward(connection, feedback.recommendation_id).await?
            }
            _ => None,
        },
    };
    // Every text of the row is bounded: a ward or record id is the client's.
    let ward = ward.map(|ward| limits::truncated(&ward, limits::MAX_QUOTED_CHARS));
    let record_id = limits::truncated(refusal.record_id, limits::MAX_LINE_CHARS);
    sqlx::query(
        "INSERT INTO rejected_mutations (client_id, seq, payload, reasons, received_at, record_id,
             sent_by, kind, ward_code, payload_bytes, payload_sha256, payload_complete)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (client_id, seq) DO NOTHING",
    )
    .bind(refusal.client_id)
    .bind(mutation.seq as i64)
    .bind(kept)
    .bind(serde_json::to_string(&[limits::bounded_message(reason)])?)
    .bind(refusal.received_at)
    .bind(record_id)
    .bind(refusal.sent_by)
    .bind(mutation_kind(&mutation.change))
    .bind(ward)
    .bind(payload_bytes as i64)
    .bind(digest)
    .bind(i64::from(complete))
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Who refused what, when: the parts of a quarantined row that come from
/// the push rather than from the record.
struct Refusal<'a> {
    client_id: &'a str,
    record_id: &'a str,
    received_at: &'a str,
    sent_by: Option<&'a str>,
}

fn report_rejection(error: &thamgia_core::report::ReportError) -> MutationOutcome {
    MutationOutcome::Rejected {
        message: error.message(),
    }
}

/// Stores one (bounded) field edit unless the report is locked, and logs it
/// for every tablet. Replays are harmless: an edit is stored once.
async fn edit_report_field(
    connection: &mut AnyConnection,
    edit: &FieldEdit,
    received_at: &str,
) -> Result<MutationOutcome, ServerError> {
    if let Err(error) = edit.validate() {
        return Ok(report_rejection(&error));
    }
    if let Err(error) = report_status(connection, &edit.report_id)
        .await?
        .ensure_editable()
    {
        return Ok(report_rejection(&error));
    }
    ensure_report(connection, &edit.report_id, received_at).await?;
    let stored = serde_json::to_string(edit)?;
    let inserted = sqlx::query(
        "INSERT INTO report_edits (report_id, field, wall_ms, counter, client_id, edit, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(edit.report_id.to_string())
    .bind(edit.field.as_str())
    .bind(edit.stamp.hlc.wall_ms)
    .bind(i64::from(edit.stamp.hlc.counter))
    .bind(edit.stamp.client_id.to_string())
    .bind(&stored)
    .bind(received_at)
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        let payload =
            serde_json::to_string(&ChangeEntity::ReportFieldEdited { edit: edit.clone() })?;
        sqlx::query(
            "INSERT INTO changes (kind, entity_id, payload, created_at, ward_code) VALUES ('report_field', $1, $2, $3, $4)",
        )
        .bind(edit.report_id.to_string())
        .bind(payload)
        .bind(received_at)
        .bind(edit.report_id.ward_code())
        .execute(&mut *connection)
        .await?;
    }
    Ok(MutationOutcome::Applied)
}

/// Applies a status change if it is allowed from the status the server holds.
async fn change_report_status(
    connection: &mut AnyConnection,
    change: &ReportStatusChange,
    received_at: &str,
) -> Result<MutationOutcome, ServerError> {
    let current = report_status(connection, &change.report_id).await?;
    let next = match change.apply_to(current) {
        Ok(next) => next,
        Err(error) => return Ok(report_rejection(&error)),
    };
    if next == current {
        return Ok(MutationOutcome::AlreadyStored);
    }
    ensure_report(connection, &change.report_id, received_at).await?;
    let status_text = serde_json::to_value(next)?
        .as_str()
        .unwrap_or("draft")
        .to_owned();
    sqlx::query("UPDATE reports SET status = $1, status_changed_at = $2 WHERE id = $3")
        .bind(status_text)
        .bind(received_at)
        .bind(change.report_id.to_string())
        .execute(&mut *connection)
        .await?;
    let payload = serde_json::to_string(&ChangeEntity::ReportStatusChanged {
        report_id: change.report_id.clone(),
        status: next,
    })?;
    sqlx::query(
        "INSERT INTO changes (kind, entity_id, payload, created_at, ward_code) VALUES ('report_status', $1, $2, $3, $4)",
    )
    .bind(change.report_id.to_string())
    .bind(payload)
    .bind(received_at)
    .bind(change.report_id.ward_code())
    .execute(&mut *connection)
    .await?;
    Ok(MutationOutcome::Applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_chooses_the_backend() {
        for (url, backend) in [
            ("sqlite:data/thamgia.sqlite3", Backend::Sqlite),
            ("sqlite:///srv/thamgia.sqlite3?mode=rwc", Backend::Sqlite),
            ("postgres://thamgia@localhost/thamgia", Backend::Postgres),
            ("postgresql://thamgia@db:5432/thamgia", Backend::Postgres),
        ] {
            assert_eq!(Backend::of_url(url).expect(url), backend);
        }
        assert!(Backend::of_url("mysql://localhost/thamgia").is_err());
        assert!(Backend::of_url("data/thamgia.sqlite3").is_err());
    }

    #[test]
    fn a_logged_url_has_no_password() {
        let shown = redacted_url("postgres://thamgia:s3cret@db:5432/thamgia?password=other");
        assert!(
            !shown.contains("s3cret") && !shown.contains("other"),
            "{shown}"
        );
        assert!(shown.contains("thamgia@db:5432/thamgia"), "{shown}");
        assert!(!redacted_url("not a url").contains("not a url"));
    }
}
