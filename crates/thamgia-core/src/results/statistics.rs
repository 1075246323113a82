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
    interpolated(sorted.len() as u64, p, |index| sorted[index as usize])
}

/// [`quantile`] of values given once each with how many times it was
/// answered, in ascending order of value: the same figure as of the values
/// listed one by one, without listing them (a city's million answers to one
/// question hold a few hundred distinct values).
pub fn quantile_of_counts(counted: &[(f64, u64)], p: f64) -> Option<f64> {
    let total = counted.iter().map(|(_, count)| count).sum();
    interpolated(total, p, |index| order_statistic(counted, index))
}

/// The quantile `p` of `total` values, the value at each index in
/// ascending order given by `at`.
fn interpolated(total: u64, p: f64, at: impl Fn(u64) -> f64) -> Option<f64> {
    let last = total.checked_sub(1)?;
    let position = p.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as u64;
    let above = position.ceil() as u64;
    let fraction = position - below as f64;
    let low = at(below);
    Some(low + (at(above) - low) * fraction)
}

/// The value at `index` (from 0) of the values of `counted` listed one by
/// one in ascending order; the last value past the end.
fn order_statistic(counted: &[(f64, u64)], index: u64) -> f64 {
    let mut seen = 0_u64;
    for &(value, count) in counted {
        seen += count;
        if index < seen {
            return value;
        }
    }
    counted.last().map_or(f64::NAN, |(value, _)| *value)
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
    binned(sorted.iter().map(|value| (*value, 1)), bounds, integer)
}

/// [`histogram`] of values given once each with how many times it was
/// answered, in ascending order of value.
pub fn histogram_of_counts(
    counted: &[(f64, u64)],
    bounds: (Option<f64>, Option<f64>),
    integer: bool,
) -> Vec<Bin> {
    binned(counted.iter().copied(), bounds, integer)
}

/// The histogram of `counted`: values in ascending order, each with its
/// count.
fn binned(
    counted: impl Iterator<Item = (f64, u64)> + Clone,
    bounds: (Option<f64>, Option<f64>),
    integer: bool,
) -> Vec<Bin> {
    let mut present = counted
        .clone()
        .filter(|(_, count)| *count > 0)
        .map(|(value, _)| value);
    let Some(first) = present.next() else {
        return Vec::new();
    };
    let last = present.last().unwrap_or(first);
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
    for (value, answered) in counted {
        let index = (((value - low) / width).floor().max(0.0) as usize).min(count - 1);
        bins[index].count += answered;
    }
    bins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_as_spreadsheets_do() {
        // QUARTILE.INC({1, 2, 4, 8}, 1) = 1.75, median 3, third 5.
        let values = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quartiles(&values), (Some(1.75), Some(5.0)));
        assert_eq!(median(&values), Some(3.0));
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn a_histogram_covers_every_answer_in_at_most_ten_bins() {
        let edges = |bins: Vec<Bin>| -> Vec<(f64, f64, u64)> {
            bins.iter()
                .map(|bin| (bin.from, bin.to, bin.count))
                .collect()
        };
        // Whole numbers 1 to 5: one bin each.
        assert_eq!(
            edges(histogram(
                &[1.0, 1.0, 3.0, 5.0],
                (Some(1.0), Some(5.0)),
                true
            )),
            vec![
                (1.0, 2.0, 2),
                (2.0, 3.0, 0),
                (3.0, 4.0, 1),
                (4.0, 5.0, 0),
                (5.0, 6.0, 1)
            ]
        );
        // Decimals from 0 to 1 without bounds: ten bins, the top value in the last.
        let bins = histogram(&[0.0, 0.05, 0.5, 1.0], (None, None), false);
        assert_eq!(bins.len(), MAX_BINS);
        assert_eq!(bins.iter().map(|bin| bin.count).sum::<u64>(), 4);
        assert_eq!((bins[0].count, bins[5].count, bins[9].count), (2, 1, 1));
        // One value: one bin.
        assert_eq!(
            edges(histogram(&[2.5], (None, None), false)),
            vec![(2.5, 3.5, 1)]
        );
        assert!(histogram(&[], (Some(0.0), Some(10.0)), true).is_empty());
    }

    /// Values from a small generator, many repeated, listed one by one and
    /// counted: every figure is the same, to the bit.
    #[test]
    fn counted_values_give_the_figures_of_the_values_listed_one_by_one() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..200 {
            let length = (next() % 60) as usize;
            let integer = round % 2 == 0;
            let mut values: Vec<f64> = (0..length)
                .map(|_| {
                    let raw = (next() % 40) as f64;
                    if integer {
                        raw
                    } else {
                        raw / 7.0
                    }
                })
                .collect();
            values.sort_by(f64::total_cmp);
            let mut counted: Vec<(f64, u64)> = Vec::new();
            for value in &values {
                match counted.last_mut() {
                    Some((last, count)) if *last == *value => *count += 1,
                    _ => counted.push((*value, 1)),
                }
            }
            for p in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0] {
                assert_eq!(
                    quantile_of_counts(&counted, p).map(f64::to_bits),
                    quantile(&values, p).map(f64::to_bits),
                    "p = {p} of {values:?}"
                );
            }
            let bounds = if round % 3 == 0 {
                (Some(2.0), Some(30.0))
            } else {
                (None, None)
            };
            assert_eq!(
                histogram_of_counts(&counted, bounds, integer),
                histogram(&values, bounds, integer)
            );
        }
        assert_eq!(quantile_of_counts(&[], 0.5), None);
        assert_eq!(quantile_of_counts(&[(3.0, 0)], 0.5), None);
        assert!(histogram_of_counts(&[(3.0, 0)], (None, None), true).is_empty());
    }
}
