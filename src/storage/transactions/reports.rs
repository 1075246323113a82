//! Ward reports: a field edited (stamped by this install's clock and
//! queued), a status change asked for, a report read, and its last refusal
//! dismissed.

use indexed_db_futures::database::Database;
use indexed_db_futures::transaction::TransactionDurability;
use thamgia_core::protocol::MutationChange;
use thamgia_core::report::{
    transition, FieldContent, FieldEdit, FieldKey, HlcClock, ReportId, ReportStatus,
    ReportStatusChange, Stamp,
};

use super::{
    commit, enqueue, read_only, read_or_create_meta, read_report, read_write, write_meta,
    write_report,
};
use crate::storage::connection::{META, OUTBOX, REPORTS};
use crate::storage::error::{Refusal, StorageError};
use crate::storage::StoredReport;

pub(in crate::storage) async fn edit_report_field(
    database: &Database,
    report_id: &ReportId,
    field: FieldKey,
    content: FieldContent,
    author: String,
    now_ms: i64,
) -> Result<FieldEdit, StorageError> {
    let transaction = read_write(
        database,
        &[META, REPORTS, OUTBOX],
        TransactionDurability::Strict,
    )?;
    let edit = {
        let meta = transaction.object_store(META)?;
        let reports = transaction.object_store(REPORTS)?;
        let outbox = transaction.object_store(OUTBOX)?;

        let mut report = read_report(&reports, report_id).await?;
        if report.is_locked() {
            return Err(Refusal::ReportLocked.into());
        }
        let mut record = read_or_create_meta(&meta).await?;
        let mut clock = HlcClock::resume(record.clock);
        let edit = FieldEdit {
            report_id: report_id.clone(),
            field,
            content,
            stamp: Stamp {
                hlc: clock.tick(now_ms),
                client_id: record.client_id,
            },
            author,
            sent_as: None,
        };
        edit.validate()?;
        report.fields.apply(edit.clone())?;
        write_report(&reports, &report).await?;
        enqueue(
            &outbox,
            &meta,
            &mut record,
            MutationChange::EditReportField { edit: edit.clone() },
        )
        .await?;
        record.clock = clock.last();
        write_meta(&meta, &record).await?;
        edit
    };
    commit(transaction).await?;
    Ok(edit)
}

pub(in crate::storage) async fn change_report_status(
    database: &Database,
    report_id: &ReportId,
    to: ReportStatus,
) -> Result<(), StorageError> {
    let transaction = read_write(
        database,
        &[META, REPORTS, OUTBOX],
        TransactionDurability::Strict,
    )?;
    {
        let meta = transaction.object_store(META)?;
        let reports = transaction.object_store(REPORTS)?;
        let outbox = transaction.object_store(OUTBOX)?;

        let mut report = read_report(&reports, report_id).await?;
        if report.pending_status == Some(to) {
            // Asked already (a double tap): it is queued, nothing to add.
            return Ok(());
        }
        let from = report.status;
        transition(from, to)?;
        let mut record = read_or_create_meta(&meta).await?;
        enqueue(
            &outbox,
            &meta,
            &mut record,
            MutationChange::ChangeReportStatus {
                change: ReportStatusChange {
                    report_id: report_id.clone(),
                    from,
                    to,
                },
            },
        )
        .await?;
        report.pending_status = Some(to);
        write_report(&reports, &report).await?;
        write_meta(&meta, &record).await?;
    }
    commit(transaction).await
}

pub(in crate::storage) async fn report(
    database: &Database,
    report_id: &ReportId,
) -> Result<StoredReport, StorageError> {
    let transaction = read_only(database, &[REPORTS])?;
    let reports = transaction.object_store(REPORTS)?;
    read_report(&reports, report_id).await
}

pub(in crate::storage) async fn dismiss_report_rejection(
    database: &Database,
    report_id: &ReportId,
) -> Result<(), StorageError> {
    let transaction = read_write(database, &[REPORTS], TransactionDurability::Default)?;
    {
        let reports = transaction.object_store(REPORTS)?;
        let mut report = read_report(&reports, report_id).await?;
        if report.last_rejection.is_none() {
            return Ok(());
        }
        report.last_rejection = None;
        write_report(&reports, &report).await?;
    }
    commit(transaction).await
}
