//! Referrals after a possible disclosure: which responses carry one, which
//! the ward officer has followed up. Only the response's id, ward, survey
//! and the referral itself are read; never an answer.

use chrono::{DateTime, Utc};
use sqlx::Row;
use thamgia_core::audit::AuditEvent;
use thamgia_core::safeguarding::{OpenReferral, Referral, ReferralSummary, OPEN_LISTED};
use thamgia_core::{Localized, Response};
use uuid::Uuid;

use super::audit::append;
use super::responses::content::stored_response;
use super::{timestamp, Database};
use crate::error::ServerError;

/// The outcome of marking a referral followed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Marked now.
    Done,
    /// It was marked before: nothing changed.
    AlreadyDone,
    /// No response with a referral has that id, in a ward the caller reaches.
    NotFound,
}

/// Responses counted for referrals: carrying one, and not superseded by a
/// correction (the correction carries it on).
const WITH_REFERRAL: &str = "FROM responses r
     LEFT JOIN referral_follow_ups f ON f.response_id = r.id
     WHERE r.referral_made_at IS NOT NULL AND r.superseded_by IS NULL
       AND ($1 = '' OR r.ward_code = $1)";

impl Database {
    /// The referrals of `ward` (every ward for `None`): how many are open,
    /// how many followed up, and the open ones (oldest first, at most
    /// [`OPEN_LISTED`]) with the title of their survey from `titles`.
    pub async fn referral_summary(
        &self,
        ward: Option<&str>,
        title_of: impl Fn(&str) -> Localized,
    ) -> Result<ReferralSummary, ServerError> {
        let ward = ward.unwrap_or("");
        let counts = sqlx::query(&format!(
            "SELECT COUNT(*) - COUNT(f.response_id) AS open, COUNT(f.response_id) AS followed {WITH_REFERRAL}"
        ))
        .bind(ward)
        .fetch_one(&self.pool)
        .await?;
        let open: i64 = counts.try_get("open")?;
        let followed: i64 = counts.try_get("followed")?;
        let rows = sqlx::query(&format!(
            "SELECT r.content {WITH_REFERRAL} AND f.response_id IS NULL
             ORDER BY r.referral_made_at, r.id LIMIT {OPEN_LISTED}"
        ))
        .bind(ward)
        .fetch_all(&self.pool)
        .await?;
        let mut open_referrals = Vec::with_capacity(rows.len());
        for row in rows {
            let response: Response = stored_response(&row, "content")?;
            let Some(Referral { to, made_at }) = response.referral else {
                continue;
            };
            open_referrals.push(OpenReferral {
                response_id: response.id,
                ward_code: response.ward_code,
                survey_title: title_of(&response.survey_id),
                to,
                made_at,
            });
        }
        Ok(ReferralSummary {
            open: open.max(0) as u64,
            followed_up: followed.max(0) as u64,
            open_referrals,
        })
    }

    /// The ward of the response `id` when it carries a referral.
    pub async fn referral_ward(&self, id: Uuid) -> Result<Option<String>, ServerError> {
        Ok(sqlx::query_scalar(
            "SELECT ward_code FROM responses WHERE id = $1 AND referral_made_at IS NOT NULL",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Marks the referral of response `id` followed up by `username`, in
    /// one transaction with its audit entry.
    pub async fn follow_up_referral(
        &self,
        id: Uuid,
        username: &str,
        event: AuditEvent,
        now: DateTime<Utc>,
    ) -> Result<FollowUp, ServerError> {
        let mut transaction = self.begin_write().await?;
        let ward: Option<String> = sqlx::query_scalar(
            "SELECT ward_code FROM responses WHERE id = $1 AND referral_made_at IS NOT NULL",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *transaction)
        .await?;
        if ward.is_none() {
            return Ok(FollowUp::NotFound);
        }
        let inserted = sqlx::query(
            "INSERT INTO referral_follow_ups (response_id, followed_up_at, followed_up_by)
             VALUES ($1, $2, $3) ON CONFLICT (response_id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(timestamp(now))
        .bind(username)
        .execute(&mut *transaction)
        .await?
        .rows_affected()
            == 1;
        if !inserted {
            return Ok(FollowUp::AlreadyDone);
        }
        append(
            &mut transaction,
            event.target(id).ward(ward.as_deref()),
            now,
        )
        .await?;
        transaction.commit().await?;
        Ok(FollowUp::Done)
    }
}
