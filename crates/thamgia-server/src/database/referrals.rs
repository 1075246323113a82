//! Referrals after a possible disclosure: which responses carry one, which
//! the ward officer has followed up. Only the response's id, ward, survey
//! and the referral itself are read; never an answer. A referral outlives
//! its response's consent: when consent is withdrawn, [`keep_referral`]
//! keeps it (ward, survey, to whom, when) in `withdrawn_referrals`, and it
//! is counted and followed up like the others.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
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

/// Referrals kept after their response's consent was withdrawn
/// ([`keep_referral`]).
const KEPT: &str = "FROM withdrawn_referrals k
     LEFT JOIN referral_follow_ups f ON f.response_id = k.response_id
     WHERE ($1 = '' OR k.ward_code = $1)";

/// The ward of a referral, on its response or kept after a withdrawal.
const REFERRAL_WARD: &str =
    "SELECT ward_code FROM responses WHERE id = $1 AND referral_made_at IS NOT NULL
     UNION ALL SELECT ward_code FROM withdrawn_referrals WHERE response_id = $1";

/// Keeps the referral of response `id`, whose consent is being withdrawn,
/// before its row is deleted: the version counted (not superseded by a
/// correction), with nothing of the child. A disclosure of harm stays on
/// the ward officer's follow-up list whatever happens to the answers.
pub(super) async fn keep_referral(
    connection: &mut AnyConnection,
    id: &str,
) -> Result<(), ServerError> {
    let row = sqlx::query(
        "SELECT content FROM responses
         WHERE id = $1 AND referral_made_at IS NOT NULL AND superseded_by IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let response: Response = stored_response(&row, "content")?;
    let Some(Referral { to, made_at }) = response.referral else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO withdrawn_referrals (response_id, ward_code, survey_id, referred_to, made_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (response_id) DO NOTHING",
    )
    .bind(id)
    .bind(&response.ward_code)
    .bind(&response.survey_id)
    .bind(serde_json::to_string(&to)?)
    .bind(timestamp(made_at))
    .execute(&mut *connection)
    .await?;
    Ok(())
}

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
        let (mut open, mut followed) = (0_i64, 0_i64);
        for from in [WITH_REFERRAL, KEPT] {
            let counts = sqlx::query(&format!(
                "SELECT COUNT(*) - COUNT(f.response_id) AS open, COUNT(f.response_id) AS followed {from}"
            ))
            .bind(ward)
            .fetch_one(&self.pool)
            .await?;
            open += counts.try_get::<i64, _>("open")?;
            followed += counts.try_get::<i64, _>("followed")?;
        }
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
        let kept = sqlx::query(&format!(
            "SELECT k.response_id, k.ward_code, k.survey_id, k.referred_to, k.made_at
             {KEPT} AND f.response_id IS NULL
             ORDER BY k.made_at, k.response_id LIMIT {OPEN_LISTED}"
        ))
        .bind(ward)
        .fetch_all(&self.pool)
        .await?;
        for row in kept {
            let response_id: String = row.try_get("response_id")?;
            let survey_id: String = row.try_get("survey_id")?;
            let to: String = row.try_get("referred_to")?;
            let made_at: String = row.try_get("made_at")?;
            open_referrals.push(OpenReferral {
                response_id: response_id
                    .parse()
                    .map_err(|_| ServerError::Internal(format!("kept referral {response_id}")))?,
                ward_code: row.try_get("ward_code")?,
                survey_title: title_of(&survey_id),
                to: serde_json::from_str(&to)?,
                made_at: DateTime::parse_from_rfc3339(&made_at)
                    .map_err(|_| ServerError::Internal(format!("kept referral time {made_at}")))?
                    .with_timezone(&Utc),
            });
        }
        // Oldest first, of both.
        open_referrals.sort_by_key(|referral| (referral.made_at, referral.response_id));
        open_referrals.truncate(OPEN_LISTED);
        Ok(ReferralSummary {
            open: open.max(0) as u64,
            followed_up: followed.max(0) as u64,
            open_referrals,
        })
    }

    /// The ward of the response `id` when it carries a referral.
    pub async fn referral_ward(&self, id: Uuid) -> Result<Option<String>, ServerError> {
        Ok(sqlx::query_scalar(REFERRAL_WARD)
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
        let ward: Option<String> = sqlx::query_scalar(REFERRAL_WARD)
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
