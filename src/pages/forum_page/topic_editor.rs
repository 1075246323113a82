//! One topic of a forum draft, with its opinions.

use leptos::prelude::*;
use thamgia_core::forum::Opinion;
use uuid::Uuid;

use super::opinion_editor::OpinionEditor;
use super::{confirm_removal, Editor};
use crate::platform;

/// One topic of the draft, with its opinions.
#[component]
pub(super) fn TopicEditor(editor: Editor, topic_id: Uuid) -> impl IntoView {
    let app = editor.app;
    let initial_title = editor.forum.with_untracked(|forum| {
        forum
            .topics
            .iter()
            .find(|topic| topic.id == topic_id)
            .map(|topic| topic.title.clone())
            .unwrap_or_default()
    });
    let remove = move |_| {
        let has_content = editor.forum.with_untracked(|forum| {
            forum.topics.iter().any(|topic| {
                topic.id == topic_id
                    && (!topic.title.trim().is_empty() || !topic.opinions.is_empty())
            })
        });
        if confirm_removal(app, has_content) {
            editor.update(|forum| forum.topics.retain(|topic| topic.id != topic_id));
        }
    };
    view! {
        <div class="forum-topic" data-test="topic" data-topic=topic_id.to_string()>
            <label class="field">
                <span class="field-label">{move || app.texts().forum_topic_title}</span>
                <input
                    type="text"
                    data-test="topic-title"
                    maxlength="200"
                    prop:value=initial_title
                    on:input=move |event| {
                        let text = event_target_value(&event);
                        editor.update_topic(topic_id, |topic| topic.title = text);
                    }
                />
            </label>
            <For
                each=move || editor.forum.with(|forum| {
                    forum
                        .topics
                        .iter()
                        .find(|topic| topic.id == topic_id)
                        .map(|topic| topic.opinions.iter().map(|opinion| opinion.id).collect::<Vec<_>>())
                        .unwrap_or_default()
                })
                key=|id| *id
                children=move |opinion_id| view! { <OpinionEditor editor topic_id opinion_id/> }
            />
            <div class="row-actions">
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-test="add-opinion"
                    on:click=move |_| editor.update_topic(topic_id, |topic| topic.opinions.push(Opinion {
                        id: platform::new_uuid(),
                        text: String::new(),
                        smiley: None,
                        votes: 0,
                    }))
                >
                    {move || app.texts().forum_add_opinion}
                </button>
                <button type="button" class="btn btn-danger" data-test="remove-topic" on:click=remove>
                    {move || app.texts().forum_remove_topic}
                </button>
            </div>
        </div>
    }
}
