//! The period select of the town hall view: quarters, halves and years.

use leptos::prelude::*;
use thamgia_core::report::Period;

use super::PeriodChoices;
use crate::state::use_app;

/// The period select: quarters, halves and years.
#[component]
pub(super) fn PeriodSelect(period: RwSignal<Period>, choices: PeriodChoices) -> impl IntoView {
    let app = use_app();
    let group = move |label: &'static str, periods: Vec<Period>| {
        view! {
            <optgroup label=label>
                {periods
                    .into_iter()
                    .map(|choice| {
                        let key = choice.key();
                        view! {
                            <option value=key selected=move || period.get() == choice>
                                {app.pick(&choice.label())}
                            </option>
                        }
                    })
                    .collect_view()}
            </optgroup>
        }
    };
    view! {
        <label class="field townhall-period">
            <span class="field-label">{move || app.townhall_texts().period_label}</span>
            <select
                data-test="period-select"
                on:change=move |event| {
                    if let Ok(chosen) = event_target_value(&event).parse::<Period>() {
                        period.set(chosen);
                    }
                }
            >
                {move || {
                    let texts = app.townhall_texts();
                    view! {
                        {group(texts.period_quarters, choices.quarters.clone())}
                        {group(texts.period_halves, choices.halves.clone())}
                        {group(texts.period_years, choices.years.clone())}
                    }
                }}
            </select>
        </label>
    }
}
