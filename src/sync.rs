//! The sync driver: runs the core [`SyncClient`]'s commands against
//! IndexedDB and the server, and feeds the results back as events.
//!
//! The client decides; this file only does I/O. One round runs at a time
//! (the client returns no commands while a round is under way), so commands
//! never interleave.
//!
//! Rounds run only while a session is signed in (a token is set in
//! [`crate::api`]). When the server refuses the token (revoked, account
//! deactivated), the driver raises `session_ended`: the app asks the worker
//! to sign in again, and nothing in the outbox is touched meanwhile.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use thamgia_core::sync_client::{
    SyncClient, SyncCommand, SyncConfig, SyncEvent, SyncFailure, SyncStatus, Trigger,
};

use crate::api::{self, ApiClient};
use crate::platform;
use crate::storage::{StorageError, Store};

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
        // The cursor stored is the chosen ward's (a ward change stores 0).
        let client = SyncClient::new(
            SyncConfig::default(),
            meta.client_id,
            meta.cursor,
            meta.last_success_ms,
        )
        .with_ward(crate::state::saved_ward().map(|ward| ward.code));
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
        }))
    }

    /// Asks for a round. Nothing happens while nobody is signed in: the
    /// server would refuse every request, and the outbox waits for the next
    /// sign-in.
    pub fn request(self: &Rc<Self>, trigger: Trigger) {
        if !api::has_token() {
            return;
        }
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
    }

    /// Pulls the changes of another ward from now on (its reports and
    /// forums), from the start of its history.
    pub fn set_ward(self: &Rc<Self>, ward_code: Option<String>) {
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
        let mut queue: VecDeque<SyncCommand> = commands.into();
        while let Some(command) = queue.pop_front() {
            let event = self.run(command).await;
            if let Some(event) = event {
                if matches!(event, SyncEvent::StorageFailed(_)) {
                    queue.clear();
                }
                let next = self.client.borrow_mut().handle(
                    event,
                    platform::now_ms(),
                    platform::random_u32(),
                );
                queue.extend(next);
            }
            self.publish();
        }
        self.persist_success().await;
    }

    async fn run(self: &Rc<Self>, command: SyncCommand) -> Option<SyncEvent> {
        match command {
            SyncCommand::ReadOutbox { limit } => Some(match self.store.read_outbox(limit).await {
                Ok((mutations, pending_total)) => SyncEvent::OutboxRead {
                    mutations,
                    pending_total,
                },
                Err(error) => SyncEvent::StorageFailed(storage_failure(error)),
            }),
            SyncCommand::SendPush(request) => {
                let token = api::token();
                Some(match self.api.push(&request).await {
                    Ok(answer) => {
                        self.note_acceptance();
                        SyncEvent::PushAnswered(answer)
                    }
                    Err(failure) => {
                        self.note_refusal(&failure, token);
                        SyncEvent::PushFailed(failure)
                    }
                })
            }
            SyncCommand::ApplyPushResults {
                acknowledged_through,
                results,
            } => {
                let applied = self
                    .store
                    .apply_push_results(acknowledged_through, &results)
                    .await;
                self.data_revision.update(|revision| *revision += 1);
                applied
                    .err()
                    .map(|error| SyncEvent::StorageFailed(storage_failure(error)))
            }
            SyncCommand::RenumberOutbox => {
                let client_id = platform::new_uuid();
                Some(match self.store.renumber_outbox(client_id).await {
                    Ok(()) => SyncEvent::OutboxRenumbered { client_id },
                    Err(error) => SyncEvent::StorageFailed(storage_failure(error)),
                })
            }
            SyncCommand::SendPull(request) => {
                let token = api::token();
                Some(match self.api.pull(&request).await {
                    Ok(answer) => {
                        self.note_acceptance();
                        SyncEvent::PullAnswered(answer)
                    }
                    Err(failure) => {
                        self.note_refusal(&failure, token);
                        SyncEvent::PullFailed(failure)
                    }
                })
            }
            SyncCommand::ApplyPull {
                changes,
                next_cursor,
            } => {
                let had_changes = !changes.is_empty();
                let applied = self.store.apply_pull(&changes, next_cursor).await;
                if had_changes {
                    self.data_revision.update(|revision| *revision += 1);
                }
                applied
                    .err()
                    .map(|error| SyncEvent::StorageFailed(storage_failure(error)))
            }
            SyncCommand::ScheduleWake { at_ms } => {
                self.schedule(at_ms);
                None
            }
        }
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
