//! A city officer sets an indicator's targets (targets are data, per
//! jurisdiction and year, never code): the targets it holds, Hanoi's own
//! and the national ones, and a form to set one for a year, which replaces
//! the one of that jurisdiction and year (`PUT /indicators/{code}/targets`,
//! checked by `thamgia_core::indicator::targets_problem` before it is
//! sent). The town hall's figures then measure against it.

use leptos::ev;
use leptos::prelude::*;
use thamgia_core::indicator::{targets_problem, Catalogue, Target, HANOI, NATIONAL};
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::Localized;

use super::{townhall_failure, Overview};
use crate::api::ApiClient;
use crate::components::chart::format_with_unit;
use crate::state::use_app;

/// How a jurisdiction reads.
fn jurisdiction_label(code: &str) -> Localized {
    match code {
        HANOI => Localized::new("Hà Nội", "Hanoi"),
        NATIONAL => Localized::new("Cả nước", "National"),
        other => Localized::new(other, other),
    }
}

/// A number as typed, with a comma or a point before its decimals.
fn typed_number(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

/// The targets of the indicator chosen, and a form to set one.
#[component]
pub(super) fn TargetsForm(
    catalogue: LocalResource<Result<Catalogue, SyncFailure>>,
    overview: LocalResource<Result<Overview, SyncFailure>>,
    indicator: RwSignal<String>,
) -> impl IntoView {
    let app = use_app();
    let jurisdiction = RwSignal::new(HANOI.to_owned());
    let year = RwSignal::new(String::from("2030"));
    let value = RwSignal::new(String::new());
    // What the last save came to: saved, or why not.
    let result = RwSignal::new(None::<(bool, Localized)>);
    let targets = move || {
        catalogue.get().and_then(Result::ok).and_then(|catalogue| {
            catalogue
                .indicator(&indicator.get())
                .map(|item| (item.targets.clone(), item.unit))
        })
    };
    let save = Action::new_local(move |request: &(String, Vec<Target>)| {
        let (code, targets) = request.clone();
        async move {
            match ApiClient::for_this_origin()
                .set_targets(&code, &targets)
                .await
            {
                Ok(()) => {
                    result.set(Some((
                        true,
                        Localized::new("Đã lưu mục tiêu.", "Target saved."),
                    )));
                    value.set(String::new());
                    catalogue.refetch();
                    overview.refetch();
                }
                Err(failure) => result.set(Some((false, townhall_failure(&failure)))),
            }
        }
    });
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        let (Some(year), Some(value)) = (
            year.get_untracked().trim().parse::<i32>().ok(),
            typed_number(&value.get_untracked()),
        ) else {
            result.set(Some((
                false,
                Localized::new(
                    "Hãy nhập năm và mục tiêu bằng số.",
                    "Enter the year and the target as numbers.",
                ),
            )));
            return;
        };
        let Some((mut list, _)) = targets() else {
            return;
        };
        let jurisdiction = jurisdiction.get_untracked();
        list.retain(|target| !(target.jurisdiction == jurisdiction && target.year == year));
        list.push(Target {
            jurisdiction,
            year,
            value,
        });
        list.sort_by(|left, right| {
            (&left.jurisdiction, left.year).cmp(&(&right.jurisdiction, right.year))
        });
        if let Some(problem) = targets_problem(&list) {
            result.set(Some((false, problem)));
            return;
        }
        result.set(None);
        save.dispatch_local((indicator.get_untracked(), list));
    };
    let listed = move || {
        let Some((list, unit)) = targets() else {
            return ().into_any();
        };
        let language = app.language.get();
        let unit = super::unit_suffix(unit);
        view! {
            <ul class="target-list" data-test="target-list">
                {list
                    .into_iter()
                    .map(|target| {
                        let place = app.pick(&jurisdiction_label(&target.jurisdiction));
                        let shown = format_with_unit(target.value, unit, language);
                        view! {
                            <li data-test="target" data-jurisdiction=target.jurisdiction.clone() data-year=target.year>
                                {format!("{place} · {} · {shown}", target.year)}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let title = Localized::new("Mục tiêu của chỉ tiêu", "The indicator's targets");
    let by = Localized::new("Do", "Set by");
    let year_label = Localized::new("Năm", "Year");
    let value_label = Localized::new("Mục tiêu", "Target");
    let save_label = Localized::new("Lưu mục tiêu", "Save the target");
    view! {
        <details class="targets" data-test="targets">
            <summary>{move || app.pick(&title)}</summary>
            {listed}
            <form class="targets-form" novalidate=true on:submit=submit>
                <label class="field">
                    <span class="field-label">{move || app.pick(&by)}</span>
                    <select
                        data-test="target-jurisdiction"
                        on:change=move |event| jurisdiction.set(event_target_value(&event))
                    >
                        {[HANOI, NATIONAL]
                            .into_iter()
                            .map(|code| view! {
                                <option value=code selected=move || jurisdiction.get() == code>
                                    {move || app.pick(&jurisdiction_label(code))}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">{move || app.pick(&year_label)}</span>
                    <input
                        type="number"
                        min="2000"
                        max="2100"
                        step="1"
                        inputmode="numeric"
                        data-test="target-year"
                        prop:value=move || year.get()
                        on:input=move |event| year.set(event_target_value(&event))
                    />
                </label>
                <label class="field">
                    <span class="field-label">{move || app.pick(&value_label)}</span>
                    <input
                        type="text"
                        inputmode="decimal"
                        data-test="target-value"
                        prop:value=move || value.get()
                        on:input=move |event| value.set(event_target_value(&event))
                    />
                </label>
                <button type="submit" class="btn btn-secondary" data-test="target-save" disabled=move || save.pending().get()>
                    {move || app.pick(&save_label)}
                </button>
            </form>
            {move || result.get().map(|(saved, text)| {
                let class = if saved { "save-ok" } else { "save-failed" };
                view! { <p class=class role="status" data-test="target-result">{app.pick(&text)}</p> }
            })}
        </details>
    }
}
