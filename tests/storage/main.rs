//! Browser tests of the IndexedDB layer, on the real IndexedDB of a headless
//! browser. Each test opens its own database, so they never see each other's data.
//!
//! One test binary, by feature: `accounts` (whose database a session goes
//! into), `responses` (completing, drafts, the lists,
//! push results and renumbering), `withdrawals` (consent withdrawn,
//! corrections), `reports`, `forums`, `counts` (the counts home shows),
//! `connection` (a connection lost or deleted under the app, the errors a
//! worker reads), `upgrades` (databases left by versions 1 and 2),
//! `earlier_records` (records written by earlier encodings), `encoding`
//! (the stored shape of a record) and `ids` (records' and the install's
//! ids); `support` holds what they share.

use wasm_bindgen_test::wasm_bindgen_test_configure;

mod accounts;
mod connection;
mod counts;
mod earlier_records;
mod encoding;
mod forums;
mod ids;
mod reports;
mod responses;
mod support;
mod upgrades;
mod withdrawals;

wasm_bindgen_test_configure!(run_in_browser);
