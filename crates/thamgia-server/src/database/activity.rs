//! When each ward was last heard from: the newest record its tablets sent,
//! read by `/metrics` at each scrape so a city sees which wards have gone
//! quiet.
//!
//! A push leaves its time on what it stored: `responses.received_at`, a
//! refused record's `rejected_mutations.received_at`, and the change it
//! logged for a report's field or status, a forum or children's feedback
//! (`changes.created_at`, with the ward). Each is read for each ward with
//! one index probe (`responses_by_ward_received`,
//! `rejected_mutations_by_ward_received`, `changes_by_ward`), so a scrape
//! costs the same at a million responses as at ten.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::Database;
use crate::error::ServerError;

/// Most wards asked about in one statement (one bound parameter each).
const WARDS_PER_STATEMENT: usize = 200;

/// The newest time each of `wards` pushed a record in `column`s, as the
/// statement's correlated subqueries read them: the ward's newest
/// response, refused record, and change a push logged. Answers to
/// recommendations (the town hall's) and withdrawals (a tablet's or the
/// town hall's) are left out: they do not show the ward's tablets syncing.
const LAST_PUSH_COLUMNS: &str = "
    (SELECT MAX(received_at) FROM responses
        WHERE ward_code = wards.column1) AS response_at,
    (SELECT MAX(received_at) FROM rejected_mutations
        WHERE ward_code = wards.column1) AS refusal_at,
    (SELECT created_at FROM changes
        WHERE ward_code = wards.column1
          AND kind IN ('report_field', 'report_status', 'forum', 'feedback')
        ORDER BY seq DESC LIMIT 1) AS change_at";

impl Database {
    /// When each of `wards` last pushed a record the server kept; a ward
    /// never heard from is absent.
    pub async fn last_push_by_ward(
        &self,
        wards: &[&str],
    ) -> Result<HashMap<String, DateTime<Utc>>, ServerError> {
        let mut last_push = HashMap::with_capacity(wards.len());
        for chunk in wards.chunks(WARDS_PER_STATEMENT) {
            // `VALUES` names its column `column1` on SQLite and PostgreSQL.
            let values = (1..=chunk.len())
                .map(|number| format!("(${number})"))
                .collect::<Vec<_>>()
                .join(", ");
            let statement = format!(
                "SELECT wards.column1 AS ward, {LAST_PUSH_COLUMNS}
                 FROM (VALUES {values}) AS wards"
            );
            let mut query = sqlx::query(&statement);
            for ward in chunk {
                query = query.bind(*ward);
            }
            for row in query.fetch_all(self.pool()).await? {
                let ward: String = row.try_get("ward")?;
                let mut newest: Option<DateTime<Utc>> = None;
                for column in ["response_at", "refusal_at", "change_at"] {
                    let Some(text) = row.try_get::<Option<String>, _>(column)? else {
                        continue;
                    };
                    // Every time the server stores is RFC 3339 (`timestamp`).
                    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
                        let at = at.with_timezone(&Utc);
                        newest = Some(newest.map_or(at, |newest| newest.max(at)));
                    }
                }
                if let Some(newest) = newest {
                    last_push.insert(ward, newest);
                }
            }
        }
        Ok(last_push)
    }
}
