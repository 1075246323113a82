//! A server restored from an older backup whose change log then grows
//! again can hold, at a tablet's cursor, a change with the very same
//! content as before (a tablet re-sending a record after the restore). The
//! cursor's token must still tell the two histories apart, or the tablet
//! skips what arrived meanwhile.

use std::path::Path;

use chrono::Utc;
use thamgia_core::report::{FieldContent, FieldEdit, FieldKey, Hlc, Period, ReportId, Stamp};
use thamgia_core::{Mutation, MutationChange, PullRequest, PushRequest, SCHEMA_VERSION};
use thamgia_server::Database;
use uuid::Uuid;

fn edit(client: u128, field: &str, value: f64, wall_ms: i64) -> MutationChange {
    let report_id =
        ReportId::new("00004", Period::quarter(2026, 3).expect("a quarter")).expect("a report id");
    MutationChange::EditReportField {
        edit: FieldEdit {
            report_id,
            field: FieldKey::value(field),
            content: FieldContent::Number(value),
            stamp: Stamp {
                hlc: Hlc::new(wall_ms, 0),
                client_id: Uuid::from_u128(client),
            },
            author: format!("tablet {client}"),
            sent_as: None,
        },
    }
}

async fn push(database: &Database, client: u128, change: MutationChange) {
    let request = PushRequest {
        client_id: Uuid::from_u128(client),
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation { seq: 1, change }],
    };
    database.push(&request, Utc::now()).await.expect("pushed");
}

/// Copies a closed database file. sqlx's SQLite connections finish
/// closing on their worker threads after the pool's `close()` returns (the
/// last one checkpoints its WAL into the file then, and deletes the WAL): a
/// copy taken or written meanwhile would race with that checkpoint, so wait
/// until both files' WALs are gone (at most 10 s, then copy anyway).
async fn copy_database(from: &Path, to: &Path) {
    let wal_of = |file: &Path| Path::new(&format!("{}-wal", file.display())).to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while (wal_of(from).exists() || wal_of(to).exists()) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    std::fs::copy(from, to).expect("copied");
    for suffix in ["-wal", "-shm"] {
        let wal = Path::new(&format!("{}{suffix}", to.display())).to_owned();
        std::fs::remove_file(wal).ok();
    }
}

#[tokio::test]
async fn a_cursor_on_the_same_content_in_another_history_asks_for_a_reset() {
    let directory = tempfile::tempdir().expect("a directory");
    let file = directory.path().join("server.sqlite3");
    let backup = directory.path().join("backup.sqlite3");
    let now = Utc::now().timestamp_millis();

    let database = Database::open(&file).await.expect("opened");
    push(&database, 1, edit(1, "4.1", 10.0, now)).await;
    database.close().await;
    copy_database(&file, &backup).await;

    // After the backup: two more edits, and a tablet pulls everything.
    let database = Database::open(&file).await.expect("opened");
    push(&database, 2, edit(2, "4.2", 20.0, now + 1)).await;
    push(&database, 3, edit(3, "4.3", 30.0, now + 2)).await;
    let pull = |cursor: u64, cursor_token: Option<String>| PullRequest {
        client_id: Uuid::from_u128(9),
        schema_version: SCHEMA_VERSION,
        cursor,
        limit: 500,
        ward_code: None,
        acknowledged_seq: None,
        cursor_token,
        understands: Vec::new(),
    };
    let seen = database.pull(&pull(0, None)).await.expect("pulled");
    let (cursor, token) = (seen.next_cursor, seen.next_cursor_token.clone());
    database.close().await;

    // The server is restored from the backup. Another tablet's new edit
    // arrives, then tablet 3 sends its edit again, as it does after a
    // restore: the change at the tablet's cursor has the same content as
    // the one it saw, in another history.
    copy_database(&backup, &file).await;
    let database = Database::open(&file).await.expect("opened");
    push(&database, 4, edit(4, "4.4", 40.0, now + 3)).await;
    push(&database, 3, edit(3, "4.3", 30.0, now + 2)).await;
    let page = database.pull(&pull(cursor, token)).await.expect("pulled");
    assert!(
        page.reset_required,
        "the tablet would skip tablet 4's edit: {page:?}"
    );
    database.close().await;
}
