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

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::account::AccountInfo;
use thamgia_core::protocol::{MAX_PULL_PAGE, MAX_PUSH_BATCH};
use thamgia_core::push_rules::batch::{self, Step, Submit};
use thamgia_core::push_rules::{self, WardLookup};
use thamgia_core::report::Stamp;
use thamgia_core::{corrections, limits};
use thamgia_core::{
    Change, FormEngine, Mutation, MutationChange, MutationOutcome, MutationResult, PullRequest,
    PullResponse, PushRequest, PushResponse, Response, SurveyDefinition, SCHEMA_VERSION,
};

use super::forums::recommendation_ward;
use super::quarantine::{insert_quarantined, QuarantineRow};
use super::reports::{bound_in_push, change_report_status, edit_report_field};
use super::responses::{
    held_responses, insert_conflicts, insert_responses, response_ward, submit_response, withdraw,
    HeldResponses, NewConflict, NewResponse, Submission,
};
use super::surveys::{load_survey, CompiledSurvey};
use super::{rows_per_statement, sha256_hex, statement_chunks, timestamp, values_list, Database};
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
        let today = now.date_naive();

        // Before the write lock, what needs none (a published survey
        // version never changes): each record's id, and each submitted
        // response as stored, its digest and what its survey's rules say.
        let mut surveys = self.compiled_surveys(request).await?;
        let record_ids: Vec<String> = request
            .mutations
            .iter()
            .map(|mutation| mutation.change.record_id())
            .collect();
        let mut submitted = prepare(request, &surveys, today)?;

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
                        prepared.refusal = rules_refusal(&surveys, response, today);
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
            let prepared = submitted.get(index).and_then(Option::as_ref);
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
                        (&mutation.change, prepared)
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
                            let refusal = prepared.and_then(|prepared| prepared.refusal.as_ref());
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

/// A survey version: its id and number.
type SurveyKey = (String, u32);

/// The survey versions a push's responses answer, compiled (`None`: not
/// held).
type Surveys = HashMap<SurveyKey, Option<CompiledSurvey>>;

fn survey_key(response: &Response) -> SurveyKey {
    (response.survey_id.clone(), response.survey_version)
}

/// A survey version read and compiled; `None` when the store holds none
/// (or it does not compile). An id holding a NUL is held by no store, and
/// is not asked for: PostgreSQL's text cannot hold one, and the query
/// would fail the whole push.
async fn read_survey(
    connection: &mut AnyConnection,
    key: &SurveyKey,
) -> Result<Option<CompiledSurvey>, ServerError> {
    if key.0.contains('\0') {
        return Ok(None);
    }
    let survey: Option<SurveyDefinition> = load_survey(connection, &key.0, key.1).await?;
    Ok(survey.and_then(|survey| {
        FormEngine::compile(&survey)
            .ok()
            .map(|engine| (survey, engine))
    }))
}

/// What the rules of its survey say of a submitted response.
fn rules_refusal(
    surveys: &Surveys,
    response: &Response,
    today: NaiveDate,
) -> Option<MutationOutcome> {
    let survey = surveys
        .get(&survey_key(response))
        .and_then(Option::as_ref)
        .map(|compiled| (&compiled.0, &compiled.1));
    batch::submission_refusal(survey, response, today)
}

/// A submitted response as the push needs it, made before the write lock.
struct Prepared {
    /// The response as stored (`responses.content`).
    content: String,
    /// Its digest (`content_sha256`).
    sha256: String,
    /// What its survey's rules say of it.
    refusal: Option<MutationOutcome>,
}

/// Each mutation's [`Prepared`] response, for those that submit one.
fn prepare(
    request: &PushRequest,
    surveys: &Surveys,
    today: NaiveDate,
) -> Result<Vec<Option<Prepared>>, ServerError> {
    request
        .mutations
        .iter()
        .map(|mutation| -> Result<Option<Prepared>, ServerError> {
            let MutationChange::SubmitResponse { response } = &mutation.change else {
                return Ok(None);
            };
            let content = serde_json::to_string(response)?;
            let sha256 = sha256_hex(&content);
            Ok(Some(Prepared {
                content,
                sha256,
                refusal: rules_refusal(surveys, response, today),
            }))
        })
        .collect()
}

/// The record id and outcome logged at each of the batch's seqs at or
/// below `stored_last` (those sent again), read at once.
async fn logged_outcomes(
    connection: &mut AnyConnection,
    client_id: &str,
    request: &PushRequest,
    stored_last: u64,
) -> Result<HashMap<u64, (String, String)>, ServerError> {
    let mut seqs: Vec<i64> = request
        .mutations
        .iter()
        .map(|mutation| mutation.seq)
        .filter(|seq| *seq <= stored_last)
        .map(|seq| seq as i64)
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    let mut logged: HashMap<u64, (String, String)> = HashMap::with_capacity(seqs.len());
    for chunk in statement_chunks(&seqs, rows_per_statement("?", 1)) {
        let statement = format!(
            "SELECT seq, record_id, outcome FROM mutation_log
             WHERE client_id = $1 AND seq IN ({})",
            values_list("?", chunk.len(), 2)
        );
        let mut query = sqlx::query(&statement).bind(client_id);
        for seq in chunk {
            query = query.bind(*seq);
        }
        for row in query.fetch_all(&mut *connection).await? {
            let seq: i64 = row.try_get("seq")?;
            logged.insert(
                seq as u64,
                (row.try_get("record_id")?, row.try_get("outcome")?),
            );
        }
    }
    Ok(logged)
}

/// The response ids of the run of submissions the batch decides from
/// `start`: up to the first mutation applied one by one.
fn run_ids(steps: &[Step], mutations: &[Mutation], start: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for (step, mutation) in steps.iter().zip(mutations).skip(start) {
        if *step != Step::Apply {
            continue;
        }
        match &mutation.change {
            MutationChange::SubmitResponse { response } if batch::batched(&mutation.change) => {
                ids.push(response.id.to_string());
            }
            _ => break,
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Why the account may not send a record that names its ward, if it may
/// not (the scope rules need nothing read for it).
fn scope_refusal(
    scope: Option<(&AccountInfo, &KnownWard<'_>)>,
    change: &MutationChange,
) -> Option<thamgia_core::Refusal> {
    let (account, known_ward) = scope?;
    push_rules::unknown_ward(change, known_ward)
        .or_else(|| push_rules::out_of_scope(account, change, None))
}

/// Core's decision for a submitted response the batch decides, its writes
/// queued and what is held updated; `None` when it is left to the
/// one-by-one path.
fn decide(
    response: &Response,
    prepared: &Prepared,
    seq: u64,
    held: &mut HeldResponses,
    writes: &mut Writes,
) -> Result<Option<MutationOutcome>, ServerError> {
    let id = response.id.to_string();
    let decision = batch::submission(
        response,
        held.of(&id),
        prepared.refusal.as_ref(),
        &prepared.sha256,
    );
    Ok(Some(match decision {
        Submit::Withdrawn => MutationOutcome::Withdrawn,
        Submit::Refused(refusal) => refusal,
        Submit::Store => {
            writes.responses.push(NewResponse::of(
                response,
                &prepared.content,
                &prepared.sha256,
                seq,
            )?);
            // Held from now on, for the rest of the batch.
            held.stored.insert(id, prepared.sha256.clone());
            MutationOutcome::Applied
        }
        Submit::AlreadyStored => MutationOutcome::AlreadyStored,
        Submit::Conflict => {
            writes.conflicts.push(NewConflict {
                response_id: id,
                content: prepared.content.clone(),
                content_sha256: prepared.sha256.clone(),
                seq: seq as i64,
            });
            batch::response_conflict()
        }
        Submit::OneByOne => return Ok(None),
    }))
}

/// What a refusal or a conflict says, bounded whatever the record held.
fn bounded(outcome: MutationOutcome) -> MutationOutcome {
    match outcome {
        MutationOutcome::Rejected { code, message } => MutationOutcome::Rejected {
            code,
            message: limits::bounded_message(&message),
        },
        MutationOutcome::Conflict { message } => MutationOutcome::Conflict {
            message: limits::bounded_message(&message),
        },
        other => other,
    }
}

/// What every mutation of a push shares.
struct Context<'a> {
    client_id: &'a str,
    received_at: &'a str,
    now: DateTime<Utc>,
    /// The account that sent the push, if it is scoped.
    sent_by: Option<&'a str>,
}

/// A mutation applied, as the log keeps it for replays.
struct LogRow {
    seq: i64,
    record_id: String,
    outcome: String,
}

/// What the push decided and has not written yet: new responses (and
/// their cells), conflicting copies, refused records, and log rows. The
/// records are written ([`Writes::flush`]) before a mutation applied one
/// by one (it reads them) and at the end, the log (read by nothing but a
/// later push) at the end; each kind with multi-row statements.
#[derive(Default)]
struct Writes {
    responses: Vec<NewResponse>,
    conflicts: Vec<NewConflict>,
    quarantined: Vec<QuarantineRow>,
    log: Vec<LogRow>,
}

impl Writes {
    async fn flush(
        &mut self,
        connection: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), ServerError> {
        let responses = std::mem::take(&mut self.responses);
        if !responses.is_empty() {
            let cells: Vec<(&str, &str, &str)> = responses
                .iter()
                .map(|row| {
                    (
                        row.survey_id.as_str(),
                        row.ward_code.as_str(),
                        row.quarter.as_str(),
                    )
                })
                .collect();
            // The results of each response's ward and quarter gain it.
            let revisions = super::results::cells_added(connection, &cells).await?;
            insert_responses(
                connection,
                &responses,
                &revisions,
                context.client_id,
                context.received_at,
            )
            .await?;
        }
        let conflicts = std::mem::take(&mut self.conflicts);
        if !conflicts.is_empty() {
            insert_conflicts(
                connection,
                &conflicts,
                context.client_id,
                context.received_at,
            )
            .await?;
        }
        let quarantined = std::mem::take(&mut self.quarantined);
        if !quarantined.is_empty() {
            insert_quarantined(
                connection,
                &quarantined,
                context.client_id,
                context.received_at,
                context.sent_by,
            )
            .await?;
        }
        Ok(())
    }
}

/// Logs applied mutations with their outcomes, with multi-row statements
/// (nothing for none).
async fn insert_log(
    connection: &mut AnyConnection,
    rows: &[LogRow],
    client_id: &str,
    received_at: &str,
) -> Result<(), ServerError> {
    // $1 the client, $2 the time received: the push's.
    const TUPLE: &str = "($1, ?, ?, ?, $2)";
    for chunk in statement_chunks(rows, rows_per_statement(TUPLE, 2)) {
        let statement = format!(
            "INSERT INTO mutation_log (client_id, seq, record_id, outcome, received_at) VALUES {}",
            values_list(TUPLE, chunk.len(), 3)
        );
        let mut query = sqlx::query(&statement).bind(client_id).bind(received_at);
        for row in chunk {
            query = query
                .bind(row.seq)
                .bind(row.record_id.as_str())
                .bind(row.outcome.as_str());
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

/// Applies one mutation the batch does not decide, as every mutation was
/// applied before pushes were decided as batches: the scope rules (the
/// ward read for a record that does not name it), then its aggregate's
/// module. `refusal` is what its survey's rules say of a submitted
/// response. The outcome is not yet bounded, kept aside or logged.
async fn apply_one(
    connection: &mut AnyConnection,
    mutation: &Mutation,
    scope: Option<(&AccountInfo, &KnownWard<'_>)>,
    refusal: Option<&MutationOutcome>,
    context: &Context<'_>,
    last_bounded: &mut Option<Stamp>,
) -> Result<MutationOutcome, ServerError> {
    let account = scope.map(|(account, _)| account);
    let refused = match scope {
        Some((account, known_ward)) => {
            match push_rules::unknown_ward(&mutation.change, known_ward) {
                Some(refusal) => Some(refusal),
                None => {
                    let read = looked_up_ward(connection, &mutation.change).await?;
                    push_rules::out_of_scope(account, &mutation.change, read.as_deref())
                }
            }
        }
        None => None,
    };
    if let Some(refusal) = refused {
        return Ok(MutationOutcome::from(refusal));
    }
    let Context {
        client_id,
        received_at,
        now,
        ..
    } = *context;
    Ok(match &mutation.change {
        MutationChange::SubmitResponse { response } => {
            let submission = Submission {
                client_id,
                seq: mutation.seq,
                received_at,
            };
            submit_response(connection, refusal, &submission, response).await?
        }
        MutationChange::WithdrawResponse {
            response_id,
            withdrawn_at,
        } => {
            if withdraw(
                connection,
                *response_id,
                *withdrawn_at,
                received_at,
                "tablet",
                corrections::tombstone_ward(account),
            )
            .await?
            {
                let action = thamgia_core::audit::AuditAction::ResponseWithdrawn;
                let ward = response_ward(connection, *response_id).await?;
                super::audit::withdrawn(
                    connection,
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
            let bounded = bound_in_push(edit, now, last_bounded);
            edit_report_field(connection, &bounded, received_at).await?
        }
        MutationChange::ChangeReportStatus { change } => {
            let outcome = change_report_status(connection, change, received_at).await?;
            super::audit::report_status(connection, account, change, &outcome, now).await?;
            outcome
        }
        MutationChange::SubmitForum { forum } => {
            super::forums::submit_forum(connection, forum, client_id, received_at).await?
        }
        MutationChange::RecordFeedback { feedback } => {
            super::forums::record_feedback(connection, feedback, received_at).await?
        }
    })
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
