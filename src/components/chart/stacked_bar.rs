//! [`StackedBarChart`]: one horizontal bar per group (a column of a split,
//! a ward or period compared), each cut into the shares of its children
//! giving each answer, and their geometry ([`stacked_layout`]).
//!
//! Counts arrive as the server publishes them: a withheld count ("< k" or
//! "—") is never drawn as a share of its own. What a group's withheld
//! counts add up to (its published total less its shown counts, which the
//! table already tells) is drawn as one hatched part, so the bar stays
//! whole and nothing is read into it; a group whose total is withheld is
//! drawn as withheld altogether.

use leptos::prelude::*;
use thamgia_core::Language;

use super::{drawn_width, format_number, label_chars, label_room, truncate_label, CHART_WIDTH};

/// One group's bar: its label, each answer's count (`None`: withheld) and
/// its total (`None`: withheld).
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBar {
    /// What the bar stands for ("Nữ", "Ba Đình", "2026-Q3").
    pub label: String,
    /// One count per answer, in the legend's order.
    pub counts: Vec<Option<u64>>,
    /// The group's children.
    pub total: Option<u64>,
}

/// One part of a bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The answer's place in the legend; `None` for the withheld part.
    pub series: Option<usize>,
    /// Left edge.
    pub x: f64,
    /// Width.
    pub width: f64,
    /// Share of the group's children, 0 to 1.
    pub share: f64,
}

/// One bar laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedRow {
    /// The group's label.
    pub label: String,
    /// Top edge of the bar.
    pub y: f64,
    /// The vertical middle of the row.
    pub middle: f64,
    /// The parts, left to right.
    pub segments: Vec<Segment>,
    /// The group's total is withheld: the bar is one hatched part.
    pub withheld: bool,
}

/// Bars laid out, one per row.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedLayout {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Left edge of the bars.
    pub plot_left: f64,
    /// Right edge of the bars.
    pub plot_right: f64,
    /// The bars, in the order given.
    pub rows: Vec<StackedRow>,
}

const LABEL_WIDTH: f64 = 260.0;
const RIGHT_MARGIN: f64 = 20.0;
const TOP: f64 = 10.0;
const ROW: f64 = 44.0;
const THICKNESS: f64 = 30.0;
/// Parts narrower than this share carry no written percentage.
const LABELLED_SHARE: f64 = 0.08;

/// Lays out one 100 % bar per group of `bars` in a chart `width` wide.
pub fn stacked_layout(bars: &[StackedBar], width: f64) -> StackedLayout {
    let plot_left = label_room(width, LABEL_WIDTH);
    let plot_right = (width - RIGHT_MARGIN).max(plot_left + 1.0);
    let span = plot_right - plot_left;
    let rows = bars
        .iter()
        .enumerate()
        .map(|(index, bar)| {
            let row_top = TOP + ROW * index as f64;
            let mut segments = Vec::new();
            let total = bar.total.filter(|total| *total > 0);
            if let Some(total) = total {
                let mut x = plot_left;
                let mut shown_sum = 0u64;
                for (series, count) in bar.counts.iter().enumerate() {
                    let Some(count) = count else { continue };
                    shown_sum += count;
                    if *count == 0 {
                        continue;
                    }
                    let share = *count as f64 / total as f64;
                    let width = span * share.min(1.0);
                    segments.push(Segment {
                        series: Some(series),
                        x,
                        width,
                        share,
                    });
                    x += width;
                }
                let rest = total.saturating_sub(shown_sum);
                if rest > 0 {
                    let share = rest as f64 / total as f64;
                    segments.push(Segment {
                        series: None,
                        x,
                        width: (plot_right - x).max(0.0),
                        share,
                    });
                }
            }
            StackedRow {
                label: bar.label.clone(),
                y: row_top + (ROW - THICKNESS) / 2.0,
                middle: row_top + ROW / 2.0,
                withheld: bar.total.is_none(),
                segments,
            }
        })
        .collect();
    StackedLayout {
        width,
        height: TOP * 2.0 + ROW * bars.len().max(1) as f64,
        plot_left,
        plot_right,
        rows,
    }
}

/// The CSS class of an answer's colour (eight, then again).
fn series_class(series: Option<usize>) -> String {
    match series {
        Some(series) => format!("stack-part stack-part--{}", series % 8),
        None => "stack-part stack-part--withheld".to_owned(),
    }
}

/// A 100 % stacked bar chart: one bar per group, a legend of the answers.
///
/// `legend` names the answers in the order of each bar's counts;
/// `withheld` names the hatched part ("Số liệu ẩn để bảo vệ trẻ em" /
/// "Figures withheld to protect children"); `title` opens the summary a
/// screen reader reads.
#[component]
pub fn StackedBarChart(
    bars: Vec<StackedBar>,
    legend: Vec<String>,
    withheld: String,
    title: String,
    language: Language,
) -> impl IntoView {
    let layout = stacked_layout(&bars, CHART_WIDTH);
    let percent = move |share: f64| format!("{} %", format_number(share * 100.0, 0, language));
    let summary = {
        let groups: Vec<String> = layout
            .rows
            .iter()
            .map(|row| {
                let parts: Vec<String> = row
                    .segments
                    .iter()
                    .map(|segment| {
                        let name = segment
                            .series
                            .and_then(|series| legend.get(series).cloned())
                            .unwrap_or_else(|| withheld.clone());
                        format!("{name} {}", percent(segment.share))
                    })
                    .collect();
                if row.withheld {
                    format!("{}: {withheld}", row.label)
                } else {
                    format!("{}: {}", row.label, parts.join(", "))
                }
            })
            .collect();
        format!("{title}. {}", groups.join("; "))
    };
    let frame = NodeRef::<leptos::html::Figure>::new();
    let width = drawn_width(frame);
    let (legend_drawn, withheld_drawn) = (legend.clone(), withheld.clone());
    let drawing = move || {
        let (legend, withheld) = (&legend_drawn, &withheld_drawn);
        let layout = stacked_layout(&bars, width.get());
        let view_box = format!("0 0 {} {}", layout.width, layout.height);
        let (left, right) = (layout.plot_left, layout.plot_right);
        let chars = label_chars(left);
        let rows = layout
            .rows
            .iter()
            .map(|row| {
                let parts = row
                    .segments
                    .iter()
                    .map(|segment| {
                        let name = segment
                            .series
                            .and_then(|series| legend.get(series).cloned())
                            .unwrap_or_else(|| withheld.clone());
                        let text = (segment.share >= LABELLED_SHARE).then(|| {
                            view! {
                                <text class="stack-value" x=segment.x + segment.width / 2.0 y=row.middle text-anchor="middle" dominant-baseline="middle">
                                    {percent(segment.share)}
                                </text>
                            }
                        });
                        view! {
                            <g class=series_class(segment.series)>
                                <title>{format!("{}: {name} {}", row.label, percent(segment.share))}</title>
                                <rect x=segment.x y=row.y width=segment.width height=THICKNESS/>
                                {text}
                            </g>
                        }
                    })
                    .collect_view();
                let whole = row.withheld.then(|| {
                    view! {
                        <g class=series_class(None)>
                            <title>{format!("{}: {}", row.label, withheld)}</title>
                            <rect x=left y=row.y width=right - left height=THICKNESS/>
                        </g>
                    }
                });
                view! {
                    <g class="stack-row" data-test="stack-row">
                        <text class="chart-label" x=left - 10.0 y=row.middle text-anchor="end" dominant-baseline="middle">
                            {truncate_label(&row.label, chars)}
                        </text>
                        {parts}
                        {whole}
                    </g>
                }
            })
            .collect_view();
        let summary = summary.clone();
        view! {
            <svg class="chart-svg" viewBox=view_box role="img" aria-label=summary preserveAspectRatio="xMinYMin meet">
                {rows}
            </svg>
        }
    };
    let keys = legend
        .iter()
        .enumerate()
        .map(|(series, name)| {
            view! {
                <li>
                    <span class=format!("stack-key stack-key--{}", series % 8)></span>
                    {name.clone()}
                </li>
            }
        })
        .collect_view();
    view! {
        <figure class="chart stack-chart" data-test="stacked-bar-chart" node_ref=frame>
            {drawing}
            <ul class="stack-legend">
                {keys}
                <li><span class="stack-key stack-key--withheld"></span>{withheld.clone()}</li>
            </ul>
        </figure>
    }
}
