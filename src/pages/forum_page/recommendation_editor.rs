//! One recommendation of a forum draft: its text, the authority, votes.

use leptos::prelude::*;
use uuid::Uuid;

use super::{confirm_removal, count_input, count_text, Editor};

/// One recommendation of the draft: its text, the authority, votes.
#[component]
pub(super) fn RecommendationEditor(editor: Editor, recommendation_id: Uuid) -> impl IntoView {
    let app = editor.app;
    let initial = editor.forum.with_untracked(|forum| {
        forum
            .recommendations
            .iter()
            .find(|recommendation| recommendation.id == recommendation_id)
            .cloned()
    });
    let (text, authority, votes) = initial
        .map(|recommendation| {
            (
                recommendation.text,
                recommendation.authority,
                recommendation.votes,
            )
        })
        .unwrap_or_default();
    let remove = move |_| {
        let has_content = editor.forum.with_untracked(|forum| {
            forum.recommendations.iter().any(|recommendation| {
                recommendation.id == recommendation_id
                    && (!recommendation.text.trim().is_empty()
                        || !recommendation.authority.trim().is_empty())
            })
        });
        if confirm_removal(app, has_content) {
            editor.update(|forum| {
                forum
                    .recommendations
                    .retain(|recommendation| recommendation.id != recommendation_id);
            });
        }
    };
    view! {
        <div class="forum-recommendation" data-test="recommendation" data-recommendation=recommendation_id.to_string()>
            <label class="field">
                <span class="field-label">{move || app.texts().forum_recommendation_text}</span>
                <textarea
                    rows="3"
                    data-test="recommendation-text"
                    maxlength="2000"
                    prop:value=text
                    on:input=move |event| {
                        let text = event_target_value(&event);
                        editor.update_recommendation(recommendation_id, |recommendation| recommendation.text = text);
                    }
                ></textarea>
            </label>
            <label class="field">
                <span class="field-label">{move || app.texts().forum_authority}</span>
                <input
                    type="text"
                    data-test="recommendation-authority"
                    maxlength="200"
                    placeholder=move || app.texts().forum_authority_hint
                    prop:value=authority
                    on:input=move |event| {
                        let text = event_target_value(&event);
                        editor.update_recommendation(recommendation_id, |recommendation| recommendation.authority = text);
                    }
                />
            </label>
            <div class="forum-opinion-foot">
                <label class="field">
                    <span class="field-label">{move || app.texts().forum_votes}</span>
                    {count_input(
                        app,
                        "recommendation-votes".to_owned(),
                        app.texts().forum_votes.to_owned(),
                        count_text(Some(votes).filter(|votes| *votes > 0)),
                        Callback::new(move |votes: Option<u32>| editor.update_recommendation(recommendation_id, |recommendation| recommendation.votes = votes.unwrap_or(0))),
                    )}
                </label>
                <button type="button" class="btn btn-danger" data-test="remove-recommendation" on:click=remove>
                    {move || app.texts().forum_remove_recommendation}
                </button>
            </div>
        </div>
    }
}
