//! Who was heard, and who was not: each group's share of the children
//! heard beside its share of the child population (core's
//! `results::representation`), the groups heard from less than their share
//! marked, so the next consultation can reach them. A city officer enters
//! a ward's children by group here, for the year of the period shown
//! (`population_form`).

use leptos::prelude::*;
use thamgia_core::api::results::WhoWasHeard as Heard;
use thamgia_core::results::representation::Hearing;
use thamgia_core::Language;

use super::population_form::PopulationForm;
use super::{results_failure, shown_text, Selection};
use crate::api::ApiClient;
use crate::components::chart::format_number;
use crate::components::fetched::Fetched;
use crate::state::use_app;

fn percent(share: f64, language: Language) -> String {
    format!("{} %", format_number(share * 100.0, 0, language))
}

/// The groups heard against the population, and the form to enter it.
#[component]
pub(super) fn WhoWasHeard(selection: Selection) -> impl IntoView {
    let app = use_app();
    let saves = RwSignal::new(0u32);
    // Kept here: the form is made again with the figures read after a save.
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let open = RwSignal::new(false);
    let query = selection.query();
    let heard = LocalResource::new(move || {
        saves.track();
        let query = query.clone();
        async move { ApiClient::for_this_origin().heard(&query).await }
    });
    let ward = selection.ward.clone();
    view! {
        <div class="who-was-heard" data-test="who-was-heard">
            <h3>{move || app.townhall_texts().heard_title}</h3>
            <Fetched resource=heard failure=results_failure test="who-was-heard-error" let:heard>
                {
                    let entered = heard.entered.clone().unwrap_or_default();
                    let year = heard.entered_year;
                    let form = ward.clone().filter(|_| app.is_city_officer()).map(|ward| {
                        view! { <PopulationForm ward year entered saves outcome open/> }
                    });
                    view! {
                        <HeardGroups heard/>
                        {form}
                    }
                }
            </Fetched>
        </div>
    }
}

/// The table of groups.
#[component]
fn HeardGroups(heard: Heard) -> impl IntoView {
    let app = use_app();
    if heard.groups.is_empty() {
        return view! { <p class="muted" data-test="heard-none">{move || app.townhall_texts().heard_none}</p> }
            .into_any();
    }
    let ratio = heard.under_ratio;
    let years = heard
        .populations
        .iter()
        .map(|(_, year)| *year)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|year| year.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let rows = heard
        .groups
        .into_iter()
        .map(|group| {
            let label = group.group.label.clone();
            let hearing = group.hearing;
            let status = move || match hearing {
                Hearing::Under => app.townhall_texts().heard_under,
                Hearing::Fair => app.townhall_texts().heard_fair,
                Hearing::Unknown => app.townhall_texts().heard_unknown,
            };
            let class = match hearing {
                Hearing::Under => "heard heard--under",
                Hearing::Fair => "heard heard--fair",
                Hearing::Unknown => "heard heard--unknown",
            };
            let key = format!("{:?}:{}", group.dimension, group.group.key);
            view! {
                <tr class=class data-test="heard-group" data-group=key data-hearing=format!("{hearing:?}")>
                    <th scope="row">{move || app.pick(&label)}</th>
                    <td class="numeric">
                        {move || {
                            let language = app.language.get();
                            match group.heard_share {
                                Some(share) => format!("{} ({})", percent(share, language), shown_text(group.heard, language)),
                                None => shown_text(group.heard, language),
                            }
                        }}
                    </td>
                    <td class="numeric">{move || percent(group.population_share, app.language.get())}</td>
                    <td>{status}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted">{move || (app.townhall_texts().heard_note)(&percent(ratio, app.language.get()))}</p>
        <div class="table-scroll" tabindex="0">
            <table class="data-table" data-test="heard-table">
                <thead>
                    <tr>
                        <th scope="col">{move || app.townhall_texts().heard_group}</th>
                        <th scope="col">{move || app.townhall_texts().heard_share_heard}</th>
                        <th scope="col">{move || app.townhall_texts().heard_share_population}</th>
                        <th scope="col">{move || app.townhall_texts().heard_standing}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="muted">{move || (app.townhall_texts().heard_years)(&years)}</p>
    }
    .into_any()
}
