//! The driver loop over an in-memory tablet and server: the order of I/O it
//! does, what a storage failure stops, and a request during a round.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chrono::{TimeZone, Utc};

use super::*;
use crate::protocol::{MutationChange, MutationOutcome, PushStatus};
use crate::response::{Response, ResponseStatus};
use crate::sync_client::{SyncClient, SyncConfig};

const CLIENT: Uuid = Uuid::from_u128(0x2222);

/// Runs a future whose every await is ready at once (the fake I/O below
/// never waits).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
    panic!("the fake I/O never waits: the loop should have finished");
}

fn submission(n: u128) -> MutationChange {
    let now = Utc
        .timestamp_opt(1_700_000_000, 0)
        .single()
        .expect("valid time");
    let mut response = Response::new_draft(Uuid::from_u128(n), "s", 1, "00004", now);
    response.status = ResponseStatus::Completed;
    MutationChange::SubmitResponse { response }
}

/// What the fake did, in order.
#[derive(Debug, Clone, PartialEq)]
enum Did {
    Read,
    Push(Vec<u64>),
    Apply(u64),
    Pull,
    ApplyPull,
    Wake,
}

#[derive(Default)]
struct Fake {
    client: Option<SyncClient>,
    outbox: BTreeMap<u64, MutationChange>,
    next_seq: u64,
    server_holds: u64,
    did: Vec<Did>,
    fail_apply: bool,
    /// Queued into the outbox (and asked for) before the first command
    /// after a read.
    arriving: Vec<MutationChange>,
    now_ms: i64,
}

impl Fake {
    fn with_entries(count: u128) -> Fake {
        let mut fake = Fake {
            client: Some(SyncClient::new(
                SyncConfig {
                    push_batch_size: 2,
                    max_push_batch_size: 2,
                    ..SyncConfig::default()
                },
                CLIENT,
                0,
                None,
            )),
            next_seq: 1,
            now_ms: 1_000,
            ..Fake::default()
        };
        for n in 0..count {
            fake.queue(submission(n + 1));
        }
        fake
    }

    fn queue(&mut self, change: MutationChange) {
        self.outbox.insert(self.next_seq, change);
        self.next_seq += 1;
    }

    fn client(&mut self) -> &mut SyncClient {
        self.client.as_mut().expect("a client")
    }

    fn start(&mut self) -> Vec<SyncCommand> {
        self.handle(SyncEvent::Requested(Trigger::UserRequest))
    }
}

impl SyncIo for Fake {
    fn handle(&mut self, event: SyncEvent) -> Vec<SyncCommand> {
        self.now_ms += 1;
        let now = self.now_ms;
        self.client().handle(event, now, 7)
    }

    fn interjection(&mut self) -> Option<Trigger> {
        // Only once the round has read the outbox: what arrives later is
        // not in the batch being sent.
        if self.arriving.is_empty() || !self.did.contains(&Did::Read) {
            return None;
        }
        for change in std::mem::take(&mut self.arriving) {
            self.queue(change);
        }
        Some(Trigger::LocalChange)
    }

    async fn read_outbox(&mut self, limit: usize) -> Result<(Vec<Mutation>, u64), SyncFailure> {
        self.did.push(Did::Read);
        let mutations = self
            .outbox
            .iter()
            .take(limit)
            .map(|(seq, change)| Mutation {
                seq: *seq,
                change: change.clone(),
            })
            .collect();
        Ok((mutations, self.outbox.len() as u64))
    }

    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let seqs: Vec<u64> = request.mutations.iter().map(|m| m.seq).collect();
        self.did.push(Did::Push(seqs));
        let results = request
            .mutations
            .iter()
            .map(|mutation| MutationResult {
                seq: mutation.seq,
                outcome: MutationOutcome::Applied,
            })
            .collect();
        if let Some(last) = request.mutations.last() {
            self.server_holds = last.seq;
        }
        Ok(PushResponse {
            last_seq: self.server_holds,
            status: PushStatus::Ok,
            results,
        })
    }

    async fn apply_push_results(
        &mut self,
        acknowledged_through: u64,
        _results: &[MutationResult],
    ) -> Result<(), SyncFailure> {
        self.did.push(Did::Apply(acknowledged_through));
        if self.fail_apply {
            return Err(SyncFailure::Storage {
                message: crate::Localized::new("Hết chỗ", "Quota"),
            });
        }
        self.outbox.retain(|seq, _| *seq > acknowledged_through);
        Ok(())
    }

    async fn renumber_outbox(&mut self) -> Result<Uuid, SyncFailure> {
        unreachable!("the fake server never asks for a renumbering")
    }

    async fn pull(&mut self, _request: &PullRequest) -> Result<PullResponse, SyncFailure> {
        self.did.push(Did::Pull);
        Ok(PullResponse {
            changes: Vec::new(),
            next_cursor: 0,
            has_more: false,
            reset_required: false,
            next_cursor_token: None,
            server_time_ms: None,
        })
    }

    async fn apply_pull(
        &mut self,
        _changes: &[Change],
        _next_cursor: u64,
        _cursor_token: Option<&str>,
    ) -> Result<(), SyncFailure> {
        self.did.push(Did::ApplyPull);
        Ok(())
    }

    fn schedule_wake(&mut self, _at_ms: i64) {
        self.did.push(Did::Wake);
    }
}

#[test]
fn a_round_pushes_in_batches_then_pulls_then_sleeps() {
    let mut fake = Fake::with_entries(3);
    let commands = fake.start();
    block_on(execute(&mut fake, commands));
    assert_eq!(
        fake.did,
        vec![
            Did::Read,
            Did::Push(vec![1, 2]),
            Did::Apply(2),
            Did::Read,
            Did::Push(vec![3]),
            Did::Apply(3),
            Did::Read,
            Did::Pull,
            Did::ApplyPull,
            Did::Wake,
        ]
    );
    assert!(fake.outbox.is_empty());
    assert!(!fake.client().is_running());
    assert!(fake.client().status().last_failure.is_none());
}

#[test]
fn a_failed_write_ends_the_round_and_keeps_the_outbox() {
    let mut fake = Fake::with_entries(3);
    fake.fail_apply = true;
    let commands = fake.start();
    block_on(execute(&mut fake, commands));
    // Nothing is pushed past the failed write; a retry is planned.
    assert_eq!(
        fake.did,
        vec![Did::Read, Did::Push(vec![1, 2]), Did::Apply(2), Did::Wake]
    );
    assert_eq!(fake.outbox.len(), 3);
    let status = fake.client().status();
    assert!(!fake.client().is_running());
    assert!(matches!(
        status.last_failure,
        Some((_, SyncFailure::Storage { .. }))
    ));
}

#[test]
fn a_record_queued_during_a_round_is_sent_in_the_same_run() {
    let mut fake = Fake::with_entries(1);
    let commands = fake.start();
    // Arrives after the round read the outbox: the machine notes it and
    // runs another round when this one ends.
    fake.arriving.push(submission(99));
    block_on(execute(&mut fake, commands));
    let pushes: Vec<&Did> = fake
        .did
        .iter()
        .filter(|did| matches!(did, Did::Push(_)))
        .collect();
    assert_eq!(pushes.len(), 2, "{:?}", fake.did);
    assert_eq!(fake.did.first(), Some(&Did::Read));
    assert!(fake.did.contains(&Did::Push(vec![1])), "{:?}", fake.did);
    assert!(fake.did.contains(&Did::Push(vec![2])), "{:?}", fake.did);
    assert!(fake.outbox.is_empty());
    assert_eq!(fake.did.last(), Some(&Did::Wake));
}
