//! The questions, groups and repeats of a screen, at a repeat instance:
//! each question shown while it is relevant, each repeat with its
//! instances and the buttons that add and remove them.

use leptos::prelude::*;
use thamgia_core::{AnswerValue, Item, NodeKey, Question, QuestionKind};

use super::Editor;
use crate::components::form_language::use_form_text;
use crate::components::question_field::QuestionField;
use crate::platform;

/// Questions, groups and repeats at a repeat instance.
pub(super) fn render_items(editor: Editor, items: Vec<Item>, instance: Vec<usize>) -> AnyView {
    let app = editor.app;
    let form_text = use_form_text();
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
                                        label.map_texts(|text| engine.interpolate(state, &draft.answers, text, &instance))
                                    })
                                })
                            })
                        })
                    };
                    let age_band = Signal::derive(move || editor.response.with(|draft| draft.participant.age_band));
                    let disabled = {
                        let key = key.clone();
                        Signal::derive(move || editor.locked(&key))
                    };
                    if question.choice_filter.is_some() || question.randomize.is_some() {
                        // A cascading list, or options in the child's own
                        // order: the field is drawn again with the options
                        // offered whenever an earlier answer changes them,
                        // in the order kept with the response.
                        let offered = {
                            let key = key.clone();
                            Memo::new(move |_| editor.form_state.with(|state| editor.engine.with_value(|engine| engine.offered(state, &key).map(<[usize]>::to_vec))))
                        };
                        let order_key = thamgia_core::response::order_key(&question.id, &key.instance);
                        let order = {
                            let order_key = order_key.clone();
                            Memo::new(move |_| editor.response.with(|draft| draft.shown_orders.get(&order_key).cloned()))
                        };
                        if question.randomize.is_some() && !editor.read_only {
                            draw_order(editor, question.clone(), key.clone(), order_key, order);
                        }
                        let on_change = Callback::new(move |answer: Option<AnswerValue>| editor.answer(&key, answer));
                        return view! {
                            <Show when=move || relevant.get()>
                                {
                                    let question = question.clone();
                                    move || {
                                        let offered_only = offered.get().map_or_else(|| question.clone(), |offered| question.with_offered(&offered));
                                        let shown = order.get().map_or_else(|| offered_only.clone(), |order| offered_only.with_order(&order));
                                        view! { <QuestionField question=shown value error on_change disabled shown_label age_band/> }
                                    }
                                }
                            </Show>
                        }
                        .into_any();
                    }
                    let on_change = Callback::new(move |answer: Option<AnswerValue>| editor.answer(&key, answer));
                    view! {
                        <Show when=move || relevant.get()>
                            <QuestionField question=question.clone() value error on_change disabled shown_label age_band/>
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
                                {(!label.vi.is_empty()).then(|| view! { <h2>{move || form_text.pick(&label)}</h2> })}
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
                    // How many instances an earlier answer asks for
                    // (`repeat_count`); `None`: the worker adds them.
                    let counted = {
                        let key = key.clone();
                        Memo::new(move |_| editor.form_state.with(|state| editor.engine.with_value(|engine| engine.repeat_count(state, &key))))
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
                                            <h3>{move || form_text.pick(&label)} " " {index + 1}</h3>
                                            {render_items(editor, items.clone(), inner)}
                                            {(!editor.read_only && counted.get().is_none_or(|counted| index >= counted)).then(|| view! {
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
                                <h2>{move || form_text.pick(&heading)}</h2>
                                {instances}
                                {move || (!editor.read_only && counted.get().is_none()).then(|| {
                                    let add_at = add_at.clone();
                                    let button_label = button_label.clone();
                                    view! {
                                        <button type="button" class="btn btn-secondary btn-large" data-test="add-instance" on:click=move |_| {
                                            editor.change_instances(&|engine, answers| { engine.add_instance(answers, node, &add_at); });
                                        }>{move || app.texts().add_instance} " " {move || form_text.pick(&button_label)}</button>
                                    }
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

/// The first time a question with `randomize` is shown, draws the order of
/// its options (from its `seed` when it gives a number, else at random) and
/// keeps it with the response, so the child's order never changes.
fn draw_order(
    editor: Editor,
    question: Question,
    key: NodeKey,
    order_key: String,
    order: Memo<Option<Vec<String>>>,
) {
    Effect::new(move |_| {
        if order.get().is_some() {
            return;
        }
        let seed = editor.form_state.with_untracked(|state| {
            editor.response.with_untracked(|draft| {
                editor.engine.with_value(|engine| {
                    engine.seed(state, &draft.answers, &key, platform::today())
                })
            })
        });
        let seed = seed.unwrap_or_else(platform::random_u64);
        let drawn = thamgia_core::survey::shuffled(question.kind.choices(), seed);
        editor.update(&|draft| {
            draft.shown_orders.insert(order_key.clone(), drawn.clone());
        });
    });
}
