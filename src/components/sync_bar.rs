//! The sync status line: what the sync is doing, the last success, the last
//! failure and what to do with the time of the next try (a server that did
//! not answer says so), a clock that is off (from the last pull), progress,
//! and a "sync now" button. It follows the
//! sync client's status, so it clears itself when a later round succeeds.

use leptos::prelude::*;
use thamgia_core::sync_client::{clock, SyncPhase, Trigger};

use crate::platform::{self, format_clock_time, format_local_time};
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
    // Records waiting in the outbox: "synced" is said only when none wait.
    let waiting = LocalResource::new(move || {
        app.data_revision.track();
        let store = app.store();
        async move {
            store
                .counts()
                .await
                .map(|counts| counts.waiting)
                .unwrap_or(0)
        }
    });
    let phase_text = move || {
        let texts = app.texts();
        let current = status.get();
        let waiting = waiting.get().unwrap_or(0);
        match current.phase {
            SyncPhase::Idle if waiting > 0 => format!("{}: {waiting}", texts.count_waiting),
            SyncPhase::Idle if current.last_success_ms.is_none() => texts.sync_never.to_owned(),
            SyncPhase::Idle => texts.sync_idle.to_owned(),
            SyncPhase::Sending => texts.sync_sending.to_owned(),
            SyncPhase::Receiving => texts.sync_receiving.to_owned(),
            SyncPhase::Offline => texts.sync_offline.to_owned(),
            SyncPhase::WaitingToRetry => texts.sync_waiting_retry.to_owned(),
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
                    format_clock_time(retry_at)
                ));
            }
            view! { <p class="sync-failure" data-test="sync-failure">{text}</p> }
        })
    };
    // A clock that is off: every response started now would carry a wrong
    // date, so the worker is told at once, on every page.
    // Offline, a clock reading a time before the last sync is off too.
    let clock_drift = app.sync.get_value().clock_drift();
    let clock = move || {
        let measured = clock_drift.get().map(|drift| (drift, drift.warning()));
        let before = move || {
            clock::before_last_sync(platform::now_ms(), status.get().last_success_ms)
                .map(|drift| (drift, drift.warning_before_last_sync()))
        };
        measured.or_else(before).map(|(drift, warning)| {
            let text = app.pick(&warning);
            view! {
                <p class="sync-clock" role="alert" data-test="clock-warning" data-ahead-ms=drift.tablet_ahead_ms>
                    {text}
                </p>
            }
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
            {clock}
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
