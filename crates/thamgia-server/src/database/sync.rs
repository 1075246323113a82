//! The sync protocol's two exchanges: a push applied in one write
//! transaction (replays, gaps, reused seqs, the ward and role scope, each
//! mutation handed to its aggregate's module) and a pull paged by the change
//! log's seq, with its change tokens.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::account::AccountInfo;
use thamgia_core::protocol::{MAX_PULL_PAGE, MAX_PUSH_BATCH};
use thamgia_core::push_rules::{self, WardLookup};
use thamgia_core::report::Stamp;
use thamgia_core::{corrections, limits};
use thamgia_core::{
    Change, FormEngine, MutationChange, MutationOutcome, MutationResult, PullRequest, PullResponse,
    PushRequest, PushResponse, PushStatus, SCHEMA_VERSION,
};

use super::forums::recommendation_ward;
use super::quarantine::{quarantine, Refusal};
use super::reports::{bound_in_push, change_report_status, edit_report_field};
use super::responses::{response_ward, submit_response, withdraw, Submission};
use super::surveys::{load_survey, CompiledSurvey};
use super::{sha256_hex, timestamp, Database};
use crate::error::ServerError;

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
                Some((account, known_ward)) => {
                    match push_rules::unknown_ward(&mutation.change, known_ward) {
                        Some(refusal) => Some(refusal),
                        None => {
                            let read = looked_up_ward(&mut transaction, &mutation.change).await?;
                            push_rules::out_of_scope(account, &mutation.change, read.as_deref())
                        }
                    }
                }
                None => None,
            };
            let outcome = if let Some(refusal) = refusal {
                MutationOutcome::from(refusal)
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
                            let ward = response_ward(&mut transaction, *response_id).await?;
                            super::audit::withdrawn(
                                &mut transaction,
                                account,
                                action,
                                *response_id,
                                ward.as_deref(),
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
                        super::audit::report_status(
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
                        super::forums::submit_forum(
                            &mut transaction,
                            forum,
                            &client_id,
                            &received_at,
                        )
                        .await?
                    }
                    MutationChange::RecordFeedback { feedback } => {
                        super::forums::record_feedback(&mut transaction, feedback, &received_at)
                            .await?
                    }
                }
            };
            // What a refusal says is bounded whatever the record held: it
            // is logged, kept aside and sent back.
            let outcome = match outcome {
                MutationOutcome::Rejected { code, message } => MutationOutcome::Rejected {
                    code,
                    message: limits::bounded_message(&message),
                },
                MutationOutcome::Conflict { message } => MutationOutcome::Conflict {
                    message: limits::bounded_message(&message),
                },
                other => other,
            };
            if let MutationOutcome::Rejected { message, .. } = &outcome {
                // Every refused record is kept whole with its reason (a
                // response is already, with each of its reasons).
                let refusal = Refusal {
                    client_id: &client_id,
                    record_id: &record_id,
                    received_at: &received_at,
                    sent_by: account.map(|account| account.username.as_str()),
                };
                let ward = match push_rules::mutation_ward(&mutation.change) {
                    Some(ward) => Some(ward),
                    None => looked_up_ward(&mut transaction, &mutation.change).await?,
                };
                quarantine(&mut transaction, &refusal, mutation, ward, message).await?;
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

/// Whether a ward code is a unit in force.
pub type KnownWard<'a> = dyn Fn(&str) -> bool + Sync + 'a;

/// The ward the server holds for a record that does not name its own (see
/// [`push_rules::ward_lookup`]); `None` when it names it or none is known.
async fn looked_up_ward(
    connection: &mut AnyConnection,
    change: &MutationChange,
) -> Result<Option<String>, ServerError> {
    match push_rules::ward_lookup(change) {
        WardLookup::Named => Ok(None),
        WardLookup::Response(response_id) => response_ward(connection, response_id).await,
        WardLookup::Recommendation(id) => recommendation_ward(connection, id).await,
    }
}
