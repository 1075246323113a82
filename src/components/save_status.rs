//! Where the last save of a draft is, in one line that screen readers
//! announce.

use leptos::prelude::*;

use crate::hooks::use_autosave::SaveState;
use crate::platform;
use crate::state::use_app;

/// "Saving…", "✓ Saved (time)" or why the save failed.
#[component]
pub fn SaveStatus(state: Signal<SaveState>) -> impl IntoView {
    let app = use_app();
    view! {
        <p class="save-state" data-test="save-state" aria-live="polite">
            {move || match state.get() {
                SaveState::Idle => String::new(),
                SaveState::Saving => app.texts().saving.to_owned(),
                SaveState::Saved(at_ms) => format!("✓ {} ({})", app.texts().saved, platform::format_local_time(at_ms)),
                SaveState::Failed(message) => format!("{}: {}", app.texts().save_failed, app.pick(&message)),
            }}
        </p>
    }
}
