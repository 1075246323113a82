//! The tally of responses per sync state (core's
//! [`thamgia_core::outbox::tally`]) as the app keeps it: under
//! `meta/"counts"`, moved by every transaction that adds a response,
//! deletes one or changes its sync state, in that same transaction, so the
//! tally and the records never disagree whatever commits or fails. This
//! file maps the app's [`LocalSyncState`] onto core's [`State`], names the
//! index key of each, and turns a tally into the counts home shows;
//! `transactions.rs` reads and writes the record.
//!
//! A tally core does not trust is not used: [`Store::counts`] then counts
//! through the `sync_state` index once and keeps the result, and from then
//! on writes keep it again. A write that finds no tally leaves it absent;
//! a move core refuses drops it. A renumbering reads every response
//! anyway, and writes a tally counted from them.
//!
//! One writer cannot keep it: a tab still running an earlier version of the
//! app (open since before an update, until it reloads) writes responses
//! without moving the tally. So each time the app opens it shows the kept
//! tally at once, then counts through the index in the background, out of
//! the first page's way, and keeps that count if the tally was off
//! ([`Store::recount`]; home then shows it again). The schema version was
//! left as it is: raising it would close such tabs' connections, and their
//! writes would fail until they reload.
//!
//! [`Store::counts`]: super::Store::counts
//! [`Store::recount`]: super::Store::recount

pub(super) use thamgia_core::outbox::tally::{Move, State, Tally};

use super::{Counts, LocalSyncState};

/// The state `sync` is in.
pub(super) fn state_of(sync: &LocalSyncState) -> State {
    match sync {
        LocalSyncState::Draft => State::Draft,
        LocalSyncState::Waiting { .. } => State::Waiting,
        LocalSyncState::Synced { .. } => State::Synced,
        LocalSyncState::Rejected { .. } => State::Rejected,
        LocalSyncState::Conflict { .. } => State::Conflict,
        LocalSyncState::Withdrawn => State::Withdrawn,
    }
}

/// The key the `sync_state` index holds for `state`: the serde tag of
/// [`LocalSyncState`] (`sync.type`).
pub(super) fn tag(state: State) -> &'static str {
    match state {
        State::Draft => "draft",
        State::Waiting => "waiting",
        State::Synced => "synced",
        State::Rejected => "rejected",
        State::Conflict => "conflict",
        State::Withdrawn => "withdrawn",
    }
}

/// The move of a response stored as `before` (if at all) and left as
/// `after` (if at all).
pub(super) fn move_between(
    before: Option<&LocalSyncState>,
    after: Option<&LocalSyncState>,
) -> Move {
    Move {
        before: before.map(state_of),
        after: after.map(state_of),
    }
}

/// The counts home shows: refused and conflicting responses together.
pub(super) fn counts_of(tally: &Tally) -> Counts {
    Counts {
        drafts: tally.draft,
        waiting: tally.waiting,
        synced: tally.synced,
        problems: tally.rejected + tally.conflict,
        withdrawn: tally.withdrawn,
    }
}

#[cfg(test)]
mod tests {
    use thamgia_core::Localized;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test(unsupported = test)]
    fn each_state_is_indexed_under_the_serde_tag_of_its_sync_state() {
        let message = Localized::new("Lý do", "Reason");
        let states = [
            LocalSyncState::Draft,
            LocalSyncState::Waiting { seq: 3 },
            LocalSyncState::Synced { at_ms: 1 },
            LocalSyncState::Rejected {
                message: message.clone(),
            },
            LocalSyncState::Conflict { message },
            LocalSyncState::Withdrawn,
        ];
        for (sync, expected) in states.iter().zip(State::ALL) {
            assert_eq!(state_of(sync), expected);
            let written = serde_json::to_value(sync).expect("serialise");
            assert_eq!(written["type"], tag(expected), "{sync:?}");
        }
    }
}
