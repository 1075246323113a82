//! Who took part: the children counted by age band and sex, as the server
//! publishes the table (small counts "< k", complements "—"), so the next
//! consultation can reach the groups heard from little.

use leptos::prelude::*;

use super::split_table::{split_failure, CrossTable};
use super::who_was_heard::WhoWasHeard;
use super::Selection;
use crate::api::ApiClient;
use crate::state::use_app;

/// The "who took part" table of the chosen survey, ward and period.
#[component]
pub(super) fn WhoTookPart(selection: Selection) -> impl IntoView {
    let app = use_app();
    let query = selection.query();
    let table = LocalResource::new(move || {
        let query = query.clone();
        async move { ApiClient::for_this_origin().participants(&query).await }
    });
    view! {
        <section class="card result-question" data-test="who-took-part">
            <h2 class="card-title">{move || app.townhall_texts().results_who_took_part}</h2>
            <p class="muted">{move || app.townhall_texts().results_who_took_part_note}</p>
            {move || match table.get() {
                None => ().into_any(),
                Some(Err(failure)) => {
                    let message = split_failure(&failure);
                    view! {
                        <p class="notice notice--error" role="alert">{move || app.pick(&message)}</p>
                    }
                    .into_any()
                }
                Some(Ok(published)) => view! { <CrossTable table=published/> }.into_any(),
            }}
            <WhoWasHeard selection/>
        </section>
    }
}
