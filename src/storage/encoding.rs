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
//! A record is stored as a small object holding its JSON, as UTF-8 bytes
//! (a `Uint8Array`), under [`JSON_PROPERTY`] and, beside it, only the
//! values the store's key path and indexes read (`response.id`,
//! `response.updated_at` and `sync.type` for a response, `seq` for an
//! outbox entry, `forum.id` for a forum; see [`Keyed`]), at the same paths
//! as in the record itself. A record is `serde_json::to_vec` on the way in
//! and `serde_json::from_slice` of those same bytes on the way out: no
//! `JSON.parse` or `JSON.stringify` runs in between, and bytes cross into
//! and out of wasm by a plain copy (a JS string would be re-encoded from
//! UTF-16 each way, and a string holding Vietnamese is stored two bytes a
//! character). Reading many, [`decode_all`] joins their bytes into one
//! JSON array inside wasm and decodes it at once.
//!
//! Measured in headless Chromium on this kind of machine (10,000
//! responses): reading plain objects took `getAll` plus a `JSON.stringify`
//! and a copy into wasm of the text (a third more than the `getAll`),
//! where the bytes' `getAll` was already a fifth faster than the objects'
//! and joining them costs about 10 ms.
//!
//! # Records written by version 4 (plain objects)
//!
//! Schema version 4 wrote each record as the plain object
//! `JSON.parse(serde_json::to_string(record))`. Such a record (one without
//! [`JSON_PROPERTY`] holding bytes) reads through `JSON.stringify`, as it
//! was written;
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
use wasm_bindgen::{JsCast, JsValue};

use super::error::{IoFailure, StorageError};

/// The property of a stored record that holds its JSON as UTF-8 bytes. `$`
/// keeps it apart from every field name of a record of version 4 or
/// before.
pub(super) const JSON_PROPERTY: &str = "$json";

/// A record whose store reads some of its values (a key path, indexes):
/// those values, by their dotted path in the record, as the record's JSON
/// has them.
pub(super) trait Keyed {
    /// Each path the store reads and its value.
    fn keys(&self) -> Vec<(&'static str, JsValue)>;
}

/// The JS value IndexedDB stores for `value`: an object holding its JSON
/// as bytes and the values `keys` gives at their paths.
///
/// # Errors
///
/// [`IoFailure::Other`] when the value has no JSON form (a map keyed by
/// something that is not a string or a number), which no record has.
pub(super) fn to_js<T: Serialize>(
    value: &T,
    keys: Vec<(&'static str, JsValue)>,
) -> Result<JsValue, StorageError> {
    let json = serde_json::to_vec(value)
        .map_err(|error| IoFailure::Other(format!("encoding a record: {error}")))?;
    let stored = js_sys::Object::new();
    set(
        &stored,
        JSON_PROPERTY,
        &js_sys::Uint8Array::from(json.as_slice()),
    )?;
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

/// The JSON bytes of a record stored by this version, if `value` is one;
/// `property` is [`JSON_PROPERTY`] as a JS string, made once by a caller
/// that reads many records.
fn json_bytes(value: &JsValue, property: &JsValue) -> Option<js_sys::Uint8Array> {
    if !value.is_object() {
        return None;
    }
    js_sys::Reflect::get(value, property)
        .ok()?
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
}

/// The bytes of the record IndexedDB holds as `value`: its JSON's, or, for
/// a record an earlier version stored as a plain object, the length of
/// that object written as JSON.
pub(super) fn stored_size(value: &JsValue) -> usize {
    if let Some(bytes) = json_bytes(value, &JsValue::from_str(JSON_PROPERTY)) {
        return bytes.length() as usize;
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .map_or(0, |text| text.len())
}

/// The record IndexedDB returned as `value`, decoded, whichever shape it
/// was stored in.
///
/// # Errors
///
/// [`IoFailure::Other`] when the stored value does not have the record's
/// shape.
pub(super) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    match json_bytes(&value, &JsValue::from_str(JSON_PROPERTY)) {
        Some(bytes) => from_json(&bytes.to_vec()),
        None => from_plain(&value),
    }
}

/// A record from its JSON.
///
/// # Errors
///
/// [`IoFailure::Other`] when the JSON does not have the record's shape.
fn from_json<T: DeserializeOwned>(json: &[u8]) -> Result<T, StorageError> {
    serde_json::from_slice(json)
        .map_err(|error| IoFailure::Other(format!("decoding a stored record: {error}")).into())
}

/// A record stored as a plain object (version 4 and before), or a JS array
/// of such records read as one `Vec`, through `JSON.stringify`.
///
/// # Errors
///
/// [`IoFailure::Other`] when the stored value does not have the record's
/// shape.
fn from_plain<T: DeserializeOwned>(value: &JsValue) -> Result<T, StorageError> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| JsValue::from(text).as_string())
        .ok_or_else(|| IoFailure::Other("a stored record has no JSON form".to_owned()))?;
    from_json(text.as_bytes())
}

/// How much JSON [`decode_all`] gathers before decoding it: the bytes held
/// at once stay near a megabyte whatever the tablet holds.
const DECODED_TOGETHER_BYTES: usize = 1 << 20;

/// How many records of version 4 (plain objects) [`decode_all`] turns into
/// JSON text at once.
const PLAIN_TOGETHER: u32 = 500;

/// Every record of `values` (what a `getAll` answered), decoded, in order.
///
/// The JSON of records stored by this version is joined, in wasm, into one
/// JSON array of about [`DECODED_TOGETHER_BYTES`], decoded at once. Records
/// of version 4 (plain objects) go to JSON text [`PLAIN_TOGETHER`] at a
/// time, as one JS array: one `JSON.stringify` and one copy into wasm per
/// chunk instead of one per record.
///
/// # Errors
///
/// The first failure to read a value, or [`IoFailure::Other`] when a
/// record does not have the shape of `T`.
pub(super) fn decode_all<T: DeserializeOwned>(
    values: impl IntoIterator<Item = indexed_db_futures::Result<JsValue>>,
) -> Result<Vec<T>, StorageError> {
    let mut records = Vec::new();
    let mut joined = Joined::default();
    let plain = js_sys::Array::new();
    let property = JsValue::from_str(JSON_PROPERTY);
    for value in values {
        let value = value?;
        if let Some(bytes) = json_bytes(&value, &property) {
            decode_plain(&plain, &mut records)?;
            joined.push(&bytes);
            if joined.json.len() >= DECODED_TOGETHER_BYTES {
                joined.decode_onto(&mut records)?;
            }
        } else {
            joined.decode_onto(&mut records)?;
            plain.push(&value);
            if plain.length() == PLAIN_TOGETHER {
                decode_plain(&plain, &mut records)?;
            }
        }
    }
    joined.decode_onto(&mut records)?;
    decode_plain(&plain, &mut records)?;
    Ok(records)
}

/// Records' JSON joined into the text of one JSON array, without its
/// closing bracket.
#[derive(Default)]
struct Joined {
    /// `[` and each record's JSON after a `,`; empty when nothing is held.
    json: Vec<u8>,
}

impl Joined {
    /// Adds one record's JSON.
    fn push(&mut self, bytes: &js_sys::Uint8Array) {
        self.json
            .push(if self.json.is_empty() { b'[' } else { b',' });
        let start = self.json.len();
        self.json.resize(start + bytes.length() as usize, 0);
        bytes.copy_to(&mut self.json[start..]);
    }

    /// Decodes the records held onto `records`, and empties itself.
    fn decode_onto<T: DeserializeOwned>(
        &mut self,
        records: &mut Vec<T>,
    ) -> Result<(), StorageError> {
        if self.json.is_empty() {
            return Ok(());
        }
        self.json.push(b']');
        records.extend(from_json::<Vec<T>>(&self.json)?);
        self.json.clear();
        Ok(())
    }
}

/// Decodes the plain records gathered in `plain` onto `records`, and
/// empties it.
fn decode_plain<T: DeserializeOwned>(
    plain: &js_sys::Array,
    records: &mut Vec<T>,
) -> Result<(), StorageError> {
    if plain.length() > 0 {
        records.extend(from_plain::<Vec<T>>(plain)?);
        plain.set_length(0);
    }
    Ok(())
}
