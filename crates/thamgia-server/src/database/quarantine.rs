//! Refused records kept aside with their reasons, for the town hall:
//! keeping one (bounded, with its size and digest) and listing them.

use sqlx::{AnyConnection, Row};
use thamgia_core::protocol::MAX_QUARANTINED_PAYLOAD_BYTES;
use thamgia_core::push_rules::mutation_ward;
use thamgia_core::{limits, Localized, MutationChange, Response};
use uuid::Uuid;

use super::{sha256_hex, Database};
use crate::error::ServerError;

impl Database {
    /// The refused records, newest first (at most `limit`), of one ward or
    /// of all. Each is kept as the mutation it came in (responses refused
    /// by earlier versions were kept as the bare response).
    pub async fn quarantined(
        &self,
        ward_code: Option<&str>,
        limit: u32,
    ) -> Result<Vec<thamgia_core::QuarantinedRecord>, ServerError> {
        let rows = sqlx::query(
            "SELECT client_id, seq, record_id, payload, reasons, received_at, sent_by, kind,
                 ward_code, payload_bytes, payload_sha256, payload_complete
             FROM rejected_mutations ORDER BY received_at DESC, client_id, seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut records = Vec::new();
        // A refused record sent again (after a renumbering) is listed once.
        let mut seen: std::collections::HashSet<(Option<String>, String)> =
            std::collections::HashSet::new();
        for row in rows {
            let payload: String = row.try_get("payload")?;
            let record_id: Option<String> = row.try_get("record_id")?;
            let digest: Option<String> = row.try_get("payload_sha256")?;
            let identity = digest.clone().unwrap_or_else(|| sha256_hex(&payload));
            if !seen.insert((record_id.clone(), identity)) {
                continue;
            }
            let stored_kind: Option<String> = row.try_get("kind")?;
            let stored_ward: Option<String> = row.try_get("ward_code")?;
            // Rows kept before the kind and ward had columns say it in
            // their (then always whole) payload.
            let (kind, ward) = match stored_kind {
                Some(kind) => (kind, stored_ward),
                None => match serde_json::from_str::<MutationChange>(&payload) {
                    Ok(change) => (change.kind().to_owned(), mutation_ward(&change)),
                    Err(_) => match serde_json::from_str::<Response>(&payload) {
                        Ok(response) => ("submit_response".to_owned(), Some(response.ward_code)),
                        Err(_) => ("unreadable".to_owned(), None),
                    },
                },
            };
            if ward_code.is_some() && ward.as_deref() != ward_code {
                continue;
            }
            let client_id: String = row.try_get("client_id")?;
            let seq: i64 = row.try_get("seq")?;
            let reasons: String = row.try_get("reasons")?;
            let payload_bytes: Option<i64> = row.try_get("payload_bytes")?;
            let complete: i64 = row.try_get("payload_complete")?;
            records.push(thamgia_core::QuarantinedRecord {
                client_id: Uuid::parse_str(&client_id).unwrap_or_default(),
                seq: seq.max(0) as u64,
                record_id: record_id.unwrap_or_default(),
                kind,
                ward_code: ward,
                reasons: serde_json::from_str(&reasons)?,
                received_at: row.try_get("received_at")?,
                sent_by: row.try_get("sent_by")?,
                payload_bytes: payload_bytes.unwrap_or(payload.len() as i64).max(0) as u64,
                payload_sha256: digest,
                payload_complete: complete != 0,
            });
            if records.len() >= limit as usize {
                break;
            }
        }
        Ok(records)
    }

    /// How many records were refused and kept aside.
    pub async fn rejected_count(&self) -> Result<u64, ServerError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rejected_mutations")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.max(0) as u64)
    }
}

/// Keeps a refused mutation aside with its reason, for the town hall: who
/// sent it, what and which ward it was (`ward`, read by the push), its size and digest, and the record
/// itself up to [`MAX_QUARANTINED_PAYLOAD_BYTES`] (its first bytes beyond).
pub(super) async fn quarantine(
    connection: &mut AnyConnection,
    refusal: &Refusal<'_>,
    mutation: &thamgia_core::Mutation,
    ward: Option<String>,
    reason: &Localized,
) -> Result<(), ServerError> {
    let payload = serde_json::to_string(&mutation.change)?;
    let payload_bytes = payload.len();
    let digest = sha256_hex(&payload);
    let complete = payload_bytes <= MAX_QUARANTINED_PAYLOAD_BYTES;
    let kept = if complete {
        payload.as_str()
    } else {
        let mut end = MAX_QUARANTINED_PAYLOAD_BYTES;
        while !payload.is_char_boundary(end) {
            end -= 1;
        }
        &payload[..end]
    };
    // Every text of the row is bounded: a ward or record id is the client's.
    // Escaped too: PostgreSQL's text holds no NUL, and a ward or record id
    // is the client's.
    let ward = ward.map(|ward| limits::quoted(&ward));
    let record_id = limits::quoted_prefix(refusal.record_id, limits::MAX_LINE_CHARS);
    sqlx::query(
        "INSERT INTO rejected_mutations (client_id, seq, payload, reasons, received_at, record_id,
             sent_by, kind, ward_code, payload_bytes, payload_sha256, payload_complete)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (client_id, seq) DO NOTHING",
    )
    .bind(refusal.client_id)
    .bind(mutation.seq as i64)
    .bind(kept)
    .bind(serde_json::to_string(&[limits::bounded_message(reason)])?)
    .bind(refusal.received_at)
    .bind(record_id)
    .bind(refusal.sent_by)
    .bind(mutation.change.kind())
    .bind(ward)
    .bind(payload_bytes as i64)
    .bind(digest)
    .bind(i64::from(complete))
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Who refused what, when: the parts of a quarantined row that come from
/// the push rather than from the record.
pub(super) struct Refusal<'a> {
    pub(super) client_id: &'a str,
    pub(super) record_id: &'a str,
    pub(super) received_at: &'a str,
    pub(super) sent_by: Option<&'a str>,
}
