//! "Also entered by … at …: …" under a report's field, for each other
//! tablet's edit that lost.

use leptos::prelude::*;
use thamgia_core::report::{FieldContent, FieldState};

use super::also_entered;
use crate::platform;
use crate::state::use_app;

/// "Also entered by … at …: …" under a field, for each other tablet whose
/// latest edit of it lost and differs from what is shown.
///
/// The field's [`FieldState::conflicting`] edits, narrowed to what a person
/// would call a conflict: edits from the tablet that made the winning edit
/// are its own earlier values, and of each other tablet only the latest
/// counts (its earlier values it replaced itself).
#[component]
pub(super) fn AlsoEntered(state: Memo<Option<FieldState>>) -> impl IntoView {
    let app = use_app();
    move || {
        let texts = app.texts();
        state
            .with(|state| state.as_ref().map(also_entered).unwrap_or_default())
            .into_iter()
            .map(|edit| {
                let author = if edit.author.trim().is_empty() {
                    texts.report_unknown_author.to_owned()
                } else {
                    edit.author.clone()
                };
                let value = match &edit.content {
                    FieldContent::Number(number) => number.to_string(),
                    FieldContent::Text(text) => text.clone(),
                    FieldContent::Cleared => texts.report_cleared.to_owned(),
                };
                let line = (texts.report_conflict)(
                    &author,
                    &platform::format_local_time(edit.stamp.hlc.wall_ms),
                    &value,
                );
                view! { <p class="conflict" data-test="conflict">{line}</p> }
            })
            .collect_view()
    }
}
