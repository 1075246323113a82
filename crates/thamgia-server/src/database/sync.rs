//! The sync protocol's two exchanges: a push applied in one write
//! transaction (replays, gaps, reused seqs, the ward and role scope, each
//! mutation handed to its aggregate's module) and a pull paged by the change
//! log's seq, with its change tokens.
//!
//! A push is decided as a batch (`thamgia_core::push_rules::batch`). What
//! needs no lock comes first: each record's id, and each submitted
//! response serialised, its digest and what its survey's rules say. Under
//! the write lock: one read of the log for the seqs sent again, core's
//! numbering of the batch, one read of what the store holds under the
//! response ids of each run of submissions, core's decision for each in
//! the batch's order, and the decisions written with multi-row statements
//! (the responses and their cells, conflicting copies, refused records,
//! the log). A mutation core leaves to one-by-one application (a
//! withdrawal, a correction, a report edit or status, a forum, feedback,
//! a response meeting another ward's tombstone) is handed to its
//! aggregate's module once everything before it is written, as every
//! mutation was before: the outcomes are those of the batch applied one
//! mutation after the other.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::Row;
use thamgia_core::account::AccountInfo;
use thamgia_core::protocol::{
    pull_page_takes, withheld_change_kinds, MAX_PULL_PAGE, MAX_PUSH_BATCH,
};
use thamgia_core::push_rules;
use thamgia_core::push_rules::batch::{self, Step};
use thamgia_core::report::Stamp;
use thamgia_core::{
    Change, MutationChange, MutationOutcome, MutationResult, PullRequest, PullResponse,
    PushRequest, PushResponse, SCHEMA_VERSION,
};

use super::quarantine::QuarantineRow;
use super::responses::{held_responses, HeldResponses};
use super::{sha256_hex, timestamp, Database};
use crate::error::ServerError;

mod push_batch;

pub use push_batch::KnownWard;
use push_batch::{
    apply_one, bounded, decide, insert_log, logged_outcomes, looked_up_ward, prepare, read_survey,
    rules_refusal, run_ids, scope_refusal, survey_key, Context, LogRow, SurveyKey, Surveys, Writes,
};

impl Database {
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

        // Before the write lock, what needs none (a published survey
        // version never changes): each record's id, and each submitted
        // response as stored, its digest and what its survey's rules say.
        let mut surveys = self.compiled_surveys(request).await?;
        let record_ids: Vec<String> = request
            .mutations
            .iter()
            .map(|mutation| mutation.change.record_id())
            .collect();
        let mut submitted = prepare(request, &surveys)?;

        let mut transaction = self.begin_write().await?;
        // A survey version published since it was read: its responses are
        // judged by it, as they would have been under the lock.
        let missing: Vec<SurveyKey> = surveys
            .iter()
            .filter(|(_, survey)| survey.is_none())
            .map(|(key, _)| key.clone())
            .collect();
        let mut published_since = HashSet::new();
        for key in missing {
            let survey = read_survey(&mut transaction, &key).await?;
            if survey.is_some() {
                published_since.insert(key.clone());
                surveys.insert(key, survey);
            }
        }
        if !published_since.is_empty() {
            for (mutation, prepared) in request.mutations.iter().zip(submitted.iter_mut()) {
                if let (MutationChange::SubmitResponse { response }, Some(prepared)) =
                    (&mutation.change, prepared.as_mut())
                {
                    if published_since.contains(&survey_key(response)) {
                        prepared.refusal = rules_refusal(&surveys, response);
                    }
                }
            }
        }

        let stored_last: Option<i64> =
            sqlx::query_scalar("SELECT last_seq FROM clients WHERE client_id = $1")
                .bind(&client_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let stored_last = stored_last.unwrap_or(0).max(0) as u64;
        let logged = logged_outcomes(&mut transaction, &client_id, request, stored_last).await?;
        let numbered: Vec<(u64, &str)> = request
            .mutations
            .iter()
            .zip(&record_ids)
            .map(|(mutation, record_id)| (mutation.seq, record_id.as_str()))
            .collect();
        let logged_records = &logged;
        let plan = batch::sequence(stored_last, &numbered, move |seq| {
            logged_records
                .get(&seq)
                .map(|(record_id, _)| record_id.as_str())
        });

        let context = Context {
            client_id: &client_id,
            received_at: &received_at,
            now,
            sent_by: account.map(|account| account.username.as_str()),
        };
        let mut writes = Writes::default();
        // What the store holds under the ids of the run of submissions
        // being decided; read again after a mutation applied one by one.
        let mut held: Option<HeldResponses> = None;
        // The last stamp bounded in this push: bounded edits stay strictly
        // increasing, so a far-ahead tablet's later edit still beats its
        // earlier one.
        let mut last_bounded: Option<Stamp> = None;
        let mut outcomes: Vec<MutationOutcome> = Vec::with_capacity(plan.steps.len());

        for (index, (step, mutation)) in plan.steps.iter().zip(&request.mutations).enumerate() {
            let record_id = record_ids
                .get(index)
                .ok_or_else(|| ServerError::Internal("a mutation without its id".to_owned()))?;
            let mut prepared = submitted.get_mut(index).and_then(Option::as_mut);
            let outcome = match *step {
                Step::Logged => {
                    let (_, outcome) = logged.get(&mutation.seq).ok_or_else(|| {
                        ServerError::Internal("a replay without its logged outcome".to_owned())
                    })?;
                    serde_json::from_str(outcome)?
                }
                Step::Repeated { earlier } => outcomes.get(earlier).cloned().ok_or_else(|| {
                    ServerError::Internal("a seq repeated before it was applied".to_owned())
                })?,
                Step::Apply => {
                    let mut decided = None;
                    if let (MutationChange::SubmitResponse { response }, Some(prepared)) =
                        (&mutation.change, prepared.as_deref_mut())
                    {
                        if batch::batched(&mutation.change) {
                            decided = match scope_refusal(scope, &mutation.change) {
                                Some(refusal) => Some(MutationOutcome::from(refusal)),
                                None => {
                                    if held.is_none() {
                                        let ids = run_ids(&plan.steps, &request.mutations, index);
                                        held = Some(held_responses(&mut transaction, &ids).await?);
                                    }
                                    let Some(facts) = held.as_mut() else {
                                        return Err(ServerError::Internal(
                                            "the responses held were not read".to_owned(),
                                        ));
                                    };
                                    decide(response, prepared, mutation.seq, facts, &mut writes)?
                                }
                            };
                        }
                    }
                    let outcome = match decided {
                        Some(outcome) => outcome,
                        None => {
                            // It reads the store: the records decided before
                            // it are written first, and what is held is read
                            // again after it.
                            writes.flush(&mut transaction, &context).await?;
                            held = None;
                            if prepared.is_none()
                                && matches!(mutation.change, MutationChange::SubmitResponse { .. })
                            {
                                // Never: every submitted response is prepared.
                                return Err(ServerError::Internal(
                                    "a submitted response was not prepared".to_owned(),
                                ));
                            }
                            let refusal = prepared
                                .as_deref()
                                .and_then(|prepared| prepared.refusal.as_ref());
                            apply_one(
                                &mut transaction,
                                mutation,
                                scope,
                                refusal,
                                &context,
                                &mut last_bounded,
                            )
                            .await?
                        }
                    };
                    // What a refusal says is bounded whatever the record
                    // held: it is logged, kept aside and sent back.
                    let outcome = bounded(outcome);
                    if let MutationOutcome::Rejected { message, .. } = &outcome {
                        // Every refused record is kept whole with its reason
                        // (a response is already, with each of its reasons).
                        let ward = match push_rules::mutation_ward(&mutation.change) {
                            Some(ward) => Some(ward),
                            None => looked_up_ward(&mut transaction, &mutation.change).await?,
                        };
                        writes
                            .quarantined
                            .push(QuarantineRow::new(mutation, record_id, ward, message)?);
                    }
                    writes.log.push(LogRow {
                        seq: mutation.seq as i64,
                        record_id: record_id.clone(),
                        outcome: serde_json::to_string(&outcome)?,
                    });
                    outcome
                }
            };
            outcomes.push(outcome);
        }
        writes.flush(&mut transaction, &context).await?;
        insert_log(&mut transaction, &writes.log, &client_id, &received_at).await?;

        sqlx::query(
            "INSERT INTO clients (client_id, last_seq, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (client_id) DO UPDATE SET last_seq = excluded.last_seq,
                 updated_at = excluded.updated_at",
        )
        .bind(&client_id)
        .bind(plan.last_seq as i64)
        .bind(&received_at)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(PushResponse {
            last_seq: plan.last_seq,
            status: plan.status,
            results: request
                .mutations
                .iter()
                .zip(outcomes)
                .map(|(mutation, outcome)| MutationResult {
                    seq: mutation.seq,
                    outcome,
                })
                .collect(),
        })
    }

    /// Each survey version the push's responses answer, read and compiled
    /// (`None`: the server holds no such version), outside the write lock.
    async fn compiled_surveys(&self, request: &PushRequest) -> Result<Surveys, ServerError> {
        let mut keys: Vec<SurveyKey> = Vec::new();
        let mut seen: HashSet<SurveyKey> = HashSet::new();
        for mutation in &request.mutations {
            if let MutationChange::SubmitResponse { response } = &mutation.change {
                let key = survey_key(response);
                if seen.insert(key.clone()) {
                    keys.push(key);
                }
            }
        }
        let mut surveys = Surveys::new();
        if keys.is_empty() {
            return Ok(surveys);
        }
        let mut connection = self.pool.acquire().await?;
        for key in keys {
            let survey = read_survey(&mut connection, &key).await?;
            surveys.insert(key, survey);
        }
        Ok(surveys)
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
                server_time_ms: None,
            });
        }
        // One row more than the page tells whether another page follows.
        // Rows are read one at a time, and the page ends early once its
        // changes fill their bytes (`pull_page_takes`).
        // Kinds of change the app does not know are left out of its pages
        // (`withheld_change_kinds`): placeholders appear in the order they
        // are bound, as SQLite numbers them by their first appearance.
        let withheld = withheld_change_kinds(&request.understands);
        let mut sql = String::from(
            "SELECT seq, payload FROM changes
             WHERE seq > $1 AND (ward_code IS NULL OR $2 IS NULL OR ward_code = $3)",
        );
        for number in 0..withheld.len() {
            sql.push_str(&format!(" AND kind <> ${}", 4 + number));
        }
        sql.push_str(&format!(" ORDER BY seq LIMIT ${}", 4 + withheld.len()));
        let mut query = sqlx::query(&sql)
            .bind(request.cursor as i64)
            .bind(&request.ward_code)
            .bind(&request.ward_code);
        for kind in &withheld {
            query = query.bind(*kind);
        }
        let mut rows = query.bind(i64::from(limit) + 1).fetch(&self.pool);
        let mut changes = Vec::new();
        let mut page_bytes = 0;
        let mut has_more = false;
        while let Some(row) = rows.try_next().await? {
            let payload: &str = row.get("payload");
            if !pull_page_takes(changes.len(), page_bytes, payload.len(), limit as usize) {
                has_more = true;
                break;
            }
            page_bytes += payload.len();
            changes.push(Change {
                seq: row.get::<i64, _>("seq") as u64,
                entity: serde_json::from_str(payload)?,
            });
        }
        drop(rows);
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
            server_time_ms: None,
        })
    }

    /// The token of change `seq`: a digest of its number, the time it was
    /// logged and its content, so a tablet sending it back with its cursor
    /// shows which history it saw. The time matters: after a restore from
    /// an older backup, a record sent again can be logged at the very seq,
    /// with the very content, the tablet saw before, while the changes
    /// before it differ. `None` for the start of the log, or a change the
    /// server does not hold.
    async fn change_token(&self, seq: u64) -> Result<Option<String>, ServerError> {
        if seq == 0 {
            return Ok(None);
        }
        let row = sqlx::query("SELECT payload, created_at FROM changes WHERE seq = $1")
            .bind(seq as i64)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| {
            let payload: String = row.get("payload");
            let created_at: String = row.get("created_at");
            let mut digest = sha256_hex(&format!("{seq}:{created_at}:{payload}"));
            digest.truncate(32);
            digest
        }))
    }
}
