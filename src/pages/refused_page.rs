//! `/townhall/refused`: the records the server refused, for the ward
//! officer (their ward's; a city officer finds every ward's on the town
//! hall page too). A response refused only because its sender could not
//! reach the ward is accepted here by the officer who knows it is the
//! ward's. Online, like the rest of the town hall app.

use leptos::prelude::*;
use thamgia_core::Localized;

use crate::components::ward_picker::fetch_units;
use crate::pages::townhall_page::quarantine_card::QuarantineCard;
use crate::state::use_app;

#[component]
pub fn RefusedPage() -> impl IntoView {
    let app = use_app();
    let units = LocalResource::new(fetch_units);
    let wards = Memo::new(move |_| units.get().and_then(Result::ok).unwrap_or_default());
    let title = Localized::new("Bản ghi bị từ chối", "Refused records");
    view! {
        <h1>{move || app.pick(&title)}</h1>
        <QuarantineCard wards/>
    }
}
