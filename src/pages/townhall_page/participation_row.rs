//! One ward's participation in the town hall view, with its child
//! population editable (saved at the server).

use std::collections::HashMap;

use leptos::ev;
use leptos::prelude::*;
use thamgia_core::Localized;

use super::recommendations::failure_message;
use super::{participation_percent, save_population, WardOverview};
use crate::components::chart::{format_number, format_with_unit, TargetMeter};
use crate::i18n::townhall::townhall_both;
use crate::state::use_app;

/// What became of the last population save of a row.
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    Invalid,
    Saved,
    Failed(Localized),
}

/// One ward's participation, with its population input.
#[component]
pub(super) fn ParticipationRow(
    ward: WardOverview,
    year: i32,
    target: Option<f64>,
    saved: RwSignal<HashMap<(String, i32), u64>>,
) -> impl IntoView {
    let app = use_app();
    let code = ward.code.clone();
    let consulted = ward.participation.consulted_7_plus;
    // The most one survey heard from, when it says more than the
    // consultations (a child may have been counted twice there) and the
    // children heard for the first time this year.
    let largest = ward.participation.largest_survey_7_plus;
    let largest_tells_more = ward.participation.largest_survey_tells_more();
    // The children who said it was their first consultation this year,
    // shown once any child of the ward was asked.
    let asked = ward.participation.asked_heard_before();
    let first_time = ward.participation.first_time_7_plus;
    let unknown = ward.participation.heard_before_unknown();
    // The children at the ward's forums, beside the consultations (a child
    // may be in both).
    let forum_children = ward.participation.forum_children_7_plus;
    let key = (code.clone(), year);
    let population = {
        let key = key.clone();
        let loaded = ward.participation.child_population_7_15;
        move || saved.with(|saved| saved.get(&key).copied()).or(loaded)
    };
    let draft = RwSignal::new(
        ward.participation
            .child_population_7_15
            .map(|population| population.to_string())
            .unwrap_or_default(),
    );
    let state = RwSignal::new(SaveState::Idle);
    let save = Action::new_local(move |children: &u64| {
        let (code, children, key) = (code.clone(), *children, key.clone());
        async move {
            match save_population(code, year, children).await {
                Ok(()) => {
                    saved.update(|saved| {
                        saved.insert(key, children);
                    });
                    state.set(SaveState::Saved);
                }
                Err(failure) => state.set(SaveState::Failed(failure_message(
                    &failure,
                    townhall_both(|texts| texts.townhall_load_failed),
                ))),
            }
        }
    });
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        match draft.get_untracked().trim().parse::<u64>() {
            Ok(children) => {
                save.dispatch_local(children);
            }
            Err(_) => state.set(SaveState::Invalid),
        }
    };
    let pending = save.pending();
    let percent = {
        let population = population.clone();
        move || participation_percent(consulted, population())
    };
    let name = StoredValue::new(ward.clone());
    let input_label = move || {
        format!(
            "{} — {}",
            (app.townhall_texts().population_column)(year),
            name.with_value(|ward| ward.name(app.language.get()).to_owned())
        )
    };
    let percent_text = {
        let percent = percent.clone();
        move || {
            percent()
                .map(|percent| format_with_unit(percent, "%", app.language.get()))
                .unwrap_or_else(|| "—".to_owned())
        }
    };
    let meter = {
        let percent = percent.clone();
        move || {
            let language = app.language.get();
            let texts = app.townhall_texts();
            let label = match (percent(), target) {
                (Some(value), Some(target)) => format!(
                    "{} {} / {} {}",
                    texts.participation_column,
                    format_with_unit(value, "%", language),
                    texts.target_column,
                    format_with_unit(target, "%", language)
                ),
                (Some(value), None) => format!(
                    "{} {}",
                    texts.participation_column,
                    format_with_unit(value, "%", language)
                ),
                (None, _) => texts.no_population.to_owned(),
            };
            view! { <TargetMeter value=percent() target label/> }
        }
    };
    let at_least_children = move || {
        largest_tells_more.then(|| {
            let count = format_number(largest as f64, 0, app.language.get());
            view! {
                <span class="muted at-least" data-test="participation-at-least">
                    {(app.townhall_texts().participation_at_least_children)(&count)}
                </span>
            }
        })
    };
    let at_least_share = {
        let population = population.clone();
        move || {
            let share = participation_percent(largest, population())?;
            largest_tells_more.then(|| {
                let share = format_with_unit(share, "%", app.language.get());
                view! {
                    <span class="muted at-least" data-test="participation-at-least-percent">
                        {(app.townhall_texts().participation_at_least_share)(&share)}
                    </span>
                }
            })
        }
    };
    let first_time_children = move || {
        asked.then(|| {
            let language = app.language.get();
            let texts = app.townhall_texts();
            let count = format_number(first_time as f64, 0, language);
            let unknown = (unknown > 0).then(|| {
                let unknown = format_number(unknown as f64, 0, language);
                view! {
                    <span class="muted at-least" data-test="participation-first-time-unknown">
                        {(texts.participation_first_time_unknown)(&unknown)}
                    </span>
                }
            });
            view! {
                <span class="muted at-least" data-test="participation-first-time">
                    {(texts.participation_first_time_children)(&count)}
                </span>
                {unknown}
            }
        })
    };
    let forum_line = move || {
        (forum_children > 0).then(|| {
            let count = format_number(forum_children as f64, 0, app.language.get());
            view! {
                <span class="muted at-least" data-test="participation-forum-children">
                    {(app.townhall_texts().participation_forum_children)(&count)}
                </span>
            }
        })
    };
    let first_time_share = {
        let population = population.clone();
        move || {
            let share = participation_percent(first_time, population()).filter(|_| asked)?;
            let share = format_with_unit(share, "%", app.language.get());
            Some(view! {
                <span class="muted at-least" data-test="participation-first-time-percent">
                    {(app.townhall_texts().participation_first_time_share)(&share)}
                </span>
            })
        }
    };
    let code_attribute = ward.code.clone();
    let responses = ward.responses;
    view! {
        <tr data-test="participation-row" data-code=code_attribute>
            <th scope="row">
                {move || name.with_value(|ward| ward.name(app.language.get()).to_owned())}
                <span class="muted ward-code">{ward.code.clone()}</span>
            </th>
            <td class="numeric" data-test="responses">{move || format_number(responses as f64, 0, app.language.get())}</td>
            <td class="numeric" data-test="consulted">
                {move || format_number(consulted as f64, 0, app.language.get())}
                {at_least_children}
                {first_time_children}
                {forum_line}
            </td>
            <td>
                <form class="population-form" novalidate=true on:submit=submit>
                    <input
                        type="number"
                        min="0"
                        step="1"
                        inputmode="numeric"
                        data-test="population-input"
                        aria-label=input_label
                        aria-invalid=move || (state.get() == SaveState::Invalid).to_string()
                        prop:value=move || draft.get()
                        on:input=move |event| {
                            draft.set(event_target_value(&event));
                            if state.get_untracked() != SaveState::Idle {
                                state.set(SaveState::Idle);
                            }
                        }
                    />
                    <button type="submit" class="btn btn-secondary" data-test="population-save" disabled=move || pending.get()>
                        {move || if pending.get() { app.texts().saving } else { app.townhall_texts().population_save }}
                    </button>
                </form>
                <p class="save-result" role="status" data-test="population-state">
                    {move || match state.get() {
                        SaveState::Idle => view! { <span></span> }.into_any(),
                        SaveState::Saved => view! { <span class="save-ok">{app.townhall_texts().population_saved}</span> }.into_any(),
                        SaveState::Invalid => view! { <span class="save-failed">{app.texts().population_invalid}</span> }.into_any(),
                        SaveState::Failed(message) => view! {
                            <span class="save-failed">{app.townhall_texts().population_save_failed} ": " {app.pick(&message)}</span>
                        }
                        .into_any(),
                    }}
                </p>
            </td>
            <td class="numeric" data-test="participation-percent">
                {percent_text}
                {at_least_share}
                {first_time_share}
            </td>
            <td class="target-cell">
                <span data-test="participation-target-value">
                    {move || target.map(|target| format_with_unit(target, "%", app.language.get())).unwrap_or_else(|| "—".to_owned())}
                </span>
                {meter}
            </td>
        </tr>
    }
}
