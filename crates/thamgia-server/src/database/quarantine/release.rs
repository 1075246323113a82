//! A refused record accepted afterwards by an officer of its ward.
//!
//! A response is refused when the account that sent it may not reach its
//! ward: a collector moved to another ward with answers of the old one
//! still on the tablet, a tablet signed in by a colleague of another ward.
//! The child's answers are kept aside whole, but nothing else brings them
//! into the counts: a correction of a record the server never held is
//! refused too. An officer who may act for the record's ward (its ward
//! officer, or a city officer) looks at it and accepts it: the server
//! checks it again as that officer sending it, every rule but the
//! sender's ward (the ward in force, the survey, the answers on the day
//! they were given, a correction's target, a withdrawal), and keeps it as
//! a push would, counts and results included. What a rule still refuses
//! stays aside, with the reasons. Which records may be accepted, and by
//! whom, is core's `push_rules::release`.

use chrono::{DateTime, Utc};
use sqlx::Row;
use thamgia_core::account::AccountInfo;
use thamgia_core::audit::{AuditAction, AuditEvent};
use thamgia_core::push_rules::batch::submission_refusal;
use thamgia_core::push_rules::release::{accepted_change, releasable, ReleaseRefusal};
use thamgia_core::{FormEngine, Localized, MutationChange, MutationOutcome};
use uuid::Uuid;

use crate::database::audit::append;
use crate::database::responses::{submit_response, Submission};
use crate::database::surveys::load_survey;
use crate::database::sync::KnownWard;
use crate::database::{log_change, timestamp, Database};
use crate::error::ServerError;

/// A refused record waiting in the list, as a release needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRecord {
    /// The ward it names, as kept (`None` when it names none).
    pub ward_code: Option<String>,
}

/// What an officer's release of a refused record came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Release {
    /// Kept now, or found kept already (`Applied`, `AlreadyStored`), or
    /// resolved otherwise (`Withdrawn`: consent was withdrawn since;
    /// `Conflict`: another copy is held, and both are kept): it leaves the
    /// list.
    Done(MutationOutcome),
    /// A rule still refuses it: it stays in the list.
    Refused(Vec<Localized>),
    /// Only a response kept whole can be accepted.
    NotReleasable(Localized),
    /// The officer may not act for the response's ward.
    NotAllowed,
}

impl Database {
    /// The refused record `client_id` sent at `seq`, if it still waits in
    /// the list.
    pub async fn waiting_record(
        &self,
        client_id: Uuid,
        seq: u64,
    ) -> Result<Option<WaitingRecord>, ServerError> {
        let row = sqlx::query(
            "SELECT ward_code FROM rejected_mutations
             WHERE client_id = $1 AND seq = $2 AND released_at IS NULL",
        )
        .bind(client_id.to_string())
        .bind(seq as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => Some(WaitingRecord {
                ward_code: row.try_get("ward_code")?,
            }),
            None => None,
        })
    }

    /// Releases the refused record `client_id` sent at `seq`, as `by`, who
    /// may act for its ward (the caller checks): checked again by every
    /// rule but the sender's ward, kept as a push keeps it, marked
    /// released (with every copy of it sent again) and logged, in one
    /// transaction. `None` when no such record waits.
    pub async fn release_record(
        &self,
        client_id: Uuid,
        seq: u64,
        by: &AccountInfo,
        known_ward: &KnownWard<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<Release>, ServerError> {
        let mut transaction = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT payload, payload_complete, kind, record_id, payload_sha256
             FROM rejected_mutations
             WHERE client_id = $1 AND seq = $2 AND released_at IS NULL",
        )
        .bind(client_id.to_string())
        .bind(seq as i64)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let complete: i64 = row.try_get("payload_complete")?;
        let payload: String = row.try_get("payload")?;
        let kept = serde_json::from_str::<MutationChange>(&payload)
            .ok()
            .filter(|_| complete != 0);
        let response = match releasable(kept.as_ref(), by, known_ward) {
            Ok(response) => response.clone(),
            Err(ReleaseRefusal::NotReleasable(message)) => {
                return Ok(Some(Release::NotReleasable(message)))
            }
            Err(ReleaseRefusal::NotAllowed) => return Ok(Some(Release::NotAllowed)),
            Err(ReleaseRefusal::UnknownWard(message)) => {
                return Ok(Some(Release::Refused(vec![message])))
            }
        };
        let survey = load_survey(
            &mut transaction,
            &response.survey_id,
            response.survey_version,
        )
        .await?
        .and_then(|survey| {
            FormEngine::compile(&survey)
                .ok()
                .map(|engine| (survey, engine))
        });
        let refusal = submission_refusal(
            survey.as_ref().map(|(survey, engine)| (survey, engine)),
            &response,
        );
        let received_at = timestamp(now);
        let client = client_id.to_string();
        let submission = Submission {
            client_id: &client,
            seq,
            received_at: &received_at,
        };
        let outcome =
            submit_response(&mut transaction, refusal.as_ref(), &submission, &response).await?;
        if let MutationOutcome::Rejected { message, .. } = &outcome {
            return Ok(Some(Release::Refused(vec![message.clone()])));
        }
        // Every copy of it in the list goes (one sent again after a
        // renumbering is the same record with the same content).
        let record_id: Option<String> = row.try_get("record_id")?;
        let digest: Option<String> = row.try_get("payload_sha256")?;
        sqlx::query(
            "UPDATE rejected_mutations SET released_at = $1, released_by = $2
             WHERE released_at IS NULL
               AND ((client_id = $3 AND seq = $4)
                    OR (record_id = $5 AND payload_sha256 = $6))",
        )
        .bind(&received_at)
        .bind(&by.username)
        .bind(&client)
        .bind(seq as i64)
        .bind(record_id)
        .bind(digest)
        .execute(&mut *transaction)
        .await?;
        // The tablet that sent it shows it sent once it pulls this (an app
        // that says it understands the kind; see `withheld_change_kinds`).
        // Every ward's tablets get it: the sender's tablet works for
        // another ward than the response's, and a response's id says
        // nothing of it.
        if let Some(entity) = accepted_change(response.id, &outcome) {
            let id = response.id.to_string();
            log_change(
                &mut transaction,
                "response_accepted",
                &id,
                &entity,
                &received_at,
                None,
            )
            .await?;
        }
        let event = AuditEvent::by(by, AuditAction::RecordReleased)
            .ward(Some(&response.ward_code))
            .target(response.id)
            .detail(format!("outcome={}", outcome_name(&outcome)));
        append(&mut transaction, event, now).await?;
        transaction.commit().await?;
        Ok(Some(Release::Done(outcome)))
    }
}

/// A short name of what the release came to, for the audit log.
fn outcome_name(outcome: &MutationOutcome) -> &'static str {
    match outcome {
        MutationOutcome::Applied => "kept",
        MutationOutcome::AlreadyStored => "already_kept",
        MutationOutcome::Withdrawn => "withdrawn",
        MutationOutcome::Conflict { .. } => "conflict",
        MutationOutcome::Rejected { .. } => "refused",
    }
}
