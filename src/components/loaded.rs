//! One way to show what a page reads from the tablet: "Loading…" until it
//! has come, the failure in both languages if reading failed, the content
//! once read. What a page reads from the town hall's server is shown the
//! same way by [`Fetched`](super::fetched::Fetched), with a retry button.

use leptos::prelude::*;
use thamgia_core::Localized;

use crate::i18n::Texts;
use crate::state::use_app;

/// Shows `resource`: "Loading…" while it runs, its failure as an alert, and
/// `children` given the value once it has loaded (`let:value`).
#[component]
pub fn Loaded<T, V, C>(
    /// What is read; a failure carries its message in both languages.
    resource: LocalResource<Result<T, Localized>>,
    /// The content, given the value read.
    children: C,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
    C: Fn(T) -> V + Send + Sync + 'static,
{
    let app = use_app();
    move || match resource.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(message)) => {
            view! { <p class="notice notice--error" role="alert">{app.pick(&message)}</p> }
                .into_any()
        }
        Some(Ok(value)) => children(value).into_any(),
    }
}

/// What is shown while something is read: "Loading…", or `text`.
#[component]
pub fn Loading(
    /// The words, when something more precise than "Loading…" helps.
    #[prop(optional_no_strip)]
    text: Option<fn(&Texts) -> &'static str>,
) -> impl IntoView {
    let app = use_app();
    let text = text.unwrap_or(plain_loading);
    view! { <p class="muted">{move || text(app.texts())}</p> }
}

/// "Loading…".
fn plain_loading(texts: &Texts) -> &'static str {
    texts.loading
}
