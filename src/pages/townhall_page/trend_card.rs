//! One ward's trend of one indicator in the town hall view, over the
//! periods of the same length as the chosen one.

use leptos::prelude::*;
use thamgia_core::indicator::Catalogue;
use thamgia_core::report::Period;
use thamgia_core::sync_client::SyncFailure;

use super::{
    comparable_points, townhall_failure, unit_suffix, Overview, TrendPoint, TOWNHALL_ERROR,
};
use crate::api::ApiClient;
use crate::components::chart::{LineChart, LinePoint};
use crate::components::fetched::Fetched;
use crate::state::use_app;

/// The chosen ward's values of the chosen indicator over the periods of the
/// same length as the chosen period.
#[component]
pub(super) fn TrendCard(
    catalogue: LocalResource<Result<Catalogue, SyncFailure>>,
    period: RwSignal<Period>,
    indicator: RwSignal<String>,
    trend_ward: RwSignal<Option<String>>,
    overview: LocalResource<Result<Overview, SyncFailure>>,
) -> impl IntoView {
    let app = use_app();
    let trend = LocalResource::new(move || {
        let ward = trend_ward.get();
        let code = indicator.get();
        async move {
            match ward {
                None => Ok(None),
                Some(ward) => ApiClient::for_this_origin()
                    .trend(&ward, &code)
                    .await
                    .map(Some),
            }
        }
    });
    let ward_name = move |code: &str| {
        let language = app.language.get();
        match overview.get() {
            Some(Ok(data)) => data
                .wards
                .iter()
                .find(|ward| ward.code == code)
                .map(|ward| ward.name(language).to_owned())
                .unwrap_or_else(|| code.to_owned()),
            _ => code.to_owned(),
        }
    };
    move || {
        let ward = trend_ward.get()?;
        let name = ward_name(&ward);
        let texts = app.townhall_texts();
        let language = app.language.get();
        let item = match catalogue.get() {
            Some(Ok(catalogue)) => catalogue.indicator(&indicator.get()).cloned(),
            _ => None,
        }?;
        let unit = unit_suffix(item.unit);
        let chart = {
            let name = name.clone();
            let item = item.clone();
            move |points: Option<Vec<TrendPoint>>| {
                let Some(points) = points else {
                    return ().into_any();
                };
                let comparable = comparable_points(&points, period.get());
                if comparable.is_empty() {
                    return view! { <p class="notice notice--info" data-test="trend-empty">{texts.trend_none}</p> }.into_any();
                }
                let points = comparable
                    .into_iter()
                    .map(|(period, point)| LinePoint {
                        label: app.pick(&period.label()),
                        value: point.value,
                        target: point.target,
                    })
                    .collect();
                let title = format!("{} — {} {}", name, item.code, app.pick(&item.name));
                view! {
                    <LineChart points title target_label=texts.target_column.to_owned() unit=unit.to_owned() language/>
                }
                .into_any()
            }
        };
        Some(view! {
            <section class="card" data-test="trend-card">
                <div class="card-head">
                    <h2 class="card-title">
                        {(texts.trend_title)(&name)} " · " {item.code.clone()} " " {app.pick(&item.name)}
                    </h2>
                    <button type="button" class="btn btn-secondary" data-test="trend-close" on:click=move |_| trend_ward.set(None)>
                        {texts.trend_close}
                    </button>
                </div>
                <p class="muted">{texts.trend_intro}</p>
                <Fetched resource=trend failure=townhall_failure test=TOWNHALL_ERROR let:points>
                    {chart(points)}
                </Fetched>
            </section>
        })
    }
}
