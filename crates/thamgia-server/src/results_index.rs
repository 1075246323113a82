//! The survey results each server keeps current (core's
//! `results::maintained::SurveyIndex`, one per survey): before answering,
//! it reads every cell's state (one small query) and reads what changed
//! since it last looked — pushed to this server or to another on the same
//! database: the responses a cell gained, or a cell anew after a
//! withdrawal or a correction, each cell up to its release (core's
//! `results::release`: the figures change in steps), but for the words of
//! a child who withdrew or was corrected since, which leave at once (core's
//! `SurveyIndex::words_to_check`). This file only reads,
//! keeps the releases and hands to core; core decides what to release and
//! what to read.
//!
//! Most requests find nothing changed: one statement sums up the survey's
//! versions, cells and releases ([`Database::results_token`]), and a token
//! equal to the one the index was last found current at answers from the
//! index without reading a cell. Tokens only rise while a server runs (a
//! restore is made with every server stopped), so an equal token is an
//! unchanged store.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex as StdMutex};

use thamgia_core::results::maintained::{Catch, CellKey, CellState, SurveyIndex};
use thamgia_core::results::release::{moved_while_read, ReleaseStep, Releases};
use thamgia_core::Localized;
use tokio::sync::{Mutex, OwnedRwLockReadGuard, RwLock};

use crate::database::{Database, ResultsToken};
use crate::error::ServerError;

/// Most surveys whose results are kept at once; past it the index of the
/// survey asked for longest ago is dropped (it is made again when asked).
const MAX_SURVEYS: usize = 64;

/// How many times [`ResultsIndexes::current`] catches up while
/// withdrawals keep coming in before it gives up.
const CATCH_UP_TRIES: usize = 3;

/// A survey's index at its releases, and how many changes of each cell
/// the releases do not show yet.
pub struct Current {
    /// The index, every cell at its release.
    pub index: OwnedRwLockReadGuard<Held, SurveyIndex>,
    releases: Arc<Releases>,
}

impl Current {
    /// How many changes in `ward` (`None`: every ward) and `period`
    /// (`None`: all time) the published figures do not show yet.
    pub fn waiting(&self, ward: Option<&str>, period: Option<thamgia_core::report::Period>) -> u64 {
        self.releases.waiting(ward, period)
    }
}

/// The version numbers an index was made for.
fn version_numbers(index: &SurveyIndex) -> Vec<u32> {
    index
        .definitions()
        .iter()
        .map(|definition| definition.version)
        .collect()
}

/// What an index was last found current at: the token read before the
/// states it was checked against, the release step, and the releases.
struct Verified {
    token: ResultsToken,
    step: ReleaseStep,
    releases: Arc<Releases>,
}

/// A survey's index, with what it was last found current at (changed
/// under the index's read lock by whoever checked it, cleared under its
/// write lock by whoever changes it).
pub struct Held {
    index: SurveyIndex,
    verified: StdMutex<Option<Verified>>,
}

impl Held {
    fn new(index: SurveyIndex) -> Held {
        Held {
            index,
            verified: StdMutex::new(None),
        }
    }

    /// The releases the index was found current at, if that was at
    /// `token` and `step`.
    fn current_at(&self, token: ResultsToken, step: ReleaseStep) -> Option<Arc<Releases>> {
        let verified = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        verified
            .as_ref()
            .filter(|verified| verified.token == token && verified.step == step)
            .map(|verified| verified.releases.clone())
    }

    /// Notes that the index is current at `token` (read before the states
    /// it was checked against) with `releases`.
    fn found_current(&self, token: ResultsToken, step: ReleaseStep, releases: Arc<Releases>) {
        *self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Verified {
            token,
            step,
            releases,
        });
    }

    fn forget_verified(&mut self) {
        *self
            .verified
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }
}

/// The index part of a read guard on a [`Held`].
fn index_of(held: OwnedRwLockReadGuard<Held>) -> OwnedRwLockReadGuard<Held, SurveyIndex> {
    OwnedRwLockReadGuard::map(held, |held| &held.index)
}

/// One survey's index and when it was last asked for.
struct Kept {
    index: Arc<RwLock<Held>>,
    asked: u64,
}

/// Every survey's results, kept current on demand.
#[derive(Clone, Default)]
pub struct ResultsIndexes {
    surveys: Arc<Mutex<(u64, HashMap<String, Kept>)>>,
}

impl ResultsIndexes {
    /// The index of survey `id`, each cell at its release (core's
    /// `results::release`, in steps of `step` changes), with the changes
    /// the releases do not show yet: `NotFound` for a survey never
    /// published.
    pub async fn current(
        &self,
        database: &Database,
        id: &str,
        step: ReleaseStep,
    ) -> Result<Current, ServerError> {
        // Read before anything it vouches for: a change after it raises
        // the next token.
        let token = database.results_token(id).await?;
        if !token.published() {
            return Err(ServerError::NotFound);
        }
        let index = self.entry(id).await;
        {
            let held = index.clone().read_owned().await;
            if let Some(releases) = held.current_at(token, step) {
                return Ok(Current {
                    index: index_of(held),
                    releases,
                });
            }
        }
        let numbers = database.survey_version_numbers(id).await?;
        if numbers.is_empty() {
            return Err(ServerError::NotFound);
        }
        for _ in 0..CATCH_UP_TRIES {
            // States first, then the releases and the cells: a change
            // committed in between is read next time, never missed nor
            // read twice (every read stops at the revision read here).
            let states = database.results_cells(id).await?;
            let released = database.results_released(id).await?;
            {
                let held = index.clone().read_owned().await;
                let releases = Releases::of(step, &states, &released, &held.index);
                if version_numbers(&held.index) == numbers
                    && releases.new_ones(&released).is_empty()
                    && held.index.stale(&releases.targets()).is_empty()
                    && held.index.words_to_check(&states).is_empty()
                {
                    let releases = Arc::new(releases);
                    held.found_current(token, step, releases.clone());
                    return Ok(Current {
                        index: index_of(held),
                        releases,
                    });
                }
            }
            let mut held = index.clone().write_owned().await;
            held.forget_verified();
            if version_numbers(&held.index) != numbers {
                // A version was published: questions match anew.
                held.index = SurveyIndex::new(database.survey_versions(id).await?);
            }
            let writing = &mut held.index;
            // Read again under the lock: another request may have released
            // cells while this one waited for it.
            let states = database.results_cells(id).await?;
            let released = database.results_released(id).await?;
            let releases = Releases::of(step, &states, &released, writing);
            if !database
                .release_cells(id, &releases.new_ones(&released))
                .await?
            {
                // Another server released some of them: decide again.
                continue;
            }
            let targets = releases.targets();
            let stale: Vec<(CellKey, Catch, CellState)> = writing
                .stale(&targets)
                .into_iter()
                .filter_map(|(key, catch)| {
                    let at = targets.iter().find(|(known, _)| known == key)?.1;
                    Some((key.clone(), catch, at))
                })
                .collect();
            for (key, catch, at) in &stale {
                match catch {
                    Catch::Extend { after } => {
                        let added = database
                            .cell_responses(id, key, Some(*after), at.revision)
                            .await?;
                        writing.extend(key.clone(), *at, &added);
                    }
                    Catch::Rebuild => {
                        let responses = database.cell_responses(id, key, None, at.revision).await?;
                        writing.replace(key.clone(), *at, &responses);
                    }
                    Catch::Clear => writing.clear(key),
                }
            }
            // A withdrawal or a correction committed while the cells were
            // read may have taken a response out of what was read: those
            // cells are dropped and caught up again.
            let after = database.results_cells(id).await?;
            let moved = moved_while_read(stale.iter().map(|(key, _, _)| key), &states, &after);
            if moved.is_empty() {
                // A cell kept at its release while a child withdrew still
                // counts them until the next step, never shows their words.
                for check in writing.words_to_check(&after) {
                    let counting = if check.responses.is_empty() {
                        HashSet::new()
                    } else {
                        database.still_counted(&check.responses).await?
                    };
                    writing.forget_words(&check.key, &check.gone(&counting), check.removals);
                }
                let releases = Arc::new(releases);
                held.found_current(token, step, releases.clone());
                return Ok(Current {
                    index: index_of(held.downgrade()),
                    releases,
                });
            }
            for key in &moved {
                writing.clear(key);
            }
        }
        Err(ServerError::Busy(Localized::new(
            "Kết quả đang thay đổi liên tục; hãy thử lại sau ít phút.",
            "The results keep changing; try again in a few minutes.",
        )))
    }

    async fn entry(&self, id: &str) -> Arc<RwLock<Held>> {
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
            index: Arc::new(RwLock::new(Held::new(SurveyIndex::new(Vec::new())))),
            asked: 0,
        });
        kept.asked = *clock;
        kept.index.clone()
    }

    /// Brings every published survey's results up to date, so the first
    /// officer to ask does not wait for a city's responses to be read.
    pub async fn warm(&self, database: &Database, step: ReleaseStep) -> Result<(), ServerError> {
        for id in database.survey_ids().await? {
            self.current(database, &id, step).await?;
        }
        Ok(())
    }
}
