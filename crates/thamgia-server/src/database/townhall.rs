//! What the town hall reads: per-ward overviews of a period, indicator
//! trends, participation summed from the counts of responses the database
//! keeps by day and ward, the targets a city officer set, and the rows the
//! CSV exports are made of.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use thamgia_core::indicator::Catalogue;
use thamgia_core::report::{FieldContent, FieldKey, Period, ReportFields, ReportId};
use thamgia_core::results::representation::{ChildPopulation, EnteredPopulation};
use thamgia_core::Response;

pub use thamgia_core::api::townhall::{
    milestone, Overview, Participation, SurveyHeard, TrendPoint, WardOverview,
    PARTICIPATION_INDICATOR,
};

use super::responses::content::stored_response;
use super::Database;
use crate::error::ServerError;
use crate::units::UnitList;

/// The first day of `period` and the first day after it.
pub fn period_dates(period: Period) -> (NaiveDate, NaiveDate) {
    period.dates()
}

/// The key of `date` in `participation_by_day`: the day of Hanoi's
/// calendar as stored beside each response (`city_day`, migration 0029,
/// core's `response::counts::city_day`), so a period's days are Hanoi's,
/// as the survey results' quarters are. Also a forum's `held_on`.
fn day_key(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// One count per ward from `rows` (a `ward_code` and the count in
/// `column`), a negative count read as 0.
fn by_ward(rows: &[sqlx::any::AnyRow], column: &str) -> BTreeMap<String, u64> {
    rows.iter()
        .map(|row| {
            (
                row.get::<String, _>("ward_code"),
                row.get::<i64, _>(column).max(0) as u64,
            )
        })
        .collect()
}

fn number_of(fields: &ReportFields, code: &str) -> Option<f64> {
    match fields
        .get(&FieldKey::value(code))
        .map(|state| &state.winner.content)
    {
        Some(FieldContent::Number(number)) => Some(*number),
        _ => None,
    }
}

impl Database {
    /// The catalogue with the targets a city officer set in place of the
    /// shipped ones.
    pub async fn catalogue(&self, shipped: &Catalogue) -> Result<Catalogue, ServerError> {
        let replaced: Vec<String> = sqlx::query_scalar("SELECT code FROM indicator_target_sets")
            .fetch_all(self.pool())
            .await?;
        if replaced.is_empty() {
            return Ok(shipped.clone());
        }
        let rows = sqlx::query("SELECT code, jurisdiction, year, value FROM indicator_targets ORDER BY code, jurisdiction, year")
            .fetch_all(self.pool())
            .await?;
        let mut catalogue = shipped.clone();
        for indicator in catalogue
            .indicators
            .iter_mut()
            .filter(|indicator| replaced.contains(&indicator.code))
        {
            indicator.targets = rows
                .iter()
                .filter(|row| row.get::<&str, _>("code") == indicator.code)
                .map(|row| thamgia_core::indicator::Target {
                    jurisdiction: row.get("jurisdiction"),
                    year: row.get::<i64, _>("year") as i32,
                    value: row.get("value"),
                })
                .collect();
        }
        Ok(catalogue)
    }

    /// Replaces an indicator's targets (a city officer's edit).
    pub async fn set_targets(
        &self,
        code: &str,
        targets: &[thamgia_core::indicator::Target],
        now: DateTime<Utc>,
    ) -> Result<(), ServerError> {
        let mut transaction = self.begin_write().await?;
        sqlx::query("DELETE FROM indicator_targets WHERE code = $1")
            .bind(code)
            .execute(&mut *transaction)
            .await?;
        for target in targets {
            sqlx::query("INSERT INTO indicator_targets (code, jurisdiction, year, value, updated_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(code)
                .bind(&target.jurisdiction)
                .bind(i64::from(target.year))
                .bind(target.value)
                .bind(now.to_rfc3339())
                .execute(&mut *transaction)
                .await?;
        }
        sqlx::query("INSERT INTO indicator_target_sets (code, updated_at) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET updated_at = excluded.updated_at")
            .bind(code)
            .bind(now.to_rfc3339())
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Stores a ward's child population aged 7-15 for a year, and its
    /// children by group when given (otherwise the groups on record stay).
    pub async fn set_child_population(
        &self,
        ward_code: &str,
        year: i32,
        children: u64,
        groups: Option<&ChildPopulation>,
        now: DateTime<Utc>,
    ) -> Result<(), ServerError> {
        let groups = groups.map(serde_json::to_string).transpose()?;
        sqlx::query(
            "INSERT INTO ward_populations (ward_code, year, children_7_15, updated_at, groups)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (ward_code, year) DO UPDATE SET children_7_15 = excluded.children_7_15,
                 updated_at = excluded.updated_at,
                 groups = COALESCE(excluded.groups, ward_populations.groups)",
        )
        .bind(ward_code)
        .bind(i64::from(year))
        .bind(children as i64)
        .bind(now.to_rfc3339())
        .bind(groups)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every population by group entered, of one ward or of every ward.
    pub async fn entered_populations(
        &self,
        ward_code: Option<&str>,
    ) -> Result<Vec<EnteredPopulation>, ServerError> {
        let rows = sqlx::query(
            "SELECT ward_code, year, groups FROM ward_populations
             WHERE groups IS NOT NULL AND ($1 IS NULL OR ward_code = $2)",
        )
        .bind(ward_code)
        .bind(ward_code)
        .fetch_all(self.pool())
        .await?;
        let mut entered = Vec::with_capacity(rows.len());
        for row in rows {
            entered.push(EnteredPopulation {
                ward_code: row.get("ward_code"),
                year: i32::try_from(row.get::<i64, _>("year")).unwrap_or_default(),
                population: serde_json::from_str(row.get::<&str, _>("groups"))?,
            });
        }
        Ok(entered)
    }

    /// Participation of every ward in `period`, by ward code: its
    /// responses that count (not superseded by a correction; a withdrawn
    /// one is deleted) created in the period, and those of children aged 7
    /// and over, the most of those one survey holds, and those whose child
    /// said it was their first consultation this year, or not; and the
    /// children aged 7 and over at its forums held in the period. Summed from
    /// `participation_by_day`, the counts kept by day, ward and survey
    /// beside the responses (migrations 0020, 0022, 0025, 0026 and 0029: added by the
    /// statement after the one that stores responses, moved by triggers
    /// when one is superseded, changed or withdrawn): at most the period's
    /// days × wards × surveys rows, however many responses there are. A
    /// ward appears when it has a response that counts in the period, a
    /// forum held in it, or a population that year.
    pub async fn participation(
        &self,
        period: Period,
    ) -> Result<BTreeMap<String, (u64, Participation)>, ServerError> {
        self.participation_of(period, None).await
    }

    /// [`Database::participation`] of one ward (`Some`), or of every ward.
    pub async fn participation_of(
        &self,
        period: Period,
        ward: Option<&str>,
    ) -> Result<BTreeMap<String, (u64, Participation)>, ServerError> {
        let (start, end) = period_dates(period);
        let rows = sqlx::query(
            "SELECT ward_code, survey_id, CAST(SUM(responses) AS BIGINT) AS responses,
                    CAST(SUM(older) AS BIGINT) AS older,
                    CAST(SUM(first_time) AS BIGINT) AS first_time,
                    CAST(SUM(again) AS BIGINT) AS again
             FROM participation_by_day
             WHERE day >= $1 AND day < $2 AND ($3 IS NULL OR ward_code = $4)
             GROUP BY ward_code, survey_id
             HAVING SUM(responses) > 0",
        )
        .bind(day_key(start))
        .bind(day_key(end))
        .bind(ward)
        .bind(ward)
        .fetch_all(self.pool())
        .await?;
        let populations = sqlx::query(
            "SELECT ward_code, children_7_15 FROM ward_populations
             WHERE year = $1 AND ($2 IS NULL OR ward_code = $3)",
        )
        .bind(i64::from(period.year()))
        .bind(ward)
        .bind(ward)
        .fetch_all(self.pool())
        .await?;
        let populations = by_ward(&populations, "children_7_15");
        let mut result = BTreeMap::new();
        for (ward, population) in &populations {
            result.insert(ward.clone(), (0, Participation::new(0, Some(*population))));
        }
        // The children aged 7 and over at each ward's forums held in the
        // period (those not corrected since).
        let forums = sqlx::query(
            "SELECT ward_code, CAST(SUM(children_7_plus) AS BIGINT) AS children
             FROM forums
             WHERE superseded_by IS NULL AND held_on >= $1 AND held_on < $2
               AND ($3 IS NULL OR ward_code = $4)
             GROUP BY ward_code",
        )
        .bind(day_key(start))
        .bind(day_key(end))
        .bind(ward)
        .bind(ward)
        .fetch_all(self.pool())
        .await?;
        let forums = by_ward(&forums, "children");
        // Each ward's responses, and what each survey heard from its older
        // children.
        let mut counted: BTreeMap<String, (u64, Vec<SurveyHeard>)> = BTreeMap::new();
        let count = |row: &sqlx::any::AnyRow, column: &str| row.get::<i64, _>(column).max(0) as u64;
        for row in rows {
            let ward: String = row.get("ward_code");
            let entry = counted.entry(ward).or_default();
            entry.0 += count(&row, "responses");
            entry.1.push(SurveyHeard {
                older: count(&row, "older"),
                first_time: count(&row, "first_time"),
                again: count(&row, "again"),
            });
        }
        for (ward, (responses, by_survey)) in counted {
            let population = populations.get(&ward).copied();
            result.insert(
                ward,
                (responses, Participation::of_surveys(by_survey, population)),
            );
        }
        for (ward, children) in forums {
            let population = populations.get(&ward).copied();
            let entry = result
                .remove(&ward)
                .unwrap_or_else(|| (0, Participation::new(0, population)));
            result.insert(ward, (entry.0, entry.1.with_forum_children(children)));
        }
        Ok(result)
    }

    /// The overview of every ward in `period`.
    pub async fn overview(
        &self,
        period: Period,
        units: &UnitList,
        catalogue: &Catalogue,
    ) -> Result<Overview, ServerError> {
        let participation = self.participation(period).await?;
        let reports = self.reports_of_period(period).await?;
        let wards = units
            .units
            .iter()
            .map(|unit| {
                let (responses, participation) = participation
                    .get(&unit.code)
                    .cloned()
                    .unwrap_or((0, Participation::new(0, None)));
                let report = reports.iter().find(|(id, _)| id.ward_code() == unit.code);
                let values = report
                    .map(|(_, (_, fields))| {
                        catalogue
                            .indicators
                            .iter()
                            .filter_map(|indicator| {
                                number_of(fields, &indicator.code)
                                    .map(|value| (indicator.code.clone(), value))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                WardOverview {
                    code: unit.code.clone(),
                    name_vi: unit.name_vi.clone(),
                    name_en: unit.name_en.clone(),
                    responses,
                    participation,
                    report_status: report.map(|(_, (status, _))| *status),
                    values,
                }
            })
            .collect();
        Ok(Overview {
            period: period.to_string(),
            participation_target: catalogue.target_for(
                PARTICIPATION_INDICATOR,
                "01",
                milestone(period.year()),
            ),
            wards,
        })
    }

    /// An indicator's values for one ward across every period reported.
    pub async fn trend(
        &self,
        ward_code: &str,
        code: &str,
        catalogue: &Catalogue,
    ) -> Result<Vec<TrendPoint>, ServerError> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM reports WHERE ward_code = $1 ORDER BY period")
                .bind(ward_code)
                .fetch_all(self.pool())
                .await?;
        let mut points = Vec::new();
        for id in ids {
            let report_id: ReportId =
                id.parse()
                    .map_err(|error: thamgia_core::report::ReportError| {
                        ServerError::BadRequest(error.to_string())
                    })?;
            let (_, fields) = self.report(&report_id).await?;
            if let Some(value) = number_of(&fields, code) {
                let period = report_id.period();
                points.push(TrendPoint {
                    period: period.to_string(),
                    value,
                    target: catalogue.target_for(code, "01", milestone(period.year())),
                });
            }
        }
        Ok(points)
    }

    /// How many responses of a survey the server holds, superseded or not
    /// (what an export holds when it starts, for the audit log): read from
    /// `survey_response_counts`, kept as responses are stored and deleted
    /// (migrations 0020 and 0022), instead of counting them.
    pub async fn response_count_of_survey(&self, survey_id: &str) -> Result<u64, ServerError> {
        let count: Option<i64> =
            sqlx::query_scalar("SELECT responses FROM survey_response_counts WHERE survey_id = $1")
                .bind(survey_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(u64::try_from(count.unwrap_or(0)).unwrap_or(0))
    }

    /// One page of a survey's responses for the export, each with when it
    /// was received and the correction that supersedes it: at most `limit`
    /// received after `after` (its `received_at` and id), in the order
    /// received, read through the `responses_for_export` index. The bound
    /// `received_at >= $2` is there for PostgreSQL's planner: with the `OR`
    /// alone its index scan began at the survey's first entry and filtered
    /// every earlier one out (EXPLAIN ANALYZE: 172,800 rows read and dropped
    /// for one page at 300,000 responses, 30 ms against 0.3 ms; a million
    /// responses' export did not end within the bench's 10 minutes); with
    /// it, each page's index range starts where the last one ended.
    pub async fn responses_of_survey_after(
        &self,
        survey_id: &str,
        after: Option<&(String, String)>,
        limit: u32,
    ) -> Result<Vec<(Response, String, Option<String>)>, ServerError> {
        let rows = match after {
            None => {
                sqlx::query(
                    "SELECT content, received_at, superseded_by FROM responses \
                     WHERE survey_id = $1 ORDER BY received_at, id LIMIT $2",
                )
                .bind(survey_id)
                .bind(i64::from(limit))
                .fetch_all(self.pool())
                .await?
            }
            Some((received_at, id)) => {
                sqlx::query(
                    "SELECT content, received_at, superseded_by FROM responses \
                     WHERE survey_id = $1 AND received_at >= $2 \
                       AND (received_at > $2 OR id > $3) \
                     ORDER BY received_at, id LIMIT $4",
                )
                .bind(survey_id)
                .bind(received_at)
                .bind(id)
                .bind(i64::from(limit))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok((
                    stored_response(row, "content")?,
                    row.get::<String, _>("received_at"),
                    row.get::<Option<String>, _>("superseded_by"),
                ))
            })
            .collect()
    }
}
