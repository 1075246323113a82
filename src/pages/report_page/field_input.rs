//! One field's box in the report: an indicator's value, a note or the
//! narrative.

use leptos::prelude::*;
use thamgia_core::report::{FieldContent, FieldKey};

use super::also_entered::AlsoEntered;
use super::{changes, display, field_state, FieldCallbacks, FieldKind};
use crate::state::use_app;
use crate::storage::StoredReport;

/// One field's box: an indicator's value, a note or the narrative.
///
/// What the officer typed stays in the box — while they are in it, while
/// it waits to be saved, and when it is not a number (with a message; it is
/// then not saved) — until the stored content changes to something else
/// than both what was typed and what was stored when they typed it: that is
/// a colleague's later edit arriving by sync, and it is shown.
///
/// A value is a text box with a decimal keyboard rather than
/// `type="number"`: a number box reports anything it cannot read ("12,5" in
/// some browsers) as empty, which would clear the field instead of keeping
/// what was typed.
#[component]
pub(super) fn FieldInput(
    key: FieldKey,
    kind: FieldKind,
    test_id: String,
    report: Memo<Option<StoredReport>>,
    locked: Signal<bool>,
    edits: FieldCallbacks,
) -> impl IntoView {
    let app = use_app();
    let state = field_state(report, key.clone());
    let stored =
        Memo::new(move |_| state.with(|state| state.as_ref().map(|state| state.content().clone())));
    // The text typed here, with the content stored when it was typed.
    let typed: RwSignal<Option<(String, Option<FieldContent>)>> = RwSignal::new(None);
    let focused = RwSignal::new(false);
    let shown = Memo::new(move |_| {
        stored.with(|stored| {
            typed.with(|typed| match typed {
                Some((text, stored_then))
                    if focused.get()
                        || stored == stored_then
                        || kind.content(text).is_none_or(|content| {
                            content.same_as(stored.as_ref().unwrap_or(&FieldContent::Cleared))
                        }) =>
                {
                    text.clone()
                }
                _ => display(stored.as_ref()),
            })
        })
    });
    let invalid = Signal::derive(move || shown.with(|text| kind.content(text).is_none()));
    let key_typed = key.clone();
    let typed_now = move |text: String| {
        let content = kind
            .content(&text)
            .filter(|content| changes(state, content));
        typed.set(Some((text, stored.get_untracked())));
        edits.on_typed.run((key_typed.clone(), content));
    };
    let typed_on_change = typed_now.clone();
    let input = match kind {
        FieldKind::Paragraph => view! {
            <textarea
                rows="8"
                aria-label=move || app.texts().report_narrative
                data-test=test_id
                disabled=move || locked.get()
                prop:value=move || shown.get()
                on:focus=move |_| focused.set(true)
                on:blur=move |_| focused.set(false)
                on:input=move |event| typed_now(event_target_value(&event))
                on:change=move |event| {
                    typed_on_change(event_target_value(&event));
                    edits.on_left.run(());
                }
            ></textarea>
        }
        .into_any(),
        FieldKind::Number | FieldKind::Line | FieldKind::Evidence => view! {
            <input
                type="text"
                inputmode=if kind == FieldKind::Number { "decimal" } else { "text" }
                autocomplete="off"
                data-test=test_id
                disabled=move || locked.get()
                aria-invalid=move || invalid.get().to_string()
                prop:value=move || shown.get()
                on:focus=move |_| focused.set(true)
                on:blur=move |_| focused.set(false)
                on:input=move |event| typed_now(event_target_value(&event))
                on:change=move |event| {
                    typed_on_change(event_target_value(&event));
                    edits.on_left.run(());
                }
            />
        }
        .into_any(),
    };
    // The narrative's heading is its label.
    let label = (kind != FieldKind::Paragraph).then(|| {
        let texts = move || app.texts();
        view! {
            <span>
                {move || match kind {
                    FieldKind::Number => texts().report_value,
                    FieldKind::Evidence => texts().report_evidence,
                    _ => texts().report_note,
                }}
            </span>
        }
    });
    view! {
        <div class="report-field">
            <label class="report-label">
                {label}
                {input}
            </label>
            <Show when=move || invalid.get()>
                <p class="field-error" role="alert">{move || app.texts().report_number_invalid}</p>
            </Show>
            <AlsoEntered state/>
        </div>
    }
}
