//! The parts of a push below [`Database::push`](crate::database::Database::push):
//! what is prepared before the write lock (surveys compiled, each
//! submission serialised, hashed, compressed and checked), the reads that
//! decide a batch (the log's outcomes for seqs sent again, what the store
//! holds under a run of ids), core's decisions turned into rows, the
//! multi-row writes, and the one-by-one application of what core leaves
//! to it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::account::AccountInfo;
use thamgia_core::push_rules::batch::{self, Step, Submit};
use thamgia_core::push_rules::{self, WardLookup};
use thamgia_core::report::Stamp;
use thamgia_core::{corrections, limits};
use thamgia_core::{
    FormEngine, Mutation, MutationChange, MutationOutcome, PushRequest, Response, SurveyDefinition,
};

use crate::database::forums::recommendation_ward;
use crate::database::quarantine::{insert_quarantined, QuarantineRow};
use crate::database::reports::{bound_in_push, change_report_status, edit_report_field};
use crate::database::responses::content::Encoder;
use crate::database::responses::{
    insert_conflicts, insert_responses, response_ward, submit_response, withdraw, HeldResponses,
    NewConflict, NewResponse, Submission,
};
use crate::database::surveys::{load_survey, CompiledSurvey};
use crate::database::{
    bind_padding, insert_chunks, insert_failing_whole, insert_rows, rows_per_statement, sha256_hex,
    statement_chunks, values_list,
};
use crate::error::ServerError;

/// A survey version: its id and number.
pub(super) type SurveyKey = (String, u32);

/// The survey versions a push's responses answer, compiled (`None`: not
/// held).
pub(super) type Surveys = HashMap<SurveyKey, Option<CompiledSurvey>>;

pub(super) fn survey_key(response: &Response) -> SurveyKey {
    (response.survey_id.clone(), response.survey_version)
}

/// A survey version read and compiled; `None` when the store holds none
/// (or it does not compile). An id holding a NUL is held by no store, and
/// is not asked for: PostgreSQL's text cannot hold one, and the query
/// would fail the whole push.
pub(super) async fn read_survey(
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
pub(super) fn rules_refusal(surveys: &Surveys, response: &Response) -> Option<MutationOutcome> {
    let survey = surveys
        .get(&survey_key(response))
        .and_then(Option::as_ref)
        .map(|compiled| (&compiled.0, &compiled.1));
    batch::submission_refusal(survey, response)
}

/// A submitted response as the push needs it, made before the write lock
/// (serialising, hashing and compressing it, checking it against its
/// survey and making its row take time no other writer should wait for).
pub(super) struct Prepared {
    /// Its row, should the batch store it: the JSON compressed
    /// (`responses.content`), the JSON's digest (`content_sha256`) and
    /// every column made from it. Taken when it is stored.
    row: Option<NewResponse>,
    /// What its survey's rules say of it.
    pub(super) refusal: Option<MutationOutcome>,
}

/// Each mutation's [`Prepared`] response, for those that submit one (one
/// compressor for them all).
pub(super) fn prepare(
    request: &PushRequest,
    surveys: &Surveys,
) -> Result<Vec<Option<Prepared>>, ServerError> {
    let mut encoder = Encoder::new();
    request
        .mutations
        .iter()
        .map(|mutation| -> Result<Option<Prepared>, ServerError> {
            let MutationChange::SubmitResponse { response } = &mutation.change else {
                return Ok(None);
            };
            let json = serde_json::to_string(response)?;
            let sha256 = sha256_hex(&json);
            let content = encoder.encode(&json);
            Ok(Some(Prepared {
                row: Some(NewResponse::of(response, content, sha256, mutation.seq)?),
                refusal: rules_refusal(surveys, response),
            }))
        })
        .collect()
}

/// The record id and outcome logged at each of the batch's seqs at or
/// below `stored_last` (those sent again), read at once.
pub(super) async fn logged_outcomes(
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
    for chunk in statement_chunks(&seqs, rows_per_statement(connection, "?", 1)) {
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
pub(super) fn run_ids(steps: &[Step], mutations: &[Mutation], start: usize) -> Vec<String> {
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
pub(super) fn scope_refusal(
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
pub(super) fn decide(
    response: &Response,
    prepared: &mut Prepared,
    seq: u64,
    held: &mut HeldResponses,
    writes: &mut Writes,
) -> Result<Option<MutationOutcome>, ServerError> {
    let Some(row) = prepared.row.as_ref() else {
        return Err(ServerError::Internal(
            "a response decided after it was stored".to_owned(),
        ));
    };
    let decision = batch::submission(
        response,
        held.of(&row.id),
        prepared.refusal.as_ref(),
        &row.content_sha256,
    );
    Ok(Some(match decision {
        Submit::Withdrawn => MutationOutcome::Withdrawn,
        Submit::Refused(refusal) => refusal,
        Submit::Store => {
            // Held from now on, for the rest of the batch.
            held.stored
                .insert(row.id.clone(), row.content_sha256.clone());
            if let Some(row) = prepared.row.take() {
                writes.responses.push(row);
            }
            MutationOutcome::Applied
        }
        Submit::AlreadyStored => MutationOutcome::AlreadyStored,
        Submit::Conflict => {
            writes.conflicts.push(NewConflict {
                response_id: row.id.clone(),
                content: row.content.clone(),
                content_sha256: row.content_sha256.clone(),
                seq: seq as i64,
            });
            batch::response_conflict()
        }
        Submit::OneByOne => return Ok(None),
    }))
}

/// What a refusal or a conflict says, bounded whatever the record held.
pub(super) fn bounded(outcome: MutationOutcome) -> MutationOutcome {
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
pub(super) struct Context<'a> {
    pub(super) client_id: &'a str,
    pub(super) received_at: &'a str,
    pub(super) now: DateTime<Utc>,
    /// The account that sent the push, if it is scoped.
    pub(super) sent_by: Option<&'a str>,
}

/// A mutation applied, as the log keeps it for replays.
pub(super) struct LogRow {
    pub(super) seq: i64,
    pub(super) record_id: String,
    pub(super) outcome: String,
}

/// What the push decided and has not written yet: new responses (and
/// their cells), conflicting copies, refused records, and log rows. The
/// records are written ([`Writes::flush`]) before a mutation applied one
/// by one (it reads them) and at the end, the log (read by nothing but a
/// later push) at the end; each kind with multi-row statements.
#[derive(Default)]
pub(super) struct Writes {
    pub(super) responses: Vec<NewResponse>,
    pub(super) conflicts: Vec<NewConflict>,
    pub(super) quarantined: Vec<QuarantineRow>,
    pub(super) log: Vec<LogRow>,
}

impl Writes {
    pub(super) async fn flush(
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
            let revisions = crate::database::results::cells_added(connection, &cells).await?;
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
/// (nothing for none). A failure rolls the whole push back.
pub(super) async fn insert_log(
    connection: &mut AnyConnection,
    rows: &[LogRow],
    client_id: &str,
    received_at: &str,
) -> Result<(), ServerError> {
    const TUPLE: &str = "(?, ?, ?, ?, ?)";
    for chunk in insert_chunks(connection, rows, TUPLE) {
        let statement = format!(
            "{} mutation_log (client_id, seq, record_id, outcome, received_at) {}",
            insert_failing_whole(connection),
            insert_rows(connection, TUPLE, &chunk)
        );
        let mut query = sqlx::query(&statement);
        for row in chunk.items {
            query = query
                .bind(client_id)
                .bind(row.seq)
                .bind(row.record_id.as_str())
                .bind(row.outcome.as_str())
                .bind(received_at);
        }
        let logged = bind_padding(query, TUPLE, &chunk)
            .execute(&mut *connection)
            .await?
            .rows_affected();
        // A row the padding's filter left out would be a mutation whose
        // outcome a replay could not find.
        if logged != chunk.items.len() as u64 {
            return Err(ServerError::Internal(format!(
                "{logged} of {} log rows written",
                chunk.items.len()
            )));
        }
    }
    Ok(())
}

/// Applies one mutation the batch does not decide, as every mutation was
/// applied before pushes were decided as batches: the scope rules (the
/// ward read for a record that does not name it), then its aggregate's
/// module. `refusal` is what its survey's rules say of a submitted
/// response. The outcome is not yet bounded, kept aside or logged.
pub(super) async fn apply_one(
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
                crate::database::audit::withdrawn(
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
            crate::database::audit::report_status(connection, account, change, &outcome, now)
                .await?;
            outcome
        }
        MutationChange::SubmitForum { forum } => {
            crate::database::forums::submit_forum(connection, forum, client_id, received_at).await?
        }
        MutationChange::RecordFeedback { feedback } => {
            crate::database::forums::record_feedback(connection, feedback, received_at).await?
        }
    })
}

/// Whether a ward code is a unit in force.
pub type KnownWard<'a> = dyn Fn(&str) -> bool + Sync + 'a;

/// The ward the server holds for a record that does not name its own (see
/// [`push_rules::ward_lookup`]); `None` when it names it or none is known.
pub(super) async fn looked_up_ward(
    connection: &mut AnyConnection,
    change: &MutationChange,
) -> Result<Option<String>, ServerError> {
    match push_rules::ward_lookup(change) {
        WardLookup::Named => Ok(None),
        WardLookup::Response(response_id) => response_ward(connection, response_id).await,
        WardLookup::Recommendation(id) => recommendation_ward(connection, id).await,
    }
}
