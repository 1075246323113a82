//! The children of a forum by age band (rows) and sex (columns), with
//! totals: number boxes in the draft, numbers once submitted.

use leptos::prelude::*;
use thamgia_core::forum::ParticipantCount;
use thamgia_core::{AgeBand, Sex};

use super::{
    band_key, count_input, count_of, count_text, set_count, sex_heading, sex_key, Editor, BANDS,
};
use crate::state::use_app;

/// Children by age band (rows) and sex (columns), with totals: number
/// boxes while `editor` is given, numbers otherwise.
#[component]
pub(super) fn ParticipantGrid(
    participants: Signal<Vec<ParticipantCount>>,
    editor: Option<Editor>,
) -> impl IntoView {
    let app = use_app();
    // The boxes start from the counts as they are now; after that they are
    // the only writers.
    let initial = participants.get_untracked();
    let row_total = move |age_band: AgeBand| {
        participants.with(|participants| {
            participants
                .iter()
                .filter(|count| count.age_band == age_band)
                .map(|count| count.count)
                .sum::<u32>()
        })
    };
    let column_total = move |sex: Sex| {
        participants.with(|participants| {
            participants
                .iter()
                .filter(|count| count.sex == sex)
                .map(|count| count.count)
                .sum::<u32>()
        })
    };
    let total = move || {
        participants.with(|participants| participants.iter().map(|count| count.count).sum::<u32>())
    };
    let rows = BANDS
        .into_iter()
        .map(|age_band| {
            let band_label = age_band.label();
            let cells = Sex::ALL
                .into_iter()
                .map(|sex| {
                    let test = format!("count-{}-{}", band_key(age_band), sex_key(sex));
                    let cell = match editor {
                        Some(editor) => {
                            let label = format!(
                                "{} · {}",
                                app.pick(&age_band.label()),
                                sex_heading(app, sex)
                            );
                            count_input(
                                app,
                                test,
                                label,
                                count_text(count_of(&initial, age_band, sex)),
                                Callback::new(move |count: Option<u32>| {
                                    editor.update(|forum| set_count(forum, age_band, sex, count));
                                }),
                            )
                            .into_any()
                        }
                        None => view! {
                            <span data-test=test>
                                {move || participants.with(|participants| count_of(participants, age_band, sex).unwrap_or(0))}
                            </span>
                        }
                        .into_any(),
                    };
                    view! { <td class="numeric">{cell}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{move || app.pick(&band_label)}</th>
                    {cells}
                    <td class="numeric forum-total">{move || row_total(age_band)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll forum-grid-scroll" tabindex="0">
            <table class="data-table forum-grid" data-test="participant-grid">
                <thead>
                    <tr>
                        <th scope="col">{move || app.texts().age_band}</th>
                        {Sex::ALL.into_iter().map(|sex| view! { <th scope="col" class="numeric">{move || sex_heading(app, sex)}</th> }).collect_view()}
                        <th scope="col" class="numeric">{move || app.texts().forum_total}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{move || app.texts().forum_total}</th>
                        {Sex::ALL.into_iter().map(|sex| view! { <td class="numeric forum-total">{move || column_total(sex)}</td> }).collect_view()}
                        <td class="numeric forum-total" data-test="children-total">{total}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
