//! The report's indicators, group by group, and the narrative.

use leptos::prelude::*;
use thamgia_core::indicator::{Catalogue, Indicator, IndicatorGroup, HANOI};
use thamgia_core::report::FieldKey;

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
    report: Memo<Option<StoredReport>>,
    locked: Signal<bool>,
    edits: FieldCallbacks,
) -> impl IntoView {
    let app = use_app();
    let groups = IndicatorGroup::ALL
        .into_iter()
        .map(|group| {
            let indicators: Vec<Indicator> = catalogue.with_value(|catalogue| catalogue.in_group(group).cloned().collect());
            view! {
                <section class="card indicator-group" data-group=group.number()>
                    <h2 class="card-title">
                        {move || format!("{} {}: {}", app.texts().report_group, group.number(), app.pick(&group.label()))}
                    </h2>
                    {indicators
                        .into_iter()
                        .map(|indicator| {
                            let target = catalogue.with_value(|catalogue| catalogue.target_for(&indicator.code, HANOI, year));
                            view! { <IndicatorFields indicator target year report locked edits/> }
                        })
                        .collect_view()}
                </section>
            }
        })
        .collect_view();
    view! {
        {groups}
        <section class="card">
            <h2 class="card-title">{move || app.texts().report_narrative}</h2>
            <p class="muted">{move || app.texts().report_narrative_hint}</p>
            <FieldInput key=FieldKey::narrative() kind=FieldKind::Paragraph test_id="narrative".to_owned() report locked edits/>
        </section>
    }
}
