//! The statistics of numeric answers: median and quartiles (linear
//! interpolation between order statistics, the definition of R's default
//! type 7 and of spreadsheets' `QUARTILE.INC`, so an officer can check a
//! figure in Excel), and a histogram.

use serde::{Deserialize, Serialize};

/// One bar of a histogram: the answers `from <= x < to` (the last bin
/// also holds `x == to`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Lower edge, included.
    pub from: f64,
    /// Upper edge, excluded (included for the last bin).
    pub to: f64,
    /// How many answers fall in it.
    pub count: u64,
}

/// The most bins a histogram has: enough to see a shape on a portrait
/// tablet, few enough that each bar holds several children.
pub const MAX_BINS: usize = 10;

/// The quantile `p` (0 to 1) of `sorted` values, interpolated between the
/// two nearest order statistics; `None` for no values.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = p.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

/// The median of `sorted` values.
pub fn median(sorted: &[f64]) -> Option<f64> {
    quantile(sorted, 0.5)
}

/// The first and third quartiles of `sorted` values.
pub fn quartiles(sorted: &[f64]) -> (Option<f64>, Option<f64>) {
    (quantile(sorted, 0.25), quantile(sorted, 0.75))
}

/// A histogram of `sorted` values. The range is the question's bounds
/// where it has them, else the answers' own. A whole-number question whose
/// range holds at most [`MAX_BINS`] values gets one bin per value;
/// otherwise the range is cut into [`MAX_BINS`] equal bins (whole-number
/// wide for a whole-number question).
pub fn histogram(sorted: &[f64], bounds: (Option<f64>, Option<f64>), integer: bool) -> Vec<Bin> {
    let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    // Answers outside the bounds (an older version's) widen the range.
    let low = bounds.0.map_or(first, |bound| bound.min(first));
    let high = bounds.1.map_or(last, |bound| bound.max(last));
    let (low, high, width) = if integer {
        let low = low.floor();
        let high = high.floor();
        let values = high - low + 1.0;
        let width = (values / MAX_BINS as f64).ceil().max(1.0);
        (low, low + width * (values / width).ceil(), width)
    } else if high > low {
        (low, high, (high - low) / MAX_BINS as f64)
    } else {
        (low, low + 1.0, 1.0)
    };
    let count = (((high - low) / width).round() as usize).max(1);
    let mut bins: Vec<Bin> = (0..count)
        .map(|index| Bin {
            from: low + width * index as f64,
            to: if index + 1 == count {
                high
            } else {
                low + width * (index + 1) as f64
            },
            count: 0,
        })
        .collect();
    for value in sorted {
        let index = (((value - low) / width).floor().max(0.0) as usize).min(count - 1);
        bins[index].count += 1;
    }
    bins
}
