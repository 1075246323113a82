//! A simulated tablet: the app's sync machine (`thamgia_core::SyncClient`)
//! driven exactly as `src/sync.rs` drives it, over an in-memory store (see
//! `store`) and HTTP through the fault proxy.
//!
//! - The **producer** task creates the tablet's planned records while sync
//!   runs, in small bursts, each written with its outbox entry in one go, and
//!   stamps report edits with the tablet's clock (its wall clock skewed by the
//!   tablet's offset). It keeps the outbox below a backlog, as a worker who
//!   collects while the tablet syncs, so records arrive all through the run.
//! - The **driver** runs the machine's commands through the app's own loop,
//!   `thamgia_core::sync_client::driver::execute`, with this tablet's I/O
//!   (its [`SyncIo`]): read a batch, push, apply the answer, renumber when
//!   told, pull pages, and keep the wake-up time it asks for. A local change
//!   during a round is told to the machine between two commands (it asks for
//!   another round at the end); timers and local changes arrive between
//!   rounds through one `select!`.
//! - Its HTTP is the [`Api`] (see `api`): it signs in through the proxy
//!   (retrying) and signs in again after a 401; every request carries the
//!   bearer token and a timeout sized to its body.
//!
//! When the coordinator says every outbox is empty, it asks for a final round
//! (a number on the `finish` channel, see `finish`): each tablet asks for one
//! more round ("sync now") and notes the number once a round that began
//! after that has succeeded, then keeps syncing idly until it is asked for
//! another final round or told to stop ([`STOP`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use thamgia_core::report::{ReportFields, ReportId};
use thamgia_core::sync_client::driver::{self, SyncIo};
use thamgia_core::sync_client::{
    SyncClient, SyncCommand, SyncConfig, SyncEvent, SyncFailure, Trigger,
};
use thamgia_core::{
    Change, Consent, Mutation, MutationOutcome, MutationResult, PullRequest, PullResponse,
    PushRequest, PushResponse, SurveyDefinition,
};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::api::Api;
use crate::plan::{Planned, RejectKind, ResponseRole};
use crate::rng::Rng;
use crate::store::{lock, real_now_ms, Created, Store};

/// On the `finish` channel: stop syncing and return.
pub const STOP: u64 = u64::MAX;

/// Everything a tablet needs to run.
pub struct TabletSetup {
    /// Its number, from 0.
    pub index: usize,
    /// How far its clock is from real time, in milliseconds.
    pub offset_ms: i64,
    /// What it will create.
    pub plan: Vec<Planned>,
    /// The demo survey.
    pub survey: Arc<SurveyDefinition>,
    /// The shared report.
    pub report_id: ReportId,
    /// Its ward (pulls are scoped to it).
    pub ward_code: String,
    /// The sync machine's tuning.
    pub config: SyncConfig,
    /// Its HTTP client (through the proxy).
    pub api: Api,
    /// Its random numbers.
    pub rng: Rng,
    /// Most entries its outbox holds before the producer waits.
    pub backlog: usize,
    /// When to give up.
    pub deadline: Instant,
    /// Responses acknowledged by the server, summed over tablets.
    pub acknowledged: Arc<AtomicU64>,
    /// The final round asked for (0: none yet; [`STOP`]: stop).
    pub finish: watch::Receiver<u64>,
}

/// What a tablet tells when it stops.
#[derive(Debug, Clone, Default)]
pub struct TabletStats {
    /// Rounds begun.
    pub rounds: u64,
    /// Pushes and pulls that failed.
    pub failures: u64,
    /// Outbox renumberings (after `Gap` or `SeqReused`, or a pull answered
    /// `reset_required`).
    pub renumberings: u64,
    /// Successful sign-ins.
    pub sign_ins: u64,
    /// Requests refused with 401.
    pub unauthorized: u64,
    /// Requests (sign-ins included) that gave up at their timeout.
    pub timed_out: u64,
    /// Whether the server had no session endpoint.
    pub no_accounts: bool,
}

/// A running tablet: its store (for the coordinator and the verifier) and
/// its task.
pub struct RunningTablet {
    /// Its storage.
    pub store: Arc<Mutex<Store>>,
    /// The driver, which also waits for the producer.
    pub task: JoinHandle<Result<TabletStats>>,
    /// The last final round this tablet completed.
    final_done: Arc<AtomicU64>,
}

impl RunningTablet {
    /// Whether the tablet created everything and the server acknowledged it.
    pub fn drained(&self) -> bool {
        let store = lock(&self.store);
        store.producer_done && store.pending() == 0
    }

    /// Whether the tablet completed final round `number` (a round begun
    /// after it was asked for has succeeded).
    pub fn final_round_done(&self, number: u64) -> bool {
        self.final_done.load(Ordering::SeqCst) >= number
    }

    /// Entries still waiting.
    pub fn pending(&self) -> usize {
        lock(&self.store).pending()
    }

    /// Outbox entries the server acknowledged so far (see
    /// [`Store::acknowledged_entries`]).
    pub fn acknowledged_entries(&self) -> u64 {
        lock(&self.store).acknowledged_entries
    }

    /// Renumberings so far, and the acknowledged records they queued again.
    pub fn renumberings(&self) -> (u64, u64) {
        let store = lock(&self.store);
        (store.renumberings, store.requeued)
    }

    /// A copy of what the verifier needs from the tablet's storage.
    pub fn records(&self) -> TabletRecords {
        let store = lock(&self.store);
        TabletRecords {
            created: store.created.clone(),
            outcomes: store.outcomes.clone(),
            replica: store.replica.clone(),
            pulled_changes: store.pulled_changes,
        }
    }
}

#[cfg(test)]
impl RunningTablet {
    /// A stand-in tablet: `task` plays the driver, with the final-round
    /// counter it must set.
    pub fn stand_in(
        store: Arc<Mutex<Store>>,
        task: JoinHandle<Result<TabletStats>>,
        final_done: Arc<AtomicU64>,
    ) -> RunningTablet {
        RunningTablet {
            store,
            task,
            final_done,
        }
    }
}

/// What a tablet made, what it was told, and its replica of the report.
#[derive(Debug, Clone)]
pub struct TabletRecords {
    /// Every record created, in order.
    pub created: Vec<Created>,
    /// The server's answer for each record, by creation order.
    pub outcomes: HashMap<usize, MutationOutcome>,
    /// Its replica of the ward report after the final pull.
    pub replica: ReportFields,
    /// Changes it pulled (pages pulled again after a failure included).
    pub pulled_changes: u64,
}

/// Starts a tablet: signs in, then produces and syncs until told to finish.
pub fn spawn(setup: TabletSetup) -> RunningTablet {
    let mut rng = setup.rng;
    let client_id = rng.uuid();
    let store = Arc::new(Mutex::new(Store::new(client_id, setup.report_id.clone())));
    let notify = Arc::new(Notify::new());
    let dirty = Arc::new(AtomicBool::new(false));
    let final_done = Arc::new(AtomicU64::new(0));
    let producer = Producer {
        index: setup.index,
        offset_ms: setup.offset_ms,
        plan: setup.plan,
        survey: setup.survey,
        store: Arc::clone(&store),
        rng: rng.derive(),
        notify: Arc::clone(&notify),
        dirty: Arc::clone(&dirty),
        backlog: setup.backlog.max(1),
        deadline: setup.deadline,
    };
    let client = SyncClient::new(setup.config, client_id, 0, None).with_ward(Some(setup.ward_code));
    let driver = Driver {
        index: setup.index,
        offset_ms: setup.offset_ms,
        client,
        store: Arc::clone(&store),
        api: setup.api,
        rng,
        wake_at: None,
        notify,
        dirty,
        acknowledged: setup.acknowledged,
        final_done: Arc::clone(&final_done),
        stats: TabletStats::default(),
    };
    let task = tokio::spawn(run_tablet(driver, producer, setup.finish, setup.deadline));
    RunningTablet {
        store,
        task,
        final_done,
    }
}

/// Signs in, then produces and syncs until told to stop.
async fn run_tablet(
    mut driver: Driver,
    producer: Producer,
    finish: watch::Receiver<u64>,
    deadline: Instant,
) -> Result<TabletStats> {
    driver.api.login(deadline).await?;
    let production = tokio::spawn(producer.run());
    let synced = driver.run(finish, deadline).await;
    let produced = production
        .await
        .map_err(|error| anyhow!("tablet producer task: {error}"))?;
    produced?;
    synced?;
    driver.stats.sign_ins = driver.api.sign_ins;
    driver.stats.unauthorized = driver.api.unauthorized;
    driver.stats.timed_out = driver.api.timed_out;
    driver.stats.no_accounts = driver.api.no_accounts;
    Ok(driver.stats)
}

struct Producer {
    index: usize,
    offset_ms: i64,
    plan: Vec<Planned>,
    survey: Arc<SurveyDefinition>,
    store: Arc<Mutex<Store>>,
    rng: Rng,
    notify: Arc<Notify>,
    dirty: Arc<AtomicBool>,
    backlog: usize,
    deadline: Instant,
}

impl Producer {
    async fn run(mut self) -> Result<()> {
        let author = format!("Máy tính bảng {} / Tablet {}", self.index, self.index);
        let plan = std::mem::take(&mut self.plan);
        let mut last_created_ms = i64::MIN;
        let mut plan = plan.into_iter().enumerate().peekable();
        while plan.peek().is_some() {
            // A worker collects while the tablet syncs; the outbox is kept
            // from growing without bound so records arrive all through the run.
            loop {
                let pending = lock(&self.store).pending();
                if pending < self.backlog {
                    break;
                }
                if Instant::now() > self.deadline {
                    bail!(
                        "tablet {}: its outbox never drained below the backlog",
                        self.index
                    );
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let burst = 1 + self.rng.below(8);
            for _ in 0..burst {
                let Some((local, planned)) = plan.next() else {
                    break;
                };
                let now_ms = real_now_ms() + self.offset_ms;
                match planned {
                    Planned::Response { n, id, role } => {
                        // Unique per tablet, so each stored row can be traced
                        // to the copy it came from.
                        let at_ms = now_ms.max(last_created_ms.saturating_add(1));
                        last_created_ms = at_ms;
                        let created_at = DateTime::<Utc>::from_timestamp_millis(at_ms)
                            .context("a tablet clock out of range")?;
                        let mut response =
                            thamgia_server::seed::sample_response(&self.survey, id, n, created_at);
                        match role {
                            ResponseRole::Reject(RejectKind::UnknownVersion) => {
                                response.survey_version = self.survey.version + 1000;
                            }
                            ResponseRole::Reject(RejectKind::NoConsent) => {
                                response.consent = Consent::default();
                            }
                            ResponseRole::Normal | ResponseRole::Twin => {}
                        }
                        lock(&self.store).add_response(local, response, role);
                    }
                    Planned::Edit { field, content } => {
                        lock(&self.store).add_edit(local, field, content, &author, now_ms)?;
                    }
                }
            }
            self.dirty.store(true, Ordering::SeqCst);
            self.notify.notify_one();
            let pause = self.rng.between(1, 15);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        lock(&self.store).producer_done = true;
        self.dirty.store(true, Ordering::SeqCst);
        self.notify.notify_one();
        Ok(())
    }
}

struct Driver {
    index: usize,
    offset_ms: i64,
    client: SyncClient,
    store: Arc<Mutex<Store>>,
    api: Api,
    rng: Rng,
    wake_at: Option<i64>,
    notify: Arc<Notify>,
    dirty: Arc<AtomicBool>,
    acknowledged: Arc<AtomicU64>,
    final_done: Arc<AtomicU64>,
    stats: TabletStats,
}

impl Driver {
    /// The tablet's clock: real time plus its offset.
    fn now_ms(&self) -> i64 {
        real_now_ms() + self.offset_ms
    }

    fn request(&mut self, trigger: Trigger) -> Vec<SyncCommand> {
        self.handle(SyncEvent::Requested(trigger))
    }

    /// Runs commands through the app's own loop ([`driver::execute`]).
    async fn execute(&mut self, commands: Vec<SyncCommand>) {
        driver::execute(self, commands).await;
    }

    async fn run(&mut self, mut finish: watch::Receiver<u64>, deadline: Instant) -> Result<()> {
        let commands = self.request(Trigger::Startup);
        self.execute(commands).await;
        let notify = Arc::clone(&self.notify);
        // The final round asked for last, and whether it is still to do.
        let mut asked: u64 = 0;
        let mut final_pending = false;
        loop {
            // Read into a plain number: the watch guard must not live across
            // an await.
            let number = *finish.borrow_and_update();
            if number == STOP {
                return Ok(());
            }
            if number > asked {
                asked = number;
                final_pending = true;
                // No round runs between two `execute` calls, and "sync now"
                // skips the backoff: this starts a round, after the request.
                let commands = self.request(Trigger::UserRequest);
                self.execute(commands).await;
            }
            // The rounds since the request all began after it: the final
            // round is done once one of them succeeded, which a round that
            // began before cannot fake (its success time could equal the
            // request's, to the millisecond).
            if final_pending
                && !self.client.is_running()
                && self.client.status().last_failure.is_none()
            {
                crate::trace!("tablet {} final round {asked} done", self.index);
                self.final_done.store(asked, Ordering::SeqCst);
                final_pending = false;
            }
            if Instant::now() > deadline {
                let pending = lock(&self.store).pending();
                bail!(
                    "tablet {}: not finished before the deadline ({pending} entries in its outbox, last failure {:?})",
                    self.index,
                    self.client.status().last_failure
                );
            }
            let delay = match self.wake_at {
                Some(at_ms) => Duration::from_millis((at_ms - self.now_ms()).max(0) as u64 + 1),
                None => Duration::from_millis(250),
            };
            let timer_fired = tokio::select! {
                () = tokio::time::sleep(delay) => true,
                () = notify.notified() => false,
                changed = finish.changed() => {
                    if changed.is_err() {
                        // The coordinator is gone; carry on with the timer.
                        tokio::time::sleep(delay).await;
                    }
                    false
                }
            };
            if timer_fired {
                self.wake_at = None;
                let commands = self.request(Trigger::Timer);
                self.execute(commands).await;
            }
            if self.dirty.swap(false, Ordering::SeqCst) {
                let commands = self.request(Trigger::LocalChange);
                self.execute(commands).await;
            }
        }
    }
}

/// The simulated tablet's I/O for the app's command loop: its store in
/// memory, HTTP through the fault proxy, a wake-up time kept for `run`.
impl SyncIo for Driver {
    fn handle(&mut self, event: SyncEvent) -> Vec<SyncCommand> {
        let was_running = self.client.is_running();
        let requested = matches!(event, SyncEvent::Requested(_));
        let now = self.now_ms();
        let random = self.rng.next_u32();
        let commands = self.client.handle(event, now, random);
        if requested && !was_running && self.client.is_running() {
            self.stats.rounds += 1;
        }
        commands
    }

    fn interjection(&mut self) -> Option<Trigger> {
        // Something was queued meanwhile: during a round the machine only
        // notes it and runs another round at the end.
        self.dirty
            .swap(false, Ordering::SeqCst)
            .then_some(Trigger::LocalChange)
    }

    async fn read_outbox(&mut self, limit: usize) -> Result<(Vec<Mutation>, u64), SyncFailure> {
        Ok(lock(&self.store).read_outbox(limit))
    }

    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let answer = self.api.push(request).await;
        match &answer {
            Ok(answer) => crate::trace!(
                "tablet {} push {} seqs {:?}..{:?} -> {:?} last {}",
                self.index,
                request.client_id,
                request.mutations.first().map(|mutation| mutation.seq),
                request.mutations.last().map(|mutation| mutation.seq),
                answer.status,
                answer.last_seq
            ),
            Err(_) => self.stats.failures += 1,
        }
        answer
    }

    async fn apply_push_results(
        &mut self,
        acknowledged_through: u64,
        results: &[MutationResult],
    ) -> Result<(), SyncFailure> {
        let responses = lock(&self.store).apply_push_results(acknowledged_through, results);
        self.acknowledged.fetch_add(responses, Ordering::SeqCst);
        Ok(())
    }

    async fn renumber_outbox(&mut self) -> Result<Uuid, SyncFailure> {
        crate::trace!("tablet {} renumbers", self.index);
        let client_id = self.rng.uuid();
        lock(&self.store).renumber(client_id);
        self.stats.renumberings += 1;
        Ok(client_id)
    }

    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, SyncFailure> {
        let answer = self.api.pull(request).await;
        match &answer {
            Ok(answer) => crate::trace!(
                "tablet {} pull {} cursor {} token {:?} -> reset {} next {} token {:?} seqs {:?}..{:?} ({})",
                self.index,
                request.client_id,
                request.cursor,
                request.cursor_token.as_deref().and_then(|token| token.get(..6)),
                answer.reset_required,
                answer.next_cursor,
                answer.next_cursor_token.as_deref().and_then(|token| token.get(..6)),
                answer.changes.first().map(|change| change.seq),
                answer.changes.last().map(|change| change.seq),
                answer.changes.len()
            ),
            Err(_) => self.stats.failures += 1,
        }
        answer
    }

    async fn apply_pull(
        &mut self,
        changes: &[Change],
        _next_cursor: u64,
        _cursor_token: Option<&str>,
    ) -> Result<(), SyncFailure> {
        // The cursor lives in the sync machine: this tablet never reloads.
        let now = self.now_ms();
        lock(&self.store).apply_pull(changes.to_vec(), now);
        Ok(())
    }

    fn schedule_wake(&mut self, at_ms: i64) {
        self.wake_at = Some(at_ms);
    }
}
