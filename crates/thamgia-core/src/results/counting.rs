//! Which responses a result counts: the one rule behind every figure.
//!
//! **A withdrawn response leaves every result; a corrected response counts
//! once, as its newest version.** The server keeps the same rule in its
//! storage (a withdrawn response is deleted, a corrected one marked
//! `superseded_by`); this function is the rule for data held in memory —
//! the tablet's replica, a full recount, or the property test that a
//! maintained count equals a recount.
//!
//! Versions of one child's response form a *chain*: each correction names
//! (`corrects`) the version it replaces. Chains are found as connected
//! components of the `corrects` links, so a chain whose oldest version is
//! no longer held (deleted by a withdrawal on the server) still holds
//! together through the id its first correction names.
//!
//! - A chain counts at most once.
//! - A chain in which **any** version (or any id a version names) is
//!   withdrawn counts not at all: a withdrawal is the child's consent
//!   taken back, and every version holds that child's answers.
//! - Otherwise it counts as its newest completed version: a completed
//!   version that no completed version of the chain corrects; when a
//!   version was corrected twice (two tablets), the latest `created_at`,
//!   then the larger id, so the choice does not depend on input order.
//! - Drafts never count: they are unfinished and never leave the tablet.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::response::{Response, ResponseStatus};

/// The responses that count, each chain of corrections once as its newest
/// version, none of a chain with a withdrawn version; `responses` may hold
/// tombstones (`ResponseStatus::Withdrawn`) and drafts. Returned in input
/// order.
pub fn counted<'a, I>(responses: I) -> Vec<&'a Response>
where
    I: IntoIterator<Item = &'a Response>,
{
    counted_excluding(responses, &BTreeSet::new())
}

/// [`counted`] where `withdrawn` also names withdrawn responses whose
/// tombstone is not among `responses` (the server keeps tombstones in a
/// table of their own, without a response's content).
pub fn counted_excluding<'a, I>(responses: I, withdrawn: &BTreeSet<Uuid>) -> Vec<&'a Response>
where
    I: IntoIterator<Item = &'a Response>,
{
    let responses: Vec<&Response> = responses.into_iter().collect();
    let mut chains = Chains::default();
    for response in &responses {
        chains.add(response.id);
        if let Some(corrected) = response.corrects {
            chains.join(response.id, corrected);
        }
    }

    let mut withdrawn_chains = BTreeSet::new();
    for id in withdrawn {
        if let Some(root) = chains.root_if_known(*id) {
            withdrawn_chains.insert(root);
        }
    }
    for response in &responses {
        if response.status == ResponseStatus::Withdrawn {
            withdrawn_chains.insert(chains.root(response.id));
        }
    }

    let corrected_by_completed: BTreeSet<Uuid> = responses
        .iter()
        .filter(|response| response.status == ResponseStatus::Completed)
        .filter_map(|response| response.corrects)
        .collect();
    // The newest completed, uncorrected version of each chain.
    let mut newest: BTreeMap<Uuid, &Response> = BTreeMap::new();
    for response in &responses {
        if response.status != ResponseStatus::Completed
            || corrected_by_completed.contains(&response.id)
        {
            continue;
        }
        let root = chains.root(response.id);
        if withdrawn_chains.contains(&root) {
            continue;
        }
        let entry = newest.entry(root).or_insert(response);
        if (response.created_at, response.id) > (entry.created_at, entry.id) {
            *entry = response;
        }
    }
    let chosen: BTreeSet<Uuid> = newest.values().map(|response| response.id).collect();
    responses
        .into_iter()
        .filter(|response| chosen.contains(&response.id))
        .collect()
}

/// Union-find over response ids: which ids belong to one chain of
/// corrections. Every id reaches the same root, whatever the order links
/// were added in (the smaller root is kept), so no input order matters.
#[derive(Default)]
struct Chains {
    parent: BTreeMap<Uuid, Uuid>,
}

impl Chains {
    fn add(&mut self, id: Uuid) {
        self.parent.entry(id).or_insert(id);
    }

    fn root(&mut self, id: Uuid) -> Uuid {
        self.add(id);
        let mut root = id;
        while let Some(&parent) = self.parent.get(&root) {
            if parent == root {
                break;
            }
            root = parent;
        }
        // Path compression keeps later look-ups short.
        let mut current = id;
        while current != root {
            let next = self.parent.insert(current, root).unwrap_or(root);
            current = next;
        }
        root
    }

    fn root_if_known(&mut self, id: Uuid) -> Option<Uuid> {
        self.parent.contains_key(&id).then(|| self.root(id))
    }

    fn join(&mut self, first: Uuid, second: Uuid) {
        let (first, second) = (self.root(first), self.root(second));
        if first != second {
            let (small, large) = if first < second {
                (first, second)
            } else {
                (second, first)
            };
            self.parent.insert(large, small);
        }
    }
}

#[cfg(test)]
mod tests;
