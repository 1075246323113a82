//! One recommendation at the town hall: its forum, text, authority, status
//! and deadlines, the answer and the feedback, and the answer form.

use leptos::prelude::*;
use uuid::Uuid;

use super::answer_form::AnswerForm;
use super::{
    overdue_days, show_date, status_class, status_key, RecommendationRow, RecommendationView,
};
use crate::platform;
use crate::state::{use_app, Ward};

/// One recommendation: its forum, text, authority, status and deadlines,
/// the answer and the feedback if any, and the answer form.
#[component]
pub(super) fn RecommendationItem(
    row: RecommendationRow,
    wards: Signal<Vec<Ward>>,
    last_saved: RwSignal<Option<Uuid>>,
    on_saved: Callback<Uuid>,
) -> impl IntoView {
    let app = use_app();
    let RecommendationRow {
        ward_code,
        held_on,
        place,
        children,
        report_due,
        item,
    } = row;
    let RecommendationView {
        recommendation,
        answer,
        feedback,
        status,
        answer_due,
        answer_overdue,
    } = item;
    let id = recommendation.id;
    let revising = RwSignal::new(false);
    let ward_name = {
        let ward_code = ward_code.clone();
        move || {
            let language = app.language.get();
            wards.with(|wards| {
                wards
                    .iter()
                    .find(|ward| ward.code == ward_code)
                    .map(|ward| ward.name(language).to_owned())
            })
        }
    };
    let forum_line = move || {
        let texts = app.townhall_texts();
        format!(
            "{} · {}",
            (texts.townhall_forum_held)(&show_date(held_on), &place),
            (texts.townhall_forum_children)(children)
        )
    };
    let overdue = answer_overdue.then(|| {
        view! {
            <span class="state-badge state--rejected" data-test="overdue">
                {move || (app.townhall_texts().townhall_overdue_days)(overdue_days(answer_due, platform::today()))}
            </span>
        }
    });
    let answer_block = answer.clone().map(|answer| {
        view! {
            <div class="recommendation-answer" data-test="answer">
                <h4>{move || app.townhall_texts().townhall_answer_title}</h4>
                <dl class="recommendation-facts">
                    <dt>{move || app.townhall_texts().townhall_answer_decision}</dt>
                    <dd data-test="answer-decision">{move || app.pick(&answer.decision.label())}</dd>
                    <dt>{move || app.townhall_texts().townhall_answer_reasons}</dt>
                    <dd class="recommendation-prose">{answer.reasons.clone()}</dd>
                    <dt>{move || app.townhall_texts().townhall_answer_actions}</dt>
                    <dd class="recommendation-prose">{answer.actions.clone()}</dd>
                    <dt>{move || app.townhall_texts().townhall_answer_date}</dt>
                    <dd>{show_date(answer.answered_on)}</dd>
                </dl>
            </div>
        }
    });
    let feedback_block = feedback.map(|feedback| {
        view! {
            <div class="recommendation-feedback" data-test="feedback">
                <h4>{move || app.townhall_texts().townhall_feedback_title}</h4>
                <dl class="recommendation-facts">
                    <dt>{move || app.townhall_texts().townhall_feedback_given_on}</dt>
                    <dd>{show_date(feedback.given_on)}</dd>
                    <dt>{move || app.townhall_texts().townhall_feedback_channel}</dt>
                    <dd>{move || app.pick(&feedback.channel.label())}</dd>
                    {(!feedback.note.trim().is_empty()).then(|| view! {
                        <dt>{move || app.townhall_texts().townhall_feedback_note}</dt>
                        <dd class="recommendation-prose">{feedback.note.clone()}</dd>
                    })}
                </dl>
            </div>
        }
    });
    let answered = answer.is_some();
    let form = move || {
        if answered && !revising.get() {
            return view! {
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    data-test="answer-revise"
                    on:click=move |_| revising.set(true)
                >
                    {move || app.townhall_texts().townhall_answer_revise}
                </button>
            }
            .into_any();
        }
        let saved = Callback::new(move |recommendation_id: Uuid| {
            revising.set(false);
            on_saved.run(recommendation_id);
        });
        let cancel = answered.then_some(Callback::new(move |()| revising.set(false)));
        view! { <AnswerForm recommendation_id=id existing=answer.clone() saved cancel/> }.into_any()
    };
    let saved_note = move || {
        (last_saved.get() == Some(id)).then(|| {
            view! {
                <p class="save-result save-ok" role="status" data-test="answer-saved">
                    {app.townhall_texts().townhall_answer_saved}
                </p>
            }
        })
    };
    let ward_code_shown = ward_code;
    view! {
        <li
            class="recommendation"
            class:recommendation--overdue=answer_overdue
            data-test="recommendation-row"
            data-id=id.to_string()
            data-status=status_key(status)
        >
            <p class="recommendation-forum">
                // The code alone until the overview names the ward.
                {move || match ward_name() {
                    Some(name) => view! {
                        <strong data-test="recommendation-ward">{name}</strong>
                        " "
                        <span class="muted ward-code-inline">{ward_code_shown.clone()}</span>
                    }
                    .into_any(),
                    None => view! { <strong data-test="recommendation-ward">{ward_code_shown.clone()}</strong> }.into_any(),
                }}
                <br/>
                <span class="muted">{forum_line}</span>
                <br/>
                <span class="muted" data-test="report-due">
                    {move || (app.townhall_texts().townhall_forum_report_due)(&show_date(report_due))}
                </span>
            </p>
            <blockquote class="recommendation-text" data-test="recommendation-text">
                {recommendation.text.clone()}
            </blockquote>
            <p class="recommendation-meta">
                <span>{move || app.townhall_texts().townhall_recommendation_authority} ": " <strong>{recommendation.authority.clone()}</strong></span>
                <span>{move || (app.townhall_texts().townhall_recommendation_votes)(recommendation.votes)}</span>
            </p>
            <p class="recommendation-meta">
                <span class=status_class(status) data-test="recommendation-status">{move || app.pick(&status.label())}</span>
                <span data-test="answer-due">
                    {move || (app.townhall_texts().townhall_answer_due)(&show_date(answer_due))}
                </span>
                {overdue}
            </p>
            {answer_block}
            {feedback_block}
            {saved_note}
            {form}
        </li>
    }
}
