//! Two wards or two periods side by side: for each question with one
//! answer per child, the shares of the children giving each answer here
//! and there, as two stacked bars. The second set of figures is asked of
//! the server like the first, so it is published the same way (counts
//! under k withheld); a ward officer compares periods of their own ward.

use leptos::prelude::*;
use thamgia_core::report::Period;
use thamgia_core::results::{PublishedQuestion, PublishedResults};
use thamgia_core::{Language, Localized};

use super::{period_choices, results_failure, Selection};
use crate::api::ApiClient;
use crate::components::chart::{StackedBar, StackedBarChart};
use crate::components::fetched::Fetched;
use crate::components::ward_picker::fetch_units;
use crate::state::{use_app, use_online, Ward};

/// What the figures are compared with.
#[derive(Debug, Clone, PartialEq)]
enum Other {
    /// Another ward (`None`: the whole city), the same period.
    Ward(Option<String>),
    /// Another period (`None`: all time), the same place.
    Period(Option<String>),
}

impl Other {
    /// The option value of a choice.
    fn value(&self) -> String {
        match self {
            Other::Ward(ward) => format!("ward:{}", ward.as_deref().unwrap_or("")),
            Other::Period(period) => format!("period:{}", period.as_deref().unwrap_or("")),
        }
    }

    fn parse(value: &str) -> Option<Other> {
        let nonempty = |text: &str| Some(text.to_owned()).filter(|text| !text.is_empty());
        if let Some(ward) = value.strip_prefix("ward:") {
            return Some(Other::Ward(nonempty(ward)));
        }
        value
            .strip_prefix("period:")
            .map(|period| Other::Period(nonempty(period)))
    }

    /// The selection compared with `selection`.
    fn applied_to(&self, selection: &Selection) -> Selection {
        let mut other = selection.clone();
        match self {
            Other::Ward(ward) => other.ward = ward.clone(),
            Other::Period(period) => other.period = period.clone(),
        }
        other
    }
}

/// How a selection's place and period read, in both languages.
fn scope_name(selection: &Selection, wards: &[Ward]) -> Localized {
    let place = match &selection.ward {
        Some(code) => wards
            .iter()
            .find(|ward| &ward.code == code)
            .map(|ward| Localized::new(ward.name(Language::Vi), ward.name(Language::En)))
            .unwrap_or_else(|| Localized::new(code.clone(), code.clone())),
        None => Localized::new("Toàn thành phố", "Whole city"),
    };
    let period = selection
        .period
        .as_deref()
        .and_then(|key| key.parse::<Period>().ok())
        .map(|period| period.label())
        .unwrap_or_else(|| Localized::new("mọi thời gian", "all time"));
    Localized::new(
        format!("{}, {}", place.vi, period.vi),
        format!("{}, {}", place.en, period.en),
    )
}

/// The two bars of one question: here, then there, each over the answers
/// of `here` in its order (an answer only `there` knows is left out of
/// both bars' counts, so it shows in the hatched rest).
fn question_bars(
    here: &PublishedQuestion,
    there: Option<&PublishedQuestion>,
    names: (&str, &str),
    language: Language,
) -> Option<(Vec<StackedBar>, Vec<String>)> {
    if !here.distribution.one_answer_each() {
        return None;
    }
    let answers = here.distribution.answer_counts();
    let legend = answers
        .iter()
        .map(|(category, _)| category.label.get(language).to_owned())
        .collect();
    let first = StackedBar {
        label: names.0.to_owned(),
        counts: answers.iter().map(|(_, shown)| shown.count()).collect(),
        total: here.answered.count(),
    };
    let second = match there {
        Some(there) => {
            let theirs = there.distribution.answer_counts();
            StackedBar {
                label: names.1.to_owned(),
                counts: answers
                    .iter()
                    .map(|(category, _)| {
                        theirs
                            .iter()
                            .find(|(their, _)| their.key == category.key)
                            .map_or(Some(0), |(_, shown)| shown.count())
                    })
                    .collect(),
                total: there.answered.count(),
            }
        }
        None => StackedBar {
            label: names.1.to_owned(),
            counts: vec![Some(0); answers.len()],
            total: Some(0),
        },
    };
    Some((vec![first, second], legend))
}

/// The choice of what to compare with, and the comparison.
#[component]
pub(super) fn Comparison(results: PublishedResults, selection: Selection) -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let other = RwSignal::new(None::<Other>);
    let wards = LocalResource::new(fetch_units);
    let ward_list = move || wards.get().and_then(Result::ok).unwrap_or_default();
    let compared = {
        let selection = selection.clone();
        LocalResource::new(move || {
            let query = other
                .get()
                .map(|other| other.applied_to(&selection).query());
            online.track();
            async move {
                match query {
                    Some(query) => ApiClient::for_this_origin().results(&query).await.map(Some),
                    None => Ok(None),
                }
            }
        })
    };
    let period_options = {
        let current = selection.period.clone();
        let mut choices: Vec<(String, Localized)> = Vec::new();
        if current.is_some() {
            choices.push((
                Other::Period(None).value(),
                Localized::new("Mọi thời gian", "All time"),
            ));
        }
        for period in period_choices() {
            if Some(period.key()) != current {
                choices.push((Other::Period(Some(period.key())).value(), period.label()));
            }
        }
        choices
            .into_iter()
            .map(|(value, label)| view! { <option value=value>{move || app.pick(&label)}</option> })
            .collect_view()
    };
    let current_ward = selection.ward.clone();
    let ward_options = move || {
        let language = app.language.get();
        let mut options = Vec::new();
        if current_ward.is_some() {
            options.push((
                Other::Ward(None).value(),
                app.townhall_texts().results_whole_city.to_owned(),
            ));
        }
        for ward in ward_list() {
            if Some(&ward.code) != current_ward.as_ref() {
                options.push((
                    Other::Ward(Some(ward.code.clone())).value(),
                    ward.name(language).to_owned(),
                ));
            }
        }
        options
            .into_iter()
            .map(|(value, name)| view! { <option value=value>{name}</option> })
            .collect_view()
    };
    view! {
        <section class="card results-comparison no-print" data-test="results-comparison">
            <label>
                {move || app.townhall_texts().results_compare}
                <select
                    data-test="results-compare"
                    on:change=move |event| other.set(Other::parse(&event_target_value(&event)))
                >
                    <option value="">{move || app.townhall_texts().results_compare_none}</option>
                    <optgroup label=move || app.townhall_texts().results_compare_periods>{period_options}</optgroup>
                    <Show when=move || app.is_city_officer()>
                        <optgroup label=move || app.townhall_texts().results_compare_wards>{ward_options.clone()}</optgroup>
                    </Show>
                </select>
            </label>
            <Fetched resource=compared failure=results_failure test="results-compare-error" let:there>
                {there.map(|there| {
                    let here = results.clone();
                    let (selection, other) = (selection.clone(), other.get_untracked());
                    view! { <SideBySide here there selection other ward_list=ward_list()/> }
                })}
            </Fetched>
        </section>
    }
}

/// Both sets of figures, question by question.
#[component]
fn SideBySide(
    here: PublishedResults,
    there: PublishedResults,
    selection: Selection,
    other: Option<Other>,
    ward_list: Vec<Ward>,
) -> impl IntoView {
    let app = use_app();
    let other_selection = other
        .map(|other| other.applied_to(&selection))
        .unwrap_or_else(|| selection.clone());
    let names = (
        scope_name(&selection, &ward_list),
        scope_name(&other_selection, &ward_list),
    );
    let title = names.clone();
    let questions = here
        .questions
        .into_iter()
        .map(|question| {
            let theirs = there
                .questions
                .iter()
                .find(|their| {
                    their.question_id == question.question_id && their.versions == question.versions
                })
                .cloned();
            let names = names.clone();
            let label = question.label.clone();
            let id = question.question_id.clone();
            view! {
                <div class="comparison-question" data-test="comparison-question" data-question=id>
                    <h3>{move || app.pick(&label)}</h3>
                    {move || {
                        let language = app.language.get();
                        match question_bars(
                            &question,
                            theirs.as_ref(),
                            (names.0.get(language), names.1.get(language)),
                            language,
                        ) {
                            Some((bars, legend)) => view! {
                                <StackedBarChart
                                    bars
                                    legend
                                    withheld=app.townhall_texts().results_withheld_part.to_owned()
                                    title=app.pick(&question.label)
                                    language
                                />
                            }
                            .into_any(),
                            None => view! {
                                <p class="muted">{app.townhall_texts().results_compare_not_comparable}</p>
                            }
                            .into_any(),
                        }
                    }}
                </div>
            }
        })
        .collect_view();
    view! {
        <h2 data-test="comparison-title">
            {move || {
                let language = app.language.get();
                (app.townhall_texts().results_compare_title)(title.0.get(language), title.1.get(language))
            }}
        </h2>
        <p class="muted">{move || app.townhall_texts().results_compare_note}</p>
        {questions}
    }
}
