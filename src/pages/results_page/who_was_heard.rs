//! Who was heard, and who was not: each group's share of the children
//! heard beside its share of the child population (core's
//! `results::representation`), the groups heard from less than their share
//! marked, so the next consultation can reach them. A city officer enters
//! a ward's children by group here, for the year of the period shown.

use chrono::{Datelike, Utc};
use leptos::prelude::*;
use thamgia_core::api::results::WhoWasHeard as Heard;
use thamgia_core::api::townhall::PopulationBody;
use thamgia_core::report::Period;
use thamgia_core::response::{AgeBand, Sex};
use thamgia_core::results::representation::{ChildPopulation, Hearing, PopulationGroup};
use thamgia_core::results::Dimension;
use thamgia_core::Language;

use super::{results_failure, shown_text, Selection};
use crate::api::ApiClient;
use crate::components::chart::format_number;
use crate::components::fetched::Fetched;
use crate::state::use_app;

/// The age bands a ward counts its children in (7 to 15).
const BANDS: [AgeBand; 3] = [AgeBand::From7To9, AgeBand::From10To12, AgeBand::From13To15];

fn percent(share: f64, language: Language) -> String {
    format!("{} %", format_number(share * 100.0, 0, language))
}

/// The groups heard against the population, and the form to enter it.
#[component]
pub(super) fn WhoWasHeard(selection: Selection) -> impl IntoView {
    let app = use_app();
    let saves = RwSignal::new(0u32);
    let query = selection.query();
    let heard = LocalResource::new(move || {
        saves.track();
        let query = query.clone();
        async move { ApiClient::for_this_origin().heard(&query).await }
    });
    let year = selection
        .period
        .as_deref()
        .and_then(|key| key.parse::<Period>().ok())
        .map_or_else(|| Utc::now().year(), |period| period.year());
    let ward = selection.ward.clone();
    view! {
        <div class="who-was-heard" data-test="who-was-heard">
            <h3>{move || app.townhall_texts().heard_title}</h3>
            <Fetched resource=heard failure=results_failure test="who-was-heard-error" let:heard>
                <HeardGroups heard/>
            </Fetched>
            {ward.filter(|_| app.is_city_officer()).map(|ward| {
                view! { <PopulationForm ward year saves/> }
            })}
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

/// A city officer's form: the ward's children aged 7–15 by age band and
/// sex, and those with a disability, for `year`.
#[component]
fn PopulationForm(ward: String, year: i32, saves: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let counts: Vec<(AgeBand, Sex, RwSignal<String>)> = BANDS
        .iter()
        .flat_map(|band| {
            [Sex::Female, Sex::Male].map(|sex| (*band, sex, RwSignal::new(String::new())))
        })
        .collect();
    let disability = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let inputs = counts
        .iter()
        .map(|(band, sex, value)| {
            let band_label = Dimension::AgeBand
                .category_of_key(thamgia_core::results::age_band_key(*band))
                .label;
            let sex = *sex;
            let value = *value;
            let test = format!("population-{:?}-{:?}", band, sex);
            view! {
                <label class="population-field">
                    <span>
                        {move || app.pick(&band_label)} " · "
                        {move || if sex == Sex::Female { app.townhall_texts().population_girls } else { app.townhall_texts().population_boys }}
                    </span>
                    <input type="number" inputmode="numeric" min="0" max="1000000" data-test=test
                        prop:value=move || value.get()
                        on:input=move |event| value.set(event_target_value(&event))/>
                </label>
            }
        })
        .collect_view();
    let counts = StoredValue::new(counts);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let parse = |text: String| -> Result<Option<u64>, ()> {
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse::<u64>().map(Some).map_err(|_| ())
        };
        let texts = app.townhall_texts();
        let mut groups = Vec::new();
        for (age_band, sex, value) in counts.get_value() {
            match parse(value.get_untracked()) {
                Ok(Some(children)) => groups.push(PopulationGroup {
                    age_band,
                    sex,
                    children,
                }),
                Ok(None) => {}
                Err(()) => {
                    outcome.set(Some(Err(texts.population_not_a_number.to_owned())));
                    return;
                }
            }
        }
        let Ok(with_disability) = parse(disability.get_untracked()) else {
            outcome.set(Some(Err(texts.population_not_a_number.to_owned())));
            return;
        };
        let population = ChildPopulation {
            groups,
            with_disability,
        };
        let body = PopulationBody {
            children_7_15: population.total(),
            groups: Some(population),
        };
        let ward = ward.clone();
        leptos::task::spawn_local(async move {
            let result = ApiClient::for_this_origin()
                .set_population(&ward, year, &body)
                .await;
            match result {
                Ok(()) => {
                    outcome.set(Some(Ok(())));
                    saves.update(|count| *count += 1);
                }
                Err(failure) => {
                    let message = results_failure(&failure);
                    outcome.set(Some(Err(app.pick(&message))));
                }
            }
        });
    };
    view! {
        <details class="population-form no-print" data-test="population-form">
            <summary>{move || (app.townhall_texts().population_form_title)(year)}</summary>
            <form on:submit=submit>
                <div class="population-fields">{inputs}</div>
                <label class="population-field">
                    <span>{move || app.townhall_texts().population_disability}</span>
                    <input type="number" inputmode="numeric" min="0" max="1000000" data-test="population-disability"
                        prop:value=move || disability.get()
                        on:input=move |event| disability.set(event_target_value(&event))/>
                </label>
                <button type="submit" class="btn btn-primary" data-test="population-save">
                    {move || app.townhall_texts().population_groups_save}
                </button>
                {move || outcome.get().map(|outcome| match outcome {
                    Ok(()) => view! {
                        <p class="notice notice--success" role="status" data-test="population-saved">{app.townhall_texts().population_groups_saved}</p>
                    }.into_any(),
                    Err(message) => view! {
                        <p class="notice notice--error" role="alert" data-test="population-error">{message}</p>
                    }.into_any(),
                })}
            </form>
        </details>
    }
}
