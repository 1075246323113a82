//! Tests of the sync client against every failure order that matters, with a
//! small model of the server's push and pull rules.

use std::collections::{BTreeMap, HashMap};

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::protocol::{ChangeEntity, MutationChange, MutationOutcome, PushStatus};
use crate::response::{Response, ResponseStatus};
use crate::survey::SurveyDefinition;
use crate::Localized;

const CLIENT: Uuid = Uuid::from_u128(0x1111);

fn config() -> SyncConfig {
    SyncConfig {
        push_batch_size: 3,
        // These tests count pushes of 3; the growth of the batch has its own.
        max_push_batch_size: 3,
        quick_push_ms: 2_000,
        pull_page_size: 2,
        base_backoff_ms: 1_000,
        max_backoff_ms: 60_000,
        idle_interval_ms: 30_000,
    }
}

fn response(n: u128) -> Response {
    let now = Utc
        .timestamp_opt(1_700_000_000, 0)
        .single()
        .expect("valid time");
    let mut response = Response::new_draft(Uuid::from_u128(n), "s", 1, "00004", now);
    response.status = ResponseStatus::Completed;
    response
}

fn mutation(seq: u64) -> Mutation {
    Mutation {
        seq,
        change: MutationChange::SubmitResponse {
            response: response(u128::from(seq)),
        },
    }
}

fn survey_change(seq: u64) -> Change {
    Change {
        seq,
        entity: ChangeEntity::Survey {
            survey: SurveyDefinition {
                id: format!("s{seq}"),
                version: 1,
                title: Localized::new("t", "t"),
                description: Localized::default(),
                age_bands: Vec::new(),
                layout: crate::survey::Layout::default(),
                form_version: None,
                languages: Vec::new(),
                instance_name: None,
                items: Vec::new(),
            },
        },
    }
}

fn applied(seqs: std::ops::RangeInclusive<u64>) -> Vec<MutationResult> {
    seqs.map(|seq| MutationResult {
        seq,
        outcome: MutationOutcome::Applied,
    })
    .collect()
}

fn push_of(commands: &[SyncCommand]) -> &PushRequest {
    commands
        .iter()
        .find_map(|command| match command {
            SyncCommand::SendPush(push) => Some(push),
            _ => None,
        })
        .expect("a push is sent")
}

fn started(client: &mut SyncClient, outbox: Vec<Mutation>, total: u64) -> Vec<SyncCommand> {
    let commands = client.handle(SyncEvent::Requested(Trigger::UserRequest), 0, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 3 }]);
    client.handle(
        SyncEvent::OutboxRead {
            mutations: outbox,
            pending_total: total,
        },
        0,
        0,
    )
}

#[test]
fn a_round_pushes_acknowledges_and_pulls() {
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    let commands = started(&mut client, vec![mutation(1), mutation(2)], 2);
    let push = push_of(&commands);
    assert_eq!(push.client_id, CLIENT);
    assert_eq!(push.mutations.len(), 2);
    assert_eq!(client.status().phase, SyncPhase::Sending);
    assert_eq!(client.status().progress, Some((0, 2)));

    let commands = client.handle(
        SyncEvent::PushAnswered(PushResponse {
            last_seq: 2,
            status: PushStatus::Ok,
            results: applied(1..=2),
        }),
        10,
        0,
    );
    assert_eq!(
        commands,
        vec![
            SyncCommand::ApplyPushResults {
                acknowledged_through: 2,
                results: applied(1..=2)
            },
            SyncCommand::ReadOutbox { limit: 3 },
        ]
    );
    let commands = client.handle(
        SyncEvent::OutboxRead {
            mutations: Vec::new(),
            pending_total: 0,
        },
        20,
        0,
    );
    assert!(matches!(&commands[..], [SyncCommand::SendPull(pull)] if pull.cursor == 0));
    assert_eq!(client.status().phase, SyncPhase::Receiving);
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: vec![survey_change(1)],
            next_cursor: 1,
            has_more: false,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        30,
        0,
    );
    assert_eq!(
        commands,
        vec![
            SyncCommand::ApplyPull {
                changes: vec![survey_change(1)],
                next_cursor: 1,
                cursor_token: None,
            },
            SyncCommand::ScheduleWake { at_ms: 30_030 },
        ]
    );
    let status = client.status();
    assert_eq!(status.phase, SyncPhase::Idle);
    assert_eq!(status.last_success_ms, Some(30));
    assert_eq!(client.cursor(), 1);
}

#[test]
fn a_replayed_push_is_acknowledged_and_dropped() {
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    started(&mut client, vec![mutation(1), mutation(2)], 2);
    let replay = vec![
        MutationResult {
            seq: 1,
            outcome: MutationOutcome::AlreadyStored,
        },
        MutationResult {
            seq: 2,
            outcome: MutationOutcome::AlreadyStored,
        },
    ];
    let commands = client.handle(
        SyncEvent::PushAnswered(PushResponse {
            last_seq: 2,
            status: PushStatus::Ok,
            results: replay.clone(),
        }),
        0,
        0,
    );
    assert_eq!(
        commands[0],
        SyncCommand::ApplyPushResults {
            acknowledged_through: 2,
            results: replay
        }
    );
    assert_eq!(commands[1], SyncCommand::ReadOutbox { limit: 3 });
}

#[test]
fn an_answer_lost_after_commit_is_retried_with_the_same_numbers() {
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    let first = push_of(&started(&mut client, vec![mutation(1), mutation(2)], 2)).clone();
    let commands = client.handle(
        SyncEvent::PushFailed(SyncFailure::Unreachable {
            detail: "connection reset".to_owned(),
        }),
        1_000,
        u32::MAX,
    );
    // Full jitter at the top of the range: the whole base delay.
    assert_eq!(commands, vec![SyncCommand::ScheduleWake { at_ms: 2_000 }]);
    assert_eq!(client.status().phase, SyncPhase::WaitingToRetry);
    assert!(client.status().last_failure.is_some());

    // A timer before the retry time and a local change do nothing.
    assert!(client
        .handle(SyncEvent::Requested(Trigger::Timer), 1_500, 0)
        .is_empty());
    assert!(client
        .handle(SyncEvent::Requested(Trigger::LocalChange), 1_600, 0)
        .is_empty());

    let commands = client.handle(SyncEvent::Requested(Trigger::Timer), 2_000, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 3 }]);
    // Nothing was dropped: the same entries are read and sent again.
    let commands = client.handle(
        SyncEvent::OutboxRead {
            mutations: vec![mutation(1), mutation(2)],
            pending_total: 2,
        },
        2_000,
        0,
    );
    assert_eq!(push_of(&commands), &first);
}

#[test]
fn backoff_doubles_up_to_the_maximum_and_a_person_can_cut_it_short() {
    let client = SyncClient::new(config(), CLIENT, 0, None);
    let delays: Vec<i64> = (1..=8)
        .map(|attempt| client.backoff_delay_ms(attempt, u32::MAX))
        .collect();
    assert_eq!(
        delays,
        vec![1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]
    );
    assert_eq!(client.backoff_delay_ms(3, 0), 2_000);

    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    started(&mut client, vec![mutation(1)], 1);
    client.handle(SyncEvent::PushFailed(SyncFailure::Offline), 0, 0);
    assert_eq!(client.status().phase, SyncPhase::Offline);
    let commands = client.handle(SyncEvent::Requested(Trigger::UserRequest), 1, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 3 }]);
}

#[test]
fn a_gap_renumbers_the_outbox_under_a_new_client_id() {
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    started(&mut client, vec![mutation(5), mutation(6)], 2);
    let commands = client.handle(
        SyncEvent::PushAnswered(PushResponse {
            last_seq: 2,
            status: PushStatus::Gap { expected_seq: 3 },
            results: Vec::new(),
        }),
        0,
        0,
    );
    // Nothing at or above the gap is acknowledged, and the outbox is renumbered.
    assert_eq!(
        commands,
        vec![
            SyncCommand::ApplyPushResults {
                acknowledged_through: 2,
                results: Vec::new()
            },
            SyncCommand::RenumberOutbox,
        ]
    );
    let new_id = Uuid::from_u128(0x2222);
    let commands = client.handle(SyncEvent::OutboxRenumbered { client_id: new_id }, 0, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 3 }]);
    let commands = client.handle(
        SyncEvent::OutboxRead {
            mutations: vec![mutation(1), mutation(2)],
            pending_total: 2,
        },
        0,
        0,
    );
    assert_eq!(push_of(&commands).client_id, new_id);
    assert_eq!(client.client_id(), new_id);

    // A second gap in the same round is a broken server, not a reason to loop.
    let commands = client.handle(
        SyncEvent::PushAnswered(PushResponse {
            last_seq: 0,
            status: PushStatus::Gap { expected_seq: 1 },
            results: Vec::new(),
        }),
        0,
        0,
    );
    assert!(matches!(
        commands.last(),
        Some(SyncCommand::ScheduleWake { .. })
    ));
    assert_eq!(client.status().phase, SyncPhase::WaitingToRetry);
}

#[test]
fn a_pull_page_exactly_the_batch_size_relies_on_has_more() {
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    started(&mut client, Vec::new(), 0);
    // A full page (2 = pull_page_size) that the server says is the last one.
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: vec![survey_change(1), survey_change(2)],
            next_cursor: 2,
            has_more: false,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        5,
        0,
    );
    assert_eq!(commands.len(), 2);
    assert!(matches!(
        commands[0],
        SyncCommand::ApplyPull { next_cursor: 2, .. }
    ));
    assert!(matches!(commands[1], SyncCommand::ScheduleWake { .. }));
    assert!(!client.is_running());

    // A full page with more to come asks for the next page from the new cursor;
    // an empty last page ends the round.
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    started(&mut client, Vec::new(), 0);
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: vec![survey_change(1), survey_change(2)],
            next_cursor: 2,
            has_more: true,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        5,
        0,
    );
    assert!(matches!(&commands[1], SyncCommand::SendPull(pull) if pull.cursor == 2));
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: Vec::new(),
            next_cursor: 2,
            has_more: false,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        6,
        0,
    );
    assert!(matches!(commands[1], SyncCommand::ScheduleWake { .. }));
    assert_eq!(client.cursor(), 2);
}

#[test]
fn a_pull_that_makes_no_progress_fails_instead_of_looping() {
    let mut client = SyncClient::new(config(), CLIENT, 4, None);
    started(&mut client, Vec::new(), 0);
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: Vec::new(),
            next_cursor: 4,
            has_more: true,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        0,
        0,
    );
    assert!(matches!(&commands[..], [SyncCommand::ScheduleWake { .. }]));
    assert!(!client.is_running());
}

#[test]
fn reset_required_queues_everything_again_then_pulls_from_zero() {
    let mut client = SyncClient::new(config(), CLIENT, 99, None);
    started(&mut client, Vec::new(), 0);
    // The server's log is shorter than what this tablet saw: it lost data,
    // so everything the tablet holds is queued again first.
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: Vec::new(),
            next_cursor: 0,
            has_more: false,
            reset_required: true,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        0,
        0,
    );
    assert_eq!(commands, vec![SyncCommand::RenumberOutbox]);
    let new_id = Uuid::from_u128(0xFEED);
    let commands = client.handle(SyncEvent::OutboxRenumbered { client_id: new_id }, 0, 0);
    assert_eq!(commands, vec![SyncCommand::ReadOutbox { limit: 3 }]);
    let commands = client.handle(
        SyncEvent::OutboxRead {
            mutations: vec![mutation(1)],
            pending_total: 1,
        },
        0,
        0,
    );
    assert!(matches!(&commands[..], [SyncCommand::SendPush(push)] if push.client_id == new_id));
    let commands = client.handle(
        SyncEvent::PushAnswered(PushResponse {
            last_seq: 1,
            status: PushStatus::Ok,
            results: Vec::new(),
        }),
        0,
        0,
    );
    assert_eq!(commands.last(), Some(&SyncCommand::ReadOutbox { limit: 3 }));
    let commands = client.handle(
        SyncEvent::OutboxRead {
            mutations: Vec::new(),
            pending_total: 0,
        },
        0,
        0,
    );
    assert!(matches!(&commands[..], [SyncCommand::SendPull(pull)] if pull.cursor == 0));
    // A second reset in the same round is a broken server, not a restore.
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: Vec::new(),
            next_cursor: 0,
            has_more: false,
            reset_required: true,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        0,
        0,
    );
    assert!(matches!(&commands[..], [SyncCommand::ScheduleWake { .. }]));
}

#[test]
fn the_cursor_token_goes_back_with_the_cursor_and_is_stored_with_it() {
    let mut client =
        SyncClient::new(config(), CLIENT, 1, None).with_cursor_token(Some("t1".to_owned()));
    let commands = started(&mut client, Vec::new(), 0);
    assert!(
        matches!(&commands[..], [SyncCommand::SendPull(pull)] if pull.cursor_token.as_deref() == Some("t1"))
    );
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: vec![survey_change(2)],
            next_cursor: 2,
            has_more: false,
            reset_required: false,
            next_cursor_token: Some("t2".to_owned()),
            server_time_ms: None,
        }),
        0,
        0,
    );
    assert!(matches!(
        &commands[0],
        SyncCommand::ApplyPull { next_cursor: 2, cursor_token: Some(token), .. } if token == "t2"
    ));
    let commands = started(&mut client, Vec::new(), 0);
    assert!(
        matches!(&commands[..], [SyncCommand::SendPull(pull)] if pull.cursor == 2 && pull.cursor_token.as_deref() == Some("t2"))
    );
    // A failed store rolls both back.
    client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: vec![survey_change(3)],
            next_cursor: 3,
            has_more: true,
            reset_required: false,
            next_cursor_token: Some("t3".to_owned()),
            server_time_ms: None,
        }),
        0,
        0,
    );
    client.handle(
        SyncEvent::StorageFailed(SyncFailure::Storage {
            message: Localized::new("đầy", "full"),
        }),
        0,
        0,
    );
    assert_eq!(client.cursor(), 2);
    let commands = client.handle(SyncEvent::Requested(Trigger::UserRequest), 10_000_000, 0);
    let commands = if commands.is_empty() {
        started(&mut client, Vec::new(), 0)
    } else {
        client.handle(
            SyncEvent::OutboxRead {
                mutations: Vec::new(),
                pending_total: 0,
            },
            10_000_000,
            0,
        )
    };
    assert!(
        matches!(&commands[..], [SyncCommand::SendPull(pull)] if pull.cursor == 2 && pull.cursor_token.as_deref() == Some("t2")),
        "{commands:?}"
    );
}

#[test]
fn a_storage_failure_rolls_the_cursor_back() {
    let mut client = SyncClient::new(config(), CLIENT, 1, None);
    started(&mut client, Vec::new(), 0);
    client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: vec![survey_change(2), survey_change(3)],
            next_cursor: 3,
            has_more: true,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        0,
        0,
    );
    client.handle(
        SyncEvent::StorageFailed(SyncFailure::Storage {
            message: Localized::new("đầy", "full"),
        }),
        0,
        0,
    );
    assert_eq!(client.cursor(), 1);
}

#[test]
fn a_request_during_a_round_starts_another_round_after_it() {
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    started(&mut client, Vec::new(), 0);
    assert!(client
        .handle(SyncEvent::Requested(Trigger::LocalChange), 0, 0)
        .is_empty());
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: Vec::new(),
            next_cursor: 0,
            has_more: false,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        0,
        0,
    );
    assert_eq!(commands.last(), Some(&SyncCommand::ReadOutbox { limit: 3 }));
}

#[test]
fn stray_answers_are_ignored() {
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    let late = SyncEvent::PushAnswered(PushResponse {
        last_seq: 9,
        status: PushStatus::Ok,
        results: Vec::new(),
    });
    assert!(client.handle(late, 0, 0).is_empty());
    assert!(client
        .handle(SyncEvent::PushFailed(SyncFailure::Offline), 0, 0)
        .is_empty());
    assert_eq!(client.status().phase, SyncPhase::Idle);
}

// ---------------------------------------------------------------------------
// A model of the server and of the tablet's outbox, driven through random
// failures: every response reaches the model server exactly once.

/// The server's push rules, as in architecture.md, in memory.
#[derive(Default)]
struct ModelServer {
    last_seq: HashMap<Uuid, u64>,
    seq_records: HashMap<(Uuid, u64), Uuid>,
    stored: BTreeMap<Uuid, Response>,
    inserts: usize,
}

impl ModelServer {
    fn push(&mut self, request: &PushRequest) -> PushResponse {
        let mut last = self.last_seq.get(&request.client_id).copied().unwrap_or(0);
        let mut results = Vec::new();
        let mut status = PushStatus::Ok;
        for mutation in &request.mutations {
            let MutationChange::SubmitResponse { response } = &mutation.change else {
                unreachable!("the model only submits");
            };
            if mutation.seq <= last {
                if self.seq_records.get(&(request.client_id, mutation.seq)) != Some(&response.id) {
                    status = PushStatus::SeqReused { seq: mutation.seq };
                    break;
                }
                results.push(MutationResult {
                    seq: mutation.seq,
                    outcome: MutationOutcome::AlreadyStored,
                });
                continue;
            }
            if mutation.seq != last + 1 {
                status = PushStatus::Gap {
                    expected_seq: last + 1,
                };
                break;
            }
            let outcome = match self.stored.entry(response.id) {
                std::collections::btree_map::Entry::Occupied(_) => MutationOutcome::AlreadyStored,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(response.clone());
                    self.inserts += 1;
                    MutationOutcome::Applied
                }
            };
            self.seq_records
                .insert((request.client_id, mutation.seq), response.id);
            last = mutation.seq;
            results.push(MutationResult {
                seq: mutation.seq,
                outcome,
            });
        }
        self.last_seq.insert(request.client_id, last);
        PushResponse {
            last_seq: last,
            status,
            results,
        }
    }
}

/// A deterministic pseudo-random sequence (xorshift), so failures repeat.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
    fn one_in(&mut self, n: u32) -> bool {
        self.next().is_multiple_of(n)
    }
}

/// Runs a tablet holding `count` responses through a network that drops a
/// third of the pushes before the server sees them and a third of the
/// answers after it committed, plus one server wipe of the client's numbering.
fn run_lossy(seed: u64, count: u64) -> (ModelServer, usize) {
    let mut dice = Dice(seed);
    let mut server = ModelServer::default();
    let mut outbox: BTreeMap<u64, Mutation> = (1..=count).map(|seq| (seq, mutation(seq))).collect();
    let mut client = SyncClient::new(config(), CLIENT, 0, None);
    let mut now = 0_i64;
    let mut rounds = 0;
    while !outbox.is_empty() && rounds < 10_000 {
        rounds += 1;
        now += 100_000;
        let mut queue: Vec<SyncCommand> =
            client.handle(SyncEvent::Requested(Trigger::Timer), now, dice.next());
        while !queue.is_empty() {
            let command = queue.remove(0);
            let event = match command {
                SyncCommand::ReadOutbox { limit } => Some(SyncEvent::OutboxRead {
                    mutations: outbox.values().take(limit).cloned().collect(),
                    pending_total: outbox.len() as u64,
                }),
                SyncCommand::SendPush(request) => {
                    if dice.one_in(3) {
                        Some(SyncEvent::PushFailed(SyncFailure::Unreachable {
                            detail: "request dropped".to_owned(),
                        }))
                    } else {
                        let answer = server.push(&request);
                        if dice.one_in(3) {
                            Some(SyncEvent::PushFailed(SyncFailure::Unreachable {
                                detail: "answer dropped".to_owned(),
                            }))
                        } else {
                            Some(SyncEvent::PushAnswered(answer))
                        }
                    }
                }
                SyncCommand::ApplyPushResults {
                    acknowledged_through,
                    ..
                } => {
                    outbox.retain(|seq, _| *seq > acknowledged_through);
                    None
                }
                SyncCommand::RenumberOutbox => {
                    let entries: Vec<Mutation> =
                        std::mem::take(&mut outbox).into_values().collect();
                    for (index, mut entry) in entries.into_iter().enumerate() {
                        entry.seq = index as u64 + 1;
                        outbox.insert(entry.seq, entry);
                    }
                    Some(SyncEvent::OutboxRenumbered {
                        client_id: Uuid::from_u128(u128::from(dice.next()) + 0x10_0000),
                    })
                }
                SyncCommand::SendPull(_) => Some(SyncEvent::PullAnswered(PullResponse {
                    changes: Vec::new(),
                    next_cursor: 0,
                    has_more: false,
                    reset_required: false,
                    next_cursor_token: None,
                    server_time_ms: None,
                })),
                SyncCommand::ApplyPull { .. } | SyncCommand::ScheduleWake { .. } => None,
            };
            if let Some(event) = event {
                queue.extend(client.handle(event, now, dice.next()));
            }
        }
        if rounds == 3 {
            // The server forgets this client's numbering (restored backup).
            server.last_seq.clear();
            server.seq_records.clear();
        }
    }
    (server, rounds)
}

#[test]
fn through_a_lossy_network_every_response_arrives_exactly_once() {
    for seed in 1..=50 {
        let (server, rounds) = run_lossy(seed * 7919, 20);
        assert_eq!(server.stored.len(), 20, "seed {seed}: all responses stored");
        assert_eq!(server.inserts, 20, "seed {seed}: none stored twice");
        assert!(rounds < 10_000, "seed {seed}: the outbox drained");
    }
}

/// A tablet and a model server whose history can be rolled back, for
/// [`a_server_restored_from_an_older_backup_gets_everything_back`].
struct RestoreWorld {
    server: ModelServer,
    /// How many changes the server's log holds (one per response stored).
    log: u64,
    outbox: BTreeMap<u64, Mutation>,
    /// Every record the tablet made, acknowledged or not.
    held: Vec<Mutation>,
    renumberings: u128,
    client_id: Uuid,
}

impl RestoreWorld {
    /// Runs one round of `client` to its end, doing what the driver does.
    fn round(&mut self, client: &mut SyncClient, trigger: Trigger, now: i64) {
        let mut queue = client.handle(SyncEvent::Requested(trigger), now, 0);
        while let Some(command) = (!queue.is_empty()).then(|| queue.remove(0)) {
            let event = match command {
                SyncCommand::ReadOutbox { limit } => Some(SyncEvent::OutboxRead {
                    mutations: self.outbox.values().take(limit).cloned().collect(),
                    pending_total: self.outbox.len() as u64,
                }),
                SyncCommand::SendPush(request) => {
                    assert_eq!(request.client_id, self.client_id);
                    let before = self.server.inserts;
                    let answer = self.server.push(&request);
                    self.log += (self.server.inserts - before) as u64;
                    Some(SyncEvent::PushAnswered(answer))
                }
                SyncCommand::ApplyPushResults {
                    acknowledged_through,
                    ..
                } => {
                    self.outbox.retain(|seq, _| *seq > acknowledged_through);
                    None
                }
                SyncCommand::RenumberOutbox => {
                    // Renumber what waits, then queue again every record held.
                    self.renumberings += 1;
                    let waiting: Vec<Mutation> =
                        std::mem::take(&mut self.outbox).into_values().collect();
                    for (index, mut entry) in waiting
                        .into_iter()
                        .chain(self.held.iter().cloned())
                        .enumerate()
                    {
                        entry.seq = index as u64 + 1;
                        self.outbox.insert(entry.seq, entry);
                    }
                    self.client_id = Uuid::from_u128(0xC0FFEE + self.renumberings);
                    Some(SyncEvent::OutboxRenumbered {
                        client_id: self.client_id,
                    })
                }
                SyncCommand::SendPull(request) => {
                    let reset_required = request.cursor > self.log;
                    Some(SyncEvent::PullAnswered(PullResponse {
                        changes: Vec::new(),
                        next_cursor: if reset_required { 0 } else { self.log },
                        has_more: false,
                        reset_required,
                        next_cursor_token: None,
                        server_time_ms: None,
                    }))
                }
                SyncCommand::ApplyPull { .. } | SyncCommand::ScheduleWake { .. } => None,
            };
            if let Some(event) = event {
                queue.extend(client.handle(event, now, 0));
            }
        }
    }

    /// Makes record `number` and queues it under the next seq.
    fn make(&mut self, number: u64, next_seq: &mut u64) {
        let mut entry = mutation(number);
        self.held.push(entry.clone());
        entry.seq = *next_seq;
        *next_seq += 1;
        self.outbox.insert(entry.seq, entry);
    }
}

/// A tablet that sent 12 responses, all acknowledged, meets a server
/// restored from a backup taken halfway: the server's numbering and log
/// are those of the backup. The tablet's next pull (its cursor beyond the
/// log) or push (a gap) makes it queue everything it holds again; the
/// server ends with every response, once.
#[test]
fn a_server_restored_from_an_older_backup_gets_everything_back() {
    for restore_on_push in [false, true] {
        let mut world = RestoreWorld {
            server: ModelServer::default(),
            log: 0,
            outbox: BTreeMap::new(),
            held: Vec::new(),
            renumberings: 0,
            client_id: CLIENT,
        };
        let mut client = SyncClient::new(config(), CLIENT, 0, None);
        let mut next_seq = 1;
        let mut backup = None;
        let mut now = 0;
        for number in 1..=12 {
            world.make(number, &mut next_seq);
            if number == 6 {
                backup = Some((
                    world.server.last_seq.clone(),
                    world.server.seq_records.clone(),
                    world.server.stored.clone(),
                    world.log,
                ));
            }
            // One round per record: push it, pull.
            now += 100_000;
            world.round(&mut client, Trigger::LocalChange, now);
        }
        assert!(world.outbox.is_empty());
        assert_eq!(world.server.stored.len(), 12);
        assert_eq!(world.renumberings, 0, "no renumbering before the restore");
        // The restore: the server is back to the backup.
        let (last_seq, seq_records, stored, backup_log) = backup.expect("a backup");
        world.server.last_seq = last_seq;
        world.server.seq_records = seq_records;
        world.server.stored = stored;
        world.log = backup_log;
        assert!(
            world.server.stored.len() < 12,
            "the restore lost acknowledged responses"
        );
        // Either the next push meets a gap, or the next pull a short log.
        if restore_on_push {
            world.make(13, &mut next_seq);
        }
        for _ in 0..5 {
            now += 100_000;
            world.round(&mut client, Trigger::UserRequest, now);
        }
        assert_eq!(world.renumberings, 1, "restore on push: {restore_on_push}");
        assert!(
            world.outbox.is_empty(),
            "restore on push: {restore_on_push}"
        );
        let expected = if restore_on_push { 13 } else { 12 };
        assert_eq!(
            world.server.stored.len(),
            expected,
            "every response is back, once"
        );
    }
}

#[test]
fn failure_messages_are_bilingual() {
    let failures = [
        SyncFailure::Offline,
        SyncFailure::Unreachable {
            detail: String::new(),
        },
        SyncFailure::TimedOut { waited_ms: 15_000 },
        SyncFailure::Server {
            error: None,
            detail: String::new(),
        },
        SyncFailure::BadAnswer {
            detail: String::new(),
        },
    ];
    for failure in failures {
        let message = failure.message();
        assert!(!message.vi.is_empty() && !message.en.is_empty());
        assert_ne!(message.vi, message.en);
    }
}

#[test]
fn a_refusal_of_the_sessions_reach_is_told_as_the_server_said_it() {
    let forbidden = SyncFailure::Server {
        error: Some(crate::protocol::ApiError {
            code: crate::protocol::ApiErrorCode::Forbidden,
            message: Localized::new(
                "Tài khoản này không được xem dữ liệu của phường/xã 00004.",
                "This account may not reach the data of ward 00004.",
            ),
        }),
        detail: "403 Forbidden".to_owned(),
    };
    // The app then asks the server who the account is now.
    assert!(forbidden.is_forbidden() && !forbidden.is_unauthorized());
    assert!(!SyncFailure::Offline.is_forbidden());
    let message = forbidden.message();
    assert_eq!(
        message.en,
        "The server reported an error: This account may not reach the data of ward 00004. The app will retry by itself."
    );
    assert!(message.vi.contains("00004. Ứng dụng"), "{}", message.vi);
}

#[test]
fn changing_the_ward_pulls_its_history_from_the_start() {
    let mut client = SyncClient::new(config(), CLIENT, 7, None).with_ward(Some("00004".to_owned()));
    started(&mut client, Vec::new(), 0);
    // While the old ward's page is on its way, the worker changes ward.
    assert!(client.set_ward(Some("00007".to_owned())));
    assert_eq!(client.cursor(), 0);
    let commands = client.handle(
        SyncEvent::PullAnswered(PullResponse {
            changes: vec![survey_change(8)],
            next_cursor: 8,
            has_more: false,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        }),
        0,
        0,
    );
    // The old ward's page is dropped and the new ward pulled from 0.
    assert!(
        matches!(&commands[..], [SyncCommand::SendPull(pull)] if pull.cursor == 0 && pull.ward_code.as_deref() == Some("00007")),
        "{commands:?}"
    );
    assert!(
        !client.set_ward(Some("00007".to_owned())),
        "the same ward changes nothing"
    );
}
