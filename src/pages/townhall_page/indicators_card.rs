//! One indicator across wards in the town hall view: a select, a table with
//! report statuses, and a bar chart against the target.

use leptos::prelude::*;
use thamgia_core::indicator::{Catalogue, Indicator, IndicatorGroup, HANOI};
use thamgia_core::report::Period;
use thamgia_core::sync_client::SyncFailure;

use super::targets_form::TargetsForm;
use super::{
    milestone, status_class, townhall_failure, unit_suffix, Overview, WardOverview, TOWNHALL_ERROR,
};
use crate::components::chart::{format_with_unit, BarChart, BarDatum, Tone};
use crate::components::fetched::{FetchFailure, Fetched};
use crate::components::loaded::Loading;
use crate::state::{use_app, AppState};

/// One indicator across wards: a select, a table with report statuses, and
/// a bar chart against the target.
#[component]
pub(super) fn IndicatorsCard(
    overview: LocalResource<Result<Overview, SyncFailure>>,
    catalogue: LocalResource<Result<Catalogue, SyncFailure>>,
    period: RwSignal<Period>,
    indicator: RwSignal<String>,
    trend_ward: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let show_unreported = RwSignal::new(false);

    let select = move |catalogue: Catalogue| {
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
                <span class="field-label">{app.townhall_texts().indicator_label}</span>
                <select
                    data-test="indicator-select"
                    on:change=move |event| indicator.set(event_target_value(&event))
                >
                    {groups}
                </select>
            </label>
        }
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
            <p class="muted">{app.townhall_texts().unit_label} ": " {unit}</p>
            {note.map(|note| view! {
                <details class="indicator-note">
                    <summary>{app.townhall_texts().indicator_note}</summary>
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

    // Two reads at once, so not `Fetched`: the table needs the overview and
    // the catalogue, and the catalogue's failure is already shown (with its
    // own retry) by the select above, so only the overview's is shown here.
    let body = move || {
        let (data, catalogue) = match (overview.get(), catalogue.get()) {
            (Some(Ok(data)), Some(Ok(catalogue))) => (data, catalogue),
            (_, Some(Err(_))) => return ().into_any(),
            (Some(Err(failure)), _) => {
                return view! {
                    <FetchFailure
                        message=townhall_failure(&failure)
                        test=TOWNHALL_ERROR
                        retry=move |()| overview.refetch()
                    />
                }
                .into_any()
            }
            _ => return view! { <Loading/> }.into_any(),
        };
        let code = indicator.get();
        let Some(item) = catalogue.indicator(&code).cloned() else {
            return ().into_any();
        };
        let chosen = data.period_or(period.get_untracked());
        let year = chosen.year();
        let target = item.target_for(HANOI, milestone(year));
        let language = app.language.get();
        let texts = app.townhall_texts();
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
                    target_label=(texts.target_year)(milestone(year))
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
                        (texts.target_year)(milestone(year)),
                        format_with_unit(target, unit, language)
                    ),
                    None => texts.no_target.to_owned(),
                }}
            </p>
            {chart}
            <div class="table-scroll" tabindex="0">
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
            <h2 class="card-title">{move || app.townhall_texts().indicators_title}</h2>
            <Fetched resource=catalogue failure=townhall_failure test=TOWNHALL_ERROR let:list>
                {select(list)}
            </Fetched>
            {description}
            <TargetsForm catalogue overview indicator/>
            <label class="checkbox-line">
                <input
                    type="checkbox"
                    data-test="show-unreported"
                    prop:checked=move || show_unreported.get()
                    on:change=move |event| show_unreported.set(event_target_checked(&event))
                />
                {move || (app.townhall_texts().show_unreported)(unreported())}
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
    let texts = app.townhall_texts();
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
