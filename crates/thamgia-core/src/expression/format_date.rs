//! `format-date()` and `format-date-time()`: a date or a date and time
//! written with ODK's format codes.

use chrono::{Datelike, NaiveDateTime, NaiveTime, Timelike};

use super::value::Value;

/// The date and time a value holds: a date (at midnight), text
/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS…]` (fractions of a second and a
/// time zone are ignored), or a count of days since 1970-01-01.
pub(super) fn date_time_of(value: &Value) -> Option<NaiveDateTime> {
    if let Value::Text(text) = value {
        let text = text.trim();
        let head = text.get(..19).or_else(|| text.get(..16)).unwrap_or(text);
        for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(moment) = NaiveDateTime::parse_from_str(head, format) {
                return Some(moment);
            }
        }
    }
    value.to_date().map(|date| date.and_time(NaiveTime::MIN))
}

/// `moment` written with ODK's codes: `%Y` year, `%y` two-digit year, `%m`
/// two-digit month, `%n` month, `%b` short month name, `%d` two-digit day,
/// `%e` day, `%a` short day name, `%H` two-digit hour, `%h` hour, `%M`
/// minutes, `%S` seconds, `%3` milliseconds (always 000 here); any other
/// character stays as it is. Names are English, as ODK writes them by
/// default.
pub(super) fn format(moment: NaiveDateTime, pattern: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut written = String::with_capacity(pattern.len() + 8);
    let mut characters = pattern.chars();
    while let Some(character) = characters.next() {
        if character != '%' {
            written.push(character);
            continue;
        }
        let Some(code) = characters.next() else {
            written.push('%');
            break;
        };
        match code {
            'Y' => written.push_str(&format!("{:04}", moment.year())),
            'y' => written.push_str(&format!("{:02}", moment.year().rem_euclid(100))),
            'm' => written.push_str(&format!("{:02}", moment.month())),
            'n' => written.push_str(&moment.month().to_string()),
            'b' => written.push_str(MONTHS[moment.month0() as usize % 12]),
            'd' => written.push_str(&format!("{:02}", moment.day())),
            'e' => written.push_str(&moment.day().to_string()),
            'a' => written.push_str(DAYS[moment.weekday().num_days_from_monday() as usize % 7]),
            'H' => written.push_str(&format!("{:02}", moment.hour())),
            'h' => written.push_str(&moment.hour().to_string()),
            'M' => written.push_str(&format!("{:02}", moment.minute())),
            'S' => written.push_str(&format!("{:02}", moment.second())),
            '3' => written.push_str("000"),
            other => {
                written.push('%');
                written.push(other);
            }
        }
    }
    written
}

/// `decimal-date-time()`: days since 1970-01-01 with the time of day as a
/// fraction.
pub(super) fn decimal_days(moment: NaiveDateTime) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .unwrap_or_default()
        .and_time(NaiveTime::MIN);
    (moment - epoch).num_seconds() as f64 / 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_odks_codes() {
        let moment = date_time_of(&Value::Text("2026-03-05T07:04:09.123+07:00".to_owned()))
            .expect("a date and time");
        assert_eq!(
            format(moment, "%e/%n/%Y %H:%M:%S (%a %d %b %y) %h%% %q"),
            "5/3/2026 07:04:09 (Thu 05 Mar 26) 7%% %q"
        );
        let day = date_time_of(&Value::Text("2026-12-05".to_owned())).expect("a date");
        assert_eq!(format(day, "%d-%m-%Y %H:%M"), "05-12-2026 00:00");
        assert_eq!(date_time_of(&Value::Text("not a date".to_owned())), None);
        assert_eq!(decimal_days(day.with_hour(12).expect("noon")), 20_792.5);
    }
}
