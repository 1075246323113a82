//! A big option button that shows whether it is chosen.

use leptos::prelude::*;

/// One option of a group (an answer, an age band, a sex): a large touch
/// target whose `aria-pressed` says whether it is the chosen one.
#[component]
pub fn ChoiceButton(
    /// The option's value, for tests and styles (`data-value`).
    #[prop(into)]
    data_value: String,
    /// Whether this option is the chosen one.
    #[prop(into)]
    pressed: Signal<bool>,
    /// Whether the group can no longer be changed.
    #[prop(into)]
    disabled: Signal<bool>,
    /// The text shown, in the current language.
    #[prop(into)]
    label: Signal<String>,
    /// Called when the option is pressed.
    on_press: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="choice"
            data-value=data_value
            disabled=move || disabled.get()
            aria-pressed=move || pressed.get().to_string()
            on:click=move |_| on_press.run(())
        >
            {move || label.get()}
        </button>
    }
}
