//! The sync driver: runs the core [`SyncClient`]'s commands against
//! IndexedDB and the server, and feeds the results back as events.
//!
//! The client decides; this file only does I/O. One round runs at a time
//! (the client returns no commands while a round is under way), so commands
//! never interleave.
//!
//! Several tabs of the app share one IndexedDB: every round runs while
//! holding the Web Lock of [`crate::tabs`], so only one tab syncs at a time.
//! A tab that finds the lock taken skips its round quietly (its status does
//! not change: nothing failed) and tries again a few seconds later. Before
//! each round the tab takes over what another tab stored meanwhile (a new
//! client id after a renumbering, the pull cursor, the last success), and
//! after a round that changed records it tells the other tabs, which read
//! their pages again.
//!
//! Rounds run only while a session is signed in (a token is set in
//! [`crate::api`]). When the server refuses the token (revoked, account
//! deactivated), the driver raises `session_ended`: the app asks the worker
//! to sign in again, and nothing in the outbox is touched meanwhile.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use thamgia_core::sync_client::clock::{self, ClockDrift};
use thamgia_core::sync_client::driver::{self, SyncIo};
use thamgia_core::sync_client::{
    SyncClient, SyncCommand, SyncConfig, SyncEvent, SyncFailure, SyncStatus, Trigger,
};
use thamgia_core::{
    Change, Mutation, MutationResult, PullRequest, PullResponse, PushRequest, PushResponse,
};
use uuid::Uuid;

use crate::api::{self, ApiClient};
use crate::platform;
use crate::storage::{StorageError, Store};
use crate::tabs::{self, LockOutcome, TabMessage};

/// How long a tab that found another tab syncing waits before asking again.
const BUSY_RETRY_MS: i64 = 5_000;

/// Runs sync rounds for this tab.
pub struct SyncDriver {
    client: RefCell<SyncClient>,
    store: Store,
    api: ApiClient,
    status: RwSignal<SyncStatus>,
    data_revision: RwSignal<u64>,
    session_ended: RwSignal<bool>,
    wake: RefCell<Option<TimeoutHandle>>,
    persisted_success_ms: Cell<Option<i64>>,
    /// A round was asked for and waits for the sync lock.
    waiting_for_lock: Cell<bool>,
    /// A request that came while waiting for the lock, run with the round.
    pending_trigger: Cell<Option<Trigger>>,
    /// The round under way changed records or the sync bookkeeping.
    changed_in_round: Cell<bool>,
    /// How far this tablet's clock was from the server's at the last pull,
    /// when beyond the tolerance (core's `sync_client::clock`).
    clock_drift: RwSignal<Option<ClockDrift>>,
}

impl std::fmt::Debug for SyncDriver {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SyncDriver").finish_non_exhaustive()
    }
}

fn storage_failure(error: StorageError) -> SyncFailure {
    SyncFailure::Storage {
        message: error.message(),
    }
}

impl SyncDriver {
    /// Builds the driver from what the store remembers (client id, cursor,
    /// last success). `session_ended` is set when the server refuses the
    /// session's token.
    pub async fn new(
        store: Store,
        status: RwSignal<SyncStatus>,
        data_revision: RwSignal<u64>,
        session_ended: RwSignal<bool>,
    ) -> Result<Rc<SyncDriver>, StorageError> {
        let meta = store.sync_meta().await?;
        let acknowledged = acknowledged_seq(&store, meta.next_seq).await?;
        // The cursor stored is the chosen ward's (a ward change stores 0).
        let client = SyncClient::new(
            SyncConfig::default(),
            meta.client_id,
            meta.cursor,
            meta.last_success_ms,
        )
        .with_ward(crate::preferences::saved_ward().map(|ward| ward.code))
        .with_acknowledged(Some(acknowledged))
        .with_cursor_token(meta.cursor_token.clone());
        status.set(client.status());
        Ok(Rc::new(SyncDriver {
            client: RefCell::new(client),
            store,
            api: ApiClient::for_this_origin(),
            status,
            data_revision,
            session_ended,
            wake: RefCell::new(None),
            persisted_success_ms: Cell::new(meta.last_success_ms),
            waiting_for_lock: Cell::new(false),
            pending_trigger: Cell::new(None),
            changed_in_round: Cell::new(false),
            clock_drift: RwSignal::new(None),
        }))
    }

    /// How far this tablet's clock is off, as the last pull showed: `None`
    /// when it was right (or no pull answered yet).
    pub fn clock_drift(&self) -> ReadSignal<Option<ClockDrift>> {
        self.clock_drift.read_only()
    }

    /// Asks for a round. Nothing happens while nobody is signed in: the
    /// server would refuse every request, and the outbox waits for the next
    /// sign-in.
    ///
    /// The round runs under the tabs' sync lock: if another tab holds it,
    /// this tab skips the round and asks again a few seconds later.
    pub fn request(self: &Rc<Self>, trigger: Trigger) {
        if !api::has_token() {
            return;
        }
        if self.client.borrow().is_running() {
            // The round under way (which holds the lock) goes again when it
            // ends: the client remembers.
            let commands = self.client.borrow_mut().handle(
                SyncEvent::Requested(trigger),
                platform::now_ms(),
                platform::random_u32(),
            );
            self.publish();
            if !commands.is_empty() {
                let driver = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move { driver.execute(commands).await });
            }
            return;
        }
        if self.waiting_for_lock.get() {
            let kept = match self.pending_trigger.get() {
                Some(earlier) if cuts_backoff(earlier) && !cuts_backoff(trigger) => earlier,
                _ => trigger,
            };
            self.pending_trigger.set(Some(kept));
            return;
        }
        self.waiting_for_lock.set(true);
        if !crate::rest::is_there() {
            // Rounds run on the rest of the app: one wait for it, and the
            // triggers meanwhile kept as while waiting for the lock.
            self.pending_trigger.set(Some(trigger));
            let driver = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move {
                crate::rest::arrived().await;
                driver.waiting_for_lock.set(false);
                if let Some(kept) = driver.pending_trigger.take() {
                    driver.request(kept);
                }
            });
            return;
        }
        let driver = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = tabs::with_sync_lock(Rc::clone(&driver).round(trigger)).await;
            driver.waiting_for_lock.set(false);
            if outcome == LockOutcome::Busy {
                // Another tab is sending and receiving for this tablet: no
                // failure to show, only a later try.
                driver.schedule(platform::now_ms() + BUSY_RETRY_MS);
            }
            if let Some(later) = driver.pending_trigger.take() {
                driver.request(later);
            }
        });
    }

    /// One round, run while holding the sync lock.
    async fn round(self: Rc<Self>, trigger: Trigger) {
        self.adopt_stored_progress().await;
        let mut commands = self.client.borrow_mut().handle(
            SyncEvent::Requested(trigger),
            platform::now_ms(),
            platform::random_u32(),
        );
        if let Some(later) = self.pending_trigger.take() {
            let more = self.client.borrow_mut().handle(
                SyncEvent::Requested(later),
                platform::now_ms(),
                platform::random_u32(),
            );
            commands.extend(more);
        }
        self.publish();
        if commands.is_empty() {
            // Refused for now (a backoff): keep the retry the client planned,
            // in case a busy lock replaced its timer meanwhile.
            let retry_at = {
                let client = self.client.borrow();
                if client.is_running() {
                    None
                } else {
                    client.status().next_retry_ms
                }
            };
            if let Some(at_ms) = retry_at {
                self.schedule(at_ms);
            }
            return;
        }
        self.changed_in_round.set(false);
        Rc::clone(&self).execute(commands).await;
        if self.changed_in_round.take() {
            tabs::announce(TabMessage::Synced);
        }
    }

    /// Another tab finished a round that changed things: take over what it
    /// stored, unless a round runs here (it reads them itself).
    pub fn another_tab_synced(self: &Rc<Self>) {
        let driver = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move { driver.adopt_stored_progress().await });
    }

    /// Takes over the sync bookkeeping another tab stored (a new client id
    /// after a renumbering, the pull cursor, a later success). Only between
    /// rounds: a round under way owns the client. Rebuilding the client
    /// also forgets this tab's failures: another tab just got through.
    async fn adopt_stored_progress(&self) {
        let meta = match self.store.sync_meta().await {
            Ok(meta) => meta,
            Err(error) => {
                leptos::logging::warn!("sync bookkeeping not reread: {error}");
                return;
            }
        };
        let up_to_date = |client: &SyncClient| {
            client.is_running()
                || (client.client_id() == meta.client_id
                    && client.cursor() == meta.cursor
                    && meta.last_success_ms <= client.status().last_success_ms)
        };
        // Most rounds find nothing new: read the outbox only to rebuild.
        if up_to_date(&self.client.borrow()) {
            return;
        }
        let acknowledged = acknowledged_seq(&self.store, meta.next_seq)
            .await
            .unwrap_or(0);
        {
            let mut client = self.client.borrow_mut();
            if up_to_date(&client) {
                return;
            }
            let last_success = client.status().last_success_ms;
            // The stored cursor is the one of the ward saved on this tablet
            // (a ward change stores 0 before anything else).
            *client = SyncClient::new(
                SyncConfig::default(),
                meta.client_id,
                meta.cursor,
                meta.last_success_ms.max(last_success),
            )
            .with_ward(crate::preferences::saved_ward().map(|ward| ward.code))
            .with_acknowledged(Some(acknowledged))
            .with_cursor_token(meta.cursor_token.clone());
        }
        self.persisted_success_ms.set(meta.last_success_ms);
        self.publish();
    }

    /// Pulls the changes of another ward from now on (its reports and
    /// forums), from the start of its history.
    pub fn set_ward(self: &Rc<Self>, ward_code: Option<String>) {
        if !crate::rest::is_there() {
            let driver = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move {
                crate::rest::arrived().await;
                driver.set_ward(ward_code);
            });
            return;
        }
        if !self.client.borrow_mut().set_ward(ward_code) {
            return;
        }
        let driver = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            // Store the cursor's return to 0 at once, so a reload before
            // the next pull still fetches the new ward's history.
            if let Err(error) = driver.store.apply_pull(&[], 0).await {
                leptos::logging::warn!("cursor not reset for the new ward: {error}");
            }
            driver.request(Trigger::UserRequest);
        });
    }

    /// Tells the client the browser went offline.
    pub fn went_offline(self: &Rc<Self>) {
        self.client.borrow_mut().handle(
            SyncEvent::WentOffline,
            platform::now_ms(),
            platform::random_u32(),
        );
        self.publish();
    }

    async fn execute(self: Rc<Self>, commands: Vec<SyncCommand>) {
        let mut io = RoundIo {
            driver: Rc::clone(&self),
        };
        driver::execute(&mut io, commands).await;
        self.persist_success().await;
    }

    /// Raises `session_ended` when the server refused the token `sent_with`
    /// and it is still the current one (a refusal of a token replaced by a
    /// new sign-in meanwhile says nothing about the new one).
    fn note_refusal(&self, failure: &SyncFailure, sent_with: Option<String>) {
        if failure.is_unauthorized() && sent_with.is_some() && api::token() == sent_with {
            self.session_ended.set(true);
        }
    }

    /// The server accepted the token again (an account reactivated): the
    /// session did not end after all.
    fn note_acceptance(&self) {
        if self.session_ended.get_untracked() {
            self.session_ended.set(false);
        }
    }

    fn schedule(self: &Rc<Self>, at_ms: i64) {
        if let Some(previous) = self.wake.borrow_mut().take() {
            previous.clear();
        }
        let delay = (at_ms - platform::now_ms()).max(0) as u64;
        let driver = Rc::clone(self);
        match set_timeout_with_handle(
            move || driver.request(Trigger::Timer),
            Duration::from_millis(delay),
        ) {
            Ok(handle) => *self.wake.borrow_mut() = Some(handle),
            Err(error) => leptos::logging::warn!("sync timer not set: {error:?}"),
        }
    }

    fn publish(&self) {
        self.status.set(self.client.borrow().status());
    }

    async fn persist_success(&self) {
        let last_success = self.client.borrow().status().last_success_ms;
        if last_success != self.persisted_success_ms.get() {
            if let Some(at_ms) = last_success {
                match self.store.set_last_success(at_ms).await {
                    Ok(()) => self.persisted_success_ms.set(Some(at_ms)),
                    Err(error) => leptos::logging::warn!("last sync time not stored: {error}"),
                }
            }
        }
    }
}

/// The driver's I/O for the shared command loop ([`driver::execute`]):
/// IndexedDB through the [`Store`], HTTP through the [`ApiClient`], timers
/// through the browser. The machine is borrowed only inside `handle`, so a
/// request arriving during a round (see [`SyncDriver::request`]) finds it
/// free.
struct RoundIo {
    driver: Rc<SyncDriver>,
}

impl SyncIo for RoundIo {
    fn handle(&mut self, event: SyncEvent) -> Vec<SyncCommand> {
        self.driver
            .client
            .borrow_mut()
            .handle(event, platform::now_ms(), platform::random_u32())
    }

    fn after_command(&mut self) {
        self.driver.publish();
    }

    async fn read_outbox(&mut self, limit: usize) -> Result<(Vec<Mutation>, u64), SyncFailure> {
        self.driver
            .store
            .read_outbox(limit)
            .await
            .map_err(storage_failure)
    }

    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let token = api::token();
        let answer = self.driver.api.push(request).await;
        match &answer {
            Ok(_) => self.driver.note_acceptance(),
            Err(failure) => self.driver.note_refusal(failure, token),
        }
        answer
    }

    async fn apply_push_results(
        &mut self,
        acknowledged_through: u64,
        results: &[MutationResult],
    ) -> Result<(), SyncFailure> {
        let applied = self
            .driver
            .store
            .apply_push_results(acknowledged_through, results)
            .await;
        if applied.is_ok() {
            self.driver.changed_in_round.set(true);
        }
        self.driver.data_revision.update(|revision| *revision += 1);
        applied.map_err(storage_failure)
    }

    async fn renumber_outbox(&mut self) -> Result<Uuid, SyncFailure> {
        let client_id = platform::new_uuid();
        self.driver
            .store
            .renumber_outbox(client_id)
            .await
            .map_err(storage_failure)?;
        self.driver.changed_in_round.set(true);
        Ok(client_id)
    }

    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, SyncFailure> {
        let token = api::token();
        let sent_ms = platform::now_ms();
        let answer = self.driver.api.pull(request).await;
        match &answer {
            Ok(page) => {
                self.driver.note_acceptance();
                if let Some(server_ms) = page.server_time_ms {
                    let drift = clock::measured(sent_ms, platform::now_ms(), server_ms);
                    if drift != self.driver.clock_drift.get_untracked() {
                        self.driver.clock_drift.set(drift);
                    }
                }
            }
            Err(failure) => self.driver.note_refusal(failure, token),
        }
        answer
    }

    async fn apply_pull(
        &mut self,
        changes: &[Change],
        next_cursor: u64,
        cursor_token: Option<&str>,
    ) -> Result<(), SyncFailure> {
        let applied = self
            .driver
            .store
            .apply_pull_page(changes, next_cursor, cursor_token)
            .await;
        if !changes.is_empty() {
            if applied.is_ok() {
                self.driver.changed_in_round.set(true);
            }
            self.driver.data_revision.update(|revision| *revision += 1);
        }
        applied.map_err(storage_failure)
    }

    fn schedule_wake(&mut self, at_ms: i64) {
        self.driver.schedule(at_ms);
    }
}

/// The highest seq the server acknowledged, as the tablet knows it: an
/// outbox entry leaves only once acknowledged, so everything below the
/// lowest one waiting (or below `next_seq` when none waits) was.
async fn acknowledged_seq(store: &Store, next_seq: u64) -> Result<u64, StorageError> {
    let (first, _) = store.read_outbox(1).await?;
    Ok(match first.first() {
        Some(entry) => entry.seq.saturating_sub(1),
        None => next_seq.saturating_sub(1),
    })
}

/// Whether `trigger` may cut a backoff short (as the core client decides):
/// of two requests waiting for the lock, such a one is kept.
fn cuts_backoff(trigger: Trigger) -> bool {
    matches!(
        trigger,
        Trigger::Startup | Trigger::Online | Trigger::UserRequest
    )
}
