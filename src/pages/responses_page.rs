//! Every response on the tablet with its sync state and, for a refused one,
//! the reason and what to do.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::platform;
use crate::state::use_app;
use crate::storage::LocalSyncState;

/// The list of responses on this tablet.
#[component]
pub fn ResponsesPage() -> impl IntoView {
    let app = use_app();
    let records = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move {
            let loaded: Result<_, crate::storage::StorageError> = async {
                let records = store.responses().await?;
                let surveys = store.surveys().await?;
                let titles: HashMap<String, thamgia_core::Localized> = surveys
                    .into_iter()
                    .map(|survey| (survey.id.clone(), survey.title))
                    .collect();
                Ok((records, titles))
            }
            .await;
            loaded.map_err(|error| error.message())
        }
    });
    view! {
        <section class="card">
            <h2 class="card-title">{move || app.texts().responses_title}</h2>
            {move || match records.get() {
                None => view! { <p class="muted">{app.texts().loading}</p> }.into_any(),
                Some(Err(message)) => view! { <p class="notice notice--error">{app.pick(&message)}</p> }.into_any(),
                Some(Ok((records, _))) if records.is_empty() => view! { <p class="muted">{app.texts().responses_none}</p> }.into_any(),
                Some(Ok((records, titles))) => {
                    let texts = app.texts();
                    view! {
                        <ul class="response-list">
                            {records
                                .into_iter()
                                .map(|record| {
                                    let title = titles
                                        .get(&record.response.survey_id)
                                        .map(|title| app.pick(title))
                                        .unwrap_or_else(|| record.response.survey_id.clone());
                                    let when = platform::format_local_time(record.response.updated_at.timestamp_millis());
                                    let (class, label, reason) = match &record.sync {
                                        LocalSyncState::Draft => ("state--draft", texts.state_draft, None),
                                        LocalSyncState::Waiting { .. } => ("state--waiting", texts.state_waiting, None),
                                        LocalSyncState::Synced { .. } => ("state--synced", texts.state_synced, None),
                                        LocalSyncState::Rejected { message } => ("state--rejected", texts.state_rejected, Some(app.pick(message))),
                                        LocalSyncState::Conflict { message } => ("state--conflict", texts.state_conflict, Some(app.pick(message))),
                                    };
                                    let href = format!("/fill/{}", record.response.id);
                                    view! {
                                        <li data-test="response-row" data-state=class>
                                            <a href=href>{title} " · " {when}</a>
                                            <span class=format!("state-badge {class}")>{label}</span>
                                            {reason.map(|reason| view! { <p class="field-error">{reason}</p> })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
