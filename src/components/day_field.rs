//! A day typed as people in Vietnam write it, dd/mm/yyyy, whatever the
//! browser's locale (a browser's date field shows the browser's own
//! order). What is typed stays in the box; a text that is no day is said
//! so under it; the rules are core's (`thamgia_core::day`).

use chrono::NaiveDate;
use leptos::prelude::*;
use thamgia_core::day::{format_day, parse_day};

use crate::state::use_app;

/// The box. `on_change` gets the day typed, or `None` while the box is
/// empty or holds no day; each caller decides what that means (a question
/// loses its answer; a forum keeps its last full day).
#[component]
pub fn DayField(
    /// The day held.
    #[prop(into)]
    value: Signal<Option<NaiveDate>>,
    /// Called as the worker types.
    on_change: Callback<Option<NaiveDate>>,
    /// Whether the box can no longer be changed.
    #[prop(into, optional)]
    disabled: Signal<bool>,
    /// The box's `data-test`.
    #[prop(optional)]
    test: &'static str,
) -> impl IntoView {
    let app = use_app();
    // What was typed, while it is not the day held written back.
    let typed: RwSignal<Option<String>> = RwSignal::new(None);
    let shown = move || {
        typed
            .get()
            .unwrap_or_else(|| value.get().map(format_day).unwrap_or_default())
    };
    let wrong = move || {
        typed.with(|typed| {
            typed
                .as_deref()
                .is_some_and(|text| !text.trim().is_empty() && parse_day(text).is_none())
        })
    };
    view! {
        <input
            type="text"
            inputmode="numeric"
            autocomplete="off"
            placeholder="dd/mm/yyyy"
            maxlength="10"
            data-test=test
            disabled=move || disabled.get()
            aria-invalid=move || wrong().to_string()
            prop:value=shown
            on:input=move |event| {
                let text = event_target_value(&event);
                let day = parse_day(&text);
                typed.set(Some(text));
                on_change.run(day);
            }
            on:blur=move |_| {
                // A full day is written back in its one form.
                if typed.with_untracked(|typed| typed.as_deref().is_some_and(|text| parse_day(text).is_some())) {
                    typed.set(None);
                }
            }
        />
        <Show when=wrong>
            <p class="field-error" role="alert">{move || app.texts().day_invalid}</p>
        </Show>
    }
}
