//! One opinion of a forum draft's topic: the children's words, an optional
//! face, votes.

use leptos::prelude::*;
use thamgia_core::forum::Forum;
use uuid::Uuid;

use super::{confirm_removal, count_input, count_text, face_name, Editor};
use crate::components::question_field::SmileyFace;

/// One opinion of a topic: the children's words, an optional face, votes.
#[component]
pub(super) fn OpinionEditor(editor: Editor, topic_id: Uuid, opinion_id: Uuid) -> impl IntoView {
    let app = editor.app;
    let read = move |forum: &Forum| {
        forum
            .topics
            .iter()
            .find(|topic| topic.id == topic_id)
            .and_then(|topic| {
                topic
                    .opinions
                    .iter()
                    .find(|opinion| opinion.id == opinion_id)
            })
            .cloned()
    };
    let initial = editor.forum.with_untracked(read);
    let smiley = Memo::new(move |_| {
        editor
            .forum
            .with(|forum| read(forum).and_then(|opinion| opinion.smiley))
    });
    let remove = move |_| {
        let has_content = editor.forum.with_untracked(|forum| {
            read(forum).is_some_and(|opinion| !opinion.text.trim().is_empty())
        });
        if confirm_removal(app, has_content) {
            editor.update_topic(topic_id, |topic| {
                topic.opinions.retain(|opinion| opinion.id != opinion_id);
            });
        }
    };
    let faces = (1..=5_u8)
        .map(|face| {
            view! {
                <button
                    type="button"
                    class="smiley smiley--small"
                    data-value=face.to_string()
                    aria-pressed=move || (smiley.get() == Some(face)).to_string()
                    aria-label=move || face_name(app, face)
                    on:click=move |_| editor.update_opinion(topic_id, opinion_id, |opinion| opinion.smiley = Some(face))
                >
                    <SmileyFace face=face points=5 size=32/>
                    <span>{move || face_name(app, face)}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="forum-opinion" data-test="opinion" data-opinion=opinion_id.to_string()>
            <label class="field">
                <span class="field-label">{move || app.texts().forum_opinion}</span>
                <textarea
                    rows="3"
                    data-test="opinion-text"
                    maxlength="2000"
                    prop:value=initial.as_ref().map(|opinion| opinion.text.clone()).unwrap_or_default()
                    on:input=move |event| {
                        let text = event_target_value(&event);
                        editor.update_opinion(topic_id, opinion_id, |opinion| opinion.text = text);
                    }
                ></textarea>
            </label>
            <p class="field-label">{move || app.texts().forum_smiley}</p>
            <div class="smiley-scale" role="group" data-test="opinion-smiley">
                <button
                    type="button"
                    class="smiley smiley--small smiley--none"
                    data-value="none"
                    aria-pressed=move || smiley.get().is_none().to_string()
                    on:click=move |_| editor.update_opinion(topic_id, opinion_id, |opinion| opinion.smiley = None)
                >
                    <span>{move || app.texts().forum_no_smiley}</span>
                </button>
                {faces}
            </div>
            <div class="forum-opinion-foot">
                <label class="field">
                    <span class="field-label">{move || app.texts().forum_votes}</span>
                    {count_input(
                        app,
                        "opinion-votes".to_owned(),
                        app.texts().forum_votes.to_owned(),
                        count_text(initial.as_ref().map(|opinion| opinion.votes).filter(|votes| *votes > 0)),
                        Callback::new(move |votes: Option<u32>| editor.update_opinion(topic_id, opinion_id, |opinion| opinion.votes = votes.unwrap_or(0))),
                    )}
                </label>
                <button type="button" class="btn btn-danger" data-test="remove-opinion" on:click=remove>
                    {move || app.texts().forum_remove_opinion}
                </button>
            </div>
        </div>
    }
}
