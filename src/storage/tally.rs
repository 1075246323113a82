//! How many responses are in each sync state, kept rather than counted.
//!
//! Home shows these counts every time it opens; counting them through the
//! `sync_state` index took ~190 ms at 50,000 responses. So a [`Tally`] of
//! the responses per state is kept in the `meta` store (under `"counts"`),
//! and every transaction that adds a response, deletes one or changes its
//! sync state moves it in the tally in the same transaction: the tally and
//! the records never disagree, whatever commits or fails. This module is the
//! pure part (which state a record is in, and what a move does to the
//! tally); `transactions.rs` reads and writes the record.
//!
//! A tally that cannot be trusted is not used. [`Store::counts`] then
//! counts through the index once and keeps the result, and from then on
//! writes keep it again:
//!
//! - there is none: a database of an earlier version of the app, or one
//!   whose tally was dropped (a write finds none and leaves it absent);
//! - it was written by another [`TALLY_VERSION`]: raise the version with any
//!   fix to how the tally is kept, and every tablet counts again once;
//! - a move would take a state below zero, which only a tally that was
//!   already wrong can do: the write drops the record.
//!
//! A renumbering reads every response anyway, and writes a tally counted
//! from them.
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
//! [`Store::recount`]: super::Store::recount
//! [`Store::counts`]: super::Store::counts

use serde::{Deserialize, Serialize};

use super::{Counts, LocalSyncState};

/// The version of how the tally is kept. A stored tally of another version
/// is counted again.
pub(super) const TALLY_VERSION: u32 = 1;

/// The state of a stored response, as the `sync_state` index holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum State {
    /// [`LocalSyncState::Draft`].
    Draft,
    /// [`LocalSyncState::Waiting`].
    Waiting,
    /// [`LocalSyncState::Synced`].
    Synced,
    /// [`LocalSyncState::Rejected`].
    Rejected,
    /// [`LocalSyncState::Conflict`].
    Conflict,
    /// [`LocalSyncState::Withdrawn`].
    Withdrawn,
}

impl State {
    /// Every state, in the order of [`LocalSyncState`].
    pub(super) const ALL: [State; 6] = [
        State::Draft,
        State::Waiting,
        State::Synced,
        State::Rejected,
        State::Conflict,
        State::Withdrawn,
    ];

    /// The state `sync` is in.
    pub(super) fn of(sync: &LocalSyncState) -> State {
        match sync {
            LocalSyncState::Draft => State::Draft,
            LocalSyncState::Waiting { .. } => State::Waiting,
            LocalSyncState::Synced { .. } => State::Synced,
            LocalSyncState::Rejected { .. } => State::Rejected,
            LocalSyncState::Conflict { .. } => State::Conflict,
            LocalSyncState::Withdrawn => State::Withdrawn,
        }
    }

    /// The key the `sync_state` index holds for it: the serde tag of
    /// [`LocalSyncState`] (`sync.type`).
    pub(super) fn tag(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Waiting => "waiting",
            State::Synced => "synced",
            State::Rejected => "rejected",
            State::Conflict => "conflict",
            State::Withdrawn => "withdrawn",
        }
    }
}

/// One stored response's change: from the state it was in to the state it
/// is left in (`None`: not stored, so `before: None` adds a response and
/// `after: None` deletes one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Move {
    /// The state before the transaction; `None` when it was not stored.
    pub(super) before: Option<State>,
    /// The state it leaves; `None` when it is deleted.
    pub(super) after: Option<State>,
}

impl Move {
    /// The move of a response stored as `before` (if at all) and left as
    /// `after` (if at all).
    pub(super) fn between(before: Option<&LocalSyncState>, after: Option<&LocalSyncState>) -> Move {
        Move {
            before: before.map(State::of),
            after: after.map(State::of),
        }
    }

    /// Whether the response stays in the state it was in (or was neither
    /// stored nor kept): the tally does not change.
    pub(super) fn is_still(self) -> bool {
        self.before == self.after
    }
}

/// How many stored responses are in each state: the record under
/// `meta/"counts"`.
///
/// A record without a version does not read at all, and is counted again
/// like one of another version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Tally {
    /// The [`TALLY_VERSION`] that wrote it.
    pub(super) version: u32,
    /// Drafts.
    #[serde(default)]
    pub(super) draft: u64,
    /// Completed responses or withdrawals waiting to be sent.
    #[serde(default)]
    pub(super) waiting: u64,
    /// Responses the town hall holds.
    #[serde(default)]
    pub(super) synced: u64,
    /// Responses the town hall refused.
    #[serde(default)]
    pub(super) rejected: u64,
    /// Responses in conflict with another of the same id.
    #[serde(default)]
    pub(super) conflict: u64,
    /// Tombstones whose withdrawal the town hall confirmed.
    #[serde(default)]
    pub(super) withdrawn: u64,
}

impl Default for Tally {
    /// No response at all, in the current version.
    fn default() -> Tally {
        Tally {
            version: TALLY_VERSION,
            draft: 0,
            waiting: 0,
            synced: 0,
            rejected: 0,
            conflict: 0,
            withdrawn: 0,
        }
    }
}

impl Tally {
    /// The tally of `count(state)` responses in each state.
    pub(super) fn counted(count: impl Fn(State) -> u64) -> Tally {
        let mut tally = Tally::default();
        for state in State::ALL {
            *tally.slot(state) = count(state);
        }
        tally
    }

    /// The tally of responses in `states`, one state per response.
    pub(super) fn of_states(states: impl IntoIterator<Item = State>) -> Tally {
        let mut tally = Tally::default();
        for state in states {
            *tally.slot(state) += 1;
        }
        tally
    }

    /// Whether the current version of the app wrote it, so it can be trusted.
    pub(super) fn is_current(&self) -> bool {
        self.version == TALLY_VERSION
    }

    fn slot(&mut self, state: State) -> &mut u64 {
        match state {
            State::Draft => &mut self.draft,
            State::Waiting => &mut self.waiting,
            State::Synced => &mut self.synced,
            State::Rejected => &mut self.rejected,
            State::Conflict => &mut self.conflict,
            State::Withdrawn => &mut self.withdrawn,
        }
    }

    /// The tally once a response made `change`; `None` when the tally
    /// cannot have been right (the response's state before holds none).
    #[must_use]
    pub(super) fn moved(mut self, change: Move) -> Option<Tally> {
        if change.is_still() {
            return Some(self);
        }
        if let Some(before) = change.before {
            let slot = self.slot(before);
            *slot = slot.checked_sub(1)?;
        }
        if let Some(after) = change.after {
            *self.slot(after) += 1;
        }
        Some(self)
    }

    /// The tally once every change of `changes` was made, in order; `None`
    /// when one of them shows it cannot have been right.
    #[must_use]
    pub(super) fn after(self, changes: impl IntoIterator<Item = Move>) -> Option<Tally> {
        changes
            .into_iter()
            .try_fold(self, |tally, change| tally.moved(change))
    }

    /// The counts home shows: refused and conflicting responses together.
    pub(super) fn counts(&self) -> Counts {
        Counts {
            drafts: self.draft,
            waiting: self.waiting,
            synced: self.synced,
            problems: self.rejected + self.conflict,
            withdrawn: self.withdrawn,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use thamgia_core::Localized;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn change(before: Option<State>, after: Option<State>) -> Move {
        Move { before, after }
    }

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
            assert_eq!(State::of(sync), expected);
            let written = serde_json::to_value(sync).expect("serialise");
            assert_eq!(written["type"], expected.tag(), "{sync:?}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_response_s_life_moves_it_from_state_to_state() {
        let draft = Some(State::Draft);
        let waiting = Some(State::Waiting);
        let tally = Tally::default()
            .moved(change(None, draft))
            .and_then(|tally| tally.moved(change(None, draft)))
            .expect("two new drafts");
        assert_eq!(tally.counts().drafts, 2);
        let tally = tally.moved(change(draft, waiting)).expect("one completed");
        assert_eq!((tally.draft, tally.waiting), (1, 1));
        let tally = tally
            .moved(change(draft, draft))
            .expect("a draft saved again");
        assert_eq!((tally.draft, tally.waiting), (1, 1));
        let tally = tally
            .after([
                change(waiting, Some(State::Synced)),
                change(draft, None),
                change(None, Some(State::Rejected)),
                change(None, Some(State::Conflict)),
            ])
            .expect("acknowledged, discarded, two refused");
        assert_eq!(
            tally.counts(),
            Counts {
                drafts: 0,
                waiting: 0,
                synced: 1,
                problems: 2,
                withdrawn: 0,
            }
        );
        // Withdrawn: waiting for the withdrawal, then confirmed.
        let tally = tally
            .after([
                change(Some(State::Synced), waiting),
                change(waiting, Some(State::Withdrawn)),
            ])
            .expect("withdrawn");
        assert_eq!((tally.synced, tally.waiting, tally.withdrawn), (0, 0, 1));
        assert!(tally.is_current());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_move_out_of_an_empty_state_shows_the_tally_was_wrong() {
        assert_eq!(
            Tally::default().moved(change(Some(State::Waiting), Some(State::Synced))),
            None
        );
        assert_eq!(
            Tally::default().moved(change(Some(State::Draft), None)),
            None
        );
        // Staying put tells nothing, even out of an empty state.
        assert_eq!(
            Tally::default().moved(change(Some(State::Synced), Some(State::Synced))),
            Some(Tally::default())
        );
        let one = Tally::of_states([State::Draft]);
        assert_eq!(
            one.after([
                change(Some(State::Draft), None),
                change(Some(State::Draft), None)
            ]),
            None,
            "one draft cannot be deleted twice"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_counted_tally_and_a_tally_of_states_agree() {
        let states = [
            State::Draft,
            State::Waiting,
            State::Waiting,
            State::Synced,
            State::Conflict,
            State::Withdrawn,
            State::Withdrawn,
            State::Withdrawn,
        ];
        let of_states = Tally::of_states(states);
        let counted =
            Tally::counted(|state| states.iter().filter(|held| **held == state).count() as u64);
        assert_eq!(of_states, counted);
        assert_eq!(
            of_states.counts(),
            Counts {
                drafts: 1,
                waiting: 2,
                synced: 1,
                problems: 1,
                withdrawn: 3,
            }
        );
    }

    /// A tablet's responses as a map from id to state, changed at random
    /// (adds, saves, deletes, any state to any state) by a small generator:
    /// the tally kept move by move always equals the tally of what is held.
    #[wasm_bindgen_test(unsupported = test)]
    fn a_tally_kept_move_by_move_equals_the_tally_of_what_is_held() {
        let mut seed: u64 = 0x5EED_7A11;
        let mut next = |bound: u64| {
            // xorshift64*
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            seed.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound
        };
        let mut held: BTreeMap<u64, State> = BTreeMap::new();
        let mut tally = Tally::default();
        for _ in 0..5_000 {
            let id = next(200);
            let before = held.get(&id).copied();
            // Seven outcomes: one per state, and a deletion.
            let after = match next(7) {
                6 => None,
                pick => Some(State::ALL[pick as usize]),
            };
            match after {
                Some(state) => held.insert(id, state),
                None => held.remove(&id),
            };
            tally = tally
                .moved(Move { before, after })
                .expect("a move from what is held is always possible");
            assert_eq!(tally, Tally::of_states(held.values().copied()));
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_stored_tally_reads_back_and_one_of_another_version_is_not_current() {
        let tally = Tally::of_states([State::Draft, State::Synced]);
        let text = serde_json::to_string(&tally).expect("serialise");
        let read: Tally = serde_json::from_str(&text).expect("deserialise");
        assert_eq!(read, tally);
        assert!(read.is_current());
        assert!(
            serde_json::from_str::<Tally>(r#"{"draft": 4}"#).is_err(),
            "a record without a version is not a tally"
        );
        let other: Tally = serde_json::from_str(&format!(
            r#"{{"version": {}, "draft": 1}}"#,
            TALLY_VERSION + 1
        ))
        .expect("deserialise");
        assert!(!other.is_current());
    }
}
