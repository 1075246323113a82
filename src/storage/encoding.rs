//! How a record becomes the JS value IndexedDB stores, and back: through
//! JSON, the one serde format the app already carries.
//!
//! The app talks JSON to the server (`serde_json`), so every record type's
//! `Serialize` and `Deserialize` are in the wasm for that already. Encoding
//! records for IndexedDB with a second serde format (serde-wasm-bindgen,
//! which the app used until schema version 4) compiled every record type's
//! (de)serialisation a second time, about 250 KB of the wasm.
//!
//! # The stored shape
//!
//! A record is stored as a small object holding its JSON text under
//! [`JSON_PROPERTY`] and, beside it, only the values the store's key path
//! and indexes read (`response.id`, `response.updated_at` and `sync.type`
//! for a response, `seq` for an outbox entry, `forum.id` for a forum; see
//! [`Keyed`]), at the same paths as in the record itself. The browser
//! copies a string into and out of IndexedDB far more cheaply than an
//! object of many properties, and no `JSON.parse` or `JSON.stringify` runs
//! in between: a record is `serde_json::to_string` on the way in and
//! `serde_json::from_str` of that same text on the way out.
//!
//! # Records written by version 4 (plain objects)
//!
//! Schema version 4 wrote each record as the plain object
//! `JSON.parse(serde_json::to_string(record))`. Such a record (one without
//! [`JSON_PROPERTY`]) reads through `JSON.stringify`, as it was written;
//! records of both shapes may sit side by side in a store, and each keeps
//! its shape until it is written again.
//!
//! # Records written before version 4
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

/// The property of a stored record that holds its JSON text. `$` keeps it
/// apart from every field name of a record of version 4 or before.
pub(super) const JSON_PROPERTY: &str = "$json";

/// A record whose store reads some of its values (a key path, indexes):
/// those values, by their dotted path in the record, as the record's JSON
/// has them.
pub(super) trait Keyed {
    /// Each path the store reads and its value.
    fn keys(&self) -> Vec<(&'static str, JsValue)>;
}

/// The JS value IndexedDB stores for `value`: an object holding its JSON
/// text and the values `keys` gives at their paths.
///
/// # Errors
///
/// [`IoFailure::Other`] when the value has no JSON form (a map keyed by
/// something that is not a string or a number), which no record has.
pub(super) fn to_js<T: Serialize>(
    value: &T,
    keys: Vec<(&'static str, JsValue)>,
) -> Result<JsValue, StorageError> {
    let text = serde_json::to_string(value)
        .map_err(|error| IoFailure::Other(format!("encoding a record: {error}")))?;
    let stored = js_sys::Object::new();
    set(&stored, JSON_PROPERTY, &JsValue::from(text))?;
    for (path, key) in keys {
        let mut parent = stored.clone();
        let mut names = path.split('.').peekable();
        while let Some(name) = names.next() {
            if names.peek().is_none() {
                set(&parent, name, &key)?;
            } else {
                let existing = js_sys::Reflect::get(&parent, &JsValue::from_str(name))
                    .map_err(|error| failed_to_key(path, &error))?;
                let child = if existing.is_object() {
                    js_sys::Object::from(existing)
                } else {
                    let child = js_sys::Object::new();
                    set(&parent, name, &child)?;
                    child
                };
                parent = child;
            }
        }
    }
    Ok(stored.into())
}

/// Sets `object[name] = value`.
fn set(object: &js_sys::Object, name: &str, value: &JsValue) -> Result<(), StorageError> {
    js_sys::Reflect::set(object, &JsValue::from_str(name), value)
        .map(|_| ())
        .map_err(|error| failed_to_key(name, &error))
}

/// The failure to set a record's value at `path`.
fn failed_to_key(path: &str, error: &JsValue) -> StorageError {
    IoFailure::Other(format!("encoding a record: setting {path}: {error:?}")).into()
}

/// The JSON text of a record stored by this version, if `value` is one.
pub(super) fn json_text(value: &JsValue) -> Option<String> {
    if !value.is_object() {
        return None;
    }
    js_sys::Reflect::get(value, &JsValue::from_str(JSON_PROPERTY))
        .ok()?
        .as_string()
}

/// The record IndexedDB returned as `value`, decoded, whichever shape it
/// was stored in.
///
/// # Errors
///
/// [`IoFailure::Other`] when the stored value does not have the record's
/// shape.
pub(super) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    match json_text(&value) {
        Some(text) => from_text(&text),
        None => from_plain(&value),
    }
}

/// A record from its JSON text.
///
/// # Errors
///
/// [`IoFailure::Other`] when the text does not have the record's shape.
pub(super) fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, StorageError> {
    serde_json::from_str(text)
        .map_err(|error| IoFailure::Other(format!("decoding a stored record: {error}")).into())
}

/// A record stored as a plain object (version 4 and before), or a JS array
/// of such records read as one `Vec`, through `JSON.stringify`.
///
/// # Errors
///
/// [`IoFailure::Other`] when the stored value does not have the record's
/// shape.
pub(super) fn from_plain<T: DeserializeOwned>(value: &JsValue) -> Result<T, StorageError> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| JsValue::from(text).as_string())
        .ok_or_else(|| IoFailure::Other("a stored record has no JSON form".to_owned()))?;
    from_text(&text)
}
