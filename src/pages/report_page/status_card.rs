//! The report's status, what waits for the town hall, and why a change was
//! refused.

use leptos::prelude::*;
use thamgia_core::report::ReportStatus;
use thamgia_core::Localized;

use super::{status_name, ReportCommand};
use crate::state::use_app;
use crate::storage::StoredReport;

/// The report's status, what waits for the town hall, and why a change was
/// refused.
#[component]
pub(super) fn StatusCard(
    report: Memo<Option<StoredReport>>,
    write: Action<ReportCommand, Result<(), Localized>>,
) -> impl IntoView {
    let app = use_app();
    let status = Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .map(|report| (report.status, report.pending_status))
        })
    });
    let rejection = Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .and_then(|report| report.last_rejection.clone())
        })
    });
    view! {
        <section class="card report-status-card">
            {move || status.get().map(|(stored, pending)| {
                let shown = match pending {
                    Some(asked) => (app.texts().report_pending)(&app.pick(&asked.label())),
                    None => app.pick(&stored.label()),
                };
                view! {
                    <p>
                        {app.texts().report_status} ": "
                        <span
                            class=format!("report-status report-status--{}", status_name(stored))
                            data-test="report-status"
                            data-status=status_name(stored)
                            data-pending=pending.map(status_name).unwrap_or_default()
                        >
                            {shown}
                        </span>
                    </p>
                    {stored.is_locked().then(|| view! {
                        <p class="notice notice--info" data-test="report-locked">{app.texts().report_locked}</p>
                    })}
                    {(pending == Some(ReportStatus::Approved)).then(|| view! {
                        <p class="notice notice--info">{app.texts().report_approval_pending}</p>
                    })}
                }
            })}
            {move || rejection.get().map(|message| view! {
                <div class="notice notice--error" role="alert" data-test="report-rejection">
                    <p>{app.texts().report_rejected} " " {app.pick(&message)}</p>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        on:click=move |_| {
                            write.dispatch_local(ReportCommand::DismissRejection);
                        }
                    >
                        {app.texts().report_dismiss}
                    </button>
                </div>
            })}
        </section>
    }
}
