//! Filling a response: the anonymous participant, consent, then the
//! questions. Every change is saved on the tablet at once.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use thamgia_core::sync_client::Trigger;
use thamgia_core::{
    validate_response, AgeBand, Localized, Response, ResponseStatus, Sex, SurveyDefinition,
    ValidationIssue, ValidationMode,
};
use uuid::Uuid;

use crate::components::choice_button::ChoiceButton;
use crate::components::question_field::QuestionField;
use crate::i18n::{EN, VI};
use crate::platform;
use crate::state::{use_app, Notice};
use crate::storage::StoredResponse;

/// `/fill/:id`: loads the response and its survey from the tablet.
#[component]
pub fn FillPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let loaded = LocalResource::new(move || {
        let id = params
            .read()
            .get("id")
            .and_then(|text| Uuid::parse_str(&text).ok());
        let store = app.store();
        async move {
            let loaded: Result<_, crate::storage::StorageError> = async {
                let Some(id) = id else {
                    return Ok(None);
                };
                let Some(record) = store.response(id).await? else {
                    return Ok(None);
                };
                let survey = store
                    .survey(&record.response.survey_id, record.response.survey_version)
                    .await?;
                Ok(survey.map(|survey| (record, survey)))
            }
            .await;
            loaded.map_err(|error| error.message())
        }
    });
    move || match loaded.get() {
        None => view! { <p class="muted">{app.texts().loading}</p> }.into_any(),
        Some(Err(message)) => {
            view! { <p class="notice notice--error">{app.pick(&message)}</p> }.into_any()
        }
        Some(Ok(None)) => view! {
            <p class="notice notice--error">{app.texts().not_found}</p>
            <a class="btn btn-secondary" href="/">{app.texts().back_home}</a>
        }
        .into_any(),
        Some(Ok(Some((record, survey)))) => view! { <ResponseEditor record survey/> }.into_any(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    Saving,
    Saved(i64),
    Failed(Localized),
}

#[component]
fn ResponseEditor(record: StoredResponse, survey: SurveyDefinition) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let read_only = record.response.status == ResponseStatus::Completed;
    let response = RwSignal::new(record.response);
    let survey = StoredValue::new(survey);
    let save_state = RwSignal::new(SaveState::Idle);
    let save_counter = StoredValue::new(0_u64);
    let show_required = RwSignal::new(false);

    // Saves the current draft; only the latest save may report its result.
    let save = move || {
        let draft = response.get_untracked();
        let store = app.store();
        save_counter.update_value(|counter| *counter += 1);
        let ticket = save_counter.get_value();
        save_state.set(SaveState::Saving);
        wasm_bindgen_futures::spawn_local(async move {
            let result = store.save_draft(&draft).await;
            if save_counter.get_value() != ticket {
                return;
            }
            save_state.set(match result {
                Ok(()) => SaveState::Saved(platform::now_ms()),
                Err(error) => SaveState::Failed(error.message()),
            });
        });
    };
    let update = move |change: &dyn Fn(&mut Response)| {
        if read_only {
            return;
        }
        response.update(|draft| {
            change(draft);
            draft.updated_at = platform::now();
        });
        save();
    };

    let issues = Memo::new(move |_| {
        let mode = if show_required.get() {
            ValidationMode::Complete
        } else {
            ValidationMode::Draft
        };
        survey.with_value(|survey| validate_response(survey, &response.get(), mode))
    });
    // Every problem, each question's prefixed with its label.
    let issue_lines = move || {
        let language = app.language.get();
        issues
            .get()
            .into_iter()
            .map(|issue: ValidationIssue| {
                let message = issue.message.get(language).to_owned();
                match issue.question_id.as_deref().and_then(|id| {
                    survey.with_value(|survey| {
                        survey
                            .question(id)
                            .map(|question| question.label.get(language).to_owned())
                    })
                }) {
                    Some(label) => format!("{label} — {message}"),
                    None => message,
                }
            })
            .collect::<Vec<String>>()
    };
    let consent_given = move || {
        response.with(|draft| {
            draft
                .participant
                .age_band
                .is_some_and(|band| draft.consent.is_sufficient_for(band))
        })
    };

    let complete = {
        let navigate = navigate.clone();
        move |_| {
            show_required.set(true);
            let mut finished = response.get_untracked();
            finished.status = ResponseStatus::Completed;
            finished.updated_at = platform::now();
            let problems = survey.with_value(|survey| {
                validate_response(survey, &finished, ValidationMode::Complete)
            });
            if let Some(first) = problems.first() {
                // Bring the first thing to fix into view: on a tablet it is
                // usually far above the button.
                let selector = match &first.question_id {
                    Some(question_id) => format!("[data-question=\"{question_id}\"]"),
                    None => "[data-test=age-bands]".to_owned(),
                };
                if let Ok(Some(element)) = document().query_selector(&selector) {
                    element.scroll_into_view();
                }
                return;
            }
            let store = app.store();
            let navigate = navigate.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match store.complete_response(&finished).await {
                    Ok(_) => {
                        app.records_changed();
                        app.notice.set(Some(Notice {
                            text: Localized::new(VI.completed_notice, EN.completed_notice),
                            success: true,
                        }));
                        app.sync.get_value().request(Trigger::LocalChange);
                        navigate("/", Default::default());
                    }
                    Err(error) => save_state.set(SaveState::Failed(error.message())),
                }
            });
        }
    };
    let discard = move |_| {
        let confirmed = window()
            .confirm_with_message(app.texts().discard_confirm)
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let id = response.get_untracked().id;
        let store = app.store();
        let navigate = navigate.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match store.discard_draft(id).await {
                Ok(()) => {
                    app.records_changed();
                    navigate("/", Default::default());
                }
                Err(error) => save_state.set(SaveState::Failed(error.message())),
            }
        });
    };

    let age_bands: Vec<AgeBand> = survey.with_value(|survey| {
        if survey.age_bands.is_empty() {
            AgeBand::ALL.to_vec()
        } else {
            AgeBand::ALL
                .into_iter()
                .filter(|band| survey.age_bands.contains(band))
                .collect()
        }
    });
    let title = survey.with_value(|survey| survey.title.clone());
    let description = survey.with_value(|survey| survey.description.clone());
    let questions = survey.with_value(|survey| survey.questions.clone());

    view! {
        <article class="fill" data-test="fill" data-response=move || response.with(|draft| draft.id.to_string())>
            <h1>{move || app.pick(&title)}</h1>
            <p class="muted">{move || app.pick(&description)}</p>
            <p class="save-state" data-test="save-state" aria-live="polite">
                {move || match save_state.get() {
                    SaveState::Idle => String::new(),
                    SaveState::Saving => app.texts().saving.to_owned(),
                    SaveState::Saved(at_ms) => format!("✓ {} ({})", app.texts().saved, platform::format_local_time(at_ms)),
                    SaveState::Failed(message) => format!("{}: {}", app.texts().save_failed, app.pick(&message)),
                }}
            </p>
            {read_only.then(|| view! { <p class="notice notice--info" data-test="read-only">{move || app.texts().completed_readonly}</p> })}

            <section class="card consent-block">
                <h2 class="card-title">{move || app.texts().participant_title}</h2>
                <p class="muted">{move || app.texts().participant_intro}</p>
                <h3>{move || app.texts().age_band}</h3>
                <div class="choice-grid" role="group" data-test="age-bands">
                    {age_bands
                        .into_iter()
                        .map(|band| {
                            let label = band.label();
                            let data_value = serde_json::to_value(band)
                                .ok()
                                .and_then(|value| value.as_str().map(str::to_owned))
                                .unwrap_or_default();
                            view! {
                                <ChoiceButton
                                    data_value
                                    pressed=Signal::derive(move || response.with(|draft| draft.participant.age_band == Some(band)))
                                    disabled=read_only
                                    label=Signal::derive(move || app.pick(&label))
                                    on_press=Callback::new(move |()| update(&|draft| draft.participant.age_band = Some(band)))
                                />
                            }
                        })
                        .collect_view()}
                </div>
                <h3>{move || app.texts().sex}</h3>
                <div class="choice-grid" role="group" data-test="sex">
                    {Sex::ALL
                        .into_iter()
                        .map(|sex| {
                            let label = sex.label();
                            view! {
                                <ChoiceButton
                                    data_value=format!("{sex:?}")
                                    pressed=Signal::derive(move || response.with(|draft| draft.participant.sex == Some(sex)))
                                    disabled=read_only
                                    label=Signal::derive(move || app.pick(&label))
                                    on_press=Callback::new(move |()| update(&|draft| draft.participant.sex = Some(sex)))
                                />
                            }
                        })
                        .collect_view()}
                </div>
                <h3>{move || app.texts().consent_title}</h3>
                <Show when=move || response.with(|draft| draft.participant.age_band.is_none_or(AgeBand::needs_child_assent))>
                    <label>
                        <input
                            type="checkbox"
                            data-test="child-assent"
                            disabled=read_only
                            prop:checked=move || response.with(|draft| draft.consent.child_assent)
                            on:change=move |event| {
                                let checked = event_target_checked(&event);
                                update(&|draft| draft.consent.child_assent = checked);
                            }
                        />
                        {move || app.texts().consent_child}
                    </label>
                </Show>
                <label>
                    <input
                        type="checkbox"
                        data-test="guardian-consent"
                        disabled=read_only
                        prop:checked=move || response.with(|draft| draft.consent.guardian_consent)
                        on:change=move |event| {
                            let checked = event_target_checked(&event);
                            update(&|draft| draft.consent.guardian_consent = checked);
                        }
                    />
                    {move || app.texts().consent_guardian}
                </label>
            </section>

            <Show
                when=consent_given
                fallback=move || view! { <p class="notice notice--info" data-test="consent-needed">{app.texts().consent_needed}</p> }
            >
                <section class="questions" data-test="questions">
                    <h2>{move || app.texts().questions_title}</h2>
                    {questions
                        .clone()
                        .into_iter()
                        .map(|question| {
                            let id_for_value = question.id.clone();
                            let id_for_change = question.id.clone();
                            let id_for_error = question.id.clone();
                            let value = Signal::derive(move || response.with(|draft| draft.answers.get(&id_for_value).cloned()));
                            let error = Signal::derive(move || {
                                issues
                                    .get()
                                    .into_iter()
                                    .find(|issue| issue.question_id.as_deref() == Some(id_for_error.as_str()))
                                    .map(|issue| issue.message)
                            });
                            let on_change = Callback::new(move |answer: Option<thamgia_core::AnswerValue>| {
                                update(&|draft: &mut Response| draft.set_answer(&id_for_change, answer.clone(), platform::now()));
                            });
                            view! { <QuestionField question value on_change error disabled=Signal::derive(move || read_only)/> }
                        })
                        .collect_view()}
                </section>
            </Show>

            {move || {
                let lines = issue_lines();
                (show_required.get() && !issues.get().is_empty()).then(|| view! {
                    <div class="notice notice--error" role="alert" data-test="complete-problems">
                        <p>{app.texts().complete_fix}</p>
                        <ul>
                            {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                        </ul>
                    </div>
                })
            }}
            {(!read_only).then(|| view! {
                <div class="actions">
                    <button type="button" class="btn btn-primary btn-large" data-test="complete" on:click=complete>
                        {move || app.texts().complete}
                    </button>
                    <button type="button" class="btn btn-danger" data-test="discard" on:click=discard>
                        {move || app.texts().discard}
                    </button>
                </div>
            })}
        </article>
    }
}
