//! Each storage operation as one IndexedDB transaction.
//!
//! Inside a transaction only IndexedDB requests are awaited (serialising,
//! `Date.now()` and `crypto` are synchronous), so no transaction can
//! auto-commit half-way. Every function returns early with `?` on the first
//! failure; dropping an uncommitted [`Transaction`] aborts it, so a failed
//! operation leaves nothing behind.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions,
};
use indexed_db_futures::KeyRange;
use thamgia_core::account::Session;
use thamgia_core::forum::{ChildFeedback, Forum};
use thamgia_core::outbox::push::{forum_after_push, refusal, response_after_push, Settled};
use thamgia_core::outbox::{plan_renumbering, Held, HeldForum, HeldResponse, HeldState, Waiter};
use thamgia_core::protocol::{
    Change, ChangeEntity, Mutation, MutationChange, MutationOutcome, MutationResult,
};
use thamgia_core::report::{
    transition, FieldContent, FieldEdit, FieldKey, Hlc, HlcClock, ReportId, ReportStatus,
    ReportStatusChange, Stamp,
};
use thamgia_core::survey::survey_key;
use thamgia_core::{Response, ResponseStatus, SurveyDefinition};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::connection::{
    FORUMS, META, META_KEY, OUTBOX, REPORTS, RESPONSES, SESSION_KEY, SURVEYS, SYNC_STATE_INDEX,
};
use super::error::StorageError;
use super::records::{
    forum_key, is_tombstone, new_client_id, outbox_key, report_key, response_key, tombstone,
    MetaRecord, OutboxEntry,
};
use super::{Counts, LocalSyncState, StoredForum, StoredReport, StoredResponse, SyncMeta};

/// Starts a read-only transaction over `stores`.
///
/// Read-only transactions are never committed explicitly: they are dropped
/// once their last request returned, which aborts them, harmlessly.
fn read_only<'a>(database: &'a Database, stores: &[&str]) -> Result<Transaction<'a>, StorageError> {
    Ok(database
        .transaction(stores)
        .with_mode(TransactionMode::Readonly)
        .build()?)
}

/// Starts a read-write transaction over `stores`.
///
/// `Strict` makes the browser flush to disk before reporting the commit
/// (Chrome's default is "relaxed", which can lose the last commits on a
/// power cut); it is used wherever the outbox or the seq counter changes.
fn read_write<'a>(
    database: &'a Database,
    stores: &[&str],
    durability: TransactionDurability,
) -> Result<Transaction<'a>, StorageError> {
    Ok(database
        .transaction(stores)
        .with_mode(TransactionMode::Readwrite)
        .with_options(TransactionOptions::new().with_durability(durability))
        .build()?)
}

/// Commits `transaction` and waits until the browser reports it durable.
///
/// A quota error usually arrives as an `abort` event whose reason is only in
/// `transaction.error`, so that is read when the commit fails.
async fn commit(transaction: Transaction<'_>) -> Result<(), StorageError> {
    let raw: web_sys::IdbTransaction = transaction
        .as_sys()
        .unchecked_ref::<web_sys::IdbTransaction>()
        .clone();
    match transaction.commit().await {
        Ok(()) => Ok(()),
        Err(error) => Err(match raw.error() {
            Some(exception) => StorageError::from_dom_exception(&exception),
            None => StorageError::from(error),
        }),
    }
}

/// Reads the sync bookkeeping record, if there is one yet.
async fn read_meta(meta: &ObjectStore<'_>) -> Result<Option<MetaRecord>, StorageError> {
    Ok(meta.get(META_KEY).serde()?.await?)
}

/// Reads the sync bookkeeping record, making a fresh one (with a new client
/// id) when there is none. The caller writes it back.
async fn read_or_create_meta(meta: &ObjectStore<'_>) -> Result<MetaRecord, StorageError> {
    match read_meta(meta).await? {
        Some(record) => Ok(record),
        None => Ok(MetaRecord::fresh(new_client_id()?)),
    }
}

/// Writes the sync bookkeeping record.
async fn write_meta(meta: &ObjectStore<'_>, record: &MetaRecord) -> Result<(), StorageError> {
    meta.put(record)
        .with_key(META_KEY)
        .without_key_type()
        .serde()?
        .await?;
    Ok(())
}

/// Appends `change` to the outbox under the next seq of `record`, which the
/// caller writes back in the same transaction, and returns that seq. `add`,
/// not `put`: a seq already in the outbox is a bug to stop at, never a
/// mutation to overwrite.
async fn enqueue(
    outbox: &ObjectStore<'_>,
    record: &mut MetaRecord,
    change: MutationChange,
) -> Result<u64, StorageError> {
    let seq = record.next_seq;
    let entry = OutboxEntry {
        seq,
        mutation: Mutation { seq, change },
    };
    outbox.add(&entry).serde()?.await?;
    record.next_seq = seq + 1;
    Ok(seq)
}

/// Reads one stored response.
async fn read_response(
    responses: &ObjectStore<'_>,
    id: Uuid,
) -> Result<Option<StoredResponse>, StorageError> {
    Ok(responses.get(response_key(id)).serde()?.await?)
}

/// Writes one stored response (its key is `response.id`).
async fn write_response(
    responses: &ObjectStore<'_>,
    record: &StoredResponse,
) -> Result<(), StorageError> {
    responses.put(record).serde()?.await?;
    Ok(())
}

/// Reads one stored report; an empty draft when nobody edited it yet.
async fn read_report(
    reports: &ObjectStore<'_>,
    report_id: &ReportId,
) -> Result<StoredReport, StorageError> {
    let stored: Option<StoredReport> = reports.get(report_key(report_id)).serde()?.await?;
    Ok(stored.unwrap_or_else(|| StoredReport::empty(report_id.clone())))
}

/// Writes one stored report under its id.
async fn write_report(
    reports: &ObjectStore<'_>,
    report: &StoredReport,
) -> Result<(), StorageError> {
    reports
        .put(report)
        .with_key(report_key(report.fields.report_id()))
        .without_key_type()
        .serde()?
        .await?;
    Ok(())
}

/// Reads one stored forum.
async fn read_forum(
    forums: &ObjectStore<'_>,
    id: Uuid,
) -> Result<Option<StoredForum>, StorageError> {
    Ok(forums.get(forum_key(id)).serde()?.await?)
}

/// Reads every stored forum.
async fn read_all_forums(forums: &ObjectStore<'_>) -> Result<Vec<StoredForum>, StorageError> {
    Ok(forums
        .get_all::<StoredForum>()
        .serde()?
        .await?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Writes one stored forum (its key is `forum.id`).
async fn write_forum(forums: &ObjectStore<'_>, record: &StoredForum) -> Result<(), StorageError> {
    forums.put(record).serde()?.await?;
    Ok(())
}

/// The tablet's clock, read synchronously (so it may be read inside a transaction).
fn now_ms() -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let now_ms = js_sys::Date::now() as i64;
    now_ms
}

/// Rewrites, in place and under the same seq, every outbox entry that still
/// submits one of the responses in `tombstones` so that it submits the
/// tombstone instead: once consent is withdrawn, the child's answers must not
/// stay in the outbox any more than in the record.
async fn scrub_outbox(
    outbox: &ObjectStore<'_>,
    tombstones: &BTreeMap<Uuid, Response>,
) -> Result<(), StorageError> {
    if tombstones.is_empty() {
        return Ok(());
    }
    let entries = outbox
        .get_all::<OutboxEntry>()
        .serde()?
        .await?
        .collect::<Result<Vec<_>, _>>()?;
    for mut entry in entries {
        let MutationChange::SubmitResponse { response } = &mut entry.mutation.change else {
            continue;
        };
        let Some(replacement) = tombstones.get(&response.id) else {
            continue;
        };
        if response != replacement {
            *response = replacement.clone();
            outbox.put(&entry).serde()?.await?;
        }
    }
    Ok(())
}

/// Whether a stored response is past the draft stage, hence immutable.
fn is_completed(record: &StoredResponse) -> bool {
    record.response.status == ResponseStatus::Completed || record.sync != LocalSyncState::Draft
}

pub(super) async fn sync_meta(database: &Database) -> Result<SyncMeta, StorageError> {
    // Almost always the record exists: read it without taking a write lock.
    {
        let transaction = read_only(database, &[META])?;
        let meta = transaction.object_store(META)?;
        if let Some(record) = read_meta(&meta).await? {
            return Ok(record.into());
        }
    }
    // First use. Another tab may be doing the same, so look again inside the
    // write transaction rather than overwrite its client id.
    let transaction = read_write(database, &[META], TransactionDurability::Strict)?;
    let record = {
        let meta = transaction.object_store(META)?;
        let record = read_or_create_meta(&meta).await?;
        write_meta(&meta, &record).await?;
        record
    };
    commit(transaction).await?;
    Ok(record.into())
}

pub(super) async fn set_last_success(database: &Database, at_ms: i64) -> Result<(), StorageError> {
    let transaction = read_write(database, &[META], TransactionDurability::Default)?;
    {
        let meta = transaction.object_store(META)?;
        let mut record = read_or_create_meta(&meta).await?;
        record.last_success_ms = Some(at_ms);
        write_meta(&meta, &record).await?;
    }
    commit(transaction).await
}

pub(super) async fn load_session(database: &Database) -> Result<Option<Session>, StorageError> {
    let transaction = read_only(database, &[META])?;
    let meta = transaction.object_store(META)?;
    Ok(meta.get(SESSION_KEY).serde()?.await?)
}

pub(super) async fn save_session(
    database: &Database,
    session: &Session,
) -> Result<(), StorageError> {
    // Strict: a sign-in that the tablet forgets after a power cut would
    // leave the worker unable to work offline.
    let transaction = read_write(database, &[META], TransactionDurability::Strict)?;
    {
        let meta = transaction.object_store(META)?;
        meta.put(session)
            .with_key(SESSION_KEY)
            .without_key_type()
            .serde()?
            .await?;
    }
    commit(transaction).await
}

pub(super) async fn clear_session(database: &Database) -> Result<(), StorageError> {
    let transaction = read_write(database, &[META], TransactionDurability::Strict)?;
    {
        let meta = transaction.object_store(META)?;
        meta.delete(SESSION_KEY).primitive()?.await?;
    }
    commit(transaction).await
}

pub(super) async fn save_draft(
    database: &Database,
    response: &Response,
) -> Result<(), StorageError> {
    if response.status != ResponseStatus::Draft {
        return Err(StorageError::NotADraft);
    }
    // Default durability: drafts are saved often, and a power cut can cost at
    // most the last keystrokes of a draft, never a completed response.
    let transaction = read_write(database, &[RESPONSES], TransactionDurability::Default)?;
    {
        let responses = transaction.object_store(RESPONSES)?;
        if let Some(existing) = read_response(&responses, response.id).await? {
            if is_completed(&existing) {
                return Err(StorageError::NotADraft);
            }
        }
        let record = StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Draft,
        };
        write_response(&responses, &record).await?;
    }
    commit(transaction).await
}

pub(super) async fn discard_draft(database: &Database, id: Uuid) -> Result<(), StorageError> {
    let transaction = read_write(database, &[RESPONSES], TransactionDurability::Default)?;
    {
        let responses = transaction.object_store(RESPONSES)?;
        match read_response(&responses, id).await? {
            None => return Ok(()),
            Some(existing) if is_completed(&existing) => return Err(StorageError::NotADraft),
            Some(_) => responses.delete(response_key(id)).primitive()?.await?,
        }
    }
    commit(transaction).await
}

pub(super) async fn complete_response(
    database: &Database,
    response: &Response,
) -> Result<u64, StorageError> {
    let transaction = read_write(
        database,
        &[META, RESPONSES, OUTBOX],
        TransactionDurability::Strict,
    )?;
    let seq = {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let outbox = transaction.object_store(OUTBOX)?;

        if let Some(existing) = read_response(&responses, response.id).await? {
            if is_completed(&existing) {
                return match existing.sync {
                    // The same completion again (a double tap, or a retry whose
                    // first commit did land): already queued, nothing to do.
                    LocalSyncState::Waiting { seq } if existing.response == *response => Ok(seq),
                    _ => Err(StorageError::NotADraft),
                };
            }
        }

        let mut record = read_or_create_meta(&meta).await?;
        let seq = enqueue(
            &outbox,
            &mut record,
            MutationChange::SubmitResponse {
                response: response.clone(),
            },
        )
        .await?;
        let stored = StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Waiting { seq },
        };
        write_response(&responses, &stored).await?;
        write_meta(&meta, &record).await?;
        seq
    };
    commit(transaction).await?;
    Ok(seq)
}

pub(super) async fn withdraw_response(
    database: &Database,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let transaction = read_write(
        database,
        &[META, RESPONSES, OUTBOX],
        TransactionDurability::Strict,
    )?;
    let seq = {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let outbox = transaction.object_store(OUTBOX)?;

        let Some(stored) = read_response(&responses, id).await? else {
            return Err(StorageError::NotFound);
        };
        if stored.response.status == ResponseStatus::Withdrawn {
            // Withdrawn already (a double tap): nothing more to do or queue.
            return Ok(match stored.sync {
                LocalSyncState::Waiting { seq } => seq,
                _ => 0,
            });
        }
        if is_completed(&stored) {
            let withdrawn = tombstone(&stored.response, at);
            scrub_outbox(&outbox, &BTreeMap::from([(id, withdrawn.clone())])).await?;
            let mut record = read_or_create_meta(&meta).await?;
            let seq = enqueue(
                &outbox,
                &mut record,
                MutationChange::WithdrawResponse {
                    response_id: id,
                    withdrawn_at: at,
                },
            )
            .await?;
            let stored = StoredResponse {
                response: withdrawn,
                sync: LocalSyncState::Waiting { seq },
            };
            write_response(&responses, &stored).await?;
            write_meta(&meta, &record).await?;
            seq
        } else {
            // A draft never left the tablet: deleting it deletes everything.
            responses.delete(response_key(id)).primitive()?.await?;
            0
        }
    };
    commit(transaction).await?;
    Ok(seq)
}

pub(super) async fn start_correction(
    database: &Database,
    original: Uuid,
    new_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Response, StorageError> {
    // Default durability, as for any draft.
    let transaction = read_write(database, &[RESPONSES], TransactionDurability::Default)?;
    let correction = {
        let responses = transaction.object_store(RESPONSES)?;
        let Some(stored) = read_response(&responses, original).await? else {
            return Err(StorageError::NotFound);
        };
        match stored.response.status {
            ResponseStatus::Completed => {}
            ResponseStatus::Withdrawn => return Err(StorageError::Withdrawn),
            ResponseStatus::Draft => return Err(StorageError::NotCompleted),
        }
        if read_response(&responses, new_id).await?.is_some() {
            return Err(StorageError::Other(format!(
                "the id {new_id} of the correction is already used"
            )));
        }
        let correction = Response {
            id: new_id,
            status: ResponseStatus::Draft,
            corrects: Some(original),
            created_at: now,
            updated_at: now,
            ..stored.response
        };
        let record = StoredResponse {
            response: correction.clone(),
            sync: LocalSyncState::Draft,
        };
        write_response(&responses, &record).await?;
        correction
    };
    commit(transaction).await?;
    Ok(correction)
}

pub(super) async fn response(
    database: &Database,
    id: Uuid,
) -> Result<Option<StoredResponse>, StorageError> {
    let transaction = read_only(database, &[RESPONSES])?;
    let responses = transaction.object_store(RESPONSES)?;
    read_response(&responses, id).await
}

pub(super) async fn responses(database: &Database) -> Result<Vec<StoredResponse>, StorageError> {
    let transaction = read_only(database, &[RESPONSES])?;
    let responses = transaction.object_store(RESPONSES)?;
    let mut records = responses
        .get_all::<StoredResponse>()
        .serde()?
        .await?
        .collect::<Result<Vec<_>, _>>()?;
    records.sort_by_key(|record| std::cmp::Reverse(record.response.updated_at));
    Ok(records)
}

pub(super) async fn counts(database: &Database) -> Result<Counts, StorageError> {
    let transaction = read_only(database, &[RESPONSES])?;
    let responses = transaction.object_store(RESPONSES)?;
    let by_state = responses.index(SYNC_STATE_INDEX)?;
    // The tags are the serde tags of `LocalSyncState`. All six requests go
    // out before the first is awaited.
    let drafts = by_state.count().with_query("draft").primitive()?;
    let waiting = by_state.count().with_query("waiting").primitive()?;
    let synced = by_state.count().with_query("synced").primitive()?;
    let rejected = by_state.count().with_query("rejected").primitive()?;
    let conflict = by_state.count().with_query("conflict").primitive()?;
    let withdrawn = by_state.count().with_query("withdrawn").primitive()?;
    Ok(Counts {
        drafts: u64::from(drafts.await?),
        waiting: u64::from(waiting.await?),
        synced: u64::from(synced.await?),
        problems: u64::from(rejected.await?) + u64::from(conflict.await?),
        withdrawn: u64::from(withdrawn.await?),
    })
}

pub(super) async fn read_outbox(
    database: &Database,
    limit: usize,
) -> Result<(Vec<Mutation>, u64), StorageError> {
    let transaction = read_only(database, &[OUTBOX])?;
    let outbox = transaction.object_store(OUTBOX)?;
    let total = outbox.count().primitive()?;
    // `getAll` reads a count of 0 as "no limit".
    let mutations = if limit == 0 {
        Vec::new()
    } else {
        outbox
            .get_all::<OutboxEntry>()
            .with_limit(u32::try_from(limit).unwrap_or(u32::MAX))
            .serde()?
            .await?
            .map(|entry| entry.map(|entry| entry.mutation))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok((mutations, u64::from(total.await?)))
}

/// The local state the town hall's answer leaves a record in, applied at
/// `now_ms`.
fn settled_state(settled: Settled, now_ms: i64) -> LocalSyncState {
    match settled {
        Settled::Synced => LocalSyncState::Synced { at_ms: now_ms },
        Settled::Rejected(message) => LocalSyncState::Rejected { message },
        Settled::Conflict(message) => LocalSyncState::Conflict { message },
        Settled::Withdrawn => LocalSyncState::Withdrawn,
    }
}

/// The mutation a stored record waits for, if it waits.
fn waiting_for(sync: &LocalSyncState) -> Option<u64> {
    match sync {
        LocalSyncState::Waiting { seq } => Some(*seq),
        LocalSyncState::Draft
        | LocalSyncState::Synced { .. }
        | LocalSyncState::Rejected { .. }
        | LocalSyncState::Conflict { .. }
        | LocalSyncState::Withdrawn => None,
    }
}

/// The record `stored` once the mutation it got `outcome` for was
/// acknowledged (the rules are [`response_after_push`]), and whether it
/// just became a tombstone.
fn record_after_push(
    mut stored: StoredResponse,
    outcome: Option<&MutationOutcome>,
    acknowledged_through: u64,
    now_ms: i64,
) -> (StoredResponse, bool) {
    let after = response_after_push(
        outcome,
        stored.response.status,
        waiting_for(&stored.sync),
        acknowledged_through,
    );
    let mut tombstoned = false;
    if after.withdrawn && !is_tombstone(&stored.response) {
        // Consent was withdrawn (here, there, or on another tablet): nothing
        // of the child may stay here either.
        let at = if stored.response.status == ResponseStatus::Withdrawn {
            stored.response.updated_at
        } else {
            DateTime::from_timestamp_millis(now_ms).unwrap_or(stored.response.updated_at)
        };
        stored.response = tombstone(&stored.response, at);
        tombstoned = true;
    }
    if let Some(settled) = after.state {
        stored.sync = settled_state(settled, now_ms);
    }
    (stored, tombstoned)
}

pub(super) async fn apply_push_results(
    database: &Database,
    acknowledged_through: u64,
    results: &[MutationResult],
) -> Result<(), StorageError> {
    let now_ms = now_ms();
    let transaction = read_write(
        database,
        &[RESPONSES, OUTBOX, REPORTS, FORUMS],
        TransactionDurability::Strict,
    )?;
    {
        let responses = transaction.object_store(RESPONSES)?;
        let outbox = transaction.object_store(OUTBOX)?;
        let reports = transaction.object_store(REPORTS)?;
        let forums = transaction.object_store(FORUMS)?;
        // Written out rather than `..=seq`: indexed_db_futures 0.6 turns
        // `RangeToInclusive` into an *open* upper bound.
        let acknowledged = KeyRange::UpperBound(outbox_key(acknowledged_through), false);
        let entries = outbox
            .get_all::<OutboxEntry>()
            .with_query::<f64, _>(acknowledged.clone())
            .serde()?
            .await?
            .collect::<Result<Vec<_>, _>>()?;
        let mut tombstones = BTreeMap::new();
        for entry in entries {
            let outcome = results
                .iter()
                .find(|result| result.seq == entry.seq)
                .map(|result| &result.outcome);
            let Some(response_id) = entry.response_id() else {
                match &entry.mutation.change {
                    MutationChange::SubmitForum { forum } => {
                        note_forum_outcome(
                            &forums,
                            forum,
                            entry.seq,
                            outcome,
                            acknowledged_through,
                            now_ms,
                        )
                        .await?;
                    }
                    // The feedback is on its forum here already; whatever the
                    // town hall did with it, a `FeedbackRecorded` pulled later
                    // carries the feedback it kept.
                    MutationChange::RecordFeedback { .. } => {}
                    change => note_report_outcome(&reports, change, outcome).await?,
                }
                continue;
            };
            let stored = match read_response(&responses, response_id).await? {
                Some(stored) => stored,
                // The response record is gone (it never should be): rebuild it
                // from the mutation rather than lose it.
                None => match entry.mutation.change {
                    MutationChange::SubmitResponse { response } => StoredResponse {
                        response,
                        sync: LocalSyncState::Waiting { seq: entry.seq },
                    },
                    // Nothing is left to mark of a withdrawn response; report
                    // and forum mutations were handled above.
                    MutationChange::WithdrawResponse { .. }
                    | MutationChange::EditReportField { .. }
                    | MutationChange::ChangeReportStatus { .. }
                    | MutationChange::SubmitForum { .. }
                    | MutationChange::RecordFeedback { .. } => continue,
                },
            };
            let (record, tombstoned) =
                record_after_push(stored, outcome, acknowledged_through, now_ms);
            write_response(&responses, &record).await?;
            if tombstoned {
                tombstones.insert(record.response.id, record.response);
            }
        }
        outbox.delete::<f64, _>(acknowledged).primitive()?.await?;
        // Entries beyond the acknowledgement that still carry the answers of
        // a response the town hall says was withdrawn.
        scrub_outbox(&outbox, &tombstones).await?;
    }
    commit(transaction).await
}

/// Records on its report what the town hall said about a report mutation
/// just acknowledged. Only a refusal changes anything: an accepted edit or
/// status change comes back by pull, as the town hall stored it.
async fn note_report_outcome(
    reports: &ObjectStore<'_>,
    change: &MutationChange,
    outcome: Option<&MutationOutcome>,
) -> Result<(), StorageError> {
    let Some(message) = refusal(outcome) else {
        return Ok(());
    };
    let (report_id, refused_status) = match change {
        MutationChange::EditReportField { edit } => (&edit.report_id, None),
        MutationChange::ChangeReportStatus { change } => (&change.report_id, Some(change.to)),
        MutationChange::SubmitResponse { .. }
        | MutationChange::WithdrawResponse { .. }
        | MutationChange::SubmitForum { .. }
        | MutationChange::RecordFeedback { .. } => return Ok(()),
    };
    let mut report = read_report(reports, report_id).await?;
    // The refused edit stays in the fields, where it is kept like every
    // edit; the message tells the officer it did not count at the town hall.
    report.last_rejection = Some(message.clone());
    if refused_status.is_some() && report.pending_status == refused_status {
        report.pending_status = None;
    }
    write_report(reports, &report).await
}

/// Marks a submitted forum with what the town hall said about it, as a
/// response is marked: synced, refused with the reason, or in conflict.
async fn note_forum_outcome(
    forums: &ObjectStore<'_>,
    submitted: &Forum,
    seq: u64,
    outcome: Option<&MutationOutcome>,
    acknowledged_through: u64,
    now_ms: i64,
) -> Result<(), StorageError> {
    let mut stored = match read_forum(forums, submitted.id).await? {
        Some(stored) => stored,
        // The forum record is gone (it never should be): rebuild it from the
        // mutation rather than lose it.
        None => StoredForum {
            sync: LocalSyncState::Waiting { seq },
            ..StoredForum::draft(submitted.clone())
        },
    };
    if let Some(settled) =
        forum_after_push(outcome, waiting_for(&stored.sync), acknowledged_through)
    {
        stored.sync = settled_state(settled, now_ms);
    }
    write_forum(forums, &stored).await
}

/// How far a stored record is in the sync, in the terms of
/// [`thamgia_core::outbox`].
fn held_state(sync: &LocalSyncState) -> HeldState {
    match sync {
        LocalSyncState::Draft => HeldState::Draft,
        LocalSyncState::Waiting { .. } => HeldState::Waiting,
        LocalSyncState::Synced { .. }
        | LocalSyncState::Rejected { .. }
        | LocalSyncState::Conflict { .. } => HeldState::Answered,
        LocalSyncState::Withdrawn => HeldState::Withdrawn,
    }
}

/// Numbers the outbox again from 1 under `new_client_id` and queues again
/// what the town hall had acknowledged. The policy is
/// [`thamgia_core::outbox::plan_renumbering`]; this reads the stores it
/// needs and writes its plan back, in one transaction.
pub(super) async fn renumber_outbox(
    database: &Database,
    new_client_id: Uuid,
) -> Result<(), StorageError> {
    let transaction = read_write(
        database,
        &[META, RESPONSES, OUTBOX, FORUMS, REPORTS],
        TransactionDurability::Strict,
    )?;
    {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let outbox = transaction.object_store(OUTBOX)?;
        let forums = transaction.object_store(FORUMS)?;
        let reports = transaction.object_store(REPORTS)?;
        // Keys are numbers, so `getAll` returns the entries in seq order;
        // the other stores return their records in key order, the order in
        // which they are queued again.
        let entries = outbox
            .get_all::<OutboxEntry>()
            .serde()?
            .await?
            .map(|entry| entry.map(|entry| entry.mutation))
            .collect::<Result<Vec<_>, _>>()?;
        let mut held_responses: BTreeMap<Uuid, StoredResponse> = BTreeMap::new();
        let mut held = Held::default();
        for stored in responses.get_all::<StoredResponse>().serde()?.await? {
            let stored = stored?;
            held.responses.push(HeldResponse {
                response: stored.response.clone(),
                state: held_state(&stored.sync),
            });
            held_responses.insert(stored.response.id, stored);
        }
        let mut held_forums: BTreeMap<Uuid, StoredForum> = BTreeMap::new();
        for stored in read_all_forums(&forums).await? {
            held.forums.push(HeldForum {
                forum: stored.forum.clone(),
                state: held_state(&stored.sync),
                feedback: stored.feedback.values().cloned().collect(),
            });
            held_forums.insert(stored.forum.id, stored);
        }
        for report in reports.get_all::<StoredReport>().serde()?.await? {
            let report = report?;
            for state in report.fields.fields().values() {
                held.report_edits.extend(state.history().cloned());
            }
        }
        let mut record = read_meta(&meta)
            .await?
            .unwrap_or_else(|| MetaRecord::fresh(new_client_id));
        let mut own_ids: BTreeSet<Uuid> = record.past_client_ids.iter().copied().collect();
        own_ids.insert(record.client_id);

        let plan = plan_renumbering(entries, &held, &own_ids);
        outbox.clear()?.await?;
        for mutation in plan.outbox {
            let entry = OutboxEntry {
                seq: mutation.seq,
                mutation,
            };
            outbox.add(&entry).serde()?.await?;
        }
        for (waiter, seq) in plan.waiting {
            match waiter {
                Waiter::Response(id) => {
                    if let Some(mut stored) = held_responses.remove(&id) {
                        stored.sync = LocalSyncState::Waiting { seq };
                        write_response(&responses, &stored).await?;
                    }
                }
                Waiter::Forum(id) => {
                    if let Some(mut stored) = held_forums.remove(&id) {
                        stored.sync = LocalSyncState::Waiting { seq };
                        write_forum(&forums, &stored).await?;
                    }
                }
            }
        }
        record.next_seq = plan.next_seq;
        if record.client_id != new_client_id && !record.past_client_ids.contains(&record.client_id)
        {
            let previous = record.client_id;
            record.past_client_ids.push(previous);
        }
        record.client_id = new_client_id;
        // The server may have forgotten changes too: pull everything again.
        record.cursor = 0;
        record.cursor_token = None;
        write_meta(&meta, &record).await?;
    }
    commit(transaction).await
}

pub(super) async fn apply_pull(
    database: &Database,
    changes: &[Change],
    next_cursor: u64,
    cursor_token: Option<&str>,
) -> Result<(), StorageError> {
    let withdrawn: Vec<Uuid> = changes
        .iter()
        .filter_map(|change| match change.entity {
            ChangeEntity::ResponseWithdrawn { response_id } => Some(response_id),
            ChangeEntity::Survey { .. }
            | ChangeEntity::ReportFieldEdited { .. }
            | ChangeEntity::ReportStatusChanged { .. }
            | ChangeEntity::ForumStored { .. }
            | ChangeEntity::RecommendationAnswered { .. }
            | ChangeEntity::FeedbackRecorded { .. } => None,
        })
        .collect();
    let has_reports = changes.iter().any(|change| {
        matches!(
            change.entity,
            ChangeEntity::ReportFieldEdited { .. } | ChangeEntity::ReportStatusChanged { .. }
        )
    });
    let has_forums = changes.iter().any(|change| {
        matches!(
            change.entity,
            ChangeEntity::ForumStored { .. }
                | ChangeEntity::RecommendationAnswered { .. }
                | ChangeEntity::FeedbackRecorded { .. }
        )
    });
    // Default durability for surveys, reports and forums: a page lost to a
    // power cut is lost with its cursor and pulled again, and storing a
    // survey version, merging a report edit or attaching an answer twice is
    // harmless. A page that withdraws responses also rewrites the outbox,
    // which is always strict. Stores are locked only when a page needs them.
    let mut stores = vec![META, SURVEYS];
    if has_reports {
        stores.push(REPORTS);
    }
    if has_forums {
        stores.push(FORUMS);
    }
    let durability = if withdrawn.is_empty() {
        TransactionDurability::Default
    } else {
        stores.extend([RESPONSES, OUTBOX]);
        TransactionDurability::Strict
    };
    let transaction = read_write(database, &stores, durability)?;
    {
        let meta = transaction.object_store(META)?;
        let surveys = transaction.object_store(SURVEYS)?;
        let mut record = read_or_create_meta(&meta).await?;
        for change in changes {
            if let ChangeEntity::Survey { survey } = &change.entity {
                surveys
                    .put(survey)
                    .with_key(survey.key())
                    .without_key_type()
                    .serde()?
                    .await?;
            }
        }
        if has_reports {
            let reports = transaction.object_store(REPORTS)?;
            let mut clock = HlcClock::resume(record.clock);
            record.clock = apply_pulled_reports(&reports, changes, &mut clock).await?;
        }
        if has_forums {
            let forums = transaction.object_store(FORUMS)?;
            apply_pulled_forums(&forums, changes).await?;
        }
        if !withdrawn.is_empty() {
            let responses = transaction.object_store(RESPONSES)?;
            let outbox = transaction.object_store(OUTBOX)?;
            let now = DateTime::from_timestamp_millis(now_ms()).unwrap_or_default();
            let mut tombstones = BTreeMap::new();
            for id in withdrawn {
                // Responses made on other tablets are not here: nothing to do.
                let Some(stored) = read_response(&responses, id).await? else {
                    continue;
                };
                let response = if is_tombstone(&stored.response) {
                    stored.response
                } else {
                    tombstone(&stored.response, now)
                };
                let record = StoredResponse {
                    response,
                    sync: LocalSyncState::Withdrawn,
                };
                write_response(&responses, &record).await?;
                tombstones.insert(id, record.response);
            }
            scrub_outbox(&outbox, &tombstones).await?;
        }
        record.cursor = next_cursor;
        record.cursor_token = cursor_token.map(str::to_owned);
        write_meta(&meta, &record).await?;
    }
    commit(transaction).await
}

/// Merges the report changes of one pulled page into the reports they
/// concern, in the page's order, and returns the clock's last reading once it
/// has observed every pulled edit.
async fn apply_pulled_reports(
    reports: &ObjectStore<'_>,
    changes: &[Change],
    clock: &mut HlcClock,
) -> Result<Hlc, StorageError> {
    let now_ms = now_ms();
    // Each report is read once and written once, however many of its
    // changes the page holds.
    let mut touched: BTreeMap<ReportId, StoredReport> = BTreeMap::new();
    for change in changes {
        let report_id = match &change.entity {
            ChangeEntity::ReportFieldEdited { edit } => &edit.report_id,
            ChangeEntity::ReportStatusChanged { report_id, .. } => report_id,
            ChangeEntity::Survey { .. }
            | ChangeEntity::ResponseWithdrawn { .. }
            | ChangeEntity::ForumStored { .. }
            | ChangeEntity::RecommendationAnswered { .. }
            | ChangeEntity::FeedbackRecorded { .. } => continue,
        };
        if !touched.contains_key(report_id) {
            let report = read_report(reports, report_id).await?;
            touched.insert(report_id.clone(), report);
        }
        let Some(report) = touched.get_mut(report_id) else {
            continue;
        };
        match &change.entity {
            ChangeEntity::ReportFieldEdited { edit } => {
                // Our next edit must sort after every edit seen here.
                clock.observe(edit.stamp.hlc, now_ms);
                // The edit is merged whatever the report's status: the town
                // hall only publishes edits it accepted.
                report.fields.apply(edit.clone())?;
            }
            ChangeEntity::ReportStatusChanged { status, .. } => {
                report.status = *status;
                // The town hall has spoken; whatever was asked here either
                // is this change or was overtaken by it (a refusal also
                // arrives as a push result, with its reason).
                report.pending_status = None;
            }
            ChangeEntity::Survey { .. }
            | ChangeEntity::ResponseWithdrawn { .. }
            | ChangeEntity::ForumStored { .. }
            | ChangeEntity::RecommendationAnswered { .. }
            | ChangeEntity::FeedbackRecorded { .. } => {}
        }
    }
    for report in touched.values() {
        write_report(reports, report).await?;
    }
    Ok(clock.last())
}

/// Applies the forum changes of one pulled page, in the page's order: a
/// forum this tablet does not hold is stored as synced (one it holds, made
/// here, stays as it is: the town hall stored exactly what was sent, or its
/// push result says otherwise); an answer or a feedback is attached to the
/// forum holding its recommendation, and is dropped when no forum here
/// holds it.
async fn apply_pulled_forums(
    forums: &ObjectStore<'_>,
    changes: &[Change],
) -> Result<(), StorageError> {
    let now_ms = now_ms();
    // A ward holds a few forums a year, so they are all read once; each
    // forum touched is written once, however many changes concern it.
    let mut held = read_all_forums(forums).await?;
    let mut touched = BTreeSet::new();
    let holding = |held: &[StoredForum], recommendation_id: Uuid| {
        held.iter()
            .position(|stored| stored.holds(recommendation_id))
    };
    for change in changes {
        match &change.entity {
            ChangeEntity::ForumStored { forum } => {
                if !held.iter().any(|stored| stored.forum.id == forum.id) {
                    held.push(StoredForum {
                        sync: LocalSyncState::Synced { at_ms: now_ms },
                        ..StoredForum::draft(forum.clone())
                    });
                    touched.insert(held.len() - 1);
                }
            }
            ChangeEntity::RecommendationAnswered { answer } => {
                if let Some(index) = holding(&held, answer.recommendation_id) {
                    // An answer may be revised at the town hall: the latest wins.
                    held[index]
                        .answers
                        .insert(forum_key(answer.recommendation_id), answer.clone());
                    touched.insert(index);
                }
            }
            ChangeEntity::FeedbackRecorded { feedback } => {
                if let Some(index) = holding(&held, feedback.recommendation_id) {
                    // The town hall keeps the first feedback it received; it
                    // replaces any other recorded here meanwhile.
                    held[index]
                        .feedback
                        .insert(forum_key(feedback.recommendation_id), feedback.clone());
                    touched.insert(index);
                }
            }
            ChangeEntity::Survey { .. }
            | ChangeEntity::ResponseWithdrawn { .. }
            | ChangeEntity::ReportFieldEdited { .. }
            | ChangeEntity::ReportStatusChanged { .. } => {}
        }
    }
    for index in touched {
        if let Some(stored) = held.get(index) {
            write_forum(forums, stored).await?;
        }
    }
    Ok(())
}

pub(super) async fn surveys(database: &Database) -> Result<Vec<SurveyDefinition>, StorageError> {
    let transaction = read_only(database, &[SURVEYS])?;
    let store = transaction.object_store(SURVEYS)?;
    let mut latest: BTreeMap<String, SurveyDefinition> = BTreeMap::new();
    for survey in store.get_all::<SurveyDefinition>().serde()?.await? {
        let survey = survey?;
        let is_newer = latest
            .get(&survey.id)
            .is_none_or(|known| known.version < survey.version);
        if is_newer {
            latest.insert(survey.id.clone(), survey);
        }
    }
    let mut surveys: Vec<SurveyDefinition> = latest.into_values().collect();
    // Vietnamese collation, so "Đ" sorts after "D" rather than after "Z".
    let locales = js_sys::Array::of1(&"vi".into());
    let options = js_sys::Object::new();
    surveys.sort_by(|left, right| {
        js_sys::JsString::from(left.title.vi.as_str())
            .locale_compare(&right.title.vi, &locales, &options)
            .cmp(&0)
            .then_with(|| left.id.cmp(&right.id))
    });
    Ok(surveys)
}

pub(super) async fn survey(
    database: &Database,
    id: &str,
    version: u32,
) -> Result<Option<SurveyDefinition>, StorageError> {
    let transaction = read_only(database, &[SURVEYS])?;
    let store = transaction.object_store(SURVEYS)?;
    Ok(store.get(survey_key(id, version)).serde()?.await?)
}

pub(super) async fn edit_report_field(
    database: &Database,
    report_id: &ReportId,
    field: FieldKey,
    content: FieldContent,
    author: String,
    now_ms: i64,
) -> Result<FieldEdit, StorageError> {
    let transaction = read_write(
        database,
        &[META, REPORTS, OUTBOX],
        TransactionDurability::Strict,
    )?;
    let edit = {
        let meta = transaction.object_store(META)?;
        let reports = transaction.object_store(REPORTS)?;
        let outbox = transaction.object_store(OUTBOX)?;

        let mut report = read_report(&reports, report_id).await?;
        if report.is_locked() {
            return Err(StorageError::ReportLocked);
        }
        let mut record = read_or_create_meta(&meta).await?;
        let mut clock = HlcClock::resume(record.clock);
        let edit = FieldEdit {
            report_id: report_id.clone(),
            field,
            content,
            stamp: Stamp {
                hlc: clock.tick(now_ms),
                client_id: record.client_id,
            },
            author,
            sent_as: None,
        };
        edit.validate()?;
        report.fields.apply(edit.clone())?;
        write_report(&reports, &report).await?;
        enqueue(
            &outbox,
            &mut record,
            MutationChange::EditReportField { edit: edit.clone() },
        )
        .await?;
        record.clock = clock.last();
        write_meta(&meta, &record).await?;
        edit
    };
    commit(transaction).await?;
    Ok(edit)
}

pub(super) async fn change_report_status(
    database: &Database,
    report_id: &ReportId,
    to: ReportStatus,
) -> Result<(), StorageError> {
    let transaction = read_write(
        database,
        &[META, REPORTS, OUTBOX],
        TransactionDurability::Strict,
    )?;
    {
        let meta = transaction.object_store(META)?;
        let reports = transaction.object_store(REPORTS)?;
        let outbox = transaction.object_store(OUTBOX)?;

        let mut report = read_report(&reports, report_id).await?;
        if report.pending_status == Some(to) {
            // Asked already (a double tap): it is queued, nothing to add.
            return Ok(());
        }
        let from = report.status;
        transition(from, to)?;
        let mut record = read_or_create_meta(&meta).await?;
        enqueue(
            &outbox,
            &mut record,
            MutationChange::ChangeReportStatus {
                change: ReportStatusChange {
                    report_id: report_id.clone(),
                    from,
                    to,
                },
            },
        )
        .await?;
        report.pending_status = Some(to);
        write_report(&reports, &report).await?;
        write_meta(&meta, &record).await?;
    }
    commit(transaction).await
}

pub(super) async fn report(
    database: &Database,
    report_id: &ReportId,
) -> Result<StoredReport, StorageError> {
    let transaction = read_only(database, &[REPORTS])?;
    let reports = transaction.object_store(REPORTS)?;
    read_report(&reports, report_id).await
}

pub(super) async fn dismiss_report_rejection(
    database: &Database,
    report_id: &ReportId,
) -> Result<(), StorageError> {
    let transaction = read_write(database, &[REPORTS], TransactionDurability::Default)?;
    {
        let reports = transaction.object_store(REPORTS)?;
        let mut report = read_report(&reports, report_id).await?;
        if report.last_rejection.is_none() {
            return Ok(());
        }
        report.last_rejection = None;
        write_report(&reports, &report).await?;
    }
    commit(transaction).await
}

pub(super) async fn save_forum_draft(
    database: &Database,
    forum: &Forum,
) -> Result<(), StorageError> {
    if forum.submitted {
        return Err(StorageError::ForumSubmitted);
    }
    // Default durability, as for any draft: saved at every change.
    let transaction = read_write(database, &[FORUMS], TransactionDurability::Default)?;
    {
        let forums = transaction.object_store(FORUMS)?;
        if let Some(existing) = read_forum(&forums, forum.id).await? {
            if !existing.is_draft() {
                return Err(StorageError::ForumSubmitted);
            }
        }
        write_forum(&forums, &StoredForum::draft(forum.clone())).await?;
    }
    commit(transaction).await
}

pub(super) async fn discard_forum_draft(database: &Database, id: Uuid) -> Result<(), StorageError> {
    let transaction = read_write(database, &[FORUMS], TransactionDurability::Default)?;
    {
        let forums = transaction.object_store(FORUMS)?;
        match read_forum(&forums, id).await? {
            None => return Ok(()),
            Some(existing) if !existing.is_draft() => return Err(StorageError::ForumSubmitted),
            Some(_) => forums.delete(forum_key(id)).primitive()?.await?,
        }
    }
    commit(transaction).await
}

pub(super) async fn submit_forum(database: &Database, forum: &Forum) -> Result<u64, StorageError> {
    let transaction = read_write(
        database,
        &[META, FORUMS, OUTBOX],
        TransactionDurability::Strict,
    )?;
    let seq = {
        let meta = transaction.object_store(META)?;
        let forums = transaction.object_store(FORUMS)?;
        let outbox = transaction.object_store(OUTBOX)?;

        if let Some(existing) = read_forum(&forums, forum.id).await? {
            if !existing.is_draft() {
                return match existing.sync {
                    // The same submission again (a double tap): queued already.
                    LocalSyncState::Waiting { seq } if existing.forum == *forum => Ok(seq),
                    _ => Err(StorageError::ForumSubmitted),
                };
            }
        }

        let mut record = read_or_create_meta(&meta).await?;
        let seq = enqueue(
            &outbox,
            &mut record,
            MutationChange::SubmitForum {
                forum: forum.clone(),
            },
        )
        .await?;
        let stored = StoredForum {
            sync: LocalSyncState::Waiting { seq },
            ..StoredForum::draft(forum.clone())
        };
        write_forum(&forums, &stored).await?;
        write_meta(&meta, &record).await?;
        seq
    };
    commit(transaction).await?;
    Ok(seq)
}

pub(super) async fn record_feedback(
    database: &Database,
    feedback: &ChildFeedback,
) -> Result<u64, StorageError> {
    let transaction = read_write(
        database,
        &[META, FORUMS, OUTBOX],
        TransactionDurability::Strict,
    )?;
    let seq = {
        let meta = transaction.object_store(META)?;
        let forums = transaction.object_store(FORUMS)?;
        let outbox = transaction.object_store(OUTBOX)?;

        let Some(mut stored) = read_all_forums(&forums)
            .await?
            .into_iter()
            .find(|stored| stored.holds(feedback.recommendation_id))
        else {
            return Err(StorageError::RecommendationNotFound);
        };
        if stored.is_draft() {
            return Err(StorageError::ForumNotSubmitted);
        }
        let key = forum_key(feedback.recommendation_id);
        if let Some(recorded) = stored.feedback.get(&key) {
            if recorded != feedback {
                return Err(StorageError::FeedbackAlreadyGiven);
            }
            // The same feedback again (a double tap): its seq while it is
            // queued, 0 once it has left.
            let entries = outbox
                .get_all::<OutboxEntry>()
                .serde()?
                .await?
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(entries
                .iter()
                .find(|entry| {
                    matches!(
                        &entry.mutation.change,
                        MutationChange::RecordFeedback { feedback: queued }
                            if queued.recommendation_id == feedback.recommendation_id
                    )
                })
                .map_or(0, |entry| entry.seq));
        }

        let mut record = read_or_create_meta(&meta).await?;
        let seq = enqueue(
            &outbox,
            &mut record,
            MutationChange::RecordFeedback {
                feedback: feedback.clone(),
            },
        )
        .await?;
        stored.feedback.insert(key, feedback.clone());
        write_forum(&forums, &stored).await?;
        write_meta(&meta, &record).await?;
        seq
    };
    commit(transaction).await?;
    Ok(seq)
}

pub(super) async fn forums(database: &Database) -> Result<Vec<StoredForum>, StorageError> {
    let transaction = read_only(database, &[FORUMS])?;
    let forums = transaction.object_store(FORUMS)?;
    let mut records = read_all_forums(&forums).await?;
    records
        .sort_by_key(|record| std::cmp::Reverse((record.forum.held_on, record.forum.created_at)));
    Ok(records)
}

pub(super) async fn forum(
    database: &Database,
    id: Uuid,
) -> Result<Option<StoredForum>, StorageError> {
    let transaction = read_only(database, &[FORUMS])?;
    let forums = transaction.object_store(FORUMS)?;
    read_forum(&forums, id).await
}
