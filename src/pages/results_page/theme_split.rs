//! One theme split by a dimension, like a yes/no question: among the
//! children who answered a free-text question, those whose answer speaks
//! of the theme and the others, by age band, sex, ward, … as the server
//! publishes the table (small counts "< k", complements "—"; a split too
//! fine to publish is refused with a message).

use leptos::prelude::*;
use thamgia_core::api::results::{split_key, SPLITS};
use thamgia_core::api::themes::ThemeTableQuery;
use thamgia_core::results::themes::Theme;
use thamgia_core::results::Dimension;
use uuid::Uuid;

use super::split_table::{dimension_label, split_failure, CrossTable};
use super::Selection;
use crate::api::ApiClient;
use crate::state::use_app;

/// The theme and split selects and, once both are chosen, the table.
#[component]
pub(super) fn ThemeSplit(
    /// The question's name.
    question: String,
    /// The survey, ward and period shown.
    selection: Selection,
    /// The survey's codebook, as last read.
    #[prop(into)]
    themes: Signal<Vec<Theme>>,
    /// Bumped after each saved tag, so the table is read again.
    saved: RwSignal<u32>,
) -> impl IntoView {
    let app = use_app();
    let theme = RwSignal::new(None::<Uuid>);
    let split = RwSignal::new(None::<Dimension>);
    let table = LocalResource::new(move || {
        saved.track();
        let query = theme
            .get()
            .zip(split.get())
            .map(|(theme, dimension)| ThemeTableQuery {
                survey: selection.survey.clone(),
                question: question.clone(),
                theme,
                split: split_key(dimension).to_owned(),
                ward: selection.ward.clone(),
                period: selection.period.clone(),
            });
        async move {
            match query {
                Some(query) => ApiClient::for_this_origin()
                    .theme_table(&query)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <Show when=move || !themes.with(Vec::is_empty)>
            <div class="results-filters theme-split no-print">
                <label>
                    {move || app.townhall_texts().themes_split_theme}
                    <select
                        data-test="theme-split-theme"
                        on:change=move |event| theme.set(event_target_value(&event).parse().ok())
                    >
                        <option value="">"—"</option>
                        {move || {
                            themes
                                .get()
                                .into_iter()
                                .map(|listed| {
                                    let chosen = theme.get_untracked() == Some(listed.id);
                                    view! {
                                        <option value=listed.id.to_string() selected=chosen>
                                            {listed.label}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label>
                    {move || app.townhall_texts().results_split}
                    <select
                        data-test="theme-split"
                        on:change=move |event| {
                            let key = event_target_value(&event);
                            split.set(SPLITS.into_iter().find(|dimension| split_key(*dimension) == key));
                        }
                    >
                        <option value="">{move || app.townhall_texts().results_split_none}</option>
                        {SPLITS
                            .into_iter()
                            .map(|dimension| {
                                let chosen = split.get_untracked() == Some(dimension);
                                view! {
                                    <option value=split_key(dimension) selected=chosen>
                                        {move || dimension_label(app.townhall_texts(), dimension)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </Show>
        {move || match table.get() {
            None | Some(Ok(None)) => ().into_any(),
            Some(Err(failure)) => {
                let message = split_failure(&failure);
                view! {
                    <p class="notice notice--error" role="alert" data-test="theme-split-error">
                        {move || app.pick(&message)}
                    </p>
                }
                .into_any()
            }
            Some(Ok(Some(published))) => view! { <CrossTable table=published/> }.into_any(),
        }}
    }
}
