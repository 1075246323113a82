//! Behaviour shared by pages, as functions in the style of `leptos-use`:
//! `use_…(…) -> Use…Return`.

pub mod use_autosave;
