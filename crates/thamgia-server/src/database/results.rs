//! What the survey results are computed from: every version of a survey,
//! and its counted responses cell by cell (one ward in one quarter; see
//! `thamgia_core::results::maintained`), with each cell's state. The push
//! transaction raises a cell's revision when a response of the cell is
//! added ([`cell_added`], which stamps the response with it), and its
//! revision and removals when one is withdrawn or starts or stops
//! counting ([`touch_cell`], [`touch_cell_of`]).
//! The counting, the distributions and the suppression are core's;
//! withdrawn responses are deleted when consent is withdrawn, so none is
//! read here.

use std::collections::{HashMap, HashSet};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use thamgia_core::results::maintained::{quarter_of, CellKey, CellState};
use thamgia_core::{Response, SurveyDefinition};
use uuid::Uuid;

use super::responses::content::stored_response;
use super::{own_rows_per_statement, own_values_list, statement_chunks, Database};
use crate::error::ServerError;

/// How many responses without a quarter (stored before cells existed) one
/// pass of [`Database::backfill_results_cells`] reads.
const BACKFILL_BATCH: i64 = 2_000;

impl Database {
    /// Every version of survey `id`, oldest first.
    pub async fn survey_versions(&self, id: &str) -> Result<Vec<SurveyDefinition>, ServerError> {
        let rows = sqlx::query("SELECT definition FROM surveys WHERE id = $1 ORDER BY version")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok(serde_json::from_str(row.get::<&str, _>("definition"))?))
            .collect()
    }

    /// The version numbers of survey `id`, oldest first (a published
    /// version never changes, so the numbers tell whether a survey's
    /// versions are the ones already read).
    pub async fn survey_version_numbers(&self, id: &str) -> Result<Vec<u32>, ServerError> {
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM surveys WHERE id = $1 ORDER BY version")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(versions
            .into_iter()
            .filter_map(|version| u32::try_from(version).ok())
            .collect())
    }

    /// Every response held of survey `id` (of any version, corrections
    /// included: core's counting rule chooses which version counts),
    /// optionally of one ward. A full recount: the results themselves are
    /// read cell by cell.
    pub async fn survey_responses(
        &self,
        id: &str,
        ward: Option<&str>,
    ) -> Result<Vec<Response>, ServerError> {
        let rows = sqlx::query(
            "SELECT content FROM responses WHERE survey_id = $1 AND ($2 IS NULL OR ward_code = $3)
             ORDER BY id",
        )
        .bind(id)
        .bind(ward)
        .bind(ward)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| stored_response(row, "content"))
            .collect()
    }

    /// Every response held of survey `id` in `ward` (`None`: every ward)
    /// and, when given, in `quarters` (their keys): a recount's input,
    /// of any version, corrections included.
    pub async fn scope_responses(
        &self,
        id: &str,
        ward: Option<&str>,
        quarters: Option<&[String]>,
    ) -> Result<Vec<Response>, ServerError> {
        let (sql, binds) = scope_query("content", ward, quarters);
        let mut query = sqlx::query(&sql).bind(id);
        for bind in &binds {
            query = query.bind(bind);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| stored_response(row, "content"))
            .collect()
    }

    /// How many responses [`Database::scope_responses`] would read.
    pub async fn scope_response_count(
        &self,
        id: &str,
        ward: Option<&str>,
        quarters: Option<&[String]>,
    ) -> Result<u64, ServerError> {
        let (sql, binds) = scope_query("COUNT(*)", ward, quarters);
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(id);
        for bind in &binds {
            query = query.bind(bind);
        }
        Ok(query.fetch_one(&self.pool).await?.max(0) as u64)
    }

    /// Every cell of survey `id` with its state.
    pub async fn results_cells(&self, id: &str) -> Result<Vec<(CellKey, CellState)>, ServerError> {
        let rows = sqlx::query(
            "SELECT ward_code, quarter, revision, removals FROM results_cells WHERE survey_id = $1",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(cell_states(&rows).collect())
    }

    /// Every release kept of survey `id`'s cells: the state of the store
    /// each cell's published figures are of (core's `results::release`).
    pub async fn results_released(
        &self,
        id: &str,
    ) -> Result<HashMap<CellKey, CellState>, ServerError> {
        let rows = sqlx::query(
            "SELECT ward_code, quarter, revision, removals FROM results_released
             WHERE survey_id = $1",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(cell_states(&rows).collect())
    }

    /// Keeps `releases` of survey `id`'s cells, each `(cell, from, to)`
    /// replacing the release `from` (`None`: none kept) by `to`, all or
    /// none: `false`, with nothing kept, when any cell's release is no
    /// longer `from` (another server released it meanwhile), so that the
    /// caller decides again from what is kept. Two servers never publish
    /// releases of a cell fewer than a step apart.
    pub async fn release_cells(
        &self,
        id: &str,
        releases: &[(CellKey, Option<CellState>, CellState)],
    ) -> Result<bool, ServerError> {
        if releases.is_empty() {
            return Ok(true);
        }
        let mut transaction = self.begin_write().await?;
        for (key, from, to) in releases {
            let quarter = key.quarter.to_string();
            let written = match from {
                None => sqlx::query(
                    "INSERT INTO results_released (survey_id, ward_code, quarter, revision, removals)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (survey_id, ward_code, quarter) DO NOTHING",
                )
                .bind(id)
                .bind(&key.ward)
                .bind(&quarter)
                .bind(to.revision)
                .bind(to.removals),
                Some(from) => sqlx::query(
                    "UPDATE results_released SET revision = $1, removals = $2
                     WHERE survey_id = $3 AND ward_code = $4 AND quarter = $5
                       AND revision = $6 AND removals = $7",
                )
                .bind(to.revision)
                .bind(to.removals)
                .bind(id)
                .bind(&key.ward)
                .bind(&quarter)
                .bind(from.revision)
                .bind(from.removals),
            }
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if written != 1 {
                // Dropped uncommitted: rolled back.
                return Ok(false);
            }
        }
        transaction.commit().await?;
        Ok(true)
    }

    /// The responses of survey `id` that count in cell `key` whose arrival
    /// raised the cell's revision to `up_to` at most: every one of them
    /// (`after`: `None`; a response placed in its cell before arrivals
    /// were stamped counts at any revision), or those past `after`. A push
    /// committed after the cell's state was read is never read, so it is
    /// not read twice when the index next catches up.
    pub async fn cell_responses(
        &self,
        id: &str,
        key: &CellKey,
        after: Option<i64>,
        up_to: i64,
    ) -> Result<Vec<Response>, ServerError> {
        let rows = sqlx::query(
            "SELECT content FROM responses
             WHERE survey_id = $1 AND ward_code = $2 AND results_quarter = $3
               AND superseded_by IS NULL
               AND (($4 = 0 AND results_revision IS NULL) OR
                    (results_revision > $5 AND results_revision <= $6))",
        )
        .bind(id)
        .bind(&key.ward)
        .bind(key.quarter.to_string())
        .bind(i64::from(after.is_some()))
        .bind(after.unwrap_or(i64::MIN))
        .bind(up_to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| stored_response(row, "content"))
            .collect()
    }

    /// Which of the responses `ids` still count: stored, and not
    /// superseded by a correction (a withdrawn one is deleted). For the
    /// words a cell kept at its release still shows (`results_index.rs`).
    pub async fn still_counted(&self, ids: &[Uuid]) -> Result<HashSet<Uuid>, ServerError> {
        /// Ids asked for per statement, well within every backend's bound.
        const PER_STATEMENT: usize = 500;
        let mut counting = HashSet::new();
        for chunk in ids.chunks(PER_STATEMENT) {
            let places: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let statement = format!(
                "SELECT id FROM responses WHERE superseded_by IS NULL AND id IN ({})",
                places.join(", ")
            );
            let mut query = sqlx::query_scalar::<_, String>(&statement);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for id in query.fetch_all(&self.pool).await? {
                if let Ok(id) = id.parse() {
                    counting.insert(id);
                }
            }
        }
        Ok(counting)
    }

    /// Gives every response stored before results were kept by cell its
    /// quarter, and raises its cell's revision; run once at start. Returns
    /// how many responses it placed.
    pub async fn backfill_results_cells(&self) -> Result<u64, ServerError> {
        let mut placed = 0;
        loop {
            let mut transaction = self.begin_write().await?;
            let rows =
                sqlx::query("SELECT content FROM responses WHERE results_quarter IS NULL LIMIT $1")
                    .bind(BACKFILL_BATCH)
                    .fetch_all(&mut *transaction)
                    .await?;
            if rows.is_empty() {
                transaction.commit().await?;
                return Ok(placed);
            }
            for row in &rows {
                let response = stored_response(row, "content")?;
                // A date out of the calendar's range is placed nowhere it
                // could be asked for, but is placed.
                let quarter = quarter_of(response.created_at)
                    .map(|quarter| quarter.to_string())
                    .unwrap_or_else(|| "none".to_owned());
                sqlx::query("UPDATE responses SET results_quarter = $1 WHERE id = $2")
                    .bind(&quarter)
                    .bind(response.id.to_string())
                    .execute(&mut *transaction)
                    .await?;
                raise(
                    &mut transaction,
                    &response.survey_id,
                    &response.ward_code,
                    &quarter,
                    Change::Other,
                )
                .await?;
                placed += 1;
            }
            transaction.commit().await?;
        }
    }
}

/// Each row's cell and state (`ward_code`, `quarter`, `revision`,
/// `removals`); a quarter this server cannot read is left out, not fatal.
fn cell_states(rows: &[AnyRow]) -> impl Iterator<Item = (CellKey, CellState)> + '_ {
    rows.iter().filter_map(|row| {
        let quarter = row.get::<&str, _>("quarter").parse().ok()?;
        Some((
            CellKey {
                ward: row.get("ward_code"),
                quarter,
            },
            CellState {
                revision: row.get::<i64, _>("revision"),
                removals: row.get::<i64, _>("removals"),
            },
        ))
    })
}

/// The query of a scope's responses selecting `what`, and its binds after
/// the survey id ($1).
fn scope_query(
    what: &str,
    ward: Option<&str>,
    quarters: Option<&[String]>,
) -> (String, Vec<String>) {
    let mut sql = format!("SELECT {what} FROM responses WHERE survey_id = $1");
    let mut binds = Vec::new();
    if let Some(ward) = ward {
        binds.push(ward.to_owned());
        sql.push_str(&format!(" AND ward_code = ${}", binds.len() + 1));
    }
    if let Some(quarters) = quarters {
        let mut places = Vec::new();
        for quarter in quarters {
            binds.push(quarter.clone());
            places.push(format!("${}", binds.len() + 1));
        }
        if places.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND results_quarter IN ({})", places.join(", ")));
        }
    }
    (sql, binds)
}

/// The quarter a response is stored under (`"none"` for a date out of the
/// calendar's range).
pub(super) fn stored_quarter(response: &Response) -> String {
    CellKey::of(response)
        .map(|key| key.quarter.to_string())
        .unwrap_or_else(|| "none".to_owned())
}

/// What changed in a cell.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    /// A response was added.
    Added,
    /// Anything else: a response withdrawn, or one starting or stopping
    /// to count.
    Other,
}

/// A response was just added to the store: raises its cell's revision and
/// stamps the response with it.
pub(super) async fn cell_added(
    connection: &mut AnyConnection,
    response: &Response,
) -> Result<(), ServerError> {
    let revision = raise(
        connection,
        &response.survey_id,
        &response.ward_code,
        &stored_quarter(response),
        Change::Added,
    )
    .await?;
    sqlx::query("UPDATE responses SET results_revision = $1 WHERE id = $2")
        .bind(revision)
        .bind(response.id.to_string())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Responses were just added to the store, in this order, each named by
/// its survey, ward and quarter: raises each cell's revision by how many it
/// gained, with one multi-row statement, and returns the revision each
/// response is stamped with, in the same order. As [`cell_added`] after
/// each, one by one, would: a cell at revision `r` that gains `k`
/// responses ends at `r + k`, and they are stamped `r + 1` … `r + k`.
pub(super) async fn cells_added(
    connection: &mut AnyConnection,
    added: &[(&str, &str, &str)],
) -> Result<Vec<i64>, ServerError> {
    // Each cell once, in the order of its first response, with its count.
    let mut cells: Vec<((&str, &str, &str), i64)> = Vec::new();
    let mut position: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for key in added {
        match position.get(key) {
            Some(&at) => cells[at].1 += 1,
            None => {
                position.insert(*key, cells.len());
                cells.push((*key, 1));
            }
        }
    }
    // The revision each cell ends at.
    let mut raised: HashMap<(String, String, String), i64> = HashMap::new();
    const TUPLE: &str = "(?, ?, ?, ?, 0)";
    for chunk in statement_chunks(&cells, own_rows_per_statement(connection, TUPLE)) {
        let statement = format!(
            "INSERT INTO results_cells (survey_id, ward_code, quarter, revision, removals)
             VALUES {}
             ON CONFLICT (survey_id, ward_code, quarter)
             DO UPDATE SET revision = results_cells.revision + excluded.revision
             RETURNING survey_id, ward_code, quarter, revision",
            own_values_list(connection, TUPLE, chunk.len())
        );
        let mut query = sqlx::query(&statement);
        for ((survey_id, ward_code, quarter), count) in chunk {
            query = query
                .bind(*survey_id)
                .bind(*ward_code)
                .bind(*quarter)
                .bind(*count);
        }
        for row in query.fetch_all(&mut *connection).await? {
            raised.insert(
                (
                    row.try_get("survey_id")?,
                    row.try_get("ward_code")?,
                    row.try_get("quarter")?,
                ),
                row.try_get("revision")?,
            );
        }
    }
    // Each cell's responses take the revisions it was raised through, in
    // order: the first `end - count + 1`.
    let mut next: HashMap<(&str, &str, &str), i64> = HashMap::new();
    for (key, count) in &cells {
        let owned = (key.0.to_owned(), key.1.to_owned(), key.2.to_owned());
        let end = raised.get(&owned).copied().ok_or_else(|| {
            ServerError::Internal(format!(
                "results cell {} {} {} was not raised",
                key.0, key.1, key.2
            ))
        })?;
        next.insert(*key, end - count + 1);
    }
    let mut revisions = Vec::with_capacity(added.len());
    for key in added {
        let revision = next.get_mut(key).ok_or_else(|| {
            ServerError::Internal("a response's results cell was not raised".to_owned())
        })?;
        revisions.push(*revision);
        *revision += 1;
    }
    Ok(revisions)
}

/// Something other than an arrival changed `response`'s cell (it starts or
/// stops counting): raises the cell's revision and removals.
pub(super) async fn touch_cell(
    connection: &mut AnyConnection,
    response: &Response,
) -> Result<(), ServerError> {
    raise(
        connection,
        &response.survey_id,
        &response.ward_code,
        &stored_quarter(response),
        Change::Other,
    )
    .await?;
    Ok(())
}

/// [`touch_cell`] for a stored response read by its id, before it is
/// deleted; nothing if it is not held.
pub(super) async fn touch_cell_of(
    connection: &mut AnyConnection,
    response_id: &str,
) -> Result<(), ServerError> {
    let row =
        sqlx::query("SELECT survey_id, ward_code, results_quarter FROM responses WHERE id = $1")
            .bind(response_id)
            .fetch_optional(&mut *connection)
            .await?;
    if let Some(row) = row {
        let quarter: Option<String> = row.get("results_quarter");
        raise(
            connection,
            row.get::<&str, _>("survey_id"),
            row.get::<&str, _>("ward_code"),
            quarter.as_deref().unwrap_or("none"),
            Change::Other,
        )
        .await?;
    }
    Ok(())
}

/// Raises a cell's revision (and its removals for a change other than an
/// arrival); returns the new revision.
async fn raise(
    connection: &mut AnyConnection,
    survey_id: &str,
    ward_code: &str,
    quarter: &str,
    change: Change,
) -> Result<i64, ServerError> {
    let removal = i64::from(change == Change::Other);
    let revision: i64 = sqlx::query_scalar(
        "INSERT INTO results_cells (survey_id, ward_code, quarter, revision, removals)
         VALUES ($1, $2, $3, 1, $4)
         ON CONFLICT (survey_id, ward_code, quarter)
         DO UPDATE SET revision = results_cells.revision + 1,
                       removals = results_cells.removals + $5
         RETURNING revision",
    )
    .bind(survey_id)
    .bind(ward_code)
    .bind(quarter)
    .bind(removal)
    .bind(removal)
    .fetch_one(&mut *connection)
    .await?;
    Ok(revision)
}

impl Database {
    /// Forgets every response's quarter, as in a database from before
    /// results were kept by cell: the next start (or
    /// [`Database::backfill_results_cells`]) places every response again
    /// and raises its cell's revision and removals. For a store restored or
    /// repaired by hand. Revisions are never lowered, so no server running
    /// on the store takes a changed cell for one it has read.
    pub async fn reset_results_cells(&self) -> Result<(), ServerError> {
        sqlx::query("UPDATE responses SET results_quarter = NULL")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The id of every published survey.
    pub async fn survey_ids(&self) -> Result<Vec<String>, ServerError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT id FROM surveys ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}
