//! What children wrote in their own words, for one free-text question: the
//! answers searched without diacritics (results as one types, after a
//! short pause), narrowed to a theme or to the answers not yet tagged, a
//! page at a time, newest first; each answer with its theme chips and a
//! select to tag it; a new theme added to the survey's codebook; and the
//! question's counts by theme as bars, published like a choice question
//! ("< k", "—"), each with a button deleting it (and its tags, after a
//! confirmation), and one theme split on demand ([`ThemeSplit`]). Tags are kept at the town hall, so every officer sees
//! them; the server decides who may tag what (an officer in their ward).

use std::time::Duration;

use leptos::prelude::*;
use thamgia_core::api::themes::{AnswersQuery, AnswersView, NewTheme, TagBody};
use thamgia_core::results::suppression::Shown;
use thamgia_core::results::themes::{
    ListedAnswer, Theme, ANSWERS_PAGE, MAX_SEARCH_CHARS, MAX_THEME_LABEL_CHARS,
};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{Language, Localized};
use uuid::Uuid;

use super::theme_split::ThemeSplit;
use super::{shown_text, Selection};
use crate::api::ApiClient;
use crate::components::fetched::Fetched;
use crate::i18n::townhall::townhall_both;
use crate::pages::townhall_page::failure_message;
use crate::state::use_app;

/// How long typing must pause before the answers are searched.
const TYPING_PAUSE: Duration = Duration::from_millis(300);

/// What a read of the answers that failed says.
fn read_failure(failure: &SyncFailure) -> Localized {
    failure_message(failure, townhall_both(|texts| texts.results_load_failed))
}

/// What a change that failed says: the server's own words when it refused
/// the change (a theme named twice, another ward's answer), the usual
/// notice otherwise.
fn save_failure(failure: &SyncFailure) -> Localized {
    match failure {
        SyncFailure::Server {
            error: Some(error), ..
        } => error.message.clone(),
        other => failure_message(other, townhall_both(|texts| texts.themes_save_failed)),
    }
}

/// Asks the officer `question` (the browser's dialog); no answer is no.
fn confirm(question: &str) -> bool {
    match window().confirm_with_message(question) {
        Ok(answer) => answer,
        Err(error) => {
            leptos::logging::warn!("confirmation dialog failed: {error:?}");
            false
        }
    }
}

/// A bar's width in percent of the largest published count.
fn width(count: Shown, largest: u64) -> String {
    let share = match count {
        Shown::Count(count) if largest > 0 => 100.0 * count as f64 / largest as f64,
        _ => 0.0,
    };
    format!("width: {share:.1}%")
}

/// A tag added (`true`) or taken off (`false`).
type TagChange = (TagBody, bool);

/// The answers of one free-text question, with their themes.
#[component]
pub(super) fn FreeTextAnswers(
    /// The question's name.
    question: String,
    /// The survey, ward and period shown.
    selection: Selection,
) -> impl IntoView {
    let app = use_app();
    let typed = RwSignal::new(String::new());
    let searched = RwSignal::new(String::new());
    let theme_filter = RwSignal::new(String::new());
    let offset = RwSignal::new(0_u64);
    // Bumped after each saved change, so the answers and counts are read
    // again.
    let saved = RwSignal::new(0_u32);
    let failure = RwSignal::new(None::<Localized>);
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    let survey = selection.survey.clone();
    let split_selection = selection.clone();

    let query = Memo::new({
        let question = question.clone();
        move |_| AnswersQuery {
            survey: selection.survey.clone(),
            question: question.clone(),
            ward: selection.ward.clone(),
            period: selection.period.clone(),
            q: Some(searched.get()).filter(|text| !text.trim().is_empty()),
            theme: Some(theme_filter.get()).filter(|key| !key.is_empty()),
            offset: Some(offset.get()).filter(|offset| *offset > 0),
        }
    });
    let answers = LocalResource::new(move || {
        let query = query.get();
        saved.track();
        async move { ApiClient::for_this_origin().answers(&query).await }
    });

    let search_now = move || {
        if let Some(pending) = timer.get_value() {
            pending.clear();
        }
        timer.set_value(None);
        searched.set(typed.get_untracked());
        offset.set(0);
    };
    let on_typed = move |text: String| {
        typed.set(text);
        if let Some(pending) = timer.get_value() {
            pending.clear();
        }
        match set_timeout_with_handle(search_now, TYPING_PAUSE) {
            Ok(handle) => timer.set_value(Some(handle)),
            // Without a timer the search runs when the form is sent.
            Err(error) => leptos::logging::warn!("search timer not set: {error:?}"),
        }
    };

    // A search still waiting when the card goes (another survey, ward or
    // period chosen) is dropped with it.
    on_cleanup(move || {
        if let Some(pending) = timer.try_get_value().flatten() {
            pending.clear();
        }
    });

    let new_label = RwSignal::new(String::new());
    let create = Action::new_local(move |label: &String| {
        let body = NewTheme {
            survey: survey.clone(),
            label: label.clone(),
        };
        async move {
            match ApiClient::for_this_origin().create_theme(&body).await {
                Ok(_) => {
                    new_label.set(String::new());
                    failure.set(None);
                    saved.update(|count| *count += 1);
                }
                Err(error) => failure.set(Some(save_failure(&error))),
            }
        }
    });
    let change_tag = Action::new_local(move |(tag, tagged): &TagChange| {
        let (tag, tagged) = (tag.clone(), *tagged);
        async move {
            match ApiClient::for_this_origin().change_tag(&tag, tagged).await {
                Ok(_) => {
                    failure.set(None);
                    saved.update(|count| *count += 1);
                }
                Err(error) => failure.set(Some(save_failure(&error))),
            }
        }
    });

    let delete_theme = Action::new_local(move |id: &Uuid| {
        let id = *id;
        async move {
            match ApiClient::for_this_origin().delete_theme(id).await {
                Ok(()) => {
                    failure.set(None);
                    if theme_filter.get_untracked() == id.to_string() {
                        theme_filter.set(String::new());
                    }
                    saved.update(|count| *count += 1);
                }
                Err(error) => failure.set(Some(save_failure(&error))),
            }
        }
    });

    // The codebook as last read: kept while the answers are read again.
    let themes = Memo::new(move |previous: Option<&Vec<Theme>>| match answers.get() {
        Some(Ok(view)) => view.themes,
        _ => previous.cloned().unwrap_or_default(),
    });
    let question_name = question.clone();
    let split_question = question.clone();
    view! {
        <section class="free-text" data-test="free-text" data-question=question_name>
            <h3>{move || app.townhall_texts().themes_title}</h3>
            <p class="muted">{move || app.townhall_texts().themes_intro}</p>
            <form
                class="results-filters theme-new no-print"
                on:submit=move |event| {
                    event.prevent_default();
                    let label = new_label.get_untracked();
                    if !label.trim().is_empty() && !create.pending().get_untracked() {
                        create.dispatch(label);
                    }
                }
            >
                <label>
                    {move || app.townhall_texts().themes_new_label}
                    <input
                        type="text"
                        data-test="theme-new-label"
                        maxlength=MAX_THEME_LABEL_CHARS
                        prop:value=move || new_label.get()
                        on:input=move |event| new_label.set(event_target_value(&event))
                    />
                </label>
                <button
                    type="submit"
                    class="btn btn-secondary"
                    data-test="theme-new"
                    disabled=move || create.pending().get()
                >
                    {move || app.townhall_texts().themes_new}
                </button>
            </form>
            {move || failure.get().map(|message| view! {
                <p class="notice notice--error" role="alert" data-test="theme-error">
                    {move || app.pick(&message)}
                </p>
            })}
            <form
                class="results-filters answers-filters no-print"
                on:submit=move |event| {
                    event.prevent_default();
                    search_now();
                }
            >
                <label>
                    {move || app.townhall_texts().answers_search}
                    <input
                        type="search"
                        data-test="answers-search"
                        maxlength=MAX_SEARCH_CHARS
                        prop:value=move || typed.get()
                        on:input=move |event| on_typed(event_target_value(&event))
                    />
                </label>
                <label>
                    {move || app.townhall_texts().themes_title}
                    <select
                        data-test="answers-theme"
                        on:change=move |event| {
                            theme_filter.set(event_target_value(&event));
                            offset.set(0);
                        }
                    >
                        <option value="">{move || app.townhall_texts().answers_all_themes}</option>
                        <option value="untagged">{move || app.townhall_texts().themes_untagged}</option>
                        {move || {
                            answers
                                .get()
                                .and_then(Result::ok)
                                .map(|view| view.themes)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|theme| {
                                    let key = theme.id.to_string();
                                    let chosen = key == theme_filter.get_untracked();
                                    view! { <option value=key selected=chosen>{theme.label}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </form>
            <Fetched resource=answers failure=read_failure test="answers-error" let:view>
                <AnswersShown view offset question=question.clone() change_tag delete_theme/>
            </Fetched>
            <ThemeSplit question=split_question selection=split_selection themes saved/>
        </section>
    }
}

/// The counts by theme, the page of answers and the pages around it.
#[component]
fn AnswersShown(
    view: AnswersView,
    offset: RwSignal<u64>,
    question: String,
    change_tag: Action<TagChange, ()>,
    delete_theme: Action<Uuid, ()>,
) -> impl IntoView {
    let app = use_app();
    let AnswersView {
        themes,
        counts,
        page,
    } = view;
    let mut rows: Vec<(Option<(Uuid, String)>, Shown)> = counts
        .themes
        .iter()
        .map(|count| (Some((count.theme_id, count.label.clone())), count.count))
        .collect();
    rows.push((None, counts.untagged));
    let largest = rows
        .iter()
        .filter_map(|(_, count)| count.count())
        .max()
        .unwrap_or(0);
    let bars = rows
        .into_iter()
        .map(|(theme, count)| {
            let key = theme
                .as_ref()
                .map_or_else(|| "untagged".to_owned(), |(_, label)| label.clone());
            let label = theme.as_ref().map(|(_, label)| label.clone());
            let delete = theme.map(|(id, label)| {
                view! {
                    " "
                    <button
                        type="button"
                        class="chip-remove no-print"
                        data-test="theme-delete"
                        title=move || app.townhall_texts().themes_delete
                        aria-label=move || app.townhall_texts().themes_delete
                        disabled=move || delete_theme.pending().get()
                        on:click=move |_| {
                            if confirm(&(app.townhall_texts().themes_delete_confirm)(&label)) {
                                delete_theme.dispatch(id);
                            }
                        }
                    >
                        "×"
                    </button>
                }
            });
            view! {
                <li
                    class="result-bar"
                    data-test="theme-count"
                    data-theme=key
                    data-shown=shown_text(count, Language::En)
                >
                    <span class="result-bar-label">
                        {move || label.clone().unwrap_or_else(|| app.townhall_texts().themes_untagged.to_owned())}
                        {delete}
                    </span>
                    <span class="result-bar-track">
                        <span class="result-bar-fill" style=width(count, largest)></span>
                    </span>
                    <span
                        class="result-bar-count"
                        title=move || count.is_suppressed().then(|| app.townhall_texts().results_hidden)
                    >
                        {move || shown_text(count, app.language.get())}
                    </span>
                </li>
            }
        })
        .collect_view();
    let no_themes = themes.is_empty();
    let matching = page.matching;
    let previous = (page.offset > 0).then(|| page.offset.saturating_sub(ANSWERS_PAGE as u64));
    let next = page.next_offset;
    let answers = page
        .answers
        .into_iter()
        .map(|listed| view! { <AnswerItem listed themes=themes.clone() question=question.clone() change_tag/> })
        .collect_view();
    view! {
        <Show when=move || no_themes>
            <p class="muted" data-test="themes-none">{move || app.townhall_texts().themes_none_yet}</p>
        </Show>
        <ul class="result-bars" data-test="theme-counts">{bars}</ul>
        <p class="muted" data-test="answers-matching" data-matching=matching>
            {move || (app.townhall_texts().answers_matching)(matching)}
        </p>
        <ul class="free-text-answers">{answers}</ul>
        <p class="no-print">
            {previous.map(|start| view! {
                <button type="button" class="btn btn-secondary" data-test="answers-newer" on:click=move |_| offset.set(start)>
                    {move || app.townhall_texts().answers_newer}
                </button>
            })}
            " "
            {next.map(|start| view! {
                <button type="button" class="btn btn-secondary" data-test="answers-older" on:click=move |_| offset.set(start)>
                    {move || app.townhall_texts().answers_older}
                </button>
            })}
        </p>
    }
}

/// One answer: the words, its ward when the group is large enough to show
/// it, its theme chips (each with a button taking it off) and a select to
/// tag it with another theme.
#[component]
fn AnswerItem(
    listed: ListedAnswer,
    themes: Vec<Theme>,
    question: String,
    change_tag: Action<TagChange, ()>,
) -> impl IntoView {
    let app = use_app();
    let response = listed.answer.response_id;
    let tag_body = {
        let question = question.clone();
        move |theme: Uuid| TagBody {
            theme,
            response,
            question: question.clone(),
        }
    };
    let chips = themes
        .iter()
        .filter(|theme| listed.themes.contains(&theme.id))
        .map(|theme| {
            let body = tag_body(theme.id);
            view! {
                <span class="chip" data-test="theme-chip" data-theme=theme.label.clone()>
                    {theme.label.clone()}
                    " "
                    <button
                        type="button"
                        class="chip-remove no-print"
                        data-test="theme-untag"
                        title=move || app.townhall_texts().themes_untag
                        aria-label=move || app.townhall_texts().themes_untag
                        disabled=move || change_tag.pending().get()
                        on:click=move |_| {
                            change_tag.dispatch((body.clone(), false));
                        }
                    >
                        "×"
                    </button>
                </span>
            }
        })
        .collect_view();
    let untagged_themes: Vec<Theme> = themes
        .iter()
        .filter(|theme| !listed.themes.contains(&theme.id))
        .cloned()
        .collect();
    let can_tag = !untagged_themes.is_empty();
    let options = untagged_themes
        .into_iter()
        .map(|theme| view! { <option value=theme.id.to_string()>{theme.label}</option> })
        .collect_view();
    let ward = listed
        .answer
        .attributes
        .as_ref()
        .map(|attributes| attributes.ward_code.clone());
    view! {
        <li data-test="free-text-answer" data-response=response.to_string()>
            <span class="free-text-words">{listed.answer.text.clone()}</span>
            {ward.map(|ward| view! { " " <span class="muted" data-test="answer-ward">{ward}</span> })}
            " "
            {chips}
            {can_tag.then(|| view! {
                <select
                    class="no-print"
                    data-test="theme-tag"
                    disabled=move || change_tag.pending().get()
                    on:change=move |event| {
                        if let Ok(theme) = event_target_value(&event).parse::<Uuid>() {
                            change_tag.dispatch((tag_body(theme), true));
                        }
                    }
                >
                    <option value="" selected=true>{move || app.townhall_texts().themes_tag}</option>
                    {options}
                </select>
            })}
        </li>
    }
}
