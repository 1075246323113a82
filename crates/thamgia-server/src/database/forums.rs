//! Children's forums at the town hall: storing submitted forums, the
//! authorities' answers and the feedback to children, and reading them back
//! with each recommendation's status and deadlines.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::corrections;
use thamgia_core::forum::{AuthorityAnswer, ChildFeedback, Forum, RecommendationStatus};
use thamgia_core::{ChangeEntity, Localized, MutationOutcome, RefusalCode};
use uuid::Uuid;

pub use thamgia_core::api::forums::{AnswerBody, ForumView, RecommendationView};

use super::{log_change, sha256_hex, Database};
use crate::error::ServerError;

/// The ward of the forum a recommendation came from.
pub(crate) async fn recommendation_ward(
    connection: &mut AnyConnection,
    recommendation_id: Uuid,
) -> Result<Option<String>, ServerError> {
    Ok(sqlx::query_scalar(
        "SELECT f.ward_code FROM recommendations r JOIN forums f ON f.id = r.forum_id WHERE r.id = $1",
    )
    .bind(recommendation_id.to_string())
    .fetch_optional(&mut *connection)
    .await?)
}

/// The outcome of a record refused by the rule of `code` for `problems`,
/// joined into one message in each language.
pub(crate) fn rejected(code: RefusalCode, problems: Vec<Localized>) -> MutationOutcome {
    MutationOutcome::rejected(code, thamgia_core::limits::joined_reasons(&problems))
}

/// Why a forum may not supersede the one it names in `corrects` (the rule
/// is `thamgia_core::corrections`); a forum already stored is not asked
/// again.
async fn correction_refusal(
    connection: &mut AnyConnection,
    forum: &Forum,
    corrects: Uuid,
) -> Result<Option<Localized>, ServerError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT id FROM forums WHERE id = $1")
        .bind(forum.id.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    if stored.is_some() {
        return Ok(None);
    }
    let held_ward: Option<String> =
        sqlx::query_scalar("SELECT ward_code FROM forums WHERE id = $1")
            .bind(corrects.to_string())
            .fetch_optional(&mut *connection)
            .await?;
    let corrected = match &held_ward {
        Some(ward_code) => corrections::Corrected::Stored {
            survey_id: None,
            ward_code,
        },
        None => corrections::Corrected::Missing,
    };
    let correction = corrections::Correction {
        id: forum.id,
        corrects,
        survey_id: None,
        ward_code: &forum.ward_code,
    };
    Ok(corrections::correction_refusal(&correction, &corrected))
}

/// Stores a submitted forum once; the same id with other content is kept
/// aside as a conflict, never overwriting the first.
pub(crate) async fn submit_forum(
    connection: &mut AnyConnection,
    forum: &Forum,
    client_id: &str,
    received_at: &str,
) -> Result<MutationOutcome, ServerError> {
    let mut problems = forum.problems();
    if !forum.submitted {
        problems.push(Localized::new(
            "Diễn đàn chưa được gửi.",
            "The forum was not submitted.",
        ));
    }
    if !problems.is_empty() {
        return Ok(rejected(RefusalCode::InvalidRecord, problems));
    }
    if let Some(corrects) = forum.corrects {
        if let Some(refusal) = correction_refusal(connection, forum, corrects).await? {
            return Ok(rejected(RefusalCode::CorrectionRefused, vec![refusal]));
        }
    }
    let content = serde_json::to_string(forum)?;
    let hash = sha256_hex(&content);
    let inserted = sqlx::query(
        "INSERT INTO forums (id, ward_code, held_on, content, content_sha256, client_id, received_at, corrects,
             children_7_plus)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
    )
    .bind(forum.id.to_string())
    .bind(&forum.ward_code)
    .bind(forum.held_on.to_string())
    .bind(&content)
    .bind(&hash)
    .bind(client_id)
    .bind(received_at)
    .bind(forum.corrects.map(|id| id.to_string()))
    .bind(i64::from(forum.children_7_plus()))
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        let existing: String =
            sqlx::query_scalar("SELECT content_sha256 FROM forums WHERE id = $1")
                .bind(forum.id.to_string())
                .fetch_one(&mut *connection)
                .await?;
        if existing == hash {
            return Ok(MutationOutcome::AlreadyStored);
        }
        sqlx::query(
            "INSERT INTO forum_conflicts (forum_id, content, content_sha256, client_id, received_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (forum_id, content_sha256) DO NOTHING",
        )
        .bind(forum.id.to_string())
        .bind(&content)
        .bind(&hash)
        .bind(client_id)
        .bind(received_at)
        .execute(&mut *connection)
        .await?;
        return Ok(MutationOutcome::Conflict {
            message: Localized::new(
                "Thành phố đã có một diễn đàn khác cùng mã. Cả hai đều được giữ lại.",
                "The town hall already holds a different forum with the same id. Both are kept.",
            ),
        });
    }
    for recommendation in &forum.recommendations {
        sqlx::query("INSERT INTO recommendations (id, forum_id, content) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(recommendation.id.to_string())
            .bind(forum.id.to_string())
            .bind(serde_json::to_string(recommendation)?)
            .execute(&mut *connection)
            .await?;
    }
    if let Some(corrected) = forum.corrects {
        sqlx::query("UPDATE forums SET superseded_by = $1 WHERE id = $2 AND superseded_by IS NULL")
            .bind(forum.id.to_string())
            .bind(corrected.to_string())
            .execute(&mut *connection)
            .await?;
    }
    log_change(
        connection,
        "forum",
        &forum.id.to_string(),
        &ChangeEntity::ForumStored {
            forum: forum.clone(),
        },
        received_at,
        Some(&forum.ward_code),
    )
    .await?;
    Ok(MutationOutcome::Applied)
}

/// Records the feedback given to the children, once per recommendation.
pub(crate) async fn record_feedback(
    connection: &mut AnyConnection,
    feedback: &ChildFeedback,
    received_at: &str,
) -> Result<MutationOutcome, ServerError> {
    if let Some(problem) = feedback.size_problem() {
        return Ok(rejected(RefusalCode::InvalidRecord, vec![problem]));
    }
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM recommendations WHERE id = $1")
        .bind(feedback.recommendation_id.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    if known.is_none() {
        return Ok(rejected(
            RefusalCode::UnknownRecommendation,
            vec![Localized::new(
                "Thành phố chưa có kiến nghị này: hãy gửi diễn đàn trước.",
                "The town hall does not have this recommendation: send the forum first.",
            )],
        ));
    }
    let inserted = sqlx::query(
        "INSERT INTO child_feedback (recommendation_id, content, recorded_at) VALUES ($1, $2, $3)
         ON CONFLICT (recommendation_id) DO NOTHING",
    )
    .bind(feedback.recommendation_id.to_string())
    .bind(serde_json::to_string(feedback)?)
    .bind(received_at)
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(MutationOutcome::AlreadyStored);
    }
    let ward = recommendation_ward(connection, feedback.recommendation_id).await?;
    log_change(
        connection,
        "feedback",
        &feedback.recommendation_id.to_string(),
        &ChangeEntity::FeedbackRecorded {
            feedback: feedback.clone(),
        },
        received_at,
        ward.as_deref(),
    )
    .await?;
    Ok(MutationOutcome::Applied)
}

impl Database {
    /// Records (or revises) an authority's answer; every tablet hears of it.
    /// Returns false when the recommendation is unknown.
    pub async fn answer_recommendation(
        &self,
        recommendation_id: Uuid,
        body: &AnswerBody,
        now: DateTime<Utc>,
    ) -> Result<bool, ServerError> {
        let mut transaction = self.begin_write().await?;
        let known: Option<String> =
            sqlx::query_scalar("SELECT id FROM recommendations WHERE id = $1")
                .bind(recommendation_id.to_string())
                .fetch_optional(&mut *transaction)
                .await?;
        if known.is_none() {
            return Ok(false);
        }
        let answer = AuthorityAnswer {
            recommendation_id,
            decision: body.decision,
            reasons: body.reasons.clone(),
            actions: body.actions.clone(),
            answered_on: body.answered_on,
        };
        let at = now.to_rfc3339();
        sqlx::query(
            "INSERT INTO recommendation_answers (recommendation_id, content, recorded_at) VALUES ($1, $2, $3)
             ON CONFLICT (recommendation_id) DO UPDATE SET content = excluded.content, recorded_at = excluded.recorded_at",
        )
        .bind(recommendation_id.to_string())
        .bind(serde_json::to_string(&answer)?)
        .bind(&at)
        .execute(&mut *transaction)
        .await?;
        let ward = recommendation_ward(&mut transaction, recommendation_id).await?;
        log_change(
            &mut transaction,
            "answer",
            &recommendation_id.to_string(),
            &ChangeEntity::RecommendationAnswered { answer },
            &at,
            ward.as_deref(),
        )
        .await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// Every counted forum (optionally of one ward), newest first, with its
    /// recommendations' answers, feedback, status and deadlines as of `today`.
    pub async fn forums(
        &self,
        ward_code: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<ForumView>, ServerError> {
        let rows = sqlx::query(
            "SELECT content, received_at FROM forums
             WHERE superseded_by IS NULL AND ($1 IS NULL OR ward_code = $2)
             ORDER BY held_on DESC, received_at DESC",
        )
        .bind(ward_code)
        .bind(ward_code)
        .fetch_all(self.pool())
        .await?;
        let answers: std::collections::HashMap<String, AuthorityAnswer> = self
            .by_recommendation("SELECT recommendation_id, content FROM recommendation_answers")
            .await?;
        let feedback: std::collections::HashMap<String, ChildFeedback> = self
            .by_recommendation("SELECT recommendation_id, content FROM child_feedback")
            .await?;
        rows.iter()
            .map(|row| {
                let forum: Forum = serde_json::from_str(row.get::<&str, _>("content"))?;
                let answer_due = forum.answer_due();
                let recommendations = forum
                    .recommendations
                    .iter()
                    .map(|recommendation| {
                        let key = recommendation.id.to_string();
                        let answer = answers.get(&key).cloned();
                        let given = feedback.get(&key).cloned();
                        RecommendationView {
                            status: RecommendationStatus::of(answer.as_ref(), given.as_ref()),
                            answer_overdue: answer.is_none() && today > answer_due,
                            recommendation: recommendation.clone(),
                            answer,
                            feedback: given,
                            answer_due,
                        }
                    })
                    .collect();
                Ok(ForumView {
                    report_due: forum.report_due(),
                    received_at: row.get("received_at"),
                    recommendations,
                    forum,
                })
            })
            .collect()
    }
}

impl Database {
    /// The records `query` selects (`recommendation_id`, `content` as
    /// JSON), by recommendation id: the answers, or the feedback.
    async fn by_recommendation<T: serde::de::DeserializeOwned>(
        &self,
        query: &'static str,
    ) -> Result<std::collections::HashMap<String, T>, ServerError> {
        sqlx::query(query)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.get::<String, _>("recommendation_id"),
                    serde_json::from_str(row.get::<&str, _>("content"))?,
                ))
            })
            .collect()
    }
}
