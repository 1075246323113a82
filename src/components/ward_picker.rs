//! Choosing the ward or commune the tablet works in, once.
//!
//! Only a city officer chooses: a collector or a ward officer works in the
//! ward of their account, which is shown without a way to change it.

use leptos::prelude::*;
use thamgia_core::search::{contains_folded, fold};
use thamgia_core::sync_client::SyncFailure;

use crate::api::ApiClient;
use crate::components::fetched::Fetched;
use crate::i18n::{both, Texts};
use crate::state::{save_ward, use_app, Ward};

/// Every ward and commune, as the server lists them.
pub(crate) async fn fetch_units() -> Result<Vec<Ward>, SyncFailure> {
    ApiClient::for_this_origin().units().await.map(|list| {
        list.units
            .into_iter()
            .map(|unit| Ward {
                code: unit.code,
                name_vi: unit.name_vi,
                name_en: unit.name_en,
            })
            .collect()
    })
}

/// Why the list of wards is not shown.
fn load_failure_text(_failure: &SyncFailure) -> thamgia_core::Localized {
    both(|texts| texts.ward_load_failed)
}

/// "Loading wards and communes…".
fn loading_text(texts: &Texts) -> &'static str {
    texts.ward_loading
}

/// Shows the chosen ward with a "change" button, or the list to choose from.
#[component]
pub fn WardPicker() -> impl IntoView {
    let app = use_app();
    let choosing = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let units = LocalResource::new(fetch_units);

    let choose = move |ward: Ward| {
        save_ward(&ward);
        crate::state::tell_other_tabs_the_session_changed();
        app.ward.set(Some(ward));
        choosing.set(false);
        query.set(String::new());
    };

    let list = move |wards: Vec<Ward>| {
        let needle = fold(query.get().trim());
        let language = app.language.get();
        let matching: Vec<Ward> = wards
            .into_iter()
            .filter(|ward| {
                needle.is_empty()
                    || contains_folded(&ward.name_vi, &needle)
                    || contains_folded(&ward.name_en, &needle)
                    || ward.code.contains(&needle)
            })
            .collect();
        view! {
            <ul class="ward-picker">
                {matching
                    .into_iter()
                    .map(|ward| {
                        let label = ward.name(language).to_owned();
                        let code = ward.code.clone();
                        let code_attribute = ward.code.clone();
                        view! {
                            <li>
                                <button type="button" class="btn btn-secondary ward-option" data-test="ward-option" data-code=code_attribute on:click=move |_| choose(ward.clone())>
                                    {label}
                                    <span class="muted">" · " {code}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };

    view! {
        <section class="card">
            <h2 class="card-title">{move || app.texts().ward_title}</h2>
            {move || match (app.ward.get(), choosing.get()) {
                (Some(ward), _) if !app.chooses_ward() => view! {
                    <p data-test="current-ward">
                        {app.texts().ward_current} ": " <strong>{ward.name(app.language.get()).to_owned()}</strong>
                    </p>
                    <p class="muted" data-test="ward-from-account">{app.texts().ward_from_account}</p>
                }
                .into_any(),
                (None, _) if !app.chooses_ward() => view! {
                    <p class="muted">{app.texts().ward_loading}</p>
                }
                .into_any(),
                (Some(ward), false) => view! {
                    <p data-test="current-ward">
                        {app.texts().ward_current} ": " <strong>{ward.name(app.language.get()).to_owned()}</strong>
                    </p>
                    <button type="button" class="btn btn-secondary" on:click=move |_| choosing.set(true)>
                        {app.texts().ward_change}
                    </button>
                }
                .into_any(),
                _ => view! {
                    <p>{app.texts().ward_intro}</p>
                    <input
                        type="search"
                        data-test="ward-search"
                        placeholder=move || app.texts().ward_search
                        prop:value=move || query.get()
                        on:input=move |event| query.set(event_target_value(&event))
                    />
                    <Fetched resource=units failure=load_failure_text test="ward-error" loading=loading_text let:wards>
                        {list(wards)}
                    </Fetched>
                }
                .into_any(),
            }}
        </section>
    }
}
