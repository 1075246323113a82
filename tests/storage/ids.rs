//! Ids made in the browser: a record's and the install's are random
//! version 4 UUIDs whether or not the browser offers `crypto.randomUUID()`
//! (a page that is not a secure context, plain HTTP beyond localhost, has
//! none; calling it there would throw).

use std::collections::HashSet;

use thamgia::platform;
use thamgia::storage::Store;
use uuid::{Uuid, Variant, Version};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// Whether every id is a random version 4 UUID and no two are alike.
fn random_and_distinct(ids: &[Uuid]) -> bool {
    let distinct: HashSet<&Uuid> = ids.iter().collect();
    distinct.len() == ids.len()
        && ids.iter().all(|id| {
            id.get_version() == Some(Version::Random) && id.get_variant() == Variant::RFC4122
        })
}

/// Records' ids and a new install's id, made as the app makes them.
async fn made_ids(database: &str) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = (0..200).map(|_| platform::new_uuid()).collect();
    let store = Store::open(&unique_database_name(database))
        .await
        .expect("open");
    ids.push(store.sync_meta().await.expect("meta").client_id);
    ids
}

#[wasm_bindgen_test]
async fn ids_are_random_version_4_with_crypto_random_uuid() {
    assert_eq!(
        js_sys::eval("typeof crypto.randomUUID").expect("runs"),
        "function"
    );
    assert!(random_and_distinct(&made_ids("ids-secure").await));
}

#[wasm_bindgen_test]
async fn ids_are_random_version_4_where_the_page_has_no_crypto_random_uuid() {
    // As a page over plain HTTP beyond localhost sees it.
    js_sys::eval(
        "globalThis.keptRandomUUID = Crypto.prototype.randomUUID;
         delete Crypto.prototype.randomUUID;",
    )
    .expect("runs");
    let missing = js_sys::eval("typeof crypto.randomUUID").expect("runs");
    let ids = made_ids("ids-plain-http").await;
    // Put back before judging, so a failure leaves the other tests theirs.
    js_sys::eval("Crypto.prototype.randomUUID = globalThis.keptRandomUUID;").expect("runs");
    assert_eq!(missing, "undefined");
    assert!(random_and_distinct(&ids));
}
