//! A tablet shared by accounts: each database belongs to the first account
//! that claims it, and a session goes into its account's own database
//! (`thamgia::account_database`), never into another's.

use thamgia::account_database::keep_session;
use thamgia::storage::Store;
use thamgia_core::account::{AccountInfo, Role, Session};
use thamgia_core::tablet_accounts::database_of;
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

fn session_of(username: &str) -> Session {
    Session {
        token: format!("tg_{username}"),
        device_id: Uuid::from_u128(0xD1),
        account: AccountInfo {
            username: username.to_owned(),
            display_name: "Chị Lan".to_owned(),
            role: Role::Collector,
            ward_code: Some("00004".to_owned()),
        },
    }
}

#[wasm_bindgen_test]
async fn a_database_belongs_to_the_first_account_that_claims_it() {
    let store = Store::open(&unique_database_name("owner"))
        .await
        .expect("open");
    assert_eq!(store.owner().await.expect("owner"), None);
    assert!(store.claim("lan").await.expect("claim"));
    assert!(store.claim("lan").await.expect("claim again"));
    assert!(!store.claim("minh").await.expect("another claim"));
    assert_eq!(store.owner().await.expect("owner"), Some("lan".to_owned()));
}

#[wasm_bindgen_test]
async fn each_account_keeps_its_session_in_its_own_database() {
    // User names of this run only: the databases named for them are the
    // app's own naming, outside the test's unique names.
    let suffix = js_sys::Date::now() as u64;
    let lan = format!("lan-{suffix}");
    let minh = format!("minh-{suffix}");
    let open = Store::open(&unique_database_name("shared"))
        .await
        .expect("open");
    open.claim("someone-else").await.expect("claim");

    // Another's database is open: Lan's session goes into Lan's own.
    assert!(keep_session(&open, &session_of(&lan)).await.expect("keep"));
    assert_eq!(open.load_session().await.expect("session"), None);
    let lans = Store::open(&database_of(&lan)).await.expect("open Lan's");
    assert_eq!(lans.owner().await.expect("owner"), Some(lan.clone()));
    assert_eq!(
        lans.load_session().await.expect("session"),
        Some(session_of(&lan))
    );
    assert_eq!(
        thamgia::preferences::saved_database(),
        Some(database_of(&lan))
    );

    // Signing in again from there stays; Minh goes to Minh's, and Lan's
    // session stays in Lan's.
    assert!(!keep_session(&lans, &session_of(&lan)).await.expect("again"));
    assert!(keep_session(&lans, &session_of(&minh)).await.expect("Minh"));
    let minhs = Store::open(&database_of(&minh)).await.expect("open Minh's");
    assert_eq!(
        minhs.load_session().await.expect("session"),
        Some(session_of(&minh))
    );
    assert_eq!(
        lans.load_session().await.expect("session"),
        Some(session_of(&lan))
    );
    assert_eq!(
        thamgia::preferences::saved_database(),
        Some(database_of(&minh))
    );
}
