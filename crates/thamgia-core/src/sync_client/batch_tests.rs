//! The push batch: it grows on a good link and falls back on a poor one.

use uuid::Uuid;

use super::*;
use crate::protocol::{MutationChange, MutationOutcome, PushStatus, MAX_PUSH_BATCH};
use crate::response::{Response, ResponseStatus};

fn config() -> SyncConfig {
    SyncConfig {
        push_batch_size: 100,
        max_push_batch_size: MAX_PUSH_BATCH,
        quick_push_ms: 2_000,
        ..SyncConfig::default()
    }
}

#[test]
fn the_batch_doubles_after_full_quick_pushes_up_to_the_maximum() {
    let config = config();
    let mut size = config.push_batch_size;
    let mut seen = vec![size];
    for _ in 0..5 {
        size = next_push_batch_size(&config, size, size, 300);
        seen.push(size);
    }
    assert_eq!(seen, vec![100, 200, 400, 500, 500, 500]);
}

#[test]
fn a_partial_push_keeps_the_size_and_a_slow_one_halves_it_to_the_floor() {
    let config = config();
    assert_eq!(next_push_batch_size(&config, 400, 57, 300), 400);
    assert_eq!(next_push_batch_size(&config, 400, 400, 2_001), 200);
    assert_eq!(next_push_batch_size(&config, 200, 200, 9_000), 100);
    assert_eq!(next_push_batch_size(&config, 100, 100, 9_000), 100);
}

#[test]
fn the_servers_limit_is_never_passed_whatever_the_configuration() {
    let config = SyncConfig {
        push_batch_size: 100,
        max_push_batch_size: 10_000,
        ..config()
    };
    assert_eq!(next_push_batch_size(&config, 400, 400, 1), MAX_PUSH_BATCH);
    let fixed = SyncConfig {
        push_batch_size: 50,
        max_push_batch_size: 50,
        ..config
    };
    assert_eq!(next_push_batch_size(&fixed, 50, 50, 1), 50);
}

fn submission(seq: u64) -> Mutation {
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
    let mut response = Response::new_draft(Uuid::from_u128(u128::from(seq)), "s", 1, "00004", at);
    response.status = ResponseStatus::Completed;
    Mutation {
        seq,
        change: MutationChange::SubmitResponse { response },
    }
}

/// Reads `count` entries from seq `from`, pushes them and answers at
/// `answered_at_ms`; returns the commands after the answer.
fn push_round_trip(
    client: &mut SyncClient,
    from: u64,
    count: u64,
    sent_at_ms: i64,
    answered_at_ms: i64,
) -> Vec<SyncCommand> {
    let mutations: Vec<Mutation> = (from..from + count).map(submission).collect();
    let commands = client.handle(
        SyncEvent::OutboxRead {
            mutations,
            pending_total: 10_000,
        },
        sent_at_ms,
        0,
    );
    assert!(
        matches!(&commands[..], [SyncCommand::SendPush(push)] if push.mutations.len() as u64 == count)
    );
    let last = from + count - 1;
    client.handle(
        SyncEvent::PushAnswered(PushResponse {
            last_seq: last,
            status: PushStatus::Ok,
            results: (from..=last)
                .map(|seq| MutationResult {
                    seq,
                    outcome: MutationOutcome::Applied,
                })
                .collect(),
        }),
        answered_at_ms,
        0,
    )
}

fn next_read_limit(commands: &[SyncCommand]) -> Option<usize> {
    commands.iter().find_map(|command| match command {
        SyncCommand::ReadOutbox { limit } => Some(*limit),
        _ => None,
    })
}

#[test]
fn a_long_outbox_is_read_in_growing_batches_and_a_failure_starts_again_small() {
    let mut client = SyncClient::new(config(), Uuid::from_u128(7), 0, None);
    let commands = client.handle(SyncEvent::Requested(Trigger::UserRequest), 0, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 100 }]);
    let commands = push_round_trip(&mut client, 1, 100, 0, 150);
    assert_eq!(next_read_limit(&commands), Some(200));
    let commands = push_round_trip(&mut client, 101, 200, 200, 400);
    assert_eq!(next_read_limit(&commands), Some(400));
    // A slow answer: the link got worse.
    let commands = push_round_trip(&mut client, 301, 400, 500, 5_500);
    assert_eq!(next_read_limit(&commands), Some(200));
    // A push that fails: the next round starts from the first size.
    let mutations: Vec<Mutation> = (701..901).map(submission).collect();
    client.handle(
        SyncEvent::OutboxRead {
            mutations,
            pending_total: 9_300,
        },
        6_000,
        0,
    );
    client.handle(SyncEvent::PushFailed(SyncFailure::Offline), 7_000, 0);
    let commands = client.handle(SyncEvent::Requested(Trigger::Online), 8_000, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 100 }]);
}
