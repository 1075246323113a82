//! How a response's times are read from JSON: through chrono's RFC 3339
//! parser, what chrono writes them in, and only when that refuses a text,
//! through the relaxed parser chrono's own `Deserialize` uses (a space for
//! the `T`, `UTC` for the offset), so every text that read before reads
//! the same now.
//!
//! The relaxed parser goes through chrono's general format machinery, item
//! by item; the RFC 3339 one is written for the one format. A response
//! holds four or five times, and a tablet reads every response it holds
//! to list or send them (10,000 after weeks offline), as the server reads
//! every pushed one: in the browser the relaxed parser was a sixth of
//! decoding a response.

use chrono::{DateTime, Utc};
use serde::de::{self, Deserialize, Deserializer};

/// A `#[serde(deserialize_with)]` for a `DateTime<Utc>` field.
///
/// The text is read as a `String`, whose reading every deserializer the
/// app uses already has, rather than through a visitor of its own, which
/// would be compiled again for each of them (1.6 KB more of the tablet
/// app's first part, 1.2 KB of its gzip, over its goal of 258 KB); a
/// time's few bytes are copied once.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).map_err(de::Error::custom)
}

/// The time `text` says: RFC 3339 first, then chrono's relaxed form.
pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(time) => Ok(time.with_timezone(&Utc)),
        Err(_) => text.parse::<DateTime<Utc>>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_reads_as_chrono_s_own_parser_reads_it() {
        for text in [
            "2026-11-01T08:00:00Z",
            "2026-11-01T08:00:00.123Z",
            "2026-11-01T08:00:00.123456789Z",
            "2026-11-01T15:00:00+07:00",
            "2026-11-01t08:00:00z",
            "2026-11-01T08:00:00-00:30",
            // Only the relaxed parser reads these.
            "2026-11-01 08:00:00Z",
            "2026-11-01 08:00:00 UTC",
            "2026-11-01T08:00:00 +07:00",
            // A leap second, as chrono keeps it.
            "2016-12-31T23:59:60Z",
        ] {
            let ours = parse(text).expect(text);
            let chrono_s: DateTime<Utc> = text.parse().expect(text);
            assert_eq!(ours, chrono_s, "{text}");
            let json = format!("\"{text}\"");
            let mut read = serde_json::Deserializer::from_str(&json);
            assert_eq!(deserialize(&mut read).expect(text), chrono_s, "{text}");
        }
    }

    #[test]
    fn what_neither_reads_is_refused_with_chrono_s_reason() {
        for text in [
            "",
            "yesterday",
            "2026-13-01T08:00:00Z",
            "2026-11-01T08:00:00",
        ] {
            assert!(parse(text).is_err(), "{text}");
            let json = format!("\"{text}\"");
            let mut read = serde_json::Deserializer::from_str(&json);
            let refused = deserialize(&mut read).expect_err(text).to_string();
            let chrono_s = text.parse::<DateTime<Utc>>().expect_err(text).to_string();
            assert!(refused.contains(&chrono_s), "{text}: {refused}");
        }
        let mut read = serde_json::Deserializer::from_str("12");
        assert!(deserialize(&mut read).is_err());
    }
}
