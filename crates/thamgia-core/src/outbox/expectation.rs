//! What the tablet expects its stores to hold when a worker completes a
//! response, so the completion's writes can go out with its reads.
//!
//! Completing a response writes its record, its outbox entry under the next
//! seq, the seq counter and the tally, in one strict transaction; which seq
//! and which tally depend on what is stored. Reading first and writing once
//! the reads answered costs a round trip into IndexedDB and back on every
//! completion. But the tab that completes a response is almost always the
//! only writer since its own last write: it knows what the counter and the
//! tally hold, and which responses it saved as drafts. So the completion
//! makes its reads *and* its writes at once, computed from an
//! [`Expectation`]; IndexedDB runs a transaction's requests in order, so
//! the reads still answer what was stored before the writes. If what they
//! answer is what the expectation said ([`Expectation::holds`]), the writes
//! are exactly those the reads would have led to, and the transaction
//! commits; otherwise (another tab wrote, a sync round moved the tally, a
//! draft saved before a reload) it is aborted, nothing of it is written,
//! and the completion runs again the slower way, reading first.
//!
//! An expectation is only ever a guess to check: nothing is written from it
//! that the check has not confirmed. This module decides what it expects
//! and when it holds; the app reads, calls, and writes.

use uuid::Uuid;

use super::tally::{State, Tally};

/// How many of the responses last saved as drafts an expectation keeps
/// (a worker has a few open at once; older ones are read the slower way).
pub const DRAFTS_KEPT: usize = 32;

/// What the stores held after this tab's last committed write that it
/// knows of: the sync bookkeeping record `M`, the kept tally (`None`: none
/// trusted is kept), and the responses saved as drafts since.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation<M> {
    meta: M,
    tally: Option<Tally>,
    /// Most recent last, at most [`DRAFTS_KEPT`].
    drafts: Vec<Uuid>,
}

impl<M: PartialEq> Expectation<M> {
    /// What a transaction that read or wrote `meta` and `tally` left, with
    /// no draft known.
    pub fn after_write(meta: M, tally: Option<Tally>) -> Expectation<M> {
        Expectation {
            meta,
            tally,
            drafts: Vec::new(),
        }
    }

    /// The sync bookkeeping record expected.
    pub fn meta(&self) -> &M {
        &self.meta
    }

    /// The kept tally expected (`None`: none trusted).
    pub fn tally(&self) -> Option<Tally> {
        self.tally
    }

    /// The state the response `id` is expected to be stored in: a draft
    /// when this tab saved it as one, otherwise not stored at all.
    pub fn stored_state(&self, id: Uuid) -> Option<State> {
        self.drafts.contains(&id).then_some(State::Draft)
    }

    /// Whether what a completion of `id` read is what was expected: the
    /// response's stored state (`None`: not stored; a completed one is never
    /// expected), the bookkeeping record (`None`: none stored) and the
    /// trusted tally.
    pub fn holds(
        &self,
        id: Uuid,
        stored: Option<State>,
        meta: Option<&M>,
        tally: Option<Tally>,
    ) -> bool {
        stored == self.stored_state(id) && meta == Some(&self.meta) && tally == self.tally
    }

    /// The expectation once the completion of `id` committed, leaving
    /// `meta` and `tally`.
    #[must_use]
    pub fn completed(mut self, id: Uuid, meta: M, tally: Option<Tally>) -> Expectation<M> {
        self.drafts.retain(|draft| *draft != id);
        self.meta = meta;
        self.tally = tally;
        self
    }

    /// The expectation once the draft `id` was saved, committed. `kept`:
    /// the tally that save left, when it read and wrote one (a new draft);
    /// `None` when it left the tally alone (a draft saved again).
    #[must_use]
    pub fn draft_saved(mut self, id: Uuid, kept: Option<Option<Tally>>) -> Expectation<M> {
        if let Some(tally) = kept {
            self.tally = tally;
        }
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
