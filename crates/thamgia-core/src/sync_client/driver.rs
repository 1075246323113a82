//! The loop that runs the sync client's commands: the one the browser app
//! runs over IndexedDB and HTTP, and the fault suite's simulated tablets run
//! over memory and HTTP through a faulty proxy.
//!
//! [`execute`] takes the commands the machine returned, runs them in order
//! through a [`SyncIo`], feeds each result back to the machine as an event,
//! and runs what it answers, until nothing is left. It holds no I/O of its
//! own: every read, write, request and timer is a method of [`SyncIo`], so
//! both drivers decide nothing that differs.
//!
//! A storage failure ends the round: the commands still queued are dropped
//! (the machine already planned a retry), so nothing is pushed past a
//! failed write.

use std::collections::VecDeque;

use uuid::Uuid;

use super::{SyncCommand, SyncEvent, SyncFailure, Trigger};
use crate::protocol::{
    Change, Mutation, MutationResult, PullRequest, PullResponse, PushRequest, PushResponse,
};

/// What a driver does for the sync machine: its storage, its HTTP, its
/// timer, and access to the machine itself.
///
/// Methods take `&mut self`; a driver whose machine other code may also
/// call (the app, where a tap on "sync now" arrives during a round) keeps it
/// behind a cell and borrows it only inside [`SyncIo::handle`].
#[allow(async_fn_in_trait)]
pub trait SyncIo {
    /// Tells the machine `event` (with the driver's clock and randomness)
    /// and returns the commands it answers.
    fn handle(&mut self, event: SyncEvent) -> Vec<SyncCommand>;

    /// Before each command: a round asked for since the last one (a record
    /// queued meanwhile), told to the machine then. `None` by default: a
    /// driver that tells the machine at once has nothing to add here.
    fn interjection(&mut self) -> Option<Trigger> {
        None
    }

    /// After each command: the machine's status may have changed (the app
    /// shows it). Nothing by default.
    fn after_command(&mut self) {}

    /// Reads up to `limit` outbox entries, lowest seq first, and how many
    /// wait in all.
    async fn read_outbox(&mut self, limit: usize) -> Result<(Vec<Mutation>, u64), SyncFailure>;

    /// Sends a push.
    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, SyncFailure>;

    /// In one local transaction: drops the outbox entries through
    /// `acknowledged_through` and records each result on its record (see
    /// [`crate::outbox::push`]).
    async fn apply_push_results(
        &mut self,
        acknowledged_through: u64,
        results: &[MutationResult],
    ) -> Result<(), SyncFailure>;

    /// In one local transaction: takes a new client id, renumbers the
    /// outbox and queues again what was acknowledged (see
    /// [`crate::outbox::plan_renumbering`]); returns the new client id.
    async fn renumber_outbox(&mut self) -> Result<Uuid, SyncFailure>;

    /// Sends a pull.
    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, SyncFailure>;

    /// In one local transaction: stores the pulled changes and the cursor
    /// with its token.
    async fn apply_pull(
        &mut self,
        changes: &[Change],
        next_cursor: u64,
        cursor_token: Option<&str>,
    ) -> Result<(), SyncFailure>;

    /// Asks for [`Trigger::Timer`] at `at_ms` (replacing any earlier wake).
    fn schedule_wake(&mut self, at_ms: i64);
}

/// Runs `commands` and everything the machine answers to their results, in
/// order, until nothing is left.
pub async fn execute<I: SyncIo>(io: &mut I, commands: Vec<SyncCommand>) {
    let mut queue: VecDeque<SyncCommand> = commands.into();
    while let Some(command) = queue.pop_front() {
        if let Some(trigger) = io.interjection() {
            // During a round the machine only notes the request and runs
            // another round at its end.
            let more = io.handle(SyncEvent::Requested(trigger));
            queue.extend(more);
        }
        if let Some(event) = run(io, command).await {
            if matches!(event, SyncEvent::StorageFailed(_)) {
                queue.clear();
            }
            let next = io.handle(event);
            queue.extend(next);
        }
        io.after_command();
    }
}

/// Runs one command; returns the event that answers it, if any.
async fn run<I: SyncIo>(io: &mut I, command: SyncCommand) -> Option<SyncEvent> {
    match command {
        SyncCommand::ReadOutbox { limit } => Some(match io.read_outbox(limit).await {
            Ok((mutations, pending_total)) => SyncEvent::OutboxRead {
                mutations,
                pending_total,
            },
            Err(failure) => SyncEvent::StorageFailed(failure),
        }),
        SyncCommand::SendPush(request) => Some(match io.push(&request).await {
            Ok(answer) => SyncEvent::PushAnswered(answer),
            Err(failure) => SyncEvent::PushFailed(failure),
        }),
        SyncCommand::ApplyPushResults {
            acknowledged_through,
            results,
        } => io
            .apply_push_results(acknowledged_through, &results)
            .await
            .err()
            .map(SyncEvent::StorageFailed),
        SyncCommand::RenumberOutbox => Some(match io.renumber_outbox().await {
            Ok(client_id) => SyncEvent::OutboxRenumbered { client_id },
            Err(failure) => SyncEvent::StorageFailed(failure),
        }),
        SyncCommand::SendPull(request) => Some(match io.pull(&request).await {
            Ok(answer) => SyncEvent::PullAnswered(answer),
            Err(failure) => SyncEvent::PullFailed(failure),
        }),
        SyncCommand::ApplyPull {
            changes,
            next_cursor,
            cursor_token,
        } => io
            .apply_pull(&changes, next_cursor, cursor_token.as_deref())
            .await
            .err()
            .map(SyncEvent::StorageFailed),
        SyncCommand::ScheduleWake { at_ms } => {
            io.schedule_wake(at_ms);
            None
        }
    }
}

#[cfg(test)]
mod tests;
