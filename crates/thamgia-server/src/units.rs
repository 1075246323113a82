//! Hanoi's administrative units as the server holds them: the list in
//! force and its wards and communes (the data is `seed/hanoi-units.json`).

pub use thamgia_core::api::units::{Unit, UnitList};
