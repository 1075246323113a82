//! The report's indicators, group by group, and the narrative.

use leptos::prelude::*;
use thamgia_core::api::townhall::milestone;
use thamgia_core::indicator::{Catalogue, Indicator, IndicatorGroup, HANOI};
use thamgia_core::report::{nothing_filled, progress, FieldKey, ReportId};

use super::field_input::FieldInput;
use super::indicator_fields::IndicatorFields;
use super::{FieldCallbacks, FieldKind};
use crate::state::use_app;
use crate::storage::StoredReport;

/// The indicators, group by group, and the narrative.
#[component]
pub(super) fn ReportBody(
    catalogue: StoredValue<Catalogue>,
    year: i32,
    report_id: StoredValue<ReportId>,
    report: Memo<Option<StoredReport>>,
    locked: Signal<bool>,
    edits: FieldCallbacks,
) -> impl IntoView {
    let app = use_app();
    let filled = Memo::new(move |_| {
        report.with(|report| {
            report
                .as_ref()
                .map(|report| catalogue.with_value(|catalogue| progress(catalogue, &report.fields)))
        })
    });
    // Before anything is typed the report has no fields yet: all empty.
    let filled = Signal::derive(move || {
        filled
            .get()
            .unwrap_or_else(|| catalogue.with_value(nothing_filled))
    });
    let navigation = view! {
        <nav class="card report-nav" data-test="report-progress" aria-label=move || app.texts().report_progress_label>
            <p class="report-filled" data-test="report-filled" data-filled=move || filled.with(|filled| filled.filled())>
                {move || app.pick(&filled.with(|filled| filled.described()))}
            </p>
            <ul>
                {IndicatorGroup::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(index, group)| view! {
                        <li>
                            <a class="btn btn-secondary" href=format!("#indicator-group-{}", group.number())>
                                {move || format!("{} {}", app.texts().report_group, group.number())}
                                " · "
                                {move || filled.with(|filled| format!("{}/{}", filled.groups[index].filled, filled.groups[index].total))}
                            </a>
                        </li>
                    })
                    .collect_view()}
            </ul>
        </nav>
    };
    let groups = IndicatorGroup::ALL
        .into_iter()
        .map(|group| {
            let indicators: Vec<Indicator> = catalogue.with_value(|catalogue| catalogue.in_group(group).cloned().collect());
            view! {
                <section class="card indicator-group" id=format!("indicator-group-{}", group.number()) data-group=group.number()>
                    <h2 class="card-title">
                        {move || format!("{} {}: {}", app.texts().report_group, group.number(), app.pick(&group.label()))}
                    </h2>
                    {indicators
                        .into_iter()
                        .map(|indicator| {
                            // The milestone the city's targets are set for
                            // (2025, then 2030), as the town hall shows it.
                            let year = milestone(year);
                            let target = catalogue.with_value(|catalogue| catalogue.target_for(&indicator.code, HANOI, year));
                            view! { <IndicatorFields indicator target year report_id report locked edits/> }
                        })
                        .collect_view()}
                </section>
            }
        })
        .collect_view();
    view! {
        {navigation}
        {groups}
        <section class="card">
            <h2 class="card-title">{move || app.texts().report_narrative}</h2>
            <p class="muted">{move || app.texts().report_narrative_hint}</p>
            <FieldInput key=FieldKey::narrative() kind=FieldKind::Paragraph test_id="narrative".to_owned() report locked edits/>
        </section>
    }
}
