//! A simulated tablet's storage: what the app keeps in IndexedDB, in memory.
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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, HlcClock, ReportFields, ReportId, Stamp,
};
use thamgia_core::{
    Change, ChangeEntity, Mutation, MutationChange, MutationOutcome, MutationResult, Response,
};
use uuid::Uuid;

use crate::plan::ResponseRole;

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
    /// Outbox entries the server acknowledged, an entry sent again after a
    /// renumbering counted each time: it grows whenever something this
    /// tablet sent has reached the server.
    pub acknowledged_entries: u64,
}

impl Store {
    pub fn new(client_id: Uuid, report_id: ReportId) -> Store {
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
            acknowledged_entries: 0,
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

    pub fn add_response(&mut self, local: usize, response: Response, role: ResponseRole) {
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
    pub fn add_edit(
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

    pub fn read_outbox(&self, limit: usize) -> (Vec<Mutation>, u64) {
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
    pub fn apply_push_results(
        &mut self,
        acknowledged_through: u64,
        results: &[MutationResult],
    ) -> u64 {
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
            self.acknowledged_entries += 1;
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
    pub fn renumber(&mut self, client_id: Uuid) {
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
    pub fn apply_pull(&mut self, changes: Vec<Change>, now_ms: i64) {
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

/// The store, locked (a poisoned lock is taken as it is: the store stays usable).
pub fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}
