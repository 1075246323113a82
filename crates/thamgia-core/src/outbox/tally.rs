//! How many of a tablet's stored responses are in each sync state, kept
//! rather than counted.
//!
//! Home shows these counts every time it opens; counting them through an
//! index took ~190 ms at 50,000 responses. So the app keeps a [`Tally`] of
//! its responses per [`State`], and every transaction that adds a response,
//! deletes one or changes its sync state applies that response's [`Move`]
//! to the tally in the same transaction. This module decides what a move
//! does and when a tally cannot be trusted; the app maps its records'
//! states onto [`State`] and reads and writes the tally.
//!
//! A tally that cannot be trusted is not used, and the app counts again:
//!
//! - there is none (a database of an earlier version of the app);
//! - [`Tally::is_current`] is false: it was written under another
//!   [`TALLY_VERSION`] (raise the version with any fix to how the tally is
//!   kept, and every tablet counts again once);
//! - [`Tally::moved`] gives `None`: a move would take a state below zero,
//!   which only a tally that was already wrong can do.

use serde::{Deserialize, Serialize};

/// The version of how the tally is kept. A stored tally of another version
/// is counted again.
pub const TALLY_VERSION: u32 = 1;

/// The state of a stored response, as the `sync_state` index holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    /// A draft being filled.
    Draft,
    /// Completed, or withdrawn, and waiting to be sent.
    Waiting,
    /// Held by the town hall.
    Synced,
    /// Refused by the town hall.
    Rejected,
    /// In conflict with another response of the same id.
    Conflict,
    /// A tombstone whose withdrawal the town hall confirmed.
    Withdrawn,
}

impl State {
    /// Every state, in the order of the app's sync state.
    pub const ALL: [State; 6] = [
        State::Draft,
        State::Waiting,
        State::Synced,
        State::Rejected,
        State::Conflict,
        State::Withdrawn,
    ];
}

/// One stored response's change: from the state it was in to the state it
/// is left in (`None`: not stored, so `before: None` adds a response and
/// `after: None` deletes one). Stored as a change of the tally a
/// completion written without reading first adds beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    /// The state before the transaction; `None` when it was not stored.
    pub before: Option<State>,
    /// The state it leaves; `None` when it is deleted.
    pub after: Option<State>,
}

impl Move {
    /// Whether the response stays in the state it was in (or was neither
    /// stored nor kept): the tally does not change.
    pub fn is_still(self) -> bool {
        self.before == self.after
    }
}

/// How many stored responses are in each state: the record under
/// `meta/"counts"`.
///
/// A record without a version does not read at all, and is counted again
/// like one of another version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// The [`TALLY_VERSION`] that wrote it.
    pub version: u32,
    /// Drafts.
    #[serde(default)]
    pub draft: u64,
    /// Completed responses or withdrawals waiting to be sent.
    #[serde(default)]
    pub waiting: u64,
    /// Responses the town hall holds.
    #[serde(default)]
    pub synced: u64,
    /// Responses the town hall refused.
    #[serde(default)]
    pub rejected: u64,
    /// Responses in conflict with another of the same id.
    #[serde(default)]
    pub conflict: u64,
    /// Tombstones whose withdrawal the town hall confirmed.
    #[serde(default)]
    pub withdrawn: u64,
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
    pub fn counted(count: impl Fn(State) -> u64) -> Tally {
        let mut tally = Tally::default();
        for state in State::ALL {
            *tally.slot(state) = count(state);
        }
        tally
    }

    /// The tally of responses in `states`, one state per response.
    pub fn of_states(states: impl IntoIterator<Item = State>) -> Tally {
        let mut tally = Tally::default();
        for state in states {
            *tally.slot(state) += 1;
        }
        tally
    }

    /// Whether the current version of the app wrote it, so it can be trusted.
    pub fn is_current(&self) -> bool {
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
    pub fn moved(mut self, change: Move) -> Option<Tally> {
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
    pub fn after(self, changes: impl IntoIterator<Item = Move>) -> Option<Tally> {
        changes
            .into_iter()
            .try_fold(self, |tally, change| tally.moved(change))
    }

    /// The kept tally, which counts every seq below `counted_through`,
    /// with the markers of the seqs taken since folded in (`(seq, change)`:
    /// the change of the tally a completion written without reading first
    /// made and wrote nowhere else, `None` for a seq whose transaction
    /// moved the tally itself, or a fence), and the seq it then counts
    /// through: past the last marker. `None` when a change does not move
    /// it (it cannot have been right).
    #[must_use]
    pub fn folded(
        self,
        counted_through: u64,
        markers: impl IntoIterator<Item = (u64, Option<Move>)>,
    ) -> Option<(Tally, u64)> {
        let mut through = counted_through;
        let mut changes = Vec::new();
        for (seq, change) in markers {
            through = through.max(seq.saturating_add(1));
            changes.extend(change);
        }
        Some((self.after(changes)?, through))
    }
}

/// How many markers of seqs past the kept tally a read of the counts finds
/// before the tally is written again with them folded in
/// ([`Tally::folded`]): report edits and forums take seqs without moving
/// the tally, and would otherwise leave ever more markers to read.
pub const FOLD_AFTER: usize = 32;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn change(before: Option<State>, after: Option<State>) -> Move {
        Move { before, after }
    }

    #[test]
    fn markers_past_the_tally_fold_in_and_move_what_it_counts_through() {
        let kept = Tally::counted(|state| u64::from(state == State::Draft) * 2);
        let completed = change(Some(State::Draft), Some(State::Waiting));
        let (tally, through) = kept
            .folded(5, [(5, None), (6, Some(completed)), (7, None)])
            .expect("moved");
        assert_eq!((tally.draft, tally.waiting, through), (1, 1, 8));
        // No marker past it: the same tally, counting through the same seq.
        assert_eq!(kept.folded(5, []), Some((kept, 5)));
        // A change the tally cannot have made shows it wrong.
        let refused = change(Some(State::Synced), Some(State::Waiting));
        assert_eq!(kept.folded(5, [(5, Some(refused))]), None);
    }

    #[test]
    fn a_response_s_life_moves_it_from_state_to_state() {
        let draft = Some(State::Draft);
        let waiting = Some(State::Waiting);
        let tally = Tally::default()
            .moved(change(None, draft))
            .and_then(|tally| tally.moved(change(None, draft)))
            .expect("two new drafts");
        assert_eq!(tally.draft, 2);
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
            (
                tally.draft,
                tally.waiting,
                tally.synced,
                tally.rejected + tally.conflict,
                tally.withdrawn,
            ),
            (0, 0, 1, 2, 0),
            "drafts, waiting, synced, problems, withdrawn"
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

    #[test]
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

    #[test]
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
            (
                of_states.draft,
                of_states.waiting,
                of_states.synced,
                of_states.rejected + of_states.conflict,
                of_states.withdrawn,
            ),
            (1, 2, 1, 1, 3),
            "drafts, waiting, synced, problems, withdrawn"
        );
    }

    /// A tablet's responses as a map from id to state, changed at random
    /// (adds, saves, deletes, any state to any state) by a small generator:
    /// the tally kept move by move always equals the tally of what is held.
    #[test]
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

    #[test]
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
