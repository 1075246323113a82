//! How much the tablet can still hold, in the words a field worker uses:
//! responses, not bytes. Pure arithmetic over what the browser reports
//! (`navigator.storage.estimate()`), so it is tested here.

use crate::localized::{english_plural, Language, Localized};

/// Bytes one more response takes on the tablet, counted generously: a long
/// survey's response is some kilobytes of JSON, kept once in the
/// `responses` store and once more in the outbox while it waits, plus
/// IndexedDB's own bookkeeping. An estimate errs low on the room left.
pub const BYTES_PER_RESPONSE: f64 = 32.0 * 1024.0;

/// What the browser reported, and what it promised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageSpace {
    /// Bytes this site uses.
    pub usage: f64,
    /// Bytes this site may use.
    pub quota: f64,
}

impl StorageSpace {
    /// About how many more responses fit (none when the figures are
    /// missing or make no sense).
    pub fn responses_that_fit(self) -> u64 {
        let free = self.quota - self.usage;
        if !(free.is_finite() && free > 0.0) {
            return 0;
        }
        (free / BYTES_PER_RESPONSE).floor().min(u64::MAX as f64) as u64
    }

    /// "Còn chỗ cho khoảng 12.000 phiếu nữa (đã dùng 2,8 MB / 1.200 MB)."
    pub fn described(self) -> Localized {
        let fit = self.responses_that_fit();
        let room = |language| format_count(fit, language);
        let size = |bytes, language| format_megabytes(bytes, language);
        Localized::new(
            format!(
                "Còn chỗ cho khoảng {} phiếu nữa (đã dùng {} / {}).",
                room(Language::Vi),
                size(self.usage, Language::Vi),
                size(self.quota, Language::Vi)
            ),
            format!(
                "Room for about {} more {} ({} of {} used).",
                room(Language::En),
                english_plural(fit, "response", "responses"),
                size(self.usage, Language::En),
                size(self.quota, Language::En)
            ),
        )
    }
}

/// A whole number with the language's thousands separator: "12.000" in
/// Vietnamese, "12,000" in English.
pub fn format_count(count: u64, language: Language) -> String {
    let separator = match language {
        Language::Vi => '.',
        Language::En => ',',
    };
    let digits = count.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(separator);
        }
        text.push(digit);
    }
    text
}

/// Megabytes with one decimal and the language's separators: "2,8 MB",
/// "1.234,5 MB" in Vietnamese; "2.8 MB", "1,234.5 MB" in English.
pub fn format_megabytes(bytes: f64, language: Language) -> String {
    let tenths = if bytes.is_finite() && bytes > 0.0 {
        (bytes / 100_000.0).round() as u64
    } else {
        0
    };
    let decimal = match language {
        Language::Vi => ',',
        Language::En => '.',
    };
    format!(
        "{}{decimal}{} MB",
        format_count(tenths / 10, language),
        tenths % 10
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_each_language_s_separators() {
        assert_eq!(format_count(0, Language::Vi), "0");
        assert_eq!(format_count(999, Language::En), "999");
        assert_eq!(format_count(12_000, Language::Vi), "12.000");
        assert_eq!(format_count(1_234_567, Language::En), "1,234,567");
        assert_eq!(format_megabytes(2_800_000.0, Language::Vi), "2,8 MB");
        assert_eq!(format_megabytes(2_800_000.0, Language::En), "2.8 MB");
        assert_eq!(
            format_megabytes(1_234_500_000.0, Language::Vi),
            "1.234,5 MB"
        );
        assert_eq!(format_megabytes(f64::NAN, Language::En), "0.0 MB");
    }

    #[test]
    fn the_room_left_is_told_in_responses() {
        let space = StorageSpace {
            usage: 2_800_000.0,
            quota: 2_800_000.0 + 100.0 * BYTES_PER_RESPONSE + 10.0,
        };
        assert_eq!(space.responses_that_fit(), 100);
        let text = space.described();
        assert_eq!(
            text.vi,
            "Còn chỗ cho khoảng 100 phiếu nữa (đã dùng 2,8 MB / 6,1 MB)."
        );
        assert_eq!(
            text.en,
            "Room for about 100 more responses (2.8 MB of 6.1 MB used)."
        );
        let one = StorageSpace {
            usage: 0.0,
            quota: BYTES_PER_RESPONSE,
        };
        assert!(one.described().en.contains("about 1 more response ("));
        let full = StorageSpace {
            usage: 10.0,
            quota: 5.0,
        };
        assert_eq!(full.responses_that_fit(), 0);
    }
}
