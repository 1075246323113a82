//! The town hall view: every ward's participation and indicators for one
//! period, against Hanoi's targets, with trends, the children's
//! recommendations and their answers, and CSV exports.
//!
//! It is for city officers: the app shows it to them only, and the server
//! answers its requests only for them. The CSV downloads are fetched with
//! the session's token ([`download_on_click`]), since a plain link cannot
//! carry it.
//!
//! Unlike the rest of the app this page is online-only: the figures of 126
//! wards live on the town hall's server and are not copied to tablets. When
//! the browser is offline the page says so and fetches again by itself when
//! the connection is back.
//!
//! The server's answers are read into the structs below, which mirror
//! `thamgia_server::townhall` (the app does not depend on the server crate);
//! the catalogue, periods and report statuses come from core.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use leptos::ev;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use thamgia_core::indicator::{Catalogue, Indicator, IndicatorGroup, Unit, HANOI};
use thamgia_core::report::{Period, PeriodKind, ReportStatus};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{Language, Localized, SurveyDefinition};

use crate::api::{download_on_click, ApiClient};
use crate::components::chart::{
    format_number, format_with_unit, BarChart, BarDatum, LineChart, LinePoint, TargetMeter, Tone,
};
use crate::components::recommendations::failure_message;
use crate::components::recommendations::RecommendationsCard;
use crate::i18n::{both, fold};
use crate::platform;
use crate::state::{use_app, use_online, AppState, Ward};

/// The indicator shown first: children aged 7+ consulted.
const PARTICIPATION_INDICATOR: &str = "4.1";

/// Participation of one ward in one period (`townhall::Participation`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Participation {
    /// Responses of children aged 7 and over collected in the period.
    consulted_7_plus: u64,
    /// The ward's children aged 7 to 15 that year, if entered.
    child_population_7_15: Option<u64>,
    /// `consulted_7_plus` as a share of the population, in percent.
    percent: Option<f64>,
}

/// One ward's line in the overview (`townhall::WardOverview`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct WardOverview {
    code: String,
    name_vi: String,
    name_en: String,
    /// Responses collected in the period (counted ones).
    responses: u64,
    participation: Participation,
    /// The period's report status, if a report exists.
    report_status: Option<ReportStatus>,
    /// Indicator values of the period's report, by indicator code.
    values: BTreeMap<String, f64>,
}

impl WardOverview {
    fn name(&self, language: Language) -> &str {
        match language {
            Language::Vi => &self.name_vi,
            Language::En => &self.name_en,
        }
    }
}

/// Every ward in one period (`townhall::Overview`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Overview {
    /// The period key, e.g. "2026-Q3".
    period: String,
    /// The participation target for the period's milestone year.
    participation_target: Option<f64>,
    wards: Vec<WardOverview>,
}

impl Overview {
    /// The period the figures are for, as the server says; `fallback` when
    /// the key cannot be read (it always can: the server writes it).
    fn period_or(&self, fallback: Period) -> Period {
        self.period.parse().unwrap_or(fallback)
    }
}

/// One point of an indicator's trend (`townhall::TrendPoint`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct TrendPoint {
    period: String,
    value: f64,
    target: Option<f64>,
}

/// The body of `PUT /wards/{code}/population/{year}`.
#[derive(Debug, Serialize)]
struct PopulationBody {
    children_7_15: u64,
}

/// The plan's milestone a year is measured against: its 2025 targets until
/// 2025, its 2030 targets after. The same rule as the server's
/// `townhall::milestone`.
fn milestone(year: i32) -> i32 {
    if year <= 2025 {
        2025
    } else {
        2030
    }
}

/// The periods an officer can choose from.
#[derive(Debug, Clone, PartialEq)]
struct PeriodChoices {
    /// The current quarter and the five before it, newest first.
    quarters: Vec<Period>,
    /// The current half year and the five before it, newest first.
    halves: Vec<Period>,
    /// The current year and the five before it, newest first.
    years: Vec<Period>,
}

/// The periods around `today`.
fn period_choices(today: chrono::NaiveDate) -> PeriodChoices {
    let year = today.year();
    let month = today.month();
    // Count parts of years from year 0 so that stepping back crosses years.
    let quarter_index = year * 4 + (month as i32 - 1) / 3;
    let half_index = year * 2 + (month as i32 - 1) / 6;
    let quarters = (0..6)
        .filter_map(|back| {
            let index = quarter_index - back;
            Period::quarter(index.div_euclid(4), (index.rem_euclid(4) + 1) as u8).ok()
        })
        .collect();
    let halves = (0..6)
        .filter_map(|back| {
            let index = half_index - back;
            Period::half(index.div_euclid(2), (index.rem_euclid(2) + 1) as u8).ok()
        })
        .collect();
    let years = (0..6)
        .filter_map(|back| Period::whole_year(year - back).ok())
        .collect();
    PeriodChoices {
        quarters,
        halves,
        years,
    }
}

/// Whether two periods are of the same length (quarters with quarters…), so
/// a trend compares like with like.
fn same_length(left: PeriodKind, right: PeriodKind) -> bool {
    matches!(
        (left, right),
        (PeriodKind::Quarter(_), PeriodKind::Quarter(_))
            | (PeriodKind::Half(_), PeriodKind::Half(_))
            | (PeriodKind::Year, PeriodKind::Year)
    )
}

/// The trend's points of the same length as `chosen`, oldest first; points
/// whose period the app cannot read are left out.
fn comparable_points(points: &[TrendPoint], chosen: Period) -> Vec<(Period, TrendPoint)> {
    let mut comparable: Vec<(Period, TrendPoint)> = points
        .iter()
        .filter_map(|point| {
            let period: Period = point.period.parse().ok()?;
            same_length(period.kind(), chosen.kind()).then(|| (period, point.clone()))
        })
        .collect();
    comparable.sort_by_key(|(period, _)| *period);
    comparable
}

/// Whether `ward` matches a folded search text: by either name or its code.
fn ward_matches(ward: &WardOverview, folded_query: &str) -> bool {
    folded_query.is_empty()
        || fold(&ward.name_vi).contains(folded_query)
        || fold(&ward.name_en).contains(folded_query)
        || ward.code.contains(folded_query)
}

/// `consulted` as a share of `population`, in percent; none without a
/// population (the server's rule).
fn participation_percent(consulted: u64, population: Option<u64>) -> Option<f64> {
    population
        .filter(|population| *population > 0)
        .map(|population| 100.0 * consulted as f64 / population as f64)
}

/// How the participation table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortOrder {
    /// By official code, as the server lists the wards.
    Code,
    /// Highest participation first.
    Descending,
    /// Lowest participation first.
    Ascending,
}

impl SortOrder {
    /// The order after pressing the column heading.
    fn next(self) -> SortOrder {
        match self {
            SortOrder::Code => SortOrder::Descending,
            SortOrder::Descending => SortOrder::Ascending,
            SortOrder::Ascending => SortOrder::Code,
        }
    }

    /// The heading's `aria-sort`.
    fn aria(self) -> &'static str {
        match self {
            SortOrder::Code => "none",
            SortOrder::Descending => "descending",
            SortOrder::Ascending => "ascending",
        }
    }
}

/// Orders `(ward, percent)` rows; wards without a percentage always come
/// last, and ties keep the code order.
fn sort_by_participation(rows: &mut [(WardOverview, Option<f64>)], order: SortOrder) {
    rows.sort_by(|(left, left_percent), (right, right_percent)| {
        let by_percent = match (left_percent, right_percent, order) {
            (_, _, SortOrder::Code) => std::cmp::Ordering::Equal,
            (Some(left), Some(right), SortOrder::Descending) => right.total_cmp(left),
            (Some(left), Some(right), SortOrder::Ascending) => left.total_cmp(right),
            (Some(_), None, _) => std::cmp::Ordering::Less,
            (None, Some(_), _) => std::cmp::Ordering::Greater,
            (None, None, _) => std::cmp::Ordering::Equal,
        };
        by_percent.then_with(|| left.code.cmp(&right.code))
    });
}

/// What is written after an indicator's values.
fn unit_suffix(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "%",
        Unit::PerThousand => "‰",
        // A count needs no suffix; "other" units are named in the note.
        Unit::Count | Unit::Other => "",
    }
}

/// The CSS class of a report status badge.
fn status_class(status: Option<ReportStatus>) -> &'static str {
    match status {
        Some(ReportStatus::Draft) => "state-badge state--draft",
        Some(ReportStatus::Submitted) => "state-badge state--waiting",
        Some(ReportStatus::Approved) => "state-badge state--synced",
        None => "state-badge state--none",
    }
}

/// Saves a ward's child population for a year at the server.
async fn save_population(code: String, year: i32, children: u64) -> Result<(), SyncFailure> {
    ApiClient::for_this_origin()
        .put_json(
            &format!("/wards/{}/population/{year}", encode(&code)),
            &PopulationBody {
                children_7_15: children,
            },
        )
        .await
}

/// `text` made safe for a URL path segment or query value.
fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// The town hall view.
#[component]
pub fn TownhallPage() -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let choices = period_choices(platform::today());
    let first = choices.quarters.first().copied();
    let Some(first) = first else {
        // Only a clock outside years 1000 to 9999 gets here.
        return view! { <p class="notice notice--error">{move || app.texts().townhall_load_failed}</p> }
            .into_any();
    };
    let period = RwSignal::new(first);
    let indicator = RwSignal::new(PARTICIPATION_INDICATOR.to_owned());
    let trend_ward = RwSignal::new(None::<String>);

    let overview = LocalResource::new(move || {
        let key = period.get().key();
        online.track();
        async move {
            ApiClient::for_this_origin()
                .get::<Overview>(&format!("/townhall/overview?period={}", encode(&key)))
                .await
        }
    });
    let catalogue = LocalResource::new(move || {
        online.track();
        async move {
            ApiClient::for_this_origin()
                .get::<Catalogue>("/indicators")
                .await
        }
    });

    // The wards' names, for the recommendations of every ward.
    let wards = Memo::new(move |_| match overview.get() {
        Some(Ok(data)) => data
            .wards
            .iter()
            .map(|ward| Ward {
                code: ward.code.clone(),
                name_vi: ward.name_vi.clone(),
                name_en: ward.name_en.clone(),
            })
            .collect(),
        _ => Vec::new(),
    });

    view! {
        <section class="card townhall-head">
            <h2 class="card-title">{move || app.texts().townhall_title}</h2>
            <p class="muted">{move || app.texts().townhall_intro}</p>
            <PeriodSelect period choices/>
        </section>
        <Show
            when=move || online.get()
            fallback=move || view! {
                <p class="notice notice--error" role="status" data-test="townhall-offline">
                    {move || app.texts().townhall_offline}
                </p>
            }
        >
            <ParticipationCard overview period/>
            <IndicatorsCard overview catalogue period indicator trend_ward/>
            <TrendCard catalogue period indicator trend_ward overview/>
            <RecommendationsCard wards/>
            <QuarantineCard wards/>
            <ExportCard period/>
        </Show>
    }
    .into_any()
}

/// The period select: quarters, halves and years.
#[component]
fn PeriodSelect(period: RwSignal<Period>, choices: PeriodChoices) -> impl IntoView {
    let app = use_app();
    let group = move |label: &'static str, periods: Vec<Period>| {
        view! {
            <optgroup label=label>
                {periods
                    .into_iter()
                    .map(|choice| {
                        let key = choice.key();
                        view! {
                            <option value=key selected=move || period.get() == choice>
                                {app.pick(&choice.label())}
                            </option>
                        }
                    })
                    .collect_view()}
            </optgroup>
        }
    };
    view! {
        <label class="field townhall-period">
            <span class="field-label">{move || app.texts().period_label}</span>
            <select
                data-test="period-select"
                on:change=move |event| {
                    if let Ok(chosen) = event_target_value(&event).parse::<Period>() {
                        period.set(chosen);
                    }
                }
            >
                {move || {
                    let texts = app.texts();
                    view! {
                        {group(texts.period_quarters, choices.quarters.clone())}
                        {group(texts.period_halves, choices.halves.clone())}
                        {group(texts.period_years, choices.years.clone())}
                    }
                }}
            </select>
        </label>
    }
}

/// Loading, or the failure with a retry button.
fn loading_or_failure(
    app: AppState,
    failure: Option<&SyncFailure>,
    retry: impl Fn() + 'static,
) -> AnyView {
    match failure {
        None => view! { <p class="muted">{app.texts().loading}</p> }.into_any(),
        Some(failure) => {
            let message = failure_message(failure, both(|texts| texts.townhall_load_failed));
            view! {
                <div class="notice notice--error" role="alert" data-test="townhall-error">
                    <p>{app.pick(&message)}</p>
                    <button type="button" class="btn btn-secondary" on:click=move |_| retry()>
                        {app.texts().townhall_retry}
                    </button>
                </div>
            }
            .into_any()
        }
    }
}

/// Participation per ward: children aged 7+ consulted against the child
/// population, with the population editable.
#[component]
fn ParticipationCard(
    overview: LocalResource<Result<Overview, SyncFailure>>,
    period: RwSignal<Period>,
) -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let order = RwSignal::new(SortOrder::Code);
    // Populations saved on this page, by ward and year, so percentages and
    // the order follow a save without reloading the whole table.
    let saved: RwSignal<HashMap<(String, i32), u64>> = RwSignal::new(HashMap::new());

    let table = move || {
        let data = match overview.get() {
            Some(Ok(data)) => data,
            Some(Err(failure)) => {
                return loading_or_failure(app, Some(&failure), move || overview.refetch())
            }
            None => return loading_or_failure(app, None, || {}),
        };
        let year = data.period_or(period.get_untracked()).year();
        let target = data.participation_target;
        let total = data.wards.len();
        let wards = StoredValue::new(data.wards);
        let rows = move || {
            let folded = fold(query.get().trim());
            let saved = saved.get();
            let mut rows: Vec<(WardOverview, Option<f64>)> = wards
                .get_value()
                .into_iter()
                .filter(|ward| ward_matches(ward, &folded))
                .map(|ward| {
                    let population = saved
                        .get(&(ward.code.clone(), year))
                        .copied()
                        .or(ward.participation.child_population_7_15);
                    let percent =
                        participation_percent(ward.participation.consulted_7_plus, population);
                    (ward, percent)
                })
                .collect();
            sort_by_participation(&mut rows, order.get());
            rows
        };
        let shown = move || rows().len();
        view! {
            <p class="muted" data-test="participation-target">
                {move || {
                    let texts = app.texts();
                    let language = app.language.get();
                    match target {
                        Some(target) => texts
                            .participation_target_line
                            .replace("{year}", &milestone(year).to_string())
                            .replace("{target}", &format_with_unit(target, "%", language)),
                        None => texts.no_target.to_owned(),
                    }
                }}
            </p>
            <p class="muted" aria-live="polite">
                {move || {
                    app.texts()
                        .wards_shown
                        .replace("{n}", &shown().to_string())
                        .replace("{total}", &total.to_string())
                }}
            </p>
            <div class="table-scroll">
                <table class="data-table participation-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || app.texts().ward_column}</th>
                            <th scope="col" class="numeric">{move || app.texts().responses_column}</th>
                            <th scope="col" class="numeric">{move || app.texts().consulted_column}</th>
                            <th scope="col">
                                {move || app.texts().population_column.replace("{year}", &year.to_string())}
                            </th>
                            <th scope="col" class="numeric" aria-sort=move || order.get().aria()>
                                <button
                                    type="button"
                                    class="sort-button"
                                    data-test="sort-participation"
                                    title=move || app.texts().sort_participation
                                    on:click=move |_| order.update(|order| *order = order.next())
                                >
                                    {move || app.texts().participation_column}
                                    <span aria-hidden="true">
                                        {move || match order.get() {
                                            SortOrder::Code => " ↕",
                                            SortOrder::Descending => " ↓",
                                            SortOrder::Ascending => " ↑",
                                        }}
                                    </span>
                                </button>
                            </th>
                            <th scope="col">{move || app.texts().target_column}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=rows
                            key=|(ward, _)| ward.code.clone()
                            children=move |(ward, _)| view! { <ParticipationRow ward year target saved/> }
                        />
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card" data-test="participation-card">
            <h2 class="card-title">{move || app.texts().participation_title}</h2>
            <p class="muted">{move || app.texts().participation_intro}</p>
            <label class="field">
                <span class="field-label">{move || app.texts().ward_search_label}</span>
                <input
                    type="search"
                    data-test="townhall-ward-search"
                    placeholder=move || app.texts().ward_search
                    prop:value=move || query.get()
                    on:input=move |event| query.set(event_target_value(&event))
                />
            </label>
            {table}
        </section>
    }
}

/// What became of the last population save of a row.
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    Invalid,
    Saved,
    Failed(Localized),
}

/// One ward's participation, with its population input.
#[component]
fn ParticipationRow(
    ward: WardOverview,
    year: i32,
    target: Option<f64>,
    saved: RwSignal<HashMap<(String, i32), u64>>,
) -> impl IntoView {
    let app = use_app();
    let code = ward.code.clone();
    let consulted = ward.participation.consulted_7_plus;
    let key = (code.clone(), year);
    let population = {
        let key = key.clone();
        let loaded = ward.participation.child_population_7_15;
        move || saved.with(|saved| saved.get(&key).copied()).or(loaded)
    };
    let draft = RwSignal::new(
        ward.participation
            .child_population_7_15
            .map(|population| population.to_string())
            .unwrap_or_default(),
    );
    let state = RwSignal::new(SaveState::Idle);
    let save = Action::new_local(move |children: &u64| {
        let (code, children, key) = (code.clone(), *children, key.clone());
        async move {
            match save_population(code, year, children).await {
                Ok(()) => {
                    saved.update(|saved| {
                        saved.insert(key, children);
                    });
                    state.set(SaveState::Saved);
                }
                Err(failure) => state.set(SaveState::Failed(failure_message(
                    &failure,
                    both(|texts| texts.townhall_load_failed),
                ))),
            }
        }
    });
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        match draft.get_untracked().trim().parse::<u64>() {
            Ok(children) => {
                save.dispatch_local(children);
            }
            Err(_) => state.set(SaveState::Invalid),
        }
    };
    let pending = save.pending();
    let percent = {
        let population = population.clone();
        move || participation_percent(consulted, population())
    };
    let name = StoredValue::new(ward.clone());
    let input_label = move || {
        format!(
            "{} — {}",
            app.texts()
                .population_column
                .replace("{year}", &year.to_string()),
            name.with_value(|ward| ward.name(app.language.get()).to_owned())
        )
    };
    let percent_text = {
        let percent = percent.clone();
        move || {
            percent()
                .map(|percent| format_with_unit(percent, "%", app.language.get()))
                .unwrap_or_else(|| "—".to_owned())
        }
    };
    let meter = {
        let percent = percent.clone();
        move || {
            let language = app.language.get();
            let texts = app.texts();
            let label = match (percent(), target) {
                (Some(value), Some(target)) => format!(
                    "{} {} / {} {}",
                    texts.participation_column,
                    format_with_unit(value, "%", language),
                    texts.target_column,
                    format_with_unit(target, "%", language)
                ),
                (Some(value), None) => format!(
                    "{} {}",
                    texts.participation_column,
                    format_with_unit(value, "%", language)
                ),
                (None, _) => texts.no_population.to_owned(),
            };
            view! { <TargetMeter value=percent() target label/> }
        }
    };
    let code_attribute = ward.code.clone();
    let responses = ward.responses;
    view! {
        <tr data-test="participation-row" data-code=code_attribute>
            <th scope="row">
                {move || name.with_value(|ward| ward.name(app.language.get()).to_owned())}
                <span class="muted ward-code">{ward.code.clone()}</span>
            </th>
            <td class="numeric" data-test="responses">{move || format_number(responses as f64, 0, app.language.get())}</td>
            <td class="numeric" data-test="consulted">{move || format_number(consulted as f64, 0, app.language.get())}</td>
            <td>
                <form class="population-form" novalidate=true on:submit=submit>
                    <input
                        type="number"
                        min="0"
                        step="1"
                        inputmode="numeric"
                        data-test="population-input"
                        aria-label=input_label
                        aria-invalid=move || (state.get() == SaveState::Invalid).to_string()
                        prop:value=move || draft.get()
                        on:input=move |event| {
                            draft.set(event_target_value(&event));
                            if state.get_untracked() != SaveState::Idle {
                                state.set(SaveState::Idle);
                            }
                        }
                    />
                    <button type="submit" class="btn btn-secondary" data-test="population-save" disabled=move || pending.get()>
                        {move || if pending.get() { app.texts().saving } else { app.texts().population_save }}
                    </button>
                </form>
                <p class="save-result" role="status" data-test="population-state">
                    {move || match state.get() {
                        SaveState::Idle => view! { <span></span> }.into_any(),
                        SaveState::Saved => view! { <span class="save-ok">{app.texts().population_saved}</span> }.into_any(),
                        SaveState::Invalid => view! { <span class="save-failed">{app.texts().population_invalid}</span> }.into_any(),
                        SaveState::Failed(message) => view! {
                            <span class="save-failed">{app.texts().population_save_failed} ": " {app.pick(&message)}</span>
                        }
                        .into_any(),
                    }}
                </p>
            </td>
            <td class="numeric" data-test="participation-percent">{percent_text}</td>
            <td class="target-cell">
                <span data-test="participation-target-value">
                    {move || target.map(|target| format_with_unit(target, "%", app.language.get())).unwrap_or_else(|| "—".to_owned())}
                </span>
                {meter}
            </td>
        </tr>
    }
}

/// One indicator across wards: a select, a table with report statuses, and
/// a bar chart against the target.
#[component]
fn IndicatorsCard(
    overview: LocalResource<Result<Overview, SyncFailure>>,
    catalogue: LocalResource<Result<Catalogue, SyncFailure>>,
    period: RwSignal<Period>,
    indicator: RwSignal<String>,
    trend_ward: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let show_unreported = RwSignal::new(false);

    let select = move || {
        let catalogue = match catalogue.get() {
            Some(Ok(catalogue)) => catalogue,
            Some(Err(failure)) => {
                return loading_or_failure(app, Some(&failure), move || catalogue.refetch())
            }
            None => return loading_or_failure(app, None, || {}),
        };
        let groups = IndicatorGroup::ALL
            .into_iter()
            .map(|group| {
                let options = catalogue
                    .in_group(group)
                    .map(|item| {
                        let code = item.code.clone();
                        let selected_code = item.code.clone();
                        let text = format!("{} · {}", item.code, app.pick(&item.name));
                        view! {
                            <option value=code selected=move || indicator.get() == selected_code>{text}</option>
                        }
                    })
                    .collect_view();
                view! {
                    <optgroup label=format!("{}. {}", group.number(), app.pick(&group.label()))>{options}</optgroup>
                }
            })
            .collect_view();
        view! {
            <label class="field">
                <span class="field-label">{app.texts().indicator_label}</span>
                <select
                    data-test="indicator-select"
                    on:change=move |event| indicator.set(event_target_value(&event))
                >
                    {groups}
                </select>
            </label>
        }
        .into_any()
    };
    let description = move || {
        let Some(Ok(catalogue)) = catalogue.get() else {
            return ().into_any();
        };
        let Some(item) = catalogue.indicator(&indicator.get()).cloned() else {
            return ().into_any();
        };
        let unit = app.pick(&item.unit.label());
        let note = item.note.as_ref().map(|note| app.pick(note));
        view! {
            <p class="muted">{app.texts().unit_label} ": " {unit}</p>
            {note.map(|note| view! {
                <details class="indicator-note">
                    <summary>{app.texts().indicator_note}</summary>
                    <p>{note}</p>
                </details>
            })}
        }
        .into_any()
    };
    let unreported = move || match overview.get() {
        Some(Ok(data)) => data
            .wards
            .iter()
            .filter(|ward| ward.report_status.is_none())
            .count(),
        _ => 0,
    };

    let body = move || {
        let (data, catalogue) = match (overview.get(), catalogue.get()) {
            (Some(Ok(data)), Some(Ok(catalogue))) => (data, catalogue),
            // The select above already shows the catalogue's failure.
            (_, Some(Err(_))) => return ().into_any(),
            (Some(Err(failure)), _) => {
                return loading_or_failure(app, Some(&failure), move || overview.refetch())
            }
            _ => return loading_or_failure(app, None, || {}),
        };
        let code = indicator.get();
        let Some(item) = catalogue.indicator(&code).cloned() else {
            return ().into_any();
        };
        let chosen = data.period_or(period.get_untracked());
        let year = chosen.year();
        let target = item.target_for(HANOI, milestone(year));
        let language = app.language.get();
        let texts = app.texts();
        let unit = unit_suffix(item.unit);
        let rows: Vec<WardOverview> = data
            .wards
            .iter()
            .filter(|ward| {
                show_unreported.get()
                    || ward.report_status.is_some()
                    || ward.values.contains_key(&code)
            })
            .cloned()
            .collect();
        let mut bars: Vec<(String, f64, Tone)> = data
            .wards
            .iter()
            .filter_map(|ward| {
                let value = *ward.values.get(&code)?;
                let tone = Tone::from_meets(item.meets(value, HANOI, milestone(year)));
                Some((ward.name(language).to_owned(), value, tone))
            })
            .collect();
        // Best first, in the indicator's direction.
        bars.sort_by(|left, right| match item.better {
            thamgia_core::indicator::Direction::Higher => right.1.total_cmp(&left.1),
            thamgia_core::indicator::Direction::Lower => left.1.total_cmp(&right.1),
        });
        let chart = if bars.is_empty() {
            view! { <p class="notice notice--info" data-test="indicator-empty">{texts.indicator_no_values}</p> }.into_any()
        } else {
            let bars = bars
                .into_iter()
                .map(|(label, value, tone)| BarDatum { label, value, tone })
                .collect();
            let title = format!(
                "{} {} — {}",
                item.code,
                app.pick(&item.name),
                app.pick(&chosen.label())
            );
            view! {
                <BarChart
                    bars
                    target
                    title
                    target_label=texts.target_year.replace("{year}", &milestone(year).to_string())
                    unit=unit.to_owned()
                    language
                />
            }
            .into_any()
        };
        let table_rows = rows
            .into_iter()
            .map(|ward| indicator_row(app, &ward, &item, year, trend_ward))
            .collect_view();
        view! {
            <p class="muted" data-test="indicator-target">
                {match target {
                    Some(target) => format!(
                        "{}: {}",
                        texts.target_year.replace("{year}", &milestone(year).to_string()),
                        format_with_unit(target, unit, language)
                    ),
                    None => texts.no_target.to_owned(),
                }}
            </p>
            {chart}
            <div class="table-scroll">
                <table class="data-table indicator-table">
                    <thead>
                        <tr>
                            <th scope="col">{texts.ward_column}</th>
                            <th scope="col" class="numeric">{texts.value_column}</th>
                            <th scope="col">{texts.against_target_column}</th>
                            <th scope="col">{texts.status_column}</th>
                            <th scope="col">{texts.trend_column}</th>
                        </tr>
                    </thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card" data-test="indicators-card">
            <h2 class="card-title">{move || app.texts().indicators_title}</h2>
            {select}
            {description}
            <label class="checkbox-line">
                <input
                    type="checkbox"
                    data-test="show-unreported"
                    prop:checked=move || show_unreported.get()
                    on:change=move |event| show_unreported.set(event_target_checked(&event))
                />
                {move || app.texts().show_unreported.replace("{n}", &unreported().to_string())}
            </label>
            {body}
        </section>
    }
}

/// One ward's row in the indicators table.
fn indicator_row(
    app: AppState,
    ward: &WardOverview,
    item: &Indicator,
    year: i32,
    trend_ward: RwSignal<Option<String>>,
) -> impl IntoView {
    let texts = app.texts();
    let language = app.language.get();
    let value = ward.values.get(&item.code).copied();
    let unit = unit_suffix(item.unit);
    let value_text = value
        .map(|value| format_with_unit(value, unit, language))
        .unwrap_or_else(|| texts.no_value.to_owned());
    let against = value
        .and_then(|value| item.meets(value, HANOI, milestone(year)))
        .map(|meets| {
            let (class, text) = if meets {
                ("state-badge state--synced", texts.meets_target)
            } else {
                ("state-badge state--rejected", texts.misses_target)
            };
            view! { <span class=class>{text}</span> }
        });
    let status = ward
        .report_status
        .map(|status| app.pick(&status.label()))
        .unwrap_or_else(|| texts.no_report.to_owned());
    let code = ward.code.clone();
    let chosen_code = ward.code.clone();
    let name = ward.name(language).to_owned();
    let button_label = format!("{} — {name}", texts.trend_show);
    view! {
        <tr data-test="indicator-row" data-code=ward.code.clone()>
            <th scope="row">{name.clone()} <span class="muted ward-code">{ward.code.clone()}</span></th>
            <td class="numeric" data-test="indicator-value">{value_text}</td>
            <td>{against}</td>
            <td><span class=status_class(ward.report_status) data-test="report-status">{status}</span></td>
            <td>
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    data-test="trend-button"
                    aria-label=button_label
                    aria-pressed=move || (trend_ward.get().as_deref() == Some(chosen_code.as_str())).to_string()
                    on:click=move |_| {
                        trend_ward.set(Some(code.clone()));
                        // Bring the trend, drawn under this card, into view.
                        request_animation_frame(|| {
                            if let Ok(Some(card)) = document().query_selector("[data-test=trend-card]") {
                                card.scroll_into_view();
                            }
                        });
                    }
                >
                    {texts.trend_show}
                </button>
            </td>
        </tr>
    }
}

/// The chosen ward's values of the chosen indicator over the periods of the
/// same length as the chosen period.
#[component]
fn TrendCard(
    catalogue: LocalResource<Result<Catalogue, SyncFailure>>,
    period: RwSignal<Period>,
    indicator: RwSignal<String>,
    trend_ward: RwSignal<Option<String>>,
    overview: LocalResource<Result<Overview, SyncFailure>>,
) -> impl IntoView {
    let app = use_app();
    let trend = LocalResource::new(move || {
        let ward = trend_ward.get();
        let code = indicator.get();
        async move {
            match ward {
                None => Ok(None),
                Some(ward) => ApiClient::for_this_origin()
                    .get::<Vec<TrendPoint>>(&format!(
                        "/townhall/trend?ward={}&indicator={}",
                        encode(&ward),
                        encode(&code)
                    ))
                    .await
                    .map(Some),
            }
        }
    });
    let ward_name = move |code: &str| {
        let language = app.language.get();
        match overview.get() {
            Some(Ok(data)) => data
                .wards
                .iter()
                .find(|ward| ward.code == code)
                .map(|ward| ward.name(language).to_owned())
                .unwrap_or_else(|| code.to_owned()),
            _ => code.to_owned(),
        }
    };
    move || {
        let ward = trend_ward.get()?;
        let name = ward_name(&ward);
        let texts = app.texts();
        let language = app.language.get();
        let item = match catalogue.get() {
            Some(Ok(catalogue)) => catalogue.indicator(&indicator.get()).cloned(),
            _ => None,
        }?;
        let unit = unit_suffix(item.unit);
        let body = match trend.get() {
            None => loading_or_failure(app, None, || {}),
            Some(Err(failure)) => loading_or_failure(app, Some(&failure), move || trend.refetch()),
            Some(Ok(None)) => ().into_any(),
            Some(Ok(Some(points))) => {
                let chosen = period.get();
                let comparable = comparable_points(&points, chosen);
                if comparable.is_empty() {
                    view! { <p class="notice notice--info" data-test="trend-empty">{texts.trend_none}</p> }.into_any()
                } else {
                    let points = comparable
                        .into_iter()
                        .map(|(period, point)| LinePoint {
                            label: app.pick(&period.label()),
                            value: point.value,
                            target: point.target,
                        })
                        .collect();
                    let title = format!("{} — {} {}", name, item.code, app.pick(&item.name));
                    view! {
                        <LineChart points title target_label=texts.target_column.to_owned() unit=unit.to_owned() language/>
                    }
                    .into_any()
                }
            }
        };
        Some(view! {
            <section class="card" data-test="trend-card">
                <div class="card-head">
                    <h2 class="card-title">
                        {texts.trend_title.replace("{ward}", &name)} " · " {item.code.clone()} " " {app.pick(&item.name)}
                    </h2>
                    <button type="button" class="btn btn-secondary" data-test="trend-close" on:click=move |_| trend_ward.set(None)>
                        {texts.trend_close}
                    </button>
                </div>
                <p class="muted">{texts.trend_intro}</p>
                {body}
            </section>
        })
    }
}

/// The records the server refused and kept aside, with the reasons.
#[component]
fn QuarantineCard(wards: Memo<Vec<Ward>>) -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let records = LocalResource::new(move || {
        online.track();
        app.data_revision.track();
        async move {
            ApiClient::for_this_origin()
                .get::<Vec<thamgia_core::QuarantinedRecord>>("/quarantine")
                .await
        }
    });
    let kind_label = move |kind: &str| {
        let texts = app.texts();
        match kind {
            "submit_response" => texts.quarantine_kind_response,
            "submit_forum" => texts.quarantine_kind_forum,
            "edit_report_field" | "change_report_status" => texts.quarantine_kind_report,
            "record_feedback" => texts.quarantine_kind_feedback,
            "withdraw_response" => texts.quarantine_kind_withdrawal,
            _ => "—",
        }
    };
    let ward_label = move |code: &Option<String>| {
        let language = app.language.get();
        match code {
            None => "—".to_owned(),
            Some(code) => wards.with(|wards| {
                wards
                    .iter()
                    .find(|ward| &ward.code == code)
                    .map(|ward| ward.name(language).to_owned())
                    .unwrap_or_else(|| code.clone())
            }),
        }
    };
    let body = move || match records.get() {
        None => loading_or_failure(app, None, || {}),
        Some(Err(failure)) => loading_or_failure(app, Some(&failure), move || records.refetch()),
        Some(Ok(list)) if list.is_empty() => view! {
            <p class="muted" data-test="quarantine-empty">{app.texts().quarantine_empty}</p>
        }
        .into_any(),
        Some(Ok(list)) => {
            let texts = app.texts();
            view! {
                <div class="table-scroll"><table class="data-table" data-test="quarantine-table">
                    <thead>
                        <tr>
                            <th>{texts.quarantine_when}</th>
                            <th>{texts.quarantine_ward}</th>
                            <th>{texts.quarantine_what}</th>
                            <th>{texts.quarantine_why}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .into_iter()
                            .map(|record| {
                                let reasons = record
                                    .reasons
                                    .iter()
                                    .map(|reason| app.pick(reason).to_owned())
                                    .collect::<Vec<_>>()
                                    .join(" ");
                                let when = record.received_at.replace('T', " ");
                                let when = when.get(..16).unwrap_or(&when).to_owned();
                                view! {
                                    <tr data-test="quarantined" data-kind=record.kind.clone()>
                                        <td>{when}</td>
                                        <td>{ward_label(&record.ward_code)}</td>
                                        <td>
                                            {kind_label(&record.kind)}
                                            <br/>
                                            <span class="muted">{record.record_id.clone()}</span>
                                            {record.sent_by.clone().map(|sender| view! {
                                                <br/>
                                                <span class="muted">{texts.quarantine_sent_by} " " {sender}</span>
                                            })}
                                            {(!record.payload_complete).then(|| view! {
                                                <br/>
                                                <span class="muted" data-test="quarantine-cut">
                                                    {texts.quarantine_cut} " (" {format!("{:.1} MB", record.payload_bytes as f64 / 1_000_000.0)} ")"
                                                </span>
                                            })}
                                        </td>
                                        <td>{reasons}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table></div>
            }
            .into_any()
        }
    };
    view! {
        <section class="card" data-test="quarantine-card">
            <h2 class="card-title">{move || app.texts().quarantine_title}</h2>
            <p class="muted">{move || app.texts().quarantine_intro}</p>
            {body}
        </section>
    }
}

/// CSV downloads: responses per survey on this tablet, reports of the period.
#[component]
fn ExportCard(period: RwSignal<Period>) -> impl IntoView {
    let app = use_app();
    let surveys = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move { store.surveys().await.map_err(|error| error.message()) }
    });
    let survey_links = move || match surveys.get() {
        None => view! { <p class="muted">{app.texts().loading}</p> }.into_any(),
        Some(Err(message)) => {
            view! { <p class="notice notice--error">{app.pick(&message)}</p> }.into_any()
        }
        Some(Ok(list)) => {
            // One link per survey, whatever the number of versions stored.
            let mut latest: BTreeMap<String, SurveyDefinition> = BTreeMap::new();
            for survey in list {
                let newer = latest
                    .get(&survey.id)
                    .is_none_or(|stored| stored.version < survey.version);
                if newer {
                    latest.insert(survey.id.clone(), survey);
                }
            }
            if latest.is_empty() {
                return view! { <p class="muted" data-test="export-no-surveys">{app.texts().export_no_surveys}</p> }.into_any();
            }
            view! {
                <ul class="export-list">
                    {latest
                        .into_values()
                        .map(|survey| {
                            let href = format!("/api/v1/export/responses.csv?survey={}", encode(&survey.id));
                            view! {
                                <li>
                                    <a class="btn btn-secondary" href=href download="" data-test="export-responses" data-survey=survey.id.clone() on:click=download_on_click>
                                        {app.texts().export_responses}
                                    </a>
                                    <span>{app.pick(&survey.title)}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }
    };
    view! {
        <section class="card" data-test="export-card">
            <h2 class="card-title">{move || app.texts().export_title}</h2>
            <p class="muted">{move || app.texts().export_intro}</p>
            <p>
                <a
                    class="btn btn-primary"
                    href=move || format!("/api/v1/export/reports.csv?period={}", encode(&period.get().key()))
                    download=""
                    data-test="export-reports"
                    on:click=download_on_click
                >
                    {move || app.texts().export_reports}
                </a>
                " "
                <span>{move || app.pick(&period.get().label())}</span>
            </p>
            {survey_links}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
    }

    fn keys(periods: &[Period]) -> Vec<String> {
        periods.iter().map(Period::key).collect()
    }

    fn ward(code: &str, name_vi: &str, percent: Option<f64>) -> (WardOverview, Option<f64>) {
        (
            WardOverview {
                code: code.to_owned(),
                name_vi: name_vi.to_owned(),
                name_en: name_vi.to_owned(),
                responses: 0,
                participation: Participation {
                    consulted_7_plus: 0,
                    child_population_7_15: None,
                    percent,
                },
                report_status: None,
                values: BTreeMap::new(),
            },
            percent,
        )
    }

    #[wasm_bindgen_test]
    fn the_choices_go_back_five_periods_across_years() {
        let choices = period_choices(date(2026, 8, 15));
        assert_eq!(
            keys(&choices.quarters),
            ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2"]
        );
        assert_eq!(
            keys(&choices.halves),
            ["2026-H2", "2026-H1", "2025-H2", "2025-H1", "2024-H2", "2024-H1"]
        );
        assert_eq!(
            keys(&choices.years),
            ["2026", "2025", "2024", "2023", "2022", "2021"]
        );
        let january = period_choices(date(2026, 1, 1));
        assert_eq!(january.quarters[0].key(), "2026-Q1");
        assert_eq!(january.quarters[1].key(), "2025-Q4");
        assert_eq!(january.halves[0].key(), "2026-H1");
    }

    #[wasm_bindgen_test]
    fn milestones_are_2025_then_2030() {
        assert_eq!(milestone(2021), 2025);
        assert_eq!(milestone(2025), 2025);
        assert_eq!(milestone(2026), 2030);
        assert_eq!(milestone(2031), 2030);
    }

    #[wasm_bindgen_test]
    fn search_ignores_diacritics_and_finds_codes() {
        let (hoa, _) = ward("00004", "Phường Yên Hoà", None);
        assert!(ward_matches(&hoa, &fold("yen hoa")));
        assert!(ward_matches(&hoa, &fold("Yên Hòa")));
        assert!(ward_matches(&hoa, "00004"));
        assert!(ward_matches(&hoa, ""));
        assert!(!ward_matches(&hoa, &fold("Đống Đa")));
        assert_eq!(fold("Đống Đa"), "dong da");
    }

    #[wasm_bindgen_test]
    fn participation_is_a_share_of_a_known_population() {
        assert_eq!(participation_percent(30, Some(120)), Some(25.0));
        assert_eq!(participation_percent(30, Some(0)), None);
        assert_eq!(participation_percent(30, None), None);
    }

    #[wasm_bindgen_test]
    fn sorting_by_participation_puts_wards_without_a_figure_last() {
        let mut rows = vec![
            ward("00003", "C", None),
            ward("00001", "A", Some(10.0)),
            ward("00002", "B", Some(40.0)),
            ward("00004", "D", Some(10.0)),
        ];
        let codes = |rows: &[(WardOverview, Option<f64>)]| -> Vec<String> {
            rows.iter().map(|(ward, _)| ward.code.clone()).collect()
        };
        sort_by_participation(&mut rows, SortOrder::Descending);
        assert_eq!(codes(&rows), ["00002", "00001", "00004", "00003"]);
        sort_by_participation(&mut rows, SortOrder::Ascending);
        assert_eq!(codes(&rows), ["00001", "00004", "00002", "00003"]);
        sort_by_participation(&mut rows, SortOrder::Code);
        assert_eq!(codes(&rows), ["00001", "00002", "00003", "00004"]);
        assert_eq!(SortOrder::Code.next().next().next(), SortOrder::Code);
    }

    #[wasm_bindgen_test]
    fn a_trend_compares_periods_of_the_same_length_oldest_first() {
        let point = |period: &str, value: f64| TrendPoint {
            period: period.to_owned(),
            value,
            target: Some(30.0),
        };
        let points = vec![
            point("2026-Q2", 3.0),
            point("2026", 9.0),
            point("2025-Q4", 2.0),
            point("2026-H1", 5.0),
            point("not a period", 1.0),
            point("2026-Q1", 1.0),
        ];
        let chosen = Period::quarter(2026, 3).unwrap_or_else(|error| panic!("{error}"));
        let comparable = comparable_points(&points, chosen);
        let periods: Vec<String> = comparable.iter().map(|(period, _)| period.key()).collect();
        assert_eq!(periods, ["2025-Q4", "2026-Q1", "2026-Q2"]);
        let year = Period::whole_year(2026).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(comparable_points(&points, year).len(), 1);
    }

    #[wasm_bindgen_test]
    fn the_overview_reads_what_the_server_sends() {
        let json = r#"{"period":"2026-Q3","participation_target":35.0,"wards":[
            {"code":"00004","name_vi":"Phường Ba Đình","name_en":"Ba Dinh Ward","responses":12,
             "participation":{"consulted_7_plus":10,"child_population_7_15":400,"percent":2.5},
             "report_status":"submitted","values":{"4.1":2.5}},
            {"code":"00008","name_vi":"Phường Ngọc Hà","name_en":"Ngoc Ha Ward","responses":0,
             "participation":{"consulted_7_plus":0,"child_population_7_15":null,"percent":null},
             "report_status":null,"values":{}}]}"#;
        let overview: Overview =
            serde_json::from_str(json).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(overview.wards.len(), 2);
        assert_eq!(
            overview.wards[0].report_status,
            Some(ReportStatus::Submitted)
        );
        assert_eq!(overview.wards[0].values.get("4.1"), Some(&2.5));
        assert_eq!(overview.wards[1].participation.percent, None);
        assert_eq!(unit_suffix(Unit::Percent), "%");
    }
}
