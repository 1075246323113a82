//! The town hall's participation card: children aged 7+ consulted in each
//! ward against its child population.

use std::collections::HashMap;

use leptos::prelude::*;
use thamgia_core::report::Period;
use thamgia_core::sync_client::SyncFailure;

use super::participation_row::ParticipationRow;
use super::participation_total::ParticipationTotal;
use super::{
    milestone, participation_percent, sort_by_participation, townhall_failure, ward_matches,
    Overview, SortOrder, WardOverview, TOWNHALL_ERROR,
};
use crate::components::chart::format_with_unit;
use crate::components::fetched::Fetched;
use crate::state::use_app;
use thamgia_core::search::fold;

/// Participation per ward: children aged 7+ consulted against the child
/// population, with the population editable.
#[component]
pub(super) fn ParticipationCard(
    overview: LocalResource<Result<Overview, SyncFailure>>,
    period: RwSignal<Period>,
) -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let order = RwSignal::new(SortOrder::Code);
    // Populations saved on this page, by ward and year, so percentages and
    // the order follow a save without reloading the whole table.
    let saved: RwSignal<HashMap<(String, i32), u64>> = RwSignal::new(HashMap::new());

    let table = move |data: Overview| {
        let year = data.period_or(period.get_untracked()).year();
        let target = data.participation_target;
        let total = data.wards.len();
        let wards = StoredValue::new(data.wards);
        let rows = move || {
            let folded = fold(query.get().trim());
            let saved = saved.get();
            let mut rows: Vec<(WardOverview, Option<f64>)> = wards
                .get_value()
                .into_iter()
                .filter(|ward| ward_matches(ward, &folded))
                .map(|ward| {
                    let population = saved
                        .get(&(ward.code.clone(), year))
                        .copied()
                        .or(ward.participation.child_population_7_15);
                    let percent =
                        participation_percent(ward.participation.consulted_7_plus, population);
                    (ward, percent)
                })
                .collect();
            sort_by_participation(&mut rows, order.get());
            rows
        };
        let shown = move || rows().len();
        view! {
            <p class="muted" data-test="participation-target">
                {move || {
                    let texts = app.townhall_texts();
                    let language = app.language.get();
                    match target {
                        Some(target) => (texts.participation_target_line)(
                            milestone(year),
                            &format_with_unit(target, "%", language),
                        ),
                        None => texts.no_target.to_owned(),
                    }
                }}
            </p>
            <p class="muted" aria-live="polite">
                {move || (app.townhall_texts().wards_shown)(shown(), total)}
            </p>
            <div class="table-scroll" tabindex="0">
                <table class="data-table participation-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || app.townhall_texts().ward_column}</th>
                            <th scope="col" class="numeric">{move || app.townhall_texts().responses_column}</th>
                            <th scope="col" class="numeric">{move || app.townhall_texts().consulted_column}</th>
                            <th scope="col">
                                {move || (app.townhall_texts().population_column)(year)}
                            </th>
                            <th scope="col" class="numeric" aria-sort=move || order.get().aria()>
                                <button
                                    type="button"
                                    class="sort-button"
                                    data-test="sort-participation"
                                    title=move || app.townhall_texts().sort_participation
                                    on:click=move |_| order.update(|order| *order = order.next())
                                >
                                    {move || app.townhall_texts().participation_column}
                                    <span aria-hidden="true">
                                        {move || match order.get() {
                                            SortOrder::Code => " ↕",
                                            SortOrder::Descending => " ↓",
                                            SortOrder::Ascending => " ↑",
                                        }}
                                    </span>
                                </button>
                            </th>
                            <th scope="col">{move || app.townhall_texts().target_column}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=rows
                            key=|(ward, _)| ward.code.clone()
                            children=move |(ward, _)| view! { <ParticipationRow ward year target saved/> }
                        />
                    </tbody>
                    <tfoot>
                        <ParticipationTotal wards year target saved/>
                    </tfoot>
                </table>
            </div>
        }
    };

    view! {
        <section class="card" data-test="participation-card">
            <h2 class="card-title">{move || app.townhall_texts().participation_title}</h2>
            <p class="muted">{move || app.townhall_texts().participation_intro}</p>
            <label class="field">
                <span class="field-label">{move || app.townhall_texts().ward_search_label}</span>
                <input
                    type="search"
                    data-test="townhall-ward-search"
                    placeholder=move || app.texts().ward_search
                    prop:value=move || query.get()
                    on:input=move |event| query.set(event_target_value(&event))
                />
            </label>
            <Fetched resource=overview failure=townhall_failure test=TOWNHALL_ERROR let:data>
                {table(data)}
            </Fetched>
        </section>
    }
}
