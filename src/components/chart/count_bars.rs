//! [`CountBarChart`]: one horizontal bar per answer, its length the
//! children who gave it against the largest shown count, its published
//! figure written after it ("12", "< 5", "—"), and its geometry
//! ([`count_layout`]). A withheld figure draws no bar: its length would
//! tell what is withheld.

use leptos::prelude::*;

use super::{drawn_width, label_chars, label_room, truncate_label};

/// One answer to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct CountBar {
    /// The answer, as the reader's language writes it.
    pub label: String,
    /// Its key (for the markup).
    pub key: String,
    /// The children, when the figure is shown.
    pub count: Option<u64>,
    /// The figure as published and written ("12", "< 5", "—").
    pub text: String,
    /// The figure in English's writing, for the markup ("< 5").
    pub shown: String,
    /// What a withheld figure's mark says when pointed at.
    pub note: Option<String>,
}

/// One bar laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct CountGeometry {
    /// Top of the bar.
    pub y: f64,
    /// The row's vertical middle.
    pub middle: f64,
    /// The bar's length (0 for a withheld figure).
    pub width: f64,
    /// Where the figure is written.
    pub text_x: f64,
}

/// The bars laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct CountLayout {
    /// viewBox height.
    pub height: f64,
    /// Left edge of the bars.
    pub plot_left: f64,
    /// One per answer, in order.
    pub bars: Vec<CountGeometry>,
}

const LABEL_WIDTH: f64 = 380.0;
const VALUE_WIDTH: f64 = 110.0;
const ROW: f64 = 40.0;
const THICKNESS: f64 = 26.0;

/// Lays the bars of `bars` out against the largest shown count, in a
/// chart `width` wide.
pub fn count_layout(bars: &[CountBar], width: f64) -> CountLayout {
    let plot_left = label_room(width, LABEL_WIDTH);
    let span = (width - VALUE_WIDTH - plot_left).max(0.0);
    let largest = bars.iter().filter_map(|bar| bar.count).max().unwrap_or(0);
    let geometry = bars
        .iter()
        .enumerate()
        .map(|(index, bar)| {
            let width = match bar.count {
                Some(count) if largest > 0 => span * count as f64 / largest as f64,
                _ => 0.0,
            };
            let top = ROW * index as f64;
            CountGeometry {
                y: top + (ROW - THICKNESS) / 2.0,
                middle: top + ROW / 2.0,
                width,
                text_x: plot_left + width + 8.0,
            }
        })
        .collect();
    CountLayout {
        height: ROW * bars.len().max(1) as f64,
        plot_left,
        bars: geometry,
    }
}

/// The answers of one question as bars; `title` opens what a screen
/// reader reads.
#[component]
pub fn CountBarChart(bars: Vec<CountBar>, title: String) -> impl IntoView {
    let summary = format!(
        "{title}. {}",
        bars.iter()
            .map(|bar| format!("{}: {}", bar.label, bar.text))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let frame = NodeRef::<leptos::html::Figure>::new();
    let width = drawn_width(frame);
    let drawing = move || {
        let width = width.get();
        let layout = count_layout(&bars, width);
        let view_box = format!("0 0 {width} {}", layout.height);
        let left = layout.plot_left;
        let chars = label_chars(left);
        let rows = bars
            .iter()
            .cloned()
            .zip(layout.bars)
            .map(|(bar, geometry)| {
                let withheld = bar.count.is_none();
                let class = if withheld {
                    "count-bar count-bar--withheld"
                } else {
                    "count-bar"
                };
                let pointed = bar
                    .note
                    .clone()
                    .map_or_else(|| format!("{}: {}", bar.label, bar.text), |note| {
                        format!("{}: {} ({note})", bar.label, bar.text)
                    });
                view! {
                    <g class=class data-test="result-row" data-key=bar.key data-shown=bar.shown>
                        <title>{pointed}</title>
                        <text class="chart-label" x=left - 10.0 y=geometry.middle text-anchor="end" dominant-baseline="middle">
                            {truncate_label(&bar.label, chars)}
                        </text>
                        <rect class="count-bar-track" x=left y=geometry.y width=(width - VALUE_WIDTH - left).max(0.0) height=THICKNESS rx="4"/>
                        <rect class="count-bar-fill" x=left y=geometry.y width=geometry.width height=THICKNESS rx="4"/>
                        <text class="chart-value" x=geometry.text_x y=geometry.middle dominant-baseline="middle">{bar.text}</text>
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
    view! {
        <figure class="chart count-chart" data-test="count-bar-chart" node_ref=frame>
            {drawing}
        </figure>
    }
}
