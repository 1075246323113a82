//! What the server's integration tests share: the whole app on a fresh
//! database, called through its router without a socket.
//!
//! The database is a fresh SQLite file, or, when `THAMGIA_TEST_POSTGRES_URL`
//! names a PostgreSQL server where the test user may `CREATE DATABASE`, a
//! fresh database of its own on that server (dropped when the test ends), so
//! tests stay isolated and run in parallel on either backend.

#![allow(dead_code)] // each test file uses a different part of it

pub mod workbook;

use std::str::FromStr;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::AnyConnectOptions;
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};
use thamgia_core::account::{AccountInfo, LoginRequest, NewAccount, Role, Session};
use thamgia_server::{AppState, Database, ServerConfig};
use tower::ServiceExt;

/// The environment variable naming the PostgreSQL server tests run on.
pub const POSTGRES_URL_VARIABLE: &str = "THAMGIA_TEST_POSTGRES_URL";

pub struct TestServer {
    pub state: AppState,
    /// A token of the demo city officer, added to every request made with
    /// [`TestServer::call`] that carries none.
    pub city_token: String,
    router: Router,
    // Dropped first: the database goes before the directory.
    _postgres: Option<PostgresDatabase>,
    _directory: tempfile::TempDir,
}

/// A database made for one test on the server `THAMGIA_TEST_POSTGRES_URL`
/// names; dropped (with its connections) when this is.
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl PostgresDatabase {
    /// A fresh database on the server of `THAMGIA_TEST_POSTGRES_URL`, or
    /// `None` when that variable is unset or empty.
    pub async fn create_if_configured() -> Option<PostgresDatabase> {
        let admin_url = std::env::var(POSTGRES_URL_VARIABLE)
            .ok()
            .filter(|url| !url.is_empty())?;
        let name = format!("thamgia_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|error| panic!("{POSTGRES_URL_VARIABLE}: cannot connect: {error}"));
        // Template0 and the C locale: the same fresh database whatever the
        // server's own template holds.
        admin
            .execute(
                format!(
                    "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
                     LC_COLLATE 'C' LC_CTYPE 'C'"
                )
                .as_str(),
            )
            .await
            .unwrap_or_else(|error| panic!("CREATE DATABASE {name}: {error}"));
        admin.close().await.ok();
        let mut url = AnyConnectOptions::from_str(&admin_url)
            .expect("a readable PostgreSQL URL")
            .database_url;
        url.set_path(&format!("/{name}"));
        Some(PostgresDatabase {
            admin_url,
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime: the database is dropped from
        // a thread with a runtime of its own.
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|error| error.to_string())?;
                admin
                    .execute(statement.as_str())
                    .await
                    .map_err(|error| error.to_string())?;
                admin.close().await.map_err(|error| error.to_string())
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

pub async fn server() -> TestServer {
    let directory = tempfile::tempdir().expect("temporary directory");
    let static_dir = directory.path().join("dist");
    std::fs::create_dir_all(&static_dir).expect("static dir");
    std::fs::write(
        static_dir.join("index.html"),
        "<!doctype html><title>Tham Gia</title>",
    )
    .expect("index.html");
    let postgres = PostgresDatabase::create_if_configured().await;
    let config = ServerConfig {
        database_path: directory.path().join("data").join("test.sqlite3"),
        database_url: postgres.as_ref().map(|database| database.url.clone()),
        static_dir: static_dir.clone(),
        seed_demo: true,
        metrics: Default::default(),
    };
    let state = thamgia_server::prepare(&config)
        .await
        .expect("server prepared");
    let router = thamgia_server::app(state.clone(), &static_dir);
    let city_token = state
        .database
        .sign_in(
            &LoginRequest {
                username: "thanhpho".to_owned(),
                password: thamgia_server::auth::DEMO_PASSWORD.to_owned(),
                device_label: "tests".to_owned(),
            },
            chrono::Utc::now(),
        )
        .await
        .expect("the demo city officer signs in")
        .token;
    TestServer {
        state,
        city_token,
        router,
        _postgres: postgres,
        _directory: directory,
    }
}

impl TestServer {
    /// The same server with its state changed (a limit lowered, say).
    pub fn with_state(mut self, change: impl FnOnce(&mut AppState)) -> TestServer {
        change(&mut self.state);
        self.router = thamgia_server::app(self.state.clone(), &self.static_dir());
        self
    }

    pub fn database(&self) -> &Database {
        &self.state.database
    }

    /// The URL of the store, for a connection of a test's own.
    pub fn store_url(&self) -> String {
        match &self._postgres {
            Some(database) => database.url.clone(),
            None => format!(
                "sqlite://{}",
                self._directory
                    .path()
                    .join("data")
                    .join("test.sqlite3")
                    .display()
            ),
        }
    }

    /// The router, to call with what the helpers here do not cover.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The folder the app is served from (its `index.html`).
    pub fn static_dir(&self) -> std::path::PathBuf {
        self._directory.path().join("dist")
    }

    /// Calls the router as the demo city officer unless the request
    /// carries its own `Authorization`.
    pub async fn call(&self, mut request: Request<Body>) -> (StatusCode, Vec<u8>) {
        if !request.headers().contains_key("authorization") {
            let value = format!("Bearer {}", self.city_token)
                .parse()
                .expect("a header value");
            request.headers_mut().insert("authorization", value);
        }
        self.call_raw(request).await
    }
    /// Signs `username` in with the demo password and returns the token.
    pub async fn sign_in(&self, username: &str) -> String {
        self.sign_in_with(username, thamgia_server::auth::DEMO_PASSWORD)
            .await
    }

    /// Signs `username` in with `password` and returns the token.
    pub async fn sign_in_with(&self, username: &str, password: &str) -> String {
        self.session(username, password).await.token
    }

    /// Signs in through the API and returns the whole session.
    pub async fn session(&self, username: &str, password: &str) -> Session {
        let (status, body) = self
            .post_raw_as(
                None,
                "/api/v1/session",
                serde_json::json!({"username": username, "password": password, "device_label": "test"})
                    .to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("a session")
    }

    /// Creates an account with the demo password, as the city officer.
    pub async fn create_account(&self, username: &str, role: Role, ward: Option<&str>) {
        let account = NewAccount {
            info: AccountInfo {
                username: username.to_owned(),
                display_name: format!("Cán bộ {username}"),
                role,
                ward_code: ward.map(str::to_owned),
            },
            password: thamgia_server::auth::DEMO_PASSWORD.to_owned(),
        };
        let (status, _): (_, serde_json::Value) = self
            .post_as(&self.city_token.clone(), "/api/v1/accounts", &account)
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }

    /// Pushes `changes` as one batch (seqs from 1) from a new install with
    /// `token`, and reads the answer.
    pub async fn push_changes(
        &self,
        token: &str,
        changes: Vec<thamgia_core::MutationChange>,
    ) -> thamgia_core::PushResponse {
        let request = thamgia_core::PushRequest {
            client_id: uuid::Uuid::new_v4(),
            schema_version: thamgia_core::SCHEMA_VERSION,
            mutations: changes
                .into_iter()
                .enumerate()
                .map(|(index, change)| thamgia_core::Mutation {
                    seq: index as u64 + 1,
                    change,
                })
                .collect(),
        };
        let (status, answer) = self.post_as(token, "/api/v1/sync/push", &request).await;
        assert_eq!(status, StatusCode::OK);
        answer
    }

    /// Calls the router as is: no token is added.
    pub async fn call_raw(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body read")
            .to_bytes()
            .to_vec();
        (status, body)
    }

    /// POSTs `body` as JSON with `token` (or none).
    pub async fn post_raw_as(
        &self,
        token: Option<&str>,
        path: &str,
        body: impl Into<Body>,
    ) -> (StatusCode, Vec<u8>) {
        let mut builder = Request::post(path).header("content-type", "application/json");
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        self.call_raw(builder.body(body.into()).expect("request"))
            .await
    }

    /// POSTs `body` as JSON with `token` and reads the JSON answer.
    pub async fn post_as<B: Serialize, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &B,
    ) -> (StatusCode, T) {
        let (status, bytes) = self
            .post_raw_as(
                Some(token),
                path,
                serde_json::to_vec(body).expect("serialises"),
            )
            .await;
        let parsed = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!("{status}: {error}: {}", String::from_utf8_lossy(&bytes))
        });
        (status, parsed)
    }

    /// PUTs `body` as JSON with `token` and reads the JSON answer.
    pub async fn put_as<B: Serialize, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &B,
    ) -> (StatusCode, T) {
        let request = Request::put(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(serde_json::to_vec(body).expect("serialises")))
            .expect("request");
        let (status, bytes) = self.call_raw(request).await;
        let parsed = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!("{status}: {error}: {}", String::from_utf8_lossy(&bytes))
        });
        (status, parsed)
    }

    /// GETs `path` with `token`.
    pub async fn get_raw_as(&self, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
        let request = Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        self.call_raw(request).await
    }

    /// GETs `path` with `token` and reads the JSON answer.
    pub async fn get_as<T: DeserializeOwned>(&self, token: &str, path: &str) -> (StatusCode, T) {
        let (status, bytes) = self.get_raw_as(token, path).await;
        let parsed = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!("{status}: {error}: {}", String::from_utf8_lossy(&bytes))
        });
        (status, parsed)
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> (StatusCode, T) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let (status, body) = self.call(request).await;
        (status, serde_json::from_slice(&body).expect("JSON answer"))
    }

    pub async fn post_raw(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Vec<u8>) {
        let request = Request::post(path)
            .header("content-type", "application/json")
            .body(body.into())
            .expect("request");
        self.call(request).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> (StatusCode, T) {
        let (status, bytes) = self
            .post_raw(path, serde_json::to_vec(body).expect("serialises"))
            .await;
        let parsed = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!("{status}: {error}: {}", String::from_utf8_lossy(&bytes))
        });
        (status, parsed)
    }
}

/// A submitted forum of `ward` that meets Circular 29 (32 children, 7
/// adults, consents), held today.
pub fn valid_forum(id: uuid::Uuid, ward: &str) -> thamgia_core::forum::Forum {
    let now = chrono::Utc::now();
    let mut forum = thamgia_core::forum::Forum::new(id, ward, now.date_naive(), now);
    forum.place = "Nhà văn hóa tổ dân phố 5".to_owned();
    forum.facilitators = "Cô Hoa".to_owned();
    forum.adult_supporters = 7;
    forum.consents_collected = 32;
    forum.participants = vec![thamgia_core::forum::ParticipantCount {
        age_band: thamgia_core::AgeBand::From10To12,
        sex: thamgia_core::Sex::Female,
        count: 32,
    }];
    forum.submitted = true;
    forum
}

/// Pushes `changes` straight to `database` as `client`'s next seqs after
/// `seq` (which it advances); their outcomes, in order.
pub async fn push_changes(
    database: &Database,
    client: uuid::Uuid,
    seq: &mut u64,
    changes: Vec<thamgia_core::protocol::MutationChange>,
) -> Vec<thamgia_core::protocol::MutationOutcome> {
    let mutations = changes
        .into_iter()
        .map(|change| {
            *seq += 1;
            thamgia_core::protocol::Mutation { seq: *seq, change }
        })
        .collect();
    let request = thamgia_core::PushRequest {
        client_id: client,
        schema_version: thamgia_core::protocol::SCHEMA_VERSION,
        mutations,
    };
    database
        .push(&request, chrono::Utc::now())
        .await
        .expect("pushed")
        .results
        .into_iter()
        .map(|result| result.outcome)
        .collect()
}

/// Submitting `response`.
pub fn submit(response: &thamgia_core::Response) -> thamgia_core::protocol::MutationChange {
    thamgia_core::protocol::MutationChange::SubmitResponse {
        response: response.clone(),
    }
}
