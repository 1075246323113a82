//! The per-field merge: a field's state is the set of every edit seen, the
//! largest by stamp on show and the others kept.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FieldContent, FieldEdit, FieldKey, ReportError, ReportId};

/// How far ahead of the server's clock a stamp may be when it arrives: five
/// minutes. See [`bound`].
pub const MAX_CLOCK_AHEAD_MS: i64 = 5 * 60_000;

/// Clamps the edit's `stamp.hlc.wall_ms` to `receiver_now_ms + max_ahead_ms`,
/// keeping the counter, the client and everything else.
///
/// A tablet whose clock runs a day ahead would otherwise win every field for
/// a day against colleagues who edit after it. The **server** applies this
/// once, on receipt, with its own clock and [`MAX_CLOCK_AHEAD_MS`], and stores
/// the bounded edit; every replica then only ever sees the bounded stamp, so
/// all of them still merge the same stamps and agree. Tablets never bound:
/// bounding the same edit at different times would give different stamps.
///
/// Two edits of one field from the same far-ahead tablet in one push can be
/// clamped to the same stamp; the merge stays deterministic (see the module
/// documentation) and keeps both, but which of the two shows is then decided
/// by content, not by the order they were made in.
///
/// A lowered edit remembers the stamp it was sent with (`sent_as`), so the
/// editing tablet, which still holds its own copy with the original stamp,
/// recognises the bounded copy it pulls as the same edit and keeps only the
/// bounded one (see [`FieldState::join`]): it then agrees with everyone.
pub fn bound(mut edit: FieldEdit, receiver_now_ms: i64, max_ahead_ms: i64) -> FieldEdit {
    let limit = receiver_now_ms.saturating_add(max_ahead_ms);
    if edit.stamp.hlc.wall_ms > limit {
        let original = edit.stamp.hlc;
        edit.sent_as.get_or_insert(original);
        edit.stamp.hlc.wall_ms = limit;
    }
    edit
}

/// Everything known about one field: the edit on show and the edits it beat.
///
/// Built by [`merge`]; `winner` is the largest edit by stamp, `others` holds
/// every other distinct edit seen, oldest stamp first, each once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldState {
    /// The edit whose content the field shows.
    pub winner: FieldEdit,
    /// The edits that lost, oldest first, for the audit trail and for "also
    /// entered by … at …". Edits with the same content as the winner are kept
    /// too: they are history.
    pub others: Vec<FieldEdit>,
}

impl FieldState {
    /// The state of a field that has seen one edit.
    pub fn new(edit: FieldEdit) -> FieldState {
        FieldState {
            winner: edit,
            others: Vec::new(),
        }
    }

    /// The losing edits whose content differs from the winner's: the
    /// conflicts worth showing.
    pub fn conflicting(&self) -> impl Iterator<Item = &FieldEdit> {
        self.others
            .iter()
            .filter(|edit| !edit.content.same_as(&self.winner.content))
    }

    /// Every edit seen, oldest stamp first, the winner last.
    pub fn history(&self) -> impl Iterator<Item = &FieldEdit> {
        self.others.iter().chain(std::iter::once(&self.winner))
    }

    /// The content on show.
    pub fn content(&self) -> &FieldContent {
        &self.winner.content
    }

    /// The state that has seen the edits of both `self` and `other`.
    pub fn join(self, other: FieldState) -> FieldState {
        let mut edits = self.others;
        edits.push(self.winner);
        edits.extend(other.others);
        FieldState::from_edits(other.winner, edits)
    }

    /// The state holding `seed` and `edits`: the largest by the merge's
    /// total order on show, the rest sorted by it, each edit once. Copies of
    /// one edit under different stamps (the tablet's own and the bounded
    /// ones a server stored, see [`bound`]) count once: the largest bounded
    /// copy, or the edit as made when no server bounded it. The largest, so
    /// a replica that also saw an earlier bounding (which a server restored
    /// from an older backup then forgot) agrees with the server's latest;
    /// a choice by rank over the set, so the join stays commutative,
    /// associative and idempotent.
    fn from_edits(seed: FieldEdit, edits: Vec<FieldEdit>) -> FieldState {
        let fallback = seed.clone();
        let mut all: Vec<FieldEdit> = std::iter::once(seed).chain(edits).collect();
        crate::sorting::sort_by(&mut all, FieldEdit::total_cmp);
        all.dedup_by(|later, earlier| later.total_cmp(earlier) == Ordering::Equal);
        let mut kept: Vec<FieldEdit> = Vec::with_capacity(all.len());
        let mut by_identity: BTreeMap<(uuid::Uuid, super::Hlc), Vec<usize>> = BTreeMap::new();
        // Largest first: of the bounded copies of one edit, the largest is
        // met first and kept; the tablet's own unbounded copy (larger than
        // any bounding of it) gives way to a bounded one.
        for edit in all.into_iter().rev() {
            let copies = by_identity.entry(edit.identity()).or_default();
            match copies
                .iter()
                .copied()
                .find(|&index| kept[index].is_copy_of(&edit))
            {
                Some(index) => {
                    if kept[index].sent_as.is_none() && edit.sent_as.is_some() {
                        kept[index] = edit;
                    }
                }
                None => {
                    copies.push(kept.len());
                    kept.push(edit);
                }
            }
        }
        crate::sorting::sort_by(&mut kept, FieldEdit::total_cmp);
        match kept.pop() {
            Some(winner) => FieldState {
                winner,
                others: kept,
            },
            None => FieldState::new(fallback),
        }
    }
}

/// Adds `edit` to the state of its field (`None` when the field has seen no
/// edit yet).
///
/// The result is the same whatever order edits arrive in and however often
/// each arrives: the state is the set of distinct edits, and the winner is
/// its largest by `(stamp.hlc, stamp.client_id)`. The caller keeps one state
/// per report and field; [`ReportFields`] does that.
pub fn merge(state: Option<FieldState>, edit: FieldEdit) -> FieldState {
    match state {
        None => FieldState::new(edit),
        Some(state) => state.join(FieldState::new(edit)),
    }
}

/// Every field of one report, each merged on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFields {
    report_id: ReportId,
    fields: BTreeMap<FieldKey, FieldState>,
}

impl ReportFields {
    /// A report with no field edited yet.
    pub fn new(report_id: ReportId) -> ReportFields {
        ReportFields {
            report_id,
            fields: BTreeMap::new(),
        }
    }

    /// The report these fields belong to.
    pub fn report_id(&self) -> &ReportId {
        &self.report_id
    }

    /// Merges `edit` into its field. An edit of another report is refused
    /// and changes nothing.
    pub fn apply(&mut self, edit: FieldEdit) -> Result<(), ReportError> {
        self.check_report(&edit.report_id)?;
        let state = self.fields.remove(&edit.field);
        let key = edit.field.clone();
        self.fields.insert(key, merge(state, edit));
        Ok(())
    }

    /// Merges every one of `edits` into its field, as [`apply`](Self::apply)
    /// one after the other would, sorting each field's edits once instead of
    /// once per edit (a field's edits from every tablet, however many, are
    /// read in time proportional to their number and its logarithm). If any
    /// edit is of another report, it is refused and nothing changes.
    pub fn apply_all(&mut self, edits: Vec<FieldEdit>) -> Result<(), ReportError> {
        for edit in &edits {
            self.check_report(&edit.report_id)?;
        }
        let mut by_field: BTreeMap<FieldKey, Vec<FieldEdit>> = BTreeMap::new();
        for edit in edits {
            by_field.entry(edit.field.clone()).or_default().push(edit);
        }
        for (key, mut edits) in by_field {
            let Some(seed) = edits.pop() else {
                continue;
            };
            if let Some(state) = self.fields.remove(&key) {
                edits.extend(state.others);
                edits.push(state.winner);
            }
            self.fields.insert(key, FieldState::from_edits(seed, edits));
        }
        Ok(())
    }

    /// Merges every field of `other`, another replica of the same report,
    /// into this one. A replica of another report is refused and changes
    /// nothing.
    pub fn merge(&mut self, other: ReportFields) -> Result<(), ReportError> {
        self.check_report(&other.report_id)?;
        for (key, theirs) in other.fields {
            let joined = match self.fields.remove(&key) {
                Some(ours) => ours.join(theirs),
                None => theirs,
            };
            self.fields.insert(key, joined);
        }
        Ok(())
    }

    /// The state of one field, if it was ever edited.
    pub fn get(&self, field: &FieldKey) -> Option<&FieldState> {
        self.fields.get(field)
    }

    /// Every edited field, in key order.
    pub fn fields(&self) -> &BTreeMap<FieldKey, FieldState> {
        &self.fields
    }

    fn check_report(&self, report_id: &ReportId) -> Result<(), ReportError> {
        if *report_id == self.report_id {
            Ok(())
        } else {
            Err(ReportError::WrongReport {
                expected: self.report_id.clone(),
                found: report_id.clone(),
            })
        }
    }
}
