//! The tablet's sync client as a sans-I/O state machine: events in, commands out.
//!
//! The app's driver reads and writes IndexedDB and talks HTTP; this machine
//! decides what to do next. Time (`now_ms`) and randomness (`random`, for
//! backoff jitter) are passed in, so every order of failures can be tested
//! natively, without a browser or a network.
//!
//! A round is: read a batch from the outbox → push it → apply the answer
//! (drop what the server acknowledged) → read the next batch … → when the
//! outbox is empty, pull pages until `has_more` is false. Any failure ends the
//! round and schedules a retry with exponential backoff and jitter; nothing in
//! the outbox is dropped unless the server acknowledged it. A server that
//! does not answer in time fails the round the same way ([`deadline`] says
//! how long the driver waits).
//!
//! This file holds the machine's messages ([`SyncEvent`] in, [`SyncCommand`]
//! out), its state and [`SyncClient::handle`]; `round` holds the steps of a
//! round and `failure` why one failed and what the worker is told
//! ([`SyncFailure`]); [`deadline`] sizes each request's deadline and
//! [`driver`] is the loop that runs the commands.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod clock;
pub mod deadline;
pub mod driver;
mod failure;
mod round;

pub use failure::SyncFailure;

use crate::protocol::{
    Change, Mutation, MutationResult, PullRequest, PullResponse, PushRequest, PushResponse,
};

/// Tuning of the sync client.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncConfig {
    /// Mutations in a round's first push, and again after any failure.
    pub push_batch_size: usize,
    /// The most mutations per push: the batch doubles up to this after
    /// each full push answered within [`SyncConfig::quick_push_ms`] (see
    /// [`next_push_batch_size`]).
    pub max_push_batch_size: usize,
    /// A push answered within this many milliseconds went over a good link.
    pub quick_push_ms: i64,
    /// Changes per pull page.
    pub pull_page_size: u32,
    /// Delay before the first retry, in milliseconds.
    pub base_backoff_ms: i64,
    /// Longest delay between retries, in milliseconds.
    pub max_backoff_ms: i64,
    /// Delay between rounds when all is well, in milliseconds.
    pub idle_interval_ms: i64,
}

impl Default for SyncConfig {
    fn default() -> SyncConfig {
        SyncConfig {
            push_batch_size: 100,
            max_push_batch_size: crate::protocol::MAX_PUSH_BATCH,
            quick_push_ms: 2_000,
            pull_page_size: 200,
            base_backoff_ms: 2_000,
            max_backoff_ms: 5 * 60_000,
            idle_interval_ms: 60_000,
        }
    }
}

/// The size of the push after one of `sent` mutations that the server
/// answered in `answered_in_ms`, when this one was of `current`.
///
/// A tablet that was offline for a month holds thousands of records; on a
/// good link each push's fixed costs (a round trip, a local transaction to
/// read the outbox and one to apply the answer) dominate, so the batch
/// doubles after each full push answered quickly, up to
/// [`SyncConfig::max_push_batch_size`]. A slow answer halves it back towards
/// [`SyncConfig::push_batch_size`], so a poor link never carries more than
/// it did before at once; a failure starts again from there
/// (`SyncClient::fail`). The server's own limit
/// ([`MAX_PUSH_BATCH`](crate::protocol::MAX_PUSH_BATCH)) is never passed.
pub fn next_push_batch_size(
    config: &SyncConfig,
    current: usize,
    sent: usize,
    answered_in_ms: i64,
) -> usize {
    let floor = config.push_batch_size.max(1);
    let ceiling = config
        .max_push_batch_size
        .clamp(floor, crate::protocol::MAX_PUSH_BATCH.max(floor));
    let next = if answered_in_ms > config.quick_push_ms {
        current / 2
    } else if sent >= current {
        current.saturating_mul(2)
    } else {
        current
    };
    next.clamp(floor, ceiling)
}

/// Why a round was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The app started.
    Startup,
    /// The browser says the network is back.
    Online,
    /// A scheduled wake-up came (retry or periodic round).
    Timer,
    /// The worker pressed "sync now".
    UserRequest,
    /// Something new was put in the outbox.
    LocalChange,
}

impl Trigger {
    /// Whether this trigger may cut a backoff short. Timers and local changes
    /// wait for the retry time, so a failing server is not hammered; a person
    /// or the network coming back are worth an immediate try.
    fn skips_backoff(self) -> bool {
        matches!(
            self,
            Trigger::Startup | Trigger::Online | Trigger::UserRequest
        )
    }
}

/// What the sync client asks the driver to do. The driver runs the commands
/// of one `handle` call in order; if one fails it reports the failure as an
/// event and skips the rest.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncCommand {
    /// Read up to `limit` outbox entries, lowest seq first, and answer with
    /// [`SyncEvent::OutboxRead`].
    ReadOutbox {
        /// Most entries wanted.
        limit: usize,
    },
    /// Send this push and answer with [`SyncEvent::PushAnswered`] or
    /// [`SyncEvent::PushFailed`].
    SendPush(PushRequest),
    /// In one local transaction: delete outbox entries with `seq <=
    /// acknowledged_through`, and record each result on its record.
    ApplyPushResults {
        /// Highest seq the server holds.
        acknowledged_through: u64,
        /// Outcome of each mutation.
        results: Vec<MutationResult>,
    },
    /// The server is missing earlier mutations of this client, holds other
    /// mutations under the same numbers, or has a shorter change log than
    /// this tablet has seen: it lost data (a restore from an older backup)
    /// or is another server. In one local transaction: take a new client id,
    /// renumber the outbox from 1, **and queue again every record this
    /// tablet holds that the server had acknowledged** (completed responses,
    /// submitted forums, feedback, withdrawals, the report edits made here),
    /// and set the pull cursor to 0 (everything is pulled again), then
    /// answer with [`SyncEvent::OutboxRenumbered`]. Records are keyed by
    /// their own ids, so the server stores again what it lost and answers
    /// `AlreadyStored` for the rest: nothing is lost, nothing counted twice.
    RenumberOutbox,
    /// Send this pull and answer with [`SyncEvent::PullAnswered`] or
    /// [`SyncEvent::PullFailed`].
    SendPull(PullRequest),
    /// In one local transaction: store the changes and the new cursor with
    /// its token.
    ApplyPull {
        /// Changes to store.
        changes: Vec<Change>,
        /// Cursor to store with them.
        next_cursor: u64,
        /// The server's token for that cursor, sent back with it.
        cursor_token: Option<String>,
    },
    /// Send [`SyncEvent::Requested`] with [`Trigger::Timer`] at this time.
    ScheduleWake {
        /// When, in milliseconds since the Unix epoch.
        at_ms: i64,
    },
}

/// What happened, as told to the sync client.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// A round is wanted.
    Requested(Trigger),
    /// Answer to [`SyncCommand::ReadOutbox`].
    OutboxRead {
        /// The entries read.
        mutations: Vec<Mutation>,
        /// How many entries the outbox holds in all.
        pending_total: u64,
    },
    /// The server answered a push.
    PushAnswered(PushResponse),
    /// A push got no usable answer.
    PushFailed(SyncFailure),
    /// Answer to [`SyncCommand::RenumberOutbox`].
    OutboxRenumbered {
        /// The new client id.
        client_id: Uuid,
    },
    /// The server answered a pull.
    PullAnswered(PullResponse),
    /// A pull got no usable answer.
    PullFailed(SyncFailure),
    /// A local read or write asked for by a command failed.
    StorageFailed(SyncFailure),
    /// The browser says the network is gone.
    WentOffline,
}

/// What the worker sees the sync doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Nothing to do right now.
    Idle,
    /// Sending records to the town hall.
    Sending,
    /// Receiving surveys and updates.
    Receiving,
    /// The last try failed; another is scheduled.
    WaitingToRetry,
    /// No network.
    Offline,
}

/// A snapshot of the sync client for the user interface.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncStatus {
    /// What the client is doing.
    pub phase: SyncPhase,
    /// When the last round succeeded, in ms since the Unix epoch.
    pub last_success_ms: Option<i64>,
    /// The failure that ended the last round, if it failed, and when.
    pub last_failure: Option<(i64, SyncFailure)>,
    /// When the next retry is due, if one is scheduled after a failure.
    pub next_retry_ms: Option<i64>,
    /// Records sent in this round and the round's total, while sending.
    pub progress: Option<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    ReadingOutbox,
    AwaitingPush {
        last_seq: u64,
        count: u64,
        sent_at_ms: i64,
    },
    Renumbering,
    AwaitingPull {
        reset_done: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Round {
    stage: Stage,
    sent: u64,
    total: Option<u64>,
    renumbered: bool,
    reset_done: bool,
    cursor_at_start: u64,
    /// The cursor's token then.
    token_at_start: Option<String>,
    scope_generation: u64,
    /// The most mutations a push may carry for the rest of the round, once
    /// the server refused a larger one as too large (413).
    push_ceiling: Option<usize>,
}

/// The sync client. Build it from what the tablet stored, feed it events with
/// [`SyncClient::handle`], run the commands it returns.
#[derive(Debug, Clone)]
pub struct SyncClient {
    config: SyncConfig,
    client_id: Uuid,
    cursor: u64,
    round: Option<Round>,
    again: bool,
    offline: bool,
    failures_in_a_row: u32,
    retry_at_ms: Option<i64>,
    last_success_ms: Option<i64>,
    last_failure: Option<(i64, SyncFailure)>,
    ward_code: Option<String>,
    scope_generation: u64,
    acknowledged_seq: Option<u64>,
    cursor_token: Option<String>,
    /// Mutations in the next push ([`next_push_batch_size`]).
    push_batch_size: usize,
}

impl SyncClient {
    /// A client for the install `client_id`, whose pulls stopped at `cursor`.
    pub fn new(
        config: SyncConfig,
        client_id: Uuid,
        cursor: u64,
        last_success_ms: Option<i64>,
    ) -> SyncClient {
        SyncClient {
            client_id,
            cursor,
            round: None,
            again: false,
            offline: false,
            failures_in_a_row: 0,
            retry_at_ms: None,
            last_success_ms,
            last_failure: None,
            ward_code: None,
            scope_generation: 0,
            acknowledged_seq: None,
            cursor_token: None,
            push_batch_size: config.push_batch_size,
            config,
        }
    }

    /// The token the server gave with the stored cursor.
    pub fn with_cursor_token(mut self, token: Option<String>) -> SyncClient {
        self.cursor_token = token;
        self
    }

    /// The highest seq of this client the server acknowledged, as stored
    /// on the tablet (everything below its lowest outbox entry): sent with
    /// each pull, so a server that lost acknowledged records says so.
    pub fn with_acknowledged(mut self, seq: Option<u64>) -> SyncClient {
        self.acknowledged_seq = seq.filter(|seq| *seq > 0);
        self
    }

    /// The ward whose changes to pull, as stored with the cursor.
    pub fn with_ward(mut self, ward_code: Option<String>) -> SyncClient {
        self.ward_code = ward_code;
        self
    }

    /// Changes the ward whose changes to pull. Another ward's history is
    /// needed from the start, so the cursor goes back to 0 (the driver
    /// stores that); an answer already on its way for the old ward is
    /// dropped. Returns whether the ward changed.
    pub fn set_ward(&mut self, ward_code: Option<String>) -> bool {
        if self.ward_code == ward_code {
            return false;
        }
        self.ward_code = ward_code;
        self.cursor = 0;
        self.cursor_token = None;
        self.scope_generation += 1;
        true
    }
    /// The install's current client id (it changes after a renumbering).
    pub fn client_id(&self) -> Uuid {
        self.client_id
    }

    /// The pull cursor.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Whether a round is under way.
    pub fn is_running(&self) -> bool {
        self.round.is_some()
    }

    /// A snapshot for the user interface.
    pub fn status(&self) -> SyncStatus {
        let phase = match &self.round {
            Some(round) => match round.stage {
                Stage::AwaitingPull { .. } => SyncPhase::Receiving,
                _ => SyncPhase::Sending,
            },
            None if self.offline => SyncPhase::Offline,
            None if self.retry_at_ms.is_some() => SyncPhase::WaitingToRetry,
            None => SyncPhase::Idle,
        };
        SyncStatus {
            phase,
            last_success_ms: self.last_success_ms,
            last_failure: self.last_failure.clone(),
            next_retry_ms: self.retry_at_ms,
            progress: self
                .round
                .as_ref()
                .and_then(|round| round.total.map(|total| (round.sent, total))),
        }
    }

    /// The delay before retry number `attempt` (from 1): doubling from the
    /// base up to the maximum, then scaled into its upper half by `random`
    /// so that tablets which failed together do not retry together.
    pub fn backoff_delay_ms(&self, attempt: u32, random: u32) -> i64 {
        let exponent = attempt.saturating_sub(1).min(30);
        let full = self
            .config
            .base_backoff_ms
            .saturating_mul(1_i64 << exponent)
            .min(self.config.max_backoff_ms);
        let fraction = f64::from(random) / f64::from(u32::MAX);
        let delay = (full as f64) * (0.5 + 0.5 * fraction);
        delay.round() as i64
    }

    /// Handles one event at `now_ms`; `random` is any random number, used
    /// only for jitter. Events that do not fit the current state (a late
    /// answer, say) are ignored.
    pub fn handle(&mut self, event: SyncEvent, now_ms: i64, random: u32) -> Vec<SyncCommand> {
        match event {
            SyncEvent::Requested(trigger) => self.on_requested(trigger, now_ms),
            SyncEvent::WentOffline => {
                self.offline = true;
                Vec::new()
            }
            SyncEvent::OutboxRead {
                mutations,
                pending_total,
            } => self.on_outbox_read(mutations, pending_total, now_ms),
            SyncEvent::PushAnswered(response) => self.on_push_answered(response, now_ms, random),
            SyncEvent::OutboxRenumbered { client_id } => {
                let Some(round) = self.round.as_mut() else {
                    return Vec::new();
                };
                if round.stage != Stage::Renumbering {
                    return Vec::new();
                }
                self.client_id = client_id;
                // Nothing is acknowledged under the new id yet.
                self.acknowledged_seq = None;
                // The driver set the stored cursor to 0 with the renumbering:
                // a server that forgot numbers may have forgotten changes,
                // and its log may since have grown past this tablet's cursor
                // with changes it never saw. Pull everything again.
                self.cursor = 0;
                self.cursor_token = None;
                round.cursor_at_start = 0;
                round.token_at_start = None;
                round.token_at_start = None;
                round.stage = Stage::ReadingOutbox;
                vec![self.read_outbox()]
            }
            SyncEvent::PullAnswered(response) => self.on_pull_answered(response, now_ms, random),
            SyncEvent::PushFailed(failure) if failure.is_too_large() => {
                self.on_push_too_large(failure, now_ms, random)
            }
            SyncEvent::PushFailed(failure)
            | SyncEvent::PullFailed(failure)
            | SyncEvent::StorageFailed(failure) => {
                if self.round.is_none() {
                    return Vec::new();
                }
                self.fail(failure, now_ms, random)
            }
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod batch_tests;
