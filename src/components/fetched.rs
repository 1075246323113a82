//! One way to show what a page reads from the town hall's server:
//! "Loading…" until it has come, the failure with a "Try again" button if
//! the request failed (offline, a server's refusal, a timeout), the content
//! once read. What a page reads from the tablet is shown by
//! [`Loaded`](super::loaded::Loaded).

use leptos::prelude::*;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::Localized;

use crate::components::loaded::Loading;
use crate::i18n::Texts;
use crate::state::use_app;

/// Shows `resource`: "Loading…" while it runs, its failure as an alert
/// with a button that asks again, and `children` given the value once it
/// has come (`let:value`).
#[component]
pub fn Fetched<T, V, C>(
    /// What is asked of the server.
    resource: LocalResource<Result<T, SyncFailure>>,
    /// What a failure says, in both languages: each page knows best what
    /// its reader can do about it.
    failure: fn(&SyncFailure) -> Localized,
    /// The failure notice's `data-test`.
    test: &'static str,
    /// The words shown while loading, when something more precise than
    /// "Loading…" helps.
    #[prop(optional)]
    loading: Option<fn(&Texts) -> &'static str>,
    /// The content, given the value read.
    children: C,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
    C: Fn(T) -> V + Send + Sync + 'static,
{
    move || match resource.get() {
        None => view! { <Loading text=loading/> }.into_any(),
        Some(Err(error)) => view! {
            <FetchFailure message=failure(&error) test retry=move |()| resource.refetch()/>
        }
        .into_any(),
        Some(Ok(value)) => children(value).into_any(),
    }
}

/// A request's failure as an alert, with a button that asks again; for the
/// pages that show a read without [`Fetched`].
#[component]
pub fn FetchFailure(
    /// What the failure says.
    message: Localized,
    /// The notice's `data-test`.
    test: &'static str,
    /// Asks again.
    #[prop(into)]
    retry: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    view! {
        <div class="notice notice--error" role="alert" data-test=test>
            <p>{move || app.pick(&message)}</p>
            <button type="button" class="btn btn-secondary" on:click=move |_| retry.run(())>
                {move || app.texts().retry}
            </button>
        </div>
    }
}

/// What a failed request of an online page says: the server's own message
/// when it refused with one, that the page needs the server when offline,
/// else `fallback`.
pub fn online_failure(failure: &SyncFailure, fallback: Localized) -> Localized {
    match failure {
        SyncFailure::Server {
            error: Some(error), ..
        } => error.message.clone(),
        SyncFailure::Offline => Localized::new(
            "Không có mạng. Trang này cần kết nối tới máy chủ.",
            "No connection. This page needs the server.",
        ),
        _ => fallback,
    }
}
