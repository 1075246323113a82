//! Responses: drafts saved and discarded, a response completed and queued,
//! consent withdrawn (the record and its outbox entries made tombstones),
//! a correction started, and the responses read back and counted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use indexed_db_futures::database::Database;
use indexed_db_futures::future::VoidRequest;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionDurability};
use thamgia_core::protocol::MutationChange;
use thamgia_core::{Response, ResponseStatus};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{
    all_done, commit, count_states, decoded, keep_tally, meta_or_new, read_all, read_only,
    read_response, read_tally, read_write, request_enqueue, request_keep_tally,
    request_keeping_tally, request_meta, request_response, request_tally, request_write_meta,
    request_write_response, request_write_tally, scrub_outbox, trusted_tally, write_response,
    PendingRead,
};
use crate::storage::connection::{META, OUTBOX, RESPONSES, SYNC_STATE_INDEX, UPDATED_INDEX};
use crate::storage::encoding::{decode_all, from_js};
use crate::storage::error::{IoFailure, Refusal, StorageError};
use crate::storage::records::{response_key, tombstone, MetaRecord};
use crate::storage::tally::{counts_of, move_between, state_of, tag, Move, State, Tally};
use crate::storage::{Counts, Expected, LocalSyncState, StoredResponse};

/// Whether a stored response is past the draft stage, hence immutable.
fn is_completed(record: &StoredResponse) -> bool {
    record.response.status == ResponseStatus::Completed || record.sync != LocalSyncState::Draft
}

/// Saves the draft `response`; gives the tally it left kept when it read
/// one (a new draft), `None` when the tally was left alone.
pub(in crate::storage) async fn save_draft(
    database: &Database,
    response: &Response,
) -> Result<Option<Option<Tally>>, StorageError> {
    if response.status != ResponseStatus::Draft {
        return Err(Refusal::NotADraft.into());
    }
    // Default durability: drafts are saved often, and a power cut can cost at
    // most the last keystrokes of a draft, never a completed response.
    let transaction = read_write(database, &[META, RESPONSES], TransactionDurability::Default)?;
    let kept = {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let existing = read_response(&responses, response.id).await?;
        if existing.as_ref().is_some_and(is_completed) {
            return Err(Refusal::NotADraft.into());
        }
        let record = StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Draft,
        };
        write_response(&responses, &record).await?;
        // A new draft counts; a draft saved again moves nothing, and then
        // the tally is not even read.
        let moved = move_between(
            existing.as_ref().map(|existing| &existing.sync),
            Some(&record.sync),
        );
        keep_tally(&meta, [moved]).await?
    };
    commit(transaction).await?;
    Ok(kept)
}

pub(in crate::storage) async fn discard_draft(
    database: &Database,
    id: Uuid,
) -> Result<(), StorageError> {
    let transaction = read_write(database, &[META, RESPONSES], TransactionDurability::Default)?;
    {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        match read_response(&responses, id).await? {
            None => return Ok(()),
            Some(existing) if is_completed(&existing) => return Err(Refusal::NotADraft.into()),
            Some(existing) => {
                responses.delete(response_key(id)).primitive()?.await?;
                keep_tally(&meta, [move_between(Some(&existing.sync), None)]).await?;
            }
        }
    }
    commit(transaction).await
}

/// Queues the submission of the completed `response` (its outbox entry,
/// under the next seq of `record`, without waiting for it) and gives that
/// seq and the record to store for the response, waiting for it. The one way a completed
/// response is queued, by the fill page and by the bench's tablet alike.
fn request_queue_completed(
    outbox: &ObjectStore<'_>,
    record: &mut MetaRecord,
    response: &Response,
) -> Result<(u64, StoredResponse, VoidRequest), StorageError> {
    let (seq, add) = request_enqueue(
        outbox,
        record,
        MutationChange::SubmitResponse {
            response: response.clone(),
        },
    )?;
    let stored = StoredResponse {
        response: response.clone(),
        sync: LocalSyncState::Waiting { seq },
    };
    Ok((seq, stored, add))
}

/// Stores the completed `response` and queues it (see
/// [`Store::complete_response`](crate::storage::Store::complete_response)),
/// and gives its seq and what this tab may expect the stores to hold next.
///
/// With an expectation, the transaction's reads and writes all go out at
/// once ([`complete_as_expected`]); when the reads show the stores are not
/// as expected (or anything fails), that transaction wrote nothing, and
/// the completion runs again reading first ([`complete_reading_first`]),
/// which decides whatever the expectation could not.
pub(in crate::storage) async fn complete_response(
    database: &Database,
    response: &Response,
    expected: Option<Expected>,
) -> Result<Completed, StorageError> {
    if let Some(expected) = expected {
        if let Ok(Some((seq, expected))) = complete_as_expected(database, response, expected).await
        {
            return Ok(Completed {
                seq,
                expected,
                as_expected: true,
            });
        }
    }
    let (seq, expected) = complete_reading_first(database, response).await?;
    Ok(Completed {
        seq,
        expected,
        as_expected: false,
    })
}

/// A completion done: its seq, what the tab may expect next, and whether
/// it was written as expected (without reading first).
pub(in crate::storage) struct Completed {
    pub(in crate::storage) seq: u64,
    pub(in crate::storage) expected: Option<Expected>,
    pub(in crate::storage) as_expected: bool,
}

/// A completion's strict transaction over the stores it reads and writes.
fn completion_transaction(database: &Database) -> Result<Transaction<'_>, StorageError> {
    read_write(
        database,
        &[META, RESPONSES, OUTBOX],
        TransactionDurability::Strict,
    )
}

/// The stores of a [`completion_transaction`]: the bookkeeping, the
/// responses and the outbox.
fn completion_stores<'t>(
    transaction: &'t Transaction<'_>,
) -> Result<[ObjectStore<'t>; 3], StorageError> {
    Ok([
        transaction.object_store(META)?,
        transaction.object_store(RESPONSES)?,
        transaction.object_store(OUTBOX)?,
    ])
}

/// A completion's three reads, made and not awaited yet: the stored
/// response `id`, the bookkeeping record and the tally.
fn request_completion_reads(
    meta: &ObjectStore<'_>,
    responses: &ObjectStore<'_>,
    id: Uuid,
) -> Result<[PendingRead; 3], StorageError> {
    Ok([
        request_response(responses, id)?,
        request_meta(meta)?,
        request_tally(meta)?,
    ])
}

/// A completion's writes, made and not awaited yet: `response`'s outbox
/// entry under the next seq of `record`, the response waiting for it,
/// `record` itself, and the kept `tally` (if one is) moved from `before`
/// (the state the response was stored in, if at all). Gives the seq, the
/// writes and the tally they leave kept.
fn request_completion_writes(
    stores: [&ObjectStore<'_>; 3],
    record: &mut MetaRecord,
    response: &Response,
    before: Option<State>,
    tally: Option<Tally>,
) -> Result<(u64, Vec<VoidRequest>, Option<Tally>), StorageError> {
    let [meta, responses, outbox] = stores;
    let (seq, stored, add) = request_queue_completed(outbox, record, response)?;
    let moved = Move {
        before,
        after: Some(state_of(&stored.sync)),
    };
    let mut writes = vec![
        add,
        request_write_response(responses, &stored)?,
        request_write_meta(meta, record)?,
    ];
    let mut kept = tally;
    if let Some((left, write)) = request_keeping_tally(meta, tally, [moved])? {
        kept = left;
        writes.push(write);
    }
    Ok((seq, writes, kept))
}

/// The completion's requests, reads and writes, all made before the first
/// is awaited, the writes computed from `expected`. IndexedDB runs them in
/// the order they were made, so the reads answer what was stored before
/// this transaction; when that is not what `expected` says, the
/// transaction is dropped, which aborts it with nothing written, and this
/// gives `None`.
async fn complete_as_expected(
    database: &Database,
    response: &Response,
    expected: Expected,
) -> Result<Option<(u64, Option<Expected>)>, StorageError> {
    let transaction = completion_transaction(database)?;
    let done = {
        let [meta, responses, outbox] = completion_stores(&transaction)?;

        let [existing, bookkeeping, tally] =
            request_completion_reads(&meta, &responses, response.id)?;
        let mut record = expected.meta().clone();
        let (seq, writes, kept) = request_completion_writes(
            [&meta, &responses, &outbox],
            &mut record,
            response,
            expected.stored_state(response.id),
            expected.tally(),
        )?;

        let existing: Option<StoredResponse> = decoded(existing.await?)?;
        let bookkeeping: Option<MetaRecord> = decoded(bookkeeping.await?)?;
        let tally = trusted_tally(tally.await?);
        // A completed response is never overwritten: whatever it is, the
        // slower way decides (a double tap, or a refusal).
        if existing.as_ref().is_some_and(is_completed)
            || !expected.holds(
                response.id,
                existing.as_ref().map(|existing| state_of(&existing.sync)),
                bookkeeping.as_ref(),
                tally,
            )
        {
            return Ok(None);
        }
        all_done(writes).await?;
        (seq, Some(expected.completed(response.id, record, kept)))
    };
    commit(transaction).await?;
    Ok(Some(done))
}

/// The completion reading first: the stored response, the bookkeeping
/// record and the tally, then the writes they lead to.
async fn complete_reading_first(
    database: &Database,
    response: &Response,
) -> Result<(u64, Option<Expected>), StorageError> {
    let transaction = completion_transaction(database)?;
    let done = {
        let [meta, responses, outbox] = completion_stores(&transaction)?;

        let [existing, bookkeeping, tally] =
            request_completion_reads(&meta, &responses, response.id)?;
        let existing: Option<StoredResponse> = decoded(existing.await?)?;
        if let Some(existing) = &existing {
            if is_completed(existing) {
                return match &existing.sync {
                    // The same completion again (a double tap, or a retry whose
                    // first commit did land): already queued, nothing to do.
                    LocalSyncState::Waiting { seq } if existing.response == *response => {
                        Ok((*seq, None))
                    }
                    _ => Err(Refusal::NotADraft.into()),
                };
            }
        }
        let mut record = meta_or_new(bookkeeping.await?)?;
        let tally = trusted_tally(tally.await?);

        let (seq, writes, kept) = request_completion_writes(
            [&meta, &responses, &outbox],
            &mut record,
            response,
            existing.as_ref().map(|existing| state_of(&existing.sync)),
            tally,
        )?;
        all_done(writes).await?;
        (seq, Some(Expected::after_write(record, kept)))
    };
    commit(transaction).await?;
    Ok(done)
}

pub(in crate::storage) async fn withdraw_response(
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
            return Err(Refusal::NotFound.into());
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
            let bookkeeping = request_meta(&meta)?;
            let tally = request_tally(&meta)?;
            let mut record = meta_or_new(bookkeeping.await?)?;
            let tally = trusted_tally(tally.await?);
            let (seq, add) = request_enqueue(
                &outbox,
                &mut record,
                MutationChange::WithdrawResponse {
                    response_id: id,
                    withdrawn_at: at,
                },
            )?;
            let after = StoredResponse {
                response: withdrawn,
                sync: LocalSyncState::Waiting { seq },
            };
            let moved = move_between(Some(&stored.sync), Some(&after.sync));
            let mut writes = vec![
                add,
                request_write_response(&responses, &after)?,
                request_write_meta(&meta, &record)?,
            ];
            writes.extend(request_keep_tally(&meta, tally, [moved])?);
            all_done(writes).await?;
            seq
        } else {
            // A draft never left the tablet: deleting it deletes everything.
            responses.delete(response_key(id)).primitive()?.await?;
            keep_tally(&meta, [move_between(Some(&stored.sync), None)]).await?;
            0
        }
    };
    commit(transaction).await?;
    Ok(seq)
}

pub(in crate::storage) async fn start_correction(
    database: &Database,
    original: Uuid,
    new_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Response, StorageError> {
    // Default durability, as for any draft.
    let transaction = read_write(database, &[META, RESPONSES], TransactionDurability::Default)?;
    let correction = {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        // Both reads go out together.
        let stored = request_response(&responses, original)?;
        let taken = request_response(&responses, new_id)?;
        let Some(stored) = decoded::<StoredResponse>(stored.await?)? else {
            return Err(Refusal::NotFound.into());
        };
        match stored.response.status {
            ResponseStatus::Completed => {}
            ResponseStatus::Withdrawn => return Err(Refusal::Withdrawn.into()),
            ResponseStatus::Draft => return Err(Refusal::NotCompleted.into()),
        }
        if taken.await?.is_some() {
            return Err(IoFailure::Other(format!(
                "the id {new_id} of the correction is already used"
            ))
            .into());
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
        keep_tally(&meta, [move_between(None, Some(&record.sync))]).await?;
        correction
    };
    commit(transaction).await?;
    Ok(correction)
}

pub(in crate::storage) async fn response(
    database: &Database,
    id: Uuid,
) -> Result<Option<StoredResponse>, StorageError> {
    let transaction = read_only(database, &[RESPONSES])?;
    let responses = transaction.object_store(RESPONSES)?;
    read_response(&responses, id).await
}

pub(in crate::storage) async fn responses(
    database: &Database,
) -> Result<Vec<StoredResponse>, StorageError> {
    let transaction = read_only(database, &[RESPONSES])?;
    let responses = transaction.object_store(RESPONSES)?;
    let mut records: Vec<StoredResponse> = read_all(&responses).await?;
    thamgia_core::sorting::sort_by_key(&mut records, |record| {
        std::cmp::Reverse(record.response.updated_at)
    });
    Ok(records)
}

/// Stores `responses` as completed and waiting, with their outbox entries,
/// in one transaction: how a tablet stands after weeks offline, made at
/// once for `cargo xtask bench` (the app completes one at a time).
///
/// Every request is made before the first is awaited: per response, a read
/// of what it overwrites (for the tally; requests run in the order they
/// were made, so a response given twice reads its first write), its outbox
/// entry and its record.
pub(in crate::storage) async fn fill_waiting(
    database: &Database,
    completed: &[Response],
) -> Result<(), StorageError> {
    let transaction = read_write(
        database,
        &[META, RESPONSES, OUTBOX],
        TransactionDurability::Default,
    )?;
    {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let outbox = transaction.object_store(OUTBOX)?;
        let bookkeeping = request_meta(&meta)?;
        let tally = request_tally(&meta)?;
        let mut record = meta_or_new(bookkeeping.await?)?;
        let tally = trusted_tally(tally.await?);
        let mut pending = Vec::with_capacity(completed.len());
        for response in completed {
            let before = request_response(&responses, response.id)?;
            let (_, stored, add) = request_queue_completed(&outbox, &mut record, response)?;
            let put = request_write_response(&responses, &stored)?;
            pending.push((before, add, put));
        }
        let meta_write = request_write_meta(&meta, &record)?;
        let mut moves = Vec::with_capacity(pending.len());
        for (before, add, put) in pending {
            let before: Option<StoredResponse> = decoded(before.await?)?;
            moves.push(Move {
                before: before.map(|before| state_of(&before.sync)),
                after: Some(State::Waiting),
            });
            add.await?;
            put.await?;
        }
        meta_write.await?;
        if let Some(write) = request_keep_tally(&meta, tally, moves)? {
            write.await?;
        }
    }
    commit(transaction).await
}

/// The `limit` most recently changed responses, newest first, read through
/// the `updated` index (never more records than are shown, and one more to
/// tell whether there are more), and whether more are stored.
pub(in crate::storage) async fn newest_responses(
    database: &Database,
    limit: u32,
) -> Result<(Vec<StoredResponse>, bool), StorageError> {
    let transaction = read_only(database, &[RESPONSES])?;
    let responses = transaction.object_store(RESPONSES)?;
    let by_update = responses.index(UPDATED_INDEX)?;
    let mut records = Vec::new();
    let cursor = by_update
        .open_cursor()
        .with_direction(indexed_db_futures::cursor::CursorDirection::Prev)
        .await?;
    if let Some(mut cursor) = cursor {
        while records.len() <= limit as usize {
            match cursor.next_record::<JsValue>().await? {
                Some(value) => records.push(from_js::<StoredResponse>(value)?),
                None => break,
            }
        }
    }
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    Ok((records, more))
}

/// The drafts, the most recently changed first, read through the
/// sync-state index: the completed responses are not read.
pub(in crate::storage) async fn drafts(
    database: &Database,
) -> Result<Vec<StoredResponse>, StorageError> {
    let transaction = read_only(database, &[RESPONSES])?;
    let responses = transaction.object_store(RESPONSES)?;
    let by_state = responses.index(SYNC_STATE_INDEX)?;
    let mut records: Vec<StoredResponse> = decode_all(
        by_state
            .get_all::<JsValue>()
            .with_query(tag(State::Draft))
            .primitive()?
            .await?,
    )?;
    thamgia_core::sorting::sort_by_key(&mut records, |record| {
        std::cmp::Reverse(record.response.updated_at)
    });
    Ok(records)
}

/// How many responses are in each state, from the kept tally: one record
/// read, however many responses the tablet holds.
///
/// When no tally can be trusted (a database of an earlier version, a tally
/// dropped or of another version, see `tally.rs`), the responses are
/// counted through the `sync_state` index, once, and the count is kept, in
/// one transaction with the responses so that no write comes in between;
/// every write keeps it from then on.
pub(in crate::storage) async fn counts(database: &Database) -> Result<Counts, StorageError> {
    // Almost always the tally is kept: read it without taking a write lock.
    {
        let transaction = read_only(database, &[META])?;
        let meta = transaction.object_store(META)?;
        if let Some(tally) = read_tally(&meta).await? {
            return Ok(counts_of(&tally));
        }
    }
    // Another tab may be counting too, so look again inside the write
    // transaction: the second to get there finds the first one's tally.
    let transaction = read_write(database, &[META, RESPONSES], TransactionDurability::Default)?;
    let tally = {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        match read_tally(&meta).await? {
            Some(tally) => tally,
            None => {
                let tally = count_states(&responses).await?;
                request_write_tally(&meta, &tally)?.await?;
                tally
            }
        }
    };
    commit(transaction).await?;
    Ok(counts_of(&tally))
}

/// Counts the responses through the `sync_state` index and keeps that
/// count if the kept tally says otherwise (or is missing); returns whether
/// it did. One transaction with the responses, so no write comes between
/// the count and its keeping.
pub(in crate::storage) async fn recount(database: &Database) -> Result<bool, StorageError> {
    let transaction = read_write(database, &[META, RESPONSES], TransactionDurability::Default)?;
    let corrected = {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let kept = read_tally(&meta).await?;
        let counted = count_states(&responses).await?;
        if kept == Some(counted) {
            false
        } else {
            request_write_tally(&meta, &counted)?.await?;
            true
        }
    };
    commit(transaction).await?;
    Ok(corrected)
}
