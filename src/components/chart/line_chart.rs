//! [`LineChart`]: a line through evenly spaced points with their targets
//! as a dashed step line, and its geometry ([`line_layout`]).

use leptos::prelude::*;
use thamgia_core::Language;

use super::{
    chart_summary, drawn_width, format_number, format_with_unit, polyline_points, value_axis,
    LinearScale, Tick, CHART_WIDTH, TARGET_DASH,
};

/// One point of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePoint {
    /// What the point stands for (a period's name).
    pub label: String,
    /// Its value.
    pub value: f64,
    /// The target that applies to it, if any.
    pub target: Option<f64>,
}

/// Where one point goes.
#[derive(Debug, Clone, PartialEq)]
pub struct PointGeometry {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
    /// The point drawn.
    pub point: LinePoint,
    /// Whether its label is written under the axis (labels are thinned out
    /// when there are too many to fit).
    pub labelled: bool,
}

/// A horizontal stretch of target line, over the points that share a target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSegment {
    /// Left end.
    pub x1: f64,
    /// Right end.
    pub x2: f64,
    /// Height.
    pub y: f64,
    /// The target.
    pub value: f64,
}

/// A line chart laid out: points evenly spaced in the order given, a value
/// axis on the left, the target as a dashed step line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineLayout {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Left edge of the plot; tick labels are written before it.
    pub plot_left: f64,
    /// Right edge of the plot.
    pub plot_right: f64,
    /// Top edge of the plot.
    pub plot_top: f64,
    /// Bottom edge of the plot; point labels are written under it.
    pub plot_bottom: f64,
    /// The axis ticks, positions along y.
    pub ticks: Vec<Tick>,
    /// The points, in the order given.
    pub points: Vec<PointGeometry>,
    /// The `points` attribute of the polyline through them.
    pub polyline: String,
    /// The target line, one segment per run of points sharing a target.
    pub targets: Vec<TargetSegment>,
}

const LINE_HEIGHT: f64 = 360.0;
const LINE_LEFT: f64 = 70.0;
const LINE_RIGHT: f64 = 110.0;
const LINE_TOP: f64 = 30.0;
const LINE_BOTTOM: f64 = 50.0;
const LINE_INSET: f64 = 30.0;
/// Room one point label needs under the axis.
const LINE_LABEL_ROOM: f64 = 120.0;

/// Every how many points a label is written so that `count` labels fit in
/// `room` viewBox units: 1 when they all fit.
pub fn label_stride(count: usize, room: f64) -> usize {
    let fitting = ((room / LINE_LABEL_ROOM).floor() as usize).max(1);
    count.div_ceil(fitting).max(1)
}

/// Lays out `points` as a line with their targets in a chart `width` wide.
/// Points whose value is not finite are left out.
pub fn line_layout(points: &[LinePoint], width: f64) -> LineLayout {
    let points: Vec<&LinePoint> = points
        .iter()
        .filter(|point| point.value.is_finite())
        .collect();
    let targets_of = |point: &&LinePoint| point.target.filter(|target| target.is_finite());
    let axis = value_axis(
        points
            .iter()
            .map(|point| point.value)
            .chain(points.iter().filter_map(targets_of)),
        5,
    );
    let plot_left = LINE_LEFT;
    let plot_right = (width - LINE_RIGHT).max(LINE_LEFT + 2.0 * LINE_INSET + 1.0);
    let plot_top = LINE_TOP;
    let plot_bottom = LINE_HEIGHT - LINE_BOTTOM;
    let y_scale = LinearScale::new((axis.start, axis.end), (plot_bottom, plot_top));
    let first_x = plot_left + LINE_INSET;
    let last_x = plot_right - LINE_INSET;
    let gap = if points.len() > 1 {
        (last_x - first_x) / (points.len() - 1) as f64
    } else {
        last_x - first_x
    };
    let x_of = |index: usize| {
        if points.len() > 1 {
            first_x + gap * index as f64
        } else {
            (first_x + last_x) / 2.0
        }
    };
    let stride = label_stride(points.len(), last_x - first_x + LINE_LABEL_ROOM);
    let geometry: Vec<PointGeometry> = points
        .iter()
        .enumerate()
        .map(|(index, point)| PointGeometry {
            x: x_of(index),
            y: y_scale.map(point.value),
            point: (*point).clone(),
            labelled: index % stride == 0,
        })
        .collect();
    let polyline = polyline_points(
        &geometry
            .iter()
            .map(|point| (point.x, point.y))
            .collect::<Vec<_>>(),
    );
    // Consecutive points with the same target share one segment, which
    // reaches halfway to the neighbouring points: a step at each milestone.
    let mut targets: Vec<TargetSegment> = Vec::new();
    let mut previous: Option<f64> = None;
    for (index, point) in points.iter().enumerate() {
        let target = targets_of(point);
        let x1 = (x_of(index) - gap / 2.0).max(plot_left);
        let x2 = (x_of(index) + gap / 2.0).min(plot_right);
        match (target, targets.last_mut()) {
            (Some(value), Some(segment)) if previous == Some(value) => segment.x2 = x2,
            (Some(value), _) => targets.push(TargetSegment {
                x1,
                x2,
                y: y_scale.map(value),
                value,
            }),
            (None, _) => {}
        }
        previous = target;
    }
    LineLayout {
        width,
        height: LINE_HEIGHT,
        plot_left,
        plot_right,
        plot_top,
        plot_bottom,
        ticks: axis
            .ticks
            .iter()
            .map(|value| Tick {
                value: *value,
                position: y_scale.map(*value),
            })
            .collect(),
        points: geometry,
        polyline,
        targets,
    }
}

/// A line chart of `points` (in order, evenly spaced) with their targets as a
/// dashed step line. Props as for [`BarChart`].
///
/// [`BarChart`]: super::BarChart
#[component]
pub fn LineChart(
    points: Vec<LinePoint>,
    title: String,
    target_label: String,
    unit: String,
    language: Language,
) -> impl IntoView {
    let layout = line_layout(&points, CHART_WIDTH);
    let items: Vec<(String, f64)> = layout
        .points
        .iter()
        .map(|point| (point.point.label.clone(), point.point.value))
        .collect();
    let mut distinct_targets: Vec<f64> = Vec::new();
    for segment in &layout.targets {
        if !distinct_targets.contains(&segment.value) {
            distinct_targets.push(segment.value);
        }
    }
    let summary = chart_summary(
        &title,
        &items,
        &target_label,
        &distinct_targets,
        &unit,
        language,
    );
    let frame = NodeRef::<leptos::html::Figure>::new();
    let width = drawn_width(frame);
    let drawing = move || {
        let layout = line_layout(&points, width.get());
        let view_box = format!("0 0 {} {}", layout.width, layout.height);
        let (left, right, bottom) = (layout.plot_left, layout.plot_right, layout.plot_bottom);
        let ticks = layout
            .ticks
            .iter()
            .map(|tick| {
                view! {
                    <line class="chart-grid" x1=left x2=right y1=tick.position y2=tick.position/>
                    <text class="chart-tick" x=left - 10.0 y=tick.position text-anchor="end" dominant-baseline="middle">
                        {format_number(tick.value, 2, language)}
                    </text>
                }
            })
            .collect_view();
        let targets = layout
            .targets
            .iter()
            .map(|segment| {
                view! {
                    <g class="chart-target">
                        <line x1=segment.x1 x2=segment.x2 y1=segment.y y2=segment.y stroke-dasharray=TARGET_DASH/>
                        <text x=segment.x2 + 6.0 y=segment.y dominant-baseline="middle">
                            {format!("{target_label}: {}", format_with_unit(segment.value, &unit, language))}
                        </text>
                    </g>
                }
            })
            .collect_view();
        let show_values = layout.points.len() <= 12;
        let points_view = layout
            .points
            .iter()
            .map(|point| {
                let value = format_with_unit(point.point.value, &unit, language);
                let label = point.labelled.then(|| {
                    view! {
                        <text class="chart-tick" x=point.x y=bottom + 24.0 text-anchor="middle">{point.point.label.clone()}</text>
                    }
                });
                let value_label = show_values.then(|| {
                    view! {
                        <text class="chart-value" x=point.x y=point.y - 12.0 text-anchor="middle">{value.clone()}</text>
                    }
                });
                view! {
                    <g class="chart-point">
                        <title>{format!("{}: {value}", point.point.label)}</title>
                        <circle cx=point.x cy=point.y r="6"/>
                        {value_label}
                        {label}
                    </g>
                }
            })
            .collect_view();
        let summary = summary.clone();
        view! {
            <svg class="chart-svg" viewBox=view_box role="img" aria-label=summary preserveAspectRatio="xMinYMin meet">
                {ticks}
                <line class="chart-axis" x1=left x2=right y1=bottom y2=bottom/>
                {targets}
                <polyline class="chart-line" points=layout.polyline.clone() fill="none"/>
                {points_view}
            </svg>
        }
    };
    view! {
        <figure class="chart" data-test="line-chart" node_ref=frame>
            {drawing}
        </figure>
    }
}
