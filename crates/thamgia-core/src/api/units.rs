//! `GET /units`: Hanoi's wards and communes in force.

use serde::{Deserialize, Serialize};

/// Hanoi's commune-level units (see the server's `seed/README.md` for the
/// source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl UnitList {
    /// Whether `code` is a unit in force.
    pub fn has(&self, code: &str) -> bool {
        self.units.iter().any(|unit| unit.code == code)
    }
}

/// One ward (phường) or commune (xã).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
