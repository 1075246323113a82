//! Ward reports: periods, fields, and the rules by which several officers'
//! offline edits of one report merge.
//!
//! A ward files one report per period ([`ReportId`] = ward code + [`Period`],
//! "00004:2026-Q3"). Several officers fill it in at once, each on their own
//! tablet and often offline, so the report is not one document that the last
//! writer overwrites: every field — an indicator's value, note or evidence,
//! or the narrative ([`FieldKey`]) — merges on its own.
//!
//! # The merge rules
//!
//! - Every edit of a field is a [`FieldEdit`] carrying a [`Stamp`]: the
//!   editing tablet's hybrid logical clock reading ([`Hlc`], from
//!   [`HlcClock::tick`]) and its `client_id`.
//! - The field shows the edit with the largest stamp, compared by `hlc`
//!   (wall time, then counter) and then by `client_id`. A removal
//!   ([`FieldContent::Cleared`]) is an edit like any other, so a value
//!   cleared after it was entered stays cleared everywhere.
//! - Nothing is thrown away: the edits that lost stay in
//!   [`FieldState::others`], oldest first, each once, for the audit trail and
//!   for "also entered by … at …". [`FieldState::conflicting`] gives the ones
//!   whose content differs from what is shown.
//! - A field's state is therefore just the set of distinct edits seen, and
//!   [`merge`] adds one edit to it. Set union is commutative, associative and
//!   idempotent, so every replica that has seen the same edits — in any
//!   order, in any grouping, any number of times — holds the same
//!   [`ReportFields`], `others` included.
//! - A stamp identifies one edit: a clock never gives a reading twice, and
//!   the `client_id` is unique per install. Should two different edits ever
//!   carry one stamp (a restored backup, or [`bound`] clamping two edits of a
//!   far-ahead tablet to the same reading), both are kept and the winner is
//!   picked by content, then author, so all replicas still agree.
//! - A tablet whose clock runs ahead would win every field until real time
//!   caught up. The server therefore [`bound`]s every edit **once, on
//!   receipt**, to its own time plus [`MAX_CLOCK_AHEAD_MS`], and stores the
//!   bounded edit: every replica only ever sees the bounded stamp, so they
//!   all still agree, and a colleague editing more than five minutes later
//!   wins as they should.
//!
//! The status ([`ReportStatus`]) does not merge: the server holds it, and
//! [`transition`] and [`ReportStatusChange::apply_to`] check each change.
//! Approval locks the report ([`ReportStatus::ensure_editable`]).

mod calendar;
mod clock;
mod field;
mod merge;
mod period;
mod progress;
mod status;

#[cfg(test)]
mod tests;

use crate::localized::Localized;

pub use calendar::PeriodLength;
pub use clock::{Hlc, HlcClock, Stamp};
pub use field::{FieldContent, FieldEdit, FieldKey};
pub use merge::{bound, merge, FieldState, ReportFields, MAX_CLOCK_AHEAD_MS};
pub use period::{Period, PeriodKind, ReportId};
pub use progress::{nothing_filled, progress, GroupProgress, ReportProgress};
pub use status::{transition, ReportStatus, ReportStatusChange};

/// Why a report, a field edit or a status change is refused. Every variant
/// has a sentence in Vietnamese and English ([`ReportError::message`]) that
/// says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A period key that is not "2026-Q3", "2026-H2" or "2026".
    InvalidPeriod {
        /// The key as given.
        key: String,
    },
    /// A report id that is not "<ward code>:<period key>".
    InvalidReportId {
        /// The id as given.
        id: String,
    },
    /// A field key that names no field of a report.
    InvalidFieldKey {
        /// The key as given.
        key: String,
    },
    /// Something other than a finite number (or a removal) for an indicator
    /// value.
    NumberExpected {
        /// The field concerned.
        field: FieldKey,
    },
    /// Something other than text (or a removal) for a note, evidence or the
    /// narrative.
    TextExpected {
        /// The field concerned.
        field: FieldKey,
    },
    /// A text or an author's name longer than [`crate::limits`] allow.
    TooLong {
        /// The field concerned.
        field: FieldKey,
    },
    /// An edit or replica of another report than the one it was merged into.
    WrongReport {
        /// The report merged into.
        expected: ReportId,
        /// The report the edit belongs to.
        found: ReportId,
    },
    /// A status change the report's life does not allow.
    TransitionNotAllowed {
        /// The status the report had.
        from: ReportStatus,
        /// The status asked for.
        to: ReportStatus,
    },
    /// Someone changed the report's status since the sender saw it.
    StatusChanged {
        /// The status the sender saw.
        expected: ReportStatus,
        /// The status the report has now.
        current: ReportStatus,
    },
    /// The report is approved and can no longer be edited.
    Locked,
}

impl ReportError {
    /// The refusal code of a change refused for this error.
    pub fn code(&self) -> crate::RefusalCode {
        match self {
            ReportError::Locked => crate::RefusalCode::ReportLocked,
            ReportError::TransitionNotAllowed { .. } | ReportError::StatusChanged { .. } => {
                crate::RefusalCode::ReportStatusRefused
            }
            ReportError::InvalidPeriod { .. }
            | ReportError::InvalidReportId { .. }
            | ReportError::InvalidFieldKey { .. }
            | ReportError::NumberExpected { .. }
            | ReportError::TextExpected { .. }
            | ReportError::TooLong { .. }
            | ReportError::WrongReport { .. } => crate::RefusalCode::InvalidRecord,
        }
    }

    /// What happened and what to do, in Vietnamese and English.
    pub fn message(&self) -> Localized {
        match self {
            ReportError::InvalidPeriod { key } => Localized::new(
                format!(
                    "Kỳ báo cáo “{key}” không hợp lệ. Hãy dùng dạng 2026-Q3 (quý), \
                     2026-H2 (6 tháng) hoặc 2026 (năm)."
                ),
                format!(
                    "The report period “{key}” is not valid. Use 2026-Q3 (a quarter), \
                     2026-H2 (a half year) or 2026 (a year)."
                ),
            ),
            ReportError::InvalidReportId { id } => Localized::new(
                format!(
                    "Mã báo cáo “{id}” không hợp lệ. Mã gồm mã phường/xã và kỳ báo cáo, \
                     ví dụ 00004:2026-Q3."
                ),
                format!(
                    "The report id “{id}” is not valid. It is the ward or commune code \
                     and the period, for example 00004:2026-Q3."
                ),
            ),
            ReportError::InvalidFieldKey { key } => Localized::new(
                format!("Báo cáo không có mục “{key}”. Hãy cập nhật ứng dụng rồi đồng bộ lại."),
                format!("A report has no field “{key}”. Update the app, then sync again."),
            ),
            ReportError::NumberExpected { field } => Localized::new(
                format!(
                    "Giá trị chỉ tiêu ({field}) phải là một số. Hãy nhập một số hoặc để trống."
                ),
                format!(
                    "An indicator value ({field}) must be a number. Enter a number or \
                     clear the field."
                ),
            ),
            ReportError::TextExpected { field } => Localized::new(
                format!("Mục “{field}” phải là văn bản. Hãy nhập chữ hoặc để trống."),
                format!("The field “{field}” must be text. Enter text or clear the field."),
            ),
            ReportError::TooLong { field } => Localized::new(
                format!(
                    "Mục “{field}” quá dài (tối đa {} ký tự, tên người nhập tối đa {}). Hãy rút gọn rồi lưu lại.",
                    crate::limits::MAX_TEXT_CHARS,
                    crate::limits::MAX_LINE_CHARS
                ),
                format!(
                    "The field “{field}” is too long (at most {} characters, the author's name at most {}). Shorten it and save again.",
                    crate::limits::MAX_TEXT_CHARS,
                    crate::limits::MAX_LINE_CHARS
                ),
            ),
            ReportError::WrongReport { expected, found } => Localized::new(
                format!(
                    "Thay đổi này thuộc báo cáo {found}, không phải báo cáo {expected}. \
                     Hãy đồng bộ lại; nếu lỗi vẫn còn, hãy báo cho quản trị viên."
                ),
                format!(
                    "This change belongs to report {found}, not to report {expected}. \
                     Sync again; if the error stays, tell the administrator."
                ),
            ),
            ReportError::TransitionNotAllowed { from, to } => {
                let (from, to) = (from.label(), to.label());
                Localized::new(
                    format!(
                        "Không thể chuyển báo cáo từ “{}” sang “{}”. Bản nháp được nộp; \
                         báo cáo đã nộp được duyệt hoặc trả lại để sửa; báo cáo đã duyệt \
                         thì bị khoá.",
                        from.vi, to.vi
                    ),
                    format!(
                        "A report cannot go from “{}” to “{}”. A draft is submitted; a \
                         submitted report is approved or sent back for changes; an \
                         approved report is locked.",
                        from.en, to.en
                    ),
                )
            }
            ReportError::StatusChanged { current, .. } => {
                let current = current.label();
                Localized::new(
                    format!(
                        "Trong lúc đó, báo cáo đã được chuyển sang “{}”. Hãy đồng bộ, \
                         xem lại báo cáo rồi thử lại.",
                        current.vi
                    ),
                    format!(
                        "Meanwhile the report was moved to “{}”. Sync, review the report, \
                         then try again.",
                        current.en
                    ),
                )
            }
            ReportError::Locked => Localized::new(
                "Báo cáo đã được duyệt và bị khoá nên không thể sửa. Nếu cần sửa, hãy liên \
                 hệ cán bộ thành phố.",
                "This report has been approved and is locked, so it cannot be edited. If it \
                 must change, contact the town hall.",
            ),
        }
    }
}

impl std::fmt::Display for ReportError {
    /// Both languages: "vi / en".
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.message())
    }
}
