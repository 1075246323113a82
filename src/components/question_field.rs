//! One question and its input, sized for a child's finger.

use leptos::prelude::*;
use thamgia_core::{AnswerValue, Localized, Question, QuestionKind};

use crate::components::choice_button::ChoiceButton;
use crate::state::use_app;

/// A question with its input. `value` is the current answer; `on_change`
/// receives each new answer (`None` clears it); `error` is shown under it.
#[component]
pub fn QuestionField(
    question: Question,
    #[prop(into)] value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    #[prop(into)] error: Signal<Option<Localized>>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let app = use_app();
    let label = question.label.clone();
    let hint = question.hint.clone();
    let required = question.required;
    let question_id = question.id.clone();
    let input = match question.kind.clone() {
        QuestionKind::ShortText { max_length } => text_input(value, on_change, disabled, max_length).into_any(),
        QuestionKind::Number { min, max, integer } => {
            number_input(value, on_change, disabled, min, max, integer).into_any()
        }
        QuestionKind::SingleChoice { choices } => view! {
            <div class="choice-grid" role="group">
                {choices
                    .into_iter()
                    .map(|choice| {
                        let answer = AnswerValue::Choice(choice.value.clone());
                        choice_button(choice.value, answer, Signal::derive(move || app.pick(&choice.label)), value, on_change, disabled)
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        QuestionKind::YesNo => view! {
            <div class="yesno choice-grid" role="group">
                {[true, false]
                    .into_iter()
                    .map(|yes| {
                        let label = Signal::derive(move || if yes { app.texts().yes } else { app.texts().no }.to_owned());
                        choice_button(yes.to_string(), AnswerValue::YesNo(yes), label, value, on_change, disabled)
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        QuestionKind::Smiley { points } => view! {
            <div class="smiley-scale" role="group">
                {(1..=points)
                    .map(|face| {
                        view! {
                            <button
                                type="button"
                                class="smiley"
                                data-value=face.to_string()
                                disabled=move || disabled.get()
                                aria-pressed=move || (value.get() == Some(AnswerValue::Smiley(face))).to_string()
                                aria-label=move || smiley_name(app.texts().smiley_names, face, points)
                                on:click=move |_| on_change.run(Some(AnswerValue::Smiley(face)))
                            >
                                <SmileyFace face=face points=points/>
                                <span>{move || smiley_name(app.texts().smiley_names, face, points)}</span>
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
    };
    view! {
        <fieldset class="form-question" data-question=question_id>
            <legend class="question-label">
                {move || app.pick(&label)}
                {required.then(|| view! { <span class="required-mark" title=move || app.texts().required>" *"</span> })}
            </legend>
            {hint.map(|hint| view! { <p class="question-hint">{move || app.pick(&hint)}</p> })}
            {input}
            {move || error.get().map(|message| view! { <p class="field-error" role="alert">{app.pick(&message)}</p> })}
            <Show when=move || value.get().is_some() && !disabled.get()>
                <button type="button" class="btn btn-secondary clear-answer" on:click=move |_| on_change.run(None)>
                    {move || app.texts().clear_answer}
                </button>
            </Show>
        </fieldset>
    }
}

/// The button of one answer of a choice or yes/no question.
fn choice_button(
    data_value: String,
    answer: AnswerValue,
    label: Signal<String>,
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let chosen = answer.clone();
    view! {
        <ChoiceButton
            data_value
            pressed=Signal::derive(move || value.get().as_ref() == Some(&chosen))
            disabled
            label
            on_press=Callback::new(move |()| on_change.run(Some(answer.clone())))
        />
    }
}

fn smiley_name(names: [&'static str; 5], face: u8, points: u8) -> &'static str {
    // Spread the five names over a scale of any length from 3 to 5 faces.
    let index = if points <= 1 {
        0
    } else {
        usize::from(face - 1) * 4 / usize::from(points - 1)
    };
    names[index.min(4)]
}

/// A positive-only face: every face smiles, more with each step.
#[component]
fn SmileyFace(face: u8, points: u8) -> impl IntoView {
    let step = f64::from(face) / f64::from(points.max(1));
    let curve = 31.0 + 9.0 * step;
    let mouth = format!("M16 30 Q24 {curve:.1} 32 30");
    view! {
        <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
            <circle cx="24" cy="24" r="21" fill="#ffd45c" stroke="#c98b00" stroke-width="2"/>
            <circle cx="17" cy="19" r="2.6" fill="#3a2a00"/>
            <circle cx="31" cy="19" r="2.6" fill="#3a2a00"/>
            <path d=mouth fill="none" stroke="#3a2a00" stroke-width="2.6" stroke-linecap="round"/>
        </svg>
    }
}

fn text_input(
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
    max_length: u32,
) -> impl IntoView {
    let current = move || match value.get() {
        Some(AnswerValue::Text(text)) => text,
        _ => String::new(),
    };
    view! {
        <textarea
            rows="3"
            maxlength=max_length.to_string()
            disabled=move || disabled.get()
            prop:value=current
            on:input=move |event| {
                let text = event_target_value(&event);
                on_change.run(if text.trim().is_empty() { None } else { Some(AnswerValue::Text(text)) });
            }
        ></textarea>
    }
}

fn number_input(
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
    min: Option<f64>,
    max: Option<f64>,
    integer: bool,
) -> impl IntoView {
    let app = use_app();
    // What was typed but is not a number stays in the box with a message;
    // the stored answer keeps the last valid number.
    let invalid = RwSignal::new(false);
    let current = move || match value.get() {
        Some(AnswerValue::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    view! {
        <input
            type="number"
            inputmode=if integer { "numeric" } else { "decimal" }
            step=if integer { "1" } else { "any" }
            min=min.map(|min| min.to_string())
            max=max.map(|max| max.to_string())
            disabled=move || disabled.get()
            aria-invalid=move || invalid.get().to_string()
            prop:value=current
            on:input=move |event| {
                let text = event_target_value(&event);
                let trimmed = text.trim().replace(',', ".");
                if trimmed.is_empty() {
                    invalid.set(false);
                    on_change.run(None);
                } else if let Ok(number) = trimmed.parse::<f64>() {
                    invalid.set(false);
                    on_change.run(Some(AnswerValue::Number(number)));
                } else {
                    invalid.set(true);
                }
            }
        />
        <Show when=move || invalid.get()>
            <p class="field-error">{move || app.texts().number_invalid}</p>
        </Show>
    }
}
