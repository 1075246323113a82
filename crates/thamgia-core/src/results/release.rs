//! When the published results of a cell (one ward in one quarter) change:
//! in steps of at least k changes, never one response at a time.
//!
//! Suppression hides small counts in one view of the figures. Two views
//! taken before and after one response arrives differ by that response
//! alone: set against each other, they tell what that child answered,
//! whatever each of them hides. So the figures a server publishes for a
//! cell are those of a **release**, the cell as the store held it at some
//! moment ([`CellState`]), and a cell is released anew only once at least
//! `step` changes (responses added, withdrawn, corrected; each raises the
//! cell's revision by one) came since its last release. Two views then
//! differ by at least `step` changes: a group of children, as any
//! published count is.
//!
//! Releases are kept in the store, so a restart, another server on the
//! same store or an index made again all publish the same release. A
//! release is made again from the store by reading the cell's counted
//! responses up to its revision, which holds while no change other than an
//! arrival came since (a withdrawal deletes the child's answers, so the
//! cell as it was can no longer be read): a server that holds the release
//! already keeps publishing it; one that must make it again and cannot
//! releases the cell as it stands (see [`release`]).
//!
//! No I/O here: the server reads the states and releases, this decides.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::maintained::{CellKey, CellState, SurveyIndex};
use super::suppression::{Shown, Threshold};
use crate::report::Period;

/// How many changes a cell must gather before its figures change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseStep(i64);

impl ReleaseStep {
    /// Every change published at once: the figures of the store as it
    /// stands. For tests of the figures themselves, never a server's
    /// setting.
    pub const EVERY_CHANGE: ReleaseStep = ReleaseStep(1);

    /// Steps of the threshold's k: the difference of two releases is at
    /// least as large a group as any count published.
    pub fn of(threshold: Threshold) -> ReleaseStep {
        ReleaseStep(i64::try_from(threshold.k()).unwrap_or(i64::MAX).max(1))
    }

    /// How many changes a step is.
    pub fn changes(self) -> i64 {
        self.0
    }
}

impl Default for ReleaseStep {
    fn default() -> ReleaseStep {
        ReleaseStep::of(Threshold::DEFAULT)
    }
}

/// What a server publishes a cell at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// The state of the store the published figures are of; the default
    /// state (revision 0) is a cell released with nothing in it.
    pub at: CellState,
    /// Whether `at` is a release the store must keep now.
    pub new: bool,
}

impl Release {
    /// How many changes of the cell (`store`: as the store holds it) the
    /// release does not show yet.
    pub fn waiting(&self, store: CellState) -> u64 {
        u64::try_from(store.revision.saturating_sub(self.at.revision)).unwrap_or(0)
    }
}

/// The release a cell is published at, the store holding it at `store`:
/// `released` is the last release kept (`None`: never released), `held`
/// the state the server's index holds of the cell (`None`: none).
///
/// - A cell whose store moved `step` changes or more past its release is
///   released as the store holds it.
/// - Otherwise the last release stays, as long as the server holds it or
///   can make it again: it is empty, or nothing but arrivals came since.
/// - A release the server cannot make again (a withdrawal or correction
///   came since, and the index was made anew: a restart, a new version of
///   the survey, another server), or a store behind its release (restored
///   from a backup), releases the cell as the store holds it.
pub fn release(
    step: ReleaseStep,
    store: CellState,
    released: Option<CellState>,
    held: Option<CellState>,
) -> Release {
    let last = released.unwrap_or_default();
    let at_store = Release {
        at: store,
        new: true,
    };
    if store == last {
        return Release {
            at: last,
            new: false,
        };
    }
    if last.revision > store.revision || last.removals > store.removals {
        return at_store;
    }
    if store.revision.saturating_sub(last.revision) >= step.changes() {
        return at_store;
    }
    let can_be_made = last.revision == 0 || held == Some(last) || last.removals == store.removals;
    if can_be_made {
        Release {
            at: last,
            new: false,
        }
    } else {
        at_store
    }
}

/// Every cell's release as a server decides them at one moment: each cell
/// as the store holds it, with its release.
#[derive(Debug, Clone, Default)]
pub struct Releases(Vec<(CellKey, CellState, Release)>);

impl Releases {
    /// The release of each cell of `states` (every cell as the store holds
    /// it), the store keeping the releases `released` and `index` holding
    /// what it holds ([`release`]).
    pub fn of(
        step: ReleaseStep,
        states: &[(CellKey, CellState)],
        released: &HashMap<CellKey, CellState>,
        index: &SurveyIndex,
    ) -> Releases {
        Releases(
            states
                .iter()
                .map(|(key, state)| {
                    let decided =
                        release(step, *state, released.get(key).copied(), index.held(key));
                    (key.clone(), *state, decided)
                })
                .collect(),
        )
    }

    /// The releases the store must keep now, each with the release it
    /// replaces (as `released` holds it: `None`, none).
    pub fn new_ones(
        &self,
        released: &HashMap<CellKey, CellState>,
    ) -> Vec<(CellKey, Option<CellState>, CellState)> {
        self.0
            .iter()
            .filter(|(_, _, release)| release.new)
            .map(|(key, _, release)| (key.clone(), released.get(key).copied(), release.at))
            .collect()
    }

    /// The state each cell is published at, for
    /// [`SurveyIndex::stale`].
    pub fn targets(&self) -> Vec<(CellKey, CellState)> {
        self.0
            .iter()
            .map(|(key, _, release)| (key.clone(), release.at))
            .collect()
    }

    /// How many changes in `ward` (`None`: every ward) and `period`
    /// (`None`: all time) the releases do not show yet.
    pub fn waiting(&self, ward: Option<&str>, period: Option<Period>) -> u64 {
        self.0
            .iter()
            .filter(|(key, _, _)| key.within(ward, period))
            .map(|(_, store, release)| release.waiting(*store))
            .fold(0, u64::saturating_add)
    }
}

/// The cells of `read` a withdrawal or a correction reached while they
/// were read: their removals in `after` (the states read once the cells
/// were) differ from those in `before` (read before them), so what was
/// read may miss a response taken out meanwhile, and they are caught up
/// again.
pub fn moved_while_read<'k>(
    read: impl IntoIterator<Item = &'k CellKey>,
    before: &[(CellKey, CellState)],
    after: &[(CellKey, CellState)],
) -> Vec<CellKey> {
    let removals = |states: &[(CellKey, CellState)], key: &CellKey| {
        states
            .iter()
            .find(|(known, _)| known == key)
            .map_or(0, |(_, state)| state.removals)
    };
    read.into_iter()
        .filter(|key| removals(before, key) != removals(after, key))
        .cloned()
        .collect()
}

/// How many children answered a question, on a page counted from the
/// store as it stands (the children's own words and their themes), beside
/// the results' release: `live` children answered as the store stands,
/// `released` in the release, which publishes them as `published`. While
/// the two agree, the release's own figure, so that the page withholds
/// what the results withhold; once they differ, the count as it stands
/// (under k shown as "< k"), as the words listed beside it are.
pub fn answered_as_it_stands(
    live: u64,
    released: u64,
    published: Shown,
    threshold: Threshold,
) -> Shown {
    if live == released {
        published
    } else if threshold.is_small(live) {
        Shown::Under(threshold.k())
    } else {
        Shown::Count(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(ward: &str) -> CellKey {
        CellKey {
            ward: ward.to_owned(),
            quarter: "2026-Q2".parse().expect("a quarter"),
        }
    }

    #[test]
    fn releases_say_what_to_keep_what_to_show_and_what_waits() {
        let index = SurveyIndex::new(Vec::new());
        let states = [
            (cell("00004"), state(7, 0)),
            (cell("00008"), state(3, 0)),
            (cell("00001"), state(12, 1)),
        ];
        let released = HashMap::from([(cell("00001"), state(10, 1))]);
        let releases = Releases::of(FIVE, &states, &released, &index);
        assert_eq!(
            releases.new_ones(&released),
            vec![(cell("00004"), None, state(7, 0))]
        );
        assert_eq!(
            releases.targets(),
            vec![
                (cell("00004"), state(7, 0)),
                (cell("00008"), CellState::default()),
                (cell("00001"), state(10, 1)),
            ]
        );
        assert_eq!(releases.waiting(None, None), 3 + 2);
        assert_eq!(releases.waiting(Some("00008"), None), 3);
        assert_eq!(releases.waiting(Some("00004"), None), 0);
        assert_eq!(releases.waiting(None, "2026-Q3".parse().ok()), 0);
    }

    #[test]
    fn cells_a_removal_reached_while_read_are_read_again() {
        let before = [(cell("00004"), state(7, 0)), (cell("00008"), state(3, 1))];
        let after = [
            (cell("00004"), state(9, 1)),
            (cell("00008"), state(4, 1)),
            (cell("00001"), state(1, 0)),
        ];
        let read = [cell("00004"), cell("00008"), cell("00001")];
        assert_eq!(
            moved_while_read(&read, &before, &after),
            vec![cell("00004")]
        );
    }

    #[test]
    fn a_page_of_words_shows_the_release_s_figure_while_it_is_the_same() {
        let k = Threshold::DEFAULT;
        assert_eq!(
            answered_as_it_stands(12, 12, Shown::Hidden, k),
            Shown::Hidden
        );
        assert_eq!(
            answered_as_it_stands(12, 12, Shown::Count(12), k),
            Shown::Count(12)
        );
        assert_eq!(
            answered_as_it_stands(11, 12, Shown::Hidden, k),
            Shown::Count(11)
        );
        assert_eq!(
            answered_as_it_stands(3, 0, Shown::Count(0), k),
            Shown::Under(5)
        );
        assert_eq!(
            answered_as_it_stands(0, 4, Shown::Under(5), k),
            Shown::Count(0)
        );
    }

    fn state(revision: i64, removals: i64) -> CellState {
        CellState { revision, removals }
    }

    const FIVE: ReleaseStep = ReleaseStep(5);

    #[test]
    fn a_new_cell_is_released_once_it_has_a_step_of_changes() {
        for revision in 1..5 {
            let kept = release(FIVE, state(revision, 0), None, None);
            assert_eq!(kept.at, CellState::default(), "{revision}");
            assert!(!kept.new);
            assert_eq!(kept.waiting(state(revision, 0)), revision as u64);
        }
        let released = release(FIVE, state(5, 0), None, None);
        assert_eq!(released.at, state(5, 0));
        assert!(released.new);
        assert_eq!(released.waiting(state(5, 0)), 0);
    }

    #[test]
    fn a_release_stays_until_a_step_of_changes_came_since() {
        let last = Some(state(12, 1));
        for held in [None, last] {
            for revision in 13..17 {
                let kept = release(FIVE, state(revision, 1), last, held);
                assert_eq!(kept.at, state(12, 1), "{revision} {held:?}");
                assert!(!kept.new);
            }
            let released = release(FIVE, state(17, 1), last, held);
            assert_eq!(released.at, state(17, 1));
            assert!(released.new);
        }
        let unchanged = release(FIVE, state(12, 1), last, None);
        assert_eq!(unchanged.at, state(12, 1));
        assert!(!unchanged.new);
    }

    #[test]
    fn a_withdrawal_is_one_change_of_the_step_while_the_release_is_held() {
        // One arrival and one withdrawal since the release, held by the
        // server: two changes, the release stays.
        let last = Some(state(20, 0));
        let kept = release(FIVE, state(22, 1), last, last);
        assert_eq!(kept.at, state(20, 0));
        assert!(!kept.new);
        assert_eq!(kept.waiting(state(22, 1)), 2);
        // Three more changes: a step, released as the store stands.
        let released = release(FIVE, state(25, 1), last, last);
        assert_eq!(
            released,
            Release {
                at: state(25, 1),
                new: true
            }
        );
    }

    #[test]
    fn a_release_that_cannot_be_made_again_gives_way_to_the_store() {
        // The withdrawal deleted answers the release counted, and the
        // index holds another state (made anew): the cell as it stands.
        let last = Some(state(20, 0));
        for held in [None, Some(state(18, 0)), Some(state(21, 1))] {
            let released = release(FIVE, state(22, 1), last, held);
            assert_eq!(
                released,
                Release {
                    at: state(22, 1),
                    new: true
                },
                "{held:?}"
            );
        }
        // Arrivals alone since: the release is read again from the store.
        let kept = release(FIVE, state(23, 0), last, None);
        assert_eq!(
            kept,
            Release {
                at: state(20, 0),
                new: false
            }
        );
        // An empty release is always made again, whatever came since.
        let empty = release(FIVE, state(3, 2), None, None);
        assert_eq!(
            empty,
            Release {
                at: CellState::default(),
                new: false
            }
        );
    }

    #[test]
    fn a_store_behind_its_release_is_released_as_it_stands() {
        let released = release(FIVE, state(8, 0), Some(state(40, 2)), None);
        assert_eq!(
            released,
            Release {
                at: state(8, 0),
                new: true
            }
        );
        let released = release(FIVE, state(41, 1), Some(state(40, 2)), None);
        assert_eq!(
            released,
            Release {
                at: state(41, 1),
                new: true
            }
        );
    }

    #[test]
    fn every_change_publishes_the_store_as_it_stands() {
        for (revision, removals) in [(1, 0), (2, 1), (9, 3)] {
            let store = state(revision, removals);
            for released in [None, Some(state(revision - 1, removals))] {
                let release = release(ReleaseStep::EVERY_CHANGE, store, released, None);
                assert_eq!(release.at, store);
            }
        }
    }

    #[test]
    fn the_step_is_the_threshold_k() {
        assert_eq!(ReleaseStep::default().changes(), 5);
        assert_eq!(ReleaseStep::of(Threshold::new(10)).changes(), 10);
        // A threshold never goes under 2, so neither does its step.
        assert_eq!(ReleaseStep::of(Threshold::new(0)).changes(), 2);
    }
}
