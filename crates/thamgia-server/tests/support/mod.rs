//! What the server's integration tests share: the whole app on a fresh
//! SQLite file, called through its router without a socket.

#![allow(dead_code)] // each test file uses a different part of it

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use thamgia_server::{AppState, Database, ServerConfig};
use tower::ServiceExt;

pub struct TestServer {
    pub state: AppState,
    router: Router,
    _directory: tempfile::TempDir,
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
    let config = ServerConfig {
        database_path: directory.path().join("data").join("test.sqlite3"),
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
