//! Responses: storing a submitted one (validated, a retried copy
//! recognised, a different copy kept as a conflict, a correction checked),
//! withdrawing consent (`withdrawal`), and reading them back. A response's
//! JSON is stored compressed (`content`): every write and read of it goes
//! through that module.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use thamgia_core::corrections;
use thamgia_core::push_rules::batch;
use thamgia_core::response::counts::{city_day, CountsAdded};
use thamgia_core::{
    AgeBand, HeardBefore, Localized, MutationOutcome, RefusalCode, Response, ResponseStatus,
};
use uuid::Uuid;

use super::{
    bind_padding, enum_text, insert_chunks, insert_failing_whole, insert_rows,
    own_rows_per_statement, own_values_list, own_values_list_after, padded_chunks,
    rows_per_statement, sha256_hex, statement_chunks, timestamp, values_list, Database,
};
use crate::error::ServerError;

pub(super) mod content;
mod counts;
mod withdrawal;

pub(super) use withdrawal::withdraw;
use withdrawal::withdraw_chain;

/// A stored response as the town hall sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    /// The response as received.
    pub response: Response,
    /// The client install that sent it.
    pub client_id: String,
    /// When it arrived.
    pub received_at: String,
}

impl Database {
    /// Whether a response's consent was withdrawn (its tombstone exists).
    pub async fn is_withdrawn(&self, response_id: Uuid) -> Result<bool, ServerError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT response_id FROM withdrawals WHERE response_id = $1")
                .bind(response_id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// How many stored responses count: neither withdrawn (those are
    /// deleted) nor superseded by a correction.
    pub async fn counted_response_count(&self) -> Result<u64, ServerError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM responses WHERE superseded_by IS NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(count.max(0) as u64)
    }

    /// The ids of the responses that count (neither withdrawn nor
    /// superseded), in id order.
    pub async fn counted_ids(&self) -> Result<Vec<Uuid>, ServerError> {
        self.ids("SELECT id FROM responses WHERE superseded_by IS NULL ORDER BY id")
            .await
    }

    /// The response ids `query` selects.
    async fn ids(&self, query: &'static str) -> Result<Vec<Uuid>, ServerError> {
        let ids: Vec<String> = sqlx::query_scalar(query).fetch_all(&self.pool).await?;
        ids.iter()
            .map(|id| {
                Uuid::parse_str(id).map_err(|error| ServerError::BadRequest(error.to_string()))
            })
            .collect()
    }

    /// How many responses are stored.
    pub async fn response_count(&self) -> Result<u64, ServerError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.max(0) as u64)
    }

    /// How many conflicting copies are kept.
    pub async fn conflict_count(&self) -> Result<u64, ServerError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM response_conflicts")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.max(0) as u64)
    }

    /// The ids of every stored response, oldest first.
    pub async fn response_ids(&self) -> Result<Vec<Uuid>, ServerError> {
        self.ids("SELECT id FROM responses ORDER BY received_at, id")
            .await
    }

    /// One stored response.
    pub async fn response(&self, id: Uuid) -> Result<Option<StoredResponse>, ServerError> {
        let row =
            sqlx::query("SELECT content, client_id, received_at FROM responses WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some(row) => Ok(Some(StoredResponse {
                response: content::stored_response(&row, "content")?,
                client_id: row.get("client_id"),
                received_at: row.get("received_at"),
            })),
            None => Ok(None),
        }
    }
}

/// Where a submitted response comes from.
pub(super) struct Submission<'a> {
    pub(super) client_id: &'a str,
    pub(super) seq: u64,
    pub(super) received_at: &'a str,
}

/// Applies one submitted response: insert if new and valid (`refusal` is
/// what the rules of its survey said, [`batch::submission_refusal`]),
/// recognise a retried copy, keep a different copy as a conflict, and drop
/// anything of a response whose consent was withdrawn. The push's path for
/// what it does not decide with the batch ([`batch::Submit::OneByOne`]).
pub(super) async fn submit_response(
    connection: &mut AnyConnection,
    refusal: Option<&MutationOutcome>,
    submission: &Submission<'_>,
    response: &Response,
) -> Result<MutationOutcome, ServerError> {
    let Submission {
        client_id,
        seq,
        received_at,
    } = *submission;
    let tombstone: Option<Option<String>> =
        sqlx::query_scalar("SELECT ward_code FROM withdrawals WHERE response_id = $1")
            .bind(response.id.to_string())
            .fetch_optional(&mut *connection)
            .await?;
    match tombstone {
        Some(ward) if corrections::tombstone_withdraws(ward.as_deref(), &response.ward_code) => {
            return Ok(MutationOutcome::Withdrawn);
        }
        Some(_) => {
            // Another ward's withdrawal of an id it never held: it does not
            // reach this response (see `thamgia_core::corrections`).
            sqlx::query("DELETE FROM withdrawals WHERE response_id = $1")
                .bind(response.id.to_string())
                .execute(&mut *connection)
                .await?;
        }
        None => {}
    }
    if response.status == ResponseStatus::Withdrawn {
        // The tablet withdrew it before it was ever sent: keep the
        // tombstone, and take the version it corrected with it.
        withdraw_chain(
            connection,
            response.id,
            response.corrects,
            response.updated_at,
            received_at,
            "tablet",
            Some(response.ward_code.clone()),
        )
        .await?;
        return Ok(MutationOutcome::Withdrawn);
    }
    if let Some(refusal) = refusal {
        // Kept aside with its reasons by the push, as every refused record.
        return Ok(refusal.clone());
    }
    if let Some(corrects) = response.corrects {
        if let Some(refusal) = correction_refusal(connection, response, corrects).await? {
            return Ok(super::forums::rejected(
                RefusalCode::CorrectionRefused,
                vec![refusal],
            ));
        }
    }

    // Serialised only once it is known to be kept; the digest is the
    // JSON's, what is stored is compressed.
    let json = serde_json::to_string(response)?;
    let hash = sha256_hex(&json);
    let stored = content::encode(&json);
    let age_band = enum_text(&response.participant.age_band)?;
    let sex = enum_text(&response.participant.sex)?;
    let heard_before = enum_text(&response.participant.heard_before)?;
    let created_at = timestamp(response.created_at);
    let inserted = sqlx::query(
        "INSERT INTO responses (id, survey_id, survey_version, ward_code, age_band, sex, content,
             content_sha256, client_id, client_seq, created_at, received_at, corrects,
             results_quarter, referral_made_at, heard_before, city_day)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(response.id.to_string())
    .bind(&response.survey_id)
    .bind(i64::from(response.survey_version))
    .bind(&response.ward_code)
    .bind(age_band)
    .bind(sex)
    .bind(stored.as_slice())
    .bind(&hash)
    .bind(client_id)
    .bind(seq as i64)
    .bind(&created_at)
    .bind(received_at)
    .bind(response.corrects.map(|id| id.to_string()))
    .bind(super::results::stored_quarter(response))
    .bind(
        response
            .referral
            .as_ref()
            .map(|referral| timestamp(referral.made_at)),
    )
    .bind(heard_before)
    .bind(city_day(response.created_at))
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        let mut gained = CountsAdded::default();
        gained.add(
            &response.survey_id,
            &response.ward_code,
            response.created_at,
            response.participant.age_band,
            response.participant.heard_before,
        );
        counts::add_counts(connection, &gained).await?;
        // The results of its ward and quarter gain it.
        super::results::cell_added(connection, response).await?;
        if response.corrects.is_some() {
            // Which version of the child's chain counts is core's rule.
            super::chains::settle_chain(connection, &response.id.to_string()).await?;
        }
        return Ok(MutationOutcome::Applied);
    }
    let existing: String = sqlx::query_scalar("SELECT content_sha256 FROM responses WHERE id = $1")
        .bind(response.id.to_string())
        .fetch_one(&mut *connection)
        .await?;
    if existing == hash {
        return Ok(MutationOutcome::AlreadyStored);
    }
    sqlx::query(
        "INSERT INTO response_conflicts (response_id, content, content_sha256, client_id,
             client_seq, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (response_id, content_sha256) DO NOTHING",
    )
    .bind(response.id.to_string())
    .bind(stored.as_slice())
    .bind(&hash)
    .bind(client_id)
    .bind(seq as i64)
    .bind(received_at)
    .execute(&mut *connection)
    .await?;
    Ok(batch::response_conflict())
}

/// What the store holds under response ids, as a batch of submissions is
/// decided ([`batch::Held`]): each stored response's content digest, and
/// each tombstone's ward.
#[derive(Debug, Default)]
pub(super) struct HeldResponses {
    /// The content digest of each stored response, by id.
    pub(super) stored: HashMap<String, String>,
    /// The ward of each tombstone (`None`: any ward), by response id.
    pub(super) tombstones: HashMap<String, Option<String>>,
}

impl HeldResponses {
    /// What is held under `id`.
    pub(super) fn of(&self, id: &str) -> batch::Held<'_> {
        batch::Held {
            tombstone: self.tombstones.get(id).map(Option::as_deref),
            stored_sha256: self.stored.get(id).map(String::as_str),
        }
    }
}

/// Reads what the store holds under `ids`: the stored responses and the
/// tombstones among them, in one statement (per [`padded_chunks`] run of
/// ids: one for a push), its `IN` lists padded with the run's last id.
pub(super) async fn held_responses(
    connection: &mut AnyConnection,
    ids: &[String],
) -> Result<HeldResponses, ServerError> {
    let mut held = HeldResponses::default();
    // Each id is bound twice, once for each table.
    for chunk in padded_chunks(ids, own_rows_per_statement(connection, "??")) {
        let Some(last) = chunk.items.last() else {
            continue;
        };
        let statement = format!(
            "SELECT 'stored' AS held, id, content_sha256 AS detail FROM responses
             WHERE id IN ({})
             UNION ALL
             SELECT 'withdrawn', response_id, ward_code FROM withdrawals
             WHERE response_id IN ({})",
            own_values_list(connection, "?", chunk.shape),
            own_values_list_after(connection, "?", chunk.shape, chunk.shape)
        );
        let mut query = sqlx::query(&statement);
        for _table in 0..2 {
            for id in chunk.items {
                query = query.bind(id.as_str());
            }
            for _ in 0..chunk.padding() {
                query = query.bind(last.as_str());
            }
        }
        for row in query.fetch_all(&mut *connection).await? {
            let kind: String = row.try_get("held")?;
            let id: String = row.try_get("id")?;
            let detail: Option<String> = row.try_get("detail")?;
            if kind == "stored" {
                let Some(sha256) = detail else {
                    return Err(ServerError::Internal(format!(
                        "stored response {id} read without its digest"
                    )));
                };
                held.stored.insert(id, sha256);
            } else {
                held.tombstones.insert(id, detail);
            }
        }
    }
    Ok(held)
}

/// A response a batch stores: its row but for what the push shares (the
/// client, the time received) and its cell's revision.
#[derive(Debug)]
pub(super) struct NewResponse {
    pub(super) id: String,
    pub(super) survey_id: String,
    survey_version: i64,
    pub(super) ward_code: String,
    age_band: String,
    band: Option<AgeBand>,
    sex: String,
    /// Whether the child was consulted before this year, as stored ('' when
    /// not asked), and as given.
    heard_before: String,
    heard: Option<HeardBefore>,
    /// The response as stored ([`content::Encoder::encode`]).
    pub(super) content: Vec<u8>,
    /// The digest of its JSON.
    pub(super) content_sha256: String,
    seq: i64,
    created_at: String,
    /// When it was started, as given.
    started: DateTime<Utc>,
    /// The day of Hanoi's calendar it counts on ([`city_day`]).
    city_day: String,
    /// Its results cell's quarter (see `results::stored_quarter`).
    pub(super) quarter: String,
    referral_made_at: Option<String>,
}

impl NewResponse {
    /// The row of `response`, sent at `seq`, stored as `content` (its
    /// JSON compressed) with `content_sha256` (its JSON's digest): as
    /// [`submit_response`] writes it.
    pub(super) fn of(
        response: &Response,
        content: Vec<u8>,
        content_sha256: String,
        seq: u64,
    ) -> Result<NewResponse, ServerError> {
        Ok(NewResponse {
            id: response.id.to_string(),
            survey_id: response.survey_id.clone(),
            survey_version: i64::from(response.survey_version),
            ward_code: response.ward_code.clone(),
            age_band: enum_text(&response.participant.age_band)?,
            band: response.participant.age_band,
            sex: enum_text(&response.participant.sex)?,
            heard_before: enum_text(&response.participant.heard_before)?,
            heard: response.participant.heard_before,
            content,
            content_sha256,
            seq: seq as i64,
            created_at: timestamp(response.created_at),
            started: response.created_at,
            city_day: city_day(response.created_at),
            quarter: super::results::stored_quarter(response),
            referral_made_at: response
                .referral
                .as_ref()
                .map(|referral| timestamp(referral.made_at)),
        })
    }
}

/// Stores the new responses of a batch, each stamped with its cell's
/// revision (`revisions`, in the same order; see
/// `results::cells_added`), with multi-row statements, then the counts
/// kept beside them. Every one is new (the push read what is held under
/// their ids, and writers run one at a time): a row found already there,
/// or any other failure, is an error, and the push rolls back.
pub(super) async fn insert_responses(
    connection: &mut AnyConnection,
    rows: &[NewResponse],
    revisions: &[i64],
    client_id: &str,
    received_at: &str,
) -> Result<(), ServerError> {
    if rows.len() != revisions.len() {
        return Err(ServerError::Internal(format!(
            "{} responses to store with {} revisions",
            rows.len(),
            revisions.len()
        )));
    }
    const TUPLE: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)";
    let mut stored = 0;
    for chunk in insert_chunks(connection, rows, TUPLE) {
        let revisions = &revisions[stored..stored + chunk.items.len()];
        stored += chunk.items.len();
        let statement = format!(
            "{} responses (id, survey_id, survey_version, ward_code, age_band, sex,
                 content, content_sha256, client_id, client_seq, created_at, received_at,
                 corrects, results_quarter, referral_made_at, results_revision, heard_before,
                 city_day)
             {} ON CONFLICT (id) DO NOTHING",
            insert_failing_whole(connection),
            insert_rows(connection, TUPLE, &chunk)
        );
        let mut query = sqlx::query(&statement);
        for (row, revision) in chunk.items.iter().zip(revisions) {
            query = query
                .bind(row.id.as_str())
                .bind(row.survey_id.as_str())
                .bind(row.survey_version)
                .bind(row.ward_code.as_str())
                .bind(row.age_band.as_str())
                .bind(row.sex.as_str())
                .bind(row.content.as_slice())
                .bind(row.content_sha256.as_str())
                .bind(client_id)
                .bind(row.seq)
                .bind(row.created_at.as_str())
                .bind(received_at)
                .bind(row.quarter.as_str())
                .bind(row.referral_made_at.as_deref())
                .bind(*revision)
                .bind(row.heard_before.as_str())
                .bind(row.city_day.as_str());
        }
        let query = bind_padding(query, TUPLE, &chunk);
        let inserted = query.execute(&mut *connection).await?.rows_affected();
        if inserted != chunk.items.len() as u64 {
            return Err(ServerError::Internal(format!(
                "{inserted} of {} new responses stored: the push read a store that changed",
                chunk.items.len()
            )));
        }
    }
    let mut gained = CountsAdded::default();
    for row in rows {
        gained.add(
            &row.survey_id,
            &row.ward_code,
            row.started,
            row.band,
            row.heard,
        );
    }
    counts::add_counts(connection, &gained).await
}

/// A different copy of a held response a batch keeps beside it.
#[derive(Debug)]
pub(super) struct NewConflict {
    pub(super) response_id: String,
    /// The copy as stored ([`content::Encoder::encode`]), as a response.
    pub(super) content: Vec<u8>,
    /// The digest of its JSON.
    pub(super) content_sha256: String,
    pub(super) seq: i64,
}

/// Keeps a batch's conflicting copies beside the responses they differ
/// from (one copy of each content), with multi-row statements.
pub(super) async fn insert_conflicts(
    connection: &mut AnyConnection,
    rows: &[NewConflict],
    client_id: &str,
    received_at: &str,
) -> Result<(), ServerError> {
    const TUPLE: &str = "(?, ?, ?, $1, ?, $2)";
    for chunk in statement_chunks(rows, rows_per_statement(connection, TUPLE, 2)) {
        let statement = format!(
            "INSERT INTO response_conflicts (response_id, content, content_sha256, client_id,
                 client_seq, received_at)
             VALUES {} ON CONFLICT (response_id, content_sha256) DO NOTHING",
            values_list(TUPLE, chunk.len(), 3)
        );
        let mut query = sqlx::query(&statement).bind(client_id).bind(received_at);
        for row in chunk {
            query = query
                .bind(row.response_id.as_str())
                .bind(row.content.as_slice())
                .bind(row.content_sha256.as_str())
                .bind(row.seq);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

/// Why a new response may not supersede the one it names in `corrects`
/// (the rule is `thamgia_core::corrections`); a response already stored
/// (a re-send) is not asked again.
async fn correction_refusal(
    connection: &mut AnyConnection,
    response: &Response,
    corrects: Uuid,
) -> Result<Option<Localized>, ServerError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT id FROM responses WHERE id = $1")
        .bind(response.id.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    if stored.is_some() {
        return Ok(None);
    }
    let held = sqlx::query("SELECT survey_id, ward_code FROM responses WHERE id = $1")
        .bind(corrects.to_string())
        .fetch_optional(&mut *connection)
        .await?;
    let withdrawn: Option<String> =
        sqlx::query_scalar("SELECT response_id FROM withdrawals WHERE response_id = $1")
            .bind(corrects.to_string())
            .fetch_optional(&mut *connection)
            .await?;
    let (survey_id, ward_code): (String, String) = match &held {
        Some(row) => (row.try_get("survey_id")?, row.try_get("ward_code")?),
        None => (String::new(), String::new()),
    };
    let corrected = match (&held, withdrawn) {
        (Some(_), _) => corrections::Corrected::Stored {
            survey_id: Some(&survey_id),
            ward_code: &ward_code,
        },
        (None, Some(_)) => corrections::Corrected::Withdrawn,
        (None, None) => corrections::Corrected::Missing,
    };
    let correction = corrections::Correction {
        id: response.id,
        corrects,
        survey_id: Some(&response.survey_id),
        ward_code: &response.ward_code,
    };
    Ok(corrections::correction_refusal(&correction, &corrected))
}

/// The ward of a stored or withdrawn response, if the server knows it.
pub(crate) async fn response_ward(
    connection: &mut AnyConnection,
    response_id: Uuid,
) -> Result<Option<String>, ServerError> {
    let ward: Option<Option<String>> = sqlx::query_scalar(
        "SELECT ward_code FROM responses WHERE id = $1
         UNION ALL SELECT ward_code FROM withdrawals WHERE response_id = $1
         UNION ALL SELECT ward_code FROM rejected_mutations
             WHERE record_id = $1 AND kind = 'submit_response' AND ward_code IS NOT NULL",
    )
    .bind(response_id.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    Ok(ward.flatten())
}
