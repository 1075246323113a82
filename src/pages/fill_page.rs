//! Filling a response: the anonymous participant and consent first, then
//! the questions screen by screen (one question per screen, or one page per
//! group, as the survey says), then a review. Every change is saved on the
//! tablet at once; the form engine recomputes only what the change affects.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use thamgia_core::sync_client::Trigger;
use thamgia_core::validation::{check_answer, constraint_message};
use thamgia_core::{
    validate_with, AgeBand, AnswerValue, ConsentMethod, ConsentRecord, Disclosure, EthnicGroup,
    FormEngine, FormState, Item, Language, Layout, Localized, NodeKey, Question, QuestionKind,
    Response, ResponseStatus, Sex, SpecialCircumstance, SurveyDefinition, ValidationMode,
};
use uuid::Uuid;

use crate::components::choice_button::ChoiceButton;
use crate::components::loaded::Loaded;
use crate::components::question_field::QuestionField;
use crate::components::save_status::SaveStatus;
use crate::hooks::use_autosave::{use_autosave, UseAutosaveReturn};
use crate::i18n::{EN, VI};
use crate::platform;
use crate::state::{use_app, AppState, Notice};
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
    view! {
        <Loaded resource=loaded let:found>
            {match found {
                None => view! {
                    <p class="notice notice--error">{app.texts().not_found}</p>
                    <a class="btn btn-secondary" href="/">{app.texts().back_home}</a>
                }
                .into_any(),
                Some((record, survey)) => match FormEngine::compile(&survey) {
                    Ok(engine) => view! { <ResponseEditor record survey engine/> }.into_any(),
                    Err(errors) => view! {
                        <div class="notice notice--error" role="alert">
                            <p>{app.texts().form_cannot_run}</p>
                            <ul>
                                {errors.into_iter().map(|error| view! { <li>{error.item} ": " {app.pick(&error.message)}</li> }).collect_view()}
                            </ul>
                        </div>
                    }
                    .into_any(),
                },
            }}
        </Loaded>
    }
}

/// One screen of the form.
#[derive(Debug, Clone)]
enum Screen {
    /// The participant and consent.
    Start,
    /// Questions, a group or a repeat.
    Items(Vec<Item>),
    /// Every answer, before completing.
    Review,
}

/// The screens of `survey` in order.
fn screens(survey: &SurveyDefinition) -> Vec<Screen> {
    fn flatten(items: &[Item], into: &mut Vec<Screen>) {
        for item in items {
            match item {
                Item::Question(question)
                    if matches!(question.kind, QuestionKind::Calculate { .. }) => {}
                Item::Group(group) => flatten(&group.items, into),
                other => into.push(Screen::Items(vec![other.clone()])),
            }
        }
    }
    let mut all = vec![Screen::Start];
    match survey.layout {
        Layout::OneQuestionPerScreen => flatten(&survey.items, &mut all),
        Layout::PagePerGroup => {
            for item in &survey.items {
                if !matches!(item, Item::Question(question) if matches!(question.kind, QuestionKind::Calculate { .. }))
                {
                    all.push(Screen::Items(vec![item.clone()]));
                }
            }
        }
    }
    all.push(Screen::Review);
    all
}

/// Every question instance within `items` at `instance`, in order.
fn question_keys(
    engine: &FormEngine,
    answers: &thamgia_core::Answers,
    items: &[Item],
    instance: &[usize],
) -> Vec<(NodeKey, Question)> {
    let mut found = Vec::new();
    for item in items {
        match item {
            Item::Question(question) => {
                if let Some(node) = engine.node(&question.id) {
                    found.push((
                        NodeKey {
                            node,
                            instance: instance.to_vec(),
                        },
                        question.clone(),
                    ));
                }
            }
            Item::Group(group) => {
                found.extend(question_keys(engine, answers, &group.items, instance))
            }
            Item::Repeat(group) => {
                let Some(node) = engine.node(&group.id) else {
                    continue;
                };
                for index in 0..engine.instance_count(answers, node, instance) {
                    let mut inner = instance.to_vec();
                    inner.push(index);
                    found.extend(question_keys(engine, answers, &group.items, &inner));
                }
            }
        }
    }
    found
}

/// Everything the editor's pieces share. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
struct Editor {
    app: AppState,
    response: RwSignal<Response>,
    engine: StoredValue<FormEngine>,
    survey: StoredValue<SurveyDefinition>,
    form_state: RwSignal<FormState>,
    show_errors: RwSignal<bool>,
    autosave: UseAutosaveReturn,
    read_only: bool,
}

impl Editor {
    /// Saves the current draft (see [`use_autosave`]).
    fn save(self) {
        self.autosave.save();
    }

    /// Changes the participant or consent, and saves.
    fn update(self, change: &dyn Fn(&mut Response)) {
        if self.read_only {
            return;
        }
        self.response.update(|draft| {
            change(draft);
            draft.updated_at = platform::now();
        });
        self.save();
    }

    /// Sets one answer, recomputes what depends on it, and saves.
    fn answer(self, key: &NodeKey, value: Option<AnswerValue>) {
        if self.read_only {
            return;
        }
        self.response.update(|draft| {
            self.engine
                .with_value(|engine| engine.set_answer(&mut draft.answers, key, value));
            draft.updated_at = platform::now();
        });
        self.response.with_untracked(|draft| {
            self.form_state.update(|state| {
                self.engine.with_value(|engine| {
                    engine.update(state, &draft.answers, key, platform::today())
                });
            });
        });
        self.save();
    }

    /// Adds or removes a repeat instance, re-evaluates, and saves.
    fn change_instances(self, change: &dyn Fn(&FormEngine, &mut thamgia_core::Answers)) {
        if self.read_only {
            return;
        }
        self.response.update(|draft| {
            self.engine
                .with_value(|engine| change(engine, &mut draft.answers));
            draft.updated_at = platform::now();
        });
        self.reevaluate();
        self.save();
    }

    fn reevaluate(self) {
        let state = self.response.with_untracked(|draft| {
            self.engine
                .with_value(|engine| engine.evaluate_all(&draft.answers, platform::today()))
        });
        self.form_state.set(state);
    }

    fn relevant(self, key: &NodeKey) -> bool {
        self.form_state.with(|state| {
            self.engine
                .with_value(|engine| engine.is_relevant(state, key))
        })
    }

    /// What is wrong with one question instance, if anything.
    fn field_error(self, question: &Question, key: &NodeKey) -> Option<Localized> {
        let answer = self.response.with(|draft| {
            self.engine
                .with_value(|engine| engine.answer(&draft.answers, key).cloned())
        });
        match answer {
            Some(answer) => check_answer(question, &answer).or_else(|| {
                let broken = self.form_state.with(|state| {
                    self.engine
                        .with_value(|engine| engine.breaks_constraint(state, key))
                });
                broken.then(|| constraint_message(question))
            }),
            None => (self.show_errors.get()
                && question.required
                && question.kind.takes_answer()
                && self.relevant(key))
            .then(|| {
                Localized::new(
                    "Câu hỏi này bắt buộc trả lời.",
                    "This question needs an answer.",
                )
            }),
        }
    }

    /// Problems on one screen, checked before moving on.
    fn screen_problems(self, screen: &Screen) -> usize {
        match screen {
            Screen::Start => self.response.with_untracked(|draft| {
                let consent = draft
                    .participant
                    .age_band
                    .is_some_and(|band| draft.consent.is_sufficient_for(band));
                usize::from(!consent) + usize::from(draft.participant.sex.is_none())
            }),
            Screen::Items(items) => {
                let keys = self.response.with_untracked(|draft| {
                    self.engine
                        .with_value(|engine| question_keys(engine, &draft.answers, items, &[]))
                });
                keys.iter()
                    .filter(|(key, question)| {
                        untrack(|| {
                            let answered = self.response.with(|draft| {
                                self.engine.with_value(|engine| {
                                    engine.answer(&draft.answers, key).is_some()
                                })
                            });
                            self.relevant(key)
                                && (self.field_error(question, key).is_some()
                                    || (!answered
                                        && question.required
                                        && question.kind.takes_answer()))
                        })
                    })
                    .count()
            }
            Screen::Review => 0,
        }
    }

    /// Whether a screen has anything to ask.
    fn screen_visible(self, screen: &Screen) -> bool {
        match screen {
            Screen::Start | Screen::Review => true,
            Screen::Items(items) => items.iter().any(|item| {
                self.engine
                    .with_value(|engine| engine.node(item.id()))
                    .is_some_and(|node| {
                        self.relevant(&NodeKey {
                            node,
                            instance: Vec::new(),
                        })
                    })
            }),
        }
    }
}

#[component]
fn ResponseEditor(
    record: StoredResponse,
    survey: SurveyDefinition,
    engine: FormEngine,
) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let read_only = record.response.status != ResponseStatus::Draft;
    let initial_state = engine.evaluate_all(&record.response.answers, platform::today());
    let all_screens = screens(&survey);
    let response = RwSignal::new(record.response);
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
    };
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

    let complete = {
        let navigate = navigate.clone();
        move |_| {
            let mut finished = editor.response.get_untracked();
            finished.answers = editor
                .engine
                .with_value(|engine| engine.finalize(&finished.answers, platform::today()));
            finished.status = ResponseStatus::Completed;
            finished.updated_at = platform::now();
            let language = app.language.get_untracked();
            let problems = editor.engine.with_value(|engine| {
                editor.survey.with_value(|survey| {
                    validate_with(
                        engine,
                        survey,
                        &finished,
                        ValidationMode::Complete,
                        platform::today(),
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
                                        .map(|question| question.label.get(language).to_owned())
                                })
                            });
                            match label {
                                Some(label) => format!("{label} — {}", issue.message.get(language)),
                                None => issue.message.get(language).to_owned(),
                            }
                        })
                        .collect(),
                );
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
                    Err(error) => editor.autosave.fail(error.message()),
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
        let id = editor.response.get_untracked().id;
        let store = app.store();
        let navigate = navigate.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match store.discard_draft(id).await {
                Ok(()) => {
                    app.records_changed();
                    navigate("/", Default::default());
                }
                Err(error) => editor.autosave.fail(error.message()),
            }
        });
    };

    let title = editor.survey.with_value(|survey| survey.title.clone());
    let description = editor
        .survey
        .with_value(|survey| survey.description.clone());
    let corrects = editor.response.with_untracked(|draft| draft.corrects);
    view! {
        <article class="fill" data-test="fill" data-response=move || editor.response.with(|draft| draft.id.to_string())>
            <h1>{move || app.pick(&title)}</h1>
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
                        <p class="muted">{move || app.pick(&description)}</p>
                        <StartScreen editor/>
                    }
                    .into_any(),
                    Screen::Items(items) => view! { <section class="questions" data-test="questions">{render_items(editor, items, Vec::new())}</section> }.into_any(),
                    Screen::Review => view! { <ReviewScreen editor on_edit=Callback::new(move |name: String| {
                        if let Some(index) = screen_of(&name) {
                            current.set(index);
                        }
                    })/> }
                    .into_any(),
                }
            }}
            <Show when=move || editor.show_errors.get() && current.get() != last>
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
                        <button type="button" class="btn btn-primary btn-large" data-test="complete" on:click=complete.clone()>{move || app.texts().complete}</button>
                    </Show>
                    <button type="button" class="btn btn-danger" data-test="discard" on:click=discard.clone()>{move || app.texts().discard}</button>
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

/// Questions, groups and repeats at a repeat instance.
fn render_items(editor: Editor, items: Vec<Item>, instance: Vec<usize>) -> AnyView {
    let app = editor.app;
    items
        .into_iter()
        .map(|item| {
            let Some(node) = editor.engine.with_value(|engine| engine.node(item.id())) else {
                return ().into_any();
            };
            let key = NodeKey { node, instance: instance.clone() };
            let relevant = {
                let key = key.clone();
                Memo::new(move |_| editor.relevant(&key))
            };
            match item {
                Item::Question(question) if matches!(question.kind, QuestionKind::Calculate { .. }) => ().into_any(),
                Item::Question(question) => {
                    let value = {
                        let key = key.clone();
                        Memo::new(move |_| editor.response.with(|draft| editor.engine.with_value(|engine| engine.answer(&draft.answers, &key).cloned())))
                    };
                    let error = {
                        let key = key.clone();
                        let question = question.clone();
                        Signal::derive(move || editor.field_error(&question, &key))
                    };
                    let shown_label = {
                        let label = question.label.clone();
                        let instance = key.instance.clone();
                        Signal::derive(move || {
                            editor.response.with(|draft| {
                                editor.form_state.with(|state| {
                                    editor.engine.with_value(|engine| {
                                        Localized::new(
                                            engine.interpolate(state, &draft.answers, &label.vi, &instance),
                                            engine.interpolate(state, &draft.answers, &label.en, &instance),
                                        )
                                    })
                                })
                            })
                        })
                    };
                    let on_change = Callback::new(move |answer: Option<AnswerValue>| editor.answer(&key, answer));
                    view! {
                        <Show when=move || relevant.get()>
                            <QuestionField question=question.clone() value error on_change disabled=Signal::derive(move || editor.read_only) shown_label/>
                        </Show>
                    }
                    .into_any()
                }
                Item::Group(group) => {
                    let group = StoredValue::new(group);
                    let instance = StoredValue::new(instance.clone());
                    (move || {
                        if !relevant.get() {
                            return ().into_any();
                        }
                        let (id, label, items) = group.with_value(|group| (group.id.clone(), group.label.clone(), group.items.clone()));
                        view! {
                            <section class="group" data-group=id>
                                {(!label.vi.is_empty()).then(|| view! { <h2>{move || app.pick(&label)}</h2> })}
                                {render_items(editor, items, instance.get_value())}
                            </section>
                        }
                        .into_any()
                    })
                    .into_any()
                }
                Item::Repeat(group) => {
                    let count = {
                        let instance = instance.clone();
                        Memo::new(move |_| editor.response.with(|draft| editor.engine.with_value(|engine| engine.instance_count(&draft.answers, node, &instance))))
                    };
                    let group = StoredValue::new(group);
                    let instance = StoredValue::new(instance.clone());
                    (move || {
                        if !relevant.get() {
                            return ().into_any();
                        }
                        let (id, label, items) = group.with_value(|group| (group.id.clone(), group.label.clone(), group.items.clone()));
                        let heading = label.clone();
                        let button_label = label.clone();
                        let add_at = instance.get_value();
                        let instances = move || {
                            (0..count.get())
                                .map(|index| {
                                    let outer = instance.get_value();
                                    let mut inner = outer.clone();
                                    inner.push(index);
                                    let label = label.clone();
                                    view! {
                                        <div class="repeat-instance" data-instance=index.to_string()>
                                            <h3>{move || app.pick(&label)} " " {index + 1}</h3>
                                            {render_items(editor, items.clone(), inner)}
                                            {(!editor.read_only).then(|| view! {
                                                <button type="button" class="btn btn-danger" data-test="remove-instance" on:click=move |_| {
                                                    if window().confirm_with_message(app.texts().remove_instance_confirm).unwrap_or(false) {
                                                        editor.change_instances(&|engine, answers| engine.remove_instance(answers, node, &outer, index));
                                                    }
                                                }>{move || app.texts().remove_instance}</button>
                                            })}
                                        </div>
                                    }
                                })
                                .collect_view()
                        };
                        view! {
                            <section class="card repeat" data-repeat=id>
                                <h2>{move || app.pick(&heading)}</h2>
                                {instances}
                                {(!editor.read_only).then(|| view! {
                                    <button type="button" class="btn btn-secondary btn-large" data-test="add-instance" on:click=move |_| {
                                        editor.change_instances(&|engine, answers| { engine.add_instance(answers, node, &add_at); });
                                    }>{move || app.texts().add_instance} " " {move || app.pick(&button_label)}</button>
                                })}
                            </section>
                        }
                        .into_any()
                    })
                    .into_any()
                }
            }
        })
        .collect_view()
        .into_any()
}

/// Buttons for one consent: not given, verbally, in writing.
fn consent_buttons(
    editor: Editor,
    test: &'static str,
    read: fn(&Response) -> Option<ConsentRecord>,
    write: fn(&mut Response, Option<ConsentRecord>),
) -> impl IntoView {
    let app = editor.app;
    let methods: Vec<Option<ConsentMethod>> = std::iter::once(None)
        .chain(ConsentMethod::ALL.into_iter().map(Some))
        .collect();
    view! {
        <div class="choice-grid" role="group" data-test=test>
            {methods
                .into_iter()
                .map(|method| {
                    let label = Signal::derive(move || match method {
                        None => app.texts().consent_not_given.to_owned(),
                        Some(method) => app.pick(&method.label()),
                    });
                    let data_value = method.map_or("none".to_owned(), |method| format!("{method:?}").to_lowercase());
                    view! {
                        <ChoiceButton
                            data_value
                            pressed=Signal::derive(move || editor.response.with(|draft| read(draft).map(|record| record.method) == method))
                            disabled=editor.read_only
                            label
                            on_press=Callback::new(move |()| {
                                let record = method.map(|method| ConsentRecord { method, given_at: platform::now() });
                                editor.update(&|draft| write(draft, record));
                            })
                        />
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A row of option buttons for one participant attribute.
fn option_buttons<T: Copy + PartialEq + std::fmt::Debug + Send + Sync + 'static>(
    editor: Editor,
    test: &'static str,
    options: Vec<T>,
    label: fn(T) -> Localized,
    read: fn(&Response) -> Option<T>,
    write: fn(&mut Response, T),
) -> impl IntoView {
    let app = editor.app;
    view! {
        <div class="choice-grid" role="group" data-test=test>
            {options
                .into_iter()
                .map(|option| {
                    let text = label(option);
                    let data_value = format!("{option:?}");
                    view! {
                        <ChoiceButton
                            data_value
                            pressed=Signal::derive(move || editor.response.with(|draft| read(draft) == Some(option)))
                            disabled=editor.read_only
                            label=Signal::derive(move || app.pick(&text))
                            on_press=Callback::new(move |()| editor.update(&|draft| write(draft, option)))
                        />
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Age band, sex and the optional attributes, then consent.
#[component]
fn StartScreen(editor: Editor) -> impl IntoView {
    let app = editor.app;
    let age_bands: Vec<AgeBand> = editor.survey.with_value(|survey| {
        if survey.age_bands.is_empty() {
            AgeBand::ALL.to_vec()
        } else {
            AgeBand::ALL
                .into_iter()
                .filter(|band| survey.age_bands.contains(band))
                .collect()
        }
    });
    let age_values: Vec<String> = age_bands.iter().map(serde_json_text).collect();
    let show_errors = editor.show_errors;
    view! {
        <section class="card consent-block">
            <h2 class="card-title">{move || app.texts().participant_title}</h2>
            <p class="muted">{move || app.texts().participant_intro}</p>
            <h3>{move || app.texts().age_band}</h3>
            <div class="choice-grid" role="group" data-test="age-bands">
                {age_bands
                    .into_iter()
                    .zip(age_values)
                    .map(|(band, data_value)| {
                        let label = band.label();
                        view! {
                            <ChoiceButton
                                data_value
                                pressed=Signal::derive(move || editor.response.with(|draft| draft.participant.age_band == Some(band)))
                                disabled=editor.read_only
                                label=Signal::derive(move || app.pick(&label))
                                on_press=Callback::new(move |()| editor.update(&|draft| draft.participant.age_band = Some(band)))
                            />
                        }
                    })
                    .collect_view()}
            </div>
            <h3>{move || app.texts().sex}</h3>
            {option_buttons(editor, "sex", Sex::ALL.to_vec(), Sex::label, |draft| draft.participant.sex, |draft, sex| draft.participant.sex = Some(sex))}
            <details class="optional-attributes">
                <summary>{move || app.texts().more_about_child}</summary>
                <h3>{move || app.texts().ethnic_group}</h3>
                {option_buttons(editor, "ethnic-group", EthnicGroup::ALL.to_vec(), EthnicGroup::label, |draft| draft.participant.ethnic_group, |draft, group| draft.participant.ethnic_group = Some(group))}
                <h3>{move || app.texts().disability}</h3>
                {option_buttons(editor, "disability", Disclosure::ALL.to_vec(), Disclosure::label, |draft| draft.participant.disability, |draft, answer| draft.participant.disability = Some(answer))}
                <h3>{move || app.texts().special_circumstances}</h3>
                <div class="choice-grid" role="group" data-test="special-circumstances">
                    {SpecialCircumstance::ALL
                        .into_iter()
                        .map(|circumstance| {
                            let label = circumstance.label();
                            view! {
                                <ChoiceButton
                                    data_value=format!("{circumstance:?}")
                                    pressed=Signal::derive(move || editor.response.with(|draft| draft.participant.special_circumstances.contains(&circumstance)))
                                    disabled=editor.read_only
                                    label=Signal::derive(move || app.pick(&label))
                                    on_press=Callback::new(move |()| editor.update(&|draft| {
                                        let list = &mut draft.participant.special_circumstances;
                                        if list.contains(&circumstance) {
                                            list.retain(|known| *known != circumstance);
                                        } else {
                                            list.push(circumstance);
                                        }
                                    }))
                                />
                            }
                        })
                        .collect_view()}
                </div>
            </details>

            <h3>{move || app.texts().consent_title}</h3>
            <Show when=move || editor.response.with(|draft| draft.participant.age_band.is_none_or(AgeBand::needs_child_assent))>
                <p>{move || app.texts().consent_child}</p>
                {consent_buttons(editor, "child-assent", |draft| draft.consent.child_assent, |draft, record| draft.consent.child_assent = record)}
            </Show>
            <p>{move || app.texts().consent_guardian}</p>
            {consent_buttons(editor, "guardian-consent", |draft| draft.consent.guardian_consent, |draft, record| draft.consent.guardian_consent = record)}
            <Show when=move || {
                show_errors.get()
                    && !editor.response.with(|draft| draft.participant.age_band.is_some_and(|band| draft.consent.is_sufficient_for(band)) && draft.participant.sex.is_some())
            }>
                <p class="field-error" role="alert">{move || app.texts().consent_needed}</p>
            </Show>
        </section>
    }
}

fn serde_json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An answer as a worker reads it back to the child.
fn answer_text(question: &Question, answer: &AnswerValue, language: Language) -> String {
    let choice = |value: &String| {
        question
            .choice_label(value, language)
            .unwrap_or(value)
            .to_owned()
    };
    match answer {
        AnswerValue::Text(text) => text.clone(),
        AnswerValue::Number(number) => number.to_string(),
        AnswerValue::Date(date) => date.format("%d/%m/%Y").to_string(),
        AnswerValue::Choice(value) => choice(value),
        AnswerValue::Choices(values) | AnswerValue::Ranking(values) => {
            values.iter().map(choice).collect::<Vec<_>>().join(", ")
        }
        AnswerValue::YesNo(yes) => {
            let texts = crate::i18n::texts(language);
            if *yes { texts.yes } else { texts.no }.to_owned()
        }
        AnswerValue::Smiley(face) => format!("{face} ☺"),
        AnswerValue::Rating(rating) => format!("{rating} ★"),
        AnswerValue::Repeat(instances) => instances.len().to_string(),
    }
}

/// Every question asked, with its answer and an "edit" button.
#[component]
fn ReviewScreen(editor: Editor, on_edit: Callback<String>) -> impl IntoView {
    let app = editor.app;
    let rows = move || {
        let language = app.language.get();
        let keys = editor.response.with(|draft| {
            editor.survey.with_value(|survey| {
                editor
                    .engine
                    .with_value(|engine| question_keys(engine, &draft.answers, &survey.items, &[]))
            })
        });
        keys.into_iter()
            .filter(|(key, question)| question.kind.takes_answer() && editor.relevant(key))
            .map(|(key, question)| {
                let answer = editor.response.with(|draft| editor.engine.with_value(|engine| engine.answer(&draft.answers, &key).cloned()));
                let missing_required = answer.is_none() && question.required;
                let text = answer
                    .as_ref()
                    .map(|answer| answer_text(&question, answer, language))
                    .unwrap_or_else(|| app.texts().not_answered.to_owned());
                let instance = if key.instance.is_empty() {
                    String::new()
                } else {
                    format!(" (#{})", key.instance.iter().map(|index| (index + 1).to_string()).collect::<Vec<_>>().join("."))
                };
                let name = question.id.clone();
                view! {
                    <li data-review=question.id.clone() class=if missing_required { "review-missing" } else { "" }>
                        <span class="review-question">{question.label.get(language).to_owned()} {instance}</span>
                        <strong class="review-answer">{text}</strong>
                        {(!editor.read_only).then(|| view! {
                            <button type="button" class="btn btn-secondary" on:click=move |_| on_edit.run(name.clone())>{app.texts().edit}</button>
                        })}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card review" data-test="review">
            <h2 class="card-title">{move || app.texts().review_title}</h2>
            {(!editor.read_only).then(|| view! { <p class="muted">{move || app.texts().review_intro}</p> })}
            <ul class="response-list">{rows}</ul>
        </section>
    }
}
