//! Every response on the tablet with its sync state and, for a refused one,
//! the reason and what to do.
//!
//! A completed response is never changed: it can be corrected by a new
//! response that names it, and consent for it can be withdrawn, which deletes
//! the child's answers here at once and at the town hall at the next sync.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use thamgia_core::response::reference;
use thamgia_core::sync_client::Trigger;
use thamgia_core::{Localized, ResponseStatus};
use uuid::Uuid;

use crate::components::loaded::Loaded;
use crate::i18n::{EN, VI};
use crate::platform;
use crate::state::{use_app, AppState, Notice};
use crate::storage::{LocalSyncState, StoredResponse};

/// The first eight characters of an id, enough to tell responses apart on
/// one tablet.
/// How a row presents its sync state: CSS class, label, and a sentence
/// (the server's reason, or what happens next) when there is one.
fn presentation(
    app: AppState,
    record: &StoredResponse,
) -> (&'static str, &'static str, Option<String>) {
    let texts = app.texts();
    if record.response.status == ResponseStatus::Withdrawn {
        let pending = matches!(record.sync, LocalSyncState::Waiting { .. })
            .then(|| texts.withdrawal_waiting.to_owned());
        return ("state--rejected", texts.state_withdrawn, pending);
    }
    match &record.sync {
        LocalSyncState::Draft => ("state--draft", texts.state_draft, None),
        LocalSyncState::Waiting { .. } => ("state--waiting", texts.state_waiting, None),
        LocalSyncState::Synced { .. } => ("state--synced", texts.state_synced, None),
        LocalSyncState::Rejected { message } => (
            "state--rejected",
            texts.state_rejected,
            Some(app.pick(message)),
        ),
        LocalSyncState::Conflict { message } => (
            "state--conflict",
            texts.state_conflict,
            Some(app.pick(message)),
        ),
        LocalSyncState::Withdrawn => ("state--rejected", texts.state_withdrawn, None),
    }
}

/// Responses shown at first, and added by each "show older" tap: a tablet
/// a month offline may hold tens of thousands, and the list reads only what
/// it shows.
const PAGE: u32 = 100;

/// The list of responses on this tablet, newest first, a page at a time.
#[component]
pub fn ResponsesPage() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let shown = RwSignal::new(PAGE);
    let records = LocalResource::new(move || {
        app.data_revision.track();
        let limit = shown.get();
        let store = app.store();
        async move {
            let loaded: Result<_, crate::storage::StorageError> = async {
                let (records, more) = store.newest_responses(limit).await?;
                let surveys = store.surveys().await?;
                let titles: HashMap<String, Localized> = surveys
                    .into_iter()
                    .map(|survey| (survey.id.clone(), survey.title))
                    .collect();
                Ok((records, titles, more))
            }
            .await;
            loaded.map_err(|error| error.message())
        }
    });

    // A correction starts as a draft copied from the original, then opens in
    // the form like any draft.
    let correct = Action::new_local(move |original: &Uuid| {
        let original = *original;
        let store = app.store();
        let navigate = navigate.clone();
        async move {
            match store
                .start_correction(original, platform::new_uuid(), platform::now())
                .await
            {
                Ok(correction) => {
                    app.records_changed();
                    navigate(
                        &format!("/fill/{}", correction.id),
                        NavigateOptions::default(),
                    );
                }
                Err(error) => app.notice.set(Some(Notice::here(error.message(), false))),
            }
        }
    });

    let withdraw = Action::new_local(move |id: &Uuid| {
        let id = *id;
        let store = app.store();
        async move {
            let notice = match store.withdraw_response(id, platform::now()).await {
                Ok(_) => {
                    app.sync.get_value().request(Trigger::LocalChange);
                    app.records_changed();
                    Notice::here(
                        Localized::new(VI.withdrawn_notice, EN.withdrawn_notice),
                        true,
                    )
                }
                Err(error) => Notice::here(error.message(), false),
            };
            app.notice.set(Some(notice));
        }
    });
    let ask_to_withdraw = move |id: Uuid| {
        // Both languages, whatever the interface shows: the guardian or the
        // child may read it too, and nothing about this must be misread.
        let question = format!("{}\n\n{}", VI.withdraw_confirm, EN.withdraw_confirm);
        match window().confirm_with_message(&question) {
            Ok(true) => {
                withdraw.dispatch_local(id);
            }
            Ok(false) => {}
            Err(error) => leptos::logging::warn!("confirmation dialog failed: {error:?}"),
        }
    };
    let busy = move || correct.pending().get() || withdraw.pending().get();

    view! {
        <section class="card">
            <h1 class="card-title">{move || app.texts().responses_title}</h1>
            <Loaded resource=records let:loaded>
                {match loaded {
                    (records, _, _) if records.is_empty() => view! { <p class="muted" data-test="responses-none">{app.texts().responses_none}</p> }.into_any(),
                    (records, titles, more) => {
                        let texts = app.texts();
                        view! {
                            <ul class="response-list">
                                {records
                                    .into_iter()
                                    .map(|record| {
                                        let id = record.response.id;
                                        let title = titles
                                            .get(&record.response.survey_id)
                                            .map(|title| app.pick(title))
                                            .unwrap_or_else(|| record.response.survey_id.clone());
                                        let when = platform::format_local_time(record.response.updated_at.timestamp_millis());
                                        let (class, label, reason) = presentation(app, &record);
                                        let withdrawn = record.response.status == ResponseStatus::Withdrawn;
                                        // Completed and not withdrawn: queued, sent, or
                                        // refused (a refused response is what most
                                        // needs a correction).
                                        let completed = record.response.status == ResponseStatus::Completed
                                            && record.sync != LocalSyncState::Draft;
                                        let data_state = if withdrawn { "state--withdrawn" } else { class };
                                        // Told apart by the child's age band and sex (a
                                        // tombstone keeps neither).
                                        let child = (!withdrawn).then(|| {
                                            let described = app.pick(&record.response.participant.described());
                                            view! { <span class="muted" data-test="response-child">{described}</span> }
                                        });
                                        let heading = format!("{title} · {when}");
                                        // A tombstone has nothing left to open.
                                        let heading = if withdrawn {
                                            view! { <span>{heading}</span> }.into_any()
                                        } else {
                                            view! { <a href=format!("/fill/{id}")>{heading}</a> }.into_any()
                                        };
                                        let corrects = record.response.corrects.map(|original| {
                                            view! {
                                                <p class="muted" data-test="corrects">
                                                    {format!("{} {}", texts.corrects_label, reference(original))}
                                                </p>
                                            }
                                        });
                                        // What the family was given, to withdraw
                                        // consent through the ward later.
                                        let reference_line = completed.then(|| view! {
                                            <span class="muted" data-test="response-reference">
                                                {format!("{} {}", texts.reference_label, reference(id))}
                                            </span>
                                        });
                                        let actions = completed.then(|| view! {
                                            <div class="row-actions">
                                                <button
                                                    type="button"
                                                    class="btn btn-secondary"
                                                    data-test="correct"
                                                    disabled=busy
                                                    on:click=move |_| {
                                                        correct.dispatch_local(id);
                                                    }
                                                >
                                                    {texts.correct_action}
                                                </button>
                                                <button
                                                    type="button"
                                                    class="btn btn-danger"
                                                    data-test="withdraw"
                                                    disabled=busy
                                                    on:click=move |_| ask_to_withdraw(id)
                                                >
                                                    {texts.withdraw_action}
                                                </button>
                                            </div>
                                        });
                                        view! {
                                            <li data-test="response-row" data-state=data_state data-id=id.to_string()>
                                                {heading}
                                                " "
                                                <span class=format!("state-badge {class}")>{label}</span>
                                                {child}
                                                " "
                                                {reference_line}
                                                {corrects}
                                                {reason.map(|reason| view! { <p class="field-error">{reason}</p> })}
                                                {actions}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            {more.then(|| view! {
                                <button
                                    type="button"
                                    class="btn btn-secondary"
                                    data-test="responses-more"
                                    on:click=move |_| shown.update(|shown| *shown = shown.saturating_add(PAGE))
                                >
                                    {texts.responses_more}
                                </button>
                            })}
                        }
                        .into_any()
                    }
                }}
            </Loaded>
        </section>
    }
}
