//! Ward reports: edits and their outbox entries, merging, approval, the report
//! clock, refusals and renumbering.

use thamgia::storage::{Refusal, StorageError, Store, StoredReport};
use thamgia_core::protocol::{Change, ChangeEntity, Mutation, MutationChange};
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportError, ReportId, ReportStatus,
    ReportStatusChange, Stamp,
};
use thamgia_core::{Localized, MutationOutcome};
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// A tablet's time in the tests: 2025-06-15, in ms since the epoch.
pub(crate) const NOW_MS: i64 = 1_750_000_000_000;

pub(crate) fn report_id() -> ReportId {
    ReportId::new("00004", Period::quarter(2025, 2).expect("a valid quarter"))
        .expect("a valid report id")
}

/// An edit of indicator 4.1's value made on another tablet (`client`) at
/// `wall_ms`, as the town hall publishes it.
pub(crate) fn remote_value_edit(client: u128, wall_ms: i64, value: f64, author: &str) -> FieldEdit {
    FieldEdit {
        report_id: report_id(),
        field: FieldKey::value("4.1"),
        content: FieldContent::Number(value),
        stamp: Stamp {
            hlc: Hlc::new(wall_ms, 0),
            client_id: Uuid::from_u128(client),
        },
        author: author.to_owned(),
        sent_as: None,
    }
}

pub(crate) fn edited(seq: u64, edit: FieldEdit) -> Change {
    Change {
        seq,
        entity: ChangeEntity::ReportFieldEdited { edit },
    }
}

pub(crate) fn status_changed(seq: u64, status: ReportStatus) -> Change {
    Change {
        seq,
        entity: ChangeEntity::ReportStatusChanged {
            report_id: report_id(),
            status,
        },
    }
}

/// The content shown in indicator 4.1's value field.
pub(crate) fn shown_value(report: &StoredReport) -> Option<FieldContent> {
    report
        .fields
        .get(&FieldKey::value("4.1"))
        .map(|state| state.content().clone())
}

#[wasm_bindgen_test]
async fn a_report_edit_writes_the_report_and_its_outbox_entry_together_and_survives_reopening() {
    let name = unique_database_name("report-edit");
    let (client_id, first, second) = {
        let store = Store::open(&name).await.expect("open");
        let client_id = store.sync_meta().await.expect("meta").client_id;
        let first = store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Number(31.5),
                "Chị Lan".to_owned(),
                NOW_MS,
            )
            .await
            .expect("edit the value");
        let second = store
            .edit_report_field(
                &report_id(),
                FieldKey::note("4.1"),
                FieldContent::Text("Số liệu từ trường THCS Nguyễn Du".to_owned()),
                "Chị Lan".to_owned(),
                NOW_MS,
            )
            .await
            .expect("edit the note");
        (client_id, first, second)
    };
    // Stamped by this install's clock: the second reading in the same
    // millisecond moves the counter on.
    assert_eq!(
        first.stamp,
        Stamp {
            hlc: Hlc::new(NOW_MS, 0),
            client_id
        }
    );
    assert_eq!(second.stamp.hlc, Hlc::new(NOW_MS, 1));

    let store = Store::open(&name).await.expect("open again");
    let report = store.report(&report_id()).await.expect("read the report");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(31.5)));
    assert_eq!(
        report
            .fields
            .get(&FieldKey::note("4.1"))
            .map(|state| state.winner.clone()),
        Some(second.clone())
    );
    assert_eq!(report.status, ReportStatus::Draft);
    assert_eq!(report.pending_status, None);
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                Mutation {
                    seq: 1,
                    change: MutationChange::EditReportField {
                        edit: first.clone()
                    },
                },
                Mutation {
                    seq: 2,
                    change: MutationChange::EditReportField { edit: second },
                },
            ],
            2
        )
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);

    // Text in a value field is refused, and nothing is written.
    assert!(matches!(
        store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Text("ba mươi".to_owned()),
                "Chị Lan".to_owned(),
                NOW_MS,
            )
            .await,
        Err(StorageError::Refused(Refusal::Report(
            ReportError::NumberExpected { .. }
        )))
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 2);
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);

    // A report nobody edited reads as an empty draft.
    let other =
        ReportId::new("00004", Period::whole_year(2025).expect("a year")).expect("a report id");
    assert_eq!(
        store.report(&other).await.expect("read"),
        StoredReport::empty(other.clone())
    );

    // The town hall's copy of our own edit, its stamp bounded on receipt, is
    // kept beside it but is not shown as a conflict: same content.
    let mut bounded = first.clone();
    bounded.stamp.hlc.wall_ms -= 60_000;
    store
        .apply_pull(&[edited(7, bounded)], 7)
        .await
        .expect("apply pull");
    let report = store.report(&report_id()).await.expect("read");
    let state = report
        .fields
        .get(&FieldKey::value("4.1"))
        .expect("the value field");
    assert_eq!(state.winner, first);
    assert_eq!(state.others.len(), 1);
    assert_eq!(state.conflicting().count(), 0);
}

#[wasm_bindgen_test]
async fn two_tablets_edits_of_one_field_merge_the_same_in_either_order() {
    let lan = remote_value_edit(0xA, NOW_MS, 30.0, "Chị Lan");
    let minh = remote_value_edit(0xB, NOW_MS + 5_000, 42.0, "Anh Minh");

    let one = Store::open(&unique_database_name("merge-one"))
        .await
        .expect("open");
    one.apply_pull(&[edited(1, lan.clone()), edited(2, minh.clone())], 2)
        .await
        .expect("apply pull");
    let other = Store::open(&unique_database_name("merge-other"))
        .await
        .expect("open");
    // The other order, over two pages, and the first page replayed.
    other
        .apply_pull(&[edited(2, minh.clone())], 2)
        .await
        .expect("apply pull");
    other
        .apply_pull(&[edited(1, lan.clone())], 2)
        .await
        .expect("apply pull");
    other
        .apply_pull(&[edited(2, minh.clone())], 2)
        .await
        .expect("apply the replay");

    let merged = one.report(&report_id()).await.expect("read");
    assert_eq!(other.report(&report_id()).await.expect("read"), merged);
    let state = merged
        .fields
        .get(&FieldKey::value("4.1"))
        .expect("the value field");
    // The later stamp is shown; the loser is kept, once, and is a conflict.
    assert_eq!(state.winner, minh);
    assert_eq!(state.others, vec![lan.clone()]);
    assert_eq!(state.conflicting().collect::<Vec<_>>(), vec![&lan]);
    // Pulling changes queues nothing.
    assert_eq!(one.read_outbox(10).await.expect("read").1, 0);
}

#[wasm_bindgen_test]
async fn an_approved_report_refuses_edits_and_status_changes_wait_for_the_town_hall() {
    let store = Store::open(&unique_database_name("report-status"))
        .await
        .expect("open");
    store
        .edit_report_field(
            &report_id(),
            FieldKey::narrative(),
            FieldContent::Text("Quý này phường tổ chức 3 diễn đàn trẻ em.".to_owned()),
            String::new(),
            NOW_MS,
        )
        .await
        .expect("edit");

    // Submitting queues the change from the status held here, and the
    // status waits for the town hall; a double tap queues nothing more.
    store
        .change_report_status(&report_id(), ReportStatus::Submitted)
        .await
        .expect("submit");
    store
        .change_report_status(&report_id(), ReportStatus::Submitted)
        .await
        .expect("submit again");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(report.status, ReportStatus::Draft);
    assert_eq!(report.pending_status, Some(ReportStatus::Submitted));
    let (mutations, total) = store.read_outbox(10).await.expect("read the outbox");
    assert_eq!(total, 2);
    assert_eq!(
        mutations[1],
        Mutation {
            seq: 2,
            change: MutationChange::ChangeReportStatus {
                change: ReportStatusChange {
                    report_id: report_id(),
                    from: ReportStatus::Draft,
                    to: ReportStatus::Submitted,
                },
            },
        }
    );
    // A draft cannot be approved.
    assert!(matches!(
        store
            .change_report_status(&report_id(), ReportStatus::Approved)
            .await,
        Err(StorageError::Refused(Refusal::Report(
            ReportError::TransitionNotAllowed { .. }
        )))
    ));

    // The town hall's answers come back by pull.
    store
        .apply_pull(&[status_changed(1, ReportStatus::Submitted)], 1)
        .await
        .expect("apply pull");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(report.status, ReportStatus::Submitted);
    assert_eq!(report.pending_status, None);
    // A submitted report can still be edited.
    store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(33.0),
            String::new(),
            NOW_MS + 1,
        )
        .await
        .expect("edit a submitted report");

    store
        .apply_pull(&[status_changed(2, ReportStatus::Approved)], 2)
        .await
        .expect("apply pull");
    let before = store.report(&report_id()).await.expect("read");
    assert_eq!(before.status, ReportStatus::Approved);
    assert!(before.is_locked());
    let outbox_before = store.read_outbox(10).await.expect("read").1;
    let next_seq_before = store.sync_meta().await.expect("meta").next_seq;

    let refused = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(50.0),
            String::new(),
            NOW_MS + 2,
        )
        .await;
    assert!(matches!(
        refused,
        Err(StorageError::Refused(Refusal::ReportLocked))
    ));
    let message = Refusal::ReportLocked.message();
    assert!(message.vi.contains("đã được duyệt") && message.en.contains("approved"));
    // Nothing was written: not the report, not the outbox, not the counter.
    assert_eq!(store.report(&report_id()).await.expect("read"), before);
    assert_eq!(store.read_outbox(10).await.expect("read").1, outbox_before);
    assert_eq!(
        store.sync_meta().await.expect("meta").next_seq,
        next_seq_before
    );
    // Nor can an approved report move.
    assert!(matches!(
        store
            .change_report_status(&report_id(), ReportStatus::Draft)
            .await,
        Err(StorageError::Refused(Refusal::Report(
            ReportError::TransitionNotAllowed { .. }
        )))
    ));
}

#[wasm_bindgen_test]
async fn a_queued_approval_locks_the_report_here_too() {
    let store = Store::open(&unique_database_name("report-approval-queued"))
        .await
        .expect("open");
    store
        .apply_pull(&[status_changed(1, ReportStatus::Submitted)], 1)
        .await
        .expect("apply pull");
    store
        .change_report_status(&report_id(), ReportStatus::Approved)
        .await
        .expect("approve");
    // The town hall will apply the approval first and refuse any edit
    // queued after it, so the edit is refused here already.
    assert!(matches!(
        store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Number(1.0),
                String::new(),
                NOW_MS,
            )
            .await,
        Err(StorageError::Refused(Refusal::ReportLocked))
    ));
    assert_eq!(store.read_outbox(10).await.expect("read").1, 1);
}

#[wasm_bindgen_test]
async fn the_report_clock_survives_reopening_and_follows_what_it_saw() {
    let name = unique_database_name("report-clock");
    let before = {
        let store = Store::open(&name).await.expect("open");
        store
            .edit_report_field(
                &report_id(),
                FieldKey::value("4.1"),
                FieldContent::Number(10.0),
                String::new(),
                NOW_MS,
            )
            .await
            .expect("edit")
    };

    // After a reload, with the tablet's clock set back an hour, the next
    // edit still sorts after the last one.
    let store = Store::open(&name).await.expect("open again");
    let after_reopen = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(11.0),
            String::new(),
            NOW_MS - 3_600_000,
        )
        .await
        .expect("edit after reopening");
    assert!(after_reopen.stamp > before.stamp);
    assert_eq!(after_reopen.stamp.hlc, Hlc::new(NOW_MS, 1));
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(11.0)));

    // An edit pulled from a colleague whose clock is ahead (within what the
    // town hall allows) is observed: the next edit here sorts after it and
    // so wins, as the later edit should.
    let colleague = remote_value_edit(0xC, NOW_MS + 120_000, 12.0, "Anh Minh");
    store
        .apply_pull(&[edited(3, colleague.clone())], 3)
        .await
        .expect("apply pull");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(12.0)));
    let next = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(13.0),
            String::new(),
            NOW_MS + 1,
        )
        .await
        .expect("edit after the pull");
    assert!(next.stamp.hlc > colleague.stamp.hlc);
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(shown_value(&report), Some(FieldContent::Number(13.0)));
}

#[wasm_bindgen_test]
async fn a_refused_report_change_is_kept_and_its_reason_shown() {
    let store = Store::open(&unique_database_name("report-refused"))
        .await
        .expect("open");
    let edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            "Chị Lan".to_owned(),
            NOW_MS,
        )
        .await
        .expect("edit");
    store
        .change_report_status(&report_id(), ReportStatus::Submitted)
        .await
        .expect("submit");
    let locked = Localized::new("Báo cáo đã được duyệt", "The report is approved");
    let overtaken = Localized::new("Trạng thái đã đổi", "The status changed");

    store
        .apply_push_results(
            2,
            &[
                result(
                    1,
                    MutationOutcome::Rejected {
                        code: thamgia_core::RefusalCode::ReportLocked,
                        message: locked.clone(),
                    },
                ),
                result(
                    2,
                    MutationOutcome::Rejected {
                        code: thamgia_core::RefusalCode::ReportStatusRefused,
                        message: overtaken.clone(),
                    },
                ),
            ],
        )
        .await
        .expect("apply the push results");

    let report = store.report(&report_id()).await.expect("read");
    // The refused edit is still shown here, with the reason beside it.
    assert_eq!(
        report
            .fields
            .get(&FieldKey::value("4.1"))
            .map(|state| state.winner.clone()),
        Some(edit)
    );
    assert_eq!(report.last_rejection, Some(overtaken));
    // The refused status change is no longer pending.
    assert_eq!(report.pending_status, None);
    assert_eq!(store.read_outbox(10).await.expect("read").1, 0);

    store
        .dismiss_report_rejection(&report_id())
        .await
        .expect("dismiss");
    let report = store.report(&report_id()).await.expect("read");
    assert_eq!(report.last_rejection, None);
    assert_eq!(shown_value(&report), Some(FieldContent::Number(31.0)));

    // An accepted edit changes nothing here: its copy comes back by pull.
    store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(32.0),
            "Chị Lan".to_owned(),
            NOW_MS,
        )
        .await
        .expect("edit");
    let before = store.report(&report_id()).await.expect("read");
    store
        .apply_push_results(3, &[result(3, MutationOutcome::Applied)])
        .await
        .expect("apply the push results");
    assert_eq!(store.report(&report_id()).await.expect("read"), before);
}

#[wasm_bindgen_test]
async fn renumbering_keeps_report_edits_in_order() {
    let store = Store::open(&unique_database_name("report-renumber"))
        .await
        .expect("open");
    let response = completed(1, 0);
    store.complete_response(&response).await.expect("complete");
    let edit = store
        .edit_report_field(
            &report_id(),
            FieldKey::value("4.1"),
            FieldContent::Number(31.0),
            String::new(),
            NOW_MS,
        )
        .await
        .expect("edit");
    store
        .apply_push_results(1, &[result(1, MutationOutcome::Applied)])
        .await
        .expect("apply");

    store
        .renumber_outbox(Uuid::from_u128(0xC1E27))
        .await
        .expect("renumber");

    // The edit still waiting is renumbered (not queued twice); the response
    // the server had acknowledged is queued again after it.
    assert_eq!(
        store.read_outbox(10).await.expect("read the outbox"),
        (
            vec![
                Mutation {
                    seq: 1,
                    change: MutationChange::EditReportField { edit },
                },
                submit(2, &response)
            ],
            2
        )
    );
    assert_eq!(store.sync_meta().await.expect("meta").next_seq, 3);
}
