//! The shapes records take in IndexedDB, apart from the public ones, and
//! the keys they are stored under.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use thamgia_core::protocol::{Mutation, MutationChange};
use thamgia_core::report::{Hlc, ReportId};
use thamgia_core::{Answers, Consent, Participant, Response, ResponseStatus};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::encoding::Keyed;
use super::error::{IoFailure, StorageError};
use super::tally::{state_of, tag, Move};
use super::{StoredForum, StoredResponse, SyncMeta};

/// The sync bookkeeping record, under `meta/"sync"`.
///
/// One record, so the client id and the seq counter always change together,
/// and the hybrid logical clock with them: the edit that takes a reading and
/// the outbox entry that carries it are written in the same transaction as
/// the reading itself, so a reload never gives the same reading twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct MetaRecord {
    pub(super) client_id: Uuid,
    pub(super) next_seq: u64,
    pub(super) cursor: u64,
    #[serde(default)]
    pub(super) last_success_ms: Option<i64>,
    /// The last reading the report clock gave or saw
    /// ([`HlcClock::last`](thamgia_core::report::HlcClock::last)); absent in
    /// records written before reports existed, which read as "no reading yet".
    #[serde(default)]
    pub(super) clock: Hlc,
    /// The client ids this install used before a renumbering: its report
    /// edits carry them, and are its own to send again.
    #[serde(default)]
    pub(super) past_client_ids: Vec<Uuid>,
    /// The server's token for `cursor`, sent back with it.
    #[serde(default)]
    pub(super) cursor_token: Option<String>,
}

impl MetaRecord {
    /// The bookkeeping of a fresh install with client id `client_id`.
    pub(super) fn fresh(client_id: Uuid) -> MetaRecord {
        MetaRecord {
            client_id,
            next_seq: 1,
            cursor: 0,
            last_success_ms: None,
            clock: Hlc::default(),
            past_client_ids: Vec::new(),
            cursor_token: None,
        }
    }
}

/// The next seq, under `meta/"next_seq"` (schema version 6): apart from
/// the bookkeeping record, so that a completion written without reading
/// first (see core's `outbox::expectation`) moves the counter without
/// writing over what another tab wrote there meanwhile (a sync's cursor,
/// the report clock). Every transaction that reads the bookkeeping reads
/// this too and takes its seq from it when it is of the same client id
/// (see `transactions.rs`); every one that writes the bookkeeping writes
/// both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct NextSeq {
    pub(super) client_id: Uuid,
    pub(super) next_seq: u64,
}

/// The key of the marker that seq `seq` of client `client_id` was taken,
/// in the `meta` store: `add`ed by every transaction that takes a seq, so
/// that one taking it again fails (see core's `outbox::expectation`). The
/// seq is written with 20 digits, so markers sort as their numbers do.
pub(super) fn taken_key(client_id: Uuid, seq: u64) -> String {
    format!("taken:{}:{seq:020}", client_id.hyphenated())
}

/// The marker that a seq was taken (see [`taken_key`]): its seq, and for
/// a completion written without reading first, the change of the tally it
/// made (from draft to waiting), which it wrote nowhere else. Whatever
/// reads the tally adds the changes of the markers past the kept tally's
/// [`CountsThrough`]; whatever writes the tally folds them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Taken {
    pub(super) seq: u64,
    #[serde(default)]
    pub(super) change: Option<Move>,
}

/// What the kept tally counts, under `meta/"counts_through"`, written with
/// it: every response the stores held when it was written, and every
/// change of the markers of `client_id`'s seqs below `next_seq`. A tally
/// without it (written by an earlier version) is counted again.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct CountsThrough {
    pub(super) client_id: Uuid,
    pub(super) next_seq: u64,
}

impl CountsThrough {
    /// Everything of `record`'s client up to its next seq.
    pub(super) fn of(record: &MetaRecord) -> CountsThrough {
        CountsThrough {
            client_id: record.client_id,
            next_seq: record.next_seq,
        }
    }
}

impl From<MetaRecord> for SyncMeta {
    fn from(record: MetaRecord) -> SyncMeta {
        SyncMeta {
            client_id: record.client_id,
            next_seq: record.next_seq,
            cursor: record.cursor,
            cursor_token: record.cursor_token,
            last_success_ms: record.last_success_ms,
        }
    }
}

/// One outbox entry; the store's key path is `seq`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct OutboxEntry {
    pub(super) seq: u64,
    pub(super) mutation: Mutation,
}

impl OutboxEntry {
    /// The id of the response the mutation is about; `None` for a report's
    /// or a forum's.
    pub(super) fn response_id(&self) -> Option<Uuid> {
        match &self.mutation.change {
            MutationChange::SubmitResponse { response } => Some(response.id),
            MutationChange::WithdrawResponse { response_id, .. } => Some(*response_id),
            MutationChange::EditReportField { .. }
            | MutationChange::ChangeReportStatus { .. }
            | MutationChange::SubmitForum { .. }
            | MutationChange::RecordFeedback { .. } => None,
        }
    }
}

impl Keyed for OutboxEntry {
    fn keys(&self) -> Vec<(&'static str, JsValue)> {
        // The key path `seq`, a number as before (so entries of both shapes
        // sort together); seqs stay far under 2^53.
        #[allow(clippy::cast_precision_loss)]
        let seq = self.seq as f64;
        vec![("seq", JsValue::from_f64(seq))]
    }
}

impl Keyed for StoredResponse {
    fn keys(&self) -> Vec<(&'static str, JsValue)> {
        vec![
            (
                "response.id",
                JsValue::from(self.response.id.hyphenated().to_string()),
            ),
            // The `updated` index sorts this text, so it must be the record
            // JSON's own: chrono's serde writes a time exactly so.
            (
                "response.updated_at",
                JsValue::from(
                    self.response
                        .updated_at
                        .to_rfc3339_opts(SecondsFormat::AutoSi, true),
                ),
            ),
            ("sync.type", JsValue::from_str(tag(state_of(&self.sync)))),
        ]
    }
}

impl Keyed for StoredForum {
    fn keys(&self) -> Vec<(&'static str, JsValue)> {
        vec![(
            "forum.id",
            JsValue::from(self.forum.id.hyphenated().to_string()),
        )]
    }
}

/// What is kept of `response` once consent was withdrawn at `at`: its ids,
/// survey, ward and times, without participant, consent or answers.
pub(super) fn tombstone(response: &Response, at: DateTime<Utc>) -> Response {
    Response {
        participant: Participant::default(),
        consent: Consent::default(),
        answers: Answers::new(),
        status: ResponseStatus::Withdrawn,
        updated_at: at,
        ..response.clone()
    }
}

/// Whether `response` is a tombstone: withdrawn, with nothing of the child left.
pub(super) fn is_tombstone(response: &Response) -> bool {
    response.status == ResponseStatus::Withdrawn
        && response.answers.is_empty()
        && response.participant == Participant::default()
        && response.consent == Consent::default()
}

/// The key of a response: its id as serde writes it (hyphenated, lowercase),
/// which is what the `response.id` key path reads.
pub(super) fn response_key(id: Uuid) -> String {
    id.hyphenated().to_string()
}

/// The key of a forum, or of a recommendation in a forum's answers and
/// feedback: the id as serde writes it (hyphenated, lowercase), which is
/// what the `forum.id` key path reads.
pub(super) fn forum_key(id: Uuid) -> String {
    id.hyphenated().to_string()
}

/// The key of a report: its id as written ("00004:2026-Q3").
pub(super) fn report_key(id: &ReportId) -> String {
    id.to_string()
}

/// The key of an outbox entry: its seq as a JS number. A `u64` would become a
/// BigInt, which is not a valid IndexedDB key; seqs stay far below 2^53.
#[allow(clippy::cast_precision_loss)]
pub(super) fn outbox_key(seq: u64) -> f64 {
    seq as f64
}

/// A new client id, the install's, from the browser's crypto
/// ([`crate::platform::random_uuid`]: `crypto.randomUUID()`, or
/// `crypto.getRandomValues()` where a page over plain HTTP has no
/// `randomUUID`). Without any crypto an error rather than `new_uuid`'s
/// `Math.random()`: the pushes of two installs must never share an id.
pub(super) fn new_client_id() -> Result<Uuid, StorageError> {
    crate::platform::random_uuid().ok_or_else(|| {
        IoFailure::Unavailable("the browser has no crypto to make the install's id with".to_owned())
            .into()
    })
}
