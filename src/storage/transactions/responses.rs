//! Responses: drafts saved and discarded, a response completed and queued,
//! consent withdrawn (the record and its outbox entries made tombstones),
//! a correction started, and the responses read back and counted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionDurability;
use thamgia_core::protocol::MutationChange;
use thamgia_core::{Response, ResponseStatus};
use uuid::Uuid;

use super::{
    commit, enqueue, read_only, read_or_create_meta, read_response, read_write, scrub_outbox,
    write_meta, write_response,
};
use crate::storage::connection::{META, OUTBOX, RESPONSES, SYNC_STATE_INDEX, UPDATED_INDEX};
use crate::storage::error::{IoFailure, Refusal, StorageError};
use crate::storage::records::{response_key, tombstone};
use crate::storage::{Counts, LocalSyncState, StoredResponse};

/// Whether a stored response is past the draft stage, hence immutable.
fn is_completed(record: &StoredResponse) -> bool {
    record.response.status == ResponseStatus::Completed || record.sync != LocalSyncState::Draft
}

pub(in crate::storage) async fn save_draft(
    database: &Database,
    response: &Response,
) -> Result<(), StorageError> {
    if response.status != ResponseStatus::Draft {
        return Err(Refusal::NotADraft.into());
    }
    // Default durability: drafts are saved often, and a power cut can cost at
    // most the last keystrokes of a draft, never a completed response.
    let transaction = read_write(database, &[RESPONSES], TransactionDurability::Default)?;
    {
        let responses = transaction.object_store(RESPONSES)?;
        if let Some(existing) = read_response(&responses, response.id).await? {
            if is_completed(&existing) {
                return Err(Refusal::NotADraft.into());
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

pub(in crate::storage) async fn discard_draft(
    database: &Database,
    id: Uuid,
) -> Result<(), StorageError> {
    let transaction = read_write(database, &[RESPONSES], TransactionDurability::Default)?;
    {
        let responses = transaction.object_store(RESPONSES)?;
        match read_response(&responses, id).await? {
            None => return Ok(()),
            Some(existing) if is_completed(&existing) => return Err(Refusal::NotADraft.into()),
            Some(_) => responses.delete(response_key(id)).primitive()?.await?,
        }
    }
    commit(transaction).await
}

pub(in crate::storage) async fn complete_response(
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
                    _ => Err(Refusal::NotADraft.into()),
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

pub(in crate::storage) async fn start_correction(
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
            return Err(Refusal::NotFound.into());
        };
        match stored.response.status {
            ResponseStatus::Completed => {}
            ResponseStatus::Withdrawn => return Err(Refusal::Withdrawn.into()),
            ResponseStatus::Draft => return Err(Refusal::NotCompleted.into()),
        }
        if read_response(&responses, new_id).await?.is_some() {
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
    let mut records = responses
        .get_all::<StoredResponse>()
        .serde()?
        .await?
        .collect::<Result<Vec<_>, _>>()?;
    records.sort_by_key(|record| std::cmp::Reverse(record.response.updated_at));
    Ok(records)
}

/// Stores `responses` as completed and waiting, with their outbox entries,
/// in one transaction: how a tablet stands after weeks offline, made at
/// once for `cargo xtask bench` (the app completes one at a time).
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
        let mut record = read_or_create_meta(&meta).await?;
        for response in completed {
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
        }
        write_meta(&meta, &record).await?;
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
            match cursor.next_record_ser::<StoredResponse>().await? {
                Some(record) => records.push(record),
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
    let mut records = by_state
        .get_all::<StoredResponse>()
        .with_query("draft")
        .serde()?
        .await?
        .collect::<Result<Vec<_>, _>>()?;
    records.sort_by_key(|record| std::cmp::Reverse(record.response.updated_at));
    Ok(records)
}

pub(in crate::storage) async fn counts(database: &Database) -> Result<Counts, StorageError> {
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
