//! "Feedback given to the children": when and how they were told the
//! authority's answer to one recommendation.

use chrono::NaiveDate;
use leptos::prelude::*;
use thamgia_core::forum::{ChildFeedback, FeedbackChannel};
use thamgia_core::sync_client::Trigger;
use thamgia_core::Localized;
use uuid::Uuid;

use super::channel_key;
use crate::components::choice_button::ChoiceButton;
use crate::i18n::{EN, VI};
use crate::platform;
use crate::state::use_app;

/// "Feedback given to the children": when and how they were told the
/// authority's answer to one recommendation.
#[component]
pub(super) fn FeedbackForm(recommendation_id: Uuid) -> impl IntoView {
    let app = use_app();
    let today = platform::today();
    let given_on = RwSignal::new(Some(today));
    let channel = RwSignal::new(None::<FeedbackChannel>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Localized>);
    let record = Action::new_local(move |(): &()| {
        let chosen = (given_on.get_untracked(), channel.get_untracked());
        let note = note.get_untracked().trim().to_owned();
        let store = app.store();
        async move {
            let (Some(given_on), Some(channel)) = chosen else {
                error.set(Some(Localized::new(
                    VI.forum_feedback_choose,
                    EN.forum_feedback_choose,
                )));
                return;
            };
            let feedback = ChildFeedback {
                recommendation_id,
                given_on,
                channel,
                note,
            };
            match store.record_feedback(&feedback).await {
                Ok(_) => {
                    error.set(None);
                    app.records_changed();
                    app.sync.get_value().request(Trigger::LocalChange);
                }
                Err(failure) => error.set(Some(failure.message())),
            }
        }
    });
    let channels = FeedbackChannel::ALL
        .into_iter()
        .map(|option| {
            let label = option.label();
            view! {
                <ChoiceButton
                    data_value=channel_key(option)
                    pressed=Signal::derive(move || channel.get() == Some(option))
                    disabled=false
                    label=Signal::derive(move || app.pick(&label))
                    on_press=Callback::new(move |()| channel.set(Some(option)))
                    {..}
                    data-test=format!("feedback-channel-{}", channel_key(option))
                />
            }
        })
        .collect_view();
    view! {
        <div class="forum-feedback-form" data-test="feedback-form">
            <h4>{move || app.texts().forum_feedback_title}</h4>
            <p class="muted">{move || app.texts().forum_feedback_intro}</p>
            <label class="field">
                <span class="field-label">{move || app.texts().forum_feedback_date}</span>
                <crate::components::day_field::DayField
                    test="feedback-date"
                    value=Some(today)
                    on_change=Callback::new(move |day: Option<NaiveDate>| given_on.set(day))
                />
            </label>
            <p class="field-label">{move || app.texts().forum_feedback_channel}</p>
            <div class="choice-grid" role="group">{channels}</div>
            <label class="field">
                <span class="field-label">{move || app.texts().forum_feedback_note}</span>
                <input
                    type="text"
                    data-test="feedback-note"
                    maxlength="500"
                    on:input=move |event| note.set(event_target_value(&event))
                />
            </label>
            {move || error.get().map(|message| view! { <p class="field-error" role="alert">{app.pick(&message)}</p> })}
            <button
                type="button"
                class="btn btn-primary"
                data-test="record-feedback"
                disabled=move || record.pending().get()
                on:click=move |_| {
                    record.dispatch_local(());
                }
            >
                {move || app.texts().forum_feedback_record}
            </button>
        </div>
    }
}
