//! A simulated tablet: the app's sync machine (`thamgia_core::SyncClient`)
//! driven exactly as `src/sync.rs` drives it, over an in-memory store and
//! HTTP through the fault proxy.
//!
//! - [`Store`] stands for the tablet's IndexedDB: the outbox (seq → mutation),
//!   the next seq, the client id and every earlier one, the hybrid logical
//!   clock, the records made (each response whole; the edits live in the
//!   local replica of the ward report), and the outcome the server gave each
//!   record. One mutex makes each operation one "transaction".
//! - A renumbering (`RenumberOutbox`: a push answered `Gap`/`SeqReused`, or a
//!   pull answered `reset_required` after a restore from an older backup)
//!   does what the app's does, in one "transaction": a new client id, the
//!   outbox numbered again from 1, then a new entry, after those, for every
//!   record held that had left the outbox (acknowledged): each response, and
//!   each edit made here, found in the replica among the edits stamped with
//!   one of this tablet's client ids, current or past, so the copy re-sent is
//!   the server's bounded one when it was pulled (re-sent as is, the server
//!   stores the very same edit again; re-bounded later, it would not be). The
//!   simulated tablet makes no forums, feedback or withdrawals.
//! - The **producer** task creates the tablet's planned records while sync
//!   runs, in small bursts, each written with its outbox entry in one go, and
//!   stamps report edits with the tablet's clock (its wall clock skewed by the
//!   tablet's offset). It keeps the outbox below a backlog, as a worker who
//!   collects while the tablet syncs, so records arrive all through the run.
//! - The **driver** feeds the machine events and runs its commands in order,
//!   like `SyncDriver::execute`: read a batch, push, apply the answer, renumber
//!   when told, pull pages, and keep the wake-up time it asks for. A local
//!   change during a round is told to the machine between two commands (it
//!   asks for another round at the end); timers and local changes arrive
//!   between rounds through one `select!`.
//! - Its HTTP is the [`Api`] (see `api`): it signs in through the proxy
//!   (retrying) and signs in again after a 401; every request carries the
//!   bearer token and a timeout sized to its body.
//!
//! When the coordinator says every outbox is empty, each tablet asks for one
//! more round ("sync now") and stops once a round that began after that has
//! succeeded: its last pull then saw every edit of every tablet.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, HlcClock, ReportFields, ReportId, Stamp,
};
use thamgia_core::sync_client::{SyncClient, SyncCommand, SyncConfig, SyncEvent, Trigger};
use thamgia_core::{
    Change, ChangeEntity, Consent, Mutation, MutationChange, MutationOutcome, MutationResult,
    Response, SurveyDefinition,
};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::api::Api;
use crate::plan::{Planned, RejectKind, ResponseRole};
use crate::rng::Rng;

/// The real wall clock, in milliseconds since the Unix epoch.
pub fn real_now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A record as the tablet created it, for the verifier.
#[derive(Debug, Clone)]
pub enum Created {
    /// A response.
    Response {
        /// Its place in the tablet's creation order.
        local: usize,
        /// Its id.
        id: Uuid,
        /// What it is for.
        role: ResponseRole,
        /// Its `created_at` (the tablet's skewed clock), unique per tablet.
        created_at: DateTime<Utc>,
    },
    /// A report field edit.
    Edit {
        /// Its place in the tablet's creation order.
        local: usize,
        /// The edit as made, with the tablet's stamp.
        edit: FieldEdit,
        /// The real time it was made (the server cannot have received it
        /// earlier).
        real_ms: i64,
    },
}

#[derive(Debug, Clone)]
struct OutboxEntry {
    local: usize,
    change: MutationChange,
}

/// The tablet's storage (its IndexedDB), in memory.
#[derive(Debug)]
pub struct Store {
    /// The install's client id (a renumbering changes it).
    pub client_id: Uuid,
    /// The client ids it had before, oldest first: its edits keep the id
    /// they were stamped with, and a renumbering re-sends them too.
    past_client_ids: Vec<Uuid>,
    next_seq: u64,
    outbox: BTreeMap<u64, OutboxEntry>,
    /// Every response made, whole, by creation order (the app's responses
    /// store): what a renumbering queues again once acknowledged.
    responses: BTreeMap<usize, Response>,
    /// Records acknowledged at least once, by creation order (so that a
    /// record sent again after a renumbering is not counted twice in
    /// `acknowledged`, which paces the kills).
    acknowledged: HashSet<usize>,
    clock: HlcClock,
    /// The tablet's replica of the ward report: its own edits as made, and
    /// every edit pulled (as the server stored it).
    pub replica: ReportFields,
    /// What the server answered for each record, by creation order.
    pub outcomes: HashMap<usize, MutationOutcome>,
    /// Every record created, in order.
    pub created: Vec<Created>,
    /// Whether the producer created its whole plan.
    pub producer_done: bool,
    /// Changes pulled and applied, pages included again after a retry.
    pub pulled_changes: u64,
    /// Renumberings done.
    pub renumberings: u64,
    /// Acknowledged records queued again by renumberings.
    pub requeued: u64,
}

impl Store {
    fn new(client_id: Uuid, report_id: ReportId) -> Store {
        Store {
            client_id,
            past_client_ids: Vec::new(),
            next_seq: 1,
            outbox: BTreeMap::new(),
            responses: BTreeMap::new(),
            acknowledged: HashSet::new(),
            clock: HlcClock::new(),
            replica: ReportFields::new(report_id),
            outcomes: HashMap::new(),
            created: Vec::new(),
            producer_done: false,
            pulled_changes: 0,
            renumberings: 0,
            requeued: 0,
        }
    }

    /// Entries waiting in the outbox.
    pub fn pending(&self) -> usize {
        self.outbox.len()
    }

    fn enqueue(&mut self, local: usize, change: MutationChange) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.outbox.insert(seq, OutboxEntry { local, change });
    }

    fn add_response(&mut self, local: usize, response: Response, role: ResponseRole) {
        self.created.push(Created::Response {
            local,
            id: response.id,
            role,
            created_at: response.created_at,
        });
        self.responses.insert(local, response.clone());
        self.enqueue(local, MutationChange::SubmitResponse { response });
    }

    /// Makes an edit as the app's `edit_report_field` does: a new clock
    /// reading at `now_ms`, merged into the replica, queued.
    fn add_edit(
        &mut self,
        local: usize,
        field: FieldKey,
        content: FieldContent,
        author: &str,
        now_ms: i64,
    ) -> Result<()> {
        let edit = FieldEdit {
            report_id: self.replica.report_id().clone(),
            field,
            content,
            stamp: Stamp {
                hlc: self.clock.tick(now_ms),
                client_id: self.client_id,
            },
            author: author.to_owned(),
            sent_as: None,
        };
        edit.validate()
            .map_err(|error| anyhow!("a planned edit is invalid: {error}"))?;
        self.replica
            .apply(edit.clone())
            .map_err(|error| anyhow!("a planned edit does not fit the report: {error}"))?;
        self.created.push(Created::Edit {
            local,
            edit: edit.clone(),
            real_ms: real_now_ms(),
        });
        self.enqueue(local, MutationChange::EditReportField { edit });
        Ok(())
    }

    fn read_outbox(&self, limit: usize) -> (Vec<Mutation>, u64) {
        let mutations = self
            .outbox
            .iter()
            .take(limit)
            .map(|(seq, entry)| Mutation {
                seq: *seq,
                change: entry.change.clone(),
            })
            .collect();
        (mutations, self.outbox.len() as u64)
    }

    /// Drops the entries up to `acknowledged_through` and records each one's
    /// outcome (the latest answer: a record sent again after a renumbering
    /// gets a new one); returns how many of them were responses
    /// acknowledged for the first time.
    fn apply_push_results(&mut self, acknowledged_through: u64, results: &[MutationResult]) -> u64 {
        let acknowledged: Vec<u64> = self
            .outbox
            .range(..=acknowledged_through)
            .map(|(seq, _)| *seq)
            .collect();
        let mut responses = 0;
        for seq in acknowledged {
            let Some(entry) = self.outbox.remove(&seq) else {
                continue;
            };
            if let Some(result) = results.iter().find(|result| result.seq == seq) {
                self.outcomes.insert(entry.local, result.outcome.clone());
            }
            let first = self.acknowledged.insert(entry.local);
            if first && matches!(entry.change, MutationChange::SubmitResponse { .. }) {
                responses += 1;
            }
        }
        responses
    }

    /// What `RenumberOutbox` does, in one go: a new client id, the outbox
    /// numbered again from 1 in order, and then a new entry for every record
    /// held that had been acknowledged (it is no longer in the outbox), in
    /// creation order: each response as made, and each edit made here as
    /// the replica holds it. The server keys records by their own ids: it
    /// answers `AlreadyStored` (or stores the same edit row again, a no-op)
    /// for what it still has and stores again what a restore made it forget;
    /// a refused record is refused again.
    fn renumber(&mut self, client_id: Uuid) {
        let entries: Vec<OutboxEntry> = std::mem::take(&mut self.outbox).into_values().collect();
        if self.client_id != client_id && !self.past_client_ids.contains(&self.client_id) {
            self.past_client_ids.push(self.client_id);
        }
        self.client_id = client_id;
        self.next_seq = 1;
        let queued: HashSet<usize> = entries.iter().map(|entry| entry.local).collect();
        for entry in entries {
            self.enqueue(entry.local, entry.change);
        }

        // The edits made on this tablet, as its replica holds them: stamped
        // with one of its client ids, current or past. A pulled bounded copy
        // has replaced the tablet's own (the merge keeps the smaller stamp),
        // and it names the edit by its original stamp (`sent_as`).
        let mut own_edits: HashMap<(Uuid, Hlc), FieldEdit> = HashMap::new();
        for state in self.replica.fields().values() {
            for edit in state.history() {
                let ours = edit.stamp.client_id == self.client_id
                    || self.past_client_ids.contains(&edit.stamp.client_id);
                if ours {
                    let original = edit.sent_as.unwrap_or(edit.stamp.hlc);
                    own_edits.insert((edit.stamp.client_id, original), edit.clone());
                }
            }
        }
        let mut again: Vec<(usize, MutationChange)> = Vec::new();
        for created in &self.created {
            match created {
                Created::Response { local, .. } => {
                    if queued.contains(local) {
                        continue;
                    }
                    if let Some(response) = self.responses.get(local) {
                        again.push((
                            *local,
                            MutationChange::SubmitResponse {
                                response: response.clone(),
                            },
                        ));
                    }
                }
                Created::Edit { local, edit, .. } => {
                    if queued.contains(local) {
                        continue;
                    }
                    // `created` keeps each edit as made (its original
                    // stamp): it finds the replica's copy. Every own edit is
                    // in the replica (merged when made); the edit as made is
                    // only a fallback.
                    let held = own_edits
                        .get(&(edit.stamp.client_id, edit.stamp.hlc))
                        .cloned()
                        .unwrap_or_else(|| edit.clone());
                    again.push((*local, MutationChange::EditReportField { edit: held }));
                }
            }
        }
        self.requeued += again.len() as u64;
        for (local, change) in again {
            self.enqueue(local, change);
        }
        self.renumberings += 1;
    }

    /// Stores a pulled page as the app's `apply_pull` does for reports: every
    /// pulled edit's stamp is observed by the clock and the edit merged. (The
    /// cursor lives in the sync client: this tablet never reloads.)
    fn apply_pull(&mut self, changes: Vec<Change>, now_ms: i64) {
        self.pulled_changes += changes.len() as u64;
        for change in changes {
            if let ChangeEntity::ReportFieldEdited { edit } = change.entity {
                self.clock.observe(edit.stamp.hlc, now_ms);
                if edit.report_id == *self.replica.report_id() {
                    if let Err(error) = self.replica.apply(edit) {
                        eprintln!("fault suite: a pulled edit was not merged: {error}");
                    }
                }
            }
        }
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

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
    /// Set when every tablet's outbox is empty: do the final round.
    pub finish: watch::Receiver<bool>,
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
}

impl RunningTablet {
    /// Whether the tablet created everything and the server acknowledged it.
    pub fn drained(&self) -> bool {
        let store = lock(&self.store);
        store.producer_done && store.pending() == 0
    }

    /// Entries still waiting.
    pub fn pending(&self) -> usize {
        lock(&self.store).pending()
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
        stats: TabletStats::default(),
    };
    let task = tokio::spawn(run_tablet(driver, producer, setup.finish, setup.deadline));
    RunningTablet { store, task }
}

/// Signs in, then produces and syncs until the final round is done.
async fn run_tablet(
    mut driver: Driver,
    producer: Producer,
    finish: watch::Receiver<bool>,
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
    stats: TabletStats,
}

impl Driver {
    /// The tablet's clock: real time plus its offset.
    fn now_ms(&self) -> i64 {
        real_now_ms() + self.offset_ms
    }

    fn request(&mut self, trigger: Trigger) -> Vec<SyncCommand> {
        let was_running = self.client.is_running();
        let now = self.now_ms();
        let random = self.rng.next_u32();
        let commands = self
            .client
            .handle(SyncEvent::Requested(trigger), now, random);
        if !was_running && self.client.is_running() {
            self.stats.rounds += 1;
        }
        commands
    }

    async fn run(&mut self, mut finish: watch::Receiver<bool>, deadline: Instant) -> Result<()> {
        let commands = self.request(Trigger::Startup);
        self.execute(commands).await;
        let notify = Arc::clone(&self.notify);
        let mut final_from: Option<i64> = None;
        loop {
            // Read into a plain bool: the watch guard must not live across
            // an await.
            let finish_now = *finish.borrow_and_update();
            if final_from.is_none() && finish_now {
                final_from = Some(self.now_ms());
                let commands = self.request(Trigger::UserRequest);
                self.execute(commands).await;
            }
            if let Some(from) = final_from {
                let status = self.client.status();
                if !self.client.is_running() && status.last_success_ms.is_some_and(|at| at >= from)
                {
                    return Ok(());
                }
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

    /// Runs commands in order, feeding each result back, as
    /// `SyncDriver::execute` does.
    async fn execute(&mut self, commands: Vec<SyncCommand>) {
        let mut queue: VecDeque<SyncCommand> = commands.into();
        while let Some(command) = queue.pop_front() {
            if self.dirty.swap(false, Ordering::SeqCst) {
                // Something was queued meanwhile: during a round the machine
                // only notes it and runs another round at the end.
                let more = self.request(Trigger::LocalChange);
                queue.extend(more);
            }
            if let Some(event) = self.run_command(command).await {
                if matches!(event, SyncEvent::StorageFailed(_)) {
                    queue.clear();
                }
                let now = self.now_ms();
                let random = self.rng.next_u32();
                let next = self.client.handle(event, now, random);
                queue.extend(next);
            }
        }
    }

    async fn run_command(&mut self, command: SyncCommand) -> Option<SyncEvent> {
        match command {
            SyncCommand::ReadOutbox { limit } => {
                let (mutations, pending_total) = lock(&self.store).read_outbox(limit);
                Some(SyncEvent::OutboxRead {
                    mutations,
                    pending_total,
                })
            }
            SyncCommand::SendPush(request) => Some(match self.api.push(&request).await {
                Ok(answer) => SyncEvent::PushAnswered(answer),
                Err(failure) => {
                    self.stats.failures += 1;
                    SyncEvent::PushFailed(failure)
                }
            }),
            SyncCommand::ApplyPushResults {
                acknowledged_through,
                results,
            } => {
                let responses =
                    lock(&self.store).apply_push_results(acknowledged_through, &results);
                self.acknowledged.fetch_add(responses, Ordering::SeqCst);
                None
            }
            SyncCommand::RenumberOutbox => {
                let client_id = self.rng.uuid();
                lock(&self.store).renumber(client_id);
                self.stats.renumberings += 1;
                Some(SyncEvent::OutboxRenumbered { client_id })
            }
            SyncCommand::SendPull(request) => Some(match self.api.pull(&request).await {
                Ok(answer) => SyncEvent::PullAnswered(answer),
                Err(failure) => {
                    self.stats.failures += 1;
                    SyncEvent::PullFailed(failure)
                }
            }),
            SyncCommand::ApplyPull { changes, .. } => {
                let now = self.now_ms();
                lock(&self.store).apply_pull(changes, now);
                None
            }
            SyncCommand::ScheduleWake { at_ms } => {
                self.wake_at = Some(at_ms);
                None
            }
        }
    }
}
