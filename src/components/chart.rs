//! Small SVG charts for the town hall view, with no chart framework.
//!
//! The geometry (scales, ticks, bars, polyline points, target lines) is
//! computed by pure functions from plain data, so it is tested without a DOM;
//! the components [`BarChart`], [`LineChart`] and [`TargetMeter`] only turn
//! that geometry into `<svg viewBox>` elements. Every chart is one image for
//! assistive technology (`role="img"`) with an `aria-label` that states the
//! data, because a screen reader cannot read bars.
//!
//! Each chart is drawn for the width its frame has on the page
//! ([`drawn_width`], followed as the window turns), so one viewBox unit is
//! one CSS pixel and labels keep their 14–15 px on a portrait tablet; label
//! columns narrow on a narrow chart ([`label_room`], [`label_chars`]). Colours come from CSS
//! classes (`style/main.css`, "Town hall"); the dashed target line carries its
//! dash pattern as an attribute so it stays dashed even unstyled.
//!
//! This file holds what every chart shares (scales, axes, number formats,
//! the summary); each chart is a component of its own in `chart/`, beside
//! its geometry.

mod bar_chart;
mod count_bars;
mod line_chart;
mod stacked_bar;
mod target_meter;
#[cfg(test)]
mod tests;

use thamgia_core::Language;

pub use bar_chart::{bar_layout, BarChart, BarDatum, BarGeometry, BarLayout};
pub use count_bars::{count_layout, CountBar, CountBarChart, CountGeometry, CountLayout};
pub use line_chart::{
    label_stride, line_layout, LineChart, LineLayout, LinePoint, PointGeometry, TargetSegment,
};
pub use stacked_bar::{
    stacked_layout, Segment, StackedBar, StackedBarChart, StackedLayout, StackedRow,
};
pub use target_meter::{meter_geometry, MeterGeometry, TargetMeter};

/// Width a chart is drawn for before its frame is measured, and the widest
/// it is drawn for (a wider frame scales it up a little).
pub const CHART_WIDTH: f64 = 1000.0;

/// The narrowest width a chart is drawn for.
pub const MIN_CHART_WIDTH: f64 = 320.0;

/// How wide a label column is in a chart `width` wide: `widest`, or just
/// over a third of a narrow chart.
pub fn label_room(width: f64, widest: f64) -> f64 {
    widest.min(width * 0.36)
}

/// How many characters of a label fit `room` px at the charts' 15 px.
pub fn label_chars(room: f64) -> usize {
    ((room - 10.0) / 9.0).floor().max(6.0) as usize
}

/// The width `frame` is drawn at, in CSS px (between [`MIN_CHART_WIDTH`]
/// and [`CHART_WIDTH`]), read once it is on the page and again whenever
/// the window is resized or turned.
pub fn drawn_width(
    frame: leptos::prelude::NodeRef<leptos::html::Figure>,
) -> leptos::prelude::ReadSignal<f64> {
    use leptos::prelude::*;
    let (width, set_width) = signal(CHART_WIDTH);
    let measure = move || {
        if let Some(element) = frame.get_untracked() {
            let measured = f64::from(element.client_width());
            if measured > 0.0 {
                set_width.set(measured.clamp(MIN_CHART_WIDTH, CHART_WIDTH));
            }
        }
    };
    Effect::new(move |_| {
        if frame.get().is_some() {
            measure();
        }
    });
    let resized = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resized.remove());
    width
}

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
