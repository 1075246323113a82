//! The forum page's draft editor: the session, the children, topics and
//! recommendations, the Circular 29 warnings, and "submit".

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use thamgia_core::forum::{Forum, ForumLevel, Recommendation, Topic};
use thamgia_core::sync_client::Trigger;
use thamgia_core::Localized;
use uuid::Uuid;

use super::participant_grid::ParticipantGrid;
use super::recommendation_editor::RecommendationEditor;
use super::topic_editor::TopicEditor;
use super::{count_input, count_text, without_empty_rows, Editor};
use crate::components::choice_button::ChoiceButton;
use crate::components::save_status::SaveStatus;
use crate::hooks::use_autosave::use_autosave;
use crate::i18n::{EN, VI};
use crate::platform;
use crate::state::{use_app, Notice};

/// The draft being recorded. `on_submitted` is called once it is queued for
/// the town hall, to show it read-only.
#[component]
pub(super) fn ForumEditor(forum: Forum, on_submitted: Callback<()>) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let forum = RwSignal::new(forum);
    let autosave = use_autosave(forum, move |draft: Forum| {
        let store = app.store();
        async move { store.save_forum_draft(&draft).await }
    });
    let editor = Editor {
        app,
        forum,
        autosave,
    };
    let problems = RwSignal::new(Vec::<Localized>::new());
    let warnings = Memo::new(move |_| editor.forum.with(Forum::warnings));
    let initial = editor.forum.get_untracked();

    let submit = Action::new_local(move |(): &()| {
        let mut finished = without_empty_rows(editor.forum.get_untracked());
        finished.submitted = true;
        finished.updated_at = platform::now();
        let found = finished.problems();
        let store = app.store();
        async move {
            if !found.is_empty() {
                problems.set(found);
                return;
            }
            match store.submit_forum(&finished).await {
                Ok(_) => {
                    problems.set(Vec::new());
                    app.records_changed();
                    app.notice.set(Some(Notice::here(
                        Localized::new(VI.forum_submitted_notice, EN.forum_submitted_notice),
                        true,
                    )));
                    app.sync.get_value().request(Trigger::LocalChange);
                    window().scroll_to_with_x_and_y(0.0, 0.0);
                    on_submitted.run(());
                }
                Err(error) => problems.set(vec![error.message()]),
            }
        }
    });
    let discard_draft = Action::new_local(move |id: &Uuid| {
        let id = *id;
        let store = app.store();
        let navigate = navigate.clone();
        async move {
            match store.discard_forum_draft(id).await {
                Ok(()) => {
                    app.records_changed();
                    navigate("/forums", NavigateOptions::default());
                }
                Err(error) => editor.autosave.fail(error.message()),
            }
        }
    });
    let discard = move |_| {
        let confirmed = window()
            .confirm_with_message(app.texts().forum_discard_confirm)
            .unwrap_or(false);
        if confirmed {
            discard_draft.dispatch_local(editor.forum.with_untracked(|forum| forum.id));
        }
    };
    // Submitting and discarding are writes: one at a time, and both buttons
    // are disabled while either runs.
    let writing = move || submit.pending().get() || discard_draft.pending().get();

    let levels = [ForumLevel::Commune, ForumLevel::City]
        .into_iter()
        .map(|level| {
            let label = level.label();
            view! {
                <ChoiceButton
                    data_value=match level { ForumLevel::Commune => "commune", ForumLevel::City => "city" }
                    pressed=Signal::derive(move || editor.forum.with(|forum| forum.level == level))
                    disabled=false
                    label=Signal::derive(move || app.pick(&label))
                    on_press=Callback::new(move |()| editor.update(|forum| forum.level = level))
                />
            }
        })
        .collect_view();

    view! {
        <article class="forum" data-test="forum-editor" data-forum=initial.id.to_string()>
            <a class="back-link" href="/forums">{move || app.texts().forum_back}</a>
            <h1>{move || app.texts().forum_record_title}</h1>
            <SaveStatus state=editor.autosave.state/>

            <section class="card forum-session">
                <h2 class="card-title">{move || app.texts().forum_level}</h2>
                <div class="choice-grid" role="group" data-test="forum-level">{levels}</div>
                <div class="forum-fields">
                    <label class="field">
                        <span class="field-label">{move || app.texts().forum_date}</span>
                        <crate::components::day_field::DayField
                            test="forum-date"
                            value=Some(initial.held_on)
                            on_change=Callback::new(move |day: Option<NaiveDate>| {
                                // A day half typed is none yet: keep the last full one.
                                if let Some(date) = day {
                                    editor.update(|forum| forum.held_on = date);
                                }
                            })
                        />
                    </label>
                    <label class="field">
                        <span class="field-label">{move || app.texts().forum_place}</span>
                        <input
                            type="text"
                            data-test="forum-place"
                            maxlength="200"
                            prop:value=initial.place.clone()
                            on:input=move |event| {
                                let text = event_target_value(&event);
                                editor.update(|forum| forum.place = text);
                            }
                        />
                    </label>
                    <label class="field">
                        <span class="field-label">{move || app.texts().forum_facilitators}</span>
                        <input
                            type="text"
                            data-test="forum-facilitators"
                            maxlength="200"
                            prop:value=initial.facilitators.clone()
                            on:input=move |event| {
                                let text = event_target_value(&event);
                                editor.update(|forum| forum.facilitators = text);
                            }
                        />
                    </label>
                    <label class="field">
                        <span class="field-label">{move || app.texts().forum_adults}</span>
                        {count_input(
                            app,
                            "forum-adults".to_owned(),
                            app.texts().forum_adults.to_owned(),
                            count_text(Some(initial.adult_supporters).filter(|count| *count > 0)),
                            Callback::new(move |count: Option<u32>| editor.update(|forum| forum.adult_supporters = count.unwrap_or(0))),
                        )}
                    </label>
                    <label class="field">
                        <span class="field-label">{move || app.texts().forum_consents}</span>
                        {count_input(
                            app,
                            "forum-consents".to_owned(),
                            app.texts().forum_consents.to_owned(),
                            count_text(Some(initial.consents_collected).filter(|count| *count > 0)),
                            Callback::new(move |count: Option<u32>| editor.update(|forum| forum.consents_collected = count.unwrap_or(0))),
                        )}
                    </label>
                </div>
            </section>

            <section class="card">
                <h2 class="card-title">{move || app.texts().forum_participants}</h2>
                <p class="muted">{move || app.texts().forum_participants_hint}</p>
                <ParticipantGrid participants=Signal::derive(move || editor.forum.with(|forum| forum.participants.clone())) editor=Some(editor)/>
                <Show when=move || warnings.with(|warnings| !warnings.is_empty())>
                    <div class="notice notice--warning" role="status" data-test="forum-warnings">
                        <p>{move || app.texts().forum_warnings_title}</p>
                        <ul>
                            {move || warnings.get().into_iter().map(|warning| view! {
                                <li data-test="forum-warning">{app.pick(&warning.message)}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                </Show>
            </section>

            <section class="card">
                <h2 class="card-title">{move || app.texts().forum_topics}</h2>
                <For
                    each=move || editor.forum.with(|forum| forum.topics.iter().map(|topic| topic.id).collect::<Vec<_>>())
                    key=|id| *id
                    children=move |topic_id| view! { <TopicEditor editor topic_id/> }
                />
                <button
                    type="button"
                    class="btn btn-secondary btn-large"
                    data-test="add-topic"
                    on:click=move |_| editor.update(|forum| forum.topics.push(Topic {
                        id: platform::new_uuid(),
                        title: String::new(),
                        opinions: Vec::new(),
                    }))
                >
                    {move || app.texts().forum_add_topic}
                </button>
            </section>

            <section class="card">
                <h2 class="card-title">{move || app.texts().forum_recommendations}</h2>
                <For
                    each=move || editor.forum.with(|forum| forum.recommendations.iter().map(|recommendation| recommendation.id).collect::<Vec<_>>())
                    key=|id| *id
                    children=move |recommendation_id| view! { <RecommendationEditor editor recommendation_id/> }
                />
                <button
                    type="button"
                    class="btn btn-secondary btn-large"
                    data-test="add-recommendation"
                    on:click=move |_| editor.update(|forum| forum.recommendations.push(Recommendation {
                        id: platform::new_uuid(),
                        text: String::new(),
                        authority: String::new(),
                        votes: 0,
                    }))
                >
                    {move || app.texts().forum_add_recommendation}
                </button>
            </section>

            <Show when=move || problems.with(|problems| !problems.is_empty())>
                <div class="notice notice--error" role="alert" data-test="forum-problems">
                    <p>{move || app.texts().forum_submit_fix}</p>
                    <ul>{move || problems.get().into_iter().map(|problem| view! { <li>{app.pick(&problem)}</li> }).collect_view()}</ul>
                </div>
            </Show>
            <div class="actions">
                <button
                    type="button"
                    class="btn btn-primary btn-large"
                    data-test="submit-forum"
                    disabled=writing
                    on:click=move |_| {
                        submit.dispatch_local(());
                    }
                >
                    {move || app.texts().forum_submit}
                </button>
                <button type="button" class="btn btn-danger" data-test="discard-forum" disabled=writing on:click=discard>
                    {move || app.texts().forum_discard}
                </button>
            </div>
        </article>
    }
}
