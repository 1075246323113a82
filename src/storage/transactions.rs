//! Each storage operation as one IndexedDB transaction, grouped by what it
//! is about: the meta store (`meta.rs`: sync bookkeeping, the session),
//! responses, reports, forums, surveys, the outbox (`outbox.rs`: what a push
//! result does, the renumbering) and the pull (`pull.rs`). This file holds
//! what they share: starting and committing a transaction, and reading and
//! writing one record of each store.
//!
//! Inside a transaction only IndexedDB requests are awaited (serialising,
//! `Date.now()` and `crypto` are synchronous), so no transaction can
//! auto-commit half-way. Every function returns early with `?` on the first
//! failure; dropping an uncommitted [`Transaction`] aborts it, so a failed
//! operation leaves nothing behind.

mod forums;
mod meta;
mod outbox;
mod pull;
mod reports;
mod responses;
mod surveys;

use std::collections::BTreeMap;

use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions,
};
use thamgia_core::protocol::{Mutation, MutationChange};
use thamgia_core::report::ReportId;
use thamgia_core::Response;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::connection::META_KEY;
use super::error::StorageError;
use super::records::{forum_key, new_client_id, report_key, response_key, MetaRecord, OutboxEntry};
use super::{StoredForum, StoredReport, StoredResponse};

pub(super) use forums::{
    discard_forum_draft, forum, forums, record_feedback, save_forum_draft, submit_forum,
};
pub(super) use meta::{
    clear_session, load_catalogue, load_session, save_catalogue, save_session, set_last_success,
    sync_meta,
};
pub(super) use outbox::{apply_push_results, read_outbox, renumber_outbox};
pub(super) use pull::apply_pull;
pub(super) use reports::{
    change_report_status, dismiss_report_rejection, edit_report_field, report,
};
pub(super) use responses::{
    complete_response, counts, discard_draft, drafts, fill_waiting, newest_responses, response,
    responses, save_draft, start_correction, withdraw_response,
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
