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
    all_done, commit, count_states, decoded, keep_tally, meta_or_new, read_all, read_meta,
    read_only, read_response, read_tally, read_write, request_claim_seq, request_enqueue,
    request_fence_next_seq, request_keep_tally, request_meta, request_outbox_entry,
    request_response, request_tally, request_write_meta, request_write_next_seq,
    request_write_response, request_write_tally, scrub_outbox, write_response, KeptTally,
    PendingMeta, PendingRead, PendingTally,
};
use crate::storage::connection::{META, OUTBOX, RESPONSES, SYNC_STATE_INDEX, UPDATED_INDEX};
use crate::storage::encoding::{decode_all, from_js};
use crate::storage::error::{IoFailure, Refusal, StorageError};
use crate::storage::records::{response_key, tombstone, CountsThrough, MetaRecord};
use crate::storage::tally::{counts_of, move_between, state_of, tag, Move, State, Tally};
use crate::storage::{Counts, Expected, LocalSyncState, StoredResponse};
use thamgia_core::outbox::tally::FOLD_AFTER;

/// Whether a stored response is past the draft stage, hence immutable.
fn is_completed(record: &StoredResponse) -> bool {
    record.response.status == ResponseStatus::Completed || record.sync != LocalSyncState::Draft
}

/// Saves the draft `response`.
pub(in crate::storage) async fn save_draft(
    database: &Database,
    response: &Response,
) -> Result<(), StorageError> {
    if response.status != ResponseStatus::Draft {
        return Err(Refusal::NotADraft.into());
    }
    // Default durability: drafts are saved often, and a power cut can cost at
    // most the last keystrokes of a draft, never a completed response.
    let transaction = read_write(database, &[META, RESPONSES], TransactionDurability::Default)?;
    {
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
        keep_tally(&meta, [moved]).await?;
    }
    commit(transaction).await
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
                fence_next_seq(&meta).await?;
                keep_tally(&meta, [move_between(Some(&existing.sync), None)]).await?;
            }
        }
    }
    commit(transaction).await
}

/// Queues the submission of the completed `response` (its outbox entry,
/// under the next seq of `record`, and the marker that the seq is taken,
/// without waiting for them) and gives that seq and the record to store for
/// the response, waiting for it. The one way a completed response is
/// queued, by the fill page and by the bench's tablet alike.
fn request_queue_completed(
    outbox: &ObjectStore<'_>,
    meta: &ObjectStore<'_>,
    record: &mut MetaRecord,
    response: &Response,
) -> Result<(u64, StoredResponse, Vec<VoidRequest>), StorageError> {
    let (seq, adds) = request_enqueue(
        outbox,
        meta,
        record,
        MutationChange::SubmitResponse {
            response: response.clone(),
        },
    )?;
    let stored = StoredResponse {
        response: response.clone(),
        sync: LocalSyncState::Waiting { seq },
    };
    Ok((seq, stored, adds))
}

/// Stores the completed `response` and queues it (see
/// [`Store::complete_response`](crate::storage::Store::complete_response)),
/// and gives its seq and what this tab may expect the stores to hold next.
///
/// A draft this tab saved (or read) is completed from what it expects,
/// reading nothing ([`complete_as_expected`]); when the transaction shows
/// the expectation wrong (another tab took a seq since) or anything fails,
/// it wrote nothing, and the completion runs again reading first
/// ([`complete_reading_first`]), which decides whatever the expectation
/// could not.
pub(in crate::storage) async fn complete_response(
    database: &Database,
    response: &Response,
    expected: Option<Expected>,
) -> Result<Completed, StorageError> {
    if let Some(expected) = expected {
        if expected.stored_state(response.id) == Some(State::Draft) {
            if let Ok((seq, expected)) = complete_as_expected(database, response, expected).await {
                return Ok(Completed {
                    seq,
                    expected: Some(expected),
                    as_expected: true,
                });
            }
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

/// The completion of the draft `response` from `expected`, reading
/// nothing: its outbox entry under the next seq expected, the marker that
/// the seq is taken (`add`: it fails, and the browser aborts the whole
/// transaction, when any tab took or fenced that seq since this tab's
/// expectation was made, a discarded draft included; see core's
/// `outbox::expectation`), which carries the change of the tally from
/// draft to waiting (added to the kept tally by whatever reads it), the
/// response waiting for it, and the next seq. Every request is made, then
/// the commit asked for at once: no answer is awaited before it. Gives the
/// seq and what to expect next; an error when anything failed, in which
/// case nothing was written.
async fn complete_as_expected(
    database: &Database,
    response: &Response,
    expected: Expected,
) -> Result<(u64, Expected), StorageError> {
    let transaction = completion_transaction(database)?;
    let mut record = expected.meta().clone();
    let seq = {
        let [meta, responses, outbox] = completion_stores(&transaction)?;
        let (seq, entry) = request_outbox_entry(
            &outbox,
            &mut record,
            MutationChange::SubmitResponse {
                response: response.clone(),
            },
        )?;
        let stored = StoredResponse {
            response: response.clone(),
            sync: LocalSyncState::Waiting { seq },
        };
        let change = Move {
            before: Some(State::Draft),
            after: Some(state_of(&stored.sync)),
        };
        let _requests = [
            request_claim_seq(&meta, record.client_id, seq, change)?,
            entry,
            request_write_response(&responses, &stored)?,
            request_write_next_seq(&meta, &record)?,
        ];
        seq
    };
    // The requests' futures are dropped unawaited: each request was made
    // when built, and one that fails aborts the transaction, which the
    // commit then reports.
    commit(transaction).await?;
    Ok((seq, expected.completed(response.id, record)))
}

/// Fences the next seq (see [`request_fence_next_seq`]) when there is a
/// bookkeeping record: a draft left the draft stage without taking a seq.
async fn fence_next_seq(meta: &ObjectStore<'_>) -> Result<(), StorageError> {
    if let Some(record) = read_meta(meta).await? {
        request_fence_next_seq(meta, &record)?.await?;
    }
    Ok(())
}

/// The writes of a response just queued, by a transaction that read
/// first: the response as `stored`, the bookkeeping `record` (its next
/// seq past the one taken), and the kept `tally` (as read before) moved by
/// `moved`, counting through the seqs just taken. Made, not awaited yet.
fn request_write_queued(
    [meta, responses]: [&ObjectStore<'_>; 2],
    stored: &StoredResponse,
    record: &MetaRecord,
    tally: KeptTally,
    moved: Move,
) -> Result<Vec<VoidRequest>, StorageError> {
    let mut writes = vec![request_write_response(responses, stored)?];
    writes.extend(request_write_meta(meta, record)?);
    writes.extend(request_keep_tally(
        meta,
        tally.through_now(record),
        [moved],
    )?);
    Ok(writes)
}

/// A completion's three reads, made and not awaited yet: the stored
/// response `id`, the bookkeeping record and the tally.
fn request_completion_reads(
    meta: &ObjectStore<'_>,
    responses: &ObjectStore<'_>,
    id: Uuid,
) -> Result<(PendingRead, PendingMeta, PendingTally), StorageError> {
    Ok((
        request_response(responses, id)?,
        request_meta(meta)?,
        request_tally(meta)?,
    ))
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

        let (existing, bookkeeping, tally) =
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
        let mut record = meta_or_new(bookkeeping.answer().await?)?;
        let tally = tally.answer(&meta).await?;

        let (seq, stored, mut writes) =
            request_queue_completed(&outbox, &meta, &mut record, response)?;
        let moved = Move {
            before: existing.as_ref().map(|existing| state_of(&existing.sync)),
            after: Some(state_of(&stored.sync)),
        };
        writes.extend(request_write_queued(
            [&meta, &responses],
            &stored,
            &record,
            tally,
            moved,
        )?);
        all_done(writes).await?;
        (seq, Some(Expected::after_write(record)))
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
            let mut record = meta_or_new(bookkeeping.answer().await?)?;
            let tally = tally.answer(&meta).await?;
            let (seq, mut writes) = request_enqueue(
                &outbox,
                &meta,
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
            writes.extend(request_write_queued(
                [&meta, &responses],
                &after,
                &record,
                tally,
                moved,
            )?);
            all_done(writes).await?;
            seq
        } else {
            // A draft never left the tablet: deleting it deletes everything.
            responses.delete(response_key(id)).primitive()?.await?;
            fence_next_seq(&meta).await?;
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
        let mut record = meta_or_new(bookkeeping.answer().await?)?;
        let tally = tally.answer(&meta).await?;
        let mut pending = Vec::with_capacity(completed.len());
        for response in completed {
            let before = request_response(&responses, response.id)?;
            let (_, stored, mut writes) =
                request_queue_completed(&outbox, &meta, &mut record, response)?;
            writes.push(request_write_response(&responses, &stored)?);
            pending.push((before, writes));
        }
        let meta_writes = request_write_meta(&meta, &record)?;
        let mut moves = Vec::with_capacity(pending.len());
        for (before, writes) in pending {
            let before: Option<StoredResponse> = decoded(before.await?)?;
            moves.push(Move {
                before: before.map(|before| state_of(&before.sync)),
                after: Some(State::Waiting),
            });
            all_done(writes).await?;
        }
        all_done(meta_writes).await?;
        all_done(request_keep_tally(
            &meta,
            tally.through_now(&record),
            moves,
        )?)
        .await?;
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

/// Keeps `counted`, the responses just counted through the index, as the
/// tally, counting every seq taken so far (the bookkeeping record, made
/// now if there is none, says what that is).
async fn keep_counted(meta: &ObjectStore<'_>, counted: &Tally) -> Result<(), StorageError> {
    let (record, made) = match read_meta(meta).await? {
        Some(record) => (record, false),
        None => (meta_or_new(None)?, true),
    };
    let mut writes = request_write_tally(meta, counted, &CountsThrough::of(&record))?;
    if made {
        writes.extend(request_write_meta(meta, &record)?);
    }
    all_done(writes).await
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
        let kept = read_tally(&meta).await?;
        if let Some(tally) = kept.tally.filter(|_| kept.markers <= FOLD_AFTER) {
            return Ok(counts_of(&tally));
        }
    }
    // Another tab may be counting too, so look again inside the write
    // transaction: the second to get there finds the first one's tally.
    // A tally with many markers of seqs past it (report edits, forums, a
    // tablet's queue filled at once) is written again with them folded
    // in, so that the next read reads few.
    let transaction = read_write(database, &[META, RESPONSES], TransactionDurability::Default)?;
    let tally = {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let kept = read_tally(&meta).await?;
        match (kept.tally, kept.through) {
            (Some(tally), Some(through)) => {
                if kept.markers > FOLD_AFTER {
                    all_done(request_write_tally(&meta, &tally, &through)?).await?;
                }
                tally
            }
            _ => {
                let tally = count_states(&responses).await?;
                keep_counted(&meta, &tally).await?;
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
        let kept = read_tally(&meta).await?.tally;
        let counted = count_states(&responses).await?;
        if kept == Some(counted) {
            false
        } else {
            keep_counted(&meta, &counted).await?;
            true
        }
    };
    commit(transaction).await?;
    Ok(corrected)
}
