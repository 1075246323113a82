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

fn too_large() -> SyncFailure {
    SyncFailure::Server {
        error: Some(crate::protocol::ApiError {
            code: crate::protocol::ApiErrorCode::PayloadTooLarge,
            message: crate::localized::Localized::new("Quá lớn", "Too large"),
        }),
        detail: "413 Payload Too Large".to_owned(),
    }
}

/// Reads `count` entries from seq `from` and pushes them; the server
/// refuses the push as too large.
fn refused_as_too_large(client: &mut SyncClient, from: u64, count: u64) -> Vec<SyncCommand> {
    let mutations: Vec<Mutation> = (from..from + count).map(submission).collect();
    client.handle(
        SyncEvent::OutboxRead {
            mutations,
            pending_total: 10_000,
        },
        0,
        0,
    );
    client.handle(SyncEvent::PushFailed(too_large()), 0, 0)
}

#[test]
fn a_push_refused_as_too_large_is_sent_again_at_once_halved_and_the_round_stays_under_it() {
    let mut client = SyncClient::new(config(), Uuid::from_u128(7), 0, None);
    client.handle(SyncEvent::Requested(Trigger::UserRequest), 0, 0);
    // Halved each time, with no wait and nothing counted as a failure.
    assert_eq!(
        refused_as_too_large(&mut client, 1, 100),
        vec![SyncCommand::ReadOutbox { limit: 50 }]
    );
    assert_eq!(
        refused_as_too_large(&mut client, 1, 50),
        vec![SyncCommand::ReadOutbox { limit: 25 }]
    );
    assert_eq!(client.status().last_failure, None);
    // Quick full pushes do not grow past what was refused, in this round.
    let commands = push_round_trip(&mut client, 1, 25, 0, 10);
    assert_eq!(next_read_limit(&commands), Some(25));
    // The next round starts from what passed, and grows again from there.
    let mut other = SyncClient::new(config(), Uuid::from_u128(8), 0, None);
    other.handle(SyncEvent::Requested(Trigger::UserRequest), 0, 0);
    refused_as_too_large(&mut other, 1, 100);
    let commands = push_round_trip(&mut other, 1, 50, 0, 10);
    assert_eq!(next_read_limit(&commands), Some(50));
    other.handle(
        SyncEvent::OutboxRead {
            mutations: Vec::new(),
            pending_total: 0,
        },
        20,
        0,
    );
    other.handle(
        SyncEvent::PullAnswered(crate::protocol::PullResponse {
            changes: Vec::new(),
            next_cursor: 0,
            has_more: false,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        30,
        0,
    );
    let commands = other.handle(SyncEvent::Requested(Trigger::UserRequest), 40, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 50 }]);
    let commands = push_round_trip(&mut other, 51, 50, 50, 60);
    assert_eq!(next_read_limit(&commands), Some(100));
}

#[test]
fn a_single_record_refused_as_too_large_fails_the_round_and_says_it_is_kept() {
    let mut client = SyncClient::new(config(), Uuid::from_u128(7), 0, None);
    client.handle(SyncEvent::Requested(Trigger::UserRequest), 0, 0);
    let commands = refused_as_too_large(&mut client, 1, 1);
    assert!(
        matches!(&commands[..], [SyncCommand::ScheduleWake { .. }]),
        "{commands:?}"
    );
    let (_, failure) = client.status().last_failure.expect("the round failed");
    assert!(failure.is_too_large());
    let message = failure.message();
    assert!(message.vi.contains("quá lớn") && message.vi.contains("không bị mất"));
    assert!(message.en.contains("too large") && message.en.contains("not lost"));
}
