//! Reference and demo data shipped with the server.
//!
//! Hanoi's units and the demo survey are data files under `seed/`, compiled
//! in so the binary needs nothing beside it.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use thamgia_core::SurveyDefinition;

use crate::database::Database;

/// Hanoi's commune-level units (see `seed/README.md` for the source).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitList {
    /// Where the list comes from, with its licence.
    pub source: String,
    /// Official province code (Hanoi is "01").
    pub province_code: String,
    /// The date this list is in force from.
    pub effective_from: String,
    /// The units.
    pub units: Vec<Unit>,
}

/// One ward (phường) or commune (xã).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unit {
    /// Official code.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// "ward" or "commune".
    pub kind: String,
}

const HANOI_UNITS: &str = include_str!("../seed/hanoi-units.json");
const DEMO_SURVEY: &str = include_str!("../seed/survey-school-safety-play.json");

/// Hanoi's units in force.
pub fn hanoi_units() -> Result<UnitList, serde_json::Error> {
    serde_json::from_str(HANOI_UNITS)
}

/// The bilingual child-consultation survey on school safety and play spaces.
pub fn demo_survey() -> Result<SurveyDefinition, serde_json::Error> {
    serde_json::from_str(DEMO_SURVEY)
}

/// Publishes the demo survey if it is not there yet.
pub async fn seed_demo(database: &Database) -> anyhow::Result<()> {
    let survey = demo_survey()?;
    if database.publish_survey(&survey, Utc::now()).await? {
        tracing::info!(survey = %survey.key(), "demo survey published");
    }
    Ok(())
}
