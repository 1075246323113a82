//! One question's published results: who answered, skipped or was not
//! asked, the answers as SVG bars with their counts (or "< k", or "—"), the
//! median and quartiles of numbers and scales, and the children's own
//! words with their themes ([`FreeTextAnswers`]); a split of the answers
//! on demand ([`SplitTable`]).

use leptos::prelude::*;
use thamgia_core::results::suppression::Shown;
use thamgia_core::results::{PublishedDistribution, PublishedQuestion};
use thamgia_core::{Language, Localized};

use super::free_text::FreeTextAnswers;
use super::split_table::SplitTable;
use super::{shown_text, Selection};
use crate::components::chart::{format_number, CountBar, CountBarChart};
use crate::i18n::townhall::townhall_both_with;
use crate::state::use_app;

/// One answer's row: its label and published count.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    label: Localized,
    key: String,
    count: Shown,
}

/// The rows a distribution shows as bars (core's `answer_counts`), and
/// whether its answers can be split (one answer per child).
fn rows_of(distribution: &PublishedDistribution) -> (Vec<Row>, bool) {
    let rows = distribution
        .answer_counts()
        .into_iter()
        .map(|(category, count)| Row {
            label: category.label,
            key: category.key,
            count,
        })
        .collect();
    (rows, distribution.one_answer_each())
}

/// The statistics line of a distribution, if any.
fn statistics(distribution: &PublishedDistribution, language: Language) -> Vec<Localized> {
    let number = |value: f64| format_number(value, 1, language);
    let mut lines = Vec::new();
    let (median, quartiles) = match distribution {
        PublishedDistribution::Scale { median, .. } => (*median, None),
        PublishedDistribution::Numbers {
            median,
            lower_quartile,
            upper_quartile,
            ..
        } => (*median, lower_quartile.zip(*upper_quartile)),
        _ => (None, None),
    };
    if let Some(median) = median {
        lines.push(townhall_both_with(|texts| {
            (texts.results_median)(&number(median))
        }));
    }
    if let Some((lower, upper)) = quartiles {
        lines.push(townhall_both_with(|texts| {
            (texts.results_quartiles)(&number(lower), &number(upper))
        }));
    }
    lines
}

/// One question's card.
#[component]
pub(super) fn QuestionCard(question: PublishedQuestion, selection: Selection) -> impl IntoView {
    let app = use_app();
    let (rows, splittable) = rows_of(&question.distribution);
    let label = question.label.clone();
    let (answered, skipped, not_asked) = (question.answered, question.skipped, question.not_asked);
    let distribution = question.distribution.clone();
    let chart_rows = rows.clone();
    let chart_title = question.label.clone();
    let bars = move || {
        let language = app.language.get();
        let bars: Vec<CountBar> = chart_rows
            .iter()
            .map(|row| CountBar {
                label: row.label.get(language).to_owned(),
                key: row.key.clone(),
                count: row.count.count(),
                text: shown_text(row.count, language),
                shown: shown_text(row.count, Language::En),
                note: row
                    .count
                    .is_suppressed()
                    .then(|| app.townhall_texts().results_hidden.to_owned()),
            })
            .collect();
        (!bars.is_empty()).then(|| {
            view! { <CountBarChart bars title=chart_title.get(language).to_owned()/> }
        })
    };
    let free_text = matches!(
        question.distribution,
        PublishedDistribution::FreeText { .. }
    );
    let question_id = question.question_id.clone();
    view! {
        <article class="card result-question" data-test="result-question" data-question=question.question_id.clone()>
            <h2 class="card-title">{move || app.pick(&label)}</h2>
            <p class="muted" data-test="result-answer-line">
                {move || {
                    let language = app.language.get();
                    (app.townhall_texts().results_answer_line)(
                        &shown_text(answered, language),
                        &shown_text(skipped, language),
                        &shown_text(not_asked, language),
                    )
                }}
            </p>
            {bars}
            {move || {
                statistics(&distribution, app.language.get())
                    .into_iter()
                    .map(|line| view! { <p class="muted">{app.pick(&line)}</p> })
                    .collect_view()
            }}
            {free_text.then(|| view! {
                <FreeTextAnswers question=question_id.clone() selection=selection.clone()/>
            })}
            {splittable.then(|| view! { <SplitTable question=question_id selection/> })}
        </article>
    }
}
