//! XPath's `round()`, with ODK's number of digits.

/// Rounds `number` to `digits` decimals (negative: to tens, hundreds…), halves
/// going toward positive infinity as XPath's `round()` does.
pub(super) fn round(number: f64, digits: f64) -> f64 {
    if !number.is_finite() || digits.is_nan() {
        return if digits.is_nan() { f64::NAN } else { number };
    }
    // Beyond ±400 digits the power of ten is infinite either way. Negative
    // digits divide by a power of ten rather than multiply by its inverse,
    // which is not exact in binary (0.01 is not).
    let digits = digits.trunc().clamp(-400.0, 400.0) as i32;
    let power = 10_f64.powi(digits.abs());
    if power.is_infinite() {
        // Rounding to 10^-400 changes nothing; to 10^400 leaves nothing.
        return if digits >= 0 { number } else { 0.0 };
    }
    let (scaled, unscale): (f64, fn(f64, f64) -> f64) = if digits >= 0 {
        (number * power, |rounded, power| rounded / power)
    } else {
        (number / power, |rounded, power| rounded * power)
    };
    if !scaled.is_finite() {
        // More digits than a double holds: nothing to round.
        return number;
    }
    let floor = scaled.floor();
    let fraction = scaled - floor;
    // 2.675 is stored as 2.67499999…, so 2.675 × 100 lands a hair below
    // 267.5. A fraction within a few units of floating-point noise of one
    // half is taken as the half the author wrote, so round(2.675, 2) is 2.68.
    let noise = 4.0 * f64::EPSILON * scaled.abs().max(1.0);
    let rounded = if fraction >= 0.5 - noise {
        floor + 1.0
    } else {
        floor
    };
    unscale(rounded, power)
}
