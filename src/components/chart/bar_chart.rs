//! [`BarChart`]: horizontal bars, one row per ward, against a dashed
//! target line, and their geometry ([`bar_layout`]).

use leptos::prelude::*;
use thamgia_core::Language;

use super::{
    chart_summary, drawn_width, format_number, format_with_unit, label_chars, label_room,
    truncate_label, value_axis, LinearScale, Tick, Tone, TARGET_DASH,
};

/// One bar to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct BarDatum {
    /// What the bar stands for (a ward's name).
    pub label: String,
    /// Its value.
    pub value: f64,
    /// How it stands against the target.
    pub tone: Tone,
}

/// Where one bar goes.
#[derive(Debug, Clone, PartialEq)]
pub struct BarGeometry {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (never negative: a negative value grows left from zero).
    pub width: f64,
    /// Height.
    pub height: f64,
    /// The vertical middle of the bar's row, for its label and value.
    pub middle: f64,
    /// Where the value is written: just past the bar's far end.
    pub value_x: f64,
    /// The datum drawn.
    pub datum: BarDatum,
}

/// A horizontal bar chart laid out: one row per datum, the value axis along
/// the top, a vertical target line.
#[derive(Debug, Clone, PartialEq)]
pub struct BarLayout {
    /// viewBox width.
    pub width: f64,
    /// viewBox height: grows with the number of bars.
    pub height: f64,
    /// Left edge of the plot; labels are written right-aligned before it.
    pub plot_left: f64,
    /// Right edge of the plot.
    pub plot_right: f64,
    /// Top edge of the plot.
    pub plot_top: f64,
    /// Bottom edge of the plot.
    pub plot_bottom: f64,
    /// Where zero falls.
    pub zero_x: f64,
    /// The axis ticks, positions along x.
    pub ticks: Vec<Tick>,
    /// The bars, in the order given.
    pub bars: Vec<BarGeometry>,
    /// Where the target line falls, if there is a target.
    pub target_x: Option<f64>,
}

const BAR_LABEL_WIDTH: f64 = 250.0;
const BAR_VALUE_WIDTH: f64 = 90.0;
const BAR_TOP: f64 = 30.0;
const BAR_BOTTOM: f64 = 30.0;
const BAR_ROW: f64 = 30.0;
const BAR_THICKNESS: f64 = 20.0;

/// Lays out horizontal bars for `data` against `target` in a chart `width`
/// wide. Data whose value is not finite are left out; a target that is not
/// finite is ignored.
pub fn bar_layout(data: &[BarDatum], target: Option<f64>, width: f64) -> BarLayout {
    let target = target.filter(|target| target.is_finite());
    let data: Vec<&BarDatum> = data
        .iter()
        .filter(|datum| datum.value.is_finite())
        .collect();
    let axis = value_axis(data.iter().map(|datum| datum.value).chain(target), 5);
    let plot_left = label_room(width, BAR_LABEL_WIDTH);
    let plot_right = (width - BAR_VALUE_WIDTH).max(plot_left + 1.0);
    let plot_top = BAR_TOP;
    let plot_bottom = BAR_TOP + BAR_ROW * data.len().max(1) as f64;
    let scale = LinearScale::new((axis.start, axis.end), (plot_left, plot_right));
    let zero_x = scale.map(0.0);
    let bars = data
        .iter()
        .enumerate()
        .map(|(index, datum)| {
            let end = scale.map(datum.value);
            let row_top = plot_top + BAR_ROW * index as f64;
            BarGeometry {
                x: zero_x.min(end),
                y: row_top + (BAR_ROW - BAR_THICKNESS) / 2.0,
                width: (end - zero_x).abs(),
                height: BAR_THICKNESS,
                middle: row_top + BAR_ROW / 2.0,
                value_x: zero_x.max(end) + 6.0,
                datum: (*datum).clone(),
            }
        })
        .collect();
    BarLayout {
        width,
        height: plot_bottom + BAR_BOTTOM,
        plot_left,
        plot_right,
        plot_top,
        plot_bottom,
        zero_x,
        ticks: axis
            .ticks
            .iter()
            .map(|value| Tick {
                value: *value,
                position: scale.map(*value),
            })
            .collect(),
        bars,
        target_x: target.map(|target| scale.map(target)),
    }
}

/// A horizontal bar chart of `bars` against a dashed `target` line.
///
/// `title` opens the `aria-label`; `target_label` names the target line
/// ("Chỉ tiêu" / "Target"); `unit` is written after values ("%", or empty).
#[component]
pub fn BarChart(
    bars: Vec<BarDatum>,
    target: Option<f64>,
    title: String,
    target_label: String,
    unit: String,
    language: Language,
) -> impl IntoView {
    let summary = {
        let layout = bar_layout(&bars, target, super::CHART_WIDTH);
        let items: Vec<(String, f64)> = layout
            .bars
            .iter()
            .map(|bar| (bar.datum.label.clone(), bar.datum.value))
            .collect();
        chart_summary(
            &title,
            &items,
            &target_label,
            &target.into_iter().collect::<Vec<_>>(),
            &unit,
            language,
        )
    };
    let frame = NodeRef::<leptos::html::Figure>::new();
    let width = drawn_width(frame);
    let drawing = move || {
        let layout = bar_layout(&bars, target, width.get());
        let view_box = format!("0 0 {} {}", layout.width, layout.height);
        let (top, bottom) = (layout.plot_top, layout.plot_bottom);
        let chars = label_chars(layout.plot_left);
        let ticks = layout
            .ticks
            .iter()
            .map(|tick| {
                view! {
                    <line class="chart-grid" x1=tick.position x2=tick.position y1=top y2=bottom/>
                    <text class="chart-tick" x=tick.position y=top - 10.0 text-anchor="middle">
                        {format_number(tick.value, 2, language)}
                    </text>
                }
            })
            .collect_view();
        let bar_views = layout
            .bars
            .iter()
            .map(|bar| {
                let value = format_with_unit(bar.datum.value, &unit, language);
                let class = format!("chart-bar chart-bar--{}", bar.datum.tone.class_suffix());
                view! {
                    <g class=class>
                        <title>{format!("{}: {value}", bar.datum.label)}</title>
                        <text class="chart-label" x=layout.plot_left - 10.0 y=bar.middle text-anchor="end" dominant-baseline="middle">
                            {truncate_label(&bar.datum.label, chars)}
                        </text>
                        <rect x=bar.x y=bar.y width=bar.width height=bar.height rx="3"/>
                        <text class="chart-value" x=bar.value_x y=bar.middle dominant-baseline="middle">{value}</text>
                    </g>
                }
            })
            .collect_view();
        let target_line = layout.target_x.zip(target).map(|(x, value)| {
            view! {
                <g class="chart-target">
                    <line x1=x x2=x y1=top - 4.0 y2=bottom + 4.0 stroke-dasharray=TARGET_DASH/>
                    <text x=x y=bottom + 22.0 text-anchor="middle">
                        {format!("{target_label}: {}", format_with_unit(value, &unit, language))}
                    </text>
                </g>
            }
        });
        let summary = summary.clone();
        view! {
            <svg class="chart-svg" viewBox=view_box role="img" aria-label=summary preserveAspectRatio="xMinYMin meet">
                {ticks}
                <line class="chart-axis" x1=layout.zero_x x2=layout.zero_x y1=top y2=bottom/>
                {bar_views}
                {target_line}
            </svg>
        }
    };
    view! {
        <figure class="chart" data-test="bar-chart" node_ref=frame>
            {drawing}
        </figure>
    }
}
