//! Home: the ward, the surveys on the tablet, what is saved and where it is.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use thamgia_core::response::defaults::starting_answers;
use thamgia_core::{Response, SurveyDefinition};

use crate::components::loaded::Loaded;
use crate::components::other_accounts::OtherAccounts;
use crate::components::storage_meter::StorageMeter;
use crate::components::ward_picker::WardPicker;
use crate::platform;
use crate::state::{use_app, Notice};

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    let app = use_app();
    view! {
        // The page's heading, for screen readers: its cards say the rest.
        <h1 class="sr-only">{move || app.texts().nav_home}</h1>
        <Show when=move || app.may_report()>
            <OpenReferrals/>
        </Show>
        <WardPicker/>
        <Show when=move || app.ward.get().is_some()>
            <SurveyList/>
        </Show>
        <Counts/>
        <OtherAccounts/>
        <DraftList/>
        <StorageMeter/>
    }
}

#[component]
fn Counts() -> impl IntoView {
    let app = use_app();
    let counts = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { store.counts().await.map_err(|error| error.message()) }
    });
    let stat = move |class: &'static str, test: &'static str, label: &'static str, value: u64| {
        view! {
            <div class=format!("stat {class}")>
                <span class="stat-value" data-test=test>{value}</span>
                <span class="stat-label">{label}</span>
            </div>
        }
    };
    view! {
        <section class="card">
            <h2 class="card-title">{move || app.texts().counts_title}</h2>
            <Loaded resource=counts let:counts>
                {
                    let texts = app.texts();
                    view! {
                        <div class="stats">
                            {stat("stat--drafts", "count-drafts", texts.count_drafts, counts.drafts)}
                            {stat("stat--waiting", "count-waiting", texts.count_waiting, counts.waiting)}
                            {stat("stat--synced", "count-synced", texts.count_synced, counts.synced)}
                        </div>
                        {(counts.problems > 0).then(|| view! {
                            <p class="notice notice--error" data-test="count-problems">
                                {texts.count_problems} ": " {counts.problems}
                            </p>
                        })}
                    }
                }
            </Loaded>
        </section>
    }
}

#[component]
fn SurveyList() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let surveys = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { store.surveys().await.map_err(|error| error.message()) }
    });
    // One draft per tap: the buttons are disabled while a draft is written.
    let start = Action::new_local(move |survey: &SurveyDefinition| {
        let ward = app.ward.get_untracked();
        let navigate = navigate.clone();
        let store = app.store();
        let draft = ward.map(|ward| {
            let mut draft = Response::new_draft(
                platform::new_uuid(),
                survey.id.clone(),
                survey.version,
                ward.code,
                platform::now(),
            );
            // Each question's default, as the form gives it.
            draft.answers = starting_answers(survey, platform::today());
            draft
        });
        async move {
            let Some(draft) = draft else {
                return;
            };
            match store.save_draft(&draft).await {
                Ok(()) => {
                    app.records_changed();
                    navigate(&format!("/fill/{}", draft.id), Default::default());
                }
                Err(error) => app.notice.set(Some(Notice::here(error.message(), false))),
            }
        }
    });
    view! {
        <section class="card">
            <h2 class="card-title">{move || app.texts().surveys_title}</h2>
            <Loaded resource=surveys let:list>
                {if list.is_empty() {
                    view! {
                        <p class="notice notice--info" data-test="no-surveys">{app.texts().surveys_none}</p>
                    }
                    .into_any()
                } else {
                    view! {
                        <ul class="survey-list">
                            {list
                                .into_iter()
                                .map(|survey| {
                                        let title = survey.title.clone();
                                    let description = survey.description.clone();
                                    let count = survey.questions().iter().filter(|question| question.kind.takes_answer()).count();
                                    let survey_id = survey.id.clone();
                                    view! {
                                        <li data-test="survey" data-survey=survey_id>
                                            <div>
                                                <h3>{move || app.pick(&title)}</h3>
                                                <p class="muted">{move || app.pick(&description)}</p>
                                                <p class="muted">{count} " " {move || app.texts().survey_questions}</p>
                                            </div>
                                            <button
                                                type="button"
                                                class="btn btn-primary btn-large"
                                                data-test="start-survey"
                                                disabled=move || start.pending().get()
                                                on:click=move |_| {
                                                    start.dispatch_local(survey.clone());
                                                }
                                            >
                                                {move || app.texts().survey_start}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn DraftList() -> impl IntoView {
    let app = use_app();
    let drafts = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move {
            let drafts = store.drafts().await.map_err(|error| error.message())?;
            // Listed by the survey's title, not its form id.
            let surveys = store.surveys().await.map_err(|error| error.message())?;
            Ok::<_, thamgia_core::Localized>(
                drafts
                    .into_iter()
                    .map(|record| {
                        let title = surveys
                            .iter()
                            .find(|survey| survey.id == record.response.survey_id)
                            .map(|survey| survey.title.clone());
                        (record, title)
                    })
                    .collect::<Vec<_>>(),
            )
        }
    });
    move || {
        drafts.get().and_then(Result::ok).filter(|list| !list.is_empty()).map(|list| {
            view! {
                <section class="card">
                    <h2 class="card-title">{app.texts().drafts_title}</h2>
                    <ul class="response-list">
                        {list
                            .into_iter()
                            .map(|(record, title)| {
                                let href = format!("/fill/{}", record.response.id);
                                let when = platform::format_local_time(record.response.updated_at.timestamp_millis());
                                let title = title.map_or_else(|| record.response.survey_id.clone(), |title| app.pick(&title));
                                let child = app.pick(&record.response.participant.described());
                                view! {
                                    <li data-test="draft">
                                        <span><strong>{title}</strong> " · " {child} " · " {when}</span>
                                        <a class="btn btn-secondary" href=href>{app.texts().draft_resume}</a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

/// For ward and city officers, when the server can be reached: how many
/// referrals after a possible disclosure are still open, with the way to
/// them in the town hall app. Nothing is shown offline or when none is
/// open.
#[component]
fn OpenReferrals() -> impl IntoView {
    let app = use_app();
    let summary = LocalResource::new(move || {
        app.data_revision.track();
        async move {
            if !platform::is_online() {
                return None;
            }
            crate::api::ApiClient::for_this_origin()
                .referrals()
                .await
                .ok()
        }
    });
    move || {
        summary
            .get()
            .flatten()
            .filter(|summary| summary.open > 0)
            .map(|summary| {
                let open = summary.open;
                view! {
                    <section class="notice notice--info open-referrals" data-test="open-referrals" data-count=open>
                        <p>{move || (app.texts().referrals_open)(open)}</p>
                        <a class="btn btn-primary" href="/townhall/referrals" rel="external" data-test="to-referrals">
                            {move || app.texts().referrals_view}
                        </a>
                    </section>
                }
            })
    }
}
