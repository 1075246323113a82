//! Days as people in Vietnam write them: day, month, year ("05/12/2026"),
//! whatever the browser's own locale would show. Read generously (one or
//! two digits for day and month; `/`, `-` or `.` between; the ISO form a
//! date field or a spreadsheet gives, "2026-12-05", too), always written
//! back as dd/mm/yyyy.

use chrono::{Datelike, NaiveDate};

/// `day` as dd/mm/yyyy.
pub fn format_day(day: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", day.day(), day.month(), day.year())
}

/// The day `text` writes, if it is one: "5/12/2026", "05-12-2026",
/// "05.12.2026" or "2026-12-05". Years from 1900 to 2999.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.len() > 10 {
        return None;
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let [first, second, third] = parts[..] else {
        return None;
    };
    let number = |part: &str, digits: std::ops::RangeInclusive<usize>| {
        (digits.contains(&part.len()) && part.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (day, month, year) = if first.len() == 4 {
        (
            number(third, 1..=2)?,
            number(second, 1..=2)?,
            number(first, 4..=4)?,
        )
    } else {
        (
            number(first, 1..=2)?,
            number(second, 1..=2)?,
            number(third, 4..=4)?,
        )
    };
    if !(1900..=2999).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a valid day")
    }

    #[test]
    fn days_are_read_as_written_in_vietnam_and_written_dd_mm_yyyy() {
        assert_eq!(parse_day("05/12/2026"), Some(day(2026, 12, 5)));
        assert_eq!(parse_day(" 5/12/2026 "), Some(day(2026, 12, 5)));
        assert_eq!(parse_day("05-12-2026"), Some(day(2026, 12, 5)));
        assert_eq!(parse_day("05.12.2026"), Some(day(2026, 12, 5)));
        assert_eq!(parse_day("2026-12-05"), Some(day(2026, 12, 5)));
        assert_eq!(format_day(day(2026, 1, 9)), "09/01/2026");
        assert_eq!(
            parse_day(&format_day(day(2026, 1, 9))),
            Some(day(2026, 1, 9))
        );
    }

    #[test]
    fn what_is_not_a_day_is_refused() {
        for text in [
            "",
            "5/12",
            "31/02/2026",
            "12/31/2026",
            "5/12/26",
            "aa/bb/cccc",
            "05/12/2026/1",
            "+5/12/2026",
            "05/12/1800",
            "0005/12/2026",
        ] {
            assert_eq!(parse_day(text), None, "{text:?}");
        }
    }
}
