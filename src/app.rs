//! The shell both apps share: top bar, sign-in, routes, banners.
//!
//! Tham Gia is two bundles with one look: the tablet app at the root
//! ([`crate::tablet_app`]: offline, what collectors and ward officers need
//! in the field) and the town hall app under `/townhall`
//! ([`crate::townhall_app`]: the city officers' desk work, online). Each
//! gives [`App`] its navigation and routes as [`Parts`]; a bundle links only
//! the pages its parts name, so the tablet never downloads the town hall's.
//!
//! Nobody signed in: the sign-in page only. Signed in: who it is and a
//! sign-out button in the top bar, a banner when the server ended the
//! session, and the app's pages for the account's role.

use std::rc::Rc;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::Router;
use thamgia_core::account::Session;
use thamgia_core::sync_client::{SyncStatus, Trigger};
use thamgia_core::Localized;

use crate::components::account_bar::AccountBar;
use crate::components::language_switch::LanguageSwitch;
use crate::pages::sign_in_page::{settle_ward, SignInPage};
use crate::state::{provide_app_state, use_app, AppState};
use crate::storage::Store;
use crate::sync::SyncDriver;

/// What differs between the two apps.
#[derive(Clone, Copy)]
pub struct Parts {
    /// The navigation bar (and what shows under it, as the sync bar).
    pub nav: fn() -> AnyView,
    /// The `<Routes>`, rendered inside the router.
    pub routes: fn() -> AnyView,
    /// Whether this app syncs the tablet: the network coming back, the tab
    /// waking and a ward change start rounds.
    pub syncs: bool,
}

/// A whole app: the shell with `parts`.
#[component]
pub fn App(
    /// The app's navigation and routes.
    parts: Parts,
    store: Store,
    driver: Rc<SyncDriver>,
    data_revision: RwSignal<u64>,
    sync_status: RwSignal<SyncStatus>,
    /// The session kept on this tablet, if any.
    session: Option<Session>,
    /// Raised by the sync driver when the server refuses the token.
    session_ended: RwSignal<bool>,
) -> impl IntoView {
    let app = provide_app_state(
        store,
        driver,
        data_revision,
        sync_status,
        session,
        session_ended,
    );

    if parts.syncs {
        sync_on_browser_events(app);
    }
    // A collector or ward officer works in the account's ward: set it (with
    // its names when the server can be asked) if the tablet holds another.
    Effect::new(move |_| {
        let Some(account) = app.account() else {
            return;
        };
        let Some(code) = account.ward_code.clone() else {
            return;
        };
        let settled = app.ward.with(|ward| {
            ward.as_ref()
                .is_some_and(|ward| ward.code == code && ward.name_vi != code)
        });
        if !settled {
            wasm_bindgen_futures::spawn_local(async move { settle_ward(app, &account).await });
        }
    });
    follow_the_account(app);
    Effect::new(move |_| {
        let tag = app.language.get().tag();
        if let Some(root) = document().document_element() {
            if let Err(error) = root.set_attribute("lang", tag) {
                leptos::logging::warn!("lang attribute not set: {error:?}");
            }
        }
    });

    let signed_in =
        Memo::new(move |_| app.session.with(Option::is_some) && !app.signing_in_again.get());
    // The pages past sign-in come with the rest of the app (`crate::rest`).
    let rest = RwSignal::new(crate::rest::is_there());
    if !rest.get_untracked() {
        wasm_bindgen_futures::spawn_local(async move {
            crate::rest::arrived().await;
            rest.set(true);
        });
    }
    shell_view(app, parts, signed_in, rest)
}

/// When the server refuses what the tablet asks for (403: a collector moved
/// to another ward still pulls the old one), asks who the account is now,
/// once per refusal, and keeps the answer: the effect above then moves the
/// tablet to the account's ward, whose history it pulls from the start.
fn follow_the_account(app: AppState) {
    let asked_at = StoredValue::new(None::<i64>);
    Effect::new(move |_| {
        let refused_at = app.sync_status.with(|status| match &status.last_failure {
            Some((at_ms, failure)) if failure.is_forbidden() => Some(*at_ms),
            _ => None,
        });
        if refused_at.is_none() || refused_at == asked_at.get_value() {
            return;
        }
        asked_at.set_value(refused_at);
        wasm_bindgen_futures::spawn_local(async move { refresh_account(app).await });
    });
}

/// Keeps the account the server names for this session, when it differs
/// from the one stored.
async fn refresh_account(app: AppState) {
    let account = match crate::api::ApiClient::for_this_origin()
        .session_account()
        .await
    {
        Ok(account) => account,
        Err(failure) => {
            leptos::logging::warn!("the account could not be asked: {failure:?}");
            return;
        }
    };
    let Some(mut session) = app.session.get_untracked() else {
        return;
    };
    if session.account == account {
        return;
    }
    session.account = account;
    if let Err(error) = app.store().save_session(&session).await {
        leptos::logging::warn!("the changed account was not kept: {error}");
    }
    app.session.set(Some(session));
    crate::state::tell_other_tabs_the_session_changed();
}

/// Starts rounds when the network comes back and when the tablet wakes the
/// tab, and pulls the chosen ward's reports and forums.
fn sync_on_browser_events(app: AppState) {
    let online = window_event_listener(ev::online, move |_| {
        app.sync.get_value().request(Trigger::Online);
    });
    let offline = window_event_listener(ev::offline, move |_| {
        app.sync.get_value().went_offline();
    });
    let visible = window_event_listener(ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            app.sync.get_value().request(Trigger::Timer);
        }
    });
    on_cleanup(move || {
        online.remove();
        offline.remove();
        visible.remove();
    });
    Effect::new(move |_| {
        let ward = app.ward.get().map(|ward| ward.code);
        app.sync.get_value().set_ward(ward);
    });
}

/// The shell's view: sign-in when nobody is, else the router.
fn shell_view(
    app: AppState,
    parts: Parts,
    signed_in: Memo<bool>,
    rest: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="app-shell">
            <Show
                when=move || signed_in.get()
                fallback=move || view! {
                    <header class="top-bar">
                        <div class="brand">
                            <strong>{move || app.texts().app_name}</strong>
                            <span class="muted">" · " {move || app.texts().tagline}</span>
                        </div>
                        <div class="top-bar-actions">
                            <LanguageSwitch/>
                        </div>
                    </header>
                    <main class="page">
                        <SignInPage/>
                    </main>
                }
            >
                <Show when=move || rest.get() fallback=move || view! { <RestLoading/> }>
                <Router>
                    <header class="top-bar">
                        <div class="brand">
                            <strong>{move || app.texts().app_name}</strong>
                            <span class="muted">" · " {move || app.texts().tagline}</span>
                        </div>
                        // The language switch first, the account and its
                        // sign-out at the far end, set apart: a tap meant
                        // for one never lands on the other.
                        <div class="top-bar-actions">
                            <LanguageSwitch/>
                            <span class="top-bar-divider" aria-hidden="true"></span>
                            <AccountBar/>
                        </div>
                    </header>
                    {(parts.nav)()}
                    <main class="page">
                        <SessionEndedBanner/>
                        <NoticeBanner/>
                        {(parts.routes)()}
                    </main>
                </Router>
                </Show>
            </Show>
        </div>
    }
}

/// Shown signed in until the rest of the app has arrived: a moment after
/// sign-in on the first visit, less when the tablet keeps the app.
#[component]
fn RestLoading() -> impl IntoView {
    let app = use_app();
    view! {
        <header class="top-bar">
            <div class="brand">
                <strong>{move || app.texts().app_name}</strong>
                <span class="muted">" · " {move || app.texts().tagline}</span>
            </div>
        </header>
        <main class="page">
            <p class="notice notice--info" role="status" data-test="rest-loading">
                {move || app.texts().rest_loading}
            </p>
        </main>
    }
}

/// A page for some roles only: `allowed` decides from the signed-in
/// account; others see [`NotForThisRole`]. The server refuses them anyway.
#[component]
pub fn ForRole(allowed: fn(&AppState) -> bool, children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || allowed(&app) fallback=|| view! { <NotForThisRole/> }>
            {children()}
        </Show>
    }
}

/// What a page of another role shows instead (an old link, a shared tablet).
#[component]
fn NotForThisRole() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="notice notice--info" role="status" data-test="not-for-this-role">
            <p>{move || app.texts().role_forbidden}</p>
            // A full load: the home page is the tablet app's.
            <a href="/" rel="external">{move || app.texts().back_home}</a>
        </div>
    }
}

/// Shown while the server refuses the session's token: the worker can go
/// on working on the tablet, and signs in again to send.
#[component]
fn SessionEndedBanner() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.session_ended.get()>
            <div class="notice notice--error" role="alert" data-test="session-ended">
                <p>{move || app.texts().session_ended_text}</p>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-test="sign-in-again"
                    on:click=move |_| app.signing_in_again.set(true)
                >
                    {move || app.texts().session_ended_sign_in}
                </button>
            </div>
        </Show>
    }
}

/// Shows the notice of the page shown now, and clears it when the worker
/// goes to another page. A notice about a completed response says "sent"
/// once the server has it.
#[component]
fn NoticeBanner() -> impl IntoView {
    let app = use_app();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        let elsewhere = app
            .notice
            .with_untracked(|notice| notice.as_ref().is_some_and(|notice| notice.page != path));
        if elsewhere {
            app.notice.set(None);
        }
    });
    let sent = LocalResource::new(move || {
        app.data_revision.track();
        let response = app
            .notice
            .with(|notice| notice.as_ref().and_then(|notice| notice.response));
        let store = app.store();
        async move {
            let Some(id) = response else {
                return false;
            };
            matches!(
                store.response(id).await,
                Ok(Some(crate::storage::StoredResponse {
                    sync: crate::storage::LocalSyncState::Synced { .. },
                    ..
                }))
            )
        }
    });
    move || {
        let path = location.pathname.get();
        app.notice.get().filter(|notice| notice.page == path).map(|notice| {
            let class = if notice.success {
                "notice notice--success"
            } else {
                "notice notice--error"
            };
            let was_sent = notice.response.is_some() && sent.get().unwrap_or(false);
            let text = if was_sent {
                Signal::derive(move || app.texts().completed_sent_notice.to_owned())
            } else {
                let text = notice.text.clone();
                Signal::derive(move || app.pick(&text))
            };
            // The worker gives the family the completed response's
            // reference, to withdraw consent through the ward later.
            let reference = notice.response.map(|id| {
                let reference = thamgia_core::response::reference(id);
                view! {
                    <span class="notice-reference">
                        {move || app.texts().reference_for_family}
                        " "
                        <strong data-test="notice-reference">{reference}</strong>
                    </span>
                }
            });
            view! {
                <div class=class role="status" data-test="notice" data-sent=was_sent.then_some("true")>
                    <span>{text}</span>
                    {reference}
                    " "
                    <button class="btn btn-secondary" aria-label=move || app.texts().close_notice on:click=move |_| app.notice.set(None)>"✕"</button>
                </div>
            }
        })
    }
}

/// Shown instead of the app when IndexedDB cannot be opened at all.
#[component]
pub fn StorageFailed(message: Localized) -> impl IntoView {
    view! {
        <div class="app-shell">
            <main class="page">
                <div class="notice notice--error" role="alert">
                    <h1>"Không mở được bộ nhớ của trình duyệt / The browser's storage could not be opened"</h1>
                    <p>{message.vi.clone()}</p>
                    <p lang="en">{message.en.clone()}</p>
                </div>
            </main>
        </div>
    }
}
