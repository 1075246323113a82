//! The buttons that move a report along its life.

use leptos::prelude::*;
use thamgia_core::indicator::Catalogue;
use thamgia_core::report::{progress, ReportStatus};
use thamgia_core::Localized;

use super::ReportCommand;
use crate::state::use_app;
use crate::storage::StoredReport;

/// The buttons that move the report along its life.
#[component]
pub(super) fn StatusActions(
    report: Memo<Option<StoredReport>>,
    write: Action<ReportCommand, Result<(), Localized>>,
    catalogue: StoredValue<Catalogue>,
) -> impl IntoView {
    let app = use_app();
    let status = Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .map(|report| (report.status, report.pending_status))
        })
    });
    let change = move |to: ReportStatus| {
        write.dispatch_local(ReportCommand::ChangeStatus(to));
    };
    // Submitting with empty indicators asks first, naming them.
    let submit = move || {
        let question = report.with_untracked(|report| {
            report.as_ref().and_then(|report| {
                catalogue
                    .with_value(|catalogue| progress(catalogue, &report.fields).submit_question())
            })
        });
        if let Some(question) = question {
            let confirmed = window()
                .confirm_with_message(&app.pick(&question))
                .unwrap_or(false);
            if !confirmed {
                return;
            }
        }
        change(ReportStatus::Submitted);
    };
    move || {
        let texts = app.texts();
        match status.get() {
            // Nothing to do while the town hall has not answered, nor once
            // the report is approved.
            None | Some((_, Some(_))) | Some((ReportStatus::Approved, None)) => ().into_any(),
            Some((ReportStatus::Draft, None)) => view! {
                <div class="actions report-actions">
                    <button
                        type="button"
                        class="btn btn-primary btn-large"
                        data-test="submit-report"
                        on:click=move |_| submit()
                    >
                        {texts.report_submit}
                    </button>
                </div>
            }
            .into_any(),
            // A submitted report waits for the city officer.
            Some((ReportStatus::Submitted, None)) if !app.is_city_officer() => ().into_any(),
            // Sending back and approving are the city officer's.
            Some((ReportStatus::Submitted, None)) => view! {
                <div class="actions report-actions">
                    <span class="muted">{texts.report_officer_actions}</span>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-test="send-back-report"
                        on:click=move |_| change(ReportStatus::Draft)
                    >
                        {texts.report_send_back}
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-test="approve-report"
                        on:click=move |_| change(ReportStatus::Approved)
                    >
                        {texts.report_approve}
                    </button>
                </div>
            }
            .into_any(),
        }
    }
}
