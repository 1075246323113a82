//! Responses are stored compressed (migration 0021, the server's
//! `database/responses/content.rs`): what a push stores in `content` is a
//! format byte, 0x01, then a deflate stream of well under half its JSON,
//! and every reader of responses (one response, the export, a recount,
//! the chain of a correction, the results' backfill) gives back exactly
//! what the tablet sent. A row stored before compression, plain JSON (TEXT
//! on SQLite, its UTF-8 bytes on PostgreSQL since 0021), reads back too,
//! and can be corrected; a conflicting copy is kept compressed as well.
//! On SQLite, and on PostgreSQL in the PostgreSQL pass
//! (`THAMGIA_TEST_POSTGRES_URL`).

mod support;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Connection, Row};
use support::{push_changes, submit};
use thamgia_core::{AnswerValue, MutationOutcome, Response};
use thamgia_server::{seed, Backend, Database};
use uuid::Uuid;

const TABLET: Uuid = Uuid::from_u128(0xC0_4E55);

/// The format byte of a response compressed with the first dictionary.
const FORMAT_DEFLATE_DICTIONARY_V1: u8 = 0x01;

/// A fresh database on the backend under test, with what must live as
/// long as it, and its URL for reading the rows as they are stored.
struct Store {
    database: Database,
    url: String,
    _postgres: Option<support::PostgresDatabase>,
    _directory: tempfile::TempDir,
}

async fn store() -> Store {
    let directory = tempfile::tempdir().expect("a folder");
    let postgres = support::PostgresDatabase::create_if_configured().await;
    let url = match &postgres {
        Some(postgres) => postgres.url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            directory.path().join("compressed.sqlite3").display()
        ),
    };
    let database = Database::connect(&url)
        .await
        .expect("connected and migrated");
    Store {
        database,
        url,
        _postgres: postgres,
        _directory: directory,
    }
}

/// A time of 2026 that moves by `n` steps of a minute and a bit, to the
/// millisecond as a tablet records it.
fn at(n: u64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 15, 9, 0, 0)
        .single()
        .expect("a time")
        + Duration::milliseconds(61_237 * i64::try_from(n).expect("small"))
}

/// The demo survey's response `n`, with an id of its own.
fn response(n: u64) -> Response {
    let survey = seed::demo_survey().expect("demo survey");
    seed::sample_response(
        &survey,
        Uuid::from_u128(0x7A00_0000 + u128::from(n)),
        usize::try_from(n).expect("small"),
        at(n),
    )
}

fn json_of(response: &Response) -> String {
    serde_json::to_string(response).expect("serialised")
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The bytes a row's `content` holds. sqlx's `Any` row decodes bytes
/// only from a BLOB: a row stored before compression on SQLite is TEXT.
fn content_bytes(row: &AnyRow) -> Vec<u8> {
    match row.try_get::<Vec<u8>, _>("content") {
        Ok(bytes) => bytes,
        Err(_) => row
            .try_get::<String, _>("content")
            .expect("bytes or text")
            .into_bytes(),
    }
}

/// `content` and `content_sha256` of response `id` as the database holds
/// them, read without the server.
async fn stored_row(raw: &mut AnyConnection, id: Uuid) -> (Vec<u8>, String) {
    let row = sqlx::query("SELECT content, content_sha256 FROM responses WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut *raw)
        .await
        .expect("the row");
    (
        content_bytes(&row),
        row.try_get("content_sha256").expect("a digest"),
    )
}

/// Stores `response` as the release before compression did: its JSON as
/// it is (TEXT on SQLite; on PostgreSQL the column is BYTEA since 0021,
/// which turned the rows it found into their JSON's UTF-8 bytes), and no
/// results quarter yet, as a row of a release before results cells.
async fn store_as_before_compression(
    raw: &mut AnyConnection,
    backend: Backend,
    response: &Response,
) {
    let json = json_of(response);
    let stamp = |time: DateTime<Utc>| time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let statement = "INSERT INTO responses (id, survey_id, survey_version, ward_code, age_band,
             sex, content, content_sha256, client_id, client_seq, created_at, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    let query = sqlx::query(statement)
        .bind(response.id.to_string())
        .bind(response.survey_id.as_str())
        .bind(i64::from(response.survey_version))
        .bind(response.ward_code.as_str())
        .bind(
            serde_json::to_value(response.participant.age_band)
                .expect("an age band")
                .as_str()
                .expect("text")
                .to_owned(),
        )
        .bind(
            serde_json::to_value(response.participant.sex)
                .expect("a sex")
                .as_str()
                .expect("text")
                .to_owned(),
        );
    let query = match backend {
        Backend::Sqlite => query.bind(json.as_str()),
        Backend::Postgres => query.bind(json.as_bytes()),
    };
    query
        .bind(sha256_hex(&json))
        .bind("00000000-0000-0000-0000-0000000000ee")
        .bind(1_i64)
        .bind(stamp(response.created_at))
        .bind(stamp(response.created_at + Duration::minutes(5)))
        .execute(&mut *raw)
        .await
        .expect("stored as before compression");
}

#[tokio::test]
async fn responses_are_stored_compressed_and_read_back_exactly_old_rows_too() {
    let store = store().await;
    let database = &store.database;
    seed::seed_demo(database).await.expect("the demo survey");
    let survey = seed::demo_survey().expect("demo survey");
    let mut raw = AnyConnection::connect(&store.url)
        .await
        .expect("a connection of its own");
    let mut seq = 0;
    let mut sent: BTreeMap<Uuid, Response> = BTreeMap::new();

    // Pushed as a batch, one of them with a child's own words.
    let mut pushed: Vec<Response> = (1..=6).map(response).collect();
    let words = AnswerValue::Text(
        "Em mong có thêm đèn đường, vỉa hè rộng và người lớn đứng ở cổng trường \
         để đi học an toàn hơn. Ở ngõ nhà em xe máy đi rất nhanh!"
            .to_owned(),
    );
    let idea = pushed[2]
        .answers
        .get_mut("idea_to_be_safer")
        .expect("the demo survey asks for an idea");
    *idea = words.clone();
    let outcomes = push_changes(
        database,
        TABLET,
        &mut seq,
        pushed.iter().map(submit).collect(),
    )
    .await;
    assert!(
        outcomes
            .iter()
            .all(|outcome| *outcome == MutationOutcome::Applied),
        "{outcomes:?}"
    );
    for response in &pushed {
        let json = json_of(response);
        let (content, digest) = stored_row(&mut raw, response.id).await;
        assert_eq!(
            content.first(),
            Some(&FORMAT_DEFLATE_DICTIONARY_V1),
            "stored compressed"
        );
        assert!(
            content.len() < 700 && content.len() * 2 < json.len(),
            "{} bytes stored for {} of JSON",
            content.len(),
            json.len()
        );
        assert_eq!(digest, sha256_hex(&json), "the digest is the JSON's");
        let read = database
            .response(response.id)
            .await
            .expect("read")
            .expect("held");
        assert_eq!(read.response, *response);
        sent.insert(response.id, response.clone());
    }
    let read = database
        .response(pushed[2].id)
        .await
        .expect("read")
        .expect("held");
    assert_eq!(read.response.answers.get("idea_to_be_safer"), Some(&words));

    // A row stored before compression reads back, and the results'
    // backfill places it from what it reads.
    let older = response(40);
    store_as_before_compression(&mut raw, database.backend(), &older).await;
    let (content, _) = stored_row(&mut raw, older.id).await;
    assert_eq!(content.first(), Some(&b'{'), "plain JSON, as it was");
    if database.backend() == Backend::Sqlite {
        // Both forms in one column: SQLite keeps what each row was given.
        for (id, kind) in [(older.id, "text"), (pushed[0].id, "blob")] {
            let stored: String =
                sqlx::query_scalar("SELECT typeof(content) FROM responses WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_one(&mut raw)
                    .await
                    .expect("its type");
            assert_eq!(stored, kind, "{id}");
        }
    }
    assert_eq!(
        database.backfill_results_cells().await.expect("backfilled"),
        1,
        "the older row is placed in its cell"
    );
    let read = database
        .response(older.id)
        .await
        .expect("read")
        .expect("held");
    assert_eq!(read.response, older);
    sent.insert(older.id, older.clone());

    // Corrected: the correction is stored compressed, and the chain is
    // settled from both forms (the older version no longer counts).
    let mut correction = response(41);
    correction.corrects = Some(older.id);
    let outcomes = push_changes(database, TABLET, &mut seq, vec![submit(&correction)]).await;
    assert_eq!(outcomes, vec![MutationOutcome::Applied]);
    let (content, _) = stored_row(&mut raw, correction.id).await;
    assert_eq!(content.first(), Some(&FORMAT_DEFLATE_DICTIONARY_V1));
    let superseded_by: Option<String> =
        sqlx::query_scalar("SELECT superseded_by FROM responses WHERE id = $1")
            .bind(older.id.to_string())
            .fetch_one(&mut raw)
            .await
            .expect("read");
    assert_eq!(superseded_by, Some(correction.id.to_string()));
    sent.insert(correction.id, correction.clone());

    // Another copy under a held id is kept beside it, compressed, and the
    // original stays.
    let mut other = response(7);
    other.id = pushed[0].id;
    assert_ne!(json_of(&other), json_of(&pushed[0]), "another copy");
    let outcomes = push_changes(database, TABLET, &mut seq, vec![submit(&other)]).await;
    assert!(
        matches!(outcomes.as_slice(), [MutationOutcome::Conflict { .. }]),
        "{outcomes:?}"
    );
    let kept = sqlx::query("SELECT content, content_sha256 FROM response_conflicts")
        .fetch_all(&mut raw)
        .await
        .expect("the conflicts");
    assert_eq!(kept.len(), 1);
    let content = content_bytes(&kept[0]);
    let digest: String = kept[0].try_get("content_sha256").expect("a digest");
    assert_eq!(content.first(), Some(&FORMAT_DEFLATE_DICTIONARY_V1));
    assert_eq!(digest, sha256_hex(&json_of(&other)));
    let read = database
        .response(pushed[0].id)
        .await
        .expect("read")
        .expect("held");
    assert_eq!(read.response, pushed[0], "the original stays");

    // Every reader of a survey's responses gives back what was sent: the
    // export, page by page, and a recount.
    let mut exported = BTreeMap::new();
    let mut after = None;
    loop {
        let page = database
            .responses_of_survey_after(&survey.id, after.as_ref(), 3)
            .await
            .expect("a page");
        let Some((last, received_at, _)) = page.last() else {
            break;
        };
        after = Some((received_at.clone(), last.id.to_string()));
        for (response, _, _) in page {
            exported.insert(response.id, response);
        }
    }
    assert_eq!(exported, sent, "the export");
    let recounted: BTreeMap<Uuid, Response> = database
        .survey_responses(&survey.id, None)
        .await
        .expect("read")
        .into_iter()
        .map(|response| (response.id, response))
        .collect();
    assert_eq!(recounted, sent, "a recount");
    raw.close().await.expect("closed");
    database.close().await;
}
