//! One question and its input, sized for a child's finger.

use leptos::prelude::*;
use thamgia_core::{AgeBand, AnswerValue, Localized, Question, QuestionKind};

use crate::components::choice_button::ChoiceButton;
use crate::components::face_scale::FaceScale;
pub use crate::components::face_scale::SmileyFace;
use crate::components::form_language::use_form_text;
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
    /// The label as shown, when it quotes other answers (`${name}`).
    #[prop(optional)]
    shown_label: Option<Signal<Localized>>,
    /// The child's age band, when known: a face scale is answered in words
    /// from the survey's age.
    #[prop(optional)]
    age_band: Option<Signal<Option<AgeBand>>>,
) -> impl IntoView {
    let age_band = age_band.unwrap_or_else(|| Signal::derive(|| None));
    let app = use_app();
    let form_text = use_form_text();
    let plain_label = question.label.clone();
    let label = shown_label.unwrap_or_else(|| Signal::derive(move || plain_label.clone()));
    let hint = question.hint.clone();
    let guidance = question.guidance.clone();
    // A `read_only` question shows its value and takes no answer.
    let disabled = if question.read_only {
        Signal::derive(|| true)
    } else {
        disabled
    };
    let required = question.required;
    let question_id = question.id.clone();
    let takes_answer = question.kind.takes_answer();
    let drawn = |name: &str| {
        question
            .appearance
            .iter()
            .any(|appearance| appearance == name)
    };
    // How a list of options is laid out: a row of points (`likert`), side
    // by side (`horizontal`, `columns`, `compact`), or the usual grid.
    let grid_class = if drawn("likert") {
        "choice-grid choice-grid--likert"
    } else if [
        "horizontal",
        "horizontal-compact",
        "columns",
        "columns-pack",
        "compact",
    ]
    .iter()
    .any(|name| drawn(name))
    {
        "choice-grid choice-grid--columns"
    } else {
        "choice-grid"
    };
    let minimal = drawn("minimal");
    let input = match question.kind.clone() {
        QuestionKind::SingleChoice { choices } if minimal => {
            choice_list(choices, value, on_change, disabled).into_any()
        }
        QuestionKind::ShortText { max_length } => {
            text_input(value, on_change, disabled, max_length, 3).into_any()
        }
        QuestionKind::LongText { max_length } => {
            text_input(value, on_change, disabled, max_length, 7).into_any()
        }
        QuestionKind::Number { min, max, integer } => {
            number_input(value, on_change, disabled, min, max, integer).into_any()
        }
        QuestionKind::Date => date_input(value, on_change, disabled).into_any(),
        QuestionKind::Range {
            start,
            end,
            step,
            dont_know,
        } => range_input(value, on_change, disabled, (start, end, step), dont_know).into_any(),
        QuestionKind::Time => clock_input(value, on_change, disabled, "time").into_any(),
        QuestionKind::DateTime => {
            clock_input(value, on_change, disabled, "datetime-local").into_any()
        }
        QuestionKind::Acknowledge => {
            let label = Signal::derive(move || app.texts().acknowledge.to_owned());
            let ok = thamgia_core::survey::ACKNOWLEDGED;
            view! {
                <div class="choice-grid acknowledge" role="group">
                    {choice_button(ok.to_owned(), AnswerValue::Choice(ok.to_owned()), label, value, on_change, disabled)}
                </div>
            }
            .into_any()
        }
        QuestionKind::SingleChoice { choices } => view! {
            <div class=grid_class role="group">
                {choices
                    .into_iter()
                    .map(|choice| {
                        let answer = AnswerValue::Choice(choice.value.clone());
                        choice_button(choice.value, answer, Signal::derive(move || form_text.pick(&choice.label)), value, on_change, disabled)
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        QuestionKind::MultipleChoice { choices } => {
            let order: Vec<String> = choices.iter().map(|choice| choice.value.clone()).collect();
            view! {
                <div class=format!("{grid_class} choice-grid--many") role="group">
                    {choices
                        .into_iter()
                        .map(|choice| {
                            let order = order.clone();
                            let this = choice.value.clone();
                            let chosen = {
                                let this = this.clone();
                                Signal::derive(move || matches!(value.get(), Some(AnswerValue::Choices(values)) if values.contains(&this)))
                            };
                            view! {
                                <ChoiceButton
                                    data_value=choice.value.clone()
                                    pressed=chosen
                                    disabled
                                    label=Signal::derive(move || form_text.pick(&choice.label))
                                    on_press=Callback::new(move |()| {
                                        let mut values = match value.get_untracked() {
                                            Some(AnswerValue::Choices(values)) => values,
                                            _ => Vec::new(),
                                        };
                                        if values.contains(&this) {
                                            values.retain(|value| value != &this);
                                        } else {
                                            values.push(this.clone());
                                        }
                                        // Keep the list's order, whatever order they were tapped in.
                                        thamgia_core::sorting::sort_by_key(&mut values, |value| order.iter().position(|known| known == value));
                                        on_change.run((!values.is_empty()).then_some(AnswerValue::Choices(values)));
                                    })
                                />
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any()
        }
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
        QuestionKind::Rating { points, dont_know } => view! {
            <div class="choice-grid rating" role="group">
                {(1..=points)
                    .map(|rating| {
                        let label = Signal::derive(move || format!("{rating} ★"));
                        choice_button(rating.to_string(), AnswerValue::Rating(rating), label, value, on_change, disabled)
                    })
                    .collect_view()}
                // "I don't know / I'd rather not say": rating 0, apart
                // from the points.
                {dont_know.then(|| {
                    let label = Signal::derive(move || app.texts().face_dont_know.to_owned());
                    choice_button("0".to_owned(), AnswerValue::Rating(0), label, value, on_change, disabled)
                })}
            </div>
        }
        .into_any(),
        QuestionKind::Ranking { choices } => ranking_input(choices, value, on_change, disabled).into_any(),
        QuestionKind::Note | QuestionKind::Calculate { .. } => ().into_any(),
        QuestionKind::Smiley {
            points,
            labels,
            words_from,
            dont_know,
        } => view! {
            <FaceScale points labels words_from dont_know age_band value on_change disabled/>
        }
        .into_any(),
    };
    view! {
        <fieldset class="form-question" data-question=question_id>
            <legend class="question-label">
                {move || form_text.pick(&label.get())}
                {required.then(|| view! { <span class="required-mark" title=move || app.texts().required>" *"</span> })}
            </legend>
            {hint.map(|hint| view! { <p class="question-hint">{move || form_text.pick(&hint)}</p> })}
            {guidance.map(|guidance| view! {
                <details class="question-guidance">
                    <summary>{move || app.texts().worker_guidance}</summary>
                    <p>{move || form_text.pick(&guidance)}</p>
                </details>
            })}
            {input}
            {move || error.get().map(|message| view! { <p class="field-error" role="alert">{form_text.pick(&message)}</p> })}
            <Show when=move || value.get().is_some() && !disabled.get() && takes_answer>
                <button type="button" class="btn btn-secondary clear-answer" on:click=move |_| on_change.run(None)>
                    {move || app.texts().clear_answer}
                </button>
            </Show>
        </fieldset>
    }
}

/// A drop-down list of options (the `minimal` appearance, for long lists).
fn choice_list(
    choices: Vec<thamgia_core::Choice>,
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let app = use_app();
    let form_text = use_form_text();
    let chosen = move || match value.get() {
        Some(AnswerValue::Choice(chosen)) => chosen,
        _ => String::new(),
    };
    view! {
        <select
            class="choice-list"
            disabled=move || disabled.get()
            prop:value=chosen
            on:change=move |event| {
                let picked = event_target_value(&event);
                on_change.run((!picked.is_empty()).then_some(AnswerValue::Choice(picked)));
            }
        >
            <option value="">{move || app.texts().not_answered}</option>
            {choices
                .into_iter()
                .map(|choice| {
                    let label = choice.label.clone();
                    let this = choice.value.clone();
                    view! {
                        <option value=choice.value.clone() selected=move || chosen() == this>
                            {move || form_text.pick(&label)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
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

fn text_input(
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
    max_length: u32,
    rows: u32,
) -> impl IntoView {
    let current = move || match value.get() {
        Some(AnswerValue::Text(text)) => text,
        _ => String::new(),
    };
    view! {
        <textarea
            rows=rows.to_string()
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

/// A range scale: a button per point when there are few (up to 11, as a
/// 0–10 scale), else a slider that counts as answered only once moved.
fn range_input(
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
    (start, end, step): (f64, f64, f64),
    dont_know: bool,
) -> impl IntoView {
    let app = use_app();
    // "I don't know / I'd rather not say", apart from the scale's points.
    let dont_know_button = move || {
        dont_know.then(|| {
            let label = Signal::derive(move || app.texts().face_dont_know.to_owned());
            choice_button(
                "dont_know".to_owned(),
                AnswerValue::DontKnow,
                label,
                value,
                on_change,
                disabled,
            )
        })
    };
    // A point as each language writes it: 8,5 in Vietnamese, 8.5 in English.
    let written = move |point: f64| {
        let text = point.to_string();
        if app.language.get() == thamgia_core::Language::Vi {
            text.replace('.', ",")
        } else {
            text
        }
    };
    let points = thamgia_core::survey::range_points(start, end, step).unwrap_or_default();
    if points.len() <= 11 {
        return view! {
            <div class="choice-grid range-points" role="group">
                {points
                    .into_iter()
                    .map(|point| {
                        let label = Signal::derive(move || written(point));
                        choice_button(point.to_string(), AnswerValue::Number(point), label, value, on_change, disabled)
                    })
                    .collect_view()}
                {dont_know_button()}
            </div>
        }
        .into_any();
    }
    let current = move || match value.get() {
        Some(AnswerValue::Number(number)) => Some(number),
        _ => None,
    };
    let (low, high) = (start.min(end), start.max(end));
    view! {
        <div class=move || if current().is_some() { "range-slider" } else { "range-slider range-slider--unanswered" }>
            <span class="range-end">{move || written(low)}</span>
            <input
                type="range"
                min=low.to_string()
                max=high.to_string()
                step=step.to_string()
                disabled=move || disabled.get()
                prop:value=move || current().unwrap_or(start).to_string()
                on:input=move |event| {
                    if let Ok(number) = event_target_value(&event).parse::<f64>() {
                        on_change.run(Some(AnswerValue::Number(number)));
                    }
                }
            />
            <span class="range-end">{move || written(high)}</span>
            <output class="range-value">
                {move || match value.get() {
                    Some(AnswerValue::Number(number)) => written(number),
                    Some(AnswerValue::DontKnow) => app.texts().face_dont_know.to_owned(),
                    _ => app.texts().not_answered.to_owned(),
                }}
            </output>
            {dont_know_button().map(|button| view! { <div class="choice-grid range-dont-know">{button}</div> })}
        </div>
    }
    .into_any()
}

/// A time (`type` "time", answered `HH:MM`) or a date and time
/// ("datetime-local", `YYYY-MM-DDTHH:MM`), with the tablet's own picker.
fn clock_input(
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
    kind: &'static str,
) -> impl IntoView {
    let current = move || match value.get() {
        Some(AnswerValue::Text(text)) => text,
        _ => String::new(),
    };
    view! {
        <input
            type=kind
            class="clock-input"
            disabled=move || disabled.get()
            prop:value=current
            on:input=move |event| {
                let text = event_target_value(&event);
                on_change.run((!text.trim().is_empty()).then(|| AnswerValue::Text(text.trim().to_owned())));
            }
        />
    }
}

fn date_input(
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let day = Signal::derive(move || match value.get() {
        Some(AnswerValue::Date(date)) => Some(date),
        _ => None,
    });
    // A text that is no day leaves no answer (the box keeps it, with why).
    view! {
        <crate::components::day_field::DayField
            value=day
            on_change=Callback::new(move |day: Option<chrono::NaiveDate>| on_change.run(day.map(AnswerValue::Date)))
            disabled
        />
    }
}

/// Options in order, moved up and down with big buttons (dragging is hard
/// for small hands). The answer is set by the first move or by "keep".
fn ranking_input(
    choices: Vec<thamgia_core::Choice>,
    value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let app = use_app();
    let form_text = use_form_text();
    let default_order: Vec<String> = choices.iter().map(|choice| choice.value.clone()).collect();
    let labels = StoredValue::new(choices);
    let order = Signal::derive(move || match value.get() {
        Some(AnswerValue::Ranking(order)) => order,
        _ => default_order.clone(),
    });
    let set = move |mut next: Vec<String>, from: usize, to: usize| {
        if to < next.len() && from < next.len() {
            next.swap(from, to);
        }
        on_change.run(Some(AnswerValue::Ranking(next)));
    };
    view! {
        <ol class="ranking">
            {move || {
                let current = order.get();
                let count = current.len();
                current
                    .iter()
                    .enumerate()
                    .map(|(position, item)| {
                        let label = labels.with_value(|choices| {
                            choices.iter().find(|choice| &choice.value == item).map(|choice| choice.label.clone()).unwrap_or_default()
                        });
                        let up = current.clone();
                        let down = current.clone();
                        view! {
                            <li data-value=item.clone()>
                                <span>{form_text.pick(&label)}</span>
                                <button type="button" class="btn btn-secondary" aria-label="↑" disabled=move || disabled.get() || position == 0 on:click=move |_| set(up.clone(), position, position.wrapping_sub(1))>"↑"</button>
                                <button type="button" class="btn btn-secondary" aria-label="↓" disabled=move || disabled.get() || position + 1 == count on:click=move |_| set(down.clone(), position, position + 1)>"↓"</button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
        <Show when=move || value.get().is_none() && !disabled.get()>
            <button type="button" class="btn btn-secondary" data-test="keep-order" on:click=move |_| on_change.run(Some(AnswerValue::Ranking(order.get_untracked())))>
                {move || app.texts().keep_order}
            </button>
        </Show>
    }
}
