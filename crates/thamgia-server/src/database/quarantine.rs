//! Refused records kept aside with their reasons, for the town hall:
//! keeping one (bounded, with its size and digest) and listing them; an
//! officer of its ward accepting one afterwards is `release`.

use sqlx::{AnyConnection, Row};
use thamgia_core::protocol::MAX_QUARANTINED_PAYLOAD_BYTES;
use thamgia_core::push_rules::mutation_ward;
use thamgia_core::{limits, Localized, MutationChange, Response};
use uuid::Uuid;

use super::{rows_per_statement, sha256_hex, statement_chunks, values_list, Database};
use crate::error::ServerError;

mod release;
pub use release::{Release, WaitingRecord};

impl Database {
    /// The refused records not released since, newest first (at most
    /// `limit`), of one ward or of all. Each is kept as the mutation it came in (responses refused
    /// by earlier versions were kept as the bare response).
    pub async fn quarantined(
        &self,
        ward_code: Option<&str>,
        limit: u32,
    ) -> Result<Vec<thamgia_core::QuarantinedRecord>, ServerError> {
        let mut records = Vec::new();
        // A refused record sent again (after a renumbering) is listed once.
        let mut seen: std::collections::HashSet<(Option<String>, String)> =
            std::collections::HashSet::new();
        // Read a page of `limit` rows at a time, newest first, until the
        // list is full: what it reads is bounded by the list, not by how
        // many wait. The city's list reads the index of waiting rows
        // (migration 0030); a ward's list reads that ward's rows through
        // the index on (ward_code, received_at), and beside them the rows
        // kept before kinds and wards had columns (migration 0031), whose
        // ward only their record says. A row refused meanwhile moves the
        // later pages down, so a row may be read twice (and listed once),
        // never skipped for it. The record itself is read only for rows
        // kept before their kind, ward, size and digest had columns.
        let statement = match ward_code {
            None => format!(
                "SELECT {LISTED_COLUMNS} FROM rejected_mutations WHERE released_at IS NULL
                 ORDER BY received_at DESC, client_id, seq
                 LIMIT $1 OFFSET $2"
            ),
            Some(_) => format!(
                "SELECT * FROM (
                     SELECT {LISTED_COLUMNS} FROM rejected_mutations
                     WHERE released_at IS NULL AND ward_code = $1 AND kind IS NOT NULL
                     UNION ALL
                     SELECT {LISTED_COLUMNS} FROM rejected_mutations
                     WHERE released_at IS NULL AND kind IS NULL
                 ) AS waiting
                 ORDER BY received_at DESC, client_id, seq
                 LIMIT $2 OFFSET $3"
            ),
        };
        let page = i64::from(limit.max(1));
        let mut offset: i64 = 0;
        loop {
            let mut query = sqlx::query(&statement);
            if let Some(ward) = ward_code {
                query = query.bind(ward);
            }
            let rows = query.bind(page).bind(offset).fetch_all(&self.pool).await?;
            let read = rows.len() as i64;
            for row in rows {
                if let Some(record) = listed(&row, ward_code, &mut seen)? {
                    records.push(record);
                    if records.len() >= limit as usize {
                        return Ok(records);
                    }
                }
            }
            if read < page {
                return Ok(records);
            }
            offset += read;
        }
    }

    /// How many records were refused and kept aside.
    pub async fn rejected_count(&self) -> Result<u64, ServerError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rejected_mutations")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.max(0) as u64)
    }
}

/// What the refused-records list reads of a row: the record itself only
/// for rows kept before their kind, size and digest had columns.
const LISTED_COLUMNS: &str = "client_id, seq, record_id, reasons, received_at, sent_by, kind,
     ward_code, payload_bytes, payload_sha256, payload_complete,
     CASE WHEN kind IS NULL OR payload_bytes IS NULL OR payload_sha256 IS NULL
          THEN payload END AS payload";

/// The refused record a waiting `row` lists (see
/// [`Database::quarantined`]), or `None` when it is of another ward than
/// `ward_code` or a record already listed (in `seen`).
fn listed(
    row: &sqlx::any::AnyRow,
    ward_code: Option<&str>,
    seen: &mut std::collections::HashSet<(Option<String>, String)>,
) -> Result<Option<thamgia_core::QuarantinedRecord>, ServerError> {
    let payload: Option<String> = row.try_get("payload")?;
    let record_id: Option<String> = row.try_get("record_id")?;
    let digest: Option<String> = row.try_get("payload_sha256")?;
    let identity = match (&digest, &payload) {
        (Some(digest), _) => digest.clone(),
        (None, Some(payload)) => sha256_hex(payload),
        (None, None) => {
            return Err(ServerError::Internal(
                "a refused record without its digest or itself".to_owned(),
            ))
        }
    };
    if !seen.insert((record_id.clone(), identity)) {
        return Ok(None);
    }
    let stored_kind: Option<String> = row.try_get("kind")?;
    let stored_ward: Option<String> = row.try_get("ward_code")?;
    // Rows kept before the kind and ward had columns say it in
    // their (then always whole) payload.
    let (kind, ward) = match stored_kind {
        Some(kind) => (kind, stored_ward),
        None => {
            let payload = payload.as_deref().unwrap_or_default();
            match serde_json::from_str::<MutationChange>(payload) {
                Ok(change) => (change.kind().to_owned(), mutation_ward(&change)),
                Err(_) => match serde_json::from_str::<Response>(payload) {
                    Ok(response) => ("submit_response".to_owned(), Some(response.ward_code)),
                    Err(_) => ("unreadable".to_owned(), None),
                },
            }
        }
    };
    if ward_code.is_some() && ward.as_deref() != ward_code {
        return Ok(None);
    }
    let client_id: String = row.try_get("client_id")?;
    let seq: i64 = row.try_get("seq")?;
    let reasons: String = row.try_get("reasons")?;
    let payload_bytes: Option<i64> = row.try_get("payload_bytes")?;
    let complete: i64 = row.try_get("payload_complete")?;
    let payload_bytes = match (payload_bytes, &payload) {
        (Some(bytes), _) => bytes,
        (None, Some(payload)) => payload.len() as i64,
        (None, None) => 0,
    };
    Ok(Some(thamgia_core::QuarantinedRecord {
        client_id: Uuid::parse_str(&client_id).unwrap_or_default(),
        seq: seq.max(0) as u64,
        record_id: record_id.unwrap_or_default(),
        kind,
        ward_code: ward,
        reasons: serde_json::from_str(&reasons)?,
        received_at: row.try_get("received_at")?,
        sent_by: row.try_get("sent_by")?,
        payload_bytes: payload_bytes.max(0) as u64,
        payload_sha256: digest,
        payload_complete: complete != 0,
    }))
}

/// A refused mutation as it is kept aside for the town hall (see
/// [`insert_quarantined`]): what and which ward it was (`ward`, read by the
/// push), its size and digest, and the record itself up to
/// [`MAX_QUARANTINED_PAYLOAD_BYTES`] (its first bytes beyond), with its
/// reason. Who sent it and when are the push's, shared by its rows.
#[derive(Debug)]
pub(super) struct QuarantineRow {
    seq: i64,
    payload: String,
    reasons: String,
    record_id: String,
    kind: &'static str,
    ward: Option<String>,
    payload_bytes: i64,
    payload_sha256: String,
    payload_complete: i64,
}

impl QuarantineRow {
    /// The row of `mutation`, about record `record_id`, refused for
    /// `reason`.
    pub(super) fn new(
        mutation: &thamgia_core::Mutation,
        record_id: &str,
        ward: Option<String>,
        reason: &Localized,
    ) -> Result<QuarantineRow, ServerError> {
        let mut payload = serde_json::to_string(&mutation.change)?;
        let payload_bytes = payload.len();
        let digest = sha256_hex(&payload);
        let complete = payload_bytes <= MAX_QUARANTINED_PAYLOAD_BYTES;
        if !complete {
            let mut end = MAX_QUARANTINED_PAYLOAD_BYTES;
            while !payload.is_char_boundary(end) {
                end -= 1;
            }
            payload.truncate(end);
        }
        // Every text of the row is bounded: a ward or record id is the
        // client's. Escaped too: PostgreSQL's text holds no NUL, and a ward
        // or record id is the client's.
        Ok(QuarantineRow {
            seq: mutation.seq as i64,
            payload,
            reasons: serde_json::to_string(&[limits::bounded_message(reason)])?,
            record_id: limits::quoted_prefix(record_id, limits::MAX_LINE_CHARS),
            kind: mutation.change.kind(),
            ward: ward.map(|ward| limits::quoted(&ward)),
            payload_bytes: payload_bytes as i64,
            payload_sha256: digest,
            payload_complete: i64::from(complete),
        })
    }
}

/// Keeps refused mutations aside with their reasons, for the town hall,
/// with multi-row statements: `client_id` sent them, received at
/// `received_at`, signed in as `sent_by`. A seq kept already stays as it
/// was.
pub(super) async fn insert_quarantined(
    connection: &mut AnyConnection,
    rows: &[QuarantineRow],
    client_id: &str,
    received_at: &str,
    sent_by: Option<&str>,
) -> Result<(), ServerError> {
    // $1 the client, $2 the time received, $3 the account: the push's.
    const TUPLE: &str = "($1, ?, ?, ?, $2, ?, $3, ?, ?, ?, ?, ?)";
    for chunk in statement_chunks(rows, rows_per_statement(connection, TUPLE, 3)) {
        let statement = format!(
            "INSERT INTO rejected_mutations (client_id, seq, payload, reasons, received_at,
                 record_id, sent_by, kind, ward_code, payload_bytes, payload_sha256,
                 payload_complete)
             VALUES {} ON CONFLICT (client_id, seq) DO NOTHING",
            values_list(TUPLE, chunk.len(), 4)
        );
        let mut query = sqlx::query(&statement)
            .bind(client_id)
            .bind(received_at)
            .bind(sent_by);
        for row in chunk {
            query = query
                .bind(row.seq)
                .bind(row.payload.as_str())
                .bind(row.reasons.as_str())
                .bind(row.record_id.as_str())
                .bind(row.kind)
                .bind(row.ward.as_deref())
                .bind(row.payload_bytes)
                .bind(row.payload_sha256.as_str())
                .bind(row.payload_complete);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}
