//! `/report`: the ward's report on the children's action programme for one
//! period: the 24 indicators in their four groups (value, note and evidence each), a
//! narrative, and the report's life (submit; send back or approve).
//!
//! Every field is saved on its own, as one edit in IndexedDB with its outbox
//! mutation ([`Store::edit_report_field`](crate::storage::Store::edit_report_field)),
//! once the officer pauses typing ([`TYPING_PAUSE`]), leaves the box, or
//! leaves the page: one edit per thought rather than per keystroke, since
//! every edit is kept, sent and shown to every tablet. Several officers fill
//! in the same report on their own tablets; each field shows the latest edit
//! and, under it, what other tablets entered that lost ("also entered by …
//! at …"), so nobody's number disappears unseen.
//!
//! This file holds the page, the commands it writes and the helpers its
//! pieces share; each piece is a component of its own in `report_page/`.

mod also_entered;
mod field_input;
mod indicator_fields;
mod participation_hint;
mod report_body;
mod report_form;
mod status_actions;
mod status_card;

use std::collections::BTreeMap;
use std::time::Duration;

use gloo_storage::{LocalStorage as BrowserStorage, Storage};
use leptos::prelude::*;
use thamgia_core::indicator::Catalogue;
use thamgia_core::report::{
    FieldContent, FieldEdit, FieldKey, FieldState, Period, PeriodKind, PeriodLength, ReportId,
    ReportStatus,
};
use uuid::Uuid;

use crate::platform;
use crate::state::use_app;
use crate::storage::StoredReport;
use report_form::ReportForm;

/// Where the officer's name is remembered between visits.
const AUTHOR_KEY: &str = "thamgia.author";

/// How long typing must pause before what was typed is saved.
const TYPING_PAUSE: Duration = Duration::from_millis(700);

/// What the page writes; one action runs them all, in the order asked, so
/// an edit made just before "submit" is queued before the submission.
#[derive(Debug, Clone)]
enum ReportCommand {
    /// Saves one field, in the name of `author`.
    Edit {
        field: FieldKey,
        content: FieldContent,
        author: String,
    },
    /// Asks the town hall to move the report.
    ChangeStatus(ReportStatus),
    /// Forgets the last refusal once read.
    DismissRejection,
}

/// The page.
#[component]
pub fn ReportPage() -> impl IntoView {
    let app = use_app();
    let today = platform::now().with_timezone(&chrono::Local).date_naive();
    let choices = period_choices(today);
    let Some(current) = choices.first().copied() else {
        // Only a date beyond year 9999 has no period.
        return ().into_any();
    };
    let period = RwSignal::new(current);
    // The name last typed here, else the signed-in person's.
    let author = RwSignal::new(
        BrowserStorage::get::<String>(AUTHOR_KEY)
            .ok()
            .filter(|name| !name.trim().is_empty())
            .or_else(|| {
                app.session.with_untracked(|session| {
                    session
                        .as_ref()
                        .map(|session| session.account.display_name.clone())
                })
            })
            .unwrap_or_default(),
    );
    // The catalogue with the targets the city set: read from the server
    // when online and kept on the tablet; offline, the one kept last, else
    // the one shipped with the app.
    let catalogue = LocalResource::new(move || {
        let store = app.store();
        async move { read_catalogue(&store).await }
    });
    let report_id = Memo::new(move |_| {
        app.ward
            .get()
            .map(|ward| ReportId::new(ward.code, period.get()))
    });

    let head = view! {
        <section class="card report-head">
            <h1 class="card-title">{move || app.texts().report_title}</h1>
            <p class="muted">{move || app.texts().report_intro}</p>
            {move || app.ward.get().map(|ward| view! {
                <p>{app.texts().ward_current} ": " <strong>{ward.name(app.language.get()).to_owned()}</strong></p>
            })}
            <div class="report-head-fields">
                <label class="report-label">
                    <span>{move || app.texts().report_author}</span>
                    <input
                        type="text"
                        data-test="author"
                        autocomplete="name"
                        maxlength="80"
                        prop:value=move || author.get()
                        on:input=move |event| {
                            let typed = event_target_value(&event);
                            save_author(&typed);
                            author.set(typed);
                        }
                    />
                    <small class="muted">{move || app.texts().report_author_hint}</small>
                </label>
                <label class="report-label">
                    <span>{move || app.texts().report_period}</span>
                    <select
                        data-test="report-period"
                        on:change=move |event| {
                            if let Ok(chosen) = event_target_value(&event).parse::<Period>() {
                                period.set(chosen);
                            }
                        }
                    >
                        {choices
                            .into_iter()
                            .map(|choice| view! {
                                <option value=choice.key() prop:selected=move || period.get() == choice>
                                    {move || app.pick(&choice.label())}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </section>
    };

    let body = move || match catalogue.get() {
        None => view! { <crate::components::loaded::Loading text=None/> }.into_any(),
        Some(Err(error)) => {
            leptos::logging::warn!("indicators.json does not parse: {error}");
            view! {
                <p class="notice notice--error" role="alert">{move || app.texts().report_catalogue_failed}</p>
            }
            .into_any()
        }
        Some(Ok(catalogue)) => {
            let catalogue = StoredValue::new(catalogue);
            (move || match report_id.get() {
                None => view! {
                    <p class="notice notice--info" data-test="report-no-ward">
                        {app.texts().report_choose_ward} " "
                        <a href="/">{app.texts().back_home}</a>
                    </p>
                }
                .into_any(),
                Some(Err(error)) => view! {
                    <p class="notice notice--error" role="alert">{app.pick(&error.message())}</p>
                }
                .into_any(),
                Some(Ok(report_id)) => {
                    view! { <ReportForm report_id author catalogue/> }.into_any()
                }
            })
            .into_any()
        }
    };

    view! {
        {head}
        {body}
    }
    .into_any()
}

/// The catalogue the report is filled against: the server's (with the
/// targets a city officer set), kept on the tablet for offline use; if the
/// server cannot be reached, the one kept last; else the shipped one.
async fn read_catalogue(store: &crate::storage::Store) -> Result<Catalogue, String> {
    if platform::is_online() {
        if let Ok(catalogue) = crate::api::ApiClient::for_this_origin().indicators().await {
            if let Err(error) = store.save_catalogue(&catalogue).await {
                leptos::logging::warn!("the catalogue was not kept: {error}");
            }
            return Ok(catalogue);
        }
    }
    match store.load_catalogue().await {
        Ok(Some(catalogue)) => Ok(catalogue),
        _ => thamgia_core::indicator::shipped_catalogue().map_err(|error| error.to_string()),
    }
}

/// The state of one field in the report as last read.
fn field_state(report: Memo<Option<StoredReport>>, key: FieldKey) -> Memo<Option<FieldState>> {
    Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .and_then(|report| report.fields.get(&key).cloned())
        })
    })
}

/// What was typed and not saved yet.
#[derive(Default)]
struct Unsaved {
    /// The latest content typed in each field, and who typed it.
    edits: BTreeMap<FieldKey, (FieldContent, String)>,
    /// Saves them once typing pauses.
    timer: Option<TimeoutHandle>,
}

/// How a field tells the report what was typed.
#[derive(Clone, Copy)]
struct FieldCallbacks {
    /// Something was typed: the content to save, or `None` when there is
    /// nothing to save (the text says what is stored, or is not a number).
    on_typed: Callback<(FieldKey, Option<FieldContent>)>,
    /// The officer left a box: save what was typed now.
    on_left: Callback<()>,
}

/// What a field holds and how it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    /// An indicator's value: a number.
    Number,
    /// A note: a line of text.
    Line,
    /// Evidence: a line saying where the figure comes from (a register,
    /// a document number, a link).
    Evidence,
    /// The narrative: paragraphs of text.
    Paragraph,
}

impl FieldKind {
    /// The content `text` stands for; `None` when it is not a number in a
    /// number field. An empty box clears the field.
    fn content(self, text: &str) -> Option<FieldContent> {
        match self {
            FieldKind::Number => parse_number(text)
                .map(|number| number.map_or(FieldContent::Cleared, FieldContent::Number)),
            FieldKind::Line | FieldKind::Evidence | FieldKind::Paragraph
                if text.trim().is_empty() =>
            {
                Some(FieldContent::Cleared)
            }
            FieldKind::Line | FieldKind::Evidence | FieldKind::Paragraph => {
                Some(FieldContent::Text(text.to_owned()))
            }
        }
    }
}

/// The text a box shows for `content`.
fn display(content: Option<&FieldContent>) -> String {
    match content {
        Some(FieldContent::Number(number)) => number.to_string(),
        Some(FieldContent::Text(text)) => text.clone(),
        Some(FieldContent::Cleared) | None => String::new(),
    }
}

/// The losing edits worth showing beside a field (see [`AlsoEntered`]),
/// oldest first.
fn also_entered(state: &FieldState) -> Vec<FieldEdit> {
    let shown_by = state.winner.stamp.client_id;
    // `conflicting()` goes oldest first, so the last edit kept per tablet is
    // its latest.
    let mut latest: BTreeMap<Uuid, &FieldEdit> = BTreeMap::new();
    for edit in state.conflicting() {
        if edit.stamp.client_id != shown_by {
            latest.insert(edit.stamp.client_id, edit);
        }
    }
    let mut edits: Vec<FieldEdit> = latest.into_values().cloned().collect();
    thamgia_core::sorting::sort_by_key(&mut edits, |edit| edit.stamp);
    edits
}

/// Whether saving `content` changes what the field shows (leaving a box
/// untouched, or retyping the same value, queues nothing).
fn changes(state: Memo<Option<FieldState>>, content: &FieldContent) -> bool {
    state.with_untracked(|state| match state {
        Some(state) => !state.content().same_as(content),
        None => *content != FieldContent::Cleared,
    })
}

/// Reads a typed number: `Some(None)` for an empty box, `Some(Some(n))` for
/// a finite number written with a decimal point or comma, `None` for
/// anything else.
fn parse_number(text: &str) -> Option<Option<f64>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(None);
    }
    trimmed
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
        .map(Some)
}

/// The status's name in `data-status` and class names.
fn status_name(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Draft => "draft",
        ReportStatus::Submitted => "submitted",
        ReportStatus::Approved => "approved",
    }
}

/// The periods offered: the quarter `today` falls in (the default), the
/// three quarters before it, and the two halves and the whole of its year.
fn period_choices(today: chrono::NaiveDate) -> Vec<Period> {
    let mut choices = Period::recent(today, PeriodLength::Quarter, 4);
    if let Some(year) = Period::containing(today, PeriodLength::Year) {
        choices.extend(
            [PeriodKind::Half(1), PeriodKind::Half(2), PeriodKind::Year]
                .into_iter()
                .filter_map(|kind| Period::new(year.year(), kind).ok()),
        );
    }
    choices
}

/// Remembers the officer's name on this tablet.
fn save_author(author: &str) {
    if let Err(error) = BrowserStorage::set(AUTHOR_KEY, author.trim()) {
        leptos::logging::warn!("author name not saved: {error}");
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use thamgia_core::report::{Hlc, ReportId, Stamp};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
    }

    fn keys(periods: &[Period]) -> Vec<String> {
        periods.iter().map(Period::key).collect()
    }

    /// An edit of indicator 4.1's value by install `client` at `wall_ms`.
    fn edit(client: u128, wall_ms: i64, value: f64, author: &str) -> FieldEdit {
        FieldEdit {
            report_id: ReportId::new("00004", Period::quarter(2026, 3).expect("a valid quarter"))
                .expect("a valid report id"),
            field: FieldKey::value("4.1"),
            content: FieldContent::Number(value),
            stamp: Stamp {
                hlc: Hlc::new(wall_ms, 0),
                client_id: Uuid::from_u128(client),
            },
            author: author.to_owned(),
            sent_as: None,
        }
    }

    fn state_of(edits: Vec<FieldEdit>) -> Option<FieldState> {
        edits.into_iter().fold(None, |state, edit| {
            Some(thamgia_core::report::merge(state, edit))
        })
    }

    #[wasm_bindgen_test]
    fn the_current_quarter_comes_first_then_the_three_before_it_then_the_halves_and_year() {
        assert_eq!(
            keys(&period_choices(date(2026, 8, 15))),
            ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2026-H1", "2026-H2", "2026"]
        );
        assert_eq!(
            keys(&period_choices(date(2026, 12, 31))),
            ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2026-H1", "2026-H2", "2026"]
        );
        assert_eq!(
            keys(&period_choices(date(2027, 1, 1)))[..4],
            ["2027-Q1", "2026-Q4", "2026-Q3", "2026-Q2"]
        );
    }

    #[wasm_bindgen_test]
    fn numbers_are_read_with_a_point_or_a_comma_and_anything_else_is_kept_aside() {
        assert_eq!(parse_number(" 12,5 "), Some(Some(12.5)));
        assert_eq!(parse_number("31.5"), Some(Some(31.5)));
        assert_eq!(parse_number("  "), Some(None));
        assert_eq!(parse_number("ba mươi"), None);
        assert_eq!(parse_number("1.234,5"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(FieldKind::Number.content(""), Some(FieldContent::Cleared));
        assert_eq!(FieldKind::Number.content("x"), None);
        assert_eq!(
            FieldKind::Line.content("Theo sổ họp"),
            Some(FieldContent::Text("Theo sổ họp".to_owned()))
        );
        assert_eq!(
            FieldKind::Paragraph.content(" \n"),
            Some(FieldContent::Cleared)
        );
    }

    #[wasm_bindgen_test]
    fn also_entered_shows_each_other_tablets_latest_differing_value() {
        // Lan (A) entered 30 then 31.5; Minh (B) entered 29 later, and wins.
        let state = state_of(vec![
            edit(0xA, 1_000, 30.0, "Lan"),
            edit(0xA, 2_000, 31.5, "Lan"),
            edit(0xB, 3_000, 29.0, "Minh"),
        ])
        .expect("a state");
        assert_eq!(also_entered(&state), vec![edit(0xA, 2_000, 31.5, "Lan")]);

        // One's own earlier values are not conflicts, nor is the same value.
        let state = state_of(vec![
            edit(0xA, 1_000, 30.0, "Lan"),
            edit(0xB, 2_000, 29.0, "Minh"),
            edit(0xA, 3_000, 29.0, "Lan"),
        ])
        .expect("a state");
        assert_eq!(also_entered(&state), Vec::<FieldEdit>::new());
    }
}
