//! Surveys: publishing versions (each logged as a change for the tablets)
//! and reading them back.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::{ChangeEntity, FormEngine, SurveyDefinition};

use super::{log_change, timestamp, Database};
use crate::error::ServerError;

impl Database {
    /// Publishes a survey version and logs it as a change. Publishing the
    /// same version again does nothing; returns whether it was new.
    pub async fn publish_survey(
        &self,
        survey: &SurveyDefinition,
        now: DateTime<Utc>,
    ) -> Result<bool, ServerError> {
        let mut transaction = self.begin_write().await?;
        let inserted = insert_survey(&mut transaction, survey, now).await?;
        transaction.commit().await?;
        Ok(inserted)
    }

    /// The highest published version of survey `id`, 0 when none is.
    pub async fn latest_version(&self, id: &str) -> Result<u32, ServerError> {
        let mut connection = self.pool.acquire().await?;
        latest_version(&mut connection, id).await
    }

    /// Publishes `survey` as the next version of its id (the latest plus
    /// one, or 1) and returns it with that version. The version is read and
    /// the row written in one write transaction, so two imports
    /// of the same id at once get two different versions.
    pub async fn publish_next_version(
        &self,
        mut survey: SurveyDefinition,
        now: DateTime<Utc>,
    ) -> Result<SurveyDefinition, ServerError> {
        let mut transaction = self.begin_write().await?;
        survey.version = latest_version(&mut transaction, &survey.id).await? + 1;
        insert_survey(&mut transaction, &survey, now).await?;
        transaction.commit().await?;
        Ok(survey)
    }

    /// The latest version of every survey, by id.
    pub async fn latest_surveys(&self) -> Result<Vec<SurveyDefinition>, ServerError> {
        let rows = sqlx::query(
            "SELECT definition FROM surveys s
             WHERE version = (SELECT MAX(version) FROM surveys t WHERE t.id = s.id)
             ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok(serde_json::from_str(row.get::<&str, _>("definition"))?))
            .collect()
    }

    /// The title of each survey's newest version, by id, for lists that
    /// name surveys (referrals, responses found by reference).
    pub async fn survey_titles(&self) -> Result<SurveyTitles, ServerError> {
        Ok(SurveyTitles(
            self.latest_surveys()
                .await?
                .into_iter()
                .map(|survey| (survey.id, survey.title))
                .collect(),
        ))
    }

    /// One survey version.
    pub async fn survey(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Option<SurveyDefinition>, ServerError> {
        let mut connection = self.pool.acquire().await?;
        load_survey(&mut connection, id, version).await
    }
}

async fn latest_version(connection: &mut AnyConnection, id: &str) -> Result<u32, ServerError> {
    let latest: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM surveys WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *connection)
            .await?;
    Ok(u32::try_from(latest).unwrap_or(0))
}

/// Inserts a survey version and its change-log entry, unless that version
/// exists; returns whether it was new.
async fn insert_survey(
    connection: &mut AnyConnection,
    survey: &SurveyDefinition,
    now: DateTime<Utc>,
) -> Result<bool, ServerError> {
    let definition = serde_json::to_string(survey)?;
    let inserted = sqlx::query(
        "INSERT INTO surveys (id, version, definition, published_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id, version) DO NOTHING",
    )
    .bind(&survey.id)
    .bind(i64::from(survey.version))
    .bind(&definition)
    .bind(timestamp(now))
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        let entity = ChangeEntity::Survey {
            survey: survey.clone(),
        };
        let at = timestamp(now);
        log_change(connection, "survey", &survey.key(), &entity, &at, None).await?;
    }
    Ok(inserted)
}

pub(super) async fn load_survey(
    connection: &mut AnyConnection,
    id: &str,
    version: u32,
) -> Result<Option<SurveyDefinition>, ServerError> {
    let row = sqlx::query("SELECT definition FROM surveys WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(i64::from(version))
        .fetch_optional(&mut *connection)
        .await?;
    match row {
        Some(row) => Ok(Some(serde_json::from_str(
            row.get::<&str, _>("definition"),
        )?)),
        None => Ok(None),
    }
}

/// A survey version with its compiled form.
pub(super) type CompiledSurvey = (SurveyDefinition, FormEngine);

/// Each survey's title, by id ([`Database::survey_titles`]).
#[derive(Debug, Clone, Default)]
pub struct SurveyTitles(std::collections::HashMap<String, thamgia_core::Localized>);

impl SurveyTitles {
    /// The title of survey `id`; its id when the server holds none.
    pub fn of(&self, id: &str) -> thamgia_core::Localized {
        self.0
            .get(id)
            .cloned()
            .unwrap_or_else(|| thamgia_core::Localized::new(id, id))
    }
}
