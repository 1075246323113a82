//! A pulled page applied in one transaction: survey versions stored,
//! responses withdrawn at the town hall made tombstones, refused responses
//! the town hall accepted shown sent, report edits and
//! status changes merged, forums, answers and feedback attached, and the
//! cursor moved.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::transaction::TransactionDurability;
use thamgia_core::outbox::push::response_after_acceptance;
use thamgia_core::protocol::{Change, ChangeEntity};
use thamgia_core::report::{Hlc, HlcClock, ReportId};
use uuid::Uuid;

use super::outbox::{settled_of, settled_state};
use super::{
    all_done, commit, decoded, now_ms, read_all_forums, read_or_create_meta, read_report,
    read_write, request_keep_tally, request_put_at, request_response, request_tally,
    request_write_forum, request_write_report, request_write_response, scrub_outbox, write_meta,
};
use crate::storage::connection::{FORUMS, META, OUTBOX, REPORTS, RESPONSES, SURVEYS};
use crate::storage::error::StorageError;
use crate::storage::records::{forum_key, is_tombstone, tombstone};
use crate::storage::tally::move_between;
use crate::storage::{LocalSyncState, StoredForum, StoredReport, StoredResponse};

pub(in crate::storage) async fn apply_pull(
    database: &Database,
    changes: &[Change],
    next_cursor: u64,
    cursor_token: Option<&str>,
) -> Result<(), StorageError> {
    // A set: a page that withdraws a response twice moves it once.
    let withdrawn: BTreeSet<Uuid> = changes
        .iter()
        .filter_map(|change| match change.entity {
            ChangeEntity::ResponseWithdrawn { response_id } => Some(response_id),
            ChangeEntity::Survey { .. }
            | ChangeEntity::ReportFieldEdited { .. }
            | ChangeEntity::ReportStatusChanged { .. }
            | ChangeEntity::ForumStored { .. }
            | ChangeEntity::RecommendationAnswered { .. }
            | ChangeEntity::FeedbackRecorded { .. }
            | ChangeEntity::ResponseAccepted { .. } => None,
        })
        .collect();
    let accepted: BTreeSet<Uuid> = changes
        .iter()
        .filter_map(|change| match change.entity {
            ChangeEntity::ResponseAccepted { response_id } => Some(response_id),
            _ => None,
        })
        .filter(|id| !withdrawn.contains(id))
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
    if withdrawn.is_empty() && !accepted.is_empty() {
        stores.push(RESPONSES);
    }
    let transaction = read_write(database, &stores, durability)?;
    {
        let meta = transaction.object_store(META)?;
        let surveys = transaction.object_store(SURVEYS)?;
        let mut record = read_or_create_meta(&meta).await?;
        // Every survey's write goes out before the first is awaited.
        let mut writes = Vec::new();
        for change in changes {
            if let ChangeEntity::Survey { survey } = &change.entity {
                writes.push(request_put_at(&surveys, &survey.key(), survey)?);
            }
        }
        all_done(writes).await?;
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
            // The reads go out together, then the writes.
            let reads = withdrawn
                .iter()
                .map(|id| request_response(&responses, *id))
                .collect::<Result<Vec<_>, _>>()?;
            let tally = request_tally(&meta)?;
            let mut tombstones = BTreeMap::new();
            let mut writes = Vec::new();
            let mut moves = Vec::new();
            for (id, read) in withdrawn.iter().zip(reads) {
                // Responses made on other tablets are not here: nothing to do.
                let Some(stored) = decoded::<StoredResponse>(read.await?)? else {
                    continue;
                };
                let before = stored.sync;
                let response = if is_tombstone(&stored.response) {
                    stored.response
                } else {
                    tombstone(&stored.response, now)
                };
                let record = StoredResponse {
                    response,
                    sync: LocalSyncState::Withdrawn,
                };
                moves.push(move_between(Some(&before), Some(&record.sync)));
                writes.push(request_write_response(&responses, &record)?);
                tombstones.insert(*id, record.response);
            }
            let tally = tally.answer(&meta).await?;
            writes.extend(request_keep_tally(&meta, tally, moves)?);
            all_done(writes).await?;
            scrub_outbox(&outbox, &tombstones).await?;
        }
        if !accepted.is_empty() {
            let responses = transaction.object_store(RESPONSES)?;
            apply_accepted(&meta, &responses, &accepted).await?;
        }
        record.cursor = next_cursor;
        record.cursor_token = cursor_token.map(str::to_owned);
        write_meta(&meta, &record).await?;
    }
    commit(transaction).await
}

/// Moves the responses of `accepted` this tablet holds as core's
/// `response_after_acceptance` says (a refused one is shown sent; any
/// other is left as it is). The kept tally moves with them.
async fn apply_accepted(
    meta: &ObjectStore<'_>,
    responses: &ObjectStore<'_>,
    accepted: &BTreeSet<Uuid>,
) -> Result<(), StorageError> {
    let now_ms = now_ms();
    let reads = accepted
        .iter()
        .map(|id| request_response(responses, *id))
        .collect::<Result<Vec<_>, _>>()?;
    let tally = request_tally(meta)?;
    let mut writes = Vec::new();
    let mut moves = Vec::new();
    for read in reads {
        let Some(stored) = decoded::<StoredResponse>(read.await?)? else {
            continue;
        };
        let Some(settled) = response_after_acceptance(settled_of(&stored.sync).as_ref()) else {
            continue;
        };
        let record = StoredResponse {
            sync: settled_state(settled, now_ms),
            ..stored
        };
        moves.push(move_between(Some(&stored.sync), Some(&record.sync)));
        writes.push(request_write_response(responses, &record)?);
    }
    let tally = tally.answer(meta).await?;
    writes.extend(request_keep_tally(meta, tally, moves)?);
    all_done(writes).await
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
            | ChangeEntity::ResponseAccepted { .. }
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
            | ChangeEntity::ResponseAccepted { .. }
            | ChangeEntity::ForumStored { .. }
            | ChangeEntity::RecommendationAnswered { .. }
            | ChangeEntity::FeedbackRecorded { .. } => {}
        }
    }
    let writes = touched
        .values()
        .map(|report| request_write_report(reports, report))
        .collect::<Result<Vec<_>, _>>()?;
    all_done(writes).await?;
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
            | ChangeEntity::ResponseAccepted { .. }
            | ChangeEntity::ReportFieldEdited { .. }
            | ChangeEntity::ReportStatusChanged { .. } => {}
        }
    }
    let writes = touched
        .into_iter()
        .filter_map(|index| held.get(index))
        .map(|stored| request_write_forum(forums, stored))
        .collect::<Result<Vec<_>, _>>()?;
    all_done(writes).await
}
