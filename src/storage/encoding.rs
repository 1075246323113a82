//! How a record becomes the JS value IndexedDB stores, and back: through
//! JSON, the one serde format the app already carries.
//!
//! The app talks JSON to the server (`serde_json`), so every record type's
//! `Serialize` and `Deserialize` are in the wasm for that already. Encoding
//! records for IndexedDB with a second serde format (serde-wasm-bindgen,
//! which the app used until now) compiled every record type's
//! (de)serialisation a second time, about 250 KB of the wasm. So a record
//! is written as `JSON.parse(serde_json::to_string(record))`, a plain JS
//! object, and read as `serde_json::from_str(JSON.stringify(value))`. The
//! key paths and indexes (`response.id`, `forum.id`, `seq`, `sync.type`,
//! `response.updated_at`) read plain objects, so they work as before.
//!
//! # Records written before
//!
//! The app wrote its records with serde-wasm-bindgen (maps as plain
//! objects). Such a record reads back through JSON as it was written:
//!
//! - `None` (and `()`) was written as a property holding `undefined`, which
//!   `JSON.stringify` leaves out. A missing `Option` field reads as `None`:
//!   serde's derive does so even without `#[serde(default)]`. No record type
//!   has a `deserialize_with` field, an `Option` as a map's value, or an
//!   untagged enum, where a missing value would read otherwise. An `Option`
//!   inside a list (`undefined` in an array) is written `null` by
//!   `JSON.stringify`, which reads as `None`.
//! - Integers (`u64` seqs and cursors, `i64` times in ms, `u32`, `u8`) were
//!   JS numbers, exact below 2^53 (serde-wasm-bindgen refused larger ones);
//!   `JSON.stringify` writes them as integers and `serde_json` reads them
//!   back exactly.
//! - An `f64` (a number answer, a report value, a target, a survey's bounds)
//!   was a JS number: `JSON.stringify` writes `2.0` as `2` and `2.5` as
//!   `2.5`, both of which `serde_json` reads as the same `f64`. The enums
//!   that hold one are tagged (`AnswerValue` and `FieldContent` by
//!   `type`/`value`), so nothing guesses a variant from the number's look.
//!   A number that is not finite has no JSON form (either way it becomes
//!   `null`, which no longer reads as a number); none is expected in a
//!   record: a report edit and a completed response refuse them, the
//!   browser's number box gives none, a calculated answer keeps only finite
//!   numbers, and the server's JSON cannot carry one.
//! - Uuids, times (RFC 3339), dates, report and field ids were strings
//!   (serde-wasm-bindgen is human-readable, as JSON is), and maps (answers,
//!   a forum's answers and feedback, a report's fields, a text's other
//!   languages) were plain objects keyed by strings: all as JSON has them.
//!
//! The browser test `a_record_written_by_the_previous_encoding_reads_back`
//! writes such records by hand and reads them through the app.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::error::{IoFailure, StorageError};

/// The JS value IndexedDB stores for `value`: a plain object (or array,
/// string, number) made from its JSON.
///
/// # Errors
///
/// [`IoFailure::Other`] when the value has no JSON form (a map keyed by
/// something that is not a string or a number), which no record has.
pub(super) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    let text = serde_json::to_string(value)
        .map_err(|error| IoFailure::Other(format!("encoding a record: {error}")))?;
    js_sys::JSON::parse(&text).map_err(|error| {
        IoFailure::Other(format!("encoding a record: JSON.parse: {error:?}")).into()
    })
}

/// The record IndexedDB returned as `value`, decoded.
///
/// # Errors
///
/// [`IoFailure::Other`] when the stored value does not have the record's
/// shape.
pub(super) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|text| JsValue::from(text).as_string())
        .ok_or_else(|| IoFailure::Other("a stored record has no JSON form".to_owned()))?;
    serde_json::from_str(&text)
        .map_err(|error| IoFailure::Other(format!("decoding a stored record: {error}")).into())
}
