//! One indicator of the report: its name, unit and target, its value and
//! its note.

use leptos::prelude::*;
use thamgia_core::api::townhall::PARTICIPATION_INDICATOR;
use thamgia_core::indicator::Indicator;
use thamgia_core::report::{FieldKey, ReportId};

use super::field_input::FieldInput;
use super::participation_hint::ParticipationHint;
use super::{FieldCallbacks, FieldKind};
use crate::state::use_app;
use crate::storage::StoredReport;

/// One indicator: its name, unit and target, its value and its note.
#[component]
pub(super) fn IndicatorFields(
    indicator: Indicator,
    target: Option<f64>,
    year: i32,
    report_id: StoredValue<ReportId>,
    report: Memo<Option<StoredReport>>,
    locked: Signal<bool>,
    edits: FieldCallbacks,
) -> impl IntoView {
    let app = use_app();
    let code = indicator.code.clone();
    let name = indicator.name.clone();
    let unit = indicator.unit.label();
    // Indicator 4.1: what the town hall holds of the ward, beside it.
    let hint = (indicator.code == PARTICIPATION_INDICATOR)
        .then(|| view! { <ParticipationHint report_id=report_id.get_value()/> });
    let target_text = move || {
        let texts = app.texts();
        match target {
            Some(value) => (texts.report_target)(year, value),
            None => (texts.report_no_target)(year),
        }
    };
    view! {
        <div class="indicator" data-indicator=code.clone()>
            <h3 class="indicator-name">
                <span class="indicator-code">{code.clone()}</span>
                " "
                {move || app.pick(&name)}
            </h3>
            <p class="muted indicator-meta">
                {move || app.texts().report_unit} ": " {move || app.pick(&unit)}
                " · "
                <span data-test="target">{target_text}</span>
            </p>
            {hint}
            <div class="indicator-fields">
                <FieldInput key=FieldKey::value(&code) kind=FieldKind::Number test_id=format!("value-{code}") report locked edits/>
                <FieldInput key=FieldKey::note(&code) kind=FieldKind::Line test_id=format!("note-{code}") report locked edits/>
                <FieldInput key=FieldKey::evidence(&code) kind=FieldKind::Evidence test_id=format!("evidence-{code}") report locked edits/>
            </div>
        </div>
    }
}
