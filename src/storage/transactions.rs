//! Each storage operation as one IndexedDB transaction, grouped by what it
//! is about: the meta store (`meta.rs`: sync bookkeeping, the session),
//! responses, reports, forums, surveys, the outbox (`outbox.rs`: what a push
//! result does, the renumbering) and the pull (`pull.rs`). This file holds
//! what they share: starting and committing a transaction, and reading and
//! writing one record of each store.
//!
//! Inside a transaction only IndexedDB requests are awaited (encoding,
//! `Date.now()` and `crypto` are synchronous), so no transaction can
//! auto-commit half-way. Every function returns early with `?` on the first
//! failure; dropping an uncommitted [`Transaction`] aborts it, so a failed
//! operation leaves nothing behind.
//!
//! IndexedDB runs a transaction's requests in the order they were made, so
//! requests that do not need each other's answers are all made before the
//! first is awaited (the `request_*` functions make one without awaiting
//! it). They are then awaited in the order they were made: the first to
//! fail is the one reported, not a later one the abort it caused failed.
//!
//! Records are stored as their JSON's bytes (`encoding.rs`), and every write that adds,
//! deletes or changes the state of a response moves it in the kept tally of
//! responses per state (`tally.rs`), in the same transaction.

mod forums;
mod meta;
mod outbox;
mod pull;
mod reports;
mod responses;
mod surveys;

use std::collections::BTreeMap;

use indexed_db_futures::database::Database;
use indexed_db_futures::future::{BasicRequest, VoidRequest};
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions,
};
use indexed_db_futures::KeyRange;
use serde::de::DeserializeOwned;
use serde::Serialize;
use thamgia_core::protocol::{Mutation, MutationChange};
use thamgia_core::report::ReportId;
use thamgia_core::Response;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

use super::connection::{COUNTS_KEY, COUNTS_THROUGH_KEY, META_KEY, NEXT_SEQ_KEY, SYNC_STATE_INDEX};
use super::encoding::{decode_all, from_js, to_js, Keyed};
use super::error::StorageError;
use super::records::{
    forum_key, new_client_id, report_key, response_key, taken_key, CountsThrough, MetaRecord,
    NextSeq, OutboxEntry, Taken,
};
use super::tally::{tag, Move, State, Tally};
use super::{StoredForum, StoredReport, StoredResponse};

pub(super) use forums::{
    discard_forum_draft, forum, forums, record_feedback, save_forum_draft, submit_forum,
};
pub(super) use meta::{
    claim, clear_session, load_catalogue, load_session, owner, save_catalogue, save_session,
    set_last_success, sync_meta,
};
pub(super) use outbox::{apply_push_results, read_outbox, renumber_outbox};
pub(super) use pull::apply_pull;
pub(super) use reports::{
    change_report_status, dismiss_report_rejection, edit_report_field, report,
};
pub(super) use responses::{
    complete_response, counts, discard_draft, drafts, fill_waiting, newest_responses, recount,
    response, responses, save_draft, start_correction, withdraw_response,
};
pub(super) use surveys::{survey, surveys};

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

/// A read made and not awaited yet; it answers the stored value, if any.
type PendingRead = BasicRequest<Option<JsValue>>;

/// Asks for the record under `key` in `store`, without waiting for it.
fn request_get(store: &ObjectStore<'_>, key: &str) -> Result<PendingRead, StorageError> {
    Ok(store.get::<JsValue, _, _>(key).primitive()?)
}

/// The record a read answered, decoded.
fn decoded<T: DeserializeOwned>(value: Option<JsValue>) -> Result<Option<T>, StorageError> {
    value.map(from_js).transpose()
}

/// Reads the record under `key` in `store`, if there is one.
async fn read_record<T: DeserializeOwned>(
    store: &ObjectStore<'_>,
    key: &str,
) -> Result<Option<T>, StorageError> {
    decoded(request_get(store, key)?.await?)
}

/// Reads every record of `store`, in key order.
async fn read_all<T: DeserializeOwned>(store: &ObjectStore<'_>) -> Result<Vec<T>, StorageError> {
    decode_all(store.get_all::<JsValue>().primitive()?.await?)
}

/// Writes `value` into `store` under the key its key path gives, without
/// waiting for it.
fn request_put<T: Serialize + Keyed>(
    store: &ObjectStore<'_>,
    value: &T,
) -> Result<VoidRequest, StorageError> {
    Ok(store.put(to_js(value, value.keys())?).primitive()?)
}

/// Writes `value` into `store` under `key` (a store without a key path),
/// without waiting for it.
fn request_put_at<T: Serialize>(
    store: &ObjectStore<'_>,
    key: &str,
    value: &T,
) -> Result<VoidRequest, StorageError> {
    Ok(store
        .put(to_js(value, Vec::new())?)
        .with_key(key)
        .without_key_type()
        .primitive()?)
}

/// Adds `value` to `store` (refused if its key is taken), without waiting
/// for it.
fn request_add<T: Serialize + Keyed>(
    store: &ObjectStore<'_>,
    value: &T,
) -> Result<VoidRequest, StorageError> {
    Ok(store.add(to_js(value, value.keys())?).primitive()?)
}

/// Adds `value` to `store` under `key` (a store without a key path),
/// refused if the key is taken, without waiting for it.
fn request_add_at(
    store: &ObjectStore<'_>,
    key: &str,
    value: JsValue,
) -> Result<VoidRequest, StorageError> {
    Ok(store
        .add(value)
        .with_key(key)
        .without_key_type()
        .primitive()?)
}

/// Waits for `requests`, in the order they were made.
async fn all_done(requests: Vec<VoidRequest>) -> Result<(), StorageError> {
    for request in requests {
        request.await?;
    }
    Ok(())
}

/// The sync bookkeeping record's reads, made and not awaited yet: the
/// record and the next seq kept apart from it (`records::NextSeq`).
struct PendingMeta {
    record: PendingRead,
    next: PendingRead,
}

impl PendingMeta {
    /// The bookkeeping record, if there is one yet, with the next seq kept
    /// apart from it when that is of its client id (a completion written
    /// without reading first moves only that).
    async fn answer(self) -> Result<Option<MetaRecord>, StorageError> {
        let record: Option<MetaRecord> = decoded(self.record.await?)?;
        let next: Option<NextSeq> = decoded(self.next.await?)?;
        Ok(record.map(|mut record| {
            if let Some(next) = next.filter(|next| next.client_id == record.client_id) {
                record.next_seq = record.next_seq.max(next.next_seq);
            }
            record
        }))
    }
}

/// Reads the sync bookkeeping record, if there is one yet.
async fn read_meta(meta: &ObjectStore<'_>) -> Result<Option<MetaRecord>, StorageError> {
    request_meta(meta)?.answer().await
}

/// Asks for the sync bookkeeping record, without waiting for it (see
/// [`meta_or_new`]).
fn request_meta(meta: &ObjectStore<'_>) -> Result<PendingMeta, StorageError> {
    Ok(PendingMeta {
        record: request_get(meta, META_KEY)?,
        next: request_get(meta, NEXT_SEQ_KEY)?,
    })
}

/// The sync bookkeeping record a read of it answered, or a fresh one (with
/// a new client id) when there is none. The caller writes it back.
fn meta_or_new(record: Option<MetaRecord>) -> Result<MetaRecord, StorageError> {
    match record {
        Some(record) => Ok(record),
        None => Ok(MetaRecord::fresh(new_client_id()?)),
    }
}

/// Reads the sync bookkeeping record, making a fresh one (with a new client
/// id) when there is none. The caller writes it back.
async fn read_or_create_meta(meta: &ObjectStore<'_>) -> Result<MetaRecord, StorageError> {
    meta_or_new(read_meta(meta).await?)
}

/// Writes the next seq of `record`'s client alone, without waiting for it.
fn request_write_next_seq(
    meta: &ObjectStore<'_>,
    record: &MetaRecord,
) -> Result<VoidRequest, StorageError> {
    request_put_at(
        meta,
        NEXT_SEQ_KEY,
        &NextSeq {
            client_id: record.client_id,
            next_seq: record.next_seq,
        },
    )
}

/// Writes the sync bookkeeping record and its next seq, without waiting
/// for them.
fn request_write_meta(
    meta: &ObjectStore<'_>,
    record: &MetaRecord,
) -> Result<Vec<VoidRequest>, StorageError> {
    Ok(vec![
        request_put_at(meta, META_KEY, record)?,
        request_write_next_seq(meta, record)?,
    ])
}

/// Writes the sync bookkeeping record and its next seq.
async fn write_meta(meta: &ObjectStore<'_>, record: &MetaRecord) -> Result<(), StorageError> {
    all_done(request_write_meta(meta, record)?).await
}

/// Marks seq `seq` of `client_id` taken (see core's
/// `outbox::expectation`), without waiting for it. `put`, by the
/// transactions that read the next seq first: the marker may be there
/// already as a fence (a renumbering's, a discarded draft's), and the seq
/// is theirs all the same. A completion written without reading first
/// `add`s it instead ([`request_claim_seq`]).
fn request_mark_taken(
    meta: &ObjectStore<'_>,
    client_id: Uuid,
    seq: u64,
) -> Result<VoidRequest, StorageError> {
    request_put_at(
        meta,
        &taken_key(client_id, seq),
        &Taken { seq, change: None },
    )
}

/// Marks seq `seq` of `client_id` taken by a transaction that did not read
/// the next seq, with the change of the tally it made, without waiting for
/// it: `add`, which fails, and aborts the whole transaction, when the seq
/// was taken, or fenced, since the transaction's expectation was made.
fn request_claim_seq(
    meta: &ObjectStore<'_>,
    client_id: Uuid,
    seq: u64,
    change: Move,
) -> Result<VoidRequest, StorageError> {
    let taken = Taken {
        seq,
        change: Some(change),
    };
    request_add_at(meta, &taken_key(client_id, seq), to_js(&taken, Vec::new())?)
}

/// Marks the next seq of `record` taken without taking it, without
/// waiting for it: a fence that fails a completion another tab would write
/// from what it expected before this transaction (a draft it expected was
/// discarded here). The seq stays the next one: whatever reads first takes
/// it.
fn request_fence_next_seq(
    meta: &ObjectStore<'_>,
    record: &MetaRecord,
) -> Result<VoidRequest, StorageError> {
    request_mark_taken(meta, record.client_id, record.next_seq)
}

/// Appends `change` to the outbox under the next seq of `record`, which the
/// caller writes back in the same transaction, and returns that seq with
/// the add, not awaited yet. `add`, not `put`: a seq already in the outbox
/// is a bug (or another tab's write) to stop at, never a mutation to
/// overwrite.
fn request_outbox_entry(
    outbox: &ObjectStore<'_>,
    record: &mut MetaRecord,
    change: MutationChange,
) -> Result<(u64, VoidRequest), StorageError> {
    let seq = record.next_seq;
    let entry = OutboxEntry {
        seq,
        mutation: Mutation { seq, change },
    };
    let add = request_add(outbox, &entry)?;
    record.next_seq = seq + 1;
    Ok((seq, add))
}

/// [`request_outbox_entry`], by a transaction that read the next seq
/// first, with the marker that the seq is taken; returns the seq with the
/// two writes, not awaited yet.
fn request_enqueue(
    outbox: &ObjectStore<'_>,
    meta: &ObjectStore<'_>,
    record: &mut MetaRecord,
    change: MutationChange,
) -> Result<(u64, Vec<VoidRequest>), StorageError> {
    let (seq, add) = request_outbox_entry(outbox, record, change)?;
    Ok((
        seq,
        vec![add, request_mark_taken(meta, record.client_id, seq)?],
    ))
}

/// [`request_enqueue`], awaited.
async fn enqueue(
    outbox: &ObjectStore<'_>,
    meta: &ObjectStore<'_>,
    record: &mut MetaRecord,
    change: MutationChange,
) -> Result<u64, StorageError> {
    let (seq, adds) = request_enqueue(outbox, meta, record, change)?;
    all_done(adds).await?;
    Ok(seq)
}

/// Asks for one stored response, without waiting for it.
fn request_response(responses: &ObjectStore<'_>, id: Uuid) -> Result<PendingRead, StorageError> {
    request_get(responses, &response_key(id))
}

/// Reads one stored response.
async fn read_response(
    responses: &ObjectStore<'_>,
    id: Uuid,
) -> Result<Option<StoredResponse>, StorageError> {
    read_record(responses, &response_key(id)).await
}

/// Writes one stored response (its key is `response.id`), without waiting
/// for it.
fn request_write_response(
    responses: &ObjectStore<'_>,
    record: &StoredResponse,
) -> Result<VoidRequest, StorageError> {
    request_put(responses, record)
}

/// Writes one stored response (its key is `response.id`).
async fn write_response(
    responses: &ObjectStore<'_>,
    record: &StoredResponse,
) -> Result<(), StorageError> {
    request_write_response(responses, record)?.await?;
    Ok(())
}

/// The kept tally's first reads, made and not awaited yet: the tally and
/// what it counts ([`CountsThrough`]).
struct PendingTally {
    kept: PendingRead,
    through: PendingRead,
}

/// The kept tally as a transaction read it: the tally with the changes of
/// the markers past it added, if it can be trusted, what a tally written
/// back counts then (`Some` whenever the tally is), and how many markers
/// past it were read.
#[derive(Debug, Clone, Copy)]
struct KeptTally {
    tally: Option<Tally>,
    through: Option<CountsThrough>,
    markers: usize,
}

impl KeptTally {
    /// What a transaction that took seqs of `record` (read before it took
    /// them) writes back: everything up to its next seq, the markers it
    /// added carrying no change of the tally, and none past it possible
    /// while it runs.
    fn through_now(self, record: &MetaRecord) -> KeptTally {
        KeptTally {
            through: self.tally.map(|_| CountsThrough::of(record)),
            ..self
        }
    }
}

impl PendingTally {
    /// The kept tally with the changes of the markers of seqs taken since
    /// it was written (completions written without reading first), if it
    /// can be trusted: there is one, with what it counts, it decodes, the
    /// current version of the app wrote it, and every change moves it (a
    /// change it refuses shows it wrong). Reads the markers once the first
    /// reads answered, in the same transaction.
    async fn answer(self, meta: &ObjectStore<'_>) -> Result<KeptTally, StorageError> {
        let untrusted = KeptTally {
            tally: None,
            through: None,
            markers: 0,
        };
        let kept = self
            .kept
            .await?
            .and_then(|value| from_js::<Tally>(value).ok())
            .filter(Tally::is_current);
        let through: Option<CountsThrough> =
            self.through.await?.and_then(|value| from_js(value).ok());
        let (Some(kept), Some(through)) = (kept, through) else {
            return Ok(untrusted);
        };
        let since = KeyRange::Bound(
            JsValue::from_str(&taken_key(through.client_id, through.next_seq)),
            false,
            JsValue::from_str(&taken_key(through.client_id, u64::MAX)),
            false,
        );
        let markers: Vec<Taken> = decode_all(
            meta.get_all::<JsValue>()
                .with_query::<JsValue, _>(since)
                .primitive()?
                .await?,
        )?;
        let folded = kept.folded(
            through.next_seq,
            markers.iter().map(|taken| (taken.seq, taken.change)),
        );
        Ok(match folded {
            Some((tally, next_seq)) => KeptTally {
                tally: Some(tally),
                through: Some(CountsThrough {
                    client_id: through.client_id,
                    next_seq,
                }),
                markers: markers.len(),
            },
            None => untrusted,
        })
    }
}

/// Asks for the kept tally of responses per state and what it counts,
/// without waiting for them.
fn request_tally(meta: &ObjectStore<'_>) -> Result<PendingTally, StorageError> {
    Ok(PendingTally {
        kept: request_get(meta, COUNTS_KEY)?,
        through: request_get(meta, COUNTS_THROUGH_KEY)?,
    })
}

/// Reads the kept tally, if it can be trusted.
async fn read_tally(meta: &ObjectStore<'_>) -> Result<KeptTally, StorageError> {
    request_tally(meta)?.answer(meta).await
}

/// Writes `tally` as the kept one, counting `through`, without waiting for
/// it.
fn request_write_tally(
    meta: &ObjectStore<'_>,
    tally: &Tally,
    through: &CountsThrough,
) -> Result<Vec<VoidRequest>, StorageError> {
    Ok(vec![
        request_put_at(meta, COUNTS_KEY, tally)?,
        request_put_at(meta, COUNTS_THROUGH_KEY, through)?,
    ])
}

/// Deletes the kept tally (the next [`counts`] counts again), without
/// waiting for it.
fn request_drop_tally(meta: &ObjectStore<'_>) -> Result<Vec<VoidRequest>, StorageError> {
    Ok(vec![
        meta.delete(COUNTS_KEY).primitive()?,
        meta.delete(COUNTS_THROUGH_KEY).primitive()?,
    ])
}

/// The writes that keep `tally` (the trusted tally as read in this
/// transaction, if any) true once the responses made `moves`, made without
/// waiting for them: none when no tally is kept or nothing moved (the next
/// [`counts`] counts again), the tally moved, or, when a move shows the
/// tally was wrong, its deletion (so the next [`counts`] counts again).
fn request_keep_tally(
    meta: &ObjectStore<'_>,
    kept: KeptTally,
    moves: impl IntoIterator<Item = Move>,
) -> Result<Vec<VoidRequest>, StorageError> {
    let (Some(tally), Some(through)) = (kept.tally, kept.through) else {
        return Ok(Vec::new());
    };
    let moves: Vec<Move> = moves
        .into_iter()
        .filter(|change| !change.is_still())
        .collect();
    if moves.is_empty() {
        return Ok(Vec::new());
    }
    match tally.after(moves) {
        Some(moved) => request_write_tally(meta, &moved, &through),
        None => request_drop_tally(meta),
    }
}

/// Moves the responses of `moves` in the kept tally: reads it (only when
/// something moved) and writes it back, awaiting each. For the
/// transactions that await their requests one by one.
async fn keep_tally(
    meta: &ObjectStore<'_>,
    moves: impl IntoIterator<Item = Move>,
) -> Result<(), StorageError> {
    let moves: Vec<Move> = moves
        .into_iter()
        .filter(|change| !change.is_still())
        .collect();
    if moves.is_empty() {
        return Ok(());
    }
    let tally = read_tally(meta).await?;
    all_done(request_keep_tally(meta, tally, moves)?).await
}

/// Counts the responses in each state through the `sync_state` index,
/// without reading a record: one request per state, all made before the
/// first is awaited.
async fn count_states(responses: &ObjectStore<'_>) -> Result<Tally, StorageError> {
    let by_state = responses.index(SYNC_STATE_INDEX)?;
    let requests = State::ALL.map(|state| by_state.count().with_query(tag(state)).primitive());
    let mut counted = State::ALL.map(|_| 0_u64);
    for (count, request) in counted.iter_mut().zip(requests) {
        *count = u64::from(request?.await?);
    }
    // `State::ALL` lists the states in the order they are declared.
    Ok(Tally::counted(|state| counted[state as usize]))
}

/// Reads one stored report; an empty draft when nobody edited it yet.
async fn read_report(
    reports: &ObjectStore<'_>,
    report_id: &ReportId,
) -> Result<StoredReport, StorageError> {
    let stored: Option<StoredReport> = read_record(reports, &report_key(report_id)).await?;
    Ok(stored.unwrap_or_else(|| StoredReport::empty(report_id.clone())))
}

/// Writes one stored report under its id, without waiting for it.
fn request_write_report(
    reports: &ObjectStore<'_>,
    report: &StoredReport,
) -> Result<VoidRequest, StorageError> {
    request_put_at(reports, &report_key(report.fields.report_id()), report)
}

/// Writes one stored report under its id.
async fn write_report(
    reports: &ObjectStore<'_>,
    report: &StoredReport,
) -> Result<(), StorageError> {
    request_write_report(reports, report)?.await?;
    Ok(())
}

/// Reads one stored forum.
async fn read_forum(
    forums: &ObjectStore<'_>,
    id: Uuid,
) -> Result<Option<StoredForum>, StorageError> {
    read_record(forums, &forum_key(id)).await
}

/// Reads every stored forum.
async fn read_all_forums(forums: &ObjectStore<'_>) -> Result<Vec<StoredForum>, StorageError> {
    read_all(forums).await
}

/// Writes one stored forum (its key is `forum.id`), without waiting for it.
fn request_write_forum(
    forums: &ObjectStore<'_>,
    record: &StoredForum,
) -> Result<VoidRequest, StorageError> {
    request_put(forums, record)
}

/// Writes one stored forum (its key is `forum.id`).
async fn write_forum(forums: &ObjectStore<'_>, record: &StoredForum) -> Result<(), StorageError> {
    request_write_forum(forums, record)?.await?;
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
    let entries: Vec<OutboxEntry> = read_all(outbox).await?;
    let mut writes = Vec::new();
    for mut entry in entries {
        let MutationChange::SubmitResponse { response } = &mut entry.mutation.change else {
            continue;
        };
        let Some(replacement) = tombstones.get(&response.id) else {
            continue;
        };
        if response != replacement {
            *response = replacement.clone();
            writes.push(request_put(outbox, &entry)?);
        }
    }
    all_done(writes).await
}
