//! [`Store`]'s operations on ward reports: field edits, status changes,
//! and reading a report. Each runs one transaction of
//! `transactions/reports.rs`.

use thamgia_core::report::{FieldContent, FieldEdit, FieldKey, ReportId, ReportStatus};

use super::{transactions, StorageError, Store, StoredReport};

impl Store {
    /// Edits one field of a ward report, in one strict transaction over the
    /// meta record, the report and the outbox: takes the next reading of this
    /// install's hybrid logical clock, stamps the edit with it and the client
    /// id, merges the edit into the stored report (creating the report on
    /// its first edit), queues an `EditReportField` mutation with the next
    /// seq, and stores the clock and the seq counter. Returns the edit.
    ///
    /// `now_ms` is the tablet's time (the clock never goes back even if it
    /// does); `author` is the name shown beside the value, and may be empty.
    ///
    /// # Errors
    ///
    /// [`Refusal::ReportLocked`](super::Refusal::ReportLocked) when the report is approved, or its
    /// approval is queued here; [`Refusal::Report`](super::Refusal::Report) when the content
    /// does not fit the field (text for a value, a number that is not
    /// finite). Then nothing was written.
    pub async fn edit_report_field(
        &self,
        report_id: &ReportId,
        field: FieldKey,
        content: FieldContent,
        author: String,
        now_ms: i64,
    ) -> Result<FieldEdit, StorageError> {
        self.run(move |database| {
            let field = field.clone();
            let content = content.clone();
            let author = author.clone();
            async move {
                transactions::edit_report_field(
                    &database, report_id, field, content, author, now_ms,
                )
                .await
            }
        })
        .await
    }

    /// Asks the town hall to move a report to `to`, in one strict
    /// transaction: checks the move from the status held here
    /// (`thamgia_core::report::transition`), queues a `ChangeReportStatus`
    /// mutation from that status, and records `to` as the report's
    /// [`StoredReport::pending_status`].
    ///
    /// The status itself does **not** change here: the town hall decides,
    /// checking the change against the status it holds, and its
    /// `ReportStatusChanged` comes back by pull. Meanwhile the page shows
    /// "submitted, waiting for the town hall". Asking again for the status
    /// already pending is harmless and queues nothing.
    ///
    /// # Errors
    ///
    /// [`Refusal::Report`](super::Refusal::Report) when the report's life does not allow the
    /// move from its current status. Then nothing was written.
    pub async fn change_report_status(
        &self,
        report_id: &ReportId,
        to: ReportStatus,
    ) -> Result<(), StorageError> {
        self.run(move |database| async move {
            transactions::change_report_status(&database, report_id, to).await
        })
        .await
    }

    /// One ward report; an empty draft when nobody edited it yet.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn report(&self, report_id: &ReportId) -> Result<StoredReport, StorageError> {
        self.run(move |database| async move { transactions::report(&database, report_id).await })
            .await
    }

    /// Forgets the report's [`StoredReport::last_rejection`] once the officer
    /// has read it. The refused edits themselves stay in the report's history.
    ///
    /// # Errors
    ///
    /// Any [`StorageError`] from IndexedDB.
    pub async fn dismiss_report_rejection(&self, report_id: &ReportId) -> Result<(), StorageError> {
        self.run(move |database| async move {
            transactions::dismiss_report_rejection(&database, report_id).await
        })
        .await
    }
}
