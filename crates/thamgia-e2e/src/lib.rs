//! End-to-end tests of Tham Gia live in `tests/`: the built app in headless
//! Chromium, driven from Rust, against the real server on a real SQLite file.
//! This library is empty; the crate exists so those tests have their own
//! dependencies (chromiumoxide) without weighing on the server's.
