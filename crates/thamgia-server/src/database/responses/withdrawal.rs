//! Consent withdrawn: a response and every version of its chain lose
//! their answers and keep a tombstone, whether the town hall withdrew it
//! or a tablet's push did; every tablet hears of it through a change.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::account::AccountInfo;
use thamgia_core::audit::city_date;
use thamgia_core::response::ReferencedResponse;
use thamgia_core::{ChangeEntity, Localized, Response};
use uuid::Uuid;

use super::content::stored_response;
use super::response_ward;
use crate::database::{log_change, timestamp, Database};
use crate::error::ServerError;

/// Most responses listed for one reference.
pub const REFERENCED_LISTED: u32 = 20;

impl Database {
    /// The responses of `ward` (every ward for `None`) whose id starts with
    /// `prefix`, eight lowercase hexadecimal digits
    /// (`thamgia_core::response::reference_prefix`): every kept version of
    /// a chain of corrections, at most [`REFERENCED_LISTED`], with the title
    /// of their survey from `title_of`. Read by the primary key's range.
    pub async fn responses_by_reference(
        &self,
        prefix: &str,
        ward: Option<&str>,
        title_of: impl Fn(&str) -> Localized,
    ) -> Result<Vec<ReferencedResponse>, ServerError> {
        // Every id holding the prefix is the prefix, a dash, then more; a
        // dot sorts just after the dash.
        let rows = sqlx::query(&format!(
            "SELECT content FROM responses
             WHERE id > $1 AND id < $2 AND ($3 = '' OR ward_code = $3)
             ORDER BY id LIMIT {REFERENCED_LISTED}"
        ))
        .bind(format!("{prefix}-"))
        .bind(format!("{prefix}."))
        .bind(ward.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let response: Response = stored_response(&row, "content")?;
            found.push(ReferencedResponse {
                id: response.id,
                survey_title: title_of(&response.survey_id),
                ward_code: response.ward_code,
                day: city_date(response.created_at).to_string(),
                age_band: response.participant.age_band,
                sex: response.participant.sex,
            });
        }
        Ok(found)
    }

    /// Withdraws consent for a response at the town hall (a guardian asked
    /// the ward), as `by`: deletes its answers, tells every tablet, and logs
    /// the withdrawal in the audit log.
    pub async fn withdraw_response(
        &self,
        response_id: Uuid,
        by: &AccountInfo,
        now: DateTime<Utc>,
    ) -> Result<(), ServerError> {
        let mut transaction = self.begin_write().await?;
        if withdraw(
            &mut transaction,
            response_id,
            now,
            &timestamp(now),
            "town_hall",
            None,
        )
        .await?
        {
            let action = thamgia_core::audit::AuditAction::ConsentWithdrawn;
            let ward = response_ward(&mut transaction, response_id).await?;
            let by = Some(by);
            crate::database::audit::withdrawn(
                &mut transaction,
                by,
                action,
                response_id,
                ward.as_deref(),
                now,
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}

/// Withdraws consent for a response and for every version of its chain
/// (the versions it corrects and those correcting it: all hold the child's
/// answers); see [`withdraw_chain`]. Returns whether the response's own
/// tombstone is new (the withdrawal took effect now).
pub(in crate::database) async fn withdraw(
    connection: &mut AnyConnection,
    response_id: Uuid,
    withdrawn_at: DateTime<Utc>,
    received_at: &str,
    source: &str,
    sender_ward: Option<String>,
) -> Result<bool, ServerError> {
    withdraw_chain(
        connection,
        response_id,
        None,
        withdrawn_at,
        received_at,
        source,
        sender_ward,
    )
    .await
}

/// [`withdraw`], the chain also followed from `corrects` (what a response
/// not held names).
pub(super) async fn withdraw_chain(
    connection: &mut AnyConnection,
    response_id: Uuid,
    corrects: Option<Uuid>,
    withdrawn_at: DateTime<Utc>,
    received_at: &str,
    source: &str,
    sender_ward: Option<String>,
) -> Result<bool, ServerError> {
    let mut start = vec![response_id.to_string()];
    start.extend(corrects.map(|id| id.to_string()));
    let chain = crate::database::chains::chain_of(connection, &start).await?;
    let new = withdraw_one(
        connection,
        response_id,
        withdrawn_at,
        received_at,
        source,
        sender_ward.clone(),
    )
    .await?;
    for member in chain {
        let Ok(id) = Uuid::parse_str(&member) else {
            continue;
        };
        let held: Option<String> = sqlx::query_scalar("SELECT id FROM responses WHERE id = $1")
            .bind(&member)
            .fetch_optional(&mut *connection)
            .await?;
        if id != response_id && held.is_some() {
            withdraw_one(
                connection,
                id,
                withdrawn_at,
                received_at,
                source,
                sender_ward.clone(),
            )
            .await?;
        }
    }
    Ok(new)
}

/// Deletes everything held of one response whose consent was withdrawn and
/// keeps a tombstone without content; tablets hear of it through a change.
/// Returns whether the tombstone is new.
async fn withdraw_one(
    connection: &mut AnyConnection,
    response_id: Uuid,
    withdrawn_at: DateTime<Utc>,
    received_at: &str,
    source: &str,
    sender_ward: Option<String>,
) -> Result<bool, ServerError> {
    let id = response_id.to_string();
    let held =
        sqlx::query("SELECT survey_id, survey_version, ward_code FROM responses WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *connection)
            .await?;
    // A response the server does not hold (yet) leaves a tombstone of the
    // ward its refused copies name, or else of the sender's ward (see
    // `thamgia_core::corrections`).
    let (survey_id, survey_version, ward_code): (Option<String>, Option<i64>, Option<String>) =
        match &held {
            Some(row) => (
                row.get("survey_id"),
                row.get("survey_version"),
                row.get("ward_code"),
            ),
            None => (
                None,
                None,
                quarantined_ward(connection, &id).await?.or(sender_ward),
            ),
        };
    let inserted = sqlx::query(
        "INSERT INTO withdrawals (response_id, survey_id, survey_version, ward_code, withdrawn_at,
             received_at, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (response_id) DO NOTHING",
    )
    .bind(&id)
    .bind(survey_id)
    .bind(survey_version)
    .bind(ward_code.clone())
    .bind(timestamp(withdrawn_at))
    .bind(received_at)
    .bind(source)
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    // Its cell's results lose it; its referral, if any, stays.
    crate::database::results::touch_cell_of(connection, &id).await?;
    crate::database::referrals::keep_referral(connection, &id).await?;
    sqlx::query("DELETE FROM responses WHERE id = $1")
        .bind(&id)
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM response_conflicts WHERE response_id = $1")
        .bind(&id)
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM rejected_mutations WHERE record_id = $1")
        .bind(&id)
        .execute(&mut *connection)
        .await?;
    if inserted {
        let entity = ChangeEntity::ResponseWithdrawn { response_id };
        let ward = ward_code.as_deref();
        log_change(
            connection,
            "response_withdrawn",
            &id,
            &entity,
            received_at,
            ward,
        )
        .await?;
    }
    Ok(inserted)
}

/// The ward the refused copies of a response name, if any.
async fn quarantined_ward(
    connection: &mut AnyConnection,
    record_id: &str,
) -> Result<Option<String>, ServerError> {
    let ward: Option<Option<String>> = sqlx::query_scalar(
        "SELECT ward_code FROM rejected_mutations
         WHERE record_id = $1 AND kind = 'submit_response' AND ward_code IS NOT NULL",
    )
    .bind(record_id)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(ward.flatten())
}
