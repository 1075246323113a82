//! Children's forums: drafts saved and discarded, a forum submitted and
//! queued, feedback to the children recorded and queued, and the forums
//! read back.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionDurability;
use thamgia_core::forum::{ChildFeedback, Forum};
use thamgia_core::protocol::MutationChange;
use uuid::Uuid;

use super::{
    commit, enqueue, read_all, read_all_forums, read_forum, read_only, read_or_create_meta,
    read_write, write_forum, write_meta,
};
use crate::storage::connection::{FORUMS, META, OUTBOX};
use crate::storage::error::{Refusal, StorageError};
use crate::storage::records::{forum_key, OutboxEntry};
use crate::storage::{LocalSyncState, StoredForum};

pub(in crate::storage) async fn save_forum_draft(
    database: &Database,
    forum: &Forum,
) -> Result<(), StorageError> {
    if forum.submitted {
        return Err(Refusal::ForumSubmitted.into());
    }
    // Default durability, as for any draft: saved at every change.
    let transaction = read_write(database, &[FORUMS], TransactionDurability::Default)?;
    {
        let forums = transaction.object_store(FORUMS)?;
        if let Some(existing) = read_forum(&forums, forum.id).await? {
            if !existing.is_draft() {
                return Err(Refusal::ForumSubmitted.into());
            }
        }
        write_forum(&forums, &StoredForum::draft(forum.clone())).await?;
    }
    commit(transaction).await
}

pub(in crate::storage) async fn discard_forum_draft(
    database: &Database,
    id: Uuid,
) -> Result<(), StorageError> {
    let transaction = read_write(database, &[FORUMS], TransactionDurability::Default)?;
    {
        let forums = transaction.object_store(FORUMS)?;
        match read_forum(&forums, id).await? {
            None => return Ok(()),
            Some(existing) if !existing.is_draft() => return Err(Refusal::ForumSubmitted.into()),
            Some(_) => forums.delete(forum_key(id)).primitive()?.await?,
        }
    }
    commit(transaction).await
}

pub(in crate::storage) async fn submit_forum(
    database: &Database,
    forum: &Forum,
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

        if let Some(existing) = read_forum(&forums, forum.id).await? {
            if !existing.is_draft() {
                return match existing.sync {
                    // The same submission again (a double tap): queued already.
                    LocalSyncState::Waiting { seq } if existing.forum == *forum => Ok(seq),
                    _ => Err(Refusal::ForumSubmitted.into()),
                };
            }
        }

        let mut record = read_or_create_meta(&meta).await?;
        let seq = enqueue(
            &outbox,
            &meta,
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

pub(in crate::storage) async fn record_feedback(
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
            return Err(Refusal::RecommendationNotFound.into());
        };
        if stored.is_draft() {
            return Err(Refusal::ForumNotSubmitted.into());
        }
        let key = forum_key(feedback.recommendation_id);
        if let Some(recorded) = stored.feedback.get(&key) {
            if recorded != feedback {
                return Err(Refusal::FeedbackAlreadyGiven.into());
            }
            // The same feedback again (a double tap): its seq while it is
            // queued, 0 once it has left.
            let entries: Vec<OutboxEntry> = read_all(&outbox).await?;
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
            &meta,
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

pub(in crate::storage) async fn forums(
    database: &Database,
) -> Result<Vec<StoredForum>, StorageError> {
    let transaction = read_only(database, &[FORUMS])?;
    let forums = transaction.object_store(FORUMS)?;
    let mut records = read_all_forums(&forums).await?;
    thamgia_core::sorting::sort_by_key(&mut records, |record| {
        std::cmp::Reverse((record.forum.held_on, record.forum.created_at))
    });
    Ok(records)
}

pub(in crate::storage) async fn forum(
    database: &Database,
    id: Uuid,
) -> Result<Option<StoredForum>, StorageError> {
    let transaction = read_only(database, &[FORUMS])?;
    let forums = transaction.object_store(FORUMS)?;
    read_forum(&forums, id).await
}
