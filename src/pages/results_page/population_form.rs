//! A city officer's form for a ward's children by group in a year: by age
//! band (7 to 15) and sex, with a disability, by ethnic group, in special
//! circumstances. It opens filled with what was entered for that year, so
//! saving again keeps every figure not changed; an empty box is "not
//! known". Core's `ChildPopulation::problem` decides what is refused (the
//! server says why).

use leptos::prelude::*;
use thamgia_core::api::townhall::PopulationBody;
use thamgia_core::response::{AgeBand, EthnicGroup, Sex};
use thamgia_core::results::representation::{ChildPopulation, EthnicPopulation, PopulationGroup};
use thamgia_core::results::{age_band_key, ethnic_group_key, Dimension};

use super::results_failure;
use crate::api::ApiClient;
use crate::state::use_app;

/// The age bands a ward counts its children in (7 to 15).
const BANDS: [AgeBand; 3] = [AgeBand::From7To9, AgeBand::From10To12, AgeBand::From13To15];

/// What a box holds: empty (not known), a number, or neither.
fn parse(text: &str) -> Result<Option<u64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u64>().map(Some).map_err(|_| ())
}

/// A box's text for a figure entered (empty when not known).
fn text_of(figure: Option<u64>) -> RwSignal<String> {
    RwSignal::new(figure.map(|figure| figure.to_string()).unwrap_or_default())
}

/// One labelled number box.
#[component]
fn NumberField(label: Signal<String>, value: RwSignal<String>, test: String) -> impl IntoView {
    view! {
        <label class="population-field">
            <span>{label}</span>
            <input type="number" inputmode="numeric" min="0" max="1000000" data-test=test
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))/>
        </label>
    }
}

/// The form, for `ward` in `year`, filled with `entered`; `saves` counts
/// the saves (the table above reads again), `outcome` and `open` outlive
/// the form, which is made again with the figures read after a save.
#[component]
pub(super) fn PopulationForm(
    ward: String,
    year: i32,
    entered: ChildPopulation,
    saves: RwSignal<u32>,
    outcome: RwSignal<Option<Result<(), String>>>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let app = use_app();
    let counts: Vec<(AgeBand, Sex, RwSignal<String>)> = BANDS
        .iter()
        .flat_map(|band| {
            [Sex::Female, Sex::Male].map(|sex| {
                let children = entered
                    .groups
                    .iter()
                    .find(|group| group.age_band == *band && group.sex == sex)
                    .map(|group| group.children);
                (*band, sex, text_of(children))
            })
        })
        .collect();
    let ethnic: Vec<(EthnicGroup, RwSignal<String>)> = EthnicGroup::ALL
        .into_iter()
        .filter(|group| *group != EthnicGroup::NotStated)
        .map(|group| {
            let children = entered
                .ethnic_groups
                .iter()
                .find(|entry| entry.group == group)
                .map(|entry| entry.children);
            (group, text_of(children))
        })
        .collect();
    let disability = text_of(entered.with_disability);
    let special = text_of(entered.in_special_circumstances);
    let band_fields = counts
        .iter()
        .map(|(band, sex, value)| {
            let band_label = Dimension::AgeBand
                .category_of_key(age_band_key(*band))
                .label;
            let sex = *sex;
            let label = Signal::derive(move || {
                let texts = app.townhall_texts();
                let sex = if sex == Sex::Female {
                    texts.population_girls
                } else {
                    texts.population_boys
                };
                format!("{} · {sex}", app.pick(&band_label))
            });
            view! { <NumberField label value=*value test=format!("population-{band:?}-{sex:?}")/> }
        })
        .collect_view();
    let ethnic_fields = ethnic
        .iter()
        .map(|(group, value)| {
            let key = ethnic_group_key(*group);
            let group_label = Dimension::EthnicGroup.category_of_key(key).label;
            let label = Signal::derive(move || app.pick(&group_label));
            view! { <NumberField label value=*value test=format!("population-ethnic-{key}")/> }
        })
        .collect_view();
    let counts = StoredValue::new(counts);
    let ethnic = StoredValue::new(ethnic);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let not_a_number = || {
            outcome.set(Some(Err(app
                .townhall_texts()
                .population_not_a_number
                .to_owned())));
        };
        let mut groups = Vec::new();
        for (age_band, sex, value) in counts.get_value() {
            match parse(&value.get_untracked()) {
                Ok(Some(children)) => groups.push(PopulationGroup {
                    age_band,
                    sex,
                    children,
                }),
                Ok(None) => {}
                Err(()) => return not_a_number(),
            }
        }
        let mut ethnic_groups = Vec::new();
        for (group, value) in ethnic.get_value() {
            match parse(&value.get_untracked()) {
                Ok(Some(children)) => ethnic_groups.push(EthnicPopulation { group, children }),
                Ok(None) => {}
                Err(()) => return not_a_number(),
            }
        }
        let (Ok(with_disability), Ok(in_special_circumstances)) = (
            parse(&disability.get_untracked()),
            parse(&special.get_untracked()),
        ) else {
            return not_a_number();
        };
        let population = ChildPopulation {
            groups,
            with_disability,
            ethnic_groups,
            in_special_circumstances,
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
    let disability_label =
        Signal::derive(move || app.townhall_texts().population_disability.to_owned());
    let special_label = Signal::derive(move || app.townhall_texts().population_special.to_owned());
    view! {
        <details class="population-groups no-print" data-test="population-form"
            prop:open=move || open.get()
            on:toggle=move |event| open.set(event_target::<web_sys::Element>(&event).has_attribute("open"))>
            <summary>{move || (app.townhall_texts().population_form_title)(year)}</summary>
            <form on:submit=submit>
                <div class="population-fields">{band_fields}</div>
                <NumberField label=disability_label value=disability test="population-disability".to_owned()/>
                <NumberField label=special_label value=special test="population-special".to_owned()/>
                <fieldset class="population-ethnic">
                    <legend>{move || app.townhall_texts().population_ethnic_title}</legend>
                    <div class="population-fields">{ethnic_fields}</div>
                </fieldset>
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
