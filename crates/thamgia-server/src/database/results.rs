//! What the survey results are computed from: every version of a survey
//! and every response held of it. The counting, the distributions and the
//! suppression are core's (`thamgia_core::results`); withdrawn responses
//! are deleted when consent is withdrawn, so none is read here.

use sqlx::Row;
use thamgia_core::{Response, SurveyDefinition};

use super::Database;
use crate::error::ServerError;

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

    /// Every response held of survey `id` (of any version, corrections
    /// included: core's counting rule chooses which version counts),
    /// optionally of one ward.
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
            .map(|row| Ok(serde_json::from_str(row.get::<&str, _>("content"))?))
            .collect()
    }
}
