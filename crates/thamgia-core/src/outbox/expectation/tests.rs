use super::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn a_response_is_expected_a_draft_only_when_this_tab_saved_it_as_one() {
    let expected = Expectation::after_write(7_u64);
    assert_eq!(expected.stored_state(id(1)), None, "not known");
    let expected = expected.draft_saved(id(1));
    assert_eq!(expected.stored_state(id(1)), Some(State::Draft));
    assert_eq!(expected.stored_state(id(2)), None);
    assert_eq!(expected.meta(), &7);
}

#[test]
fn a_completion_forgets_its_draft_and_takes_what_it_wrote() {
    let expected = Expectation::after_write(1_u64)
        .draft_saved(id(1))
        .draft_saved(id(2));
    let after = expected.completed(id(1), 2);
    assert_eq!(after.meta(), &2);
    assert_eq!(
        after.stored_state(id(1)),
        None,
        "completed: no longer a draft"
    );
    assert_eq!(after.stored_state(id(2)), Some(State::Draft));
}

#[test]
fn only_the_latest_drafts_are_kept_and_an_older_one_is_not_known() {
    let mut expected = Expectation::after_write(());
    for n in 0..=DRAFTS_KEPT as u128 {
        expected = expected.draft_saved(id(n));
    }
    assert_eq!(expected.stored_state(id(0)), None, "the oldest was dropped");
    for n in 1..=DRAFTS_KEPT as u128 {
        assert_eq!(expected.stored_state(id(n)), Some(State::Draft));
    }
    // Saved again, a draft moves to the latest and nothing else is dropped.
    let expected = expected.draft_saved(id(1));
    for n in 1..=DRAFTS_KEPT as u128 {
        assert_eq!(expected.stored_state(id(n)), Some(State::Draft));
    }
}
