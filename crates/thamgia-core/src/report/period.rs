//! Report periods ("2026-Q3", "2026-H2", "2026") and report ids
//! ("00004:2026-Q3").
//!
//! Both are stored and sent as their key, and parsing accepts exactly the keys
//! `Display` writes, so a key read back always names the same period.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ReportError;
use crate::localized::Localized;

/// The smallest and largest years a period may have: a key's year is always
/// four digits.
const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// Which part of a year a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    /// A quarter, 1 to 4.
    Quarter(u8),
    /// A half year, 1 (January to June) or 2 (July to December).
    Half(u8),
    /// The whole year.
    Year,
}

/// A reporting period: a quarter, a half or a whole year. Built only through
/// [`Period::new`] and its shortcuts or by parsing a key, so the quarter or
/// half is always in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    kind: PeriodKind,
}

impl Period {
    /// A period of `year`, refused when the year is not four digits or the
    /// quarter (1 to 4) or half (1 to 2) is out of range.
    pub fn new(year: i32, kind: PeriodKind) -> Result<Period, ReportError> {
        let kind_in_range = match kind {
            PeriodKind::Quarter(quarter) => (1..=4).contains(&quarter),
            PeriodKind::Half(half) => (1..=2).contains(&half),
            PeriodKind::Year => true,
        };
        if kind_in_range && YEARS.contains(&year) {
            Ok(Period { year, kind })
        } else {
            Err(ReportError::InvalidPeriod {
                key: Period { year, kind }.to_string(),
            })
        }
    }

    /// Quarter `quarter` (1 to 4) of `year`.
    pub fn quarter(year: i32, quarter: u8) -> Result<Period, ReportError> {
        Period::new(year, PeriodKind::Quarter(quarter))
    }

    /// Half `half` (1 to 2) of `year`.
    pub fn half(year: i32, half: u8) -> Result<Period, ReportError> {
        Period::new(year, PeriodKind::Half(half))
    }

    /// The whole of `year`.
    pub fn whole_year(year: i32) -> Result<Period, ReportError> {
        Period::new(year, PeriodKind::Year)
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The part of the year.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The key: "2026-Q3", "2026-H2" or "2026"; the same as `to_string()`.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// The name shown to people, e.g. "Quý 3/2026" / "Q3 2026".
    pub fn label(&self) -> Localized {
        let year = self.year;
        match self.kind {
            PeriodKind::Quarter(quarter) => Localized::new(
                format!("Quý {quarter}/{year}"),
                format!("Q{quarter} {year}"),
            ),
            PeriodKind::Half(1) => Localized::new(
                format!("6 tháng đầu năm {year}"),
                format!("First half of {year}"),
            ),
            PeriodKind::Half(_) => Localized::new(
                format!("6 tháng cuối năm {year}"),
                format!("Second half of {year}"),
            ),
            PeriodKind::Year => Localized::new(format!("Năm {year}"), format!("Year {year}")),
        }
    }
}

impl fmt::Display for Period {
    /// The key: "2026-Q3", "2026-H2" or "2026".
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Quarter(quarter) => write!(formatter, "{}-Q{quarter}", self.year),
            PeriodKind::Half(half) => write!(formatter, "{}-H{half}", self.year),
            PeriodKind::Year => write!(formatter, "{}", self.year),
        }
    }
}

impl FromStr for Period {
    type Err = ReportError;

    /// Parses a key exactly as `Display` writes it: a four-digit year, then
    /// nothing, "-Q1" to "-Q4", or "-H1" to "-H2".
    fn from_str(key: &str) -> Result<Period, ReportError> {
        let invalid = || ReportError::InvalidPeriod {
            key: crate::limits::quoted(key),
        };
        let (year_text, part) = match key.split_once('-') {
            Some((year_text, part)) => (year_text, Some(part)),
            None => (key, None),
        };
        if year_text.len() != 4 || !year_text.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid());
        }
        let year: i32 = year_text.parse().map_err(|_| invalid())?;
        let kind = match part {
            None => PeriodKind::Year,
            Some(part) => {
                let mut characters = part.chars();
                let (Some(letter), Some(digit), None) =
                    (characters.next(), characters.next(), characters.next())
                else {
                    return Err(invalid());
                };
                let number = digit
                    .to_digit(10)
                    .and_then(|number| u8::try_from(number).ok())
                    .ok_or_else(invalid)?;
                match letter {
                    'Q' => PeriodKind::Quarter(number),
                    'H' => PeriodKind::Half(number),
                    _ => return Err(invalid()),
                }
            }
        };
        Period::new(year, kind).map_err(|_| invalid())
    }
}

impl TryFrom<String> for Period {
    type Error = ReportError;

    fn try_from(key: String) -> Result<Period, ReportError> {
        key.parse()
    }
}

impl From<Period> for String {
    fn from(period: Period) -> String {
        period.to_string()
    }
}

/// Which report: one per ward (or commune) and period, written
/// "<ward_code>:<period key>", e.g. "00004:2026-Q3".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportId {
    ward_code: String,
    period: Period,
}

impl ReportId {
    /// The report of ward `ward_code` (the official unit code, ASCII letters
    /// and digits, e.g. "00004") for `period`.
    pub fn new(ward_code: impl Into<String>, period: Period) -> Result<ReportId, ReportError> {
        let ward_code = ward_code.into();
        if ward_code.is_empty()
            || ward_code.len() > MAX_WARD_CODE_CHARS
            || !ward_code.bytes().all(|byte| byte.is_ascii_alphanumeric())
        {
            return Err(ReportError::InvalidReportId {
                id: crate::limits::quoted(&format!("{ward_code}:{period}")),
            });
        }
        Ok(ReportId { ward_code, period })
    }

    /// The official code of the ward or commune.
    pub fn ward_code(&self) -> &str {
        &self.ward_code
    }

    /// The period the report covers.
    pub fn period(&self) -> Period {
        self.period
    }
}

impl fmt::Display for ReportId {
    /// "<ward_code>:<period key>", e.g. "00004:2026-Q3".
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.ward_code, self.period)
    }
}

/// Longest ward code a report id may carry (official codes have 5 digits).
pub const MAX_WARD_CODE_CHARS: usize = 16;

impl FromStr for ReportId {
    type Err = ReportError;

    /// Parses "<ward_code>:<period key>" exactly as `Display` writes it.
    fn from_str(id: &str) -> Result<ReportId, ReportError> {
        let invalid = || ReportError::InvalidReportId {
            id: crate::limits::quoted(id),
        };
        let (ward_code, period_key) = id.split_once(':').ok_or_else(invalid)?;
        let period = period_key.parse().map_err(|_| invalid())?;
        ReportId::new(ward_code, period).map_err(|_| invalid())
    }
}

impl TryFrom<String> for ReportId {
    type Error = ReportError;

    fn try_from(id: String) -> Result<ReportId, ReportError> {
        id.parse()
    }
}

impl From<ReportId> for String {
    fn from(id: ReportId) -> String {
        id.to_string()
    }
}
