//! The sync status line: what the sync is doing, the last success, the last
//! failure and what to do, progress, and a "sync now" button.

use leptos::prelude::*;
use thamgia_core::sync_client::{SyncPhase, Trigger};

use crate::platform::format_local_time;
use crate::state::use_app;

/// Always visible under the top bar.
#[component]
pub fn SyncBar() -> impl IntoView {
    let app = use_app();
    let status = app.sync_status;
    let class = move || {
        let variant = match status.get().phase {
            SyncPhase::Idle => "ok",
            SyncPhase::Sending | SyncPhase::Receiving => "working",
            SyncPhase::Offline => "waiting",
            SyncPhase::WaitingToRetry => "error",
        };
        format!("sync-bar sync-bar--{variant}")
    };
    let phase_text = move || {
        let texts = app.texts();
        match status.get().phase {
            SyncPhase::Idle => texts.sync_idle,
            SyncPhase::Sending => texts.sync_sending,
            SyncPhase::Receiving => texts.sync_receiving,
            SyncPhase::Offline => texts.sync_offline,
            SyncPhase::WaitingToRetry => texts.sync_waiting_retry,
        }
    };
    let last_success = move || {
        let texts = app.texts();
        match status.get().last_success_ms {
            Some(at_ms) => format!("{}: {}", texts.sync_last_success, format_local_time(at_ms)),
            None => texts.sync_never.to_owned(),
        }
    };
    let failure = move || {
        let current = status.get();
        current.last_failure.map(|(_, failure)| {
            let mut text = app.pick(&failure.message());
            if let Some(retry_at) = current.next_retry_ms {
                text.push_str(&format!(
                    " {} {}.",
                    app.texts().sync_next_retry,
                    format_local_time(retry_at)
                ));
            }
            view! { <p class="sync-failure" data-test="sync-failure">{text}</p> }
        })
    };
    let progress = move || {
        status.get().progress.map(|(done, total)| {
            view! { <progress max=total.max(1).to_string() value=done.to_string()></progress> }
        })
    };
    view! {
        <section class=class aria-live="polite" data-test="sync-bar" data-phase=move || format!("{:?}", status.get().phase)>
            <div class="sync-line">
                <strong data-test="sync-phase">{phase_text}</strong>
                " · "
                <span data-test="last-sync">{last_success}</span>
            </div>
            {failure}
            {progress}
            <button
                type="button"
                class="btn btn-secondary"
                data-test="sync-now"
                on:click=move |_| app.sync.get_value().request(Trigger::UserRequest)
            >
                {move || app.texts().sync_now}
            </button>
        </section>
    }
}
