//! What must hold on both backends, SQLite and PostgreSQL: the tests run on
//! the backend `THAMGIA_TEST_POSTGRES_URL` selects (see `support`), and
//! `cargo xtask test` runs them on each.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use thamgia_core::report::{FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportId, Stamp};
use thamgia_core::{
    ChangeEntity, Mutation, MutationChange, MutationOutcome, PullRequest, PushRequest, PushStatus,
    SCHEMA_VERSION,
};
use thamgia_server::{Backend, Database};
use uuid::Uuid;

use support::{server, POSTGRES_URL_VARIABLE};

const WRITERS: u128 = 6;
const BATCHES: u64 = 5;
const EDITS_PER_BATCH: u64 = 8;

#[tokio::test]
async fn the_backend_is_the_one_asked_for() {
    let server = server().await;
    let asked = std::env::var(POSTGRES_URL_VARIABLE).is_ok_and(|url| !url.is_empty());
    let expected = if asked {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(server.database().backend(), expected);
    let (applied, carried) = server.database().health().await.expect("healthy");
    assert!(applied > 0, "migrated");
    assert_eq!(
        applied, carried,
        "every migration the server carries is applied"
    );
}

/// A push is acknowledged only after a commit that survives a power cut.
#[tokio::test]
async fn commits_are_durable() {
    let server = server().await;
    let settings = server.database().durability().await.expect("settings");
    let expected: &[(&str, &str)] = match server.database().backend() {
        Backend::Sqlite => &[
            ("journal_mode", "wal"),
            ("synchronous", "2"),
            ("foreign_keys", "1"),
            ("busy_timeout", "10000"),
        ],
        Backend::Postgres => &[("fsync", "on"), ("synchronous_commit", "on")],
    };
    let settings: Vec<(&str, &str)> = settings
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    assert_eq!(settings, expected);
}

/// The whole change log after `cursor`, a page of `limit` at a time.
async fn pull_all(database: &Database, cursor: u64, limit: u32) -> (u64, Vec<(u64, ChangeEntity)>) {
    let mut cursor = cursor;
    let mut changes = Vec::new();
    loop {
        let page = database
            .pull(&PullRequest {
                client_id: Uuid::from_u128(0xFEED),
                schema_version: SCHEMA_VERSION,
                cursor,
                limit,
                ward_code: None,
                acknowledged_seq: None,
                cursor_token: None,
                understands: Vec::new(),
            })
            .await
            .expect("pulled");
        assert!(!page.reset_required, "cursor {cursor} was reset");
        changes.extend(page.changes.into_iter().map(|c| (c.seq, c.entity)));
        cursor = page.next_cursor;
        if !page.has_more {
            return (cursor, changes);
        }
    }
}

fn note_edit(writer: Uuid, batch: u64, index: u64) -> FieldEdit {
    let report_id =
        ReportId::new("00004", Period::quarter(2026, 3).expect("period")).expect("report id");
    FieldEdit {
        report_id,
        field: FieldKey::note("1.1"),
        content: FieldContent::Text(format!("{writer} {batch} {index}")),
        stamp: Stamp {
            hlc: Hlc::new(
                chrono::Utc::now().timestamp_millis(),
                (batch * EDITS_PER_BATCH + index) as u32,
            ),
            client_id: writer,
        },
        author: format!("writer {writer}"),
        sent_as: None,
    }
}

/// Writers pushing at once while a tablet pulls: every change gets the next
/// cursor (strictly increasing, no gap), and the tablet pulling alongside
/// misses nothing, because writers commit one at a time in cursor order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_give_gap_free_cursors_and_a_concurrent_pull_misses_nothing() {
    let server = server().await;
    let database = server.database().clone();
    let (start, _) = pull_all(&database, 0, 100).await;

    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let puller = {
        let database = database.clone();
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            let mut cursor = start;
            let mut seen = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let (next, changes) = pull_all(&database, cursor, 7).await;
                seen.extend(changes);
                cursor = next;
                if finished {
                    return seen;
                }
                tokio::task::yield_now().await;
            }
        })
    };

    let writers: Vec<_> = (1..=WRITERS)
        .map(|number| {
            let database = database.clone();
            tokio::spawn(async move {
                let writer = Uuid::from_u128(0xC0DE_0000 + number);
                for batch in 0..BATCHES {
                    let mutations = (0..EDITS_PER_BATCH)
                        .map(|index| Mutation {
                            seq: batch * EDITS_PER_BATCH + index + 1,
                            change: MutationChange::EditReportField {
                                edit: note_edit(writer, batch, index),
                            },
                        })
                        .collect();
                    let answer = database
                        .push(
                            &PushRequest {
                                client_id: writer,
                                schema_version: SCHEMA_VERSION,
                                mutations,
                            },
                            chrono::Utc::now(),
                        )
                        .await
                        .expect("pushed");
                    assert_eq!(answer.status, PushStatus::Ok);
                    assert_eq!(answer.last_seq, (batch + 1) * EDITS_PER_BATCH);
                    assert!(answer
                        .results
                        .iter()
                        .all(|result| result.outcome == MutationOutcome::Applied));
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer finished");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = puller.await.expect("puller finished");

    let total = (WRITERS as u64) * BATCHES * EDITS_PER_BATCH;
    let seqs: Vec<u64> = seen.iter().map(|(seq, _)| *seq).collect();
    let expected: Vec<u64> = (start + 1..=start + total).collect();
    assert_eq!(seqs, expected, "cursors strictly increasing, without a gap");

    let texts: BTreeSet<String> = seen
        .iter()
        .map(|(_, entity)| match entity {
            ChangeEntity::ReportFieldEdited { edit } => match &edit.content {
                FieldContent::Text(text) => text.clone(),
                other => panic!("unexpected content {other:?}"),
            },
            other => panic!("unexpected change {other:?}"),
        })
        .collect();
    assert_eq!(texts.len() as u64, total, "every edit pulled exactly once");

    // A fresh pull from the same start sees the same log.
    let (end, again) = pull_all(&database, start, 100).await;
    assert_eq!(end, start + total);
    assert_eq!(again.len() as u64, total);
}

/// Every wait has a bound: a push whose writer cannot take the write lock
/// within 10 s (another process holds it: PostgreSQL's advisory lock, or
/// SQLite's write lock) is answered 503, "busy", with nothing written, and
/// the same push is kept once the lock is free.
#[tokio::test]
async fn a_push_that_cannot_take_the_write_lock_in_time_is_answered_busy() {
    use sqlx::Connection;

    let server = server().await;
    let token = server.sign_in("badinh").await;
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    let response = thamgia_server::seed::sample_response(
        &survey,
        Uuid::from_u128(0x10C),
        1,
        chrono::Utc::now(),
    );
    let request = PushRequest {
        client_id: Uuid::from_u128(0x10C),
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation {
            seq: 1,
            change: MutationChange::SubmitResponse { response },
        }],
    };
    let mut holder = sqlx::AnyConnection::connect(&server.store_url())
        .await
        .expect("a connection of the test's own");
    // The key of the server's write lock on PostgreSQL: the bytes of "thamgia".
    let key = i64::from_be_bytes(*b"\0thamgia");
    let (hold, free) = match server.database().backend() {
        Backend::Postgres => (
            format!("SELECT pg_advisory_lock({key})"),
            format!("SELECT pg_advisory_unlock({key})"),
        ),
        Backend::Sqlite => ("BEGIN IMMEDIATE".to_owned(), "ROLLBACK".to_owned()),
    };
    sqlx::raw_sql(&hold)
        .execute(&mut holder)
        .await
        .expect("the lock held");
    let started = std::time::Instant::now();
    let (status, error): (_, thamgia_core::ApiError) =
        server.post_as(&token, "/api/v1/sync/push", &request).await;
    let waited = started.elapsed();
    assert_eq!(status.as_u16(), 503, "{error:?}");
    assert_eq!(error.code, thamgia_core::ApiErrorCode::Busy);
    assert!(error.message.en.contains("busy"), "{}", error.message.en);
    assert!(
        waited >= std::time::Duration::from_secs(9) && waited < std::time::Duration::from_secs(40),
        "waited {waited:?}"
    );
    assert_eq!(server.database().response_count().await.expect("count"), 0);

    sqlx::raw_sql(&free)
        .execute(&mut holder)
        .await
        .expect("the lock freed");
    let (status, answer): (_, thamgia_core::PushResponse) =
        server.post_as(&token, "/api/v1/sync/push", &request).await;
    assert_eq!(status.as_u16(), 200);
    assert_eq!(answer.results[0].outcome, MutationOutcome::Applied);
    assert_eq!(server.database().response_count().await.expect("count"), 1);
}
