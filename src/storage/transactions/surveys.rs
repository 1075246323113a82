//! Published surveys read back: the latest version of each, or one
//! version. They are stored by the pull (`pull.rs`).

use std::collections::BTreeMap;

use indexed_db_futures::database::Database;
use thamgia_core::survey::survey_key;
use thamgia_core::SurveyDefinition;

use super::{read_all, read_only, read_record};
use crate::storage::connection::SURVEYS;
use crate::storage::error::StorageError;

pub(in crate::storage) async fn surveys(
    database: &Database,
) -> Result<Vec<SurveyDefinition>, StorageError> {
    let transaction = read_only(database, &[SURVEYS])?;
    let store = transaction.object_store(SURVEYS)?;
    let mut latest: BTreeMap<String, SurveyDefinition> = BTreeMap::new();
    for survey in read_all::<SurveyDefinition>(&store).await? {
        let is_newer = latest
            .get(&survey.id)
            .is_none_or(|known| known.version < survey.version);
        if is_newer {
            latest.insert(survey.id.clone(), survey);
        }
    }
    let mut surveys: Vec<SurveyDefinition> = latest.into_values().collect();
    // Vietnamese collation, so "Đ" sorts after "D" rather than after "Z".
    let locales = js_sys::Array::of1(&"vi".into());
    let options = js_sys::Object::new();
    thamgia_core::sorting::sort_by(&mut surveys, |left, right| {
        js_sys::JsString::from(left.title.vi.as_str())
            .locale_compare(&right.title.vi, &locales, &options)
            .cmp(&0)
            .then_with(|| left.id.cmp(&right.id))
    });
    Ok(surveys)
}

pub(in crate::storage) async fn survey(
    database: &Database,
    id: &str,
    version: u32,
) -> Result<Option<SurveyDefinition>, StorageError> {
    let transaction = read_only(database, &[SURVEYS])?;
    let store = transaction.object_store(SURVEYS)?;
    read_record(&store, &survey_key(id, version)).await
}
