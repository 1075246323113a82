//! Beside indicator 4.1 of a ward's report (children aged 7+ consulted):
//! what the town hall holds of the ward in the report's period, in one
//! sentence, so the officer need not count by hand. Read only online; the
//! report itself never waits for it.

use leptos::prelude::*;
use thamgia_core::report::ReportId;

use crate::api::ApiClient;
use crate::state::{use_app, use_online};

/// The ward's participation in the report's period, as the town hall
/// counts it (nothing while offline or refused: the field is filled by
/// hand as before).
#[component]
pub(super) fn ParticipationHint(report_id: ReportId) -> impl IntoView {
    let app = use_app();
    let online = use_online();
    let report_id = StoredValue::new(report_id);
    let figures = LocalResource::new(move || {
        let online = online.get();
        let report_id = report_id.get_value();
        async move {
            if !online {
                return None;
            }
            ApiClient::for_this_origin()
                .ward_participation(report_id.ward_code(), report_id.period())
                .await
                .ok()
        }
    });
    move || {
        let texts = app.texts();
        match figures.get().flatten() {
            Some(participation) => view! {
                <p class="muted participation-hint" data-test="participation-hint">
                    {texts.report_participation_from_townhall} " " {app.pick(&participation.summary())}
                </p>
            }
            .into_any(),
            None if !online.get() => view! {
                <p class="muted participation-hint" data-test="participation-hint-offline">
                    {texts.report_participation_offline}
                </p>
            }
            .into_any(),
            None => ().into_any(),
        }
    }
}
