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
//!
//! This file holds the page, the server's answers and the rules over them;
//! each section is a component of its own in `townhall_page/` (the period
//! select, participation card and row, indicators, trend, refused records,
//! exports, and the children's recommendations in `recommendations/`).

mod export_card;
mod indicators_card;
mod participation_card;
mod participation_row;
mod period_select;
mod quarantine_card;
mod recommendations;
mod trend_card;

use std::collections::BTreeMap;

use chrono::Datelike;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use thamgia_core::indicator::{Catalogue, Unit};
use thamgia_core::report::{Period, PeriodKind, ReportStatus};
use thamgia_core::search::contains_folded;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::Language;

use crate::api::ApiClient;
use crate::i18n::both;
use crate::platform;
use crate::state::{use_app, use_online, AppState, Ward};
use export_card::ExportCard;
use indicators_card::IndicatorsCard;
use participation_card::ParticipationCard;
use period_select::PeriodSelect;
use quarantine_card::QuarantineCard;
use recommendations::{failure_message, RecommendationsCard};
use trend_card::TrendCard;

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
        || contains_folded(&ward.name_vi, folded_query)
        || contains_folded(&ward.name_en, folded_query)
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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use thamgia_core::search::fold;
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
