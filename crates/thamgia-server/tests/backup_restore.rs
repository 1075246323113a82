//! Backups that restore, on SQLite: a backup taken while a tablet keeps
//! pushing, the town hall's work after it, then a restore that keeps the
//! replaced database aside and names exactly that work; a restore refused
//! without `--force`, or of a file that is not a Tham Gia database; and the
//! real binary's `backup` on a running server.
//!
//! These run on SQLite whatever `THAMGIA_TEST_POSTGRES_URL` says: the
//! commands are SQLite's (PostgreSQL's backups are pg_dump's, README).

mod process;
mod support;

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use serde::Serialize;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};
use thamgia_core::account::{
    AccountChange, AccountInfo, AccountRecord, LoginRequest, NewAccount, Role, Session,
};
use thamgia_core::api::forums::AnswerBody;
use thamgia_core::api::themes::NewTheme;
use thamgia_core::api::townhall::PopulationBody;
use thamgia_core::forum::{Decision, Recommendation};
use thamgia_core::indicator::Target;
use thamgia_core::{
    Mutation, MutationChange, MutationOutcome, PushRequest, PushResponse, SCHEMA_VERSION,
};
use thamgia_server::backup::{self, Comparison, Difference, Kind};
use thamgia_server::{AppState, Database, ServerConfig};
use tower::ServiceExt;
use uuid::Uuid;

const SURVEY: &str = "an-toan-truong-hoc-va-vui-choi";

/// A town hall's server on a SQLite file of its own in `directory`,
/// called through its router as the demo city officer.
struct TownHall {
    state: AppState,
    router: Router,
    city_token: String,
}

/// Where a town hall in `directory` keeps its database.
fn database_file(directory: &Path) -> PathBuf {
    directory.join("data").join("thamgia.sqlite3")
}

async fn sign_in(database: &Database, username: &str, device: &str) -> Session {
    database
        .sign_in(
            &LoginRequest {
                username: username.to_owned(),
                password: thamgia_server::auth::DEMO_PASSWORD.to_owned(),
                device_label: device.to_owned(),
            },
            Utc::now(),
        )
        .await
        .expect("signed in")
}

impl TownHall {
    /// Opens (creating, or as it is) the database in `directory`, with the
    /// demo survey and accounts.
    async fn open(directory: &Path) -> TownHall {
        let static_dir = directory.join("dist");
        std::fs::create_dir_all(&static_dir).expect("static dir");
        std::fs::write(
            static_dir.join("index.html"),
            "<!doctype html><title>Tham Gia</title>",
        )
        .expect("index.html");
        let config = ServerConfig {
            database_path: database_file(directory),
            database_url: None,
            static_dir: static_dir.clone(),
            seed_demo: true,
            metrics: Default::default(),
        };
        let state = thamgia_server::prepare(&config)
            .await
            .expect("server prepared");
        let router = thamgia_server::app(state.clone(), &static_dir);
        let city_token = sign_in(&state.database, "thanhpho", "tests").await.token;
        TownHall {
            state,
            router,
            city_token,
        }
    }

    /// Calls `path` as the city officer, with `body` as JSON if any.
    async fn call(&self, method: &str, path: &str, body: Option<Vec<u8>>) -> (StatusCode, Vec<u8>) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.city_token));
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json)
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("a request"))
            .await
            .expect("the router answers");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes()
            .to_vec();
        (status, bytes)
    }

    /// Sends `body` to `path` as the city officer, who succeeds.
    async fn enter(&self, method: &str, path: &str, body: &impl Serialize) {
        let json = serde_json::to_vec(body).expect("serialises");
        let (status, answer) = self.call(method, path, Some(json)).await;
        assert!(
            status.is_success(),
            "{method} {path}: {status}: {}",
            String::from_utf8_lossy(&answer)
        );
    }

    async fn create_account(&self, username: &str, role: Role, ward: &str) {
        let account = NewAccount {
            info: AccountInfo {
                username: username.to_owned(),
                display_name: format!("Cán bộ {username}"),
                role,
                ward_code: Some(ward.to_owned()),
            },
            password: thamgia_server::auth::DEMO_PASSWORD.to_owned(),
        };
        self.enter("POST", "/api/v1/accounts", &account).await;
    }

    async fn create_theme(&self, label: &str) {
        let theme = NewTheme {
            survey: SURVEY.to_owned(),
            label: label.to_owned(),
        };
        self.enter("POST", "/api/v1/themes", &theme).await;
    }

    async fn set_target(&self, indicator: &str, value: f64) {
        let targets = vec![Target {
            jurisdiction: "01".to_owned(),
            year: 2030,
            value,
        }];
        let path = format!("/api/v1/indicators/{indicator}/targets");
        self.enter("PUT", &path, &targets).await;
    }

    async fn set_population(&self, ward: &str, year: i32, children: u64) {
        let body = PopulationBody {
            children_7_15: children,
            groups: None,
        };
        let path = format!("/api/v1/wards/{ward}/population/{year}");
        self.enter("PUT", &path, &body).await;
    }

    /// The server stops: its connections close, and the last one folds
    /// the write-ahead log into the file. sqlx finishes closing SQLite
    /// connections on their worker threads after `close()` returns, so wait
    /// for that, as `restored_history.rs` does.
    async fn stop(self) {
        self.state.database.close().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A submitted forum of ward 00004 with one recommendation.
fn forum_with(recommendation: Uuid) -> thamgia_core::forum::Forum {
    let mut forum = support::valid_forum(Uuid::from_u128(0xF0), "00004");
    forum.recommendations = vec![Recommendation {
        id: recommendation,
        text: "Lắp đèn chiếu sáng ở ngõ 12 đường đến trường".to_owned(),
        authority: "UBND phường Ba Đình".to_owned(),
        votes: 28,
    }];
    forum
}

/// Waits until `counter` reaches `at_least`.
async fn wait_for(counter: &AtomicU64, at_least: u64) {
    let started = Instant::now();
    while counter.load(Ordering::SeqCst) < at_least {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the tablet stopped pushing at {}",
            counter.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A tablet pushing one response at a time into `database` until `stop`,
/// counting in `pushed` the pushes answered.
/// The tablet's `seq`-th push: the same record every time it is sent.
fn tablet_mutation(survey: &thamgia_core::SurveyDefinition, seq: u64) -> Mutation {
    let filled = Utc
        .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("a time")
        + chrono::Duration::seconds(i64::try_from(seq).expect("a small number"));
    let response = thamgia_server::seed::sample_response(
        survey,
        Uuid::from_u128(0x1_0000 + u128::from(seq)),
        seq as usize,
        filled,
    );
    Mutation {
        seq,
        change: MutationChange::SubmitResponse { response },
    }
}

fn tablet(
    database: Database,
    stop: Arc<AtomicBool>,
    pushed: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let survey = thamgia_server::seed::demo_survey().expect("demo survey");
        let client_id = Uuid::from_u128(0xC0FFEE);
        let mut seq = 0u64;
        while !stop.load(Ordering::SeqCst) {
            seq += 1;
            let request = PushRequest {
                client_id,
                schema_version: SCHEMA_VERSION,
                mutations: vec![tablet_mutation(&survey, seq)],
            };
            let answer = database.push(&request, Utc::now()).await.expect("pushed");
            assert_eq!(
                answer.results[0].outcome,
                MutationOutcome::Applied,
                "{answer:?}"
            );
            pushed.fetch_add(1, Ordering::SeqCst);
        }
    })
}

/// The files in `folder` whose names contain `part`.
fn files_named(folder: &Path, part: &str) -> Vec<String> {
    std::fs::read_dir(folder)
        .expect("a folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.contains(part))
        .collect()
}

/// What a difference is, as the test names it.
fn what(difference: &Difference) -> String {
    match difference {
        Difference::Added => "added".to_owned(),
        Difference::Changed(fields) => format!("changed ({})", fields.join(", ")),
        Difference::Revived => "revived".to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_a_tablet_pushes_restores_and_names_the_later_town_hall_work() {
    let directory = tempfile::tempdir().expect("a folder");
    let database = database_file(directory.path());
    let town = TownHall::open(directory.path()).await;
    let indicators: Vec<String> = town
        .state
        .catalogue
        .indicators
        .iter()
        .map(|indicator| indicator.code.clone())
        .take(2)
        .collect();
    let recommendation = Uuid::from_u128(0x5EC);

    // The town hall's work before the backup.
    town.create_account("phuong_a", Role::WardOfficer, "00004")
        .await;
    town.create_theme("Cây xanh").await;
    town.set_target(&indicators[0], 80.0).await;
    town.set_population("00004", 2026, 900).await;
    let old_tablet = sign_in(&town.state.database, "thanhpho", "old tablet").await;
    let forum: PushResponse = town
        .state
        .database
        .push(
            &PushRequest {
                client_id: Uuid::from_u128(0xF00),
                schema_version: SCHEMA_VERSION,
                mutations: vec![Mutation {
                    seq: 1,
                    change: MutationChange::SubmitForum {
                        forum: forum_with(recommendation),
                    },
                }],
            },
            Utc::now(),
        )
        .await
        .expect("pushed");
    assert_eq!(
        forum.results[0].outcome,
        MutationOutcome::Applied,
        "{forum:?}"
    );

    // The backup, while a tablet keeps pushing.
    let stop = Arc::new(AtomicBool::new(false));
    let pushed = Arc::new(AtomicU64::new(0));
    let writer = tablet(town.state.database.clone(), stop.clone(), pushed.clone());
    wait_for(&pushed, 10).await;
    let pushed_before = pushed.load(Ordering::SeqCst);
    let backup_file = directory.path().join("backups").join("before.sqlite3");
    std::fs::create_dir_all(backup_file.parent().expect("a folder")).expect("created");
    let summary = backup::backup(&database, &backup_file)
        .await
        .expect("backed up while the tablet pushes");
    let pushed_after = pushed.load(Ordering::SeqCst);
    wait_for(&pushed, pushed_after + 10).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("the tablet never failed");
    let backed_up = summary.count("responses").expect("responses counted");
    let backed_up_responses = u64::try_from(backed_up).expect("a count");
    // One push may be committed and not yet counted by the tablet.
    assert!(
        (pushed_before..=pushed_after + 1).contains(&backed_up_responses),
        "{backed_up} responses backed up, {pushed_before} pushed before, {pushed_after} after"
    );
    assert_eq!(summary.count("accounts"), Some(4), "{summary}");
    assert!(summary.to_string().starts_with("backup written to "));
    assert!(files_named(backup_file.parent().expect("a folder"), ".partial-").is_empty());

    // The town hall's work after the backup.
    town.create_account("phuong_b", Role::Collector, "00008")
        .await;
    let deactivate = AccountChange {
        active: Some(false),
        ..AccountChange::default()
    };
    town.enter("PUT", "/api/v1/accounts/phuong_a", &deactivate)
        .await;
    town.create_theme("Đèn đường").await;
    town.set_target(&indicators[1], 95.0).await;
    town.set_population("00008", 2026, 1200).await;
    let answer = AnswerBody {
        decision: Decision::Partly,
        reasons: "Ngân sách năm sau".to_owned(),
        actions: "Lắp hai đèn trước tháng 6".to_owned(),
        answered_on: Utc::now().date_naive(),
    };
    town.enter(
        "POST",
        &format!("/api/v1/recommendations/{recommendation}/answer"),
        &answer,
    )
    .await;
    let (status, body) = town
        .call(
            "POST",
            &format!("/api/v1/devices/{}/revoke", old_tablet.device_id),
            None,
        )
        .await;
    assert!(
        status.is_success(),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    let total_pushed = pushed.load(Ordering::SeqCst);
    town.stop().await;

    // Without --force an existing database is not replaced.
    let refused = backup::restore(&database, &backup_file, false)
        .await
        .expect_err("refused without --force");
    let message = format!("{refused:#}");
    assert!(
        message.contains("stop the server first") && message.contains("--force"),
        "{message}"
    );
    let data = database.parent().expect("a folder");
    assert!(files_named(data, ".replaced-").is_empty());
    assert!(files_named(data, ".restoring-").is_empty());

    // With --force the backup is restored and the database set aside.
    let report = backup::restore(&database, &backup_file, true)
        .await
        .expect("restored");
    let aside = report.replaced.clone().expect("the database was set aside");
    assert!(aside.is_file(), "{}", aside.display());
    assert!(aside
        .file_name()
        .expect("a name")
        .to_string_lossy()
        .starts_with("thamgia.sqlite3.replaced-"));
    assert!(files_named(data, ".restoring-").is_empty());

    // The report names exactly the town hall's work after the backup.
    let found: BTreeSet<(Kind, String, String)> = report
        .entries()
        .into_iter()
        .map(|(kind, entry)| (kind, what(&entry.difference), entry.row.name.clone()))
        .collect();
    let expected: BTreeSet<(Kind, String, String)> = [
        (Kind::Account, "added", "phuong_b".to_owned()),
        (Kind::Account, "changed (active)", "phuong_a".to_owned()),
        (Kind::Device, "changed (revoked)", "old tablet".to_owned()),
        (Kind::Theme, "added", "Đèn đường".to_owned()),
        (
            Kind::RecommendationAnswer,
            "added",
            format!("recommendation {recommendation}"),
        ),
        (
            Kind::IndicatorTarget,
            "added",
            format!("indicator {}, 01, 2030", indicators[1]),
        ),
        (Kind::Population, "added", "ward 00008, 2026".to_owned()),
    ]
    .into_iter()
    .map(|(kind, difference, name)| (kind, difference.to_owned(), name))
    .collect();
    assert_eq!(found, expected, "{report}");
    let printed = report.to_string();
    assert!(
        printed.contains("account: added after the backup: phuong_b (collector, ward 00008)"),
        "{printed}"
    );
    assert!(!printed.contains("argon2"), "{printed}");
    assert!(!printed.contains("Ngân sách"), "{printed}");
    let Comparison::Compared { counts, .. } = &report.comparison else {
        panic!("not compared: {report}");
    };
    let responses = counts
        .iter()
        .find(|count| count.what == "responses")
        .expect("responses counted");
    assert_eq!(
        (responses.set_aside, responses.restored),
        (
            Some(i64::try_from(total_pushed).expect("a count")),
            Some(backed_up)
        )
    );

    // The restored database opens and serves what the backup held.
    let town = TownHall::open(directory.path()).await;
    assert_eq!(
        town.state.database.response_count().await.expect("counted"),
        backed_up_responses
    );
    let (status, body) = town.call("GET", "/api/v1/accounts", None).await;
    assert_eq!(status, StatusCode::OK);
    let accounts: Vec<AccountRecord> = serde_json::from_slice(&body).expect("accounts");
    let account = |username: &str| {
        accounts
            .iter()
            .find(|account| account.info.username == username)
    };
    assert!(account("phuong_b").is_none());
    assert!(account("phuong_a").expect("phuong_a").active);
    // Which is why the revocation is listed: the device works again.
    let device = account("thanhpho")
        .expect("thanhpho")
        .devices
        .iter()
        .find(|device| device.id == old_tablet.device_id)
        .expect("the old tablet");
    assert_eq!(device.revoked_at, None);

    // The tablet gives back what the server forgot: each of its pushes
    // sent again lands once, the ones the backup held counted once.
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    for seq in 1..=total_pushed {
        let request = PushRequest {
            client_id: Uuid::from_u128(0xC0FFEE),
            schema_version: SCHEMA_VERSION,
            mutations: vec![tablet_mutation(&survey, seq)],
        };
        let answer = town
            .state
            .database
            .push(&request, Utc::now())
            .await
            .expect("pushed again");
        assert!(
            matches!(
                answer.results[0].outcome,
                MutationOutcome::Applied | MutationOutcome::AlreadyStored
            ),
            "{answer:?}"
        );
    }
    assert_eq!(
        town.state.database.response_count().await.expect("counted"),
        total_pushed,
        "every response once after the tablet sent them again"
    );
    town.stop().await;
}

#[tokio::test]
async fn restoring_what_is_not_a_tham_gia_database_is_refused_and_nothing_is_moved() {
    let directory = tempfile::tempdir().expect("a folder");
    let database = directory.path().join("thamgia.sqlite3");
    Database::open(&database)
        .await
        .expect("opened")
        .close()
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = std::fs::read(&database).expect("read");

    let spreadsheet = directory.path().join("danh-sach.sqlite3");
    // Longer than a database page: SQLite reads its header and refuses it.
    std::fs::write(&spreadsheet, "Họ và tên,Lớp\nAn,5A\n".repeat(200)).expect("written");
    let other_program = directory.path().join("notes.sqlite3");
    let mut connection = SqliteConnectOptions::new()
        .filename(&other_program)
        .create_if_missing(true)
        .connect()
        .await
        .expect("created");
    connection
        .execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        .await
        .expect("a table");
    connection.close().await.expect("closed");

    for (file, reason) in [
        (&spreadsheet, "cannot be read as a SQLite database"),
        (&other_program, "no table of migrations"),
    ] {
        let refused = backup::restore(&database, file, true)
            .await
            .expect_err("refused");
        let message = format!("{refused:#}");
        assert!(
            message.contains("is not a Tham Gia database") && message.contains(reason),
            "{message}"
        );
        assert_eq!(std::fs::read(&database).expect("read"), before);
        assert!(files_named(directory.path(), ".replaced-").is_empty());
        assert!(files_named(directory.path(), ".restoring-").is_empty());
    }
    let missing = backup::restore(&database, &directory.path().join("none"), true)
        .await
        .expect_err("refused");
    assert!(missing.to_string().contains("there is no backup at"));
}

/// The file names and options of a command line.
fn words(parts: &[&OsStr]) -> Vec<OsString> {
    parts.iter().map(|part| part.to_os_string()).collect()
}

/// Runs the real binary with `arguments` (and `DATABASE_URL` when given).
async fn run_binary(arguments: Vec<OsString>, database_url: Option<&str>) -> std::process::Output {
    let database_url = database_url.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_thamgia-server"));
        command
            .args(arguments)
            .env_remove("DATABASE_URL")
            .env_remove("THAMGIA_DATABASE")
            .env("RUST_LOG", "warn");
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        command.output().expect("the binary runs")
    })
    .await
    .expect("the binary was waited for")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backup_command_copies_a_running_server_that_keeps_writing() {
    let directory = tempfile::tempdir().expect("a folder");
    let server = process::RunningServer::start(directory.path(), &[]).await;
    let database = directory.path().join("db.sqlite3");
    let client = reqwest::Client::new();
    let session = server.sign_in(&client, "badinh").await;

    // A tablet pushes over HTTP until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let pushed = Arc::new(AtomicU64::new(0));
    let writer = {
        let (stop, pushed) = (stop.clone(), pushed.clone());
        let url = format!("{}/api/v1/sync/push", server.base);
        tokio::spawn(async move {
            let survey = thamgia_server::seed::demo_survey().expect("demo survey");
            let mut number = 0u128;
            while !stop.load(Ordering::SeqCst) {
                number += 1;
                let response = thamgia_server::seed::sample_response(
                    &survey,
                    Uuid::from_u128(0x2_0000 + number),
                    number as usize,
                    Utc::now(),
                );
                let request = PushRequest {
                    client_id: Uuid::new_v4(),
                    schema_version: SCHEMA_VERSION,
                    mutations: vec![Mutation {
                        seq: 1,
                        change: MutationChange::SubmitResponse { response },
                    }],
                };
                let answer: PushResponse = client
                    .post(&url)
                    .bearer_auth(&session.token)
                    .json(&request)
                    .send()
                    .await
                    .expect("an answer")
                    .error_for_status()
                    .expect("a push answered")
                    .json()
                    .await
                    .expect("a push answer");
                assert_eq!(answer.results[0].outcome, MutationOutcome::Applied);
                pushed.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    wait_for(&pushed, 5).await;
    let pushed_before = pushed.load(Ordering::SeqCst);

    let first = directory.path().join("first.sqlite3");
    let output = run_binary(
        words(&[
            OsStr::new("--database"),
            database.as_os_str(),
            OsStr::new("backup"),
            OsStr::new("--to"),
            first.as_os_str(),
        ]),
        None,
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("backup written to "), "{stdout}");

    // The database option is taken after the command too.
    let second = directory.path().join("second.sqlite3");
    let output = run_binary(
        words(&[
            OsStr::new("backup"),
            OsStr::new("--to"),
            second.as_os_str(),
            OsStr::new("--database"),
            database.as_os_str(),
        ]),
        None,
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(second.is_file());

    // A backup never writes over a file.
    let size = std::fs::metadata(&first).expect("the first backup").len();
    let output = run_binary(
        words(&[
            OsStr::new("--database"),
            database.as_os_str(),
            OsStr::new("backup"),
            OsStr::new("--to"),
            first.as_os_str(),
        ]),
        None,
    )
    .await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
    assert_eq!(std::fs::metadata(&first).expect("kept").len(), size);

    // A restore onto the running server's database needs --force.
    let output = run_binary(
        words(&[
            OsStr::new("--database"),
            database.as_os_str(),
            OsStr::new("restore"),
            OsStr::new("--from"),
            first.as_os_str(),
        ]),
        None,
    )
    .await;
    assert!(!output.status.success());
    let refusal = String::from_utf8_lossy(&output.stderr);
    assert!(
        refusal.contains("stop the server first") && refusal.contains("--force"),
        "{refusal}"
    );

    wait_for(&pushed, pushed.load(Ordering::SeqCst) + 5).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("the tablet never failed");
    drop(server);

    // The backup restores where there is no database yet, and holds what
    // was pushed before it was taken.
    let restored = directory.path().join("restored").join("thamgia.sqlite3");
    let report = backup::restore(&restored, &first, false)
        .await
        .expect("restored");
    assert_eq!(report.replaced, None);
    assert_eq!(report.comparison, Comparison::NothingReplaced);
    let opened = Database::open(&restored).await.expect("opened");
    assert!(opened.response_count().await.expect("counted") >= pushed_before);
    opened.close().await;
}

#[tokio::test]
async fn a_postgres_url_is_sent_to_pg_dump() {
    let directory = tempfile::tempdir().expect("a folder");
    let backup_file = directory.path().join("backup.sqlite3");
    let output = run_binary(
        words(&[
            OsStr::new("backup"),
            OsStr::new("--to"),
            backup_file.as_os_str(),
        ]),
        Some("postgres://thamgia@127.0.0.1:1/thamgia"),
    )
    .await;
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("pg_dump") && message.contains("pg_restore"),
        "{message}"
    );
    assert!(!backup_file.exists());
}

/// A PostgreSQL tool (`pg_dump`, `pg_restore`): from the newest
/// installed version's folder, else from the PATH.
fn postgres_tool(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path().join("bin").join(name))
                .filter(|tool| tool.is_file())
                .collect()
        })
        .unwrap_or_default();
    versions.sort_by_key(|tool| {
        tool.iter()
            .nth(4)
            .and_then(|version| version.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn run_tool(name: &str, arguments: &[&str]) {
    let tool = postgres_tool(name);
    let output = std::process::Command::new(&tool)
        .args(arguments)
        .output()
        .unwrap_or_else(|error| panic!("{}: {error}", tool.display()));
    assert!(
        output.status.success(),
        "{} {arguments:?}: {}",
        tool.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// README's PostgreSQL drill, run on the test server when the test command
/// runs the server's tests on PostgreSQL (`THAMGIA_TEST_POSTGRES_URL`):
/// `pg_dump -Fc` while the database holds some responses, more pushed,
/// `pg_restore --clean --if-exists` of the dump, and the tablet's pushes
/// sent again land once each.
#[tokio::test]
async fn the_readme_postgres_drill_restores_a_dump_and_the_tablet_fills_the_gap() {
    let Some(postgres) = support::PostgresDatabase::create_if_configured().await else {
        eprintln!(
            "{}: unset, the PostgreSQL drill runs in the PostgreSQL pass",
            support::POSTGRES_URL_VARIABLE
        );
        return;
    };
    let survey = thamgia_server::seed::demo_survey().expect("demo survey");
    let push = |database: Database, seqs: std::ops::RangeInclusive<u64>| {
        let survey = survey.clone();
        async move {
            for seq in seqs {
                let request = PushRequest {
                    client_id: Uuid::from_u128(0xC0FFEE),
                    schema_version: SCHEMA_VERSION,
                    mutations: vec![tablet_mutation(&survey, seq)],
                };
                let answer = database.push(&request, Utc::now()).await.expect("pushed");
                assert!(
                    matches!(
                        answer.results[0].outcome,
                        MutationOutcome::Applied | MutationOutcome::AlreadyStored
                    ),
                    "{answer:?}"
                );
            }
            database
        }
    };
    let database = Database::connect(&postgres.url).await.expect("connected");
    thamgia_server::seed::seed_demo(&database)
        .await
        .expect("the demo survey");
    let database = push(database, 1..=20).await;
    let directory = tempfile::tempdir().expect("a folder");
    let dump = directory.path().join("thamgia.dump");
    let dump_path = dump.to_str().expect("a path");
    run_tool(
        "pg_dump",
        &["-Fc", &format!("--file={dump_path}"), &postgres.url],
    );
    let database = push(database, 21..=35).await;
    assert_eq!(database.response_count().await.expect("counted"), 35);
    database.close().await;

    run_tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            &format!("--dbname={}", postgres.url),
            dump_path,
        ],
    );
    let database = Database::connect(&postgres.url).await.expect("reopened");
    assert_eq!(
        database.response_count().await.expect("counted"),
        20,
        "the dump's"
    );
    let database = push(database, 1..=35).await;
    assert_eq!(
        database.response_count().await.expect("counted"),
        35,
        "each once"
    );
    database.close().await;
}
