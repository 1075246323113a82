//! The town hall's card of children's recommendations: filters, counts,
//! and each recommendation with its answer and feedback.

use leptos::prelude::*;
use uuid::Uuid;

use super::recommendation_item::RecommendationItem;
use super::status_summary::StatusSummary;
use super::{
    failure_message, recommendation_rows, row_matches, Filters, Phase, RecommendationRow,
    StatusCounts, StatusFilter, STATUSES,
};
use crate::api::{download_on_click, ApiClient};
use crate::components::fetched::FetchFailure;
use crate::components::loaded::Loading;
use crate::i18n::townhall::townhall_both;
use crate::state::{use_app, use_online, Ward};
use thamgia_core::search::fold;

/// The children's recommendations of every ward, with filters, counts, the
/// answers and the feedback, and a form to record an answer.
#[component]
pub fn RecommendationsCard(
    /// The wards the overview lists, to name each forum's ward; codes are
    /// shown until it has loaded.
    #[prop(into)]
    wards: Signal<Vec<Ward>>,
) -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let query = RwSignal::new(String::new());
    let status = RwSignal::new(StatusFilter::All);
    let only_overdue = RwSignal::new(false);
    // The recommendation whose answer was just saved: its row is drawn anew
    // with the answer, and says so.
    let last_saved = RwSignal::new(None::<Uuid>);

    let forums = LocalResource::new(move || {
        online.track();
        async move { ApiClient::for_this_origin().forums().await }
    });
    let on_saved = Callback::new(move |recommendation_id: Uuid| {
        last_saved.set(Some(recommendation_id));
        forums.refetch();
    });

    // The rows and the phase are memos, so a reload after saving an answer
    // redraws only the rows that changed: other rows keep what is typed in
    // their forms, and the filters keep their focus.
    let rows = Memo::new(move |_| match forums.get() {
        Some(Ok(forums)) => recommendation_rows(forums),
        _ => Vec::new(),
    });
    let phase = Memo::new(move |_| match forums.get() {
        None => Phase::Loading,
        Some(Err(failure)) => Phase::Failed(failure),
        Some(Ok(_)) if rows.with(Vec::is_empty) => Phase::Empty,
        Some(Ok(_)) => Phase::Ready,
    });
    let counts = Memo::new(move |_| rows.with(|rows| StatusCounts::of_rows(rows)));
    let shown_rows = Memo::new(move |_| {
        let filters = Filters {
            folded_query: fold(query.get().trim()),
            status: status.get(),
            only_overdue: only_overdue.get(),
        };
        wards.with(|wards| {
            rows.with(|rows| {
                rows.iter()
                    .filter(|row| {
                        let ward = wards.iter().find(|ward| ward.code == row.ward_code);
                        row_matches(row, ward, &filters)
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });

    let list = move || {
        view! {
            <StatusSummary counts/>
            <div class="recommendation-filters">
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().ward_search_label}</span>
                    <input
                        type="search"
                        data-test="recommendation-ward-search"
                        placeholder=move || app.texts().ward_search
                        prop:value=move || query.get()
                        on:input=move |event| query.set(event_target_value(&event))
                    />
                </label>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().townhall_recommendation_status}</span>
                    <select
                        data-test="recommendation-status-filter"
                        on:change=move |event| status.set(StatusFilter::from_key(&event_target_value(&event)))
                    >
                        <option value="all" selected=move || status.get() == StatusFilter::All>
                            {move || format!("{} ({})", app.townhall_texts().townhall_recommendation_status_all, counts.get().total())}
                        </option>
                        {STATUSES
                            .into_iter()
                            .map(|choice| {
                                let filter = StatusFilter::Only(choice);
                                view! {
                                    <option value=filter.key() selected=move || status.get() == filter>
                                        {move || format!("{} ({})", app.pick(&choice.label()), counts.get().of(choice))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
            <label class="checkbox-line">
                <input
                    type="checkbox"
                    data-test="only-overdue"
                    prop:checked=move || only_overdue.get()
                    on:change=move |event| only_overdue.set(event_target_checked(&event))
                />
                {move || app.townhall_texts().townhall_only_overdue}
            </label>
            <p class="muted" aria-live="polite" data-test="recommendations-shown">
                {move || {
                    (app.townhall_texts().townhall_recommendations_shown)(
                        shown_rows.with(Vec::len),
                        counts.get().total(),
                    )
                }}
            </p>
            <Show
                when=move || shown_rows.with(|rows| !rows.is_empty())
                fallback=move || view! {
                    <p class="notice notice--info" data-test="recommendations-none-match">
                        {move || app.townhall_texts().townhall_recommendations_none_match}
                    </p>
                }
            >
                <ol class="recommendation-list">
                    <For
                        each=move || shown_rows.get()
                        key=RecommendationRow::key
                        children=move |row| view! { <RecommendationItem row wards last_saved on_saved/> }
                    />
                </ol>
            </Show>
        }
    };

    // Not `Fetched`: the rows and the phase are memos over the read (see
    // above), so only the loading and the failure are shared.
    let body = move || match phase.get() {
        Phase::Loading => view! { <Loading/> }.into_any(),
        Phase::Failed(failure) => view! {
            <FetchFailure
                message=failure_message(&failure, townhall_both(|texts| texts.townhall_load_failed))
                test="recommendations-error"
                retry=move |()| forums.refetch()
            />
        }
        .into_any(),
        Phase::Empty => view! {
            <p class="notice notice--info" data-test="recommendations-empty">
                {move || app.townhall_texts().townhall_recommendations_none}
            </p>
        }
        .into_any(),
        Phase::Ready => list().into_any(),
    };

    view! {
        <section class="card" data-test="recommendations">
            <div class="card-head">
                <h2 class="card-title">{move || app.townhall_texts().townhall_recommendations_title}</h2>
                <a class="btn btn-secondary" href="/api/v1/export/forums.csv" download="" data-test="export-forums" on:click=download_on_click>
                    {move || app.townhall_texts().townhall_export_forums}
                </a>
            </div>
            <p class="muted">{move || app.townhall_texts().townhall_recommendations_intro}</p>
            {body}
        </section>
    }
}
