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
//! The server's answers are core's `api::townhall` types, the same the
//! server writes, with the rules over them (milestone, participation
//! percent); the catalogue, periods and report statuses come from core too.
//!
//! This file holds the page, the server's answers and the rules over them;
//! each section is a component of its own in `townhall_page/` (the period
//! select, participation card and row, indicators, trend, refused records,
//! exports, and the children's recommendations in `recommendations/`).

mod export_card;
mod indicators_card;
mod participation_card;
mod participation_row;
mod participation_total;
mod period_select;
pub(crate) mod quarantine_card;
mod recommendations;
mod targets_form;
mod trend_card;

use leptos::prelude::*;
pub(crate) use thamgia_core::api::townhall::{
    milestone, participation_percent, Overview, PopulationBody, TrendPoint, WardOverview,
    PARTICIPATION_INDICATOR,
};
use thamgia_core::indicator::Unit;
use thamgia_core::report::{Period, PeriodLength, ReportStatus};
use thamgia_core::search::contains_folded;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::Localized;

use crate::api::{encode, ApiClient};
use crate::i18n::townhall::townhall_both;
use crate::platform;
use crate::state::{use_app, use_online, Ward};
use export_card::ExportCard;
use indicators_card::IndicatorsCard;
use participation_card::ParticipationCard;
use period_select::PeriodSelect;
use quarantine_card::QuarantineCard;
pub(crate) use recommendations::failure_message;
use recommendations::RecommendationsCard;
use trend_card::TrendCard;

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
    PeriodChoices {
        quarters: Period::recent(today, PeriodLength::Quarter, 6),
        halves: Period::recent(today, PeriodLength::Half, 6),
        years: Period::recent(today, PeriodLength::Year, 6),
    }
}

/// The trend's points of the same length as `chosen`, oldest first; points
/// whose period the app cannot read are left out.
fn comparable_points(points: &[TrendPoint], chosen: Period) -> Vec<(Period, TrendPoint)> {
    let mut comparable: Vec<(Period, TrendPoint)> = points
        .iter()
        .filter_map(|point| {
            let period: Period = point.period.parse().ok()?;
            (period.kind().length() == chosen.kind().length()).then(|| (period, point.clone()))
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
        .set_population(
            &code,
            year,
            &PopulationBody {
                children_7_15: children,
                groups: None,
            },
        )
        .await
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
        return view! { <p class="notice notice--error">{move || app.townhall_texts().townhall_load_failed}</p> }
            .into_any();
    };
    let period = RwSignal::new(first);
    let indicator = RwSignal::new(PARTICIPATION_INDICATOR.to_owned());
    let trend_ward = RwSignal::new(None::<String>);

    let overview = LocalResource::new(move || {
        let chosen = period.get();
        online.track();
        async move { ApiClient::for_this_origin().overview(chosen).await }
    });
    let catalogue = LocalResource::new(move || {
        online.track();
        async move { ApiClient::for_this_origin().indicators().await }
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
            <h1 class="card-title">{move || app.townhall_texts().townhall_title}</h1>
            <p class="muted">{move || app.townhall_texts().townhall_intro}</p>
            <PeriodSelect period choices/>
        </section>
        <Show
            when=move || online.get()
            fallback=move || view! {
                <p class="notice notice--error" role="status" data-test="townhall-offline">
                    {move || app.townhall_texts().townhall_offline}
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

/// What a failed request of the town hall's cards says: offline, the
/// server's own message, or that the figures could not be loaded.
fn townhall_failure(failure: &SyncFailure) -> Localized {
    failure_message(failure, townhall_both(|texts| texts.townhall_load_failed))
}

/// The `data-test` of a town hall card's failure notice.
const TOWNHALL_ERROR: &str = "townhall-error";

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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
                participation: thamgia_core::api::townhall::Participation {
                    consulted_7_plus: 0,
                    child_population_7_15: None,
                    percent,
                    largest_survey_7_plus: 0,
                    at_least_percent: percent,
                    first_time_7_plus: 0,
                    again_7_plus: 0,
                    first_time_percent: None,
                    forum_children_7_plus: 0,
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
