//! What children said: one survey's results, question by question, for a
//! ward or the whole city, in a period (the town hall app; online).
//!
//! Every figure is as the server publishes it: a count of fewer than k
//! children reads "< k", and a count hidden so that a small one cannot be
//! worked out reads "—" (`thamgia_core::results::suppression`). Ward
//! officers read their own ward; city officers choose a ward or the whole
//! city. Each question is a card of its own (`results_page/`), with its
//! answers split by one or two dimensions on demand; a free-text
//! question's card lists the children's words, searched and tagged with
//! the survey's themes (`free_text.rs`).

mod comparison;
mod free_text;
mod population_form;
mod question_card;
mod split_table;
mod theme_split;
mod who_took_part;
mod who_was_heard;

use chrono::Utc;
use leptos::prelude::*;
use thamgia_core::api::results::ResultsQuery;
use thamgia_core::report::{Period, PeriodLength};
use thamgia_core::results::suppression::Shown;
use thamgia_core::results::PublishedResults;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{Language, Localized, SurveyDefinition};

use crate::api::{download_on_click, encode, ApiClient};
use crate::components::chart::format_number;
use crate::components::fetched::Fetched;
use crate::components::ward_picker::fetch_units;
use crate::i18n::townhall::townhall_both;
use crate::pages::townhall_page::failure_message;
use crate::state::{use_app, use_online, Ward};
use comparison::Comparison;
use question_card::QuestionCard;
use who_took_part::WhoTookPart;

/// The `data-test` of the page's failure notices.
const RESULTS_ERROR: &str = "results-error";

pub(crate) fn results_failure(failure: &SyncFailure) -> Localized {
    failure_message(failure, townhall_both(|texts| texts.results_load_failed))
}

/// A published count as shown: the number, "< k", or "—".
pub(crate) fn shown_text(shown: Shown, language: Language) -> String {
    match shown {
        Shown::Count(count) => format_number(count as f64, 0, language),
        Shown::Under(k) => format!("< {k}"),
        Shown::Hidden => "—".to_owned(),
    }
}

/// The periods offered: all time, then the recent quarters, halves and
/// years, newest first.
pub(crate) fn period_choices() -> Vec<Period> {
    let today = Utc::now().date_naive();
    let mut choices = Period::recent(today, PeriodLength::Quarter, 4);
    choices.extend(Period::recent(today, PeriodLength::Half, 2));
    choices.extend(Period::recent(today, PeriodLength::Year, 3));
    choices
}

/// What the page shows results of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selection {
    /// The survey's form id.
    pub survey: String,
    /// A ward's code; none: every ward the reader may see.
    pub ward: Option<String>,
    /// A period key; none: all time.
    pub period: Option<String>,
}

impl Selection {
    /// The address of the results' download as `extension` (xlsx, csv).
    fn download(&self, extension: &str) -> String {
        let mut href = format!(
            "/api/v1/export/results.{extension}?survey={}",
            encode(&self.survey)
        );
        if let Some(ward) = &self.ward {
            href.push_str(&format!("&ward={}", encode(ward)));
        }
        if let Some(period) = &self.period {
            href.push_str(&format!("&period={}", encode(period)));
        }
        href
    }

    fn query(&self) -> ResultsQuery {
        ResultsQuery {
            survey: self.survey.clone(),
            ward: self.ward.clone(),
            period: self.period.clone(),
        }
    }
}

/// The results page.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let surveys = LocalResource::new(move || {
        online.track();
        async move { ApiClient::for_this_origin().surveys().await }
    });
    view! {
        <section class="card" data-test="results-page">
            <h1 class="card-title">{move || app.townhall_texts().results_title}</h1>
            <Fetched resource=surveys failure=results_failure test=RESULTS_ERROR let:surveys>
                <SurveyResults surveys/>
            </Fetched>
        </section>
    }
}

/// The selectors and the results of the chosen survey.
#[component]
fn SurveyResults(surveys: Vec<SurveyDefinition>) -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let Some(first) = surveys.first().map(|survey| survey.id.clone()) else {
        return view! {
            <p class="muted" data-test="results-no-surveys">{move || app.townhall_texts().results_no_surveys}</p>
        }
        .into_any();
    };
    let survey = RwSignal::new(first);
    // A ward officer reads their own ward: the server decides, the page
    // offers no choice.
    let ward = RwSignal::new(None::<String>);
    let period = RwSignal::new(None::<String>);
    let selection = Memo::new(move |_| Selection {
        survey: survey.get(),
        ward: ward.get(),
        period: period.get(),
    });
    let results = LocalResource::new(move || {
        let query = selection.get().query();
        online.track();
        async move { ApiClient::for_this_origin().results(&query).await }
    });
    let wards = LocalResource::new(fetch_units);
    let survey_options = surveys
        .iter()
        .map(|definition| {
            let id = definition.id.clone();
            let title = definition.title.clone();
            view! { <option value=id>{move || app.pick(&title)}</option> }
        })
        .collect_view();
    let period_options = period_choices()
        .into_iter()
        .map(|choice| {
            let label = choice.label();
            view! { <option value=choice.key()>{move || app.pick(&label)}</option> }
        })
        .collect_view();
    view! {
        <div class="filters results-filters">
            <label>
                {move || app.townhall_texts().results_survey}
                <select data-test="results-survey" on:change=move |event| survey.set(event_target_value(&event))>
                    {survey_options}
                </select>
            </label>
            <Show when=move || app.is_city_officer()>
                <label>
                    {move || app.townhall_texts().results_scope}
                    <select
                        data-test="results-ward"
                        on:change=move |event| {
                            let value = event_target_value(&event);
                            ward.set(Some(value).filter(|value| !value.is_empty()));
                        }
                    >
                        <option value="">{move || app.townhall_texts().results_whole_city}</option>
                        {move || ward_options(app.language.get(), wards.get())}
                    </select>
                </label>
            </Show>
            <label>
                {move || app.townhall_texts().results_period}
                <select
                    data-test="results-period"
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        period.set(Some(value).filter(|value| !value.is_empty()));
                    }
                >
                    <option value="">{move || app.townhall_texts().results_all_time}</option>
                    {period_options}
                </select>
            </label>
        </div>
        <Fetched resource=results failure=results_failure test=RESULTS_ERROR let:results>
            <PublishedSurvey results selection=selection.get_untracked()/>
        </Fetched>
    }
    .into_any()
}

/// Opens the browser's print dialog (the page's print styles make the
/// summary).
fn print() {
    if let Some(window) = web_sys::window() {
        if let Err(error) = window.print() {
            leptos::logging::warn!("print refused: {error:?}");
        }
    }
}

/// The wards a city officer may choose, as options.
fn ward_options(
    language: Language,
    wards: Option<Result<Vec<Ward>, SyncFailure>>,
) -> impl IntoView {
    wards
        .and_then(Result::ok)
        .unwrap_or_default()
        .into_iter()
        .map(|ward| {
            let name = ward.name(language).to_owned();
            view! { <option value=ward.code.clone()>{name}</option> }
        })
        .collect_view()
}

/// One survey's published results.
#[component]
fn PublishedSurvey(results: PublishedResults, selection: Selection) -> impl IntoView {
    let app = use_app();
    let respondents = results.respondents;
    let waiting = results.changes_waiting;
    let k = results.threshold.k();
    // What the figures are of, for whoever reads the page's markup.
    let scope = selection.ward.clone().unwrap_or_else(|| "city".to_owned());
    let period = selection.period.clone().unwrap_or_else(|| "all".to_owned());
    let not_summarised = results.not_summarised.join(", ");
    let who = view! { <WhoTookPart selection=selection.clone()/> };
    let comparison = view! { <Comparison results=results.clone() selection=selection.clone()/> };
    let xlsx = selection.download("xlsx");
    let csv = selection.download("csv");
    let questions = results
        .questions
        .into_iter()
        .map(|question| view! { <QuestionCard question selection=selection.clone()/> })
        .collect_view();
    view! {
        <p class="muted" data-test="results-intro">{move || (app.townhall_texts().results_intro)(k)}</p>
        <p class="results-respondents" data-test="results-respondents" data-ward=scope data-period=period>
            {move || (app.townhall_texts().results_respondents)(&shown_text(respondents, app.language.get()))}
        </p>
        <Show when=move || waiting != 0>
            <p class="muted" data-test="results-waiting" data-changes=waiting>
                {move || (app.townhall_texts().results_waiting)(waiting, k)}
            </p>
        </Show>
        <h2 class="print-only">{move || app.townhall_texts().results_print_title}</h2>
        <p class="results-downloads no-print">
            <button type="button" class="btn btn-secondary" data-test="results-print" on:click=move |_| print()>
                {move || app.townhall_texts().results_print}
            </button>
            " "
            <a class="btn btn-secondary" href=xlsx download="" data-test="results-xlsx" on:click=download_on_click>
                {move || app.townhall_texts().results_download_xlsx}
            </a>
            " "
            <a class="btn btn-secondary" href=csv download="" data-test="results-csv" on:click=download_on_click>
                {move || app.townhall_texts().results_download_csv}
            </a>
        </p>
        {who}
        {comparison}
        <div class="results-questions">{questions}</div>
        <Show when={
            let empty = not_summarised.is_empty();
            move || !empty
        }>
            <p class="muted">
                {
                    let not_summarised = not_summarised.clone();
                    move || (app.townhall_texts().results_not_summarised)(&not_summarised)
                }
            </p>
        </Show>
    }
}
