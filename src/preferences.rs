//! The tablet's small preferences, in localStorage through gloo-storage:
//! the language, the ward it works in, the device label of the last
//! sign-in, the database of the account last signed in. A leaf module: the app state and the sync driver both read it.

use gloo_storage::{LocalStorage as BrowserStorage, Storage};
use serde::{Deserialize, Serialize};
use thamgia_core::Language;

const LANGUAGE_KEY: &str = "thamgia.language";
const WARD_KEY: &str = "thamgia.ward";
const DEVICE_LABEL_KEY: &str = "thamgia.device_label";
/// The key of the database of the account last signed in.
pub const DATABASE_KEY: &str = "thamgia.database";

/// The ward or commune this tablet works in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ward {
    /// Official code.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
}

impl Ward {
    /// The name in `language`.
    pub fn name(&self, language: Language) -> &str {
        match language {
            Language::Vi => &self.name_vi,
            Language::En => &self.name_en,
        }
    }
}

/// The language tag chosen on this tablet, if any.
pub fn saved_language_tag() -> Option<String> {
    BrowserStorage::get::<String>(LANGUAGE_KEY).ok()
}

/// The ward chosen on this tablet, if any.
pub fn saved_ward() -> Option<Ward> {
    BrowserStorage::get::<Ward>(WARD_KEY).ok()
}

/// The IndexedDB database of the account last signed in on this tablet,
/// if any (`crate::account_database`).
pub fn saved_database() -> Option<String> {
    BrowserStorage::get::<String>(DATABASE_KEY).ok()
}

/// Remembers the database of the account that signed in.
pub fn save_database(name: &str) {
    if let Err(error) = BrowserStorage::set(DATABASE_KEY, name) {
        leptos::logging::warn!("the account's database not remembered: {error}");
    }
}

/// Stores the language preference.
pub fn save_language(language: Language) {
    if let Err(error) = BrowserStorage::set(LANGUAGE_KEY, language.tag()) {
        leptos::logging::warn!("language preference not saved: {error}");
    }
}

/// Stores the ward preference.
pub fn save_ward(ward: &Ward) {
    if let Err(error) = BrowserStorage::set(WARD_KEY, ward) {
        leptos::logging::warn!("ward preference not saved: {error}");
    }
}

/// The key a survey's form language is kept under.
fn form_language_key(survey_id: &str) -> String {
    format!("thamgia.form_language.{survey_id}")
}

/// The language the worker last picked for `survey_id`'s texts, if any.
pub fn saved_form_language(survey_id: &str) -> Option<String> {
    BrowserStorage::get::<String>(form_language_key(survey_id)).ok()
}

/// Remembers the language picked for `survey_id` (`None`: the app's own).
pub fn save_form_language(survey_id: &str, language: Option<&str>) {
    let key = form_language_key(survey_id);
    match language {
        Some(language) => {
            if let Err(error) = BrowserStorage::set(key, language) {
                leptos::logging::warn!("form language not saved: {error}");
            }
        }
        None => BrowserStorage::delete(key),
    }
}

/// The device label typed at the last sign-in on this tablet, if any.
pub fn saved_device_label() -> Option<String> {
    BrowserStorage::get::<String>(DEVICE_LABEL_KEY).ok()
}

/// Remembers the device label for the next sign-in.
pub fn save_device_label(label: &str) {
    if let Err(error) = BrowserStorage::set(DEVICE_LABEL_KEY, label) {
        leptos::logging::warn!("device label not saved: {error}");
    }
}
