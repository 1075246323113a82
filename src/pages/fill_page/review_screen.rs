//! The review screen: who the child is (age band, sex, whether another
//! survey heard them this year) and the consents given, then every question asked with its answer, read back to the
//! child before completing, each with a button to go back and edit it.

use leptos::prelude::*;
use thamgia_core::{AnswerValue, Language, Question, QuestionKind};

use super::{question_keys, Editor};
use crate::components::face_scale::face_words;
use crate::components::form_language::{use_form_text, FormText};

/// An answer as a worker reads it back to the child.
fn answer_text(
    question: &Question,
    answer: &AnswerValue,
    language: Language,
    form_text: FormText,
) -> String {
    let choice = |value: &String| {
        question
            .kind
            .choices()
            .iter()
            .find(|choice| &choice.value == value)
            .map_or_else(|| value.clone(), |choice| form_text.pick(&choice.label))
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
        AnswerValue::Smiley(face) => match &question.kind {
            QuestionKind::Smiley { points, labels, .. } => face_words(
                labels,
                *face,
                *points,
                crate::i18n::texts(language).smiley_names,
                crate::i18n::texts(language).face_dont_know,
                language,
            ),
            _ => face.to_string(),
        },
        AnswerValue::Rating(0) | AnswerValue::DontKnow => {
            crate::i18n::texts(language).face_dont_know.to_owned()
        }
        AnswerValue::Rating(rating) => format!("{rating} ★"),
        AnswerValue::Repeat(instances) => instances.len().to_string(),
    }
}

/// Every question asked, with its answer and an "edit" button.
#[component]
pub(super) fn ReviewScreen(
    editor: Editor,
    on_edit: Callback<String>,
    on_edit_start: Callback<()>,
) -> impl IntoView {
    let app = editor.app;
    let form_text = use_form_text();
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
                let missing_required = answer.is_none() && editor.required(&key);
                let text = answer
                    .as_ref()
                    .map(|answer| answer_text(&question, answer, language, form_text))
                    .unwrap_or_else(|| app.texts().not_answered.to_owned());
                let instance = if key.instance.is_empty() {
                    String::new()
                } else {
                    format!(" (#{})", key.instance.iter().map(|index| (index + 1).to_string()).collect::<Vec<_>>().join("."))
                };
                let name = question.id.clone();
                view! {
                    <li data-review=question.id.clone() class=if missing_required { "review-missing" } else { "" }>
                        <span class="review-question">{form_text.pick(&question.label)} {instance}</span>
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
            <ul class="response-list">
                <li data-review-participant data-test="review-participant">
                    <span class="review-question">{move || app.texts().review_participant}</span>
                    <strong class="review-answer">
                        {move || app.pick(&editor.response.with(|draft| draft.participant.described()))}
                        <br/>
                        {move || editor.response.with(|draft| draft.participant.heard_before).map(|heard| view! {
                            <span class="review-consent" data-test="review-heard-before">{app.pick(&heard.described())}</span>
                            <br/>
                        })}
                        <span class="review-consent">{move || app.pick(&editor.response.with(|draft| draft.consent.described()))}</span>
                    </strong>
                    {(!editor.read_only).then(|| view! {
                        <button type="button" class="btn btn-secondary" on:click=move |_| on_edit_start.run(())>{app.texts().edit}</button>
                    })}
                </li>
                {rows}
            </ul>
        </section>
    }
}
