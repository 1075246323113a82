//! Reusable pieces of the interface.

pub mod account_bar;
pub mod chart;
pub mod choice_button;
pub mod day_field;
pub mod face_scale;
pub mod fetched;
pub mod form_language;
pub mod language_switch;
pub mod loaded;
pub mod other_accounts;
pub mod question_field;
pub mod save_status;
pub mod storage_meter;
pub mod sync_bar;
pub mod ward_picker;
