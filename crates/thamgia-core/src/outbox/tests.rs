//! Tests of the renumbering plan: worked examples, and property tests over
//! outboxes and held records from a small deterministic generator.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::forum::FeedbackChannel;
use crate::report::{FieldContent, FieldKey, Hlc, Stamp};

const OWN: Uuid = Uuid::from_u128(0xA);
const PAST: Uuid = Uuid::from_u128(0xB);
const OTHER: Uuid = Uuid::from_u128(0xC);

fn own_ids() -> BTreeSet<Uuid> {
    BTreeSet::from([OWN, PAST])
}

fn response(id: u128) -> Response {
    let now = Utc
        .timestamp_opt(1_700_000_000, 0)
        .single()
        .expect("valid time");
    Response::new_draft(Uuid::from_u128(id), "play", 2, "00004", now)
}

fn forum(id: u128, submitted: bool) -> Forum {
    let now = Utc
        .timestamp_opt(1_700_000_000, 0)
        .single()
        .expect("valid time");
    let mut forum = Forum::new(
        Uuid::from_u128(id),
        "00004",
        NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date"),
        now,
    );
    forum.submitted = submitted;
    forum
}

fn feedback(recommendation: u128) -> ChildFeedback {
    ChildFeedback {
        recommendation_id: Uuid::from_u128(recommendation),
        given_on: NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid date"),
        channel: FeedbackChannel::Meeting,
        note: String::new(),
    }
}

fn edit(wall_ms: i64, client_id: Uuid) -> FieldEdit {
    FieldEdit {
        report_id: "00004:2026-Q3".parse().expect("a valid report id"),
        field: FieldKey::value("4.1"),
        content: FieldContent::Number(1.0),
        stamp: Stamp {
            hlc: Hlc::new(wall_ms, 0),
            client_id,
        },
        author: "officer".to_owned(),
        sent_as: None,
    }
}

fn submit(response: Response) -> MutationChange {
    MutationChange::SubmitResponse { response }
}

fn queued(changes: Vec<MutationChange>, first_seq: u64) -> Vec<Mutation> {
    changes
        .into_iter()
        .zip(first_seq..)
        .map(|(change, seq)| Mutation { seq, change })
        .collect()
}

#[test]
fn renumbering_numbers_from_one_in_the_same_order() {
    let entries = queued(vec![submit(response(1)), submit(response(2))], 41);
    let renumbered = renumber(entries.clone());
    assert_eq!(
        renumbered.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(renumbered[0].change, entries[0].change);
    assert_eq!(renumbered[1].change, entries[1].change);
}

#[test]
fn what_waits_is_renumbered_and_the_acknowledged_is_queued_again() {
    let mut tombstone = response(3);
    tombstone.status = crate::ResponseStatus::Withdrawn;
    let held = Held {
        responses: vec![
            HeldResponse {
                response: response(1),
                state: HeldState::Waiting,
            },
            HeldResponse {
                response: response(2),
                state: HeldState::Answered,
            },
            HeldResponse {
                response: tombstone.clone(),
                state: HeldState::Withdrawn,
            },
            HeldResponse {
                response: response(4),
                state: HeldState::Draft,
            },
        ],
        forums: vec![
            HeldForum {
                forum: forum(10, true),
                state: HeldState::Answered,
                feedback: vec![feedback(100), feedback(101)],
            },
            HeldForum {
                forum: forum(11, false),
                state: HeldState::Draft,
                feedback: Vec::new(),
            },
        ],
        report_edits: vec![edit(1, OWN), edit(2, OTHER), edit(3, PAST)],
    };
    let entries = queued(
        vec![
            submit(response(1)),
            MutationChange::RecordFeedback {
                feedback: feedback(101),
            },
            MutationChange::EditReportField { edit: edit(1, OWN) },
        ],
        7,
    );
    let plan = plan_renumbering(entries, &held, &own_ids());
    let expected = queued(
        vec![
            submit(response(1)),
            MutationChange::RecordFeedback {
                feedback: feedback(101),
            },
            MutationChange::EditReportField { edit: edit(1, OWN) },
            submit(response(2)),
            MutationChange::WithdrawResponse {
                response_id: tombstone.id,
                withdrawn_at: tombstone.updated_at,
            },
            MutationChange::SubmitForum {
                forum: forum(10, true),
            },
            MutationChange::RecordFeedback {
                feedback: feedback(100),
            },
            MutationChange::EditReportField {
                edit: edit(3, PAST),
            },
        ],
        1,
    );
    assert_eq!(plan.outbox, expected);
    assert_eq!(plan.next_seq, 9);
    assert_eq!(
        plan.waiting,
        BTreeMap::from([
            (Waiter::Response(Uuid::from_u128(1)), 1),
            (Waiter::Response(Uuid::from_u128(2)), 4),
            (Waiter::Forum(Uuid::from_u128(10)), 6),
        ])
    );
}

#[test]
fn a_confirmed_tombstone_in_the_outbox_stays_withdrawn_and_is_withdrawn_again() {
    let mut tombstone = response(3);
    tombstone.status = crate::ResponseStatus::Withdrawn;
    let withdraw = MutationChange::WithdrawResponse {
        response_id: tombstone.id,
        withdrawn_at: tombstone.updated_at,
    };
    let held = Held {
        responses: vec![HeldResponse {
            response: tombstone,
            state: HeldState::Withdrawn,
        }],
        ..Held::default()
    };
    let plan = plan_renumbering(queued(vec![withdraw.clone()], 5), &held, &own_ids());
    assert_eq!(plan.outbox, queued(vec![withdraw.clone(), withdraw], 1));
    assert!(plan.waiting.is_empty());
    assert_eq!(plan.next_seq, 3);
}

#[test]
fn a_record_missing_here_is_renumbered_but_marks_nothing() {
    let entries = queued(
        vec![
            submit(response(1)),
            MutationChange::SubmitForum {
                forum: forum(10, true),
            },
        ],
        3,
    );
    let plan = plan_renumbering(entries, &Held::default(), &own_ids());
    assert_eq!(plan.outbox.len(), 2);
    assert!(plan.waiting.is_empty());
}

#[test]
fn an_empty_tablet_starts_again_at_one() {
    let plan = plan_renumbering(Vec::new(), &Held::default(), &own_ids());
    assert!(plan.outbox.is_empty());
    assert_eq!(plan.next_seq, 1);
}

/// A small deterministic generator (64-bit LCG), as in the report tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

fn state(rng: &mut Rng) -> HeldState {
    match rng.next(4) {
        0 => HeldState::Draft,
        1 => HeldState::Waiting,
        2 => HeldState::Answered,
        _ => HeldState::Withdrawn,
    }
}

/// A random tablet: held records, and an outbox of mutations about some of
/// them (and about records no longer held).
fn generate(rng: &mut Rng) -> (Held, Vec<Mutation>) {
    let mut held = Held::default();
    let mut changes = Vec::new();
    for id in 1..=rng.next(6) {
        let response = response(u128::from(id));
        if rng.next(3) == 0 {
            changes.push(submit(response.clone()));
        }
        held.responses.push(HeldResponse {
            response,
            state: state(rng),
        });
    }
    for id in 1..=rng.next(4) {
        let forum = forum(1000 + u128::from(id), rng.next(4) != 0);
        if rng.next(3) == 0 {
            changes.push(MutationChange::SubmitForum {
                forum: forum.clone(),
            });
        }
        let feedback: Vec<ChildFeedback> = (0..rng.next(3))
            .map(|index| feedback(u128::from(id * 10 + index)))
            .collect();
        for given in &feedback {
            if rng.next(3) == 0 {
                changes.push(MutationChange::RecordFeedback {
                    feedback: given.clone(),
                });
            }
        }
        held.forums.push(HeldForum {
            forum,
            state: state(rng),
            feedback,
        });
    }
    for wall_ms in 0..rng.next(6) {
        let client_id = [OWN, PAST, OTHER][usize::try_from(rng.next(3)).unwrap_or(0)];
        let edit = edit(i64::try_from(wall_ms).unwrap_or(0), client_id);
        if rng.next(3) == 0 {
            changes.push(MutationChange::EditReportField { edit: edit.clone() });
        }
        held.report_edits.push(edit);
    }
    if rng.next(2) == 0 {
        changes.push(submit(response(999)));
    }
    // Shuffle the outbox, and start it anywhere.
    for index in (1..changes.len()).rev() {
        let other = usize::try_from(rng.next(index as u64 + 1)).unwrap_or(0);
        changes.swap(index, other);
    }
    let first_seq = 1 + rng.next(100);
    (held, queued(changes, first_seq))
}

fn count(outbox: &[Mutation], record_id: &str) -> usize {
    outbox
        .iter()
        .filter(|mutation| mutation.change.record_id() == record_id)
        .count()
}

#[test]
fn renumbering_keeps_everything_in_order_and_numbers_without_gaps() {
    let mut rng = Rng(0x5EED);
    for _ in 0..500 {
        let (held, entries) = generate(&mut rng);
        let plan = plan_renumbering(entries.clone(), &held, &own_ids());
        // Numbered 1, 2, 3, … without gaps, and the counter follows.
        for (index, mutation) in plan.outbox.iter().enumerate() {
            assert_eq!(mutation.seq, index as u64 + 1);
        }
        assert_eq!(plan.next_seq, plan.outbox.len() as u64 + 1);
        // What waited comes first, in its order, unchanged but for its seq.
        assert!(plan.outbox.len() >= entries.len());
        for (before, after) in entries.iter().zip(&plan.outbox) {
            assert_eq!(before.change, after.change);
        }
        // Every waiter waits for a mutation about it.
        for (waiter, seq) in &plan.waiting {
            let index = usize::try_from(*seq - 1).expect("a small seq");
            let change = &plan.outbox[index].change;
            match waiter {
                Waiter::Response(id) => assert_eq!(response_of(change), Some(*id)),
                Waiter::Forum(id) => assert_eq!(forum_of(change), Some(*id)),
            }
        }
    }
}

#[test]
fn requeueing_sends_every_acknowledged_record_once() {
    let mut rng = Rng(0xC0FFEE);
    for _ in 0..500 {
        let (held, entries) = generate(&mut rng);
        let plan = plan_renumbering(entries.clone(), &held, &own_ids());
        for held_response in &held.responses {
            let id = held_response.response.id.to_string();
            let before = count(&entries, &id);
            let after = count(&plan.outbox, &id);
            match held_response.state {
                HeldState::Draft | HeldState::Waiting => assert_eq!(after, before),
                HeldState::Answered => assert_eq!(after, before.max(1)),
                HeldState::Withdrawn => assert_eq!(after, before + 1),
            }
            let waits = plan
                .waiting
                .contains_key(&Waiter::Response(held_response.response.id));
            let expected = match held_response.state {
                HeldState::Withdrawn => false,
                HeldState::Answered => true,
                HeldState::Draft | HeldState::Waiting => before > 0,
            };
            assert_eq!(waits, expected);
        }
        for held_forum in &held.forums {
            let id = held_forum.forum.id.to_string();
            let before = count(&entries, &id);
            let acknowledged = held_forum.forum.submitted
                && matches!(held_forum.state, HeldState::Answered | HeldState::Withdrawn);
            let after = count(&plan.outbox, &id);
            assert_eq!(after, if acknowledged { before.max(1) } else { before });
            for given in &held_forum.feedback {
                let id = format!("feedback/{}", given.recommendation_id);
                assert_eq!(count(&plan.outbox, &id), count(&entries, &id).max(1));
            }
        }
        for edit in &held.report_edits {
            let id = MutationChange::EditReportField { edit: edit.clone() }.record_id();
            let before = count(&entries, &id);
            let expected = if edit.stamp.client_id == OTHER {
                before
            } else {
                before.max(1)
            };
            assert_eq!(count(&plan.outbox, &id), expected);
        }
    }
}

#[test]
fn an_edit_waiting_under_its_own_stamp_is_not_queued_again_as_its_bounded_copy() {
    // Sent from a tablet whose clock ran ahead; the push timed out after the
    // town hall stored it, bounded (lowered, `sent_as` the original), and
    // the tablet pulled that copy: its replica holds the bounded copy while
    // the outbox still holds the edit as made. It is one edit: sent once.
    let made = edit(9_000_000, OWN);
    let mut bounded = made.clone();
    bounded.stamp.hlc = Hlc::new(5_000_000, 0);
    bounded.sent_as = Some(made.stamp.hlc);
    let held = Held {
        report_edits: vec![bounded],
        ..Held::default()
    };
    let entries = queued(
        vec![MutationChange::EditReportField { edit: made.clone() }],
        7,
    );
    let plan = plan_renumbering(entries, &held, &own_ids());
    assert_eq!(
        plan.outbox,
        vec![Mutation {
            seq: 1,
            change: MutationChange::EditReportField { edit: made },
        }]
    );
}

#[test]
fn two_own_edits_of_one_field_in_one_millisecond_are_two_edits() {
    // The clock's counter tells them apart: one waits, the other was
    // acknowledged and is queued again (a restored town hall may have lost
    // it, and it is the report's history).
    let first = edit(1_000, OWN);
    let mut second = edit(1_000, OWN);
    second.stamp.hlc = Hlc::new(1_000, 1);
    second.content = FieldContent::Number(2.0);
    let held = Held {
        report_edits: vec![first.clone(), second.clone()],
        ..Held::default()
    };
    let entries = queued(vec![MutationChange::EditReportField { edit: second }], 3);
    let plan = plan_renumbering(entries, &held, &own_ids());
    assert_eq!(plan.outbox.len(), 2, "{:?}", plan.outbox);
    assert_eq!(
        plan.outbox[1].change,
        MutationChange::EditReportField { edit: first }
    );
}
