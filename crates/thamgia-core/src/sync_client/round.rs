//! The steps of a sync round: the outbox read and pushed batch by batch,
//! each answer applied (a renumbering when the server asks for one), pages
//! pulled until none is left, and the round's end, a success or a failure
//! with its retry scheduled after a backoff.

use crate::protocol::{
    Mutation, PullRequest, PullResponse, PushRequest, PushResponse, PushStatus, SCHEMA_VERSION,
};

use super::{Round, Stage, SyncClient, SyncCommand, SyncFailure, Trigger};

impl SyncClient {
    pub(super) fn on_requested(&mut self, trigger: Trigger, now_ms: i64) -> Vec<SyncCommand> {
        if trigger == Trigger::Online {
            self.offline = false;
        }
        if self.round.is_some() {
            self.again = true;
            return Vec::new();
        }
        if let Some(retry_at) = self.retry_at_ms {
            if now_ms < retry_at && !trigger.skips_backoff() {
                return Vec::new();
            }
        }
        self.start_round()
    }

    fn start_round(&mut self) -> Vec<SyncCommand> {
        self.again = false;
        self.round = Some(Round {
            stage: Stage::ReadingOutbox,
            sent: 0,
            total: None,
            renumbered: false,
            reset_done: false,
            cursor_at_start: self.cursor,
            token_at_start: self.cursor_token.clone(),
            scope_generation: self.scope_generation,
            push_ceiling: None,
        });
        vec![self.read_outbox()]
    }

    pub(super) fn read_outbox(&self) -> SyncCommand {
        SyncCommand::ReadOutbox {
            limit: self.push_batch_size,
        }
    }

    fn pull_request(&self) -> SyncCommand {
        SyncCommand::SendPull(PullRequest {
            client_id: self.client_id,
            schema_version: SCHEMA_VERSION,
            cursor: self.cursor,
            limit: self.config.pull_page_size,
            ward_code: self.ward_code.clone(),
            acknowledged_seq: self.acknowledged_seq,
            cursor_token: self.cursor_token.clone(),
            understands: crate::protocol::understood_change_kinds(),
        })
    }

    pub(super) fn on_outbox_read(
        &mut self,
        mutations: Vec<Mutation>,
        pending_total: u64,
        now_ms: i64,
    ) -> Vec<SyncCommand> {
        let client_id = self.client_id;
        let Some(round) = self.round.as_mut() else {
            return Vec::new();
        };
        if round.stage != Stage::ReadingOutbox {
            return Vec::new();
        }
        if round.total.is_none() {
            round.total = Some(round.sent + pending_total);
        }
        let Some(last) = mutations.last() else {
            round.stage = Stage::AwaitingPull { reset_done: false };
            return vec![self.pull_request()];
        };
        round.stage = Stage::AwaitingPush {
            last_seq: last.seq,
            count: mutations.len() as u64,
            sent_at_ms: now_ms,
        };
        vec![SyncCommand::SendPush(PushRequest {
            client_id,
            schema_version: SCHEMA_VERSION,
            mutations,
        })]
    }

    pub(super) fn on_push_answered(
        &mut self,
        response: PushResponse,
        now_ms: i64,
        random: u32,
    ) -> Vec<SyncCommand> {
        let Some(round) = self.round.as_mut() else {
            return Vec::new();
        };
        let Stage::AwaitingPush {
            last_seq,
            count,
            sent_at_ms,
        } = round.stage
        else {
            return Vec::new();
        };
        let acknowledged_through = response.last_seq.min(last_seq);
        let apply = SyncCommand::ApplyPushResults {
            acknowledged_through,
            results: response.results,
        };
        match response.status {
            PushStatus::Gap { .. } | PushStatus::SeqReused { .. } => {
                if round.renumbered {
                    let failure = SyncFailure::BadAnswer {
                        detail: format!("{:?} again after renumbering", response.status),
                    };
                    let mut commands = vec![apply];
                    commands.extend(self.fail(failure, now_ms, random));
                    return commands;
                }
                round.renumbered = true;
                round.stage = Stage::Renumbering;
                vec![apply, SyncCommand::RenumberOutbox]
            }
            PushStatus::Ok if response.last_seq < last_seq => {
                // The server says it considered everything but does not hold
                // the whole batch: retrying at once could loop forever.
                let failure = SyncFailure::BadAnswer {
                    detail: format!(
                        "push acknowledged {} of a batch ending at {last_seq}",
                        response.last_seq
                    ),
                };
                let mut commands = vec![apply];
                commands.extend(self.fail(failure, now_ms, random));
                commands
            }
            PushStatus::Ok => {
                let next = super::next_push_batch_size(
                    &self.config,
                    self.push_batch_size,
                    usize::try_from(count).unwrap_or(usize::MAX),
                    now_ms.saturating_sub(sent_at_ms),
                );
                self.push_batch_size = round.push_ceiling.map_or(next, |most| next.min(most));
                round.sent += count;
                round.stage = Stage::ReadingOutbox;
                self.acknowledged_seq =
                    Some(self.acknowledged_seq.unwrap_or(0).max(acknowledged_through));
                vec![apply, self.read_outbox()]
            }
        }
    }

    /// The server refused a push as too large (413: its body, or the
    /// values in it, over the server's bounds). A push of several
    /// mutations is sent again at once as a push of half as many, and no
    /// push of the round carries more; a single mutation refused so fails
    /// the round, with the worker told why (it stays on the tablet).
    pub(super) fn on_push_too_large(
        &mut self,
        failure: SyncFailure,
        now_ms: i64,
        random: u32,
    ) -> Vec<SyncCommand> {
        let Some(round) = self.round.as_mut() else {
            return Vec::new();
        };
        match round.stage {
            Stage::AwaitingPush { count, .. } if count > 1 => {
                let half = usize::try_from(count / 2).unwrap_or(usize::MAX);
                round.push_ceiling = Some(half);
                round.stage = Stage::ReadingOutbox;
                self.push_batch_size = half;
                vec![self.read_outbox()]
            }
            _ => self.fail(failure, now_ms, random),
        }
    }

    pub(super) fn on_pull_answered(
        &mut self,
        response: PullResponse,
        now_ms: i64,
        random: u32,
    ) -> Vec<SyncCommand> {
        let cursor = self.cursor;
        let Some(round) = self.round.as_mut() else {
            return Vec::new();
        };
        let Stage::AwaitingPull { .. } = round.stage else {
            return Vec::new();
        };
        if round.scope_generation != self.scope_generation {
            // The ward changed while this page was on its way: pull the new
            // ward from the start instead.
            round.scope_generation = self.scope_generation;
            round.cursor_at_start = 0;
            return vec![self.pull_request()];
        }
        if response.reset_required {
            if round.reset_done {
                let failure = SyncFailure::BadAnswer {
                    detail: "reset required twice in one round".to_owned(),
                };
                return self.fail(failure, now_ms, random);
            }
            round.reset_done = true;
            self.cursor = 0;
            self.cursor_token = None;
            if round.renumbered {
                round.stage = Stage::AwaitingPull { reset_done: true };
                return vec![self.pull_request()];
            }
            // The server forgot what this tablet saw: it may have forgotten
            // what it acknowledged too. Queue everything held again, push
            // it, then pull from the start.
            round.renumbered = true;
            round.stage = Stage::Renumbering;
            return vec![SyncCommand::RenumberOutbox];
        }
        if response.has_more && response.next_cursor <= cursor {
            let failure = SyncFailure::BadAnswer {
                detail: format!("pull has more but its cursor stays at {cursor}"),
            };
            return self.fail(failure, now_ms, random);
        }
        let next_cursor = response
            .next_cursor
            .max(if round.reset_done { 0 } else { cursor });
        if next_cursor == response.next_cursor {
            self.cursor_token = response.next_cursor_token;
        } else if next_cursor != cursor {
            self.cursor_token = None;
        }
        self.cursor = next_cursor;
        let mut commands = vec![SyncCommand::ApplyPull {
            changes: response.changes,
            next_cursor: self.cursor,
            cursor_token: self.cursor_token.clone(),
        }];
        if response.has_more {
            commands.push(self.pull_request());
            return commands;
        }
        commands.extend(self.succeed(now_ms));
        commands
    }

    fn succeed(&mut self, now_ms: i64) -> Vec<SyncCommand> {
        self.round = None;
        self.failures_in_a_row = 0;
        self.retry_at_ms = None;
        self.last_failure = None;
        self.offline = false;
        self.last_success_ms = Some(now_ms);
        if self.again {
            return self.start_round();
        }
        vec![SyncCommand::ScheduleWake {
            at_ms: now_ms + self.config.idle_interval_ms,
        }]
    }

    pub(super) fn fail(
        &mut self,
        failure: SyncFailure,
        now_ms: i64,
        random: u32,
    ) -> Vec<SyncCommand> {
        if let Some(round) = self.round.take() {
            // Pages already applied are harmless to pull again; a page whose
            // storing failed must be pulled again.
            if matches!(failure, SyncFailure::Storage { .. }) {
                self.cursor = round.cursor_at_start;
                self.cursor_token = round.token_at_start;
            }
        }
        self.again = false;
        self.push_batch_size = self.config.push_batch_size;
        self.offline = failure == SyncFailure::Offline;
        self.failures_in_a_row = self.failures_in_a_row.saturating_add(1);
        let retry_at = now_ms + self.backoff_delay_ms(self.failures_in_a_row, random);
        self.retry_at_ms = Some(retry_at);
        self.last_failure = Some((now_ms, failure));
        vec![SyncCommand::ScheduleWake { at_ms: retry_at }]
    }
}
