//! Filling a response: the anonymous participant and consent first, then
//! the questions screen by screen (one question per screen, or one page per
//! group, as the survey says), then a review. Every change is saved on the
//! tablet at once; the form engine recomputes only what the change affects.
//!
//! This file holds the page, the [`Editor`] its pieces share and the
//! screens of a survey; the form and each screen are components of their
//! own in `fill_page/`.

mod question_items;
mod response_editor;
mod review_screen;
mod start_screen;
mod worker_note;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use thamgia_core::validation::{
    check_answer, constraint_message, not_offered_message, required_message,
};
use thamgia_core::{
    AnswerValue, FormEngine, FormState, Item, Layout, Localized, NodeKey, Question, QuestionKind,
    Response, SurveyDefinition,
};
use uuid::Uuid;

use crate::components::loaded::Loaded;
use crate::hooks::use_autosave::UseAutosaveReturn;
use crate::platform;
use crate::state::{use_app, AppState};
use response_editor::ResponseEditor;

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
                // A `field-list` group is one screen, whatever the layout.
                Item::Group(group) if !group.field_list => flatten(&group.items, into),
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
    /// Drawn when the response is opened: what `uuid()` is made from.
    random: u64,
}

impl Editor {
    /// Saves the current draft (see [`use_autosave`]).
    ///
    /// [`use_autosave`]: crate::hooks::use_autosave::use_autosave
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

    /// Sets one answer, recomputes what depends on it (with what its
    /// change triggers, see [`FormEngine::edit`]), and saves.
    fn answer(self, key: &NodeKey, value: Option<AnswerValue>) {
        if self.read_only {
            return;
        }
        self.form_state.update(|state| {
            self.response.update(|draft| {
                self.engine.with_value(|engine| {
                    state.set_now(platform::now_local());
                    engine.edit(&mut draft.answers, state, key, value, platform::today())
                });
                draft.updated_at = platform::now();
            });
        });
        self.fit_instances();
        self.save();
    }

    /// Whether a question instance is shown but not answered now: the
    /// whole response is, or the question's `read_only` holds, or its
    /// answer is computed.
    fn locked(self, key: &NodeKey) -> bool {
        self.read_only
            || self.form_state.with(|state| {
                self.engine
                    .with_value(|engine| engine.is_read_only(state, key))
            })
    }

    /// What this response is called (the survey's `instance_name`).
    fn instance_name(self) -> Option<String> {
        self.response.with(|draft| {
            self.form_state.with(|state| {
                self.engine
                    .with_value(|engine| engine.instance_name(state, &draft.answers))
            })
        })
    }

    /// Makes the (empty) repeat instances a `repeat_count` asks for, and
    /// keeps the state evaluated for them. Never removes one: an instance
    /// beyond the count keeps its answers until the worker removes it.
    fn fit_instances(self) {
        // Answers are copied only when an instance is lacking: not at
        // every edit of a form with counts.
        let lacking = self.response.with_untracked(|draft| {
            self.form_state.with_untracked(|state| {
                self.engine
                    .with_value(|engine| engine.lacks_instances(&draft.answers, state))
            })
        });
        if self.read_only || !lacking {
            return;
        }
        let mut state = self.form_state.get_untracked();
        let mut answers = self.response.with_untracked(|draft| draft.answers.clone());
        let added = self
            .engine
            .with_value(|engine| engine.fit_instances(&mut answers, &mut state, platform::today()));
        if added {
            self.response.update(|draft| {
                draft.answers = answers;
                draft.updated_at = platform::now();
            });
            self.form_state.set(state);
        }
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
                .with_value(|engine| engine.evaluate_all_at(&draft.answers, self.clock()))
        });
        if !self.read_only {
            let mut answers = self.response.with_untracked(|draft| draft.answers.clone());
            let computed = self
                .engine
                .with_value(|engine| engine.store_calculated(&mut answers, &state));
            if computed {
                self.response.update(|draft| {
                    draft.answers = answers;
                    draft.updated_at = platform::now();
                });
            }
        }
        self.form_state.set(state);
        self.fit_instances();
    }

    /// The tablet's clock for `now()` and `uuid()`.
    fn clock(self) -> thamgia_core::Clock {
        thamgia_core::Clock {
            now: platform::now_local(),
            random: self.random,
        }
    }

    /// Whether a question instance must be answered: always, or while
    /// its `required` expression holds.
    fn required(self, key: &NodeKey) -> bool {
        self.form_state.with(|state| {
            self.engine
                .with_value(|engine| engine.is_required(state, key))
        })
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
                let (not_offered, broken) = self.form_state.with(|state| {
                    self.engine.with_value(|engine| {
                        (
                            engine.answer_not_offered(state, key),
                            engine.breaks_constraint(state, key),
                        )
                    })
                });
                if not_offered {
                    Some(not_offered_message())
                } else {
                    broken.then(|| constraint_message(question))
                }
            }),
            None => (self.show_errors.get()
                && self.required(key)
                && question.kind.takes_answer()
                && self.relevant(key))
            .then(|| required_message(question)),
        }
    }

    /// Problems on one screen, checked before moving on.
    fn screen_problems(self, screen: &Screen) -> usize {
        match screen {
            Screen::Start => self
                .response
                .with_untracked(|draft| draft.start_missing().len()),
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
                                        && self.required(key)
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
