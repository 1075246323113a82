//! The form being filled: the current screen, the step counter, and the
//! back, next, complete and discard buttons. Completing checks every answer
//! first, then queues the response for the town hall and syncs.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use thamgia_core::sync_client::Trigger;
use thamgia_core::{
    validate_with, FormEngine, Item, Localized, Response, ResponseStatus, SurveyDefinition,
    ValidationMode,
};
use uuid::Uuid;

use super::question_items::render_items;
use super::review_screen::ReviewScreen;
use super::start_screen::StartScreen;
use super::worker_note::WorkerNote;
use super::{screens, Editor, Screen};
use crate::components::form_language::{provide_form_language, use_form_text, FormLanguagePicker};
use crate::components::save_status::SaveStatus;
use crate::hooks::use_autosave::use_autosave;
use crate::i18n::{EN, VI};
use crate::platform;
use crate::state::{use_app, Notice};
use crate::storage::StoredResponse;

#[component]
pub(super) fn ResponseEditor(
    record: StoredResponse,
    survey: SurveyDefinition,
    engine: FormEngine,
) -> impl IntoView {
    let app = use_app();
    provide_form_language(&survey);
    let form_text = use_form_text();
    let navigate = use_navigate();
    let read_only = record.response.status != ResponseStatus::Draft;
    let random = platform::random_u64();
    let initial_state = engine.evaluate_all_at(
        &record.response.answers,
        thamgia_core::Clock {
            now: platform::now_local(),
            random,
        },
    );
    let all_screens = screens(&survey);
    let mut opened = record.response;
    if !read_only {
        // Answers computed all along are shown from the start (saved with
        // the next change; computed again whenever the draft is opened).
        engine.store_calculated(&mut opened.answers, &initial_state);
    }
    let response = RwSignal::new(opened);
    let autosave = use_autosave(response, move |draft: Response| {
        let store = app.store();
        async move { store.save_draft(&draft).await }
    });
    let editor = Editor {
        app,
        response,
        engine: StoredValue::new(engine),
        survey: StoredValue::new(survey),
        form_state: RwSignal::new(initial_state),
        show_errors: RwSignal::new(false),
        autosave,
        read_only,
        random,
    };
    // A draft of a form with a `repeat_count` starts with its instances.
    editor.fit_instances();
    let screen_list = StoredValue::new(all_screens.clone());
    let last = all_screens.len() - 1;
    let current = RwSignal::new(if read_only { last } else { 0 });
    let completion_problems = RwSignal::new(Vec::<String>::new());

    let move_to = move |forward: bool| {
        let from = current.get_untracked();
        if forward {
            let screen = screen_list.with_value(|screens| screens[from].clone());
            if editor.screen_problems(&screen) > 0 {
                editor.show_errors.set(true);
                return;
            }
        }
        editor.show_errors.set(false);
        let mut next = from;
        loop {
            next = if forward {
                (next + 1).min(last)
            } else {
                next.saturating_sub(1)
            };
            let screen = screen_list.with_value(|screens| screens[next].clone());
            if editor.screen_visible(&screen) || next == 0 || next == last {
                break;
            }
        }
        current.set(next);
        window().scroll_to_with_x_and_y(0.0, 0.0);
    };
    // The screen holding a question, for "edit" on the review.
    let screen_of = move |name: &str| {
        screen_list.with_value(|screens| {
            screens.iter().position(|screen| match screen {
                Screen::Items(items) => contains(items, name),
                _ => false,
            })
        })
    };

    // Completing and discarding are writes: one at a time, and both buttons
    // are disabled while either runs, so a second tap cannot write twice.
    let save_completed = Action::new_local({
        let navigate = navigate.clone();
        move |finished: &Response| {
            let finished = finished.clone();
            let store = app.store();
            let navigate = navigate.clone();
            async move {
                match store.complete_response(&finished).await {
                    Ok(_) => {
                        app.records_changed();
                        app.notice.set(Some(Notice {
                            response: Some(finished.id),
                            ..Notice::on_page(
                                "/",
                                Localized::new(VI.completed_notice, EN.completed_notice),
                                true,
                            )
                        }));
                        app.sync.get_value().request(Trigger::LocalChange);
                        navigate("/", Default::default());
                    }
                    Err(error) => editor.autosave.fail(error.message()),
                }
            }
        }
    });
    let discard_draft = Action::new_local(move |id: &Uuid| {
        let id = *id;
        let store = app.store();
        let navigate = navigate.clone();
        async move {
            match store.discard_draft(id).await {
                Ok(()) => {
                    app.records_changed();
                    navigate("/", Default::default());
                }
                Err(error) => editor.autosave.fail(error.message()),
            }
        }
    });
    let writing = move || save_completed.pending().get() || discard_draft.pending().get();

    let complete = move |_| {
        let mut finished = editor.response.get_untracked();
        finished.answers = editor
            .engine
            .with_value(|engine| engine.finalize_at(&finished.answers, editor.clock()));
        finished.status = ResponseStatus::Completed;
        finished.updated_at = platform::now();
        let problems = editor.engine.with_value(|engine| {
            editor.survey.with_value(|survey| {
                validate_with(
                    engine,
                    survey,
                    &finished,
                    ValidationMode::Complete,
                    finished.completed_on(),
                )
            })
        });
        if !problems.is_empty() {
            editor.show_errors.set(true);
            completion_problems.set(
                problems
                    .iter()
                    .map(|issue| {
                        let label = issue.question_id.as_deref().and_then(|id| {
                            editor.survey.with_value(|survey| {
                                survey
                                    .question(id)
                                    .map(|question| form_text.pick(&question.label))
                            })
                        });
                        match label {
                            Some(label) => format!("{label} — {}", form_text.pick(&issue.message)),
                            None => form_text.pick(&issue.message),
                        }
                    })
                    .collect(),
            );
            return;
        }
        save_completed.dispatch_local(finished);
    };
    let discard = move |_| {
        let confirmed = window()
            .confirm_with_message(app.texts().discard_confirm)
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        discard_draft.dispatch_local(editor.response.with_untracked(|draft| draft.id));
    };

    let title = editor.survey.with_value(|survey| survey.title.clone());
    let description = editor
        .survey
        .with_value(|survey| survey.description.clone());
    let corrects = editor.response.with_untracked(|draft| draft.corrects);
    let (survey_id, form_languages) = editor
        .survey
        .with_value(|survey| (survey.id.clone(), survey.languages.clone()));
    view! {
        <article class="fill" data-test="fill" data-response=move || editor.response.with(|draft| draft.id.to_string())>
            <h1>{move || form_text.pick(&title)}</h1>
            {move || editor.instance_name().map(|name| view! { <p class="instance-name" data-test="instance-name">{name}</p> })}
            <FormLanguagePicker survey_id=survey_id languages=form_languages/>
            {corrects.map(|id| view! { <p class="notice notice--info">{move || app.texts().correction_of} " " {id.to_string()[..8].to_owned()}</p> })}
            <SaveStatus state=editor.autosave.state/>
            {read_only.then(|| view! { <p class="notice notice--info" data-test="read-only">{move || app.texts().completed_readonly}</p> })}
            <p class="muted" data-test="step">
                {move || {
                    let visible: Vec<usize> = screen_list.with_value(|screens| {
                        screens.iter().enumerate().filter(|(_, screen)| editor.screen_visible(screen)).map(|(index, _)| index).collect()
                    });
                    let position = visible.iter().position(|index| *index == current.get()).map_or(1, |position| position + 1);
                    (app.texts().step_of)(position, visible.len())
                }}
            </p>
            {move || {
                let index = current.get();
                let screen = screen_list.with_value(|screens| screens[index].clone());
                let description = description.clone();
                match screen {
                    Screen::Start => view! {
                        <p class="muted">{move || form_text.pick(&description)}</p>
                        <StartScreen editor/>
                    }
                    .into_any(),
                    Screen::Items(items) => view! { <section class="questions" data-test="questions">{render_items(editor, items, Vec::new())}</section> }.into_any(),
                    Screen::Review => view! { <ReviewScreen
                        editor
                        on_edit=Callback::new(move |name: String| {
                            if let Some(index) = screen_of(&name) {
                                current.set(index);
                            }
                        })
                        on_edit_start=Callback::new(move |()| current.set(0))
                    /> }
                    .into_any(),
                }
            }}
            <WorkerNote editor/>
            <Show when=move || {
                // Shown while the screen still has something marked: it
                // goes away as soon as the last marked item is fixed.
                editor.show_errors.get() && current.get() != last && {
                    editor.response.track();
                    editor.form_state.track();
                    let screen = screen_list.with_value(|screens| screens[current.get()].clone());
                    editor.screen_problems(&screen) > 0
                }
            }>
                <p class="notice notice--error" role="alert" data-test="fix-before-next">{move || app.texts().fix_before_next}</p>
            </Show>
            <Show when=move || !completion_problems.get().is_empty()>
                <div class="notice notice--error" role="alert" data-test="complete-problems">
                    <p>{move || app.texts().complete_fix}</p>
                    <ul>{move || completion_problems.get().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                </div>
            </Show>
            {(!read_only).then(|| view! {
                <div class="actions">
                    <Show when=move || current.get() != 0>
                        <button type="button" class="btn btn-secondary btn-large" data-test="back" on:click=move |_| move_to(false)>{move || app.texts().back}</button>
                    </Show>
                    <Show
                        when=move || current.get() == last
                        fallback=move || view! { <button type="button" class="btn btn-primary btn-large" data-test="next" on:click=move |_| move_to(true)>{move || app.texts().next}</button> }
                    >
                        <button type="button" class="btn btn-primary btn-large" data-test="complete" disabled=writing on:click=complete>{move || app.texts().complete}</button>
                    </Show>
                    <button type="button" class="btn btn-danger" data-test="discard" disabled=writing on:click=discard>{move || app.texts().discard}</button>
                </div>
            })}
        </article>
    }
}

/// Whether `items` contain a question named `name`, at any depth.
fn contains(items: &[Item], name: &str) -> bool {
    items.iter().any(|item| match item {
        Item::Question(question) => question.id == name,
        Item::Group(group) | Item::Repeat(group) => {
            group.id == name || contains(&group.items, name)
        }
    })
}
