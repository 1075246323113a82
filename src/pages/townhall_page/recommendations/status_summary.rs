//! The number of recommendations in each status, and the overdue answers.

use leptos::prelude::*;

use super::{status_class, status_key, StatusCounts, STATUSES};
use crate::state::use_app;

/// The number of recommendations in each status, and the overdue answers.
#[component]
pub(super) fn StatusSummary(#[prop(into)] counts: Signal<StatusCounts>) -> impl IntoView {
    let app = use_app();
    view! {
        <ul class="recommendation-counts">
            {STATUSES
                .into_iter()
                .map(|status| view! {
                    <li data-test="status-count" data-status=status_key(status)>
                        <strong class="recommendation-count">{move || counts.get().of(status)}</strong>
                        " "
                        <span class=status_class(status)>{move || app.pick(&status.label())}</span>
                    </li>
                })
                .collect_view()}
            <li
                class="recommendation-counts-overdue"
                class:recommendation-counts-overdue--some={move || counts.get().overdue > 0}
                data-test="overdue-count"
            >
                <strong class="recommendation-count">{move || counts.get().overdue}</strong>
                " "
                {move || app.townhall_texts().townhall_overdue_answers}
            </li>
        </ul>
    }
}
