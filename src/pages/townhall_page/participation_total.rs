//! The whole city's line under the wards of the participation card: every
//! ward's figures added up, the shares over the wards whose children were
//! entered (core's `CityParticipation`), against the city's target.

use std::collections::HashMap;

use leptos::prelude::*;
use thamgia_core::api::townhall::CityParticipation;

use super::WardOverview;
use crate::components::chart::{format_number, format_with_unit, TargetMeter};
use crate::state::use_app;

/// The city's participation, with the populations saved on the page.
#[component]
pub(super) fn ParticipationTotal(
    wards: StoredValue<Vec<WardOverview>>,
    year: i32,
    target: Option<f64>,
    saved: RwSignal<HashMap<(String, i32), u64>>,
) -> impl IntoView {
    let app = use_app();
    let city = Memo::new(move |_| {
        let saved = saved.get();
        wards.with_value(|wards| {
            CityParticipation::of_wards(wards.iter().map(|ward| {
                let population = saved
                    .get(&(ward.code.clone(), year))
                    .copied()
                    .or(ward.participation.child_population_7_15);
                (ward, population)
            }))
        })
    });
    let number = move |value: u64| format_number(value as f64, 0, app.language.get());
    let share = move |value: Option<f64>| {
        value
            .map(|value| format_with_unit(value, "%", app.language.get()))
            .unwrap_or_else(|| "—".to_owned())
    };
    let heard_before = move || {
        let city = city.get();
        city.asked_heard_before().then(|| {
            let texts = app.townhall_texts();
            let unknown = city.heard_before_unknown();
            view! {
                <span class="muted at-least" data-test="city-first-time">
                    {(texts.participation_first_time_children)(&number(city.first_time_7_plus))}
                </span>
                {(unknown > 0).then(|| view! {
                    <span class="muted at-least">{(texts.participation_first_time_unknown)(&number(unknown))}</span>
                })}
            }
        })
    };
    let forums = move || {
        let children = city.get().forum_children_7_plus;
        (children > 0).then(|| {
            view! {
                <span class="muted at-least" data-test="city-forum-children">
                    {(app.townhall_texts().participation_forum_children)(&number(children))}
                </span>
            }
        })
    };
    let first_time_share = move || {
        city.get().first_time_percent.map(|value| {
            view! {
                <span class="muted at-least" data-test="city-first-time-percent">
                    {(app.townhall_texts().participation_first_time_share)(&share(Some(value)))}
                </span>
            }
        })
    };
    let meter = move || {
        let percent = city.get().percent;
        let texts = app.townhall_texts();
        let label = match percent {
            Some(value) => format!(
                "{} {} {}",
                texts.participation_city,
                texts.participation_column,
                share(Some(value))
            ),
            None => texts.no_population.to_owned(),
        };
        view! { <TargetMeter value=percent target label/> }
    };
    view! {
        <tr class="city-total" data-test="participation-city">
            <th scope="row">
                {move || app.townhall_texts().participation_city}
                <span class="muted ward-code" data-test="city-wards-counted">
                    {move || {
                        let city = city.get();
                        (app.townhall_texts().participation_city_wards)(city.wards_with_population, city.wards)
                    }}
                </span>
            </th>
            <td class="numeric" data-test="city-responses">{move || number(city.get().responses)}</td>
            <td class="numeric" data-test="city-consulted">
                {move || number(city.get().consulted_7_plus)}
                {heard_before}
                {forums}
            </td>
            <td class="numeric" data-test="city-population">{move || number(city.get().child_population_7_15)}</td>
            <td class="numeric" data-test="city-percent">
                {move || share(city.get().percent)}
                {first_time_share}
            </td>
            <td class="target-cell">
                <span>{move || share(target)}</span>
                {meter}
            </td>
        </tr>
    }
}
