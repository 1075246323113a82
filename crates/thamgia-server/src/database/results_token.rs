//! A survey's results summed up in one statement, so that a server tells
//! whether anything its index was made from changed without reading a
//! cell (see `results_index`).

use sqlx::Row;

use super::Database;
use crate::error::ServerError;

/// A survey's versions, cells and releases summed up
/// ([`Database::results_token`]): equal tokens read at two moments mean
/// nothing of them changed in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultsToken([i64; 8]);

impl ResultsToken {
    /// Whether the survey has any version published.
    pub fn published(&self) -> bool {
        self.0[0] > 0
    }
}

impl Database {
    /// What survey `id`'s results are read from, summed up in one
    /// statement (one snapshot): its versions, its cells' states and their
    /// releases. Every change of them raises the token, since versions are
    /// only added and a cell's revision and removals, and its release,
    /// only ever rise (see [`Database::reset_results_cells`]); so a token
    /// read again unchanged means nothing was changed since. Only a restore
    /// from a backup lowers it, and a restore is made with every server
    /// stopped, so no server holds a token from before it.
    pub async fn results_token(&self, id: &str) -> Result<ResultsToken, ServerError> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM surveys WHERE id = $1) AS versions,
               (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM surveys WHERE id = $1)
                 AS version_sum,
               (SELECT COUNT(*) FROM results_cells WHERE survey_id = $1) AS cells,
               (SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) FROM results_cells
                 WHERE survey_id = $1) AS revisions,
               (SELECT CAST(COALESCE(SUM(removals), 0) AS BIGINT) FROM results_cells
                 WHERE survey_id = $1) AS removals,
               (SELECT COUNT(*) FROM results_released WHERE survey_id = $1) AS released,
               (SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) FROM results_released
                 WHERE survey_id = $1) AS released_revisions,
               (SELECT CAST(COALESCE(SUM(removals), 0) AS BIGINT) FROM results_released
                 WHERE survey_id = $1) AS released_removals",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        let sums = [
            "versions",
            "version_sum",
            "cells",
            "revisions",
            "removals",
            "released",
            "released_revisions",
            "released_removals",
        ]
        .map(|column| row.get::<i64, _>(column));
        Ok(ResultsToken(sums))
    }
}
