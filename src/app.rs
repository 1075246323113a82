//! The app's shell: top bar, navigation, routes, and browser event wiring.
//!
//! Nobody signed in: the sign-in page only. Signed in: who it is and a
//! sign-out button in the top bar, a banner when the server ended the
//! session, and the pages of the account's role (the town hall, the import,
//! the accounts and the audit log for city officers; the report for ward
//! and city officers; responses and forums for everyone).

use std::rc::Rc;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use thamgia_core::account::Session;
use thamgia_core::sync_client::{SyncStatus, Trigger};
use thamgia_core::Localized;

use crate::components::account_bar::AccountBar;
use crate::components::language_switch::LanguageSwitch;
use crate::components::sync_bar::SyncBar;
use crate::pages::accounts_page::AccountsPage;
use crate::pages::audit_page::AuditPage;
use crate::pages::fill_page::FillPage;
use crate::pages::forum_page::ForumPage;
use crate::pages::forums_page::ForumsPage;
use crate::pages::home_page::HomePage;
use crate::pages::import_page::ImportPage;
use crate::pages::report_page::ReportPage;
use crate::pages::responses_page::ResponsesPage;
use crate::pages::sign_in_page::{settle_ward, SignInPage};
use crate::pages::townhall_page::TownhallPage;
use crate::state::{provide_app_state, use_app, AppState};
use crate::storage::Store;
use crate::sync::SyncDriver;

/// The whole app.
#[component]
pub fn App(
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

    // Sync when the network comes back and when the tablet wakes the tab.
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
    // Pull the chosen ward's reports and forums.
    Effect::new(move |_| {
        let ward = app.ward.get().map(|ward| ward.code);
        app.sync.get_value().set_ward(ward);
    });
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
                <Router>
                    <header class="top-bar">
                        <div class="brand">
                            <strong>{move || app.texts().app_name}</strong>
                            <span class="muted">" · " {move || app.texts().tagline}</span>
                        </div>
                        <div class="top-bar-actions">
                            <AccountBar/>
                            <LanguageSwitch/>
                        </div>
                    </header>
                    <nav class="nav">
                        <A href="/" exact=true>{move || app.texts().nav_home}</A>
                        <A href="/responses">{move || app.texts().nav_responses}</A>
                        <Show when=move || app.may_report()>
                            <A href="/report">{move || app.texts().nav_report}</A>
                        </Show>
                        <A href="/forums">{move || app.texts().nav_forums}</A>
                        <Show when=move || app.is_city_officer()>
                            <A href="/import">{move || app.texts().nav_import}</A>
                            <A href="/townhall">{move || app.texts().nav_townhall}</A>
                            <A href="/accounts">{move || app.texts().nav_accounts}</A>
                            <A href="/audit">{move || app.texts().nav_audit}</A>
                        </Show>
                    </nav>
                    <SyncBar/>
                    <main class="page">
                        <SessionEndedBanner/>
                        <NoticeBanner/>
                        <Routes fallback=|| view! { <HomePage/> }>
                            <Route path=path!("/") view=HomePage/>
                            <Route path=path!("/responses") view=ResponsesPage/>
                            <Route path=path!("/report") view=|| view! { <ForRole allowed=AppState::may_report><ReportPage/></ForRole> }/>
                            <Route path=path!("/import") view=|| view! { <ForRole allowed=AppState::is_city_officer><ImportPage/></ForRole> }/>
                            <Route path=path!("/townhall") view=|| view! { <ForRole allowed=AppState::is_city_officer><TownhallPage/></ForRole> }/>
                            <Route path=path!("/accounts") view=|| view! { <ForRole allowed=AppState::is_city_officer><AccountsPage/></ForRole> }/>
                            <Route path=path!("/audit") view=|| view! { <ForRole allowed=AppState::is_city_officer><AuditPage/></ForRole> }/>
                            <Route path=path!("/fill/:id") view=FillPage/>
                            <Route path=path!("/forums") view=ForumsPage/>
                            <Route path=path!("/forum/:id") view=ForumPage/>
                        </Routes>
                    </main>
                </Router>
            </Show>
        </div>
    }
}

/// A page for some roles only: `allowed` decides from the signed-in
/// account; others see [`NotForThisRole`]. The server refuses them anyway.
#[component]
fn ForRole(allowed: fn(&AppState) -> bool, children: ChildrenFn) -> impl IntoView {
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
            <A href="/">{move || app.texts().back_home}</A>
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

/// Shows and clears the one-off notice.
#[component]
fn NoticeBanner() -> impl IntoView {
    let app = use_app();
    move || {
        app.notice.get().map(|notice| {
            let class = if notice.success {
                "notice notice--success"
            } else {
                "notice notice--error"
            };
            view! {
                <div class=class role="status" data-test="notice">
                    <span>{app.pick(&notice.text)}</span>
                    " "
                    <button class="btn btn-secondary" on:click=move |_| app.notice.set(None)>"✕"</button>
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
