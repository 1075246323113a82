//! [`TargetMeter`]: a small meter of a value against its target, for a
//! table cell, and its geometry ([`meter_geometry`]).

use leptos::prelude::*;

use super::{LinearScale, Tone};

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
