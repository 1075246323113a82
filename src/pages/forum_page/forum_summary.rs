//! A submitted forum, read-only, with where each recommendation is.

use leptos::prelude::*;

use super::face_name;
use super::feedback_form::FeedbackForm;
use super::participant_grid::ParticipantGrid;
use crate::components::question_field::SmileyFace;
use crate::pages::forums_page::{
    deadline_line, format_date, forum_state, recommendation_status_name, state_name,
};
use crate::platform;
use crate::state::use_app;
use crate::storage::StoredForum;

/// A submitted forum, read-only, with where each recommendation is; reread
/// whenever records change (an answer or feedback pulled, feedback recorded).
#[component]
pub(super) fn ForumSummary(initial: StoredForum) -> impl IntoView {
    let app = use_app();
    let id = initial.forum.id;
    let loaded = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { store.forum(id).await.map_err(|error| error.message()) }
    });
    // The forum as last read successfully; the first read came with the page.
    // Not `Loaded`: the page already shows the forum, so a reread neither
    // blanks it with "Loading…" nor hides it behind a failure, which is
    // only logged.
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
                                {(texts.forum_feedback_given)(
                                    &format_date(feedback.given_on),
                                    &app.pick(&feedback.channel.label()),
                                )}
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
                                    " " <span class="field-error">{(texts.forum_answer_overdue)(&format_date(answer_due))}</span>
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
            <a class="back-link" href="/forums">{move || app.texts().forum_back}</a>
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
