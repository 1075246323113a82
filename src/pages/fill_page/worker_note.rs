//! The worker's note after a possible disclosure: when an answer the
//! survey marks is given, a closed, plainly named note appears below the
//! questions ("Note for the worker": nothing in it alarms a child looking
//! at the tablet). Opened, it says what to do now (core's
//! [`guidance`](thamgia_core::safeguarding::guidance)) and records that a
//! referral was made — to whom and when, nothing about the child.

use leptos::prelude::*;
use thamgia_core::safeguarding::{
    guidance, note_heading, possible_disclosures, Referral, ReferredTo,
};

use super::Editor;
use crate::components::choice_button::ChoiceButton;
use crate::platform;

/// Toggles `to` in the response's referral: made now when the first
/// recipient is recorded, gone when the last is taken off.
fn toggle(referral: &mut Option<Referral>, to: ReferredTo) {
    match referral {
        Some(made) if made.to.contains(&to) => {
            made.to.retain(|recorded| *recorded != to);
            if made.to.is_empty() {
                *referral = None;
            }
        }
        Some(made) => made.to.push(to),
        None => {
            *referral = Some(Referral {
                to: vec![to],
                made_at: platform::now(),
            });
        }
    }
}

#[component]
pub(super) fn WorkerNote(editor: Editor) -> impl IntoView {
    let app = editor.app;
    let shown = move || {
        editor.response.with(|draft| {
            draft.referral.is_some()
                || editor
                    .survey
                    .with_value(|survey| !possible_disclosures(survey, &draft.answers).is_empty())
        })
    };
    let heading = note_heading();
    let steps = guidance();
    view! {
        <Show when=shown>
            <details class="worker-note" data-test="worker-note">
                <summary>{
                    let heading = heading.clone();
                    move || app.pick(&heading)
                }</summary>
                <ol data-test="disclosure-steps">
                    {steps
                        .clone()
                        .into_iter()
                        .map(|step| view! { <li>{move || app.pick(&step)}</li> })
                        .collect_view()}
                </ol>
                <div class="choice-grid" role="group" data-test="referral">
                    {ReferredTo::ALL
                        .into_iter()
                        .map(|to| {
                            let label = to.label();
                            view! {
                                <ChoiceButton
                                    data_value=format!("{to:?}")
                                    pressed=Signal::derive(move || editor.response.with(|draft| draft.referral.as_ref().is_some_and(|made| made.to.contains(&to))))
                                    disabled=editor.read_only
                                    label=Signal::derive(move || app.pick(&label))
                                    on_press=Callback::new(move |()| editor.update(&|draft| toggle(&mut draft.referral, to)))
                                />
                            }
                        })
                        .collect_view()}
                </div>
            </details>
        </Show>
    }
}
