//! The report of one ward and period, once read from the tablet: what was
//! typed is saved after a pause, when the box is left, or when the page is.

use leptos::prelude::*;
use thamgia_core::indicator::Catalogue;
use thamgia_core::report::{FieldContent, FieldKey, ReportId};
use thamgia_core::sync_client::Trigger;

use super::report_body::ReportBody;
use super::status_actions::StatusActions;
use super::status_card::StatusCard;
use super::{FieldCallbacks, ReportCommand, Unsaved, TYPING_PAUSE};
use crate::components::loaded::Loading;
use crate::platform;
use crate::state::use_app;
use crate::storage::StoredReport;

/// The report of one ward and period, once read from the tablet.
#[component]
pub(super) fn ReportForm(
    report_id: ReportId,
    author: RwSignal<String>,
    catalogue: StoredValue<Catalogue>,
) -> impl IntoView {
    let app = use_app();
    let year = report_id.period().year();
    let report_id = StoredValue::new(report_id);
    // Reread after every local change and every pull (both bump the data
    // revision); the previous value stays on show while rereading, so the
    // inputs are never rebuilt and never lose what is being typed.
    let loaded = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        let report_id = report_id.get_value();
        async move {
            store
                .report(&report_id)
                .await
                .map_err(|error| error.message())
        }
    });
    // The report as last read successfully.
    let report = Memo::new(
        move |previous: Option<&Option<StoredReport>>| match loaded.get() {
            Some(Ok(report)) => Some(report),
            _ => previous.cloned().flatten(),
        },
    );
    let load_error = Memo::new(move |_| loaded.get().and_then(Result::err));
    let locked = Signal::derive(move || {
        report.with(|report| report.as_ref().is_some_and(StoredReport::is_locked))
    });

    let write = Action::new_local(move |command: &ReportCommand| {
        let command = command.clone();
        let store = app.store();
        let report_id = report_id.get_value();
        async move {
            let written = match command {
                ReportCommand::Edit {
                    field,
                    content,
                    author,
                } => store
                    .edit_report_field(&report_id, field, content, author, platform::now_ms())
                    .await
                    .map(|_| true),
                ReportCommand::ChangeStatus(to) => store
                    .change_report_status(&report_id, to)
                    .await
                    .map(|()| true),
                ReportCommand::DismissRejection => store
                    .dismiss_report_rejection(&report_id)
                    .await
                    .map(|()| false),
            };
            // Reread either way: a refusal may come from a state this page
            // had not seen yet (an approval pulled meanwhile).
            app.records_changed();
            match written {
                Ok(queued) => {
                    if queued {
                        app.sync.get_value().request(Trigger::LocalChange);
                    }
                    Ok(())
                }
                Err(error) => Err(error.message()),
            }
        }
    });

    // What was typed and not saved yet, the latest per field.
    let unsaved = StoredValue::new_local(Unsaved::default());
    let take_unsaved = move || {
        unsaved
            .try_update_value(|unsaved| {
                if let Some(timer) = unsaved.timer.take() {
                    timer.clear();
                }
                std::mem::take(&mut unsaved.edits)
            })
            .unwrap_or_default()
    };
    let save_now = move || {
        for (field, (content, author)) in take_unsaved() {
            write.dispatch_local(ReportCommand::Edit {
                field,
                content,
                author,
            });
        }
    };
    let on_typed = Callback::new(move |(field, content): (FieldKey, Option<FieldContent>)| {
        let author = author.get_untracked().trim().to_owned();
        unsaved.update_value(|unsaved| {
            match content {
                Some(content) => {
                    unsaved.edits.insert(field, (content, author));
                }
                // Back to what is stored, or not a number: nothing to save.
                None => {
                    unsaved.edits.remove(&field);
                }
            }
            if let Some(timer) = unsaved.timer.take() {
                timer.clear();
            }
        });
        match set_timeout_with_handle(save_now, TYPING_PAUSE) {
            Ok(timer) => unsaved.update_value(|unsaved| unsaved.timer = Some(timer)),
            // Without a timer the edit is saved when the box is left.
            Err(error) => leptos::logging::warn!("typing timer not set: {error:?}"),
        }
    });
    let on_left = Callback::new(move |()| save_now());
    // Leaving the page (or choosing another period or ward) saves what was
    // typed. The action belongs to this component and goes with it, so the
    // store is called directly.
    on_cleanup(move || {
        let edits = take_unsaved();
        if edits.is_empty() {
            return;
        }
        let store = app.store();
        let driver = app.sync.get_value();
        let report_id = report_id.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            for (field, (content, author)) in edits {
                let saved = store
                    .edit_report_field(&report_id, field, content, author, platform::now_ms())
                    .await;
                if let Err(error) = saved {
                    leptos::logging::warn!("an edit typed before leaving was not saved: {error}");
                }
            }
            driver.request(Trigger::LocalChange);
        });
    });
    let edits = FieldCallbacks { on_typed, on_left };
    let write_error = Memo::new(move |_| write.value().get().and_then(Result::err));

    // Not `Loaded`: it would redraw the form on every reread, and the
    // inputs would lose what is being typed; the form stays on the report
    // as last read, and only the first read shows loading or failure.
    view! {
        <Show
            when=move || report.with(Option::is_some)
            fallback=move || match load_error.get() {
                Some(message) => view! { <p class="notice notice--error" role="alert">{app.pick(&message)}</p> }.into_any(),
                None => view! { <Loading/> }.into_any(),
            }
        >
            <StatusCard report write/>
            {move || write_error.get().map(|message| view! {
                <p class="notice notice--error" role="alert" data-test="report-error">{app.pick(&message)}</p>
            })}
            <ReportBody catalogue year report_id report locked edits/>
            <StatusActions report write catalogue/>
        </Show>
    }
}
