//! The log's filters and pages, who may read it, and that no one can
//! change or delete a row.

use super::*;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a time")
        .with_timezone(&Utc)
}

fn ids(page: &AuditPage) -> Vec<i64> {
    page.entries.iter().map(|entry| entry.id).collect()
}

#[tokio::test]
async fn filters_select_by_hanoi_days_action_actor_and_ward_and_pages_go_back() {
    let server = server().await;
    let database = server.database();
    let badinh = thamgia_core::account::AccountInfo {
        username: "badinh".to_owned(),
        display_name: "Nguyễn Thị Lan".to_owned(),
        role: Role::Collector,
        ward_code: Some("00004".to_owned()),
    };
    let events = [
        // 23:59 on 31 July in Hanoi, 00:00 on 1 August, …
        (
            "2026-07-31T16:59:00.000Z",
            AuditEvent::by(&badinh, AuditAction::SignIn),
        ),
        (
            "2026-07-31T17:00:00.000Z",
            AuditEvent::attempted("lan_x", AuditAction::SignIn).ward(Some("00008")),
        ),
        (
            "2026-08-15T03:00:00.000Z",
            AuditEvent::attempted("thanhpho", AuditAction::ExportResponses),
        ),
        (
            "2026-08-31T16:59:59.999Z",
            AuditEvent::attempted("LANxX", AuditAction::SignInFailed),
        ),
        (
            "2026-08-31T17:00:00.000Z",
            AuditEvent::by(&badinh, AuditAction::SignIn),
        ),
    ];
    for (time, event) in events {
        database.record(event, at(time)).await.expect("recorded");
    }
    let all = log(&server, "").await;
    assert_eq!(all.entries.len(), 5);
    let id: Vec<i64> = all.entries.iter().rev().map(|entry| entry.id).collect();
    assert_eq!(all.entries[0].local_time(), "01/09/2026 00:00");

    for (query, expected) in [
        ("from=2026-08-01&to=2026-08-31", vec![id[3], id[2], id[1]]),
        ("from=2026-08-01", vec![id[4], id[3], id[2], id[1]]),
        ("to=2026-07-31", vec![id[0]]),
        ("action=sign_in", vec![id[4], id[1], id[0]]),
        ("actor=LAN_", vec![id[1]]),
        ("actor=lan", vec![id[3], id[1]]),
        ("ward=00004", vec![id[4], id[0]]),
        ("from=2026-08-01&action=sign_in&ward=00004", vec![id[4]]),
        (
            "from=&to=&action=&actor=&ward=",
            id.iter().rev().copied().collect(),
        ),
    ] {
        assert_eq!(ids(&log(&server, query).await), expected, "{query}");
    }

    // Pages go back in time, each starting below the last one's end.
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let page = log(&server, &query).await;
        assert!(page.entries.len() <= 2);
        seen.extend(ids(&page));
        if !page.has_more {
            break;
        }
        let last = page.entries.last().expect("a full page").id;
        query = format!("limit=2&before={last}");
    }
    assert_eq!(seen, ids(&all));

    // The CSV export selects the same.
    let (status, body) = server
        .get_raw_as(
            &server.city_token,
            "/api/v1/export/audit.csv?action=sign_in&from=2026-08-01",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(&body[UTF8_BOM.len()..]);
    let exported: Vec<i64> = reader
        .records()
        .map(|record| record.expect("a record")[0].parse().expect("an id"))
        .collect();
    assert_eq!(exported, vec![id[4], id[1]]);

    // Malformed filters are refused with a reason in both languages.
    for query in [
        "from=2026-08-31&to=2026-08-01",
        "action=drop_table",
        "from=31/08/2026",
        "before=many",
        "ward=00004%27%3B--",
    ] {
        for path in ["/api/v1/audit", "/api/v1/export/audit.csv"] {
            let (status, body) = server
                .get_raw_as(&server.city_token, &format!("{path}?{query}"))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}?{query}");
            let error: ApiError = serde_json::from_slice(&body).expect("an API error");
            assert!(!error.message.vi.is_empty() && !error.message.en.is_empty());
        }
    }
}

#[tokio::test]
async fn only_city_officers_read_or_export_the_log() {
    let server = server().await;
    for username in ["badinh", "badinh.canbo"] {
        let token = server.sign_in(username).await;
        for path in ["/api/v1/audit", "/api/v1/export/audit.csv?action=sign_in"] {
            assert_eq!(
                server.get_raw_as(&token, path).await.0,
                StatusCode::FORBIDDEN,
                "{username} {path}"
            );
        }
        // A refusal comes before the filters are read.
        assert_eq!(
            server
                .get_raw_as(&token, "/api/v1/audit?from=nonsense")
                .await
                .0,
            StatusCode::FORBIDDEN
        );
    }
    let request = Request::get("/api/v1/audit")
        .body(Body::empty())
        .expect("request");
    assert_eq!(server.call_raw(request).await.0, StatusCode::UNAUTHORIZED);
    // Refused requests exported nothing, so no export was logged.
    let page = log(&server, "action=export_audit").await;
    assert!(page.entries.is_empty());
}

#[tokio::test]
async fn nothing_changes_or_deletes_a_row_on_either_backend() {
    // The server's code never asks to.
    let sources = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![sources];
    let mut read = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .expect("a directory")
                    .map(|entry| entry.expect("an entry").path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .expect("a source file")
            .to_lowercase();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for statement in [
            "update audit_log",
            "delete from audit_log",
            "truncate audit_log",
            "truncate table audit_log",
            "drop table audit_log",
            "replace into audit_log",
        ] {
            assert!(
                !text.contains(statement),
                "{} has `{statement}`",
                path.display()
            );
        }
        read += 1;
    }
    assert!(read > 5, "the sources were read");

    // And the database refuses it to anyone else.
    let postgres = support::PostgresDatabase::create_if_configured().await;
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("audit.sqlite3");
    let (database, url) = match &postgres {
        Some(postgres) => (Database::connect(&postgres.url).await, postgres.url.clone()),
        None => (
            Database::open(&path).await,
            format!("sqlite://{}", path.display()),
        ),
    };
    let database = database.expect("database opened");
    let day = Utc
        .with_ymd_and_hms(2026, 8, 15, 9, 0, 0)
        .single()
        .expect("a time");
    database
        .record(
            AuditEvent::attempted("badinh", AuditAction::SignInFailed),
            day,
        )
        .await
        .expect("recorded");
    let pool = sqlx::AnyPool::connect(&url)
        .await
        .expect("a second connection");
    // The same database, where rows can be added.
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, detail)
         VALUES ('2026-08-15T10:00:00.000Z', 'lan', 'sign_in', '', '')",
    )
    .execute(&pool)
    .await
    .expect("appending is allowed");
    let count = || sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log").fetch_one(&pool);
    assert_eq!(count().await.expect("counted"), 2);
    for statement in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let refused = sqlx::query(statement).execute(&pool).await;
        assert!(refused.is_err(), "{statement} was allowed");
    }
    assert_eq!(count().await.expect("counted"), 2);
    pool.close().await;
    let entries = database
        .audit_page(&Default::default(), 10)
        .await
        .expect("read")
        .entries;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].actor.as_deref(), Some("lan"));
    assert_eq!(entries[1].actor.as_deref(), Some("badinh"));
    let entries = &entries[1..];
    assert_eq!(entries[0].at, "2026-08-15T09:00:00.000Z");
    assert_eq!(entries[0].local_time(), "15/08/2026 16:00");
    database.close().await;
}
