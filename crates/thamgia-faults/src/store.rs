//! A simulated tablet's storage: what the app keeps in IndexedDB, in memory.
//!
//! - [`Store`] stands for the tablet's IndexedDB: the outbox (seq → mutation),
//!   the next seq, the client id and every earlier one, the hybrid logical
//!   clock, the records made (each response whole; the edits live in the
//!   local replica of the ward report), and the outcome the server gave each
//!   record. One mutex makes each operation one "transaction".
//! - A renumbering (`RenumberOutbox`: a push answered `Gap`/`SeqReused`, or a
//!   pull answered `reset_required` after a restore from an older backup)
//!   runs the app's own policy, `thamgia_core::outbox::plan_renumbering`,
//!   over what this store holds (its responses with their sync state, every
//!   edit of its replica) and writes the plan back in one "transaction":
//!   the same records are queued again in the same order as on a tablet.
//!   What a push answer does to each response is the app's rule too
//!   (`thamgia_core::outbox::push`). The simulated tablet makes no forums,
//!   feedback or withdrawals.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};
use thamgia_core::outbox::batch;
use thamgia_core::outbox::push::{response_after_push, Settled};
use thamgia_core::outbox::{plan_renumbering, Held, HeldResponse, HeldState, Waiter};
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
    /// The record's place in the creation order (`None`: a mutation of no
    /// record made here, which this tablet never queues).
    local: Option<usize>,
    change: MutationChange,
}

/// A response held, as the app's responses store holds it.
#[derive(Debug, Clone)]
struct KeptResponse {
    local: usize,
    response: Response,
    state: HeldState,
    /// The seq of the outbox entry it waits for, while it waits.
    waiting_for: Option<u64>,
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
    /// Every response made, whole, with its sync state, by id (the app's
    /// responses store, in its key order).
    responses: BTreeMap<Uuid, KeptResponse>,
    /// The creation order of each edit made here, by its identity (install
    /// and original stamp): it finds the record of an edit queued again.
    edits: HashMap<(Uuid, Hlc), usize>,
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
            edits: HashMap::new(),
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

    fn enqueue(&mut self, local: usize, change: MutationChange) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.outbox.insert(
            seq,
            OutboxEntry {
                local: Some(local),
                change,
            },
        );
        seq
    }

    /// The record made here that `change` is about.
    fn local_of(&self, change: &MutationChange) -> Option<usize> {
        match change {
            MutationChange::SubmitResponse { response } => {
                self.responses.get(&response.id).map(|kept| kept.local)
            }
            MutationChange::WithdrawResponse { response_id, .. } => {
                self.responses.get(response_id).map(|kept| kept.local)
            }
            MutationChange::EditReportField { edit } => self.edits.get(&edit.identity()).copied(),
            MutationChange::ChangeReportStatus { .. }
            | MutationChange::SubmitForum { .. }
            | MutationChange::RecordFeedback { .. } => None,
        }
    }

    pub fn add_response(&mut self, local: usize, response: Response, role: ResponseRole) {
        self.created.push(Created::Response {
            local,
            id: response.id,
            role,
            created_at: response.created_at,
        });
        let id = response.id;
        let seq = self.enqueue(
            local,
            MutationChange::SubmitResponse {
                response: response.clone(),
            },
        );
        self.responses.insert(
            id,
            KeptResponse {
                local,
                response,
                state: HeldState::Waiting,
                waiting_for: Some(seq),
            },
        );
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
        self.edits.insert(edit.identity(), local);
        self.enqueue(local, MutationChange::EditReportField { edit });
        Ok(())
    }

    pub fn read_outbox(&self, limit: usize) -> (Vec<Mutation>, u64) {
        let mut mutations: Vec<Mutation> = self
            .outbox
            .iter()
            .take(limit)
            .map(|(seq, entry)| Mutation {
                seq: *seq,
                change: entry.change.clone(),
            })
            .collect();
        // Cut by bytes as the app cuts it (`outbox::batch`), its entries'
        // sizes as their JSON.
        let sizes = mutations
            .iter()
            .map(|mutation| serde_json::to_vec(mutation).map_or(0, |json| json.len()));
        let within = batch::entries_within(sizes, batch::MAX_PUSH_BYTES);
        mutations.truncate(within);
        (mutations, self.outbox.len() as u64)
    }

    /// Drops the entries up to `acknowledged_through` and records each one's
    /// outcome (the latest answer: a record sent again after a renumbering
    /// gets a new one), and settles each response as the app does
    /// (`response_after_push`); returns how many of them were responses
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
            let outcome = results
                .iter()
                .find(|result| result.seq == seq)
                .map(|result| &result.outcome);
            if let MutationChange::SubmitResponse { response } = &entry.change {
                if let Some(kept) = self.responses.get_mut(&response.id) {
                    let after = response_after_push(
                        outcome,
                        kept.response.status,
                        kept.waiting_for,
                        acknowledged_through,
                    );
                    if let Some(settled) = after.state {
                        kept.state = match settled {
                            Settled::Withdrawn => HeldState::Withdrawn,
                            Settled::Synced | Settled::Rejected(_) | Settled::Conflict(_) => {
                                HeldState::Answered
                            }
                        };
                        kept.waiting_for = None;
                    }
                }
            }
            let Some(local) = entry.local else {
                continue;
            };
            if let Some(outcome) = outcome {
                self.outcomes.insert(local, outcome.clone());
            }
            let first = self.acknowledged.insert(local);
            if first && matches!(entry.change, MutationChange::SubmitResponse { .. }) {
                responses += 1;
            }
        }
        responses
    }

    /// What `RenumberOutbox` does, in one go, as the app does it: the app's
    /// plan (`plan_renumbering`) over the outbox, the responses held and
    /// every edit of the replica, with the client ids this tablet used;
    /// then the plan written back: the new outbox, what each response now
    /// waits for, and the new client id.
    pub fn renumber(&mut self, client_id: Uuid) {
        let entries: Vec<Mutation> = std::mem::take(&mut self.outbox)
            .into_iter()
            .map(|(seq, entry)| Mutation {
                seq,
                change: entry.change,
            })
            .collect();
        let waited = entries.len();
        let held = Held {
            responses: self
                .responses
                .values()
                .map(|kept| HeldResponse {
                    response: kept.response.clone(),
                    state: kept.state,
                })
                .collect(),
            forums: Vec::new(),
            report_edits: self
                .replica
                .fields()
                .values()
                .flat_map(|state| state.history().cloned())
                .collect(),
        };
        let mut own_ids: BTreeSet<Uuid> = self.past_client_ids.iter().copied().collect();
        own_ids.insert(self.client_id);
        let plan = plan_renumbering(entries, &held, &own_ids);

        self.requeued += plan.outbox.len().saturating_sub(waited) as u64;
        for mutation in plan.outbox {
            let local = self.local_of(&mutation.change);
            self.outbox.insert(
                mutation.seq,
                OutboxEntry {
                    local,
                    change: mutation.change,
                },
            );
        }
        for (waiter, seq) in plan.waiting {
            if let Waiter::Response(id) = waiter {
                if let Some(kept) = self.responses.get_mut(&id) {
                    kept.state = HeldState::Waiting;
                    kept.waiting_for = Some(seq);
                }
            }
        }
        self.next_seq = plan.next_seq;
        if self.client_id != client_id && !self.past_client_ids.contains(&self.client_id) {
            self.past_client_ids.push(self.client_id);
        }
        self.client_id = client_id;
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
