//! Which entries of the audit log to read: filters and a page, read from a
//! query string and written back into one.

use std::fmt;
use std::str::FromStr;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Deserializer};

use super::{
    stored_time, AuditAction, CITY_UTC_OFFSET_HOURS, DEFAULT_AUDIT_PAGE, MAX_ACTOR_CHARS,
    MAX_AUDIT_EXPORT_ROWS, MAX_AUDIT_PAGE, MAX_WARD_CHARS,
};
use crate::localized::Localized;

/// The first instant of `day` in Hanoi, as a stored time.
fn day_start(day: NaiveDate) -> String {
    let start = day.and_hms_opt(0, 0, 0).expect("midnight exists")
        - Duration::hours(i64::from(CITY_UTC_OFFSET_HOURS));
    stored_time(start.and_utc())
}

/// The years a query's period may name: stored times are compared as text,
/// which holds for four-digit years.
const QUERY_YEARS: std::ops::RangeInclusive<i32> = 2000..=9999;

/// Which entries to read: filters, all optional, and a page. As a query
/// string: `from=2026-08-01&to=2026-08-31&action=sign_in&actor=lan&ward=00004&before=120&limit=100`;
/// an empty parameter is no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AuditQuery {
    /// The first day (Hanoi's time), included.
    #[serde(default, deserialize_with = "optional")]
    pub from: Option<NaiveDate>,
    /// The last day (Hanoi's time), included.
    #[serde(default, deserialize_with = "optional")]
    pub to: Option<NaiveDate>,
    /// Only this action.
    #[serde(default, deserialize_with = "optional")]
    pub action: Option<AuditAction>,
    /// Only actors whose name contains this (letter case ignored).
    #[serde(default, deserialize_with = "optional")]
    pub actor: Option<String>,
    /// Only entries about this ward.
    #[serde(default, deserialize_with = "optional")]
    pub ward: Option<String>,
    /// Only entries older than this id (the next page).
    #[serde(default, deserialize_with = "optional")]
    pub before: Option<i64>,
    /// How many entries at most (see [`AuditQuery::page_size`]).
    #[serde(default, deserialize_with = "optional")]
    pub limit: Option<u32>,
}

/// An absent or empty parameter is `None`; otherwise it must parse.
fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    let text: Option<String> = Option::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl AuditQuery {
    /// The size of a page: the limit asked for within 1 and
    /// [`MAX_AUDIT_PAGE`], or [`DEFAULT_AUDIT_PAGE`].
    pub fn page_size(&self) -> u32 {
        self.limit
            .unwrap_or(DEFAULT_AUDIT_PAGE)
            .clamp(1, MAX_AUDIT_PAGE)
    }

    /// The most rows of an export: the limit asked for within 1 and
    /// [`MAX_AUDIT_EXPORT_ROWS`], or that bound.
    pub fn export_size(&self) -> u32 {
        self.limit
            .unwrap_or(MAX_AUDIT_EXPORT_ROWS)
            .clamp(1, MAX_AUDIT_EXPORT_ROWS)
    }

    /// Why the filters are refused, for people: a period that ends before
    /// it starts or names a year out of range, an actor or a ward too long.
    pub fn check(&self) -> Result<(), Localized> {
        use chrono::Datelike;
        for day in [self.from, self.to].into_iter().flatten() {
            if !QUERY_YEARS.contains(&day.year()) {
                return Err(Localized::new(
                    format!(
                        "Năm phải từ {} đến {}.",
                        QUERY_YEARS.start(),
                        QUERY_YEARS.end()
                    ),
                    format!(
                        "The year must be {} to {}.",
                        QUERY_YEARS.start(),
                        QUERY_YEARS.end()
                    ),
                ));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                return Err(Localized::new(
                    "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
                    "The end date must be on or after the start date.",
                ));
            }
        }
        if self
            .actor
            .as_deref()
            .is_some_and(|actor| actor.chars().count() > MAX_ACTOR_CHARS)
        {
            return Err(Localized::new(
                format!("Tên người thực hiện tối đa {MAX_ACTOR_CHARS} ký tự."),
                format!("The actor's name has at most {MAX_ACTOR_CHARS} characters."),
            ));
        }
        if self.ward.as_deref().is_some_and(|ward| {
            ward.chars().count() > MAX_WARD_CHARS
                || !ward.chars().all(|c| c.is_ascii_alphanumeric())
        }) {
            return Err(Localized::new(
                "Mã phường/xã chỉ gồm chữ số.",
                "A ward code has digits only.",
            ));
        }
        Ok(())
    }

    /// The first stored time the period includes, if it has a start.
    pub fn since(&self) -> Option<String> {
        self.from.map(day_start)
    }

    /// The first stored time after the period, if it has an end.
    pub fn until(&self) -> Option<String> {
        self.to.and_then(|day| day.succ_opt()).map(day_start)
    }

    /// The filters as a query string (without `before` and `limit`), for
    /// the next page or the CSV link; empty when nothing is filtered.
    pub fn filter_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(from) = self.from {
            pairs.push(("from", from.to_string()));
        }
        if let Some(to) = self.to {
            pairs.push(("to", to.to_string()));
        }
        if let Some(action) = self.action {
            pairs.push(("action", action.as_str().to_owned()));
        }
        if let Some(actor) = self.actor.as_deref().filter(|actor| !actor.is_empty()) {
            pairs.push(("actor", actor.to_owned()));
        }
        if let Some(ward) = self.ward.as_deref().filter(|ward| !ward.is_empty()) {
            pairs.push(("ward", ward.to_owned()));
        }
        pairs
            .iter()
            .map(|(name, value)| format!("{name}={}", percent_encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The whole query as a query string: the filters, `before` and `limit`.
    pub fn query_string(&self) -> String {
        let mut parts = vec![self.filter_string()];
        if let Some(before) = self.before {
            parts.push(format!("before={before}"));
        }
        if let Some(limit) = self.limit {
            parts.push(format!("limit={limit}"));
        }
        parts.retain(|part| !part.is_empty());
        parts.join("&")
    }
}

/// `text` with every byte but the URL-unreserved ones as `%XX`.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}
