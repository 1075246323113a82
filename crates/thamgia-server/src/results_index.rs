//! The survey results each server keeps current (core's
//! `results::maintained::SurveyIndex`, one per survey): before answering,
//! it reads every cell's state (one small query) and reads what changed
//! since it last looked — pushed to this server or to another on the same
//! database: the responses a cell gained, or a cell anew after a
//! withdrawal or a correction. This file only reads and hands to core;
//! core decides what to read.

use std::collections::HashMap;
use std::sync::Arc;

use thamgia_core::results::maintained::{Catch, SurveyIndex};
use tokio::sync::{Mutex, OwnedRwLockReadGuard, RwLock};

use crate::database::Database;
use crate::error::ServerError;

/// Most surveys whose results are kept at once; past it the index of the
/// survey asked for longest ago is dropped (it is made again when asked).
const MAX_SURVEYS: usize = 64;

/// The version numbers an index was made for.
fn version_numbers(index: &SurveyIndex) -> Vec<u32> {
    index
        .definitions()
        .iter()
        .map(|definition| definition.version)
        .collect()
}

/// One survey's index and when it was last asked for.
struct Kept {
    index: Arc<RwLock<SurveyIndex>>,
    asked: u64,
}

/// Every survey's results, kept current on demand.
#[derive(Clone, Default)]
pub struct ResultsIndexes {
    surveys: Arc<Mutex<(u64, HashMap<String, Kept>)>>,
}

impl ResultsIndexes {
    /// The index of survey `id`, current with the store: `NotFound` for a
    /// survey never published.
    pub async fn current(
        &self,
        database: &Database,
        id: &str,
    ) -> Result<OwnedRwLockReadGuard<SurveyIndex>, ServerError> {
        let numbers = database.survey_version_numbers(id).await?;
        if numbers.is_empty() {
            return Err(ServerError::NotFound);
        }
        let index = self.entry(id).await;
        // States first, then the cells: a change committed in between is
        // read now and read again next time, never missed (an arrival is
        // read only up to the revision read here).
        let states = database.results_cells(id).await?;
        {
            let index = index.clone().read_owned().await;
            if version_numbers(&index) == numbers && index.stale(&states).is_empty() {
                return Ok(index);
            }
        }
        let mut writing = index.write_owned().await;
        if version_numbers(&writing) != numbers {
            // A version was published: questions match anew.
            *writing = SurveyIndex::new(database.survey_versions(id).await?);
        }
        let stale: Vec<_> = writing
            .stale(&states)
            .into_iter()
            .map(|(key, catch)| (key.clone(), catch))
            .collect();
        for (key, catch) in stale {
            let Some(state) = states
                .iter()
                .find(|(known, _)| *known == key)
                .map(|(_, state)| *state)
            else {
                continue;
            };
            match catch {
                Catch::Extend { after } => {
                    let added = database
                        .cell_responses(id, &key, Some((after, state.revision)))
                        .await?;
                    writing.extend(key, state, &added);
                }
                Catch::Rebuild => {
                    let responses = database.cell_responses(id, &key, None).await?;
                    writing.replace(key, state, &responses);
                }
            }
        }
        Ok(writing.downgrade())
    }

    async fn entry(&self, id: &str) -> Arc<RwLock<SurveyIndex>> {
        let mut guard = self.surveys.lock().await;
        let (clock, surveys) = &mut *guard;
        *clock += 1;
        if !surveys.contains_key(id) && surveys.len() >= MAX_SURVEYS {
            if let Some(oldest) = surveys
                .iter()
                .min_by_key(|(_, kept)| kept.asked)
                .map(|(key, _)| key.clone())
            {
                surveys.remove(&oldest);
            }
        }
        let kept = surveys.entry(id.to_owned()).or_insert_with(|| Kept {
            index: Arc::new(RwLock::new(SurveyIndex::new(Vec::new()))),
            asked: 0,
        });
        kept.asked = *clock;
        kept.index.clone()
    }

    /// Brings every published survey's results up to date, so the first
    /// officer to ask does not wait for a city's responses to be read.
    pub async fn warm(&self, database: &Database) -> Result<(), ServerError> {
        for id in database.survey_ids().await? {
            self.current(database, &id).await?;
        }
        Ok(())
    }
}
