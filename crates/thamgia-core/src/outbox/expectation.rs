//! What the tablet expects its stores to hold when a worker completes a
//! response, so the completion can write without reading first.
//!
//! Completing a response writes its record, its outbox entry under the next
//! seq, the seq counter and the change of the tally, in one strict
//! transaction; which seq depends on what is stored. Reading first costs a
//! round trip into IndexedDB and back before the transaction may commit.
//! But the tab that completes a response is almost always the only writer
//! since its own last write: it knows the next seq, and which responses it
//! saved as drafts. So the completion writes from an [`Expectation`] and
//! commits at once, reading nothing; what makes that safe is a constraint
//! the transaction itself checks, not a read: every seq taken, by any tab,
//! leaves a marker `add`ed under its client id and number, which fails if
//! the marker is there. A completion that expects seq `n` adds marker `n`:
//! if any tab took a seq since this tab's expectation was made, it took
//! `n` first, the add fails, the browser aborts the whole transaction with
//! nothing written, and the completion runs again the slower way, reading
//! first. A renumbering (a new client id) adds the marker of the old
//! client's next seq as a fence, so an expectation of the old numbering
//! fails too.
//!
//! Which responses it saved as drafts is the rest: a completion is written
//! without reading only for a response this tab saved or read as a draft
//! (its id is among the [`DRAFTS_KEPT`] latest), which moves the tally from
//! "draft" to "waiting". Whatever completes or withdraws that response in
//! another tab takes a seq, and is caught above; discarding a draft takes
//! none, so it marks the next seq taken without taking it (a fence: the
//! next transaction that reads first takes that seq all the same), and a
//! completion expecting it reads first too.
//!
//! An expectation is only ever a guess the transaction checks. This module
//! decides what it expects; the app reads, calls, and writes.

use uuid::Uuid;

use super::tally::State;

/// How many of the responses last saved as drafts an expectation keeps
/// (a worker has a few open at once; older ones are read the slower way).
pub const DRAFTS_KEPT: usize = 32;

/// What the stores held after this tab's last committed write that it
/// knows of: the sync bookkeeping record `M` (with the next seq), and the
/// responses saved or read as drafts since.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation<M> {
    meta: M,
    /// Most recent last, at most [`DRAFTS_KEPT`].
    drafts: Vec<Uuid>,
}

impl<M> Expectation<M> {
    /// What a transaction that read or wrote `meta` left, with no draft
    /// known.
    pub fn after_write(meta: M) -> Expectation<M> {
        Expectation {
            meta,
            drafts: Vec::new(),
        }
    }

    /// The sync bookkeeping record expected.
    pub fn meta(&self) -> &M {
        &self.meta
    }

    /// Whether the response `id` is expected stored as a draft: this tab
    /// saved or read it as one, among the latest [`DRAFTS_KEPT`]. `None`:
    /// not known (a completion of it reads first).
    pub fn stored_state(&self, id: Uuid) -> Option<State> {
        self.drafts.contains(&id).then_some(State::Draft)
    }

    /// The expectation once the completion of `id` committed, leaving
    /// `meta`.
    #[must_use]
    pub fn completed(mut self, id: Uuid, meta: M) -> Expectation<M> {
        self.drafts.retain(|draft| *draft != id);
        self.meta = meta;
        self
    }

    /// The expectation once the draft `id` was saved, committed, or read as
    /// a draft.
    #[must_use]
    pub fn draft_saved(mut self, id: Uuid) -> Expectation<M> {
        self.drafts.retain(|draft| *draft != id);
        if self.drafts.len() == DRAFTS_KEPT {
            self.drafts.remove(0);
        }
        self.drafts.push(id);
        self
    }
}

#[cfg(test)]
mod tests;
