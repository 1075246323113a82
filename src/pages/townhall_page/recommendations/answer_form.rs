//! The form recording an authority's answer to a recommendation.

use leptos::ev;
use leptos::prelude::*;
use thamgia_core::forum::{AuthorityAnswer, Decision};
use thamgia_core::Localized;
use uuid::Uuid;

use super::{decision_key, failure_message, save_answer, AnswerBody};
use crate::components::choice_button::ChoiceButton;
use crate::i18n::townhall::townhall_both;
use crate::platform;
use crate::state::use_app;

/// What became of the last attempt to save an answer.
#[derive(Debug, Clone, PartialEq)]
enum AnswerState {
    Idle,
    NoDecision,
    BadDate,
    Failed(Localized),
}

/// The form recording (or revising) the authority's answer to one
/// recommendation.
#[component]
pub(super) fn AnswerForm(
    recommendation_id: Uuid,
    /// The answer being revised, if any: the form starts from it.
    existing: Option<AuthorityAnswer>,
    /// Called once the server has stored the answer.
    saved: Callback<Uuid>,
    /// Shown as a cancel button when revising.
    cancel: Option<Callback<()>>,
) -> impl IntoView {
    let app = use_app();
    let decision = RwSignal::new(existing.as_ref().map(|answer| answer.decision));
    let reasons = RwSignal::new(
        existing
            .as_ref()
            .map(|answer| answer.reasons.clone())
            .unwrap_or_default(),
    );
    let actions = RwSignal::new(
        existing
            .as_ref()
            .map(|answer| answer.actions.clone())
            .unwrap_or_default(),
    );
    // Written as people in Vietnam write a day, whatever the browser.
    let answered_on = RwSignal::new(thamgia_core::day::format_day(
        existing
            .as_ref()
            .map_or_else(platform::today, |answer| answer.answered_on),
    ));
    let state = RwSignal::new(AnswerState::Idle);
    let save = Action::new_local(move |body: &AnswerBody| {
        let body = body.clone();
        async move {
            match save_answer(recommendation_id, body).await {
                Ok(()) => {
                    state.set(AnswerState::Idle);
                    saved.run(recommendation_id);
                }
                Err(failure) => state.set(AnswerState::Failed(failure_message(
                    &failure,
                    townhall_both(|texts| texts.townhall_answer_unreachable),
                ))),
            }
        }
    });
    let pending = save.pending();
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        let Some(chosen) = decision.get_untracked() else {
            state.set(AnswerState::NoDecision);
            return;
        };
        let Some(date) = thamgia_core::day::parse_day(&answered_on.get_untracked()) else {
            state.set(AnswerState::BadDate);
            return;
        };
        state.set(AnswerState::Idle);
        save.dispatch_local(AnswerBody {
            decision: chosen,
            reasons: reasons.get_untracked().trim().to_owned(),
            actions: actions.get_untracked().trim().to_owned(),
            answered_on: date,
        });
    };
    view! {
        <form class="answer-form" novalidate=true on:submit=submit>
            <fieldset class="answer-decisions">
                <legend class="field-label">{move || app.townhall_texts().townhall_answer_record}</legend>
                <div class="answer-decision-grid" role="group">
                    {Decision::ALL
                        .into_iter()
                        .map(|choice| view! {
                            <ChoiceButton
                                attr:data-test=format!("answer-decision-{}", decision_key(choice))
                                data_value=decision_key(choice)
                                pressed=Signal::derive(move || decision.get() == Some(choice))
                                disabled=Signal::derive(move || pending.get())
                                label=Signal::derive(move || app.pick(&choice.label()))
                                on_press=Callback::new(move |()| {
                                    decision.set(Some(choice));
                                    if state.get_untracked() == AnswerState::NoDecision {
                                        state.set(AnswerState::Idle);
                                    }
                                })
                            />
                        })
                        .collect_view()}
                </div>
                {move || (state.get() == AnswerState::NoDecision).then(|| view! {
                    <p class="field-error" role="alert">{app.townhall_texts().townhall_answer_choose_decision}</p>
                })}
            </fieldset>
            <div class="answer-texts">
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().townhall_answer_reasons}</span>
                    <textarea
                        rows="3"
                        data-test="answer-reasons"
                        prop:value=move || reasons.get()
                        on:input=move |event| reasons.set(event_target_value(&event))
                    ></textarea>
                </label>
                <label class="field">
                    <span class="field-label">{move || app.townhall_texts().townhall_answer_actions}</span>
                    <textarea
                        rows="3"
                        data-test="answer-actions"
                        prop:value=move || actions.get()
                        on:input=move |event| actions.set(event_target_value(&event))
                    ></textarea>
                </label>
            </div>
            <label class="field answer-date">
                <span class="field-label">{move || app.townhall_texts().townhall_answer_date}</span>
                <input
                    type="text"
                    inputmode="numeric"
                    placeholder="dd/mm/yyyy"
                    maxlength="10"
                    data-test="answer-date"
                    aria-invalid=move || (state.get() == AnswerState::BadDate).to_string()
                    prop:value=move || answered_on.get()
                    on:input=move |event| answered_on.set(event_target_value(&event))
                />
            </label>
            {move || (state.get() == AnswerState::BadDate).then(|| view! {
                <p class="field-error" role="alert">{app.townhall_texts().townhall_answer_date_invalid}</p>
            })}
            <div class="answer-actions-row">
                <button type="submit" class="btn btn-primary" data-test="answer-save" disabled=move || pending.get()>
                    {move || if pending.get() { app.texts().saving } else { app.townhall_texts().townhall_answer_save }}
                </button>
                {cancel.map(|cancel| view! {
                    <button type="button" class="btn btn-secondary" data-test="answer-cancel" on:click=move |_| cancel.run(())>
                        {move || app.townhall_texts().townhall_answer_cancel}
                    </button>
                })}
            </div>
            <p class="save-result" role="status" data-test="answer-state">
                {move || match state.get() {
                    AnswerState::Failed(message) => view! {
                        <span class="save-failed">{app.townhall_texts().townhall_answer_save_failed} ": " {app.pick(&message)}</span>
                    }
                    .into_any(),
                    _ => ().into_any(),
                }}
            </p>
        </form>
    }
}
