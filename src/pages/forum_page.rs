//! `/forum/:id`: one children's forum (Circular 29/2019).
//!
//! A draft is recorded here: level, date, place, facilitators, adult
//! supporters, parental consents, the children as counts by age band and
//! sex, topics with the opinions voiced (an optional face, votes), and the
//! recommendations to named authorities. Every change is saved on the tablet
//! at once; the Circular 29 checks are shown as they change, as warnings
//! that never block. "Submit" lists what is missing, or queues the forum for
//! the town hall and syncs.
//!
//! A submitted forum is read-only. Each recommendation shows where it is,
//! the authority's answer once it came by pull, and then a small form to
//! record the feedback given back to the children.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use thamgia_core::forum::{
    ChildFeedback, FeedbackChannel, Forum, ForumLevel, Opinion, ParticipantCount, Recommendation,
    Topic,
};
use thamgia_core::sync_client::Trigger;
use thamgia_core::{AgeBand, Localized, Sex};
use uuid::Uuid;

use crate::components::choice_button::ChoiceButton;
use crate::components::question_field::SmileyFace;
use crate::components::save_status::SaveStatus;
use crate::hooks::use_autosave::{use_autosave, UseAutosaveReturn};
use crate::i18n::{EN, VI};
use crate::pages::forums_page::{
    deadline_line, format_date, forum_state, recommendation_status_name, state_name,
};
use crate::platform;
use crate::state::{use_app, AppState, Notice};
use crate::storage::StoredForum;

/// The rows of the participant grid: the bands Circular 29 forums are for,
/// then the youngest.
const BANDS: [AgeBand; 4] = [
    AgeBand::From7To9,
    AgeBand::From10To12,
    AgeBand::From13To15,
    AgeBand::Under7,
];

/// The page: reads the forum once, then edits the draft or shows the
/// submitted forum (at once after submitting it here).
#[component]
pub fn ForumPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    // Bumped when the draft was submitted here, to read it again.
    let submitted = RwSignal::new(0_u32);
    // Read once per id (and after submitting): the draft editor is the only
    // writer of its draft, and the summary rereads by itself when records
    // change.
    let loaded = LocalResource::new(move || {
        submitted.track();
        let id = params
            .read()
            .get("id")
            .and_then(|text| Uuid::parse_str(&text).ok());
        let store = app.store();
        async move {
            match id {
                None => Ok(None),
                Some(id) => store.forum(id).await.map_err(|error| error.message()),
            }
        }
    });
    move || {
        match loaded.get() {
        None => view! { <p class="muted">{app.texts().loading}</p> }.into_any(),
        Some(Err(message)) => {
            view! { <p class="notice notice--error" role="alert">{app.pick(&message)}</p> }
                .into_any()
        }
        Some(Ok(None)) => view! {
            <p class="notice notice--error" data-test="forum-not-found">{app.texts().forum_not_found}</p>
            <a class="btn btn-secondary" href="/forums">{app.texts().forum_back}</a>
        }
        .into_any(),
        Some(Ok(Some(stored))) if stored.is_draft() => {
            let on_submitted = Callback::new(move |()| submitted.update(|count| *count += 1));
            view! { <ForumEditor forum=stored.forum on_submitted/> }.into_any()
        }
        Some(Ok(Some(stored))) => view! { <ForumSummary initial=stored/> }.into_any(),
    }
    }
}

/// What the draft editor's pieces share. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
struct Editor {
    app: AppState,
    forum: RwSignal<Forum>,
    autosave: UseAutosaveReturn,
}

impl Editor {
    /// Saves the draft (see [`use_autosave`]).
    fn save(self) {
        self.autosave.save();
    }

    /// Changes the draft and saves it.
    fn update(self, change: impl FnOnce(&mut Forum)) {
        self.forum.update(|forum| {
            change(forum);
            forum.updated_at = platform::now();
        });
        self.save();
    }

    /// Changes one topic, if it is still there, and saves.
    fn update_topic(self, topic_id: Uuid, change: impl FnOnce(&mut Topic)) {
        self.update(|forum| {
            if let Some(topic) = forum.topics.iter_mut().find(|topic| topic.id == topic_id) {
                change(topic);
            }
        });
    }

    /// Changes one opinion, if it is still there, and saves.
    fn update_opinion(self, topic_id: Uuid, opinion_id: Uuid, change: impl FnOnce(&mut Opinion)) {
        self.update_topic(topic_id, |topic| {
            if let Some(opinion) = topic
                .opinions
                .iter_mut()
                .find(|opinion| opinion.id == opinion_id)
            {
                change(opinion);
            }
        });
    }

    /// Changes one recommendation, if it is still there, and saves.
    fn update_recommendation(
        self,
        recommendation_id: Uuid,
        change: impl FnOnce(&mut Recommendation),
    ) {
        self.update(|forum| {
            if let Some(recommendation) = forum
                .recommendations
                .iter_mut()
                .find(|recommendation| recommendation.id == recommendation_id)
            {
                change(recommendation);
            }
        });
    }
}

/// Asks before removing something that holds what was typed; an empty row
/// goes without asking.
fn confirm_removal(app: AppState, has_content: bool) -> bool {
    !has_content
        || window()
            .confirm_with_message(app.texts().forum_remove_confirm)
            .unwrap_or(false)
}

/// The forum as it is sent: opinions left empty and topics with neither a
/// title nor an opinion are dropped, so the town hall gets no blank rows.
fn without_empty_rows(mut forum: Forum) -> Forum {
    for topic in &mut forum.topics {
        topic
            .opinions
            .retain(|opinion| !opinion.text.trim().is_empty());
    }
    forum
        .topics
        .retain(|topic| !topic.title.trim().is_empty() || !topic.opinions.is_empty());
    forum
}

/// Reads a typed count: `Some(None)` for an empty box, `Some(Some(n))` for
/// a whole number from 0, `None` for anything else.
fn parse_count(text: &str) -> Option<Option<u32>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(None);
    }
    trimmed.parse::<u32>().ok().map(Some)
}

/// The children counted in one cell of the grid; `None` when nothing was
/// entered there.
fn count_of(participants: &[ParticipantCount], age_band: AgeBand, sex: Sex) -> Option<u32> {
    participants
        .iter()
        .find(|count| count.age_band == age_band && count.sex == sex)
        .map(|count| count.count)
}

/// Sets one cell of the grid; an emptied cell is removed.
fn set_count(forum: &mut Forum, age_band: AgeBand, sex: Sex, count: Option<u32>) {
    let existing = forum
        .participants
        .iter()
        .position(|entry| entry.age_band == age_band && entry.sex == sex);
    match (existing, count) {
        (Some(index), Some(count)) => forum.participants[index].count = count,
        (Some(index), None) => {
            forum.participants.remove(index);
        }
        (None, Some(count)) => forum.participants.push(ParticipantCount {
            age_band,
            sex,
            count,
        }),
        (None, None) => {}
    }
}

/// The band's name in `data-test`, as serde writes it ("10-12").
fn band_key(age_band: AgeBand) -> &'static str {
    match age_band {
        AgeBand::Under7 => "0-6",
        AgeBand::From7To9 => "7-9",
        AgeBand::From10To12 => "10-12",
        AgeBand::From13To15 => "13-15",
    }
}

/// The sex's name in `data-test`, as serde writes it ("not_stated").
fn sex_key(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
        Sex::NotStated => "not_stated",
    }
}

/// The channel's name in `data-test`, as serde writes it.
fn channel_key(channel: FeedbackChannel) -> &'static str {
    match channel {
        FeedbackChannel::Meeting => "meeting",
        FeedbackChannel::School => "school",
        FeedbackChannel::Notice => "notice",
        FeedbackChannel::Online => "online",
        FeedbackChannel::Other => "other",
    }
}

/// A column heading of the grid.
fn sex_heading(app: AppState, sex: Sex) -> &'static str {
    let texts = app.texts();
    match sex {
        Sex::Female => texts.forum_girls,
        Sex::Male => texts.forum_boys,
        Sex::NotStated => texts.forum_not_stated,
    }
}

/// A number shown in a box: empty for nothing (or zero where zero is the
/// default), so the hint shows.
fn count_text(count: Option<u32>) -> String {
    count.map(|count| count.to_string()).unwrap_or_default()
}

/// A box for a whole number of children, adults, consents or votes.
///
/// The box keeps what was typed: the draft has no other writer while it is
/// open, so nothing needs to be written back into it. What is not a whole
/// number is kept in the box with a message, and not saved.
fn count_input(
    app: AppState,
    test: String,
    label: String,
    initial: String,
    on_change: Callback<Option<u32>>,
) -> impl IntoView {
    let invalid = RwSignal::new(false);
    view! {
        <span class="count-input">
            <input
                type="number"
                min="0"
                step="1"
                inputmode="numeric"
                placeholder="0"
                data-test=test
                aria-label=label
                aria-invalid=move || invalid.get().to_string()
                prop:value=initial
                on:input=move |event| match parse_count(&event_target_value(&event)) {
                    Some(count) => {
                        invalid.set(false);
                        on_change.run(count);
                    }
                    None => invalid.set(true),
                }
            />
            <Show when=move || invalid.get()>
                <span class="field-error" role="alert">{move || app.texts().population_invalid}</span>
            </Show>
        </span>
    }
}

/// The name of a face from 1 to 5.
fn face_name(app: AppState, face: u8) -> &'static str {
    let names = app.texts().smiley_names;
    names[usize::from(face.clamp(1, 5) - 1)]
}

/// The draft being recorded. `on_submitted` is called once it is queued for
/// the town hall, to show it read-only.
#[component]
fn ForumEditor(forum: Forum, on_submitted: Callback<()>) -> impl IntoView {
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
                    app.notice.set(Some(Notice {
                        text: Localized::new(VI.forum_submitted_notice, EN.forum_submitted_notice),
                        success: true,
                    }));
                    app.sync.get_value().request(Trigger::LocalChange);
                    window().scroll_to_with_x_and_y(0.0, 0.0);
                    on_submitted.run(());
                }
                Err(error) => problems.set(vec![error.message()]),
            }
        }
    });
    let discard = move |_| {
        let confirmed = window()
            .confirm_with_message(app.texts().forum_discard_confirm)
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let id = editor.forum.with_untracked(|forum| forum.id);
        let store = app.store();
        let navigate = navigate.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match store.discard_forum_draft(id).await {
                Ok(()) => {
                    app.records_changed();
                    navigate("/forums", NavigateOptions::default());
                }
                Err(error) => editor.autosave.fail(error.message()),
            }
        });
    };

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
            <a href="/forums">{move || app.texts().forum_back}</a>
            <h1>{move || app.texts().forum_record_title}</h1>
            <SaveStatus state=editor.autosave.state/>

            <section class="card forum-session">
                <h2 class="card-title">{move || app.texts().forum_level}</h2>
                <div class="choice-grid" role="group" data-test="forum-level">{levels}</div>
                <div class="forum-fields">
                    <label class="field">
                        <span class="field-label">{move || app.texts().forum_date}</span>
                        <input
                            type="date"
                            data-test="forum-date"
                            prop:value=initial.held_on.format("%Y-%m-%d").to_string()
                            on:input=move |event| {
                                // A date half typed reads as empty: keep the last full one.
                                if let Ok(date) = NaiveDate::parse_from_str(event_target_value(&event).trim(), "%Y-%m-%d") {
                                    editor.update(|forum| forum.held_on = date);
                                }
                            }
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
                    disabled=move || submit.pending().get()
                    on:click=move |_| {
                        submit.dispatch_local(());
                    }
                >
                    {move || app.texts().forum_submit}
                </button>
                <button type="button" class="btn btn-danger" data-test="discard-forum" on:click=discard>
                    {move || app.texts().forum_discard}
                </button>
            </div>
        </article>
    }
}

/// Children by age band (rows) and sex (columns), with totals: number
/// boxes while `editor` is given, numbers otherwise.
#[component]
fn ParticipantGrid(
    participants: Signal<Vec<ParticipantCount>>,
    editor: Option<Editor>,
) -> impl IntoView {
    let app = use_app();
    // The boxes start from the counts as they are now; after that they are
    // the only writers.
    let initial = participants.get_untracked();
    let row_total = move |age_band: AgeBand| {
        participants.with(|participants| {
            participants
                .iter()
                .filter(|count| count.age_band == age_band)
                .map(|count| count.count)
                .sum::<u32>()
        })
    };
    let column_total = move |sex: Sex| {
        participants.with(|participants| {
            participants
                .iter()
                .filter(|count| count.sex == sex)
                .map(|count| count.count)
                .sum::<u32>()
        })
    };
    let total = move || {
        participants.with(|participants| participants.iter().map(|count| count.count).sum::<u32>())
    };
    let rows = BANDS
        .into_iter()
        .map(|age_band| {
            let band_label = age_band.label();
            let cells = Sex::ALL
                .into_iter()
                .map(|sex| {
                    let test = format!("count-{}-{}", band_key(age_band), sex_key(sex));
                    let cell = match editor {
                        Some(editor) => {
                            let label = format!(
                                "{} · {}",
                                app.pick(&age_band.label()),
                                sex_heading(app, sex)
                            );
                            count_input(
                                app,
                                test,
                                label,
                                count_text(count_of(&initial, age_band, sex)),
                                Callback::new(move |count: Option<u32>| {
                                    editor.update(|forum| set_count(forum, age_band, sex, count));
                                }),
                            )
                            .into_any()
                        }
                        None => view! {
                            <span data-test=test>
                                {move || participants.with(|participants| count_of(participants, age_band, sex).unwrap_or(0))}
                            </span>
                        }
                        .into_any(),
                    };
                    view! { <td class="numeric">{cell}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{move || app.pick(&band_label)}</th>
                    {cells}
                    <td class="numeric forum-total">{move || row_total(age_band)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll forum-grid-scroll">
            <table class="data-table forum-grid" data-test="participant-grid">
                <thead>
                    <tr>
                        <th scope="col">{move || app.texts().age_band}</th>
                        {Sex::ALL.into_iter().map(|sex| view! { <th scope="col" class="numeric">{move || sex_heading(app, sex)}</th> }).collect_view()}
                        <th scope="col" class="numeric">{move || app.texts().forum_total}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{move || app.texts().forum_total}</th>
                        {Sex::ALL.into_iter().map(|sex| view! { <td class="numeric forum-total">{move || column_total(sex)}</td> }).collect_view()}
                        <td class="numeric forum-total" data-test="children-total">{total}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

/// One topic of the draft, with its opinions.
#[component]
fn TopicEditor(editor: Editor, topic_id: Uuid) -> impl IntoView {
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

/// One opinion of a topic: the children's words, an optional face, votes.
#[component]
fn OpinionEditor(editor: Editor, topic_id: Uuid, opinion_id: Uuid) -> impl IntoView {
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

/// One recommendation of the draft: its text, the authority, votes.
#[component]
fn RecommendationEditor(editor: Editor, recommendation_id: Uuid) -> impl IntoView {
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

/// A submitted forum, read-only, with where each recommendation is; reread
/// whenever records change (an answer or feedback pulled, feedback recorded).
#[component]
fn ForumSummary(initial: StoredForum) -> impl IntoView {
    let app = use_app();
    let id = initial.forum.id;
    let loaded = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { store.forum(id).await.map_err(|error| error.message()) }
    });
    // The forum as last read successfully; the first read came with the page.
    let stored = Memo::new(move |previous: Option<&StoredForum>| match loaded.get() {
        Some(Ok(Some(stored))) => stored,
        Some(Err(message)) => {
            leptos::logging::warn!("the forum could not be reread: {}", message.en);
            previous.cloned().unwrap_or_else(|| initial.clone())
        }
        _ => previous.cloned().unwrap_or_else(|| initial.clone()),
    });
    let participants =
        Signal::derive(move || stored.with(|stored| stored.forum.participants.clone()));

    let head = move || {
        let texts = app.texts();
        stored.with(|stored| {
            let forum = &stored.forum;
            let (class, label, reason) = forum_state(app, stored);
            let (deadline, overdue) = deadline_line(app, stored, platform::today());
            let warnings = forum.warnings();
            view! {
                <h1>{texts.forums_title} " · " {format_date(forum.held_on)}</h1>
                <p>
                    {texts.report_status} ": "
                    <span class=format!("state-badge {class}") data-test="forum-state" data-state=state_name(&stored.sync)>{label}</span>
                </p>
                {reason.map(|reason| view! { <p class="notice notice--error" role="alert">{reason}</p> })}
                <p class=if overdue { "forum-deadline forum-deadline--overdue" } else { "forum-deadline muted" } data-test="report-due">{deadline}</p>
                <p class="notice notice--info" data-test="read-only">{texts.forum_readonly}</p>
                <section class="card">
                    <dl class="forum-facts">
                        <dt>{texts.forum_level}</dt><dd>{app.pick(&forum.level.label())}</dd>
                        <dt>{texts.forum_date}</dt><dd>{format_date(forum.held_on)}</dd>
                        <dt>{texts.forum_place}</dt><dd>{forum.place.clone()}</dd>
                        <dt>{texts.forum_facilitators}</dt><dd>{forum.facilitators.clone()}</dd>
                        <dt>{texts.forum_adults}</dt><dd>{forum.adult_supporters}</dd>
                        <dt>{texts.forum_consents}</dt><dd>{forum.consents_collected}</dd>
                    </dl>
                    {(!warnings.is_empty()).then(|| view! {
                        <div class="notice notice--warning" role="status">
                            <p>{texts.forum_warnings_title}</p>
                            <ul>{warnings.into_iter().map(|warning| view! { <li data-test="forum-warning">{app.pick(&warning.message)}</li> }).collect_view()}</ul>
                        </div>
                    })}
                </section>
            }
        })
    };

    let topics = move || {
        let texts = app.texts();
        stored.with(|stored| {
            if stored.forum.topics.is_empty() {
                return view! { <p class="muted">{texts.forum_none_yet}</p> }.into_any();
            }
            stored
                .forum
                .topics
                .iter()
                .map(|topic| {
                    let opinions = topic
                        .opinions
                        .iter()
                        .map(|opinion| {
                            view! {
                                <li class="forum-opinion-line">
                                    {opinion.smiley.map(|face| view! {
                                        <span class="forum-face" title=face_name(app, face)><SmileyFace face=face points=5 size=32/></span>
                                    })}
                                    <span>{opinion.text.clone()}</span>
                                    <span class="muted">" · " {texts.forum_votes} ": " {opinion.votes}</span>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="forum-topic">
                            <h3>{topic.title.clone()}</h3>
                            <ul class="forum-opinions">{opinions}</ul>
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        })
    };

    let recommendations = move || {
        let texts = app.texts();
        stored.with(|stored| {
            if stored.forum.recommendations.is_empty() {
                return view! { <p class="muted">{texts.forum_none_yet}</p> }.into_any();
            }
            let today = platform::today();
            let answer_due = stored.forum.answer_due();
            let at_townhall = matches!(stored.sync, crate::storage::LocalSyncState::Synced { .. });
            stored
                .forum
                .recommendations
                .iter()
                .map(|recommendation| {
                    let status = stored.recommendation_status(recommendation.id);
                    let answer = stored.answer(recommendation.id).cloned();
                    let feedback = stored.feedback_on(recommendation.id).cloned();
                    let late = answer.is_none() && at_townhall && today > answer_due;
                    let answered = answer.is_some();
                    let answer_view = answer.map(|answer| view! {
                        <div class="forum-answer" data-test="answer" data-decision=format!("{:?}", answer.decision).to_lowercase()>
                            <h4>{texts.forum_answer} ": " <strong>{app.pick(&answer.decision.label())}</strong></h4>
                            <dl class="forum-facts">
                                <dt>{texts.forum_reasons}</dt><dd>{answer.reasons.clone()}</dd>
                                <dt>{texts.forum_actions}</dt><dd>{answer.actions.clone()}</dd>
                                <dt>{texts.forum_answered_on}</dt><dd>{format_date(answer.answered_on)}</dd>
                            </dl>
                        </div>
                    });
                    let feedback_view = match feedback {
                        Some(feedback) => Some(view! {
                            <p class="notice notice--success" data-test="feedback-given">
                                {texts
                                    .forum_feedback_given
                                    .replace("{date}", &format_date(feedback.given_on))
                                    .replace("{channel}", &app.pick(&feedback.channel.label()))}
                                {(!feedback.note.trim().is_empty()).then(|| format!(" — {}", feedback.note))}
                            </p>
                        }
                        .into_any()),
                        None if answered => Some(view! { <FeedbackForm recommendation_id=recommendation.id/> }.into_any()),
                        None => None,
                    };
                    view! {
                        <div class="forum-recommendation" data-recommendation=recommendation.id.to_string()>
                            <p class="forum-recommendation-text">{recommendation.text.clone()}</p>
                            <p class="muted">
                                {texts.forum_authority} ": " {recommendation.authority.clone()}
                                " · " {texts.forum_votes} ": " {recommendation.votes}
                            </p>
                            <p>
                                <span
                                    class=format!("state-badge recommendation-status--{}", recommendation_status_name(status))
                                    data-test="recommendation-status"
                                    data-status=recommendation_status_name(status)
                                >
                                    {app.pick(&status.label())}
                                </span>
                                {late.then(|| view! {
                                    " " <span class="field-error">{texts.forum_answer_overdue.replace("{date}", &format_date(answer_due))}</span>
                                })}
                            </p>
                            {answer_view}
                            {feedback_view}
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        })
    };

    view! {
        <article class="forum" data-test="forum-summary" data-forum=id.to_string()>
            <a href="/forums">{move || app.texts().forum_back}</a>
            {head}
            <section class="card">
                <h2 class="card-title">{move || app.texts().forum_participants}</h2>
                <ParticipantGrid participants editor=None/>
            </section>
            <section class="card">
                <h2 class="card-title">{move || app.texts().forum_topics}</h2>
                {topics}
            </section>
            <section class="card">
                <h2 class="card-title">{move || app.texts().forum_recommendations}</h2>
                {recommendations}
            </section>
        </article>
    }
}

/// "Feedback given to the children": when and how they were told the
/// authority's answer to one recommendation.
#[component]
fn FeedbackForm(recommendation_id: Uuid) -> impl IntoView {
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
                <input
                    type="date"
                    data-test="feedback-date"
                    prop:value=today.format("%Y-%m-%d").to_string()
                    on:input=move |event| {
                        given_on.set(NaiveDate::parse_from_str(event_target_value(&event).trim(), "%Y-%m-%d").ok());
                    }
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn empty_forum() -> Forum {
        Forum::new(
            Uuid::from_u128(1),
            "00004",
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("a valid date"),
            DateTime::<Utc>::default(),
        )
    }

    #[wasm_bindgen_test]
    fn counts_are_whole_numbers_and_an_empty_box_clears_the_cell() {
        assert_eq!(parse_count(" 12 "), Some(Some(12)));
        assert_eq!(parse_count(""), Some(None));
        assert_eq!(parse_count("-3"), None);
        assert_eq!(parse_count("2.5"), None);
        assert_eq!(parse_count("mười"), None);

        let mut forum = empty_forum();
        set_count(&mut forum, AgeBand::From10To12, Sex::Female, Some(12));
        set_count(&mut forum, AgeBand::From13To15, Sex::Male, Some(9));
        set_count(&mut forum, AgeBand::From10To12, Sex::Female, Some(14));
        assert_eq!(forum.children(), 23);
        assert_eq!(
            count_of(&forum.participants, AgeBand::From10To12, Sex::Female),
            Some(14)
        );
        set_count(&mut forum, AgeBand::From10To12, Sex::Female, None);
        assert_eq!(
            count_of(&forum.participants, AgeBand::From10To12, Sex::Female),
            None
        );
        assert_eq!(forum.participants.len(), 1);
    }

    #[wasm_bindgen_test]
    fn test_names_follow_the_wire_names() {
        for band in AgeBand::ALL {
            assert_eq!(
                serde_json::to_value(band).expect("serialise"),
                serde_json::Value::from(band_key(band))
            );
        }
        for sex in Sex::ALL {
            assert_eq!(
                serde_json::to_value(sex).expect("serialise"),
                serde_json::Value::from(sex_key(sex))
            );
        }
        for channel in FeedbackChannel::ALL {
            assert_eq!(
                serde_json::to_value(channel).expect("serialise"),
                serde_json::Value::from(channel_key(channel))
            );
        }
    }

    #[wasm_bindgen_test]
    fn empty_opinions_and_topics_are_not_sent() {
        let mut forum = empty_forum();
        let opinion = |text: &str| Opinion {
            id: Uuid::from_u128(text.len() as u128 + 10),
            text: text.to_owned(),
            smiley: None,
            votes: 0,
        };
        forum.topics = vec![
            Topic {
                id: Uuid::from_u128(2),
                title: "Sân chơi".to_owned(),
                opinions: vec![opinion("Cần thêm xích đu"), opinion("  ")],
            },
            Topic {
                id: Uuid::from_u128(3),
                title: " ".to_owned(),
                opinions: vec![opinion("")],
            },
            Topic {
                id: Uuid::from_u128(4),
                title: String::new(),
                opinions: vec![opinion("Đường tối")],
            },
        ];
        let sent = without_empty_rows(forum);
        assert_eq!(
            sent.topics
                .iter()
                .map(|topic| (topic.id.as_u128(), topic.opinions.len()))
                .collect::<Vec<_>>(),
            vec![(2, 1), (4, 1)]
        );
    }
}
