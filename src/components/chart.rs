//! Small SVG charts for the town hall view, with no chart framework.
//!
//! The geometry (scales, ticks, bars, polyline points, target lines) is
//! computed by pure functions from plain data, so it is tested without a DOM;
//! the components [`BarChart`], [`LineChart`] and [`TargetMeter`] only turn
//! that geometry into `<svg viewBox>` elements. Every chart is one image for
//! assistive technology (`role="img"`) with an `aria-label` that states the
//! data, because a screen reader cannot read bars.
//!
//! Coordinates are in viewBox units; the SVG scales to its container's width
//! (about 1100 CSS pixels on a 1280×800 tablet). Colours come from CSS
//! classes (`style/main.css`, "Town hall"); the dashed target line carries its
//! dash pattern as an attribute so it stays dashed even unstyled.

use leptos::prelude::*;
use thamgia_core::Language;

/// Width of every chart's viewBox.
pub const CHART_WIDTH: f64 = 1000.0;

/// Dash pattern of target lines.
const TARGET_DASH: &str = "8 6";

/// How a value stands against its target; styles the bar or meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// At the target or on its better side.
    Meets,
    /// On the worse side of the target.
    Misses,
    /// No target to compare with.
    Neutral,
}

impl Tone {
    /// The tone of a comparison: `Some(true)` meets, `Some(false)` misses,
    /// `None` has nothing to compare with.
    pub fn from_meets(meets: Option<bool>) -> Tone {
        match meets {
            Some(true) => Tone::Meets,
            Some(false) => Tone::Misses,
            None => Tone::Neutral,
        }
    }

    /// The suffix of the CSS class: `chart-bar--meets` and so on.
    pub fn class_suffix(self) -> &'static str {
        match self {
            Tone::Meets => "meets",
            Tone::Misses => "misses",
            Tone::Neutral => "neutral",
        }
    }
}

/// A linear map from data values to SVG coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    domain: (f64, f64),
    range: (f64, f64),
}

impl LinearScale {
    /// Maps `domain.0` to `range.0` and `domain.1` to `range.1` (a range may
    /// run backwards, as a y axis does).
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> LinearScale {
        LinearScale { domain, range }
    }

    /// The coordinate of `value`. An empty domain maps everything to the
    /// start of the range rather than dividing by zero.
    pub fn map(&self, value: f64) -> f64 {
        let span = self.domain.1 - self.domain.0;
        if span == 0.0 || !span.is_finite() {
            return self.range.0;
        }
        self.range.0 + (value - self.domain.0) / span * (self.range.1 - self.range.0)
    }
}

/// A "nice" distance between ticks (1, 2 or 5 times a power of ten) that
/// cuts `span` into about `count` steps; 1 when `span` is empty or not finite.
pub fn nice_step(span: f64, count: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / count.max(1) as f64;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A value axis: where it starts and ends, and its ticks, all multiples of
/// one nice step.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The smallest value shown.
    pub start: f64,
    /// The largest value shown.
    pub end: f64,
    /// The tick values, from `start` to `end`.
    pub ticks: Vec<f64>,
}

/// The axis for `values` (targets included by the caller): it always shows
/// zero, so bars and lines are not exaggerated, and ends on a tick at or above
/// the largest value. Values that are not finite are ignored; with none left,
/// or all zero, the axis runs from 0 to 1.
pub fn value_axis(values: impl IntoIterator<Item = f64>, tick_count: usize) -> Axis {
    let (mut low, mut high) = (0.0_f64, 0.0_f64);
    for value in values.into_iter().filter(|value| value.is_finite()) {
        low = low.min(value);
        high = high.max(value);
    }
    if high - low <= 0.0 {
        high = low + 1.0;
    }
    let step = nice_step(high - low, tick_count);
    let first = (low / step).floor() as i64;
    let last = (high / step).ceil() as i64;
    let ticks = (first..=last).map(|index| index as f64 * step).collect();
    Axis {
        start: first as f64 * step,
        end: last as f64 * step,
        ticks,
    }
}

/// A number as people read it: at most `decimals` decimals, trailing zeros
/// dropped, thousands grouped; "12.345,6" in Vietnamese, "12,345.6" in
/// English. A value that is not finite is shown as "—".
pub fn format_number(value: f64, decimals: usize, language: Language) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let (group_separator, decimal_separator) = match language {
        Language::Vi => ('.', ','),
        Language::En => (',', '.'),
    };
    let fixed = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((fixed.as_str(), ""));
    let fraction = fraction.trim_end_matches('0');
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(group_separator);
        }
        grouped.push(digit);
    }
    let is_zero = whole.chars().all(|digit| digit == '0') && fraction.is_empty();
    let sign = if value < 0.0 && !is_zero { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{decimal_separator}{fraction}")
    }
}

/// A number with its unit ("30,5 %"), joined by a no-break space; `unit` may
/// be empty.
pub fn format_with_unit(value: f64, unit: &str, language: Language) -> String {
    let number = format_number(value, 1, language);
    if unit.is_empty() {
        number
    } else {
        format!("{number}\u{a0}{unit}")
    }
}

/// `label` cut to `max_chars` characters, with "…" when cut.
pub fn truncate_label(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        return label.to_owned();
    }
    let kept: String = label.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// SVG `points` of a polyline: "x,y x,y …", one decimal.
pub fn polyline_points(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a chart's `aria-label` says: the title, every item with its value,
/// then the target or targets.
pub fn chart_summary(
    title: &str,
    items: &[(String, f64)],
    target_label: &str,
    targets: &[f64],
    unit: &str,
    language: Language,
) -> String {
    let values = items
        .iter()
        .map(|(label, value)| format!("{label}: {}", format_with_unit(*value, unit, language)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut summary = format!("{title}. {values}.");
    if !targets.is_empty() {
        let targets = targets
            .iter()
            .map(|target| format_with_unit(*target, unit, language))
            .collect::<Vec<_>>()
            .join(", ");
        summary.push_str(&format!(" {target_label}: {targets}."));
    }
    summary
}

/// One tick of a value axis and where it falls.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The value.
    pub value: f64,
    /// Its coordinate along the axis.
    pub position: f64,
}

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

/// Lays out horizontal bars for `data` against `target`. Data whose value is
/// not finite are left out; a target that is not finite is ignored.
pub fn bar_layout(data: &[BarDatum], target: Option<f64>) -> BarLayout {
    let target = target.filter(|target| target.is_finite());
    let data: Vec<&BarDatum> = data
        .iter()
        .filter(|datum| datum.value.is_finite())
        .collect();
    let axis = value_axis(data.iter().map(|datum| datum.value).chain(target), 5);
    let plot_left = BAR_LABEL_WIDTH;
    let plot_right = CHART_WIDTH - BAR_VALUE_WIDTH;
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
        width: CHART_WIDTH,
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

/// Lays out `points` as a line with their targets. Points whose value is not
/// finite are left out.
pub fn line_layout(points: &[LinePoint]) -> LineLayout {
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
    let plot_right = CHART_WIDTH - LINE_RIGHT;
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
        width: CHART_WIDTH,
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

/// A small meter: how far a value has come against its target.
#[derive(Debug, Clone, PartialEq)]
pub struct MeterGeometry {
    /// Width of the value's bar (0 without a value).
    pub value_width: f64,
    /// Where the target mark falls, if there is a target.
    pub target_x: Option<f64>,
    /// How the value stands against the target (higher is better).
    pub tone: Tone,
}

/// Lays out a meter `width` wide: the target sits at four fifths of the
/// track so that a value past it still shows, and the track grows when a
/// value goes further. Negative and non-finite inputs count as absent.
pub fn meter_geometry(value: Option<f64>, target: Option<f64>, width: f64) -> MeterGeometry {
    let value = value.filter(|value| value.is_finite() && *value >= 0.0);
    let target = target.filter(|target| target.is_finite() && *target > 0.0);
    let full = target
        .map(|target| target / 0.8)
        .into_iter()
        .chain(value)
        .fold(0.0_f64, f64::max);
    let scale = LinearScale::new((0.0, if full > 0.0 { full } else { 1.0 }), (0.0, width));
    MeterGeometry {
        value_width: value.map_or(0.0, |value| scale.map(value)),
        target_x: target.map(|target| scale.map(target)),
        tone: match (value, target) {
            (Some(value), Some(target)) => Tone::from_meets(Some(value >= target)),
            _ => Tone::Neutral,
        },
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
    let layout = bar_layout(&bars, target);
    let items: Vec<(String, f64)> = layout
        .bars
        .iter()
        .map(|bar| (bar.datum.label.clone(), bar.datum.value))
        .collect();
    let summary = chart_summary(
        &title,
        &items,
        &target_label,
        &target.into_iter().collect::<Vec<_>>(),
        &unit,
        language,
    );
    let view_box = format!("0 0 {} {}", layout.width, layout.height);
    let (top, bottom) = (layout.plot_top, layout.plot_bottom);
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
                        {truncate_label(&bar.datum.label, 26)}
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
    view! {
        <figure class="chart" data-test="bar-chart">
            <svg class="chart-svg" viewBox=view_box role="img" aria-label=summary preserveAspectRatio="xMinYMin meet">
                {ticks}
                <line class="chart-axis" x1=layout.zero_x x2=layout.zero_x y1=top y2=bottom/>
                {bar_views}
                {target_line}
            </svg>
        </figure>
    }
}

/// A line chart of `points` (in order, evenly spaced) with their targets as a
/// dashed step line. Props as for [`BarChart`].
#[component]
pub fn LineChart(
    points: Vec<LinePoint>,
    title: String,
    target_label: String,
    unit: String,
    language: Language,
) -> impl IntoView {
    let layout = line_layout(&points);
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
    view! {
        <figure class="chart" data-test="line-chart">
            <svg class="chart-svg" viewBox=view_box role="img" aria-label=summary preserveAspectRatio="xMinYMin meet">
                {ticks}
                <line class="chart-axis" x1=left x2=right y1=bottom y2=bottom/>
                {targets}
                <polyline class="chart-line" points=layout.polyline.clone() fill="none"/>
                {points_view}
            </svg>
        </figure>
    }
}

/// A small meter of `value` against `target` (higher is better), for a table
/// cell; `label` is its `aria-label`.
#[component]
pub fn TargetMeter(value: Option<f64>, target: Option<f64>, label: String) -> impl IntoView {
    const WIDTH: f64 = 120.0;
    const HEIGHT: f64 = 16.0;
    let meter = meter_geometry(value, target, WIDTH);
    let class = format!("meter meter--{}", meter.tone.class_suffix());
    view! {
        <svg class=class viewBox=format!("0 0 {WIDTH} {HEIGHT}") width=WIDTH height=HEIGHT role="img" aria-label=label>
            <rect class="meter-track" x="0" y="3" width=WIDTH height="10" rx="5"/>
            <rect class="meter-value" x="0" y="3" width=meter.value_width height="10" rx="5"/>
            {meter.target_x.map(|x| view! {
                <line class="meter-target" x1=x x2=x y1="0" y2=HEIGHT/>
            })}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use thamgia_core::Language;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn close(left: f64, right: f64) -> bool {
        (left - right).abs() < 1e-6
    }

    fn bar(label: &str, value: f64) -> BarDatum {
        BarDatum {
            label: label.to_owned(),
            value,
            tone: Tone::Neutral,
        }
    }

    fn point(label: &str, value: f64, target: Option<f64>) -> LinePoint {
        LinePoint {
            label: label.to_owned(),
            value,
            target,
        }
    }

    #[wasm_bindgen_test]
    fn a_scale_maps_its_domain_onto_its_range_even_backwards() {
        let scale = LinearScale::new((0.0, 50.0), (100.0, 600.0));
        assert!(close(scale.map(0.0), 100.0));
        assert!(close(scale.map(25.0), 350.0));
        assert!(close(scale.map(50.0), 600.0));
        let y = LinearScale::new((0.0, 10.0), (300.0, 20.0));
        assert!(close(y.map(0.0), 300.0));
        assert!(close(y.map(10.0), 20.0));
        // An empty domain does not divide by zero.
        assert!(close(
            LinearScale::new((3.0, 3.0), (5.0, 9.0)).map(3.0),
            5.0
        ));
    }

    #[wasm_bindgen_test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert!(close(nice_step(100.0, 5), 20.0));
        assert!(close(nice_step(35.0, 5), 10.0));
        assert!(close(nice_step(7.3, 5), 2.0));
        assert!(close(nice_step(0.9, 5), 0.2));
        assert!(close(nice_step(12_000.0, 5), 5_000.0));
        assert!(close(nice_step(0.0, 5), 1.0));
        assert!(close(nice_step(f64::NAN, 5), 1.0));
    }

    #[wasm_bindgen_test]
    fn the_axis_starts_at_zero_and_covers_values_and_target() {
        let axis = value_axis([12.5, 27.0, 35.0], 5);
        assert!(close(axis.start, 0.0));
        assert!(close(axis.end, 40.0));
        assert_eq!(axis.ticks.len(), 5);
        assert!(axis
            .ticks
            .iter()
            .zip([0.0, 10.0, 20.0, 30.0, 40.0])
            .all(|(a, b)| close(*a, b)));
        // Negative values stretch it below zero.
        let axis = value_axis([-3.0, 8.0], 5);
        assert!(axis.start <= -3.0 && axis.end >= 8.0);
        assert!(axis.ticks.iter().any(|tick| close(*tick, 0.0)));
        // Nothing, zeros and non-finite values give 0 to 1.
        for values in [vec![], vec![0.0, 0.0], vec![f64::NAN, f64::INFINITY]] {
            let axis = value_axis(values, 5);
            assert!(close(axis.start, 0.0) && close(axis.end, 1.0));
        }
    }

    #[wasm_bindgen_test]
    fn numbers_are_written_the_way_each_language_reads_them() {
        assert_eq!(format_number(12_345.67, 1, Language::Vi), "12.345,7");
        assert_eq!(format_number(12_345.67, 1, Language::En), "12,345.7");
        assert_eq!(format_number(30.0, 1, Language::Vi), "30");
        assert_eq!(format_number(0.30000000000000004, 2, Language::En), "0.3");
        assert_eq!(format_number(-2.5, 1, Language::Vi), "-2,5");
        assert_eq!(format_number(-0.01, 1, Language::En), "0");
        assert_eq!(format_number(999.0, 0, Language::En), "999");
        assert_eq!(format_number(1_000_000.0, 0, Language::Vi), "1.000.000");
        assert_eq!(format_number(f64::NAN, 1, Language::Vi), "—");
        assert_eq!(format_with_unit(30.5, "%", Language::Vi), "30,5\u{a0}%");
        assert_eq!(format_with_unit(4.0, "", Language::En), "4");
    }

    #[wasm_bindgen_test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(truncate_label("Phường Hoàn Kiếm", 26), "Phường Hoàn Kiếm");
        assert_eq!(truncate_label("Phường Đống Đa", 8), "Phường…");
        assert_eq!(truncate_label("Phường Đống Đa", 8).chars().count(), 7);
    }

    #[wasm_bindgen_test]
    fn polyline_points_are_pairs_separated_by_spaces() {
        assert_eq!(
            polyline_points(&[(1.0, 2.0), (3.25, 4.0)]),
            "1.0,2.0 3.2,4.0"
        );
        assert_eq!(polyline_points(&[]), "");
    }

    #[wasm_bindgen_test]
    fn bars_grow_from_zero_in_proportion_to_their_values() {
        let layout = bar_layout(
            &[bar("A", 10.0), bar("B", 20.0), bar("C", f64::NAN)],
            Some(30.0),
        );
        // The non-finite value is left out.
        assert_eq!(layout.bars.len(), 2);
        let (first, second) = (&layout.bars[0], &layout.bars[1]);
        assert!(close(first.x, layout.zero_x) && close(second.x, layout.zero_x));
        assert!(close(second.width, 2.0 * first.width));
        // One row each, top to bottom, inside the plot.
        assert!(second.y > first.y);
        assert!(second.y + second.height <= layout.plot_bottom);
        assert!(layout.height > layout.plot_bottom);
        // The target falls at 30 on an axis from 0 to 30.
        let target_x = layout.target_x.unwrap_or_default();
        assert!(close(target_x, layout.plot_right));
        assert!(close(first.x + 3.0 * first.width, target_x));
        // Ticks run left to right along the plot.
        assert!(close(layout.ticks[0].position, layout.plot_left));
        assert!(layout
            .ticks
            .windows(2)
            .all(|pair| pair[0].position < pair[1].position));
    }

    #[wasm_bindgen_test]
    fn a_negative_bar_grows_left_from_zero() {
        let layout = bar_layout(&[bar("A", -5.0), bar("B", 5.0)], None);
        let (negative, positive) = (&layout.bars[0], &layout.bars[1]);
        assert!(close(negative.x + negative.width, layout.zero_x));
        assert!(close(negative.width, positive.width));
        assert!(layout.target_x.is_none());
    }

    #[wasm_bindgen_test]
    fn the_line_goes_through_evenly_spaced_points() {
        let layout = line_layout(&[
            point("Q1", 10.0, Some(30.0)),
            point("Q2", 20.0, Some(30.0)),
            point("Q3", 40.0, Some(35.0)),
        ]);
        let xs: Vec<f64> = layout.points.iter().map(|point| point.x).collect();
        assert!(close(xs[1] - xs[0], xs[2] - xs[1]));
        // Higher values are higher up, that is smaller y.
        assert!(layout.points[2].y < layout.points[1].y && layout.points[1].y < layout.points[0].y);
        assert!(layout
            .points
            .iter()
            .all(|point| point.y >= layout.plot_top && point.y <= layout.plot_bottom));
        assert_eq!(layout.polyline.split(' ').count(), 3);
        // Two milestones: a step from 30 to 35, between Q2 and Q3.
        assert_eq!(layout.targets.len(), 2);
        assert!(close(layout.targets[0].value, 30.0) && close(layout.targets[1].value, 35.0));
        assert!(close(layout.targets[0].x2, layout.targets[1].x1));
        assert!(close(layout.targets[0].x2, (xs[1] + xs[2]) / 2.0));
        assert!(layout.targets[1].y < layout.targets[0].y);
        // The y ticks run bottom to top.
        assert!(close(layout.ticks[0].position, layout.plot_bottom));
    }

    #[wasm_bindgen_test]
    fn a_gap_in_targets_breaks_the_target_line() {
        let layout = line_layout(&[
            point("2024", 10.0, Some(30.0)),
            point("2027", 20.0, None),
            point("2030", 25.0, Some(30.0)),
        ]);
        assert_eq!(layout.targets.len(), 2);
        let single = line_layout(&[point("Q1", 12.0, Some(30.0))]);
        assert_eq!(single.points.len(), 1);
        assert!(single.points[0].x > single.plot_left && single.points[0].x < single.plot_right);
        assert_eq!(single.targets.len(), 1);
        assert!(
            single.targets[0].x1 >= single.plot_left && single.targets[0].x2 <= single.plot_right
        );
        assert!(line_layout(&[]).points.is_empty());
    }

    #[wasm_bindgen_test]
    fn labels_are_thinned_out_when_they_do_not_fit() {
        assert_eq!(label_stride(6, 900.0), 1);
        assert_eq!(label_stride(24, 960.0), 3);
        assert_eq!(label_stride(0, 900.0), 1);
        let points: Vec<LinePoint> = (0..24)
            .map(|index| point(&index.to_string(), 1.0, None))
            .collect();
        let layout = line_layout(&points);
        let labelled = layout.points.iter().filter(|point| point.labelled).count();
        assert!((6..24).contains(&labelled), "{labelled} labels");
    }

    #[wasm_bindgen_test]
    fn the_meter_puts_the_target_at_four_fifths() {
        let meter = meter_geometry(Some(12.0), Some(30.0), 120.0);
        assert!(close(meter.target_x.unwrap_or_default(), 96.0));
        assert!(close(meter.value_width, 38.4));
        assert_eq!(meter.tone, Tone::Misses);
        let past = meter_geometry(Some(75.0), Some(30.0), 120.0);
        assert!(close(past.value_width, 120.0));
        assert!(close(past.target_x.unwrap_or_default(), 48.0));
        assert_eq!(past.tone, Tone::Meets);
        let alone = meter_geometry(None, None, 120.0);
        assert!(close(alone.value_width, 0.0) && alone.target_x.is_none());
        assert_eq!(alone.tone, Tone::Neutral);
        assert_eq!(
            meter_geometry(Some(f64::NAN), Some(30.0), 120.0).value_width,
            0.0
        );
    }

    #[wasm_bindgen_test]
    fn the_summary_states_every_value_and_the_target() {
        let summary = chart_summary(
            "Tỷ lệ tham gia",
            &[("Phường A".to_owned(), 12.5), ("Xã B".to_owned(), 40.0)],
            "Chỉ tiêu",
            &[30.0],
            "%",
            Language::Vi,
        );
        assert_eq!(
            summary,
            "Tỷ lệ tham gia. Phường A: 12,5\u{a0}%; Xã B: 40\u{a0}%. Chỉ tiêu: 30\u{a0}%."
        );
        let without = chart_summary(
            "T",
            &[("A".to_owned(), 1.0)],
            "Target",
            &[],
            "",
            Language::En,
        );
        assert_eq!(without, "T. A: 1.");
    }
}
