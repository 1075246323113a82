//! Periods on the calendar: the days a period covers, the period a day
//! falls in, and the periods before it. The server counts responses by
//! these days; the apps offer the recent periods to choose from.

use chrono::{Datelike, NaiveDate};

use super::period::{Period, PeriodKind};

/// How long a period is, whichever one of its kind it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodLength {
    /// Three months.
    Quarter,
    /// Six months.
    Half,
    /// Twelve months.
    Year,
}

impl PeriodLength {
    /// Months in a period of this length.
    fn months(self) -> u32 {
        match self {
            PeriodLength::Quarter => 3,
            PeriodLength::Half => 6,
            PeriodLength::Year => 12,
        }
    }

    /// Periods of this length in a year.
    fn per_year(self) -> i32 {
        match self {
            PeriodLength::Quarter => 4,
            PeriodLength::Half => 2,
            PeriodLength::Year => 1,
        }
    }
}

impl PeriodKind {
    /// How long the period is.
    pub fn length(self) -> PeriodLength {
        match self {
            PeriodKind::Quarter(_) => PeriodLength::Quarter,
            PeriodKind::Half(_) => PeriodLength::Half,
            PeriodKind::Year => PeriodLength::Year,
        }
    }

    /// Which one of its length in the year, from 0.
    fn index(self) -> i32 {
        match self {
            PeriodKind::Quarter(quarter) => i32::from(quarter) - 1,
            PeriodKind::Half(half) => i32::from(half) - 1,
            PeriodKind::Year => 0,
        }
    }
}

impl Period {
    /// The period of `length` that counts `index` periods of that length
    /// from year 0 (so that stepping back crosses years); `None` outside
    /// the four-digit years.
    fn nth(length: PeriodLength, index: i32) -> Option<Period> {
        let per_year = length.per_year();
        let year = index.div_euclid(per_year);
        let number = u8::try_from(index.rem_euclid(per_year) + 1).ok()?;
        let kind = match length {
            PeriodLength::Quarter => PeriodKind::Quarter(number),
            PeriodLength::Half => PeriodKind::Half(number),
            PeriodLength::Year => PeriodKind::Year,
        };
        Period::new(year, kind).ok()
    }

    fn position(self) -> i32 {
        let length = self.kind().length();
        self.year() * length.per_year() + self.kind().index()
    }

    /// The period of `length` that `day` falls in (`None` outside the
    /// four-digit years).
    pub fn containing(day: NaiveDate, length: PeriodLength) -> Option<Period> {
        let month0 = i32::try_from(day.month0()).ok()?;
        let months = i32::try_from(length.months()).ok()?;
        Period::nth(length, day.year() * length.per_year() + month0 / months)
    }

    /// The period of the same length just before this one.
    pub fn previous(self) -> Option<Period> {
        Period::nth(self.kind().length(), self.position() - 1)
    }

    /// The period of `length` that `today` falls in and the `count - 1`
    /// before it, newest first.
    pub fn recent(today: NaiveDate, length: PeriodLength, count: usize) -> Vec<Period> {
        std::iter::successors(Period::containing(today, length), |period| {
            period.previous()
        })
        .take(count)
        .collect()
    }

    /// The first day of the period and the first day after it.
    pub fn dates(self) -> (NaiveDate, NaiveDate) {
        let length = self.kind().length();
        let months = length.months();
        let first_month = u32::try_from(self.kind().index()).unwrap_or(0) * months + 1;
        let start = NaiveDate::from_ymd_opt(self.year(), first_month, 1).unwrap_or_default();
        let end_month = first_month + months;
        let end = if end_month > 12 {
            NaiveDate::from_ymd_opt(self.year() + 1, end_month - 12, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year(), end_month, 1)
        }
        .unwrap_or_default();
        (start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
    }

    fn keys(periods: &[Period]) -> Vec<String> {
        periods.iter().map(Period::key).collect()
    }

    #[test]
    fn a_day_falls_in_one_period_of_each_length() {
        let august = day(2026, 8, 14);
        let of = |length| Period::containing(august, length).map(|period| period.key());
        assert_eq!(of(PeriodLength::Quarter).as_deref(), Some("2026-Q3"));
        assert_eq!(of(PeriodLength::Half).as_deref(), Some("2026-H2"));
        assert_eq!(of(PeriodLength::Year).as_deref(), Some("2026"));
        let first = Period::containing(day(2026, 1, 1), PeriodLength::Quarter);
        assert_eq!(first.map(|period| period.key()).as_deref(), Some("2026-Q1"));
        let last = Period::containing(day(2026, 12, 31), PeriodLength::Half);
        assert_eq!(last.map(|period| period.key()).as_deref(), Some("2026-H2"));
    }

    #[test]
    fn recent_periods_go_back_across_years_newest_first() {
        let today = day(2026, 8, 14);
        assert_eq!(
            keys(&Period::recent(today, PeriodLength::Quarter, 6)),
            ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2"]
        );
        assert_eq!(
            keys(&Period::recent(today, PeriodLength::Half, 3)),
            ["2026-H2", "2026-H1", "2025-H2"]
        );
        assert_eq!(
            keys(&Period::recent(today, PeriodLength::Year, 2)),
            ["2026", "2025"]
        );
        let january = Period::recent(day(2026, 1, 1), PeriodLength::Quarter, 2);
        assert_eq!(keys(&january), ["2026-Q1", "2025-Q4"]);
    }

    #[test]
    fn a_period_covers_its_days_and_the_next_starts_where_it_ends() {
        for length in [
            PeriodLength::Quarter,
            PeriodLength::Half,
            PeriodLength::Year,
        ] {
            for period in Period::recent(day(2027, 2, 1), length, 9) {
                let (start, end) = period.dates();
                assert_eq!(Period::containing(start, length), Some(period));
                let last_day = end.pred_opt().expect("a day before");
                assert_eq!(Period::containing(last_day, length), Some(period));
                assert_ne!(Period::containing(end, length), Some(period));
                if let Some(previous) = period.previous() {
                    assert_eq!(previous.dates().1, start, "{period}");
                }
            }
        }
        let q4 = Period::quarter(2026, 4).expect("a quarter");
        assert_eq!(q4.dates(), (day(2026, 10, 1), day(2027, 1, 1)));
    }

    #[test]
    fn the_first_four_digit_year_has_no_period_before_it() {
        let first = Period::quarter(1000, 1).expect("a quarter");
        assert_eq!(first.previous(), None);
    }
}
