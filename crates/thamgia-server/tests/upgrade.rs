//! Upgrades without loss: a database exactly as the previous release left
//! it (`tests/upgrade/previous_release_*.sql`: its schema and rows, made by
//! that release's own code) is opened by this server, which migrates it
//! (migrations only add) and serves it: every response and report is
//! there, the tablet that pushed them carries on with its numbering (a
//! retry is recognised, the next seq applied), and a tablet's pull reads
//! the old changes and the new. Its responses stay plain JSON, byte for
//! byte, and read back; the next is stored compressed beside them
//! (migration 0021). The survey results it showed are released as they
//! stood (migration 0028). Its participation is counted by Hanoi's days
//! (migration 0029). On SQLite, and on PostgreSQL in the PostgreSQL pass
//! (`THAMGIA_TEST_POSTGRES_URL`).

use chrono::{TimeZone, Utc};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, ConnectOptions, Connection, Row};
use thamgia_core::report::{FieldKey, Period, ReportId};
use thamgia_core::{
    AnswerValue, Mutation, MutationChange, MutationOutcome, PullRequest, PushRequest,
    SCHEMA_VERSION,
};
use thamgia_server::{seed, Database};
use uuid::Uuid;

mod support;

const PREVIOUS_SQLITE: &str = include_str!("upgrade/previous_release_sqlite.sql");
const PREVIOUS_POSTGRES: &str = include_str!("upgrade/previous_release_postgres.sql");

/// The tablet that filled the previous release's database.
const TABLET: Uuid = Uuid::from_u128(0xAB);

/// The previous release's database loaded on the backend under test: its
/// URL, and what must live as long as it.
async fn previous_release(
    directory: &tempfile::TempDir,
) -> (String, Option<support::PostgresDatabase>) {
    match support::PostgresDatabase::create_if_configured().await {
        Some(postgres) => {
            let mut connection = sqlx::PgConnection::connect(&postgres.url)
                .await
                .expect("connected");
            sqlx::raw_sql(PREVIOUS_POSTGRES)
                .execute(&mut connection)
                .await
                .expect("the previous release's database loaded");
            connection.close().await.expect("closed");
            (postgres.url.clone(), Some(postgres))
        }
        None => {
            let path = directory.path().join("previous.sqlite3");
            let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .connect()
                .await
                .expect("created");
            sqlx::raw_sql(PREVIOUS_SQLITE)
                .execute(&mut connection)
                .await
                .expect("the previous release's database loaded");
            connection.close().await.expect("closed");
            (format!("sqlite://{}", path.display()), None)
        }
    }
}

fn response_push(seqs: std::ops::RangeInclusive<u64>) -> PushRequest {
    let survey = seed::demo_survey().expect("demo survey");
    let start = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .expect("a time");
    PushRequest {
        client_id: TABLET,
        schema_version: SCHEMA_VERSION,
        mutations: seqs
            .map(|seq| Mutation {
                seq,
                change: MutationChange::SubmitResponse {
                    response: seed::sample_response(
                        &survey,
                        Uuid::from_u128(0x0100 + u128::from(seq)),
                        seq as usize,
                        start + chrono::Duration::minutes(seq as i64),
                    ),
                },
            })
            .collect(),
    }
}

/// `content` of response `id` as the database holds it (sqlx's `Any` row
/// decodes bytes only from a BLOB: a row the previous release stored on
/// SQLite is TEXT), and its `content_sha256`.
async fn stored_content(raw: &mut AnyConnection, id: Uuid) -> (Vec<u8>, String) {
    let row: AnyRow = sqlx::query("SELECT content, content_sha256 FROM responses WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut *raw)
        .await
        .expect("the row");
    let content = match row.try_get::<Vec<u8>, _>("content") {
        Ok(bytes) => bytes,
        Err(_) => row
            .try_get::<String, _>("content")
            .expect("bytes or text")
            .into_bytes(),
    };
    (content, row.try_get("content_sha256").expect("a digest"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What the database keeps counted (migration 0020) of ward 00004, where
/// the tablet's responses are: its responses in 2026-Q4 and those of
/// children of 7 and over, as the overview reads them, and the demo
/// survey's responses, as the export's audit entry counts them.
async fn kept_counts(database: &Database) -> (Option<(u64, u64)>, u64) {
    let quarter = Period::quarter(2026, 4).expect("a quarter");
    let participation = database
        .participation(quarter)
        .await
        .expect("participation read");
    let ward = participation
        .get("00004")
        .map(|(responses, participation)| (*responses, participation.consulted_7_plus));
    let survey = seed::demo_survey().expect("demo survey");
    let held = database
        .response_count_of_survey(&survey.id)
        .await
        .expect("count read");
    (ward, held)
}

#[tokio::test]
async fn this_server_opens_the_previous_releases_database_and_the_tablet_carries_on() {
    let directory = tempfile::tempdir().expect("a folder");
    let (url, _postgres) = previous_release(&directory).await;
    let database = Database::connect(&url)
        .await
        .expect("the previous release's database opens and migrates");
    let (applied, expected) = database.health().await.expect("versions");
    assert_eq!(applied, expected, "migrated to this release's schema");
    assert!(
        applied > 15,
        "the fixture is schema 15, before this release"
    );

    // What the previous release stored is all there, and counted where
    // the town hall reads its counts.
    assert_eq!(database.response_count().await.expect("counted"), 12);
    assert_eq!(kept_counts(&database).await, (Some((12, 12)), 12));
    let surveys = database.latest_surveys().await.expect("surveys");
    assert_eq!(surveys.len(), 1, "the demo survey");
    // The results it showed stay shown: each cell is released as it stood
    // (migration 0028), and changes in steps from there.
    let released = database
        .results_released(&surveys[0].id)
        .await
        .expect("releases");
    let cell = thamgia_core::results::maintained::CellKey {
        ward: "00004".to_owned(),
        quarter: Period::quarter(2026, 4).expect("a quarter"),
    };
    assert_eq!(
        released.get(&cell),
        Some(&thamgia_core::results::maintained::CellState {
            revision: 12,
            removals: 0
        })
    );
    // Its responses are left as they were stored, plain JSON (TEXT on
    // SQLite; on PostgreSQL the JSON's UTF-8 bytes since 0021), byte for
    // byte what their digest was taken of, and read back.
    let mut raw = AnyConnection::connect(&url)
        .await
        .expect("a connection of its own");
    let first = Uuid::from_u128(0x0101);
    let (content, digest) = stored_content(&mut raw, first).await;
    assert_eq!(content.first(), Some(&b'{'), "left as plain JSON");
    assert_eq!(sha256_hex(&content), digest, "byte for byte");
    let stored = database.response(first).await.expect("read").expect("held");
    assert_eq!(stored.response.id, first);
    assert_eq!(
        stored.response.answers.get("idea_to_be_safer"),
        Some(&AnswerValue::Text(
            "Ý kiến số 1: cần thêm sân chơi an toàn".to_owned()
        ))
    );
    let report_id =
        ReportId::new("00004", Period::quarter(2026, 4).expect("a quarter")).expect("an id");
    let (_, fields) = database.report(&report_id).await.expect("read");
    let value = fields
        .get(&FieldKey::value("4.1"))
        .map(|field| field.winner.content.clone());
    assert_eq!(
        value,
        Some(thamgia_core::report::FieldContent::Number(43.0)),
        "the later edit wins, as before"
    );

    // The tablet that pushed them carries on: its push of seq 12 again is
    // a retry (answered as the first time, nothing stored twice), and its
    // next seq is applied.
    let retried = database
        .push(&response_push(12..=12), Utc::now())
        .await
        .expect("pushed");
    assert_eq!(retried.results[0].outcome, MutationOutcome::Applied);
    assert_eq!(database.response_count().await.expect("counted"), 12);
    let next = database
        .push(&response_push(15..=15), Utc::now())
        .await
        .expect("pushed");
    assert_eq!(next.results[0].outcome, MutationOutcome::Applied);
    assert_eq!(database.response_count().await.expect("counted"), 13);
    assert_eq!(kept_counts(&database).await, (Some((13, 13)), 13));
    // The new one is stored compressed beside the plain ones, and reads
    // back as sent.
    let sent = match &response_push(15..=15).mutations[0].change {
        MutationChange::SubmitResponse { response } => response.clone(),
        _ => panic!("a response"),
    };
    let (content, digest) = stored_content(&mut raw, sent.id).await;
    assert_eq!(content.first(), Some(&0x01), "stored compressed");
    let json = serde_json::to_string(&sent).expect("serialised");
    assert!(content.len() * 2 < json.len(), "{} bytes", content.len());
    assert_eq!(digest, sha256_hex(json.as_bytes()), "the JSON's digest");
    let stored = database
        .response(sent.id)
        .await
        .expect("read")
        .expect("held");
    assert_eq!(stored.response, sent);
    raw.close().await.expect("closed");

    // A tablet that pulls from the start reads what the previous release
    // logged (the survey, the report edits) and carries on past it.
    let mut cursor = 0;
    let mut token = None;
    let mut surveys_and_edits = (0, 0);
    loop {
        let page = database
            .pull(&PullRequest {
                client_id: Uuid::from_u128(0xCD),
                schema_version: SCHEMA_VERSION,
                cursor,
                limit: 100,
                ward_code: None,
                acknowledged_seq: None,
                cursor_token: token.clone(),
                understands: Vec::new(),
            })
            .await
            .expect("pulled");
        assert!(!page.reset_required);
        for change in &page.changes {
            match change.entity {
                thamgia_core::protocol::ChangeEntity::Survey { .. } => surveys_and_edits.0 += 1,
                thamgia_core::protocol::ChangeEntity::ReportFieldEdited { .. } => {
                    surveys_and_edits.1 += 1
                }
                _ => {}
            }
        }
        cursor = page.next_cursor;
        token = page.next_cursor_token;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(surveys_and_edits, (1, 2), "the survey and both edits");
    database.close().await;
}

/// A forum the previous release stored (its row as that release wrote it)
/// is counted once as the database migrates: the town hall's participation
/// shows its children aged 7 and over (migration 0027), not those under 7.
#[tokio::test]
async fn a_forum_stored_by_the_previous_release_counts_its_children_once_migrated() {
    use thamgia_core::forum::{Forum, ParticipantCount};
    use thamgia_core::{AgeBand, Sex};

    let directory = tempfile::tempdir().expect("a folder");
    let (url, _postgres) = previous_release(&directory).await;
    let held_on = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
    let mut forum = Forum::new(
        Uuid::from_u128(0xF0F),
        "00004",
        held_on,
        Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0)
            .single()
            .expect("a time"),
    );
    forum.place = "Nhà văn hóa".to_owned();
    forum.participants = [
        (AgeBand::From7To9, 12),
        (AgeBand::From13To15, 20),
        (AgeBand::Under7, 6),
    ]
    .into_iter()
    .map(|(age_band, count)| ParticipantCount {
        age_band,
        sex: Sex::Female,
        count,
    })
    .collect();
    forum.submitted = true;
    let content = serde_json::to_string(&forum).expect("serialised");
    sqlx::any::install_default_drivers();
    let mut raw = AnyConnection::connect(&url).await.expect("connected");
    sqlx::query(
        "INSERT INTO forums (id, ward_code, held_on, content, content_sha256, client_id, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(forum.id.to_string())
    .bind("00004")
    .bind(held_on.to_string())
    .bind(content.as_str())
    .bind(sha256_hex(content.as_bytes()))
    .bind(TABLET.to_string())
    .bind("2026-11-21T09:00:00.000Z")
    .execute(&mut raw)
    .await
    .expect("the previous release's row");
    raw.close().await.ok();

    let database = Database::connect(&url).await.expect("migrated");
    let quarter = Period::quarter(2026, 4).expect("a quarter");
    let participation = database
        .participation(quarter)
        .await
        .expect("participation read");
    let (_, ward) = participation.get("00004").expect("Ba Đình");
    assert_eq!(ward.forum_children_7_plus, 32);
    database.close().await;
}

/// A response the previous release stored that was made after midnight
/// in Hanoi on the first day of a quarter (18:00 UTC on 31 December) was
/// counted on its UTC day, in the quarter before; migrated, the town
/// hall's participation counts it on Hanoi's day, in the quarter the
/// survey results put it in (migration 0029), and its withdrawal takes it
/// out of that day.
#[tokio::test]
async fn a_response_made_after_midnight_in_hanoi_counts_on_hanoi_s_day_once_migrated() {
    let directory = tempfile::tempdir().expect("a folder");
    let (url, _postgres) = previous_release(&directory).await;
    sqlx::any::install_default_drivers();
    let mut raw = AnyConnection::connect(&url).await.expect("connected");
    let moved: String =
        sqlx::query_scalar("SELECT MIN(id) FROM responses WHERE ward_code = '00004'")
            .fetch_one(&mut raw)
            .await
            .expect("a response of Ba Đình");
    sqlx::query("UPDATE responses SET created_at = '2026-12-31T18:00:00.000Z' WHERE id = $1")
        .bind(moved.as_str())
        .execute(&mut raw)
        .await
        .expect("made at 01:00 on 1 January in Hanoi");
    raw.close().await.ok();

    let database = Database::connect(&url).await.expect("migrated");
    let ward = |participation: &std::collections::BTreeMap<
        String,
        (u64, thamgia_server::townhall::Participation),
    >| participation.get("00004").map(|(responses, _)| *responses);
    let last_quarter = Period::quarter(2026, 4).expect("a quarter");
    let next_quarter = Period::quarter(2027, 1).expect("a quarter");
    let before = database
        .participation(last_quarter)
        .await
        .expect("participation read");
    let after = database
        .participation(next_quarter)
        .await
        .expect("participation read");
    assert_eq!(ward(&before), Some(11), "the other eleven stay in 2026-Q4");
    assert_eq!(
        ward(&after),
        Some(1),
        "the one made on 1 January counts in 2027-Q1"
    );

    // Withdrawn, it leaves the day it is counted on.
    let withdrawal = PushRequest {
        schema_version: SCHEMA_VERSION,
        client_id: TABLET,
        mutations: vec![Mutation {
            seq: 15,
            change: MutationChange::WithdrawResponse {
                response_id: moved.parse().expect("an id"),
                withdrawn_at: Utc::now(),
            },
        }],
    };
    let pushed = database
        .push(&withdrawal, Utc::now())
        .await
        .expect("pushed");
    assert_eq!(pushed.results[0].outcome, MutationOutcome::Withdrawn);
    let after = database
        .participation(next_quarter)
        .await
        .expect("participation read");
    assert_eq!(ward(&after), None);
    let before = database
        .participation(last_quarter)
        .await
        .expect("participation read");
    assert_eq!(ward(&before), Some(11));
    database.close().await;
}
