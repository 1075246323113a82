//! The tablet's outbox policy when the town hall asks for a new numbering.
//!
//! The town hall asks a tablet to number its mutations again from 1 under a
//! new client id when it saw a gap, a reused seq, or was restored from an
//! older backup. The tablet then does two things, in one storage
//! transaction:
//!
//! 1. [`renumber`]: what still waits in the outbox keeps its order and its
//!    records, and is numbered again from 1 without gaps;
//! 2. [`requeue`]: every record the tablet holds that the town hall had
//!    acknowledged is queued again after it, since a restored server may
//!    have lost it. Each mutation is keyed by its record's own id, so the
//!    town hall stores again only what it lost.
//!
//! [`plan_renumbering`] does both and says which records now wait for which
//! seq. This module only decides; the browser app reads its IndexedDB stores
//! into a [`Held`], calls [`plan_renumbering`] and writes the plan back.
//!
//! [`batch`] how much of the outbox one push carries, by bytes;
//! [`push`] decides what the town hall's answer to a push does to each
//! record that waited for it; [`tally`] how many records wait in each
//! state, kept move by move; [`expectation`] what a completion expects
//! the stores to hold, so it can write without reading first.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::forum::{ChildFeedback, Forum};
use crate::protocol::{Mutation, MutationChange};
use crate::report::{FieldEdit, Hlc};
use crate::Response;

pub mod batch;
pub mod expectation;
pub mod push;
pub mod tally;

/// Where a record held on the tablet is in the sync, as far as re-queueing
/// cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldState {
    /// Being filled; it never left the tablet.
    Draft,
    /// Queued in the outbox, waiting for the town hall's answer.
    Waiting,
    /// The town hall answered: stored it, refused it or found a conflict.
    Answered,
    /// Consent was withdrawn and the town hall confirmed it: a tombstone.
    Withdrawn,
}

/// A response held on the tablet.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldResponse {
    /// The response (a tombstone once withdrawn).
    pub response: Response,
    /// Where it is in the sync.
    pub state: HeldState,
}

/// A forum held on the tablet, with the feedback recorded on it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldForum {
    /// The forum.
    pub forum: Forum,
    /// Where it is in the sync.
    pub state: HeldState,
    /// The feedback given back to the children, in the order it is stored.
    pub feedback: Vec<ChildFeedback>,
}

/// Everything the tablet holds that may be queued again, each list in the
/// order its store returns it (the order the mutations are queued in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Held {
    /// The responses.
    pub responses: Vec<HeldResponse>,
    /// The forums.
    pub forums: Vec<HeldForum>,
    /// Every report edit held, report by report, field by field, each
    /// field's history in order; whoever made them.
    pub report_edits: Vec<FieldEdit>,
}

/// A record that waits for a mutation of the outbox once the plan is
/// written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Waiter {
    /// The response with this id.
    Response(Uuid),
    /// The forum with this id.
    Forum(Uuid),
}

/// One mutation queued again, and the record that then waits for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Requeued {
    /// What is sent again.
    pub change: MutationChange,
    /// The record that shows as waiting for it; `None` for a tombstone (it
    /// stays withdrawn), a feedback or a report edit (keyed by their record,
    /// not by a seq).
    pub waiter: Option<Waiter>,
}

/// What the tablet writes after a renumbering.
#[derive(Debug, Clone, PartialEq)]
pub struct Renumbering {
    /// The whole new outbox, in order, numbered 1, 2, 3, …
    pub outbox: Vec<Mutation>,
    /// The records to mark as waiting, each with the seq it now waits for
    /// (the last of its mutations). Only records found in [`Held`] appear.
    pub waiting: BTreeMap<Waiter, u64>,
    /// The seq of the next mutation queued.
    pub next_seq: u64,
}

/// The response a mutation is about, if any.
fn response_of(change: &MutationChange) -> Option<Uuid> {
    match change {
        MutationChange::SubmitResponse { response } => Some(response.id),
        MutationChange::WithdrawResponse { response_id, .. } => Some(*response_id),
        MutationChange::EditReportField { .. }
        | MutationChange::ChangeReportStatus { .. }
        | MutationChange::SubmitForum { .. }
        | MutationChange::RecordFeedback { .. } => None,
    }
}

/// The forum a mutation submits, if any (feedback is keyed by its
/// recommendation, not by a seq).
fn forum_of(change: &MutationChange) -> Option<Uuid> {
    match change {
        MutationChange::SubmitForum { forum } => Some(forum.id),
        MutationChange::SubmitResponse { .. }
        | MutationChange::WithdrawResponse { .. }
        | MutationChange::EditReportField { .. }
        | MutationChange::ChangeReportStatus { .. }
        | MutationChange::RecordFeedback { .. } => None,
    }
}

/// `entries` (the outbox, in seq order) numbered again from 1, in the same
/// order, each mutation unchanged but for its seq.
pub fn renumber(entries: Vec<Mutation>) -> Vec<Mutation> {
    entries
        .into_iter()
        .zip(1..)
        .map(|(mutation, seq)| Mutation { seq, ..mutation })
        .collect()
}

/// What to queue again, in order, after `outbox` (what still waits, which
/// is renumbered, never queued a second time).
///
/// - A completed response the town hall answered is submitted again; a
///   tombstone is withdrawn again (and stays a tombstone). A response still
///   in the outbox waits for it, unless it is a tombstone the town hall
///   confirmed: that one is withdrawn again too. Drafts never left.
/// - A submitted forum the town hall answered is submitted again, unless it
///   is still in the outbox; every feedback held is recorded again unless
///   it is in the outbox.
/// - The report edits made on this install (their stamps carry one of
///   `own_ids`, the client ids it used) are sent again unless they are in
///   the outbox; other tablets' edits are theirs to send. An edit is known
///   by its [identity](FieldEdit::identity) (install and original stamp),
///   so the town hall's bounded copy of an edit still waiting here is the
///   same edit, and two edits of one field in one millisecond are two.
pub fn requeue(held: &Held, outbox: &[Mutation], own_ids: &BTreeSet<Uuid>) -> Vec<Requeued> {
    let waiting_ids: BTreeSet<String> = outbox
        .iter()
        .map(|mutation| mutation.change.record_id())
        .collect();
    let queued_responses: BTreeSet<Uuid> = outbox
        .iter()
        .filter_map(|mutation| response_of(&mutation.change))
        .collect();
    let queued_forums: BTreeSet<Uuid> = outbox
        .iter()
        .filter_map(|mutation| forum_of(&mutation.change))
        .collect();
    let queued_edits: BTreeSet<(Uuid, Hlc)> = outbox
        .iter()
        .filter_map(|mutation| match &mutation.change {
            MutationChange::EditReportField { edit } => Some(edit.identity()),
            _ => None,
        })
        .collect();
    let mut requeued = Vec::new();
    for held_response in &held.responses {
        let response = &held_response.response;
        let (change, waiter) = match held_response.state {
            HeldState::Draft | HeldState::Waiting => continue,
            // A confirmed tombstone stays so, even while it is in the outbox.
            HeldState::Withdrawn => (
                MutationChange::WithdrawResponse {
                    response_id: response.id,
                    withdrawn_at: response.updated_at,
                },
                None,
            ),
            // Still in the outbox: it now waits for its renumbered entry.
            HeldState::Answered if queued_responses.contains(&response.id) => continue,
            HeldState::Answered => (
                MutationChange::SubmitResponse {
                    response: response.clone(),
                },
                Some(Waiter::Response(response.id)),
            ),
        };
        requeued.push(Requeued { change, waiter });
    }
    for held_forum in &held.forums {
        let resend = held_forum.forum.submitted
            && !matches!(held_forum.state, HeldState::Draft | HeldState::Waiting)
            && !queued_forums.contains(&held_forum.forum.id);
        if resend {
            requeued.push(Requeued {
                change: MutationChange::SubmitForum {
                    forum: held_forum.forum.clone(),
                },
                waiter: Some(Waiter::Forum(held_forum.forum.id)),
            });
        }
        for feedback in &held_forum.feedback {
            let change = MutationChange::RecordFeedback {
                feedback: feedback.clone(),
            };
            if !waiting_ids.contains(&change.record_id()) {
                requeued.push(Requeued {
                    change,
                    waiter: None,
                });
            }
        }
    }
    for edit in &held.report_edits {
        if own_ids.contains(&edit.stamp.client_id) && !queued_edits.contains(&edit.identity()) {
            requeued.push(Requeued {
                change: MutationChange::EditReportField { edit: edit.clone() },
                waiter: None,
            });
        }
    }
    requeued
}

/// The new outbox after a renumbering: `entries` (the outbox, in seq order)
/// numbered again from 1, then everything [`requeue`] queues again, and the
/// seq each record held then waits for.
///
/// A response in the outbox waits for its last entry unless it is a
/// confirmed tombstone (its entries are sent again only to be
/// acknowledged); a forum in the outbox waits for its entry.
pub fn plan_renumbering(
    entries: Vec<Mutation>,
    held: &Held,
    own_ids: &BTreeSet<Uuid>,
) -> Renumbering {
    let mut outbox = renumber(entries);
    let responses: BTreeMap<Uuid, HeldState> = held
        .responses
        .iter()
        .map(|held| (held.response.id, held.state))
        .collect();
    let forums: BTreeSet<Uuid> = held.forums.iter().map(|held| held.forum.id).collect();
    let mut waiting = BTreeMap::new();
    for mutation in &outbox {
        if let Some(id) = response_of(&mutation.change) {
            let state = responses.get(&id);
            if state.is_some_and(|state| *state != HeldState::Withdrawn) {
                waiting.insert(Waiter::Response(id), mutation.seq);
            }
        }
        if let Some(id) = forum_of(&mutation.change) {
            if forums.contains(&id) {
                waiting.insert(Waiter::Forum(id), mutation.seq);
            }
        }
    }
    let mut next_seq = u64::try_from(outbox.len()).unwrap_or(u64::MAX - 1) + 1;
    for requeued in requeue(held, &outbox, own_ids) {
        if let Some(waiter) = requeued.waiter {
            waiting.insert(waiter, next_seq);
        }
        outbox.push(Mutation {
            seq: next_seq,
            change: requeued.change,
        });
        next_seq += 1;
    }
    Renumbering {
        outbox,
        waiting,
        next_seq,
    }
}

#[cfg(test)]
mod tests;
