//! The outbox: read for a push, then emptied up to the town hall's
//! acknowledgement with what its results do to each record (core's
//! `outbox::push`), and renumbered under a new client id with everything
//! acknowledged queued again (core's `outbox::plan_renumbering`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionDurability;
use indexed_db_futures::KeyRange;
use thamgia_core::forum::Forum;
use thamgia_core::outbox::batch;
use thamgia_core::outbox::push::{forum_after_push, refusal, response_after_push, Settled};
use thamgia_core::outbox::{plan_renumbering, Held, HeldForum, HeldResponse, HeldState, Waiter};
use thamgia_core::protocol::{Mutation, MutationChange, MutationOutcome, MutationResult};
use thamgia_core::ResponseStatus;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{
    all_done, commit, decoded, now_ms, read_forum, read_only, read_report, read_write, request_add,
    request_keep_tally, request_meta, request_put_at, request_response, request_tally,
    request_write_forum, request_write_meta, request_write_response, request_write_tally,
    scrub_outbox, write_forum, write_report,
};
use crate::storage::connection::{FORUMS, META, OUTBOX, REPORTS, RESPONSES};
use crate::storage::encoding::{decode_all, stored_size};
use crate::storage::error::StorageError;
use crate::storage::records::{
    is_tombstone, outbox_key, taken_key, tombstone, CountsThrough, MetaRecord, OutboxEntry, Taken,
};
use crate::storage::tally::{state_of, Move, State, Tally};
use crate::storage::{LocalSyncState, StoredForum, StoredReport, StoredResponse};

pub(in crate::storage) async fn read_outbox(
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
        let values: Vec<_> = outbox
            .get_all::<JsValue>()
            .with_limit(u32::try_from(limit).unwrap_or(u32::MAX))
            .primitive()?
            .await?
            .collect();
        // A push carries no more bytes than the server takes (`outbox::batch`).
        let sizes = values
            .iter()
            .map(|value| value.as_ref().map_or(0, stored_size));
        let within = batch::entries_within(sizes, batch::MAX_PUSH_BYTES);
        let entries: Vec<OutboxEntry> = decode_all(values.into_iter().take(within))?;
        entries.into_iter().map(|entry| entry.mutation).collect()
    };
    Ok((mutations, u64::from(total.await?)))
}

/// The local state the town hall's answer leaves a record in, applied at
/// `now_ms`.
pub(super) fn settled_state(settled: Settled, now_ms: i64) -> LocalSyncState {
    match settled {
        Settled::Synced => LocalSyncState::Synced { at_ms: now_ms },
        Settled::Rejected(message) => LocalSyncState::Rejected { message },
        Settled::Conflict(message) => LocalSyncState::Conflict { message },
        Settled::Withdrawn => LocalSyncState::Withdrawn,
    }
}

/// The town hall's answer a stored record holds, if it was answered
/// (`None`: a draft, or waiting); the reverse of [`settled_state`].
pub(super) fn settled_of(sync: &LocalSyncState) -> Option<Settled> {
    match sync {
        LocalSyncState::Draft | LocalSyncState::Waiting { .. } => None,
        LocalSyncState::Synced { .. } => Some(Settled::Synced),
        LocalSyncState::Rejected { message } => Some(Settled::Rejected(message.clone())),
        LocalSyncState::Conflict { message } => Some(Settled::Conflict(message.clone())),
        LocalSyncState::Withdrawn => Some(Settled::Withdrawn),
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

pub(in crate::storage) async fn apply_push_results(
    database: &Database,
    acknowledged_through: u64,
    results: &[MutationResult],
) -> Result<(), StorageError> {
    let now_ms = now_ms();
    let transaction = read_write(
        database,
        &[META, RESPONSES, OUTBOX, REPORTS, FORUMS],
        TransactionDurability::Strict,
    )?;
    {
        let meta = transaction.object_store(META)?;
        let responses = transaction.object_store(RESPONSES)?;
        let outbox = transaction.object_store(OUTBOX)?;
        let reports = transaction.object_store(REPORTS)?;
        let forums = transaction.object_store(FORUMS)?;
        // Written out rather than `..=seq`: indexed_db_futures 0.6 turns
        // `RangeToInclusive` into an *open* upper bound.
        let acknowledged = KeyRange::UpperBound(outbox_key(acknowledged_through), false);
        let entries: Vec<OutboxEntry> = decode_all(
            outbox
                .get_all::<JsValue>()
                .with_query::<f64, _>(acknowledged.clone())
                .primitive()?
                .await?,
        )?;
        let mut tombstones = BTreeMap::new();
        // The responses' reads all go out before the first is awaited, and
        // their writes too (a round trip each, awaited one by one, was most
        // of a push round's time on a tablet).
        let mut reads = Vec::new();
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
            let read = request_response(&responses, response_id)?;
            reads.push((entry, outcome, response_id, read));
        }
        let tally = request_tally(&meta)?;
        // Two entries of one response (its submission and its withdrawal)
        // apply in order: the second reads what the first made.
        let mut made: BTreeMap<Uuid, StoredResponse> = BTreeMap::new();
        // The state each response was stored in before this transaction,
        // for the tally.
        let mut before: BTreeMap<Uuid, Option<State>> = BTreeMap::new();
        for (entry, outcome, response_id, read) in reads {
            let read: Option<StoredResponse> = decoded(read.await?)?;
            before
                .entry(response_id)
                .or_insert_with(|| read.as_ref().map(|stored| state_of(&stored.sync)));
            let stored = match made.remove(&response_id).or(read) {
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
            if tombstoned {
                tombstones.insert(record.response.id, record.response.clone());
            }
            made.insert(response_id, record);
        }
        let tally = tally.answer(&meta).await?;
        let moves = made.iter().map(|(id, record)| Move {
            before: before.get(id).copied().flatten(),
            after: Some(state_of(&record.sync)),
        });
        let mut writes = made
            .values()
            .map(|record| request_write_response(&responses, record))
            .collect::<Result<Vec<_>, _>>()?;
        writes.extend(request_keep_tally(&meta, tally, moves)?);
        writes.push(outbox.delete::<f64, _>(acknowledged).primitive()?);
        all_done(writes).await?;
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
pub(in crate::storage) async fn renumber_outbox(
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
        // Every read goes out before the first is awaited. Keys are numbers,
        // so `getAll` returns the entries in seq order; the other stores
        // return their records in key order, the order in which they are
        // queued again.
        let entries = outbox.get_all::<JsValue>().primitive()?;
        let stored_responses = responses.get_all::<JsValue>().primitive()?;
        let stored_forums = forums.get_all::<JsValue>().primitive()?;
        let stored_reports = reports.get_all::<JsValue>().primitive()?;
        let bookkeeping = request_meta(&meta)?;

        let entries: Vec<Mutation> = decode_all::<OutboxEntry>(entries.await?)?
            .into_iter()
            .map(|entry| entry.mutation)
            .collect();
        let mut held_responses: BTreeMap<Uuid, StoredResponse> = BTreeMap::new();
        // Every response's state once renumbered: this reads them all, so
        // it writes the tally counted from them.
        let mut states: BTreeMap<Uuid, State> = BTreeMap::new();
        let mut held = Held::default();
        for stored in decode_all::<StoredResponse>(stored_responses.await?)? {
            held.responses.push(HeldResponse {
                response: stored.response.clone(),
                state: held_state(&stored.sync),
            });
            states.insert(stored.response.id, state_of(&stored.sync));
            held_responses.insert(stored.response.id, stored);
        }
        let mut held_forums: BTreeMap<Uuid, StoredForum> = BTreeMap::new();
        for stored in decode_all::<StoredForum>(stored_forums.await?)? {
            held.forums.push(HeldForum {
                forum: stored.forum.clone(),
                state: held_state(&stored.sync),
                feedback: stored.feedback.values().cloned().collect(),
            });
            held_forums.insert(stored.forum.id, stored);
        }
        for report in decode_all::<StoredReport>(stored_reports.await?)? {
            for state in report.fields.fields().values() {
                held.report_edits.extend(state.history().cloned());
            }
        }
        let mut record = bookkeeping
            .answer()
            .await?
            .unwrap_or_else(|| MetaRecord::fresh(new_client_id));
        // The old numbering's next seq, marked taken as a fence: a
        // completion another tab would write from what it expected of the
        // old numbering fails (see core's `outbox::expectation`).
        let fence =
            (record.client_id != new_client_id).then_some((record.client_id, record.next_seq));
        let mut own_ids: BTreeSet<Uuid> = record.past_client_ids.iter().copied().collect();
        own_ids.insert(record.client_id);

        let plan = plan_renumbering(entries, &held, &own_ids);
        // Every write goes out before the first is awaited, in this order.
        let mut writes = vec![outbox.clear()?];
        for mutation in plan.outbox {
            let entry = OutboxEntry {
                seq: mutation.seq,
                mutation,
            };
            writes.push(request_add(&outbox, &entry)?);
            // `put`: a renumbering run again under the same id marks them again.
            writes.push(request_put_at(
                &meta,
                &taken_key(new_client_id, entry.seq),
                &Taken {
                    seq: entry.seq,
                    change: None,
                },
            )?);
        }
        if let Some((client_id, next_seq)) = fence {
            let fence = Taken {
                seq: next_seq,
                change: None,
            };
            writes.push(request_put_at(
                &meta,
                &taken_key(client_id, next_seq),
                &fence,
            )?);
        }
        for (waiter, seq) in plan.waiting {
            match waiter {
                Waiter::Response(id) => {
                    if let Some(mut stored) = held_responses.remove(&id) {
                        stored.sync = LocalSyncState::Waiting { seq };
                        states.insert(id, State::Waiting);
                        writes.push(request_write_response(&responses, &stored)?);
                    }
                }
                Waiter::Forum(id) => {
                    if let Some(mut stored) = held_forums.remove(&id) {
                        stored.sync = LocalSyncState::Waiting { seq };
                        writes.push(request_write_forum(&forums, &stored)?);
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
        writes.extend(request_write_meta(&meta, &record)?);
        writes.extend(request_write_tally(
            &meta,
            &Tally::of_states(states.into_values()),
            &CountsThrough::of(&record),
        )?);
        all_done(writes).await?;
    }
    commit(transaction).await
}
