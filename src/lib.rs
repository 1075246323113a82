//! Tham Gia's browser app: Leptos components over IndexedDB, synced to the town hall.

pub mod storage;
