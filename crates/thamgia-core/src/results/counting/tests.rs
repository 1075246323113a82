//! The counting rule: withdrawals, corrections, and both together.

use chrono::{TimeZone, Utc};

use super::*;

fn response(id: u128, corrects: Option<u128>, day: u32) -> Response {
    let at = Utc
        .with_ymd_and_hms(2026, 5, day, 3, 0, 0)
        .single()
        .expect("valid time");
    let mut response = Response::new_draft(Uuid::from_u128(id), "safety", 1, "00004", at);
    response.status = ResponseStatus::Completed;
    response.corrects = corrects.map(Uuid::from_u128);
    response
}

fn withdrawn(mut response: Response) -> Response {
    response.status = ResponseStatus::Withdrawn;
    response
}

fn ids(responses: &[Response]) -> Vec<u128> {
    counted(responses)
        .iter()
        .map(|response| response.id.as_u128())
        .collect()
}

#[test]
fn completed_responses_count_and_drafts_do_not() {
    let mut draft = response(3, None, 3);
    draft.status = ResponseStatus::Draft;
    assert_eq!(
        ids(&[response(1, None, 1), response(2, None, 2), draft]),
        vec![1, 2]
    );
}

#[test]
fn a_withdrawn_response_leaves_the_results() {
    assert_eq!(
        ids(&[response(1, None, 1), withdrawn(response(2, None, 2))]),
        vec![1]
    );
}

#[test]
fn a_corrected_response_counts_once_as_its_newest_version() {
    assert_eq!(
        ids(&[response(1, None, 1), response(2, Some(1), 2)]),
        vec![2]
    );
    // A correction of a correction; in any input order.
    let chain = [
        response(3, Some(2), 3),
        response(1, None, 1),
        response(2, Some(1), 2),
    ];
    assert_eq!(ids(&chain), vec![3]);
    // A draft correction does not replace anything yet.
    let mut draft = response(2, Some(1), 2);
    draft.status = ResponseStatus::Draft;
    assert_eq!(ids(&[response(1, None, 1), draft]), vec![1]);
}

#[test]
fn two_corrections_of_one_response_count_once_as_the_newest() {
    let twice = [
        response(1, None, 1),
        response(3, Some(1), 3),
        response(2, Some(1), 2),
    ];
    assert_eq!(ids(&twice), vec![3]);
}

#[test]
fn a_corrected_then_withdrawn_response_leaves_entirely() {
    // The correction withdrawn: the original does not come back.
    assert_eq!(
        ids(&[response(1, None, 1), withdrawn(response(2, Some(1), 2))]),
        Vec::<u128>::new()
    );
    // The original withdrawn after it was corrected: the child's consent
    // is gone, so the correction (the same child's answers) leaves too.
    assert_eq!(
        ids(&[withdrawn(response(1, None, 1)), response(2, Some(1), 2)]),
        Vec::<u128>::new()
    );
    // Other children stay.
    assert_eq!(
        ids(&[
            response(1, None, 1),
            withdrawn(response(2, Some(1), 2)),
            response(4, None, 4),
        ]),
        vec![4]
    );
}

#[test]
fn withdrawals_known_only_by_id_count_as_tombstones() {
    // The server deletes a withdrawn response and keeps its id: a
    // correction of it, held, does not count.
    let held = [response(2, Some(1), 2), response(4, None, 4)];
    let withdrawn_ids = BTreeSet::from([Uuid::from_u128(1), Uuid::from_u128(9)]);
    let kept: Vec<u128> = counted_excluding(&held, &withdrawn_ids)
        .iter()
        .map(|response| response.id.as_u128())
        .collect();
    assert_eq!(kept, vec![4]);
    // A correction whose original is simply not held still counts.
    assert_eq!(ids(&[response(2, Some(1), 2)]), vec![2]);
}

#[test]
fn a_loop_of_corrections_counts_once() {
    // Impossible from a tablet (ids are made when a response starts), but
    // a hostile push must not make a response count twice or hang.
    let looped = [response(1, Some(2), 1), response(2, Some(1), 2)];
    assert!(ids(&looped).len() <= 1);
}
