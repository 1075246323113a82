//! What the server's integration tests share: the whole app on a fresh
//! database, called through its router without a socket.
//!
//! The database is a fresh SQLite file, or, when `THAMGIA_TEST_POSTGRES_URL`
//! names a PostgreSQL server where the test user may `CREATE DATABASE`, a
//! fresh database of its own on that server (dropped when the test ends), so
//! tests stay isolated and run in parallel on either backend.

#![allow(dead_code)] // each test file uses a different part of it

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
use thamgia_server::{AppState, Database, ServerConfig};
use tower::ServiceExt;

/// The environment variable naming the PostgreSQL server tests run on.
pub const POSTGRES_URL_VARIABLE: &str = "THAMGIA_TEST_POSTGRES_URL";

pub struct TestServer {
    pub state: AppState,
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
    };
    let state = thamgia_server::prepare(&config)
        .await
        .expect("server prepared");
    let router = thamgia_server::app(state.clone(), &static_dir);
    TestServer {
        state,
        router,
        _postgres: postgres,
        _directory: directory,
    }
}

impl TestServer {
    pub fn database(&self) -> &Database {
        &self.state.database
    }

    pub async fn call(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
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
