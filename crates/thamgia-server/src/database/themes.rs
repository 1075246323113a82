//! Each survey's codebook of themes and the answers tagged with them (see
//! `thamgia_core::results::themes`: the rules are core's, applied here in
//! the write transaction that changes the rows, with the change's audit
//! entry in that same transaction).
//!
//! A tag names a stored response: when consent is withdrawn the response
//! is deleted and its tags with it (`ON DELETE CASCADE`), and a deleted
//! theme takes its tags with it.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::account::AccountInfo;
use thamgia_core::api::themes::TagBody;
use thamgia_core::audit::{stored_time, AuditEvent};
use thamgia_core::results::themes::{
    check_theme_label, has_text_answer, label_key, may_change_theme, AnswerTag, Theme, ThemeRefusal,
};
use thamgia_core::Response;
use uuid::Uuid;

use super::audit::append;
use super::responses::content::stored_response;
use super::Database;
use crate::error::ServerError;

/// What became of a change to a theme.
#[derive(Debug)]
pub enum ThemeChange {
    /// Done: the theme as it now is.
    Done(Theme),
    /// Refused by core's rules.
    Refused(ThemeRefusal),
    /// No such theme.
    NotFound,
    /// The account may not change this theme.
    NotAllowed,
}

/// What became of a tag added or taken off.
#[derive(Debug)]
pub enum TagChange {
    /// Done: the answer's themes now, in the codebook's order.
    Done(Vec<Uuid>),
    /// No such theme, no such response (or not of the theme's survey, or
    /// since corrected), or no written answer to that question.
    NotFound,
    /// The answer is of a ward the account may not act for.
    OtherWard(String),
}

fn uuid_column(row: &sqlx::any::AnyRow, column: &str) -> Result<Uuid, ServerError> {
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|error: uuid::Error| ServerError::Internal(format!("{column}: {error}")))
}

fn theme_of(row: &sqlx::any::AnyRow) -> Result<Theme, ServerError> {
    let created_at: String = row.try_get("created_at")?;
    Ok(Theme {
        id: uuid_column(row, "id")?,
        survey_id: row.try_get("survey_id")?,
        label: row.try_get("label")?,
        created_by: row.try_get("created_by")?,
        created_at: DateTime::parse_from_rfc3339(&created_at)
            .map_err(|error| ServerError::Internal(format!("created_at: {error}")))?
            .with_timezone(&Utc),
    })
}

async fn survey_themes(
    connection: &mut AnyConnection,
    survey: &str,
) -> Result<Vec<Theme>, ServerError> {
    let rows = sqlx::query(
        "SELECT id, survey_id, label, created_by, created_at FROM themes
         WHERE survey_id = $1 ORDER BY created_at, id",
    )
    .bind(survey)
    .fetch_all(&mut *connection)
    .await?;
    rows.iter().map(theme_of).collect()
}

/// Whether answers of a ward other than `account`'s carry theme `id`
/// (any ward for an account without one).
async fn tagged_elsewhere(
    connection: &mut AnyConnection,
    id: Uuid,
    account: &AccountInfo,
) -> Result<bool, ServerError> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT theme_id FROM answer_tags WHERE theme_id = $1 AND ward_code <> $2 LIMIT 1",
    )
    .bind(id.to_string())
    .bind(account.ward_code.as_deref().unwrap_or(""))
    .fetch_optional(&mut *connection)
    .await?;
    Ok(found.is_some())
}

async fn one_theme(connection: &mut AnyConnection, id: Uuid) -> Result<Option<Theme>, ServerError> {
    let row = sqlx::query(
        "SELECT id, survey_id, label, created_by, created_at FROM themes WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    row.as_ref().map(theme_of).transpose()
}

/// The themes of one answer, in the codebook's order.
async fn answer_themes(
    connection: &mut AnyConnection,
    response: Uuid,
    question: &str,
) -> Result<Vec<Uuid>, ServerError> {
    let rows = sqlx::query(
        "SELECT t.theme_id FROM answer_tags t JOIN themes th ON th.id = t.theme_id
         WHERE t.response_id = $1 AND t.question_id = $2 ORDER BY th.created_at, th.id",
    )
    .bind(response.to_string())
    .bind(question)
    .fetch_all(&mut *connection)
    .await?;
    rows.iter()
        .map(|row| uuid_column(row, "theme_id"))
        .collect()
}

impl Database {
    /// The codebook of survey `survey`, oldest theme first.
    pub async fn themes(&self, survey: &str) -> Result<Vec<Theme>, ServerError> {
        let mut connection = self.pool.acquire().await?;
        survey_themes(&mut connection, survey).await
    }

    /// Every tag of question `question` of survey `survey`.
    pub async fn answer_tags(
        &self,
        survey: &str,
        question: &str,
    ) -> Result<Vec<AnswerTag>, ServerError> {
        let rows = sqlx::query(
            "SELECT t.response_id, t.question_id, t.theme_id FROM answer_tags t
             JOIN themes th ON th.id = t.theme_id
             WHERE th.survey_id = $1 AND t.question_id = $2",
        )
        .bind(survey)
        .bind(question)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AnswerTag {
                    response_id: uuid_column(row, "response_id")?,
                    question_id: row.try_get("question_id")?,
                    theme_id: uuid_column(row, "theme_id")?,
                })
            })
            .collect()
    }

    /// Adds a theme labelled `label` to survey `survey`'s codebook, by
    /// `account`, logging `event` with it.
    pub async fn create_theme(
        &self,
        account: &AccountInfo,
        survey: &str,
        label: &str,
        event: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<ThemeChange, ServerError> {
        let mut transaction = self.begin_write().await?;
        let themes = survey_themes(&mut transaction, survey).await?;
        let label = match check_theme_label(label, &themes, None) {
            Ok(label) => label,
            Err(refusal) => return Ok(ThemeChange::Refused(refusal)),
        };
        let theme = Theme {
            id: Uuid::new_v4(),
            survey_id: survey.to_owned(),
            label,
            created_by: account.username.clone(),
            // As stored: to the millisecond.
            created_at: now.trunc_subsecs(3),
        };
        sqlx::query(
            "INSERT INTO themes (id, survey_id, label, label_key, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(theme.id.to_string())
        .bind(&theme.survey_id)
        .bind(&theme.label)
        .bind(label_key(&theme.label))
        .bind(&theme.created_by)
        .bind(stored_time(now))
        .execute(&mut *transaction)
        .await?;
        append(
            &mut transaction,
            event
                .target(theme.id)
                .detail(format!("survey={survey} themes={}", themes.len() + 1)),
            now,
        )
        .await?;
        transaction.commit().await?;
        Ok(ThemeChange::Done(theme))
    }

    /// Renames theme `id` to `label`, by `account`.
    pub async fn rename_theme(
        &self,
        account: &AccountInfo,
        id: Uuid,
        label: &str,
        event: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<ThemeChange, ServerError> {
        let mut transaction = self.begin_write().await?;
        let Some(theme) = one_theme(&mut transaction, id).await? else {
            return Ok(ThemeChange::NotFound);
        };
        let elsewhere = tagged_elsewhere(&mut transaction, id, account).await?;
        if !may_change_theme(account, &theme, elsewhere) {
            return Ok(ThemeChange::NotAllowed);
        }
        let themes = survey_themes(&mut transaction, &theme.survey_id).await?;
        let label = match check_theme_label(label, &themes, Some(id)) {
            Ok(label) => label,
            Err(refusal) => return Ok(ThemeChange::Refused(refusal)),
        };
        sqlx::query("UPDATE themes SET label = $1, label_key = $2 WHERE id = $3")
            .bind(&label)
            .bind(label_key(&label))
            .bind(id.to_string())
            .execute(&mut *transaction)
            .await?;
        append(
            &mut transaction,
            event
                .target(id)
                .detail(format!("survey={}", theme.survey_id)),
            now,
        )
        .await?;
        transaction.commit().await?;
        Ok(ThemeChange::Done(Theme { label, ..theme }))
    }

    /// Deletes theme `id` and its tags, by `account`.
    pub async fn delete_theme(
        &self,
        account: &AccountInfo,
        id: Uuid,
        event: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<ThemeChange, ServerError> {
        let mut transaction = self.begin_write().await?;
        let Some(theme) = one_theme(&mut transaction, id).await? else {
            return Ok(ThemeChange::NotFound);
        };
        let elsewhere = tagged_elsewhere(&mut transaction, id, account).await?;
        if !may_change_theme(account, &theme, elsewhere) {
            return Ok(ThemeChange::NotAllowed);
        }
        let tags: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM answer_tags WHERE theme_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&mut *transaction)
        .await?;
        sqlx::query("DELETE FROM answer_tags WHERE theme_id = $1")
            .bind(id.to_string())
            .execute(&mut *transaction)
            .await?;
        sqlx::query("DELETE FROM themes WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *transaction)
            .await?;
        append(
            &mut transaction,
            event
                .target(id)
                .detail(format!("survey={} tags={tags}", theme.survey_id)),
            now,
        )
        .await?;
        transaction.commit().await?;
        Ok(ThemeChange::Done(theme))
    }

    /// Tags (`tagged`) or untags an answer with a theme (`tag`), by
    /// `account`: the answer must be a written answer of the theme's
    /// survey, in the version that counts, of a ward the account acts for.
    pub async fn change_tag(
        &self,
        account: &AccountInfo,
        tag: &TagBody,
        tagged: bool,
        event: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<TagChange, ServerError> {
        let (response, question) = (tag.response, tag.question.as_str());
        let mut transaction = self.begin_write().await?;
        let Some(theme) = one_theme(&mut transaction, tag.theme).await? else {
            return Ok(TagChange::NotFound);
        };
        let row = sqlx::query(
            "SELECT survey_id, ward_code, content FROM responses
             WHERE id = $1 AND superseded_by IS NULL",
        )
        .bind(response.to_string())
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(row) = row else {
            return Ok(TagChange::NotFound);
        };
        let survey_id: String = row.try_get("survey_id")?;
        let ward_code: String = row.try_get("ward_code")?;
        let content: Response = stored_response(&row, "content")?;
        if survey_id != theme.survey_id || !has_text_answer(&content, question) {
            return Ok(TagChange::NotFound);
        }
        if !account.may_act_for_ward(&ward_code) {
            return Ok(TagChange::OtherWard(ward_code));
        }
        let changed = if tagged {
            sqlx::query(
                "INSERT INTO answer_tags
                 (theme_id, response_id, question_id, ward_code, tagged_by, tagged_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (theme_id, response_id, question_id) DO NOTHING",
            )
            .bind(theme.id.to_string())
            .bind(response.to_string())
            .bind(question)
            .bind(&ward_code)
            .bind(&account.username)
            .bind(stored_time(now))
            .execute(&mut *transaction)
            .await?
        } else {
            sqlx::query(
                "DELETE FROM answer_tags
                 WHERE theme_id = $1 AND response_id = $2 AND question_id = $3",
            )
            .bind(theme.id.to_string())
            .bind(response.to_string())
            .bind(question)
            .execute(&mut *transaction)
            .await?
        };
        // A tag sent again changes nothing and is not logged again.
        if changed.rows_affected() > 0 {
            append(
                &mut transaction,
                event
                    .ward(Some(&ward_code))
                    .target(response)
                    .detail(format!(
                        "survey={} question={question} theme={}",
                        theme.survey_id, theme.id
                    )),
                now,
            )
            .await?;
        }
        let themes = answer_themes(&mut transaction, response, question).await?;
        transaction.commit().await?;
        Ok(TagChange::Done(themes))
    }
}
