//! A question's answers split by one or two dimensions (age band, sex,
//! disability, ethnic group, special circumstances, ward, month), as the
//! server publishes the table: small counts "< k", complements "—". A split
//! too fine to publish safely is refused by the server with a message.

use leptos::prelude::*;
use thamgia_core::api::results::{split_key, ResultsTableQuery, SPLITS};
use thamgia_core::results::suppression::PublishedTable;
use thamgia_core::results::Dimension;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{ApiErrorCode, Language, Localized};

use super::{shown_text, Selection};
use crate::api::{download_on_click, encode, ApiClient};
use crate::components::chart::{StackedBar, StackedBarChart};
use crate::i18n::townhall::{townhall_both, TownhallTexts};
use crate::pages::townhall_page::failure_message;
use crate::state::use_app;

/// A dimension's name.
pub(super) fn dimension_label(texts: &TownhallTexts, dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::AgeBand => texts.dimension_age_band,
        Dimension::Sex => texts.dimension_sex,
        Dimension::Disability => texts.dimension_disability,
        Dimension::EthnicGroup => texts.dimension_ethnic_group,
        Dimension::SpecialCircumstances => texts.dimension_special_circumstances,
        Dimension::Ward => texts.dimension_ward,
        Dimension::Month => texts.dimension_month,
    }
}

/// What a refused split says: the server's own words when it refused the
/// split itself (too few children), the usual notice otherwise.
pub(super) fn split_failure(failure: &SyncFailure) -> Localized {
    match failure {
        SyncFailure::Server {
            error: Some(error), ..
        } if error.code == ApiErrorCode::Invalid => error.message.clone(),
        other => failure_message(other, townhall_both(|texts| texts.results_load_failed)),
    }
}

/// The split select and, once one is chosen, the table.
#[component]
pub(super) fn SplitTable(question: String, selection: Selection) -> impl IntoView {
    let app = use_app();
    let (download_selection, download_question) = (selection.clone(), question.clone());
    let split = RwSignal::new(None::<Dimension>);
    let table = LocalResource::new(move || {
        let query = split.get().map(|dimension| ResultsTableQuery {
            survey: selection.survey.clone(),
            question: question.clone(),
            split: split_key(dimension).to_owned(),
            ward: selection.ward.clone(),
            period: selection.period.clone(),
        });
        async move {
            match query {
                Some(query) => ApiClient::for_this_origin()
                    .results_table(&query)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    let options = SPLITS
        .into_iter()
        .map(|dimension| {
            view! {
                <option value=split_key(dimension)>
                    {move || dimension_label(app.townhall_texts(), dimension)}
                </option>
            }
        })
        .collect_view();
    view! {
        <label class="result-split">
            {move || app.townhall_texts().results_split}
            <select
                data-test="result-split"
                on:change=move |event| {
                    let key = event_target_value(&event);
                    split.set(SPLITS.into_iter().find(|dimension| split_key(*dimension) == key));
                }
            >
                <option value="">{move || app.townhall_texts().results_split_none}</option>
                {options}
            </select>
        </label>
        {move || match table.get() {
            None | Some(Ok(None)) => ().into_any(),
            Some(Err(failure)) => {
                let message = split_failure(&failure);
                view! {
                    <p class="notice notice--error" role="alert" data-test="result-split-error">
                        {move || app.pick(&message)}
                    </p>
                }
                .into_any()
            }
            Some(Ok(Some(published))) => {
                let dimension = split.get_untracked();
                let href = |extension: &str| {
                    let mut href = format!(
                        "/api/v1/export/results/table.{extension}?survey={}&question={}&split={}",
                        encode(&download_selection.survey),
                        encode(&download_question),
                        dimension.map_or("", split_key),
                    );
                    if let Some(ward) = &download_selection.ward {
                        href.push_str(&format!("&ward={}", encode(ward)));
                    }
                    if let Some(period) = &download_selection.period {
                        href.push_str(&format!("&period={}", encode(period)));
                    }
                    href
                };
                let (xlsx, csv) = (href("xlsx"), href("csv"));
                view! {
                    <SplitChart table=published.clone() dimension/>
                    <CrossTable table=published/>
                    <p class="results-downloads no-print">
                        <a class="btn btn-secondary" href=xlsx download="" data-test="split-xlsx" on:click=download_on_click>
                            {move || app.townhall_texts().results_download_xlsx}
                        </a>
                        " "
                        <a class="btn btn-secondary" href=csv download="" data-test="split-csv" on:click=download_on_click>
                            {move || app.townhall_texts().results_download_csv}
                        </a>
                    </p>
                }
                .into_any()
            }
        }}
    }
}

/// The bars of a published split: one per category of the split, cut into
/// the shares of its children giving each answer.
pub(super) fn split_bars(
    table: &PublishedTable,
    language: Language,
) -> (Vec<StackedBar>, Vec<String>) {
    let pick = |label: &Localized| label.get(language).to_owned();
    let bars = table
        .columns
        .iter()
        .enumerate()
        .map(|(column, category)| StackedBar {
            label: pick(&category.label),
            counts: table
                .cells
                .iter()
                .map(|row| row.get(column).and_then(|shown| shown.count()))
                .collect(),
            total: table
                .column_totals
                .get(column)
                .and_then(|shown| shown.count()),
        })
        .collect();
    let legend = table.rows.iter().map(|row| pick(&row.label)).collect();
    (bars, legend)
}

/// A split as stacked bars, readable on a portrait tablet.
#[component]
fn SplitChart(table: PublishedTable, dimension: Option<Dimension>) -> impl IntoView {
    let app = use_app();
    move || {
        let language = app.language.get();
        let (bars, legend) = split_bars(&table, language);
        let texts = app.townhall_texts();
        let title = (texts.results_chart_shares)(
            dimension.map_or("", |dimension| dimension_label(texts, dimension)),
        );
        view! {
            <StackedBarChart
                bars
                legend
                withheld=texts.results_withheld_part.to_owned()
                title
                language
            />
        }
    }
}

/// A published cross-table: answers down, the split across, totals.
#[component]
pub(super) fn CrossTable(table: PublishedTable) -> impl IntoView {
    let app = use_app();
    let PublishedTable {
        rows,
        columns,
        cells,
        row_totals,
        column_totals,
        total,
    } = table;
    let head = columns
        .iter()
        .map(|column| {
            let label = column.label.clone();
            view! { <th scope="col">{move || app.pick(&label)}</th> }
        })
        .collect_view();
    let body = rows
        .into_iter()
        .zip(cells)
        .zip(row_totals)
        .map(|((row, cells), row_total)| {
            let label = row.label.clone();
            let cells = cells
                .into_iter()
                .map(|shown| {
                    view! {
                        <td class="numeric" data-test="split-cell" data-shown=shown_text(shown, thamgia_core::Language::En)>
                            {move || shown_text(shown, app.language.get())}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{move || app.pick(&label)}</th>
                    {cells}
                    <td class="numeric">{move || shown_text(row_total, app.language.get())}</td>
                </tr>
            }
        })
        .collect_view();
    let foot = column_totals
        .into_iter()
        .map(|shown| view! { <td class="numeric">{move || shown_text(shown, app.language.get())}</td> })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data-table" data-test="split-table">
                <thead>
                    <tr>
                        <th scope="col">{move || app.townhall_texts().results_answer}</th>
                        {head}
                        <th scope="col">{move || app.townhall_texts().results_total}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{move || app.townhall_texts().results_total}</th>
                        {foot}
                        <td class="numeric">{move || shown_text(total, app.language.get())}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
