use uuid::Uuid;

use super::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn tally(waiting: u64, draft: u64) -> Tally {
    Tally::counted(|state| match state {
        State::Waiting => waiting,
        State::Draft => draft,
        _ => 0,
    })
}

#[test]
fn a_response_never_saved_here_is_expected_absent_and_holds_only_on_the_same_meta_and_tally() {
    let expected = Expectation::after_write(7_u64, Some(tally(3, 0)));
    assert_eq!(expected.stored_state(id(1)), None);
    assert!(expected.holds(id(1), None, Some(&7), Some(tally(3, 0))));
    // Another writer moved the counter, or the tally, or made no record.
    assert!(!expected.holds(id(1), None, Some(&8), Some(tally(3, 0))));
    assert!(!expected.holds(id(1), None, Some(&7), Some(tally(4, 0))));
    assert!(!expected.holds(id(1), None, Some(&7), None));
    assert!(!expected.holds(id(1), None, None, Some(tally(3, 0))));
}

#[test]
fn a_stored_response_holds_only_as_a_draft_this_tab_saved() {
    let expected = Expectation::after_write(1_u64, None);
    // Stored by someone else, or completed already (a double tap).
    assert!(!expected.holds(id(1), Some(State::Draft), Some(&1), None));
    assert!(!expected.holds(id(1), Some(State::Waiting), Some(&1), None));
    let expected = expected.draft_saved(id(1), None);
    assert_eq!(expected.stored_state(id(1)), Some(State::Draft));
    assert!(expected.holds(id(1), Some(State::Draft), Some(&1), None));
    assert!(!expected.holds(id(1), None, Some(&1), None));
    assert!(!expected.holds(id(1), Some(State::Waiting), Some(&1), None));
}

#[test]
fn a_new_draft_takes_the_tally_its_save_kept_and_a_draft_saved_again_leaves_it() {
    let expected = Expectation::after_write(1_u64, Some(tally(2, 0)));
    let expected = expected.draft_saved(id(5), Some(Some(tally(2, 1))));
    assert_eq!(expected.tally(), Some(tally(2, 1)));
    let again = expected.clone().draft_saved(id(5), None);
    assert_eq!(again.tally(), Some(tally(2, 1)));
    assert_eq!(again, expected, "saved again: the draft is listed once");
    // A save that found the tally wrong dropped it.
    let dropped = expected.draft_saved(id(6), Some(None));
    assert_eq!(dropped.tally(), None);
}

#[test]
fn a_completion_forgets_its_draft_and_takes_what_it_wrote() {
    let expected = Expectation::after_write(1_u64, Some(tally(0, 0)))
        .draft_saved(id(1), Some(Some(tally(0, 1))))
        .draft_saved(id(2), Some(Some(tally(0, 2))));
    let after = expected.completed(id(1), 2, Some(tally(1, 1)));
    assert_eq!(after.stored_state(id(1)), None);
    assert_eq!(after.stored_state(id(2)), Some(State::Draft));
    assert_eq!(*after.meta(), 2);
    assert_eq!(after.tally(), Some(tally(1, 1)));
    // The same response completed again is stored as waiting: not expected.
    assert!(!after.holds(id(1), Some(State::Waiting), Some(&2), Some(tally(1, 1))));
}

#[test]
fn only_the_latest_drafts_are_kept_and_an_older_one_is_expected_absent() {
    let mut expected = Expectation::after_write((), None);
    for n in 0..=DRAFTS_KEPT as u128 {
        expected = expected.draft_saved(id(n), None);
    }
    assert_eq!(expected.stored_state(id(0)), None, "the oldest was dropped");
    for n in 1..=DRAFTS_KEPT as u128 {
        assert_eq!(expected.stored_state(id(n)), Some(State::Draft));
    }
    // Saved again, a draft moves to the latest and nothing else is dropped.
    let expected = expected.draft_saved(id(1), None);
    for n in 1..=DRAFTS_KEPT as u128 {
        assert_eq!(expected.stored_state(id(n)), Some(State::Draft));
    }
}
