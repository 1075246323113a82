//! A report's life: draft → submitted → approved, and back to draft when the
//! town hall sends it back. Approval locks the report.
//!
//! Unlike the fields, the status does not merge: the server holds it and
//! checks every change against the status it holds, so an officer who
//! submits offline cannot undo an approval made meanwhile.

use serde::{Deserialize, Serialize};

use super::{ReportError, ReportId};
use crate::localized::Localized;

/// Where a report is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Being written by the ward's officers.
    #[default]
    Draft,
    /// Sent to the town hall for review.
    Submitted,
    /// Approved by the town hall; locked.
    Approved,
}

impl ReportStatus {
    /// Whether the report can no longer be edited: true once approved.
    pub fn is_locked(self) -> bool {
        self == ReportStatus::Approved
    }

    /// Refuses edits to a locked report. The server runs this before
    /// applying a field edit; a refused edit is kept aside with its reason,
    /// like any rejected mutation.
    pub fn ensure_editable(self) -> Result<(), ReportError> {
        if self.is_locked() {
            Err(ReportError::Locked)
        } else {
            Ok(())
        }
    }

    /// The name shown to people.
    pub fn label(self) -> Localized {
        match self {
            ReportStatus::Draft => Localized::new("Bản nháp", "Draft"),
            ReportStatus::Submitted => Localized::new("Đã nộp", "Submitted"),
            ReportStatus::Approved => Localized::new("Đã duyệt", "Approved"),
        }
    }
}

/// Checks a status change: a draft may be submitted, a submitted report may
/// be approved or sent back to draft, and nothing else. Returns the new
/// status.
pub fn transition(from: ReportStatus, to: ReportStatus) -> Result<ReportStatus, ReportError> {
    use ReportStatus::{Approved, Draft, Submitted};
    match (from, to) {
        (Draft, Submitted) | (Submitted, Draft) | (Submitted, Approved) => Ok(to),
        _ => Err(ReportError::TransitionNotAllowed { from, to }),
    }
}

/// A request to move a report from the status its sender saw to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportStatusChange {
    /// The report concerned.
    pub report_id: ReportId,
    /// The status the sender saw when asking.
    pub from: ReportStatus,
    /// The status asked for.
    pub to: ReportStatus,
}

impl ReportStatusChange {
    /// Checks the change against `current`, the status the server holds:
    /// refused when the transition is not allowed, or when someone changed
    /// the status since the sender saw it. A change already made (`current`
    /// is the status asked for) is accepted as it is, so a retried request is
    /// harmless. Returns the new status.
    pub fn apply_to(&self, current: ReportStatus) -> Result<ReportStatus, ReportError> {
        transition(self.from, self.to)?;
        if current == self.to {
            return Ok(current);
        }
        if current != self.from {
            return Err(ReportError::StatusChanged {
                expected: self.from,
                current,
            });
        }
        Ok(self.to)
    }
}
