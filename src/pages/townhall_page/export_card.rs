//! The town hall's CSV downloads: responses per survey on this tablet, and
//! the reports of the period.

use std::collections::BTreeMap;

use leptos::prelude::*;
use thamgia_core::report::Period;
use thamgia_core::SurveyDefinition;

use super::encode;
use crate::api::download_on_click;
use crate::components::loaded::Loaded;
use crate::state::use_app;

/// CSV downloads: responses per survey on this tablet, reports of the period.
#[component]
pub(super) fn ExportCard(period: RwSignal<Period>) -> impl IntoView {
    let app = use_app();
    let surveys = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { store.surveys().await.map_err(|error| error.message()) }
    });
    let survey_links = move |list: Vec<SurveyDefinition>| {
        // One link per survey, whatever the number of versions stored.
        let mut latest: BTreeMap<String, SurveyDefinition> = BTreeMap::new();
        for survey in list {
            let newer = latest
                .get(&survey.id)
                .is_none_or(|stored| stored.version < survey.version);
            if newer {
                latest.insert(survey.id.clone(), survey);
            }
        }
        if latest.is_empty() {
            return view! { <p class="muted" data-test="export-no-surveys">{app.townhall_texts().export_no_surveys}</p> }.into_any();
        }
        view! {
            <ul class="export-list">
                {latest
                    .into_values()
                    .map(|survey| {
                        let href = format!("/api/v1/export/responses.csv?survey={}", encode(&survey.id));
                        view! {
                            <li>
                                <a class="btn btn-secondary" href=href download="" data-test="export-responses" data-survey=survey.id.clone() on:click=download_on_click>
                                    {app.townhall_texts().export_responses}
                                </a>
                                <span>{app.pick(&survey.title)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card" data-test="export-card">
            <h2 class="card-title">{move || app.townhall_texts().export_title}</h2>
            <p class="muted">{move || app.townhall_texts().export_intro}</p>
            <p>
                <a
                    class="btn btn-primary"
                    href=move || format!("/api/v1/export/reports.csv?period={}", encode(&period.get().key()))
                    download=""
                    data-test="export-reports"
                    on:click=download_on_click
                >
                    {move || app.townhall_texts().export_reports}
                </a>
                " "
                <a
                    class="btn btn-secondary"
                    href=move || format!("/api/v1/export/participation.csv?period={}", encode(&period.get().key()))
                    download=""
                    data-test="export-participation"
                    on:click=download_on_click
                >
                    {move || app.townhall_texts().export_participation}
                </a>
                " "
                <span>{move || app.pick(&period.get().label())}</span>
            </p>
            <Loaded resource=surveys let:list>
                {survey_links(list)}
            </Loaded>
        </section>
    }
}
